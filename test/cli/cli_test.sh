#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# openssl CLI through acrypto (test openssl.cnf) compared with the default provider.
# Usage: cli_test.sh <case> <acrypto.so> <plugin-dir>
set -u
CASE=$1
MODULE=$2
PLUGINS=$3
OPENSSL=${OPENSSL:-openssl}
WORK=$(mktemp -d /tmp/acrypto-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

. "$(dirname "$0")/acrypto_conf.sh"

CONF=$WORK/acrypto.cnf
write_conf "$CONF"
acr() { OPENSSL_CONF=$CONF "$OPENSSL" "$@"; }
# The default provider alone, no configuration file.
dflt() { OPENSSL_CONF=/dev/null "$OPENSSL" "$@"; }

head -c 100003 /dev/urandom > "$WORK/msg"
KEY32=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
IV=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff

case $CASE in
providers)
    out=$(acr list -providers -verbose) || fail "openssl list failed"
    echo "$out" | grep -q "name: acrypto" || fail "acrypto not listed: $out"
    echo "$out" | grep -A4 "name: acrypto" | grep -q "status: active" || fail "acrypto not active: $out"
    ;;
enc)
    for bits in 128 192 256; do
        key=${KEY32:0:$((bits / 4))}
        for mode in ecb cbc ctr; do
            alg=aes-$bits-$mode
            ivarg=(-iv "$IV"); [ $mode = ecb ] && ivarg=()
            for pad in "" -nopad; do
                in=$WORK/msg
                if [ -n "$pad" ] && [ $mode != ctr ]; then head -c 100000 "$WORK/msg" > "$WORK/msg16"; in=$WORK/msg16; fi
                acr enc -$alg -K "$key" "${ivarg[@]}" $pad -propquery provider=acrypto -in "$in" -out "$WORK/a" ||
                    fail "$alg $pad: acrypto enc failed"
                dflt enc -$alg -K "$key" "${ivarg[@]}" $pad -in "$in" -out "$WORK/b" || fail "$alg: default enc failed"
                cmp -s "$WORK/a" "$WORK/b" || fail "$alg $pad: ciphertext differs from the default provider"
                acr enc -d -$alg -K "$key" "${ivarg[@]}" $pad -propquery provider=acrypto -in "$WORK/a" -out "$WORK/c" ||
                    fail "$alg $pad: acrypto dec failed"
                cmp -s "$WORK/c" "$in" || fail "$alg $pad: decryption does not round-trip"
            done
        done
    done
    ;;
dgst)
    for md in sha1 sha224 sha256 sha384 sha512; do
        a=$(acr dgst -$md -propquery provider=acrypto -r "$WORK/msg") || fail "$md: acrypto dgst failed"
        b=$(dflt dgst -$md -r "$WORK/msg") || fail "$md: default dgst failed"
        [ "${a%% *}" = "${b%% *}" ] || fail "$md: digest differs ($a vs $b)"
        a=$(printf abc | acr dgst -$md -propquery provider=acrypto -r) || fail "$md abc"
        b=$(printf abc | dflt dgst -$md -r)
        [ "${a%% *}" = "${b%% *}" ] || fail "$md: digest of abc differs"
    done
    ;;
mac)
    for md in SHA1 SHA224 SHA256 SHA384 SHA512; do
        a=$(acr mac -digest $md -macopt hexkey:$KEY32 -propquery provider=acrypto -in "$WORK/msg" HMAC) ||
            fail "$md: acrypto mac failed"
        b=$(dflt mac -digest $md -macopt hexkey:$KEY32 -in "$WORK/msg" HMAC) || fail "$md: default mac failed"
        [ "$a" = "$b" ] || fail "HMAC-$md differs ($a vs $b)"
    done
    ;;
speed-closed-pipe)
    out=$(: | OPENSSL_CONF=$CONF timeout 120 "$OPENSSL" speed -async_jobs 8 -seconds 1 -propquery provider=acrypto -evp aes-128-cbc \
        2>&1) || fail "speed with a closed stdin pipe: $out"
    echo "$out" | grep -q "^AES-128-CBC\|^aes-128-cbc" || fail "speed printed no result: $out"
    ;;
