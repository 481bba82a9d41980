package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/internal/output"
)

// defaultSteadyOut is the default --out of 'sgdsde steady'.
const defaultSteadyOut = "out/steady"

// steadyFieldFiles are the grid field files 'sgdsde steady' may write, in
// the order of summary.json's files list.
var steadyFieldFiles = []string{
	"x.npy", "y.npy", "loss.npy", "rho.npy", "phi.npy",
	"current_x.npy", "current_y.npy", "force_x.npy", "force_y.npy",
}

// steadySummary is summary.json of 'sgdsde steady': the inputs, then the
// results under the names listed in the README.
type steadySummary struct {
	Command string `json:"command"`
	Version string `json:"version"`
	modelInfo
	temperatureInfo
	gridInfo

	Mass   float64 `json:"mass"`
	MinRho float64 `json:"min_rho"`
	// Converged is always true: a solve that does not reach --tol is an
	// error, and no summary is written.
	Converged bool `json:"converged"`
	// RelativeResidual is ||L p||_1 / sum_i |L_ii| p_i, the probability
	// flux out of balance as a fraction of the total flux out of the nodes:
	// the quantity --tol bounds. Residual is ||L p||_1 itself (1/time) for
	// the node probabilities p (sum 1).
	RelativeResidual float64 `json:"relative_residual"`
	Residual         float64 `json:"residual"`
	// CellPeclet is the largest cell Peclet number where rho > 1e-6 max
	// rho: above about 10 the grid does not resolve the drift.
	CellPeclet float64 `json:"cell_peclet"`
	// MaxNodeImbalance is the largest |(L p)_i| / (|L_ii| p_i) over the
	// nodes with rho above 1e-20 of its maximum: how well every such node,
	// not only the flux as a whole, balances.
	MaxNodeImbalance float64 `json:"max_node_imbalance"`
	Iterations       int     `json:"iterations"`
	SolveSeconds     float64 `json:"solve_seconds"`
	AssembleSeconds  float64 `json:"assemble_seconds"`

	EntropyProduction float64 `json:"entropy_production"`
	// AngularMomentum is set in 2-D only.
	AngularMomentum *float64 `json:"angular_momentum,omitempty"`
	// MaxAbsPhiMinusLoss is set only for a model with a loss.
	MaxAbsPhiMinusLoss *float64 `json:"max_abs_phi_minus_loss,omitempty"`
	// MinimaLoss is set only for a model with a loss.
	MinimaLoss *[]fokkerplanck.Minimum `json:"minima_loss,omitempty"`
	MinimaPhi  []fokkerplanck.Minimum  `json:"minima_phi"`
	// DivForce and ForceDotGradPhi are max and mean |div j| and
	// |j . grad Phi| on the grid (the paper's Assumption 4 asks both to
	// vanish); DivForceError and ForceDotGradPhiError their two-grid error
	// estimates, and Assumption4 the verdict ("holds", "violated", or
	// "undetermined" when the coarse grid could not be solved; the errors
	// are then absent). See fokkerplanck.Operator.CheckAssumption4.
	DivForce             fokkerplanck.Spread `json:"div_force"`
	DivForceError        *float64            `json:"div_force_error,omitempty"`
	ForceDotGradPhi      fokkerplanck.Spread `json:"force_dot_grad_phi"`
	ForceDotGradPhiError *float64            `json:"force_dot_grad_phi_error,omitempty"`
	Assumption4          string              `json:"assumption4"`
	Assumption4Check     assumption4JS       `json:"assumption4_check"`
	WallRho              float64             `json:"wall_rho"`
	UnderflowNodes       int                 `json:"underflow_nodes"`
	RegionFraction       float64             `json:"region_fraction"`
	Files                []string            `json:"files"`
}

// Verdicts of the Assumption-4 check in summary.json (besides
// fokkerplanck.Assumption4Holds and fokkerplanck.Assumption4Violated).
const assumption4Undetermined = "undetermined"

