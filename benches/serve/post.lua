-- wrk script for benches/serve.sh: POST {"name":"Ada"} as JSON to the URL given to wrk, count
-- every non-2xx answer, and print one JSON line at the end:
--   {"requests":N,"duration_s":S,"rps":R,"p50_us":..,"p90_us":..,"p99_us":..,"max_us":..,
--    "mean_us":..,"non2xx":N,"errors":{"connect":..,"read":..,"write":..,"status":..,"timeout":..},
--    "bytes":N}
-- wrk's own `status` count is only answers >= 400; `non2xx` also catches 1xx/3xx, per thread
-- (each wrk thread has its own Lua state: setup() keeps them so done() can sum them).
wrk.method = "POST"
wrk.body = '{"name":"Ada"}'
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f,"non2xx":%d,"errors":{"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d},"bytes":%d}\n',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, bad, e.connect, e.read, e.write, e.status, e.timeout,
    summary.bytes))
end
