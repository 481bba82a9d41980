package main

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/compare"
	"github.com/sgdsde/sgdsde/experiment"
)

// Defaults of 'sgdsde compare' (those of experiment.DefaultCompare).
const (
	defaultCmpN      = experiment.DefaultCompareN
	defaultCmpSteps  = experiment.DefaultCompareSteps
	defaultCmpDt     = experiment.DefaultCompareDt
	defaultCmpBurnIn = experiment.DefaultCompareBurnIn
	defaultCmpOut    = "out/compare"
)

// compareFlags are the ensemble and histogram flags of 'sgdsde compare'.
type compareFlags struct {
	ensembleFlags
	block    int
	minCount float64
	out      string
}

// newCompareCmd builds 'sgdsde compare'.
func newCompareCmd(a *app) *cobra.Command {
	var cf compareFlags
	cmd := &cobra.Command{
		Use:   "compare",
		Short: "Compare the Euler–Maruyama ensemble with the grid steady state: histograms (TV), moments, angular momentum, minima",
		Long: `Run an Euler–Maruyama ensemble and solve the steady Fokker–Planck equation on a grid for the same model
and temperature, and compare them: the histogram of the trajectories' final states against rho_ss summed
over the same bins (blocks of k x k grid cells, k chosen so that a bulk bin expects --min-count samples;
samples outside the box in an extra bin), their total variation distance TV and its Monte Carlo floor
(the exact expected TV of n samples from the grid law); the 1-D marginals; mean and covariance with
standard errors; the angular momentum L of both and its closed form where known (gyrator and quadratic at
any T, paper-fig4 at T = 1); the minima of Phi on the grid, of f, and the ensemble's estimate of the
minima of Phi. The burn-in must exceed the relaxation time (final states are the samples).
A comma-separated --temperature runs each temperature into T_<T>/ and writes a summary across them.
Writes into --out: compare.json (inputs and results).`,
		Example: `  sgdsde compare
  sgdsde compare --landscape paper-fig4 --temperature 1 --box -3:3,-4:4
  sgdsde compare --landscape gyrator --n 20000 --grid 128
  sgdsde compare --temperature 0.2,0.3,0.4 --n 40000`,
	}
	fs, in := addInputFlags(cmd, temperatureList|withGrid)
	addEnsembleFlags(fs, &cf.ensembleFlags, ensembleDefaults{
		n: defaultCmpN, steps: defaultCmpSteps, burnIn: defaultCmpBurnIn, dt: defaultCmpDt,
		nNote: "their final states are the samples",
	})
	fs.IntVar(&cf.block, "block", 0, "histogram bins of `k` x k grid cells (0 = automatic, by --min-count)")
	fs.Float64Var(&cf.minCount, "min-count", compare.DefaultMinCount,
		"expected `count` of a bulk bin for the automatic --block; the TV floor is about sqrt(1/(2 pi count))")
	addOutFlag(fs, &cf.out, defaultCmpOut)
	var pf plotFlags
	addPlotFlags(fs, &pf)
	sc := &studyCommand{
		build:     func() (experiment.Study, error) { return compareStudy(in, &cf) },
		planError: comparePlanError,
		runError:  compareFailure,
		warnings:  compareWarnings,
	}
	a.register("compare", sc)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := pf.validate(cmd.Flags()); err != nil {
			return err
		}
		if err := sc.run(cmd.Context(), a, cf.out); err != nil {
			return err
		}
		return pf.draw(a, "compare", cf.out)
	}
	return cmd
}

// validate checks the flags that do not depend on the model.
func (cf *compareFlags) validate() error {
	if err := cf.ensembleFlags.validate(); err != nil {
		return err
	}
	switch {
	case cf.block < 0:
		return usageErrorf("--block must be non-negative (0 = automatic), got %d", cf.block)
	case !(cf.minCount >= 1) || math.IsInf(cf.minCount, 0):
		return usageErrorf("--min-count must be at least 1, got %g", cf.minCount)
	}
	return nil
}

// compareStudy returns the comparison of the flags.
func compareStudy(in *inputFlags, cf *compareFlags) (experiment.Study, error) {
	if err := cf.validate(); err != nil {
		return nil, err
	}
	p, err := in.specs()
	if err != nil {
		return nil, err
	}
	spec := &experiment.CompareSpec{
		Model: p.model, Temperature: p.temp, Temperatures: p.temps, Grid: p.grid,
		N: cf.n, Steps: cf.steps, BurnIn: cf.burnIn, Dt: cf.dt, Seed: cf.seed, Workers: cf.workers, Bound: cf.bound,
		Block: cf.block, MinCount: cf.minCount,
	}
	if cf.fs.Changed("x0") {
		if spec.X0, err = experiment.ParsePoint(cf.x0, 0); err != nil {
			return nil, usageErrorf("--x0 %q: %v", cf.x0, err)
		}
	}
	return spec, nil
}

// comparePlanError words an error of CompareSpec.Plan.
func comparePlanError(err error) error {
	var (
		de *experiment.DimensionError
		pe *experiment.EnsembleProblemError
	)
	switch {
	case errors.As(err, &de):
		return usageErrorf("compare needs a 1-D or 2-D model (a grid), model %q is %d-D", de.Model, de.Dim)
	case errors.As(err, &pe):
		return ensembleErrorText(&experiment.ProblemError{Err: pe.Err}, "trajectories", "lower --n")
	}
	return planError(err, "lower --n")
}

// compareWarnings are the warnings of a comparison: diverged trajectories
// and those of each steady state.
func compareWarnings(res experiment.StudyResult) []string {
	var w []string
	for _, r := range res.(*experiment.CompareResult).Runs {
		s := &r.Summary
		if s.Diverged > 0 {
			w = append(w, fmt.Sprintf("%d of %d trajectories diverged (beyond --bound %g or not finite) and were left out; a smaller --dt may help",
				s.Diverged, s.N, s.Bound))
		}
		w = append(w, steadyWarnings(s.WallRho, s.SteadyCellPeclet, s.TemperatureInfo.Temperature)...)
	}
	return w
}

// compareFailure words an error of experiment.ComparePlan.Run.
func compareFailure(ctx context.Context, err error, out string) error {
	var ee *experiment.EnsembleRunError
	if !errors.As(err, &ee) {
		var se *experiment.SolveError
		var ae *experiment.AssembleError
		if errors.As(err, &se) || errors.As(err, &ae) {
			return gridFailure(ctx, err, "compare", out, false)
		}
		return failureErrorf("%v", err)
	}
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(ee.Err, ctxErr) {
		return failureErrorf("compare interrupted (%v); nothing was written to %s", ee.Err, out)
	}
	return failureErrorf("compare: %v", wordError(ee.Err))
}
