#!/usr/bin/env bash
#
# Every benchmark of ngx_incident_module, and one table of their figures
# with their targets.
#
#   make bench                   (builds the module, then runs this)
#   bench/all.sh                 (DURATION=3s ROUNDS=1 for a quick look)
#
# It runs, in turn (each is runnable alone, see its --help):
#
#   bench/run.sh     module vs the same bytes as a static file (status
#                    page, status JSON, incident page, feed, badge, v2
#                    summary), live updates, durable writes, read p99 alone
#                    vs under 50 writes/s
#   bench/notify.sh  one incident fanned out to 10,000 mails (smtp-sink)
#                    and 1,000 webhooks, the page's req/s meanwhile
#   bench/rss.sh     memory per worker with 1,000 incidents, 100
#                    components and 100,000 subscribers, after reads
#
# All three load one copy of the module, taken at the start (a rebuild
# meanwhile does not split the run between two builds).
#
# Their own summaries land in build/bench-summary.txt,
# build/bench-notify-summary.txt and build/bench-rss-summary.txt (their
# output in build/bench-logs/); this prints one table and writes it, with
# the machine it ran on, to build/bench-summary.md (Markdown, for the
# README).  The machine may be shared: absolute figures are noise there;
# the ratios, whose two sides are measured alternately in one run, are
# what count.
#
# Exit status 1 when a benchmark failed (its rows say so); a missed target
# is reported, not an error.
#
# Environment (passed on to the scripts as well):
#   DURATION       every measured wrk run (default 10s)
#   ROUNDS         rounds of bench/run.sh and bench/notify.sh (default 3)
#   INCIDENT_MODULE  the module (default build/ngx_http_incident_module.so)
#   ONLY           a subset: "run notify rss" (default all three)
#   REUSE=1        the benchmarks left out by ONLY: their last run's
#                  figures (build/bench-*.values) go in the table
#   TARGET_RATIO   module/static req/s at least (default 1.0, issue 8)
#   TARGET_WRITES  durable updates/s at least (default 50: the paced load
#                  must be sustainable)
#   TARGET_P99     read p99 under 50 writes/s over alone, at most (2)
#   (the fan-out's 10 s and 80 %, and the 30 MB per worker, are the
#   scripts' own: MAILS..., TARGET_MB)

set -uo pipefail

export TZ=UTC

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
BUILD=$ROOT/build
LOGS=$BUILD/bench-logs
NGINX=${NGINX:-/usr/sbin/nginx}
ONLY=${ONLY:-run notify rss}
REUSE=${REUSE:-0}
TARGET_RATIO=${TARGET_RATIO:-1.0}
TARGET_WRITES=${TARGET_WRITES:-50}
TARGET_P99=${TARGET_P99:-2}
MD=$BUILD/bench-summary.md

export DURATION=${DURATION:-10s}
export ROUNDS=${ROUNDS:-3}

say() { printf '%s\n' "$*" >&2; }
note() { printf '[%3ds] bench-all: %s\n' "$SECONDS" "$*" >&2; }

case ${1:-} in
    "")         ;;
    -h|--help)  awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next }
                     NR > 2 { exit }' "$0"; exit 0 ;;
    *)          say "usage: bench/all.sh (settings in the environment;" \
                    "see --help)"; exit 2 ;;
esac

mkdir -p "$LOGS"

# one copy of the module for the three
MODULE=${INCIDENT_MODULE:-$BUILD/ngx_http_incident_module.so}
[ -f "$MODULE" ] || { say "bench-all: no module at $MODULE: run make first"; exit 1; }
MODULE_BUILT=$(date -u -r "$MODULE" +'%Y-%m-%d %H:%M UTC')
MODULE_COPY=$(mktemp "${TMPDIR:-/tmp}/incident-bench-module-XXXXXX.so")
trap 'rm -f "$MODULE_COPY"' EXIT
cp -p "$MODULE" "$MODULE_COPY"
chmod 644 "$MODULE_COPY"
export INCIDENT_MODULE=$MODULE_COPY

# the machine, before the runs
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
NPROC=$(nproc)
KERNEL=$(uname -r)
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's/.*: //')
STARTED=$(date -u +'%Y-%m-%d %H:%M UTC')
COMMIT=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# STATUS_<name>: ok, failed (exit status) or skipped
declare -A STATUS

# bench NAME SCRIPT: run it, its output in build/bench-logs/NAME.log, its
# progress lines on the terminal
bench() {
    local name=$1 script=$2 t0=$SECONDS rc

    case " $ONLY " in
        *" $name "*) ;;
        *)
            if [ "$REUSE" = 1 ] && [ -s "$BUILD/bench-$name.values" ]; then
                STATUS[$name]=reused
            else
                STATUS[$name]=skipped
            fi
            return 0 ;;
    esac

    rm -f "$BUILD/bench-$name.values"
    note "bench/$script (output in ${LOGS#"$ROOT"/}/$name.log)"
    "$BENCH/$script" > "$LOGS/$name.log" 2> >(tee "$LOGS/$name.err" >&2)
    rc=$?
    if [ "$rc" = 0 ]; then
        STATUS[$name]=ok
    elif [ -s "$BUILD/bench-$name.values" ]; then
        # it measured, then found a problem (error log, a check): the
        # figures stand, flagged
        STATUS[$name]="problems (exit $rc)"
    else
        STATUS[$name]="failed (exit $rc)"
    fi
    note "bench/$script: ${STATUS[$name]} in $((SECONDS - t0))s"
}

