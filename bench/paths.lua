-- A random path for every request, from the file PATHS_FILE (one path per line), with the
-- Authorization header AUTHORIZATION and the Cookie header COOKIE when they are set: what many
-- residents, clerks or receiving platforms asking for different things look like.
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local headers = {}
for name, variable in pairs({Authorization = "AUTHORIZATION", Cookie = "COOKIE"}) do
  local value = os.getenv(variable)
  if value and value ~= "" then headers[name] = value end
end
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(os.time() + (id or 0) * 7919)
end

request = function()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
