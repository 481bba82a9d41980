package main

import (
	"context"
	"errors"
	"fmt"
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
	p, err := in.specs()
	if err != nil {
		return nil, err
	}
	return &experiment.SteadySpec{Model: p.model, Temperature: p.temp, Temperatures: p.temps, Grid: p.grid}, nil
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
