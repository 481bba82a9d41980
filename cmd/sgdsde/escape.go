package main

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/fokkerplanck"
)

// escapeFlags are the flags of 'sgdsde escape' besides the input flags.
type escapeFlags struct {
	from, to, method string
	radius, dt       float64
	maxTime, bound   float64
	toBasin, n       int
	workers          int
	seed             uint64
	out              string
}

// newEscapeCmd builds 'sgdsde escape'.
func newEscapeCmd(a *app) *cobra.Command {
	var ef escapeFlags
	cmd := &cobra.Command{
		Use:   "escape",
		Short: "Escape times, committor, basin occupation and barriers: which minimum SGD ends up in, grid and ensemble",
		Long: `Which minimum SGD ends up in, and how long it stays: from the start --from, the mean first-passage time
tau to a target (the disc --to with --radius, or the basin --to-basin of Phi, 0 the deepest; by default
the disc of --radius about the minimum of the most probable other basin of Phi: the transition time, which
converges with the grid, where the time to a basin's edge depends on where the grid puts that edge across
the saddle), two ways. The grid (--method grid) solves the
backward equation Q tau = -1 of the chain whose steady state 'sgdsde steady' computes (Q the transposed
generator: the exact mean first-passage time of the discretised process, second order in the grid
spacing), the committor q (the probability of reaching the target before returning to a disc about the
start) with the reaction rate of transition-path theory, and the slowest relaxation rate (the eigenvalue of
the generator nearest 0; in a double well at low T the sum of the two escape rates). The ensemble
(--method em) runs --n Euler–Maruyama trajectories of step --dt from the start until they reach the target,
censored at --max-time (default 20 times the grid's tau), with the Brownian-bridge test for crossings
between steps on a disc target (on a basin target, crossings between steps are missed: the bias is of
order sqrt(dt)); its tau is the mean of the times when none is censored, else the mean with an exponential
tail beyond --max-time. Both (the default) must agree. Also reported: the steady occupation of each basin
of Phi, and the barrier from the start's basin minimum to the target in Phi and in f (the lowest pass on the
grid): as T falls, SGD's escape time grows like exp(barrier in Phi / T), not exp(barrier in f / T) (Phi tends
to the quasi-potential of Freidlin and Wentzell; at finite T the prefactor and Phi's T-dependence add to it).
A comma-separated --temperature studies each temperature into T_<T>/ and fits log tau against 1/T: the
slope is the effective barrier, next to the barriers read from the grid.
Writes into --out: escape.json (inputs and results: mfpt_grid, mfpt_em, mfpt_em_se, censored,
relaxation_rate, basin_probabilities, barrier_f, barrier_phi, kramers, ...), mfpt.npy and committor.npy
(ny, nx) (1-D: (nx,)), phi.npy, x.npy, y.npy, in 2-D reactive_current_x.npy, reactive_current_y.npy and
reactive_density.npy (the current and density of reactive trajectories of transition-path theory, from the
disc about the start to the target), and survival.csv (t, survival, survival_se) of the ensemble.
--plot draws escape_fields (tau(x) and q(x) over contours of Phi, with the start, the target and the
reactive current) and escape_survival (the ensemble's survival against exp(-t/tau)) into --out, into each
T_<T>/ for a temperature list (see 'sgdsde plot escape --help').`,
		Example: `  sgdsde escape --from -1,0
  sgdsde escape --landscape double-well --set noise=0 --temperature 0.2,0.25,0.3 --from -1,0 --method grid
  sgdsde escape --from -1,0 --to 1,0 --radius 0.2 --n 2000 --plot
  sgdsde sweep escape --from -1,0 --method grid --vary lr=0.2,0.4 --vary batch=1,2`,
	}
	fs, in := addInputFlags(cmd, temperatureList|withGrid)
	fs.StringVar(&ef.from, "from", "", "start `x,y` (default the model's start: (1, 0) in 2-D when the box holds it, else the box's centre)")
	fs.StringVar(&ef.to, "to", "", "centre `x,y` of the target disc (default: a basin of Phi, see --to-basin)")
	fs.Float64Var(&ef.radius, "radius", experiment.DefaultEscapeRadius, "`radius` of the target disc (units of x), also of the disc about the start from which the committor is measured")
	fs.IntVar(&ef.toBasin, "to-basin", 0, "target basin `k` of Phi, 0 the deepest (default: the disc of --radius about the minimum of the most probable basin that does not hold the start)")
	fs.StringVar(&ef.method, "method", "both", "`method`: grid (backward equations), em (Euler–Maruyama ensemble) or both")
	fs.IntVar(&ef.n, "n", experiment.DefaultEscapeN, "`number` of trajectories of the ensemble")
	fs.Float64Var(&ef.dt, "dt", experiment.DefaultEscapeDt, "time step `dt` of the ensemble (time units)")
	fs.Float64Var(&ef.maxTime, "max-time", 0, "censoring `time` of the ensemble (0: 20 times the grid's tau, or 100 without the grid, at most 2e9 trajectory-steps in all)")
	fs.Uint64Var(&ef.seed, "seed", experiment.DefaultSeed, "random `seed`; the same seed gives bit-identical results for any --workers")
	fs.IntVar(&ef.workers, "workers", 0, "`number` of parallel workers (0 = all CPU cores)")
	fs.Float64Var(&ef.bound, "bound", 0, "divergence `bound` (units of x; 0: 1e8): a trajectory beyond it, or not finite, is left out")
	addOutFlag(fs, &ef.out, "out/escape")
	var pf plotFlags
	addPlotFlags(fs, &pf)
	sc := &studyCommand{
		build:     func() (experiment.Study, error) { return escapeStudy(cmd, in, &ef) },
		planError: escapePlanError,
		runError:  escapeRunError,
		warnings: func(res experiment.StudyResult) []string {
			var w []string
			for _, r := range res.(*experiment.EscapeResult).Runs {
				s := &r.Summary
				w = append(w, steadyWarnings(s.Steady.WallRho, s.Steady.CellPeclet, s.Temperature)...)
				w = append(w, s.Notes...)
				if s.Censored != nil && *s.Censored > 0 {
					w = append(w, fmt.Sprintf("%d of %d trajectories had not arrived at --max-time %.4g at T = %g: their tau is the exponential tail's estimate; a longer --max-time measures it",
						*s.Censored, s.Ensemble.N, s.Ensemble.MaxTime, s.Temperature))
				}
			}
			return w
		},
	}
	a.register("escape", sc)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := pf.validate(cmd.Flags()); err != nil {
			return err
		}
		if err := sc.run(cmd.Context(), a, ef.out); err != nil {
			return err
		}
		return pf.draw(a, "escape", ef.out)
	}
	return cmd
}

