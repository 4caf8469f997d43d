#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sanitizer pass: the whole suite under ASan+UBSan (openssl CLI tests with leak
# detection through a preloaded runtime), concurrency suites under TSan, then
# bounded libFuzzer runs when clang is present.
# scripts/test.sh (CI) calls it once per phase: --only asan, --only tsan.
# Usage: scripts/sanitize.sh [--no-asan] [--no-tsan] [--no-fuzz] [--only asan|tsan|fuzz]
# Env: JOBS (default nproc), TSAN_REGEX (tests run under TSan), TSAN_TARGETS (what the tsan
# build builds: only those tests' executables and the plugins they load), FUZZ_SECONDS
# (per fuzzer, default 20).
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=${JOBS:-$(nproc)}
do_asan=1 do_tsan=1 do_fuzz=1
for a in "$@"; do
    case $a in
    --no-asan) do_asan=0 ;;
    --no-tsan) do_tsan=0 ;;
    --no-fuzz) do_fuzz=0 ;;
    --only) ;;
    asan | tsan | fuzz)
        do_asan=0 do_tsan=0 do_fuzz=0
        eval "do_$a=1" ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
    esac
done
status=0
stamp() { echo "== $(date -u +%H:%M:%S) $*"; }

if [ $do_asan = 1 ]; then
    stamp "asan-ubsan: configure and build"
    cmake --preset asan-ubsan
    cmake --build --preset asan-ubsan -j "$JOBS"
    B=$ROOT/build/asan-ubsan
    # No-op dlclose: modules stay mapped so leak stacks inside them keep symbols.
    mkdir -p "$B/sanitizers"
    cc -shared -fPIC -O1 -o "$B/sanitizers/libnodlclose.so" test/sanitizers/nodlclose.c
    export LSAN_OPTIONS="suppressions=$ROOT/test/sanitizers/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
    stamp "asan-ubsan: ctest (whole suite)"
    ctest --preset asan-ubsan -j "$JOBS" || status=1

    # The CLI tests above run with leak detection off (test/cli sets ASAN_OPTIONS);
    # run them again here with leaks on, the runtime and the dlclose shim preloaded.
    stamp "asan-ubsan: openssl CLI with LeakSanitizer"
    rt=$(c++ -print-file-name=libasan.so)
    mod=$B/modules/acrypto.so
    plugdir=$B/modules/acrypto
    # The runtime is preloaded into openssl alone (a wrapper), not into the test's shell,
    # whose own exit-time allocations would be reported.
    cat >"$B/sanitizers/openssl" <<WRAP
#!/bin/sh
LD_PRELOAD="$rt:$B/sanitizers/libnodlclose.so" ASAN_OPTIONS="detect_leaks=1:verify_asan_link_order=0" exec $(command -v openssl) "\$@"
WRAP
    chmod +x "$B/sanitizers/openssl"
    for c in providers enc dgst mac config-unknown-key config-bad-value config-required-missing \
        config-optional-missing config-samples; do
        if OPENSSL=$B/sanitizers/openssl test/cli/cli_test.sh "$c" "$mod" "$plugdir" \
            >"$B/sanitizers/cli-$c.log" 2>&1; then
            echo "cli $c: ok"
        else
            echo "cli $c: FAILED (log $B/sanitizers/cli-$c.log)"; tail -n 40 "$B/sanitizers/cli-$c.log"
            status=1
        fi
    done
fi

if [ $do_tsan = 1 ]; then
    # Only what the concurrency suites need: their executables (each depends on the device
    # plugins it loads); the rest of the tree is covered under ASan.
    targets=${TSAN_TARGETS:-sched_unit_tests cpu_unit_test sim_unit_test mb_unit_tests hifn_test
        fastcrypt_unit_tests hw_common_test conformance_test native_unit_test e2e_fault_soak_test
        e2e_async_soak_test
        acrypto_integration_test provider_unit_tests}
    stamp "tsan: configure and build $(echo $targets)"
    cmake --preset tsan
    # shellcheck disable=SC2086
    cmake --build --preset tsan -j "$JOBS" --target $targets
    export TSAN_OPTIONS="suppressions=$ROOT/test/sanitizers/tsan.supp:halt_on_error=0:second_deadlock_stack=1:die_after_fork=0"
    regex=${TSAN_REGEX:-'^(scheduler|cpu|sim|mb|hifn|fastcrypt|hw_common|conformance|native|e2e)\.|^provider\.WaitNotifier|^integration\.(AsyncJobs|BusyDevice)'}
    stamp "tsan: ctest -R $regex"
    ctest --preset tsan -j "$JOBS" -R "$regex" || status=1
fi

if [ $do_fuzz = 1 ]; then
    if command -v clang++ >/dev/null 2>&1 || command -v clang++-14 >/dev/null 2>&1; then
        stamp "fuzz: bounded runs"
        scripts/fuzz.sh || status=1
    else
        echo "fuzz: clang not found, skipped"
    fi
fi
stamp "done, status $status"
exit $status
