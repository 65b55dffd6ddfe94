#!/usr/bin/env bash
#
# Read and write benchmarks of ngx_incident_module with wrk, on loopback.
#
#   make bench                   (builds the module, then runs this)
#   DURATION=3s bench/run.sh     (a quick check; default 10s per wrk run)
#
# It starts Debian's nginx with the module in a temp prefix, seeds the store
# through the API, then measures:
#
#   read   GET /api/v1/status against the same bytes served as a static file
#          by nginx (open_file_cache, sendfile), alternating A B A B;
#          the figure we report is the ratio module/static of requests/s
#   write  POST /api/v1/incidents/{id}/updates at low concurrency: durable
#          updates/s (each 201 is a committed, fsynced LMDB transaction)
#   mixed  GET /api/v1/status alone, then together with a write load (both
#          wrk at once): read p99 without vs with writes, which run in
#          nginx's thread pool.  Two write loads: "resolved" updates to a
#          resolved incident (the status keeps its size: what commits and
#          re-renders cost readers), and the write benchmark's load on an
#          active incident (its timeline, in the status, grows with every
#          write); a last reads-alone run shows what the grown body costs.
#
# The summary is printed and written to build/bench-summary.txt.
#
# Environment:
#   DURATION       length of every measured wrk run (default 10s)
#   ROUNDS         A B rounds of the read benchmark (default 2: A B A B)
#   READ_CONNS     wrk connections for reads (default 50)
#   WRITE_CONNS    wrk connections for writes (default 4)
#   WARMUP         warm-up before the read runs, not measured (default 1s)
#   NGINX          nginx binary (default /usr/sbin/nginx)
#   INCIDENT_MODULE  the module (default build/ngx_http_incident_module.so)
#   KEEP=1         keep the temp prefix (config, logs, store, wrk outputs)

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
NGINX=${NGINX:-/usr/sbin/nginx}
MODULE=${INCIDENT_MODULE:-$ROOT/build/ngx_http_incident_module.so}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-2}
READ_CONNS=${READ_CONNS:-50}
WRITE_CONNS=${WRITE_CONNS:-4}
WARMUP=${WARMUP:-1s}
SUMMARY_FILE=$ROOT/build/bench-summary.txt

PREFIX=
NGINX_PID=
BG_PIDS=()


# --- helpers ------------------------------------------------------------------

say() { printf '%s\n' "$*" >&2; }

# progress lines carry the seconds since the start
note() { printf '[%3ds] bench: %s\n' "$SECONDS" "$*" >&2; }

die() {
    local log=${PREFIX:+$PREFIX/logs/error.log}

    say ""
    say "bench: FAILED: $*"

    if [ -n "$log" ] && [ -f "$log" ] \
       && grep -qE '\[(alert|emerg|crit|error)\]|exited on signal' "$log"
    then
        say "bench: nginx's error log says:"
        grep -E '\[(alert|emerg|crit|error)\]|exited on signal' "$log" \
            | tail -5 | cut -c1-300 >&2
    fi

    exit 1
}

need() {
    command -v "$1" >/dev/null 2>&1 || die "$1 is not installed ($2)"
}

stop_nginx() {
    local i

    [ -n "$NGINX_PID" ] || return 0

    if kill -0 "$NGINX_PID" 2>/dev/null; then
        kill -QUIT "$NGINX_PID" 2>/dev/null || true

        for i in $(seq 1 100); do
            kill -0 "$NGINX_PID" 2>/dev/null || break
            sleep 0.1
        done

        if kill -0 "$NGINX_PID" 2>/dev/null; then
            say "bench: nginx did not quit in 10s; sending TERM"
            kill -TERM "$NGINX_PID" 2>/dev/null || true
            sleep 1
        fi
    fi

    NGINX_PID=
}

cleanup() {
    local rc=$? pid

    trap - EXIT INT TERM

    for pid in "${BG_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done

    stop_nginx

    if [ -n "$PREFIX" ] && [ -d "$PREFIX" ]; then
        if [ "${KEEP:-0}" = 1 ]; then
            say "bench: kept $PREFIX"
        else
            rm -rf "$PREFIX"
        fi
    fi

    exit "$rc"
}

