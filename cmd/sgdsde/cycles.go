package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/internal/output"
	"github.com/sgdsde/sgdsde/potentials"
)

// defaultCyclesOut is the default --out of 'sgdsde cycles'.
const defaultCyclesOut = "out/cycles"

// cyclesSummary is summary.json of 'sgdsde cycles'.
type cyclesSummary struct {
	Command string `json:"command"`
	Version string `json:"version"`
	modelInfo
	temperatureInfo
	gridInfo
	Field string `json:"field"`
	// Seeds is "auto" or "--from".
	Seeds   string  `json:"seeds"`
	MaxTime float64 `json:"max_time"` // 0: automatic, per orbit
	CFL     float64 `json:"cfl"`

	// The steady state the force comes from (see steadySummary): always
	// converged, since a solve that misses --tol is an error.
	SteadyConverged        bool    `json:"steady_converged"`
	SteadyRelativeResidual float64 `json:"steady_relative_residual"`
	SteadyResidual         float64 `json:"steady_residual"`
	SteadyIterations       int     `json:"steady_iterations"`
	SteadyCellPeclet       float64 `json:"steady_cell_peclet"`

	ForceVanishes bool         `json:"force_vanishes"`
	ForceCheck    forceCheckJS `json:"force_check"`
	// Contraction defines the orbits' contraction per turn.
	Contraction string    `json:"contraction_definition"`
	Orbits      []orbitJS `json:"orbits"`
	Files       []string  `json:"files"`
}

// contractionDefinition defines the contraction per turn in summary.json
// and on stdout.
const contractionDefinition = "contraction per turn = |x1 - c| / |x0 - c|: c the fixed point (zero of the field by Newton's method " +
	"from the orbit's time average over the turn), x0 the seed, x1 the first return to the half-line from c through x0"

// forceCheckJS is fokkerplanck.ForceCheck in summary.json.
type forceCheckJS struct {
	MaxForce   float64 `json:"max_force"`
	ForceError float64 `json:"force_error"`
	MaxDrift   float64 `json:"max_drift"`
	CoarseGrid [2]int  `json:"coarse_grid"`
	Rule       string  `json:"rule"`
}

// orbitJS is one orbit in summary.json.
type orbitJS struct {
	Orbit        int        `json:"orbit"`
	Field        string     `json:"field"`
	Seed         [2]float64 `json:"seed"`
	Class        string     `json:"class"`
	Period       *float64   `json:"period,omitempty"`
	ClosureError *float64   `json:"closure_error,omitempty"`
	Tolerance    *float64   `json:"closure_tolerance,omitempty"`
	// Contraction is the contraction per turn of a spiral about FixedPoint
	// (see fokkerplanck.Orbit.Contraction); both are absent for other
	// classes and when no fixed point was found.
	Contraction  *float64    `json:"contraction,omitempty"`
	FixedPoint   *[2]float64 `json:"fixed_point,omitempty"`
	PhiVariation float64     `json:"phi_variation"`
	End          [2]float64  `json:"end"`
	Time         float64     `json:"time"`
	Steps        int         `json:"steps"`
}

