package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/internal/output"
	"github.com/sgdsde/sgdsde/sde"
)

// simulateFlags are the run flags of 'sgdsde simulate'.
type simulateFlags struct {
	ensembleFlags
	record, every int
	out           string
	// model selects a finite-sum model (the SDE of SGD on it); noise is
	// "exact" or "isotropic"; noiseScale is the constant c of the isotropic
	// null (0: tr D(x0)/d).
	model, noise string
	noiseScale   float64
	plotFlags
}

// Defaults of 'sgdsde simulate'.
const (
	defaultSimN      = 10000
	defaultSimSteps  = 10000
	defaultSimDt     = 1e-3
	defaultSimBurnIn = 2000
	defaultSimRecord = 10
	defaultSimEvery  = 10
	defaultSimBound  = 1e8
	defaultSimOut    = "out/simulate"
)

// simulateSummary is summary.json of 'sgdsde simulate': the inputs, then
// the results under the names listed in the README.
type simulateSummary struct {
	Command string `json:"command"`
	Version string `json:"version"`
	modelInfo
	temperatureInfo
	N       int       `json:"n"`
	Steps   int       `json:"steps"`
	BurnIn  int       `json:"burn_in"`
	Dt      float64   `json:"dt"`
	X0      []float64 `json:"x0"`
	Seed    uint64    `json:"seed"`
	Workers int       `json:"workers_requested"`
	Record  int       `json:"record"`
	Every   int       `json:"every"`
	Bound   float64   `json:"bound"`

	Mean                  []float64   `json:"mean"`
	MeanStderr            []float64   `json:"mean_stderr"`
	Cov                   [][]float64 `json:"cov"`
	AngularMomentum       *float64    `json:"angular_momentum,omitempty"`
	AngularMomentumStderr *float64    `json:"angular_momentum_stderr,omitempty"`
	Diverged              int         `json:"diverged"`
	Samples               int64       `json:"samples"`
	RecordLen             int         `json:"record_len"`
	WorkersUsed           int         `json:"workers"`
	ElapsedSeconds        float64     `json:"elapsed_seconds"`
	StepsPerSecond        float64     `json:"steps_per_second"`
	Files                 []string    `json:"files"`
}

// newSimulateCmd builds 'sgdsde simulate'.
func newSimulateCmd(a *app) *cobra.Command {
	var sf simulateFlags
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Euler–Maruyama ensemble of the SGD SDE: moments, angular momentum, final states, trajectories",
		Long: `Integrate n independent trajectories of dX = b(X) dt + sqrt(2 T D(X)) dW with Euler–Maruyama,
discard the burn-in, and average over the recorded steps: mean, covariance and the angular momentum
L (the rate of x1 dx2 - x2 dx1; non-zero L means a circulating probability current, i.e. no detailed balance).
Writes into --out: summary.json (inputs and results), final.npy (n, d) and traj.npy (record, steps/every, d).
The same --seed gives bit-identical output for any --workers.`,
		Example: `  sgdsde simulate
  sgdsde simulate --landscape gyrator --temperature 0.5 --n 2000 --out out/gyrator
  sgdsde simulate --landscape gyrator --lr 0.1 --batch 10 --set d12=0.5
  sgdsde simulate --loss "x^2/2 + 2*y^2" --diffusion "1, 0.8; 0.8, 1"
  sgdsde simulate --model linreg --lr 0.2 --batch 10 --out out/sde-linreg
  sgdsde simulate --model linreg --lr 0.2 --batch 10 --noise isotropic
  sgdsde simulate --model linreg --lr 0.2 --batch 10 --noise isotropic --noise-scale 0.5`,
	}
	fs, in := addInputFlags(cmd, 0)
	addEnsembleFlags(fs, &sf.ensembleFlags, ensembleDefaults{
		n: defaultSimN, steps: defaultSimSteps, burnIn: defaultSimBurnIn, dt: defaultSimDt,
	})
	fs.IntVar(&sf.record, "record", defaultSimRecord, "`number` of trajectories (the first ones) saved to traj.npy; 0 writes no traj.npy; lowered to --n when --n is smaller")
	fs.IntVar(&sf.every, "every", defaultSimEvery, "save a recorded trajectory's state every this many `steps` (traj.npy has steps/every states)")
	fs.StringVar(&sf.model, "model", "",
		"finite-sum model `name` (linreg, logreg, mlp; parameters with --set): simulate the SDE of 'sgdsde sgd' with the same flags, T from --lr (default 0.1) and --batch (default 32), dt = lr; conflicts with --landscape, the formula flags, --temperature and --dt. --x0 takes init|zeros|x1,x2,...; unset --n, --steps, --burn-in, --record, --every take the defaults of 'sgdsde sgd'")
	fs.StringVar(&sf.noise, "noise", "exact",
		"noise of the SDE of a --model: exact (sqrt(2 T D(x)), sampled from the per-sample gradients) or isotropic (the equilibrium null: constant isotropic noise sqrt(2 T c) times white noise, c from --noise-scale, in detailed balance with stationary law exp(-f/(T c))/Z)")
	fs.Float64Var(&sf.noiseScale, "noise-scale", 0,
		"constant `c` of --noise isotropic, in the units of D, those of a squared gradient ((loss per weight)^2): the noise is sqrt(2 T c) dW at every state; 0 (default) takes c = tr D(x0)/d, the mean eigenvalue of D at the initial state, computed once before the run")
	addOutFlag(fs, &sf.out, defaultSimOut)
	addPlotFlags(fs, &sf.plotFlags)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := sf.plotFlags.validate(cmd.Flags()); err != nil {
			return err
		}
		var err error
		switch {
		case cmd.Flags().Changed("model"):
			err = runSimulateFiniteSum(cmd, a, in, &sf)
		case cmd.Flags().Changed("noise"):
			return usageErrorf("--noise applies only with --model (a finite-sum model)")
		case cmd.Flags().Changed("noise-scale"):
			return usageErrorf("--noise-scale applies only with --model and --noise isotropic")
		default:
			err = runSimulate(cmd, a, in, &sf)
		}
		if err != nil {
			return err
		}
		return sf.plotFlags.draw(a, "simulate", sf.out)
	}
	return cmd
}

