-- wrk script: GET the paths of a file (one a line) in turn, with a bearer
-- token when one is given (for the API's lists that need it).  done()
-- prints "BENCH key value" lines as bench/report.lua does.
--
--   wrk -t1 -c16 -d10s -s bench/paths.lua http://127.0.0.1:PORT \
--       -- PATHS_FILE [TOKEN]

local paths = {}
local i = 0
local headers = {}

function init(args)
    local file = args[1] or error("usage: -- PATHS_FILE [TOKEN]")
    for l in io.lines(file) do
        if l ~= "" then
            paths[#paths + 1] = l
        end
    end
    if #paths == 0 then
        error("no paths in " .. file)
    end
    if args[2] and args[2] ~= "" then
        headers["Authorization"] = "Bearer " .. args[2]
    end
    -- the threads and connections start at different places in the list
    i = math.random(#paths) - 1
end

function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i], headers)
end

function done(summary, latency, requests)
    local e = summary.errors
    local secs = summary.duration / 1e6

    local function line(k, v)
        io.write(string.format("BENCH %s %s\n", k, tostring(v)))
    end

    line("requests", summary.requests)
    line("rps", string.format("%.1f", summary.requests / secs))
    line("bytes", summary.bytes)
    line("p50_us", latency:percentile(50))
    line("p99_us", latency:percentile(99))
    line("max_us", latency.max)
    line("non2xx", e.status)
    line("err_connect", e.connect)
    line("err_read", e.read)
    line("err_write", e.write)
    line("err_timeout", e.timeout)
end
