# SPDX-License-Identifier: Apache-2.0
# Shared by the openssl CLI test scripts: write a test openssl.cnf loading acrypto beside default.
# Needs MODULE (acrypto.so) and PLUGINS (plugin folder) set by the caller.

# write_conf <file> <extra acrypto keys...>
write_conf() {
    local f=$1; shift
    {
        echo "openssl_conf = init"
        echo "[init]"
        echo "providers = provs"
        echo "[provs]"
        echo "default = default_sect"
        echo "acrypto = acrypto_sect"
        echo "[default_sect]"
        echo "activate = 1"
        echo "[acrypto_sect]"
        echo "module = $MODULE"
        echo "plugin-dir = $PLUGINS"
        echo "activate = 1"
        for k in "$@"; do echo "$k"; done
    } > "$f"
}
