#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Reformat tracked C/C++ sources in place with the committed .clang-format (the check is
# scripts/lint.sh). Usage: scripts/format.sh [path...]   (default: every tracked source)
# Env: CLANG_FORMAT (default clang-format-14, else clang-format).
set -eu
cd "$(dirname "$0")/.."
CF=${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}
[ -n "$CF" ] || { echo "format.sh: clang-format not found (apt-get install -y clang-format)" >&2; exit 2; }
if [ $# -gt 0 ]; then
    mapfile -t srcs < <(git ls-files -- "$@" | grep -E '\.(c|h|cpp|hpp)$' | grep -v '^third_party/')
else
    mapfile -t srcs < <(git ls-files '*.c' '*.h' '*.cpp' '*.hpp' | grep -v '^third_party/')
fi
[ ${#srcs[@]} -gt 0 ] || exit 0
printf '%s\0' "${srcs[@]}" | xargs -0 -n 32 "$CF" -i --style=file
echo "format.sh: ${#srcs[@]} files formatted with $("$CF" --version | sed 's/.*version //')"
