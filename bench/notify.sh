#!/usr/bin/env bash
#
# The notification benchmark of ngx_incident_module: one incident fanned
# out to 10,000 email subscribers (into postfix's smtp-sink) and 1,000
# webhook subscribers (a second nginx answering 204), on loopback.
#
#   make bench-notify            (builds the module, then runs this;
#                                make bench runs it too, in bench/all.sh)
#   bench/notify.sh              (ROUNDS=1 DURATION=5s for a quick look)
#
# It starts smtp-sink, the webhook receiver (Debian's nginx, "return 204"
# and an access log to count the requests) and Debian's nginx with the
# module (worker_processes 2) on a fresh store in a temp prefix, creates
# 20 components and the subscribers through the admin API (not timed),
# then, ROUNDS times:
#
#   idle     wrk -t1 -c50 -d10s on the status page (GET /), as
#            bench/run.sh reads it: the page's throughput with nothing
#            else going on
#   fan-out  POST /api/v1/incidents (notify), and at once the same wrk on
#            the page while bench/notify-driver.pl watches smtp-sink's
#            message counter, the receiver's log and GET /api/v1/queue
#            until every mail and webhook has arrived and the queue is
#            settled (queued 0, fanouts 0).  The page's req/s come from
#            nginx's stub_status counter over two windows: "during" the
#            fan-out (from the POST until all settled) and the first
#            DURATION after the POST (what a wrk -d10s started with the
#            POST would report: after a shorter fan-out the page has the
#            CPUs to itself for the rest)
#
# and a last idle run.  Each round is compared with the mean of the idle
# runs before and after it (the page after it shows the same incidents as
# during it).  Before the rounds, one fan-out runs alone (no page load):
# its time and the module's CPU time per delivery.  Reported: mails and
# webhooks delivered and the seconds from the POST until the last of each
# arrived and until all were settled in the store, the page's req/s idle
# vs during and their ratio, and the CPU that nginx, wrk and the peers
# took.
#
# Targets (the issue): 10,000 mails in <= 10 s (checked against the time
# until all deliveries are settled); the page's req/s during the fan-out
# >= 80 % of idle (the "during" window; the first-DURATION one is shown
# too).  Both are judged on the median of the rounds.
#
# The summary is printed and written to build/bench-notify-summary.txt;
# the figures bench/all.sh puts in its table, as "key value" lines, to
# build/bench-notify.values.
# Exit status 1 when something went wrong (mails or webhooks missing or
# doubled, dead letters, errors in nginx's log); a missed target is
# reported, not an error.
#
# Environment:
#   MAILS          email subscribers (default 10000)
#   HOOKS          webhook subscribers (default 1000)
#   ROUNDS         fan-outs, each a new incident (default 3)
#   DURATION       each idle wrk run (default 10s)
#   READ_CONNS     wrk connections on the page (default 50)
#   WORKERS        worker_processes of the module's nginx (default 2)
#   MAX_WAIT       seconds a fan-out may take before it counts as failed
#                  (default 120)
#   SETUP_CONNS    parallel connections creating the subscribers (8)
#   NOTIFY_CONF    extra http-level directives for the module, e.g.
#                  "incident_notify_concurrency 256;"
#   NGINX_ENV      VAR=value words for the module's nginx, e.g.
#                  "GLIBC_TUNABLES=glibc.malloc.trim_threshold=33554432"
#   PERF=1         perf record the module's workers during the fan-out
#                  alone and print where their time went (needs perf)
#   NGINX          nginx binary (default /usr/sbin/nginx)
#   SMTP_SINK      smtp-sink binary (default /usr/sbin/smtp-sink)
#   INCIDENT_MODULE  the module (default build/ngx_http_incident_module.so)
#   KEEP=1         keep the temp prefix (configs, logs, store, outputs)

set -euo pipefail