// assumption4Rule states the rule of the Assumption-4 verdict in
// summary.json.
const assumption4Rule = "a field is zero within the error iff max <= 2 error (error = max |q_h - q_2h| over the coarse nodes, " +
	"about 3 times the fine grid's error for a second-order scheme) or max <= round_off; assumption4 holds iff both fields are zero within the error, " +
	"and is violated only when one exceeds 2 error"

// assumption4JS details the Assumption-4 check in summary.json.
type assumption4JS struct {
	// DivForce and ForceDotGradPhi are the verdicts on each field: "holds"
	// (zero within the error) or "violated"; absent when undetermined.
	DivForce        string `json:"div_force,omitempty"`
	ForceDotGradPhi string `json:"force_dot_grad_phi,omitempty"`
	// DivForceRoundOff and ForceDotGradPhiRoundOff are the round-off floors
	// below which a field holds whatever its two-grid difference.
	DivForceRoundOff        *float64 `json:"div_force_round_off,omitempty"`
	ForceDotGradPhiRoundOff *float64 `json:"force_dot_grad_phi_round_off,omitempty"`
	// CoarseGrid is the size of the coarse grid (absent when undetermined).
	CoarseGrid []int  `json:"coarse_grid,omitempty"`
	Rule       string `json:"rule"`
	// Note says why the check is undetermined.
	Note string `json:"note,omitempty"`
}

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
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := pf.validate(cmd.Flags()); err != nil {
			return err
		}
		if err := runSteady(cmd, a, in, out); err != nil {
			return err
		}
		return pf.draw(a, "steady", out)
	}
	return cmd
}

// runSteady validates everything, solves and writes the outputs: for one
// temperature into --out, for a list into one subdirectory per temperature
// plus a summary.json across temperatures.
func runSteady(cmd *cobra.Command, a *app, in *inputFlags, out string) error {
	scheme, runs, err := in.resolve(out, runChecks{})
	if err != nil {
		return err
	}
	tol := in.grid.tol
	if len(runs) == 1 {
		_, err := solveSteady(cmd.Context(), a, &runs[0], scheme, tol, out)
		return err
	}
	// Every temperature is solved before anything is written: one that
	// fails (a solve that does not converge) fails the run with its line
	// and leaves no files.
	n := runs[0].g.Len()
	need := float64(fokkerplanck.MemoryEstimate(n)) + float64(len(runs))*float64(n)*steadyFieldBytes
	if err := checkMemory(need, fmt.Sprintf("%d steady states of %d nodes, held until every temperature is solved", len(runs), n),
		"use fewer temperatures or a smaller --grid"); err != nil {
		return err
	}
	solved := make([]*solvedSteady, len(runs))
	for i := range runs {
		command := fmt.Sprintf("steady at T = %g", runs[i].tinfo.Temperature)
		if solved[i], err = computeSteady(cmd.Context(), &runs[i], scheme, tol, command, out); err != nil {
			return err
		}
	}
	sums := make([]*steadySummary, len(runs))
	dirs, err := eachTemperature(a, runs, out, func(i int, dir string) (err error) {
		sums[i], err = writeSolved(a, &runs[i], solved[i], dir)
		solved[i] = nil
		return err
	})
	if err != nil {
		return err
	}
	sweep := steadySweep{
		Command: "steady", Version: version, modelInfo: runs[0].minfo, gridInfo: runs[0].ginfo,
		Temperatures: temperaturesOf(runs), Dirs: dirs,
	}
	phi := make([][]fokkerplanck.Minimum, len(sums))
	for i, s := range sums {
		phi[i] = s.MinimaPhi
	}
	if sums[0].MinimaLoss != nil {
		sweep.MinimaLoss = sums[0].MinimaLoss
	}
	sweep.MinimaPhi = trackMinima(sweep.Temperatures, phi)
	sweep.Files = []string{"summary.json"}
	if err := output.WriteJSON(filepath.Join(out, "summary.json"), &sweep); err != nil {
		return failureErrorf("%v", err)
	}
	fmt.Fprintln(a.stdout)
	printTracks(a.stdout, "minima of Phi (grid)", sweep.Temperatures, sweep.MinimaPhi)
	fmt.Fprintf(a.stdout, "output             %s (summary.json, %s)\n", out, strings.Join(dirs, ", "))
	return nil
}

