package experiment

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
)

// SteadySpec selects a steady-state study: the stationary Fokker–Planck
// equation 0 = -div J, J = b rho - T div(D rho), solved on a grid, with
// Phi = -T log rho, the current J, the force j = J / rho (Chaudhari &
// Soatto, arXiv:1710.11029, eq. 8), the entropy production and the
// two-grid check of Assumption 4. The zero value is the command line's
// default: the double well at T = 0.5 on a 256 x 256 grid.
type SteadySpec struct {
	Model ModelSpec
	// Temperature is the temperature of a single study; it is ignored when
	// Temperatures is set.
	Temperature TemperatureSpec
	// Temperatures, when not empty, lists distinct temperatures: each is
	// solved on its own grid (the model's box at that T unless Grid.Box is
	// set), and the minima of Phi are followed across them.
	Temperatures []float64
	Grid         GridSpec
}

// SolveError is a grid study that failed at temperature T after its input
// was accepted: Err is the context's error, an *AssembleError or the
// steady-state solver's error (for example a
// *fokkerplanck.NotConvergedError).
type SolveError struct {
	T   float64
	Err error
}

func (e *SolveError) Error() string {
	return fmt.Sprintf("steady state at T = %g: %v", e.T, e.Err)
}

// Unwrap returns the cause.
func (e *SolveError) Unwrap() error { return e.Err }

// gridRun is the accepted input of one grid study at one temperature.
type gridRun struct {
	model  potentials.Model
	minfo  ModelInfo
	tinfo  TemperatureInfo
	g      *fokkerplanck.Grid
	ginfo  GridInfo
	scheme fokkerplanck.Scheme
	tol    float64
	// twoGrid solves the coarse grid of the two-grid checks with the
	// steady state (fokkerplanck.SteadyOptions.TwoGrid), for a study that
	// makes those checks.
	twoGrid bool
}

