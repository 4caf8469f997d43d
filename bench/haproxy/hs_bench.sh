#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# HAProxy TLS 1.3 handshake rate at nbthread 1: default provider vs acrypto (ssl-mode-async),
# RSA-2048 and ECDSA P-256 certificates, full handshakes without resumption from a loopback
# epoll client (hsload.c); medians of N runs, CSV on stdout and in the output file.
# Usage: bench/haproxy/hs_bench.sh [-m <module dir>] [-t <seconds per point>] [-r <runs>]
#                                  [-c <client connections>] [-d <devices>] [-o <csv>]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/haproxy
MODDIR=$ROOT/build/release/modules
SECS=10
RUNS=3
CONNS=64
DEVICES=cpu
CSV=
while getopts "m:t:r:c:d:o:h" o; do
    case $o in
    m) MODDIR=$(cd "$OPTARG" && pwd) ;;
    t) SECS=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    c) CONNS=$OPTARG ;;
    d) DEVICES=$OPTARG ;;
    o) CSV=$OPTARG ;;
    *) sed -n 3,7p "$0"; exit 2 ;;
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
"$OPENSSL" req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/k" -out "$TMP/c" -subj /CN=localhost \
    -days 2 2>/dev/null && cat "$TMP/c" "$TMP/k" >"$TMP/rsa.pem"
"$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/k" \
    -out "$TMP/c" -subj /CN=localhost -days 2 2>/dev/null && cat "$TMP/c" "$TMP/k" >"$TMP/ecdsa.pem"
cat >"$TMP/acrypto.cnf" <<CNF
openssl_conf = init
[init]
providers = provs
[provs]
default = dflt
acrypto = acr
[dflt]
activate = 1
[acr]
module = $MODDIR/acrypto.so
activate = 1
devices = $DEVICES
CNF
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

# point <mode> <cert>: one run's handshakes/s
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
    local r
    r=$("$TMP/hsload" "$PORT" "$CONNS" "$SECS" tls1_3 "$sig")
    kill -0 "$HPID" 2>/dev/null ||
        echo "$1 $2: haproxy exited during the run: $(grep -m 1 -E 'FATAL|ALERT' "$TMP/h.log")" >&2
    kill "$HPID" 2>/dev/null
    wait "$HPID" 2>/dev/null || true
    HPID=
    echo "$r" | sed -n 's/.*rate=\([0-9.]*\).*/\1/p'
    echo "$1 $2: $r" >&2
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "# HAProxy $("$HAPROXY" -v | head -n 1 | awk '{ print $3 }'), nbthread 1, TLS 1.3, $CONNS client connections," \
    "${SECS}s per point, median of $RUNS, acrypto devices = $DEVICES, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
out="cert,mode,median_hs_per_s,runs,values"
for cert in rsa ecdsa; do
    declare -A med
    for mode in default acrypto; do
        vals=
        for _ in $(seq "$RUNS"); do vals="$vals $(point "$mode" "$cert")"; done
        med[$mode]=$(echo "$vals" | median)
        out="$out"$'\n'"$cert,$mode,${med[$mode]},$RUNS,$(echo $vals)"
    done
    out="$out"$'\n'"$cert,ratio,$(awk -v a="${med[acrypto]}" -v d="${med[default]}" 'BEGIN { printf "%.2f", a / d }'),,"
done
echo "$out"
[ -n "$CSV" ] && echo "$out" >"$CSV"
exit 0
