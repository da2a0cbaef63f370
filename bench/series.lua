-- Recurring series: a new Idempotency-Key per request, a weekly cleaning for three months (13 dates)
-- from a random slot (08:00-16:00 starts, 1 to 6 days ahead, Beijing time) at a random station.
local token = os.getenv("BOOKING_TOKEN")
local stations = {}
for code in string.gmatch(os.getenv("BOOKING_STATIONS"), "[^,]+") do stations[#stations + 1] = code end
local hours = {8, 10, 12, 14, 16}
local threads = 0
local sent = 0  -- per thread; `id` is each thread's number, set by setup()

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(os.time() + id * 7919)
end

request = function()
  sent = sent + 1
  local day = os.date("!%Y-%m-%d", os.time() + 8 * 3600 + math.random(1, 6) * 86400)
  local body = string.format(
    '{"station_code":"%s","service_code":"cleaning","starts_at":"%sT%02d:00:00+08:00","every_days":7,"count":13,'
    .. '"address":"天河区天河路 1 号","location":{"lat":23.13,"lng":113.32},"contact_name":"压测"}',
    stations[math.random(#stations)], day, hours[math.random(#hours)])
  return wrk.format("POST", "/api/v1/series", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = string.format("bench-series-%d-%d-%d", id, sent, math.random(1, 1e9)),
  }, body)
end
