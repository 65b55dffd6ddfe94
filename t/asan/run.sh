#!/bin/bash
# The HTTP tests (t/*.t) against the module built with AddressSanitizer and
# UBSan, run by Debian's nginx with the sanitizer runtimes preloaded
# (t/asan/nginx). Fails on any test failure and on any sanitizer report:
# every ASan or UBSan error, and every leak whose allocation stack passes
# through our module (leaks of nginx itself, e.g. the pools that a failed
# `nginx -t` leaves to exit(), are counted but do not fail the run).
#
#   t/asan/run.sh                   build, then every t/*.t
#   t/asan/run.sh t/10-incidents.t  build, then only these tests
#
# Environment:
#   JOBS=N             prove -jN (default 1: the tests are timing-sensitive)
#   ASAN_DETECT_LEAKS=0   no LeakSanitizer at all
#   ASAN_SLOW_UNWIND=1    full malloc stacks through nginx's own frames
#                      (fast_unwind_on_malloc=0: slower, for investigating)
#   ASAN_VERBOSE=1     also print the leaks outside our module
#   ASAN_SKIP_BUILD=1  use the module already in build/asan-module
#   INCIDENT_MODULE_ASAN  a sanitized module built elsewhere (skips the build)
#
# Logs: build/asan-module/logs/<test>/{asan,ubsan}.<pid>; a binary upgrade's
# new master (USR2: nginx drops the environment) writes to
# build/asan-module/logs/ itself and its files are moved to the test's
# directory when the test ends.
#
# "run.sh --one TEST" is what prove executes for each TEST (internal).

set -u
set -o pipefail

