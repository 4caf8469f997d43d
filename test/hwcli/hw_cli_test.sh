#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# HIFN and FastCrypt chip models serving the openssl CLI through acrypto.so, with no other device.
# Usage: hw_cli_test.sh <case> <acrypto.so> <plugin-dir>
set -u
CASE=$1
MODULE=$2
PLUGINS=$3
OPENSSL=${OPENSSL:-openssl}
WORK=$(mktemp -d /tmp/acrypto-hwcli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

. "$(dirname "$0")/../cli/acrypto_conf.sh"
# Only the named devices exist and nothing runs inline: the hardware model must serve.
write_hw_conf() { local f=$1; shift; write_conf "$f" "inline-threshold = 0" "$@"; }
acr() { OPENSSL_CONF=$CONF "$OPENSSL" "$@"; }
dflt() { OPENSSL_CONF=/dev/null "$OPENSSL" "$@"; }

# stat_of <file> <name>: value of one counter from the provider's statistics dump.
stat_of() { sed -n "s/^$2=//p" "$1" | head -n 1; }

head -c 262147 /dev/urandom > "$WORK/msg"
head -c 262144 "$WORK/msg" > "$WORK/msg16"
KEY32=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
KEY24=0123456789abcdeffedcba987654321089abcdef01234567
IV16=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
IV8=1122334455667788

# compare_enc <alg> <key> <iv or -> <input>: encrypt and decrypt through acrypto, compare with default.
compare_enc() {
    local alg=$1 key=$2 iv=$3 in=$4 ivarg=()
    [ "$iv" != - ] && ivarg=(-iv "$iv")
    acr enc -"$alg" -K "$key" "${ivarg[@]}" -propquery provider=acrypto -in "$in" -out "$WORK/a" \
        || fail "$alg encrypt through acrypto failed"
    dflt enc -"$alg" -K "$key" "${ivarg[@]}" -in "$in" -out "$WORK/d" || fail "$alg default encrypt failed"
    cmp -s "$WORK/a" "$WORK/d" || fail "$alg ciphertext differs from the default provider"
    acr enc -d -"$alg" -K "$key" "${ivarg[@]}" -propquery provider=acrypto -in "$WORK/d" -out "$WORK/p" \
        || fail "$alg decrypt through acrypto failed"
    cmp -s "$WORK/p" "$in" || fail "$alg decrypt through acrypto does not round-trip"
}

case $CASE in
hifn-enc)
    CONF=$WORK/hifn.cnf
    write_hw_conf "$CONF" "devices = hifn" "required = hifn" "hifn.model = 1"
    for bits in 128 192 256; do
        compare_enc aes-$bits-cbc "${KEY32:0:$((bits / 4))}" "$IV16" "$WORK/msg"
        compare_enc aes-$bits-ecb "${KEY32:0:$((bits / 4))}" - "$WORK/msg"
    done
    ;;
hifn-dgst)
    CONF=$WORK/hifn.cnf
    write_hw_conf "$CONF" "devices = hifn" "required = hifn" "hifn.model = 1"
    # One-shot on the chip: stay under its 0x3FFFC-byte hash limit (it has no continuation).
    head -c 100001 "$WORK/msg" > "$WORK/small"
    a=$(acr dgst -sha1 -propquery provider=acrypto -r "$WORK/small" | cut -d' ' -f1) || fail "sha1 through acrypto failed"
    d=$(dflt dgst -sha1 -r "$WORK/small" | cut -d' ' -f1)
    [ -n "$a" ] && [ "$a" = "$d" ] || fail "sha1 differs: acrypto=$a default=$d"
    # SHA-256 is not a HIFN 795x hash: with only the chip configured it must fail, not fall back silently.
    if acr dgst -sha256 -propquery provider=acrypto "$WORK/small" > /dev/null 2>&1; then
        fail "sha256 served although the only device cannot hash SHA-256"
    fi
    ;;
hifn-speed-two-instances)
    CONF=$WORK/hifn.cnf
    write_hw_conf "$CONF" "devices = hifn" "required = hifn" "hifn.model = 2"
    # speed applies -propquery only to the -evp fetch that follows it.
    ACRYPTO_STATS_FILE=$WORK/stats timeout 60 env OPENSSL_CONF="$CONF" "$OPENSSL" speed -elapsed -seconds 1 \
        -async_jobs 8 -bytes 4096 -propquery provider=acrypto -evp aes-128-cbc < /dev/null > "$WORK/out" 2>&1 \
        || { cat "$WORK/out"; fail "openssl speed through two HIFN models failed"; }
    [ -s "$WORK/stats" ] || fail "no statistics written at provider teardown (ACRYPTO_STATS_FILE)"
    for d in hifn0 hifn1; do
        n=$(stat_of "$WORK/stats" "dev.$d.completed")
        [ -n "$n" ] && [ "$n" -gt 0 ] || { cat "$WORK/stats"; fail "$d completed no session (got '$n')"; }
        f=$(stat_of "$WORK/stats" "dev.$d.failed")
        [ "${f:-0}" -eq 0 ] || fail "$d failed $f sessions"
    done
    echo "hifn0=$(stat_of "$WORK/stats" dev.hifn0.completed) hifn1=$(stat_of "$WORK/stats" dev.hifn1.completed)"
    ;;
fastcrypt-enc)
    CONF=$WORK/fc.cnf
    write_hw_conf "$CONF" "devices = fastcrypt" "required = fastcrypt" "fastcrypt.model = 1"
    compare_enc des-ede3-cbc "$KEY24" "$IV8" "$WORK/msg"
    compare_enc des-ede3-ecb "$KEY24" - "$WORK/msg"
    ;;
fastcrypt-speed)
    CONF=$WORK/fc.cnf
    write_hw_conf "$CONF" "devices = fastcrypt" "required = fastcrypt" "fastcrypt.model = 2"
    # speed applies -propquery only to the -evp fetch that follows it.
    ACRYPTO_STATS_FILE=$WORK/stats timeout 60 env OPENSSL_CONF="$CONF" "$OPENSSL" speed -elapsed -seconds 1 \
        -async_jobs 16 -bytes 8192 -propquery provider=acrypto -evp des-ede3-cbc < /dev/null > "$WORK/out" 2>&1 \
        || { cat "$WORK/out"; fail "openssl speed through two FastCrypt models failed"; }
    [ -s "$WORK/stats" ] || fail "no statistics written at provider teardown (ACRYPTO_STATS_FILE)"
    for d in fastcrypt0 fastcrypt1; do
        n=$(stat_of "$WORK/stats" "dev.$d.completed")
        [ -n "$n" ] && [ "$n" -gt 0 ] || { cat "$WORK/stats"; fail "$d completed no session (got '$n')"; }
    done
    ;;
*)
    fail "unknown case $CASE"
    ;;
esac
echo "PASS: $CASE"