bench run run.sh
bench notify notify.sh
bench rss rss.sh

TOTAL_S=$SECONDS


# --- the table ----------------------------------------------------------------

# val NAME KEY: from build/bench-NAME.values ("key value..." lines)
val() {
    local f=$BUILD/bench-$1.values

    [ -f "$f" ] || return 0
    [ "${STATUS[$1]}" != skipped ] || return 0
    awk -v k="$2" '$1 == k { sub(/^[^ ]+ /, ""); print; exit }' "$f"
}

has() { [ -n "$(val "$1" "$2")" ]; }

calc() { awk -v a="$2" -v b="${3:-0}" "BEGIN { $1 }"; }

# verdict 'awk condition on a' A
verdict() {
    if calc "exit !($1)" "$2"; then echo PASS; else echo MISS; fi
}

# 12345.6 -> 12,346
num() {
    LC_ALL=C printf '%.0f' "$1" \
        | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'
}

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 |"); }

# rows of a benchmark that did not give its figures
missing() {     # NAME LABEL...
    local name=$1 label

    shift
    for label in "$@"; do
        row "$label" "not measured: bench/$name.sh ${STATUS[$name]}" "" \
            "$([ "${STATUS[$name]}" = skipped ] && echo SKIP || echo FAIL)"
    done
}

FAILED=0
for n in run notify rss; do
    case ${STATUS[$n]} in
        ok|skipped|reused) ;;
        *) FAILED=1 ;;
    esac
done

# module/static, one row per read target
declare -A LABEL=(
    [page]="Status page"
    [api]="Status JSON"
    [incident]="Incident page"
    [feed]="Atom feed"
    [summary]="Statuspage v2 summary"
    [badge]="Status badge"
)
READ_ORDER=(page api incident feed summary badge)

if has run targets; then
    for t in "${READ_ORDER[@]}"; do
        if has run "ratio_$t"; then
            r=$(val run "ratio_$t")
            row "${LABEL[$t]} \`GET $(val run "path_$t")\`, module/static req/s" \
                "**$r** ($(num "$(val run "rps_module_$t")") / $(num \
                 "$(val run "rps_static_$t")") req/s; rounds $(val run \
                 "ratio_rounds_$t" | sed 's/,/, /g'))" \
                "≥ $TARGET_RATIO" "$(verdict "a >= $TARGET_RATIO" "$r")"
        elif has run "skipped_$t"; then
            read -r p code <<< "$(val run "skipped_$t")"
            row "${LABEL[$t]} \`GET $p\`, module/static req/s" \
                "not measured: answered $code" "≥ $TARGET_RATIO" SKIP
        fi
    done
    if has run write_per_s; then
        w=$(val run write_per_s)
        row "Durable writes (\`POST /api/v1/incidents/{id}/updates\`, each fsynced, $(val run write_conns) connections)" \
            "$(num "$w") updates/s" "≥ $TARGET_WRITES/s" \
            "$(verdict "a >= $TARGET_WRITES" "$w")"
        r=$(val run p99_paced_ratio)
        row "Read p99 of \`GET /api/v1/status\` ($(val run read_conns) connections), alone → under $(val run paced_rate) writes/s" \
            "$(calc 'printf "%.2f", a / 1000' "$(val run p99_idle_us)") → $(calc \
              'printf "%.2f", a / 1000' "$(val run p99_paced_us)") ms: **×$r** (rounds ×$(val run \
              p99_paced_ratio_rounds | sed 's/,/, ×/g'); writes achieved $(val run paced_achieved_per_s)/s)" \
            "≤ ×$TARGET_P99" "$(verdict "a <= $TARGET_P99" "$r")"
    fi
else
    missing run "Module/static req/s (page, status JSON, incident, feed, v2 summary, badge)" \
        "Durable writes" "Read p99 alone vs under 50 writes/s"
fi

if has notify settled_s; then
    s=$(val notify settled_s)
    t=$(val notify target_mail_s)
    ok=$(verdict "a <= $t" "$s")
    [ "$(val notify delivered_all)" = 1 ] || ok=FAIL
    row "Fan-out of one incident to $(num "$(val notify mails)") mails + $(num "$(val notify hooks)") webhooks, until all delivered and settled" \
        "**$(calc 'printf "%.1f", a' "$s") s** (median of $(val notify rounds), page under load; last mail $(calc \
          'printf "%.1f", a' "$(val notify mail_s)") s, last webhook $(calc \
          'printf "%.1f", a' "$(val notify hook_s)") s; alone $(calc \
          'printf "%.1f", a' "$(val notify alone_settled_s)") s)" \
        "≤ $t s" "$ok"
    r=$(val notify page_ratio)
    tr_=$(val notify target_ratio)
    row "Status page req/s during the fan-out / idle" \
        "**$r** ($(num "$(val notify page_during_rps)") / $(num "$(val notify page_idle_rps)") req/s)" \
        "≥ $tr_" "$(verdict "a >= $tr_" "$r")"
