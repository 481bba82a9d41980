package experiment

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/internal/datafile"
)

// Defaults of a zero EvolveSpec (those of 'sgdsde evolve').
const (
	DefaultEvolveDt    = 0.01
	DefaultEvolveSteps = 200
	DefaultEvolveEvery = 20
	DefaultEvolveWidth = 0.2
)

// InitKind selects the initial density of an evolution.
type InitKind int

const (
	// InitGauss is a Gaussian of standard deviation Width at Center.
	InitGauss InitKind = iota
	// InitUniform is the uniform density on the grid.
	InitUniform
	// InitRho is a given density Rho on the grid's nodes.
	InitRho
)

// InitialDensity is the initial density of an evolution.
type InitialDensity struct {
	Kind InitKind
	// Center of the Gaussian; nil means (1, 0) when the grid is 2-D and
	// holds it, otherwise the centre of the grid's box.
	Center []float64
	// Width is the standard deviation of the Gaussian in every direction
	// (0 means DefaultEvolveWidth).
	Width float64
	// Rho is the density at the grid's nodes in node order (InitRho),
	// positive everywhere; ReadGridField reads it from a .npy file.
	Rho []float64
	// Name is what summary.json records for InitRho: the file's name.
	Name string
}

// OutsideBoxError is a point (a Gaussian's centre, an orbit's seed)
// outside the grid's box.
type OutsideBoxError struct {
	X        []float64
	Min, Max []float64
}

func (e *OutsideBoxError) Error() string {
	return fmt.Sprintf("point %v lies outside the grid box %v .. %v", e.X, e.Min, e.Max)
}

// insideBox returns an *OutsideBoxError when x is outside g's box.
func insideBox(g *fokkerplanck.Grid, x []float64) error {
	for a := 0; a < g.Dim; a++ {
		if x[a] < g.Min[a] || x[a] > g.Max[a] {
			return &OutsideBoxError{X: x, Min: g.Min[:g.Dim], Max: g.Max[:g.Dim]}
		}
	}
	return nil
}

// gridStart is the default centre on g: (1, 0), a minimum of the double
// well, when g is 2-D and its box holds it, otherwise the box's centre.
func gridStart(g *fokkerplanck.Grid) []float64 {
	x := make([]float64, g.Dim)
	if g.Dim == 2 {
		x[0] = 1
		if insideBox(g, x) == nil {
			return x
		}
	}
	for a := range x {
		x[a] = g.Min[a] + (g.Max[a]-g.Min[a])/2
	}
	return x
}

// Probabilities returns the node probabilities of d on g and, for a
// Gaussian, its centre. Its errors are *OutsideBoxError (a centre outside
// the box) and those of fokkerplanck.GaussianDensity and
// fokkerplanck.DensityFromRho.
func (d InitialDensity) Probabilities(g *fokkerplanck.Grid) (p, center []float64, err error) {
	switch d.Kind {
	case InitGauss:
		center = d.Center
		if center == nil {
			center = gridStart(g)
		}
		if len(center) != g.Dim {
			return nil, nil, &PointError{Text: strings.Trim(strings.Join(strings.Fields(fmt.Sprint(center)), ","), "[]"), Dim: g.Dim}
		}
		if err := insideBox(g, center); err != nil {
			return nil, nil, err
		}
		p, err = fokkerplanck.GaussianDensity(g, center, d.width())
		return p, center, err
	case InitUniform:
		return fokkerplanck.UniformDensity(g), nil, nil
	}
	p, err = fokkerplanck.DensityFromRho(g, d.Rho)
	return p, nil, err
}

func (d InitialDensity) width() float64 {
	if d.Width == 0 {
		return DefaultEvolveWidth
	}
	return d.Width
}

// label is what summary.json's init says.
func (d InitialDensity) label() string {
	switch d.Kind {
	case InitGauss:
		return "gauss"
	case InitUniform:
		return "uniform"
	}
	return d.Name
}

// InitFileError is an initial density file that cannot be read: a
// missing file (matches os.ErrNotExist), one of another shape than the
// grid's (holds a *FieldShapeError) or one that is not a float64 .npy
// array.
type InitFileError struct {
	Path string
	Err  error
}

