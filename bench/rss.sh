#!/usr/bin/env bash
#
# Memory of ngx_incident_module's workers with a large store: 1,000
# incidents, 100 components and 100,000 subscribers, after the status
# page and the API have been read.
#
#   bench/rss.sh                 (DURATION=3s for a quicker read phase)
#
# It starts Debian's nginx with the module (worker_processes 2, listen
# reuseport so that both workers serve) on a fresh store in a temp prefix
# and seeds it through the API (bench/api-client.pl: many keep-alive
# connections at once, every answer must be 201; the store's format stays
# the module's business):
#
#   100 components   10 groups of 9 members
#   1,000 incidents  995 resolved ones over the last ~290 days (created
#                    resolved, startedAt and resolvedAt backdated), 1 to 3
#                    components each; 5 active ones with 3 updates each
#   100,000 subscribers  90% email, 10% webhook, added with the admin
#                    token (so confirmed at once); a third of them follow
#                    one or two components
#
# Every write commits with its fsync; on this kind of shared disk an fsync
# can take milliseconds, so the seeding nginx keeps its store on tmpfs
# (/dev/shm, where fsync costs nothing: thousands of writes a second
# instead of hundreds).  Then it stops, the store's file is copied to the
# temp prefix on disk as it is (the module wrote it; nothing here writes
# LMDB), and nginx starts again on that copy: fresh workers (the seeding's
# 100,000 writes are a bulk load, not what a status page's workers do;
# their memory just before the stop is shown too, with the map on tmpfs
# counted as RssShmem).  SEED_STORE=disk seeds on disk instead.
#
# Then wrk reads for DURATION a list of
# paths in turn from 16 connections: the status page, /history (all its
# pages), every incident's page, both feeds, the badge, /live,
# /api/v1/status, the API's lists (incidents, components, subscribers,
# maintenances), /api/v2/summary.json and the other v2 documents (those
# that answer 200).  Then, per worker:
#
#   VmRSS   resident set (/proc/PID/status), with RssAnon (the worker's
#           own heap), RssFile (mapped files: the LMDB map, libraries)
#           and RssShmem
#   Pss     proportional set (/proc/PID/smaps_rollup): shared pages (the
#           LMDB map, libraries, copy-on-write pages of the master)
#           divided among the processes that map them
#
# Target (issue 8): at most 30 MB per worker (judged on the largest
# worker's VmRSS; Pss shown with it).  Also shown, not judged: the same
# after GET /api/v1/queue, which counts every subscriber (it reads them
# all, so their pages of the map become resident).
#
# The summary is printed and written to build/bench-rss-summary.txt, the
# figures for bench/all.sh to build/bench-rss.values.
#
# Environment:
#   DURATION       the read phase (default 10s)
#   COMPONENTS     default 100 (a tenth of them groups)
#   INCIDENTS      default 1000 (5 of them active)
#   SUBSCRIBERS    default 100000
#   WORKERS        worker_processes (default 2)
#   SEED_CONNS     connections of the seeding client (default 8)
#   SEED_STORE     tmpfs (default, when /dev/shm is one) or disk
#   TARGET_MB      the target per worker (default 30)
#   NGINX          nginx binary (default /usr/sbin/nginx)
#   INCIDENT_MODULE  the module (default build/ngx_http_incident_module.so)
#   KEEP=1         keep the temp prefix (config, logs, store, outputs)

set -euo pipefail

export TZ=UTC

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
NGINX=${NGINX:-/usr/sbin/nginx}
MODULE=${INCIDENT_MODULE:-$ROOT/build/ngx_http_incident_module.so}
DURATION=${DURATION:-10s}
COMPONENTS=${COMPONENTS:-100}
INCIDENTS=${INCIDENTS:-1000}
SUBSCRIBERS=${SUBSCRIBERS:-100000}
WORKERS=${WORKERS:-2}
SEED_CONNS=${SEED_CONNS:-8}
SEED_STORE=${SEED_STORE:-tmpfs}
TARGET_MB=${TARGET_MB:-30}
SUMMARY_FILE=$ROOT/build/bench-rss-summary.txt
VALUES_FILE=$ROOT/build/bench-rss.values

NACTIVE=5

SHM=

BENCH_NAME=bench-rss
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"


# --- helpers ------------------------------------------------------------------

no_args "$@"

