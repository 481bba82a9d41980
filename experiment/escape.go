package experiment

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/internal/datafile"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// EscapeMethod selects the methods of an escape study.
type EscapeMethod int

const (
	// EscapeBoth runs the grid and the ensemble (the zero value).
	EscapeBoth EscapeMethod = iota
	// EscapeGrid solves the backward equations on the grid only.
	EscapeGrid
	// EscapeEM runs the Euler–Maruyama ensemble only (the grid's steady
	// state still gives the basins and the barrier in Phi).
	EscapeEM
)

// String returns "both", "grid" or "em".
func (m EscapeMethod) String() string {
	switch m {
	case EscapeGrid:
		return "grid"
	case EscapeEM:
		return "em"
	}
	return "both"
}

// ParseEscapeMethod parses "both", "grid" or "em".
func ParseEscapeMethod(s string) (EscapeMethod, error) {
	for _, m := range []EscapeMethod{EscapeBoth, EscapeGrid, EscapeEM} {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, fmt.Errorf("method %q: want both, grid or em", s)
}

// Defaults of an escape study.
const (
	// DefaultEscapeRadius is the radius of a target disc.
	DefaultEscapeRadius = 0.25
	// DefaultEscapeN is the number of trajectories of the ensemble.
	DefaultEscapeN = 1000
	// DefaultEscapeDt is the ensemble's time step.
	DefaultEscapeDt = 2e-3
	// DefaultEscapeMaxTime is the censoring time of the ensemble when the
	// grid gives no MFPT to scale it by; otherwise the censoring time is
	// EscapeCensorFactor times the grid's MFPT from the start.
	DefaultEscapeMaxTime = 100.0
	// EscapeCensorFactor is the censoring time in units of the grid's
	// MFPT: the survival exp(-t/tau) is 2e-9 there in the metastable limit.
	EscapeCensorFactor = 20.0
	// EscapeMaxSteps bounds the automatic censoring time: N trajectories
	// take at most this many steps in all.
	EscapeMaxSteps = 2e9
)

// EscapeSpec is an escape study: where SGD, started at From, ends up and
// how long it takes to leave, on the grid (the mean first-passage time
// tau(x) to the target, the committor between a disc around the start and
// the target, the occupation of the basins of Phi, the slowest relaxation
// rate and the barriers in f and Phi) and by an Euler–Maruyama ensemble
// (first-passage times with censoring and the Brownian-bridge
// correction). Both methods belong to the same process; the grid's MFPT is
// that of the discretised chain whose steady state is the steady state of
// SteadySpec (Chaudhari & Soatto, arXiv:1710.11029: the barrier that
// matters is one in Phi, not in f).
type EscapeSpec struct {
	Model ModelSpec
	// Temperature is the temperature of a single study; Temperatures, when
	// not empty, lists distinct temperatures, each studied on its own grid,
	// and log tau is fitted against 1/T across them (an Arrhenius fit whose
	// slope is the effective barrier).
	Temperature  TemperatureSpec
	Temperatures []float64
	Grid         GridSpec
	// From is the start; nil means the model's DefaultStart.
	From []float64
	// To and Radius give a target disc (Radius 0: DefaultEscapeRadius);
	// with To nil the target is basin ToBasin of Phi (0 the deepest) when
	// UseBasin is set, otherwise the disc of Radius (at least a cell's
	// diagonal) about the minimum of the most probable basin of Phi that
	// does not hold the start. The time to a disc about the other minimum
	// is the transition time and converges with the grid at second order;
	// the time to a basin's edge is about half of it at low T and depends
	// at first order, not smoothly, on where the grid's basin edge passes
	// the saddle, where the committor is 1/2.
	To       []float64
	Radius   float64
	ToBasin  int
	UseBasin bool
	// Method selects the grid, the ensemble or both.
	Method EscapeMethod
	// The ensemble: N trajectories of step Dt censored at MaxTime (0: 20
	// times the grid's MFPT, or DefaultEscapeMaxTime without the grid),
	// with Seed, Workers (0: all cores) and the divergence Bound (0: 1e8).
	N       int
	Dt      float64
	MaxTime float64
	Seed    uint64
	Workers int
	Bound   float64
}

func (s EscapeSpec) withDefaults() EscapeSpec {
	if s.Radius == 0 {
		s.Radius = DefaultEscapeRadius
	}
	if s.N == 0 {
		s.N = DefaultEscapeN
	}
	if s.Dt == 0 {
		s.Dt = DefaultEscapeDt
	}
	if s.Seed == 0 {
		s.Seed = DefaultSeed
	}
	return s
}

// EscapePlan is an EscapeSpec whose input has been checked.
type EscapePlan struct {
	spec EscapeSpec
	runs []gridRun
	list bool
}

// Plan checks s without doing any work: the model, temperatures and grids
// (as SteadySpec.Plan), the start and the target disc inside each box
// (*fokkerplanck.OutsideBoxError), the ensemble's settings (*ValueError).
// The basins exist only once the steady state is solved: a basin that does
// not exist is an error of Run (*fokkerplanck.NoBasinError), before
// anything is written.
func (s EscapeSpec) Plan() (*EscapePlan, error) {
	s = s.withDefaults()
	switch {
	case !(s.Radius > 0) || math.IsInf(s.Radius, 0):
		return nil, &ValueError{What: "target radius", Value: fmt.Sprint(s.Radius), Want: "positive and finite"}
	case s.N < 1 && s.Method != EscapeGrid:
		return nil, &ValueError{What: "trajectories", Value: fmt.Sprint(s.N), Want: "at least 1"}
	case !(s.Dt > 0) || math.IsInf(s.Dt, 0):
		return nil, &ValueError{What: "time step", Value: fmt.Sprint(s.Dt), Want: "positive and finite"}
	case !(s.MaxTime >= 0) || math.IsInf(s.MaxTime, 0):
		return nil, &ValueError{What: "censoring time", Value: fmt.Sprint(s.MaxTime), Want: "finite and >= 0 (0: automatic)"}
	case s.UseBasin && s.ToBasin < 0:
		return nil, &fokkerplanck.NoBasinError{Index: s.ToBasin}
	}
	runs, err := planGrid(s.Model, s.Temperature, s.Temperatures, s.Grid, nil)
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		from := s.From
		if from == nil {
			from = r.model.DefaultStart()
		}
		for _, p := range []struct {
			what string
			x    []float64
		}{{"the start", from}, {"the target's centre", s.To}} {
			if p.x == nil {
				continue
			}
			if len(p.x) != r.g.Dim {
				return nil, &PointError{Text: fmt.Sprint(p.x), Dim: r.g.Dim}
			}
			if err := insideBox(r.g, p.x); err != nil {
				return nil, &fokkerplanck.OutsideBoxError{What: p.what, X: p.x, Min: r.g.Min, Max: r.g.Max, Dim: r.g.Dim}
			}
		}
	}
	return &EscapePlan{spec: s, runs: runs, list: len(s.Temperatures) > 0}, nil
}

