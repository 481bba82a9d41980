package main

import (
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

// runSimulate builds the spec of the flags, validates it (before --out is
// touched), runs the ensemble and writes the outputs.
func runSimulate(cmd *cobra.Command, a *app, in *inputFlags, sf *simulateFlags) error {
	if !cmd.Flags().Changed("record") {
		sf.record = min(sf.record, max(sf.n, 0))
	}
	spec := experiment.SimulateSpec{Dt: sf.dt, Chains: sf.chains(sf.record, sf.every)}
	if err := spec.CheckRun(); err != nil {
		return ensembleErrorText(err, "trajectories", "")
	}
	tinfo, err := in.temp.resolve()
	if err != nil {
		return err
	}
	spec.Temperature = temperatureSpec(tinfo)
	if spec.Model, err = in.model.spec(); err != nil {
		return err
	}
	if sf.fs.Changed("x0") {
		m, _, err := spec.Model.Build(tinfo.Temperature)
		if err != nil {
			return modelErrorText(err)
		}
		if spec.X0, err = parsePoint("x0", sf.x0, m.Dim); err != nil {
			return err
		}
	}
	hint := "lower --n"
	if sf.record > 0 {
		hint = "lower --n or --record, or raise --every"
	}
	plan, err := spec.Plan()
	if err != nil {
		return ensembleErrorText(err, "trajectories", hint)
	}
	if err := checkOutDir(sf.out); err != nil {
		return err
	}
	_, cost := plan.Work()
	res, err := plan.Run(cmd.Context(), progressFor(a, cost, ""))
	if err != nil {
		return runFailure(cmd.Context(), err, "simulate", sf.out)
	}
	sum := res.Summary
	if sum.Diverged > 0 {
		a.warnf("%d of %d trajectories diverged (beyond --bound %g or not finite) and were left out of the statistics; a smaller --dt may help",
			sum.Diverged, sum.N, sf.bound)
	}
	sum.Version = version
	if err := writeResult(res.Write, sf.out); err != nil {
		return err
	}
	printSimulate(a, sum, sf.out)
	return nil
}

// printSimulate writes the human summary of a run to stdout.
func printSimulate(a *app, s *experiment.SimulateSummary, dir string) {
	w := a.stdout
	fmt.Fprintf(w, "model             %s (%d-D), drift %s, T = %.6g (%s)\n", s.Name, s.Dim, s.DriftKind, s.Temperature, s.Source())
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
		s.StepsPerSecond/1e6, s.ElapsedSeconds, s.WorkersUsed)
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