trap cleanup EXIT
trap 'say "bench: interrupted"; exit 130' INT
trap 'exit 143' TERM

free_port() {
    perl -MIO::Socket::INET -e '
        my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
                                      LocalPort => 0, ReuseAddr => 1)
            or die "no free port: $!\n";
        print $s->sockport, "\n";'
}

# seconds in a wrk duration ("10s", "1m", "500ms" is not wrk's; "2m" is)
duration_seconds() {
    local d=$1

    case $d in
        *ms) die "DURATION=$d: use whole seconds (wrk takes 10s, 1m, 1h)" ;;
        *s)  echo "${d%s}" ;;
        *m)  echo $(( ${d%m} * 60 )) ;;
        *h)  echo $(( ${d%h} * 3600 )) ;;
        *)   echo "$d" ;;
    esac
}

# api METHOD PATH JSON EXPECTED_STATUS: a write through the API
api() {
    local code

    code=$(curl -sS -o "$PREFIX/last-response" -w '%{http_code}' \
                -X "$1" -H "Authorization: Bearer $TOKEN" \
                -H 'Content-Type: application/json' \
                --data-binary "$3" "$BASE$2") \
        || die "curl $1 $2 failed"

    [ "$code" = "$4" ] \
        || die "$1 $2 answered $code, expected $4:" \
               "$(head -c 600 "$PREFIX/last-response")"
}

# get PATH FILE: a GET that must answer 200
get() {
    local code

    code=$(curl -sS -o "$2" -w '%{http_code}' "$BASE$1") \
        || die "curl GET $1 failed"

    [ "$code" = 200 ] \
        || die "GET $1 answered $code: $(head -c 600 "$2")"
}

iso_time() {
    date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}

# bench_value FILE KEY: a "BENCH KEY VALUE" line written by the wrk scripts
bench_value() {
    awk -v k="$2" '$1 == "BENCH" && $2 == k { print $3; exit }' "$1"
}

# check_wrk NAME FILE: wrk must have seen only 2xx answers and no errors
check_wrk() {
    local name=$1 out=$2 n k

    grep -q '^BENCH requests ' "$out" \
        || die "wrk ($name) printed no results:"$'\n'"$(cat "$out")"

    if grep -q 'Non-2xx' "$out"; then
        die "wrk ($name) saw non-2xx/3xx responses:"$'\n'"$(cat "$out")"
    fi

    n=$(bench_value "$out" non2xx)
    [ "$n" = 0 ] \
        || die "wrk ($name) saw $n non-2xx/3xx responses:"$'\n'"$(cat "$out")"

    if grep -q 'Socket errors' "$out"; then
        die "wrk ($name) saw socket errors:"$'\n'"$(cat "$out")"
    fi

    for k in err_connect err_read err_write err_timeout; do
        n=$(bench_value "$out" "$k")
        [ "$n" = 0 ] \
            || die "wrk ($name) saw $k=$n:"$'\n'"$(cat "$out")"
    done

    n=$(bench_value "$out" requests)
    [ "$n" -gt 0 ] || die "wrk ($name) completed no request"
}

# CPU ticks: "all-busy all ours", ours being nginx (master, worker and its
# thread pool) and this script's reaped children (wrk, curl)
cpu_ticks() {
    local pid ours=0 t

    for pid in $NGINX_PID $(pgrep -P "$NGINX_PID" 2>/dev/null); do
        t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || t=0
        ours=$((ours + ${t:-0}))
    done

    t=$(awk '{ print $16 + $17 }' "/proc/$$/stat")
    ours=$((ours + t))

    awk -v ours="$ours" '$1 == "cpu" {
        busy = $2 + $3 + $4 + $7 + $8 + $9
        print busy, busy + $5 + $6, ours }' /proc/stat
}

cpu_begin() {
    CPU_BEGIN=$(cpu_ticks)
}

