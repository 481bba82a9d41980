// Command study is a small study of SGD's steady state done entirely
// through the sgdsde library, without the command line:
//
//  1. the grid steady state of the state-dependent double well at three
//     temperatures, and how the minima of Phi move with T (package
//     experiment, SteadySpec with Temperatures);
//  2. one Euler–Maruyama ensemble of the same model against its grid steady
//     state: the total variation distance of their histograms and its
//     Monte Carlo floor (experiment.CompareSpec, package compare);
//  3. a parameter sweep of the Brownian gyrator over the temperature and
//     the off-diagonal D_12 of its diffusion (package sweep), each point a
//     steady state built from the point's values, tabulated into
//     results.csv and checked against the closed forms of the entropy
//     production and the angular momentum.
//
// Run it from the repository root:
//
//	go run ./examples/study                 # see examples/README.md for the run time
//	go run ./examples/study -out out/study  # keep the results there
//	go run ./examples/study -quick          # smaller grids and ensemble
//
// Every result is written into -out (default: a new temporary directory)
// in the same files as the sgdsde commands: steady/ as 'sgdsde steady
// --temperature 0.1,0.2,0.4', compare/ as 'sgdsde compare', sweep/ as
// 'sgdsde sweep steady' (so 'sgdsde plot sweep OUT/sweep' draws it).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sweep"
)

// version is written into every summary as the writer's version.
const version = "examples/study"

// config sizes the study; full and quick are the two presets.
type config struct {
	// Out is the output directory.
	Out string
	// SteadyGrid is the number of nodes per axis of the double well's
	// steady states at the three temperatures.
	SteadyGrid int
	// CompareGrid, N, BurnIn, Steps and Dt are the comparison's grid and
	// ensemble.
	CompareGrid, N, BurnIn, Steps int
	Dt                            float64
	// SweepGrid is the gyrator's grid at every point of the sweep, and
	// Workers the number of points solved at once.
	SweepGrid, Workers int
}

// full is the default study. Its ensemble covers the 20 + 8 time units
// of burn-in and averaging of 'sgdsde compare' at twice its step (4e-3,
// half the work): the TV of 40,000 samples stays at its floor, and the
// ensemble's histogram resolves both minima of Phi (with 20,000 samples
// it showed only one).
var full = config{
	SteadyGrid:  128,
	CompareGrid: 128, N: 40000, BurnIn: 5000, Steps: 2000, Dt: 4e-3,
	SweepGrid: 96, Workers: 2,
}

// quick is the study on small grids and a small ensemble (under a
// second), for the test.
var quick = config{
	SteadyGrid:  48,
	CompareGrid: 48, N: 4000, BurnIn: 3000, Steps: 500, Dt: 5e-3,
	SweepGrid: 32, Workers: 2,
}

// Temperatures of part 1, and the axes of the sweep of part 3 as --vary
// specs.
var (
	steadyTemperatures = []float64{0.1, 0.2, 0.4}
	sweepVary          = []string{"temperature=0.2:0.8:3", "d12=0,0.4,0.8"}
)

func main() {
	cfg := full
	out := flag.String("out", "", "output `directory` (default: a new temporary directory)")
	quickFlag := flag.Bool("quick", false, "smaller grids and ensemble (under a second)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "study: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if *quickFlag {
		cfg = quick
	}
	cfg.Out = *out
	if cfg.Out == "" {
		dir, err := os.MkdirTemp("", "sgdsde-study-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "study:", err)
			os.Exit(1)
		}
		cfg.Out = dir
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "study:", err)
		os.Exit(1)
	}
}

// run does the three parts of the study into cfg.Out and prints the
// report to w.
func run(ctx context.Context, cfg config, w io.Writer) error {
	start := time.Now()
	fmt.Fprintf(w, "sgdsde study into %s\n", cfg.Out)
	if err := minimaAgainstT(ctx, cfg, w); err != nil {
		return fmt.Errorf("steady state against T: %w", err)
	}
	if err := ensembleAgainstGrid(ctx, cfg, w); err != nil {
		return fmt.Errorf("ensemble against grid: %w", err)
	}
	if err := gyratorSweep(ctx, cfg, w); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	fmt.Fprintf(w, "\ndone in %.1f s; results in %s\n", time.Since(start).Seconds(), cfg.Out)
	return nil
}

