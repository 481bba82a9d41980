package experiment

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sgdsde/sgdsde/internal/datafile"
	"github.com/sgdsde/sgdsde/observables"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// ObserveSpec selects the trajectory observables of a finite-sum run
// (observables.Observe: autocorrelation, increment spectrum, eigenvalues of
// D, gradient norm, stochastic area) and of its equilibrium null: the
// same run (settings, seed, recorded chains) as the SDE
//
//	dX = -grad f dt + sqrt(2 T c) dW
//
// with constant isotropic noise, c = the mean of tr D(x)/d over the run's
// recorded states, which is in detailed balance with stationary law
// exp(-f/(T c))/Z (sde.NoiseIsotropic; Chaudhari & Soatto,
// arXiv:1710.11029, section on deep networks). Zero MaxLag, Segment, Top
// and Times select the observables package's defaults; GradTimes and Components are taken
// as they are (the command line's are 100 and observables.DefaultComponents).
type ObserveSpec struct {
	// Run is the run observed (ReadSGD); Dir, where it was read from, is
	// echoed in the summary.
	Run *FiniteSumResult
	Dir string
	// DataDir, when not empty, is where the model's data files are read
	// from instead of the run's data_dir (a model that reads its data,
	// moved since the run).
	DataDir string
	// MaxLag is the largest autocorrelation lag, Segment the Welch segment
	// length (recorded steps), Top the number of leading eigenvalues of D
	// listed, Times the recorded times of chain 0 at which D is computed.
	MaxLag, Segment, Top int
	Times                []int
	// GradTimes is the number of recorded times at which the gradient norm
	// and tr D/d are evaluated; Components the principal components of the
	// stochastic area when d > observables.MaxFullArea.
	GradTimes, Components int
	Workers               int
	// NoNull skips the equilibrium null.
	NoNull bool
}

// DefaultGradTimes is the command line's ObserveSpec.GradTimes.
const DefaultGradTimes = 100

// Where the noise scale of the null came from and its stationary law, as
// observables.json records them.
const (
	NullNoiseScaleFrom = "mean of tr D(x)/d over the run's recorded states (every recorded chain at the gradient-norm times)"
	NullStationaryLaw  = "exp(-f/(T c))/Z"
)

// ObserveSummary is observables.json: the run observed, its null, the
// options used and every scalar observable of the run with the null's
// beside it.
type ObserveSummary struct {
	Command string `json:"command"`
	// Version is the writer's version; the caller sets it.
	Version string           `json:"version"`
	Dir     string           `json:"dir"`
	Run     *FiniteSumInputs `json:"run"`
	// Null describes the equilibrium null run (absent with --no-null).
	Null *NullInfo `json:"null,omitempty"`
	// Options are the analysis settings actually used.
	Options ObserveOptions `json:"options"`

	ACF       ObservePair[ACFScalars]        `json:"acf"`
	Spectrum  ObservePair[SpectrumScalars]   `json:"spectrum"`
	DSpectrum ObservePair[[]DScalars]        `json:"d_spectrum"`
	GradNorm  ObservePair[GradScalars]       `json:"gradnorm"`
	Area      ObservePair[*observables.Area] `json:"area"`
	Elapsed   float64                        `json:"elapsed_seconds"`
	Files     []string                       `json:"files"`
}

// ObservePair holds an observable of the run and of its null side by side.
type ObservePair[T any] struct {
	Run  T  `json:"run"`
	Null *T `json:"null,omitempty"`
}

// NullInfo describes the null run: the SDE dX = -grad f dt + sqrt(2 T c) dW
// with the constant c = NoiseScale, whose stationary law is
// exp(-f/(T c))/Z.
type NullInfo struct {
	Noise       string  `json:"noise"`
	Chains      int     `json:"n"`
	Temperature float64 `json:"temperature"`
	// NoiseScale is c, the mean of tr D(x)/d over NoiseScaleStates recorded
	// states of the run (every recorded chain at the gradient-norm times);
	// NoiseScaleFrom says so in words.
	NoiseScale       float64 `json:"noise_scale"`
	NoiseScaleStates int     `json:"noise_scale_states"`
	NoiseScaleFrom   string  `json:"noise_scale_from"`
	// StationaryLaw names the null's stationary law.
	StationaryLaw string  `json:"stationary_law"`
	Seconds       float64 `json:"seconds"`
	Diverged      int     `json:"diverged"`
}

