#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Stock nginx serving HTTPS with acrypto loaded through OPENSSL_CONF (synchronous: nginx has
# no async mode): config/nginx.conf on a free loopback port, curl and s_client over TLS 1.2
# and 1.3 with RSA-2048 and ECDSA P-256 certificates; the worker's acrypto statistics (stats
# preload library) must show acrypto served the handshakes. Usage:
#   nginx_test.sh <openssl> <module dir> <stats preload .so> <config dir>
set -u
OPENSSL=$1 MODDIR=$2 PRELOAD=$3 CONFDIR=$4
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
NGINX=$(PATH=$PATH:/usr/sbin:/usr/local/sbin command -v nginx) ||
    { echo "skip: nginx not installed (apt-get install nginx)"; exit 77; }
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
[ -f "$MODDIR/acrypto.so" ] || { echo "FAIL: no $MODDIR/acrypto.so"; exit 1; }
unset ACRYPTO_DEBUG
WORK=$(mktemp -d /tmp/acrypto-nginx.XXXXXX)
chmod 755 "$WORK"
NPID=
cleanup() {
    [ -n "$NPID" ] && kill "$NPID" 2>/dev/null
    wait 2>/dev/null
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/certs" "$WORK/stats" "$WORK/logs"
chmod 1777 "$WORK/stats" # nginx workers started by root run as nobody
make_certs "$WORK/certs" "$OPENSSL" || { echo "FAIL: certificate generation"; exit 1; }
PORT=$(free_port) || { echo "FAIL: no free port"; exit 1; }

cat >"$WORK/openssl.cnf" <<EOF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
alg_section = evp_properties
[provider_sect]
default = default_sect
acrypto = acrypto_sect
[default_sect]
activate = 1
[acrypto_sect]
module = $MODDIR/acrypto.so
activate = 1
devices = cpu
[evp_properties]
default_properties = ?provider=acrypto
EOF
# The sample configuration with the test's port, certificates, pid and log files (no
# `user` line: workers of a root master run as nobody).
sed -e "/^user /d" -e "s|listen 8443|listen 127.0.0.1:$PORT|" \
    -e "s|/etc/nginx/certs/|$WORK/certs/|" -e "s|^pid .*|pid $WORK/nginx.pid;|" \
    -e "s|^error_log .*|error_log $WORK/logs/error.log warn;|" \
    "$CONFDIR/nginx.conf" >"$WORK/nginx.conf"
TEMPS="client_body_temp_path $WORK/t1; proxy_temp_path $WORK/t2; fastcgi_temp_path $WORK/t3; uwsgi_temp_path $WORK/t4; scgi_temp_path $WORK/t5;"
sed -i "s|^http {|http {\n    $TEMPS|" "$WORK/nginx.conf"

export OPENSSL_CONF=$WORK/openssl.cnf
"$NGINX" -t -p "$WORK" -c "$WORK/nginx.conf" >"$WORK/check.log" 2>&1 ||
    { echo "FAIL: nginx -t"; cat "$WORK/check.log"; exit 1; }
LD_PRELOAD=${ACRYPTO_SANITIZER_PRELOAD:+$ACRYPTO_SANITIZER_PRELOAD:}$PRELOAD ACRYPTO_STATS_DIR=$WORK/stats "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" \
    -g "daemon off;" >"$WORK/nginx.out" 2>&1 &
NPID=$!
wait_port "$PORT" "$NPID" || { echo "FAIL: nginx did not listen"; cat "$WORK/nginx.out" "$WORK/logs/error.log"; exit 1; }
WPID=
for _ in $(seq 50); do
    WPID=$(pgrep -P "$NPID" | head -n 1)
    [ -n "$WPID" ] && break
    sleep 0.1
done
[ -n "$WPID" ] || { echo "FAIL: no nginx worker"; exit 1; }

fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# What a missing snapshot leaves to read: whether that worker still runs, nginx's children
# now, the statistics files written, and nginx's own logs.
no_stats() {
    echo "FAIL: no statistics from the nginx worker $WPID ($1)"
    kill -0 "$WPID" 2>/dev/null && echo "  worker $WPID runs" || echo "  worker $WPID has exited"
    echo "  nginx's children now: $(pgrep -P "$NPID" | tr '\n' ' ')"
    for t in /proc/"$WPID"/task/*; do
        echo "  thread ${t##*/}: state $(awk '{print $3}' "$t/stat" 2>/dev/null), wchan $(cat "$t/wchan" 2>/dev/null)"
    done
    command -v gdb >/dev/null && timeout 60 gdb -p "$WPID" -batch -ex "thread apply all bt" 2>&1 | grep -E "^(Thread|#)"
    ls -la "$WORK/stats"
    tail -n 20 "$WORK/logs/error.log" "$WORK/nginx.out" 2>/dev/null
    exit 1
}
BEFORE=$(snapshot "$WORK/stats" "$WPID" before) || no_stats before
grep -q "^acrypto-loaded=1" "$BEFORE" || { echo "FAIL: acrypto not loaded in nginx"; cat "$BEFORE"; exit 1; }
echo "ok   acrypto loaded in the nginx worker (OPENSSL_CONF)"

