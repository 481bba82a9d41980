package experiment

// The human-readable reports of the studies: what the commands print
// after writing a result. Numbers are rounded for reading; the files hold
// them in full.

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sgdsde/sgdsde/compare"
	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/sde"
)

// Report writes the human-readable summary of r, whose files are in dir,
// to w: the lines 'sgdsde steady' prints.
func (r *SteadyResult) Report(w io.Writer, dir string) error {
	return report(w, func(b io.Writer) { reportSteady(b, r, dir) })
}

// Report writes the human-readable summary of r, whose files are in dir,
// to w: the lines 'sgdsde compare' prints.
func (r *CompareResult) Report(w io.Writer, dir string) error {
	return report(w, func(b io.Writer) { reportCompare(b, r, dir) })
}

// Report writes the human-readable summary of r, whose files are in dir,
// to w: the lines 'sgdsde cycles' prints.
func (r *CyclesResult) Report(w io.Writer, dir string) error {
	return report(w, func(b io.Writer) { printCycles(b, &r.Summary, r.Grid, dir) })
}

// Report writes the human-readable summary of r, whose files are in dir,
// to w: the lines 'sgdsde simulate' prints.
func (r *SimulateResult) Report(w io.Writer, dir string) error {
	if r.FiniteSum != nil {
		return report(w, func(b io.Writer) { reportFiniteSum(b, dir, r.FiniteSum) })
	}
	return report(w, func(b io.Writer) { printSimulate(b, r.Summary, dir) })
}

// Report writes the human-readable summary of r, whose files are in dir,
// to w: the lines 'sgdsde sgd' prints.
func (r *FiniteSumResult) Report(w io.Writer, dir string) error {
	return report(w, func(b io.Writer) { reportFiniteSum(b, dir, &r.Summary) })
}

