#!/bin/bash
# Run an sgdsde parameter sweep as a Slurm job array, then merge it.
#
#   bash docs/slurm-sweep.sh          (on the login node: submits everything)
#
# Run outside a job, the script submits itself as a job array of NSHARDS
# tasks and a merge job that starts when every task has succeeded
# (--dependency=afterok on the array). Inside the array, each task runs
# 'sgdsde sweep ... --shard auto': sgdsde reads SLURM_ARRAY_TASK_ID,
# SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT and runs the points whose
# index is (task id - min) modulo the task count. The array must be
# contiguous with step 1 (--array=0-3 or 1-4; a throttle such as 0-15%4 is
# fine).
#
# All tasks write into one directory, SWEEP_DIR, on a file system that every
# node sees (home, scratch, Lustre, NFS). Each point is written atomically
# and marked finished last, so a task that hits its time limit, is preempted
# or is cancelled loses only the points it was running: submit the same
# script again and the sweep resumes where it stopped. The task that
# finishes the last point writes SWEEP_DIR/results.csv; the merge job then
# checks that every point is finished and rewrites it (the same bytes).
#
# Every task must run the same command: sweep.json in SWEEP_DIR records it,
# and a different sweep in the same directory is refused.
#
#SBATCH --job-name=sgdsde-sweep
#SBATCH --cpus-per-task=8
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --output=sgdsde-sweep-%A_%a.log

set -euo pipefail

# Settings (override from the environment: SWEEP_DIR=... bash docs/slurm-sweep.sh).
NSHARDS=${NSHARDS:-4}                                # array tasks (shards)
SWEEP_DIR=${SWEEP_DIR:-$HOME/sgdsde-sweeps/gyrator-T-d12}  # shared directory
SGDSDE=${SGDSDE:-sgdsde}                             # the binary, on every node

# The sweep: 16 temperatures x 3 anisotropies = 48 steady states of the
# Brownian gyrator on a 256 x 256 grid. Each task runs its points one at a
# time (--workers 1); each solve uses the task's cores.
sweep() {
	"$SGDSDE" sweep steady --landscape gyrator --grid 256 \
		--vary temperature=0.1:0.8:16 --vary d12=0,0.4,0.8 \
		--workers 1 --out "$SWEEP_DIR" "$@"
}

if [[ -z "${SLURM_JOB_ID:-}" ]]; then
	# Login node: submit the array, then the merge after it.
	mkdir -p "$SWEEP_DIR"
	array=$(sbatch --parsable --array=0-$((NSHARDS - 1)) \
		--export=ALL,NSHARDS="$NSHARDS",SWEEP_DIR="$SWEEP_DIR",SGDSDE="$SGDSDE" "$0")
	merge=$(sbatch --parsable --dependency=afterok:"$array" --job-name=sgdsde-merge \
		--cpus-per-task=1 --mem=1G --time=00:10:00 --output=sgdsde-merge-%j.log \
		--wrap="'$SGDSDE' sweep merge '$SWEEP_DIR'")
	echo "submitted array $array ($NSHARDS shards) and merge $merge; results: $SWEEP_DIR/results.csv"
	exit 0
fi

# Array task: run this task's shard. Exit 0 even when some points fail (they
# are recorded in results.csv); a non-zero exit means the task itself failed
# and holds back the merge (run the script again to resume).
sweep --shard auto
