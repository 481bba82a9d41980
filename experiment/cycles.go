package experiment

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/internal/datafile"
	"github.com/sgdsde/sgdsde/potentials"
)

// OrbitSelection selects the fields whose orbits Cycles follows.
type OrbitSelection int

const (
	// OrbitsBoth follows the force j = J / rho and the drift b.
	OrbitsBoth OrbitSelection = iota
	// OrbitsForce follows the force only.
	OrbitsForce
	// OrbitsDrift follows the drift only.
	OrbitsDrift
)

// String returns "both", "force" or "drift".
func (o OrbitSelection) String() string {
	switch o {
	case OrbitsForce:
		return "force"
	case OrbitsDrift:
		return "drift"
	}
	return "both"
}

// Seed origins in CyclesSummary.Seeds (the values of the files written
// since the first release, which name the command-line option).
const (
	SeedsAuto  = "auto"
	SeedsGiven = "--from"
)

// ContractionDefinition defines the contraction per turn of a spiral orbit.
const ContractionDefinition = "contraction per turn = |x1 - c| / |x0 - c|: c the fixed point (zero of the field by Newton's method " +
	"from the orbit's time average over the turn), x0 the seed, x1 the first return to the half-line from c through x0"

// ForceRule states when the force counts as vanishing.
const ForceRule = "force vanishes iff max_force <= 2 force_error (two-grid estimate) or max_force <= 1e-8 max_drift"

// CyclesSpec selects a study of the orbits of x' = j(x), j = J / rho the
// force of the steady state (Chaudhari & Soatto, arXiv:1710.11029: the
// most likely trajectories), and of the noiseless drift x' = b(x), by
// classic RK4 on a 2-D grid (fokkerplanck.Operator.Orbits). The zero value
// is the command line's default.
type CyclesSpec struct {
	Model       ModelSpec
	Temperature TemperatureSpec
	Grid        GridSpec
	Fields      OrbitSelection
	// Seeds are the orbits' starting points; nil means on 4 rays from each
	// minimum of Phi (fokkerplanck.AutoSeeds).
	Seeds [][2]float64
	// MaxTime is the integration time per orbit; 0 means 10 period
	// estimates.
	MaxTime float64
	// WithPhi keeps Phi in the result (the background of the figure).
	WithPhi bool
}

// PlanarError is a model that a study needs 2-D.
type PlanarError struct {
	Model string
	Dim   int
}

func (e *PlanarError) Error() string {
	return fmt.Sprintf("cycles needs a 2-D model; %q is %d-D", e.Model, e.Dim)
}

// CyclesPlan is a CyclesSpec whose input has been checked.
type CyclesPlan struct {
	spec CyclesSpec
	run  gridRun
}

