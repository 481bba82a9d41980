package main

// 'sgdsde sgd' runs mini-batch SGD on a finite-sum model; 'sgdsde simulate
// --model NAME' runs the SDE that approximates it. Both share the finite-sum
// setup below and write the same summary keys.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/internal/output"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// Defaults of 'sgdsde sgd' and of 'sgdsde simulate --model'. They run in
// seconds on the default mlp (d = 1002, N = 1000) for SGD; the exact-noise
// SDE costs N gradients a step instead of batch ones.
const (
	defaultSGDModel  = "linreg"
	defaultSGDLR     = 0.1
	defaultSGDBatch  = 32
	defaultSGDN      = 20
	defaultSGDSteps  = 2000
	defaultSGDBurnIn = 500
	defaultSGDRecord = 5
	defaultSGDEvery  = 10
	defaultSGDOut    = "out/sgd"
)

// sgdFlags are the flags of 'sgdsde sgd'.
type sgdFlags struct {
	model                     string
	set                       []string
	lr                        float64
	batch                     int
	withoutReplacement, indep bool
	momentum                  float64
	n, steps, burnIn          int
	x0                        string
	seed                      uint64
	workers, record, every    int
	bound                     float64
	out                       string
	plotFlags
}

// finiteSumRun is the validated input of a finite-sum run.
type finiteSumRun struct {
	name   string
	params map[string]float64
	prob   *sde.SGDProblem
	x0Echo any     // "init", "zeros" or the coordinates
	temp   float64 // the matching SDE's T (0 for full-batch GD without replacement)
}

