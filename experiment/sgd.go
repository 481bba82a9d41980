package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// The command line's defaults of SGD and of the SDE of SGD on a finite
// sum (DefaultSGD). They run in seconds on the default mlp (d = 1002,
// N = 1000) for SGD; the exact-noise SDE costs N gradients a step instead
// of batch ones.
const (
	DefaultFiniteSum = "linreg"
	DefaultSGDLR     = 0.1
	DefaultSGDBatch  = 32
	DefaultSGDN      = 20
	DefaultSGDSteps  = 2000
	DefaultSGDBurnIn = 500
	DefaultSGDRecord = 5
	DefaultSGDEvery  = 10
)

// DefaultSGD returns the command line's SGD: DefaultSGDN chains on
// DefaultFiniteSum with the defaults above. Its FiniteSum and Chains
// serve the SDE of SGD too (SimulateSpec.FiniteSum).
func DefaultSGD() SGDSpec {
	return SGDSpec{
		FiniteSum: FiniteSumSpec{Model: DefaultFiniteSum, LR: DefaultSGDLR, Batch: DefaultSGDBatch},
		Chains: Chains{N: DefaultSGDN, Steps: DefaultSGDSteps, BurnIn: DefaultSGDBurnIn, Record: DefaultSGDRecord,
			Every: DefaultSGDEvery, Seed: DefaultSeed, Bound: DefaultBound},
	}
}

// The command line's defaults of the chains of fashion-mlp (see
// DefaultFiniteSumChains), smaller than DefaultSGD's so that a run and its
// observation stay practical at d = 25,450: 4 chains of 1,500 burn-in and
// 1,000 recorded steps (a test accuracy about 0.8 at lr 0.1, batch 32),
// the first 2 recorded every 5 steps (traj.npy 2 x 200 x 25,450 values,
// 81 MB), so that the null of observe, which costs a full gradient (N
// samples) per step, runs 2 x 2,500 steps.
const (
	DefaultFashionN      = 4
	DefaultFashionSteps  = 1000
	DefaultFashionBurnIn = 1500
	DefaultFashionRecord = 1
	DefaultFashionEvery  = 5
)

// DefaultFiniteSumChains returns the command line's default chains of a
// run on the named finite sum: those of DefaultSGD, or for fashion-mlp
// the smaller DefaultFashion* values.
func DefaultFiniteSumChains(model string) Chains {
	c := DefaultSGD().Chains
	if model == "fashion-mlp" {
		c.N, c.Steps, c.BurnIn, c.Record, c.Every = DefaultFashionN, DefaultFashionSteps, DefaultFashionBurnIn, DefaultFashionRecord, DefaultFashionEvery
	}
	return c
}

// FiniteSumSpec selects mini-batch SGD on a finite-sum model
// f = (1/N) sum_k f_k (potentials.NewFiniteSum): learning rate LR, batch
// size Batch and, for SGD, heavy-ball momentum Momentum,
//
//	v <- beta v - eta g_B(x),  x <- x + v
//
// (sde.SGDProblem). Batches are drawn with replacement, or without:
// shuffled epochs, or with IndependentBatches a fresh set of Batch
// distinct samples every step, the sampling that
// T = eta (N - b)/(2 b (N - 1)) describes.
type FiniteSumSpec struct {
	// Model is the name of a finite sum (potentials.FiniteSums), Params
	// its parameter values (the others take their defaults).
	Model  string
	Params map[string]float64
	// DataDir is the directory of the data files of a model that reads its
	// data (potentials.FiniteSumSpec.DataDir, for example fashion-mlp);
	// empty means the model's default directory.
	DataDir string
	// LR is the learning rate eta, positive (the SDE's dt); Batch the
	// batch size, 1 to the model's samples.
	LR    float64
	Batch int
	// WithoutReplacement and IndependentBatches select the sampling.
	WithoutReplacement, IndependentBatches bool
	// Momentum is beta in [0, 1) (SGD only).
	Momentum float64
	// X0 is the initial state; nil means potentials.FiniteSumStart (the
	// model's initialisation), or the origin when ZeroStart is set.
	X0        []float64
	ZeroStart bool
}