// Error is the cause's.
func (e *InitFileError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *InitFileError) Unwrap() error { return e.Err }

// NewInitialDensity returns the initial density named init on g and
// checks it there (Probabilities): "gauss", a Gaussian of standard
// deviation width at center (nil: the default centre); "uniform"; any
// other name is the path of a .npy file of rho of g's shape (GridShape),
// read with ReadGridField. A file that cannot be read gives an
// *InitFileError; the other errors are those of Probabilities (an
// *OutsideBoxError for a centre outside the box).
func NewInitialDensity(init string, center []float64, width float64, g *fokkerplanck.Grid) (InitialDensity, error) {
	d := InitialDensity{Width: width}
	switch init {
	case "gauss":
		d.Center = center
	case "uniform":
		d.Kind = InitUniform
	default:
		d.Kind, d.Name = InitRho, init
		var err error
		if d.Rho, err = ReadGridField(init, GridShape(g)); err != nil {
			return d, &InitFileError{Path: init, Err: err}
		}
	}
	_, _, err := d.Probabilities(g)
	return d, err
}

// ReadGridField reads a float64 .npy array of the given shape (GridShape
// of a grid: (ny, nx), or (nx,) in 1-D) in node order, for example an
// initial density. A file of another shape is a *FieldShapeError.
func ReadGridField(path string, shape []int) ([]float64, error) {
	return readField(filepath.Dir(path), filepath.Base(path), shape)
}

// SnapshotMemoryError is an evolution whose snapshots (held in memory and
// copied once when written) do not fit in the available memory next to the
// solve.
type SnapshotMemoryError struct {
	Snapshots, Nodes   int
	Need, Solve, Avail float64
}

func (e *SnapshotMemoryError) Error() string {
	return fmt.Sprintf("%d snapshots of %d nodes need about %s of memory besides the solve's %s, more than the %s available",
		e.Snapshots, e.Nodes, FormatBytes(e.Need), FormatBytes(e.Solve), FormatBytes(e.Avail))
}

// CheckSnapshotMemory refuses, before anything is allocated, an evolution
// of steps steps on a grid of nodes nodes with a snapshot every every
// steps whose snapshots do not fit in memory. Its error is
// *SnapshotMemoryError.
func CheckSnapshotMemory(nodes, steps, every int) error {
	avail, ok := AvailableMemory()
	if !ok {
		return nil
	}
	k := steps/every + 2
	snaps := 2 * 8 * float64(k) * float64(nodes)
	solve := float64(fokkerplanck.MemoryEstimate(nodes))
	if solve+snaps > float64(avail) {
		return &SnapshotMemoryError{Snapshots: k, Nodes: nodes, Need: snaps, Solve: solve, Avail: float64(avail)}
	}
	return nil
}

// EvolveSpec selects an evolution: d rho/dt = -div J, J = b rho -
// T div(D rho), integrated on a grid by implicit Euler steps (which
// conserve mass and positivity) from an initial density, with the free
// energy F = T KL(rho || rho_ss) measured against the steady state
// (Jordan, Kinderlehrer & Otto, SIAM J. Math. Anal. 29, 1998; Chaudhari &
// Soatto, arXiv:1710.11029, Sec. 5): F never increases. Zero values are
// the command line's defaults.
type EvolveSpec struct {
	Model       ModelSpec
	Temperature TemperatureSpec
	Grid        GridSpec
	// Dt is the time step (0: DefaultEvolveDt), Steps the number of steps
	// (0: DefaultEvolveSteps) and Every the steps between snapshots (0:
	// DefaultEvolveEvery).
	Dt           float64
	Steps, Every int
	Init         InitialDensity
}

func (s EvolveSpec) withDefaults() EvolveSpec {
	if s.Dt == 0 {
		s.Dt = DefaultEvolveDt
	}
	if s.Steps == 0 {
		s.Steps = DefaultEvolveSteps
	}
	if s.Every == 0 {
		s.Every = DefaultEvolveEvery
	}
	return s
}

// EvolvePlan is an EvolveSpec whose input has been checked.
type EvolvePlan struct {
	spec   EvolveSpec
	run    gridRun
	p0     []float64
	center []float64
}