// finiteSumInputs are the inputs a finite-sum run echoes in summary.json;
// 'sgdsde observe' reads them back to rebuild the run and its null.
type finiteSumInputs struct {
	Command            string             `json:"command"`
	Model              string             `json:"model"`
	Params             map[string]float64 `json:"params"`
	FiniteSum          bool               `json:"finite_sum"`
	Dim                int                `json:"dim"`
	SampleCount        int                `json:"samples"`
	LR                 float64            `json:"lr"`
	Batch              int                `json:"batch"`
	WithoutReplacement bool               `json:"without_replacement"`
	IndependentBatches bool               `json:"independent_batches"`
	Momentum           float64            `json:"momentum"`
	Temperature        float64            `json:"temperature"`
	Dt                 float64            `json:"dt"`
	Noise              string             `json:"noise,omitempty"`
	// NoiseScale is the constant c of the isotropic null ('simulate --noise
	// isotropic'): noise sqrt(2 T c) dW; NoiseScaleFrom says how c was set.
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

// finiteSumSummary is summary.json of 'sgdsde sgd' and of 'sgdsde simulate
// --model': the inputs, then the results.
type finiteSumSummary struct {
	Version string `json:"version"`
	Formula string `json:"formula"`
	finiteSumInputs
	Workers int `json:"workers_requested"`

	Mean            []float64   `json:"mean"`
	MeanStderr      []float64   `json:"mean_stderr"`
	Cov             [][]float64 `json:"cov,omitempty"`
	Diverged        int         `json:"diverged"`
	SamplesAveraged int64       `json:"samples_averaged"`
	RecordLen       int         `json:"record_len"`
	WorkersUsed     int         `json:"workers"`
	ElapsedSeconds  float64     `json:"elapsed_seconds"`
	StepsPerSecond  float64     `json:"steps_per_second"`
	Files           []string    `json:"files"`
}

// newSGDCmd builds 'sgdsde sgd'.
func newSGDCmd(a *app) *cobra.Command {
	var f sgdFlags
	cmd := &cobra.Command{
		Use:   "sgd",
		Short: "Mini-batch SGD on a finite-sum model (linreg, logreg, mlp): many independent chains",
		Long: `Run n independent chains of mini-batch SGD with learning rate eta, batch size b and heavy-ball
momentum beta on a finite-sum model f = (1/N) sum_k f_k:
  v <- beta v - eta g_B(x),  x <- x + v   (beta = 0: x <- x - eta g_B(x)).
Batches are drawn with replacement, or without (shuffled epochs, drop-last; --independent-batches: a fresh
set of b distinct samples every step). After the burn-in, the mean (and the covariance when d <= 64) is
averaged over the steps. The matching SDE is 'sgdsde simulate --model NAME' with the same flags, dt = eta and
T = eta/(2b) with replacement, T = eta (N - b)/(2 b (N - 1)) with --without-replacement --independent-batches
(the mean of b distinct samples has covariance D (N - b)/(b (N - 1))). Shuffled epochs have no matching SDE:
the batches of an epoch are anti-correlated and their noise cancels over the epoch (validation case 17).
--x0 init starts from the model's random initialisation (mlp; seeded by the model's seed parameter), zeros
from the origin (the default for linreg and logreg), or give the coordinates x1,x2,...
Writes into --out: summary.json, final.npy (n, d) and traj.npy (record, steps/every, d).
The same --seed gives bit-identical output for any --workers.`,
		Example: `  sgdsde sgd
  sgdsde sgd --model linreg --lr 0.2 --batch 10 --n 200 --out out/sgd-linreg
  sgdsde sgd --model mlp --set hidden=50 --lr 0.05 --batch 32 --momentum 0.9 --record 2
  sgdsde sgd --model logreg --set d=5 --without-replacement --independent-batches`,
		Args: noArgs,
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&f.model, "model", defaultSGDModel, "finite-sum model `name`: linreg, logreg or mlp ('sgdsde landscapes' lists them with their parameters)")
	fs.StringSliceVar(&f.set, "set", nil, "model parameter `name=value`; repeatable or comma-separated, e.g. --set hidden=50,n=500")
	fs.Float64Var(&f.lr, "lr", defaultSGDLR, "learning rate `eta` (the SDE's dt)")
	fs.IntVar(&f.batch, "batch", defaultSGDBatch, "mini-batch size `b` (1 to N samples)")
	fs.BoolVar(&f.withoutReplacement, "without-replacement", false, "sample batches without replacement: shuffled epochs (drop-last), or independent batches with --independent-batches; only the latter is described by the SDE, at T = eta (N - b)/(2 b (N - 1))")
	fs.BoolVar(&f.indep, "independent-batches", false, "with --without-replacement: draw each batch afresh as b distinct samples instead of walking shuffled epochs (the sampling that the SDE at T = eta (N - b)/(2 b (N - 1)) describes)")
	fs.Float64Var(&f.momentum, "momentum", 0, "heavy-ball momentum `beta` in [0, 1)")
	addFiniteSumRunFlags(cmd, &f.n, &f.steps, &f.burnIn, &f.x0, &f.seed, &f.workers, &f.record, &f.every, &f.bound)
	addOutFlag(fs, &f.out, defaultSGDOut)
	addPlotFlags(fs, &f.plotFlags)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := f.plotFlags.validate(cmd.Flags()); err != nil {
			return err
		}
		if err := runSGD(cmd, a, &f); err != nil {
			return err
		}
		// The chains' first two coordinates and final states, as for simulate.
		return f.plotFlags.draw(a, "simulate", f.out)
	}
	return cmd
}

// addFiniteSumRunFlags registers the chain flags of 'sgdsde sgd'.
func addFiniteSumRunFlags(cmd *cobra.Command, n, steps, burnIn *int, x0 *string, seed *uint64, workers, record, every *int, bound *float64) {
	fs := cmd.Flags()
	fs.IntVar(n, "n", defaultSGDN, "`number` of independent chains")
	fs.IntVar(steps, "steps", defaultSGDSteps, "recorded `steps` per chain after the burn-in")
	fs.IntVar(burnIn, "burn-in", defaultSGDBurnIn, "`steps` discarded before recording")
	fs.StringVar(x0, "x0", "init", "initial state: init (the model's random initialisation for mlp, zeros otherwise), zeros, or `x1,x2,...`")
	fs.Uint64Var(seed, "seed", 1, "random `seed`; the same seed gives bit-identical results for any --workers")
	fs.IntVar(workers, "workers", 0, "`number` of parallel workers (0 = all CPU cores)")
	fs.IntVar(record, "record", defaultSGDRecord, "`number` of chains (the first ones) saved to traj.npy; 0 writes no traj.npy; lowered to --n when --n is smaller")
	fs.IntVar(every, "every", defaultSGDEvery, "save a recorded chain's state every this many `steps` (traj.npy has steps/every states)")
	fs.Float64Var(bound, "bound", defaultSimBound, "divergence `bound`: a chain with a coordinate beyond ±bound, or not finite, is counted as diverged and left out")
}