// Escape plans and runs the study s (EscapeSpec.Plan, EscapePlan.Run).
func Escape(ctx context.Context, s EscapeSpec, pr Progress) (*EscapeResult, error) {
	plan, err := s.Plan()
	if err != nil {
		return nil, err
	}
	return plan.Run(ctx, pr)
}

// NoOtherMinimumError is an escape study without a target given whose
// Phi has no minimum other than the start's where the density is above
// fokkerplanck.RegionFraction of its maximum (a single well, or a
// temperature high enough to merge the wells).
type NoOtherMinimumError struct {
	// Basins counts the basins of Phi on the grid, those of the far tails
	// included.
	Basins int
}

// Error words the error.
func (e *NoOtherMinimumError) Error() string {
	if e.Basins <= 1 {
		return "Phi has a single basin: there is no other minimum to escape to"
	}
	return fmt.Sprintf("Phi has no minimum besides the start's where the density is (%d basins on the grid, the others in the far tails): there is no other minimum to escape to", e.Basins)
}

// EscapeTarget describes the target of an escape study.
type EscapeTarget struct {
	// Name says what the target is, e.g. "basin 1 of the potential Phi
	// (about (1, 0))" or "the disc of radius 0.25 about (1, 0)".
	Name string `json:"name"`
	// Centre and Radius give a disc; Basin is the target basin of Phi, or
	// the basin whose minimum the disc surrounds (-1 for a disc about To).
	Centre []float64 `json:"centre,omitempty"`
	Radius float64   `json:"radius,omitempty"`
	Basin  int       `json:"basin"`
	// Nodes counts the target's grid nodes.
	Nodes int `json:"nodes"`
}

// BasinInfo is one basin of Phi of the steady state.
type BasinInfo struct {
	// X is its minimum of Phi, Phi there, and Probability its steady
	// occupation.
	X           []float64 `json:"x"`
	Phi         float64   `json:"phi"`
	Probability float64   `json:"probability"`
}

// EscapeEnsemble is what an escape summary records of the ensemble.
type EscapeEnsemble struct {
	N          int     `json:"n"`
	Dt         float64 `json:"dt"`
	MaxTime    float64 `json:"max_time"`
	Seed       uint64  `json:"seed"`
	Correction string  `json:"correction"`
	Arrived    int     `json:"arrived"`
	Diverged   int     `json:"diverged"`
	// MeanArrived is the mean of the arrived times (E[tau | tau <=
	// MaxTime]); Median the censoring-aware median (null if half or more
	// were censored); RestrictedMean integral_0^MaxTime S(t) dt.
	MeanArrived    *float64 `json:"mean_arrived"`
	Median         *float64 `json:"median"`
	RestrictedMean float64  `json:"restricted_mean"`
	StepsPerSecond float64  `json:"steps_per_second"`
	ElapsedSeconds float64  `json:"elapsed_seconds"`
}

