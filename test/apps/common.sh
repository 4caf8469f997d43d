# SPDX-License-Identifier: Apache-2.0
# Shared helpers of the application tests: free ports, certificates, statistics snapshots
# written by the stats preload library, counter arithmetic.

# free_port: prints a loopback TCP port nothing listens on (from a pid-derived start).
free_port() {
    local p=$((20000 + (RANDOM * 7 + $$) % 30000)) i
    for i in $(seq 200); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null &&
            ! grep -q ":$(printf '%04X' "$p") " /proc/net/tcp 2>/dev/null; then
            echo "$p"
            return 0
        fi
        p=$((p + 1))
    done
    return 1
}

# wait_port <port> <pid>: waits until the port accepts (at most 10 s) while the pid lives.
wait_port() {
    local i
    for i in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# make_certs <dir> <openssl>: rsa.{crt,key} (RSA-2048) and ecdsa.{crt,key} (P-256), CN=localhost.
make_certs() {
    "$2" req -x509 -newkey rsa:2048 -nodes -keyout "$1/rsa.key" -out "$1/rsa.crt" \
        -subj /CN=localhost -addext subjectAltName=DNS:localhost -days 2 2>/dev/null &&
        "$2" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1/ecdsa.key" \
            -out "$1/ecdsa.crt" -subj /CN=localhost -addext subjectAltName=DNS:localhost -days 2 \
            2>/dev/null
}

# snapshot <stats dir> <pid> <token>: asks the preload library for the statistics of <pid>,
# prints the file name once written (at most 10 s).
snapshot() {
    local f="$1/stats.$2.$3" i
    echo "$3" >"$1/req.tmp" && mv "$1/req.tmp" "$1/req"
    for i in $(seq 200); do
        [ -f "$f" ] && { echo "$f"; return 0; }
        sleep 0.05
    done
    return 1
}

# stat <file> <name>: a counter (0 when absent).
stat() { awk -F= -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$1"; }

# stat_sum <file> <regex>: sum of the counters whose names match.
stat_sum() { awk -F= -v re="$2" '$1 ~ re { s += $2 } END { print s + 0 }' "$1"; }

# leak_check <file>: no session queued or in flight, every submitted session finished.
leak_check() {
    local sub done q
    sub=$(stat "$1" submitted)
    done=$(($(stat "$1" completed) + $(stat "$1" failed)))
    q=$(stat_sum "$1" '^dev\..*\.(queued|in-flight)$')
    if [ "$sub" -ne "$done" ] || [ "$q" -ne 0 ]; then
        echo "FAIL leaked sessions: submitted=$sub finished=$done queued+in-flight=$q"
        return 1
    fi
    echo "ok   no leaked sessions (submitted=$sub = completed+failed, nothing queued or in flight)"
}
