package main

// 'sgdsde observe DIR': the trajectory observables of a finite-sum run
// (package analysis) against its equilibrium null. Parsing and wiring only.

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/analysis"
	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/internal/output"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// observeFlags are the flags of 'sgdsde observe'.
type observeFlags struct {
	maxLag, segment, top, gradTimes, components, workers int
	times                                                string
	noNull                                               bool
	out                                                  string
}

// runSummary is what observe reads from the summary.json of a finite-sum
// run ('sgdsde sgd' or 'sgdsde simulate --model').
type runSummary = experiment.FiniteSumInputs

// observeSummary is observables.json.
type observeSummary struct {
	Command string      `json:"command"`
	Version string      `json:"version"`
	Dir     string      `json:"dir"`
	Run     *runSummary `json:"run"`
	// Null describes the equilibrium null run (absent with --no-null).
	Null *nullInfo `json:"null,omitempty"`
	// Options are the analysis settings actually used.
	Options observeOptions `json:"options"`

	ACF       obsPair[acfScalars]      `json:"acf"`
	Spectrum  obsPair[spectrumScalars] `json:"spectrum"`
	DSpectrum obsPair[[]dScalars]      `json:"d_spectrum"`
	GradNorm  obsPair[gradScalars]     `json:"gradnorm"`
	Area      obsPair[*analysis.Area]  `json:"area"`
	Elapsed   float64                  `json:"elapsed_seconds"`
	Files     []string                 `json:"files"`
}

// obsPair holds an observable of the run and of its null side by side.
type obsPair[T any] struct {
	Run  T  `json:"run"`
	Null *T `json:"null,omitempty"`
}