# cpu_end FILE...: the share of all CPUs that other processes (and the
# kernel's softirqs) used since cpu_begin, as "BENCH others_pct N" in FILEs
cpu_end() {
    local f pct

    pct=$(echo "$CPU_BEGIN $(cpu_ticks)" | awk '{
        all = $5 - $2
        others = ($4 - $1) - ($6 - $3)
        pct = (all > 0 && others > 0) ? 100 * others / all : 0
        printf "%.0f", pct }')

    for f in "$@"; do
        echo "BENCH others_pct $pct" >> "$f"
    done
}

# wrk_read NAME OUT URL_PATH [DURATION]: one read run, checked
wrk_read() {
    local name=$1 out=$2 path=$3 d=${4:-$DURATION}

    cpu_begin
    wrk -t1 -c"$READ_CONNS" -d"$d" --latency -s "$BENCH/report.lua" \
        "$BASE$path" > "$out" 2>&1 \
        || die "wrk ($name) failed:"$'\n'"$(cat "$out")"
    cpu_end "$out"

    check_wrk "$name" "$out"
}

# wrk_write_cmd INCIDENT_ID [STATUSES]: the write load (check_write after)
wrk_write_cmd() {
    wrk -t1 -c"$WRITE_CONNS" -d"$DURATION" --latency \
        -s "$BENCH/post-update.lua" "$BASE" -- "$TOKEN" "$1" \
        "${2:-investigating,identified}"
}

check_write() {
    local name=$1 out=$2 n

    check_wrk "$name" "$out"

    n=$(bench_value "$out" other)
    [ "$n" = 0 ] \
        || die "wrk ($name): $n responses were not 201 (last:" \
               "$(bench_value "$out" last_other_status)" \
               "$(grep '^BENCH_BODY' "$out" | cut -c12-))"
}

us_to_ms() {
    awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'
}

status_size() {
    curl -sS "$BASE/api/v1/status" | wc -c
}


# --- preflight ------------------------------------------------------------------

need wrk "apt-get install wrk"
need curl "apt-get install curl"
need perl "apt-get install perl"
[ -x "$NGINX" ] || die "no nginx at $NGINX (apt-get install nginx-core)"
[ -f "$MODULE" ] || die "no module at $MODULE: run make first"

DURATION_S=$(duration_seconds "$DURATION")
WARMUP_S=$(duration_seconds "$WARMUP")
[[ "$DURATION_S" =~ ^[0-9]+$ ]] && [ "$DURATION_S" -gt 0 ] \
    || die "DURATION=$DURATION is not a wrk duration such as 10s"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS=$ROUNDS is not a count"

NRUNS=$(( 2 * ROUNDS + 5 ))
note "about $(( NRUNS * DURATION_S + 2 * WARMUP_S + 15 ))s" \
    "($NRUNS runs of $DURATION + warm-up + seeding)"

# other work on the machine makes every figure noisy: measure it for a
# second before we start (percent of all CPUs busy)
cpu_sample() { awk '$1 == "cpu" { print $2+$3+$4+$7+$8+$9, $5+$6 }' /proc/stat; }
read -r BUSY0 IDLE0 < <(cpu_sample)
sleep 1
read -r BUSY1 IDLE1 < <(cpu_sample)
BUSY_START=$(awk -v b=$((BUSY1 - BUSY0)) -v i=$((IDLE1 - IDLE0)) \
                 'BEGIN { printf "%.0f", b + i ? 100 * b / (b + i) : 0 }')


# --- nginx in a temp prefix ----------------------------------------------------------

PREFIX=$(mktemp -d "${TMPDIR:-/tmp}/incident-bench-XXXXXX")
chmod 755 "$PREFIX"     # workers run as nobody when the master is root
mkdir -p "$PREFIX/logs" "$PREFIX/html/static" "$PREFIX/wrk"

# nginx loads a private copy: a rebuild that rewrites build/*.so in place
# while nginx has it mapped would crash the workers (SIGBUS) mid-run
cp "$MODULE" "$PREFIX/ngx_http_incident_module.so"

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')

printf '# benchmark token\nbench:%s\n' \
    "$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)" > "$PREFIX/tokens"

cat > "$PREFIX/nginx.conf" <<EOF
load_module $PREFIX/ngx_http_incident_module.so;

worker_processes 1;
error_log $PREFIX/logs/error.log notice;
pid $PREFIX/logs/nginx.pid;

