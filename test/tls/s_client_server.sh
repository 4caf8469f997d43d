#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# openssl s_server / s_client over 127.0.0.1 with acrypto loaded: TLS 1.2 (ECDHE-RSA, ECDHE-ECDSA,
# RSA key transport, CBC suites with and without encrypt-then-MAC) and TLS 1.3, with and without
# -async. Usage:
#   s_client_server.sh <openssl> <module dir> <plugin dir>
# The apps apply -propquery to key loading (OSSL_STORE) too, which acrypto does not
# implement, so acrypto is preferred (?provider=acrypto) rather than mandatory here; the
# in-process suite (tls_inprocess_test.cpp) checks the statistics. ACRYPTO_DEBUG shows
# that the acrypto scheduler started, i.e. acrypto ran operations in both processes.
set -u
OPENSSL=$1 MODDIR=$2 PLUGDIR=$3
export ACRYPTO_PLUGIN_DIR=$PLUGDIR ACRYPTO_DEBUG=1
unset OPENSSL_CONF
WORK=$(mktemp -d /tmp/acrypto-tls.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
P=(-provider-path "$MODDIR" -provider acrypto -provider default -propquery '?provider=acrypto')

"$OPENSSL" req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/rsa.key" -out "$WORK/rsa.crt" \
    -subj /CN=localhost -days 1 2>/dev/null || exit 1
"$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ec.key" \
    -out "$WORK/ec.crt" -subj /CN=localhost -days 1 2>/dev/null || exit 1

# Ports: a block of 200 in 41000-48999 chosen from the process id.
PORT=$((41000 + ($$ % 40) * 200))
fails=0
skips=0
# TLS 1.2 CBC records need the cipher's TLS mode (tls-version / tls-mac-size parameters).
cbc_tls=no
"$OPENSSL" list -provider-path "$MODDIR" -provider acrypto -verbose -cipher-algorithms \
    -propquery provider=acrypto 2>/dev/null | awk '/AES-128-CBC/{f=1} f&&/tls-version/{print; exit}' |
    grep -q tls-version && cbc_tls=yes
run_case() { # name cert version-flags expect-protocol expect-cipher [async]
    local name=$1 cert=$2 flags=$3 proto=$4 cipher=$5 async=${6:-}
    local out="$WORK/$name$async"
    for attempt in 1 2 3; do
        PORT=$((PORT + 1))
        # shellcheck disable=SC2086
        timeout 30 "$OPENSSL" s_server "${P[@]}" $async -accept "127.0.0.1:$PORT" \
            -cert "$WORK/$cert.crt" -key "$WORK/$cert.key" -naccept 1 -www $flags \
            >"$out.srv" 2>&1 &
        local spid=$!
        for _ in $(seq 50); do
            grep -q ACCEPT "$out.srv" 2>/dev/null && break
            kill -0 $spid 2>/dev/null || break
            sleep 0.1
        done
        if ! grep -q ACCEPT "$out.srv"; then wait $spid 2>/dev/null; continue; fi
        # shellcheck disable=SC2086
        printf 'GET / HTTP/1.0\r\n\r\n' | timeout 20 "$OPENSSL" s_client "${P[@]}" $async \
            -connect "127.0.0.1:$PORT" $flags -ign_eof >"$out.cli" 2>&1
        wait $spid 2>/dev/null
        break
    done
    # "New, <version the suite was defined in>, Cipher is ..."; the session says the protocol.
    if grep -q "New, .*, Cipher is $cipher" "$out.cli" && grep -q "Protocol *: $proto" "$out.cli" &&
        grep -q "200 ok" "$out.cli" &&
        grep -q "acrypto: scheduler started" "$out.srv" &&
        grep -q "acrypto: scheduler started" "$out.cli"; then
        echo "ok   $name $async"
    elif [ "${name#tls1[12]_cbc}" != "$name" ] && [ "$cbc_tls" = no ]; then
        echo "skip $name $async (acrypto's AES-CBC has no TLS record mode: no tls-version param)"
        skips=$((skips + 1))
    elif [ "${name#tls12_ecdhe}" != "$name" ] && grep -q "no shared cipher" "$out.srv"; then
        # libssl (3.0) offers a group only when the provider serving its keymgmt declares
        # it (TLS-GROUP capability); until acrypto's provider entry forwards
        # acrypto_pk_get_capabilities, ECDHE under ?provider=acrypto has no group.
        echo "skip $name $async (acrypto declares no TLS groups)"; skips=$((skips + 1))
    else
        echo "FAIL $name $async"; tail -n 5 "$out.srv" "$out.cli"; fails=$((fails + 1))
    fi
}

for a in "" -async; do
    run_case tls13_aes rsa "-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384" TLSv1.3 TLS_AES_256_GCM_SHA384 $a
    run_case tls13_chacha ec "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256" TLSv1.3 \
        TLS_CHACHA20_POLY1305_SHA256 $a
    run_case tls12_ecdhe_rsa rsa "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256" TLSv1.2 \
        ECDHE-RSA-AES128-GCM-SHA256 $a
    run_case tls12_ecdhe_ecdsa ec "-tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384" TLSv1.2 \
        ECDHE-ECDSA-AES256-GCM-SHA384 $a
    run_case tls12_rsa_kx rsa "-tls1_2 -cipher AES256-GCM-SHA384" TLSv1.2 AES256-GCM-SHA384 $a
    # CBC suites: with encrypt-then-MAC, AES-CBC in TLS record mode plus HMAC; with -no_etm,
    # libssl takes the stitched AES-CBC-HMAC ciphers (one two-step session per record). TLS 1.0
    # and 1.1 records are covered by tls_cbc_test.cpp (their PRF needs HMAC-MD5).
    run_case tls12_cbc rsa "-tls1_2 -cipher AES128-SHA256" TLSv1.2 AES128-SHA256 $a
    run_case tls12_cbc_sha rsa "-tls1_2 -cipher AES128-SHA" TLSv1.2 AES128-SHA $a
    run_case tls12_cbc_stitched rsa "-tls1_2 -no_etm -cipher AES256-SHA" TLSv1.2 AES256-SHA $a
    # No stitched cipher for SHA-384: AES-CBC record mode removes padding and MAC itself.
    run_case tls12_ecdhe_cbc_mte rsa "-tls1_2 -no_etm -cipher ECDHE-RSA-AES256-SHA384" TLSv1.2 \
        ECDHE-RSA-AES256-SHA384 $a
    run_case tls12_ecdhe_cbc_stitched rsa "-tls1_2 -no_etm -cipher ECDHE-RSA-AES128-SHA256" \
        TLSv1.2 ECDHE-RSA-AES128-SHA256 $a
done
[ $fails -gt 0 ] && exit 1
[ $skips -gt 0 ] && exit 77
exit 0
