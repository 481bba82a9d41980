package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/compare"
	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/internal/output"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// Defaults of 'sgdsde compare'. The ensemble defaults give, on the default
// double well (T = 0.5), trajectories of 28 time units (20 of burn-in: the
// well populations relax in about 5) and TV about 0.01 against a floor of
// 0.011. The 8 time units averaged after the burn-in bring the standard
// error of the angular momentum to about 0.0017 against L = -0.0225 (with
// 2 time units it was 0.0034, and seed 1 fell 2.9 standard errors off).
const (
	defaultCmpN      = 80000
	defaultCmpSteps  = 4000
	defaultCmpDt     = 2e-3
	defaultCmpBurnIn = 10000
	defaultCmpOut    = "out/compare"
)

// compareFlags are the ensemble and histogram flags of 'sgdsde compare'.
type compareFlags struct {
	ensembleFlags
	block    int
	minCount float64
	out      string
}

// compareSummary is compare.json: the inputs, then the comparison.
type compareSummary struct {
	Command string `json:"command"`
	Version string `json:"version"`
	modelInfo
	temperatureInfo
	gridInfo
	N        int       `json:"n"`
	Steps    int       `json:"steps"`
	BurnIn   int       `json:"burn_in"`
	Dt       float64   `json:"dt"`
	X0       []float64 `json:"x0"`
	Seed     uint64    `json:"seed"`
	Bound    float64   `json:"bound"`
	Block    int       `json:"block_requested"`
	MinCount float64   `json:"min_count"`

	Diverged        int     `json:"diverged"`
	EnsembleSeconds float64 `json:"ensemble_seconds"`
	GridSeconds     float64 `json:"grid_seconds"`
	WallRho         float64 `json:"wall_rho"`
	*compare.Report
	Files []string `json:"files"`
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

// runCompare validates everything, runs each temperature and writes the
// outputs.
func runCompare(cmd *cobra.Command, a *app, in *inputFlags, cf *compareFlags) error {
	// Validation, before any work and before --out is touched.
	if err := cf.validate(); err != nil {
		return err
	}
	var probs []*sde.Problem
	scheme, runs, err := in.resolve(cf.out, runChecks{
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
			probs = append(probs, prob)
			nodes := r.g.Len()
			return cf.checkMemory(r.model.Dim, 0, 1, fokkerplanck.MemoryEstimate(nodes), fmt.Sprintf("a grid of %d nodes", nodes))
		},
	})
	if err != nil {
		return err
	}
	tol := in.grid.tol
	if len(runs) == 1 {
		_, err := compareOne(cmd.Context(), a, &runs[0], probs[0], scheme, tol, cf, cf.out)
		return err
	}
	sums := make([]*compareSummary, len(runs))
	dirs, err := eachTemperature(a, runs, cf.out, func(i int, dir string) (err error) {
		sums[i], err = compareOne(cmd.Context(), a, &runs[i], probs[i], scheme, tol, cf, dir)
		return err
	})
	if err != nil {
		return err
	}
	ts := temperaturesOf(runs)
	sw := compareSweep{Command: "compare", Version: version, modelInfo: runs[0].minfo, gridInfo: runs[0].ginfo,
		Temperatures: ts, Dirs: dirs}
	phi := make([][]fokkerplanck.Minimum, len(sums))
	ens := make([][]fokkerplanck.Minimum, len(sums))
	for i, s := range sums {
		phi[i], ens[i] = s.Minima.Phi, s.Minima.Ensemble
		sw.TV = append(sw.TV, s.Hist.TV)
		sw.TVFloor = append(sw.TVFloor, s.Hist.TVFloor)
		if s.AngularMomentum != nil {
			sw.AngularMomentumGrid = append(sw.AngularMomentumGrid, s.AngularMomentum.Grid)
			sw.AngularMomentumEnsemble = append(sw.AngularMomentumEnsemble, s.AngularMomentum.Ensemble)
			sw.AngularMomentumStderr = append(sw.AngularMomentumStderr, s.AngularMomentum.EnsembleStderr)
		}
	}
	if len(sums[0].Minima.Loss) > 0 {
		sw.MinimaLoss = sums[0].Minima.Loss
	}
	sw.MinimaPhi = trackMinima(ts, phi)
	sw.MinimaEnsemble = trackMinima(ts, ens)
	sw.Files = []string{"summary.json"}
	if err := output.WriteJSON(filepath.Join(cf.out, "summary.json"), &sw); err != nil {
		return failureErrorf("%v", err)
	}
	w := a.stdout
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-8s  %-8s  %-8s\n", "T", "TV", "floor")
	for i, T := range ts {
		fmt.Fprintf(w, "%-8.4g  %-8.4f  %-8.4f\n", T, sw.TV[i], sw.TVFloor[i])
	}
	printTracks(w, "minima of Phi (grid)", ts, sw.MinimaPhi)
	printTracks(w, "minima of Phi (ensemble)", ts, sw.MinimaEnsemble)
	fmt.Fprintf(w, "output             %s (summary.json, %s)\n", cf.out, strings.Join(dirs, ", "))
	return nil
}

