#!/usr/bin/env bash
#
# Builds the libFuzzer targets of fuzz/ (clang, ASan + UBSan), replays
# every input in fuzz/regressions/ through its target, then fuzzes each
# target for FUZZ_SECONDS (default 30) on a working copy of its seed
# corpus.  One target at a time.  Exits non-zero when a target does not
# build, a regression input fails again, or fuzzing finds a crash, a leak
# or a timeout; the input is kept in build/fuzz/crashes/.
#
#   fuzz/run.sh                     every target
#   fuzz/run.sh json form           some of them
#   FUZZ_SECONDS=600 fuzz/run.sh    longer
#   FUZZ_SECONDS=0 fuzz/run.sh      build and replay the regressions only
#
# Environment: CC (clang), FUZZ_SECONDS, FUZZ_RSS_MB (2048),
# FUZZ_TIMEOUT (10, seconds per input), FUZZ_FLAGS (more libFuzzer flags).
# Nothing in the repository is written: all output is under build/fuzz/.

set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2

CC=${CC:-clang}
case "$CC" in
    *clang*) ;;
    *) CC=clang ;;          # make's default "cc" cannot build libFuzzer
esac
command -v "$CC" >/dev/null || CC=clang-14

SECONDS_PER_TARGET=${FUZZ_SECONDS:-30}
RSS_MB=${FUZZ_RSS_MB:-2048}
TIMEOUT=${FUZZ_TIMEOUT:-10}

OUT=$ROOT/build/fuzz
OBJ=$OUT/obj
WORK=$OUT/corpus
CRASHES=$OUT/crashes
LOGS=$OUT/logs

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-std=gnu99 -g -O1 -fno-omit-frame-pointer $SAN -Isrc"
LIBS="-llmdb -lcjson -lcmark -lcrypto -lm"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

mkdir -p "$OBJ" "$WORK" "$CRASHES" "$LOGS" || exit 2


# The domain sources the unit tests link (CORE_SRCS of the Makefile), and
# the plain-C router and token parser when they are not in it yet.
core_srcs() {
    local srcs extra

    srcs=$(make -s --no-print-directory -f Makefile \
                -f <(printf 'fuzz-print-core-srcs:\n\t@echo $(CORE_SRCS)\n') \
                fuzz-print-core-srcs 2>/dev/null)

    if [ -z "$srcs" ]; then
        echo "fuzz: cannot read CORE_SRCS from the Makefile" >&2
        return 1
    fi

    for extra in src/incident_route.c src/incident_tokens.c; do
        if [ -f "$extra" ] && ! grep -qw "$extra" <<<"$srcs"; then
            srcs="$srcs $extra"
        fi
    done

    echo "$srcs"
}


# Every target and the header it cannot do without (any of them).
declare -A NEEDS=(
    [json]= [alertmanager]= [form]= [datetime]= [time]= [markdown]=
    [email]= [webhook_url]= [badge]= [link_token]=
    [route]=src/incident_route.h
    [tokens]="src/incident_tokens.h src/incident_route.h"
)
declare -A EXTRA_LIBS=( [webhook_url]=-lcurl )

