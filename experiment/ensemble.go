package experiment

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/sgdsde/sgdsde/internal/datafile"
	"github.com/sgdsde/sgdsde/sde"
)

// DefaultBound is the command line's divergence bound: a trajectory with a
// coordinate beyond ±DefaultBound, or not finite, is left out.
const DefaultBound = 1e8

// DefaultSeed is the command line's seed.
const DefaultSeed = 1

// Chains are the run settings of an ensemble of independent trajectories
// (Simulate) or chains (SGD). Every field is taken as it is, since the
// command line refuses a zero N, Steps, Every or Bound with its own
// message and takes a zero BurnIn, Record, Seed or Workers as given:
// DefaultSimulate and DefaultSGD return the command line's defaults.
type Chains struct {
	// N is the number of trajectories (at least 1); Steps the recorded
	// steps of each (at least 1), after BurnIn discarded ones.
	N, Steps, BurnIn int
	// Record is the number of trajectories (the first ones) whose state is
	// saved every Every steps; it must not exceed N.
	Record, Every int
	// Seed selects the random numbers; the same seed gives bit-identical
	// results for any number of Workers (0 means all cores).
	Seed    uint64
	Workers int
	// Bound is the divergence bound, positive.
	Bound float64
}

// SettingError is a setting of a study outside its range: Setting is the
// name of the spec field, Want the range in words.
type SettingError struct {
	Setting string
	Value   any
	Want    string
}

func (e *SettingError) Error() string {
	return fmt.Sprintf("%s must be %s, got %v", e.Setting, e.Want, e.Value)
}

// ChainsConflict names two run settings that contradict each other.
type ChainsConflict int

const (
	// ChainsOverflow: Steps + BurnIn overflow an int.
	ChainsOverflow ChainsConflict = iota + 1
	// ChainsRecordExceedsN: more recorded trajectories than trajectories.
	ChainsRecordExceedsN
	// ChainsEveryExceedsSteps: recorded trajectories but a stride beyond
	// the steps, so that no state would be saved.
	ChainsEveryExceedsSteps
)

// ChainsError is a Chains whose settings contradict each other.
type ChainsError struct {
	Conflict                        ChainsConflict
	N, Steps, BurnIn, Record, Every int
}

func (e *ChainsError) Error() string {
	switch e.Conflict {
	case ChainsOverflow:
		return fmt.Sprintf("steps %d plus burn-in %d overflow an integer", e.Steps, e.BurnIn)
	case ChainsRecordExceedsN:
		return fmt.Sprintf("record %d exceeds n %d", e.Record, e.N)
	case ChainsEveryExceedsSteps:
		return fmt.Sprintf("every %d exceeds steps %d: no state would be saved", e.Every, e.Steps)
	}
	return "inconsistent run settings"
}

// validate checks c, with the time step dt when dt is not nil, in the
// order the command line reports them.
func (c Chains) validate(dt *float64) error {
	switch {
	case c.N < 1:
		return &SettingError{"N", c.N, "at least 1"}
	case c.Steps < 1:
		return &SettingError{"Steps", c.Steps, "at least 1"}
	case c.BurnIn < 0:
		return &SettingError{"BurnIn", c.BurnIn, "non-negative"}
	case c.BurnIn > math.MaxInt-c.Steps:
		return &ChainsError{Conflict: ChainsOverflow, Steps: c.Steps, BurnIn: c.BurnIn}
	case dt != nil && (!(*dt > 0) || math.IsInf(*dt, 0)):
		return &SettingError{"Dt", *dt, "positive and finite"}
	case c.Workers < 0:
		return &SettingError{"Workers", c.Workers, "non-negative (0 = all cores)"}
	case !(c.Bound > 0):
		return &SettingError{"Bound", c.Bound, "positive"}
	case c.Every < 1:
		return &SettingError{"Every", c.Every, "at least 1"}
	case c.Record < 0:
		return &SettingError{"Record", c.Record, "non-negative"}
	case c.Record > c.N:
		return &ChainsError{Conflict: ChainsRecordExceedsN, N: c.N, Record: c.Record}
	case c.Record > 0 && c.Every > c.Steps:
		return &ChainsError{Conflict: ChainsEveryExceedsSteps, Every: c.Every, Steps: c.Steps}
	}
	return nil
}

// work returns the product of the factors (trajectories, steps, ...) for
// progress reports, saturated at math.MaxInt64 instead of overflowing.
func work(factors ...int) int64 {
	t := 1.0
	for _, f := range factors {
		t *= float64(f)
	}
	if t >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(t)
}

// SizeError is a run whose arrays cannot be allocated at all, or whose
// settings the memory estimate refuses: the error of
// sde.Ensemble.MemoryEstimate, sde.SGDRun.MemoryEstimate or
// potentials.SizeOfFiniteSum.
type SizeError struct{ Err error }

func (e *SizeError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *SizeError) Unwrap() error { return e.Err }