// checkRunFlags checks the chain flags, lowering an unset --record to --n.
func checkRunFlags(n, steps, burnIn, workers int, record *int, recordChanged bool, every int, bound float64) error {
	switch {
	case n < 1:
		return usageErrorf("--n must be at least 1, got %d", n)
	case steps < 1:
		return usageErrorf("--steps must be at least 1, got %d", steps)
	case burnIn < 0:
		return usageErrorf("--burn-in must be non-negative, got %d", burnIn)
	case burnIn > math.MaxInt-steps:
		return usageErrorf("--steps %d plus --burn-in %d overflow an integer: lower them", steps, burnIn)
	case workers < 0:
		return usageErrorf("--workers must be non-negative (0 = all cores), got %d", workers)
	case !(bound > 0):
		return usageErrorf("--bound must be positive, got %g", bound)
	case every < 1:
		return usageErrorf("--every must be at least 1, got %d", every)
	case *record < 0:
		return usageErrorf("--record must be non-negative, got %d", *record)
	}
	if !recordChanged && *record > n {
		*record = n
	}
	if *record > n {
		return usageErrorf("--record %d exceeds --n %d: at most n chains can be saved", *record, n)
	}
	if *record > 0 && every > steps {
		return usageErrorf("--every %d exceeds --steps %d: no state would be saved; lower --every or set --record 0", every, steps)
	}
	return nil
}

// buildFiniteSum builds the named finite-sum model with the --set values
// and returns it with every parameter value. Before building, it refuses a
// model whose data and the chains of run (batch size batch, steps recorded
// steps) cannot be allocated or do not fit in the available memory. Errors
// are bad-input errors.
func buildFiniteSum(name string, set []string, run *sde.SGDRun, batch, steps int) (potentials.FiniteSum, map[string]float64, string, error) {
	params, err := parseSet(set)
	if err != nil {
		return nil, nil, "", err
	}
	if err := checkFiniteSumMemory(name, params, run, batch, steps); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			return nil, nil, "", err
		}
		return nil, nil, "", usageErrorf("--model: %v", err)
	}
	m, err := potentials.NewFiniteSum(name, params)
	if err != nil {
		return nil, nil, "", usageErrorf("--model: %v", err)
	}
	spec, _ := potentials.LookupFiniteSum(name)
	all := make(map[string]float64, len(spec.Params))
	for _, p := range spec.Params {
		all[p.Name] = p.Default
	}
	for k, v := range params {
		all[k] = v
	}
	return m, all, spec.Formula, nil
}