export TZ=UTC

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
NGINX=${NGINX:-/usr/sbin/nginx}
SMTP_SINK=${SMTP_SINK:-/usr/sbin/smtp-sink}
MODULE=${INCIDENT_MODULE:-$ROOT/build/ngx_http_incident_module.so}
MAILS=${MAILS:-10000}
HOOKS=${HOOKS:-1000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
READ_CONNS=${READ_CONNS:-50}
WORKERS=${WORKERS:-2}
MAX_WAIT=${MAX_WAIT:-120}
SETUP_CONNS=${SETUP_CONNS:-8}
NOTIFY_CONF=${NOTIFY_CONF:-}
NGINX_ENV=${NGINX_ENV:-}
PERF=${PERF:-0}
SUMMARY_FILE=$ROOT/build/bench-notify-summary.txt
VALUES_FILE=$ROOT/build/bench-notify.values

TARGET_MAIL_S=10
TARGET_RATIO=0.80

RECV_PID=
SINK_PID=
PERF_PID=

BENCH_NAME=bench-notify
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"


# --- helpers ------------------------------------------------------------------

no_args "$@"

stop_all() {
    stop_nginx
    stop_master "$RECV_PID"
    RECV_PID=

    if [ -n "$SINK_PID" ]; then
        kill "$SINK_PID" 2>/dev/null || true
        wait "$SINK_PID" 2>/dev/null || true
        SINK_PID=
    fi
}

# for cleanup (bench/lib.sh): perf, then the servers
teardown() {
    if [ -n "$PERF_PID" ]; then
        kill -INT "$PERF_PID" 2>/dev/null || true
        wait "$PERF_PID" 2>/dev/null || true
    fi
    stop_all
}

set_traps


# --- packages -----------------------------------------------------------------
#
# As the Makefile's ensure_packages: installed when we are root, named
# otherwise.  postfix is only wanted for smtp-sink: it is installed with
# "No configuration", which starts no mail daemon, and if the install
# started one all the same, we stop it (smtp-sink needs none).

ensure_packages() {
    local p missing=() had_postfix=1

    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
            | grep -q "install ok installed" || missing+=("$p")
    done

    [ "${#missing[@]}" -gt 0 ] || return 0

    if [ "$(id -u)" != 0 ]; then
        die "missing Debian packages, run: sudo apt-get install" \
            "${missing[*]}"
    fi

    note "installing: ${missing[*]}"
    for p in "${missing[@]}"; do
        [ "$p" != postfix ] || had_postfix=0
    done
    if [ "$had_postfix" = 0 ]; then
        echo "postfix postfix/main_mailer_type select No configuration" \
            | debconf-set-selections
    fi

    if ! { apt-get update -qq \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                  "${missing[@]}" > /dev/null; }
    then
        die "apt-get install ${missing[*]} failed"
    fi

    if [ "$had_postfix" = 0 ] && postfix status > /dev/null 2>&1; then
        note "stopping the postfix daemon the install started"
        postfix stop > /dev/null 2>&1 || true
    fi
}

command -v dpkg-query > /dev/null 2>&1 \
    && ensure_packages wrk curl perl nginx-core postfix

for c in wrk curl perl; do
    need "$c"
done
need_nginx_module
[ -x "$SMTP_SINK" ] || die "no smtp-sink at $SMTP_SINK (apt-get install postfix)"

DURATION_S=$(duration_seconds "$DURATION")
is_count "$DURATION_S" || die "DURATION=$DURATION is not a wrk duration"
for v in MAILS HOOKS ROUNDS READ_CONNS WORKERS MAX_WAIT SETUP_CONNS; do
    is_count "${!v}" || die "$v=${!v} is not a count"
done
if [ "$PERF" = 1 ]; then
    command -v perf > /dev/null 2>&1 \
        || die "PERF=1 needs perf (apt-get install linux-perf)"
fi

note "$MAILS email and $HOOKS webhook subscribers, $ROUNDS rounds;" \
     "about $(( (ROUNDS + 1) * DURATION_S + ROUNDS * 10 + (MAILS + HOOKS) / 1000 + 10 ))s"

measure_busy_start


# --- the prefix ---------------------------------------------------------------

new_prefix incident-notify recv/logs out setup

# what went wrong is in the receiver's log too
MORE_ERROR_LOGS=("$PREFIX/recv/error.log")

PORT=$(free_port)
RECV_PORT=$(free_port)
SINK_PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
new_token


# --- smtp-sink ----------------------------------------------------------------
#
# -c: counters on stdout ("sess=N quit=N mesg=N", rewritten after every
# message and session); it throws the mails away.

SINK_ARGS=(-c)
[ "$(id -u)" != 0 ] || SINK_ARGS+=(-u nobody)

"$SMTP_SINK" "${SINK_ARGS[@]}" "127.0.0.1:$SINK_PORT" 1000 \
    > "$PREFIX/out/sink" 2> "$PREFIX/out/sink.err" &
SINK_PID=$!

# wait_smtp: until smtp-sink greets
for i in $(seq 1 250); do
    if perl -MIO::Socket::INET -e '
           my $s = IO::Socket::INET->new("127.0.0.1:'"$SINK_PORT"'") or exit 1;
           my $l = <$s>; print $s "QUIT\r\n"; exit($l =~ /^220/ ? 0 : 1)'
    then
        break
    fi
    running "$SINK_PID" \
        || die "smtp-sink did not start: $(cat "$PREFIX/out/sink.err")"
    sleep 0.02
done
[ "$i" -lt 250 ] || die "smtp-sink does not answer on port $SINK_PORT"


# --- the webhook receiver -----------------------------------------------------

R=$PREFIX/recv

cat > "$R/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 8192;
error_log $R/error.log notice;
pid $R/nginx.pid;

events {
    worker_connections 4096;
}

http {
    access_log off;
    log_format hook '\$request_method \$status \$connection \$content_length';

    keepalive_timeout 65;
    keepalive_requests 1000000;

$(conf_temp_paths "$R")

    server {
        listen 127.0.0.1:$RECV_PORT backlog=4096;

        location /hook/ {
            access_log $R/hooks.log hook;
            return 204;
        }

        location / {
            return 404;
        }
    }
}
EOF

start_master RECV_PID "$R/nginx.conf" "$R/nginx.pid" \
    "http://127.0.0.1:$RECV_PORT/"

code=$(curl -sS -o /dev/null -w '%{http_code}' -d '{}' \
            "http://127.0.0.1:$RECV_PORT/hook/check")
[ "$code" = 204 ] || die "the receiver answered $code to a POST"


# --- nginx with the module ----------------------------------------------------

cat > "$PREFIX/nginx.conf" <<EOF
$(conf_main "$WORKERS" info 4096)

http {
    access_log off;

    sendfile on;
    tcp_nopush off;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;

$(conf_temp_paths "$PREFIX")

    incident_db $PREFIX/db size=1024m;
    incident_api_tokens $PREFIX/tokens;
    incident_public_url https://status.example.com;
    incident_smtp smtp://127.0.0.1:$SINK_PORT;
    incident_mail_from "Example Status <status@example.com>";
    incident_webhook_allow_private on;
    $NOTIFY_CONF

    server {
        # reuseport: wrk's connections spread evenly over the workers in
        # every run (without it, one worker may take them all in one run
        # and not in the next: the idle figures varied by a third)
        listen 127.0.0.1:$PORT backlog=4096 reuseport;

$(conf_module_locations)

        # nginx's request counter: the page's req/s over a window
        location = /bench-stub-status {
            stub_status;
        }
    }
}
EOF

check_conf nginx.conf

# shellcheck disable=SC2086 # NGINX_ENV: words
start_nginx nginx.conf $NGINX_ENV
note "nginx $NGINX_PID on $BASE ($WORKERS workers), smtp-sink $SINK_PID" \
     "on :$SINK_PORT, receiver $RECV_PID on :$RECV_PORT; prefix $PREFIX"


# --- setup: components and subscribers (not timed in the results) ------------

# curl_batch NAME PARALLEL: send $PREFIX/setup/NAME.curl; every answer 201
curl_batch() {
    local name=$1 cfg=$PREFIX/setup/$1.curl out=$PREFIX/setup/$1.codes n bad

    if [ "$2" -gt 1 ]; then
        curl -sS --no-progress-meter --parallel --parallel-max "$2" \
             -K "$cfg" > "$out" \
            || die "setup ($name): curl failed"
    else
        curl -sS -K "$cfg" > "$out" || die "setup ($name): curl failed"
    fi

    n=$(wc -l < "$out")
    bad=$(grep -vc '^201$' "$out" || true)
    [ "$bad" = 0 ] \
        || die "setup ($name): $bad of $n answers were not 201:" \
               "$(grep -v '^201$' "$out" | sort | uniq -c | head -3)"
    echo "$n"
}

# queue_post CFG PATH JSON: one POST with the token, in a curl config file
# that curl_batch sends (its answers: the status codes, a line each)
queue_post() {
    queue_request "$1" POST "$2" "$3" /dev/null '%{http_code}\n'
}

# bench/run.sh's 4 groups (ids 1..4) and 16 components (5..20) in them
# (bench/lib.sh): a page as big as bench/run.sh's without its history
pos=0
for g in "${COMPONENT_GROUPS[@]}"; do
    queue_post "$PREFIX/setup/components.curl" /api/v1/components \
        "{\"name\":\"$g\",\"position\":$pos}"
    pos=$((pos + 1))
done
for m in "${COMPONENT_MEMBERS[@]}"; do
    body="{\"name\":\"${m%%:*}\",\"description\":\"${m%%:*} as customers see it.\",\"position\":$pos"
    [ -z "${m##*:}" ] || body+=",\"groupId\":${m##*:}"
    queue_post "$PREFIX/setup/components.curl" /api/v1/components "$body}"
    pos=$((pos + 1))
done
curl_batch components 1 > /dev/null

note "creating $MAILS email and $HOOKS webhook subscribers" \
     "($SETUP_CONNS connections)"

# the config files by awk: 11,000 entries in bash would take seconds
awk -v base="$BASE" -v token="$TOKEN" -v mails="$MAILS" -v hooks="$HOOKS" \
    -v recv="http://127.0.0.1:$RECV_PORT" '
    function entry(body) {
        if (n++) print "next"
        print "url = \"" base "/api/v1/subscribers\""
        print "header = \"Authorization: Bearer " token "\""
        print "header = \"Content-Type: application/json\""
        print "data-binary = \"" body "\""
        print "output = \"/dev/null\""
        print "write-out = \"%{http_code}\\n\""
    }
    BEGIN {
        # interleaved, as a real list grows: subscriber ids mix the types
        every = hooks ? int(mails / hooks) + 1 : 0
        for (i = 1; m < mails || h < hooks; i++) {
            if (h < hooks && (m >= mails || i % every == 0)) {
                h++
                entry("{\\\"type\\\":\\\"webhook\\\",\\\"url\\\":\\\"" \
                      recv "/hook/" h "\\\"}")
            } else {
                m++
                entry(sprintf("{\\\"type\\\":\\\"email\\\",\\\"email\\\":" \
                              "\\\"subscriber-%05d@example.com\\\"}", m))
            }
        }
    }' > "$PREFIX/setup/subscribers.curl"

SETUP_T0=$(date +%s.%N)
n=$(curl_batch subscribers "$SETUP_CONNS")
SETUP_S=$(awk -v a="$SETUP_T0" -v b="$(date +%s.%N)" \
              'BEGIN { printf "%.1f", b - a }')
[ "$n" = $((MAILS + HOOKS)) ] \
    || die "setup: $n subscribers created, expected $((MAILS + HOOKS))"

QUEUE=$(curl -sS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/queue")
SUBS=$(perl -MJSON::PP -e 'print decode_json($ARGV[0])->{subscribers}' \
            "$QUEUE")
[ "$SUBS" = $((MAILS + HOOKS)) ] \
    || die "GET /api/v1/queue counts $SUBS confirmed subscribers: $QUEUE"
note "$n subscribers in ${SETUP_S}s" \
     "($(awk -v n="$n" -v s="$SETUP_S" 'BEGIN { printf "%.0f", n / s }')/s)"

# what one GET /api/v1/queue costs with this many subscribers (it reads
# them all): the fan-outs poll it
QUEUE_MS=$(for i in 1 2 3 4 5; do
               curl -sS -o /dev/null -w '%{time_total}\n' \
                    -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/queue"
           done | sort -g | awk '{ a[NR] = $1 } END { printf "%.1f", a[3] * 1000 }')

# nothing may have been sent yet (admin subscribers need no confirmation)
sleep 1.5
read -r _ M0 < <(tr '\r' '\n' < "$PREFIX/out/sink" \
                 | sed -n 's/.*sess=\([0-9]*\).*mesg=\([0-9]*\).*/\1 \2/p' \
                 | tail -1; echo "0 0")
[ "${M0:-0}" = 0 ] || problem "smtp-sink got $M0 mails before any incident"


# --- the rounds ---------------------------------------------------------------

driver() {  # MODE NAME [ARGS]: bench/notify-driver.pl, output in out/NAME
    local mode=$1 name=$2

    shift 2
    perl "$BENCH/notify-driver.pl" mode="$mode" base="$BASE" \
        token="$TOKEN" conns="$READ_CONNS" duration="$DURATION_S" \
        lua="$BENCH/report.lua" wrk_out="$PREFIX/out/wrk-$name" \
        sink_out="$PREFIX/out/sink" hook_log="$R/hooks.log" \
        nginx_pid="$NGINX_PID" recv_pid="$RECV_PID" sink_pid="$SINK_PID" \
        max_wait="$MAX_WAIT" sink_port="$SINK_PORT" \
        stub="$BASE/bench-stub-status" \
        recv_port="$RECV_PORT" "$@" > "$PREFIX/out/$name" \
        || die "bench/notify-driver.pl ($name) failed:" \
               "$(tail -5 "$PREFIX/out/$name")"
    if [ -f "$PREFIX/out/wrk-$name" ]; then
        cat "$PREFIX/out/wrk-$name" >> "$PREFIX/out/$name"
        check_wrk "$name"
    fi
}

# v NAME KEY: a "BENCH KEY VALUE" line of a run
v() { bench_value "$PREFIX/out/$1" "$2"; }

check_wrk() {
    local name=$1 k n

    grep -q '^BENCH requests ' "$PREFIX/out/$name" \
        || die "wrk ($name) printed no results:" \
               "$(cat "$PREFIX/out/wrk-$name")"
    for k in non2xx err_connect err_read err_write err_timeout; do
        n=$(v "$name" "$k")
        [ "$n" = 0 ] || problem "wrk ($name) on the page saw $k=$n"
    done
}

# check_fanout NAME LABEL: every mail and webhook once, nothing dead
check_fanout() {
    local f=$1 label=$2

    note "$label: $(v "$f" mails) mails, last at $(v "$f" mail_all_s)s;" \
         "$(v "$f" hooks) webhooks, last at $(v "$f" hook_all_s)s;" \
         "settled at $(v "$f" settled_s)s$(
             [ "$f" = alone ] \
                 || echo "; page $(v "$f" page_during) req/s during it")"

    [ "$(v "$f" timeout_s)" = - ] \
        || problem "$label: not done after ${MAX_WAIT}s:" \
                   "queue $(v "$f" queue_after)"
    [ "$(v "$f" mails)" = "$MAILS" ] \
        || problem "$label: smtp-sink got $(v "$f" mails) mails," \
                   "expected $MAILS"
    [ "$(v "$f" hooks)" = "$HOOKS" ] \
        || problem "$label: the receiver got $(v "$f" hooks) webhooks," \
                   "expected $HOOKS"
    [ "$(v "$f" hooks_204)" = "$(v "$f" hooks)" ] \
        || problem "$label: $(v "$f" hooks_204) of $(v "$f" hooks)" \
                   "webhooks were POSTs answered 204"
    perl -MJSON::PP -e 'exit(decode_json($ARGV[0])->{dead} == 0 ? 0 : 1)' \
         "$(v "$f" queue_after)" \
        || problem "$label: dead letters: $(v "$f" queue_after)"
}

incident_json() {   # TITLE
    echo "{\"title\":\"$1\",\"status\":\"investigating\",\"impact\":\"major\",\"componentIds\":[5],\"message\":\"We are investigating elevated error rates on the API.\"}"
}

page_bytes() { curl -sS "$BASE/" | wc -c; }

note "warm-up: GET / (1s)"
perl "$BENCH/notify-driver.pl" mode=idle base="$BASE" conns="$READ_CONNS" \
    duration=1 lua="$BENCH/report.lua" wrk_out="$PREFIX/out/wrk-warmup" \
    > /dev/null || die "the warm-up failed"

# the fan-out alone first: how fast, and what it costs, with nothing else
note "fan-out alone: POST /api/v1/incidents to $MAILS + $HOOKS" \
     "subscribers, no page load"

PERF_PID=
if [ "$PERF" = 1 ]; then
    perf record -q -g -o "$PREFIX/out/perf.data" \
        -p "$(pgrep -P "$NGINX_PID" | paste -sd,)" \
        > "$PREFIX/out/perf.log" 2>&1 &
    PERF_PID=$!
    sleep 0.5
fi

driver fanout alone mails="$MAILS" hooks="$HOOKS" page=0 \
    incident="$(incident_json "Degraded performance (notification benchmark)")"

if [ -n "$PERF_PID" ]; then
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
    PERF_PID=
fi

check_fanout alone "fan-out alone"

PAGE_BYTES=()
PAGE_BYTES[0]=$(page_bytes)
note "idle 0: GET / ($DURATION, ${PAGE_BYTES[0]} bytes)"
driver idle idle-0

for k in $(seq 1 "$ROUNDS"); do
    INCIDENT=$(incident_json "Elevated error rates (notification benchmark $k)")

    note "fan-out $k: POST /api/v1/incidents to $MAILS + $HOOKS" \
         "subscribers, GET / meanwhile"

    driver fanout "fanout-$k" mails="$MAILS" hooks="$HOOKS" \
        incident="$INCIDENT"

    check_fanout "fanout-$k" "fan-out $k"

    PAGE_BYTES[k]=$(page_bytes)
    note "idle $k: GET / ($DURATION, ${PAGE_BYTES[k]} bytes)"
    driver idle "idle-$k"
done

note "done"

stop_nginx


# --- the logs -----------------------------------------------------------------

LOG=$PREFIX/logs/error.log
BAD_LOG=$(bad_log_lines "$LOG" "$R/error.log")
WARN_COUNT=$(grep -c '\[warn\]' "$LOG" || true)
FAILED_DELIVERIES=$(grep -c 'incident notification .* attempt' "$LOG" \
                    || true)
[ -z "$BAD_LOG" ] || problem "nginx logged errors (see below)"
[ "$FAILED_DELIVERIES" = 0 ] \
    || problem "$FAILED_DELIVERIES deliveries failed (error.log, info)"

PERF_TOP=
if [ "$PERF" = 1 ] && [ -s "$PREFIX/out/perf.data" ]; then
    perf_report() {
        (perf report -i "$PREFIX/out/perf.data" --no-children -g none \
             --stdio "$@" 2>/dev/null || true) | awk '/^ +[0-9.]+%/'
    }
    # the event loops (a worker's main thread) and the thread pools
    PERF_THREADS=$( (perf script -i "$PREFIX/out/perf.data" -F pid,tid \
                         2>/dev/null || true) \
                   | awk '{ split($1, a, "/"); if (a[1] == a[2]) m++; else t++ }
                          END { if (m + t) printf "%.0f%% in the event" \
                                    " loops, %.0f%% in the thread pools",
                                    100 * m / (m + t), 100 * t / (m + t) }')
    PERF_TOP=$(echo "by object: $(perf_report --sort dso \
                                   | awk 'n++ < 8 { printf "%s%s %s",
                                          n > 1 ? ", " : "", $2, $1 }')"
               echo "$PERF_THREADS"
               perf_report --sort dso,symbol | awk 'n++ < 25')
fi


# --- summary ------------------------------------------------------------------

# the idle req/s a fan-out is compared with: the runs before and after it
idle_mean() { calc 'printf "%.0f", (a + b) / 2' \
                   "$(v "idle-$(( $1 - 1 ))" page_idle)" \
                   "$(v "idle-$1" page_idle)"; }
ratio() {   # ROUND [during|first]
    calc 'printf "%.2f", a / b' "$(v "fanout-$1" "page_${2:-during}")" \
         "$(idle_mean "$1")"
}

# mails/s from the first to the last (RUN)
mail_rate() {
    calc 'printf "%.0f", (b > a) ? c / (b - a) : 0' \
         "$(v "$1" mail_first_s)" "$(v "$1" mail_all_s)" "$(v "$1" mails)"
}

# CPU time of the module's nginx per delivery (RUN), microseconds
us_per_delivery() {
    calc 'printf "%.0f", c ? a / 100 * b * 1e6 / c : 0' \
         "$(v "$1" cpu_module_pct)" "$(v "$1" window_s)" \
         "$(( $(v "$1" mails) + $(v "$1" hooks) ))"
}

per_round() {   # KEY: the values of every round, one a line
    local k
    for k in $(seq 1 "$ROUNDS"); do
        case $1 in
            ratio)      ratio "$k" ;;
            ratio1)     ratio "$k" first ;;
            idle)       idle_mean "$k" ;;
            mail_rate)  mail_rate "fanout-$k" ;;
            *)          v "fanout-$k" "$1" ;;
        esac
        echo
    done
}

