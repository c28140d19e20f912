-- wrk script: send the given headers, then print the figures the benchmark reads.
-- The headers come from the environment: WRK_HEADERS="Name: value|Name: value".
local raw = os.getenv("WRK_HEADERS") or ""
for pair in string.gmatch(raw, "[^|]+") do
  local name, value = string.match(pair, "^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

done = function(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "FIGURES requests=%d seconds=%.3f p50_us=%d p95_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), bad))
end
