#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# HAProxy TLS 1.3 handshake rate at nbthread 1: default provider vs acrypto (ssl-mode-async),
# RSA-2048 and ECDSA P-256 certificates, full handshakes without resumption from a loopback
# epoll client (hsload.c); default and acrypto runs interleaved, medians of N runs, CSV on
# stdout and in the output file. Besides the rate, each run reports the CPU time per handshake
# of HAProxy's thread (main_us), of its other threads (acrypto's workers, workers_us) and of
# the client (client_us): on a shared machine the rate follows the CPU share the run got,
# the per-handshake CPU times do not.
# Usage: bench/haproxy/hs_bench.sh [-m <module dir>] [-t <seconds per point>] [-r <runs>]
#                                  [-c <client connections>] [-d <devices>] [-o <csv>]
#                                  [-a <acrypto algorithms key, e.g. "RSA">]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/haproxy
. "$ROOT/bench/acrypto_cnf.sh"
MODDIR=$ROOT/build/release/modules
SECS=10
RUNS=3
CONNS=64
DEVICES=cpu
ALGS=
CSV=
while getopts "m:t:r:c:d:o:a:h" o; do
    case $o in
    m) MODDIR=$(cd "$OPTARG" && pwd) ;;
    t) SECS=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    c) CONNS=$OPTARG ;;
    d) DEVICES=$OPTARG ;;
    o) CSV=$OPTARG ;;
    a) ALGS=$OPTARG ;;
    *) sed -n 3,12p "$0"; exit 2 ;;
    esac
done
HAPROXY=$(PATH=$PATH:/usr/sbin command -v haproxy) || { echo "haproxy not installed" >&2; exit 1; }
OPENSSL=${OPENSSL:-openssl}
[ -f "$MODDIR/acrypto.so" ] || { echo "no $MODDIR/acrypto.so: build first" >&2; exit 1; }
TMP=$(mktemp -d /tmp/acrypto-hsbench.XXXXXX)
HPID=
trap '[ -n "$HPID" ] && kill $HPID 2>/dev/null; rm -rf "$TMP"' EXIT
unset OPENSSL_CONF
cc -O2 -o "$TMP/hsload" "$HERE/hsload.c" -lssl -lcrypto
write_bench_certs "$TMP" "$OPENSSL"
# (default_properties there asks for what ssl-propquery below asks for)
write_acrypto_cnf "$TMP/acrypto.cnf" "$MODDIR" "$DEVICES" "${ALGS:+algorithms = $ALGS}"
PORT=$((30000 + $$ % 20000))

# cfg <mode> <cert>: HAProxy configuration for one point
cfg() {
    echo "global"
    echo "    nbthread 1"
    echo "    maxconn 4096"
    echo "    ulimit-n 16384"
    if [ "$1" = acrypto ]; then
        echo "    ssl-provider-path $MODDIR"
        echo "    ssl-provider default"
        echo "    ssl-provider acrypto"
        echo "    ssl-propquery ?provider=acrypto"
        echo "    ssl-mode-async"
    fi
    echo "defaults"
    echo "    mode http"
    echo "    timeout connect 5s"
    echo "    timeout client 10s"
    echo "    timeout server 10s"
    echo "frontend tls"
    echo "    bind 127.0.0.1:$PORT ssl crt $TMP/$2.pem ssl-min-ver TLSv1.3"
    echo "    http-request return status 200 content-type text/plain string ok"
}

# ticks <pid>: "tid cputicks" per thread of a process
ticks() { for t in /proc/"$1"/task/*; do echo "${t##*/} $(cut -d' ' -f14,15 "$t/stat" | tr ' ' +)"; done; }

