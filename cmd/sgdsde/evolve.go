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

// Defaults of 'sgdsde evolve'.
const (
	defaultEvolveDt    = 0.01
	defaultEvolveSteps = 200
	defaultEvolveEvery = 20
	defaultEvolveInit  = "gauss"
	defaultEvolveWidth = 0.2
	defaultEvolveOut   = "out/evolve"
)

// evolveProgressMinWork is the number of node-steps above which evolve
// shows a progress bar (when stderr is a terminal): a few seconds.
const evolveProgressMinWork = 4e6

// evolveFiles are the files 'sgdsde evolve' may write besides summary.json,
// in the order of summary.json's files list.
var evolveFiles = []string{
	"free_energy.csv", "snapshots.npy", "snapshot_times.npy", "rho.npy", "rho_ss.npy", "x.npy", "y.npy",
}

// evolveSummary is summary.json of 'sgdsde evolve': the inputs, then the
// results.
type evolveSummary struct {
	Command string `json:"command"`
	Version string `json:"version"`
	modelInfo
	temperatureInfo
	gridInfo
	Dt    float64 `json:"dt"`
	Steps int     `json:"steps"`
	Every int     `json:"every"`
	// Init is "gauss", "uniform" or the .npy file given to --init.
	Init string `json:"init"`
	// Center and Width describe the initial Gaussian (init gauss only).
	Center []float64 `json:"center,omitempty"`
	Width  float64   `json:"width,omitempty"`

	// FreeEnergyInitial and FreeEnergy are F = T KL(p || p_ss) at the start
	// and at the end.
	FreeEnergyInitial float64 `json:"free_energy_initial"`
	FreeEnergy        float64 `json:"free_energy"`
	// MassMin and MassMax bound the total probability over all steps.
	MassMin float64 `json:"mass_min"`
	MassMax float64 `json:"mass_max"`
	// MinRho is the smallest density over all steps.
	MinRho float64 `json:"min_rho"`
	// MaxFreeEnergyIncrease is the largest F(step+1) - F(step): <= 0 up
	// to round-off, since the free energy never increases.
	MaxFreeEnergyIncrease float64 `json:"max_free_energy_increase"`
	Snapshots             int     `json:"snapshots"`
	Iterations            int     `json:"iterations"`
	SolveSeconds          float64 `json:"solve_seconds"`
	// The steady state the free energy is measured against.
	// SteadyConverged is always true (a steady state that misses --tol is
	// an error); SteadyRelativeResidual is the residual --tol bounds and
	// SteadyResidual ||L p||_1.
	SteadyConverged        bool     `json:"steady_converged"`
	SteadyRelativeResidual float64  `json:"steady_relative_residual"`
	SteadyResidual         float64  `json:"steady_residual"`
	SteadyIterations       int      `json:"steady_iterations"`
	SteadySolveSeconds     float64  `json:"steady_solve_seconds"`
	AssembleSeconds        float64  `json:"assemble_seconds"`
	Files                  []string `json:"files"`
}

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
	fs.Float64Var(&ef.dt, "dt", defaultEvolveDt, "time `step` dt of the implicit Euler method (time units of the SDE)")
	fs.IntVar(&ef.steps, "steps", defaultEvolveSteps, "number of time `steps` (evolved time steps*dt)")
	fs.IntVar(&ef.every, "every", defaultEvolveEvery, "save a snapshot of rho every this many `steps` (the initial and final densities are always saved)")
	fs.StringVar(&ef.init, "init", defaultEvolveInit, "initial density `gauss|uniform|FILE.npy`: a Gaussian at --center with --width, the uniform density, or a .npy file of float64 rho of the grid's shape (ny, nx) (1-D: (nx,)), positive everywhere")
	fs.StringVar(&ef.center, "center", "", "centre `x,y` of the initial Gaussian (default (1, 0) for 2-D boxes that contain it, otherwise the centre of the box)")
	fs.Float64Var(&ef.width, "width", defaultEvolveWidth, "standard deviation `sigma` of the initial Gaussian in every direction (units of x)")
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