// report writes what print prints to w in one write, and returns the
// write's error.
func report(w io.Writer, print func(b io.Writer)) error {
	var b strings.Builder
	print(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

// eachRun calls print for each of n runs with its directory: out for a
// single run, else out's subdirectory dirs[i] (a list of temperatures),
// with a blank line between runs.
func eachRun(w io.Writer, out string, dirs []string, n int, print func(i int, dir string)) {
	for i := 0; i < n; i++ {
		dir := out
		if dirs != nil {
			dir = filepath.Join(out, dirs[i])
			if i > 0 {
				fmt.Fprintln(w)
			}
		}
		print(i, dir)
	}
}

// reportSteady prints the human summary of each temperature's steady
// state and, for a list, the minima track.
func reportSteady(w io.Writer, res *SteadyResult, out string) {
	var dirs []string
	if res.List != nil {
		dirs = res.List.Dirs
	}
	eachRun(w, out, dirs, len(res.Runs), func(i int, dir string) {
		printSteady(w, &res.Runs[i].Summary, res.Runs[i].Grid, dir)
	})
	if l := res.List; l != nil {
		fmt.Fprintln(w)
		printTracks(w, "minima of Phi (grid)", l.Temperatures, l.MinimaPhi)
		fmt.Fprintf(w, "output             %s (summary.json, %s)\n", out, strings.Join(l.Dirs, ", "))
	}
}

// printTracks prints the minima followed across temperatures as a table:
// one row per temperature, one column per minimum, then the fitted lines.
func printTracks(w io.Writer, title string, ts []float64, tracks []MinimumTrack) {
	fmt.Fprintf(w, "%s against T:\n", title)
	if len(tracks) == 0 {
		fmt.Fprintln(w, "  none in the interior")
		return
	}
	// row prints one row: label, then cell(tr) of each track ("-" for nil).
	row := func(label string, cell func(tr MinimumTrack) []float64) {
		fmt.Fprintf(w, "  %-8s", label)
		for _, tr := range tracks {
			s := "-"
			if x := cell(tr); x != nil {
				s = vec(x)
			}
			fmt.Fprintf(w, "  %-22s", s)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "  %-8s", "T")
	for k := range tracks {
		fmt.Fprintf(w, "  %-22s", fmt.Sprintf("minimum %d", k+1))
	}
	fmt.Fprintln(w)
	for i, T := range ts {
		row(fmt.Sprintf("%.4g", T), func(tr MinimumTrack) []float64 { return tr.X[i] })
	}
	row("slope", func(tr MinimumTrack) []float64 { return tr.Slope })
	row("T -> 0", func(tr MinimumTrack) []float64 { return tr.Intercept })
}

// printSteady writes the human summary of a steady state to w.
func printSteady(w io.Writer, s *SteadySummary, g *fokkerplanck.Grid, dir string) {
	fmt.Fprintf(w, "model              %s (%d-D), drift %s, T = %.6g (%s)\n", s.Name, s.Dim, s.DriftKind, s.Temperature, s.Source())
	fmt.Fprintf(w, "grid               %s, %s, scheme %s\n", g, boundaryName(s.Periodic), s.Scheme)
	fmt.Fprintf(w, "solve              relative residual %.2g (tolerance %g, ||L p||_1 = %.2g), %d iterations, %.3g s (assembly %.3g s)\n",
		s.RelativeResidual, s.Tol, s.Residual, s.Iterations, s.SolveSeconds, s.AssembleSeconds)
	fmt.Fprintf(w, "resolution         cell Peclet number %.3g where rho > 1e-6 max; every node with rho > 1e-20 max balanced to %.2g of its flux\n",
		s.CellPeclet, s.MaxNodeImbalance)
	fmt.Fprintf(w, "mass               %.12g, min rho %.3g, %d nodes underflow\n", s.Mass, s.MinRho, s.UnderflowNodes)
	fmt.Fprintf(w, "entropy production Pi = %.6g\n", s.EntropyProduction)
	if s.AngularMomentum != nil {
		fmt.Fprintf(w, "angular momentum   L = %.6g\n", *s.AngularMomentum)
	}
	if s.MaxAbsPhiMinusLoss != nil {
		fmt.Fprintf(w, "max|Phi - f|       %.4g (up to a constant, where rho > %g max rho)\n", *s.MaxAbsPhiMinusLoss, s.RegionFraction)
	}
	if s.MinimaLoss != nil {
		fmt.Fprintf(w, "minima of f        %s\n", minimaList(*s.MinimaLoss))
	}
	fmt.Fprintf(w, "minima of Phi      %s\n", minimaList(s.MinimaPhi))
	printAssumption4(w, s)
	fmt.Fprintf(w, "output             %s (%s)\n", dir, strings.Join(s.Files, ", "))
}

// printAssumption4 writes the rows of the Assumption-4 check: each field's
// max and mean with its two-grid error and verdict, then the verdict.
func printAssumption4(w io.Writer, s *SteadySummary) {
	c := s.Assumption4Check
	holds, violated := fmt.Sprint(fokkerplanck.Assumption4Holds), fmt.Sprint(fokkerplanck.Assumption4Violated)
	row := func(label string, sp fokkerplanck.Spread, e, roundOff *float64, verdict string) {
		fmt.Fprintf(w, "%-18s max %.4g, mean %.3g", label, sp.Max, sp.Mean)
		if e == nil || roundOff == nil {
			fmt.Fprintln(w)
			return
		}
		var what string
		switch {
		case verdict == violated:
			what = "not zero (max > 2 x error)"
		case sp.Max <= 2**e:
			what = "zero within the error (max <= 2 x error)"
		default:
			what = fmt.Sprintf("zero to round-off (max <= %.2g)", *roundOff)
		}
		fmt.Fprintf(w, "; two-grid error %.3g: %s\n", *e, what)
	}
	row("div j", s.DivForce, s.DivForceError, c.DivForceRoundOff, c.DivForce)
	row("j . grad Phi", s.ForceDotGradPhi, s.ForceDotGradPhiError, c.ForceDotGradPhiRoundOff, c.ForceDotGradPhi)
	switch s.Assumption4 {
	case holds:
		fmt.Fprintf(w, "assumption 4       holds within the two-grid error (coarse grid %s)\n", gridSize(c.CoarseGrid))
	case violated:
		fmt.Fprintf(w, "assumption 4       violated beyond the two-grid error (coarse grid %s)\n", gridSize(c.CoarseGrid))
	default:
		fmt.Fprintf(w, "assumption 4       undetermined (%s)\n", c.Note)
	}
}

// gridSize formats grid sizes as "64 x 32" (1-D: "64").
func gridSize(n []int) string {
	parts := make([]string, len(n))
	for i, v := range n {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, " x ")
}

// minimaList formats minima as "(x, y) value; ...", at most 6 of them.
func minimaList(ms []fokkerplanck.Minimum) string {
	if len(ms) == 0 {
		return "none in the interior"
	}
	const show = 6
	parts := make([]string, 0, show+1)
	for i, m := range ms {
		if i == show {
			parts = append(parts, fmt.Sprintf("... (%d in all)", len(ms)))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %.4g", vec(m.X), m.Value))
	}
	return strings.Join(parts, "; ")
}

// reportCompare prints the human summary of each comparison and, for a
// list of temperatures, the table across them and the minima tracks.
func reportCompare(w io.Writer, res *CompareResult, out string) {
	var dirs []string
	if res.List != nil {
		dirs = res.List.Dirs
	}
	eachRun(w, out, dirs, len(res.Runs), func(i int, dir string) {
		printCompare(w, &res.Runs[i].Summary, res.Runs[i].Grid, dir)
	})
	l := res.List
	if l == nil {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-8s  %-8s  %-8s\n", "T", "TV", "floor")
	for i, T := range l.Temperatures {
		fmt.Fprintf(w, "%-8.4g  %-8.4f  %-8.4f\n", T, l.TV[i], l.TVFloor[i])
	}
	printTracks(w, "minima of Phi (grid)", l.Temperatures, l.MinimaPhi)
	printTracks(w, "minima of Phi (ensemble)", l.Temperatures, l.MinimaEnsemble)
	fmt.Fprintf(w, "output             %s (summary.json, %s)\n", out, strings.Join(l.Dirs, ", "))
}

// printCompare writes the side-by-side table of a comparison.
func printCompare(w io.Writer, s *CompareSummary, g *fokkerplanck.Grid, dir string) {
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

// printCycles writes the human table of the orbits to w.
func printCycles(w io.Writer, s *CyclesSummary, g *fokkerplanck.Grid, dir string) {
	fmt.Fprintf(w, "model    %s, drift %s, T = %.6g (%s)\n", s.Name, s.DriftKind, s.Temperature, s.Source())
	fmt.Fprintf(w, "grid     %s, %s, scheme %s\n", g, boundaryName(s.Periodic), s.Scheme)
	fmt.Fprintf(w, "steady   relative residual %.2g (tolerance %g, ||L p||_1 = %.2g), %d iterations\n",
		s.SteadyRelativeResidual, s.Tol, s.SteadyResidual, s.SteadyIterations)
	fc := s.ForceCheck
	if s.ForceVanishes {
		fmt.Fprintf(w, "force    no orbits: j vanishes (max |j| = %.3g, two-grid error %.3g, max |b| = %.3g)\n", fc.MaxForce, fc.ForceError, fc.MaxDrift)
	} else {
		fmt.Fprintf(w, "force    max |j| = %.4g, two-grid error %.3g (%d x %d), max |b| = %.4g\n", fc.MaxForce, fc.ForceError, fc.CoarseGrid[0], fc.CoarseGrid[1], fc.MaxDrift)
	}
	fmt.Fprintf(w, "%5s  %-6s %-20s %-15s %10s %10s %11s %13s\n", "orbit", "field", "seed", "class", "period", "closure", "contraction", "phi_variation")
	opt := func(p *float64, format string) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf(format, *p)
	}
	for _, o := range s.Orbits {
		fmt.Fprintf(w, "%5d  %-6s %-20s %-15s %10s %10s %11s %13.3g\n", o.Orbit, o.Field, vec(o.Seed[:]), o.Class,
			opt(o.Period, "%.5g"), opt(o.ClosureError, "%.2e"), opt(o.Contraction, "%.6f"), o.PhiVariation)
	}
	if len(s.Orbits) == 0 {
		fmt.Fprintln(w, "       (no orbits)")
	}
	for _, o := range s.Orbits {
		if o.Contraction != nil {
			fmt.Fprintf(w, "         %s\n", s.Contraction)
			break
		}
	}
	fmt.Fprintf(w, "output   %s (%s)\n", dir, strings.Join(s.Files, ", "))
}

// printSimulate writes the human summary of a run to stdout.
func printSimulate(w io.Writer, s *SimulateSummary, dir string) {
	fmt.Fprintf(w, "model             %s (%d-D), drift %s, T = %.6g (%s)\n", s.Name, s.Dim, s.DriftKind, s.Temperature, s.Source())
	fmt.Fprintf(w, "ensemble          %d trajectories x %d steps (+%d burn-in), dt = %g, x0 = %s, seed %d\n",
		s.N, s.Steps, s.BurnIn, s.Dt, vec(s.X0), s.Seed)
	fmt.Fprintf(w, "mean              %s ± %s\n", vec(s.Mean), vec(s.MeanStderr))
	covRows := make([]string, len(s.Cov))
	for i, r := range s.Cov {
		covRows[i] = vec(r)
	}
	fmt.Fprintf(w, "cov               %s\n", strings.Join(covRows, ", "))
	if s.AngularMomentum != nil {
		fmt.Fprintf(w, "angular momentum  %.4g ± %.2g\n", *s.AngularMomentum, *s.AngularMomentumStderr)
	}
	fmt.Fprintf(w, "diverged          %d of %d\n", s.Diverged, s.N)
	fmt.Fprintf(w, "throughput        %.3g million trajectory-steps/s (%.3g s, %d workers)\n",
		s.StepsPerSecond/1e6, s.ElapsedSeconds, s.WorkersUsed)
	fmt.Fprintf(w, "output            %s (%s)\n", dir, strings.Join(s.Files, ", "))
}

// reportFiniteSum prints the human summary of a finite-sum run written
// into dir.
func reportFiniteSum(w io.Writer, dir string, sum *FiniteSumSummary) {
	what := fmt.Sprintf("SGD, lr %g, batch %d", sum.LR, sum.Batch)
	if sum.Command == "simulate" {
		what = fmt.Sprintf("SDE (%s noise), T = %.6g, dt = lr = %g, batch %d", sum.Noise, sum.Temperature, sum.LR, sum.Batch)
	}
	if sum.WithoutReplacement {
		what += " without replacement"
		if sum.IndependentBatches {
			what += " (independent batches)"
		}
	}
	if sum.Momentum > 0 && sum.Command == "sgd" {
		what += fmt.Sprintf(", momentum %g", sum.Momentum)
	}
	fmt.Fprintf(w, "model             %s (d = %d, N = %d samples)\n", sum.Model, sum.Dim, sum.SampleCount)
	if sum.DataDir != "" {
		fmt.Fprintf(w, "data              %s\n", sum.DataDir)
	}
	switch {
	case sum.Command == "sgd" && sum.WithoutReplacement && !sum.IndependentBatches:
		// Shuffled epochs: no SDE describes them (validation case 17).
		fmt.Fprintf(w, "run               %s (shuffled epochs)\n", what)
		fmt.Fprintf(w, "SDE temperature   none for shuffled epochs: T = lr (N - b)/(2 b (N - 1)) = %.6g describes independent batches (--independent-batches), not these epochs, whose batch noise cancels over an epoch\n", sum.Temperature)
	case sum.Command == "sgd":
		fmt.Fprintf(w, "run               %s; matching SDE temperature T = %.6g\n", what, sum.Temperature)
	default:
		fmt.Fprintf(w, "run               %s\n", what)
	}
	if sum.Command == "simulate" && sum.Noise == sde.NoiseIsotropic.String() {
		fmt.Fprintf(w, "null              constant isotropic noise sqrt(2 T c) xi, c = %.6g (%s): in detailed balance, stationary law exp(-f/(T c))/Z (continuous time)\n",
			sum.NoiseScale, sum.NoiseScaleFrom)
	}
	fmt.Fprintf(w, "chains            %d x %d steps (+%d burn-in), x0 %s, seed %d\n", sum.N, sum.Steps, sum.BurnIn, x0Text(sum.X0), sum.Seed)
	if sum.Dim <= 8 {
		fmt.Fprintf(w, "mean              %s ± %s\n", vec(sum.Mean), vec(sum.MeanStderr))
	} else {
		fmt.Fprintf(w, "mean              |mean| = %.4g (d = %d; see summary.json)\n", math.Sqrt(dot(sum.Mean, sum.Mean)), sum.Dim)
	}
	reportEvaluation(w, sum.FinalEvaluation)
	fmt.Fprintf(w, "diverged          %d of %d\n", sum.Diverged, sum.N)
	fmt.Fprintf(w, "throughput        %.4g chain-steps/s (%.3g s, %d workers)\n", sum.StepsPerSecond, sum.ElapsedSeconds, sum.WorkersUsed)
	fmt.Fprintf(w, "output            %s (%s)\n", dir, strings.Join(sum.Files, ", "))
}

// dot returns the dot product of x and y.
func dot(x, y []float64) float64 {
	s := 0.0
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// x0Text formats the x0 echo for the human summary.
func x0Text(raw json.RawMessage) string {
	var v []float64
	if err := json.Unmarshal(raw, &v); err == nil {
		if len(v) > 8 {
			return "(" + strconv.Itoa(len(v)) + " coordinates)"
		}
		return vec(v)
	}
	var name string
	if err := json.Unmarshal(raw, &name); err == nil {
		return name
	}
	return string(raw)
}

// vec formats a vector as (a, b, ...) with 4 significant digits.
func vec(x []float64) string {
	parts := make([]string, len(x))
	for i, v := range x {
		parts[i] = fmt.Sprintf("%.4g", v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// boundaryName describes the boundary of a grid in words.
func boundaryName(periodic bool) string {
	if periodic {
		return "periodic"
	}
	return "zero-flux walls"
}
