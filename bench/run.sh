#!/usr/bin/env bash
#
# Benchmarks of ngx_incident_module on loopback: the status page, an
# incident page, the Atom feed, the badge, the status API and Statuspage's
# v2 summary against the same bytes served as static files, the page's
# live updates with many open pages, durable writes, and reads under a
# paced write load.
#
#   make bench                   (builds the module, then bench/all.sh
#                                runs this, bench/notify.sh and bench/rss.sh)
#   bench/run.sh [all|page|api]  (default all; DURATION=3s for a quick check)
#
# It seeds a store (20 components in 4 groups, 3 active incidents with 3
# updates each, 50 resolved incidents over the last 60 days: see "seed"
# below), starts Debian's nginx with the module in a temp prefix and
# measures:
#
#   read   (page) GET / of the status page, GET /incidents/51 (an active
#          incident, 3 updates), GET /feed.atom and GET /badge.svg;
#          (api) GET /api/v1/status and GET /api/v2/summary.json.  Each
#          against the very same bytes served as a static file by the
#          same nginx (open_file_cache, sendfile), alternating module and
#          static ROUNDS times; we report the medians and the ratio
#          module/static of requests/s.  Also the bytes of both, plain and
#          through nginx's gzip filter.  The badge and the v2 summary are
#          measured when they answer 200 (else skipped, with a note).
#   live   (page) LIVE_PAGES open pages poll /live like the page's script
#          (bench/live.js, node); then LIVE_WRITES writes through the API:
#          the time from each write's 201 until every page has seen the new
#          ETag and reloaded, the request rate of the polls, nginx's CPU
#   write  (api) POST /api/v1/incidents/{id}/updates at low concurrency:
#          durable updates/s (each 201 is a committed, fsynced LMDB
#          transaction)
#   paced  (api) GET /api/v1/status alone, then while
#          bench/api-client.pl POSTs "resolved" updates to resolved
#          incident 1 at PACED_RATE a second (50, on a schedule: Debian's
#          wrk has no -R), alternating ROUNDS times: read p99 under that
#          write load against reads alone (median of the rounds; the
#          target is at most 2x)
#   mixed  (api) GET /api/v1/status alone, then together with a write load
#          (both wrk at once): read p99 without vs with writes, which run
#          in nginx's thread pool.  Two write loads: "resolved" updates to a
#          resolved incident (the status keeps its size: what commits and
#          re-renders cost readers), and the write benchmark's load on an
#          active incident (its timeline, in the status, grows with every
#          write); a last reads-alone run shows what the grown body costs.
#
# The summary is printed and written to build/bench-summary.txt; the
# figures bench/all.sh puts in its table, as "key value" lines, to
# build/bench-run.values.
#
# Environment:
#   DURATION       length of every measured wrk run (default 10s)
#   ROUNDS         module/static rounds of the read benchmark (default 3)
#   READ_CONNS     wrk connections for reads (default 50)
#   WRITE_CONNS    wrk connections for writes (default 4)
#   PACED_RATE     writes a second of the paced write load (default 50)
#   WARMUP         warm-up before the read runs, not measured (default 1s)
#   LIVE_PAGES     open pages of the live benchmark (default 1000)
#   LIVE_WRITES    writes the open pages must see (default 3)
#   LIVE_STEADY    seconds of polling measured before the writes (default 3)
#   NGINX          nginx binary (default /usr/sbin/nginx)
#   INCIDENT_MODULE  the module (default build/ngx_http_incident_module.so)
#   KEEP=1         keep the temp prefix (config, logs, store, outputs)

set -euo pipefail

export TZ=UTC           # times below are UTC, bash's printf %()T too

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
NGINX=${NGINX:-/usr/sbin/nginx}
MODULE=${INCIDENT_MODULE:-$ROOT/build/ngx_http_incident_module.so}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
READ_CONNS=${READ_CONNS:-50}
WRITE_CONNS=${WRITE_CONNS:-4}
PACED_RATE=${PACED_RATE:-50}
WARMUP=${WARMUP:-1s}
LIVE_PAGES=${LIVE_PAGES:-1000}
LIVE_WRITES=${LIVE_WRITES:-3}
LIVE_STEADY=${LIVE_STEADY:-3}
SUMMARY_FILE=$ROOT/build/bench-summary.txt
VALUES_FILE=$ROOT/build/bench-run.values

BG_PIDS=()

BENCH_NAME=bench
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"


# --- helpers ------------------------------------------------------------------

case ${1:-all} in
    all)        DO_PAGE=1 DO_API=1 ;;
    page)       DO_PAGE=1 DO_API=0 ;;
    api)        DO_PAGE=0 DO_API=1 ;;
    -h|--help)  usage; exit 0 ;;
    *)          say "usage: bench/run.sh [all|page|api]"; exit 2 ;;
esac
MODE=${1:-all}

# for cleanup (bench/lib.sh): the background writers, then nginx
teardown() {
    local pid

    for pid in "${BG_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done

    stop_nginx
}

set_traps

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


# --- preflight ----------------------------------------------------------------

need wrk "apt-get install wrk"
need curl "apt-get install curl"
need perl "apt-get install perl"
need gzip "apt-get install gzip"
[ "$DO_PAGE" = 0 ] || need node "apt-get install nodejs"
need_nginx_module

# the seed sets nginx's clock back while it writes the past incidents
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null \
               | head -1) || true
[ -n "$FAKETIME_LIB" ] || die "libfaketime is not installed" \
                              "(apt-get install faketime)"