// EscapeSummary is escape.json: the inputs and the results of one
// temperature.
type EscapeSummary struct {
	Command string `json:"command"`
	Version string `json:"version"`
	ModelInfo
	TemperatureInfo
	GridInfo
	Method string       `json:"method"`
	From   []float64    `json:"from"`
	Target EscapeTarget `json:"target"`

	// MFPTGrid is the grid's mean first-passage time from From (the exact
	// MFPT of the discretised chain, interpolated), null without the grid.
	MFPTGrid *float64 `json:"mfpt_grid"`
	// MFPTEM and MFPTEMStderr are the ensemble's MFPT and its standard
	// error: the mean of the first-passage times when none was censored,
	// else the mean with an exponential tail beyond MaxTime (see
	// sde.FirstPassageResult.TailMean); null without the ensemble.
	MFPTEM       *float64 `json:"mfpt_em"`
	MFPTEMStderr *float64 `json:"mfpt_em_se"`
	// Censored counts the trajectories that had not arrived at MaxTime
	// (null without the ensemble).
	Censored *int            `json:"censored"`
	Ensemble *EscapeEnsemble `json:"ensemble,omitempty"`
	// ReactionRate is k_AB, the rate of reactive trajectories from the disc
	// about From to the target (Metzner, Schütte & Vanden-Eijnden 2009).
	ReactionRate *float64 `json:"reaction_rate"`
	// RelaxationRate is the slowest relaxation rate of the grid's chain,
	// the eigenvalue of -L nearest 0 other than 0 (RelaxationImag its
	// imaginary part); in a double well at low T it is the sum of the two
	// escape rates.
	RelaxationRate *float64 `json:"relaxation_rate"`
	RelaxationImag *float64 `json:"relaxation_imag"`
	// BasinProbabilities are the steady occupations of the basins of Phi,
	// deepest first (Basins gives their minima).
	BasinProbabilities []float64   `json:"basin_probabilities"`
	Basins             []BasinInfo `json:"basins"`
	StartBasin         int         `json:"start_basin"`
	// BarrierF and BarrierPhi are the barriers from the start's basin to
	// the target read from the grid: the height of the lowest pass from the
	// lowest node of the start's basin (of Phi) to the target
	// (fokkerplanck.SaddleHeight) minus the value there, in the loss f
	// (null without one) and in Phi. With T the temperature, exp(BarrierPhi/T) is the Arrhenius
	// factor of the escape time.
	BarrierF   *float64 `json:"barrier_f"`
	BarrierPhi float64  `json:"barrier_phi"`
	// Kramers is the Eyring–Kramers time of the transition from the
	// start's minimum to the target's (the other minimum's neighbourhood;
	// the time to its basin is about half of it at low T) where a formula
	// applies: D constant and b = -D grad U with U known (the Gibbs control
	// of the loss, or SGD's drift with isotropic constant D); null
	// otherwise.
	Kramers *float64 `json:"kramers"`

	// Notes say what could not be computed and why: a committor or a
	// relaxation rate whose solve failed is null, with its solver's line
	// here (the mean first-passage times must succeed, or the study
	// fails).
	Notes []string `json:"notes,omitempty"`

	Steady SteadyCheck `json:"steady"`
	Files  []string    `json:"files"`
}

// SteadyCheck is what an escape summary records of its steady state.
type SteadyCheck struct {
	Converged        bool    `json:"converged"`
	RelativeResidual float64 `json:"relative_residual"`
	CellPeclet       float64 `json:"cell_peclet"`
	WallRho          float64 `json:"wall_rho"`
}

// EscapeRun is the escape study at one temperature.
type EscapeRun struct {
	Summary EscapeSummary
	Grid    *fokkerplanck.Grid
	// Tau and Committor are the grid's fields (node order; nil without the
	// grid), Phi the steady state's.
	Tau, Committor, Phi []float64
	// ReactiveX and ReactiveY are the reactive current of transition-path
	// theory from the disc about the start to the target at the nodes
	// (fokkerplanck.ReactiveFlux; node order), and ReactiveDensity the
	// density of reactive trajectories pi q+ q- / V that says where the
	// current is not negligible; 2-D only, nil with the committor.
	ReactiveX, ReactiveY, ReactiveDensity []float64
	// Survival is the ensemble's survival curve (nil without it).
	SurvivalTimes, Survival, SurvivalStderr []float64
}

// EscapeListSummary is the summary.json of a temperature list: the escape
// times against T and the Arrhenius fits log tau = log tau0 + B / T, whose
// slope B is the effective barrier, next to the barriers read from the
// grid at each temperature.
type EscapeListSummary struct {
	Command      string     `json:"command"`
	Version      string     `json:"version"`
	Temperatures []float64  `json:"temperatures"`
	Dirs         []string   `json:"dirs"`
	MFPTGrid     []*float64 `json:"mfpt_grid"`
	MFPTEM       []*float64 `json:"mfpt_em"`
	BarrierF     []*float64 `json:"barrier_f"`
	BarrierPhi   []float64  `json:"barrier_phi"`
	// FittedBarrierGrid and FittedBarrierEM are the slopes of log tau
	// against 1/T (least squares), null with fewer than two temperatures
	// with a time.
	FittedBarrierGrid *float64 `json:"fitted_barrier_grid"`
	FittedBarrierEM   *float64 `json:"fitted_barrier_em"`
}