// FiniteSumIssue names what makes a FiniteSumSpec unusable.
type FiniteSumIssue int

const (
	// FiniteSumModel: the model cannot be built (Err is potentials'
	// error: an unknown name or parameter).
	FiniteSumModel FiniteSumIssue = iota + 1
	// FiniteSumBatch: a batch size outside 1 to the model's samples.
	FiniteSumBatch
	// FiniteSumIndependentBatches: independent batches with replacement.
	FiniteSumIndependentBatches
	// FiniteSumStartDim: an X0 of another dimension than the model's.
	FiniteSumStartDim
	// FiniteSumZeroTemperature: the SDE of full-batch gradient descent
	// (Batch = Samples without replacement) has T = 0.
	FiniteSumZeroTemperature
)

// FiniteSumError is a FiniteSumSpec that cannot be run.
type FiniteSumError struct {
	Issue FiniteSumIssue
	// Batch and Samples (FiniteSumBatch, FiniteSumZeroTemperature), Dim
	// and Got (FiniteSumStartDim), Err (FiniteSumModel).
	Batch, Samples, Dim, Got int
	Err                      error
}

func (e *FiniteSumError) Error() string {
	switch e.Issue {
	case FiniteSumModel:
		return e.Err.Error()
	case FiniteSumBatch:
		return fmt.Sprintf("batch %d: want 1 to the model's %d samples", e.Batch, e.Samples)
	case FiniteSumIndependentBatches:
		return "independent batches need sampling without replacement"
	case FiniteSumStartDim:
		return fmt.Sprintf("x0 has %d coordinates, the model has d = %d", e.Got, e.Dim)
	case FiniteSumZeroTemperature:
		return fmt.Sprintf("batch %d equals the %d samples without replacement: T = 0 (gradient descent has no noise)", e.Batch, e.Samples)
	}
	return "invalid finite-sum run"
}

// Unwrap returns the cause.
func (e *FiniteSumError) Unwrap() error { return e.Err }

// finiteSumPlan is a validated finite-sum run.
type finiteSumPlan struct {
	name    string
	params  map[string]float64 // every parameter value
	dataDir string             // the data directory read, empty for generated data
	prob    *sde.SGDProblem
	chains  Chains
	x0Echo  json.RawMessage // "init", "zeros" or the coordinates
	temp    float64         // the SDE's T (0 for full-batch GD without replacement)
}

