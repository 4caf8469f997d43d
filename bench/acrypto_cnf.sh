# SPDX-License-Identifier: Apache-2.0
# Sourced by the bench scripts.
# write_acrypto_cnf <file> <module dir> [<devices>] [<acr line>]
# writes an openssl.cnf that loads the default provider and acrypto from <module dir>, with
# acrypto preferred for every fetch (default_properties also steers the contexts openssl speed
# makes without its -propquery, the public-key ones). No <devices>: the embedded default list.
# <acr line>: one more key = value line for acrypto's section (e.g. "algorithms = RSA").
write_acrypto_cnf() {
    cat >"$1" <<CNF
openssl_conf = init
[init]
providers = provs
alg_section = evp_props
[provs]
default = dflt
acrypto = acr
[dflt]
activate = 1
[acr]
module = $2/acrypto.so
activate = 1
$([ -n "${3:-}" ] && echo "devices = $3")
$([ -n "${4:-}" ] && echo "$4")
[evp_props]
default_properties = ?provider=acrypto
CNF
}

# write_default_cnf <file>: an openssl.cnf that loads the default provider alone.
write_default_cnf() {
    printf 'openssl_conf = init\n[init]\nproviders = provs\n[provs]\ndefault = dflt\n[dflt]\nactivate = 1\n' \
        >"$1"
}

# write_bench_certs <dir> <openssl>: self-signed certificates with their keys, for localhost,
# valid two days: <dir>/rsa.pem (RSA-2048) and <dir>/ecdsa.pem (ECDSA P-256).
write_bench_certs() {
    "$2" req -x509 -newkey rsa:2048 -nodes -keyout "$1/k" -out "$1/c" -subj /CN=localhost \
        -days 2 2>/dev/null && cat "$1/c" "$1/k" >"$1/rsa.pem"
    "$2" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1/k" \
        -out "$1/c" -subj /CN=localhost -days 2 2>/dev/null && cat "$1/c" "$1/k" >"$1/ecdsa.pem"
    rm -f "$1/k" "$1/c"
}

# median: the median of the numbers on stdin (spaces or newlines apart; for an even count,
# the mean of the middle two).
median() {
    tr ' ' '\n' | grep . | sort -n |
        awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