// initialDensity returns the initial node probabilities selected by the
// flags on grid g, and the centre of the Gaussian (nil for other
// initialisations). All errors are bad-input errors.
func (ef *evolveFlags) initialDensity(g *fokkerplanck.Grid, defaultCenter []float64) ([]float64, []float64, error) {
	switch ef.init {
	case "gauss":
		center := defaultCenter
		if ef.centerChanged {
			var err error
			if center, err = parsePoint("center", ef.center, g.Dim); err != nil {
				return nil, nil, err
			}
		}
		for a := 0; a < g.Dim; a++ {
			if center[a] < g.Min[a] || center[a] > g.Max[a] {
				return nil, nil, usageErrorf("--center %s lies outside the grid box: move it inside or widen --box", vec(center))
			}
		}
		p, err := fokkerplanck.GaussianDensity(g, center, ef.width)
		if err != nil {
			return nil, nil, usageErrorf("%v", err)
		}
		return p, center, nil
	case "uniform":
		return fokkerplanck.UniformDensity(g), nil, nil
	}
	rho, err := readGridNPY(ef.init, g)
	if err != nil {
		return nil, nil, err
	}
	p, err := fokkerplanck.DensityFromRho(g, rho)
	if err != nil {
		return nil, nil, usageErrorf("--init %s: %v", ef.init, err)
	}
	return p, nil, nil
}

// readGridNPY reads a float64 .npy array of the shape of a grid field of g,
// (ny, nx) or (nx,) in 1-D, in node order. The file's data must hold
// exactly the values of its header's shape (output.ReadNPY), which must be
// the grid's.
func readGridNPY(path string, g *fokkerplanck.Grid) ([]float64, error) {
	shape, data, err := output.ReadNPY(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, usageErrorf("--init %q: want gauss, uniform or an existing .npy file (%v)", path, err)
		}
		return nil, usageErrorf("--init: %v", err)
	}
	want := gridShape(g)
	if !equalInts(shape, want) {
		return nil, usageErrorf("--init %s has shape %s; the grid needs %s: match --grid (and --box) to the file", path, output.ShapeString(shape), output.ShapeString(want))
	}
	return data, nil
}

