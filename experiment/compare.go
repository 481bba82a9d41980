package experiment

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/sgdsde/sgdsde/compare"
	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/internal/datafile"
	"github.com/sgdsde/sgdsde/sde"
)

// Defaults of 'sgdsde compare' (DefaultCompare). On the default double
// well (T = 0.5) they give trajectories of 28 time units (20 of burn-in:
// the well populations relax in about 5) and TV about 0.01 against a floor
// of 0.011; the 8 time units averaged after the burn-in bring the standard
// error of the angular momentum to about 0.0017 against L = -0.0225.
const (
	DefaultCompareN      = 80000
	DefaultCompareSteps  = 4000
	DefaultCompareDt     = 2e-3
	DefaultCompareBurnIn = 10000
	// DefaultCompareBound is the divergence bound: a trajectory with a
	// coordinate beyond it, or not finite, is left out.
	DefaultCompareBound = 1e8
)

// CompareSpec selects a comparison of an Euler–Maruyama ensemble with the
// grid's steady state for the same model and temperature (package
// compare): histograms with their total variation distance and its Monte
// Carlo floor, moments, the angular momentum and the minima of Phi. Its
// ensemble fields are taken as they are: DefaultCompare returns the
// command line's defaults.
type CompareSpec struct {
	Model       ModelSpec
	Temperature TemperatureSpec
	// Temperatures, when not empty, lists distinct temperatures, each
	// compared on its own; the minima of Phi (grid and ensemble) are
	// followed across them.
	Temperatures []float64
	Grid         GridSpec
	// N trajectories of BurnIn + Steps Euler–Maruyama steps of Dt from X0
	// (nil: (1, 0) for 2-D models whose box holds it, else the box's
	// centre); their final states are the samples.
	N, Steps, BurnIn int
	Dt               float64
	X0               []float64
	Seed             uint64
	Workers          int
	Bound            float64
	// Block and MinCount are compare.Options.
	Block    int
	MinCount float64
}

// DefaultCompare returns the command line's comparison.
func DefaultCompare() CompareSpec {
	return CompareSpec{N: DefaultCompareN, Steps: DefaultCompareSteps, BurnIn: DefaultCompareBurnIn, Dt: DefaultCompareDt,
		Seed: 1, Bound: DefaultCompareBound, MinCount: compare.DefaultMinCount}
}

// EnsembleProblemError is an ensemble that sde refuses
// (sde.Problem.Validate) or whose memory estimate fails.
type EnsembleProblemError struct {
	T   float64
	Err error
}

func (e *EnsembleProblemError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *EnsembleProblemError) Unwrap() error { return e.Err }

// ComparePlan is a CompareSpec whose input has been checked.
type ComparePlan struct {
	spec  CompareSpec
	runs  []gridRun
	probs []*sde.Problem
}

// Plan checks s without doing any work. Its errors are those of
// SteadySpec.Plan, *ValueError (Block or MinCount out of range),
// *EnsembleProblemError and *MemoryError.
func (s CompareSpec) Plan() (*ComparePlan, error) {
	switch {
	case s.Block < 0:
		return nil, &ValueError{What: "block", Value: fmt.Sprint(s.Block), Want: "non-negative (0 = automatic)"}
	case !(s.MinCount >= 1) || math.IsInf(s.MinCount, 0):
		return nil, &ValueError{What: "min count", Value: fmt.Sprint(s.MinCount), Want: "at least 1"}
	case s.N < 1 || s.Workers < 0 || !(s.Bound > 0):
		return nil, &ValueError{What: "ensemble", Value: fmt.Sprintf("n %d, workers %d, bound %g", s.N, s.Workers, s.Bound), Want: "n >= 1, workers >= 0, bound > 0"}
	}
	runs, err := planGrid(s.Model, s.Temperature, s.Temperatures, s.Grid, nil)
	if err != nil {
		return nil, err
	}
	p := &ComparePlan{spec: s, runs: runs}
	for _, r := range runs {
		x0 := s.X0
		if x0 == nil {
			x0 = r.model.DefaultStart()
		}
		prob := &sde.Problem{Model: r.model, Temperature: r.tinfo.Temperature, X0: x0, Dt: s.Dt, Steps: s.Steps, BurnIn: s.BurnIn}
		if err := prob.Validate(); err != nil {
			return nil, &EnsembleProblemError{T: r.tinfo.Temperature, Err: err}
		}
		need, err := p.ensemble().MemoryEstimate(r.model.Dim, s.Steps)
		if err != nil {
			return nil, &EnsembleProblemError{T: r.tinfo.Temperature, Err: err}
		}
		nodes := r.g.Len()
		if err := CheckMemory(float64(need)+float64(fokkerplanck.MemoryEstimate(nodes)),
			fmt.Sprintf("an ensemble of %d trajectories in %d-D and a grid of %d nodes", s.N, r.model.Dim, nodes)); err != nil {
			return nil, err
		}
		p.probs = append(p.probs, prob)
	}
	return p, nil
}