ALL=$(cd fuzz && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')

if [ $# -gt 0 ]; then
    TARGETS="$*"
else
    TARGETS=$ALL
fi


# -- build ---------------------------------------------------------------

CORE=$(core_srcs) || exit 2
HEADERS=$(ls src/*.h fuzz/*.h)
OBJS=""
failed=0

newer_than() {             # newer_than TARGET FILE...: any FILE newer?
    local t=$1 f
    shift
    [ -e "$t" ] || return 0
    for f in "$@"; do
        [ "$f" -nt "$t" ] && return 0
    done
    return 1
}

for src in $CORE; do
    o=$OBJ/$(basename "${src%.c}").o
    OBJS="$OBJS $o"

    # shellcheck disable=SC2086
    if newer_than "$o" "$src" $HEADERS "$0"; then
        # shellcheck disable=SC2086
        $CC $CFLAGS -fsanitize=fuzzer-no-link -c -o "$o" "$src" \
            || { echo "fuzz: $src does not build" >&2; exit 2; }
    fi
done

declare -A BUILT RESULT EXECS

for t in $TARGETS; do
    if [ ! -f "fuzz/fuzz_$t.c" ]; then
        echo "fuzz: no target $t (have: $(echo $ALL))" >&2
        exit 2
    fi

    need=${NEEDS[$t]:-}
    have=${need:+no}
    for h in $need; do
        [ -f "$h" ] && have=yes
    done
    if [ "$have" = no ]; then
        RESULT[$t]="skipped (${need// / or } does not exist yet)"
        continue
    fi

    bin=$OUT/fuzz_$t

    # shellcheck disable=SC2086
    if newer_than "$bin" "fuzz/fuzz_$t.c" $OBJS $HEADERS "$0"; then
        # shellcheck disable=SC2086
        if ! $CC $CFLAGS -fsanitize=fuzzer -o "$bin" "fuzz/fuzz_$t.c" \
                 $OBJS $LIBS ${EXTRA_LIBS[$t]:-} 2>"$LOGS/$t.build.log"
        then
            cat "$LOGS/$t.build.log" >&2
            RESULT[$t]="BUILD FAILED"
            failed=1
            continue
        fi
    fi

    BUILT[$t]=1
done


# -- regressions: every input that once failed must pass ----------------

for t in $TARGETS; do
    [ -n "${BUILT[$t]:-}" ] || continue
    dir=fuzz/regressions/$t

    [ -d "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ] || continue

    if "$OUT/fuzz_$t" -rss_limit_mb="$RSS_MB" -timeout="$TIMEOUT" \
           "$dir"/* >"$LOGS/$t.regressions.log" 2>&1
    then
        echo "regressions $t: $(ls "$dir" | wc -l) inputs pass"
    else
        echo "regressions $t: FAILED, see $LOGS/$t.regressions.log"
        grep -m1 -E "ERROR: |runtime error|fuzz property" \
            "$LOGS/$t.regressions.log" | sed 's/^/    /'
        RESULT[$t]="REGRESSION"
        failed=1
    fi
done


# -- fuzz ------------------------------------------------------------------

if [ "$SECONDS_PER_TARGET" -gt 0 ]; then
    for t in $TARGETS; do
        [ -n "${BUILT[$t]:-}" ] || continue
        [ -z "${RESULT[$t]:-}" ] || continue

        mkdir -p "$WORK/$t"
        if [ -d "fuzz/corpus/$t" ]; then
            cp -n fuzz/corpus/"$t"/* "$WORK/$t"/ 2>/dev/null
        fi

        dict=()
        [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")

        echo "fuzzing $t for ${SECONDS_PER_TARGET}s"

        # shellcheck disable=SC2086
        "$OUT/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" \
            -rss_limit_mb="$RSS_MB" -timeout="$TIMEOUT" \
            -print_final_stats=1 -artifact_prefix="$CRASHES/$t-" \
            "${dict[@]}" ${FUZZ_FLAGS:-} "$WORK/$t" >"$LOGS/$t.log" 2>&1
        rc=$?

        EXECS[$t]=$(sed -n 's/^stat::number_of_executed_units: *//p' \
                        "$LOGS/$t.log" | tail -1)

        if [ $rc -eq 0 ]; then
            RESULT[$t]="ok"
            continue
        fi

        failed=1
        log=$LOGS/$t.log

        if grep -q "ERROR: LeakSanitizer" "$log"; then
            RESULT[$t]="LEAK"
        elif grep -q "ALARM: working on the last Unit for" "$log" \
             || grep -q "ERROR: libFuzzer: timeout" "$log"; then
            RESULT[$t]="TIMEOUT"
        elif grep -q "out-of-memory" "$log"; then
            RESULT[$t]="OUT OF MEMORY"
        elif grep -q "fuzz property violated" "$log"; then
            RESULT[$t]="PROPERTY: $(grep -m1 -o 'fuzz property violated: [^(]*' "$log" \
                                    | sed 's/fuzz property violated: //')"
        elif grep -q "runtime error" "$log"; then
            RESULT[$t]="UNDEFINED BEHAVIOUR"
        elif grep -q "ERROR: AddressSanitizer" "$log"; then
            RESULT[$t]="CRASH: $(grep -m1 -o 'AddressSanitizer: [a-z-]*' "$log")"
        else
            RESULT[$t]="CRASH (exit $rc)"
        fi

        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" \
                       | tail -1)
        RESULT[$t]="${RESULT[$t]}${artifact:+; input $artifact}"
    done
fi


# -- summary -----------------------------------------------------------------

echo
printf '%-14s %14s  %s\n' target executions result
for t in $TARGETS; do
    printf '%-14s %14s  %s\n' "$t" "${EXECS[$t]:--}" \
           "${RESULT[$t]:-built}"
done
echo "logs in $LOGS"

exit $failed