// plan validates s with the run settings c (Chains.validate first), after
// checking that the model's data and the chains fit in memory. momentum
// allows a non-zero Momentum (SGD; the SDE has none).
func (s *FiniteSumSpec) plan(c Chains, momentum bool) (*finiteSumPlan, error) {
	if err := c.validate(nil); err != nil {
		return nil, err
	}
	name, lr, batch := s.Model, s.LR, s.Batch
	run := &sde.SGDRun{N: c.N, Workers: c.Workers, Record: c.Record, Every: c.Every, Bound: c.Bound}
	if err := checkFiniteSumMemory(name, s.Params, s.DataDir, run, batch, c.Steps); err != nil {
		return nil, err
	}
	m, err := potentials.NewFiniteSumIn(name, s.Params, s.DataDir)
	if err != nil {
		return nil, &FiniteSumError{Issue: FiniteSumModel, Err: err}
	}
	mom := s.Momentum
	if !momentum {
		mom = 0
	}
	switch {
	case !(lr > 0) || math.IsInf(lr, 0):
		return nil, &SettingError{"LR", lr, "positive and finite"}
	case batch < 1 || batch > m.Samples():
		return nil, &FiniteSumError{Issue: FiniteSumBatch, Batch: batch, Samples: m.Samples()}
	case !(mom >= 0 && mom < 1):
		return nil, &SettingError{"Momentum", mom, "in [0, 1)"}
	case s.IndependentBatches && !s.WithoutReplacement:
		return nil, &FiniteSumError{Issue: FiniteSumIndependentBatches}
	}
	spec, _ := potentials.LookupFiniteSum(name)
	params := make(map[string]float64, len(spec.Params))
	for _, p := range spec.Params {
		params[p.Name] = p.Default
	}
	for k, v := range s.Params {
		params[k] = v
	}
	x0, echo := s.X0, any("init")
	switch {
	case x0 != nil:
		if len(x0) != m.Dim() {
			return nil, &FiniteSumError{Issue: FiniteSumStartDim, Dim: m.Dim(), Got: len(x0)}
		}
		echo = x0
	case s.ZeroStart:
		x0, echo = make([]float64, m.Dim()), "zeros"
	default:
		x0 = potentials.FiniteSumStart(m, params)
	}
	p := &sde.SGDProblem{Model: m, LR: lr, Batch: batch, WithoutReplacement: s.WithoutReplacement,
		IndependentBatches: s.IndependentBatches, Momentum: mom, X0: x0, Steps: c.Steps, BurnIn: c.BurnIn}
	if err := p.Validate(); err != nil {
		return nil, &ProblemError{Err: err}
	}
	raw, _ := json.Marshal(echo) // a string or a list of floats
	fp := &finiteSumPlan{name: name, params: params, dataDir: dataDirOf(spec, s.DataDir), prob: p, chains: c, x0Echo: raw}
	if !(s.WithoutReplacement && batch == m.Samples()) {
		if fp.temp, err = p.Temperature(); err != nil {
			return nil, &ProblemError{Err: err}
		}
	}
	return fp, nil
}

// dataDirOf returns the data directory that a model of spec reads given
// dir: dir, or the model's default; empty for a model without data files.
func dataDirOf(spec potentials.FiniteSumSpec, dir string) string {
	if spec.DataDir == "" || dir != "" {
		return dir
	}
	return spec.DataDir
}

// checkFiniteSumMemory refuses, before anything is allocated, the named
// finite sum with parameters params and data directory dir (empty: the
// model's default) whose data, initial state and (run not nil) chains of
// run, with batch size batch and steps recorded steps, cannot be
// allocated at all (*SizeError) or do not fit in the available memory
// (*MemoryError). An unknown model, invalid parameters or missing data
// files give a *FiniteSumError.
func checkFiniteSumMemory(name string, params map[string]float64, dir string, run *sde.SGDRun, batch, steps int) error {
	size, err := potentials.SizeOfFiniteSumIn(name, params, dir)
	if err != nil {
		if errors.Is(err, potentials.ErrTooLarge) {
			return &SizeError{Err: err}
		}
		return &FiniteSumError{Issue: FiniteSumModel, Err: err}
	}
	what := fmt.Sprintf("model %s (d = %d, N = %d samples)", name, size.Dim, size.Samples)
	need := float64(size.Bytes) + 8*float64(size.Dim) // the data and x0
	if run != nil {
		chains, err := run.MemoryEstimate(size.Dim, size.Samples, batch, steps)
		if err != nil {
			return &SizeError{Err: err}
		}
		need += float64(chains)
		what += fmt.Sprintf(" with %d chains", run.N)
		if run.Record > 0 {
			what += fmt.Sprintf(" saving %d x %d states", run.Record, steps/max(run.Every, 1))
		}
	}
	return CheckMemory(need, what)
}

// CheckFiniteSumMemory refuses, before anything is allocated, the named
// finite sum with parameters params and data directory dir (empty: the
// model's default, see FiniteSumSpec.DataDir) whose data cannot be
// allocated at all (*SizeError) or do not fit in the available memory
// (*MemoryError). An unknown model, invalid parameters or missing data
// files give a *FiniteSumError.
func CheckFiniteSumMemory(name string, params map[string]float64, dir string) error {
	return checkFiniteSumMemory(name, params, dir, nil, 0, 0)
}