// checkFiniteSumMemory refuses, before anything is allocated, the named
// finite-sum model with parameters params whose data, initial state and
// (run not nil) chains of run, with batch size batch and steps recorded
// steps, cannot be allocated at all or do not fit in the available memory.
// Unknown models and invalid parameters give the error of
// potentials.NewFiniteSum, for the caller to turn into a bad-input error;
// the other errors are bad-input errors.
func checkFiniteSumMemory(name string, params map[string]float64, run *sde.SGDRun, batch, steps int) error {
	hint := "the run's model does not fit in this machine's memory"
	if run != nil {
		hint = "lower --n, --record or the model's sizes (--set)"
	}
	size, err := potentials.SizeOfFiniteSum(name, params)
	if err != nil {
		if errors.Is(err, potentials.ErrTooLarge) {
			return sizeError(err, hint)
		}
		return err
	}
	what := fmt.Sprintf("model %s (d = %d, N = %d samples)", name, size.Dim, size.Samples)
	need := float64(size.Bytes) + 8*float64(size.Dim) // the data and x0
	if run != nil {
		chains, err := run.MemoryEstimate(size.Dim, size.Samples, batch, steps)
		if err != nil {
			return sizeError(err, hint)
		}
		need += float64(chains)
		what += fmt.Sprintf(" with %d chains", run.N)
		if run.Record > 0 {
			what += fmt.Sprintf(" saving %d x %d states", run.Record, steps/max(run.Every, 1))
		}
	}
	return checkMemory(need, what, hint)
}

// finiteSumX0 parses --x0 for a finite-sum model: "init" (the model's Init,
// seeded by its seed parameter, if it has one; otherwise zeros), "zeros",
// or d comma-separated numbers. It returns x0 and its echo for the summary.
func finiteSumX0(s string, m potentials.FiniteSum, params map[string]float64) ([]float64, any, error) {
	d := m.Dim()
	x := make([]float64, d)
	switch strings.TrimSpace(s) {
	case "", "init":
		if in, ok := m.(interface{ Init([]float64, uint64) }); ok {
			in.Init(x, uint64(params["seed"]))
		}
		return x, "init", nil
	case "zeros":
		return x, "zeros", nil
	}
	if strings.Count(s, ",")+1 != d {
		return nil, nil, usageErrorf("--x0 %q: want init, zeros or %d comma-separated numbers (the model has d = %d)", abbreviate(s), d, d)
	}
	x, err := parsePoint("x0", s, d)
	if err != nil {
		return nil, nil, err
	}
	return x, x, nil
}

// abbreviate shortens a long flag value for an error message.
func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// finiteSumProblem builds and validates the SGD problem whose chains run
// will integrate, after checking that they fit in memory (see
// buildFiniteSum). Errors are bad-input errors.
func finiteSumProblem(run *sde.SGDRun, name string, set []string, lr float64, batch int, without, indep bool, momentum float64, x0 string, steps, burnIn int) (*finiteSumRun, error) {
	m, params, _, err := buildFiniteSum(name, set, run, batch, steps)
	if err != nil {
		return nil, err
	}
	switch {
	case !(lr > 0) || math.IsInf(lr, 0):
		return nil, usageErrorf("--lr must be positive and finite, got %g", lr)
	case batch < 1 || batch > m.Samples():
		return nil, usageErrorf("--batch %d: want 1 to the model's %d samples (set n with --set n=...)", batch, m.Samples())
	case !(momentum >= 0 && momentum < 1):
		return nil, usageErrorf("--momentum must be in [0, 1), got %g", momentum)
	case indep && !without:
		return nil, usageErrorf("--independent-batches needs --without-replacement")
	}
	x, echo, err := finiteSumX0(x0, m, params)
	if err != nil {
		return nil, err
	}
	p := &sde.SGDProblem{Model: m, LR: lr, Batch: batch, WithoutReplacement: without, IndependentBatches: indep,
		Momentum: momentum, X0: x, Steps: steps, BurnIn: burnIn}
	if err := p.Validate(); err != nil {
		return nil, usageErrorf("%v", err)
	}
	r := &finiteSumRun{name: name, params: params, prob: p, x0Echo: echo}
	if !(without && batch == m.Samples()) {
		if r.temp, err = p.Temperature(); err != nil {
			return nil, usageErrorf("%v", err)
		}
	}
	return r, nil
}