// minimaAgainstT solves the default (state-dependent) double well at the
// three temperatures and prints the minima of Phi against T with the
// fitted lines. With D_11 = 1 + s x^2 and no off-diagonal term the
// minima would solve f'(x) + T D_11'(x) = 0 exactly, |x| = sqrt(1 - 2 s T)
// = sqrt(1 - T) at s = 0.5; the default c = 0.3 couples x and y and the
// law holds only approximately (see the README).
func minimaAgainstT(ctx context.Context, cfg config, w io.Writer) error {
	t0 := time.Now()
	spec := experiment.SteadySpec{
		Model:        experiment.ModelSpec{Landscape: "double-well"},
		Temperatures: steadyTemperatures,
		Grid:         experiment.GridSpec{Nodes: []int{cfg.SteadyGrid}},
	}
	plan, err := spec.Plan()
	if err != nil {
		return err
	}
	res, err := plan.Run(ctx, nil)
	if err != nil {
		return err
	}
	res.SetVersion(version)
	dir := filepath.Join(cfg.Out, "steady")
	if err := res.Write(dir); err != nil {
		return err
	}
	l := res.List
	fmt.Fprintf(w, "\n1. double well (state-dependent D), steady state on %d x %d nodes at T = %s (%.1f s)\n",
		cfg.SteadyGrid, cfg.SteadyGrid, floats(l.Temperatures), time.Since(t0).Seconds())
	fmt.Fprintf(w, "   %-5s  %-17s  %-17s  %s\n", "T", "minimum 1 of Phi", "minimum 2 of Phi", "sqrt(1 - T)")
	for i, T := range l.Temperatures {
		fmt.Fprintf(w, "   %-5g", T)
		for _, tr := range l.MinimaPhi {
			fmt.Fprintf(w, "  %-17s", point(tr.X[i]))
		}
		fmt.Fprintf(w, "  %.3f\n", math.Sqrt(1-T))
	}
	for k, tr := range l.MinimaPhi {
		if len(tr.Slope) == 0 {
			fmt.Fprintf(w, "   minimum %d: no line (matched at fewer than two temperatures)\n", k+1)
			continue
		}
		fmt.Fprintf(w, "   minimum %d: x = %.3f %+.3f T, y = %.3f %+.3f T\n",
			k+1, tr.Intercept[0], tr.Slope[0], tr.Intercept[1], tr.Slope[1])
	}
	fmt.Fprintf(w, "   files: %s\n", dir)
	return nil
}

// ensembleAgainstGrid compares one Euler–Maruyama ensemble of the double
// well at T = 0.5 with its grid steady state.
func ensembleAgainstGrid(ctx context.Context, cfg config, w io.Writer) error {
	t0 := time.Now()
	spec := experiment.DefaultCompare()
	spec.Model = experiment.ModelSpec{Landscape: "double-well"}
	spec.Temperature = experiment.TemperatureSpec{T: 0.5}
	spec.Grid = experiment.GridSpec{Nodes: []int{cfg.CompareGrid}}
	spec.N, spec.BurnIn, spec.Steps, spec.Dt = cfg.N, cfg.BurnIn, cfg.Steps, cfg.Dt
	plan, err := spec.Plan()
	if err != nil {
		return err
	}
	res, err := plan.Run(ctx, nil)
	if err != nil {
		return err
	}
	res.SetVersion(version)
	dir := filepath.Join(cfg.Out, "compare")
	if err := res.Write(dir); err != nil {
		return err
	}
	s := res.Runs[0].Summary
	h := s.Hist
	fmt.Fprintf(w, "\n2. double well at T = 0.5: %d trajectories of %d + %d steps of %g against the grid (%d x %d) (%.1f s)\n",
		s.N, s.BurnIn, s.Steps, s.Dt, cfg.CompareGrid, cfg.CompareGrid, time.Since(t0).Seconds())
	fmt.Fprintf(w, "   histogram on %d x %d bins: TV %.4f, Monte Carlo floor %.4f (ratio %.2f)\n",
		h.Bins[0], h.Bins[1], h.TV, h.TVFloor, h.TV/h.TVFloor)
	if am := s.AngularMomentum; am != nil {
		fmt.Fprintf(w, "   angular momentum: grid %.4f, ensemble %.4f ± %.4f\n", am.Grid, am.Ensemble, am.EnsembleStderr)
	}
	for _, m := range s.Minima.Matches {
		line := "   minimum of Phi " + point(m.Phi.X)
		if m.ShiftFromLoss != nil {
			line += fmt.Sprintf(", %.3f from f's", *m.ShiftFromLoss)
		}
		if m.Ensemble != nil {
			line += fmt.Sprintf("; ensemble's estimate %s, %.3f away", point(m.Ensemble.X), *m.Distance)
		}
		fmt.Fprintln(w, line)
	}
	if ne, ng := len(s.Minima.Ensemble), len(s.Minima.Phi); ne != ng {
		fmt.Fprintf(w, "   the ensemble's histogram shows %d modes for the grid's %d minima (more samples resolve them)\n", ne, ng)
	}
	fmt.Fprintf(w, "   files: %s\n", dir)
	return nil
}

