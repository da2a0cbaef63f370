-- A random path for every request, from the file PATHS_FILE (one path per line), with the bearer
-- token BEARER when it is set: what many residents or clerks asking for different things look like.
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local headers = {}
if os.getenv("BEARER") and os.getenv("BEARER") ~= "" then headers["Authorization"] = "Bearer " .. os.getenv("BEARER") end
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