DURATION_S=$(duration_seconds "$DURATION")
WARMUP_S=$(duration_seconds "$WARMUP")
[[ "$DURATION_S" =~ ^[0-9]+$ ]] && [ "$DURATION_S" -gt 0 ] \
    || die "DURATION=$DURATION is not a wrk duration such as 10s"
is_count "$ROUNDS" || die "ROUNDS=$ROUNDS is not a count"
is_count "$PACED_RATE" \
    || die "PACED_RATE=$PACED_RATE is not a count of writes a second"
is_count "$LIVE_PAGES" || die "LIVE_PAGES=$LIVE_PAGES is not a count"
is_count "$LIVE_WRITES" || die "LIVE_WRITES=$LIVE_WRITES is not a count"
is_count "$LIVE_STEADY" \
    || die "LIVE_STEADY=$LIVE_STEADY is not a count of seconds"

# the read targets: "name module-path static-file"; the incident page is
# that of the first active incident (51, see the seed), and those marked
# "?" only when they answer 200 (they are new: skipped with a note if not)
TARGETS=()
if [ "$DO_PAGE" = 1 ]; then
    TARGETS+=("page / page.html" "incident /incidents/51 incident.html"
              "feed /feed.atom feed.atom" "badge? /badge.svg badge.svg")
fi
if [ "$DO_API" = 1 ]; then
    TARGETS+=("api /api/v1/status status.json"
              "summary? /api/v2/summary.json summary.json")
fi

