# shellcheck shell=bash disable=SC2034 # the scripts use its variables
#
# What bench/run.sh, bench/notify.sh and bench/rss.sh share: messages,
# nginx in a temp prefix (start, wait, stop, clean up), the API token,
# queued API writes, the summary's files.  Sourced, not run:
#
#   BENCH_NAME=bench-rss            (the tag of every message)
#   . "$BENCH/lib.sh"
#
# A script defines teardown (what to stop besides the prefix's removal)
# and calls set_traps; it sets ROOT, NGINX, MODULE, BASE, SUMMARY_FILE
# and VALUES_FILE before the helpers that use them run.

PREFIX=
NGINX_PID=
PROBLEMS=()
MORE_ERROR_LOGS=()      # other nginx error logs die shows (a script's own)

# nginx's log lines that mean something went wrong
BAD_LOG_LINES='\[(alert|emerg|crit|error)\]|exited on signal'


# --- messages -----------------------------------------------------------------

say() { printf '%s\n' "$*" >&2; }

# progress lines carry the seconds since the start
note() { printf '[%3ds] %s: %s\n' "$SECONDS" "$BENCH_NAME" "$*" >&2; }

# die MESSAGE: stop, with what nginx's error logs (the module's, and those
# in MORE_ERROR_LOGS) say went wrong
die() {
    local log label

    say ""
    say "$BENCH_NAME: FAILED: $*"

    for log in ${PREFIX:+"$PREFIX/logs/error.log"} "${MORE_ERROR_LOGS[@]}"
    do
        if [ -f "$log" ] && grep -qE "$BAD_LOG_LINES" "$log"; then
            label=$log
            [ "$log" != "$PREFIX/logs/error.log" ] \
                || label="nginx's error log"
            say "$BENCH_NAME: $label says:"
            grep -E "$BAD_LOG_LINES" "$log" | tail -5 | cut -c1-300 >&2
        fi
    done

    exit 1
}

# a problem that does not stop the run: in the summary, and exit 1 at the end
problem() {
    PROBLEMS+=("$*")
    say "$BENCH_NAME: PROBLEM: $*"
}

need() {    # COMMAND [HOW-TO-INSTALL]
    command -v "$1" >/dev/null 2>&1 \
        || die "$1 is not installed${2:+ ($2)}"
}

# the nginx and the module every benchmark loads
need_nginx_module() {
    [ -x "$NGINX" ] || die "no nginx at $NGINX (apt-get install nginx-core)"
    [ -f "$MODULE" ] || die "no module at $MODULE: run make first"
}

# the comment at the top of the script
usage() {
    awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' \
        "$0"
}

# no_args "$@": for the scripts whose settings are all in the environment
no_args() {
    case ${1:-} in
        "")         ;;
        -h|--help)  usage; exit 0 ;;
        *)          say "usage: bench/${0##*/} (settings in the" \
                        "environment; see --help)"; exit 2 ;;
    esac
}


# --- numbers ------------------------------------------------------------------

calc() {    # calc 'awk expression with a, b, c' A [B [C]]
    awk -v a="$2" -v b="${3:-0}" -v c="${4:-0}" "BEGIN { $1 }"
}

median() {  # of the numbers on stdin, one a line (blank lines skipped)
    sort -g | awk 'NF { a[++n] = $1 }
                   END { if (n % 2) print a[(n + 1) / 2]
                         else print (a[n / 2] + a[n / 2 + 1]) / 2 }'
}

is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }

# seconds in a wrk duration ("10s", "1m", "2h"; "500ms" is not wrk's)
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

# bench_value FILE KEY: a "BENCH KEY VALUE" line written by the wrk scripts
# and the drivers
bench_value() {
    awk -v k="$2" '$1 == "BENCH" && $2 == k { print $3; exit }' "$1"
}

