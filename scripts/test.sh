#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's test command and CI's (.ci/run): install dependencies, then five phases, each
# timed (wall, CPU, load average) and run even when an earlier one failed; exits non-zero when
# any phase failed.
#   dev   configure the dev preset (-Werror), build everything, ctest the whole suite
#   asan  asan-ubsan preset: build (no benchmarks), whole suite, then the openssl CLI cases
#         again with LeakSanitizer (scripts/sanitize.sh --only asan)
#   tsan  tsan preset: build only the concurrency suites' targets, run them
#         (scripts/sanitize.sh --only tsan)
#   fuzz  bounded libFuzzer runs (scripts/fuzz.sh, FUZZ_SECONDS per fuzzer; skipped without clang)
#   lint  clang-format check, clang-tidy on a bounded file set, spelling (scripts/lint.sh)
# Usage: scripts/test.sh [--no-deps] [extra ctest arguments for the dev phase]
# Env: ACRYPTO_TEST_PHASES  phases to run (default "dev asan tsan fuzz lint"); for a quick local
#                           run: ACRYPTO_TEST_PHASES=dev scripts/test.sh --no-deps
#      ACRYPTO_TEST_SKIP    phases to leave out of that list, e.g. "asan tsan"
#      JOBS (default nproc), FUZZ_SECONDS (default 10 here), TSAN_REGEX (see sanitize.sh)
set -eu
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--no-deps" ]; then
    shift
else
    scripts/deps.sh
fi
JOBS=${JOBS:-$(nproc)}
export JOBS
phases=${ACRYPTO_TEST_PHASES:-dev asan tsan fuzz lint}
skip=" ${ACRYPTO_TEST_SKIP:-} "
for p in $phases; do
    case $p in
    dev | asan | tsan | fuzz | lint) ;;
    *) echo "test.sh: unknown phase '$p' (dev asan tsan fuzz lint)" >&2; exit 2 ;;
    esac
done

# Phases run as `if ( phase )`, where set -e does not apply: chain steps with &&.
phase_dev() {
    cmake --preset dev && cmake --build --preset dev -j "$JOBS" && ctest --preset dev -j "$JOBS" "$@"
}
phase_asan() { scripts/sanitize.sh --only asan; }
phase_tsan() { scripts/sanitize.sh --only tsan; }
phase_fuzz() { FUZZ_SECONDS=${FUZZ_SECONDS:-10} scripts/fuzz.sh; }
phase_lint() { scripts/lint.sh --tidy-build build/dev; }

tf=$(mktemp)
logs=$(mktemp -d)
trap 'rm -rf "$tf" "$logs"' EXIT
cpu_seconds() { # sets cpu to user+sys seconds of this shell's finished children (no subshell)
    times >"$tf"
    cpu=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] } }
               END { printf "%.0f", s }' "$tf")
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

status=0
summary=()
for p in $phases; do
    case $skip in *" $p "*) summary+=("$p: skipped (ACRYPTO_TEST_SKIP)"); continue ;; esac
    echo "== $(date -u +%H:%M:%S) phase $p: start (load $(loadavg))"
    t0=$(date +%s); cpu_seconds; c0=$cpu
    # Each phase's output is kept so that the summary can repeat what failed: a CI log is often
    # read from its tail, thousands of lines after the failure.
    ( "phase_$p" "$@" ) 2>&1 | tee "$logs/$p.log"
    if [ "${PIPESTATUS[0]}" = 0 ]; then r=ok; else r=FAILED; status=1; fi
    t1=$(date +%s); cpu_seconds; c1=$cpu
    line="$p: $r, $((t1 - t0)) s wall, $((c1 - c0)) s CPU, load $(loadavg)"
    echo "== $(date -u +%H:%M:%S) phase $line"
    summary+=("$line")
done
echo "== $(date -u +%H:%M:%S) summary"
printf '   %s\n' "${summary[@]}"
# What failed, per failed phase: ctest's failed tests and failed CLI cases, then GoogleTest
# failures with the lines after them, sanitizer reports' first lines and compiler errors.
failure_digest() {
    grep -E '^[[:space:]]*[0-9]+ - .*\((Failed|Timeout|SEGFAULT|Subprocess aborted|Child aborted|Exception|OTHER_FAULT|ILLEGAL|BAD_COMMAND|Not Run)\)$|^cli .*: FAILED' "$1" | head -30
    echo "--"
    grep -E -A3 ': Failure$|ERROR: [A-Za-z]+Sanitizer|WARNING: ThreadSanitizer|Tracer caught|runtime error:|: error:' "$1" |
        grep -vE '^[[:space:]]*[0-9]+/[0-9]+ Test ' | head -50
}
for line in "${summary[@]}"; do
    case $line in
    *": FAILED,"*)
        p=${line%%:*}
        echo "== what failed in phase $p"
        failure_digest "$logs/$p.log" | sed 's/^/   /'
        ;;
    esac
done
exit $status
