-- wrk script for the write benchmark: every request POSTs an update to
-- one incident, cycling through STATUSES (default investigating,identified),
-- with the bearer token.  Every 201 is a committed, fsynced LMDB write
-- transaction.
--
--   wrk -t1 -c4 -d10s -s bench/post-update.lua http://127.0.0.1:PORT \
--       -- TOKEN INCIDENT_ID [STATUSES]
--
-- done() prints "BENCH key value" lines for run.sh (times in microseconds).

local threads = {}

local messages = {
    investigating = "we are looking into reports of errors",
    identified    = "the cause is known and a fix is being deployed",
    monitoring    = "the fix is deployed and we are watching",
    resolved      = "this incident has been resolved",
}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    token = args[1] or error("usage: -- TOKEN INCIDENT_ID")
    incident = args[2] or error("usage: -- TOKEN INCIDENT_ID")
    path = "/api/v1/incidents/" .. incident .. "/updates"
    statuses = {}
    for st in string.gmatch(args[3] or "investigating,identified",
                            "[^,]+")
    do
        table.insert(statuses, st)
    end
    headers = {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"]  = "application/json",
    }
    n = 0
    created = 0
    other = 0
    last_other = 0
    last_body = ""
end

function request()
    local status = statuses[n % #statuses + 1]
    n = n + 1
    local body = string.format(
        '{"status":"%s","message":"Benchmark update %d: %s.",'
        .. '"notify":false}',
        status, n, messages[status] or "an update")
    return wrk.format("POST", path, headers, body)
end

function response(status, hdrs, body)
    if status == 201 then
        created = created + 1
    else
        other = other + 1
        last_other = status
        last_body = string.sub(body or "", 1, 300)
    end
end

function done(summary, latency, requests)
    local c, o, lo, lb = 0, 0, 0, ""
    local e = summary.errors
    local secs = summary.duration / 1e6

    for _, t in ipairs(threads) do
        c = c + t:get("created")
        o = o + t:get("other")
        if t:get("other") > 0 then
            lo = t:get("last_other")
            lb = t:get("last_body")
        end
    end

    local function line(k, v)
        io.write(string.format("BENCH %s %s\n", k, tostring(v)))
    end

    line("requests", summary.requests)
    line("duration_us", summary.duration)
    line("rps", string.format("%.1f", summary.requests / secs))
    line("created", c)
    line("created_per_s", string.format("%.1f", c / secs))
    line("other", o)
    if o > 0 then
        line("last_other_status", lo)
        io.write("BENCH_BODY " .. lb:gsub("\n", " ") .. "\n")
    end
    line("p50_us", latency:percentile(50))
    line("p99_us", latency:percentile(99))
    line("max_us", latency.max)
    line("non2xx", e.status)
    line("err_connect", e.connect)
    line("err_read", e.read)
    line("err_write", e.write)
    line("err_timeout", e.timeout)
end