# other work on the machine makes every figure noisy: measure it for a
# second before we start, as BUSY_START (percent of all CPUs busy)
measure_busy_start() {
    local busy0 idle0 busy1 idle1

    read -r busy0 idle0 < <(cpu_busy_idle)
    sleep 1
    read -r busy1 idle1 < <(cpu_busy_idle)
    BUSY_START=$(awk -v b=$((busy1 - busy0)) -v i=$((idle1 - idle0)) \
                     'BEGIN { printf "%.0f", b + i ? 100 * b / (b + i) : 0 }')
}

cpu_busy_idle() {
    awk '$1 == "cpu" { print $2+$3+$4+$7+$8+$9, $5+$6 }' /proc/stat
}


# --- processes ----------------------------------------------------------------

# running: neither gone nor a zombie (the daemon's parent is init, which
# may take a second or two to reap it)
running() {
    local state

    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

# stop_master PID: a graceful QUIT, then TERM after 10 s
stop_master() {
    local i pid=$1

    [ -n "$pid" ] || return 0
    running "$pid" || return 0

    kill -QUIT "$pid" 2>/dev/null || true
    for i in $(seq 1 500); do
        running "$pid" || return 0
        sleep 0.02
    done

    say "$BENCH_NAME: nginx $pid did not quit in 10s; sending TERM"
    kill -TERM "$pid" 2>/dev/null || true
    sleep 1
}

stop_nginx() {
    stop_master "$NGINX_PID"
    NGINX_PID=
}

# start_master VAR CONF PIDFILE URL [VAR=value...]: start nginx with CONF
# (its prefix CONF's folder; these in its environment), its master's pid
# in VAR as soon as it is known (for cleanup), then wait until URL answers
start_master() {
    local i var=$1 conf=$2 pidfile=$3 url=$4 pid

    shift 4
    rm -f "$pidfile"
    env "$@" "$NGINX" -p "$(dirname "$conf")/" -c "$conf" \
        || die "nginx did not start with $conf"

    for i in $(seq 1 250); do
        [ -s "$pidfile" ] && break
        sleep 0.02
    done
    pid=$(cat "$pidfile" 2>/dev/null) || die "nginx wrote no $pidfile"
    printf -v "$var" '%s' "$pid"

    for i in $(seq 1 250); do
        curl -s -o /dev/null "$url" && return 0
        sleep 0.02
    done

    die "nginx $pid ($conf) does not answer on $url"
}

# start_nginx CONF [VAR=value...]: the module's nginx with $PREFIX/CONF,
# its pid in NGINX_PID, answering on the API
start_nginx() {
    local conf=$1

    shift
    start_master NGINX_PID "$PREFIX/$conf" "$PREFIX/logs/nginx.pid" \
        "$BASE/api/v1/status" "$@"
}

# check_conf CONF...: nginx -t on the generated $PREFIX/CONFs
check_conf() {
    local conf

    for conf in "$@"; do
        "$NGINX" -p "$PREFIX/" -c "$PREFIX/$conf" -t -q \
            || die "nginx -t rejected the generated $conf"
    done
}

cleanup() {
    local rc=$?

    trap - EXIT INT TERM

    teardown

    if [ -n "$PREFIX" ] && [ -d "$PREFIX" ]; then
        if [ "${KEEP:-0}" = 1 ]; then
            say "$BENCH_NAME: kept $PREFIX"
        else
            rm -rf "$PREFIX"
        fi
    fi

    exit "$rc"
}

set_traps() {
    trap cleanup EXIT
    trap 'say "$BENCH_NAME: interrupted"; exit 130' INT
    trap 'exit 143' TERM
}

free_port() {
    perl -MIO::Socket::INET -e '
        my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
                                      LocalPort => 0, ReuseAddr => 1)
            or die "no free port: $!\n";
        print $s->sockport, "\n";'
}


# --- the prefix ---------------------------------------------------------------

# new_prefix NAME [DIR...]: a temp prefix in PREFIX, with logs/ and these
# folders, and the module nginx loads
new_prefix() {
    local d

    PREFIX=$(mktemp -d "${TMPDIR:-/tmp}/$1-XXXXXX")
    chmod 755 "$PREFIX"     # workers run as nobody when the master is root
    shift
    mkdir -p "$PREFIX/logs"
    for d in "$@"; do
        mkdir -p "$PREFIX/$d"
    done

    # nginx loads a private copy: a rebuild that rewrites build/*.so in
    # place while nginx has it mapped would crash the workers (SIGBUS)
    # mid-run
    cp "$MODULE" "$PREFIX/ngx_http_incident_module.so"
}