main() {

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ABUILD=$ROOT/build/asan-module
LOGS=$ABUILD/logs

# --- prove's --exec: one test with its own log directory ---------------------
if [ "${1-}" = --one ]; then
    test=$2
    dir=$LOGS/$(basename "$test" .t)
    mkdir -p "$dir" && chmod 1777 "$dir"
    ASAN_LOG_DIR=$dir perl "$test"
    rc=$?
    # what a binary upgrade's master wrote
    find "$LOGS" -maxdepth 1 -type f \( -name 'asan.*' -o -name 'ubsan.*' \) \
        -exec mv -t "$dir" {} + 2>/dev/null
    exit $rc
fi

SAN='-fsanitize=address,undefined'
CC_OPT="-g -O1 -fno-omit-frame-pointer -fstack-protector-strong -Wformat -Werror=format-security -fPIC $SAN -fno-sanitize-recover=all"
# -z nodelete: nginx dlclose()s the module when a worker exits, before
# LeakSanitizer looks; unloaded, its frames would be "<unknown module>" and
# everything its globals point to would look leaked
LD_OPT="-Wl,-z,relro -Wl,-z,now -fPIC $SAN -Wl,-z,nodelete"

# --- build -------------------------------------------------------------------
if [ -n "${INCIDENT_MODULE_ASAN-}" ]; then
    MODULE=$INCIDENT_MODULE_ASAN
elif [ -n "${ASAN_SKIP_BUILD-}" ]; then
    MODULE=$ABUILD/ngx_http_incident_module.so
else
    MODULE=$ABUILD/ngx_http_incident_module.so
    # a change of flags needs a new ./configure
    stamp="$CC_OPT | $LD_OPT"
    if [ "$(cat "$ABUILD/flags" 2>/dev/null)" != "$stamp" ]; then
        rm -rf "$ABUILD/nginx" "$MODULE"
    fi
    mkdir -p "$ABUILD"
    echo "building the sanitized module: $MODULE"
    # configure runs its test programs under ASan: no leak checks there
    ASAN_OPTIONS=detect_leaks=0 make -s -C "$ROOT" BUILD="$ABUILD" \
        NGX_CC_OPT="$CC_OPT" NGX_LD_OPT="$LD_OPT" "$MODULE" || exit 1
    printf '%s\n' "$stamp" > "$ABUILD/flags"
fi
[ -f "$MODULE" ] || { echo "no module $MODULE" >&2; exit 1; }
# UBSAN_OPTIONS for libubsan in nginx's workers (see ubsan_options.c)
mkdir -p "$ABUILD" || exit 1
gcc -shared -fPIC -O2 -o "$ABUILD/ubsan_options.so" "$HERE/ubsan_options.c" \
    || exit 1

# --- run ---------------------------------------------------------------------
rm -rf "$LOGS"
mkdir -p "$LOGS" && chmod 1777 "$LOGS"

cd "$ROOT" || exit 1
if [ $# -gt 0 ]; then
    tests=("$@")
else
    tests=(t/*.t)
fi

export NGINX=$HERE/nginx INCIDENT_MODULE=$MODULE
export ASAN_LOG_DIR=$LOGS
[ -n "${ASAN_SLOW_UNWIND-}" ] && export ASAN_EXTRA_OPTIONS="fast_unwind_on_malloc=0${ASAN_EXTRA_OPTIONS:+:$ASAN_EXTRA_OPTIONS}"

start=$(date +%s)
prove -j"${JOBS:-1}" --exec "$HERE/run.sh --one" "${tests[@]}"
prove_rc=$?
secs=$(( $(date +%s) - start ))

# --- the sanitizers' reports --------------------------------------------------
perl - "$LOGS" "${ASAN_VERBOSE:-0}" <<'PERL'
use strict;
use warnings;
use File::Find;

my ($logs, $verbose) = @ARGV;
# a frame of our module: its file, our sources, our functions
my $OURS = qr{ngx_http_incident_module\.so|/src/(?:incident_|ngx_http_incident)
              |\bin\s(?:incident_|ngx_http_incident_)}x;

my @files;
find(sub { push @files, $File::Find::name if -f && /^(?:asan|ubsan)\.\d+$/ },
     $logs);

my (@errors, @our_leaks, $foreign, %foreign_top);
$foreign = 0;
for my $f (sort @files) {
    open my $fh, '<', $f or next;
    local $/;
    my $text = <$fh>;
    (my $where = $f) =~ s{^\Q$logs\E/?}{};
    my $test = $where =~ m{^([^/]+)/} ? "t/$1.t" : 'unknown test';

    # each report of the file (a process can write more than one)
    for my $rep (split /(?=^=+\n==\d+==ERROR: )|(?=^\S[^\n]*runtime error: )/m, $text) {
        next unless $rep =~ /\S/;
        if ($rep =~ /ERROR: LeakSanitizer/) {
            for my $leak (split /(?=^(?:Direct|Indirect) leak of )/m, $rep) {
                next unless $leak =~ /^(?:Direct|Indirect) leak of/;
                $leak =~ s/\n*SUMMARY:.*\z//s;
                if ($leak =~ $OURS) {
                    push @our_leaks, "--- $test ($where)\n$leak";
                } else {
                    $foreign++;
                    my ($top) = $leak =~ /^\s+#1 \S+ in (\S+)/m;
                    $foreign_top{$top // '?'}++;
                    print "--- leak outside our module, $test ($where)\n$leak\n"
                        if $verbose;
                }
            }
        } elsif ($rep =~ /ERROR: AddressSanitizer|runtime error:|Sanitizer/) {
            push @errors, "--- $test ($where)\n$rep";
        }
    }
}

print "\n=== sanitizers: ", scalar(@files), " log file(s), ",
      scalar(@errors), " error report(s), ", scalar(@our_leaks),
      " leak(s) in our module, $foreign leak(s) outside it",
      ($foreign ? ' (' . join(', ', map { "$_: $foreign_top{$_}" }
                              sort keys %foreign_top) . ')' : ''),
      "\n";
if (@errors) {
    print "\n=== sanitizer errors\n", join("\n", @errors), "\n";
}
if (@our_leaks) {
    print "\n=== leaks in our module\n", join("\n", @our_leaks), "\n";
}
exit(@errors || @our_leaks ? 1 : 0);
PERL
san_rc=$?

echo "=== t/asan/run.sh: prove $([ $prove_rc = 0 ] && echo passed || echo FAILED)," \
     "sanitizers $([ $san_rc = 0 ] && echo clean || echo FOUND REPORTS)," \
     "${secs}s; logs in $LOGS"
[ $prove_rc = 0 ] && [ $san_rc = 0 ]
}

main "$@"
exit $?