// EscapeResult is the result of Escape.
type EscapeResult struct {
	Runs []*EscapeRun
	List *EscapeListSummary
}

// SetVersion sets the writer's version of every summary of r.
func (r *EscapeResult) SetVersion(v string) {
	for _, run := range r.Runs {
		run.Summary.Version = v
	}
	if r.List != nil {
		r.List.Version = v
	}
}

func ptr[T any](v T) *T { return &v }

// Run solves each temperature's steady state and its escape, reporting the
// ensemble's trajectory-steps to pr under the stage "escape". The steady
// state's errors are *SolveError; those of the backward solves
// *fokkerplanck.BackwardNotConvergedError, *fokkerplanck.UnreachableError;
// a target basin that does not exist *fokkerplanck.NoBasinError; a start
// in the target *fokkerplanck.StartInTargetError.
func (p *EscapePlan) Run(ctx context.Context, pr Progress) (*EscapeResult, error) {
	res := &EscapeResult{}
	for i := range p.runs {
		run, err := p.runOne(ctx, &p.runs[i], pr)
		if err != nil {
			return nil, err
		}
		res.Runs = append(res.Runs, run)
	}
	if p.list {
		res.List = escapeList(res.Runs)
	}
	return res, nil
}

// runOne runs the study at one temperature.
func (p *EscapePlan) runOne(ctx context.Context, r *gridRun, pr Progress) (*EscapeRun, error) {
	s := p.spec
	op, st, _, err := solveGrid(r, ctx)
	if err != nil {
		return nil, err
	}
	g := r.g
	from := s.From
	if from == nil {
		from = r.model.DefaultStart()
	}
	basins, err := op.PhiBasins(st)
	if err != nil {
		return nil, err
	}
	startBasin, err := basins.Of(from)
	if err != nil {
		return nil, err
	}
	// The target.
	var target fokkerplanck.NodeSet
	tinfo := EscapeTarget{Basin: -1}
	switch {
	case s.To != nil:
		if target, err = g.Disc(s.To, s.Radius); err != nil {
			return nil, err
		}
		tinfo.Centre, tinfo.Radius = s.To, s.Radius
	default:
		k := s.ToBasin
		if !s.UseBasin {
			k = -1
			// Only minima of Phi where the density is (Diagnose's region):
			// basins of the far tails are the grid's, not the model's.
			for j, b := range basins.Basins {
				if j != startBasin && b.InRegion && (k < 0 || b.Probability > basins.Basins[k].Probability) {
					k = j
				}
			}
			if k < 0 {
				return nil, &NoOtherMinimumError{Basins: len(basins.Basins)}
			}
		}
		if s.UseBasin {
			if target, err = basins.Set(k); err != nil {
				return nil, err
			}
		} else {
			// The disc about the other basin's minimum: the time to it is
			// the transition time, which converges with the grid; the
			// time to a basin's edge depends on where the grid's edge
			// passes the saddle (committor 1/2 there).
			// At least a cell's diagonal, so that it holds a node.
			c, ra := basins.Basins[k].X, math.Max(s.Radius, math.Hypot(g.H[0], g.H[1]))
			if target, err = g.Disc(c, ra); err != nil {
				return nil, err
			}
			tinfo.Centre, tinfo.Radius = c, ra
		}
		tinfo.Basin = k
	}
	tinfo.Name, tinfo.Nodes = target.Name, target.Count()
	if target.Contains(g.Nearest(from)) {
		return nil, &fokkerplanck.StartInTargetError{X: from, Node: g.Nearest(from), Target: target.Name}
	}
	sum := EscapeSummary{
		Command: "escape", ModelInfo: r.minfo, TemperatureInfo: r.tinfo, GridInfo: r.ginfo,
		Method: s.Method.String(), From: from, Target: tinfo, StartBasin: startBasin, BarrierPhi: math.NaN(),
		Steady: SteadyCheck{Converged: st.Converged, RelativeResidual: st.Residual, CellPeclet: st.CellPeclet, WallRho: st.WallRho},
	}
	for _, b := range basins.Basins {
		sum.BasinProbabilities = append(sum.BasinProbabilities, b.Probability)
		sum.Basins = append(sum.Basins, BasinInfo{X: b.X, Phi: b.Phi, Probability: b.Probability})
	}
	// The barriers from the start's basin minimum to the target.
	if startBasin >= 0 {
		m := basins.Basins[startBasin].Node
		if h, _, err := fokkerplanck.SaddleHeight(g, st.Phi, []int{m}, maskNodes(target.Mask)); err == nil {
			sum.BarrierPhi = h - st.Phi[m]
		}
		if st.Loss != nil {
			// From the lowest f in the start's basin: f's minimum there.
			mf := m
			for i, l := range basins.Label {
				if l == startBasin && st.Loss[i] < st.Loss[mf] {
					mf = i
				}
			}
			if h, _, err := fokkerplanck.SaddleHeight(g, st.Loss, []int{mf}, maskNodes(target.Mask)); err == nil {
				sum.BarrierF = ptr(h - st.Loss[mf])
			}
		}
	}
	// The Eyring–Kramers time from the start's minimum to the target's,
	// where a formula applies.
	toward := s.To
	if toward == nil {
		toward = basins.Basins[tinfo.Basin].X
	}
	sum.Kramers = kramersTime(r.model, g, r.tinfo.Temperature, from, toward)
	run := &EscapeRun{Grid: g, Phi: st.Phi}
	if s.Method != EscapeEM {
		mfpt, err := op.MeanFirstPassage(ctx, target, fokkerplanck.BackwardOptions{})
		if err != nil {
			return nil, err
		}
		tau, err := mfpt.At(from)
		if err != nil {
			return nil, err
		}
		sum.MFPTGrid, run.Tau = ptr(tau), mfpt.Tau
		// The committor from a disc about the start (of the target's
		// radius, or one cell) to the target, and the reaction rate.
		ra := math.Max(s.Radius, math.Hypot(g.H[0], g.H[1]))
		a, err := g.Disc(from, ra)
		if err != nil {
			return nil, err
		}
		if fl, err := op.ReactiveFlux(ctx, st, a, target, fokkerplanck.BackwardOptions{}); err == nil {
			sum.ReactionRate, run.Committor = ptr(fl.Rate), fl.Forward.Q
			if g.Dim == 2 {
				run.ReactiveX, run.ReactiveY, run.ReactiveDensity = fl.CurrentX, fl.CurrentY, fl.Density
			}
		} else if errors.As(err, new(*fokkerplanck.OverlapError)) {
			sum.Notes = append(sum.Notes, fmt.Sprintf("no committor or reaction rate: the disc about the start (radius %.4g, at least a cell's diagonal) overlaps the target", ra))
		} else if errors.As(err, new(*fokkerplanck.BackwardNotConvergedError)) && ctx.Err() == nil {
			// The committor is not the study's answer: say why it is
			// missing and go on.
			sum.Notes = append(sum.Notes, "no committor or reaction rate: "+err.Error())
		} else {
			return nil, err
		}
		rel, err := op.RelaxationRate(ctx, st, fokkerplanck.RelaxationOptions{})
		switch {
		case err == nil:
			sum.RelaxationRate, sum.RelaxationImag = ptr(rel.Rate), ptr(rel.Imag)
		case ctx.Err() == nil && (errors.As(err, new(*fokkerplanck.EigenNotConvergedError)) || errors.As(err, new(*fokkerplanck.BackwardNotConvergedError))):
			sum.Notes = append(sum.Notes, "no relaxation rate: "+err.Error())
		default:
			return nil, err
		}
	}
	if s.Method != EscapeGrid {
		maxTime := s.MaxTime
		if maxTime == 0 {
			maxTime = DefaultEscapeMaxTime
			if sum.MFPTGrid != nil {
				maxTime = EscapeCensorFactor * *sum.MFPTGrid
			}
			// At most EscapeMaxSteps trajectory-steps in all (about 20 s
			// on two cores): beyond, the censored trajectories' tail gives
			// the time.
			maxTime = math.Min(maxTime, EscapeMaxSteps/float64(s.N)*s.Dt)
		}
		fp := sde.FirstPassage{N: s.N, Seed: s.Seed, Workers: s.Workers, MaxTime: maxTime, Bound: s.Bound}
		var tgt sde.Target
		if tinfo.Centre != nil {
			tgt = sde.Disc{Centre: tinfo.Centre, Radius: tinfo.Radius}
		} else {
			mask := target.Mask
			tgt = sde.Indicator(func(x []float64) bool {
				k := g.Nearest(x)
				return k >= 0 && mask[k]
			})
			fp.Correction = sde.CorrectionNone
		}
		units := work(s.N, int(math.Ceil(maxTime/s.Dt)))
		begin(pr, "escape", units)
		fp.Progress = adder(pr)
		prob := &sde.Problem{Model: r.model, Temperature: r.tinfo.Temperature, X0: from, Dt: s.Dt, Steps: 1}
		start := time.Now()
		fr, err := fp.Run(ctx, prob, tgt)
		end(pr)
		if err != nil {
			return nil, &EnsembleRunError{T: r.tinfo.Temperature, Err: err}
		}
		mean, se := fr.TailMean, fr.TailMeanStderr
		if fr.Censored == 0 {
			mean, se = fr.Mean, fr.MeanStderr
		}
		sum.MFPTEM, sum.MFPTEMStderr, sum.Censored = finite(mean), finite(se), ptr(fr.Censored)
		sum.Ensemble = &EscapeEnsemble{N: s.N, Dt: s.Dt, MaxTime: fr.MaxTime, Seed: s.Seed, Correction: fr.Correction.String(),
			Arrived: fr.Arrived, Diverged: fr.Diverged, MeanArrived: finite(fr.Mean), Median: finite(fr.Median),
			RestrictedMean: fr.RestrictedMean, StepsPerSecond: fr.StepsPerSecond, ElapsedSeconds: time.Since(start).Seconds()}
		run.SurvivalTimes, run.Survival, run.SurvivalStderr = fr.SurvivalTimes, fr.Survival, fr.SurvivalStderr
	}
	run.Summary = sum
	return run, nil
}