// run returns the chains of the plan reporting to progress.
func (fp *finiteSumPlan) run(progress func(int64)) *sde.SGDRun {
	c := fp.chains
	return &sde.SGDRun{N: c.N, Seed: c.Seed, Workers: c.Workers, Record: c.Record, Every: c.Every, Bound: c.Bound, Progress: progress}
}

// FiniteSumInputs are the inputs a finite-sum run echoes in summary.json;
// Observe reads them back to rebuild the run and its null.
type FiniteSumInputs struct {
	// Command is "sgd" or "simulate".
	Command string             `json:"command"`
	Model   string             `json:"model"`
	Params  map[string]float64 `json:"params"`
	// DataDir is the directory the model's data were read from (absent
	// for generated data).
	DataDir            string  `json:"data_dir,omitempty"`
	FiniteSum          bool    `json:"finite_sum"`
	Dim                int     `json:"dim"`
	SampleCount        int     `json:"samples"`
	LR                 float64 `json:"lr"`
	Batch              int     `json:"batch"`
	WithoutReplacement bool    `json:"without_replacement"`
	IndependentBatches bool    `json:"independent_batches"`
	Momentum           float64 `json:"momentum"`
	Temperature        float64 `json:"temperature"`
	Dt                 float64 `json:"dt"`
	// Noise is "exact" or "isotropic" for the SDE, empty for SGD.
	Noise string `json:"noise,omitempty"`
	// NoiseScale is the constant c of the isotropic null: noise
	// sqrt(2 T c) dW; NoiseScaleFrom says how c was set.
	NoiseScale     float64 `json:"noise_scale,omitempty"`
	NoiseScaleFrom string  `json:"noise_scale_from,omitempty"`
	N              int     `json:"n"`
	Steps          int     `json:"steps"`
	BurnIn         int     `json:"burn_in"`
	Every          int     `json:"every"`
	Record         int     `json:"record"`
	Seed           uint64  `json:"seed"`
	// X0 is "init", "zeros" or the list of coordinates.
	X0    json.RawMessage `json:"x0"`
	Bound float64         `json:"bound"`
}

// FiniteSumSummary is summary.json of SGD and of the SDE of SGD on a
// finite sum: the inputs, then the statistics.
type FiniteSumSummary struct {
	// Version is the writer's version; the caller sets it.
	Version string `json:"version"`
	Formula string `json:"formula"`
	FiniteSumInputs
	Workers int `json:"workers_requested"`

	Mean       []float64 `json:"mean"`
	MeanStderr []float64 `json:"mean_stderr"`
	// Cov is absent above sde.SGDCovMaxDim.
	Cov [][]float64 `json:"cov,omitempty"`
	// The scores of the final states of a classifier (potentials.Evaluator,
	// absent for other models): the losses and accuracies on the training
	// and on the test samples, each the mean over the chains that did not
	// diverge, with its standard error across them.
	*FinalEvaluation
	Diverged        int      `json:"diverged"`
	SamplesAveraged int64    `json:"samples_averaged"`
	RecordLen       int      `json:"record_len"`
	WorkersUsed     int      `json:"workers"`
	ElapsedSeconds  float64  `json:"elapsed_seconds"`
	StepsPerSecond  float64  `json:"steps_per_second"`
	Files           []string `json:"files"`
}

