-- One-tap booking: a new Idempotency-Key per request, for a random cleaning slot (08:00-16:00 starts,
-- 1 to 6 days ahead, Beijing time) at a random station offering cleaning. Run against /api/v1/series
-- (wrk's own path) it books a weekly cleaning for three months from that slot: 13 dates.
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
  local series = wrk.path == "/api/v1/series" and '"every_days":7,"count":13,' or ""
  local day = os.date("!%Y-%m-%d", os.time() + 8 * 3600 + math.random(1, 6) * 86400)
  local body = string.format(
    '{"station_code":"%s","service_code":"cleaning","starts_at":"%sT%02d:00:00+08:00",' .. series
    .. '"address":"天河区天河路 1 号","location":{"lat":23.13,"lng":113.32},"contact_name":"压测"}',
    stations[math.random(#stations)], day, hours[math.random(#hours)])
  return wrk.format("POST", wrk.path, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", id, sent, math.random(1, 1e9)),
  }, body)
end
