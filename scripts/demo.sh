#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Install dependencies, build a release acrypto, and run the side-by-side openssl speed demo
# (default provider vs acrypto synchronous vs acrypto with -async_jobs 16).
# Usage: scripts/demo.sh [--no-deps] [speed_demo.sh options, e.g. -a aes-256-cbc -s 3]
set -eu
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--no-deps" ]; then
    shift
else
    scripts/deps.sh
fi
JOBS=${JOBS:-$(nproc)}
cmake --preset release -DACRYPTO_BUILD_BENCH=OFF
cmake --build --preset release -j "$JOBS"
# The build tree mirrors the install layout: modules/acrypto.so and modules/acrypto/ plugins.
export OPENSSL_MODULES=$PWD/build/release/modules
echo "acrypto built in $OPENSSL_MODULES"
exec bench/speed_demo.sh -m "$OPENSSL_MODULES" "$@"