// FinalEvaluation holds the scores of the final states of the chains of a
// run on a classifier (potentials.Evaluator): each the mean over the
// chains that did not diverge, with its standard error across them (0 for
// one chain).
type FinalEvaluation struct {
	TrainLoss           float64 `json:"train_loss"`
	TrainLossStderr     float64 `json:"train_loss_stderr"`
	TrainAccuracy       float64 `json:"train_accuracy"`
	TrainAccuracyStderr float64 `json:"train_accuracy_stderr"`
	// The test scores are absent when the model has no test samples.
	TestLoss           *float64 `json:"test_loss,omitempty"`
	TestLossStderr     *float64 `json:"test_loss_stderr,omitempty"`
	TestAccuracy       *float64 `json:"test_accuracy,omitempty"`
	TestAccuracyStderr *float64 `json:"test_accuracy_stderr,omitempty"`
	// TestSamples is the number of test samples; Evaluated the number of
	// chains averaged.
	TestSamples int `json:"test_samples"`
	Evaluated   int `json:"evaluated_chains"`
}

// evaluateFinal scores the final states of res on m when m is a
// potentials.Evaluator (nil otherwise, or when every chain diverged),
// chains in parallel on up to workers goroutines (<= 0: GOMAXPROCS); the
// means are added in chain order, so the result does not depend on
// workers.
func evaluateFinal(m potentials.FiniteSum, res *sde.Result, workers int) *FinalEvaluation {
	ev, ok := m.(potentials.Evaluator)
	if !ok {
		return nil
	}
	skip := make(map[int]bool, len(res.DivergedIndex))
	for _, i := range res.DivergedIndex {
		skip[i] = true
	}
	var chains []int
	for i := 0; i < res.N; i++ {
		if !skip[i] {
			chains = append(chains, i)
		}
	}
	if len(chains) == 0 {
		return nil
	}
	evals := make([]potentials.Evaluation, len(chains))
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers, len(chains)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				c := chains[j]
				evals[j] = ev.Evaluate(res.Final[c*res.Dim : (c+1)*res.Dim])
			}
		}()
	}
	for j := range chains {
		next <- j
	}
	close(next)
	wg.Wait()
	meanSE := func(get func(e *potentials.Evaluation) float64) (float64, float64) {
		n := float64(len(evals))
		m := 0.0
		for i := range evals {
			m += get(&evals[i])
		}
		m /= n
		if len(evals) < 2 {
			return m, 0
		}
		v := 0.0
		for i := range evals {
			d := get(&evals[i]) - m
			v += d * d
		}
		return m, math.Sqrt(v / (n - 1) / n)
	}
	fe := &FinalEvaluation{TestSamples: evals[0].Test, Evaluated: len(evals)}
	fe.TrainLoss, fe.TrainLossStderr = meanSE(func(e *potentials.Evaluation) float64 { return e.TrainLoss })
	fe.TrainAccuracy, fe.TrainAccuracyStderr = meanSE(func(e *potentials.Evaluation) float64 { return e.TrainAccuracy })
	if fe.TestSamples > 0 {
		l, lse := meanSE(func(e *potentials.Evaluation) float64 { return e.TestLoss })
		a, ase := meanSE(func(e *potentials.Evaluation) float64 { return e.TestAccuracy })
		fe.TestLoss, fe.TestLossStderr, fe.TestAccuracy, fe.TestAccuracyStderr = &l, &lse, &a, &ase
	}
	return fe
}

// reportEvaluation prints the scores of the final states, if any.
func reportEvaluation(w io.Writer, e *FinalEvaluation) {
	if e == nil {
		return
	}
	fmt.Fprintf(w, "train             accuracy %.4f ± %.4f, loss %.4f ± %.4f (final states, mean of %d chains)\n",
		e.TrainAccuracy, e.TrainAccuracyStderr, e.TrainLoss, e.TrainLossStderr, e.Evaluated)
	if e.TestAccuracy != nil {
		fmt.Fprintf(w, "test              accuracy %.4f ± %.4f, loss %.4f ± %.4f (%d held-out samples)\n",
			*e.TestAccuracy, *e.TestAccuracyStderr, *e.TestLoss, *e.TestLossStderr, e.TestSamples)
	}
}

