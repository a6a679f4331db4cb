#!/bin/sh
# Records every source and header as passing the checks of .clang-tidy (run after they all
# passed): tools/tidy-record.sh > tools/tidy-passed.txt. See tools/tidy-changed.sh.
set -eu
version=$(clangd --version 2>/dev/null | head -n 1)
git ls-files '*.cpp' '*.hpp' | while read -r f; do
  key=$({ cat "$f" .clang-tidy; echo "$version"; } | sha1sum | cut -d' ' -f1)
  echo "$key $f"
done