// temperatureInfos resolves a single temperature, or each of a list of
// distinct temperatures (which excludes SGD hyper-parameters).
func temperatureInfos(one TemperatureSpec, list []float64) ([]TemperatureInfo, error) {
	if len(list) == 0 {
		t, err := one.Resolve()
		return []TemperatureInfo{t}, err
	}
	if one.LR != 0 {
		return nil, &TemperatureError{Err: errConflictingTemperature}
	}
	seen := map[float64]bool{}
	out := make([]TemperatureInfo, 0, len(list))
	for _, T := range list {
		if seen[T] {
			return nil, &ValueError{What: "temperature list", Value: strconv.FormatFloat(T, 'g', -1, 64), Want: "distinct temperatures"}
		}
		seen[T] = true
		if !(T > 0) || math.IsInf(T, 0) {
			return nil, &TemperatureError{T: T}
		}
		t, err := TemperatureSpec{T: T}.Resolve()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// planGrid resolves the temperatures and builds, for each, the model, with
// the study's check (nil for none), and its grid.
func planGrid(ms ModelSpec, one TemperatureSpec, list []float64, gs GridSpec, check func(potentials.Model) error) ([]gridRun, error) {
	tinfos, err := temperatureInfos(one, list)
	if err != nil {
		return nil, err
	}
	runs := make([]gridRun, 0, len(tinfos))
	for _, t := range tinfos {
		r := gridRun{tinfo: t, scheme: gs.Scheme, tol: gs.tol()}
		if r.model, r.minfo, err = ms.Build(t.Temperature); err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(r.model); err != nil {
				return nil, err
			}
		}
		if r.g, r.ginfo, err = gs.Build(r.model, t.Temperature); err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// solve assembles the operator of r and solves its steady state; its
// errors are *SolveError.
func (r *gridRun) solve(ctx context.Context) (*fokkerplanck.Operator, *fokkerplanck.Steady, time.Duration, error) {
	op, took, err := Assemble(ctx, r.model, r.tinfo.Temperature, r.g, r.scheme)
	if err == nil {
		var st *fokkerplanck.Steady
		if st, err = op.SteadyState(ctx, fokkerplanck.SteadyOptions{Tol: r.tol, TwoGrid: r.twoGrid}); err == nil {
			return op, st, took, nil
		}
	}
	return nil, nil, 0, &SolveError{T: r.tinfo.Temperature, Err: err}
}

// solveGrid is gridRun.solve, a variable so that tests can make one
// temperature of a list fail.
var solveGrid = (*gridRun).solve

// SteadyPlan is a SteadySpec whose input has been checked: Run does the
// work.
type SteadyPlan struct {
	runs []gridRun
	list bool
}

// Plan checks s without doing any work: the temperatures, the model, the
// grid of every temperature and, for a list, the memory that holds every
// steady state until the last is solved. Its errors are those of
// TemperatureSpec.Resolve, ModelSpec.Build and GridSpec.Build, a
// *ValueError for a temperature given twice, and *MemoryError.
func (s SteadySpec) Plan() (*SteadyPlan, error) {
	runs, err := planGrid(s.Model, s.Temperature, s.Temperatures, s.Grid, nil)
	if err != nil {
		return nil, err
	}
	p := &SteadyPlan{runs: runs, list: len(s.Temperatures) > 0}
	if p.list {
		n := runs[0].g.Len()
		need := float64(fokkerplanck.MemoryEstimate(n)) + float64(len(runs))*float64(n)*8*float64(len(steadyFieldFiles))
		if err := CheckMemory(need, fmt.Sprintf("%d steady states of %d nodes, held until every temperature is solved", len(runs), n)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Steady plans and runs the study s (SteadySpec.Plan, SteadyPlan.Run).
func Steady(ctx context.Context, s SteadySpec, p Progress) (*SteadyResult, error) {
	plan, err := s.Plan()
	if err != nil {
		return nil, err
	}
	return plan.Run(ctx, p)
}

// Run solves every temperature, reporting one unit of the stage "steady"
// per temperature to p. A temperature that fails fails the run: its error
// is a *SolveError, and nothing is returned.
func (p *SteadyPlan) Run(ctx context.Context, pr Progress) (*SteadyResult, error) {
	begin(pr, "steady", int64(len(p.runs)))
	defer end(pr)
	res := &SteadyResult{}
	for i := range p.runs {
		run, err := solveSteadyRun(ctx, &p.runs[i])
		if err != nil {
			return nil, err
		}
		res.Runs = append(res.Runs, run)
		if pr != nil {
			pr.Add(1)
		}
	}
	if p.list {
		r0 := p.runs[0]
		l := &SteadyListSummary{Command: "steady", ModelInfo: r0.minfo, GridInfo: r0.ginfo, Files: []string{"summary.json"}}
		phi := make([][]fokkerplanck.Minimum, len(res.Runs))
		for i, r := range res.Runs {
			l.Temperatures = append(l.Temperatures, r.Summary.Temperature)
			l.Dirs = append(l.Dirs, TemperatureDir(r.Summary.Temperature))
			phi[i] = r.Summary.MinimaPhi
		}
		l.MinimaLoss = res.Runs[0].Summary.MinimaLoss
		l.MinimaPhi = TrackMinima(l.Temperatures, phi)
		res.List = l
	}
	return res, nil
}

// solveSteadyRun solves r with the Assumption-4 check: a coarse grid that
// cannot be solved leaves the verdict undetermined, but the steady state
// stands.
func solveSteadyRun(ctx context.Context, r *gridRun) (*SteadyRun, error) {
	// The coarse grid of the Assumption-4 check scales the solve and is
	// kept for the check.
	r2 := *r
	r2.twoGrid = true
	op, st, took, err := solveGrid(&r2, ctx)
	if err != nil {
		return nil, err
	}
	a4, err := op.CheckAssumption4(ctx, st, fokkerplanck.SteadyOptions{Tol: r.tol})
	if err != nil && ctx.Err() != nil {
		return nil, &SolveError{T: r.tinfo.Temperature, Err: ctx.Err()}
	}
	sum := newSteadySummary(r, st, took.Seconds())
	if err != nil {
		sum.setAssumption4(nil, err.Error())
	} else {
		sum.setAssumption4(&a4, "")
	}
	sum.Files = steadyFiles(r.g.Dim, st.Loss != nil)
	return &SteadyRun{Summary: *sum, Grid: r.g, Fields: st.Fields}, nil
}

// TemperatureDir names the subdirectory of temperature T in the output of
// a temperature list, e.g. "T_0.1".
func TemperatureDir(T float64) string {
	return "T_" + strconv.FormatFloat(T, 'g', -1, 64)
}

// MinimumTrack is one minimum of Phi followed across temperatures, with
// the least-squares line x_a(T) = Intercept_a + Slope_a T of each
// coordinate (Chaudhari & Soatto, arXiv:1710.11029: the minima of Phi move
// linearly in T for small T).
type MinimumTrack struct {
	// X[i] is the position at the i-th temperature, nil where no minimum
	// was matched; Value[i] its Phi (nil where unmatched).
	X     [][]float64 `json:"x"`
	Value []*float64  `json:"value"`
	// Intercept and Slope of the fit (set with at least two positions at
	// distinct temperatures); Intercept is the extrapolation to T = 0.
	Intercept []float64 `json:"intercept,omitempty"`
	Slope     []float64 `json:"slope,omitempty"`
}

// TrackMinima follows minima across the temperatures ts (minima[i] those
// at ts[i]): a track starts at each minimum of the lowest temperature and
// takes, at every other temperature in increasing order, the nearest
// minimum (Euclidean distance to the track's last position) not taken by a
// nearer track; then each coordinate is fitted by a line in T
// (stat.LinearRegression). It returns an empty list, not nil, when the
// lowest temperature has no minimum.
func TrackMinima(ts []float64, minima [][]fokkerplanck.Minimum) []MinimumTrack {
	order := make([]int, len(ts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ts[order[a]] < ts[order[b]] })
	tracks := []MinimumTrack{}
	var last [][]float64
	set := func(k, i int, m fokkerplanck.Minimum) {
		v := m.Value
		tracks[k].X[i], tracks[k].Value[i], last[k] = m.X, &v, m.X
	}
	for k, m := range minima[order[0]] {
		tracks = append(tracks, MinimumTrack{X: make([][]float64, len(ts)), Value: make([]*float64, len(ts))})
		last = append(last, nil)
		set(k, order[0], m)
	}
	for _, i := range order[1:] {
		type pair struct {
			k, m int
			d    float64
		}
		var pairs []pair
		for k := range tracks {
			for m, mm := range minima[i] {
				pairs = append(pairs, pair{k, m, floats.Distance(last[k], mm.X, 2)})
			}
		}
		sort.SliceStable(pairs, func(a, b int) bool { return pairs[a].d < pairs[b].d })
		done, taken := make([]bool, len(tracks)), make([]bool, len(minima[i]))
		for _, p := range pairs {
			if !done[p.k] && !taken[p.m] {
				done[p.k], taken[p.m] = true, true
				set(p.k, i, minima[i][p.m])
			}
		}
	}
	for k := range tracks {
		tracks[k].Intercept, tracks[k].Slope = fitLines(ts, tracks[k].X)
	}
	return tracks
}

// fitLines fits x_a(T) = intercept_a + slope_a T by least squares
// (stat.LinearRegression) over the temperatures with a position; nil with
// fewer than two distinct temperatures.
func fitLines(ts []float64, xs [][]float64) (intercept, slope []float64) {
	var t []float64
	var d int
	for i, x := range xs {
		if x != nil {
			d = len(x)
			t = append(t, ts[i])
		}
	}
	if len(t) < 2 || floats.Min(t) == floats.Max(t) {
		return nil, nil
	}
	intercept, slope = make([]float64, d), make([]float64, d)
	y := make([]float64, len(t))
	for a := 0; a < d; a++ {
		y = y[:0]
		for _, x := range xs {
			if x != nil {
				y = append(y, x[a])
			}
		}
		intercept[a], slope[a] = stat.LinearRegression(t, y, nil, false)
	}
	return intercept, slope
}
