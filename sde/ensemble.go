package sde

import (
	"context"
	"time"
)

// Ensemble runs N independent Euler–Maruyama trajectories of a Problem.
//
// Trajectory i draws its normals from its own PCG generator seeded with
// splitmix64 hashes of (Seed, i), and trajectories are grouped in batches of
// a fixed size whose partial statistics are merged in batch order, so the
// same Seed gives bit-identical results for any number of Workers.
type Ensemble struct {
	// N is the number of trajectories.
	N int
	// Seed selects the random numbers.
	Seed uint64
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// Record is the number of trajectories (the first ones) whose states are
	// kept every Every steps after the burn-in.
	Record int
	// Every is the recording stride in steps; 0 means 1.
	Every int
	// Bound: a trajectory with a coordinate of magnitude above Bound, or not
	// finite, is counted as diverged and left out of the statistics. 0 means 1e8.
	Bound float64
	// Starts, if not nil, holds one initial state per trajectory, N x d
	// row-major: trajectory i starts at Starts[i*d:(i+1)*d] instead of at
	// Problem.X0, which then serves only as the reference point of the
	// running sums. It lets a caller continue an ensemble from the final
	// states of an earlier run (with another Seed), as the live particle
	// cloud of 'sgdsde serve' does.
	Starts []float64
	// Progress, if not nil, is called from the workers with the number of
	// trajectory-steps completed since its previous call; it must be safe for
	// concurrent use.
	Progress func(delta int64)
}

// Result holds what an ensemble run produced. Matrices are row-major.
type Result struct {
	// Dim is the dimension d; N the number of trajectories.
	Dim, N int
	// Final holds the state of every trajectory after the last step, N x d. A
	// diverged trajectory holds its last finite state.
	Final []float64
	// Traj holds the recorded trajectories, Record x RecordLen x d: state
	// after post-burn-in steps Every, 2 Every, ..., RecordLen*Every. A
	// recorded trajectory that diverged repeats its last finite state.
	Traj      []float64
	Record    int
	RecordLen int
	// Mean and Cov are the mean (d) and covariance (d x d) of the state over
	// all post-burn-in steps of the trajectories that did not diverge.
	Mean, Cov []float64
	// MeanStderr is the standard error of Mean, from the spread of the
	// per-trajectory time averages across trajectories.
	MeanStderr []float64
	// AngularMomentum (2-D only) is the stationary rate of
	// (x1 dx2 - x2 dx1)/dt with x taken at the midpoint of each step, which
	// estimates L = integral (x1 J2 - x2 J1) dx; AngularMomentumStderr is its
	// standard error across trajectories.
	AngularMomentum, AngularMomentumStderr float64
	// Diverged counts the trajectories that diverged; DivergedIndex lists them.
	Diverged      int
	DivergedIndex []int
	// Samples is the number of states averaged into Mean and Cov.
	Samples int64
	// Workers is the number of goroutines used; Elapsed the wall time;
	// StepsPerSecond the trajectory-steps (burn-in included) per second.
	Workers        int
	Elapsed        time.Duration
	StepsPerSecond float64
}

// Run integrates the ensemble. It returns an error if the problem is invalid,
// the sizes cannot be allocated at all (ErrTooLarge, checked before
// anything is allocated; see MemoryEstimate), the context is cancelled, or
// every trajectory diverged.
func (e *Ensemble) Run(ctx context.Context, p *Problem) (*Result, error) {
	return e.run(ctx, p)
}