// summary fills the summary of a finished run of command.
func (fp *finiteSumPlan) summary(command string, r *sde.SGDRun, res *sde.Result) *FiniteSumSummary {
	p := fp.prob
	spec, _ := potentials.LookupFiniteSum(fp.name)
	return &FiniteSumSummary{
		Formula: spec.Formula,
		FiniteSumInputs: FiniteSumInputs{
			Command: command, Model: fp.name, Params: fp.params, DataDir: fp.dataDir,
			FiniteSum: true, Dim: p.Model.Dim(), SampleCount: p.Model.Samples(),
			LR: p.LR, Batch: p.Batch, WithoutReplacement: p.WithoutReplacement, IndependentBatches: p.IndependentBatches,
			Momentum: p.Momentum, Temperature: fp.temp, Dt: p.LR,
			N: r.N, Steps: p.Steps, BurnIn: p.BurnIn, Every: r.Every, Record: r.Record, Seed: r.Seed, X0: fp.x0Echo,
			Bound: r.Bound,
		},
		Workers: r.Workers,
		Mean:    res.Mean, MeanStderr: res.MeanStderr, Cov: rows(res.Cov, res.Dim),
		FinalEvaluation: evaluateFinal(p.Model, res, r.Workers), Diverged: res.Diverged,
		SamplesAveraged: res.Samples, RecordLen: res.RecordLen, WorkersUsed: res.Workers,
		ElapsedSeconds: res.Elapsed.Seconds(), StepsPerSecond: res.StepsPerSecond,
	}
}

// SGDSpec is N independent chains of mini-batch SGD on a finite sum
// (FiniteSumSpec). After the burn-in, the mean (and the covariance
// when d <= sde.SGDCovMaxDim) is averaged over the steps.
type SGDSpec struct {
	FiniteSum FiniteSumSpec
	Chains
}

// FiniteSumResult is a finite-sum run, of SGD or of its SDE: the summary
// and the states.
type FiniteSumResult struct {
	Summary FiniteSumSummary
	Ensemble
}

// SGDPlan is a validated SGDSpec: the model is built and the run found to
// fit in memory; nothing has run.
type SGDPlan struct{ fp *finiteSumPlan }

// Plan validates s without running it. Its errors are *SettingError and
// *ChainsError (the settings), *FiniteSumError, *ProblemError, *SizeError
// and *MemoryError.
func (s SGDSpec) Plan() (*SGDPlan, error) {
	fp, err := s.FiniteSum.plan(s.Chains, true)
	if err != nil {
		return nil, err
	}
	return &SGDPlan{fp: fp}, nil
}

// Work returns the units of progress of the run (chain-steps) and its
// cost in gradient evaluations times dimension.
func (p *SGDPlan) Work() (units int64, cost float64) {
	c, pr := p.fp.chains, p.fp.prob
	units = work(c.N, c.Steps+c.BurnIn)
	return units, float64(units) * float64(pr.Batch) * float64(pr.Model.Dim())
}

// Run runs the planned chains, reporting chain-steps to pr under the stage
// "sgd". Its errors are those of sde.SGDRun.SGD.
func (p *SGDPlan) Run(ctx context.Context, pr Progress) (*FiniteSumResult, error) {
	units, _ := p.Work()
	begin(pr, "sgd", units)
	defer end(pr)
	r := p.fp.run(adder(pr))
	res, err := r.SGD(ctx, p.fp.prob)
	if err != nil {
		return nil, err
	}
	return &FiniteSumResult{Summary: *p.fp.summary("sgd", r, res), Ensemble: ensembleOf(res)}, nil
}

// SGD plans and runs s (SGDSpec.Plan, SGDPlan.Run).
func SGD(ctx context.Context, s SGDSpec, pr Progress) (*FiniteSumResult, error) {
	p, err := s.Plan()
	if err != nil {
		return nil, err
	}
	return p.Run(ctx, pr)
}

