#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Server CPU time per TLS handshake, default provider against acrypto, in one process
# without network (hs_cpu.c): what acrypto adds to (or saves from) each handshake on the
# caller's thread. Synchronous callers: whatever runs on a device's worker is not counted
# (see bench/haproxy/hs_bench.sh for the asynchronous server). Default and acrypto runs
# interleaved, medians of N runs; CSV on stdout (and in the output file).
# Usage: bench/tls/hs_cpu.sh [-m <module dir>] [-n <handshakes per run>] [-r <runs>]
#                            [-v tls1_2|tls1_3] [-d <devices>] [-o <csv>]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/acrypto_cnf.sh"
MODDIR=$ROOT/build/release/modules
N=1500
RUNS=3
VERSION=tls1_3
DEVICES=cpu
CSV=
while getopts "m:n:r:v:d:o:h" o; do
    case $o in
    m) MODDIR=$(cd "$OPTARG" && pwd) ;;
    n) N=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    v) VERSION=$OPTARG ;;
    d) DEVICES=$OPTARG ;;
    o) CSV=$OPTARG ;;
    *) sed -n 3,10p "$0"; exit 2 ;;
    esac
done
case $VERSION in tls1_2 | tls1_3) ;; *) echo "-v: tls1_2 or tls1_3" >&2; exit 2 ;; esac
[ -f "$MODDIR/acrypto.so" ] || { echo "no $MODDIR/acrypto.so: build first" >&2; exit 1; }
OPENSSL=${OPENSSL:-openssl}
TMP=$(mktemp -d /tmp/acrypto-hscpu.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
unset OPENSSL_CONF
cc -O2 -o "$TMP/hs_cpu" "$ROOT/bench/tls/hs_cpu.c" -lssl -lcrypto
write_bench_certs "$TMP" "$OPENSSL"
write_acrypto_cnf "$TMP/acrypto.cnf" "$MODDIR" "$DEVICES" ""
write_default_cnf "$TMP/default.cnf"

echo "# hs_cpu: $VERSION full handshakes, $N per run, median of $RUNS, acrypto devices = $DEVICES," \
    "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
out="cert,mode,median_server_us,runs"
for cert in rsa ecdsa; do
    declare -A vals=([default]="" [acrypto]="")
    for _ in $(seq "$RUNS"); do # interleaved: both modes see the same machine
        for mode in default acrypto; do
            r=$(OPENSSL_CONF="$TMP/$mode.cnf" "$TMP/hs_cpu" "$TMP/$cert.pem" "$N" "$VERSION")
            vals[$mode]="${vals[$mode]} $(echo "$r" | sed -n 's/.*server_us=\([0-9.]*\).*/\1/p')"
        done
    done
    d=$(echo "${vals[default]}" | median)
    a=$(echo "${vals[acrypto]}" | median)
    out="$out"$'\n'"$cert,default,$d,${vals[default]# }"$'\n'"$cert,acrypto,$a,${vals[acrypto]# }"
    out="$out"$'\n'"$cert,ratio,$(awk -v a="$a" -v d="$d" 'BEGIN { printf "%.2f", d / a }'),"
done
echo "$out"
[ -z "$CSV" ] || echo "$out" >"$CSV"