// escapeStudy returns the escape study of the flags.
func escapeStudy(cmd *cobra.Command, in *inputFlags, ef *escapeFlags) (experiment.Study, error) {
	p, err := in.specs()
	if err != nil {
		return nil, err
	}
	spec := &experiment.EscapeSpec{Model: p.model, Temperature: p.temp, Temperatures: p.temps, Grid: p.grid,
		Radius: ef.radius, N: ef.n, Dt: ef.dt, MaxTime: ef.maxTime, Seed: ef.seed, Workers: ef.workers, Bound: ef.bound}
	if spec.Method, err = experiment.ParseEscapeMethod(ef.method); err != nil {
		return nil, usageErrorf("--method %q: want both, grid or em", ef.method)
	}
	fl := cmd.Flags()
	if fl.Changed("to") && fl.Changed("to-basin") {
		return nil, usageErrorf("--to conflicts with --to-basin: give a target disc or a basin")
	}
	for _, c := range []struct {
		name string
		dst  *[]float64
		text string
	}{{"from", &spec.From, ef.from}, {"to", &spec.To, ef.to}} {
		if fl.Changed(c.name) {
			if *c.dst, err = experiment.ParsePoint(c.text, 0); err != nil {
				return nil, usageErrorf("--%s %q: %v", c.name, c.text, err)
			}
		}
	}
	spec.ToBasin, spec.UseBasin = ef.toBasin, fl.Changed("to-basin")
	switch {
	case !(ef.radius > 0) || math.IsInf(ef.radius, 0):
		return nil, usageErrorf("--radius must be positive and finite, got %g", ef.radius)
	case ef.n < 1:
		return nil, usageErrorf("--n must be at least 1, got %d", ef.n)
	case !(ef.dt > 0) || math.IsInf(ef.dt, 0):
		return nil, usageErrorf("--dt must be positive and finite, got %g", ef.dt)
	case !(ef.maxTime >= 0) || math.IsInf(ef.maxTime, 0):
		return nil, usageErrorf("--max-time must be finite and >= 0 (0: automatic), got %g", ef.maxTime)
	case ef.workers < 0:
		return nil, usageErrorf("--workers must be non-negative (0 = all cores), got %d", ef.workers)
	case !(ef.bound >= 0):
		return nil, usageErrorf("--bound must be positive (0: 1e8), got %g", ef.bound)
	}
	return spec, nil
}

