package main

// The Euler–Maruyama ensemble flags shared by 'sgdsde simulate' and
// 'sgdsde compare', and the wording of the ensemble studies' errors.

import (
	"context"
	"errors"

	"github.com/spf13/pflag"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/potentials"
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

// chains returns the run settings of the flags, saving record
// trajectories every every steps.
func (ef *ensembleFlags) chains(record, every int) experiment.Chains {
	return experiment.Chains{N: ef.n, Steps: ef.steps, BurnIn: ef.burnIn, Record: record, Every: every,
		Seed: ef.seed, Workers: ef.workers, Bound: ef.bound}
}

// validate checks the ensemble flags, which do not depend on the model.
func (ef *ensembleFlags) validate() error {
	spec := experiment.SimulateSpec{Dt: ef.dt, Chains: ef.chains(0, 1)}
	return ensembleErrorText(spec.CheckRun(), "trajectories", "")
}

// runFailure words the error of a run of command that writes into out: an
// interrupt, or a failure (worded by wordError: trajectories that all
// diverged call for a smaller --dt, chains for a smaller --lr).
func runFailure(ctx context.Context, err error, command, out string) error {
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return failureErrorf("%s interrupted (%v); nothing was written to %s", command, err, out)
	}
	return failureErrorf("%s: %v", command, wordError(err))
}

// settingFlags are the flags of the spec fields that experiment's
// SettingError names.
var settingFlags = map[string]string{
	"N": "--n", "Steps": "--steps", "BurnIn": "--burn-in", "Dt": "--dt", "Workers": "--workers", "Bound": "--bound",
	"Every": "--every", "Record": "--record", "LR": "--lr", "Momentum": "--momentum", "NoiseScale": "--noise-scale",
}

// ensembleErrorText words an error of the plan of a simulation or of SGD
// chains (what: "trajectories" or "chains") for the command line; hint
// says which flags lower the memory needed. It returns nil for nil.
func ensembleErrorText(err error, what, hint string) error {
	var (
		se *experiment.SettingError
		ce *experiment.ChainsError
		fe *experiment.FiniteSumError
		pe *experiment.ProblemError
		me *experiment.MemoryError
		ze *experiment.SizeError
		ne *experiment.NoiseScaleError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return usageErrorf("%s must be %s, got %v", settingFlags[se.Setting], se.Want, se.Value)
	case errors.As(err, &ce):
		switch ce.Conflict {
		case experiment.ChainsOverflow:
			return usageErrorf("--steps %d plus --burn-in %d overflow an integer: lower them", ce.Steps, ce.BurnIn)
		case experiment.ChainsRecordExceedsN:
			return usageErrorf("--record %d exceeds --n %d: at most n %s can be saved", ce.Record, ce.N, what)
		}
		return usageErrorf("--every %d exceeds --steps %d: no state would be saved; lower --every or set --record 0", ce.Every, ce.Steps)
	case errors.As(err, &fe):
		switch fe.Issue {
		case experiment.FiniteSumBatch:
			return usageErrorf("--batch %d: want 1 to the model's %d samples (set n with --set n=...)", fe.Batch, fe.Samples)
		case experiment.FiniteSumIndependentBatches:
			return usageErrorf("--independent-batches needs --without-replacement")
		case experiment.FiniteSumZeroTemperature:
			return usageErrorf("--batch %d equals the %d samples without replacement: T = 0 (gradient descent has no noise); lower --batch", fe.Batch, fe.Samples)
		}
		return usageErrorf("--model: %v", err)
	case errors.As(err, &pe):
		if errors.Is(err, potentials.ErrNotPSD) {
			return usageErrorf("%v; fix the diffusion (--diffusion or --set) or start elsewhere with --x0", err)
		}
		return usageErrorf("%v", err)
	case errors.As(err, &me), errors.As(err, &ze):
		return usageErrorf("%v: %s", err, hint)
	case errors.As(err, &ne):
		return usageErrorf("%v; give a positive --noise-scale", err)
	}
	return modelErrorText(err)
}

// writeResult writes a result with write into dir; its errors are run
// failures.
func writeResult(write func(string) error, dir string) error {
	err := write(dir)
	var de *experiment.DirError
	if errors.As(err, &de) {
		return failureErrorf("cannot create --out directory: %v", de.Err)
	}
	if err != nil {
		return failureErrorf("%v", err)
	}
	return nil
}
