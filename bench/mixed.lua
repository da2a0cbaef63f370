-- What residents do all day, in turn: nearest station from a random point, the station list
-- revalidated, a 安心碼 scan, a liveness probe.
local scan_token = os.getenv("SCAN_TOKEN")
local etag = os.getenv("STATIONS_ETAG")
local turn = 0

request = function()
  turn = turn + 1
  local step = turn % 4
  if step == 0 then
    local lat = 22.56 + math.random() * (23.93 - 22.56)
    local lng = 112.96 + math.random() * (114.05 - 112.96)
    return wrk.format("GET", string.format("/api/v1/stations/nearest?lat=%.6f&lng=%.6f", lat, lng))
  elseif step == 1 then
    return wrk.format("GET", "/api/v1/stations", {["If-None-Match"] = etag})
  elseif step == 2 then
    return wrk.format("GET", "/api/v1/scan/" .. scan_token)
  end
  return wrk.format("GET", "/healthz")
end
