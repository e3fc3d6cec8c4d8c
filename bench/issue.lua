-- wrk script: POST /api/v1/tickets for the hall's services in turn, each with its own request_id.
-- Prints the median, p95 and p99 latency (microseconds) and the error counts when done.
local services = {}
for code in string.gmatch(os.getenv("HALLQ_BENCH_SERVICES") or "tax", "[^,]+") do
  table.insert(services, code)
end
local counter = 0

function setup(thread)
  thread:set("tid", tostring(math.random(1, 1e9)))
end

request = function()
  counter = counter + 1
  local body = string.format('{"service": "%s", "request_id": "w%s-%d"}',
    services[(counter % #services) + 1], tid, counter)
  return wrk.format("POST", "/api/v1/tickets", {["Content-Type"] = "application/json"}, body)
end

done = function(summary, latency, requests)
  io.write(string.format("HALLQ requests %d seconds %.3f\n", summary.requests, summary.duration / 1e6))
  io.write(string.format("HALLQ p50 %d p95 %d p99 %d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
  local e = summary.errors
  io.write(string.format("HALLQ errors %d\n", e.connect + e.read + e.write + e.status + e.timeout))
end