unset OPENSSL_CONF # clients use the default provider
rsa_hs=0 ec_hs=0 hs=0
# curl: TLS 1.2 with an RSA and an ECDSA suite, TLS 1.3 with the certificate nginx picks.
for c in "1.2:rsa:--ciphers ECDHE-RSA-AES128-GCM-SHA256" "1.2:ec:--ciphers ECDHE-ECDSA-AES128-GCM-SHA256" \
    "1.3:any:"; do
    IFS=: read -r v kind flags <<<"$c"
    # shellcheck disable=SC2086
    out=$(timeout 20 curl -sk --resolve "localhost:$PORT:127.0.0.1" --tlsv$v --tls-max $v \
        $flags -w '\n%{http_code}' "https://localhost:$PORT/" 2>&1)
    if [ "$out" = "$(printf 'served through acrypto\n\n200')" ]; then
        echo "ok   curl TLS $v $kind"
    else
        fail "curl TLS $v $kind: $out"; continue
    fi
    hs=$((hs + 1))
    [ "$kind" = rsa ] && rsa_hs=$((rsa_hs + 1))
    [ "$kind" = ec ] && ec_hs=$((ec_hs + 1))
done
# s_client shows which certificate signed: one RSA and one ECDSA handshake per version.
for v in 1_2 1_3; do
    for c in "rsa:rsa_pss_rsae_sha256:RSA-PSS" "ec:ecdsa_secp256r1_sha256:ECDSA"; do
        IFS=: read -r kind sig type <<<"$c"
        printf 'GET / HTTP/1.0\r\n\r\n' | timeout 20 "$OPENSSL" s_client -connect "127.0.0.1:$PORT" \
            -servername localhost -tls$v -sigalgs "$sig" -ign_eof >"$WORK/sc.out" 2>&1
        if grep -q "served through acrypto" "$WORK/sc.out" && grep -q "Peer signature type: $type" "$WORK/sc.out"; then
            echo "ok   s_client TLS $v $type"
            hs=$((hs + 1))
            [ "$kind" = rsa ] && rsa_hs=$((rsa_hs + 1))
            [ "$kind" = ec ] && ec_hs=$((ec_hs + 1))
        else
            fail "s_client TLS $v $type"; tail -n 5 "$WORK/sc.out"
        fi
    done
done

sleep 0.3
AFTER=$(snapshot "$WORK/stats" "$WPID" after) || no_stats after
d_rsa=$(($(stat_sum "$AFTER" '^alg\.rsa(-pss)?\.steps$') - $(stat_sum "$BEFORE" '^alg\.rsa(-pss)?\.steps$')))
d_ec=$(($(stat "$AFTER" alg.ec.steps) - $(stat "$BEFORE" alg.ec.steps)))
d_inl=$(($(stat "$AFTER" inline) - $(stat "$BEFORE" inline)))
d_enq=$(($(stat_sum "$AFTER" '^dev\..*\.enqueued$') - $(stat_sum "$BEFORE" '^dev\..*\.enqueued$')))
echo "     handshakes: $hs (RSA $rsa_hs, ECDSA $ec_hs); acrypto: rsa steps +$d_rsa, ec steps +$d_ec," \
    "inline sessions +$d_inl, device enqueues +$d_enq"
[ "$d_rsa" -ge "$rsa_hs" ] && echo "ok   acrypto served the RSA signatures" ||
    fail "rsa steps +$d_rsa < $rsa_hs RSA handshakes"
[ "$d_ec" -ge "$ec_hs" ] && echo "ok   acrypto served the ECDSA signatures" ||
    fail "ec steps +$d_ec < $ec_hs ECDSA handshakes"
# Synchronous callers: handshake work runs inline on the worker's thread.
[ "$d_inl" -ge "$hs" ] && echo "ok   synchronous: $d_inl sessions ran inline on the worker" ||
    fail "inline sessions +$d_inl < $hs handshakes"
leak_check "$AFTER" || fails=$((fails + 1))

kill -QUIT "$NPID" # graceful shutdown
for _ in $(seq 100); do kill -0 "$NPID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$NPID" 2>/dev/null; then fail "nginx did not stop"; else
    wait "$NPID"; rc=$?; NPID=
    [ $rc -eq 0 ] && echo "ok   nginx stopped" || fail "nginx exit status $rc"
fi
if grep -qE "\[(alert|emerg|crit)\]" "$WORK/logs/error.log" 2>/dev/null; then
    fail "nginx error log:"; tail -n 10 "$WORK/logs/error.log"
fi
[ $fails -eq 0 ] || exit 1
exit 0