// compareSweep is the top-level summary.json of 'sgdsde compare' with a
// list of temperatures.
type compareSweep struct {
	Command string `json:"command"`
	Version string `json:"version"`
	modelInfo
	gridInfo
	Temperatures []float64 `json:"temperatures"`
	Dirs         []string  `json:"dirs"`
	// TV and TVFloor of the d-dimensional histogram at each temperature.
	TV      []float64 `json:"tv"`
	TVFloor []float64 `json:"tv_floor"`
	// The angular momentum at each temperature (2-D).
	AngularMomentumGrid     []float64 `json:"angular_momentum_grid,omitempty"`
	AngularMomentumEnsemble []float64 `json:"angular_momentum_ensemble,omitempty"`
	AngularMomentumStderr   []float64 `json:"angular_momentum_ensemble_stderr,omitempty"`
	// MinimaLoss are the minima of f; MinimaPhi and MinimaEnsemble follow
	// the grid's and the ensemble's minima of Phi across temperatures with a
	// line fitted to each coordinate.
	MinimaLoss     []fokkerplanck.Minimum `json:"minima_loss,omitempty"`
	MinimaPhi      []minimumTrack         `json:"minima_phi"`
	MinimaEnsemble []minimumTrack         `json:"minima_ensemble"`
	Files          []string               `json:"files"`
}

// compareOne solves the grid, runs the ensemble, compares them, writes
// compare.json into out and prints the table.
func compareOne(ctx context.Context, a *app, r *modelRun, prob *sde.Problem, scheme fokkerplanck.Scheme, tol float64, cf *compareFlags, out string) (*compareSummary, error) {
	_, st, asmSeconds, err := r.steadyState(ctx, scheme, tol, "compare", out)
	if err != nil {
		return nil, err
	}
	res, err := cf.run(ctx, a, prob, 0, 0, "compare", out)
	if err != nil {
		return nil, err
	}
	if res.Diverged > 0 {
		a.warnf("%d of %d trajectories diverged (beyond --bound %g or not finite) and were left out; a smaller --dt may help",
			res.Diverged, res.N, cf.bound)
	}
	rep, err := compare.Compare(r.model, r.tinfo.Temperature, res, r.g, st, compare.Options{Block: cf.block, MinCount: cf.minCount})
	if err != nil {
		return nil, failureErrorf("%v", err)
	}
	sum := &compareSummary{
		Command: "compare", Version: version,
		modelInfo: r.minfo, temperatureInfo: r.tinfo, gridInfo: r.ginfo,
		N: cf.n, Steps: cf.steps, BurnIn: cf.burnIn, Dt: cf.dt, X0: prob.X0, Seed: cf.seed, Bound: cf.bound,
		Block: cf.block, MinCount: cf.minCount,
		Diverged: res.Diverged, EnsembleSeconds: res.Elapsed.Seconds(), GridSeconds: asmSeconds + st.SolveSeconds,
		WallRho: st.WallRho, Report: rep, Files: []string{"compare.json"},
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, failureErrorf("cannot create --out directory: %v", err)
	}
	if err := output.WriteJSON(filepath.Join(out, "compare.json"), sum); err != nil {
		return nil, failureErrorf("%v", err)
	}
	warnSteadyOld(a, st, r.tinfo.Temperature)
	printCompare(a.stdout, sum, r.g, out)
	return sum, nil
}

// printCompare writes the side-by-side table of a comparison.
func printCompare(w io.Writer, s *compareSummary, g *fokkerplanck.Grid, dir string) {
	fmt.Fprintf(w, "model     %s (%d-D), drift %s, T = %.6g (%s)\n", s.Name, s.Dim, s.DriftKind, s.temperatureInfo.Temperature, temperatureSource(s.temperatureInfo))
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
