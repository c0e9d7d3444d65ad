#!/usr/bin/env bash
# Formats the C++ sources with the repository's .clang-format; --check only reports (exit 1 on
# any difference), as scripts/test.sh does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(git ls-files 'engine/*.cpp' 'engine/*.hpp' 'bindings/*.cpp' 'bindings/*.hpp' \
                                  'tests/cpp/*.cpp' 'tests/cpp/*.hpp' 'bench/*.cpp')
if [ "${1:-}" = "--check" ]; then
  clang-format-14 --dry-run --Werror "${files[@]}"
  echo "format: ${#files[@]} C++ files follow .clang-format"
else
  clang-format-14 -i "${files[@]}"
fi