// ObserveOptions echoes the analysis settings.
type ObserveOptions struct {
	MaxLag     int   `json:"max_lag"`
	Segment    int   `json:"segment"`
	DTimes     []int `json:"d_times"`
	DChain     int   `json:"d_chain"`
	Top        int   `json:"top"`
	GradTimes  int   `json:"grad_times"`
	AreaLags   []int `json:"area_lags"`
	Components int   `json:"components"`
	// TimeUnit is every*dt, the time between recorded states: lags times
	// TimeUnit are times, frequencies over TimeUnit are cycles per time.
	TimeUnit float64 `json:"time_unit"`
}

// ACFScalars are the scalars of the autocorrelation (observables.ACF).
type ACFScalars struct {
	Band float64 `json:"band"`
	// DecorrelationLag is the first lag at which the mean autocorrelation
	// falls below Band, or -1 when it does not within max_lag (Decorrelated
	// false; IntegratedTime is then a lower bound).
	DecorrelationLag int     `json:"decorrelation_lag"`
	Decorrelated     bool    `json:"decorrelated"`
	IntegratedTime   float64 `json:"integrated_time"`
	OutsideBand      float64 `json:"outside_band_lag1"`
	Lag1             float64 `json:"mean_lag1"`
	Constant         int     `json:"constant_coordinates"`
}

// SpectrumScalars are the scalars of the increment spectrum
// (observables.Spectrum).
type SpectrumScalars struct {
	Segment  int                `json:"segment"`
	Segments int                `json:"segments"`
	Flatness float64            `json:"flatness"`
	Peaks    []observables.Peak `json:"peaks"`
}

// DScalars are the statistics of D at one recorded state. Rank counts the
// eigenvalues above Threshold (lambda_max d 2^-52); LastIn and FirstOut are
// lambda_r and lambda_{r+1}, and Gap = lambda_r/|lambda_{r+1}| the spectral
// gap at the rank (absent when infinite: rank d or lambda_{r+1} = 0), see
// observables.DSpectrum.
type DScalars struct {
	Chain              int       `json:"chain"`
	Time               int       `json:"time"`
	Rank               int       `json:"rank"`
	RankFraction       float64   `json:"rank_fraction"`
	Threshold          float64   `json:"threshold"`
	LastIn             float64   `json:"lambda_rank"`
	FirstOut           float64   `json:"lambda_next"`
	Gap                *float64  `json:"gap,omitempty"`
	Mean               float64   `json:"mean"`
	Std                float64   `json:"std"`
	Trace              float64   `json:"trace"`
	ParticipationRatio float64   `json:"participation_ratio"`
	Top                []float64 `json:"top"`
}

type GradScalars struct {
	First float64 `json:"first"`
	Last  float64 `json:"last"`
	Mean  float64 `json:"mean"`
	// MeanTraceD is the mean of tr D(x)/d over the evaluated states (for
	// the run: the null's noise scale c).
	MeanTraceD float64 `json:"mean_trace_d"`
	// LossFirst and LossLast are the mean losses at the first and last
	// evaluated times.
	LossFirst float64 `json:"loss_first"`
	LossLast  float64 `json:"loss_last"`
}

// ObserveIssue names why an observation cannot be made.
type ObserveIssue int