# for cleanup (bench/lib.sh): nginx, then the seeding store on tmpfs
teardown() {
    stop_nginx
    if [ -n "$SHM" ] && [ -d "$SHM" ]; then
        rm -rf "$SHM"
    fi
}

set_traps


# --- preflight ----------------------------------------------------------------

for c in wrk curl perl; do
    need "$c"
done
need_nginx_module

DURATION_S=$(duration_seconds "$DURATION")
is_count "$DURATION_S" || die "DURATION=$DURATION is not a wrk duration"
for v in COMPONENTS INCIDENTS SUBSCRIBERS WORKERS SEED_CONNS TARGET_MB; do
    is_count "${!v}" || die "$v=${!v} is not a count"
done
[ "$COMPONENTS" -ge 20 ] || die "COMPONENTS=$COMPONENTS: at least 20"
[ "$INCIDENTS" -gt "$NACTIVE" ] || die "INCIDENTS=$INCIDENTS: more than $NACTIVE"
case $SEED_STORE in
    tmpfs)
        if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" != tmpfs ] \
           || [ ! -w /dev/shm ]
        then
            note "/dev/shm is not a writable tmpfs: seeding on disk"
            SEED_STORE=disk
        fi ;;
    disk) ;;
    *) die "SEED_STORE=$SEED_STORE: tmpfs or disk" ;;
esac

note "$COMPONENTS components, $INCIDENTS incidents, $SUBSCRIBERS" \
     "subscribers through the API, $WORKERS workers; reads for $DURATION"


# --- nginx in a temp prefix ---------------------------------------------------

new_prefix incident-rss seed out

# the seeding store
if [ "$SEED_STORE" = tmpfs ]; then
    SHM=$(mktemp -d /dev/shm/incident-rss-XXXXXX)
    chmod 755 "$SHM"
    SEED_DB=$SHM/db
else
    SEED_DB=$PREFIX/db
fi

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
new_token

# conf DB: the configuration, with its store in DB
conf() {
    cat <<EOF
$(conf_main "$WORKERS" notice 4096)

http {
    access_log off;

    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;

$(conf_temp_paths "$PREFIX")

    incident_db $1 size=1024m;
    incident_api_tokens $PREFIX/tokens;
    incident_public_url https://status.example.com;

    server {
        # both workers take connections
        listen 127.0.0.1:$PORT backlog=4096 reuseport;

$(conf_module_locations)
    }
}
EOF
}

conf "$SEED_DB" > "$PREFIX/nginx-seed.conf"
conf "$PREFIX/db" > "$PREFIX/nginx.conf"
check_conf nginx-seed.conf nginx.conf

workers() { pgrep -P "$NGINX_PID" | sort -n; }

start_nginx nginx-seed.conf
note "nginx $NGINX_PID on $BASE, prefix $PREFIX, seeding store in" \
     "$SEED_DB ($SEED_STORE)"


# --- seed through the API -----------------------------------------------------

# seed NAME CONNS: send $PREFIX/seed/NAME.txt, every answer 201; prints the
# rate, sets SEED_S_<NAME>
seed() {
    local name=$1 out=$PREFIX/seed/$1.out n s

    perl "$BENCH/api-client.pl" mode=batch base="$BASE" token="$TOKEN" \
        conns="$2" file="$PREFIX/seed/$name.txt" progress=20000 \
        > "$out" \
        || die "seeding $name: $(grep -E 'bad|FIRST_BAD' "$out" | head -3)"
    n=$(awk '$2 == "requests" { print $3 }' "$out")
    s=$(awk '$2 == "seconds" { print $3 }' "$out")
    printf -v "SEED_S_$name" '%s' "$s"
    printf -v "SEED_N_$name" '%s' "$n"
    note "  $name: $n writes in ${s}s" \
         "($(awk '$2 == "per_s" { print $3 }' "$out")/s, $2 connections)"
}

