-- wrk script: send the given headers, then print the figures the benchmark reads.
-- The headers come from the environment: WRK_HEADERS="Name: value|Name: value".
-- With WRK_PATHS (a file of one path a line), each request picks a path from it at random,
-- so that a page is measured over many distinct URLs, not one the cache keeps answering.
local raw = os.getenv("WRK_HEADERS") or ""
for pair in string.gmatch(raw, "[^|]+") do
  local name, value = string.match(pair, "^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

local paths = {}
local listed = os.getenv("WRK_PATHS")
if listed and listed ~= "" then
  for line in io.lines(listed) do
    if line ~= "" then paths[#paths + 1] = line end
  end
end

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("number", threads)
end

init = function(args)
  math.randomseed(os.time() * 100 + (number or 0))
end

if #paths > 0 then
  request = function()
    return wrk.format(nil, paths[math.random(#paths)])
  end
end

done = function(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "FIGURES requests=%d seconds=%.3f p50_us=%d p95_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), bad))
end
