#!/bin/bash
# The Slurm job-array recipe of tools/cluster/ on a one-node Slurm cluster started here:
# munged, slurmctld and slurmd in a temporary folder. A small sweep runs in one process,
# then as 3 array tasks and a merge job; the outputs and the database must be the same.
# Then one task runs again from a partial database and is merged again into the same
# folder, and a shard of another sweep is refused.
#
#   tests/cluster/slurm_test.sh AIDC_BINARY SOURCE_DIR
#
# Exit 77 (skipped) only when the cluster cannot start: not root, a program missing, or a
# daemon that does not come up. Anything else that goes wrong is a failure (exit 1).
set -eu -o pipefail

AIDC=$(realpath "$1")
SRC=$(realpath "$2")
CLUSTER=$SRC/tools/cluster
started=$SECONDS

skip() {
  echo "SKIPPED: $*" >&2
  exit 77
}
fail() {
  echo "FAILED: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || skip "not root: munged and slurmd of the test cluster run as root"
for program in munged munge unmunge slurmctld slurmd sbatch scontrol sinfo squeue scancel; do
  command -v "$program" > /dev/null ||
    skip "$program is missing (Debian packages munge, slurmctld, slurmd, slurm-client)"
done
if command -v sqlite3 > /dev/null; then
  dump_db() {
    sqlite3 "$1" "SELECT type, name, sql FROM sqlite_master ORDER BY name;
      SELECT * FROM meta ORDER BY key; SELECT * FROM points ORDER BY point;
      SELECT * FROM runs ORDER BY point, replication;"
  }
  sql() { sqlite3 "$1" "$2"; }
elif command -v python3 > /dev/null; then
  dump_db() {
    python3 - "$1" << 'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for q in ["SELECT type, name, sql FROM sqlite_master ORDER BY name",
          "SELECT * FROM meta ORDER BY key", "SELECT * FROM points ORDER BY point",
          "SELECT * FROM runs ORDER BY point, replication"]:
    for row in db.execute(q):
        print(repr(row))
EOF
  }
  sql() { python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute(sys.argv[2]); db.commit()' "$1" "$2"; }
else
  fail "neither the sqlite3 command nor python3 is installed to read the databases"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/aidc-slurm.XXXXXX")
chmod 700 "$T"
submitted=()
# Cancels the jobs, stops the daemons by their pid files and removes the folder.
stop_cluster() {
  local status=$?
  if [ ${#submitted[@]} -gt 0 ]; then
    scancel "${submitted[@]}" 2> /dev/null || true
    for _ in $(seq 50); do
      [ -z "$(squeue -h -o %i 2> /dev/null)" ] && break
      sleep 0.1
    done
  fi
  for pidfile in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
    if [ -s "$pidfile" ]; then kill "$(cat "$pidfile")" 2> /dev/null || true; fi
  done
  for pidfile in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
    for _ in $(seq 50); do
      if ! [ -s "$pidfile" ] || ! kill -0 "$(cat "$pidfile")" 2> /dev/null; then break; fi
      sleep 0.1
    done
  done
  if [ "$status" != 0 ] && [ "$status" != 77 ]; then
    for log in "$T"/*.log "$T"/*.err "$T"/results/logs/*; do
      [ -f "$log" ] && echo "--- $log" >&2 && tail -n 15 "$log" >&2
    done
  fi
  rm -rf "$T"
  echo "slurm_sweep: $((SECONDS - started)) s" >&2
}
trap stop_cluster EXIT
# A daemon that does not come up: skip, with the end of its log and its error output.
no_daemon() {
  local last
  last=$(cat "$T/$1.log" "$T/$1.err" 2> /dev/null | tail -n 8 || true)
  skip "$1 could not start${last:+:
$last}"
}

# Slurm's commands read these; a test run inside a Slurm job must not inherit its job's.
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(SLURM|SBATCH|SALLOC|SRUN)_' || true)

# munge: a fresh key in a private folder.
mkdir -m 700 "$T/munge"
head -c 1024 /dev/urandom > "$T/munge/munge.key"
chmod 600 "$T/munge/munge.key"
socket=$T/munge/munge.sock
munged --force --socket="$socket" --key-file="$T/munge/munge.key" \
  --pid-file="$T/munge/munged.pid" --log-file="$T/munged.log" \
  --seed-file="$T/munge/munged.seed" > /dev/null 2> "$T/munged.err" || no_daemon munged
munge -n -S "$socket" | unmunge -S "$socket" > /dev/null 2>> "$T/munged.err" || no_daemon munged

# Two free TCP ports (nothing accepts a connection on them).
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    [ "$port" != "${1:-}" ] && ! (: < "/dev/tcp/127.0.0.1/$port") 2> /dev/null && break
  done
  echo "$port"
}
ctld_port=$(free_port)
slurmd_port=$(free_port "$ctld_port")
node=$(hostname -s)
cat > "$T/slurm.conf" << EOF
ClusterName=aidc-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
mkdir -p "$T/state" "$T/spool"
export SLURM_CONF=$T/slurm.conf

slurmctld -f "$SLURM_CONF" > /dev/null 2> "$T/slurmctld.err" || no_daemon slurmctld
for _ in $(seq 100); do
  scontrol ping 2> /dev/null | grep -q UP && break
  sleep 0.2
done
scontrol ping 2> /dev/null | grep -q UP || no_daemon slurmctld
slurmd -f "$SLURM_CONF" > /dev/null 2> "$T/slurmd.err" || no_daemon slurmd
for _ in $(seq 150); do
  [ "$(sinfo -h -n "$node" -o %t 2> /dev/null)" = idle ] && break
  sleep 0.2
done
[ "$(sinfo -h -n "$node" -o %t)" = idle ] || no_daemon slurmd
echo "cluster up in $((SECONDS - started)) s"

# Waits for every job (or array task) of job $1 to end; fails unless all completed.
wait_job() {
  local states=
  for _ in $(seq 600); do
    states=$(scontrol show job "$1" | grep -o 'JobState=[A-Z_]*' | sort -u | tr '\n' ' ') ||
      fail "scontrol show job $1 failed"
    case $states in
      *PENDING* | *RUNNING* | *CONFIGURING* | *COMPLETING* | *SUSPENDED* | *REQUEUE*) sleep 0.2 ;;
      "JobState=COMPLETED ") return 0 ;;
      *) fail "job $1 ended: $states" ;;
    esac
  done
  fail "job $1 did not end in 120 s: $states"
}

# Every output of the one-process sweep in `single` is also in merged, byte for byte, and
# the databases hold the same tables and rows.
compare_with_single() {
  local merged=$T/results/merged names
  names=$(cd "$T/single" && echo *)
  [ "$(cd "$merged" && echo *)" = "$names" ] ||
    fail "$1: the merged folder holds $(cd "$merged" && echo *), expected $names"
  for f in "$T/single"/*; do
    [ "${f##*/}" = sweep.db ] && continue
    cmp "$f" "$merged/${f##*/}" || fail "$1: ${f##*/} differs from the one-process sweep's"
  done
  cmp <(dump_db "$T/single/sweep.db") <(dump_db "$merged/sweep.db") ||
    fail "$1: sweep.db differs from the one-process sweep's"
  echo "$1: the same outputs and database as one process"
}

# A 2 x 3 grid with 2 replications (12 runs) on a month of scenarios/spare-capacity.json.
write_sweep() {
  cat > "$1" << EOF
{"name": "$2", "base": "$SRC/scenarios/spare-capacity.json", "set": {"/horizon": "30d"},
 "replications": $3, "design": {"type": "grid"},
 "parameters": [
   {"name": "on_demand_usd_per_gpu_hour",
    "pointer": "/finance/prices/on_demand/usd_per_gpu_hour", "values": [2, 3]},
   {"name": "inference_growth_per_year",
    "pointer": "/workloads/inference/0/demand/trend/growth_per_year", "values": [1, 2, 4]}],
 "metrics": ["utilization", "finance_revenue_usd_total", "finance_npv_usd"]}
EOF
}
write_sweep "$T/sweep.json" cluster-test 2
"$AIDC" sweep "$T/sweep.json" --quiet --out "$T/single" > /dev/null

# The recipe: 3 array tasks, then the merge; the tasks' node-local folders under $TMPDIR.
mkdir "$T/node-tmp"
export TMPDIR=$T/node-tmp AIDC
ids=$("$CLUSTER/submit-sweep.sh" "$T/sweep.json" "$T/results" 3) || fail "submit-sweep.sh failed"
eval "$ids"  # ARRAY_JOB=... MERGE_JOB=...
submitted+=("$ARRAY_JOB" "$MERGE_JOB")
wait_job "$ARRAY_JOB"
wait_job "$MERGE_JOB"
compare_with_single "3 array tasks and the merge"
[ -z "$(ls -A "$T/node-tmp")" ] || fail "the tasks left node-local folders: $(ls "$T/node-tmp")"

# Task 2 stopped midway: its database lacks replication 1. The merge refuses the partial
# shard and leaves the earlier merge alone.
sql "$T/results/shard-2/sweep.db" "DELETE FROM runs WHERE replication = 1"
if "$AIDC" sweep "$T/sweep.json" --merge "$T"/results/shard-* --out "$T/results/merged" \
  > /dev/null 2> "$T/partial.err"; then
  fail "a partial shard was merged"
fi
grep -q "finish every shard" "$T/partial.err" || fail "partial merge: $(cat "$T/partial.err")"
compare_with_single "after the refused merge of a partial shard"

# Task 2 again, on its own, then the merge again into the same folder.
rerun=$(SWEEP=$T/sweep.json RESULTS=$T/results SHARDS=3 sbatch --parsable --array=2 \
  --output="$T/results/logs/rerun-%a-%A.out" "$CLUSTER/sweep-array.sbatch")
rerun=${rerun%%;*}
submitted+=("$rerun")
remerge=$(SWEEP=$T/sweep.json RESULTS=$T/results sbatch --parsable \
  --dependency="afterok:$rerun" --output="$T/results/logs/remerge-%j.out" \
  "$CLUSTER/sweep-merge.sbatch")
remerge=${remerge%%;*}
submitted+=("$remerge")
wait_job "$rerun"
grep -q "2 runs done now, 2 found done" "$T/results/logs/rerun-2-$rerun.out" ||
  fail "the task run again did not resume: $(cat "$T/results/logs/rerun-2-$rerun.out")"
wait_job "$remerge"
compare_with_single "task 2 run again and merged again"

# A shard of another sweep (its file differs: another hash) is refused, naming its database.
write_sweep "$T/other.json" other 1
"$AIDC" sweep "$T/other.json" --quiet --shard 3/3 --out "$T/other/shard-3" > /dev/null
status=0
"$AIDC" sweep "$T/sweep.json" --merge "$T/results/shard-1" "$T/results/shard-2" \
  "$T/other/shard-3" --out "$T/refused" > /dev/null 2> "$T/refused.err" || status=$?
[ "$status" = 2 ] || fail "merging another sweep's shard: exit $status, expected 2"
grep -q "$T/other/shard-3/sweep.db" "$T/refused.err" ||
  fail "the refusal does not name the database: $(cat "$T/refused.err")"
[ ! -e "$T/refused" ] || fail "the refused merge left $T/refused"
echo "a shard of another sweep is refused: $(head -n 1 "$T/refused.err")"

# The same sweep in one job step of 2 MPI ranks under srun (PMIx), when aidc has MPI: rank 0
# hands the runs to rank 1 and writes the outputs, the same as one process's.
if [ "${AIDC_MPI:-0}" = 1 ]; then
  step=$(sbatch --parsable --ntasks=2 --output="$T/results/logs/srun-%j.out" \
    --wrap "srun --mpi=pmix $AIDC sweep $T/sweep.json --threads 1 --quiet --out $T/srun")
  step=${step%%;*}
  submitted+=("$step")
  wait_job "$step"
  for f in runs.csv points.csv sweep.json; do
    cmp "$T/single/$f" "$T/srun/$f" || fail "srun --mpi=pmix: $f differs from one process's"
  done
  echo "srun --mpi=pmix with 2 ranks: the same outputs as one process"
fi