// validate checks the run flags that do not depend on the model.
func (sf *simulateFlags) validate(recordChanged bool) error {
	if err := sf.ensembleFlags.validate(); err != nil {
		return err
	}
	switch {
	case sf.every < 1:
		return usageErrorf("--every must be at least 1, got %d", sf.every)
	case sf.record < 0:
		return usageErrorf("--record must be non-negative, got %d", sf.record)
	}
	if !recordChanged && sf.record > sf.n {
		sf.record = sf.n
	}
	if sf.record > sf.n {
		return usageErrorf("--record %d exceeds --n %d: at most n trajectories can be saved", sf.record, sf.n)
	}
	if sf.record > 0 && sf.every > sf.steps {
		return usageErrorf("--every %d exceeds --steps %d: no state would be saved; lower --every or set --record 0", sf.every, sf.steps)
	}
	return nil
}

// runSimulate validates everything, runs the ensemble and writes the outputs.
func runSimulate(cmd *cobra.Command, a *app, in *inputFlags, sf *simulateFlags) error {
	// Validation, before any work and before --out is touched.
	if err := sf.validate(cmd.Flags().Changed("record")); err != nil {
		return err
	}
	var prob *sde.Problem
	_, runs, err := in.resolve(sf.out, runChecks{run: func(r *modelRun) (err error) {
		if prob, err = sf.problem(r.model, r.tinfo.Temperature); err != nil {
			return err
		}
		return sf.checkMemory(r.model.Dim, sf.record, sf.every, 0, "")
	}})
	if err != nil {
		return err
	}
	r := runs[0]

	res, err := sf.run(cmd.Context(), a, prob, sf.record, sf.every, "simulate", sf.out)
	if err != nil {
		return err
	}
	if res.Diverged > 0 {
		a.warnf("%d of %d trajectories diverged (beyond --bound %g or not finite) and were left out of the statistics; a smaller --dt may help",
			res.Diverged, res.N, sf.bound)
	}

	sum := simulateSummary{
		Command:         "simulate",
		Version:         version,
		modelInfo:       r.minfo,
		temperatureInfo: r.tinfo,
		N:               sf.n,
		Steps:           sf.steps,
		BurnIn:          sf.burnIn,
		Dt:              sf.dt,
		X0:              prob.X0,
		Seed:            sf.seed,
		Workers:         sf.workers,
		Record:          sf.record,
		Every:           sf.every,
		Bound:           sf.bound,
		Mean:            res.Mean,
		MeanStderr:      res.MeanStderr,
		Cov:             rows(res.Cov, res.Dim),
		Diverged:        res.Diverged,
		Samples:         res.Samples,
		RecordLen:       res.RecordLen,
		WorkersUsed:     res.Workers,
		ElapsedSeconds:  res.Elapsed.Seconds(),
		StepsPerSecond:  res.StepsPerSecond,
	}
	if res.Dim == 2 {
		L, Lse := res.AngularMomentum, res.AngularMomentumStderr
		sum.AngularMomentum, sum.AngularMomentumStderr = &L, &Lse
	}
	if err := writeSimulate(sf.out, res, &sum); err != nil {
		return err
	}
	printSimulate(a, &sum, res.Elapsed, sf.out)
	return nil
}

