#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# In-process sweep: bench/evp_pair (acrypto against the default provider in one process, round by
# round) over ciphers, AEADs, digests and HMACs; a CSV and a table of the median ratios.
# Usage: bench/sweep/pair_sweep.sh [-m <module dir>] [-b <evp_pair>] [-a "<kind:alg> ..."]
#                                 [-s "<sizes>"] [-r <rounds>] [-t <ms per round>]
#                                 [-d <devices>] [-o <csv>]
#   -a: only these, e.g. "cipher:aes-128-cbc hmac:sha256" (kinds: cipher cipher-oop aead
#       digest digest-reuse hmac; default: cipher aes-128-cbc aes-256-cbc aes-128-ctr
#       aes-128-xts aes-256-xts chacha20 des-ede3-cbc, aead aes-128-gcm chacha20-poly1305,
#       digest sha1 sha256 sha384 sha512, hmac sha256 sha512)
#   -s: sizes in bytes (default "16 64 256 1024 8192"; XTS skips sizes under 16)
#   -r, -t: evp_pair's rounds and milliseconds per round (default 21 and 100: one size takes
#       about 2.2 s, the default list of 15 at 5 sizes about 3 minutes)
#   -d: acrypto's devices key (default: none, the provider's embedded default device list)
#   module dir: folder holding acrypto.so and acrypto/ (default: build/release/modules)
#   evp_pair: default build/release/bench/evp_pair (ninja -C build/release evp_pair)
#   output: default bench/results/pair-<UTC date>.csv
# CSV columns (evp_pair's): kind,algorithm,bytes,default_ns_median,acrypto_ns_median,
#   ratio_median,ratio_min,ratio_max,rounds; ratio = default time / acrypto time of one round
#   (> 1: acrypto faster). Exit status 1 if any entry failed (2 if outputs differed).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/acrypto_cnf.sh"
MODDIR=$ROOT/build/release/modules
BIN=$ROOT/build/release/bench/evp_pair
ONLY=
SIZES="16 64 256 1024 8192"
ROUNDS=21
MS=100
DEVICES=
CSV=$ROOT/bench/results/pair-$(date -u +%Y-%m-%d).csv
while getopts "m:b:a:s:r:t:d:o:h" o; do
    case $o in
    m) MODDIR=$(cd "$OPTARG" && pwd) ;;
    b) BIN=$OPTARG ;;
    a) ONLY=$OPTARG ;;
    s) SIZES=$OPTARG ;;
    r) ROUNDS=$OPTARG ;;
    t) MS=$OPTARG ;;
    d) DEVICES=$OPTARG ;;
    o) CSV=$OPTARG ;;
    *) sed -n 3,21p "$0"; exit 2 ;;
    esac
done
[ $OPTIND -gt $# ] || { echo "unexpected argument: ${*:$OPTIND:1}" >&2; exit 2; }
[ -f "$MODDIR/acrypto.so" ] || { echo "no $MODDIR/acrypto.so: build first" >&2; exit 1; }
[ -x "$BIN" ] || { echo "no $BIN: build it first (ninja -C build/release evp_pair)" >&2; exit 1; }
for v in "-r:$ROUNDS" "-t:$MS"; do
    case ${v#*:} in '' | *[!0-9]*) echo "${v%%:*}: '${v#*:}' is not a whole number" >&2; exit 2 ;; esac
done
for s in $SIZES; do
    case $s in '' | *[!0-9]*) echo "-s: '$s' is not a size in bytes" >&2; exit 2 ;; esac
done
[ -n "$SIZES" ] || { echo "-s: no sizes" >&2; exit 2; }

DEFAULT_LIST="cipher:aes-128-cbc cipher:aes-256-cbc cipher:aes-128-ctr cipher:aes-128-xts
    cipher:aes-256-xts cipher:chacha20 cipher:des-ede3-cbc aead:aes-128-gcm
    aead:chacha20-poly1305 digest:sha1 digest:sha256 digest:sha384 digest:sha512 hmac:sha256
    hmac:sha512"
LIST=${ONLY:-$DEFAULT_LIST}
for e in $LIST; do
    case ${e%%:*} in
    cipher | cipher-oop | aead | digest | digest-reuse | hmac) ;;
    *) echo "-a: '$e' is not <kind>:<algorithm> with a known kind" >&2; exit 2 ;;
    esac
    case $e in *:?*) ;; *) echo "-a: '$e' has no algorithm" >&2; exit 2 ;; esac
done

TMP=$(mktemp -d /tmp/acrypto-pair.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
write_acrypto_cnf "$TMP/acrypto.cnf" "$MODDIR" "$DEVICES"
mkdir -p "$(dirname "$CSV")"

echo "evp_pair sweep: $(openssl version 2>/dev/null || echo "OpenSSL"), $ROUNDS rounds of" \
    "~$MS ms, devices = ${DEVICES:-(embedded default)}, $(nproc) cores," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
OPENSSL_CONF=$TMP/acrypto.cnf "$BIN" -n 1 -r 1 digest sha256 16 >"$CSV" ||
    { echo "evp_pair cannot run against $MODDIR (see above)" >&2; exit 1; }
head -n 1 "$CSV" >"$TMP/csv" && mv "$TMP/csv" "$CSV"
status=0
for e in $LIST; do
    kind=${e%%:*} alg=${e#*:} sizes=
    for s in $SIZES; do
        if [ "$s" -lt 16 ] && [ "${alg#*xts}" != "$alg" ]; then
            echo "$e: XTS takes 16 bytes or more: $s skipped" >&2
            continue
        fi
        sizes="$sizes $s"
    done
    [ -n "$sizes" ] || continue
    rc=0
    # shellcheck disable=SC2086
    OPENSSL_CONF=$TMP/acrypto.cnf "$BIN" -H -r "$ROUNDS" -t "$MS" "$kind" "$alg" $sizes \
        >>"$CSV" || rc=$?
    if [ $rc -ne 0 ]; then
        echo "$e: evp_pair failed (exit $rc)" >&2
        if [ $rc -eq 2 ]; then status=2; elif [ $status -eq 0 ]; then status=1; fi
    else
        echo "$e done" >&2
    fi
done
echo "wrote $CSV"

# Ratio medians: one row per kind and algorithm, one column per size ("-": not measured).
awk -F, 'NR > 1 { k = $1 " " $2; if (!(k in seen)) { seen[k] = 1; rows[++nr] = k }
        if (!(($3) in sz)) { sz[$3] = 1; sizes[++ns] = $3 }; v[k, $3] = $6 }
    END { for (i = 1; i <= ns; i++) for (j = i + 1; j <= ns; j++) if (sizes[j] + 0 < sizes[i] + 0) {
              t = sizes[i]; sizes[i] = sizes[j]; sizes[j] = t }
          printf "%-32s", "ratio default/acrypto"; for (i = 1; i <= ns; i++) printf " %7s", sizes[i]
          print ""
          for (r = 1; r <= nr; r++) { printf "%-32s", rows[r]
              for (i = 1; i <= ns; i++)
                  printf " %7s", ((rows[r], sizes[i]) in v ? v[rows[r], sizes[i]] : "-")
              print "" } }' "$CSV"
exit $status
