#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Install the Debian 12 packages acrypto builds and tests with.
set -eu
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
    build-essential g++ cmake ninja-build pkg-config git ca-certificates \
    openssl libssl-dev libipsec-mb-dev libpci-dev \
    libgtest-dev libgmock-dev libbenchmark-dev \
    haproxy nginx curl gnuplot-nox python3 \
    clang clang-format clang-tidy codespell
