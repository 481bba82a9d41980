package main

// The Euler–Maruyama ensemble flags shared by 'sgdsde simulate' and
// 'sgdsde compare', and the ensemble run they share.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// ensembleFlags are the flags of an Euler–Maruyama ensemble.
type ensembleFlags struct {
	fs               *pflag.FlagSet
	n, steps, burnIn int
	dt               float64
	x0               string
	seed             uint64
	workers          int
	bound            float64
}

// ensembleDefaults are a command's defaults of the ensemble flags.
type ensembleDefaults struct {
	n, steps, burnIn int
	dt               float64
	// nNote, when set, follows the usage of --n: what the trajectories
	// give the command.
	nNote string
}

// addEnsembleFlags registers the ensemble flags on fs into ef.
func addEnsembleFlags(fs *pflag.FlagSet, ef *ensembleFlags, def ensembleDefaults) {
	ef.fs = fs
	nUsage := "`number` of independent trajectories"
	if def.nNote != "" {
		nUsage += " (" + def.nNote + ")"
	}
	fs.IntVar(&ef.n, "n", def.n, nUsage)
	fs.IntVar(&ef.steps, "steps", def.steps, "recorded time `steps` per trajectory after the burn-in, averaged for the mean, covariance and angular momentum (simulated time steps*dt)")
	fs.Float64Var(&ef.dt, "dt", def.dt, "time step `dt` of Euler–Maruyama (time units; SGD with learning rate eta takes dt = eta)")
	fs.IntVar(&ef.burnIn, "burn-in", def.burnIn, "time `steps` discarded before recording, to forget x0 (burn-in time burn-in*dt; it must exceed the relaxation time)")
	fs.StringVar(&ef.x0, "x0", "", "initial state `x0` of every trajectory as comma-separated coordinates, e.g. \"1,0\" (default (1, 0) for 2-D models whose box contains it, otherwise the centre of the model's box)")
	fs.Uint64Var(&ef.seed, "seed", 1, "random `seed`; the same seed gives bit-identical results for any --workers")
	fs.IntVar(&ef.workers, "workers", 0, "`number` of parallel workers (0 = all CPU cores)")
	fs.Float64Var(&ef.bound, "bound", defaultSimBound, "divergence `bound` (units of x): a trajectory with a coordinate beyond ±bound, or not finite, is counted as diverged and left out")
}

// validate checks the ensemble flags, which do not depend on the model.
func (ef *ensembleFlags) validate() error {
	switch {
	case ef.n < 1:
		return usageErrorf("--n must be at least 1, got %d", ef.n)
	case ef.steps < 1:
		return usageErrorf("--steps must be at least 1, got %d", ef.steps)
	case ef.burnIn < 0:
		return usageErrorf("--burn-in must be non-negative, got %d", ef.burnIn)
	case ef.burnIn > math.MaxInt-ef.steps:
		return usageErrorf("--steps %d plus --burn-in %d overflow an integer: lower them", ef.steps, ef.burnIn)
	case !(ef.dt > 0) || math.IsInf(ef.dt, 0):
		return usageErrorf("--dt must be positive and finite, got %g", ef.dt)
	case ef.workers < 0:
		return usageErrorf("--workers must be non-negative (0 = all cores), got %d", ef.workers)
	case !(ef.bound > 0):
		return usageErrorf("--bound must be positive, got %g", ef.bound)
	}
	return nil
}

// problem returns the validated SDE problem of model m at temperature T
// started at --x0 (by default defaultX0). All errors are bad-input errors.
func (ef *ensembleFlags) problem(m potentials.Model, T float64) (*sde.Problem, error) {
	x0 := defaultX0(m)
	if ef.fs.Changed("x0") {
		var err error
		if x0, err = parsePoint("x0", ef.x0, m.Dim); err != nil {
			return nil, err
		}
	}
	prob := &sde.Problem{Model: m, Temperature: T, X0: x0, Dt: ef.dt, Steps: ef.steps, BurnIn: ef.burnIn}
	if err := prob.Validate(); err != nil {
		if errors.Is(err, potentials.ErrNotPSD) {
			return nil, usageErrorf("%v; fix the diffusion (--diffusion or --set) or start elsewhere with --x0", err)
		}
		return nil, usageErrorf("%v", err)
	}
	return prob, nil
}

// checkMemory refuses, before anything is allocated, an ensemble of the
// flags' size on a d-dimensional model saving record trajectories every
// every steps that cannot be allocated at all, or that does not fit in the
// available memory together with extra bytes (the grid of 'sgdsde compare',
// described by extraWhat). All errors are bad-input errors.
func (ef *ensembleFlags) checkMemory(d, record, every int, extra int64, extraWhat string) error {
	ens := &sde.Ensemble{N: ef.n, Workers: ef.workers, Record: record, Every: every, Bound: ef.bound}
	hint := "lower --n"
	if record > 0 {
		hint = "lower --n or --record, or raise --every"
	}
	need, err := ens.MemoryEstimate(d, ef.steps)
	if err != nil {
		return sizeError(err, hint)
	}
	what := fmt.Sprintf("an ensemble of %d trajectories in %d-D", ef.n, d)
	if record > 0 {
		what += fmt.Sprintf(" saving %d x %d states", record, ef.steps/every)
	}
	if extraWhat != "" {
		what += " and " + extraWhat
	}
	return checkMemory(float64(need)+float64(extra), what, hint)
}

// workTotal returns the product of the factors (trajectories, steps,
// gradients per step) for a progress bar, saturated at math.MaxInt64
// instead of overflowing.
func workTotal(factors ...int) int64 {
	t := 1.0
	for _, f := range factors {
		t *= float64(f)
	}
	if t >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(t)
}

// run runs the ensemble of prob, saving the first record trajectories
// every every steps, with a progress bar on a terminal. Its errors are run
// failures of command, which writes into out.
func (ef *ensembleFlags) run(ctx context.Context, a *app, prob *sde.Problem, record, every int, command, out string) (*sde.Result, error) {
	ens := &sde.Ensemble{N: ef.n, Seed: ef.seed, Workers: ef.workers, Record: record, Every: every, Bound: ef.bound}
	total := workTotal(ef.n, ef.steps+ef.burnIn)
	var bar *progress
	if float64(total) > progressMinWork && a.stderrIsTerminal() {
		bar = newProgress(a.stderr, total, command)
		ens.Progress = bar.add
	}
	res, err := ens.Run(ctx, prob)
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, failureErrorf("%s interrupted (%v); nothing was written to %s", command, err, out)
		}
		msg := err.Error()
		if strings.Contains(msg, "diverged") && !strings.Contains(msg, "--dt") {
			msg += "; try a smaller --dt"
		}
		return nil, failureErrorf("%s: %s", command, msg)
	}
	return res, nil
}