// kramersTime returns the Eyring–Kramers time of the transition from the
// minimum of the stationary potential U nearest from to the minimum
// nearest toward (potentials.FindTransition, potentials.EyringKramers), or
// nil where no formula applies. One applies when D is constant over g's
// box and the drift is b = -D grad U for a U known in closed form: the
// Gibbs control of a loss (U = f, any constant D), or SGD's drift
// b = -grad f with isotropic D = c I (U = f/c). Both are checked at
// 11 x 11 points of the box (relative tolerance 1e-9). The formula is the
// mean time to reach the other minimum's neighbourhood; the mean time to
// reach its basin is about half of it at low T (the separatrix is crossed
// from the saddle with probability 1/2).
func kramersTime(m potentials.Model, g *fokkerplanck.Grid, T float64, from, toward []float64) *float64 {
	if m.Loss == nil || m.Grad == nil {
		return nil
	}
	d := m.Dim
	x := make([]float64, d)
	D0, D, b, grad := make([]float64, d*d), make([]float64, d*d), make([]float64, d), make([]float64, d)
	for a := range d {
		x[a] = (g.Min[a] + g.Max[a]) / 2
	}
	m.Diffusion(D0, x)
	gibbs, isoSGD := true, true
	c := D0[0]
	for i := range d {
		for j := range d {
			if want := c * b2f(i == j); math.Abs(D0[i*d+j]-want) > 1e-9*math.Abs(c) {
				isoSGD = false
			}
		}
	}
	const k = 11
	for i := range k {
		for j := range k {
			x[0] = g.Min[0] + (g.Max[0]-g.Min[0])*(float64(i)+0.5)/k
			if d == 2 {
				x[1] = g.Min[1] + (g.Max[1]-g.Min[1])*(float64(j)+0.5)/k
			} else if j > 0 {
				continue
			}
			m.Diffusion(D, x)
			for e := range D {
				if math.Abs(D[e]-D0[e]) > 1e-9*math.Abs(c) {
					return nil
				}
			}
			m.Drift(b, x)
			m.Grad(grad, x)
			for a := range d {
				var dg float64
				for e := range d {
					dg += D0[a*d+e] * grad[e]
				}
				scale := 1e-9 * (math.Abs(b[a]) + math.Abs(dg) + 1e-12)
				if math.Abs(b[a]+dg) > scale {
					gibbs = false
				}
				if math.Abs(b[a]+grad[a]) > 1e-9*(math.Abs(b[a])+math.Abs(grad[a])+1e-12) {
					isoSGD = false
				}
			}
		}
	}
	p, err := potentials.LossPotential(m)
	if err != nil {
		return nil
	}
	var Dk []float64
	switch {
	case gibbs:
		Dk = D0
	case isoSGD && c > 0:
		// b = -grad f = -(c I) grad (f/c): U = f/c with D = c I, the
		// process of D = I at the temperature c T.
		T *= c
	default:
		return nil
	}
	tr, err := potentials.FindTransition(p, from, toward, nil)
	if err != nil {
		return nil
	}
	kr, err := potentials.EyringKramers(tr.From, tr.Saddle, Dk, nil)
	if err != nil {
		return nil
	}
	return finite(kr.Time(T))
}