// gyratorSweep sweeps the Brownian gyrator over T and D_12, one steady
// state per point, writes results.csv and prints the table with the
// closed forms.
func gyratorSweep(ctx context.Context, cfg config, w io.Writer) error {
	t0 := time.Now()
	var grid sweep.Grid
	for _, s := range sweepVary {
		v, err := sweep.ParseVary(s)
		if err != nil {
			return err
		}
		vals, err := v.Values(sweep.Real)
		if err != nil {
			return err
		}
		grid = append(grid, sweep.Axis{Name: v.Name, Spec: v.Spec, Values: vals})
	}
	if err := grid.Check(); err != nil {
		return err
	}
	// The study at every point: the gyrator's steady state, with the
	// point's values set through the parameter table (experiment.SetParam:
	// "temperature" is TemperatureSpec.T, "d12" a parameter of the model).
	sw := &experiment.SweepSpec{
		Template: &experiment.SteadySpec{
			Model: experiment.ModelSpec{Landscape: "gyrator"},
			Grid:  experiment.GridSpec{Nodes: []int{cfg.SweepGrid}},
		},
		Vary:    grid,
		Version: version,
	}
	// The arguments recorded in sweep.json are those of the equivalent
	// 'sgdsde sweep steady --landscape gyrator --grid N --vary ...', so
	// that 'sgdsde sweep merge' and 'sgdsde plot sweep' read the directory.
	def := sw.Definition([]string{"--landscape=gyrator", "--grid=" + strconv.Itoa(cfg.SweepGrid)})
	path := filepath.Join(cfg.Out, "sweep")
	dir, err := sweep.Create(path, def)
	if err != nil {
		var me *sweep.MismatchError
		if errors.As(err, &me) {
			return fmt.Errorf("%w (give another -out, or remove it)", err)
		}
		return err
	}
	st, err := sw.Run(ctx, dir, sweep.Options{Workers: cfg.Workers}, func(ctx context.Context, p *experiment.SweepPoint) sweep.Outcome {
		out := p.Outcome()
		out.Args = pointArgs(def, p.Point)
		return out
	})
	if err != nil {
		return err
	}
	if _, err := sweep.WriteResults([]*sweep.Dir{dir}, path); err != nil {
		return err
	}
	header, rows, missing, err := sweep.Table([]*sweep.Dir{dir})
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("%d points not finished", len(missing))
	}
	fmt.Fprintf(w, "\n3. gyrator sweep on %d x %d nodes, %s: %d points, %d run now (%d ok, %d failed), %d finished before (%.1f s)\n",
		cfg.SweepGrid, cfg.SweepGrid, strings.Join(sweepVary, " "), def.Points, st.Ran, st.OK, st.Failed, st.Finished, time.Since(t0).Seconds())
	col := func(name string) int { return slices.Index(header, name) }
	iT, iD, iS, iE := col("temperature"), col("d12"), col("status"), col("error")
	iPi, iL := col("entropy_production"), col("angular_momentum")
	if min(iT, iD, iS, iE, iPi, iL) < 0 {
		return fmt.Errorf("results.csv lacks a column: %v", header)
	}
	fmt.Fprintf(w, "   %-5s  %-4s  %-6s  %-9s  %-9s  %-9s  %s\n", "T", "d12", "status", "Pi", "Pi exact", "L", "L exact")
	for _, r := range rows {
		T, _ := strconv.ParseFloat(r[iT], 64)
		d12, _ := strconv.ParseFloat(r[iD], 64)
		if r[iS] != sweep.StatusOK {
			fmt.Fprintf(w, "   %-5s  %-4s  %-6s  %s\n", r[iT], r[iD], r[iS], r[iE])
			continue
		}
		pi, l, err := gyratorExact(T, d12)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "   %-5s  %-4s  %-6s  %-9s  %-9s  %-9s  %s\n", r[iT], r[iD], r[iS], num(r[iPi]), fix4(pi), num(r[iL]), fix4(l))
	}
	fmt.Fprintf(w, "   files: %s (results.csv: %d columns)\n", path, len(header))
	return nil
}

