#!/bin/sh
# Runs tools/tidy.sh on the sources and headers whose check is not yet recorded:
#   tools/tidy-changed.sh BUILD_DIR JOBS
# tools/tidy-passed.txt lists, for every file that passed, a key of its content, of the
# project headers it includes (directly or not), of .clang-tidy and of the clangd version
# (tools/tidy_keys.py); a file whose key is listed passed these same checks before and is
# skipped, so a changed header re-checks every file that includes it. `make tidy` checks
# every file and, when all pass, records them again (tools/tidy.sh --record).
set -eu
build=$1
jobs=$2
python3 tools/tidy_keys.py --missing tools/tidy-passed.txt |
  xargs -r -n 1 -P "$jobs" tools/tidy.sh "$build"