NRUNS=$(( 2 * ROUNDS * ${#TARGETS[@]} + (5 + 2 * ROUNDS) * DO_API ))
EST=$(( NRUNS * DURATION_S + 2 * ${#TARGETS[@]} * WARMUP_S + 20 ))
[ "$DO_PAGE" = 0 ] || EST=$(( EST + LIVE_STEADY + 4 * LIVE_WRITES + 5 ))
note "$MODE: about ${EST}s ($NRUNS wrk runs of $DURATION, warm-up," \
     "seeding$([ "$DO_PAGE" = 0 ] || echo ", live updates"))"

measure_busy_start


# --- nginx in a temp prefix ---------------------------------------------------

new_prefix incident-bench html/static wrk live

PORT=$(free_port)
GZIP_PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
new_token

# The same locations in two servers: the measured one, and one with gzip
# on that only answers the one request that measures the gzipped sizes
# (asked with the measured server's Host, so the bodies are the same).
locations() {
    conf_module_locations
    cat <<EOF

        location /static/ {
            root $PREFIX/html;
        }
EOF
}

# (worker connections: the live benchmark's pages keep up to 2 each)
cat > "$PREFIX/nginx.conf" <<EOF
$(conf_main 1 notice $(( 2 * LIVE_PAGES + 1024 )))

http {
    access_log off;

    types {
        text/html             html;
        application/json      json;
        application/atom+xml  atom;
        image/svg+xml         svg;
    }
    default_type application/octet-stream;

    # tcp_nopush (TCP_CORK with sendfile) stalled over 1% of the static
    # page's answers (64 KB) for 40 ms, a delayed ACK: it would make the
    # static baseline look worse than it can be
    sendfile on;
    tcp_nopush off;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;

    # the static baseline at its best: descriptors and stat() cached
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    open_file_cache_min_uses 1;
    open_file_cache_errors on;

$(conf_temp_paths "$PREFIX")

    incident_db $PREFIX/db size=256m;
    incident_api_tokens $PREFIX/tokens;

    server {
        listen 127.0.0.1:$PORT backlog=4096;

$(locations)
    }

    server {
        listen 127.0.0.1:$GZIP_PORT;

        gzip on;
        gzip_types application/json application/atom+xml
                   application/rss+xml image/svg+xml;

$(locations)
    }
}
EOF

# the seeding nginx: the same, with the clock of libfaketime (nginx keeps
# only the environment variables that "env" names)
{
    echo "env FAKETIME_TIMESTAMP_FILE;"
    echo "env FAKETIME_NO_CACHE;"
    echo "env FAKETIME_DONT_FAKE_MONOTONIC;"
    cat "$PREFIX/nginx.conf"
} > "$PREFIX/nginx-seed.conf"

check_conf nginx.conf nginx-seed.conf


# --- seed ---------------------------------------------------------------------
#
# 20 components in 4 groups; 50 resolved incidents over the last 60 days,
# each with 4 updates (investigating, identified, monitoring, resolved)
# and lasting 20 minutes to 3 hours; 3 active incidents of the last 90
# minutes with 3 updates each.
#
# The API stamps every write with nginx's clock: an incident's startedAt
# can be backdated, but resolvedAt is always the moment of the resolving
# write.  So the past is written by an nginx whose clock is set to it
# (libfaketime: a frozen clock read from a file that we rewrite between
# moments; the monotonic clock, nginx's timers, stays real), and the real
# nginx then serves the store it wrote.  The writes of one moment are
# queued in a curl config file and sent by one curl, in order, over one
# keep-alive connection; ids count up in that order.

note "seeding 20 components, 53 incidents (nginx's clock set back)"

SEED_CFG=$PREFIX/seed/requests.curl
SEED_N=0            # writes, all moments
SEED_Q=0            # writes queued for the current moment
SEED_AT=            # the current moment (epoch)
SEED_MOMENTS=0
mkdir -p "$PREFIX/seed"

# seed METHOD PATH JSON: queue one write that must answer 201
seed() {
    SEED_N=$((SEED_N + 1))
    SEED_Q=$((SEED_Q + 1))

    queue_request "$SEED_CFG" "$1" "$2" "$3" "$PREFIX/seed/$SEED_N.json" \
        "%{http_code} $SEED_N $1 $2 %{time_total}s\\n"
}

# seed_flush: send the queue; every answer must be 201
seed_flush() {
    local bad n answers=$PREFIX/seed/answers.$SEED_MOMENTS

    curl -sS -K "$SEED_CFG" > "$answers" \
        || die "seeding: curl failed after" \
               "$(wc -l < "$answers") of $SEED_Q requests"

    n=0
    while read -r code id rest; do
        [ "$code" = 201 ] \
            || die "seeding: $code $id $rest (expected 201):" \
                   "$(head -c 600 "$PREFIX/seed/$id.json")"
        n=$((n + 1))
    done < "$answers"

    [ "$n" = "$SEED_Q" ] || die "seeding: $n answers to $SEED_Q requests"

    rm -f "$SEED_CFG"
    SEED_Q=0
}

SEED_CLOCK=$PREFIX/seed/clock

# seed_moment: send the queued writes with nginx's clock frozen at SEED_AT
seed_moment() {
    [ "$SEED_Q" -gt 0 ] || return 0

    SEED_MOMENTS=$((SEED_MOMENTS + 1))

    # a whole file or none for libfaketime, which reads it at every call
    printf '%(%Y-%m-%d %H:%M:%S)T\n' "$SEED_AT" > "$SEED_CLOCK.new"
    mv "$SEED_CLOCK.new" "$SEED_CLOCK"

    if [ -z "$NGINX_PID" ]; then
        start_nginx nginx-seed.conf TZ=UTC LD_PRELOAD="$FAKETIME_LIB" \
            FAKETIME_TIMESTAMP_FILE="$SEED_CLOCK" FAKETIME_NO_CACHE=1 \
            FAKETIME_DONT_FAKE_MONOTONIC=1
    fi

    seed_flush
}

# at EPOCH: the writes queued from now on happen at EPOCH (in order)
at() {
    if [ -n "$SEED_AT" ] && [ "$1" != "$SEED_AT" ]; then
        [ "$1" -gt "$SEED_AT" ] || die "seeding: moments out of order"
        seed_moment
    fi
    SEED_AT=$1
}

NOW=$(date -u +%s)
DAY=86400
MIN=60

# the components of bench/lib.sh (COMPONENT_GROUPS, COMPONENT_MEMBERS);
# ids count up from 1: the groups are 1..4, their members 5..20.  They
# exist for longer than the 90 days of the uptime bars.
at $(( NOW - 120 * DAY ))

pos=0
for g in "${COMPONENT_GROUPS[@]}"; do
    seed POST /api/v1/components \
        "{\"name\":\"$g\",\"description\":\"The $g services.\",\"position\":$pos}"
    pos=$((pos + 1))
done

pos=0
for m in "${COMPONENT_MEMBERS[@]}"; do
    name=${m%%:*}
    group=${m##*:}
    body="{\"name\":\"$name\",\"description\":\"$name as customers see it.\""
    body+=",\"position\":$pos"
    [ -n "$group" ] && body+=",\"groupId\":$group"
    seed POST /api/v1/components "$body}"
    pos=$((pos + 1))
done

NGROUPS=${#COMPONENT_GROUPS[@]}
NCOMP=$(( NGROUPS + ${#COMPONENT_MEMBERS[@]} ))
[ "$NCOMP" = 20 ] || die "seed: $NCOMP components, expected 20"

IMPACTS=(critical major minor none)
TITLES=(
    "Elevated error rates" "Degraded performance" "Increased latency"
    "Partial outage" "Failed deliveries" "Intermittent timeouts"
    "Login failures" "Delayed processing"
)
NRESOLVED=50
NACTIVE=3
SPAN=$(( 60 * DAY ))

# post_incident ID IMPACT STARTED MESSAGE: queue the creation of incident
# ID, with one or two of the members (5..20)
post_incident() {
    local i=$1 c1 c2 comps started

    c1=$(( 5 + (i * 7) % 16 ))
    c2=$(( 5 + (i * 11 + 3) % 16 ))
    comps=$c1
    if [ "$c2" != "$c1" ] && [ $((i % 3)) = 0 ]; then
        comps="$c1,$c2"
    fi

    printf -v started '%(%Y-%m-%dT%H:%M:%SZ)T' "$3"

    seed POST /api/v1/incidents \
        "{\"title\":\"${TITLES[$((i % 8))]} (incident $i)\",\"status\":\"investigating\",\"impact\":\"$2\",\"componentIds\":[$comps],\"startedAt\":\"$started\",\"notify\":false,\"message\":\"$4\"}"
}

# post_update ID STATUS MESSAGE
post_update() {
    seed POST "/api/v1/incidents/$1/updates" \
        "{\"status\":\"$2\",\"message\":\"$3\",\"notify\":false}"
}

# the resolved ones, 1.2 days apart, at varying hours: created (backdated
# to their start) with the cause identified a third into them, resolved
# after a monitoring update at their end
for i in $(seq 1 "$NRESOLVED"); do
    started=$(( NOW - SPAN + (i - 1) * SPAN / NRESOLVED
                + (i * 7919) % (DAY / 2) ))
    started=$(( started - started % MIN ))
    lasted=$(( (20 + (i * 37) % 160) * MIN ))

    at $(( started + lasted / 3 - (lasted / 3) % MIN ))
    post_incident "$i" "${IMPACTS[$((i % 4))]}" "$started" \
        "We are investigating reports of problems with this service."
    post_update "$i" identified \
        "The cause has been identified and a fix is being implemented."

    at $(( started + lasted ))
    post_update "$i" monitoring \
        "A fix has been deployed; we are monitoring the results."
    post_update "$i" resolved "This incident has been resolved."
done

# the active ones, 51..53, of the last 90 minutes, 3 updates each
A1=$(( NRESOLVED + 1 ))
A2=$(( NRESOLVED + 2 ))
A3=$(( NRESOLVED + 3 ))

at $(( NOW - 80 * MIN ))
post_incident "$A1" major $(( NOW - 86 * MIN )) \
    "We are investigating elevated error rates."
at $(( NOW - 55 * MIN ))
post_update "$A1" identified "The cause has been identified: a failed node."
post_incident "$A2" minor $(( NOW - 55 * MIN )) \
    "Some requests are slower than usual; we are investigating."
at $(( NOW - 35 * MIN ))
post_update "$A2" identified "A slow storage volume is being replaced."
post_incident "$A3" critical $(( NOW - 36 * MIN )) \
    "**This service is down.** We are investigating."
at $(( NOW - 20 * MIN ))
post_update "$A1" monitoring \
    "The node has been replaced; we are monitoring error rates."
post_update "$A3" investigating \
    "We are still investigating; see [our notes](https://example.com/notes)."
at $(( NOW - 8 * MIN ))
post_update "$A2" monitoring "Latency is back to normal; monitoring."
post_update "$A3" identified \
    "The cause is a bad configuration push; it is being rolled back."
seed_moment
stop_nginx

note "seeded with $SEED_N writes at $SEED_MOMENTS moments" \
     "of nginx's clock"

start_nginx nginx.conf
note "nginx $NGINX_PID on $BASE, prefix $PREFIX"

# what was seeded, as the API sees it
curl -sS "$BASE/api/v1/incidents?state=all&limit=100" \
     > "$PREFIX/incidents.json" \
    || die "GET /api/v1/incidents failed"
SEEDED=$(perl -MJSON::PP -0777 -ne '
    my $d = decode_json($_);
    my $l = ref $d eq "HASH" ? $d->{data}
                             : $d;
    my ($act, $res, $bad) = (0, 0, 0);
    for my $i (@$l) {
        my $n = @{ $i->{updates} // [] };
        if ($i->{status} eq "resolved") {
            $res++;
            $bad++ unless $n == 4 && $i->{durationSeconds} >= 1200
                          && $i->{durationSeconds} <= 3 * 3600;
        } else {
            $act++;
            $bad++ unless $n == 3;
        }
    }
    print "$act $res $bad\n";' "$PREFIX/incidents.json") \
    || die "cannot read the seeded incidents:" \
           "$(head -c 300 "$PREFIX/incidents.json")"
read -r N_ACT N_RES N_BAD <<< "$SEEDED"
[ "$N_ACT $N_RES $N_BAD" = "$NACTIVE $NRESOLVED 0" ] \
    || die "seeded $N_ACT active and $N_RES resolved incidents," \
           "$N_BAD not as seeded (expected $NACTIVE, $NRESOLVED, 0)"

# the optional targets ("name?"): kept when they answer 200
SKIPPED=()
ALL_TARGETS=("${TARGETS[@]}")
TARGETS=()
for t in "${ALL_TARGETS[@]}"; do
    read -r name path file <<< "$t"
    if [ "${name%\?}" != "$name" ]; then
        name=${name%\?}
        code=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE$path") \
            || die "curl GET $path failed"
        if [ "$code" != 200 ]; then
            note "$name: GET $path answered $code: not measured"
            SKIPPED+=("$name $path $code")
            continue
        fi
    fi
    TARGETS+=("$name $path $file")
done


# --- read benchmark: module vs static file, alternating -----------------------

declare -A BYTES GZBYTES

# static_copy NAME PATH FILE: the module's answer saved as html/static/FILE;
# the module answers the same twice and the static file is the same bytes
static_copy() {
    local name=$1 path=$2 file=$3

    get "$path" "$PREFIX/html/static/$file"
    chmod 644 "$PREFIX/html/static/$file"
    chmod -R a+rX "$PREFIX/html"

    get "$path" "$PREFIX/$name.module"
    get "/static/$file" "$PREFIX/$name.static"

    cmp -s "$PREFIX/$name.module" "$PREFIX/$name.static" \
        || die "GET $path and /static/$file differ" \
               "($(wc -c < "$PREFIX/$name.module") vs" \
               "$(wc -c < "$PREFIX/$name.static") bytes)"
    cmp -s "$PREFIX/$name.module" "$PREFIX/html/static/$file" \
        || die "GET $path changed between two requests"

    BYTES[$name]=$(wc -c < "$PREFIX/$name.module")
}

# gzip_size NAME PATH: the bytes of PATH through nginx's gzip filter
# (compression level 1, nginx's default), checked to unpack to the same
gzip_size() {
    local name=$1 path=$2 enc

    curl -sS -o "$PREFIX/$name.gz" -D "$PREFIX/$name.gz.headers" \
         -H 'Accept-Encoding: gzip' -H "Host: 127.0.0.1:$PORT" \
         "http://127.0.0.1:$GZIP_PORT$path" \
        || die "curl GET $path (gzip) failed"

    enc=$(tr -d '\r' < "$PREFIX/$name.gz.headers" \
          | awk -F': ' 'tolower($1) == "content-encoding" { print $2 }')
    [ "$enc" = gzip ] \
        || die "GET $path with Accept-Encoding: gzip was not gzipped:" \
               "$(head -c 600 "$PREFIX/$name.gz.headers")"

    gzip -dc "$PREFIX/$name.gz" | cmp -s - "$PREFIX/$name.module" \
        || die "GET $path gzipped does not unpack to the same bytes"

    GZBYTES[$name]=$(wc -c < "$PREFIX/$name.gz")
}

for t in "${TARGETS[@]}"; do
    read -r name path file <<< "$t"
    static_copy "$name" "$path" "$file"
    gzip_size "$name" "$path"
    note "$name: $path is ${BYTES[$name]} bytes (${GZBYTES[$name]}" \
         "gzipped), identical from module and file"
done

if [ "$DO_PAGE" = 1 ]; then
    grep -q 'id="active-incidents"' "$PREFIX/page.module" \
        && [ "$(grep -o 'data-incident-id="' "$PREFIX/page.module" | wc -l)" \
             -ge "$NACTIVE" ] \
        || die "the page shows no active incidents"

    # days with something to tell in the uptime bars (one rect each)
    BAR_DAYS=$(grep -o '<rect x="[0-9]*" width="3"' "$PREFIX/page.module" \
               | wc -l)
    [ "$BAR_DAYS" -gt 0 ] || die "the page's uptime bars show no incident"
    BAR_COUNT=$(grep -o '<svg class="bars"' "$PREFIX/page.module" | wc -l)
fi

if [ "$DO_API" = 1 ]; then
    grep -q '"activeIncidents":\[{' "$PREFIX/api.module" \
        || die "the seeded status has no active incident:" \
               "$(head -c 300 "$PREFIX/api.module")"
fi

note "read warm-up ($WARMUP each)"
for t in "${TARGETS[@]}"; do
    read -r name path file <<< "$t"
    wrk_read "warmup-$name-module" "$PREFIX/wrk/warmup-$name-module" \
        "$path" "$WARMUP"
    wrk_read "warmup-$name-static" "$PREFIX/wrk/warmup-$name-static" \
        "/static/$file" "$WARMUP"
done

for round in $(seq 1 "$ROUNDS"); do
    for t in "${TARGETS[@]}"; do
        read -r name path file <<< "$t"
        note "read round $round: module $path ($DURATION)"
        wrk_read "$name-module-$round" \
            "$PREFIX/wrk/read-$name-module-$round" "$path"
        note "read round $round: static /static/$file ($DURATION)"
        wrk_read "$name-static-$round" \
            "$PREFIX/wrk/read-$name-static-$round" "/static/$file"
    done
done

# the module's answers must not have changed during the runs
for t in "${TARGETS[@]}"; do
    read -r name path file <<< "$t"
    get "$path" "$PREFIX/$name.after"
    cmp -s "$PREFIX/$name.module" "$PREFIX/$name.after" \
        || die "GET $path changed during the read benchmark" \
               "(did the UTC day change?)"
done


# --- live updates with many open pages ----------------------------------------

LIVE_OUT=$PREFIX/live/out

if [ "$DO_PAGE" = 1 ]; then
    note "live: $LIVE_PAGES pages polling /live, $LIVE_WRITES writes" \
         "to incident $A1"

    node "$BENCH/live.js" --base "$BASE" --token "$TOKEN" \
        --incident "$A1" --pages "$LIVE_PAGES" --writes "$LIVE_WRITES" \
        --steady "$LIVE_STEADY" --clk-tck "$(getconf CLK_TCK)" \
        --nginx-pids "$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')" \
        > "$LIVE_OUT" \
        || die "bench/live.js failed:"$'\n'"$(cat "$LIVE_OUT")"

    lv() { bench_value "$LIVE_OUT" "$1"; }

    [ "$(lv etag_agree)" = 1 ] \
        || problem "live: the page's data-etag $(lv page_etag) is not" \
                   "/live's ETag $(lv live_etag)"
    for k in missed missed_loads bad errors load_bad stale_pages \
             unexpected s200_same_etag
    do
        [ "$(lv "$k")" = 0 ] \
            || problem "live: $k = $(lv "$k")" \
                       "$(lv last_bad) $(lv last_error)"
    done
fi


# --- write benchmark ----------------------------------------------------------

# a dedicated incident takes the write load; it is deleted afterwards so
# its thousands of updates do not weigh on the next status renders
new_target() {
    api POST /api/v1/incidents \
        "{\"title\":\"$1\",\"status\":\"investigating\",\"impact\":\"minor\",\"componentIds\":[19],\"notify\":false,\"message\":\"Benchmark write target.\"}" \
        201
    sed -n 's/^{"id":\([0-9]*\).*/\1/p;s/.*"id":\([0-9]*\),"title".*/\1/p' \
        "$PREFIX/last-response" | head -1
}

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

if [ "$DO_API" = 1 ]; then
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


    # --- reads alone vs reads under a paced write load ------------------------
    #
    # "resolved" updates to resolved incident 1 (the status keeps its size)
    # at PACED_RATE a second on a schedule, by bench/api-client.pl; reads
    # alone and reads with it alternate, ROUNDS times.

    PACED_BODY='{"status":"resolved","message":"Paced benchmark update %d.","notify":false}'

    for round in $(seq 1 "$ROUNDS"); do
        note "paced round $round: /api/v1/status alone ($DURATION)"
        wrk_read "paced-idle-$round" "$PREFIX/wrk/read-paced-idle-$round" \
            /api/v1/status

        note "paced round $round: /api/v1/status with $PACED_RATE" \
             "writes/s to resolved incident 1 ($DURATION)"
        out=$PREFIX/wrk/paced-writes-$round
        cpu_begin
        perl "$BENCH/api-client.pl" mode=paced base="$BASE" token="$TOKEN" \
            rate="$PACED_RATE" duration="$DURATION_S" conns=8 \
            path=/api/v1/incidents/1/updates body="$PACED_BODY" \
            > "$out" 2>&1 &
        writer=$!
        BG_PIDS+=("$writer")
        wrk -t1 -c"$READ_CONNS" -d"$DURATION" --latency \
            -s "$BENCH/report.lua" "$BASE/api/v1/status" \
            > "$PREFIX/wrk/read-paced-$round" 2>&1 \
            || die "wrk (reads, paced $round) failed:"$'\n'"$(cat \
                   "$PREFIX/wrk/read-paced-$round")"
        wait "$writer" \
            || die "the paced writes ($round) failed:"$'\n'"$(cat "$out")"
        BG_PIDS=()
        cpu_end "$PREFIX/wrk/read-paced-$round" "$out"
        check_wrk "reads, paced $round" "$PREFIX/wrk/read-paced-$round"
        [ "$(bench_value "$out" bad)" = 0 ] \
            || die "paced writes ($round): not all 201: $(cat "$out")"
    done


    # --- reads alone vs reads during writes -----------------------------------

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
fi


note "done"


# --- the error log ------------------------------------------------------------

stop_nginx

LOG=$PREFIX/logs/error.log
BAD_LOG=$(bad_log_lines "$LOG")
WARN_COUNT=$(grep -c '\[warn\]' "$LOG" || true)


# --- summary ------------------------------------------------------------------

v() { bench_value "$PREFIX/wrk/$1" "$2"; }

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
NOISY=$( (cat "$PREFIX"/wrk/read-*
          [ ! -f "$PREFIX/wrk/write" ] \
              || sed 's/others_pct/others_pct_w/' "$PREFIX/wrk/write") \
        | awk '$1 == "BENCH" && $2 == "others_pct" && $3 >= 10 { n = 1 }
               $1 == "BENCH" && $2 == "others_pct_w" && $3 >= 30 { n = 1 }
               END { print n + 0 }')

# read_stats_compute NAME module|static: "median_rps median_p50_us
# median_p99_us worst_max_us" over the rounds
read_stats_compute() {
    local r k run

    for k in rps p50_us p99_us; do
        for r in $(seq 1 "$ROUNDS"); do
            v "read-$1-$2-$r" "$k"
        done | median
    done | tr '\n' ' '

    for r in $(seq 1 "$ROUNDS"); do
        v "read-$1-$2-$r" max_us
    done | sort -g | tail -1
}

# label for a read row: "A  module  /                   #1"
rlabel() {  # A|B module|static path round
    printf '%s  %-6s  %-21s #%s' "$1" "$2" "$3" "$4"
}

# read_stats NAME module|static: the same, computed once (forks are slow
# on a busy machine)
declare -A STATS
for t in "${TARGETS[@]}"; do
    read -r name path file <<< "$t"
    for side in module static; do
        STATS[$name-$side]=$(read_stats_compute "$name" "$side")
    done
done
read_stats() { echo "${STATS[$1-$2]}"; }

# the median share of the CPUs that others took during the runs: how noisy
# this run's figures are
OTHERS_MEDIAN=$(cat "$PREFIX"/wrk/read-* 2>/dev/null \
                | awk '$1 == "BENCH" && $2 == "others_pct" { print $3 }' \
                | median)

COMMIT=$(commit_id)

# the paced rounds: medians of the read p99 alone and under writes, the
# writes' achieved rate
if [ "$DO_API" = 1 ]; then
    paced_med() {   # RUN-PREFIX KEY [FILE-PREFIX]: median over the rounds
        local r
        for r in $(seq 1 "$ROUNDS"); do
            bench_value "$PREFIX/wrk/$1-$r" "$2"
        done | median
    }
    P99_IDLE=$(paced_med read-paced-idle p99_us)
    P99_PACED=$(paced_med read-paced p99_us)
    P99_PACED_RATIO=$(calc 'printf "%.2f", b / a' "$P99_IDLE" "$P99_PACED")
    PACED_ACHIEVED=$(paced_med paced-writes per_s)
fi

{
    echo "ngx_incident_module benchmark ($MODE)  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "  commit $COMMIT, module built" \
         "$(date -u -r "$MODULE" +%Y-%m-%dT%H:%M:%SZ);" \
         "$("$NGINX" -v 2>&1 | sed 's/.*: //');" \
         "$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2);" \
         "$(nproc) CPUs; worker_processes 1; store on" \
         "$(stat -f -c %T "$PREFIX"); CPUs $BUSY_START% busy before the run"
    echo "  seeded: $NCOMP components ($NGROUPS groups)," \
         "$((NACTIVE + NRESOLVED)) incidents ($NACTIVE active with 3" \
         "updates each, $NRESOLVED resolved over the last 60 days)"
    for t in "${TARGETS[@]}"; do
        read -r name path file <<< "$t"
        printf '  %-8s GET %-20s %7s bytes, %6s gzipped %s\n' \
            "$name" "$path" "${BYTES[$name]}" "${GZBYTES[$name]}" \
            "(nginx gzip, level 1)"
    done
    for t in "${SKIPPED[@]}"; do
        read -r name path code <<< "$t"
        echo "  $name: GET $path answered $code, not measured"
    done
    if [ "$DO_PAGE" = 1 ]; then
        echo "  page: $BAR_COUNT uptime bars, $BAR_DAYS days with an" \
             "incident among them"
    fi
    echo
    echo "read: wrk -t1 -c$READ_CONNS -d$DURATION, module (A) and static" \
         "file (B) alternating, $ROUNDS rounds, byte-identical bodies" \
         "(medians: of each column; max: the worst)"
    printf "$HDR" "" "req/s" "p50 ms" "p99 ms" "max ms" "bytes/rsp" "others"
    for r in $(seq 1 "$ROUNDS"); do
        for t in "${TARGETS[@]}"; do
            read -r name path file <<< "$t"
            row "$(rlabel A module "$path" "$r")" "read-$name-module-$r"
            row "$(rlabel B static "/static/$file" "$r")" \
                "read-$name-static-$r"
        done
    done
    for t in "${TARGETS[@]}"; do
        read -r name path file <<< "$t"
        for side in module static; do
            read -r rps p50 p99 mx < <(read_stats "$name" "$side")
            printf '  %-36s %8.0f %7s %7s %7s\n' \
                "$name $side: median of $ROUNDS" \
                "$rps" "$(ms "$p50")" "$(ms "$p99")" "$(ms "$mx")"
        done
    done
    for t in "${TARGETS[@]}"; do
        read -r name path file <<< "$t"
        RM=$(read_stats "$name" module | cut -d' ' -f1)
        RS=$(read_stats "$name" static | cut -d' ' -f1)
        RATIOS=$(for r in $(seq 1 "$ROUNDS"); do
                     calc 'printf "%.2f ", a / b' \
                          "$(v "read-$name-module-$r" rps)" \
                          "$(v "read-$name-static-$r" rps)"
                 done)
        RATIOS=${RATIOS% }
        printf '  RATIO %-8s module/static (req/s): %s (rounds: %s)\n' \
            "$name" "$(calc 'printf "%.2f", a / b' "$RM" "$RS")" \
            "${RATIOS// /, }"
    done

    if [ "$DO_PAGE" = 1 ]; then
        lv() { bench_value "$LIVE_OUT" "$1"; }
        LHDR='  %-32s %8s %8s %8s %8s %9s\n'

        echo
        echo "live updates: $(lv pages) open pages, each polling /live" \
             "every $(lv interval_ms) ms with If-None-Match and reloading" \
             "the page on a new ETag"
        echo "  polling: $(lv steady_rps) req/s" \
             "($(lv steady_304) of $(lv steady_requests) answers 304," \
             "/live body $(lv live_body_bytes) bytes)," \
             "$(lv sockets) connections;" \
             "nginx $(lv steady_nginx_cpu_pct)% of a CPU" \
             "(the node pollers $(lv steady_node_cpu_pct)%)"
        echo "  $(lv writes) writes; ms from the write's 201 until each" \
             "page has:"
        printf "$LHDR" "" "min" "median" "p99" "max" "pages"
        for k in $(seq 1 "$(lv writes)"); do
            printf "$LHDR" \
                "write $k, 201 in $(lv "w${k}_write_ms") ms: new ETag" \
                "$(lv "w${k}_detect_min")" "$(lv "w${k}_detect_p50")" \
                "$(lv "w${k}_detect_p99")" "$(lv "w${k}_detect_max")" \
                "$(lv "w${k}_seen")/$(lv pages)"
            printf "$LHDR" "  reloaded the page" \
                "$(lv "w${k}_load_min")" "$(lv "w${k}_load_p50")" \
                "$(lv "w${k}_load_p99")" "$(lv "w${k}_load_max")" ""
        done
        printf "$LHDR" "all writes: new ETag" \
            "$(lv detect_min)" "$(lv detect_p50)" "$(lv detect_p99)" \
            "$(lv detect_max)" "$(lv detect_n)"
        printf "$LHDR" "  reloaded the page" \
            "$(lv load_min)" "$(lv load_p50)" "$(lv load_p99)" \
            "$(lv load_max)" "$(lv load_n)"
        echo "  while the pages reloaded: nginx" \
             "$(lv writes_nginx_cpu_pct)% of a CPU over" \
             "$(lv writes_s) s; node's event loop delay p99" \
             "$(lv loop_delay_p99_ms) ms, max $(lv loop_delay_max_ms) ms"
        echo "  (a negative time: the poll was answered between the" \
             "commit and the 201)"
    fi

    if [ "$DO_API" = 1 ]; then
        P99_RESOLVED=$(calc 'printf "%.1f", b / a' \
                            "$(v read-alone p99_us)" "$(v read-resolved p99_us)")
        P99_ACTIVE=$(calc 'printf "%.1f", b / a' \
                          "$(v read-alone p99_us)" "$(v read-active p99_us)")

        echo
        echo "write: wrk -t1 -c$WRITE_CONNS -d$DURATION," \
             "POST /api/v1/incidents/{id}/updates"
        printf "$HDR" "" "201/s" "p50 ms" "p99 ms" "max ms" "" "others"
        wrow "durable updates (each fsynced)" write
        echo
        echo "reads under a paced write load: GET /api/v1/status" \
             "-c$READ_CONNS -d$DURATION alone, then with $PACED_RATE" \
             "resolved updates/s to resolved incident 1 (on a schedule," \
             "bench/api-client.pl), alternating, $ROUNDS rounds"
        printf "$HDR" "" "req/s" "p50 ms" "p99 ms" "max ms" "bytes/rsp" "others"
        for r in $(seq 1 "$ROUNDS"); do
            row "reads alone #$r" "read-paced-idle-$r"
            row "reads + $PACED_RATE writes/s #$r" "read-paced-$r"
            pw=$PREFIX/wrk/paced-writes-$r
            printf '  %-36s %8s %7s %7s %7s %9s %7s\n' \
                "  the writes (201/s, ms from schedule)" \
                "$(bench_value "$pw" per_s)" \
                "$(ms "$(bench_value "$pw" p50_us)")" \
                "$(ms "$(bench_value "$pw" p99_us)")" \
                "$(ms "$(bench_value "$pw" max_us)")" "" \
                "$(bench_value "$pw" others_pct)% "
        done
        echo "  read p99 under $PACED_RATE writes/s / alone (medians):" \
             "$(ms "$P99_PACED") / $(ms "$P99_IDLE") ms = x$P99_PACED_RATIO" \
             "(target: at most x2; rounds: $(for r in $(seq 1 "$ROUNDS"); do
                 calc 'printf "x%.2f ", b / a' \
                      "$(v "read-paced-idle-$r" p99_us)" \
                      "$(v "read-paced-$r" p99_us)"
             done | sed 's/ $//'))"
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
    fi

    echo
    if [ -n "$BAD_LOG" ]; then
        echo "error log: $(printf '%s\n' "$BAD_LOG" | wc -l) lines at" \
             "[error] or worse, $WARN_COUNT [warn]; the first:"
        show_bad_log "$BAD_LOG"
    else
        echo "checks: no non-2xx, no socket errors, every write 201;" \
             "error log clean ($WARN_COUNT [warn])"
    fi
    for p in "${PROBLEMS[@]}"; do
        echo "PROBLEM: $p"
    done
    echo "others: share of both CPUs used meanwhile by anything but nginx" \
         "and wrk (other processes, softirqs, kernel I/O threads)"
    if [ "$NOISY" = 1 ] || [ "$BUSY_START" -ge 10 ]; then
        echo "NOTE: other work competed for the CPUs (rows marked *;" \
             "$BUSY_START% busy before the run): those figures are noisy"
    fi
} > "$PREFIX/summary"

# the figures for bench/all.sh's table, "key value" a line
{
    echo "mode $MODE"
    echo "duration $DURATION"
    echo "rounds $ROUNDS"
    echo "read_conns $READ_CONNS"
    echo "busy_start_pct $BUSY_START"
    echo "noisy $NOISY"
    echo "others_pct_median ${OTHERS_MEDIAN:-0}"
    echo "targets $(for t in "${TARGETS[@]}"; do
                        read -r name _ <<< "$t"; printf '%s ' "$name"
                    done | sed 's/ $//')"
    for t in "${TARGETS[@]}"; do
        read -r name path file <<< "$t"
        RM=$(read_stats "$name" module | cut -d' ' -f1)
        RS=$(read_stats "$name" static | cut -d' ' -f1)
        echo "path_$name $path"
        echo "bytes_$name ${BYTES[$name]}"
        echo "rps_module_$name $RM"
        echo "rps_static_$name $RS"
        echo "ratio_$name $(calc 'printf "%.2f", a / b' "$RM" "$RS")"
        echo "ratio_rounds_$name $(for r in $(seq 1 "$ROUNDS"); do
                 calc 'printf "%.2f,", a / b' \
                      "$(v "read-$name-module-$r" rps)" \
                      "$(v "read-$name-static-$r" rps)"
             done | sed 's/,$//')"
    done
    for t in "${SKIPPED[@]}"; do
        read -r name path code <<< "$t"
        echo "skipped_$name $path $code"
    done
    if [ "$DO_API" = 1 ]; then
        echo "write_conns $WRITE_CONNS"
        echo "write_per_s $(v write created_per_s)"
        echo "write_p99_us $(v write p99_us)"
        echo "paced_rate $PACED_RATE"
        echo "paced_achieved_per_s $PACED_ACHIEVED"
        echo "p99_idle_us $P99_IDLE"
        echo "p99_paced_us $P99_PACED"
        echo "p99_paced_ratio $P99_PACED_RATIO"
        echo "p99_paced_ratio_rounds $(for r in $(seq 1 "$ROUNDS"); do
                 calc 'printf "%.2f,", b / a' \
                      "$(v "read-paced-idle-$r" p99_us)" \
                      "$(v "read-paced-$r" p99_us)"
             done | sed 's/,$//')"
        echo "p99_fullspeed_ratio $P99_RESOLVED"
    fi
    echo "problems ${#PROBLEMS[@]}"
    echo "error_log_bad $([ -n "$BAD_LOG" ] && echo 1 || echo 0)"
} > "$PREFIX/values"

publish

if [ -n "$BAD_LOG" ]; then
    die "the error log has lines at [error] or worse (above)"
fi

if [ "${#PROBLEMS[@]}" -gt 0 ]; then
    die "${#PROBLEMS[@]} problems (above)"
fi