// temperatureDir names the subdirectory of temperature T, e.g. "T_0.1".
func temperatureDir(T float64) string {
	return "T_" + strconv.FormatFloat(T, 'g', -1, 64)
}

// steadySweep is the top-level summary.json of 'sgdsde steady' with a list
// of temperatures.
type steadySweep struct {
	Command string `json:"command"`
	Version string `json:"version"`
	modelInfo
	gridInfo
	// Temperatures are the temperatures in the order given; Dirs their
	// subdirectories, each with the files of a single-temperature run.
	Temperatures []float64 `json:"temperatures"`
	Dirs         []string  `json:"dirs"`
	// MinimaLoss are the minima of f (independent of T; only with a loss).
	MinimaLoss *[]fokkerplanck.Minimum `json:"minima_loss,omitempty"`
	// MinimaPhi follows each minimum of Phi across the temperatures.
	MinimaPhi []minimumTrack `json:"minima_phi"`
	Files     []string       `json:"files"`
}

// minimumTrack is one minimum of Phi followed across temperatures, with the
// least-squares line x_a(T) = intercept_a + slope_a T of each coordinate
// (Chaudhari & Soatto: the minima of Phi move linearly in T for small T).
type minimumTrack struct {
	// X[i] is the position at the i-th temperature, nil where no minimum
	// was matched; Value[i] its Phi (null where unmatched).
	X     [][]float64 `json:"x"`
	Value []*float64  `json:"value"`
	// Intercept and Slope of the fit (set with at least two positions);
	// Intercept is the extrapolation to T = 0.
	Intercept []float64 `json:"intercept,omitempty"`
	Slope     []float64 `json:"slope,omitempty"`
}

// trackMinima follows minima across temperatures: a track starts at each
// minimum of the lowest temperature and takes, at every other temperature,
// the nearest minimum not taken by a nearer track; then each coordinate is
// fitted by a line in T.
func trackMinima(ts []float64, minima [][]fokkerplanck.Minimum) []minimumTrack {
	order := make([]int, len(ts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ts[order[a]] < ts[order[b]] })
	first := minima[order[0]]
	tracks := make([]minimumTrack, len(first))
	last := make([][]float64, len(first))
	for k, m := range first {
		tracks[k].X = make([][]float64, len(ts))
		tracks[k].Value = make([]*float64, len(ts))
		tracks[k].X[order[0]] = m.X
		v := m.Value
		tracks[k].Value[order[0]] = &v
		last[k] = m.X
	}
	for _, i := range order[1:] {
		taken := make([]bool, len(minima[i]))
		type pair struct {
			k, m int
			d    float64
		}
		var pairs []pair
		for k := range tracks {
			for m, mm := range minima[i] {
				pairs = append(pairs, pair{k, m, distance(last[k], mm.X)})
			}
		}
		sort.SliceStable(pairs, func(a, b int) bool { return pairs[a].d < pairs[b].d })
		done := make([]bool, len(tracks))
		for _, p := range pairs {
			if done[p.k] || taken[p.m] {
				continue
			}
			done[p.k], taken[p.m] = true, true
			mm := minima[i][p.m]
			tracks[p.k].X[i] = mm.X
			v := mm.Value
			tracks[p.k].Value[i] = &v
			last[p.k] = mm.X
		}
	}
	for k := range tracks {
		tracks[k].Intercept, tracks[k].Slope = fitLines(ts, tracks[k].X)
	}
	if tracks == nil {
		tracks = []minimumTrack{}
	}
	return tracks
}

func distance(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s)
}

// fitLines fits x_a(T) = intercept_a + slope_a T by least squares over the
// temperatures with a position; nil with fewer than two distinct T.
func fitLines(ts []float64, xs [][]float64) (intercept, slope []float64) {
	var d int
	var n, st, stt float64
	for i, x := range xs {
		if x != nil {
			d = len(x)
			n++
			st += ts[i]
			stt += ts[i] * ts[i]
		}
	}
	den := n*stt - st*st
	if n < 2 || !(den > 1e-300) {
		return nil, nil
	}
	intercept, slope = make([]float64, d), make([]float64, d)
	for a := 0; a < d; a++ {
		var sx, stx float64
		for i, x := range xs {
			if x != nil {
				sx += x[a]
				stx += ts[i] * x[a]
			}
		}
		slope[a] = (n*stx - st*sx) / den
		intercept[a] = (sx - slope[a]*st) / n
	}
	return intercept, slope
}

