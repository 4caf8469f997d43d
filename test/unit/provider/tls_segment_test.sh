#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tls_segment_test.sh <module> <limit>: the module's thread-local storage (its PT_TLS
# segment's size in memory) fits in glibc's optional static TLS surplus, so that a dlopen()ed
# acrypto.so built with TLS descriptors reaches it in static TLS (see CMakeLists.txt).
set -euo pipefail
mod=$1
limit=$2
line=$(readelf -lW "$mod" | awk '$1 == "TLS"')
if [ -z "$line" ]; then
    echo "$mod: no TLS segment"
    exit 0
fi
memsz=$(($(awk '{print $6}' <<<"$line")))
echo "$mod: TLS segment of $memsz bytes, limit $limit"
if [ "$memsz" -gt "$limit" ]; then
    echo "FAIL: keep large per-thread tables on the heap, reached through a thread-local" \
        "pointer (pk_common.cpp's Caller, placement.cpp's memos)"
    readelf -sW "$mod" | awk '$4 == "TLS" && $3 > 16 {print "  " $3 " " $8}'
    exit 1
fi
