-- Engagement requests: a 26-day live-in 月嫂 engagement asked of a random station offering
-- cleaning (every station takes requests), starting 1 to 150 days ahead (Beijing time).
local token = os.getenv("BOOKING_TOKEN")
local stations = {}
for code in string.gmatch(os.getenv("BOOKING_STATIONS"), "[^,]+") do stations[#stations + 1] = code end
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(os.time() + id * 7919)
end

request = function()
  local day = os.date("!%Y-%m-%d", os.time() + 8 * 3600 + math.random(1, 150) * 86400)
  local body = string.format(
    '{"service_code":"maternity","station_code":"%s","start_day":"%s","length":26,"length_unit":"days",'
    .. '"live_in":true,"address":"天河区天河路 1 号","needs":"压测：照顾产妇和新生儿"}',
    stations[math.random(#stations)], day)
  return wrk.format("POST", "/api/v1/engagements", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