events {
    worker_connections 1024;
}

http {
    access_log off;

    types {
        application/json  json;
    }
    default_type application/octet-stream;

    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;

    # the static baseline at its best: descriptors and stat() cached
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    open_file_cache_min_uses 1;
    open_file_cache_errors on;

    client_body_temp_path $PREFIX/body;
    proxy_temp_path $PREFIX/proxy;
    fastcgi_temp_path $PREFIX/fastcgi;
    uwsgi_temp_path $PREFIX/uwsgi;
    scgi_temp_path $PREFIX/scgi;

    incident_db $PREFIX/db size=256m;
    incident_api_tokens $PREFIX/tokens;

    server {
        listen 127.0.0.1:$PORT backlog=4096;

        location /api/ {
            incident_api;
        }

        location /static/ {
            root $PREFIX/html;
        }
    }
}
EOF

"$NGINX" -p "$PREFIX/" -c "$PREFIX/nginx.conf" -t -q \
    || die "nginx -t rejected the generated configuration"
"$NGINX" -p "$PREFIX/" -c "$PREFIX/nginx.conf" \
    || die "nginx did not start: $(cat "$PREFIX/logs/error.log" 2>/dev/null)"

for i in $(seq 1 100); do
    [ -s "$PREFIX/logs/nginx.pid" ] && break
    sleep 0.05
done
NGINX_PID=$(cat "$PREFIX/logs/nginx.pid" 2>/dev/null) \
    || die "nginx wrote no pid file"

for i in $(seq 1 100); do
    curl -s -o /dev/null "$BASE/api/v1/status" && break
    sleep 0.05
done

note "nginx $NGINX_PID on $BASE, prefix $PREFIX"


# --- seed: 20 components (3 groups), 50 incidents -----------------------------------

note "seeding 20 components, 50 incidents with updates"

# The writes are queued in a curl config file and sent by one curl, in
# order, over one keep-alive connection; ids count up in that order.
SEED_CFG=$PREFIX/seed/requests.curl
SEED_N=0
mkdir -p "$PREFIX/seed"