func (p *ComparePlan) ensemble() *sde.Ensemble {
	s := p.spec
	return &sde.Ensemble{N: s.N, Seed: s.Seed, Workers: s.Workers, Bound: s.Bound}
}

// Compare plans and runs the comparison s (CompareSpec.Plan,
// ComparePlan.Run).
func Compare(ctx context.Context, s CompareSpec, pr Progress) (*CompareResult, error) {
	plan, err := s.Plan()
	if err != nil {
		return nil, err
	}
	return plan.Run(ctx, pr)
}

// EnsembleRunError is an ensemble run that failed at temperature T (the
// error of sde.Ensemble.Run, or the context's).
type EnsembleRunError struct {
	T   float64
	Err error
}

func (e *EnsembleRunError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *EnsembleRunError) Unwrap() error { return e.Err }

// gridSolution is the outcome of solveGrid.
type gridSolution struct {
	st   *fokkerplanck.Steady
	took time.Duration
	err  error
}

// Run compares at every temperature: the grid's steady state (errors
// *SolveError), the ensemble (stage "compare", one unit per
// trajectory-step; errors *EnsembleRunError) and package compare's report.
// The grid is solved while the ensemble runs: a grid that fails stops the
// ensemble and its error is returned, an ensemble that fails stops the
// grid and its error is returned.
func (p *ComparePlan) Run(ctx context.Context, pr Progress) (*CompareResult, error) {
	s := p.spec
	res := &CompareResult{}
	for i := range p.runs {
		r := &p.runs[i]
		gctx, cancel := context.WithCancel(ctx)
		grid := make(chan gridSolution, 1)
		go func() {
			_, st, took, err := solveGrid(r, gctx)
			if err != nil {
				cancel()
			}
			grid <- gridSolution{st, took, err}
		}()
		ens := p.ensemble()
		ens.Progress = adder(pr)
		begin(pr, "compare", int64(math.Min(float64(s.N)*float64(s.Steps+s.BurnIn), math.MaxInt64)))
		er, err := ens.Run(gctx, p.probs[i])
		end(pr)
		// The ensemble failed on its own (or ctx was cancelled) unless
		// the grid's failure stopped it.
		ensFailed := err != nil && !(ctx.Err() == nil && errors.Is(err, context.Canceled))
		if ensFailed {
			cancel() // the grid is not needed
		}
		g := <-grid
		cancel()
		if ensFailed {
			return nil, &EnsembleRunError{T: r.tinfo.Temperature, Err: err}
		}
		if g.err != nil {
			return nil, g.err
		}
		st, took := g.st, g.took
		rep, err := compare.Compare(r.model, r.tinfo.Temperature, er, r.g, st, compare.Options{Block: s.Block, MinCount: s.MinCount})
		if err != nil {
			return nil, err
		}
		res.Runs = append(res.Runs, &CompareRun{Grid: r.g, Summary: CompareSummary{
			Command: "compare", ModelInfo: r.minfo, TemperatureInfo: r.tinfo, GridInfo: r.ginfo,
			N: s.N, Steps: s.Steps, BurnIn: s.BurnIn, Dt: s.Dt, X0: p.probs[i].X0, Seed: s.Seed, Bound: s.Bound,
			Block: s.Block, MinCount: s.MinCount,
			Diverged: er.Diverged, EnsembleSeconds: er.Elapsed.Seconds(), GridSeconds: took.Seconds() + st.SolveSeconds,
			WallRho: st.WallRho, Report: rep, Files: []string{"compare.json"}, SteadyCellPeclet: st.CellPeclet,
		}})
	}
	if len(s.Temperatures) > 0 {
		res.List = compareList(res.Runs)
	}
	return res, nil
}

// compareList is the summary across the temperatures of runs.
func compareList(runs []*CompareRun) *CompareListSummary {
	r0 := runs[0].Summary
	l := &CompareListSummary{Command: "compare", ModelInfo: r0.ModelInfo, GridInfo: r0.GridInfo, Files: []string{"summary.json"}}
	phi := make([][]fokkerplanck.Minimum, len(runs))
	ens := make([][]fokkerplanck.Minimum, len(runs))
	for i, run := range runs {
		s := run.Summary
		l.Temperatures = append(l.Temperatures, s.TemperatureInfo.Temperature)
		l.Dirs = append(l.Dirs, TemperatureDir(s.TemperatureInfo.Temperature))
		phi[i], ens[i] = s.Minima.Phi, s.Minima.Ensemble
		l.TV = append(l.TV, s.Hist.TV)
		l.TVFloor = append(l.TVFloor, s.Hist.TVFloor)
		if s.AngularMomentum != nil {
			l.AngularMomentumGrid = append(l.AngularMomentumGrid, s.AngularMomentum.Grid)
			l.AngularMomentumEnsemble = append(l.AngularMomentumEnsemble, s.AngularMomentum.Ensemble)
			l.AngularMomentumStderr = append(l.AngularMomentumStderr, s.AngularMomentum.EnsembleStderr)
		}
	}
	if len(r0.Minima.Loss) > 0 {
		l.MinimaLoss = r0.Minima.Loss
	}
	l.MinimaPhi = TrackMinima(l.Temperatures, phi)
	l.MinimaEnsemble = TrackMinima(l.Temperatures, ens)
	return l
}

