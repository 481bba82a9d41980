package main

import (
	"context"
	"errors"
	"math"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/experiment"
)

// defaultCyclesOut is the default --out of 'sgdsde cycles'.
const defaultCyclesOut = "out/cycles"

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
	sc := &studyCommand{
		build: func() (experiment.Study, error) {
			return cyclesStudy(in, from, field, maxTime, pf.plot)
		},
		planError: cyclesPlanError,
		runError: func(ctx context.Context, err error, out string) error {
			var oe *experiment.OrbitError
			if errors.As(err, &oe) {
				return failureErrorf("cycles: %v", oe.Err)
			}
			return gridFailure(ctx, err, "cycles", out, false)
		},
		warnings: func(res experiment.StudyResult) []string {
			s := &res.(*experiment.CyclesResult).Summary
			return steadyWarnings(s.SteadyWallRho, s.SteadyCellPeclet, s.Temperature)
		},
	}
	a.register("cycles", sc)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := pf.validate(cmd.Flags()); err != nil {
			return err
		}
		if err := sc.run(cmd.Context(), a, out); err != nil {
			return err
		}
		return pf.draw(a, "cycles", out)
	}
	return cmd
}

// cyclesStudy returns the orbit study of the flags. With withPhi (--plot)
// the result keeps Phi and the axes, the background of the figure.
func cyclesStudy(in *inputFlags, from []string, field string, maxTime float64, withPhi bool) (experiment.Study, error) {
	p, err := in.specs()
	if err != nil {
		return nil, err
	}
	sel, err := experiment.ParseOrbitSelection(field)
	if err != nil {
		return nil, usageErrorf("--field %q: want force, drift or both", field)
	}
	if !(maxTime >= 0) || math.IsInf(maxTime, 0) {
		return nil, usageErrorf("--max-time must be a finite time >= 0 (0: automatic), got %g", maxTime)
	}
	spec := &experiment.CyclesSpec{Model: p.model, Temperature: p.temp, Grid: p.grid, Fields: sel, MaxTime: maxTime, WithPhi: withPhi}
	for _, s := range from {
		x, err := parsePoint("from", s, 2)
		if err != nil {
			return nil, err
		}
		spec.Seeds = append(spec.Seeds, [2]float64{x[0], x[1]})
	}
	return spec, nil
}

// cyclesPlanError words an error of CyclesSpec.Plan.
func cyclesPlanError(err error) error {
	var (
		pe *experiment.PlanarError
		ob *experiment.OutsideBoxError
	)
	switch {
	case errors.As(err, &pe):
		return usageErrorf("cycles needs a 2-D model; %q is %d-D", pe.Model, pe.Dim)
	case errors.As(err, &ob):
		return usageErrorf("--from %g,%g is outside the box [%g, %g] x [%g, %g]: give a seed inside, or widen --box", ob.X[0], ob.X[1], ob.Min[0], ob.Max[0], ob.Min[1], ob.Max[1])
	}
	return planError(err, "")
}
