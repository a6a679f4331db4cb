#!/bin/sh
# Runs tools/tidy.sh on the sources and headers whose check is not yet recorded:
#   tools/tidy-changed.sh BUILD_DIR JOBS
# tools/tidy-passed.txt lists, for every file that passed, a key of its content, .clang-tidy
# and the clangd version; a file whose key is listed passed these same checks before and is
# skipped. `make tidy` checks every file and, when all pass, records them again
# (tools/tidy.sh --record). A change to a header alone does not re-check the files that
# include it: `make tidy` does.
set -eu
build=$1
jobs=$2
list=tools/tidy-passed.txt
version=$(clangd --version 2>/dev/null | head -n 1)
git ls-files '*.cpp' '*.hpp' | while read -r f; do
  key=$({ cat "$f" .clang-tidy; echo "$version"; } | sha1sum | cut -d' ' -f1)
  grep -qx "$key $f" "$list" 2>/dev/null || echo "$f"
done | xargs -r -n 1 -P "$jobs" tools/tidy.sh "$build"