const (
	// ObserveNoRecord: the run recorded no trajectories (or its every,
	// dim or lr make none).
	ObserveNoRecord ObserveIssue = iota + 1
	// ObserveModel: the run's model cannot be rebuilt (Err: a
	// *MemoryError, *SizeError or *FiniteSumError).
	ObserveModel
	// ObserveDimMismatch: the rebuilt model has other sizes than the
	// summary says.
	ObserveDimMismatch
	// ObserveNoTraj: the run has no trajectories (no traj.npy).
	ObserveNoTraj
	// ObserveTraj: the trajectories do not make an observables.Traj (Err).
	ObserveTraj
	// ObserveBadOptions: the options do not fit the trajectories (Err, of
	// observables.Options.Validate).
	ObserveBadOptions
	// ObserveX0Name: the run's x0 is a name other than init and zeros.
	ObserveX0Name
	// ObserveX0: the run's x0 is neither a name nor Dim numbers.
	ObserveX0
	// ObserveProblem: the run's settings do not make an SGD problem (Err).
	ObserveProblem
	// ObserveNullTemperature: the run has no positive temperature for the
	// null (Err).
	ObserveNullTemperature
	// ObserveNoNoise: the null would have no noise (MeanTraceD).
	ObserveNoNoise
	// ObserveAnalysis: observables.Observe failed on the run (Err).
	ObserveAnalysis
	// ObserveNullRun: the null run failed (Err; a cancelled context's error
	// is wrapped).
	ObserveNullRun
	// ObserveNullAnalysis: observables.Observe failed on the null (Err).
	ObserveNullAnalysis
)

// ObserveError is an observation that cannot be made; the fields other
// than Issue and Err are those the issue names.
type ObserveError struct {
	Issue ObserveIssue
	Err   error
	// Dim and Samples are the rebuilt model's, SummaryDim and
	// SummarySamples the summary's (ObserveDimMismatch); Dim is also the
	// x0 dimension wanted (ObserveX0Name, ObserveX0).
	Dim, Samples, SummaryDim, SummarySamples int
	// X0 is the run's x0 name (ObserveX0Name).
	X0 string
	// Len is the recorded length of the trajectories (ObserveBadOptions).
	Len int
	// MeanTraceD is the null's would-be noise scale (ObserveNoNoise).
	MeanTraceD float64
}

func (e *ObserveError) Error() string {
	switch e.Issue {
	case ObserveNoRecord:
		return "the run has no recorded trajectories"
	case ObserveDimMismatch:
		return fmt.Sprintf("the rebuilt model has d = %d, N = %d, but the summary says d = %d, N = %d", e.Dim, e.Samples, e.SummaryDim, e.SummarySamples)
	case ObserveNoTraj:
		return "the run has no trajectories"
	case ObserveX0Name:
		return fmt.Sprintf("x0 %q: want \"init\", \"zeros\" or a list of %d numbers", e.X0, e.Dim)
	case ObserveX0:
		return fmt.Sprintf("x0 must be \"init\", \"zeros\" or a list of %d numbers", e.Dim)
	case ObserveNoNoise:
		return fmt.Sprintf("the mean of tr D(x)/d over the run's recorded states is %g: the equilibrium null would have no noise", e.MeanTraceD)
	}
	return e.Err.Error()
}

// Unwrap returns the cause.
func (e *ObserveError) Unwrap() error { return e.Err }

// CheckOptions checks the options of s alone, before the run is read. Its
// errors are *SettingError.
func (s ObserveSpec) CheckOptions() error {
	switch {
	case s.MaxLag < 0:
		return &SettingError{"MaxLag", s.MaxLag, "non-negative (0 = default)"}
	case s.Segment < 0:
		return &SettingError{"Segment", s.Segment, "non-negative (0 = default)"}
	case s.Top < 0:
		return &SettingError{"Top", s.Top, "non-negative"}
	case s.GradTimes < 1:
		return &SettingError{"GradTimes", s.GradTimes, "at least 1"}
	case s.Components < 1:
		return &SettingError{"Components", s.Components, "at least 1"}
	case s.Workers < 0:
		return &SettingError{"Workers", s.Workers, "non-negative (0 = all cores)"}
	}
	return nil
}

// ObservePlan is a validated ObserveSpec: the model rebuilt, the options
// checked against the trajectories and the null's problem built; nothing
// has been computed.
type ObservePlan struct {
	spec ObserveSpec
	fs   potentials.FiniteSum
	tr   *observables.Traj
	opts observables.Options
	null *sde.SGDProblem // nil with NoNull
}