# new_token: a random API token in TOKEN, its hash in $PREFIX/tokens
new_token() {
    TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')

    printf '# benchmark token\nbench:%s\n' \
        "$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)" > "$PREFIX/tokens"
}


# --- nginx.conf ---------------------------------------------------------------
#
# The pieces every benchmark's configuration has; each script writes the
# rest (its http settings, servers, what it measures) around them.

# conf_main WORKERS ERROR-LOG-LEVEL WORKER-CONNECTIONS: the main context of
# the module's nginx in $PREFIX
conf_main() {
    cat <<EOF
load_module $PREFIX/ngx_http_incident_module.so;

worker_processes $1;
worker_rlimit_nofile 8192;
error_log $PREFIX/logs/error.log $2;
pid $PREFIX/logs/nginx.pid;

events {
    worker_connections $3;
}
EOF
}

# conf_temp_paths DIR: nginx's temp folders in DIR (the compiled-in ones
# are not ours to write)
conf_temp_paths() {
    cat <<EOF
    client_body_temp_path $1/body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
EOF
}

# conf_module_locations: the status page and the API, in a server
conf_module_locations() {
    cat <<EOF
        location / {
            incident_status_page;
        }

        location /api/ {
            incident_api;
        }
EOF
}


# --- writes through the API ---------------------------------------------------

# queue_request CFG METHOD PATH JSON OUTPUT WRITE-OUT: append one request
# with the token to the curl config file CFG, which one curl then sends
# (in order, over keep-alive connections)
queue_request() {
    local body=${4//\\/\\\\}

    body=${body//\"/\\\"}

    # builtins only: thousands of forks would cost seconds
    [ ! -s "$1" ] || echo next >> "$1"
    printf '%s\n' \
        "url = \"$BASE$3\"" \
        "request = \"$2\"" \
        "header = \"Authorization: Bearer $TOKEN\"" \
        "header = \"Content-Type: application/json\"" \
        "data-binary = \"$body\"" \
        "output = \"$5\"" \
        "write-out = \"$6\"" \
        >> "$1"
}

# the components of bench/run.sh's and bench/notify.sh's pages: 4 groups
# (ids 1..4) and 16 components (5..20), "name:group id" (none: ungrouped)
COMPONENT_GROUPS=("Platform" "Data" "Edge" "Communications")
COMPONENT_MEMBERS=(
    "API:1" "Website:1" "Dashboard:1" "Authentication:1"
    "Database:2" "Cache:2" "Job Queue:2" "Object Storage:2"
    "CDN:3" "DNS:3" "Load Balancer:3"
    "Notifications:4" "Webhooks:4" "Email Delivery:4"
    "Payments:" "Search:"
)


# --- the end ------------------------------------------------------------------

commit_id() {
    git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown
}

# bad_log_lines LOG...: the lines at [error] or worse
bad_log_lines() {
    grep -E "$BAD_LOG_LINES" "$@" || true
}

# show_bad_log LINES: the first of them, for a summary
show_bad_log() {
    printf '%s\n' "$1" | head -10 | cut -c1-300 | sed 's/^/  /'
}

# publish: $PREFIX/summary and $PREFIX/values to SUMMARY_FILE and
# VALUES_FILE (the figures for bench/all.sh's table), then the summary on
# stdout
publish() {
    mkdir -p "$(dirname "$SUMMARY_FILE")" "$(dirname "$VALUES_FILE")"
    cp "$PREFIX/summary" "$SUMMARY_FILE"
    cp "$PREFIX/values" "$VALUES_FILE"

    echo
    cat "$PREFIX/summary"
    echo "(written to ${SUMMARY_FILE#"$ROOT"/})"
}
