package main

import (
	"errors"
	"math"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/internal/datafile"
)

// evolveFlags are the run flags of 'sgdsde evolve'.
type evolveFlags struct {
	dt            float64
	steps, every  int
	init, center  string
	width         float64
	out           string
	centerChanged bool
	widthChanged  bool
}

// Defaults of 'sgdsde evolve' besides experiment's (DefaultEvolveDt, ...).
const (
	defaultEvolveInit = "gauss"
	defaultEvolveOut  = "out/evolve"
)

// evolveProgressMinWork is the number of node-steps above which evolve
// shows a progress bar (when stderr is a terminal): a few seconds.
const evolveProgressMinWork = 4e6

// newEvolveCmd builds 'sgdsde evolve'.
func newEvolveCmd(a *app) *cobra.Command {
	var ef evolveFlags
	cmd := &cobra.Command{
		Use:   "evolve",
		Short: "Evolve a density under the Fokker–Planck equation on a grid and track its free energy",
		Long: `Integrate d rho/dt = -div J, J = b rho - T div(D rho), on a grid from an initial density (a Gaussian,
the uniform density or a .npy array) by implicit Euler steps, which conserve mass and positivity. The steady
state rho_ss is solved first: the free energy F = T KL(rho || rho_ss) (Jordan, Kinderlehrer & Otto; Chaudhari
& Soatto, Sec. 5) never increases and reaches 0 at the steady state. --tol applies to the steady-state solve;
each implicit step is solved to a relative residual of 1e-12 (or its round-off floor).
Writes into --out: summary.json (inputs and results), free_energy.csv (step,time,free_energy,mass,min_rho, one
row per step, the initial state first), snapshots.npy (k, ny, nx) (1-D: (k, nx)) of rho every --every steps
with snapshot_times.npy (k,), the final rho.npy, the steady rho_ss.npy and the axes x.npy, y.npy.`,
		Example: `  sgdsde evolve --landscape double-well --grid 64 --steps 100
  sgdsde evolve --landscape gyrator --grid 128 --center 1,0.5 --width 0.3 --dt 0.02 --steps 50 --every 10
  sgdsde evolve --loss "(x^2-1)^2/4" --dim 1 --grid 512 --init uniform --out out/evolve1d`,
	}
	fs, in := addInputFlags(cmd, withGrid)
	fs.Float64Var(&ef.dt, "dt", experiment.DefaultEvolveDt, "time `step` dt of the implicit Euler method (time units of the SDE)")
	fs.IntVar(&ef.steps, "steps", experiment.DefaultEvolveSteps, "number of time `steps` (evolved time steps*dt)")
	fs.IntVar(&ef.every, "every", experiment.DefaultEvolveEvery, "save a snapshot of rho every this many `steps` (the initial and final densities are always saved)")
	fs.StringVar(&ef.init, "init", defaultEvolveInit, "initial density `gauss|uniform|FILE.npy`: a Gaussian at --center with --width, the uniform density, or a .npy file of float64 rho of the grid's shape (ny, nx) (1-D: (nx,)), positive everywhere")
	fs.StringVar(&ef.center, "center", "", "centre `x,y` of the initial Gaussian (default (1, 0) for 2-D boxes that contain it, otherwise the centre of the box)")
	fs.Float64Var(&ef.width, "width", experiment.DefaultEvolveWidth, "standard deviation `sigma` of the initial Gaussian in every direction (units of x)")
	addOutFlag(fs, &ef.out, defaultEvolveOut)
	var pf plotFlags
	addPlotFlags(fs, &pf)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := pf.validate(cmd.Flags()); err != nil {
			return err
		}
		ef.centerChanged = cmd.Flags().Changed("center")
		ef.widthChanged = cmd.Flags().Changed("width")
		if err := runEvolve(cmd, a, in, &ef); err != nil {
			return err
		}
		return pf.draw(a, "evolve", ef.out)
	}
	return cmd
}

// validate checks the run flags that do not depend on the model.
func (ef *evolveFlags) validate() error {
	switch {
	case !(ef.dt > 0) || math.IsInf(ef.dt, 0):
		return usageErrorf("--dt must be positive and finite, got %g", ef.dt)
	case ef.steps < 1:
		return usageErrorf("--steps must be at least 1, got %d", ef.steps)
	case ef.every < 1:
		return usageErrorf("--every must be at least 1, got %d", ef.every)
	case !(ef.width > 0) || math.IsInf(ef.width, 0):
		return usageErrorf("--width must be positive and finite, got %g", ef.width)
	case ef.init == "":
		return usageErrorf("--init must be gauss, uniform or a .npy file")
	}
	if ef.init != "gauss" {
		if ef.centerChanged {
			return usageErrorf("--center applies only to --init gauss")
		}
		if ef.widthChanged {
			return usageErrorf("--width applies only to --init gauss")
		}
	}
	return nil
}

