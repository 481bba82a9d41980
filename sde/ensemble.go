package sde

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/sgdsde/sgdsde/potentials"
)

// chunkTrajectories is the number of trajectories a worker of Ensemble.Run
// takes at a time, and the largest group of SGDRun.
const chunkTrajectories = 16

// chunkSteps is the number of steps between progress reports and
// cancellation checks within one trajectory of Ensemble.Run.
const chunkSteps = 1 << 16

// Ensemble runs N independent Euler–Maruyama trajectories of a Problem.
//
// Trajectory i draws its normals from its own PCG generator seeded with
// TrajectorySeed(Seed, i) (splitmix64 hashes of Seed and i), and the
// statistics of the trajectories are merged in trajectory order, so the
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
	// concurrent use. A trajectory that diverges counts its remaining steps
	// as completed, so a complete run reports N (BurnIn + Steps) in all.
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
// every trajectory diverged (a *DivergedError).
func (e *Ensemble) Run(ctx context.Context, p *Problem) (*Result, error) {
	r, err := e.runner(p)
	if err != nil {
		return nil, err
	}
	return r.run(ctx)
}

// settings returns the run settings of e.
func (e *Ensemble) settings() settings {
	return settings{n: e.N, seed: e.Seed, workers: e.Workers, record: e.Record, every: e.Every, bound: e.Bound, progress: e.Progress}
}

// runner checks p and the settings of e and returns the run, with the
// lockstep 2-D stepper for models with scalar fast paths and the general
// Euler–Maruyama kernel otherwise.
func (e *Ensemble) runner(p *Problem) (*runner, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	s, err := e.settings().check("trajectories")
	if err != nil {
		return nil, err
	}
	d, n := p.Model.Dim, e.N
	if _, err := e.MemoryEstimate(d, p.Steps); err != nil {
		return nil, err
	}
	if e.Starts != nil {
		if len(e.Starts) != n*d {
			return nil, fmt.Errorf("starts hold %d values, want N x d = %d x %d", len(e.Starts), n, d)
		}
		for i, v := range e.Starts {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("start of trajectory %d is not finite", i/d)
			}
		}
	}
	r := &runner{
		settings: s, noun: "trajectories",
		d: d, steps: p.Steps, burnIn: p.BurnIn, x0: p.X0, starts: e.Starts,
		group: chunkTrajectories, chunk: chunkSteps, cov: true, angular: d == 2,
		notPSD: func(i int, x []float64) error { return notPSDError(p.Model, i, x) },
	}
	if d == 2 && p.Model.Drift2 != nil {
		r.newLaneStepper = func(pcg []*rand.PCG) stepper { return r.newLanes2(p, pcg) }
	} else {
		r.newLaneStepper = func(pcg []*rand.PCG) stepper { return r.newVecStepper(newEMStep(p, pcg[0]), p.Dt) }
	}
	return r, nil
}

// notPSDError describes trajectory i reaching the point x where the
// integrator could not factor D(x).
func notPSDError(m potentials.Model, i int, x []float64) error {
	if err := m.CheckDiffusion(x); err != nil {
		return fmt.Errorf("trajectory %d: %w", i, err)
	}
	// The factorisation's tolerance is tighter than CheckDiffusion's.
	return fmt.Errorf("trajectory %d: %w: D is singular to round-off at x = %v", i, potentials.ErrNotPSD, x)
}
