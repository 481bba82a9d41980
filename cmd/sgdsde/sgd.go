package main

// 'sgdsde sgd' runs mini-batch SGD on a finite-sum model; 'sgdsde simulate
// --model NAME' runs the SDE that approximates it (experiment.SGD and
// experiment.Simulate). Both write the same summary keys.

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// Defaults of 'sgdsde sgd' and of 'sgdsde simulate --model'.
const (
	defaultSGDModel  = experiment.DefaultFiniteSum
	defaultSGDLR     = experiment.DefaultSGDLR
	defaultSGDBatch  = experiment.DefaultSGDBatch
	defaultSGDN      = experiment.DefaultSGDN
	defaultSGDSteps  = experiment.DefaultSGDSteps
	defaultSGDBurnIn = experiment.DefaultSGDBurnIn
	defaultSGDRecord = experiment.DefaultSGDRecord
	defaultSGDEvery  = experiment.DefaultSGDEvery
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
	dataDir                   string
	out                       string
	plotFlags
}

// newSGDCmd builds 'sgdsde sgd'.
func newSGDCmd(a *app) *cobra.Command {
	var f sgdFlags
	cmd := &cobra.Command{
		Use:   "sgd",
		Short: "Mini-batch SGD on a finite-sum model (" + finiteSumNames() + "): many independent chains",
		Long: `Run n independent chains of mini-batch SGD with learning rate eta, batch size b and heavy-ball
momentum beta on a finite-sum model f = (1/N) sum_k f_k:
  v <- beta v - eta g_B(x),  x <- x + v   (beta = 0: x <- x - eta g_B(x)).
Batches are drawn with replacement, or without (shuffled epochs, drop-last; --independent-batches: a fresh
set of b distinct samples every step). After the burn-in, the mean (and the covariance when d <= 64) is
averaged over the steps. The matching SDE is 'sgdsde simulate --model NAME' with the same flags, dt = eta and
T = eta/(2b) with replacement, T = eta (N - b)/(2 b (N - 1)) with --without-replacement --independent-batches
(the mean of b distinct samples has covariance D (N - b)/(b (N - 1))). Shuffled epochs have no matching SDE:
the batches of an epoch are anti-correlated and their noise cancels over the epoch (validation case 17).
--x0 init starts from the model's random initialisation (mlp, fashion-mlp; seeded by the model's seed
parameter), zeros from the origin (the default for linreg and logreg), or give the coordinates x1,x2,...
fashion-mlp trains a tanh network on the first n Fashion-MNIST images, read from --data-dir (Debian's
package dataset-fashion-mnist; nothing is downloaded); its unset --n, --steps, --burn-in, --record and
--every default to 4, 1000, 1500, 1 and 5, and summary.json also holds the train and test accuracy and
loss of the final states (mean over the chains, with standard errors).
Writes into --out: summary.json, final.npy (n, d) and traj.npy (record, steps/every, d).
The same --seed gives bit-identical output for any --workers.`,
		Example: `  sgdsde sgd
  sgdsde sgd --model linreg --lr 0.2 --batch 10 --n 200 --out out/sgd-linreg
  sgdsde sgd --model mlp --set hidden=50 --lr 0.05 --batch 32 --momentum 0.9 --record 2
  sgdsde sgd --model logreg --set d=5 --without-replacement --independent-batches
  sgdsde sgd --model fashion-mlp --out out/fashion`,
		Args: noArgs,
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&f.model, "model", defaultSGDModel, "finite-sum model `name`: "+finiteSumNames()+" ('sgdsde landscapes' lists them with their parameters)")
	fs.StringSliceVar(&f.set, "set", nil, "model parameter `name=value`; repeatable or comma-separated, e.g. --set hidden=50,n=500")
	fs.Float64Var(&f.lr, "lr", defaultSGDLR, "learning rate `eta` (the SDE's dt)")
	fs.IntVar(&f.batch, "batch", defaultSGDBatch, "mini-batch size `b` (1 to N samples)")
	fs.BoolVar(&f.withoutReplacement, "without-replacement", false, "sample batches without replacement: shuffled epochs (drop-last), or independent batches with --independent-batches; only the latter is described by the SDE, at T = eta (N - b)/(2 b (N - 1))")
	fs.BoolVar(&f.indep, "independent-batches", false, "with --without-replacement: draw each batch afresh as b distinct samples instead of walking shuffled epochs (the sampling that the SDE at T = eta (N - b)/(2 b (N - 1)) describes)")
	fs.Float64Var(&f.momentum, "momentum", 0, "heavy-ball momentum `beta` in [0, 1)")
	addFiniteSumRunFlags(cmd, &f.n, &f.steps, &f.burnIn, &f.x0, &f.seed, &f.workers, &f.record, &f.every, &f.bound)
	addDataDirFlag(fs, &f.dataDir)
	addOutFlag(fs, &f.out, defaultSGDOut)
	addPlotFlags(fs, &f.plotFlags)
	sc := finiteSumCommand("sgd", func() (experiment.Study, error) { return sgdStudy(cmd, &f) })
	a.register("sgd", sc)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := f.plotFlags.validate(cmd.Flags()); err != nil {
			return err
		}
		if err := sc.run(cmd.Context(), a, f.out); err != nil {
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
	fs.StringVar(x0, "x0", "init", "initial state: init (the model's random initialisation for mlp and fashion-mlp, zeros otherwise), zeros, or `x1,x2,...`")
	fs.Uint64Var(seed, "seed", 1, "random `seed`; the same seed gives bit-identical results for any --workers")
	fs.IntVar(workers, "workers", 0, "`number` of parallel workers (0 = all CPU cores)")
	fs.IntVar(record, "record", defaultSGDRecord, "`number` of chains (the first ones) saved to traj.npy; 0 writes no traj.npy; lowered to --n when --n is smaller")
	fs.IntVar(every, "every", defaultSGDEvery, "save a recorded chain's state every this many `steps` (traj.npy has steps/every states)")
	fs.Float64Var(bound, "bound", defaultSimBound, "divergence `bound`: a chain with a coordinate beyond ±bound, or not finite, is counted as diverged and left out")
}

// finiteSumNames lists the finite-sum models, comma-separated.
func finiteSumNames() string {
	var names []string
	for _, s := range potentials.FiniteSums() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

// addDataDirFlag registers --data-dir, the directory of a finite sum's
// data files.
func addDataDirFlag(fs *pflag.FlagSet, dir *string) {
	fs.StringVar(dir, "data-dir", "", "`directory` of the data files of a model that reads them (fashion-mlp: default "+
		potentials.DefaultFashionMNISTDir+", where Debian's package "+potentials.FashionMNISTPackage+" puts them); recorded in summary.json")
}

// applyFiniteSumDefaults gives each unset chain flag of fl (--n, --steps,
// --burn-in, --record, --every) the default of model
// (experiment.DefaultFiniteSumChains).
func applyFiniteSumDefaults(fl *pflag.FlagSet, model string, n, steps, burnIn, record, every *int) {
	def := experiment.DefaultFiniteSumChains(model)
	for _, d := range []struct {
		flag string
		v    *int
		def  int
	}{
		{"n", n, def.N}, {"steps", steps, def.Steps}, {"burn-in", burnIn, def.BurnIn},
		{"record", record, def.Record}, {"every", every, def.Every},
	} {
		if !fl.Changed(d.flag) {
			*d.v = d.def
		}
	}
}

// finiteSumSpec returns the finite-sum run of the flags: the model name
// with its --set values, its data directory and the sampling; x0 is --x0
// (init, zeros or the coordinates). All errors are bad-input errors.
func finiteSumSpec(name string, set []string, dataDir string, lr float64, batch int, without, indep bool, momentum float64, x0 string) (experiment.FiniteSumSpec, error) {
	params, err := parseSet(set)
	if err != nil {
		return experiment.FiniteSumSpec{}, err
	}
	s := experiment.FiniteSumSpec{Model: name, Params: params, DataDir: dataDir, LR: lr, Batch: batch,
		WithoutReplacement: without, IndependentBatches: indep, Momentum: momentum}
	switch strings.TrimSpace(x0) {
	case "", "init":
		return s, nil
	case "zeros":
		s.ZeroStart = true
		return s, nil
	}
	size, err := potentials.SizeOfFiniteSumIn(name, params, dataDir)
	if err != nil {
		return s, nil // the plan reports the model's error
	}
	d := size.Dim
	if strings.Count(x0, ",")+1 != d {
		return s, usageErrorf("--x0 %q: want init, zeros or %d comma-separated numbers (the model has d = %d)", abbreviate(x0), d, d)
	}
	s.X0, err = parsePoint("x0", x0, d)
	return s, err
}

// abbreviate shortens a long flag value for an error message.
func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// finiteSumHint says which flags lower the memory of a finite-sum run.
const finiteSumHint = "lower --n, --record or the model's sizes (--set)"

// sgdStudy returns the SGD chains of the flags.
func sgdStudy(cmd *cobra.Command, f *sgdFlags) (experiment.Study, error) {
	n, steps, burnIn, record, every := f.n, f.steps, f.burnIn, f.record, f.every
	applyFiniteSumDefaults(cmd.Flags(), f.model, &n, &steps, &burnIn, &record, &every)
	if !cmd.Flags().Changed("record") {
		record = min(record, max(n, 0))
	}
	spec := &experiment.SGDSpec{Chains: experiment.Chains{N: n, Steps: steps, BurnIn: burnIn, Record: record,
		Every: every, Seed: f.seed, Workers: f.workers, Bound: f.bound}}
	var err error
	if spec.FiniteSum, err = finiteSumSpec(f.model, f.set, f.dataDir, f.lr, f.batch, f.withoutReplacement, f.indep, f.momentum, f.x0); err != nil {
		return nil, err
	}
	return spec, nil
}

// finiteSumCommand is the study command of a run on a finite-sum model:
// 'sgdsde sgd', and 'sgdsde simulate --model'.
func finiteSumCommand(command string, build func() (experiment.Study, error)) *studyCommand {
	return &studyCommand{
		build:     build,
		planError: func(err error) error { return ensembleErrorText(err, "chains", finiteSumHint) },
		runError: func(ctx context.Context, err error, out string) error {
			return runFailure(ctx, err, command, out)
		},
		warnings: func(res experiment.StudyResult) []string {
			sum := finiteSumSummary(res)
			if sum.Diverged == 0 {
				return nil
			}
			return []string{fmt.Sprintf("%d of %d chains diverged (beyond --bound %g or not finite) and were left out of the statistics; a smaller --lr may help",
				sum.Diverged, sum.N, sum.Bound)}
		},
	}
}

// finiteSumSummary returns the summary of the result of a finite-sum run.
func finiteSumSummary(res experiment.StudyResult) *experiment.FiniteSumSummary {
	if r, ok := res.(*experiment.SimulateResult); ok {
		return r.FiniteSum
	}
	return &res.(*experiment.FiniteSumResult).Summary
}

// simulateFiniteSumStudy is 'sgdsde simulate --model NAME': the SDE of
// the SGD that 'sgdsde sgd' runs with the same flags.
func simulateFiniteSumStudy(cmd *cobra.Command, in *inputFlags, sf *simulateFlags) (experiment.Study, error) {
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
			return nil, usageErrorf("--%s conflicts with --model: %s", c.flag, c.why)
		}
	}
	spec := &experiment.SimulateSpec{}
	var err error
	if spec.Noise, err = sde.ParseNoise(sf.noise); err != nil {
		return nil, usageErrorf("--noise %q: want exact or isotropic", sf.noise)
	}
	if fl.Changed("noise-scale") {
		if spec.Noise != sde.NoiseIsotropic {
			return nil, usageErrorf("--noise-scale applies only with --noise isotropic")
		}
		spec.NoiseScale = sf.noiseScale
	}
	lr, batch := defaultSGDLR, defaultSGDBatch
	if fl.Changed("lr") {
		lr = in.temp.lr
	}
	if fl.Changed("batch") {
		batch = in.temp.batch
	}
	c := sf.ensembleFlags
	record, every := sf.record, sf.every
	applyFiniteSumDefaults(fl, sf.model, &c.n, &c.steps, &c.burnIn, &record, &every)
	if !fl.Changed("record") {
		record = min(record, max(c.n, 0))
	}
	spec.Chains = c.chains(record, every)
	fs, err := finiteSumSpec(sf.model, in.model.set, sf.dataDir, lr, batch, in.temp.withoutReplacement, false, 0, sf.x0)
	if err != nil {
		return nil, err
	}
	spec.FiniteSum = &fs
	return spec, nil
}