// newCyclesCmd builds 'sgdsde cycles'.
func newCyclesCmd(a *app) *cobra.Command {
	var (
		out, field string
		from       []string
		maxTime    float64
	)
	cmd := &cobra.Command{
		Use:   "cycles",
		Short: "Orbits of the force x' = j(x) of the steady state (limit cycles) and of the drift x' = b(x)",
		Long: `Solve the steady state as 'sgdsde steady' does, then follow the orbits of x' = j(x), j = J / rho the
force (Chaudhari & Soatto's most likely trajectories), and for contrast of the noiseless drift x' = b(x),
by classic RK4 (j interpolated bilinearly between the nodes, b evaluated exactly). Each orbit is classified
from its first return to the section through its seed: closed (period, closure error), inward-spiral or
outward-spiral (contraction per turn below or above 1), fixed-point, leaves-box, or unresolved (no return
within --max-time). The contraction per turn is the return map about the fixed point c that the orbit
turns about: c is the zero of the field found by Newton's method from the orbit's time average over the
turn (inside the turn's bounding box; fixed_point in summary.json), and contraction = |x1 - c| / |x0 - c|
for the seed x0 and x1 the orbit's first return to the half-line from c through x0 (after one full turn
about c).
A closed orbit needs a closure error below the RK4 error (step doubling) and the grid error (the same orbit
on a grid with half the nodes). phi_variation is (max Phi - min Phi) / mean Phi along the orbit: 0 when
j . grad Phi = 0. The force is first compared with its two-grid error: when j is zero within that error
(detailed balance, e.g. D = I) there are no orbits of j, and force_vanishes is true. 2-D models only.
Writes into --out: orbits.csv (orbit, field, t, x, y, phi) and summary.json; with --plot also phi.npy
(ny, nx), x.npy and y.npy, the background of the figure.`,
		Example: `  sgdsde cycles --landscape gyrator
  sgdsde cycles --landscape paper-fig4 --set lambda=1.5 --temperature 1 --box -3:3,-3:3 --from 0.5,0
  sgdsde cycles --landscape quadratic --field force`,
	}
	fs, in := addInputFlags(cmd, withGrid)
	fs.StringArrayVar(&from, "from", nil,
		"seed `x,y` of an orbit (repeatable; default: on 4 rays from each minimum of Phi at 1/4, 1/2, 3/4 of the way to where rho < 1e-6 max rho)")
	fs.StringVar(&field, "field", "both", "`field` whose orbits are followed: force (j = J/rho), drift (b) or both")
	fs.Float64Var(&maxTime, "max-time", 0,
		"integration time `limit` per orbit (units of t); 0 means 10 period estimates 2 pi |x0 - m| / |v(x0)|, m the nearest minimum of Phi")
	addOutFlag(fs, &out, defaultCyclesOut)
	var pf plotFlags
	addPlotFlags(fs, &pf)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := pf.validate(cmd.Flags()); err != nil {
			return err
		}
		if err := runCycles(cmd, a, in, from, field, maxTime, out, pf.plot); err != nil {
			return err
		}
		return pf.draw(a, "cycles", out)
	}
	return cmd
}

// runCycles validates everything, solves, follows the orbits and writes
// the outputs.
// With withPhi (--plot) it also writes Phi and the axes, the background
// of the figure.
func runCycles(cmd *cobra.Command, a *app, in *inputFlags, from []string, field string, maxTime float64, out string, withPhi bool) error {
	// Validation, before any work and before --out is touched.
	var kinds []string
	var seeds [][2]float64
	scheme, runs, err := in.resolve(out, runChecks{
		flags: func() error {
			switch strings.ToLower(strings.TrimSpace(field)) {
			case "force":
				kinds = []string{fokkerplanck.FieldForce}
			case "drift":
				kinds = []string{fokkerplanck.FieldDrift}
			case "both":
				kinds = []string{fokkerplanck.FieldForce, fokkerplanck.FieldDrift}
			default:
				return usageErrorf("--field %q: want force, drift or both", field)
			}
			if !(maxTime >= 0) || math.IsInf(maxTime, 0) {
				return usageErrorf("--max-time must be a finite time >= 0 (0: automatic), got %g", maxTime)
			}
			return nil
		},
		model: func(m potentials.Model) error {
			if m.Dim != 2 {
				return usageErrorf("cycles needs a 2-D model; %q is %d-D", m.Name, m.Dim)
			}
			return nil
		},
		run: func(r *modelRun) error {
			g := r.g
			for _, s := range from {
				x, err := parsePoint("from", s, 2)
				if err != nil {
					return err
				}
				if x[0] < g.Min[0] || x[0] > g.Max[0] || x[1] < g.Min[1] || x[1] > g.Max[1] {
					return usageErrorf("--from %q is outside the box [%g, %g] x [%g, %g]: give a seed inside, or widen --box", s, g.Min[0], g.Max[0], g.Min[1], g.Max[1])
				}
				seeds = append(seeds, [2]float64{x[0], x[1]})
			}
			return nil
		},
	})
	if err != nil {
		return err
	}
	run, ctx := &runs[0], cmd.Context()
	op, st, _, err := run.steadyState(ctx, scheme, in.grid.tol, "cycles", out)
	if err != nil {
		return err
	}
	fc, err := op.CheckForce(ctx, st, fokkerplanck.SteadyOptions{Tol: in.grid.tol})
	if err != nil {
		return steadyFailure(ctx.Err(), err, "cycles", out)
	}
	sum := cyclesSummary{
		Command: "cycles", Version: version,
		modelInfo: run.minfo, temperatureInfo: run.tinfo, gridInfo: run.ginfo,
		Field: strings.ToLower(strings.TrimSpace(field)), Seeds: "auto", MaxTime: maxTime, CFL: fokkerplanck.DefaultCFL,
		SteadyConverged: st.Converged, SteadyRelativeResidual: st.Residual, SteadyResidual: st.AbsResidual,
		SteadyIterations: st.Iterations, SteadyCellPeclet: st.CellPeclet,
		ForceVanishes: fc.Vanishes,
		ForceCheck: forceCheckJS{
			MaxForce: fc.MaxForce, ForceError: fc.ForceError, MaxDrift: fc.MaxDrift, CoarseGrid: fc.CoarseGrid,
			Rule: "force vanishes iff max_force <= 2 force_error (two-grid estimate) or max_force <= 1e-8 max_drift",
		},
		Contraction: contractionDefinition,
		Orbits:      []orbitJS{},
	}
	if seeds != nil {
		sum.Seeds = "--from"
	}
	var orbits []fokkerplanck.Orbit
	for _, k := range kinds {
		obs, err := op.Orbits(st, k, fokkerplanck.OrbitOptions{Seeds: seeds, MaxTime: maxTime, Check: &fc})
		if errors.Is(err, fokkerplanck.ErrForceVanishes) {
			continue
		}
		if err != nil {
			return failureErrorf("cycles: %v", err)
		}
		orbits = append(orbits, obs...)
	}
	for i, o := range orbits {
		sum.Orbits = append(sum.Orbits, orbitSummary(i, o))
	}
	var phi []float64
	if withPhi {
		phi = st.Phi
	}
	if err := writeCycles(out, orbits, &sum, run.g, phi); err != nil {
		return err
	}
	warnSteadyOld(a, st, run.tinfo.Temperature)
	printCycles(a.stdout, &sum, run.g, out, kinds)
	return nil
}