speed-dev-null)
    out=$(OPENSSL_CONF=$CONF timeout 120 "$OPENSSL" speed -async_jobs 8 -seconds 1 -propquery provider=acrypto -evp aes-128-cbc \
        2>&1 </dev/null) || fail "speed with </dev/null: $out"
    echo "$out" | grep -q "^AES-128-CBC\|^aes-128-cbc" || fail "speed printed no result: $out"
    ;;
speed-multi)
    # -multi forks after acrypto loaded: children start their own scheduler.
    out=$(OPENSSL_CONF=$CONF timeout 120 "$OPENSSL" speed -multi 2 -async_jobs 4 -seconds 1 -bytes 4096 \
        -propquery provider=acrypto -evp aes-128-cbc 2>&1 </dev/null) || fail "speed -multi: $out"
    echo "$out" | grep -q "^AES-128-CBC\|^aes-128-cbc" || fail "speed -multi printed no result: $out"
    ;;
config-unknown-key)
    write_conf "$WORK/bad.cnf" "bogus-key = 1"
    out=$(OPENSSL_CONF=$WORK/bad.cnf "$OPENSSL" dgst -sha256 -propquery provider=acrypto /dev/null 2>&1) &&
        fail "an unknown key must fail provider start-up: $out"
    echo "$out" | grep -q "bogus-key" || fail "error does not name the unknown key: $out"
    ;;
config-bad-value)
    write_conf "$WORK/bad.cnf" "aging-ms = soon"
    out=$(OPENSSL_CONF=$WORK/bad.cnf "$OPENSSL" dgst -sha256 -propquery provider=acrypto /dev/null 2>&1) &&
        fail "a bad value must fail provider start-up: $out"
    echo "$out" | grep -q "aging-ms" || fail "error does not name the key: $out"
    ;;
config-required-missing)
    write_conf "$WORK/bad.cnf" "devices = cpu, nosuchdriver" "required = nosuchdriver"
    out=$(OPENSSL_CONF=$WORK/bad.cnf "$OPENSSL" dgst -sha256 -propquery provider=acrypto /dev/null 2>&1) &&
        fail "a missing required driver must fail start-up: $out"
    echo "$out" | grep -q "nosuchdriver" || fail "error does not name the driver: $out"
    ;;
config-optional-missing)
    write_conf "$WORK/ok.cnf" "devices = cpu, nosuchdriver" "priority.sha256 = 6" "inline-threshold = auto"
    out=$(printf abc | OPENSSL_CONF=$WORK/ok.cnf "$OPENSSL" dgst -sha256 -propquery provider=acrypto -r 2>&1) ||
        fail "an optional missing driver must not fail: $out"
    echo "$out" | grep -q "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" || fail "wrong digest: $out"
    echo "$out" | grep -q "nosuchdriver" || fail "the missing driver is not reported: $out"
    ;;
config-samples)
    # Every sample in config/ loads acrypto and serves a digest (module path added).
    SAMPLES=$(cd "$(dirname "$0")/../../config" && pwd)
    for sample in "$SAMPLES"/*.cnf; do
        sed "s|^\[acrypto_sect\]\$|[acrypto_sect]\nmodule = $MODULE\nplugin-dir = $PLUGINS|" "$sample" > "$WORK/sample.cnf"
        out=$(OPENSSL_CONF=$WORK/sample.cnf "$OPENSSL" list -providers -verbose 2>&1) || fail "$sample: $out"
        echo "$out" | grep -A4 "name: acrypto" | grep -q "status: active" || fail "$sample: acrypto not active: $out"
        a=$(printf abc | OPENSSL_CONF=$WORK/sample.cnf "$OPENSSL" dgst -sha256 -propquery provider=acrypto -r 2>&1) ||
            fail "$sample: dgst failed: $a"
        echo "$a" | grep -q "^ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" ||
            fail "$sample: wrong digest: $a"
    done
    ;;
*)
    fail "unknown case $CASE"
    ;;
esac
echo "ok: $CASE"
