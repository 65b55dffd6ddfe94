-- wrk script for the read benchmarks: no request()/response() hooks, so
-- wrk keeps its fast static request path; done() prints the figures that
-- run.sh parses, one "BENCH key value" line each (times in microseconds).

function done(summary, latency, requests)
    local e = summary.errors
    local secs = summary.duration / 1e6

    local function line(k, v)
        io.write(string.format("BENCH %s %s\n", k, tostring(v)))
    end

    line("requests", summary.requests)
    line("duration_us", summary.duration)
    line("rps", string.format("%.1f", summary.requests / secs))
    line("bytes", summary.bytes)
    line("p50_us", latency:percentile(50))
    line("p90_us", latency:percentile(90))
    line("p99_us", latency:percentile(99))
    line("p999_us", latency:percentile(99.9))
    line("max_us", latency.max)
    line("non2xx", e.status)
    line("err_connect", e.connect)
    line("err_read", e.read)
    line("err_write", e.write)
    line("err_timeout", e.timeout)
end