MED_SETTLED=$(per_round settled_s | median)
MED_MAIL=$(per_round mail_all_s | median)
MED_HOOK=$(per_round hook_all_s | median)
MED_DURING=$(per_round page_during | median)
MED_FIRST=$(per_round page_first | median)
MED_RATIO1=$(per_round ratio1 | median)
MED_IDLE=$(per_round idle | median)
MED_RATIO=$(per_round ratio | median)
WORST_SETTLED=$(per_round settled_s | sort -g | tail -1)
WORST_RATIO=$(per_round ratio | sort -g | head -1)

verdict() {     # OK-expression a
    if calc "exit !($1)" "$2"; then echo PASS; else echo MISSED; fi
}

RUNS="alone idle-0"
for k in $(seq 1 "$ROUNDS"); do
    RUNS+=" fanout-$k idle-$k"
done

COMMIT=$(commit_id)
row() {     # one line of the fan-out table
    printf '  %-8s %6s %9s %6s %9s %8s %7s | %6s %6s %5s | %6s %5s\n' "$@"
}
FIRST_HDR=$(printf '%6s' "${DURATION_S}s")

{
    echo "ngx_incident_module notification benchmark" \
         "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "  commit $COMMIT, module built" \
         "$(date -u -r "$MODULE" +%Y-%m-%dT%H:%M:%SZ);" \
         "$("$NGINX" -v 2>&1 | sed 's/.*: //');" \
         "$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2);" \
         "$(nproc) CPUs; worker_processes $WORKERS (listen reuseport);" \
         "store on" \
         "$(stat -f -c %T "$PREFIX"); CPUs $BUSY_START% busy before the run"
    echo "  subscribers: $MAILS email -> smtp-sink (postfix)," \
         "$HOOKS webhook -> nginx \"return 204\" (1 worker), all on" \
         "loopback; created in ${SETUP_S}s, not timed below;" \
         "GET /api/v1/queue then took $QUEUE_MS ms (median of 5)"
    [ -z "$NGINX_ENV" ] || echo "  nginx started with: $NGINX_ENV"
    echo "  notify settings: ${NOTIFY_CONF:-the defaults}" \
         "(defaults: incident_notify_concurrency 64," \
         "incident_notify_connections 8, per worker)"
    echo "  page: GET / with wrk -t1 -c$READ_CONNS, ${PAGE_BYTES[0]} ->" \
         "${PAGE_BYTES[$ROUNDS]} bytes (one more active incident a round);" \
         "idle runs -d$DURATION; during: from the POST until all settled"
    echo
    echo "fan-out of one new incident to all $((MAILS + HOOKS)) subscribers," \
         "in seconds after the POST /api/v1/incidents (its 201: median" \
         "$(per_round post_ms | median) ms); \"alone\" without the page load:"
    row "" "mails" "last mail" "hooks" "last hook" \
        "settled" "mails/s" "idle" "during" "ratio" "$FIRST_HDR" "ratio"
    row "" "" "s" "" "s" "s" "" "req/s" "req/s" "" "req/s" ""
    row "alone" "$(v alone mails)" "$(v alone mail_all_s)" \
        "$(v alone hooks)" "$(v alone hook_all_s)" "$(v alone settled_s)" \
        "$(mail_rate alone)" "" "" "" "" ""
    for k in $(seq 1 "$ROUNDS"); do
        f=fanout-$k
        row "round $k" "$(v "$f" mails)" "$(v "$f" mail_all_s)" \
            "$(v "$f" hooks)" "$(v "$f" hook_all_s)" "$(v "$f" settled_s)" \
            "$(mail_rate "$f")" "$(idle_mean "$k")" \
            "$(calc 'printf "%.0f", a' "$(v "$f" page_during)")" \
            "$(ratio "$k")" \
            "$(calc 'printf "%.0f", a' "$(v "$f" page_first)")" \
            "$(ratio "$k" first)"
    done
    row "median" "" "$(calc 'printf "%.3f", a' "$MED_MAIL")" "" \
        "$(calc 'printf "%.3f", a' "$MED_HOOK")" \
        "$(calc 'printf "%.3f", a' "$MED_SETTLED")" \
        "$(per_round mail_rate | median | xargs printf '%.0f')" \
        "$(calc 'printf "%.0f", a' "$MED_IDLE")" \
        "$(calc 'printf "%.0f", a' "$MED_DURING")" \
        "$(calc 'printf "%.2f", a' "$MED_RATIO")" \
        "$(calc 'printf "%.0f", a' "$MED_FIRST")" \
        "$(calc 'printf "%.2f", a' "$MED_RATIO1")"
    echo "  page req/s (nginx's stub_status, less this benchmark's own" \
         "requests): \"during\" from the POST until all settled;" \
         "\"${DURATION_S}s\" the first $DURATION after the POST (what a" \
         "wrk -d$DURATION started with it would count: after a shorter" \
         "fan-out the page is alone for the rest); \"idle\" the mean of" \
         "the idle runs before and after the round, counted the same way" \
         "inside the wrk runs ($(for k in $(seq 0 "$ROUNDS"); do
                calc 'printf "%.0f ", a' "$(v "idle-$k" page_idle)"
            done | sed 's/ $//'); wrk itself counted $(
            for k in $(seq 0 "$ROUNDS"); do
                calc 'printf "%.0f ", a' "$(v "idle-$k" rps)"
            done | sed 's/ $//'))"
    echo
    echo "targets (median of $ROUNDS rounds):"
    V1=$(verdict "a <= $TARGET_MAIL_S" "$MED_SETTLED")
    V2=$(verdict "a >= $TARGET_RATIO" "$MED_RATIO")
    printf '  %-50s %s (median %s s, worst %s s)\n' \
        "$MAILS mails delivered and settled in <= ${TARGET_MAIL_S} s:" \
        "$V1" "$MED_SETTLED" "$WORST_SETTLED"
    printf '  %-50s %s (median %s %%, worst %s %%)\n' \
        "page req/s during the fan-out >= 80 % of idle:" "$V2" \
        "$(calc 'printf "%.0f", a * 100' "$MED_RATIO")" \
        "$(calc 'printf "%.0f", a * 100' "$WORST_RATIO")"
    printf '  %-50s %s (median %s %%)\n' \
        "  the same over the first $DURATION after the POST:" \
        "$(verdict "a >= $TARGET_RATIO" "$MED_RATIO1")" \
        "$(calc 'printf "%.0f", a * 100' "$MED_RATIO1")"
    echo
    echo "page latency, ms (wrk; fan-outs: from the POST until both" \
         "windows were over):"
    echo "                            p50     p99     max"
    for f in $RUNS; do
        [ "$f" != alone ] || continue
        printf '  %-22s %7s %7s %7s\n' "$f" \
            "$(calc 'printf "%.2f", a / 1000' "$(v "$f" p50_us)")" \
            "$(calc 'printf "%.2f", a / 1000' "$(v "$f" p99_us)")" \
            "$(calc 'printf "%.2f", a / 1000' "$(v "$f" max_us)")"
    done
    echo
    echo "CPU (fan-outs: from the POST until all settled)," \
         "% of one CPU ($(( $(nproc) * 100 ))% in all): module nginx" \
         "(per worker), wrk, smtp-sink, receiver, this driver, anything" \
         "else (other processes, softirqs, kernel threads); and for the" \
         "fan-out alone, the module's CPU time per delivery"
    printf '  %-10s %13s %5s %5s %5s %5s %5s   %s\n' "" "module" "wrk" \
        "sink" "recv" "drv" "else" "module CPU per delivery"
    for f in $RUNS; do
        workers=$(awk '$1 == "BENCH" && $2 ~ /^cpu_worker/ {
                           printf "%s%s", n++ ? "+" : "", $3 }' \
                      "$PREFIX/out/$f")
        per=
        [ "$f" != alone ] || per="$(us_per_delivery "$f") us"
        printf '  %-10s %4s%% %7s %4s%% %4s%% %4s%% %4s%% %4s%%   %s\n' "$f" \
            "$(v "$f" cpu_module_pct)" "($workers)" \
            "$(v "$f" cpu_wrk_pct)" "$(v "$f" cpu_sink_pct)" \
            "$(v "$f" cpu_recv_pct)" "$(v "$f" cpu_driver_pct)" \
            "$(v "$f" cpu_others_pct)" "$per"
    done
    echo
    echo "delivery details:"
    for f in alone $(seq -f 'fanout-%g' 1 "$ROUNDS"); do
        echo "  $f: first mail at $(v "$f" mail_first_s)s, half at" \
             "$(v "$f" mail_half_s)s; first webhook at" \
             "$(v "$f" hook_first_s)s, half at $(v "$f" hook_half_s)s;" \
             "at most $(v "$f" smtp_conns_max) SMTP connections open," \
             "$(v "$f" hook_conns_max) to the receiver;" \
             "$(v "$f" hook_connections) webhook connections opened" \
             "($(v "$f" hook_body_bytes) bytes a body);" \
             "$(v "$f" queue_polls) GET /api/v1/queue, avg" \
             "$(v "$f" queue_poll_avg_ms) ms, max $(v "$f" queue_poll_max_ms) ms"
        echo "    progress (s:mails:webhooks:queued at the last poll):" \
             "$(v "$f" progress | tr ',' ' ')"
        echo "    then GET /api/v1/queue (s:queued:fanouts):" \
             "$(v "$f" tail | tr ',' ' ')"
    done | fold -s -w 100 | sed '/^  /!s/^/      /'
    if [ -n "$PERF_TOP" ]; then
        echo
        echo "perf (the module's workers during the fan-out alone; self" \
             "time):"
        printf '%s\n' "$PERF_TOP" | cut -c1-90 | fold -s -w 100 \
            | sed 's/^/  /; s/ *$//' 
    fi
    echo
    if [ -n "$BAD_LOG" ]; then
        echo "error logs: $(printf '%s\n' "$BAD_LOG" | wc -l) lines at" \
             "[error] or worse; the first:"
        show_bad_log "$BAD_LOG"
    else
        echo "checks: every mail and webhook arrived once, no dead letter," \
             "no failed delivery, no non-2xx page answer; error logs clean" \
             "($WARN_COUNT [warn])"
    fi
    for p in "${PROBLEMS[@]}"; do
        echo "PROBLEM: $p"
    done
    NOISY=$(for f in $RUNS; do v "$f" cpu_others_pct; done \
            | awk '$1 >= 20 { n++ } END { print n + 0 }')
    if [ "$BUSY_START" -ge 10 ] || [ "$NOISY" -gt 0 ]; then
        echo "NOTE: other work competed for the CPUs ($BUSY_START% busy" \
             "before the run; \"else\" >= 20% in $NOISY of the runs above):" \
             "the figures are noisy"
    fi
} > "$PREFIX/summary"

