package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/compare"
	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
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
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := pf.validate(cmd.Flags()); err != nil {
			return err
		}
		if err := runCompare(cmd, a, in, &cf); err != nil {
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

// runCompare validates everything, compares through experiment.Compare
// and writes the outputs.
func runCompare(cmd *cobra.Command, a *app, in *inputFlags, cf *compareFlags) error {
	// Validation, before any work and before --out is touched.
	if err := cf.validate(); err != nil {
		return err
	}
	var x0 []float64
	_, runs, err := in.resolve(cf.out, runChecks{
		model: func(m potentials.Model) error {
			if m.Dim > 2 {
				return usageErrorf("compare needs a 1-D or 2-D model (a grid), model %q is %d-D", m.Name, m.Dim)
			}
			return nil
		},
		run: func(r *modelRun) error {
			prob, err := cf.problem(r.model, r.tinfo.Temperature)
			if err != nil {
				return err
			}
			x0 = prob.X0
			nodes := r.g.Len()
			return cf.checkMemory(r.model.Dim, 0, 1, fokkerplanck.MemoryEstimate(nodes), fmt.Sprintf("a grid of %d nodes", nodes))
		},
	})
	if err != nil {
		return err
	}
	spec := experiment.CompareSpec{
		Model: in.modelSpec(), Grid: in.gridSpec(runs[0].model.Dim),
		N: cf.n, Steps: cf.steps, BurnIn: cf.burnIn, Dt: cf.dt, X0: x0, Seed: cf.seed, Workers: cf.workers, Bound: cf.bound,
		Block: cf.block, MinCount: cf.minCount,
	}
	if len(runs) == 1 {
		spec.Temperature = temperatureSpec(runs[0].tinfo)
	} else {
		spec.Temperatures = temperaturesOf(runs)
	}
	plan, err := spec.Plan()
	if err != nil {
		return planError(err, "lower --n")
	}
	pr := progressFor(a, float64(cf.n)*float64(cf.steps+cf.burnIn), "")
	ctx := cmd.Context()
	res, err := plan.Run(ctx, pr)
	if err != nil {
		return compareFailure(ctx, err, cf.out)
	}
	res.SetVersion(version)
	if err := res.Write(cf.out); err != nil {
		return writeError(err)
	}
	w := a.stdout
	for i, r := range res.Runs {
		s := &r.Summary
		dir := cf.out
		if res.List != nil {
			dir = filepath.Join(cf.out, res.List.Dirs[i])
			if i > 0 {
				fmt.Fprintln(w)
			}
		}
		if s.Diverged > 0 {
			a.warnf("%d of %d trajectories diverged (beyond --bound %g or not finite) and were left out; a smaller --dt may help",
				s.Diverged, s.N, cf.bound)
		}
		warnSteady(a, s.WallRho, s.SteadyCellPeclet, s.TemperatureInfo.Temperature)
		printCompare(w, s, r.Grid, dir)
	}
	l := res.List
	if l == nil {
		return nil
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-8s  %-8s  %-8s\n", "T", "TV", "floor")
	for i, T := range l.Temperatures {
		fmt.Fprintf(w, "%-8.4g  %-8.4f  %-8.4f\n", T, l.TV[i], l.TVFloor[i])
	}
	printTracks(w, "minima of Phi (grid)", l.Temperatures, l.MinimaPhi)
	printTracks(w, "minima of Phi (ensemble)", l.Temperatures, l.MinimaEnsemble)
	fmt.Fprintf(w, "output             %s (summary.json, %s)\n", cf.out, strings.Join(l.Dirs, ", "))
	return nil
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

// printCompare writes the side-by-side table of a comparison.
func printCompare(w io.Writer, s *experiment.CompareSummary, g *fokkerplanck.Grid, dir string) {
	fmt.Fprintf(w, "model     %s (%d-D), drift %s, T = %.6g (%s)\n", s.Name, s.Dim, s.DriftKind, s.TemperatureInfo.Temperature, s.Source())
	fmt.Fprintf(w, "grid      %s, %s, scheme %s (%.3g s)\n", g, boundaryName(s.Periodic), s.Scheme, s.GridSeconds)
	fmt.Fprintf(w, "ensemble  %d trajectories x (%d burn-in + %d) steps, dt = %g, seed %d (%.3g s); %d samples, %d diverged\n",
		s.N, s.BurnIn, s.Steps, s.Dt, s.Seed, s.EnsembleSeconds, s.Samples, s.Diverged)
	fmt.Fprintf(w, "%-28s %-26s %-26s %s\n", "", "grid", "ensemble", "")
	hist := func(name string, h compare.Histogram) {
		fmt.Fprintf(w, "%-28s %-26s %-26s %s\n", name,
			fmt.Sprintf("bins %s of %d cells", binsText(h.Bins), h.Block),
			fmt.Sprintf("outside %.3g", h.Outside),
			fmt.Sprintf("TV %.4f (floor %.4f, bulk count %.0f)", h.TV, h.TVFloor, h.BulkCount))
	}
	hist("histogram", s.Hist)
	for _, h := range s.Marginals {
		hist(fmt.Sprintf("marginal in %s", "xy"[h.Axes[0]:h.Axes[0]+1]), h)
	}
	mo := s.Moments
	names := []string{"x", "y"}
	for i := range mo.GridMean {
		fmt.Fprintf(w, "%-28s %-26.5g %-26s\n", "mean "+names[i], mo.GridMean[i],
			fmt.Sprintf("%.5g ± %.2g", mo.EnsembleMean[i], mo.EnsembleMeanStderr[i]))
	}
	for i := range mo.GridCov {
		for j := i; j < len(mo.GridCov); j++ {
			fmt.Fprintf(w, "%-28s %-26.5g %-26s\n", "cov "+names[i]+names[j], mo.GridCov[i][j],
				fmt.Sprintf("%.5g ± %.2g", mo.EnsembleCov[i][j], mo.EnsembleCovStderr[i][j]))
		}
	}
	if am := s.AngularMomentum; am != nil {
		cf := "no closed form"
		if am.ClosedForm != nil {
			cf = fmt.Sprintf("closed form %.5g", *am.ClosedForm)
			if am.GridRelErr != nil {
				cf += fmt.Sprintf(" (grid rel. err %.2g)", *am.GridRelErr)
			}
		}
		fmt.Fprintf(w, "%-28s %-26.5g %-26s %s; ensemble z = %.2f\n", "angular momentum L", am.Grid,
			fmt.Sprintf("%.5g ± %.2g", am.Ensemble, am.EnsembleStderr), cf, am.EnsembleZ)
	}
	for k, m := range s.Minima.Matches {
		e := "-"
		if m.Ensemble != nil {
			e = fmt.Sprintf("%s (dist %.2g)", vec(m.Ensemble.X), *m.Distance)
		}
		extra := ""
		if m.Loss != nil {
			extra = fmt.Sprintf("min of f %s, shift %.3g", vec(m.Loss.X), *m.ShiftFromLoss)
		}
		fmt.Fprintf(w, "%-28s %-26s %-26s %s\n", fmt.Sprintf("minimum %d of Phi", k+1), vec(m.Phi.X), e, extra)
	}
	fmt.Fprintf(w, "output    %s (%s)\n", dir, strings.Join(s.Files, ", "))
}

// binsText formats bin counts as "14 x 14".
func binsText(b []int) string {
	parts := make([]string, len(b))
	for i, v := range b {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " x ")
}
