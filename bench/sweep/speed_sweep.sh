#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# openssl speed sweep: default provider vs acrypto sync vs acrypto -async_jobs N over symmetric
# algorithms (16 B .. 16 KiB) and public-key operations; medians of N runs into a CSV and a PNG.
# Usage: bench/sweep/speed_sweep.sh [-m <module dir>] [-s <seconds>] [-r <runs>] [-j "16 32"]
#                                  [-d <devices>] [-E] [-a "<tests>"] [-S] [-o <output dir>]
#                                  [-t <tag>] [-p]
#   -E: no devices key in openssl.cnf (the provider's embedded default device list)
#   -a: only these tests, e.g. "aes-128-cbc sha256" (default: aes-128-cbc aes-128-gcm sha256
#       hmac-sha256 pkey; also known: aes-128-ctr aes-256-xts chacha20 sha1 sha512 aes-128-xts
#       aes-256-cbc des-ede3-cbc chacha20-poly1305 sha384 hmac-sha512 hmac-sha1 aes-128-ecb
#       aes-256-ctr aes-256-gcm sha224)
#   -S: skip the acrypto sync mode (default and async modes only)
#   -p: no measurement, plot the existing <output dir>/speed-<tag>.csv again
#   module dir: folder holding acrypto.so and acrypto/ (default: build/release/modules)
#   output: <output dir>/speed-<tag>.csv and .png (default bench/results, tag = UTC date)
# CSV columns: algorithm,operation,size,mode,median,unit,runs,values
#   (size in bytes for symmetric rows, key bits for public-key rows; unit bytes/s or ops/s).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/acrypto_cnf.sh"
MODDIR=$ROOT/build/release/modules
SECS=1
RUNS=3
JOBS="16 32"
DEVICES=cpu
EMBEDDED=
ONLY=
NOSYNC=
OUT=$ROOT/bench/results
TAG=$(date -u +%Y-%m-%d)
PLOT_ONLY=
while getopts "m:s:r:j:d:Ea:So:t:ph" o; do
    case $o in
    m) MODDIR=$(cd "$OPTARG" && pwd) ;;
    s) SECS=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    j) JOBS=$OPTARG ;;
    d) DEVICES=$OPTARG ;;
    E) EMBEDDED=1 ;;
    a) ONLY=$OPTARG ;;
    S) NOSYNC=1 ;;
    o) OUT=$OPTARG ;;
    t) TAG=$OPTARG ;;
    p) PLOT_ONLY=1 ;;
    *) sed -n 3,15p "$0"; exit 2 ;;
    esac