// Plan checks s without doing any work. Its errors are those of
// SteadySpec.Plan, *ValueError (a time step, step count or width out of
// range), *SnapshotMemoryError, *InitFileError (an InitRho density
// without Rho is read from the file Name on the planned grid) and those of
// InitialDensity.Probabilities.
func (s EvolveSpec) Plan() (*EvolvePlan, error) {
	s = s.withDefaults()
	switch {
	case !(s.Dt > 0) || math.IsInf(s.Dt, 0):
		return nil, &ValueError{What: "time step", Value: fmt.Sprint(s.Dt), Want: "positive and finite"}
	case s.Steps < 1 || s.Every < 1:
		return nil, &ValueError{What: "steps or every", Value: fmt.Sprint(s.Steps, s.Every), Want: "at least 1"}
	case !(s.Init.width() > 0) || math.IsInf(s.Init.width(), 0):
		return nil, &ValueError{What: "width", Value: fmt.Sprint(s.Init.Width), Want: "positive and finite"}
	}
	runs, err := planGrid(s.Model, s.Temperature, nil, s.Grid, nil)
	if err != nil {
		return nil, err
	}
	p := &EvolvePlan{spec: s, run: runs[0]}
	if err := CheckSnapshotMemory(p.run.g.Len(), s.Steps, s.Every); err != nil {
		return nil, err
	}
	if s.Init.Kind == InitRho && s.Init.Rho == nil {
		// The density of a file is read on the planned grid.
		if p.spec.Init.Rho, err = ReadGridField(s.Init.Name, GridShape(p.run.g)); err != nil {
			return nil, &InitFileError{Path: s.Init.Name, Err: err}
		}
		s = p.spec
	}
	if p.p0, p.center, err = s.Init.Probabilities(p.run.g); err != nil {
		return nil, err
	}
	return p, nil
}

// Work returns the units of progress of the evolution (one per time step)
// and its cost in node-steps (time steps times grid nodes), besides the
// steady state's solve.
func (p *EvolvePlan) Work() (units int64, cost float64) {
	return int64(p.spec.Steps), float64(p.spec.Steps) * float64(p.run.g.Len())
}

// Evolve plans and runs the evolution s (EvolveSpec.Plan, EvolvePlan.Run).
func Evolve(ctx context.Context, s EvolveSpec, pr Progress) (*EvolveResult, error) {
	plan, err := s.Plan()
	if err != nil {
		return nil, err
	}
	return plan.Run(ctx, pr)
}

// Run solves the steady state, then evolves, reporting one unit of the
// stage "evolve" per time step to pr. The steady state's errors are
// *SolveError; the evolution's are *EvolveError.
func (p *EvolvePlan) Run(ctx context.Context, pr Progress) (*EvolveResult, error) {
	r, s := &p.run, p.spec
	op, st, took, err := solveGrid(r, ctx)
	if err != nil {
		return nil, err
	}
	vol := r.g.CellVolume()
	pss := make([]float64, len(st.Rho))
	for i, rho := range st.Rho {
		pss[i] = rho * vol
	}
	opt := fokkerplanck.EvolveOptions{Dt: s.Dt, Steps: s.Steps, Every: s.Every}
	if pr != nil {
		opt.Progress = func(int) { pr.Add(1) }
	}
	begin(pr, "evolve", int64(s.Steps))
	ev, err := op.Evolve(ctx, p.p0, pss, opt)
	end(pr)
	if err != nil {
		return nil, &EvolveError{Err: err}
	}
	sum := EvolveSummary{
		Command: "evolve", ModelInfo: r.minfo, TemperatureInfo: r.tinfo, GridInfo: r.ginfo,
		Dt: s.Dt, Steps: s.Steps, Every: s.Every, Init: s.Init.label(), Center: p.center,
		Snapshots: len(ev.Snapshots), Iterations: ev.Iterations, SolveSeconds: ev.SolveSeconds,
		SteadyConverged: st.Converged, SteadyRelativeResidual: st.Residual, SteadyResidual: st.AbsResidual,
		SteadyIterations: st.Iterations, SteadySolveSeconds: st.SolveSeconds, AssembleSeconds: took.Seconds(),
		SteadyWallRho: st.WallRho, SteadyCellPeclet: st.CellPeclet,
	}
	if p.center != nil {
		sum.Width = s.Init.width()
	}
	sum.summariseFrames(ev.Frames)
	sum.Files = evolveFiles(r.g.Dim)
	res := &EvolveResult{Summary: sum, Grid: r.g, Frames: ev.Frames, Snapshots: ev.Snapshots, RhoSteady: st.Rho}
	for _, k := range ev.SnapshotSteps {
		res.SnapshotTimes = append(res.SnapshotTimes, float64(k)*s.Dt)
	}
	res.Rho = make([]float64, len(ev.Final))
	for i, q := range ev.Final {
		res.Rho[i] = q / vol
	}
	return res, nil
}