else
    missing notify "Fan-out of one incident to 10,000 mails + 1,000 webhooks" \
        "Status page req/s during the fan-out / idle"
fi

if has rss rss_kb_reads; then
    tmb=$(val rss target_mb)
    store="$(num "$(val rss incidents)") incidents, $(val rss components) components, $(num "$(val rss subscribers)") subscribers"
    rss=$(val rss rss_kb_reads)
    pss=$(val rss pss_kb_reads)
    row "RSS per worker (VmRSS), $store, after reading the pages and the API ($(val rss workers) workers)" \
        "**$(calc 'printf "%.1f", a / 1024' "$rss") MB** (largest; $(val rss rss_kb_per_worker_reads \
          | awk -F, '{ for (i = 1; i <= NF; i++) printf "%s%.1f", (i > 1 ? ", " : ""), $i / 1024 }') MB; own heap $(calc \
          'printf "%.1f", a / 1024' "$(val rss anon_kb_reads)") MB)" \
        "≤ $tmb MB" "$(verdict "a <= $tmb * 1024" "$rss")"
    row "PSS per worker (smaps_rollup: the LMDB map and libraries shared)" \
        "**$(calc 'printf "%.1f", a / 1024' "$pss") MB** (largest; after also \`GET /api/v1/queue\`, which reads every subscriber: RSS $(calc \
          'printf "%.1f", a / 1024' "$(val rss rss_kb_queue)") MB, PSS $(calc \
          'printf "%.1f", a / 1024' "$(val rss pss_kb_queue)") MB)" \
        "≤ $tmb MB" "$(verdict "a <= $tmb * 1024" "$pss")"
else
    missing rss "RSS per worker" "PSS per worker"
fi

seed_line=
if has rss seed_s; then
    seed_line="The memory benchmark's store was seeded through the API (bench/api-client.pl) in $(val rss seed_s) s, the $(num "$(val rss subscribers)") subscribers at $(num "$(val rss seed_subscribers_per_s)")/s, with the store on $(val rss seed_store) while seeding (data.mdb $(val rss db_mb) MB)."
fi

# how much of the CPUs other processes took while we measured
OTHERS=
if has run others_pct_median; then
    OTHERS="others took $(calc 'printf "%.0f", a' "$(val run others_pct_median)")% of the CPUs during the read runs (median)"
fi
if has notify others_pct_median; then
    OTHERS="${OTHERS:+$OTHERS, }$(val notify others_pct_median)% during the fan-outs"
fi

NOTES=()
for n in run notify rss; do
    case ${STATUS[$n]} in
        ok|skipped) ;;
        reused) NOTES+=("bench/$n.sh: not run now; the figures of its last run ($(date -u -r "$BUILD/bench-$n.values" +'%Y-%m-%d %H:%M UTC'))") ;;
        *) NOTES+=("bench/$n.sh: ${STATUS[$n]}; see build/bench-logs/$n.log") ;;
    esac
done

{
    echo "## Benchmarks"
    echo
    echo "\`make bench\` ($STARTED, commit $COMMIT, module built $MODULE_BUILT):" \
         "$NPROC CPUs ($CPU_MODEL)," \
         "Linux $KERNEL, $NGINX_VERSION, Debian's wrk; all on loopback;" \
         "wrk runs of $DURATION, $ROUNDS rounds; the whole run took" \
         "$((TOTAL_S / 60)) min $((TOTAL_S % 60)) s."
    echo
    echo "The machine is shared with other people's tests (load average" \
         "$LOAD_BEFORE before the run${OTHERS:+; $OTHERS}):" \
         "**absolute numbers are noise**." \
         "What counts are the ratios, whose two sides were measured" \
         "alternately in the same run: module vs the same bytes served" \
         "by the same nginx as a static file (\`open_file_cache\`," \
         "\`sendfile\`), and read p99 alone vs under writes."
    echo
    echo "| Benchmark | Result | Target | |"
    echo "|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "The write-rate target (≥ $TARGET_WRITES/s, what the paced load" \
         "needs) is \`bench/all.sh\`'s own (\`TARGET_WRITES\`); the others" \
         "come from the issues. Details: \`build/bench-summary.txt\`," \
         "\`build/bench-notify-summary.txt\`, \`build/bench-rss-summary.txt\`."
    [ -z "$seed_line" ] || { echo; echo "$seed_line"; }
    for n in "${NOTES[@]}"; do
        echo
        echo "**$n**"
    done
} > "$MD"

echo
cat "$MD"
echo
echo "(written to ${MD#"$ROOT"/}; all benchmarks took $((TOTAL_S / 60)) min $((TOTAL_S % 60)) s)"

exit "$FAILED"
