#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Side-by-side `openssl speed -elapsed`: default provider vs acrypto sync vs acrypto -async_jobs N.
# Usage: bench/speed_demo.sh [-m <module dir>] [-a <alg>] [-s <seconds>] [-j <async jobs>] [-r <runs>]
#                            [-d <devices>] [-c <openssl.cnf>]
#   module dir: folder holding acrypto.so and acrypto/ (default: build/release/modules)
#   devices: acrypto's `devices` key (default "cpu, mb" when the mb plugin is built, else "cpu")
set -eu
HERE=$(cd "$(dirname "$0")/.." && pwd)
MODDIR=$HERE/build/release/modules
ALG=aes-128-cbc
SECS=1
JOBS=16
RUNS=3
CONF=
DEVICES=
while getopts "m:a:s:j:r:c:d:h" o; do
    case $o in
    m) MODDIR=$(cd "$OPTARG" && pwd) ;;
    a) ALG=$OPTARG ;;
    s) SECS=$OPTARG ;;
    j) JOBS=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    c) CONF=$OPTARG ;;
    d) DEVICES=$OPTARG ;;
    *) sed -n 3,7p "$0"; exit 2 ;;
    esac
done
OPENSSL=${OPENSSL:-openssl}
[ -f "$MODDIR/acrypto.so" ] || { echo "no $MODDIR/acrypto.so: build first (scripts/demo.sh)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/acrypto-speed.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
if [ -z "$DEVICES" ]; then
    DEVICES=cpu
    [ -f "$MODDIR/acrypto/acrypto-dev-mb.so" ] && DEVICES="cpu, mb"
fi
if [ -z "$CONF" ]; then
    CONF=$TMP/openssl.cnf
    cat > "$CONF" <<CNF
openssl_conf = init
[init]
providers = provs
[provs]
default = default_sect
acrypto = acrypto_sect
[default_sect]
activate = 1
[acrypto_sect]
module = $MODDIR/acrypto.so
activate = 1
devices = $DEVICES
CNF
fi

# run <label> <args...>: prints the speed line (bytes/s per size, in 1000s) of one run.
run() {
    OPENSSL_CONF=$CONF "$OPENSSL" speed -elapsed -seconds "$SECS" "$@" -evp "$ALG" </dev/null 2>/dev/null |
        awk -v alg="$ALG" 'tolower($1) == tolower(alg) { $1 = ""; gsub(/k/, ""); print }'
}

# median of RUNS runs, per column
median_runs() {
    for _ in $(seq "$RUNS"); do run "$@"; done |
        awk '{ for (i = 1; i <= NF; i++) v[i, NR] = $i; n = NF; rows = NR }
             END { for (i = 1; i <= n; i++) { m = 0; for (r = 1; r <= rows; r++) a[r] = v[i, r];
                   for (x = 1; x <= rows; x++) for (y = x + 1; y <= rows; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
                   printf "%s ", a[int((rows + 1) / 2)] } print "" }'
}

echo "openssl speed -elapsed -evp $ALG -seconds $SECS, median of $RUNS runs ($("$OPENSSL" version))"
echo "acrypto devices: $DEVICES (configuration: $CONF)"
D=$(median_runs -propquery provider=default)
S=$(median_runs -propquery provider=acrypto)
A=$(median_runs -propquery provider=acrypto -async_jobs "$JOBS")
printf '%-28s %12s %12s %12s %12s %12s %12s\n' "1000s of bytes/s" 16B 64B 256B 1KiB 8KiB 16KiB
printf '%-28s %12s %12s %12s %12s %12s %12s\n' "default provider" $D
printf '%-28s %12s %12s %12s %12s %12s %12s\n' "acrypto sync" $S
printf '%-28s %12s %12s %12s %12s %12s %12s\n' "acrypto -async_jobs $JOBS" $A
ratio() { paste <(echo "$1" | tr ' ' '\n') <(echo "$2" | tr ' ' '\n') |
          awk 'NF == 2 && $2 > 0 { printf "%12.2f ", $1 / $2 }'; }
printf '%-28s %s\n' "ratio sync/default" "$(ratio "$S" "$D")"
printf '%-28s %s\n' "ratio async/default" "$(ratio "$A" "$D")"