// CompareSummary is compare.json: the inputs, then the comparison.
type CompareSummary struct {
	Command string `json:"command"`
	// Version is the writer's version; the caller sets it.
	Version string `json:"version"`
	ModelInfo
	TemperatureInfo
	GridInfo
	N        int       `json:"n"`
	Steps    int       `json:"steps"`
	BurnIn   int       `json:"burn_in"`
	Dt       float64   `json:"dt"`
	X0       []float64 `json:"x0"`
	Seed     uint64    `json:"seed"`
	Bound    float64   `json:"bound"`
	Block    int       `json:"block_requested"`
	MinCount float64   `json:"min_count"`

	Diverged        int     `json:"diverged"`
	EnsembleSeconds float64 `json:"ensemble_seconds"`
	GridSeconds     float64 `json:"grid_seconds"`
	WallRho         float64 `json:"wall_rho"`
	*compare.Report
	Files []string `json:"files"`
	// SteadyCellPeclet is the steady state's cell Peclet number; not
	// written.
	SteadyCellPeclet float64 `json:"-"`
}

// CompareListSummary is the top-level summary.json of a comparison over a
// temperature list.
type CompareListSummary struct {
	Command string `json:"command"`
	// Version is the writer's version; the caller sets it.
	Version string `json:"version"`
	ModelInfo
	GridInfo
	Temperatures []float64 `json:"temperatures"`
	Dirs         []string  `json:"dirs"`
	// TV and TVFloor of the d-dimensional histogram at each temperature.
	TV      []float64 `json:"tv"`
	TVFloor []float64 `json:"tv_floor"`
	// The angular momentum at each temperature (2-D).
	AngularMomentumGrid     []float64 `json:"angular_momentum_grid,omitempty"`
	AngularMomentumEnsemble []float64 `json:"angular_momentum_ensemble,omitempty"`
	AngularMomentumStderr   []float64 `json:"angular_momentum_ensemble_stderr,omitempty"`
	// MinimaLoss are the minima of f; MinimaPhi and MinimaEnsemble follow
	// the grid's and the ensemble's minima of Phi across temperatures with
	// a line fitted to each coordinate.
	MinimaLoss     []fokkerplanck.Minimum `json:"minima_loss,omitempty"`
	MinimaPhi      []MinimumTrack         `json:"minima_phi"`
	MinimaEnsemble []MinimumTrack         `json:"minima_ensemble"`
	Files          []string               `json:"files"`
}

// CompareRun is the comparison at one temperature.
type CompareRun struct {
	Summary CompareSummary
	Grid    *fokkerplanck.Grid
}

// CompareResult is the result of Compare: one run per temperature and,
// for a temperature list, the summary across them (nil for one).
type CompareResult struct {
	Runs []*CompareRun
	List *CompareListSummary
}

// SetVersion sets the writer's version of every summary of r.
func (r *CompareResult) SetVersion(v string) {
	for _, run := range r.Runs {
		run.Summary.Version = v
	}
	if r.List != nil {
		r.List.Version = v
	}
}

// Write writes r into dir (created if needed): compare.json for one
// temperature; for a list, each run's compare.json into dir/T_<T> and,
// last, summary.json across them. Each file is written atomically.
func (r *CompareResult) Write(dir string) error {
	dirs := []string{dir}
	if r.List != nil {
		dirs = nil
		for _, d := range r.List.Dirs {
			dirs = append(dirs, filepath.Join(dir, d))
		}
	}
	for i, run := range r.Runs {
		if err := mkdirOut(dirs[i]); err != nil {
			return err
		}
		if err := datafile.WriteJSON(filepath.Join(dirs[i], "compare.json"), &run.Summary); err != nil {
			return err
		}
	}
	if r.List == nil {
		return nil
	}
	return datafile.WriteJSON(filepath.Join(dir, "summary.json"), r.List)
}

// ReadCompare reads what CompareResult.Write wrote into dir.
func ReadCompare(dir string) (*CompareResult, error) {
	res := &CompareResult{}
	dirs := []string{dir}
	if _, err := os.Stat(filepath.Join(dir, "compare.json")); errors.Is(err, os.ErrNotExist) {
		res.List = &CompareListSummary{}
		if err := readJSON(filepath.Join(dir, "summary.json"), res.List); err != nil {
			return nil, err
		}
		dirs = nil
		for _, d := range res.List.Dirs {
			dirs = append(dirs, filepath.Join(dir, d))
		}
	}
	for _, d := range dirs {
		run := &CompareRun{}
		g, err := readGridSummary(filepath.Join(d, "compare.json"), &run.Summary, &run.Summary.GridInfo)
		if err != nil {
			return nil, err
		}
		run.Grid = g
		res.Runs = append(res.Runs, run)
	}
	return res, nil
}
