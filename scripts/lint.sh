#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Lint pass (the lint phase of scripts/test.sh, so of CI), three checks, each fails the run:
# - clang-format --dry-run -Werror over every tracked C/C++ source (scripts/format.sh fixes);
# - clang-tidy (.clang-tidy: naming per STYLE.md, bug-prone, performance) on a bounded set,
#   TIDY_FILES: the scheduler core, hw/common, the HIFN driver, the native API and the provider's
#   top level (41 files, about 4 s CPU each: ~3 min on 2 cores). The whole tree (~330 files,
#   ~25 min) is a local run: TIDY_FILES="$(git ls-files '*.cpp')" scripts/lint.sh;
# - spelling over sources and docs with codespell, words in scripts/spelling.txt accepted.
# Usage: scripts/lint.sh [--tidy-build DIR]   (DIR has compile_commands.json; default build/dev)
# Env: CLANG_FORMAT, CLANG_TIDY (default the -14 tools), TIDY_FILES (globs), JOBS,
#      LINT_FORMAT_ADVISORY=1 reports format differences without failing.
set -u
cd "$(dirname "$0")/.."
tidy_build=build/dev
[ "${1:-}" = "--tidy-build" ] && tidy_build=$2
CF=${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format)}
CT=${CLANG_TIDY:-$(command -v clang-tidy-14 || command -v clang-tidy)}
status=0

# Tracked C/C++ sources only (build trees and vendored files never count).
mapfile -t srcs < <(git ls-files '*.c' '*.h' '*.cpp' '*.hpp' | grep -v '^third_party/')

echo "== clang-format ($CF) over ${#srcs[@]} files"
differ=()
for f in "${srcs[@]}"; do
    [ -f "$f" ] || continue
    "$CF" --dry-run --Werror "$f" >/dev/null 2>&1 || differ+=("$f")
done
echo "clang-format: ${#differ[@]} of ${#srcs[@]} files differ from .clang-format"
if [ ${#differ[@]} -gt 0 ]; then
    # Per folder, so each owner sees their share.
    printf '%s\n' "${differ[@]}" | awk -F/ '{print $1"/"$2}' | sort | uniq -c | sort -rn
    [ "${LINT_FORMAT_ADVISORY:-0}" = 1 ] || status=1
fi

tidy_files=${TIDY_FILES:-scheduler/src/*.cpp hw/common/src/*.cpp hw/hifn/*.cpp native/src/*.cpp provider/*.cpp}
# shellcheck disable=SC2086
mapfile -t tsrcs < <(ls $tidy_files 2>/dev/null)
echo "== clang-tidy ($CT) on ${#tsrcs[@]} files"
if [ -z "$CT" ]; then
    echo "clang-tidy: not installed (apt-get install -y clang-tidy)"
    status=1
elif [ ! -f "$tidy_build/compile_commands.json" ]; then
    echo "clang-tidy: no $tidy_build/compile_commands.json (configure that build first)"
    status=1
else
    tlog=$(mktemp)
    # The build's commands without the GCC-only flags clang 14 does not know
    # (-mtls-dialect=gnu2, see CMakeLists.txt).
    tdb=$(mktemp -d)
    sed 's/ -mtls-dialect=gnu2//g' "$tidy_build/compile_commands.json" >"$tdb/compile_commands.json"
    printf '%s\0' "${tsrcs[@]}" |
        xargs -0 -n 4 -P "${JOBS:-$(nproc)}" "$CT" -p "$tdb" --quiet >"$tlog" 2>/dev/null
    rm -rf "$tdb"
    n=$(grep -c 'warning:\|error:' "$tlog")
    echo "clang-tidy: $n findings"
    if [ "$n" -gt 0 ]; then
        grep -A3 'warning:\|error:' "$tlog" | head -n 200
        grep -o '\[[a-z-]*\]$' "$tlog" | sort | uniq -c | sort -rn
        status=1
    fi
    rm -f "$tlog"
fi

echo "== spelling (codespell, words in scripts/spelling.txt are accepted)"
if command -v codespell >/dev/null 2>&1; then
    mapfile -t docs < <(git ls-files '*.c' '*.h' '*.cpp' '*.hpp' '*.md' '*.txt' '*.sh' '*.cmake' \
        '*.conf' '*.cnf' 'CMakeLists.txt' | grep -v '^test/vectors/')
    if ! codespell --quiet-level=2 --ignore-words=scripts/spelling.txt "${docs[@]}"; then
        echo "spelling: misspellings above"
        status=1
    fi
else
    echo "spelling: codespell not installed (apt-get install -y codespell)"
    status=1
fi
exit $status