// Plan validates s. Its errors are *SettingError and *ObserveError.
func (s ObserveSpec) Plan() (*ObservePlan, error) {
	if err := s.CheckOptions(); err != nil {
		return nil, err
	}
	rs := &s.Run.Summary
	if rs.Every < 1 || rs.Record < 1 || rs.Dim < 1 || !(rs.LR > 0) {
		return nil, &ObserveError{Issue: ObserveNoRecord}
	}
	dir := rs.DataDir
	if s.DataDir != "" {
		dir = s.DataDir
	}
	if err := CheckFiniteSumMemory(rs.Model, rs.Params, dir); err != nil {
		return nil, &ObserveError{Issue: ObserveModel, Err: err}
	}
	fs, err := potentials.NewFiniteSumIn(rs.Model, rs.Params, dir)
	if err != nil {
		return nil, &ObserveError{Issue: ObserveModel, Err: &FiniteSumError{Issue: FiniteSumModel, Err: err}}
	}
	if fs.Dim() != rs.Dim || fs.Samples() != rs.SampleCount && rs.SampleCount != 0 {
		return nil, &ObserveError{Issue: ObserveDimMismatch, Dim: fs.Dim(), Samples: fs.Samples(), SummaryDim: rs.Dim, SummarySamples: rs.SampleCount}
	}
	e := &s.Run.Ensemble
	if e.Traj == nil {
		return nil, &ObserveError{Issue: ObserveNoTraj}
	}
	tr, err := observables.NewTraj(e.Traj, e.Record, e.RecordLen, e.Dim)
	if err != nil {
		return nil, &ObserveError{Issue: ObserveTraj, Err: err}
	}
	opts := observables.Options{MaxLag: s.MaxLag, Segment: s.Segment, Top: s.Top, GradTimes: s.GradTimes,
		Components: s.Components, Workers: s.Workers, DTimes: s.Times}.Defaults(tr.Len)
	if err := opts.Validate(tr.Chains, tr.Len); err != nil {
		return nil, &ObserveError{Issue: ObserveBadOptions, Err: err, Len: tr.Len}
	}
	p := &ObservePlan{spec: s, fs: fs, tr: tr, opts: opts}
	if !s.NoNull {
		if p.null, err = nullProblem(fs, rs); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// nullProblem rebuilds the SGD problem of the run rs for its null.
func nullProblem(fs potentials.FiniteSum, rs *FiniteSumSummary) (*sde.SGDProblem, error) {
	d := fs.Dim()
	x0 := make([]float64, d)
	var name string
	if err := json.Unmarshal(rs.X0, &name); err == nil {
		if name != "init" && name != "zeros" {
			return nil, &ObserveError{Issue: ObserveX0Name, X0: name, Dim: d}
		}
		if name == "init" {
			x0 = potentials.FiniteSumStart(fs, rs.Params)
		}
	} else if err := json.Unmarshal(rs.X0, &x0); err != nil || len(x0) != d {
		return nil, &ObserveError{Issue: ObserveX0, Dim: d}
	}
	p := &sde.SGDProblem{Model: fs, LR: rs.LR, Batch: rs.Batch, WithoutReplacement: rs.WithoutReplacement,
		IndependentBatches: rs.IndependentBatches && rs.WithoutReplacement,
		Momentum:           rs.Momentum, X0: x0, Steps: rs.Steps, BurnIn: rs.BurnIn}
	if err := p.Validate(); err != nil {
		return nil, &ObserveError{Issue: ObserveProblem, Err: err}
	}
	if _, err := p.Temperature(); err != nil {
		return nil, &ObserveError{Issue: ObserveNullTemperature, Err: err}
	}
	return p, nil
}

// NullWork returns the units of progress of the null run (chain-steps)
// and its cost in gradient evaluations, 0 without a null.
func (p *ObservePlan) NullWork() (units int64, cost float64) {
	if p.null == nil {
		return 0, 0
	}
	rs := &p.spec.Run.Summary
	units = work(rs.Record, p.null.Steps+p.null.BurnIn)
	return units, float64(work(rs.Record, p.null.Steps+p.null.BurnIn, p.fs.Samples()))
}

// ObserveResult holds the observables of a run and of its null: the
// scalars (Summary, observables.json) and the tables Write writes as CSV
// (acf, spectrum, gradnorm, d_spectrum). Run and Null are package observables'
// results; ReadObserve leaves them nil.
type ObserveResult struct {
	Summary   ObserveSummary
	Tables    []Table
	Run, Null *observables.Observables
}

// Table is a table of numbers with named columns, written as name.csv.
type Table struct {
	Name   string
	Header []string
	Rows   [][]float64
}

// Run computes the observables of the run and, unless NoNull, runs the
// null (reporting chain-steps to pr under the stage "null") and computes
// its observables. The run's gradient norms come first (they give the
// null's noise scale); the other observables of the run and of the null are
// then computed together (observables.ObserveSets), so that their
// eigen-decompositions share the cores. Its errors are *ObserveError.
func (p *ObservePlan) Run(ctx context.Context, pr Progress) (*ObserveResult, error) {
	start := time.Now()
	s := p.spec
	rs := &s.Run.Summary
	gn, err := observables.GradientNorms(p.fs, p.tr, p.opts.GradTimes, p.opts.Workers)
	if err != nil {
		return nil, &ObserveError{Issue: ObserveAnalysis, Err: err}
	}
	trs := []*observables.Traj{p.tr}
	var info *NullInfo
	if p.null != nil {
		if !(gn.MeanTraceD > 0) || math.IsInf(gn.MeanTraceD, 0) {
			return nil, &ObserveError{Issue: ObserveNoNoise, MeanTraceD: gn.MeanTraceD}
		}
		prob := *p.null
		prob.NoiseScale = gn.MeanTraceD
		var ntr *observables.Traj
		if ntr, info, err = p.runNull(ctx, &prob, gn.States, pr); err != nil {
			return nil, err
		}
		trs = append(trs, ntr)
	}
	all, err := observables.ObserveSets(p.fs, trs, p.opts, []*observables.GradNorm{gn, nil}[:len(trs)])
	if err != nil {
		var se *observables.SetError
		if errors.As(err, &se) && se.Set == 1 {
			return nil, &ObserveError{Issue: ObserveNullAnalysis, Err: se.Err}
		}
		if se != nil {
			err = se.Err
		}
		return nil, &ObserveError{Issue: ObserveAnalysis, Err: err}
	}
	obs := all[0]
	res := &ObserveResult{Run: obs, Summary: ObserveSummary{Command: "observe", Dir: s.Dir, Run: &rs.FiniteSumInputs, Null: info,
		Options: ObserveOptions{
			MaxLag: p.opts.MaxLag, Segment: obs.Spectrum.Segment, DTimes: p.opts.DTimes, DChain: p.opts.DChain, Top: p.opts.Top,
			GradTimes: p.opts.GradTimes, AreaLags: p.opts.AreaLags, Components: obs.Area.Components,
			TimeUnit: float64(rs.Every) * rs.Dt,
		}}}
	if len(all) > 1 {
		res.Null = all[1]
	}
	res.fill()
	res.Summary.Elapsed = time.Since(start).Seconds()
	return res, nil
}

// runNull runs the equilibrium null prob, the SDE with constant isotropic
// noise sqrt(2 T c) dW, c = prob.NoiseScale (the mean of tr D/d over
// states recorded states of the run), for the run's recorded chains
// (chain i has the seed of chain i of the run, so only the first Record
// chains are needed), and returns its recorded trajectories.
func (p *ObservePlan) runNull(ctx context.Context, prob *sde.SGDProblem, states int, pr Progress) (*observables.Traj, *NullInfo, error) {
	rs := &p.spec.Run.Summary
	units, _ := p.NullWork()
	begin(pr, "null", units)
	run := &sde.SGDRun{N: rs.Record, Seed: rs.Seed, Workers: p.opts.Workers, Record: rs.Record, Every: rs.Every,
		Bound: rs.Bound, Progress: adder(pr)}
	t0 := time.Now()
	res, err := run.SDE(ctx, prob, sde.NoiseIsotropic)
	end(pr)
	if err != nil {
		return nil, nil, &ObserveError{Issue: ObserveNullRun, Err: err}
	}
	T, _ := prob.Temperature()
	info := &NullInfo{Noise: sde.NoiseIsotropic.String(), Chains: rs.Record, Temperature: T,
		NoiseScale: prob.NoiseScale, NoiseScaleStates: states, NoiseScaleFrom: NullNoiseScaleFrom,
		StationaryLaw: NullStationaryLaw, Seconds: time.Since(t0).Seconds(), Diverged: res.Diverged}
	tr, err := observables.NewTraj(res.Traj, res.Record, res.RecordLen, res.Dim)
	if err != nil {
		return nil, nil, &ObserveError{Issue: ObserveNullRun, Err: err}
	}
	return tr, info, nil
}

// Observe plans and runs s (ObserveSpec.Plan, ObservePlan.Run).
func Observe(ctx context.Context, s ObserveSpec, pr Progress) (*ObserveResult, error) {
	p, err := s.Plan()
	if err != nil {
		return nil, err
	}
	return p.Run(ctx, pr)
}

// fill copies the scalars of the observables into the summary and builds
// the tables.
func (r *ObserveResult) fill() {
	obs, nobs, sum := r.Run, r.Null, &r.Summary
	acf := func(o *observables.Observables) ACFScalars {
		c := o.ACF
		return ACFScalars{Band: c.Band, DecorrelationLag: c.DecorrelationLag, Decorrelated: c.DecorrelationLag >= 0, IntegratedTime: c.IntegratedTime,
			OutsideBand: c.OutsideBand, Lag1: c.Mean[1], Constant: c.Constant}
	}
	spec := func(o *observables.Observables) SpectrumScalars {
		s := o.Spectrum
		peaks := s.Peaks
		if peaks == nil {
			peaks = []observables.Peak{}
		}
		return SpectrumScalars{Segment: s.Segment, Segments: s.Segments, Flatness: s.Flatness, Peaks: peaks}
	}
	dsp := func(o *observables.Observables) []DScalars {
		out := make([]DScalars, len(o.D))
		for i, s := range o.D {
			out[i] = DScalars{Chain: s.Chain, Time: s.Time, Rank: s.Rank, RankFraction: s.RankFraction, Threshold: s.Threshold,
				LastIn: s.LastIn, FirstOut: s.FirstOut,
				Mean: s.Mean, Std: s.Std, Trace: s.Trace, ParticipationRatio: s.ParticipationRatio, Top: s.Top}
			if !math.IsInf(s.Gap, 0) {
				gap := s.Gap
				out[i].Gap = &gap
			}
		}
		return out
	}
	grad := func(o *observables.Observables) GradScalars {
		g := o.GradNorm
		m := 0.0
		for _, v := range g.Value {
			m += v
		}
		m /= float64(max(len(g.Value), 1))
		return GradScalars{First: g.Value[0], Last: g.Value[len(g.Value)-1], Mean: m, MeanTraceD: g.MeanTraceD,
			LossFirst: g.Loss[0], LossLast: g.Loss[len(g.Loss)-1]}
	}
	sum.ACF.Run, sum.Spectrum.Run, sum.DSpectrum.Run = acf(obs), spec(obs), dsp(obs)
	sum.GradNorm.Run, sum.Area.Run = grad(obs), obs.Area
	if nobs != nil {
		a, s, d, g := acf(nobs), spec(nobs), dsp(nobs), grad(nobs)
		sum.ACF.Null, sum.Spectrum.Null, sum.DSpectrum.Null, sum.GradNorm.Null = &a, &s, &d, &g
		sum.Area.Null = &nobs.Area
	}
	r.Tables = observeTables(obs, nobs, sum.Run.Every, sum.Run.Dt)
}

// observeTables returns the tables of the observables of a run (and of
// its null, nobs not nil) recorded every every steps of dt.
func observeTables(obs, nobs *observables.Observables, every int, dt float64) []Table {
	unit := float64(every) * dt
	withNull := nobs != nil
	acf := Table{Name: "acf", Header: []string{"lag", "time", "mean", "spread", "band"}}
	if withNull {
		acf.Header = append(acf.Header, "null_mean", "null_spread", "null_band")
	}
	for k := range obs.ACF.Mean {
		row := []float64{float64(k), float64(k) * unit, obs.ACF.Mean[k], obs.ACF.Spread[k], obs.ACF.Band}
		if withNull {
			row = append(row, nobs.ACF.Mean[k], nobs.ACF.Spread[k], nobs.ACF.Band)
		}
		acf.Rows = append(acf.Rows, row)
	}
	spec := Table{Name: "spectrum", Header: []string{"frequency", "frequency_time", "mean", "spread"}}
	if withNull {
		spec.Header = append(spec.Header, "null_mean", "null_spread")
	}
	for j, f := range obs.Spectrum.Freq {
		row := []float64{f, f / unit, obs.Spectrum.Mean[j], obs.Spectrum.Spread[j]}
		if withNull {
			row = append(row, nobs.Spectrum.Mean[j], nobs.Spectrum.Spread[j])
		}
		spec.Rows = append(spec.Rows, row)
	}
	grad := Table{Name: "gradnorm", Header: []string{"index", "step", "time", "value", "spread", "loss", "trace_d"}}
	if withNull {
		grad.Header = append(grad.Header, "null", "null_spread", "null_loss", "null_trace_d")
	}
	gn := obs.GradNorm
	for j, t := range gn.Times {
		step := (t + 1) * every
		row := []float64{float64(t), float64(step), float64(step) * dt, gn.Value[j], gn.Spread[j], gn.Loss[j], gn.TraceD[j]}
		if withNull {
			ng := nobs.GradNorm
			row = append(row, ng.Value[j], ng.Spread[j], ng.Loss[j], ng.TraceD[j])
		}
		grad.Rows = append(grad.Rows, row)
	}
	// Per eigenvalue, whether it counts in the rank, and per state
	// (repeated on its rows) the threshold, the rank and the gap
	// lambda_r/|lambda_{r+1}| at the rank (inf when infinite).
	dsp := Table{Name: "d_spectrum", Header: []string{"time", "index", "eigenvalue", "in_rank", "threshold", "rank", "gap"}}
	if withNull {
		dsp.Header = append(dsp.Header, "null_eigenvalue", "null_in_rank", "null_threshold", "null_rank", "null_gap")
	}
	dCols := func(s *observables.DSpectrum, k int) []float64 {
		in := 0.0
		if k < s.Rank {
			in = 1
		}
		return []float64{s.Eigenvalues[k], in, s.Threshold, float64(s.Rank), s.Gap}
	}
	for i := range obs.D {
		s := &obs.D[i]
		for k := range s.Eigenvalues {
			row := append([]float64{float64(s.Time), float64(k)}, dCols(s, k)...)
			if withNull {
				row = append(row, dCols(&nobs.D[i], k)...)
			}
			dsp.Rows = append(dsp.Rows, row)
		}
	}
	return []Table{acf, spec, grad, dsp}
}

// Write writes the tables as name.csv and, last, observables.json into
// dir (created if needed), each atomically. It sets the summary's Files.
func (r *ObserveResult) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &DirError{Dir: dir, Err: err}
	}
	r.Summary.Files = []string{"observables.json"}
	for _, t := range r.Tables {
		rows := make([][]string, len(t.Rows))
		for i, row := range t.Rows {
			rows[i] = make([]string, len(row))
			for j, v := range row {
				rows[i][j] = strconv.FormatFloat(v, 'g', -1, 64)
			}
		}
		if err := datafile.WriteCSV(filepath.Join(dir, t.Name+".csv"), t.Header, rows); err != nil {
			return err
		}
		r.Summary.Files = append(r.Summary.Files, t.Name+".csv")
	}
	return datafile.WriteJSON(filepath.Join(dir, "observables.json"), &r.Summary)
}

// ReadObserve reads what ObserveResult.Write wrote into dir: the summary
// and the tables its Files list.
func ReadObserve(dir string) (*ObserveResult, error) {
	b, err := os.ReadFile(filepath.Join(dir, "observables.json"))
	if err != nil {
		return nil, err
	}
	r := &ObserveResult{}
	if err := json.Unmarshal(b, &r.Summary); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "observables.json"), err)
	}
	for _, f := range r.Summary.Files {
		name, ok := strings.CutSuffix(f, ".csv")
		if !ok {
			continue
		}
		t, err := readTable(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		t.Name = name
		r.Tables = append(r.Tables, *t)
	}
	return r, nil
}

// readTable reads a CSV table of numbers with a header line.
func readTable(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	hdr, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t := &Table{Header: hdr}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		row := make([]float64, len(rec))
		for i, s := range rec {
			if row[i], err = strconv.ParseFloat(s, 64); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
		t.Rows = append(t.Rows, row)
	}
}
