#!/bin/sh
# Runs the checks of .clang-tidy on one file: tools/tidy.sh BUILD_DIR FILE.
# clangd's check mode applies clang-tidy to the file's own code only (each header is checked
# as a file of its own), about five times faster than clang-tidy, which walks every included
# header again for each source file. Prints the problems and fails if there are any.
build=$1
file=$2
out=$(clangd --check="$file" --compile-commands-dir="$build" --clang-tidy --check-lines=1 2>&1)
status=$?
if [ "$status" -ne 0 ]; then
  printf '%s\n' "$out" | grep '^E\[' | sed "s|^E\[[^]]*\] |$file: |"
  echo "$file: clang-tidy found the problems above"
  exit 1
fi
