#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Install dependencies, configure the dev preset (-Werror), build everything, run every test.
# Usage: scripts/test.sh [--no-deps] [extra ctest arguments]
set -eu
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--no-deps" ]; then
    shift
else
    scripts/deps.sh
fi
JOBS=${JOBS:-$(nproc)}
cmake --preset dev
cmake --build --preset dev -j "$JOBS"
ctest --preset dev -j "$JOBS" "$@"