// runSGD validates everything, runs the chains and writes the outputs.
func runSGD(cmd *cobra.Command, a *app, f *sgdFlags) error {
	if err := checkRunFlags(f.n, f.steps, f.burnIn, f.workers, &f.record, cmd.Flags().Changed("record"), f.every, f.bound); err != nil {
		return err
	}
	r := &sde.SGDRun{N: f.n, Seed: f.seed, Workers: f.workers, Record: f.record, Every: f.every, Bound: f.bound}
	fr, err := finiteSumProblem(r, f.model, f.set, f.lr, f.batch, f.withoutReplacement, f.indep, f.momentum, f.x0, f.steps, f.burnIn)
	if err != nil {
		return err
	}
	if err := checkOutDir(f.out); err != nil {
		return err
	}
	res, err := runFiniteSum(cmd.Context(), a, r, fr.prob, f.batch, "sgd", f.out, func(ctx context.Context) (*sde.Result, error) {
		return r.SGD(ctx, fr.prob)
	})
	if err != nil {
		return err
	}
	sum := fr.summary("sgd", r, res)
	return finishFiniteSum(a, f.out, res, sum)
}

// summary fills the summary of a finished run.
func (fr *finiteSumRun) summary(command string, r *sde.SGDRun, res *sde.Result) *finiteSumSummary {
	p := fr.prob
	spec, _ := potentials.LookupFiniteSum(fr.name)
	x0, _ := json.Marshal(fr.x0Echo) // a string or a list of floats
	s := &finiteSumSummary{
		Version: version, Formula: spec.Formula,
		finiteSumInputs: finiteSumInputs{
			Command: command, Model: fr.name, Params: fr.params,
			FiniteSum: true, Dim: p.Model.Dim(), SampleCount: p.Model.Samples(),
			LR: p.LR, Batch: p.Batch, WithoutReplacement: p.WithoutReplacement, IndependentBatches: p.IndependentBatches,
			Momentum: p.Momentum, Temperature: fr.temp, Dt: p.LR,
			N: r.N, Steps: p.Steps, BurnIn: p.BurnIn, Every: r.Every, Record: r.Record, Seed: r.Seed, X0: x0,
			Bound: r.Bound,
		},
		Workers: r.Workers,
		Mean:    res.Mean, MeanStderr: res.MeanStderr, Diverged: res.Diverged, SamplesAveraged: res.Samples,
		RecordLen: res.RecordLen, WorkersUsed: res.Workers, ElapsedSeconds: res.Elapsed.Seconds(),
		StepsPerSecond: res.StepsPerSecond,
	}
	if res.Cov != nil {
		s.Cov = rows(res.Cov, res.Dim)
	}
	return s
}

// runFiniteSum runs one finite-sum run with a progress bar on a terminal
// (gradsPerStep sizes the work); its errors are run failures of command.
func runFiniteSum(ctx context.Context, a *app, r *sde.SGDRun, p *sde.SGDProblem, gradsPerStep int, command, out string, do func(context.Context) (*sde.Result, error)) (*sde.Result, error) {
	total := workTotal(r.N, p.Steps+p.BurnIn)
	var bar *progress
	if float64(total)*float64(gradsPerStep)*float64(p.Model.Dim()) > progressMinWork && a.stderrIsTerminal() {
		bar = newProgress(a.stderr, total, command)
		r.Progress = bar.add
	}
	res, err := do(ctx)
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, failureErrorf("%s interrupted (%v); nothing was written to %s", command, err, out)
		}
		msg := err.Error()
		if strings.Contains(msg, "diverged") {
			msg = strings.TrimSuffix(msg, ": try a smaller learning rate") + ": try a smaller --lr"
		}
		return nil, failureErrorf("%s: %s", command, msg)
	}
	if res.Diverged > 0 {
		a.warnf("%d of %d chains diverged (beyond --bound %g or not finite) and were left out of the statistics; a smaller --lr may help",
			res.Diverged, res.N, r.Bound)
	}
	return res, nil
}