// equalInts reports whether a and b hold the same values.
func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// runEvolve validates everything, solves the steady state, evolves and
// writes the outputs.
func runEvolve(cmd *cobra.Command, a *app, in *inputFlags, ef *evolveFlags) error {
	// Validation, before any work and before --out is touched.
	if err := ef.validate(); err != nil {
		return err
	}
	var p0, center []float64
	scheme, runs, err := in.resolve(ef.out, runChecks{run: func(r *modelRun) (err error) {
		g := r.g
		if err := checkSnapshotMemory(g.Len(), ef.steps, ef.every); err != nil {
			return err
		}
		boxModel := r.model
		boxModel.Box.Min, boxModel.Box.Max = g.Min[:g.Dim], g.Max[:g.Dim]
		p0, center, err = ef.initialDensity(g, defaultX0(boxModel))
		return err
	}})
	if err != nil {
		return err
	}
	run := &runs[0]
	g := run.g

	ctx := cmd.Context()
	op, st, assembleSeconds, err := run.steadyState(ctx, scheme, in.grid.tol, "evolve", ef.out)
	if err != nil {
		return err
	}
	vol := g.CellVolume()
	pss := make([]float64, len(st.Rho))
	for i, r := range st.Rho {
		pss[i] = r * vol
	}

	opt := fokkerplanck.EvolveOptions{Dt: ef.dt, Steps: ef.steps, Every: ef.every}
	var bar *progress
	if float64(ef.steps)*float64(g.Len()) > evolveProgressMinWork && a.stderrIsTerminal() {
		bar = newProgress(a.stderr, int64(ef.steps), "evolve")
		opt.Progress = func(int) { bar.add(1) }
	}
	ev, err := op.Evolve(ctx, p0, pss, opt)
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return failureErrorf("evolve interrupted (%v); nothing was written to %s", err, ef.out)
		}
		return failureErrorf("evolve: %s; a smaller --dt or a coarser --grid may help", strings.TrimPrefix(err.Error(), "evolve: "))
	}

	sum := evolveSummary{
		Command:                "evolve",
		Version:                version,
		modelInfo:              run.minfo,
		temperatureInfo:        run.tinfo,
		gridInfo:               run.ginfo,
		Dt:                     ef.dt,
		Steps:                  ef.steps,
		Every:                  ef.every,
		Init:                   ef.init,
		Center:                 center,
		Snapshots:              len(ev.Snapshots),
		Iterations:             ev.Iterations,
		SolveSeconds:           ev.SolveSeconds,
		SteadyConverged:        st.Converged,
		SteadyRelativeResidual: st.Residual,
		SteadyResidual:         st.AbsResidual,
		SteadyIterations:       st.Iterations,
		SteadySolveSeconds:     st.SolveSeconds,
		AssembleSeconds:        assembleSeconds,
	}
	if center != nil {
		sum.Width = ef.width
	}
	summariseFrames(&sum, ev.Frames)
	if err := writeEvolve(ef.out, g, st, ev, &sum); err != nil {
		return err
	}
	if tol := 1e-12*math.Abs(sum.FreeEnergyInitial) + 1e-15; sum.MaxFreeEnergyIncrease > tol {
		a.warnf("the free energy increased by %.3g in one step (more than round-off): try a smaller --tol or --dt", sum.MaxFreeEnergyIncrease)
	}
	warnSteadyOld(a, st, run.tinfo.Temperature)
	printEvolve(a.stdout, &sum, g, ef.out)
	return nil
}

// checkSnapshotMemory refuses, before anything is allocated, an evolution
// whose snapshots (held in memory, and copied once when written) do not fit
// in the available memory next to the solve.
func checkSnapshotMemory(nodes, steps, every int) error {
	avail, ok := availableMemory()
	if !ok {
		return nil
	}
	k := steps/every + 2
	snaps := 2 * 8 * float64(k) * float64(nodes)
	solve := float64(fokkerplanck.MemoryEstimate(nodes))
	if solve+snaps > float64(avail) {
		return usageErrorf("%d snapshots of %d nodes need about %s of memory besides the solve's %s, more than the %s available: use a larger --every or a smaller --grid",
			k, nodes, formatBytes(snaps), formatBytes(solve), formatBytes(float64(avail)))
	}
	return nil
}

// summariseFrames fills the free-energy, mass and min-rho results of sum
// from the frames of an evolution (the initial state first).
func summariseFrames(sum *evolveSummary, frames []fokkerplanck.Frame) {
	sum.FreeEnergyInitial = frames[0].FreeEnergy
	sum.FreeEnergy = frames[len(frames)-1].FreeEnergy
	sum.MassMin, sum.MassMax = math.Inf(1), math.Inf(-1)
	sum.MinRho = math.Inf(1)
	sum.MaxFreeEnergyIncrease = math.Inf(-1)
	for i, fr := range frames {
		sum.MassMin = math.Min(sum.MassMin, fr.Mass)
		sum.MassMax = math.Max(sum.MassMax, fr.Mass)
		sum.MinRho = math.Min(sum.MinRho, fr.MinRho)
		if i > 0 {
			sum.MaxFreeEnergyIncrease = math.Max(sum.MaxFreeEnergyIncrease, fr.FreeEnergy-frames[i-1].FreeEnergy)
		}
	}
}

