#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Build the libFuzzer targets with clang in build-fuzz and run each for a bounded time.
# Usage: FUZZ_SECONDS=N scripts/fuzz.sh [fuzzer names...]   (default: every *_fuzz target)
# Env: FUZZ_SECONDS per fuzzer (default 20), JOBS (default nproc), CC_FUZZ/CXX_FUZZ (default
# clang/clang++). Exits non-zero when a target crashes, leaks or times out; exits 0 with a
# message when clang or its libFuzzer runtime is missing (the gcc build still replays the
# corpora as the fuzz_replay.* tests).
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=${JOBS:-$(nproc)}
SECS=${FUZZ_SECONDS:-20}
CC=${CC_FUZZ:-$(command -v clang || command -v clang-14 || true)}
CXX=${CXX_FUZZ:-$(command -v clang++ || command -v clang++-14 || true)}
if [ -z "$CC" ] || [ -z "$CXX" ]; then
    echo "fuzz.sh: SKIPPED: clang/clang++ not found (set CC_FUZZ/CXX_FUZZ)"
    exit 0
fi
B=$ROOT/build-fuzz
mkdir -p "$B"
probe=$(mktemp -d)
printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
    'extern "C" int LLVMFuzzerTestOneInput(const uint8_t *, size_t) { return 0; }' >"$probe/p.cpp"
if ! "$CXX" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" >"$probe/log" 2>&1; then
    echo "fuzz.sh: SKIPPED: $CXX cannot link -fsanitize=fuzzer (libFuzzer runtime missing):"
    sed -n 1,5p "$probe/log"
    rm -rf "$probe"
    exit 0
fi
rm -rf "$probe"
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined"
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DACRYPTO_FUZZ=ON -DACRYPTO_BUILD_BENCH=OFF \
    -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_MODULE_LINKER_FLAGS="-fsanitize=address,undefined" >"$B/configure.log" 2>&1 ||
    { cat "$B/configure.log"; exit 1; }
if [ $# -gt 0 ]; then
    names="$*"
else
    names=$(ls test/fuzz/*_fuzz.cpp | sed 's#.*/##; s#_fuzz.cpp##')
fi
targets=$(for n in $names; do echo "${n}_fuzz"; done)
# shellcheck disable=SC2086
cmake --build "$B" -j "$JOBS" --target $targets
status=0
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=1"
for n in $names; do
    bin=$(find "$B/test/fuzz" -name "${n}_fuzz" -type f | head -n 1)
    if [ -z "$bin" ]; then
        echo "fuzz $n: FAILED, no ${n}_fuzz binary in $B"
        status=1
        continue
    fi
    work=$B/corpus-work/$n
    mkdir -p "$work" "$B/artifacts/$n"
    echo "== $(date -u +%H:%M:%S) fuzz $n for ${SECS}s"
    # New inputs go to the work folder; the committed seed corpus is only read.
    if "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$B/artifacts/$n/" "$work" "test/fuzz/corpus/$n" >"$B/fuzz-$n.log" 2>&1; then
        grep -E 'stat::number_of_executed_units|cov:' "$B/fuzz-$n.log" | tail -n 2
    else
        echo "fuzz $n: FAILED, artifacts in $B/artifacts/$n"; tail -n 60 "$B/fuzz-$n.log"
        status=1
    fi
done
exit $status