// b2f is 1 for true and 0 for false.
func b2f(v bool) float64 {
	if v {
		return 1
	}
	return 0
}

// finite returns a pointer to v, or nil when v is not finite.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// maskNodes lists the nodes of a mask.
func maskNodes(mask []bool) []int {
	var out []int
	for i, in := range mask {
		if in {
			out = append(out, i)
		}
	}
	return out
}

// escapeList summarises the runs of a temperature list.
func escapeList(runs []*EscapeRun) *EscapeListSummary {
	l := &EscapeListSummary{Command: "escape"}
	var invT, logG, invTE, logE []float64
	for _, r := range runs {
		s := &r.Summary
		T := s.Temperature
		l.Temperatures = append(l.Temperatures, T)
		l.Dirs = append(l.Dirs, TemperatureDir(T))
		l.MFPTGrid = append(l.MFPTGrid, s.MFPTGrid)
		l.MFPTEM = append(l.MFPTEM, s.MFPTEM)
		l.BarrierF = append(l.BarrierF, s.BarrierF)
		l.BarrierPhi = append(l.BarrierPhi, s.BarrierPhi)
		if s.MFPTGrid != nil && *s.MFPTGrid > 0 {
			invT, logG = append(invT, 1/T), append(logG, math.Log(*s.MFPTGrid))
		}
		if s.MFPTEM != nil && *s.MFPTEM > 0 {
			invTE, logE = append(invTE, 1/T), append(logE, math.Log(*s.MFPTEM))
		}
	}
	slope := func(x, y []float64) *float64 {
		if len(x) < 2 {
			return nil
		}
		_, b := stat.LinearRegression(x, y, nil, false)
		return finite(b)
	}
	l.FittedBarrierGrid, l.FittedBarrierEM = slope(invT, logG), slope(invTE, logE)
	return l
}