// orbitSummary is the summary.json entry of orbit number i.
func orbitSummary(i int, o fokkerplanck.Orbit) orbitJS {
	e := orbitJS{Orbit: i, Field: o.Field, Seed: o.Seed, Class: o.Class, PhiVariation: o.PhiVariation,
		End: o.End, Time: o.Time, Steps: o.Steps}
	if o.Period > 0 {
		p, c, tol, r := o.Period, o.ClosureError, o.Tolerance, o.Contraction
		e.ClosureError, e.Tolerance = &c, &tol
		if o.Class == fokkerplanck.ClassClosed {
			e.Period = &p
		} else if !math.IsNaN(r) {
			fp := o.FixedPoint
			e.Contraction, e.FixedPoint = &r, &fp
		}
	}
	return e
}

// writeCycles writes orbits.csv, with phi (not nil) phi.npy (ny, nx) and
// the axes x.npy, y.npy, and, last, summary.json into dir, each
// atomically. Without phi, those of an earlier run are removed.
func writeCycles(dir string, orbits []fokkerplanck.Orbit, sum *cyclesSummary, g *fokkerplanck.Grid, phi []float64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return failureErrorf("cannot create --out directory: %v", err)
	}
	var rows [][]string
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	for i, o := range orbits {
		for k := range o.X {
			rows = append(rows, []string{strconv.Itoa(i), o.Field, f(o.T[k]), f(o.X[k]), f(o.Y[k]), f(o.Phi[k])})
		}
	}
	if err := output.WriteCSV(filepath.Join(dir, "orbits.csv"), []string{"orbit", "field", "t", "x", "y", "phi"}, rows); err != nil {
		return failureErrorf("%v", err)
	}
	axes, fields := map[string][]float64{}, map[string][]float64{}
	if phi != nil {
		axes["x.npy"], axes["y.npy"], fields["phi.npy"] = g.Axis(0), g.Axis(1), phi
	}
	extra, err := writeFields(dir, []string{"x.npy", "y.npy", "phi.npy"}, axes, fields, gridShape(g))
	if err != nil {
		return err
	}
	sum.Files = append([]string{"summary.json", "orbits.csv"}, extra...)
	if err := output.WriteJSON(filepath.Join(dir, "summary.json"), sum); err != nil {
		return failureErrorf("%v", err)
	}
	return nil
}

// printCycles writes the human table of the orbits to w.
func printCycles(w io.Writer, s *cyclesSummary, g *fokkerplanck.Grid, dir string, kinds []string) {
	fmt.Fprintf(w, "model    %s, drift %s, T = %.6g (%s)\n", s.Name, s.DriftKind, s.Temperature, temperatureSource(s.temperatureInfo))
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
