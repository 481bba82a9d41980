package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/experiment"
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
	// dataDir is the directory of the data files of a --model that reads
	// them.
	dataDir string
	plotFlags
}

// Defaults of 'sgdsde simulate'.
const (
	defaultSimN      = experiment.DefaultSimulateN
	defaultSimSteps  = experiment.DefaultSimulateSteps
	defaultSimDt     = experiment.DefaultSimulateDt
	defaultSimBurnIn = experiment.DefaultSimulateBurnIn
	defaultSimRecord = experiment.DefaultSimulateRecord
	defaultSimEvery  = experiment.DefaultSimulateEvery
	defaultSimBound  = experiment.DefaultBound
	defaultSimOut    = "out/simulate"
)

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
		"finite-sum model `name` ("+finiteSumNames()+"; parameters with --set): simulate the SDE of 'sgdsde sgd' with the same flags, T from --lr (default 0.1) and --batch (default 32), dt = lr; conflicts with --landscape, the formula flags, --temperature and --dt. --x0 takes init|zeros|x1,x2,... (init: the random initialisation of mlp and fashion-mlp, zeros otherwise); unset --n, --steps, --burn-in, --record, --every take the defaults of 'sgdsde sgd' for the model")
	fs.StringVar(&sf.noise, "noise", "exact",
		"noise of the SDE of a --model: exact (sqrt(2 T D(x)), sampled from the per-sample gradients) or isotropic (the equilibrium null: constant isotropic noise sqrt(2 T c) times white noise, c from --noise-scale, in detailed balance with stationary law exp(-f/(T c))/Z)")
	fs.Float64Var(&sf.noiseScale, "noise-scale", 0,
		"constant `c` of --noise isotropic, in the units of D, those of a squared gradient ((loss per weight)^2): the noise is sqrt(2 T c) dW at every state; 0 (default) takes c = tr D(x0)/d, the mean eigenvalue of D at the initial state, computed once before the run")
	addDataDirFlag(fs, &sf.dataDir)
	addOutFlag(fs, &sf.out, defaultSimOut)
	addPlotFlags(fs, &sf.plotFlags)
	landscape := &studyCommand{
		build: func() (experiment.Study, error) { return simulateStudy(cmd, in, &sf) },
		planError: func(err error) error {
			hint := "lower --n"
			if err != nil && sf.record > 0 {
				hint = "lower --n or --record, or raise --every"
			}
			return ensembleErrorText(err, "trajectories", hint)
		},
		runError: func(ctx context.Context, err error, out string) error {
			return runFailure(ctx, err, "simulate", out)
		},
		warnings: func(res experiment.StudyResult) []string {
			sum := res.(*experiment.SimulateResult).Summary
			if sum.Diverged == 0 {
				return nil
			}
			return []string{fmt.Sprintf("%d of %d trajectories diverged (beyond --bound %g or not finite) and were left out of the statistics; a smaller --dt may help",
				sum.Diverged, sum.N, sum.Bound)}
		},
	}
	finiteSum := finiteSumCommand("simulate", func() (experiment.Study, error) { return simulateFiniteSumStudy(cmd, in, &sf) })
	// A sweep of simulate takes the study of the flags it is given.
	a.register("simulate", &studyCommand{
		build: func() (experiment.Study, error) {
			if cmd.Flags().Changed("model") {
				return finiteSum.build()
			}
			return landscape.build()
		},
		planError: func(err error) error {
			if cmd.Flags().Changed("model") {
				return finiteSum.planError(err)
			}
			return landscape.planError(err)
		},
		runError: func(ctx context.Context, err error, out string) error {
			if cmd.Flags().Changed("model") {
				return finiteSum.runError(ctx, err, out)
			}
			return landscape.runError(ctx, err, out)
		},
		warnings: func(res experiment.StudyResult) []string {
			if res.(*experiment.SimulateResult).FiniteSum != nil {
				return finiteSum.warnings(res)
			}
			return landscape.warnings(res)
		},
	})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := sf.plotFlags.validate(cmd.Flags()); err != nil {
			return err
		}
		var err error
		switch {
		case cmd.Flags().Changed("model"):
			err = finiteSum.run(cmd.Context(), a, sf.out)
		case cmd.Flags().Changed("noise"):
			return usageErrorf("--noise applies only with --model (a finite-sum model)")
		case cmd.Flags().Changed("noise-scale"):
			return usageErrorf("--noise-scale applies only with --model and --noise isotropic")
		case cmd.Flags().Changed("data-dir"):
			return usageErrorf("--data-dir applies only with --model (a finite-sum model that reads data files)")
		default:
			err = landscape.run(cmd.Context(), a, sf.out)
		}
		if err != nil {
			return err
		}
		return sf.plotFlags.draw(a, "simulate", sf.out)
	}
	return cmd
}

// simulateStudy returns the Euler–Maruyama ensemble of the flags on a
// landscape or formulas.
func simulateStudy(cmd *cobra.Command, in *inputFlags, sf *simulateFlags) (experiment.Study, error) {
	record := sf.record
	if !cmd.Flags().Changed("record") {
		record = min(record, max(sf.n, 0))
	}
	spec := &experiment.SimulateSpec{Dt: sf.dt, Chains: sf.chains(record, sf.every)}
	if err := spec.CheckRun(); err != nil {
		return nil, ensembleErrorText(err, "trajectories", "")
	}
	tinfo, err := in.temp.resolve()
	if err != nil {
		return nil, err
	}
	spec.Temperature = temperatureSpec(tinfo)
	if spec.Model, err = in.model.spec(); err != nil {
		return nil, err
	}
	if sf.fs.Changed("x0") {
		m, _, err := spec.Model.Build(tinfo.Temperature)
		if err != nil {
			return nil, modelErrorText(err)
		}
		if spec.X0, err = parsePoint("x0", sf.x0, m.Dim); err != nil {
			return nil, err
		}
	}
	return spec, nil
}

// vec formats a vector as (a, b, ...) with 4 significant digits.
func vec(x []float64) string {
	parts := make([]string, len(x))
	for i, v := range x {
		parts[i] = fmt.Sprintf("%.4g", v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