# point <mode> <cert>: one run, "rate main_us workers_us client_us"
point() {
    PORT=$((PORT + 1))
    cfg "$1" "$2" >"$TMP/h.cfg"
    local env=()
    [ "$1" = acrypto ] && env=(OPENSSL_CONF="$TMP/acrypto.cnf")
    env "${env[@]}" "$HAPROXY" -db -f "$TMP/h.cfg" >"$TMP/h.log" 2>&1 &
    HPID=$!
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
    kill -0 "$HPID" 2>/dev/null || { echo "haproxy did not start:" >&2; cat "$TMP/h.log" >&2; exit 1; }
    local sig=rsa_pss_rsae_sha256
    [ "$2" = ecdsa ] && sig=ecdsa_secp256r1_sha256
    "$TMP/hsload" "$PORT" "$CONNS" 1 tls1_3 "$sig" >/dev/null || true # warm-up
    local r t0 t1 c
    t0=$(ticks "$HPID")
    # The client's CPU: its subshell's reaped-children time (cutime + cstime), read with builtins.
    r=$("$TMP/hsload" "$PORT" "$CONNS" "$SECS" tls1_3 "$sig"
        read -r -a f <"/proc/$BASHPID/stat"
        echo "client_ticks=$((f[15] + f[16]))")
    t1=$(ticks "$HPID")
    c=$(echo "$r" | sed -n 's/client_ticks=//p')
    r=$(echo "$r" | grep -v client_ticks=)
    kill -0 "$HPID" 2>/dev/null ||
        echo "$1 $2: haproxy exited during the run: $(grep -m 1 -E 'FATAL|ALERT' "$TMP/h.log")" >&2
    kill "$HPID" 2>/dev/null
    wait "$HPID" 2>/dev/null || true
    local n rate us
    n=$(echo "$r" | sed -n 's/.*handshakes=\([0-9]*\).*/\1/p')
    rate=$(echo "$r" | sed -n 's/.*rate=\([0-9.]*\).*/\1/p')
    # Thread CPU deltas in clock ticks, as microseconds per handshake.
    us=$(join <(echo "$t0") <(echo "$t1") | awk -v h="$HPID" -v n="$n" -v hz="$(getconf CLK_TCK)" \
        -v c="$c" '{ split($2, a, "+"); split($3, b, "+"); d = b[1] + b[2] - a[1] - a[2]
            if ($1 == h) m += d; else w += d }
        END { k = 1e6 / hz / (n > 0 ? n : 1); printf "%.0f %.0f %.0f", m * k, w * k, c * k }')
    HPID=
    # RSA-2048 signing is offloaded (ECDSA P-256 signs inline: under the offload cost threshold).
    [ "$1" = acrypto ] && [ "$2" = rsa ] && [ "$(echo "$us" | cut -d' ' -f2)" = 0 ] &&
        echo "$1 $2: no CPU time on acrypto's worker threads (provider not used?)" >&2
    echo "$rate $us"
    echo "$1 $2: $r main_us=${us%% *} workers_us=$(echo "$us" | cut -d' ' -f2) client_us=${us##* }" >&2
}

echo "# HAProxy $("$HAPROXY" -v | head -n 1 | awk '{ print $3 }'), nbthread 1, TLS 1.3, $CONNS client connections," \
    "${SECS}s per point, median of $RUNS, acrypto devices = $DEVICES, algorithms = ${ALGS:-all}, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
out="cert,mode,median_hs_per_s,runs,values,median_main_us,median_workers_us,median_client_us"
col() { echo "$1" | cut -d' ' -f"$2" | median; }
for cert in rsa ecdsa; do
    declare -A med res
    res[default]= res[acrypto]=
    for _ in $(seq "$RUNS"); do # interleaved: both modes see the same load
        for mode in default acrypto; do res[$mode]="${res[$mode]}$(point "$mode" "$cert")"$'\n'; done
    done
    for mode in default acrypto; do
        rows=$(echo "${res[$mode]}" | grep .)
        med[$mode]=$(col "$rows" 1)
        out="$out"$'\n'"$cert,$mode,${med[$mode]},$RUNS,$(echo "$rows" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//'),$(col "$rows" 2),$(col "$rows" 3),$(col "$rows" 4)"
    done
    out="$out"$'\n'"$cert,ratio,$(awk -v a="${med[acrypto]}" -v d="${med[default]}" 'BEGIN { printf "%.2f", a / d }'),,,,,"
done
out="$out"$'\n'"# load at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$out"
[ -n "$CSV" ] && echo "$out" >"$CSV"
exit 0