// ProblemError is a problem that sde refuses (sde.Problem.Validate,
// sde.SGDProblem.Validate or its temperature); Unwrap gives sde's error,
// e.g. one wrapping potentials.ErrNotPSD.
type ProblemError struct{ Err error }

func (e *ProblemError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ProblemError) Unwrap() error { return e.Err }

// DirError is an output directory that cannot be created.
type DirError struct {
	Dir string
	Err error
}

func (e *DirError) Error() string { return fmt.Sprintf("cannot create directory %s: %v", e.Dir, e.Err) }

// Unwrap returns the cause.
func (e *DirError) Unwrap() error { return e.Err }

// Ensemble holds the states of a run: the final state of every trajectory
// and the recorded trajectories, as final.npy (N, Dim) and traj.npy
// (Record, RecordLen, Dim) hold them. Matrices are row-major.
type Ensemble struct {
	Dim, N int
	// Final is N x Dim; a diverged trajectory holds its last finite state.
	Final []float64
	// Traj is Record x RecordLen x Dim: the states after post-burn-in
	// steps Every, 2 Every, ...; nil when nothing was recorded.
	Record, RecordLen int
	Traj              []float64
}

// ensembleOf returns the states of an sde result.
func ensembleOf(res *sde.Result) Ensemble {
	e := Ensemble{Dim: res.Dim, N: res.N, Final: res.Final}
	if res.Record > 0 && res.RecordLen > 0 {
		e.Record, e.RecordLen, e.Traj = res.Record, res.RecordLen, res.Traj
	}
	return e
}

// write writes final.npy and, when trajectories were recorded, traj.npy
// into dir (created if needed), each atomically, and returns the files of
// the run with summary.json, which the caller writes last. A traj.npy left
// by an earlier run without recorded trajectories is removed, so that the
// directory describes one run.
func (e *Ensemble) write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &DirError{Dir: dir, Err: err}
	}
	files := []string{"summary.json", "final.npy"}
	if err := datafile.WriteNPY(filepath.Join(dir, "final.npy"), e.Final, e.N, e.Dim); err != nil {
		return nil, err
	}
	trajPath := filepath.Join(dir, "traj.npy")
	if e.Record > 0 && e.RecordLen > 0 {
		if err := datafile.WriteNPY(trajPath, e.Traj, e.Record, e.RecordLen, e.Dim); err != nil {
			return nil, err
		}
		files = append(files, "traj.npy")
	} else if err := os.Remove(trajPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale %s: %w", trajPath, err)
	}
	return files, nil
}

// ShapeError is a .npy file of a run whose shape is not the one its
// summary.json describes.
type ShapeError struct {
	Path  string
	Shape []int // the file's shape
	Want  []int // the shape the summary describes
	// Rank is true when the file does not even have the rank of Want (or
	// has an empty axis).
	Rank bool
}

func (e *ShapeError) Error() string {
	if e.Rank {
		return fmt.Sprintf("%s has shape %v: want %v", e.Path, e.Shape, e.Want)
	}
	return fmt.Sprintf("%s has shape %v, but summary.json says %v", e.Path, e.Shape, e.Want)
}

// readEnsemble reads final.npy and traj.npy of dir, whose summary says n
// trajectories in dim dimensions, record of them recorded for recordLen
// states (recordLen 0: not known). An absent file leaves its fields zero;
// a file of another shape is a *ShapeError.
func readEnsemble(dir string, n, dim, record, recordLen int) (Ensemble, error) {
	e := Ensemble{Dim: dim, N: n}
	path := filepath.Join(dir, "final.npy")
	shape, data, err := datafile.ReadNPY(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return Ensemble{}, err
	case len(shape) != 2 || shape[0] != n || shape[1] != dim:
		return Ensemble{}, &ShapeError{Path: path, Shape: shape, Want: []int{n, dim}, Rank: len(shape) != 2}
	default:
		e.Final = data
	}
	path = filepath.Join(dir, "traj.npy")
	shape, data, err = datafile.ReadNPY(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return e, nil
	case err != nil:
		return Ensemble{}, err
	}
	want := []int{record, recordLen, dim}
	if len(shape) != 3 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1 {
		return Ensemble{}, &ShapeError{Path: path, Shape: shape, Want: want, Rank: true}
	}
	if shape[2] != dim || shape[0] != record || (recordLen > 0 && shape[1] != recordLen) {
		return Ensemble{}, &ShapeError{Path: path, Shape: shape, Want: want}
	}
	e.Record, e.RecordLen, e.Traj = shape[0], shape[1], data
	return e, nil
}

// rows splits the row-major d x d matrix m into rows for JSON.
func rows(m []float64, d int) [][]float64 {
	if m == nil {
		return nil
	}
	out := make([][]float64, d)
	for i := range out {
		out[i] = m[i*d : (i+1)*d]
	}
	return out
}
