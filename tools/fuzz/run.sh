#!/bin/sh
# Runs each libFuzzer target of a `make fuzz` build for a stated time, both at once, seeded
# with the shipped scenarios, tests/fuzz/seeds and the inputs that once crashed
# (tests/fuzz/regressions), with the JSON dictionary tests/fuzz/json.dict. Prints each
# target's executions and coverage; exits 1 if a target found a crash, leaving the input
# under BUILD/fuzz-artifacts/TARGET/ to be added to tests/fuzz/regressions/TARGET/.
#
#   tools/fuzz/run.sh BUILD SECONDS
set -eu
build=$1
seconds=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
pids=""
for target in scenario set; do
  corpus=$build/fuzz-corpus/$target
  artifacts=$build/fuzz-artifacts/$target/
  mkdir -p "$corpus" "$artifacts"
  seeds="$root/tests/fuzz/regressions/$target"
  if [ "$target" = scenario ]; then seeds="$seeds $root/scenarios"; fi
  if [ -d "$root/tests/fuzz/seeds/$target" ]; then seeds="$seeds $root/tests/fuzz/seeds/$target"; fi
  # shellcheck disable=SC2086 # the seed folders are separate arguments
  "$build/aidc-fuzz-$target" "$corpus" $seeds -dict="$root/tests/fuzz/json.dict" \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts" -print_final_stats=1 > "$build/fuzz-$target.log" 2>&1 &
  pids="$pids $!"
done
status=0
for pid in $pids; do wait "$pid" || status=1; done
for target in scenario set; do
  log=$build/fuzz-$target.log
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  features=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corpus=$(find "$build/fuzz-corpus/$target" -type f | wc -l)
  echo "fuzz $target: ${runs:-0} executions in ${seconds} s, coverage ${cov:-0} edges," \
    "${features:-0} features, corpus $corpus inputs"
  if grep -q 'ERROR: \|==ERROR\|runtime error\|deadly signal' "$log"; then
    echo "fuzz $target FOUND A DEFECT; see $log and $build/fuzz-artifacts/$target/" >&2
    grep -m 20 'ERROR\|runtime error\|SUMMARY' "$log" >&2 || true
    status=1
  fi
done
exit $status
