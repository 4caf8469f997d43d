#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Check every stanza of the DES/3DES vector files against `openssl enc` (legacy + default providers).
set -eu
dir=$(dirname "$0")
fail=0
for f in "$dir"/des.txt "$dir"/tdes.txt; do
    awk -F' = ' '$1=="Cipher"{c=$2} $1=="Key"{k=$2} $1=="IV"{iv=$2} $1=="Plaintext"{p=$2}
        $1=="Ciphertext"{print c, k, (iv==""?"-":iv), p, $2; c=k=iv=p=""}' "$f" |
    while read -r cipher key iv pt ct; do
        lc=$(echo "$cipher" | tr 'A-Z' 'a-z')
        set -- -"$lc" -K "$key" -nopad -provider legacy -provider default
        [ "$iv" != "-" ] && set -- "$@" -iv "$iv"
        got=$(printf '%s' "$pt" | xxd -r -p | openssl enc "$@" | xxd -p -c 256 | tr 'a-f' 'A-F')
        if [ "$got" = "$ct" ]; then echo "ok   $f $cipher $key"; else echo "FAIL $f $cipher $key: $got"; exit 1; fi
    done || fail=1
done
exit $fail
