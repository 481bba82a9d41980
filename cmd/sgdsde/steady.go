package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/fokkerplanck"
)

// defaultSteadyOut is the default --out of 'sgdsde steady'.
const defaultSteadyOut = "out/steady"

// newSteadyCmd builds 'sgdsde steady'.
func newSteadyCmd(a *app) *cobra.Command {
	var out string
	var pf plotFlags
	cmd := &cobra.Command{
		Use:   "steady",
		Short: "Steady state of the Fokker–Planck equation on a grid: rho, Phi, current, force, entropy production",
		Long: `Solve the steady Fokker–Planck equation 0 = -div J, J = b rho - T div(D rho), on a grid over a box
(zero-flux walls, or periodic) and derive the potential Phi = -T log rho (min 0), the current J and the
force j = J / rho (Chaudhari & Soatto, eq. 8). Reports the entropy production Pi (0 iff detailed balance),
the angular momentum L (2-D), max |Phi - f| up to a constant (0 for D = I and b = -grad f; detailed
balance alone does not make Phi = f), the minima of f and Phi, and div j and j . grad Phi (Assumption 4
asks both to vanish), over the region where
rho > 1e-6 max rho. Each of the last two comes with a two-grid error estimate: the steady state is solved
again on a grid with half the nodes per axis and the error is max |q_h - q_2h| over the coarse nodes (about
three times the fine grid's error for this second-order scheme); a field is zero within the error iff
max <= 2 x error (or below its round-off floor), and assumption4 in summary.json is "holds" when both are,
"violated" only when one exceeds twice its error, "undetermined" when the coarse grid cannot be solved
(fewer than 16 nodes on an axis, or no convergence). Needs D positive definite on the whole grid.
The solve is accepted only when the relative residual ||L p||_1 / sum_i |L_ii| p_i is at most --tol (with
p >= 0 and mass 1); otherwise the run fails with one line naming the residual reached and the tolerance,
and writes nothing.
Writes into --out: summary.json (inputs and results) and the fields as .npy arrays of shape (ny, nx)
(1-D: (nx,)): x, y, loss, rho, phi (NaN where rho underflows to 0), current_x, current_y, force_x, force_y.
A comma-separated --temperature T1,T2,... solves each temperature into --out/T_<T>/ (the files above) and
writes --out/summary.json with the minima of Phi against T and a line fitted to each minimum's coordinates.`,
		Example: `  sgdsde steady --landscape gyrator
  sgdsde steady --landscape double-well --set noise=0 --grid 128
  sgdsde steady --temperature 0.1,0.2,0.4 --grid 128
  sgdsde steady --loss "(x^2-1)^2/4" --dim 1 --diffusion "1 + x^2/2" --out out/steady1d`,
	}
	fs, in := addInputFlags(cmd, temperatureList|withGrid)
	addOutFlag(fs, &out, defaultSteadyOut)
	addPlotFlags(fs, &pf)
	var list bool // a list of temperatures: errors name the one that failed
	sc := &studyCommand{
		build: func() (experiment.Study, error) {
			s, err := steadyStudy(in)
			list = err == nil && len(s.(*experiment.SteadySpec).Temperatures) > 0
			return s, err
		},
		planError: func(err error) error {
			return planError(err, "use fewer temperatures or a smaller --grid")
		},
		runError: func(ctx context.Context, err error, out string) error {
			// Every temperature is solved before anything is written: one
			// that fails fails the run with its line and leaves no files.
			return gridFailure(ctx, err, "steady", out, list)
		},
		warnings: func(res experiment.StudyResult) []string {
			var w []string
			for _, r := range res.(*experiment.SteadyResult).Runs {
				w = append(w, steadyWarnings(r.Summary.WallRho, r.Summary.CellPeclet, r.Summary.Temperature)...)
			}
			return w
		},
		report: func(w io.Writer, res experiment.StudyResult, out string) {
			reportSteady(w, res.(*experiment.SteadyResult), out)
		},
	}
	a.register("steady", sc)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := pf.validate(cmd.Flags()); err != nil {
			return err
		}
		if err := sc.run(cmd.Context(), a, out); err != nil {
			return err
		}
		return pf.draw(a, "steady", out)
	}
	return cmd
}