// finishFiniteSum writes final.npy, traj.npy (when chains were recorded;
// a stale one is removed) and, last, summary.json into dir, each
// atomically, then prints the human summary.
func finishFiniteSum(a *app, dir string, res *sde.Result, sum *finiteSumSummary) error {
	files, err := writeEnsemble(dir, res)
	if err != nil {
		return err
	}
	sum.Files = files
	if err := output.WriteJSON(filepath.Join(dir, "summary.json"), sum); err != nil {
		return failureErrorf("%v", err)
	}
	w := a.stdout
	what := fmt.Sprintf("SGD, lr %g, batch %d", sum.LR, sum.Batch)
	if sum.Command == "simulate" {
		what = fmt.Sprintf("SDE (%s noise), T = %.6g, dt = lr = %g, batch %d", sum.Noise, sum.Temperature, sum.LR, sum.Batch)
	}
	if sum.WithoutReplacement {
		what += " without replacement"
		if sum.IndependentBatches {
			what += " (independent batches)"
		}
	}
	if sum.Momentum > 0 && sum.Command == "sgd" {
		what += fmt.Sprintf(", momentum %g", sum.Momentum)
	}
	fmt.Fprintf(w, "model             %s (d = %d, N = %d samples)\n", sum.Model, sum.Dim, sum.SampleCount)
	switch {
	case sum.Command == "sgd" && sum.WithoutReplacement && !sum.IndependentBatches:
		// Shuffled epochs: no SDE describes them (validation case 17).
		fmt.Fprintf(w, "run               %s (shuffled epochs)\n", what)
		fmt.Fprintf(w, "SDE temperature   none for shuffled epochs: T = lr (N - b)/(2 b (N - 1)) = %.6g describes independent batches (--independent-batches), not these epochs, whose batch noise cancels over an epoch\n", sum.Temperature)
	case sum.Command == "sgd":
		fmt.Fprintf(w, "run               %s; matching SDE temperature T = %.6g\n", what, sum.Temperature)
	default:
		fmt.Fprintf(w, "run               %s\n", what)
	}
	if sum.Command == "simulate" && sum.Noise == sde.NoiseIsotropic.String() {
		fmt.Fprintf(w, "null              constant isotropic noise sqrt(2 T c) xi, c = %.6g (%s): in detailed balance, stationary law exp(-f/(T c))/Z (continuous time)\n",
			sum.NoiseScale, sum.NoiseScaleFrom)
	}
	fmt.Fprintf(w, "chains            %d x %d steps (+%d burn-in), x0 %s, seed %d\n", sum.N, sum.Steps, sum.BurnIn, x0Text(sum.X0), sum.Seed)
	if sum.Dim <= 8 {
		fmt.Fprintf(w, "mean              %s ± %s\n", vec(sum.Mean), vec(sum.MeanStderr))
	} else {
		n2 := 0.0
		for _, v := range sum.Mean {
			n2 += v * v
		}
		fmt.Fprintf(w, "mean              |mean| = %.4g (d = %d; see summary.json)\n", math.Sqrt(n2), sum.Dim)
	}
	fmt.Fprintf(w, "diverged          %d of %d\n", sum.Diverged, sum.N)
	fmt.Fprintf(w, "throughput        %.4g chain-steps/s (%.3g s, %d workers)\n", sum.StepsPerSecond, sum.ElapsedSeconds, sum.WorkersUsed)
	fmt.Fprintf(w, "output            %s (%s)\n", dir, strings.Join(sum.Files, ", "))
	return nil
}

// x0Text formats the x0 echo for the human summary.
func x0Text(raw json.RawMessage) string {
	var v []float64
	if err := json.Unmarshal(raw, &v); err == nil {
		if len(v) > 8 {
			return "(" + strconv.Itoa(len(v)) + " coordinates)"
		}
		return vec(v)
	}
	var name string
	if err := json.Unmarshal(raw, &name); err == nil {
		return name
	}
	return string(raw)
}

