#!/usr/bin/env bash
# Formats the project's C++ sources with its .clang-format (Google style,
# clang-format 14 from Debian 12's clang-format package).
#   tools/dev/format.sh           rewrites every file that is not formatted
#   tools/dev/format.sh --check   lists them and exits 1 (tools/dev/test.sh)
# Files: every *.cc and *.h the checkout tracks (git ls-files), or, outside
# a git checkout, every one under the top-level source folders.
set -euo pipefail
cd "$(dirname "$0")/../.."
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cc' '*.h')
else
  mapfile -t files < <(find common proto services storage tests tools \
    -name '*.cc' -o -name '*.h' | sort)
fi
if [[ "${1:-}" == "--check" ]]; then
  unformatted=()
  for file in "${files[@]}"; do
    if ! clang-format --dry-run -Werror "$file" >/dev/null 2>&1; then
      unformatted+=("$file")
    fi
  done
  if [ ${#unformatted[@]} -gt 0 ]; then
    echo "format: ${#unformatted[@]} file(s) differ from .clang-format; run tools/dev/format.sh:"
    printf '  %s\n' "${unformatted[@]}"
    exit 1
  fi
  echo "format: ${#files[@]} files formatted"
  exit 0
fi
clang-format -i "${files[@]}"