# seed METHOD PATH JSON: queue one write that must answer 201
seed() {
    local body=${3//\\/\\\\}

    body=${body//\"/\\\"}

    if [ "$SEED_N" -gt 0 ]; then
        echo next >> "$SEED_CFG"
    fi
    SEED_N=$((SEED_N + 1))

    cat >> "$SEED_CFG" <<EOF
url = "$BASE$2"
request = "$1"
header = "Authorization: Bearer $TOKEN"
header = "Content-Type: application/json"
data-binary = "$body"
output = "$PREFIX/seed/$SEED_N.json"
write-out = "%{http_code} $SEED_N $1 $2 %{time_total}s\\n"
EOF
}

# seed_flush: send the queue; every answer must be 201
seed_flush() {
    local bad n

    curl -sS -K "$SEED_CFG" > "$PREFIX/seed/answers" \
        || die "seeding: curl failed after" \
               "$(wc -l < "$PREFIX/seed/answers") of $SEED_N requests"

    bad=$(awk '$1 != 201' "$PREFIX/seed/answers" | head -1)
    if [ -n "$bad" ]; then
        n=$(echo "$bad" | cut -d' ' -f2)
        die "seeding: $bad (expected 201):" \
            "$(head -c 600 "$PREFIX/seed/$n.json")"
    fi

    n=$(wc -l < "$PREFIX/seed/answers")
    [ "$n" = "$SEED_N" ] || die "seeding: $n answers to $SEED_N requests"
}

# ids count up from 1: the groups are 1..3, their members follow
GROUPS_=("Platform" "Data" "Edge")
MEMBERS=(
    "API:1" "Website:1" "Dashboard:1" "Authentication:1"
    "Database:2" "Cache:2" "Job Queue:2" "Object Storage:2"
    "CDN:3" "DNS:3" "Load Balancer:3"
    "Payments:" "Search:" "Notifications:" "Webhooks:" "Email Delivery:"
    "Mobile Push:"
)

pos=0
for g in "${GROUPS_[@]}"; do
    seed POST /api/v1/components \
        "{\"name\":\"$g\",\"description\":\"The $g services.\",\"position\":$pos}"
    pos=$((pos + 1))
done

pos=0
for m in "${MEMBERS[@]}"; do
    name=${m%%:*}
    group=${m##*:}
    body="{\"name\":\"$name\",\"description\":\"$name as customers see it.\""
    body+=",\"position\":$pos"
    [ -n "$group" ] && body+=",\"groupId\":$group"
    seed POST /api/v1/components "$body}"
    pos=$((pos + 1))
done

NCOMP=$(( ${#GROUPS_[@]} + ${#MEMBERS[@]} ))
[ "$NCOMP" = 20 ] || die "seed: $NCOMP components, expected 20"

IMPACTS=(critical major minor none)
TITLES=(
    "Elevated error rates" "Degraded performance" "Increased latency"
    "Partial outage" "Failed deliveries" "Intermittent timeouts"
    "Login failures" "Delayed processing"
)
NOW=$(date -u +%s)
NINC=50
NACTIVE=5

# all incidents first (ids 1..50), then their updates
for i in $(seq 1 "$NINC"); do
    c1=$(( 4 + (i * 7) % 17 ))
    c2=$(( 4 + (i * 11 + 3) % 17 ))
    comps=$c1
    [ "$c2" != "$c1" ] && [ $((i % 3)) = 0 ] && comps="$c1,$c2"
    impact=${IMPACTS[$((i % 4))]}
    title="${TITLES[$((i % 8))]} (incident $i)"

    if [ "$i" -le $((NINC - NACTIVE)) ]; then
        # past incidents, a few days apart, resolved after 4 updates
        started=$(( NOW - (NINC - i + 1) * 86400 * 3 / 2 ))
    else
        started=$(( NOW - (NINC - i + 1) * 600 ))
    fi

    seed POST /api/v1/incidents \
        "{\"title\":\"$title\",\"status\":\"investigating\",\"impact\":\"$impact\",\"componentIds\":[$comps],\"startedAt\":\"$(iso_time "$started")\",\"notify\":false,\"message\":\"We are investigating reports of problems with this service.\"}"
done

for i in $(seq 1 "$NINC"); do
    seed POST "/api/v1/incidents/$i/updates" \
        '{"status":"identified","message":"The cause has been identified and a fix is being implemented.","notify":false}'

    if [ "$i" -le $((NINC - NACTIVE)) ]; then
        seed POST "/api/v1/incidents/$i/updates" \
            '{"status":"monitoring","message":"A fix has been deployed; we are monitoring the results.","notify":false}'
        seed POST "/api/v1/incidents/$i/updates" \
            '{"status":"resolved","message":"This incident has been resolved.","notify":false}'
    fi
done

seed_flush
note "seeded with $SEED_N writes"


# --- read benchmark: module vs static file, A B A B --------------------------------------

get /api/v1/status "$PREFIX/html/static/status.json"
chmod 644 "$PREFIX/html/static/status.json"
chmod -R a+rX "$PREFIX/html"

get /api/v1/status "$PREFIX/status.module"
get /static/status.json "$PREFIX/status.static"

cmp -s "$PREFIX/status.module" "$PREFIX/status.static" \
    || die "GET /api/v1/status and /static/status.json differ" \
           "($(wc -c < "$PREFIX/status.module") vs" \
           "$(wc -c < "$PREFIX/status.static") bytes)"
cmp -s "$PREFIX/status.module" "$PREFIX/html/static/status.json" \
    || die "GET /api/v1/status changed between two requests"

STATUS_BYTES=$(wc -c < "$PREFIX/status.module")
grep -q '"activeIncidents":\[{' "$PREFIX/status.module" \
    || die "the seeded status has no active incident:" \
           "$(head -c 300 "$PREFIX/status.module")"

note "status body $STATUS_BYTES bytes, identical from module and file"

note "read warm-up ($WARMUP each)"
wrk_read warmup-module "$PREFIX/wrk/warmup-module" /api/v1/status "$WARMUP"
wrk_read warmup-static "$PREFIX/wrk/warmup-static" /static/status.json "$WARMUP"

for round in $(seq 1 "$ROUNDS"); do
    note "read round $round: module /api/v1/status ($DURATION)"
    wrk_read "module-$round" "$PREFIX/wrk/read-module-$round" /api/v1/status
    note "read round $round: static /static/status.json ($DURATION)"
    wrk_read "static-$round" "$PREFIX/wrk/read-static-$round" \
        /static/status.json
done

# the module's answer must not have changed during the runs
get /api/v1/status "$PREFIX/status.after"
cmp -s "$PREFIX/status.module" "$PREFIX/status.after" \
    || die "GET /api/v1/status changed during the read benchmark"


# --- write benchmark ---------------------------------------------------------------------

# a dedicated incident takes the write load; it is deleted afterwards so
# its thousands of updates do not weigh on the next status renders
new_target() {
    api POST /api/v1/incidents \
        "{\"title\":\"$1\",\"status\":\"investigating\",\"impact\":\"minor\",\"componentIds\":[13],\"notify\":false,\"message\":\"Benchmark write target.\"}" \
        201
    sed -n 's/^{"id":\([0-9]*\).*/\1/p;s/.*"id":\([0-9]*\),"title".*/\1/p' \
        "$PREFIX/last-response" | head -1
}

WRITE_ID=$(new_target "Write benchmark target")
[ -n "$WRITE_ID" ] || die "cannot find the new incident's id in:" \
                          "$(head -c 300 "$PREFIX/last-response")"

note "write: POST /api/v1/incidents/$WRITE_ID/updates" \
    "(-c$WRITE_CONNS, $DURATION)"
cpu_begin
wrk_write_cmd "$WRITE_ID" > "$PREFIX/wrk/write" 2>&1 \
    || die "wrk (write) failed:"$'\n'"$(cat "$PREFIX/wrk/write")"
cpu_end "$PREFIX/wrk/write"
check_write write "$PREFIX/wrk/write"

note "write: deleting incident $WRITE_ID and its" \
     "$(bench_value "$PREFIX/wrk/write" created) benchmark updates"
api DELETE "/api/v1/incidents/$WRITE_ID" "" 204


# --- reads alone vs reads during writes ------------------------------------------------

# Every write bumps the generation, so the next read renders the status
# anew.  Two write loads run against the reads:
#   - "resolved" updates to a resolved incident: the status body keeps its
#     size, so this isolates what the commits (thread pool, fsync) and the
#     re-renders cost the readers;
#   - investigating/identified updates to an active incident, whose whole
#     timeline is in the status: the body grows while the writes run; the
#     reads-alone run after it shows what the size alone costs.

# wrk_mixed NAME INCIDENT_ID STATUSES: reads and writes at once, checked
wrk_mixed() {
    local name=$1 writer

    cpu_begin
    wrk_write_cmd "$2" "$3" > "$PREFIX/wrk/write-$name" 2>&1 &
    writer=$!
    BG_PIDS+=("$writer")

    wrk -t1 -c"$READ_CONNS" -d"$DURATION" --latency -s "$BENCH/report.lua" \
        "$BASE/api/v1/status" > "$PREFIX/wrk/read-$name" 2>&1 \
        || die "wrk (reads, $name) failed:"$'\n'"$(cat "$PREFIX/wrk/read-$name")"

    wait "$writer" \
        || die "wrk (writes, $name) failed:"$'\n'"$(cat "$PREFIX/wrk/write-$name")"
    BG_PIDS=()
    cpu_end "$PREFIX/wrk/read-$name" "$PREFIX/wrk/write-$name"

    check_wrk "reads, $name" "$PREFIX/wrk/read-$name"
    check_write "writes, $name" "$PREFIX/wrk/write-$name"
}

MIXED_ID=$(new_target "Mixed benchmark target")
[ -n "$MIXED_ID" ] || die "cannot find the new incident's id"

BYTES_ALONE=$(status_size)

note "mixed: /api/v1/status alone ($DURATION)"
wrk_read read-alone "$PREFIX/wrk/read-alone" /api/v1/status

note "mixed: /api/v1/status with resolved updates to resolved" \
    "incident 1 ($DURATION, both at once)"
wrk_mixed resolved 1 resolved
BYTES_RESOLVED=$(status_size)

note "mixed: /api/v1/status with updates to active incident" \
    "$MIXED_ID ($DURATION, both at once)"
wrk_mixed active "$MIXED_ID" investigating,identified
BYTES_ACTIVE=$(status_size)

note "mixed: /api/v1/status alone again, on the grown store ($DURATION)"
wrk_read read-after "$PREFIX/wrk/read-after" /api/v1/status


note "done"


# --- the error log ----------------------------------------------------------------------

stop_nginx

LOG=$PREFIX/logs/error.log
BAD_LOG=$(grep -E '\[(alert|emerg|crit|error)\]|exited on signal' "$LOG" \
          || true)
WARN_COUNT=$(grep -c '\[warn\]' "$LOG" || true)


# --- summary ---------------------------------------------------------------------------

v() { bench_value "$PREFIX/wrk/$1" "$2"; }

calc() {    # calc 'awk expression with a, b' A B
    awk -v a="$2" -v b="${3:-0}" "BEGIN { $1 }"
}

ms() { us_to_ms "$1"; }

# average bytes per response (headers included) as wrk counted them
avg_bytes() {
    calc 'printf "%.0f", a / b' "$(v "$1" bytes)" "$(v "$1" requests)"
}

# one table row: label, rate, p50, p99, max (ms), bytes/response and the
# share of the CPUs that others took meanwhile, marked "*" from 10% for
# reads; from 30% for writes alone, whose fsyncs keep kernel threads busy
HDR='  %-36s %8s %7s %7s %7s %9s %7s\n'

others() {  # run [threshold]
    local p

    p=$(v "$1" others_pct)
    if [ "${p:-0}" -ge "${2:-10}" ]; then
        echo "$p%*"
    else
        echo "$p% "
    fi
}

row() {     # label run: a read row, req/s
    printf '  %-36s %8.0f %7s %7s %7s %9s %7s\n' "$1" "$(v "$2" rps)" \
        "$(ms "$(v "$2" p50_us)")" "$(ms "$(v "$2" p99_us)")" \
        "$(ms "$(v "$2" max_us)")" "$(avg_bytes "$2")" "$(others "$2")"
}

wrow() {    # label run: a write row, 201/s
    printf '  %-36s %8.0f %7s %7s %7s %9s %7s\n' "$1" \
        "$(v "$2" created_per_s)" "$(ms "$(v "$2" p50_us)")" \
        "$(ms "$(v "$2" p99_us)")" "$(ms "$(v "$2" max_us)")" "" \
        "$(others "$2" 30)"
}

# any measured run during which others took 10% or more of the CPUs
NOISY=$( (cat "$PREFIX"/wrk/read-*; sed 's/others_pct/others_pct_w/' \
             "$PREFIX"/wrk/write) \
        | awk '$1 == "BENCH" && $2 == "others_pct" && $3 >= 10 { n = 1 }
               $1 == "BENCH" && $2 == "others_pct_w" && $3 >= 30 { n = 1 }
               END { print n + 0 }')

# the read rounds: mean req/s, worst p99 and the ratio of each round
read_stats() {  # module|static -> "mean_rps worst_p99_us"
    local r

    for r in $(seq 1 "$ROUNDS"); do
        echo "$(v "read-$1-$r" rps) $(v "read-$1-$r" p99_us)"
    done | awk '{ s += $1; if ($2 > w) w = $2 }
                END { printf "%.0f %d\n", s / NR, w }'
}

read -r RM P99M < <(read_stats module)
read -r RS P99S < <(read_stats static)
RATIO=$(calc 'printf "%.2f", a / b' "$RM" "$RS")
RATIOS=$(for r in $(seq 1 "$ROUNDS"); do
             calc 'printf "%.2f ", a / b' \
                  "$(v "read-module-$r" rps)" "$(v "read-static-$r" rps)"
         done)
RATIOS=${RATIOS% }
RATIOS=${RATIOS// /, }
P99_RESOLVED=$(calc 'printf "%.1f", b / a' \
                    "$(v read-alone p99_us)" "$(v read-resolved p99_us)")
P99_ACTIVE=$(calc 'printf "%.1f", b / a' \
                  "$(v read-alone p99_us)" "$(v read-active p99_us)")

COMMIT=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)

{
    echo "ngx_incident_module benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "  commit $COMMIT, module built" \
         "$(date -u -r "$MODULE" +%Y-%m-%dT%H:%M:%SZ);" \
         "$("$NGINX" -v 2>&1 | sed 's/.*: //');" \
         "$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2);" \
         "$(nproc) CPUs; worker_processes 1; store on" \
         "$(stat -f -c %T "$PREFIX"); CPUs $BUSY_START% busy before the run"
    echo "  seeded: 20 components (3 groups), 50 incidents" \
         "($NACTIVE active), /api/v1/status body $STATUS_BYTES bytes"
    echo
    echo "read: wrk -t1 -c$READ_CONNS -d$DURATION, A B alternating" \
         "$ROUNDS times," \
         "byte-identical bodies"
    printf "$HDR" "" "req/s" "p50 ms" "p99 ms" "max ms" "bytes/rsp" "others"
    for r in $(seq 1 "$ROUNDS"); do
        row "A  module  /api/v1/status       #$r" "read-module-$r"
        row "B  static  /static/status.json  #$r" "read-static-$r"
    done
    printf "$HDR" "module: mean req/s, worst p99" "$RM" "" "$(ms "$P99M")" \
        "" "" ""
    printf "$HDR" "static: mean req/s, worst p99" "$RS" "" "$(ms "$P99S")" \
        "" "" ""
    echo "  RATIO module/static (req/s): $RATIO (rounds: $RATIOS)"
    echo
    echo "write: wrk -t1 -c$WRITE_CONNS -d$DURATION," \
         "POST /api/v1/incidents/{id}/updates"
    printf "$HDR" "" "201/s" "p50 ms" "p99 ms" "max ms" "" "others"
    wrow "durable updates (each fsynced)" write
    echo
    echo "reads during writes: GET /api/v1/status -c$READ_CONNS and" \
         "the write load, -d$DURATION each"
    printf "$HDR" "" "req/s" "p50 ms" "p99 ms" "max ms" "bytes/rsp" "others"
    row "reads alone" read-alone
    row "reads + writes to resolved incident" read-resolved
    wrow "  the writes meanwhile (201/s)" write-resolved
    row "reads + writes to active incident" read-active
    wrow "  the writes meanwhile (201/s)" write-active
    row "reads alone after (grown store)" read-after
    echo "  read p99 with/without writes: x$P99_RESOLVED (resolved incident," \
         "body $BYTES_ALONE -> $BYTES_RESOLVED bytes)"
    echo "                                x$P99_ACTIVE (active incident," \
         "body grows $BYTES_RESOLVED -> $BYTES_ACTIVE bytes)"
    echo
    if [ -n "$BAD_LOG" ]; then
        echo "error log: $(printf '%s\n' "$BAD_LOG" | wc -l) lines at" \
             "[error] or worse, $WARN_COUNT [warn]; the first:"
        printf '%s\n' "$BAD_LOG" | head -10 | cut -c1-300 | sed 's/^/  /'
    else
        echo "checks: no non-2xx, no socket errors, every write 201;" \
             "error log clean ($WARN_COUNT [warn])"
    fi
    echo "others: share of both CPUs used meanwhile by anything but nginx" \
         "and wrk (other processes, softirqs, kernel I/O threads)"
    if [ "$NOISY" = 1 ] || [ "$BUSY_START" -ge 10 ]; then
        echo "NOTE: other work competed for the CPUs (rows marked *;" \
             "$BUSY_START% busy before the run): those figures are noisy"
    fi
} > "$PREFIX/summary"

mkdir -p "$(dirname "$SUMMARY_FILE")"
cp "$PREFIX/summary" "$SUMMARY_FILE"

echo
cat "$PREFIX/summary"
echo "(written to ${SUMMARY_FILE#"$ROOT"/})"

if [ -n "$BAD_LOG" ]; then
    die "the error log has lines at [error] or worse (above)"
fi