// escapeFiles are the files an escape run writes besides escape.json.
var escapeFiles = []string{"x.npy", "y.npy", "phi.npy", "mfpt.npy", "committor.npy",
	"reactive_current_x.npy", "reactive_current_y.npy", "reactive_density.npy", "survival.csv"}

// Write writes r into dir (created if needed): for one temperature
// escape.json, the axes, phi.npy, mfpt.npy and committor.npy of the grid's
// shape (with the grid; in 2-D also reactive_current_x.npy,
// reactive_current_y.npy and reactive_density.npy) and survival.csv (t, S,
// S_se; with the ensemble);
// for a list, each temperature into its T_<T>/ and summary.json across
// them.
func (r *EscapeResult) Write(dir string) error {
	if err := mkdirOut(dir); err != nil {
		return err
	}
	if r.List == nil {
		return r.Runs[0].write(dir)
	}
	for i, run := range r.Runs {
		if err := run.write(filepath.Join(dir, r.List.Dirs[i])); err != nil {
			return err
		}
	}
	return datafile.WriteJSON(filepath.Join(dir, "summary.json"), r.List)
}

// write writes one temperature's run into dir.
func (run *EscapeRun) write(dir string) error {
	if err := mkdirOut(dir); err != nil {
		return err
	}
	g, shape := run.Grid, GridShape(run.Grid)
	run.Summary.Files = []string{"escape.json"}
	for _, name := range escapeFiles {
		var err error
		switch {
		case name == "x.npy":
			err = datafile.WriteNPY(filepath.Join(dir, name), g.Axis(0))
		case name == "y.npy" && g.Dim == 2:
			err = datafile.WriteNPY(filepath.Join(dir, name), g.Axis(1))
		case name == "phi.npy":
			err = datafile.WriteNPY(filepath.Join(dir, name), run.Phi, shape...)
		case name == "mfpt.npy" && run.Tau != nil:
			err = datafile.WriteNPY(filepath.Join(dir, name), run.Tau, shape...)
		case name == "committor.npy" && run.Committor != nil:
			err = datafile.WriteNPY(filepath.Join(dir, name), run.Committor, shape...)
		case name == "reactive_current_x.npy" && run.ReactiveX != nil:
			err = datafile.WriteNPY(filepath.Join(dir, name), run.ReactiveX, shape...)
		case name == "reactive_current_y.npy" && run.ReactiveY != nil:
			err = datafile.WriteNPY(filepath.Join(dir, name), run.ReactiveY, shape...)
		case name == "reactive_density.npy" && run.ReactiveDensity != nil:
			err = datafile.WriteNPY(filepath.Join(dir, name), run.ReactiveDensity, shape...)
		case name == "survival.csv" && run.Survival != nil:
			num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
			rows := make([][]string, len(run.Survival))
			for i := range rows {
				rows[i] = []string{num(run.SurvivalTimes[i]), num(run.Survival[i]), num(run.SurvivalStderr[i])}
			}
			err = datafile.WriteCSV(filepath.Join(dir, name), []string{"t", "survival", "survival_se"}, rows)
		default:
			err = removeStale(dir, name)
			if err == nil {
				continue
			}
		}
		if err != nil {
			return err
		}
		run.Summary.Files = append(run.Summary.Files, name)
	}
	return datafile.WriteJSON(filepath.Join(dir, "escape.json"), &run.Summary)
}

// Report writes the human-readable summary of r, whose files are in dir,
// to w: the lines 'sgdsde escape' prints.
func (r *EscapeResult) Report(w io.Writer, dir string) error {
	return report(w, func(b io.Writer) {
		var dirs []string
		if r.List != nil {
			dirs = r.List.Dirs
		}
		eachRun(b, dir, dirs, len(r.Runs), func(i int, d string) { r.Runs[i].report(b, d) })
		if l := r.List; l != nil {
			fmt.Fprintln(b)
			fmt.Fprintf(b, "%-8s  %-12s  %-12s  %-10s  %-10s\n", "T", "tau grid", "tau EM", "barrier f", "barrier Phi")
			for i, T := range l.Temperatures {
				fmt.Fprintf(b, "%-8.4g  %-12s  %-12s  %-10s  %-10.4g\n", T, optG(l.MFPTGrid[i]), optG(l.MFPTEM[i]), optG(l.BarrierF[i]), l.BarrierPhi[i])
			}
			fmt.Fprintf(b, "Arrhenius fit log tau = log tau0 + B/T: B = %s (grid), %s (ensemble)\n", optG(l.FittedBarrierGrid), optG(l.FittedBarrierEM))
			fmt.Fprintf(b, "output             %s (summary.json, %s)\n", dir, strings.Join(l.Dirs, ", "))
		}
	})
}

// optG formats an optional number with 4 significant digits, "-" for nil.
func optG(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.4g", *v)
}

