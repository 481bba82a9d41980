package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard selects the points a process runs: those whose index is Index
// modulo Count.
type Shard struct {
	Index, Count int
}

// All is the shard of an unsharded run.
var All = Shard{Index: 0, Count: 1}

// Has reports whether point i belongs to the shard.
func (s Shard) Has(i int) bool { return i%s.Count == s.Index }

// String formats the shard as "i/n".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Environment variables read by ParseShard("auto").
const (
	// EnvSlurmID and EnvSlurmCount are set by Slurm in every task of a job
	// array (sbatch --array); EnvSlurmMin is the array's first index.
	EnvSlurmID    = "SLURM_ARRAY_TASK_ID"
	EnvSlurmCount = "SLURM_ARRAY_TASK_COUNT"
	EnvSlurmMin   = "SLURM_ARRAY_TASK_MIN"
	// EnvK8sIndex is set by Kubernetes in every pod of an Indexed Job.
	EnvK8sIndex = "JOB_COMPLETION_INDEX"
	// EnvShards gives the shard count of an Indexed Job (its completions)
	// when --shards is not given.
	EnvShards = "SGDSDE_SHARDS"
)

// ParseShard parses "" (all points), "i/n" (0 <= i < n), or "auto": a
// Slurm job array (index SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN, count
// SLURM_ARRAY_TASK_COUNT; the array must be contiguous, step 1; with count
// positive, index SLURM_ARRAY_TASK_ID and that count, so that a single
// task of the array 0..count-1 resubmitted alone keeps its shard), else a
// Kubernetes Indexed Job (index JOB_COMPLETION_INDEX, count the argument
// count when positive, else SGDSDE_SHARDS). getenv reads the environment.
// Its errors are *ShardError values.
func ParseShard(s string, count int, getenv func(string) string) (Shard, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return All, nil
	}
	if s != "auto" {
		a, b, ok := strings.Cut(s, "/")
		i, err1 := strconv.Atoi(strings.TrimSpace(a))
		n, err2 := strconv.Atoi(strings.TrimSpace(b))
		if !ok || err1 != nil || err2 != nil {
			return Shard{}, &ShardError{Issue: ShardForm, Spec: s}
		}
		return checkShard(Shard{i, n}, s, ShardGiven)
	}
	if id := getenv(EnvSlurmID); id != "" {
		i, err := strconv.Atoi(id)
		if err != nil {
			return Shard{}, envError(EnvSlurmID, id)
		}
		if count > 0 {
			// The count given: the task's ID is the shard's index, so
			// that one task of an array 0..count-1 can be submitted
			// again alone (sbatch --array=k).
			return checkShard(Shard{i, count}, s, ShardSlurm)
		}
		if m := getenv(EnvSlurmMin); m != "" {
			mi, err := strconv.Atoi(m)
			if err != nil {
				return Shard{}, envError(EnvSlurmMin, m)
			}
			i -= mi
		}
		c := getenv(EnvSlurmCount)
		n, err := strconv.Atoi(c)
		if err != nil {
			return Shard{}, envError(EnvSlurmCount, c)
		}
		return checkShard(Shard{i, n}, s, ShardSlurm)
	}
	if id := getenv(EnvK8sIndex); id != "" {
		i, err := strconv.Atoi(id)
		if err != nil {
			return Shard{}, envError(EnvK8sIndex, id)
		}
		n := count
		if n <= 0 {
			c := getenv(EnvShards)
			if c == "" {
				return Shard{}, &ShardError{Issue: ShardNoCount, Spec: s}
			}
			if n, err = strconv.Atoi(c); err != nil {
				return Shard{}, envError(EnvShards, c)
			}
		}
		return checkShard(Shard{i, n}, s, ShardKubernetes)
	}
	return Shard{}, &ShardError{Issue: ShardNoEnv, Spec: s}
}

// checkShard returns s unless it does not have 0 <= Index < Count; spec is
// the shard as given and src where s comes from.
func checkShard(s Shard, spec string, src ShardSource) (Shard, error) {
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return Shard{}, &ShardError{Issue: ShardRange, Spec: spec, Source: src, Index: s.Index, Count: s.Count}
	}
	return s, nil
}

// envError is the error of the environment variable name whose value is
// not a whole number.
func envError(name, value string) error {
	return &ShardError{Issue: ShardEnvNumber, Spec: "auto", Var: name, Value: value}
}