// nullInfo describes the null run: the SDE dX = -grad f dt + sqrt(2 T c) dW
// with the constant c = NoiseScale, whose stationary law is
// exp(-f/(T c))/Z.
type nullInfo struct {
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

// observeOptions echoes the analysis settings.
type observeOptions struct {
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

type acfScalars struct {
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

type spectrumScalars struct {
	Segment  int             `json:"segment"`
	Segments int             `json:"segments"`
	Flatness float64         `json:"flatness"`
	Peaks    []analysis.Peak `json:"peaks"`
}

// dScalars are the statistics of D at one recorded state. Rank counts the
// eigenvalues above Threshold (lambda_max d 2^-52); LastIn and FirstOut are
// lambda_r and lambda_{r+1}, and Gap = lambda_r/|lambda_{r+1}| the spectral
// gap at the rank (absent when infinite: rank d or lambda_{r+1} = 0), see
// analysis.DSpectrum.
type dScalars struct {
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

type gradScalars struct {
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

// newObserveCmd builds 'sgdsde observe'.
func newObserveCmd(a *app) *cobra.Command {
	var of observeFlags
	cmd := &cobra.Command{
		Use:   "observe DIR",
		Short: "Trajectory observables of a finite-sum run against its equilibrium null: ACF, increment spectrum, D eigenvalues, gradient norm, area",
		Long: `Read DIR/summary.json and DIR/traj.npy of a finite-sum run ('sgdsde sgd --model NAME' or
'sgdsde simulate --model NAME'), rebuild the model, and compute the trajectory observables of
Chaudhari & Soatto's section on deep networks: the autocorrelation of each coordinate (with the 99%
white-noise band), the power spectrum of the increments (flat for Brownian motion; peaks are loops),
the eigenvalues of D at chosen recorded times (rank: the number of eigenvalues above the threshold
lambda_max d 2^-52, with the gap lambda_r/|lambda_r+1| at the rank; rank fraction, mean, spread), the
gradient norm |grad f|/sqrt(d) and the mean eigenvalue tr D/d against time, and the stochastic area
(antisymmetric part of the lagged covariance; on the top principal components when d > 50).
Each is also computed for the equilibrium null: the same run (settings, seed, recorded chains) as the
SDE dX = -grad f dt + sqrt(2 T c) dW with constant isotropic noise, c = the mean of tr D(x)/d over the
run's recorded states (every recorded chain at the --grad-times times). It is in detailed balance: its
stationary law is exp(-f/(T c))/Z, with no current (continuous time). --no-null skips it.
Writes into --out (default DIR): observables.json (every scalar, the null's beside each),
acf.csv, spectrum.csv, gradnorm.csv and d_spectrum.csv.`,
		Example: `  sgdsde observe out/sgd
  sgdsde observe out/sgd --max-lag 50 --times 0,10 --out out/observe
  sgdsde observe out/sgd --no-null`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("observe takes one directory, the --out of 'sgdsde sgd' or 'sgdsde simulate --model' (got %d arguments; see 'sgdsde observe --help')", len(args))
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.IntVar(&of.maxLag, "max-lag", 0, "largest autocorrelation `lag` in recorded steps (0 = min(100, L/4), L the recorded length)")
	fs.StringVar(&of.times, "times", "", "recorded time `indices` (0 to L-1, comma-separated) of chain 0 at which the eigenvalues of D are computed (default first, middle and last)")
	fs.IntVar(&of.top, "top", 10, "`number` of leading eigenvalues of D listed in observables.json")
	fs.IntVar(&of.segment, "segment", 0, "Welch segment `length` of the increment spectrum in recorded steps (0 = min(256, (L-1)/4))")
	fs.IntVar(&of.gradTimes, "grad-times", 100, "`number` of recorded times, evenly spread, at which the gradient norm and tr D/d are evaluated (each costs N gradients per chain); the null's c is the mean of tr D/d over them")
	fs.IntVar(&of.components, "components", analysis.DefaultComponents, "`number` of principal components of the stochastic area when d > 50")
	fs.BoolVar(&of.noNull, "no-null", false, "skip the equilibrium null (the SDE with constant isotropic noise sqrt(2 T c) dW)")
	fs.IntVar(&of.workers, "workers", 0, "`number` of parallel workers (0 = all CPU cores)")
	fs.StringVar(&of.out, "out", "", "output `directory` (default DIR; existing files of the same names are replaced)")
	var pf plotFlags
	addPlotFlags(fs, &pf)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := pf.validate(cmd.Flags()); err != nil {
			return err
		}
		if err := runObserve(cmd, a, args[0], &of); err != nil {
			return err
		}
		return pf.draw(a, "observe", cmp.Or(of.out, args[0]))
	}
	return cmd
}

// runObserve validates everything, computes the observables of the run
// and of its null, and writes the outputs.
func runObserve(cmd *cobra.Command, a *app, dir string, of *observeFlags) error {
	start := time.Now()
	switch {
	case of.maxLag < 0:
		return usageErrorf("--max-lag must be non-negative (0 = default), got %d", of.maxLag)
	case of.segment < 0:
		return usageErrorf("--segment must be non-negative (0 = default), got %d", of.segment)
	case of.top < 0:
		return usageErrorf("--top must be non-negative, got %d", of.top)
	case of.gradTimes < 1:
		return usageErrorf("--grad-times must be at least 1, got %d", of.gradTimes)
	case of.components < 1:
		return usageErrorf("--components must be at least 1, got %d", of.components)
	case of.workers < 0:
		return usageErrorf("--workers must be non-negative (0 = all cores), got %d", of.workers)
	}
	out := of.out
	if out == "" {
		out = dir
	}
	if err := checkOutDir(out); err != nil {
		return err
	}
	rs, err := readRunSummary(dir)
	if err != nil {
		return err
	}
	if err := experiment.CheckFiniteSumMemory(rs.Model, rs.Params); err != nil {
		var me *experiment.MemoryError
		var se *experiment.SizeError
		if errors.As(err, &me) || errors.As(err, &se) {
			return usageErrorf("%s/summary.json: %v: the run's model does not fit in this machine's memory", dir, err)
		}
		return usageErrorf("%s/summary.json: %v", dir, err)
	}
	fs, err := potentials.NewFiniteSum(rs.Model, rs.Params)
	if err != nil {
		return usageErrorf("%s/summary.json: %v", dir, err)
	}
	if fs.Dim() != rs.Dim || fs.Samples() != rs.SampleCount && rs.SampleCount != 0 {
		return usageErrorf("%s/summary.json: model %q rebuilt from its params has d = %d, N = %d, but the summary says d = %d, N = %d",
			dir, rs.Model, fs.Dim(), fs.Samples(), rs.Dim, rs.SampleCount)
	}
	tr, err := readTraj(filepath.Join(dir, "traj.npy"), rs)
	if err != nil {
		return err
	}
	opts := analysis.Options{MaxLag: of.maxLag, Segment: of.segment, Top: of.top, GradTimes: of.gradTimes,
		Components: of.components, Workers: of.workers}
	if of.times != "" {
		if opts.DTimes, err = parseTimes(of.times, tr.Len); err != nil {
			return err
		}
	}
	opts = opts.Defaults(tr.Len)
	if err := opts.Validate(tr.Chains, tr.Len); err != nil {
		return usageErrorf("%v (traj.npy has %d recorded states per chain)", err, tr.Len)
	}
	var prob *sde.SGDProblem
	if !of.noNull {
		if prob, err = nullProblem(fs, rs, dir); err != nil {
			return err
		}
	}

	// The work.
	obs, err := analysis.Observe(fs, tr, opts)
	if err != nil {
		return failureErrorf("observe: %v", err)
	}
	sum := &observeSummary{Command: "observe", Version: version, Dir: dir, Run: rs, Options: observeOptions{
		MaxLag: opts.MaxLag, Segment: obs.Spectrum.Segment, DTimes: opts.DTimes, DChain: opts.DChain, Top: opts.Top,
		GradTimes: opts.GradTimes, AreaLags: opts.AreaLags, Components: obs.Area.Components,
		TimeUnit: float64(rs.Every) * rs.Dt,
	}}
	var nobs *analysis.Observables
	if prob != nil {
		if rs.Noise == sde.NoiseIsotropic.String() {
			a.warnf("the run in %s is already an isotropic null (c = %g); its null here has c = %g, the mean of tr D/d over its recorded states",
				dir, rs.NoiseScale, obs.GradNorm.MeanTraceD)
		}
		gn := obs.GradNorm
		if !(gn.MeanTraceD > 0) || math.IsInf(gn.MeanTraceD, 0) {
			return failureErrorf("observe: the mean of tr D(x)/d over the run's recorded states is %g: the equilibrium null would have no noise (use --no-null)", gn.MeanTraceD)
		}
		prob.NoiseScale = gn.MeanTraceD
		var ninfo *nullInfo
		nobs, ninfo, err = runNull(cmd, a, fs, prob, rs, opts, out, gn.States)
		if err != nil {
			return err
		}
		sum.Null = ninfo
	}
	fillObserve(sum, obs, nobs)
	sum.Elapsed = time.Since(start).Seconds()
	if err := writeObserve(out, sum, obs, nobs, rs); err != nil {
		return err
	}
	printObserve(a, sum, out)
	return nil
}

// readRunSummary reads and checks DIR/summary.json. All errors are
// bad-input errors.
func readRunSummary(dir string) (*runSummary, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, usageErrorf("%s is not a directory: give the --out directory of 'sgdsde sgd' or 'sgdsde simulate --model'", dir)
	}
	path := filepath.Join(dir, "summary.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, usageErrorf("%s has no summary.json: give the --out directory of 'sgdsde sgd' or 'sgdsde simulate --model'", dir)
	}
	if err != nil {
		return nil, usageErrorf("read %s: %v", path, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, usageErrorf("%s is not valid JSON: %v", path, err)
	}
	var rs runSummary
	if err := json.Unmarshal(b, &rs); err != nil {
		return nil, usageErrorf("%s: %v", path, err)
	}
	if !rs.FiniteSum {
		what := "run"
		if rs.Model != "" {
			what = fmt.Sprintf("run of landscape %q", rs.Model)
		}
		if rs.Command != "" {
			what = fmt.Sprintf("'%s' %s", rs.Command, what)
		}
		return nil, usageErrorf("%s holds a %s, not a finite-sum run: observe needs a finite-sum model (run 'sgdsde sgd --model NAME' or 'sgdsde simulate --model NAME' first)", dir, what)
	}
	for _, k := range []string{"model", "params", "dim", "lr", "batch", "steps", "every", "record", "seed", "x0"} {
		if _, ok := raw[k]; !ok {
			return nil, usageErrorf("%s has no key %q: it is not the summary of a finite-sum run", path, k)
		}
	}
	if rs.Dt == 0 {
		rs.Dt = rs.LR
	}
	if rs.Every < 1 || rs.Record < 1 || rs.Dim < 1 || !(rs.LR > 0) {
		return nil, usageErrorf("%s: every = %d, record = %d, dim = %d, lr = %g: observe needs recorded trajectories (record >= 1)", path, rs.Every, rs.Record, rs.Dim, rs.LR)
	}
	return &rs, nil
}

// readTraj reads traj.npy and checks its shape (record, steps/every, dim)
// against the summary; its data must hold exactly the values of its
// header's shape (output.ReadNPY). All errors are bad-input errors.
func readTraj(path string, rs *runSummary) (*analysis.Traj, error) {
	shape, data, err := output.ReadNPY(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, usageErrorf("%s has no traj.npy: observe needs recorded trajectories (run with --record >= 1)", filepath.Dir(path))
	}
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	if len(shape) != 3 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1 {
		return nil, usageErrorf("%s has shape %v: want (record, steps/every, d) = (%d, %d, %d)", path, shape, rs.Record, rs.Steps/rs.Every, rs.Dim)
	}
	if shape[2] != rs.Dim || shape[0] != rs.Record || (rs.Steps > 0 && shape[1] != rs.Steps/rs.Every) {
		return nil, usageErrorf("%s has shape %v, but summary.json says (record, steps/every, d) = (%d, %d, %d)", path, shape, rs.Record, rs.Steps/rs.Every, rs.Dim)
	}
	tr, err := analysis.NewTraj(data, shape[0], shape[1], shape[2])
	if err != nil {
		return nil, usageErrorf("%s: %v", path, err)
	}
	return tr, nil
}

// parseTimes parses --times: recorded time indices in [0, L).
func parseTimes(s string, length int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		t, err := strconv.Atoi(f)
		if err != nil || t < 0 || t >= length {
			return nil, usageErrorf("--times %q: %q is not a recorded time index from 0 to %d", s, f, length-1)
		}
		out = append(out, t)
	}
	return out, nil
}

// nullProblem rebuilds the SGD problem of the run for its null. All errors
// are bad-input errors.
func nullProblem(fs potentials.FiniteSum, rs *runSummary, dir string) (*sde.SGDProblem, error) {
	d := fs.Dim()
	x0 := make([]float64, d)
	var s string
	if err := json.Unmarshal(rs.X0, &s); err == nil {
		if s != "init" && s != "zeros" {
			return nil, usageErrorf("%s/summary.json: x0 %q: want \"init\", \"zeros\" or a list of %d numbers", dir, s, d)
		}
		// The rule of 'sgdsde sgd --x0 init|zeros' (the model's Init seeded
		// by its seed parameter, or zeros).
		if s == "init" {
			x0 = potentials.FiniteSumStart(fs, rs.Params)
		}
	} else if err := json.Unmarshal(rs.X0, &x0); err != nil || len(x0) != d {
		return nil, usageErrorf("%s/summary.json: x0 must be \"init\", \"zeros\" or a list of %d numbers", dir, d)
	}
	p := &sde.SGDProblem{Model: fs, LR: rs.LR, Batch: rs.Batch, WithoutReplacement: rs.WithoutReplacement,
		IndependentBatches: rs.IndependentBatches && rs.WithoutReplacement,
		Momentum:           rs.Momentum, X0: x0, Steps: rs.Steps, BurnIn: rs.BurnIn}
	if err := p.Validate(); err != nil {
		return nil, usageErrorf("%s/summary.json: %v", dir, err)
	}
	if _, err := p.Temperature(); err != nil {
		return nil, usageErrorf("%s/summary.json: %v; the null needs a positive temperature (use --no-null)", dir, err)
	}
	return p, nil
}

// runNull runs the equilibrium null of the run's settings, the SDE with
// constant isotropic noise sqrt(2 T c) dW, c = p.NoiseScale (the mean of
// tr D/d over states recorded states of the run), for its recorded chains
// (chain i has the same seed as chain i of the run, so only the first
// record chains are needed) and computes its observables.
func runNull(cmd *cobra.Command, a *app, fs potentials.FiniteSum, p *sde.SGDProblem, rs *runSummary, opts analysis.Options, out string, states int) (*analysis.Observables, *nullInfo, error) {
	ctx := cmd.Context()
	run := &sde.SGDRun{N: rs.Record, Seed: rs.Seed, Workers: opts.Workers, Record: rs.Record, Every: rs.Every, Bound: rs.Bound}
	total := workTotal(rs.Record, p.Steps+p.BurnIn, fs.Samples())
	var bar *progress
	if float64(total) > progressMinWork && a.stderrIsTerminal() {
		bar = newProgress(a.stderr, workTotal(rs.Record, p.Steps+p.BurnIn), "observe: null")
		run.Progress = bar.add
	}
	t0 := time.Now()
	res, err := run.SDE(ctx, p, sde.NoiseIsotropic)
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, nil, failureErrorf("observe interrupted (%v); nothing was written to %s", err, out)
		}
		return nil, nil, failureErrorf("observe: null run: %v", err)
	}
	T, _ := p.Temperature()
	info := &nullInfo{Noise: sde.NoiseIsotropic.String(), Chains: rs.Record, Temperature: T,
		NoiseScale: p.NoiseScale, NoiseScaleStates: states,
		NoiseScaleFrom: "mean of tr D(x)/d over the run's recorded states (every recorded chain at the gradient-norm times)",
		StationaryLaw:  "exp(-f/(T c))/Z",
		Seconds:        time.Since(t0).Seconds(), Diverged: res.Diverged}
	if res.Diverged > 0 {
		a.warnf("%d of %d chains of the null diverged; their recorded states repeat the last finite one", res.Diverged, res.N)
	}
	tr, err := analysis.NewTraj(res.Traj, res.Record, res.RecordLen, res.Dim)
	if err != nil {
		return nil, nil, failureErrorf("observe: null run: %v", err)
	}
	obs, err := analysis.Observe(fs, tr, opts)
	if err != nil {
		return nil, nil, failureErrorf("observe: null: %v", err)
	}
	return obs, info, nil
}

// fillObserve copies the scalars of the observables into the summary.
func fillObserve(sum *observeSummary, obs, nobs *analysis.Observables) {
	acf := func(o *analysis.Observables) acfScalars {
		c := o.ACF
		return acfScalars{Band: c.Band, DecorrelationLag: c.DecorrelationLag, Decorrelated: c.DecorrelationLag >= 0, IntegratedTime: c.IntegratedTime,
			OutsideBand: c.OutsideBand, Lag1: c.Mean[1], Constant: c.Constant}
	}
	spec := func(o *analysis.Observables) spectrumScalars {
		s := o.Spectrum
		peaks := s.Peaks
		if peaks == nil {
			peaks = []analysis.Peak{}
		}
		return spectrumScalars{Segment: s.Segment, Segments: s.Segments, Flatness: s.Flatness, Peaks: peaks}
	}
	dsp := func(o *analysis.Observables) []dScalars {
		out := make([]dScalars, len(o.D))
		for i, s := range o.D {
			out[i] = dScalars{Chain: s.Chain, Time: s.Time, Rank: s.Rank, RankFraction: s.RankFraction, Threshold: s.Threshold,
				LastIn: s.LastIn, FirstOut: s.FirstOut,
				Mean: s.Mean, Std: s.Std, Trace: s.Trace, ParticipationRatio: s.ParticipationRatio, Top: s.Top}
			if !math.IsInf(s.Gap, 0) {
				gap := s.Gap
				out[i].Gap = &gap
			}
		}
		return out
	}
	grad := func(o *analysis.Observables) gradScalars {
		g := o.GradNorm
		m, _ := meanOf(g.Value)
		return gradScalars{First: g.Value[0], Last: g.Value[len(g.Value)-1], Mean: m, MeanTraceD: g.MeanTraceD,
			LossFirst: g.Loss[0], LossLast: g.Loss[len(g.Loss)-1]}
	}
	sum.ACF.Run, sum.Spectrum.Run, sum.DSpectrum.Run = acf(obs), spec(obs), dsp(obs)
	sum.GradNorm.Run, sum.Area.Run = grad(obs), obs.Area
	if nobs != nil {
		a, s, d, g := acf(nobs), spec(nobs), dsp(nobs), grad(nobs)
		sum.ACF.Null, sum.Spectrum.Null, sum.DSpectrum.Null, sum.GradNorm.Null = &a, &s, &d, &g
		sum.Area.Null = &nobs.Area
	}
}

// meanOf returns the mean of x and its length.
func meanOf(x []float64) (float64, int) {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(max(len(x), 1)), len(x)
}

// writeObserve writes the CSV tables and, last, observables.json into out.
func writeObserve(out string, sum *observeSummary, obs, nobs *analysis.Observables, rs *runSummary) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return failureErrorf("cannot create --out directory: %v", err)
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	unit := float64(rs.Every) * rs.Dt
	withNull := nobs != nil

	hdr := []string{"lag", "time", "mean", "spread", "band"}
	if withNull {
		hdr = append(hdr, "null_mean", "null_spread", "null_band")
	}
	var acfRows [][]string
	for k := range obs.ACF.Mean {
		row := []string{strconv.Itoa(k), g(float64(k) * unit), g(obs.ACF.Mean[k]), g(obs.ACF.Spread[k]), g(obs.ACF.Band)}
		if withNull {
			row = append(row, g(nobs.ACF.Mean[k]), g(nobs.ACF.Spread[k]), g(nobs.ACF.Band))
		}
		acfRows = append(acfRows, row)
	}

	hdrS := []string{"frequency", "frequency_time", "mean", "spread"}
	if withNull {
		hdrS = append(hdrS, "null_mean", "null_spread")
	}
	var specRows [][]string
	for j, f := range obs.Spectrum.Freq {
		row := []string{g(f), g(f / unit), g(obs.Spectrum.Mean[j]), g(obs.Spectrum.Spread[j])}
		if withNull {
			row = append(row, g(nobs.Spectrum.Mean[j]), g(nobs.Spectrum.Spread[j]))
		}
		specRows = append(specRows, row)
	}

	hdrG := []string{"index", "step", "time", "value", "spread", "loss", "trace_d"}
	if withNull {
		hdrG = append(hdrG, "null", "null_spread", "null_loss", "null_trace_d")
	}
	var gradRows [][]string
	gn := obs.GradNorm
	for j, t := range gn.Times {
		step := (t + 1) * rs.Every
		row := []string{strconv.Itoa(t), strconv.Itoa(step), g(float64(step) * rs.Dt), g(gn.Value[j]), g(gn.Spread[j]), g(gn.Loss[j]), g(gn.TraceD[j])}
		if withNull {
			row = append(row, g(nobs.GradNorm.Value[j]), g(nobs.GradNorm.Spread[j]), g(nobs.GradNorm.Loss[j]), g(nobs.GradNorm.TraceD[j]))
		}
		gradRows = append(gradRows, row)
	}

	// d_spectrum.csv: per eigenvalue, whether it counts in the rank, and
	// per state (repeated on its rows) the threshold, the rank and the gap
	// lambda_r/|lambda_{r+1}| at the rank (inf when infinite).
	hdrD := []string{"time", "index", "eigenvalue", "in_rank", "threshold", "rank", "gap"}
	if withNull {
		hdrD = append(hdrD, "null_eigenvalue", "null_in_rank", "null_threshold", "null_rank", "null_gap")
	}
	dCols := func(s *analysis.DSpectrum, k int) []string {
		in := "0"
		if k < s.Rank {
			in = "1"
		}
		return []string{g(s.Eigenvalues[k]), in, g(s.Threshold), strconv.Itoa(s.Rank), g(s.Gap)}
	}
	var dRows [][]string
	for i := range obs.D {
		s := &obs.D[i]
		for k := range s.Eigenvalues {
			row := append([]string{strconv.Itoa(s.Time), strconv.Itoa(k)}, dCols(s, k)...)
			if withNull {
				row = append(row, dCols(&nobs.D[i], k)...)
			}
			dRows = append(dRows, row)
		}
	}

	sum.Files = []string{"observables.json", "acf.csv", "spectrum.csv", "gradnorm.csv", "d_spectrum.csv"}
	for _, t := range []struct {
		name string
		hdr  []string
		rows [][]string
	}{
		{"acf.csv", hdr, acfRows}, {"spectrum.csv", hdrS, specRows}, {"gradnorm.csv", hdrG, gradRows}, {"d_spectrum.csv", hdrD, dRows},
	} {
		if err := output.WriteCSV(filepath.Join(out, t.name), t.hdr, t.rows); err != nil {
			return failureErrorf("%v", err)
		}
	}
	if err := output.WriteJSON(filepath.Join(out, "observables.json"), sum); err != nil {
		return failureErrorf("%v", err)
	}
	return nil
}

// printObserve writes the human summary: each observable of the run and
// of its null side by side.
func printObserve(a *app, s *observeSummary, out string) {
	w := a.stdout
	r := s.Run
	fmt.Fprintf(w, "run               %s: %s on %s (d = %d, N = %d), lr %g, batch %d, T = %.4g; %d chains x %d recorded states (every %d)\n",
		filepath.Clean(s.Dir), r.Command, r.Model, r.Dim, r.SampleCount, r.LR, r.Batch, r.Temperature, r.Record, r.Steps/r.Every, r.Every)
	null := s.Null != nil
	col := func(name, run, nul string) {
		if null {
			fmt.Fprintf(w, "%-18s%-30s null %s\n", name, run, nul)
		} else {
			fmt.Fprintf(w, "%-18s%s\n", name, run)
		}
	}
	if null {
		n := s.Null
		fmt.Fprintf(w, "null              SDE dX = -grad f dt + sqrt(2 T c) dW, constant isotropic noise with c = %.4g, the mean of tr D(x)/d over %d recorded states of the run; in detailed balance: stationary law exp(-f/(T c))/Z; same seed and settings (%.3g s)\n",
			n.NoiseScale, n.NoiseScaleStates, n.Seconds)
	}
	rank := func(d dScalars) string {
		gap := "inf (full rank)"
		if d.Rank < r.Dim {
			gap = "inf (lambda_r+1 = 0)"
		}
		if d.Gap != nil {
			gap = fmt.Sprintf("%.3g", *d.Gap)
		}
		return fmt.Sprintf("rank %d/%d (eigenvalues > %.3g; gap lambda_r/|lambda_r+1| = %s), mean %.3g, std %.3g",
			d.Rank, r.Dim, d.Threshold, gap, d.Mean, d.Std)
	}
	for i, d := range s.DSpectrum.Run {
		nul := ""
		if null {
			nul = rank((*s.DSpectrum.Null)[i])
		}
		col(fmt.Sprintf("D at t=%d", d.Time), rank(d), nul)
	}
	acf := func(c acfScalars) string {
		if !c.Decorrelated {
			return fmt.Sprintf("rho(1) %.3g; the mean ACF stays above the 99%% band %.3g up to the largest lag computed, %d (decorrelation lag not reached; tau_int >= %.3g recorded steps)",
				c.Lag1, c.Band, s.Options.MaxLag, c.IntegratedTime)
		}
		return fmt.Sprintf("rho(1) %.3g, below the 99%% band %.3g from lag %d, tau_int %.3g recorded steps", c.Lag1, c.Band, c.DecorrelationLag, c.IntegratedTime)
	}
	spec := func(sp spectrumScalars) string {
		t := fmt.Sprintf("flatness %.3g (1 = white, Brownian)", sp.Flatness)
		if len(sp.Peaks) > 0 {
			t += fmt.Sprintf(", peak f=%.3g per step (%.2g x local median)", sp.Peaks[0].Freq, sp.Peaks[0].Ratio)
		}
		return t
	}
	grad := func(g gradScalars) string {
		return fmt.Sprintf("%.3g -> %.3g (loss %.3g; mean tr D/d %.3g)", g.First, g.Last, g.LossLast, g.MeanTraceD)
	}
	area := func(ar *analysis.Area) string {
		where := fmt.Sprintf("all %d coordinates", ar.Components)
		if ar.Projected {
			where = fmt.Sprintf("top %d principal components", ar.Components)
		}
		return fmt.Sprintf("|A|/|S| %.3g at lag %d (0 at equilibrium; %s)", ar.Lags[0].Ratio, ar.Lags[0].Lag, where)
	}
	var na, ns, ng, nar string
	if null {
		na, ns, ng, nar = acf(*s.ACF.Null), spec(*s.Spectrum.Null), grad(*s.GradNorm.Null), area(*s.Area.Null)
	}
	col("autocorrelation", acf(s.ACF.Run), na)
	col("increments", spec(s.Spectrum.Run), ns)
	col("|grad f|/sqrt(d)", grad(s.GradNorm.Run), ng)
	col("area", area(s.Area.Run), nar)
	fmt.Fprintf(w, "output            %s (%s), %.3g s\n", out, strings.Join(s.Files, ", "), s.Elapsed)
}