// report prints one temperature's run, written into dir.
func (run *EscapeRun) report(w io.Writer, dir string) {
	s := &run.Summary
	fmt.Fprintf(w, "model              %s (%d-D), drift %s, T = %.6g (%s)\n", s.Name, s.Dim, s.DriftKind, s.Temperature, s.Source())
	fmt.Fprintf(w, "grid               %s, %s, steady state relative residual %.2g\n", run.Grid, boundaryName(s.Periodic), s.Steady.RelativeResidual)
	fmt.Fprintf(w, "start              %s, in basin %d of Phi\n", vec(s.From), s.StartBasin)
	fmt.Fprintf(w, "target             %s, %d nodes\n", s.Target.Name, s.Target.Nodes)
	parts := make([]string, len(s.Basins))
	for i, b := range s.Basins {
		parts[i] = fmt.Sprintf("%d at %s p = %.4g", i, vec(b.X), b.Probability)
	}
	fmt.Fprintf(w, "basins of Phi      %s\n", strings.Join(parts, "; "))
	fmt.Fprintf(w, "barrier            Phi %.4g, f %s (lowest pass from the start's basin minimum to the target)\n", s.BarrierPhi, optG(s.BarrierF))
	if s.MFPTGrid != nil {
		fmt.Fprintf(w, "mfpt (grid)        %.6g\n", *s.MFPTGrid)
	}
	if e := s.Ensemble; e != nil {
		fmt.Fprintf(w, "mfpt (ensemble)    %s ± %s (%d trajectories, %d censored at t = %.4g, %d diverged; correction %s; %.3g M steps/s)\n",
			optG(s.MFPTEM), optG(s.MFPTEMStderr), e.N, *s.Censored, e.MaxTime, e.Diverged, e.Correction, e.StepsPerSecond/1e6)
	}
	if s.RelaxationRate != nil {
		fmt.Fprintf(w, "relaxation rate    %.6g", *s.RelaxationRate)
		if *s.RelaxationImag != 0 {
			fmt.Fprintf(w, " (imaginary part %.4g)", *s.RelaxationImag)
		}
		fmt.Fprintln(w)
	}
	if s.ReactionRate != nil {
		fmt.Fprintf(w, "reaction rate      k_AB = %.6g (from the disc about the start to the target)\n", *s.ReactionRate)
	}
	if s.Kramers != nil {
		fmt.Fprintf(w, "kramers            %.6g\n", *s.Kramers)
	}
	fmt.Fprintf(w, "output             %s (%s)\n", dir, strings.Join(s.Files, ", "))
}

// ReadEscape reads the escape study written into dir: escape.json and
// its fields, or, for a temperature list, summary.json and each
// temperature's directory.
func ReadEscape(dir string) (*EscapeResult, error) {
	var list EscapeListSummary
	if err := readJSON(filepath.Join(dir, "summary.json"), &list); err == nil && list.Command == "escape" {
		res := &EscapeResult{List: &list}
		for _, d := range list.Dirs {
			run, err := readEscapeRun(filepath.Join(dir, d))
			if err != nil {
				return nil, err
			}
			res.Runs = append(res.Runs, run)
		}
		return res, nil
	}
	run, err := readEscapeRun(dir)
	if err != nil {
		return nil, err
	}
	return &EscapeResult{Runs: []*EscapeRun{run}}, nil
}

// readEscapeRun reads one temperature's escape.json and fields.
func readEscapeRun(dir string) (*EscapeRun, error) {
	run := &EscapeRun{}
	if err := readJSON(filepath.Join(dir, "escape.json"), &run.Summary); err != nil {
		return nil, err
	}
	s := &run.Summary
	box := make([]float64, 0, 4)
	for _, b := range s.Box {
		box = append(box, b[0], b[1])
	}
	g, err := fokkerplanck.NewGrid(potentials.NewBox(box...), s.Grid, s.Periodic)
	if err != nil {
		return nil, err
	}
	run.Grid = g
	shape := GridShape(g)
	has := func(name string) bool { return slices.Contains(s.Files, name) }
	for _, f := range []struct {
		name string
		dst  *[]float64
	}{{"phi.npy", &run.Phi}, {"mfpt.npy", &run.Tau}, {"committor.npy", &run.Committor},
		{"reactive_current_x.npy", &run.ReactiveX}, {"reactive_current_y.npy", &run.ReactiveY}, {"reactive_density.npy", &run.ReactiveDensity}} {
		if !has(f.name) {
			continue
		}
		if *f.dst, err = readField(dir, f.name, shape); err != nil {
			return nil, err
		}
	}
	if has("survival.csv") {
		path := filepath.Join(dir, "survival.csv")
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(rows) == 0 {
			return nil, fmt.Errorf("%s: not a survival table (%v)", path, err)
		}
		for _, r := range rows[1:] {
			if len(r) != 3 {
				return nil, fmt.Errorf("%s: a row has %d fields, want 3", path, len(r))
			}
			v := make([]float64, 3)
			for k := range v {
				if v[k], err = strconv.ParseFloat(r[k], 64); err != nil {
					return nil, fmt.Errorf("%s: %v", path, err)
				}
			}
			run.SurvivalTimes, run.Survival, run.SurvivalStderr = append(run.SurvivalTimes, v[0]), append(run.Survival, v[1]), append(run.SurvivalStderr, v[2])
		}
	}
	return run, nil
}
