#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# openssl req / x509 / pkeyutl round trips with keys used through acrypto, checked by the
# default provider alone. Usage: cli_keys.sh <openssl> <module dir> <plugin dir>
set -eu
OPENSSL=$1 MODDIR=$2 PLUGDIR=$3
export ACRYPTO_PLUGIN_DIR=$PLUGDIR
unset OPENSSL_CONF
WORK=$(mktemp -d /tmp/acrypto-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
A=(-provider-path "$MODDIR" -provider acrypto -provider default -propquery '?provider=acrypto')
cd "$WORK"
step() { echo "== $*"; }

step "keys generated through acrypto (EC, X25519) and by default (RSA)"
"$OPENSSL" genpkey "${A[@]}" -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem
"$OPENSSL" genpkey "${A[@]}" -algorithm X25519 -out x1.pem
"$OPENSSL" genpkey -algorithm X25519 -out x2.pem
"$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null
"$OPENSSL" pkey -in ec.pem -noout -check   # default provider re-reads acrypto's key
for k in rsa ec; do "$OPENSSL" pkey -in $k.pem -pubout -out $k.pub; done
"$OPENSSL" pkey -in x2.pem -pubout -out x2.pub
"$OPENSSL" pkey -in x1.pem -pubout -out x1.pub

step "req -x509 signed by acrypto, verified by default"
for k in rsa ec; do
    "$OPENSSL" req "${A[@]}" -new -x509 -key $k.pem -subj /CN=acrypto-$k -days 1 -sha256 -out $k.crt
    "$OPENSSL" verify -CAfile $k.crt $k.crt
done

step "x509 -req: a CSR and a certificate signed through acrypto"
"$OPENSSL" req "${A[@]}" -new -key ec.pem -subj /CN=leaf -out leaf.csr
"$OPENSSL" req -in leaf.csr -noout -verify
"$OPENSSL" x509 "${A[@]}" -req -in leaf.csr -CA rsa.crt -CAkey rsa.pem -CAcreateserial -days 1 \
    -sha256 -out leaf.crt
"$OPENSSL" verify -CAfile rsa.crt leaf.crt

step "pkeyutl sign (acrypto) / verify (default) and back"
head -c 32 /dev/urandom > h.bin
for k in rsa ec; do
    "$OPENSSL" pkeyutl "${A[@]}" -sign -inkey $k.pem -in h.bin -out $k.sig -pkeyopt digest:sha256
    "$OPENSSL" pkeyutl -verify -pubin -inkey $k.pub -in h.bin -sigfile $k.sig -pkeyopt digest:sha256
    "$OPENSSL" pkeyutl -sign -inkey $k.pem -in h.bin -out $k.sig2 -pkeyopt digest:sha256
    "$OPENSSL" pkeyutl "${A[@]}" -verify -pubin -inkey $k.pub -in h.bin -sigfile $k.sig2 \
        -pkeyopt digest:sha256
done
"$OPENSSL" pkeyutl "${A[@]}" -sign -inkey rsa.pem -in h.bin -out pss.sig \
    -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss
"$OPENSSL" pkeyutl -verify -pubin -inkey rsa.pub -in h.bin -sigfile pss.sig \
    -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss

step "pkeyutl encrypt (default) / decrypt (acrypto), OAEP"
head -c 40 /dev/urandom > m.bin
"$OPENSSL" pkeyutl -encrypt -pubin -inkey rsa.pub -in m.bin -out m.enc -pkeyopt rsa_padding_mode:oaep
"$OPENSSL" pkeyutl "${A[@]}" -decrypt -inkey rsa.pem -in m.enc -out m.dec -pkeyopt rsa_padding_mode:oaep
cmp m.bin m.dec

step "pkeyutl derive X25519: acrypto and default agree"
"$OPENSSL" pkeyutl "${A[@]}" -derive -inkey x1.pem -peerkey x2.pub -out s1.bin
"$OPENSSL" pkeyutl -derive -inkey x2.pem -peerkey x1.pub -out s2.bin
cmp s1.bin s2.bin

step "genpkey RSA-PSS through acrypto, restricted to SHA-256; signed by acrypto, verified by default"
"$OPENSSL" genpkey "${A[@]}" -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 \
    -pkeyopt rsa_pss_keygen_md:sha256 -pkeyopt rsa_pss_keygen_saltlen:32 -out pss.pem
"$OPENSSL" pkey -in pss.pem -noout -text | grep -q "Hash Algorithm: SHA2-256"
"$OPENSSL" pkey -in pss.pem -pubout -out pss.pub
"$OPENSSL" pkeyutl "${A[@]}" -sign -inkey pss.pem -in h.bin -out pssk.sig -pkeyopt digest:sha256
"$OPENSSL" pkeyutl -verify -pubin -inkey pss.pub -in h.bin -sigfile pssk.sig -pkeyopt digest:sha256

step "cms to an EC recipient (ECDH with the X9.63 KDF) through acrypto, both ways"
"$OPENSSL" req -new -x509 -key ec.pem -subj /CN=ec-recipient -days 1 -out ecr.crt
"$OPENSSL" cms "${A[@]}" -encrypt -binary -aes-128-cbc -in m.bin -out m.cms ecr.crt
"$OPENSSL" cms -decrypt -in m.cms -inkey ec.pem -recip ecr.crt -out m.cms.dec
cmp m.bin m.cms.dec
"$OPENSSL" cms -encrypt -binary -aes-128-cbc -in m.bin -out m2.cms ecr.crt
"$OPENSSL" cms "${A[@]}" -decrypt -in m2.cms -inkey ec.pem -recip ecr.crt -out m2.cms.dec
cmp m.bin m2.cms.dec

step "acrypto served them (its scheduler starts on first use)"
ACRYPTO_DEBUG=1 "$OPENSSL" pkeyutl "${A[@]}" -sign -inkey ec.pem -in h.bin -out d.sig 2>&1 |
    grep -q "acrypto: scheduler started"
echo "all ok"