// printTracks prints the minima followed across temperatures as a table:
// one row per temperature, one column per minimum, then the fitted lines.
func printTracks(w io.Writer, title string, ts []float64, tracks []minimumTrack) {
	fmt.Fprintf(w, "%s against T:\n", title)
	if len(tracks) == 0 {
		fmt.Fprintln(w, "  none in the interior")
		return
	}
	// row prints one row: label, then cell(tr) of each track ("-" for nil).
	row := func(label string, cell func(tr minimumTrack) []float64) {
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
		row(fmt.Sprintf("%.4g", T), func(tr minimumTrack) []float64 { return tr.X[i] })
	}
	row("slope", func(tr minimumTrack) []float64 { return tr.Slope })
	row("T -> 0", func(tr minimumTrack) []float64 { return tr.Intercept })
}

// steadyFieldBytes bounds the bytes per grid node of the fields of one
// solved steady state (every field file of 'sgdsde steady').
var steadyFieldBytes = 8 * float64(len(steadyFieldFiles))

// solvedSteady is a converged steady state not yet written, with its
// Assumption-4 check (a4Note says why there is none).
type solvedSteady struct {
	st              *fokkerplanck.Steady
	assembleSeconds float64
	a4              *fokkerplanck.Assumption4Check
	a4Note          string
}

// solveRun assembles and solves the steady state of a run (a variable so
// that tests can make one temperature of a list fail).
var solveRun = (*modelRun).steadyState

// computeSteady solves the steady state of r; its errors name command
// (e.g. "steady at T = 0.1") and write nothing.
func computeSteady(ctx context.Context, r *modelRun, scheme fokkerplanck.Scheme, tol float64, command, out string) (*solvedSteady, error) {
	op, st, assembleSeconds, err := solveRun(r, ctx, scheme, tol, command, out)
	if err != nil {
		return nil, err
	}
	if !st.Converged {
		// SteadyState returns only accepted solves; never write another.
		return nil, failureErrorf("%s: steady state not marked converged (relative residual %.3g, tolerance %g)", command, st.Residual, tol)
	}
	s := &solvedSteady{st: st, assembleSeconds: assembleSeconds}
	// Assumption 4 with its two-grid error: a coarse grid that cannot be
	// solved leaves the verdict undetermined but the steady state stands.
	a4, err := op.CheckAssumption4(ctx, st, fokkerplanck.SteadyOptions{Tol: tol})
	switch {
	case ctx.Err() != nil && err != nil:
		return nil, steadyFailure(ctx.Err(), err, command, out)
	case err != nil:
		s.a4Note = err.Error()
	default:
		s.a4 = &a4
	}
	return s, nil
}

// solveSteady assembles and solves one steady state, writes it into out
// and prints its summary.
func solveSteady(ctx context.Context, a *app, r *modelRun, scheme fokkerplanck.Scheme, tol float64, out string) (*steadySummary, error) {
	s, err := computeSteady(ctx, r, scheme, tol, "steady", out)
	if err != nil {
		return nil, err
	}
	return writeSolved(a, r, s, out)
}

// writeSolved writes a solved steady state into out and prints its
// summary.
func writeSolved(a *app, r *modelRun, s *solvedSteady, out string) (*steadySummary, error) {
	g, st, assembleSeconds := r.g, s.st, s.assembleSeconds
	sum := newSteadySummary(r, st, assembleSeconds)
	setAssumption4(sum, s.a4, s.a4Note)
	if err := writeSteady(out, g, st, sum); err != nil {
		return nil, err
	}
	warnSteady(a, st, r.tinfo.Temperature)
	printSteady(a.stdout, sum, g, out)
	return sum, nil
}