// runSimulateFiniteSum is 'sgdsde simulate --model NAME': the SDE of the
// SGD that 'sgdsde sgd' runs with the same flags.
func runSimulateFiniteSum(cmd *cobra.Command, a *app, in *inputFlags, sf *simulateFlags) error {
	fl := cmd.Flags()
	for _, c := range []struct{ flag, why string }{
		{"temperature", "T = lr/(2 batch) comes from --lr and --batch"},
		{"dt", "the time step is dt = --lr"},
		{"samples", "the number of samples is the model's (--set n=...)"},
		{"landscape", "give either --model or --landscape"},
		{"loss", "give either --model or formulas"},
		{"drift", "give either --model or formulas"},
		{"diffusion", "the diffusion of a finite-sum model is its gradient covariance"},
		{"dim", "the dimension of a finite-sum model is set by its parameters"},
		{"drift-kind", "the drift of a finite-sum model is -grad f"},
	} {
		if fl.Changed(c.flag) {
			return usageErrorf("--%s conflicts with --model: %s", c.flag, c.why)
		}
	}
	var noise sde.Noise
	switch sf.noise {
	case "exact":
		noise = sde.NoiseExact
	case "isotropic":
		noise = sde.NoiseIsotropic
	default:
		return usageErrorf("--noise %q: want exact or isotropic", sf.noise)
	}
	if fl.Changed("noise-scale") {
		switch {
		case noise != sde.NoiseIsotropic:
			return usageErrorf("--noise-scale applies only with --noise isotropic")
		case !(sf.noiseScale >= 0) || math.IsInf(sf.noiseScale, 0):
			return usageErrorf("--noise-scale must be finite and non-negative (0 = tr D(x0)/d), got %g", sf.noiseScale)
		}
	}
	lr, batch := defaultSGDLR, defaultSGDBatch
	if fl.Changed("lr") {
		lr = in.temp.lr
	}
	if fl.Changed("batch") {
		batch = in.temp.batch
	}
	for _, d := range []struct {
		flag string
		v    *int
		def  int
	}{
		{"n", &sf.n, defaultSGDN}, {"steps", &sf.steps, defaultSGDSteps}, {"burn-in", &sf.burnIn, defaultSGDBurnIn},
		{"record", &sf.record, defaultSGDRecord}, {"every", &sf.every, defaultSGDEvery},
	} {
		if !fl.Changed(d.flag) {
			*d.v = d.def
		}
	}
	if err := checkRunFlags(sf.n, sf.steps, sf.burnIn, sf.workers, &sf.record, fl.Changed("record"), sf.every, sf.bound); err != nil {
		return err
	}
	r := &sde.SGDRun{N: sf.n, Seed: sf.seed, Workers: sf.workers, Record: sf.record, Every: sf.every, Bound: sf.bound}
	fr, err := finiteSumProblem(r, sf.model, in.model.set, lr, batch, in.temp.withoutReplacement, false, 0, sf.x0, sf.steps, sf.burnIn)
	if err != nil {
		return err
	}
	if fr.temp == 0 {
		return usageErrorf("--batch %d equals the %d samples without replacement: T = 0 (gradient descent has no noise); lower --batch", batch, fr.prob.Model.Samples())
	}
	var scale float64
	scaleFrom := ""
	if noise == sde.NoiseIsotropic {
		fr.prob.NoiseScale = sf.noiseScale
		if scale, err = fr.prob.IsotropicScale(); err != nil {
			return usageErrorf("%v; give a positive --noise-scale", err)
		}
		scaleFrom = "--noise-scale"
		if sf.noiseScale == 0 {
			scaleFrom = "tr D(x0)/d at the initial state"
		}
	}
	if err := checkOutDir(sf.out); err != nil {
		return err
	}
	res, err := runFiniteSum(cmd.Context(), a, r, fr.prob, fr.prob.Model.Samples(), "simulate", sf.out, func(ctx context.Context) (*sde.Result, error) {
		return r.SDE(ctx, fr.prob, noise)
	})
	if err != nil {
		return err
	}
	sum := fr.summary("simulate", r, res)
	sum.Noise = sf.noise
	sum.NoiseScale, sum.NoiseScaleFrom = scale, scaleFrom
	return finishFiniteSum(a, sf.out, res, sum)
}
