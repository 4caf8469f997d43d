#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# HAProxy (ssl-mode-async, acrypto via ssl-provider) end to end: config/haproxy.cfg on a free
# loopback port with RSA-2048 and ECDSA P-256 certificates, TLS 1.2 and 1.3 handshakes, a
# concurrent burst and clients that abort mid-handshake; acrypto's statistics (read inside
# HAProxy by the stats preload library) must show the handshakes' public-key work queued to
# a device from ASYNC jobs, and no session left behind. Usage:
#   haproxy_test.sh <openssl> <module dir> <stats preload .so> <config dir>
set -u
OPENSSL=$1 MODDIR=$2 PRELOAD=$3 CONFDIR=$4
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
HAPROXY=$(PATH=$PATH:/usr/sbin:/usr/local/sbin command -v haproxy) ||
    { echo "skip: haproxy not installed (apt-get install haproxy)"; exit 77; }
[ -f "$MODDIR/acrypto.so" ] || { echo "FAIL: no $MODDIR/acrypto.so"; exit 1; }
[ -f "$PRELOAD" ] || { echo "FAIL: no $PRELOAD"; exit 1; }
unset OPENSSL_CONF ACRYPTO_DEBUG
WORK=$(mktemp -d /tmp/acrypto-haproxy.XXXXXX)
HPID=
cleanup() {
    [ -n "$HPID" ] && kill "$HPID" 2>/dev/null
    kill $(jobs -p) 2>/dev/null
    wait 2>/dev/null
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/certs" "$WORK/keys" "$WORK/stats"
make_certs "$WORK/keys" "$OPENSSL" || { echo "FAIL: certificate generation"; exit 1; }
cat "$WORK/keys/rsa.crt" "$WORK/keys/rsa.key" >"$WORK/certs/rsa.pem"
cat "$WORK/keys/ecdsa.crt" "$WORK/keys/ecdsa.key" >"$WORK/certs/ecdsa.pem"

PORT=$(free_port) && SPORT=$(free_port) || { echo "FAIL: no free port"; exit 1; }
[ "$PORT" = "$SPORT" ] && SPORT=$((PORT + 1))
# The sample configuration, with this build's module folder, the test port and certificates;
# maxconn and ulimit-n scaled down (same 3 fds per connection) to fit any hard fd limit.
sed -e "s|^\(\s*ssl-provider-path\).*|\1 $MODDIR|" \
    -e "s|bind :8443|bind 127.0.0.1:$PORT|" \
    -e "s|/etc/haproxy/certs/|$WORK/certs/|" \
    -e "s|^\(\s*maxconn\).*|\1 1000|" -e "s|^\(\s*ulimit-n\).*|\1 4000|" \
    "$CONFDIR/haproxy.cfg" >"$WORK/haproxy.cfg"
printf 'global\n    stats socket ipv4@127.0.0.1:%s level admin\n' "$SPORT" >>"$WORK/haproxy.cfg"
grep -q "^\s*ssl-mode-async" "$WORK/haproxy.cfg" || { echo "FAIL: sample lacks ssl-mode-async"; exit 1; }

"$HAPROXY" -c -f "$WORK/haproxy.cfg" >"$WORK/check.log" 2>&1 ||
    { echo "FAIL: haproxy -c"; cat "$WORK/check.log"; exit 1; }
# The queueing checks below are about pauses, not placement: a busy test machine must not
# make the provider keep RSA signatures on HAProxy's thread for starved workers.
LD_PRELOAD=${ACRYPTO_SANITIZER_PRELOAD:+$ACRYPTO_SANITIZER_PRELOAD:}$PRELOAD ACRYPTO_STATS_DIR=$WORK/stats \
    ACRYPTO_PK_STARVED_PERMILLE=0 "$HAPROXY" -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
HPID=$!
wait_port "$PORT" "$HPID" || { echo "FAIL: haproxy did not listen"; cat "$WORK/haproxy.log"; exit 1; }

cli() { # HAProxy's CLI over its TCP stats socket
    exec 5<>"/dev/tcp/127.0.0.1/$SPORT" || return 1
    echo "$1" >&5
    timeout 5 cat <&5
    exec 5<&-
}

fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
BEFORE=$(snapshot "$WORK/stats" "$HPID" before) || { echo "FAIL: no statistics from HAProxy"; exit 1; }
grep -q "^acrypto-loaded=1" "$BEFORE" || { echo "FAIL: acrypto not loaded in HAProxy"; cat "$BEFORE"; exit 1; }
if cli "show ssl providers" >"$WORK/providers.txt" 2>&1 && grep -q acrypto "$WORK/providers.txt"; then
    echo "ok   show ssl providers lists acrypto"
else
    fail "show ssl providers: $(tr '\n' ' ' <"$WORK/providers.txt")"
fi

REQ='GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'
rsa_hs=0 ec_hs=0 hs=0
# handshake <name> <kind rsa|ec> <expected protocol> <peer signature type> <s_client flags...>
handshake() {
    local name=$1 kind=$2 proto=$3 sigtype=$4 out="$WORK/$1.out"
    shift 4
    printf "$REQ" | timeout 20 "$OPENSSL" s_client -connect "127.0.0.1:$PORT" -servername localhost \
        -ign_eof "$@" >"$out" 2>&1
    # RSA key transport signs nothing: check the server key instead.
    if grep -q "served through acrypto" "$out" && grep -q "^New, $proto," "$out" &&
        { [ -z "$sigtype" ] && grep -q "Server public key is 2048 bit" "$out" ||
            grep -q "Peer signature type: $sigtype" "$out"; }; then
        echo "ok   $name"
        hs=$((hs + 1))
        [ "$kind" = rsa ] && rsa_hs=$((rsa_hs + 1))
        [ "$kind" = ec ] && ec_hs=$((ec_hs + 1))
    else
        fail "$name"
        tail -n 8 "$out"
    fi
}
handshake tls13_rsa rsa TLSv1.3 RSA-PSS -tls1_3 -sigalgs rsa_pss_rsae_sha256:rsa_pkcs1_sha256
handshake tls13_ecdsa ec TLSv1.3 ECDSA -tls1_3 -sigalgs ecdsa_secp256r1_sha256
handshake tls12_ecdhe_rsa rsa TLSv1.2 RSA-PSS -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
handshake tls12_ecdhe_ecdsa ec TLSv1.2 ECDSA -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384
handshake tls12_rsa_kx rsa TLSv1.2 "" -tls1_2 -cipher AES128-GCM-SHA256 -sigalgs rsa_pkcs1_sha256

# curl (its own libssl, default provider on the client side)
if out=$(timeout 20 curl -sk --resolve "localhost:$PORT:127.0.0.1" "https://localhost:$PORT/") &&
    [ "$out" = "served through acrypto" ]; then
    echo "ok   curl"
    hs=$((hs + 1))
else
    fail "curl: '$out'"
fi

# A concurrent burst: 24 TLS 1.3 RSA handshakes at once, so several jobs pause together.
for i in $(seq 24); do
    printf "$REQ" | timeout 30 "$OPENSSL" s_client -connect "127.0.0.1:$PORT" -servername localhost \
        -tls1_3 -sigalgs rsa_pss_rsae_sha256:rsa_pkcs1_sha256 -ign_eof >"$WORK/burst.$i" 2>&1 &
done
wait $(jobs -p | grep -vx "$HPID") 2>/dev/null
ok=$(grep -l "served through acrypto" "$WORK"/burst.* | wc -l)
if [ "$ok" -eq 24 ]; then echo "ok   burst of 24 concurrent handshakes"; else fail "burst: $ok/24"; fi
hs=$((hs + ok)) rsa_hs=$((rsa_hs + ok))

# Aborting clients: (1) a partial ClientHello then close, (2) TLS 1.2 clients that reject the
# certificate after the server's signed flight, (3) clients killed at staggered moments of
# the handshake (some while HAProxy's job is paused on acrypto).
for i in $(seq 5); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' >&3) 2>/dev/null
done
for i in $(seq 6); do
    timeout 20 "$OPENSSL" s_client -connect "127.0.0.1:$PORT" -servername localhost -tls1_2 \
        -cipher ECDHE-RSA-AES128-GCM-SHA256 -CAfile "$WORK/keys/ecdsa.crt" -verify_return_error \
        </dev/null >"$WORK/reject.$i" 2>&1
done
grep -q "verify error" "$WORK/reject.1" && echo "ok   clients rejecting the certificate aborted" ||
    fail "certificate-rejecting client: $(tail -n 3 "$WORK/reject.1" | tr '\n' ' ')"
for d in 0.01 0.02 0.03 0.05 0.08 0.1 0.15 0.2 0.3 0.02 0.04 0.06; do
    sleep 1 | timeout -s KILL "$d" "$OPENSSL" s_client -connect "127.0.0.1:$PORT" \
        -servername localhost -tls1_3 -sigalgs rsa_pss_rsae_sha256:rsa_pkcs1_sha256 >/dev/null 2>&1 &
done
wait $(jobs -p | grep -vx "$HPID") 2>/dev/null
kill -0 "$HPID" 2>/dev/null || { echo "FAIL: haproxy died"; tail "$WORK/haproxy.log"; exit 1; }
# The server still serves after the aborts.
handshake after_aborts_tls13_rsa rsa TLSv1.3 RSA-PSS -tls1_3 -sigalgs rsa_pss_rsae_sha256:rsa_pkcs1_sha256

sleep 0.5
AFTER=$(snapshot "$WORK/stats" "$HPID" after) || { echo "FAIL: no statistics after"; exit 1; }
d_rsa=$(($(stat_sum "$AFTER" '^alg\.rsa(-pss)?\.steps$') - $(stat_sum "$BEFORE" '^alg\.rsa(-pss)?\.steps$')))
d_ec=$(($(stat "$AFTER" alg.ec.steps) - $(stat "$BEFORE" alg.ec.steps)))
d_enq=$(($(stat_sum "$AFTER" '^dev\..*\.enqueued$') - $(stat_sum "$BEFORE" '^dev\..*\.enqueued$')))
d_sub=$(($(stat "$AFTER" submitted) - $(stat "$BEFORE" submitted)))
echo "     handshakes completed: $hs (RSA $rsa_hs, ECDSA $ec_hs); acrypto: rsa steps +$d_rsa," \
    "ec steps +$d_ec, sessions submitted +$d_sub, device enqueues +$d_enq"
[ "$d_rsa" -ge "$rsa_hs" ] && echo "ok   acrypto served the RSA signatures" ||
    fail "rsa steps +$d_rsa < $rsa_hs RSA handshakes"
[ "$d_ec" -ge "$ec_hs" ] && echo "ok   acrypto served the ECDSA signatures" ||
    fail "ec steps +$d_ec < $ec_hs ECDSA handshakes"
# Inside an ASYNC job an RSA signature goes to a device queue and the job pauses until it
# completes, while the devices have room; in the burst, with their queues full, HAProxy's
# thread signs some itself (its core is the free one). Outside a job (no ssl-mode-async)
# everything runs inline and nothing is queued. So: every lone RSA handshake queued its
# signature, and the burst queued at least two.
lone_rsa=$((rsa_hs - ok))
[ "$d_enq" -ge $((lone_rsa + 2)) ] && [ "$d_sub" -ge $((lone_rsa + 2)) ] &&
    echo "ok   handshakes paused on queued acrypto sessions ($d_enq device enqueues >= $lone_rsa lone RSA handshakes + 2 of the burst)" ||
    fail "queued sessions: enqueued +$d_enq, submitted +$d_sub for $lone_rsa lone RSA handshakes and a burst of $ok"
leak_check "$AFTER" || fails=$((fails + 1))
cli "show info" >"$WORK/info.txt" 2>&1
conns=$(awk -F': ' '$1 == "CumSslConns" { print $2 }' "$WORK/info.txt")
[ "${conns:-0}" -ge "$hs" ] && echo "ok   HAProxy counted $conns TLS connections" ||
    fail "HAProxy CumSslConns ${conns:-?} < $hs"

# Soft stop: HAProxy finishes and exits cleanly.
kill -USR1 "$HPID"
for _ in $(seq 100); do kill -0 "$HPID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$HPID" 2>/dev/null; then fail "haproxy did not stop"; else
    wait "$HPID"; rc=$?; HPID=
    [ $rc -eq 0 ] && echo "ok   haproxy stopped" || fail "haproxy exit status $rc"
fi
# A wait fd added to the ASYNC_WAIT_CTX in a job that never paused is never announced to
# HAProxy (SSL_get_changed_async_fds is read only after SSL_ERROR_WANT_ASYNC); closing the
# connection then deletes an fd HAProxy never inserted: FATAL bug condition at src/fd.c:378.
if grep -qiE "segfault|abort|fatal|bug condition|acrypto: .*error" "$WORK/haproxy.log"; then
    fail "haproxy log:"; tail -n 20 "$WORK/haproxy.log"
fi
[ $fails -eq 0 ] || exit 1
exit 0