# the figures for bench/all.sh's table, "key value" a line
{
    echo "mails $MAILS"
    echo "hooks $HOOKS"
    echo "rounds $ROUNDS"
    echo "workers $WORKERS"
    echo "duration $DURATION"
    echo "alone_mails $(v alone mails)"
    echo "alone_hooks $(v alone hooks)"
    echo "alone_mail_s $(v alone mail_all_s)"
    echo "alone_hook_s $(v alone hook_all_s)"
    echo "alone_settled_s $(v alone settled_s)"
    echo "settled_s $MED_SETTLED"
    echo "settled_worst_s $WORST_SETTLED"
    echo "mail_s $MED_MAIL"
    echo "hook_s $MED_HOOK"
    echo "delivered_all $(for f in alone $(seq -f 'fanout-%g' 1 "$ROUNDS"); do
             [ "$(v "$f" mails)" = "$MAILS" ] \
                 && [ "$(v "$f" hooks)" = "$HOOKS" ] || echo 0
         done | grep -q 0 && echo 0 || echo 1)"
    echo "page_ratio $(calc 'printf "%.2f", a' "$MED_RATIO")"
    echo "page_ratio_first $(calc 'printf "%.2f", a' "$MED_RATIO1")"
    echo "page_idle_rps $(calc 'printf "%.0f", a' "$MED_IDLE")"
    echo "page_during_rps $(calc 'printf "%.0f", a' "$MED_DURING")"
    echo "target_mail_s $TARGET_MAIL_S"
    echo "target_ratio $TARGET_RATIO"
    echo "busy_start_pct $BUSY_START"
    # the share of both CPUs that others took during the fan-outs, median
    echo "others_pct_median $(per_round cpu_others_pct | median \
                              | awk '{ printf "%.0f", $1 / 2 }')"
    echo "problems ${#PROBLEMS[@]}"
} > "$PREFIX/values"

publish

[ "${#PROBLEMS[@]}" = 0 ] || die "${#PROBLEMS[@]} problems (above)"