// newSteadySummary fills summary.json of a steady state.
func newSteadySummary(r *modelRun, st *fokkerplanck.Steady, assembleSeconds float64) *steadySummary {
	sum := &steadySummary{
		Command:           "steady",
		Version:           version,
		modelInfo:         r.minfo,
		temperatureInfo:   r.tinfo,
		gridInfo:          r.ginfo,
		Mass:              st.Mass,
		MinRho:            st.MinRho,
		Converged:         st.Converged,
		RelativeResidual:  st.Residual,
		Residual:          st.AbsResidual,
		CellPeclet:        st.CellPeclet,
		MaxNodeImbalance:  st.NodeImbalance,
		Iterations:        st.Iterations,
		SolveSeconds:      st.SolveSeconds,
		AssembleSeconds:   assembleSeconds,
		EntropyProduction: st.EntropyProduction,
		MinimaPhi:         nonNil(st.MinimaPhi),
		DivForce:          st.DivForce,
		ForceDotGradPhi:   st.ForceDotGradPhi,
		WallRho:           st.WallRho,
		UnderflowNodes:    st.Underflow,
		RegionFraction:    fokkerplanck.RegionFraction,
	}
	if r.g.Dim == 2 {
		L := st.AngularMomentum
		sum.AngularMomentum = &L
	}
	if st.Loss != nil {
		if d := st.MaxAbsPhiMinusLoss; !math.IsNaN(d) && !math.IsInf(d, 0) {
			sum.MaxAbsPhiMinusLoss = &d
		}
		ml := nonNil(st.MinimaLoss)
		sum.MinimaLoss = &ml
	}
	return sum
}

// setAssumption4 fills the Assumption-4 keys of sum from the check a4, or
// marks them undetermined with note when a4 is nil.
func setAssumption4(sum *steadySummary, a4 *fokkerplanck.Assumption4Check, note string) {
	sum.Assumption4Check = assumption4JS{Rule: assumption4Rule}
	if a4 == nil {
		sum.Assumption4, sum.Assumption4Check.Note = assumption4Undetermined, note
		return
	}
	verdict := func(f fokkerplanck.Assumption4Field) string {
		if f.Holds {
			return fokkerplanck.Assumption4Holds.String()
		}
		return fokkerplanck.Assumption4Violated.String()
	}
	de, pe := a4.DivForce.Error, a4.ForceDotGradPhi.Error
	dr, pr := a4.DivForce.RoundOff, a4.ForceDotGradPhi.RoundOff
	sum.DivForceError, sum.ForceDotGradPhiError = &de, &pe
	sum.Assumption4 = a4.Verdict.String()
	c := &sum.Assumption4Check
	c.DivForce, c.ForceDotGradPhi = verdict(a4.DivForce), verdict(a4.ForceDotGradPhi)
	c.DivForceRoundOff, c.ForceDotGradPhiRoundOff = &dr, &pr
	c.CoarseGrid = []int{a4.CoarseGrid[0]}
	if sum.Dim == 2 {
		c.CoarseGrid = append(c.CoarseGrid, a4.CoarseGrid[1])
	}
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

// warnWallRhoAt warns when the density at the walls is not negligible (above
// fokkerplanck.RegionFraction of its maximum), naming the temperature T
// unless it is NaN: with a list of temperatures, the run that needs a wider
// box.
func warnWallRhoAt(a *app, wallRho, T float64) {
	if !(wallRho > fokkerplanck.RegionFraction) {
		return
	}
	at := ""
	if !math.IsNaN(T) {
		at = fmt.Sprintf(" at T = %g", T)
	}
	a.warnf("rho at the walls reaches %.3g of its maximum%s: the box cuts off density; widen --box", wallRho, at)
}

// warnSteady gives the warnings about a steady state at temperature T: rho
// at the walls not negligible, or a grid that does not resolve the drift
// where the density is (cell Peclet number above fokkerplanck.PecletLimit).
func warnSteady(a *app, st *fokkerplanck.Steady, T float64) {
	warnWallRhoAt(a, st.WallRho, T)
	if st.CellPeclet > fokkerplanck.PecletLimit {
		a.warnf("the cell Peclet number reaches %.3g where rho > %g of its maximum at T = %g: the grid does not resolve the drift there, so the density is inaccurate; use more grid nodes or a smaller box",
			st.CellPeclet, fokkerplanck.RegionFraction, T)
	}
}

// nonNil returns m, or an empty list for nil so that JSON has [] not null.
func nonNil(m []fokkerplanck.Minimum) []fokkerplanck.Minimum {
	if m == nil {
		return []fokkerplanck.Minimum{}
	}
	return m
}

// gridShape is the shape of a grid field: (ny, nx), or (nx,) in 1-D.
func gridShape(g *fokkerplanck.Grid) []int {
	if g.Dim == 1 {
		return []int{g.N[0]}
	}
	return []int{g.N[1], g.N[0]}
}

// writeSteady writes the fields and, last, summary.json into dir, each
// atomically. Field files of an earlier run that this run does not produce
// (y.npy of a 2-D run in a 1-D run, loss.npy without a loss) are removed so
// that the directory describes one run.
func writeSteady(dir string, g *fokkerplanck.Grid, st *fokkerplanck.Steady, sum *steadySummary) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return failureErrorf("cannot create --out directory: %v", err)
	}
	shape := gridShape(g)
	fields := map[string][]float64{
		"rho.npy":       st.Rho,
		"phi.npy":       st.Phi,
		"current_x.npy": st.CurrentX,
		"force_x.npy":   st.ForceX,
	}
	if st.Loss != nil {
		fields["loss.npy"] = st.Loss
	}
	if g.Dim == 2 {
		fields["current_y.npy"] = st.CurrentY
		fields["force_y.npy"] = st.ForceY
	}
	axes := map[string][]float64{"x.npy": g.Axis(0)}
	if g.Dim == 2 {
		axes["y.npy"] = g.Axis(1)
	}
	files, err := writeFields(dir, steadyFieldFiles, axes, fields, shape)
	if err != nil {
		return err
	}
	sum.Files = append([]string{"summary.json"}, files...)
	if err := output.WriteJSON(filepath.Join(dir, "summary.json"), sum); err != nil {
		return failureErrorf("%v", err)
	}
	return nil
}