// writeEvolve writes the tables and arrays and, last, summary.json into
// dir, each atomically; a y.npy left by an earlier 2-D run is removed from
// a 1-D run's directory.
func writeEvolve(dir string, g *fokkerplanck.Grid, st *fokkerplanck.Steady, ev *fokkerplanck.Evolution, sum *evolveSummary) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return failureErrorf("cannot create --out directory: %v", err)
	}
	rows := make([][]string, len(ev.Frames))
	ff := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for i, fr := range ev.Frames {
		rows[i] = []string{strconv.Itoa(fr.Step), ff(fr.Time), ff(fr.FreeEnergy), ff(fr.Mass), ff(fr.MinRho)}
	}
	if err := output.WriteCSV(filepath.Join(dir, "free_energy.csv"),
		[]string{"step", "time", "free_energy", "mass", "min_rho"}, rows); err != nil {
		return failureErrorf("%v", err)
	}

	shape := gridShape(g)
	n := g.Len()
	snaps := make([]float64, 0, len(ev.Snapshots)*n)
	for _, s := range ev.Snapshots {
		snaps = append(snaps, s...)
	}
	times := make([]float64, len(ev.SnapshotSteps))
	for i, s := range ev.SnapshotSteps {
		times[i] = float64(s) * sum.Dt
	}
	vol := g.CellVolume()
	rho := make([]float64, n)
	for i, p := range ev.Final {
		rho[i] = p / vol
	}
	axes := map[string][]float64{"x.npy": g.Axis(0), "snapshot_times.npy": times}
	if g.Dim == 2 {
		axes["y.npy"] = g.Axis(1)
	}
	fields := map[string][]float64{"rho.npy": rho, "rho_ss.npy": st.Rho}
	files, err := writeFields(dir, evolveFiles[1:], axes, fields, shape)
	if err != nil {
		return err
	}
	// snapshots.npy has the extra leading axis, so writeFields wrote
	// nothing for it; write it here.
	if err := output.WriteNPY(filepath.Join(dir, "snapshots.npy"), snaps, append([]int{len(ev.Snapshots)}, shape...)...); err != nil {
		return failureErrorf("%v", err)
	}
	sum.Files = append([]string{"summary.json", "free_energy.csv", "snapshots.npy"}, files...)
	if err := output.WriteJSON(filepath.Join(dir, "summary.json"), sum); err != nil {
		return failureErrorf("%v", err)
	}
	return nil
}

// printEvolve writes the human summary of an evolution to w.
func printEvolve(w io.Writer, s *evolveSummary, g *fokkerplanck.Grid, dir string) {
	fmt.Fprintf(w, "model              %s (%d-D), drift %s, T = %.6g (%s)\n", s.Name, s.Dim, s.DriftKind, s.Temperature, temperatureSource(s.temperatureInfo))
	fmt.Fprintf(w, "grid               %s, %s, scheme %s\n", g, boundaryName(s.Periodic), s.Scheme)
	init := s.Init
	if s.Center != nil {
		init = fmt.Sprintf("Gaussian at %s, width %g", vec(s.Center), s.Width)
	}
	fmt.Fprintf(w, "initial density    %s\n", init)
	fmt.Fprintf(w, "steady state       relative residual %.2g (tolerance %g, ||L p||_1 = %.2g), %d iterations, %.3g s (assembly %.3g s)\n",
		s.SteadyRelativeResidual, s.Tol, s.SteadyResidual, s.SteadyIterations, s.SteadySolveSeconds, s.AssembleSeconds)
	fmt.Fprintf(w, "evolution          %d steps of dt = %g (time %g), %d iterations, %.3g s\n",
		s.Steps, s.Dt, float64(s.Steps)*s.Dt, s.Iterations, s.SolveSeconds)
	fmt.Fprintf(w, "free energy        %.6g -> %.6g (largest one-step change %+.3g)\n", s.FreeEnergyInitial, s.FreeEnergy, s.MaxFreeEnergyIncrease)
	fmt.Fprintf(w, "mass               %.15g .. %.15g, min rho %.3g\n", s.MassMin, s.MassMax, s.MinRho)
	fmt.Fprintf(w, "output             %s (%s)\n", dir, strings.Join(s.Files, ", "))
}