// pointArgs is the sgdsde command line equivalent to point p, recorded in
// its point.json.
func pointArgs(def sweep.Definition, p sweep.Point) []string {
	args := slices.Clone(def.Args)
	for k, ax := range def.Vary {
		if ax.Name == "temperature" {
			args = append(args, "--temperature="+p.Values[k])
		} else {
			args = append(args, "--set="+ax.Name+"="+p.Values[k])
		}
	}
	return append(args, "--out="+p.Dir)
}

// gyratorExact returns the entropy production Pi and the angular momentum
// L of the gyrator's steady state at T with D_12 = d12 (other parameters
// at their defaults, A diagonal) in closed form. The stationary law is
// N(0, T S) with A S + S A = 2 D, so S_ij = 2 D_ij / (a_i + a_j); the
// force is j = K x with K = -A + D S^-1 (independent of T), so
//
//	Pi = (1/T) E[j^T D^-1 j] = tr(K^T D^-1 K S),
//	L  = E[x j_y - y j_x] = T (K_21 S_11 + K_22 S_12 - K_11 S_12 - K_12 S_22).
//
// L is also the model's own closed form (potentials.Model.AngularMomentum),
// which is used; Pi has none in the library.
func gyratorExact(T, d12 float64) (pi, l float64, err error) {
	m, err := potentials.New("gyrator", map[string]float64{"d12": d12})
	if err != nil {
		return 0, 0, err
	}
	p := m.Params
	if p["a12"] != 0 {
		return 0, 0, fmt.Errorf("gyratorExact needs a diagonal A, a12 = %g", p["a12"])
	}
	a := [2]float64{p["a11"], p["a22"]}
	d := [2][2]float64{{p["d11"], p["d12"]}, {p["d12"], p["d22"]}}
	var s [2][2]float64
	for i := range 2 {
		for j := range 2 {
			s[i][j] = 2 * d[i][j] / (a[i] + a[j])
		}
	}
	inv := func(m [2][2]float64) [2][2]float64 {
		det := m[0][0]*m[1][1] - m[0][1]*m[1][0]
		return [2][2]float64{{m[1][1] / det, -m[0][1] / det}, {-m[1][0] / det, m[0][0] / det}}
	}
	mul := func(x, y [2][2]float64) (z [2][2]float64) {
		for i := range 2 {
			for j := range 2 {
				z[i][j] = x[i][0]*y[0][j] + x[i][1]*y[1][j]
			}
		}
		return z
	}
	k := mul(d, inv(s))
	k[0][0] -= a[0]
	k[1][1] -= a[1]
	kt := [2][2]float64{{k[0][0], k[1][0]}, {k[0][1], k[1][1]}}
	q := mul(mul(mul(kt, inv(d)), k), s)
	pi = q[0][0] + q[1][1]
	if m.AngularMomentum == nil {
		return 0, 0, fmt.Errorf("gyrator has no closed-form angular momentum")
	}
	l, ok := m.AngularMomentum(T)
	if !ok {
		return 0, 0, fmt.Errorf("gyrator has no closed-form angular momentum at T = %g", T)
	}
	return pi, l, nil
}

// point formats a position as (x, y), or "-" for nil.
func point(x []float64) string {
	if x == nil {
		return "-"
	}
	parts := make([]string, len(x))
	for i, v := range x {
		parts[i] = fmt.Sprintf("%.3f", v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// floats formats a list of numbers as "a, b, c".
func floats(xs []float64) string {
	parts := make([]string, len(xs))
	for i, v := range xs {
		parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(parts, ", ")
}

// num formats the number in a results.csv cell with fix4 (the cell itself
// if it is not a number).
func num(cell string) string {
	v, err := strconv.ParseFloat(cell, 64)
	if err != nil {
		return cell
	}
	return fix4(v)
}

// fix4 formats v to 4 decimals, without the sign of a value that rounds
// to zero (-1e-17 prints 0.0000, not -0.0000).
func fix4(v float64) string {
	if math.Abs(v) < 5e-5 {
		v = 0
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}
