# SPDX-License-Identifier: Apache-2.0
# Sourced by the bench scripts: write_acrypto_cnf <file> <module dir> [<devices>] [<acr line>]
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