# the request files ("METHOD PATH JSON" a line), by Perl: 100,000 lines
perl -e '
    use strict; use warnings; use POSIX qw(strftime);
    my ($dir, $ncomp, $ninc, $nsub, $nact, $now) = @ARGV;
    my $iso = sub { strftime("%Y-%m-%dT%H:%M:%SZ", gmtime $_[0]) };
    my $ngroups = int($ncomp / 10);
    my $nmembers = $ncomp - $ngroups;
    my @titles = ("Elevated error rates", "Degraded performance",
        "Increased latency", "Partial outage", "Failed deliveries",
        "Intermittent timeouts", "Login failures", "Delayed processing");
    my @impacts = qw(critical major minor none);
    # a member: ids ngroups+1 .. ncomp
    my $member = sub { $ngroups + 1 + ($_[0] % $nmembers) };

    open my $c, ">", "$dir/components.txt" or die;
    for my $g (1 .. $ngroups) {
        print $c qq(POST /api/v1/components {"name":"Group $g",)
            . qq("description":"The services of group $g.","position":$g}\n);
    }
    for my $m (1 .. $nmembers) {
        my $g = 1 + ($m - 1) % $ngroups;
        print $c qq(POST /api/v1/components {"name":"Service $m",)
            . qq("description":"Service $m as customers see it.",)
            . qq("groupId":$g,"position":$m}\n);
    }
    close $c;

    my $nres = $ninc - $nact;
    open my $i, ">", "$dir/incidents.txt" or die;
    for my $k (1 .. $nres) {
        my $start = $now - 7 * 3600 * $k - ($k * 7919) % 3600;
        $start -= $start % 60;
        my $end = $start + (20 + ($k * 37) % 160) * 60;
        my @comps = ($member->($k * 7));
        push @comps, $member->($k * 11 + 3) if $k % 3 == 0;
        push @comps, $member->($k * 13 + 5) if $k % 5 == 0;
        my %seen; @comps = grep { !$seen{$_}++ } @comps;
        print $i qq(POST /api/v1/incidents {"title":")
            . $titles[$k % 8] . qq( (incident $k)","status":"resolved",)
            . qq("impact":"$impacts[$k % 4]","componentIds":[)
            . join(",", @comps) . qq(],"startedAt":") . $iso->($start)
            . qq(","resolvedAt":") . $iso->($end) . qq(","notify":false,)
            . qq("message":"The cause was identified and fixed; this )
            . qq(incident has been resolved. We are sorry for the )
            . qq(trouble."}\n);
    }
    close $i;

    open my $a, ">", "$dir/active.txt" or die;
    open my $u, ">", "$dir/updates.txt" or die;
    for my $k (1 .. $nact) {
        my $id = $nres + $k;
        print $a qq(POST /api/v1/incidents {"title":")
            . $titles[$k % 8] . qq( (active incident $k)",)
            . qq("status":"investigating","impact":"$impacts[$k % 3]",)
            . qq("componentIds":[) . $member->($k * 17) . qq(],)
            . qq("startedAt":") . $iso->($now - 600 * $k) . qq(",)
            . qq("notify":false,"message":"We are investigating )
            . qq(reports of problems with this service."}\n);
        for my $s (qw(identified monitoring investigating)) {
            print $u qq(POST /api/v1/incidents/$id/updates )
                . qq({"status":"$s","notify":false,"message":"Update )
                . qq(($s) on active incident $k: **still** working on )
                . qq(it, see [our notes](https://example.com/notes)."}\n);
        }
    }
    close $a;
    close $u;

    open my $s, ">", "$dir/subscribers.txt" or die;
    for my $k (1 .. $nsub) {
        my $comps = "";
        if ($k % 3 == 0) {
            my @c = ($member->($k));
            push @c, $member->($k * 7 + 1) if $k % 2 == 0;
            my %seen; @c = grep { !$seen{$_}++ } @c;
            $comps = qq(,"componentIds":[) . join(",", @c) . "]";
        }
        if ($k % 10 == 0) {
            print $s qq(POST /api/v1/subscribers {"type":"webhook",)
                . qq("url":"https://hooks.example.com/status/$k"$comps}\n);
        } else {
            printf $s qq(POST /api/v1/subscribers {"type":"email",)
                . qq("email":"subscriber-%06d\@example.com"$comps}\n), $k;
        }
    }
    close $s;
' "$PREFIX/seed" "$COMPONENTS" "$INCIDENTS" "$SUBSCRIBERS" "$NACTIVE" \
    "$(date -u +%s)" || die "cannot write the seed's request files"

note "seeding through the API (every answer 201)"
SEED_T0=$SECONDS
seed components 1           # in order: the groups' ids are 1..10
seed incidents 16
seed active 1               # after the resolved ones: ids follow theirs
seed updates 4
seed subscribers "$SEED_CONNS"
SEED_TOTAL_S=$((SECONDS - SEED_T0))

# what the API says was seeded
QUEUE=$(curl -sS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/queue")
N_SUBS=$(perl -MJSON::PP -e 'print decode_json($ARGV[0])->{subscribers}' \
              "$QUEUE") || die "GET /api/v1/queue: $QUEUE"
[ "$N_SUBS" = "$SUBSCRIBERS" ] \
    || die "GET /api/v1/queue counts $N_SUBS subscribers: $QUEUE"
N_ACTIVE=$(curl -sS "$BASE/api/v1/status" \
           | perl -MJSON::PP -0777 -ne \
                 'print scalar @{ decode_json($_)->{activeIncidents} }') \
    || die "GET /api/v1/status failed"
[ "$N_ACTIVE" = "$NACTIVE" ] \
    || die "the status shows $N_ACTIVE active incidents, expected $NACTIVE"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE/incidents/$INCIDENTS")
[ "$code" = 200 ] || die "GET /incidents/$INCIDENTS answered $code"

note "seeded in ${SEED_TOTAL_S}s"


# --- memory -------------------------------------------------------------------

# mem PID: "VmRSS RssAnon RssFile RssShmem Pss Pss_Anon Pss_File Pss_Shmem"
# in kB (Pss_* need Linux 5.13; "-" when absent)
mem() {
    local pid=$1

    {
        awk '$1 ~ /^(VmRSS|RssAnon|RssFile|RssShmem):$/ {
                 sub(/:$/, "", $1); print $1, $2 }' "/proc/$pid/status"
        awk '$1 ~ /^(Pss|Pss_Anon|Pss_File|Pss_Shmem):$/ {
                 sub(/:$/, "", $1); print $1, $2 }' \
            "/proc/$pid/smaps_rollup"
    } | awk '{ v[$1] = $2 }
             END {
                 n = split("VmRSS RssAnon RssFile RssShmem Pss Pss_Anon " \
                           "Pss_File Pss_Shmem", k, " ")
                 for (i = 1; i <= n; i++)
                     printf "%s%s", (k[i] in v) ? v[k[i]] : "-",
                            i < n ? " " : "\n"
             }'
}

# snapshot NAME: every worker's (and the master's) figures, in
# $PREFIX/out/mem-NAME: "role pid VmRSS ... Pss_Shmem" a line
snapshot() {
    local pid

    {
        echo "master $NGINX_PID $(mem "$NGINX_PID")"
        for pid in $(workers); do
            echo "worker $pid $(mem "$pid")"
        done
    } > "$PREFIX/out/mem-$1"
    [ "$(grep -c '^worker' "$PREFIX/out/mem-$1")" = "$WORKERS" ] \
        || die "snapshot $1: not $WORKERS workers: $(cat "$PREFIX/out/mem-$1")"
}

# worst NAME COLUMN: the largest worker's value (kB) of a snapshot
# (columns: 3 VmRSS 4 RssAnon 5 RssFile 6 RssShmem 7 Pss 8 Pss_Anon
# 9 Pss_File 10 Pss_Shmem)
worst() {
    awk -v c="$2" '$1 == "worker" && $c != "-" && $c + 0 > m { m = $c + 0 }
                   END { print m + 0 }' "$PREFIX/out/mem-$1"
}

snapshot seeding
note "the seeding workers: VmRSS up to $(worst seeding 3) kB;" \
     "restarting nginx (fresh workers) on the store on disk"

stop_nginx
if [ "$SEED_DB" != "$PREFIX/db" ]; then
    # the stopped store, as the module left it (owner and mode kept)
    mkdir -p "$PREFIX/db"
    chown --reference="$SEED_DB" "$PREFIX/db"
    chmod --reference="$SEED_DB" "$PREFIX/db"
    cp -p "$SEED_DB/data.mdb" "$PREFIX/db/data.mdb"
    rm -rf "$SHM"
    SHM=
fi
DB_MB=$(calc 'printf "%.1f", a / 1048576' \
             "$(stat -c %s "$PREFIX/db/data.mdb")")
sync "$PREFIX/db/data.mdb"
start_nginx nginx.conf
snapshot fresh

# what the readers read: each path checked, those not 200 left out
{
    echo /
    for p in $(seq 1 $(( (INCIDENTS + 24) / 25 ))); do
        echo "/history?page=$p"
    done
    for i in $(seq 1 "$INCIDENTS"); do
        echo "/incidents/$i"
    done
    echo /feed.atom
    echo /feed.rss
    echo /maintenance.ics
    echo /badge.svg
    echo /live
    echo /api/v1/status
    echo "/api/v1/incidents?state=all&limit=100"
    echo "/api/v1/incidents?state=active"
    echo "/api/v1/components?limit=100"
    echo "/api/v1/maintenances?state=all"
    echo "/api/v1/subscribers?limit=100"
    echo /api/v1/settings
    for d in summary status components incidents incidents/unresolved \
             scheduled-maintenances scheduled-maintenances/upcoming \
             scheduled-maintenances/active
    do
        echo "/api/v2/$d.json"
    done
} > "$PREFIX/out/paths.all"

# one curl for them all, to check the answers (the components' badges too)
awk -v base="$BASE" -v token="$TOKEN" '{
        if (NR > 1) print "next"
        print "url = \"" base $0 "\""
        print "header = \"Authorization: Bearer " token "\""
        print "output = \"/dev/null\""
        print "write-out = \"%{http_code} " $0 "\\n\""
    }' "$PREFIX/out/paths.all" > "$PREFIX/out/paths.curl"
curl -sS -K "$PREFIX/out/paths.curl" > "$PREFIX/out/paths.codes" \
    || die "curl over the paths failed"
awk '$1 == 200 { print $2 }' "$PREFIX/out/paths.codes" \
    > "$PREFIX/out/paths"
NOT_200=$(awk '$1 != 200 { printf "%s%s (%s)", n++ ? ", " : "", $2, $1 }' \
              "$PREFIX/out/paths.codes")
[ -z "$NOT_200" ] || note "not read (not 200): $NOT_200"
N_PATHS=$(wc -l < "$PREFIX/out/paths")
grep -qx / "$PREFIX/out/paths" || die "GET / is not 200"
grep -qx /api/v1/status "$PREFIX/out/paths" || die "GET /api/v1/status is not 200"

note "reading $N_PATHS paths in turn ($DURATION, wrk -c16, both workers)"
wrk -t2 -c16 -d"$DURATION" --latency -s "$BENCH/paths.lua" "$BASE" \
    -- "$PREFIX/out/paths" "$TOKEN" > "$PREFIX/out/wrk-reads" 2>&1 \
    || die "wrk failed: $(cat "$PREFIX/out/wrk-reads")"
for k in non2xx err_connect err_read err_write err_timeout; do
    [ "$(bench_value "$PREFIX/out/wrk-reads" "$k")" = 0 ] \
        || die "the reads saw $k=$(bench_value "$PREFIX/out/wrk-reads" "$k"):" \
               "$(cat "$PREFIX/out/wrk-reads")"
done
READ_REQS=$(bench_value "$PREFIX/out/wrk-reads" requests)
READ_RPS=$(bench_value "$PREFIX/out/wrk-reads" rps)
sleep 1
snapshot reads

# informational: GET /api/v1/queue reads every subscriber
note "GET /api/v1/queue 10 times (it reads all $SUBSCRIBERS subscribers)"
QUEUE_MS=$(for i in $(seq 1 10); do
               curl -sS -o /dev/null -w '%{time_total}\n' \
                    -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/queue"
           done | sort -g | awk '{ a[NR] = $1 } END { printf "%.0f", a[5] * 1000 }')
sleep 1
snapshot queue

stop_nginx

LOG=$PREFIX/logs/error.log
BAD_LOG=$(bad_log_lines "$LOG")


# --- summary ------------------------------------------------------------------

MB() { calc 'printf "%.1f", a / 1024' "$1"; }

RSS_MAX=$(worst reads 3)
PSS_MAX=$(worst reads 7)
ANON_MAX=$(worst reads 4)
FILE_MAX=$(worst reads 5)
if calc "exit !(a <= $TARGET_MB * 1024)" "$RSS_MAX"; then
    VERDICT=PASS
else
    VERDICT=MISS
fi

mem_table() {   # NAME
    awk -v mb=1024 '
        function f(v) { return v == "-" ? "-" : sprintf("%.1f", v / mb) }
        { printf "    %-6s %7s %7s %7s %7s %7s   %7s %7s %7s\n", $1,
                 f($3), f($4), f($5), f($6), f($7), f($8), f($9), f($10) }' \
        "$PREFIX/out/mem-$1"
}

COMMIT=$(commit_id)

{
    echo "ngx_incident_module memory benchmark" \
         "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "  commit $COMMIT; $("$NGINX" -v 2>&1 | sed 's/.*: //');" \
         "$(nproc) CPUs; worker_processes $WORKERS (listen reuseport);" \
         "Linux $(uname -r)"
    echo "  store: $COMPONENTS components, $INCIDENTS incidents ($NACTIVE" \
         "active), $SUBSCRIBERS subscribers (90% email, 10% webhook);" \
         "data.mdb ${DB_MB} MB"
    echo "  seeded through the API (store on $SEED_STORE) in ${SEED_TOTAL_S}s:" \
         "$SEED_N_incidents + $SEED_N_active incidents in ${SEED_S_incidents}s," \
         "$SEED_N_subscribers subscribers in ${SEED_S_subscribers}s" \
         "($(calc 'printf "%.0f", a / b' "$SEED_N_subscribers" \
                  "$SEED_S_subscribers")/s, $SEED_CONNS connections)"
    echo "  reads: $N_PATHS paths in turn (/, /history pages, every" \
         "incident page, feeds, badge, the v1 and v2 API) for $DURATION" \
         "from 16 connections: $READ_REQS requests ($READ_RPS/s), all 200"
    [ -z "$NOT_200" ] || echo "  not read (not 200): $NOT_200"
    echo
    echo "memory, MB (VmRSS = RssAnon + RssFile + RssShmem; Pss from" \
         "smaps_rollup, shared pages divided among the processes):"
    printf '    %-6s %7s %7s %7s %7s %7s   %7s %7s %7s\n' "" VmRSS RssAnon \
        RssFile RssShmem Pss PssAnon PssFile PssShm
    for s in seeding fresh reads queue; do
        case $s in
            seeding) echo "  after seeding (the workers that wrote it;" \
                          "store on $SEED_STORE):" ;;
            fresh)   echo "  after a restart, before any read:" ;;
            reads)   echo "  after the reads (judged):" ;;
            queue)   echo "  after also GET /api/v1/queue x10" \
                          "(median ${QUEUE_MS} ms; reads every subscriber):" ;;
        esac
        mem_table "$s"
    done
    echo
    printf '  %-52s %s (largest worker %s MB; Pss %s MB)\n' \
        "VmRSS per worker after the reads <= $TARGET_MB MB:" "$VERDICT" \
        "$(MB "$RSS_MAX")" "$(MB "$PSS_MAX")"
    echo
    if [ -n "$BAD_LOG" ]; then
        echo "error log: $(printf '%s\n' "$BAD_LOG" | wc -l) lines at" \
             "[error] or worse; the first:"
        show_bad_log "$BAD_LOG"
    else
        echo "checks: every seeding write 201, every read 200; error log clean"
    fi
} > "$PREFIX/summary"

{
    echo "components $COMPONENTS"
    echo "incidents $INCIDENTS"
    echo "subscribers $SUBSCRIBERS"
    echo "workers $WORKERS"
    echo "seed_s $SEED_TOTAL_S"
    echo "seed_subscribers_s $SEED_S_subscribers"
    echo "seed_subscribers_per_s $(calc 'printf "%.0f", a / b' \
             "$SEED_N_subscribers" "$SEED_S_subscribers")"
    echo "db_mb $DB_MB"
    echo "seed_store $SEED_STORE"
    echo "read_paths $N_PATHS"
    echo "read_requests $READ_REQS"
    for s in seeding fresh reads queue; do
        echo "rss_kb_$s $(worst "$s" 3)"
        echo "pss_kb_$s $(worst "$s" 7)"
        echo "anon_kb_$s $(worst "$s" 4)"
        echo "file_kb_$s $(worst "$s" 5)"
    done
    echo "rss_kb_per_worker_reads $(awk '$1 == "worker" { printf "%s%s",
             n++ ? "," : "", $3 }' "$PREFIX/out/mem-reads")"
    echo "pss_kb_per_worker_reads $(awk '$1 == "worker" { printf "%s%s",
             n++ ? "," : "", $7 }' "$PREFIX/out/mem-reads")"
    echo "queue_ms $QUEUE_MS"
    echo "target_mb $TARGET_MB"
    echo "verdict $VERDICT"
    echo "error_log_bad $([ -n "$BAD_LOG" ] && echo 1 || echo 0)"
} > "$PREFIX/values"

publish

[ -z "$BAD_LOG" ] || die "the error log has lines at [error] or worse (above)"
