#!/usr/bin/env bash
# aidc sweep (and below, aidc optimize) under mpirun: the same sweep on 1 process, on 3 ranks with 1 thread each and on
# 3 ranks with 2 threads each gives byte-identical runs.csv, points.csv and sweep.json and the
# same database rows; a sweep whose worker rank dies mid-way (the whole MPI job then stops)
# resumes with --resume to the same result.
#
#   tests/cluster/mpi_test.sh AIDC MPIRUN SOURCE_DIR
set -euo pipefail
aidc=$1
mpirun=$2
src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

args=(-n 3 --oversubscribe)
if [ "$(id -u)" = 0 ]; then args+=(--allow-run-as-root); fi

cat >"$work/sweep.json" <<JSON
{
  "name": "mpi-test",
  "base": "$src/scenarios/spare-capacity.json",
  "set": {"/horizon": "30d"},
  "parameters": [
    {"name": "price", "pointer": "/finance/prices/on_demand/usd_per_gpu_hour", "values": [2.0, 2.5, 3.0]},
    {"name": "growth", "pointer": "/workloads/inference/0/demand/trend/growth_per_year", "values": [1, 2, 3]}
  ],
  "design": {"type": "grid"},
  "replications": 2
}
JSON

# Every table of a results database, rows in order: equal dumps, equal contents.
dump() {
  python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
    print("table", table)
    for row in sorted(db.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr):
        print(repr(row))
PY
}

same_as_one_process() {
  for f in runs.csv points.csv sweep.json; do
    cmp "$work/one/$f" "$1/$f" || { echo "FAIL: $1/$f differs from one process's"; exit 1; }
  done
  dump "$1/sweep.db" >"$1.dump"
  cmp "$work/one.dump" "$1.dump" || { echo "FAIL: $1/sweep.db differs from one process's"; exit 1; }
}

"$aidc" sweep "$work/sweep.json" --out "$work/one" --threads 1 -q >/dev/null
dump "$work/one/sweep.db" >"$work/one.dump"

for threads in 1 2; do
  "$mpirun" "${args[@]}" "$aidc" sweep "$work/sweep.json" --out "$work/ranks-$threads" \
    --threads "$threads" -q >/dev/null
  same_as_one_process "$work/ranks-$threads"
  echo "3 ranks x $threads threads: same as one process"
done

# A worker rank dies after two runs: mpirun stops the job, and rank 0 has recorded each
# result as it arrived.
if "$mpirun" "${args[@]}" -x AIDC_TEST_MPI_EXIT_AFTER_RUNS=2 "$aidc" sweep "$work/sweep.json" \
  --out "$work/killed" --threads 1 -q >"$work/killed.log" 2>&1; then
  echo "FAIL: the sweep finished although a rank died"
  exit 1
fi
recorded=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM runs').fetchone()[0])" "$work/killed/sweep.db")
if [ "$recorded" -lt 1 ] || [ "$recorded" -ge 18 ]; then
  echo "FAIL: expected some but not all of the 18 runs recorded, got $recorded"
  exit 1
fi
"$mpirun" "${args[@]}" "$aidc" sweep "$work/sweep.json" --out "$work/killed" --threads 1 \
  --resume -q >/dev/null
same_as_one_process "$work/killed"
echo "a rank killed after $recorded runs were recorded; resumed: same as one process"

# aidc optimize under mpirun: rank 0 searches, the others run the plans' replications; the
# same files as one process.
cat >"$work/optimize.json" <<JSON
{
  "name": "mpi-optimize",
  "base": "$src/scenarios/spare-capacity.json",
  "set": {"/horizon": "30d"},
  "variables": [
    {"name": "reserve", "pointer": "/policy/reserve_fraction", "kind": "continuous", "low": 0, "high": 0.3}
  ],
  "objective": {"metric": "finance_npv_usd"},
  "search": {"evaluations": 8, "replications": 2, "refine": 4},
  "selection": {"candidates": 3, "indifference": 50000, "first_stage": 4, "max_replications": 20}
}
JSON
"$aidc" optimize "$work/optimize.json" --out "$work/opt-one" --threads 1 >/dev/null
"$mpirun" "${args[@]}" "$aidc" optimize "$work/optimize.json" --out "$work/opt-ranks" \
  --threads 2 >/dev/null
for f in optimize.json candidates.csv progress.csv best.json vs-base/comparison.json; do
  cmp "$work/opt-one/$f" "$work/opt-ranks/$f" ||
    { echo "FAIL: optimize on 3 ranks: $f differs from one process's"; exit 1; }
done
echo "optimize on 3 ranks x 2 threads: same as one process"