done
OPENSSL=${OPENSSL:-openssl}
[ -n "$PLOT_ONLY" ] || [ -f "$MODDIR/acrypto.so" ] || { echo "no $MODDIR/acrypto.so: build first" >&2; exit 1; }
mkdir -p "$OUT"
CSV=$OUT/speed-$TAG.csv
PNG=$OUT/speed-$TAG.png
TMP=$(mktemp -d /tmp/acrypto-sweep.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# Default: the default provider alone. acrypto: preferred for every fetch (default_properties
# steers the public-key contexts, which openssl speed creates without its -propquery).
write_default_cnf "$TMP/default.cnf"
write_acrypto_cnf "$TMP/acrypto.cnf" "$MODDIR" "$([ -n "$EMBEDDED" ] || echo "$DEVICES")"

# Each test: label | speed arguments (symmetric tests get -propquery in acrypto modes).
TESTS=("aes-128-cbc|-evp aes-128-cbc" "aes-128-gcm|-evp aes-128-gcm" "sha256|-evp sha256"
    "hmac-sha256|-hmac sha256" "pkey|rsa2048 ecdsap256 ecdhx25519"
    "aes-128-ctr|-evp aes-128-ctr" "aes-256-xts|-evp aes-256-xts" "chacha20|-evp chacha20"
    "sha1|-evp sha1" "sha512|-evp sha512" "aes-128-xts|-evp aes-128-xts"
    "aes-256-cbc|-evp aes-256-cbc" "des-ede3-cbc|-evp des-ede3-cbc"
    "chacha20-poly1305|-evp chacha20-poly1305" "sha384|-evp sha384" "hmac-sha512|-hmac sha512"
    "hmac-sha1|-hmac sha1" "aes-128-ecb|-evp aes-128-ecb" "aes-256-ctr|-evp aes-256-ctr"
    "aes-256-gcm|-evp aes-256-gcm" "sha224|-evp sha224")
ONLY=${ONLY:-aes-128-cbc aes-128-gcm sha256 hmac-sha256 pkey}
if [ -n "$ONLY" ]; then
    SEL=()
    for t in "${TESTS[@]}"; do
        for a in $ONLY; do [ "${t%%|*}" = "$a" ] && SEL+=("$t"); done
    done
    [ ${#SEL[@]} -gt 0 ] || { echo "-a: no known test in '$ONLY'" >&2; exit 2; }
    TESTS=("${SEL[@]}")
fi
MODES=(default)
[ -n "$NOSYNC" ] || MODES+=(sync)
for j in $JOBS; do MODES+=("async$j"); done

# one <mode> <test args>: raw "alg,op,size,value,unit" rows of one openssl speed run
one() {
    local mode=$1 cnf=$TMP/acrypto.cnf pq=(-propquery provider=acrypto) aj=()
    shift
    [ "$mode" = default ] && { cnf=$TMP/default.cnf; pq=(); }
    [ "${mode#async}" != "$mode" ] && aj=(-async_jobs "${mode#async}")
    case "$1" in -evp | -hmac) ;; *) pq=() ;; esac
    OPENSSL_CONF=$cnf timeout $((SECS * 20 + 60)) "$OPENSSL" speed -elapsed -mr -seconds "$SECS" \
        "${pq[@]}" "${aj[@]}" "$@" </dev/null 2>/dev/null |
        awk -F: '
            /^\+H:/ { for (i = 2; i <= NF; i++) sz[i + 2] = $i }
            /^\+F:/ { n = tolower($3); if (n ~ /^hmac\(/) { sub(/^hmac\(/, "hmac-", n); sub(/\)$/, "", n) }
                      for (i = 4; i <= NF; i++) printf "%s,encrypt,%s,%s,bytes/s\n", n, sz[i], $i }
            /^\+F2:/ { printf "rsa,sign,%s,%s,ops/s\nrsa,verify,%s,%s,ops/s\n", $3, $4, $3, $5 }
            /^\+F4:/ { printf "ecdsa,sign,%s,%s,ops/s\necdsa,verify,%s,%s,ops/s\n", $3, $4, $3, $5 }
            /^\+F5:/ { printf "ecdh,derive,%s,%s,ops/s\n", $3, $4 }' |
        sed -e 's/^\(sha1\|sha224\|sha256\|sha384\|sha512\),encrypt/\1,digest/' -e 's/^\(hmac-sha[0-9]*\),encrypt/\1,mac/'
}

if [ -z "$PLOT_ONLY" ]; then
[ -z "$EMBEDDED" ] || DEVICES="(embedded default)"
echo "openssl speed sweep: $("$OPENSSL" version), -seconds $SECS, $RUNS runs, devices = $DEVICES," \
    "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$TMP/header" "$CSV.txt"
: >"$TMP/raw"
# The modes of one test run back to back, so that the host's drift over the minutes a
# sweep takes falls on all of them alike (a whole mode's tests in a row put minutes
# between a test's default and acrypto runs).
for r in $(seq "$RUNS"); do
    for t in "${TESTS[@]}"; do
        for mode in "${MODES[@]}"; do
            # shellcheck disable=SC2086
            one "$mode" ${t#*|} | sed "s/^/$mode,$r,/" >>"$TMP/raw"
        done
    done
    echo "run $r/$RUNS done" >&2
done
# raw: mode,run,alg,op,size,value,unit -> median per (alg,op,size,mode)
{
    echo "algorithm,operation,size,mode,median,unit,runs,values"
    awk -F, '{ k = $3 "," $4 "," $5 "," $1; v[k] = v[k] (v[k] == "" ? "" : " ") $6; u[k] = $7; n[k]++
               if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
        END { for (i = 1; i <= m; i++) { k = order[i]; c = split(v[k], a, " ")
                for (x = 1; x <= c; x++) for (y = x + 1; y <= c; y++) if (a[y] + 0 < a[x] + 0) { t = a[x]; a[x] = a[y]; a[y] = t }
                med = (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
                printf "%s,%.2f,%s,%d,%s\n", k, med, u[k], n[k], v[k] } }' "$TMP/raw" |
        sort -t, -k1,1 -k2,2 -k3,3n -s
} >"$CSV"
echo "wrote $CSV"
else
    head -n 1 "$CSV.txt" >"$TMP/header"
fi

# Plot: throughput vs size per symmetric algorithm, and public-key rates relative to default.
# The symmetric algorithms in the CSV, in order (one plot each, at most five).
SYM=$(awk -F, 'NR > 1 && $6 == "bytes/s" && !($1 in s) { s[$1] = 1; printf "%s ", $1 }' "$CSV" |
    cut -d' ' -f1-5)
if command -v gnuplot >/dev/null && [ -n "$SYM" ]; then
    for a in $SYM; do
        for m in "${MODES[@]}"; do
            awk -F, -v a="$a" -v m="$m" '$1 == a && $4 == m { print $3, $5 / 1e6 }' "$CSV" >"$TMP/$a.$m.dat"
        done
    done
    awk -F, 'NR > 1 && $6 == "ops/s" { k = $1 " " $2; r[k, $4] = $5; if (!(k in s)) { s[k] = 1; o[++n] = k } }
        END { for (i = 1; i <= n; i++) { k = o[i]; d = r[k, "default"]; if (d <= 0) continue
              line = k; sub(/ /, "-", line)
              printf "%s", line; split(modes, ms, " ")
              for (j = 1; j in ms; j++) printf " %.3f", r[k, ms[j]] / d; print "" } }' \
        modes="${MODES[*]}" "$CSV" >"$TMP/pkey.dat"
    {
        echo "set terminal pngcairo size 1500,900 font ',10' noenhanced"
        echo "set output '$PNG'"
        echo "set multiplot layout 2,3 title \"$(sed 's/"/'"'"'/g' "$TMP/header")\""
        echo "set logscale x 2; set grid; set key top left; set xlabel 'bytes'; set ylabel 'MB/s'"
        for a in $SYM; do
            echo "set title '$a'"
            printf "plot "
            sep=
            for m in "${MODES[@]}"; do
                printf "%s'%s' using 1:2 with linespoints title '%s'" "$sep" "$TMP/$a.$m.dat" "$m"
                sep=", "
            done
            echo
        done
        if [ ! -s "$TMP/pkey.dat" ]; then echo "unset multiplot"; else
        echo "unset logscale x; set xlabel ''; set ylabel 'rate / default provider'"
        echo "set title 'public key (ops/s relative to default)'; set style data histograms"
        echo "set style histogram clustered; set style fill solid 0.7; set xtics rotate by -30"
        echo "set yrange [0:*]; set key top right"
        printf "plot "
        sep=
        i=2
        for m in "${MODES[@]}"; do
            printf "%s'%s' using %d:xtic(1) title '%s'" "$sep" "$TMP/pkey.dat" "$i" "$m"
            sep=", "
            i=$((i + 1))
        done
        echo
        echo "unset multiplot"
        fi
    } >"$TMP/plot.gp"
    gnuplot "$TMP/plot.gp" && echo "wrote $PNG"
elif [ -n "$SYM" ]; then
    echo "gnuplot not installed (apt-get install gnuplot-nox): no plot" >&2
fi

# Ratios to the default provider per symmetric row (same run), one line per algorithm and mode.
awk -F, 'NR > 1 && $6 == "bytes/s" { k = $1; if (!(k in seen)) { seen[k] = 1; algs[++na] = k }
        if (!(($3) in sz)) { sz[$3] = 1; sizes[++ns] = $3 }
        if (!(($4) in md)) { md[$4] = 1; modes[++nm] = $4 }; v[k, $3, $4] = $5 }
    END { if (na == 0) exit
          for (i = 1; i <= ns; i++) for (j = i + 1; j <= ns; j++) if (sizes[j] + 0 < sizes[i] + 0) {
              t = sizes[i]; sizes[i] = sizes[j]; sizes[j] = t }
          printf "%-12s %-8s", "ratio", "mode"; for (i = 1; i <= ns; i++) printf " %7s", sizes[i]; print ""
          for (a = 1; a <= na; a++) for (m = 1; m <= nm; m++) { if (modes[m] == "default") continue
              printf "%-12s %-8s", algs[a], modes[m]
              for (i = 1; i <= ns; i++) { d = v[algs[a], sizes[i], "default"]
                  printf " %7s", (d > 0 ? sprintf("%.2f", v[algs[a], sizes[i], modes[m]] / d) : "-") }
              print "" } }' "$CSV" | tee "$CSV.ratios"

# The public-key rows: each mode's rate over the default provider's (same run), e.g. the
# async8 column is -async_jobs 8 through acrypto against the default provider's sync rate.
awk -F, 'NR > 1 && $6 == "ops/s" { k = $1 " " $2 " " $3; if (!(k in seen)) { seen[k] = 1; keys[++nk] = k }
        if (!(($4) in md)) { md[$4] = 1; modes[++nm] = $4 }; v[k, $4] = $5 }
    END { if (nk == 0) exit
          printf "%-21s", "ratio (ops/s)"
          for (m = 1; m <= nm; m++) if (modes[m] != "default") printf " %8s", modes[m]
          print ""
          for (i = 1; i <= nk; i++) { d = v[keys[i], "default"]; printf "%-21s", keys[i]
              for (m = 1; m <= nm; m++) if (modes[m] != "default")
                  printf " %8s", (d > 0 ? sprintf("%.2f", v[keys[i], modes[m]] / d) : "-")
              print "" } }' "$CSV" | tee -a "$CSV.ratios"