// escapePlanError words an error of EscapeSpec.Plan.
func escapePlanError(err error) error {
	var (
		ob *fokkerplanck.OutsideBoxError
		pe *experiment.PointError
	)
	switch {
	case errors.As(err, &ob):
		flag := "--from"
		if ob.What != "the start" {
			flag = "--to"
		}
		return usageErrorf("%s %s lies outside the box %s: move it inside or widen --box", flag, vec(ob.X), boxText(ob.Min, ob.Max, ob.Dim))
	case errors.As(err, &pe):
		return usageErrorf("--from/--to: %d coordinates wanted for a %d-D model", pe.Dim, pe.Dim)
	}
	return planError(err, "use a smaller --grid or fewer --n")
}

// boxText formats a box as "[a, b] x [c, d]".
func boxText(lo, hi [2]float64, d int) string {
	s := fmt.Sprintf("[%.4g, %.4g]", lo[0], hi[0])
	if d == 2 {
		s += fmt.Sprintf(" x [%.4g, %.4g]", lo[1], hi[1])
	}
	return s
}

// escapeRunError words an error of EscapePlan.Run: the target's and the
// start's errors (known only once the steady state gives the basins) are
// bad input; the solves' are failures.
func escapeRunError(ctx context.Context, err error, out string) error {
	var (
		nb *fokkerplanck.NoBasinError
		no *experiment.NoOtherMinimumError
		si *fokkerplanck.StartInTargetError
		un *fokkerplanck.UnreachableError
		es *fokkerplanck.EmptySetError
		ov *fokkerplanck.OverlapError
		ee *experiment.EnsembleRunError
		bn *fokkerplanck.BackwardNotConvergedError
		en *fokkerplanck.EigenNotConvergedError
	)
	switch {
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return failureErrorf("escape interrupted (%v); nothing was written to %s", ctx.Err(), out)
	case errors.As(err, &nb):
		return usageErrorf("--to-basin: %v", nb)
	case errors.As(err, &no):
		return usageErrorf("%v: give a target with --to (a lower --temperature may separate the wells)", no)
	case errors.As(err, &si):
		return usageErrorf("--from %s lies in the target (%s): start elsewhere or choose another target", vec(si.X), si.Target)
	case errors.As(err, &un):
		return usageErrorf("%v", un)
	case errors.As(err, &es):
		return usageErrorf("%s holds no grid node (the nearest is %.4g away): use a larger --radius or a finer --grid", es.Set, es.NearestDistance)
	case errors.As(err, &ov):
		return usageErrorf("%v: move --from or the target apart, or use a smaller --radius", ov)
	case errors.As(err, &ee):
		return runFailure(ctx, ee.Err, "escape", out)
	case errors.As(err, &bn), errors.As(err, &en):
		// The solver's own line says what to change.
		return failureErrorf("escape: %v", err)
	}
	return gridFailure(ctx, err, "escape", out, false)
}