// EvolveError is an evolution that failed (the error of
// fokkerplanck.Operator.Evolve, or the context's).
type EvolveError struct{ Err error }

func (e *EvolveError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *EvolveError) Unwrap() error { return e.Err }

// EvolveSummary is summary.json of an evolution: the inputs, then the
// results.
type EvolveSummary struct {
	Command string `json:"command"`
	// Version is the writer's version; the caller sets it.
	Version string `json:"version"`
	ModelInfo
	TemperatureInfo
	GridInfo
	Dt    float64 `json:"dt"`
	Steps int     `json:"steps"`
	Every int     `json:"every"`
	// Init is "gauss", "uniform" or InitialDensity.Name.
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
	// The steady state the free energy is measured against (always
	// converged: one that misses the tolerance is an error).
	SteadyConverged        bool     `json:"steady_converged"`
	SteadyRelativeResidual float64  `json:"steady_relative_residual"`
	SteadyResidual         float64  `json:"steady_residual"`
	SteadyIterations       int      `json:"steady_iterations"`
	SteadySolveSeconds     float64  `json:"steady_solve_seconds"`
	AssembleSeconds        float64  `json:"assemble_seconds"`
	Files                  []string `json:"files"`
	// SteadyWallRho and SteadyCellPeclet are the steady state's wall
	// density and cell Peclet number (see SteadySummary); not written.
	SteadyWallRho    float64 `json:"-"`
	SteadyCellPeclet float64 `json:"-"`
}