// writeSimulate writes the ensemble's files and, last, summary.json into
// dir, each atomically.
func writeSimulate(dir string, res *sde.Result, sum *simulateSummary) error {
	files, err := writeEnsemble(dir, res)
	if err != nil {
		return err
	}
	sum.Files = files
	if err := output.WriteJSON(filepath.Join(dir, "summary.json"), sum); err != nil {
		return failureErrorf("%v", err)
	}
	return nil
}

// writeEnsemble writes final.npy (n, d) and traj.npy (record, steps/every,
// d) when trajectories were recorded into dir, each atomically, and returns
// the file names with summary.json, which the caller writes last. A
// traj.npy left in dir by an earlier run without recorded trajectories is
// removed so that the directory describes one run.
func writeEnsemble(dir string, res *sde.Result) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, failureErrorf("cannot create --out directory: %v", err)
	}
	files := []string{"summary.json", "final.npy"}
	if err := output.WriteNPY(filepath.Join(dir, "final.npy"), res.Final, res.N, res.Dim); err != nil {
		return nil, failureErrorf("%v", err)
	}
	trajPath := filepath.Join(dir, "traj.npy")
	if res.Record > 0 && res.RecordLen > 0 {
		if err := output.WriteNPY(trajPath, res.Traj, res.Record, res.RecordLen, res.Dim); err != nil {
			return nil, failureErrorf("%v", err)
		}
		files = append(files, "traj.npy")
	} else if err := os.Remove(trajPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, failureErrorf("remove stale %s: %v", trajPath, err)
	}
	return files, nil
}

// rows splits the row-major d x d matrix m into rows for JSON.
func rows(m []float64, d int) [][]float64 {
	out := make([][]float64, d)
	for i := range out {
		out[i] = m[i*d : (i+1)*d]
	}
	return out
}

// printSimulate writes the human summary of a run to stdout.
func printSimulate(a *app, s *simulateSummary, elapsed time.Duration, dir string) {
	w := a.stdout
	tsrc := s.From
	if s.SGD != nil {
		tsrc = fmt.Sprintf("lr %g, batch %d", s.SGD.LR, s.SGD.Batch)
		if s.SGD.WithoutReplacement {
			tsrc += fmt.Sprintf(", %d samples without replacement", s.SGD.Samples)
		}
	}
	fmt.Fprintf(w, "model             %s (%d-D), drift %s, T = %.6g (%s)\n", s.Name, s.Dim, s.DriftKind, s.Temperature, tsrc)
	fmt.Fprintf(w, "ensemble          %d trajectories x %d steps (+%d burn-in), dt = %g, x0 = %s, seed %d\n",
		s.N, s.Steps, s.BurnIn, s.Dt, vec(s.X0), s.Seed)
	fmt.Fprintf(w, "mean              %s ± %s\n", vec(s.Mean), vec(s.MeanStderr))
	covRows := make([]string, len(s.Cov))
	for i, r := range s.Cov {
		covRows[i] = vec(r)
	}
	fmt.Fprintf(w, "cov               %s\n", strings.Join(covRows, ", "))
	if s.AngularMomentum != nil {
		fmt.Fprintf(w, "angular momentum  %.4g ± %.2g\n", *s.AngularMomentum, *s.AngularMomentumStderr)
	}
	fmt.Fprintf(w, "diverged          %d of %d\n", s.Diverged, s.N)
	fmt.Fprintf(w, "throughput        %.3g million trajectory-steps/s (%.3g s, %d workers)\n",
		s.StepsPerSecond/1e6, elapsed.Seconds(), s.WorkersUsed)
	fmt.Fprintf(w, "output            %s (%s)\n", dir, strings.Join(s.Files, ", "))
}

// vec formats a vector as (a, b, ...) with 4 significant digits.
func vec(x []float64) string {
	parts := make([]string, len(x))
	for i, v := range x {
		parts[i] = fmt.Sprintf("%.4g", v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
