#!/bin/sh
# Submits an aidc sweep to Slurm: an array of TASKS shards (sweep-array.sbatch), then the
# merge (sweep-merge.sbatch) once every task has succeeded. Prints both job ids:
#   ARRAY_JOB=<id>
#   MERGE_JOB=<id>
# The extra arguments go to both sbatch calls (--partition, --time, --cpus-per-task, ...).
# AIDC (default: aidc on PATH) must be reachable at the same path on every node.
set -eu

if [ $# -lt 3 ]; then
  echo "usage: $0 SWEEP RESULTS TASKS [sbatch arguments...]" >&2
  exit 2
fi
if [ ! -f "$1" ]; then
  echo "$0: no sweep file $1" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
SWEEP=$(realpath "$1")
TASKS=$3
mkdir -p "$2/logs"
RESULTS=$(realpath "$2")
AIDC=${AIDC:-$(command -v aidc || echo aidc)}
shift 3
export SWEEP RESULTS AIDC
# The jobs take these from the environment at submission (sbatch --export=ALL).
unset SHARDS

# --parsable prints "id" or "id;cluster".
array=$(sbatch --parsable --array="1-$TASKS" --output="$RESULTS/logs/shard-%a-%A.out" \
  "$@" "$here/sweep-array.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --output="$RESULTS/logs/merge-%j.out" \
  "$@" "$here/sweep-merge.sbatch")
merge=${merge%%;*}
echo "ARRAY_JOB=$array"
echo "MERGE_JOB=$merge"
