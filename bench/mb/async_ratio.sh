#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Async-offload ratio of the mb device: openssl speed -async_jobs N through acrypto
# under the embedded default device list (no devices key) against the default
# provider's synchronous rate, alternating runs in the same invocation.
# Usage: async_ratio.sh [-m module dir] [-s secs] [-r runs] [-j jobs] [-b "sizes"] [-a "tests"]
#   tests: aes-128-cbc sha256 hmac-sha256 (default: aes-128-cbc)
# Prints one line per test and size: default median, acrypto median (MB/s), ratio, the
# acrypto process's MB per CPU-second (user + system, all threads; the default provider's
# single thread uses about one CPU-second per second), the load average before the runs,
# and every value. On a shared machine the CPU-second figure is the steadier one.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/acrypto_cnf.sh"
MODDIR=$ROOT/build/release/modules
SECS=2
RUNS=3
JOBS=32
SIZES="1024 8192 16384"
TESTS="aes-128-cbc"
while getopts "m:s:r:j:b:a:" o; do
    case $o in
    m) MODDIR=$(cd "$OPTARG" && pwd) ;;
    s) SECS=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    j) JOBS=$OPTARG ;;
    b) SIZES=$OPTARG ;;
    a) TESTS=$OPTARG ;;
    *) sed -n '3,9p' "$0"; exit 2 ;;
    esac
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
write_acrypto_cnf "$TMP/acrypto.cnf" "$MODDIR"

# bytes/s of the last result line of an `openssl speed -mr` run (+F:...:size:value).
rate() { awk -F: '/^\+F/ {v = $NF} END {printf "%.0f\n", v * 1}' "$1"; }

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

for t in $TESTS; do
    case $t in
    hmac-sha256) args="-hmac sha256" ;;
    *) args="-evp $t" ;;
    esac
    for b in $SIZES; do
        load=$(cut -d' ' -f1 /proc/loadavg)
        d="" a="" e=""
        for _ in $(seq "$RUNS"); do
            OPENSSL_CONF=/dev/null openssl speed -mr -elapsed -seconds "$SECS" -bytes "$b" \
                $args >"$TMP/d.out" 2>/dev/null
            d="$d $(rate "$TMP/d.out")"
            OPENSSL_CONF=$TMP/acrypto.cnf /usr/bin/time -f "%U %S" -o "$TMP/t.out" openssl speed -mr -elapsed -seconds "$SECS" -bytes "$b" \
                -async_jobs "$JOBS" -propquery provider=acrypto $args >"$TMP/a.out" 2>/dev/null
            r=$(rate "$TMP/a.out")
            a="$a $r"
            e="$e $(awk -v r="$r" -v s="$SECS" '{c = $1 + $2; printf "%.0f", (c > 0 ? r * s / c : 0)}' "$TMP/t.out")"
        done
        dm=$(echo "$d" | median)
        am=$(echo "$a" | median)
        em=$(echo "$e" | median)
        awk -v t="$t" -v b="$b" -v dm="$dm" -v am="$am" -v em="$em" -v l="$load" -v d="$d" -v a="$a" \
            'BEGIN {printf "%-12s %6s default %5.0f MB/s acrypto %5.0f MB/s ratio %5.2f cpu-eff %5.0f MB/cpu-s load %s |%s |%s\n",
                    t, b, dm / 1e6, am / 1e6, dm ? am / dm : 0, em / 1e6, l, d, a}'
    done
done