// steadyStudy returns the steady-state study of the flags: one
// temperature, or a list.
func steadyStudy(in *inputFlags) (experiment.Study, error) {
	_, runs, err := in.resolveInputs(runChecks{})
	if err != nil {
		return nil, err
	}
	spec := &experiment.SteadySpec{Model: in.modelSpec(), Grid: in.gridSpec(runs[0].model.Dim)}
	if len(runs) == 1 {
		spec.Temperature = temperatureSpec(runs[0].tinfo)
	} else {
		spec.Temperatures = temperaturesOf(runs)
	}
	return spec, nil
}

// reportSteady prints the human summary of each temperature's steady
// state and, for a list, the minima track.
func reportSteady(w io.Writer, res *experiment.SteadyResult, out string) {
	for i, r := range res.Runs {
		dir := out
		if res.List != nil {
			dir = filepath.Join(out, res.List.Dirs[i])
			if i > 0 {
				fmt.Fprintln(w)
			}
		}
		printSteady(w, &r.Summary, r.Grid, dir)
	}
	if l := res.List; l != nil {
		fmt.Fprintln(w)
		printTracks(w, "minima of Phi (grid)", l.Temperatures, l.MinimaPhi)
		fmt.Fprintf(w, "output             %s (summary.json, %s)\n", out, strings.Join(l.Dirs, ", "))
	}
}

// printTracks prints the minima followed across temperatures as a table:
// one row per temperature, one column per minimum, then the fitted lines.
func printTracks(w io.Writer, title string, ts []float64, tracks []experiment.MinimumTrack) {
	fmt.Fprintf(w, "%s against T:\n", title)
	if len(tracks) == 0 {
		fmt.Fprintln(w, "  none in the interior")
		return
	}
	// row prints one row: label, then cell(tr) of each track ("-" for nil).
	row := func(label string, cell func(tr experiment.MinimumTrack) []float64) {
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
		row(fmt.Sprintf("%.4g", T), func(tr experiment.MinimumTrack) []float64 { return tr.X[i] })
	}
	row("slope", func(tr experiment.MinimumTrack) []float64 { return tr.Slope })
	row("T -> 0", func(tr experiment.MinimumTrack) []float64 { return tr.Intercept })
}

// steadyFailure turns an error of a steady-state solve into a run failure:
// one line, and for a solve that did not converge the solver's own line
// (the residual reached, the tolerance, what to try), wrapped so that
// errors.As finds the *fokkerplanck.NotConvergedError.
func steadyFailure(ctxErr, err error, command, out string) error {
	if ctxErr != nil && errors.Is(err, ctxErr) {
		return failureErrorf("%s interrupted (%v); nothing was written to %s", command, ctxErr, out)
	}
	var nc *fokkerplanck.NotConvergedError
	if errors.As(err, &nc) {
		return &exitError{code: exitFailure, err: fmt.Errorf("%s: %w", command, err)}
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "steady state") {
		msg = "steady state: " + msg
	}
	return failureErrorf("%s: %s; a finer --grid, a higher --temperature or a looser --tol may help", command, msg)
}

// warnSteady prints the warnings of steadyWarnings.
func warnSteady(a *app, wallRho, peclet, T float64) {
	for _, w := range steadyWarnings(wallRho, peclet, T) {
		a.warnf("%s", w)
	}
}

// steadyWarnings are the warnings about a steady state at temperature T:
// rho at the walls not negligible (above fokkerplanck.RegionFraction of
// its maximum), or a grid that does not resolve the drift where the
// density is (cell Peclet number above fokkerplanck.PecletLimit).
func steadyWarnings(wallRho, peclet, T float64) []string {
	var w []string
	if wallRho > fokkerplanck.RegionFraction {
		w = append(w, fmt.Sprintf("rho at the walls reaches %.3g of its maximum at T = %g: the box cuts off density; widen --box", wallRho, T))
	}
	if peclet > fokkerplanck.PecletLimit {
		w = append(w, fmt.Sprintf("the cell Peclet number reaches %.3g where rho > %g of its maximum at T = %g: the grid does not resolve the drift there, so the density is inaccurate; use more grid nodes or a smaller box",
			peclet, fokkerplanck.RegionFraction, T))
	}
	return w
}

// printSteady writes the human summary of a steady state to w.
func printSteady(w io.Writer, s *experiment.SteadySummary, g *fokkerplanck.Grid, dir string) {
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
func printAssumption4(w io.Writer, s *experiment.SteadySummary) {
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