// Write writes the run into dir as SimulateResult.Write does: final.npy,
// traj.npy and, last, summary.json.
func (r *FiniteSumResult) Write(dir string) error {
	return writeRun(dir, &r.Ensemble, &r.Summary, &r.Summary.Files)
}

// ReadIssue names why a directory does not hold a finite-sum run.
type ReadIssue int

const (
	// ReadNotDir: the path is not a directory.
	ReadNotDir ReadIssue = iota + 1
	// ReadNoSummary: the directory has no summary.json.
	ReadNoSummary
	// ReadFailed: summary.json cannot be read (Err).
	ReadFailed
	// ReadBadJSON: summary.json is not valid JSON (Err).
	ReadBadJSON
	// ReadBadSummary: summary.json does not decode into the summary (Err).
	ReadBadSummary
	// ReadNotFiniteSum: the run is not one of a finite sum (Command and
	// Model say what it is).
	ReadNotFiniteSum
	// ReadMissingKey: summary.json lacks the key Key.
	ReadMissingKey
)

// ReadError is a directory from which ReadSGD cannot read a finite-sum
// run.
type ReadError struct {
	Issue ReadIssue
	Dir   string
	// Path is summary.json's path.
	Path           string
	Command, Model string
	Key            string
	Err            error
}

func (e *ReadError) Error() string {
	switch e.Issue {
	case ReadNotDir:
		return e.Dir + " is not a directory"
	case ReadNoSummary:
		return e.Dir + " has no summary.json"
	case ReadNotFiniteSum:
		return fmt.Sprintf("%s holds a run of %q, not a finite-sum run", e.Dir, e.Model)
	case ReadMissingKey:
		return fmt.Sprintf("%s has no key %q", e.Path, e.Key)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *ReadError) Unwrap() error { return e.Err }

// finiteSumKeys are the keys that a finite-sum summary must have.
var finiteSumKeys = []string{"model", "params", "dim", "lr", "batch", "steps", "every", "record", "seed", "x0"}

// ReadSGD reads a finite-sum run that FiniteSumResult.Write or
// SimulateResult.Write wrote into dir: SGD or the SDE of SGD. A missing
// final.npy or traj.npy leaves its fields nil; one of another shape than
// the summary's is a *ShapeError. A summary without dt (files older than
// dt) takes dt = lr. Its other errors are *ReadError and those of reading
// .npy files.
func ReadSGD(dir string) (*FiniteSumResult, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, &ReadError{Issue: ReadNotDir, Dir: dir, Err: err}
	}
	path := filepath.Join(dir, "summary.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &ReadError{Issue: ReadNoSummary, Dir: dir, Path: path, Err: err}
	}
	if err != nil {
		return nil, &ReadError{Issue: ReadFailed, Dir: dir, Path: path, Err: err}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, &ReadError{Issue: ReadBadJSON, Dir: dir, Path: path, Err: err}
	}
	var r FiniteSumResult
	s := &r.Summary
	if err := json.Unmarshal(b, s); err != nil {
		return nil, &ReadError{Issue: ReadBadSummary, Dir: dir, Path: path, Err: err}
	}
	if !s.FiniteSum {
		return nil, &ReadError{Issue: ReadNotFiniteSum, Dir: dir, Path: path, Command: s.Command, Model: s.Model}
	}
	for _, k := range finiteSumKeys {
		if _, ok := raw[k]; !ok {
			return nil, &ReadError{Issue: ReadMissingKey, Dir: dir, Path: path, Key: k}
		}
	}
	if s.Dt == 0 {
		s.Dt = s.LR
	}
	recordLen := 0
	if s.Every > 0 && s.Steps > 0 {
		recordLen = s.Steps / s.Every
	}
	if r.Ensemble, err = readEnsemble(dir, s.N, s.Dim, s.Record, recordLen); err != nil {
		return nil, err
	}
	return &r, nil
}