// writeFields writes, in the order of names, each name found in axes (a
// 1-D array) or in fields (an array of the given shape), and removes the
// names found in neither. It returns the names written.
func writeFields(dir string, names []string, axes, fields map[string][]float64, shape []int) ([]string, error) {
	var written []string
	for _, name := range names {
		path := filepath.Join(dir, name)
		var err error
		if v, ok := axes[name]; ok {
			err = output.WriteNPY(path, v)
		} else if v, ok := fields[name]; ok {
			err = output.WriteNPY(path, v, shape...)
		} else {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, failureErrorf("remove stale %s: %v", path, err)
			}
			continue
		}
		if err != nil {
			return nil, failureErrorf("%v", err)
		}
		written = append(written, name)
	}
	return written, nil
}

// printSteady writes the human summary of a steady state to w.
func printSteady(w io.Writer, s *steadySummary, g *fokkerplanck.Grid, dir string) {
	fmt.Fprintf(w, "model              %s (%d-D), drift %s, T = %.6g (%s)\n", s.Name, s.Dim, s.DriftKind, s.Temperature, temperatureSource(s.temperatureInfo))
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
func printAssumption4(w io.Writer, s *steadySummary) {
	c := s.Assumption4Check
	row := func(label string, sp fokkerplanck.Spread, e, roundOff *float64, verdict string) {
		fmt.Fprintf(w, "%-18s max %.4g, mean %.3g", label, sp.Max, sp.Mean)
		if e == nil || roundOff == nil {
			fmt.Fprintln(w)
			return
		}
		var what string
		switch {
		case verdict == fokkerplanck.Assumption4Violated.String():
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
	case fokkerplanck.Assumption4Holds.String():
		fmt.Fprintf(w, "assumption 4       holds within the two-grid error (coarse grid %s)\n", gridSize(c.CoarseGrid))
	case fokkerplanck.Assumption4Violated.String():
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