// summariseFrames fills the free-energy, mass and min-rho results from the
// frames of an evolution (the initial state first).
func (sum *EvolveSummary) summariseFrames(frames []fokkerplanck.Frame) {
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

// evolveFiles lists the files of an evolution of a dim-D model.
func evolveFiles(dim int) []string {
	f := []string{"summary.json", "free_energy.csv", "snapshots.npy", "snapshot_times.npy", "rho.npy", "rho_ss.npy", "x.npy"}
	if dim == 2 {
		f = append(f, "y.npy")
	}
	return f
}

// EvolveResult is the result of Evolve.
type EvolveResult struct {
	Summary EvolveSummary
	Grid    *fokkerplanck.Grid
	// Frames are the free energy, mass and min rho at every step, the
	// initial state first.
	Frames []fokkerplanck.Frame
	// Snapshots hold rho every Every steps (the initial and final
	// densities always), at SnapshotTimes.
	Snapshots     [][]float64
	SnapshotTimes []float64
	// Rho is the final density, RhoSteady the steady state's.
	Rho, RhoSteady []float64
}

// freeEnergyHeader is the header of free_energy.csv.
var freeEnergyHeader = []string{"step", "time", "free_energy", "mass", "min_rho"}

// Write writes r into dir (created if needed), each file atomically:
// free_energy.csv (step,time,free_energy,mass,min_rho, one row per step,
// the initial state first), snapshots.npy (k, ny, nx) (1-D: (k, nx)),
// snapshot_times.npy (k,), rho.npy and rho_ss.npy of the grid's shape, the
// axes x.npy and y.npy, and last summary.json. A y.npy left by an earlier
// 2-D run is removed from a 1-D run's directory.
func (r *EvolveResult) Write(dir string) error {
	if err := mkdirOut(dir); err != nil {
		return err
	}
	rows := make([][]string, len(r.Frames))
	ff := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for i, fr := range r.Frames {
		rows[i] = []string{strconv.Itoa(fr.Step), ff(fr.Time), ff(fr.FreeEnergy), ff(fr.Mass), ff(fr.MinRho)}
	}
	if err := datafile.WriteCSV(filepath.Join(dir, "free_energy.csv"), freeEnergyHeader, rows); err != nil {
		return err
	}
	shape := GridShape(r.Grid)
	snaps := make([]float64, 0, len(r.Snapshots)*r.Grid.Len())
	for _, s := range r.Snapshots {
		snaps = append(snaps, s...)
	}
	path := func(name string) string { return filepath.Join(dir, name) }
	err := errors.Join(
		datafile.WriteNPY(path("snapshots.npy"), snaps, append([]int{len(r.Snapshots)}, shape...)...),
		datafile.WriteNPY(path("snapshot_times.npy"), r.SnapshotTimes),
		datafile.WriteNPY(path("rho.npy"), r.Rho, shape...),
		datafile.WriteNPY(path("rho_ss.npy"), r.RhoSteady, shape...),
		datafile.WriteNPY(path("x.npy"), r.Grid.Axis(0)),
	)
	if err != nil {
		return err
	}
	if r.Grid.Dim == 2 {
		err = datafile.WriteNPY(path("y.npy"), r.Grid.Axis(1))
	} else {
		err = removeStale(dir, "y.npy")
	}
	if err != nil {
		return err
	}
	return datafile.WriteJSON(path("summary.json"), &r.Summary)
}

// ReadEvolve reads what EvolveResult.Write wrote into dir.
func ReadEvolve(dir string) (*EvolveResult, error) {
	r := &EvolveResult{}
	g, err := readGridSummary(filepath.Join(dir, "summary.json"), &r.Summary, &r.Summary.GridInfo)
	if err != nil {
		return nil, err
	}
	r.Grid = g
	shape := GridShape(g)
	if r.Rho, err = readField(dir, "rho.npy", shape); err != nil {
		return nil, err
	}
	if r.RhoSteady, err = readField(dir, "rho_ss.npy", shape); err != nil {
		return nil, err
	}
	k := r.Summary.Snapshots
	if r.SnapshotTimes, err = readField(dir, "snapshot_times.npy", []int{k}); err != nil {
		return nil, err
	}
	snaps, err := readField(dir, "snapshots.npy", append([]int{k}, shape...))
	if err != nil {
		return nil, err
	}
	for i, n := 0, g.Len(); i < k; i++ {
		r.Snapshots = append(r.Snapshots, snaps[i*n:(i+1)*n:(i+1)*n])
	}
	if r.Frames, err = readFrames(filepath.Join(dir, "free_energy.csv")); err != nil {
		return nil, err
	}
	return r, nil
}

// readFrames reads free_energy.csv.
func readFrames(path string) ([]fokkerplanck.Frame, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rows, err := parseCSV(b, freeEnergyHeader)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	frames := make([]fokkerplanck.Frame, len(rows))
	for i, row := range rows {
		step, err := strconv.Atoi(row[0])
		v, err2 := parseFloats(row[1:])
		if err = errors.Join(err, err2); err != nil {
			return nil, fmt.Errorf("%s: row %d: %w", path, i+2, err)
		}
		frames[i] = fokkerplanck.Frame{Step: step, Time: v[0], FreeEnergy: v[1], Mass: v[2], MinRho: v[3]}
	}
	return frames, nil
}

// parseCSV parses a CSV table whose first row must be header.
func parseCSV(b []byte, header []string) ([][]string, error) {
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(header, ",") {
		return nil, fmt.Errorf("want the header %s", strings.Join(header, ","))
	}
	return recs[1:], nil
}

// parseFloats parses every field of a CSV row as a float64.
func parseFloats(fields []string) ([]float64, error) {
	v := make([]float64, len(fields))
	for i, f := range fields {
		var err error
		if v[i], err = strconv.ParseFloat(f, 64); err != nil {
			return nil, err
		}
	}
	return v, nil
}