// Plan checks s without doing any work. Its errors are those of
// SteadySpec.Plan, *ValueError (a negative or infinite MaxTime, an unknown
// selection), *PlanarError and *OutsideBoxError (a seed outside the box).
func (s CyclesSpec) Plan() (*CyclesPlan, error) {
	if !(s.MaxTime >= 0) || math.IsInf(s.MaxTime, 0) {
		return nil, &ValueError{What: "max time", Value: fmt.Sprint(s.MaxTime), Want: "finite and >= 0 (0: automatic)"}
	}
	if s.Fields < OrbitsBoth || s.Fields > OrbitsDrift {
		return nil, &ValueError{What: "orbit selection", Value: fmt.Sprint(int(s.Fields)), Want: "OrbitsBoth, OrbitsForce or OrbitsDrift"}
	}
	runs, err := planGrid(s.Model, s.Temperature, nil, s.Grid, func(m potentials.Model) error {
		if m.Dim != 2 {
			return &PlanarError{Model: m.Name, Dim: m.Dim}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, x := range s.Seeds {
		if err := insideBox(runs[0].g, x[:]); err != nil {
			return nil, err
		}
	}
	return &CyclesPlan{spec: s, run: runs[0]}, nil
}

// Cycles plans and runs the study s (CyclesSpec.Plan, CyclesPlan.Run).
func Cycles(ctx context.Context, s CyclesSpec, pr Progress) (*CyclesResult, error) {
	plan, err := s.Plan()
	if err != nil {
		return nil, err
	}
	return plan.Run(ctx, pr)
}

// OrbitError is a failure of the orbit integration.
type OrbitError struct{ Err error }

func (e *OrbitError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *OrbitError) Unwrap() error { return e.Err }

// Run solves the steady state, compares the force with its two-grid error
// and follows the orbits. The errors of the solve and the force check are
// *SolveError, those of the orbits *OrbitError. pr is not used: the solve
// reports no progress.
func (p *CyclesPlan) Run(ctx context.Context, pr Progress) (*CyclesResult, error) {
	r, s := &p.run, p.spec
	// The coarse grid of the force check scales the solve and is kept for
	// the check (fokkerplanck.SteadyOptions.TwoGrid).
	r2 := *r
	r2.twoGrid = true
	op, st, _, err := solveGrid(&r2, ctx)
	if err != nil {
		return nil, err
	}
	fc, err := op.CheckForce(ctx, st, fokkerplanck.SteadyOptions{Tol: r.tol})
	if err != nil {
		return nil, &SolveError{T: r.tinfo.Temperature, Err: err}
	}
	sum := CyclesSummary{
		Command: "cycles", ModelInfo: r.minfo, TemperatureInfo: r.tinfo, GridInfo: r.ginfo,
		Field: s.Fields.String(), Seeds: SeedsAuto, MaxTime: s.MaxTime, CFL: fokkerplanck.DefaultCFL,
		SteadyConverged: st.Converged, SteadyRelativeResidual: st.Residual, SteadyResidual: st.AbsResidual,
		SteadyIterations: st.Iterations, SteadyCellPeclet: st.CellPeclet, SteadyWallRho: st.WallRho,
		ForceVanishes: fc.Vanishes,
		ForceCheck: ForceCheckSummary{
			MaxForce: fc.MaxForce, ForceError: fc.ForceError, MaxDrift: fc.MaxDrift, CoarseGrid: fc.CoarseGrid, Rule: ForceRule,
		},
		Contraction: ContractionDefinition,
		Orbits:      []OrbitSummary{},
	}
	if s.Seeds != nil {
		sum.Seeds = SeedsGiven
	}
	res := &CyclesResult{Grid: r.g}
	opt := fokkerplanck.OrbitOptions{Seeds: s.Seeds, MaxTime: s.MaxTime, Check: &fc}
	var orbits []fokkerplanck.Orbit
	// force is true for the force's orbits, false for the drift's.
	for _, force := range []bool{true, false} {
		if (force && s.Fields == OrbitsDrift) || (!force && s.Fields == OrbitsForce) {
			continue
		}
		var obs []fokkerplanck.Orbit
		if force {
			obs, err = op.Orbits(st, fokkerplanck.FieldForce, opt)
		} else {
			obs, err = op.Orbits(st, fokkerplanck.FieldDrift, opt)
		}
		if errors.Is(err, fokkerplanck.ErrForceVanishes) {
			continue
		}
		if err != nil {
			return nil, &OrbitError{Err: err}
		}
		orbits = append(orbits, obs...)
	}
	for i, o := range orbits {
		sum.Orbits = append(sum.Orbits, orbitSummary(i, o))
		res.Paths = append(res.Paths, OrbitPath{Orbit: i, Field: fmt.Sprint(o.Field), T: o.T, X: o.X, Y: o.Y, Phi: o.Phi})
	}
	if s.WithPhi {
		res.Phi = st.Phi
	}
	sum.Files = []string{"summary.json", "orbits.csv"}
	if res.Phi != nil {
		sum.Files = append(sum.Files, "x.npy", "y.npy", "phi.npy")
	}
	res.Summary = sum
	return res, nil
}

// CyclesSummary is summary.json of a cycles study.
type CyclesSummary struct {
	Command string `json:"command"`
	// Version is the writer's version; the caller sets it.
	Version string `json:"version"`
	ModelInfo
	TemperatureInfo
	GridInfo
	// Field is the OrbitSelection: "force", "drift" or "both".
	Field string `json:"field"`
	// Seeds is SeedsAuto or SeedsGiven.
	Seeds   string  `json:"seeds"`
	MaxTime float64 `json:"max_time"` // 0: automatic, per orbit
	CFL     float64 `json:"cfl"`

	// The steady state the force comes from (see SteadySummary): always
	// converged, since a solve that misses the tolerance is an error.
	SteadyConverged        bool    `json:"steady_converged"`
	SteadyRelativeResidual float64 `json:"steady_relative_residual"`
	SteadyResidual         float64 `json:"steady_residual"`
	SteadyIterations       int     `json:"steady_iterations"`
	SteadyCellPeclet       float64 `json:"steady_cell_peclet"`

	ForceVanishes bool              `json:"force_vanishes"`
	ForceCheck    ForceCheckSummary `json:"force_check"`
	// Contraction is ContractionDefinition.
	Contraction string         `json:"contraction_definition"`
	Orbits      []OrbitSummary `json:"orbits"`
	Files       []string       `json:"files"`
	// SteadyWallRho is the steady state's wall density; not written.
	SteadyWallRho float64 `json:"-"`
}

// ForceCheckSummary is fokkerplanck.ForceCheck in summary.json.
type ForceCheckSummary struct {
	MaxForce   float64 `json:"max_force"`
	ForceError float64 `json:"force_error"`
	MaxDrift   float64 `json:"max_drift"`
	CoarseGrid [2]int  `json:"coarse_grid"`
	Rule       string  `json:"rule"`
}

// OrbitSummary is one orbit in summary.json.
type OrbitSummary struct {
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

// orbitSummary is the summary of orbit number i.
func orbitSummary(i int, o fokkerplanck.Orbit) OrbitSummary {
	e := OrbitSummary{Orbit: i, Field: fmt.Sprint(o.Field), Seed: o.Seed, Class: fmt.Sprint(o.Class), PhiVariation: o.PhiVariation,
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

// OrbitPath is the path of one orbit, as orbits.csv holds it: the times,
// the positions and Phi along it.
type OrbitPath struct {
	Orbit        int
	Field        string
	T, X, Y, Phi []float64
}

// CyclesResult is the result of Cycles.
type CyclesResult struct {
	Summary CyclesSummary
	Grid    *fokkerplanck.Grid
	Paths   []OrbitPath
	// Phi is the steady state's Phi (CyclesSpec.WithPhi), else nil.
	Phi []float64
}

// orbitsHeader is the header of orbits.csv.
var orbitsHeader = []string{"orbit", "field", "t", "x", "y", "phi"}

// Write writes r into dir (created if needed), each file atomically:
// orbits.csv (orbit, field, t, x, y, phi; 10 significant digits), with Phi
// phi.npy (ny, nx) and the axes x.npy, y.npy (removed without Phi), and
// last summary.json.
func (r *CyclesResult) Write(dir string) error {
	if err := mkdirOut(dir); err != nil {
		return err
	}
	var rows [][]string
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	for _, o := range r.Paths {
		for k := range o.X {
			rows = append(rows, []string{strconv.Itoa(o.Orbit), o.Field, f(o.T[k]), f(o.X[k]), f(o.Y[k]), f(o.Phi[k])})
		}
	}
	if err := datafile.WriteCSV(filepath.Join(dir, "orbits.csv"), orbitsHeader, rows); err != nil {
		return err
	}
	var err error
	if r.Phi != nil {
		err = errors.Join(datafile.WriteNPY(filepath.Join(dir, "x.npy"), r.Grid.Axis(0)),
			datafile.WriteNPY(filepath.Join(dir, "y.npy"), r.Grid.Axis(1)),
			datafile.WriteNPY(filepath.Join(dir, "phi.npy"), r.Phi, GridShape(r.Grid)...))
	} else {
		err = errors.Join(removeStale(dir, "x.npy"), removeStale(dir, "y.npy"), removeStale(dir, "phi.npy"))
	}
	if err != nil {
		return err
	}
	return datafile.WriteJSON(filepath.Join(dir, "summary.json"), &r.Summary)
}

// ReadCycles reads what CyclesResult.Write wrote into dir. The paths hold
// the 10 significant digits of orbits.csv.
func ReadCycles(dir string) (*CyclesResult, error) {
	r := &CyclesResult{}
	g, err := readGridSummary(filepath.Join(dir, "summary.json"), &r.Summary, &r.Summary.GridInfo)
	if err != nil {
		return nil, err
	}
	r.Grid = g
	path := filepath.Join(dir, "orbits.csv")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rows, err := parseCSV(b, orbitsHeader)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, row := range rows {
		k, err := strconv.Atoi(row[0])
		v, err2 := parseFloats(row[2:])
		if err = errors.Join(err, err2); err != nil || k < 0 || k > len(r.Paths) {
			return nil, fmt.Errorf("%s: row %d: bad orbit row %v: %v", path, i+2, row, err)
		}
		if k == len(r.Paths) {
			r.Paths = append(r.Paths, OrbitPath{Orbit: k, Field: row[1]})
		}
		o := &r.Paths[k]
		o.T, o.X, o.Y, o.Phi = append(o.T, v[0]), append(o.X, v[1]), append(o.Y, v[2]), append(o.Phi, v[3])
	}
	for _, name := range r.Summary.Files {
		if name == "phi.npy" {
			if r.Phi, err = readField(dir, name, GridShape(g)); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}
