-- Random GCJ-02 points across Guangzhou, a new one for every request.
math.randomseed(os.time())
request = function()
  local lat = 22.56 + math.random() * (23.93 - 22.56)
  local lng = 112.96 + math.random() * (114.05 - 112.96)
  return wrk.format("GET", string.format("/api/v1/stations/nearest?lat=%.6f&lng=%.6f", lat, lng))
end