// isGrid reports whether err is an error of the grid (gridWords).
func isGrid(err error) bool { _, ok := gridWords(err); return ok }

// evolvePlanError words an error of EvolveSpec.Plan: those of the
// initial density (reading --init FILE.npy, the centre in the box) and of
// the snapshots' memory, then planError's.
func (ef *evolveFlags) planError(err error) error {
	var (
		fe *experiment.InitFileError
		se *experiment.FieldShapeError
		ob *experiment.OutsideBoxError
		sm *experiment.SnapshotMemoryError
		pt *experiment.PointError
	)
	switch {
	case errors.As(err, &fe) && errors.Is(err, os.ErrNotExist):
		return usageErrorf("--init %q: want gauss, uniform or an existing .npy file (%v)", ef.init, fe.Err)
	case errors.As(err, &fe) && errors.As(err, &se):
		return usageErrorf("--init %s has shape %s; the grid needs %s: match --grid (and --box) to the file", ef.init, datafile.ShapeString(se.Shape), datafile.ShapeString(se.Want))
	case errors.As(err, &fe):
		return usageErrorf("--init: %v", fe.Err)
	case errors.As(err, &ob):
		return usageErrorf("--center %s lies outside the grid box: move it inside or widen --box", vec(ob.X))
	case errors.As(err, &pt):
		return usageErrorf("--center %q: want %d comma-separated numbers for a %d-D model", ef.center, pt.Dim, pt.Dim)
	case errors.As(err, &sm):
		return usageErrorf("%v: use a larger --every or a smaller --grid", err)
	case ef.init != "gauss" && ef.init != "uniform" && !isGrid(err):
		return usageErrorf("--init %s: %v", ef.init, err)
	}
	return planError(err, "")
}

// runEvolve validates everything, evolves through experiment.Evolve and
// writes the outputs.
func runEvolve(cmd *cobra.Command, a *app, in *inputFlags, ef *evolveFlags) error {
	// Validation, before any work and before --out is touched.
	if err := ef.validate(); err != nil {
		return err
	}
	p, err := in.specs()
	if err != nil {
		return err
	}
	init := experiment.InitialDensity{Width: ef.width}
	switch ef.init {
	case "gauss":
		if ef.centerChanged {
			if init.Center, err = experiment.ParsePoint(ef.center, 0); err != nil {
				return usageErrorf("--center %q: %v", ef.center, err)
			}
		}
	case "uniform":
		init.Kind = experiment.InitUniform
	default:
		init.Kind, init.Name = experiment.InitRho, ef.init
	}
	spec := experiment.EvolveSpec{Model: p.model, Temperature: p.temp, Grid: p.grid, Dt: ef.dt, Steps: ef.steps, Every: ef.every, Init: init}
	plan, err := spec.Plan()
	if err != nil {
		return ef.planError(err)
	}
	if err := checkOutDir(ef.out); err != nil {
		return err
	}
	var pr experiment.Progress
	if _, cost := plan.Work(); cost > evolveProgressMinWork && a.stderrIsTerminal() {
		pr = &barProgress{a: a}
	}
	ctx := cmd.Context()
	res, err := plan.Run(ctx, pr)
	var ee *experiment.EvolveError
	switch {
	case errors.As(err, &ee) && ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return failureErrorf("evolve interrupted (%v); nothing was written to %s", ee.Err, ef.out)
	case errors.As(err, &ee):
		return failureErrorf("evolve: %s; a smaller --dt or a coarser --grid may help", strings.TrimPrefix(ee.Err.Error(), "evolve: "))
	case err != nil:
		return gridFailure(ctx, err, "evolve", ef.out, false)
	}
	res.Summary.Version = version
	if err := res.Write(ef.out); err != nil {
		return writeError(err)
	}
	sum := &res.Summary
	if sum.FreeEnergyRose() {
		a.warnf("the free energy increased by %.3g in one step (more than round-off): try a smaller --tol or --dt", sum.MaxFreeEnergyIncrease)
	}
	warnSteady(a, sum.SteadyWallRho, sum.SteadyCellPeclet, sum.Temperature)
	_ = res.Report(a.stdout, ef.out) // the results are written: a failed print does not fail the command
	return nil
}
