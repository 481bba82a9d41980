#!/bin/bash
# Run an sgdsde parameter sweep as a Slurm job array, then merge it.
#
#   bash docs/slurm-sweep.sh [SBATCH OPTION ...] [-- SWEEP ...]
#
#   bash docs/slurm-sweep.sh                       (the sweep below, 4 tasks)
#   bash docs/slurm-sweep.sh --partition=long      (options for the array's sbatch)
#   NSHARDS=8 SWEEP_DIR=/scratch/$USER/T bash docs/slurm-sweep.sh -- \
#       steady --landscape gyrator --grid 512 --vary temperature=0.1:0.8:32 --workers 1
#   TASKS=2 bash docs/slurm-sweep.sh               (task 2 again, e.g. after a scancel)
#
# Run outside a job (on the login node), the script submits itself as a job
# array of NSHARDS tasks and a merge job that starts when every task has
# succeeded (--dependency=afterok on the array), prints both job ids and
# exits. SBATCH OPTIONs go to the array's sbatch and override the #SBATCH
# lines below; the words after '--' replace the sweep below (RUN and its
# flags, --vary ..., as for 'sgdsde sweep'; not --out or --shard, which the
# script sets). Each task runs 'sgdsde sweep ... --shard auto': sgdsde reads
# SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT and
# runs the points whose index is (task id - min) modulo the task count.
#
# All tasks write into one directory, SWEEP_DIR, on a file system that every
# node sees (home, scratch, Lustre, NFS): SWEEP_DIR/sweep.json (the sweep),
# SWEEP_DIR/points/NNNN/ (point.json, written last, and summary.json) and
# SWEEP_DIR/results.csv. Slurm writes the logs into the directory you submit
# from: sgdsde-sweep-ARRAYID_TASK.log per task, sgdsde-merge-JOBID.log.
#
# Each point is written atomically and marked finished last, so a task that
# hits its time limit, is preempted or is cancelled loses only the points it
# was running: submit the script again and each task runs only its points
# without point.json. All of it again (the finished tasks find nothing to do
# and exit at once), or only the tasks that did not finish: TASKS=2 (or
# TASKS=1,3) submits only those array indices. Such an array has fewer tasks
# than the sweep has shards, so those tasks are given their shard as
# TASK/NSHARDS (--shard auto would read the array's own count, 1 for
# --array=2, and run every point of the sweep). The merge job of a run with a
# cancelled task never starts (DependencyNeverSatisfied): scancel it; the
# resubmission has its own. The task that finishes the last point writes
# SWEEP_DIR/results.csv; the merge job then checks that every point is
# finished and rewrites it (the same bytes).
#
# Every task, and every resubmission, must run the same sweep with the same
# NSHARDS: sweep.json in SWEEP_DIR records the sweep, and a different sweep
# in the same directory is refused.
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
TASKS=${TASKS:-0-$((NSHARDS - 1))}                   # the array indices to submit

# The sweep: 16 temperatures x 3 anisotropies = 48 steady states of the
# Brownian gyrator on a 256 x 256 grid. Each task runs its points one at a
# time (--workers 1); each solve uses the task's cores.
SWEEP=(steady --landscape gyrator --grid 256
	--vary temperature=0.1:0.8:16 --vary d12=0,0.4,0.8 --workers 1)

if [[ -z "${SLURM_JOB_ID:-}" ]]; then
	# Login node: submit the array, then the merge after it.
	opts=()
	while (($#)) && [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	if (($#)); then
		shift
		SWEEP=("$@")
	fi
	mkdir -p "$SWEEP_DIR"
	array=$(sbatch --parsable --array="$TASKS" \
		--export=ALL,NSHARDS="$NSHARDS",SWEEP_DIR="$SWEEP_DIR",SGDSDE="$SGDSDE" \
		"${opts[@]}" "$0" "${SWEEP[@]}")
	merge=$(sbatch --parsable --dependency=afterok:"$array" --job-name=sgdsde-merge \
		--cpus-per-task=1 --mem=1G --time=00:10:00 --output=sgdsde-merge-%j.log \
		--wrap="'$SGDSDE' sweep merge '$SWEEP_DIR'")
	echo "submitted array $array (tasks $TASKS of $NSHARDS shards) and merge $merge; results: $SWEEP_DIR/results.csv"
	exit 0
fi

# Array task: run this task's shard of the sweep given as the script's
# arguments. Exit 0 even when some points fail (they are recorded in
# results.csv); a non-zero exit means the task itself failed and holds back
# the merge (run the script again to resume).
if ((SLURM_ARRAY_TASK_MIN == 0 && SLURM_ARRAY_TASK_COUNT == NSHARDS)); then
	shard=auto                           # the whole array
else
	shard=$SLURM_ARRAY_TASK_ID/$NSHARDS  # some of its tasks again (TASKS=...)
fi
"$SGDSDE" sweep "$@" --out "$SWEEP_DIR" --shard "$shard"
