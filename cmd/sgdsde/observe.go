package main

// 'sgdsde observe DIR': the trajectory observables of a finite-sum run
// against its equilibrium null (experiment.Observe). Parsing and wiring
// only.

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/observables"
)

// observeFlags are the flags of 'sgdsde observe'.
type observeFlags struct {
	maxLag, segment, top, gradTimes, components, workers int
	times                                                string
	noNull                                               bool
	dataDir, out                                         string
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
	fs.IntVar(&of.components, "components", observables.DefaultComponents, "`number` of principal components of the stochastic area when d > 50")
	fs.BoolVar(&of.noNull, "no-null", false, "skip the equilibrium null (the SDE with constant isotropic noise sqrt(2 T c) dW)")
	fs.IntVar(&of.workers, "workers", 0, "`number` of parallel workers (0 = all CPU cores)")
	fs.StringVar(&of.dataDir, "data-dir", "", "`directory` of the model's data files (fashion-mlp) when they are no longer where the run read them (summary.json's data_dir)")
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
	spec := experiment.ObserveSpec{Dir: dir, MaxLag: of.maxLag, Segment: of.segment, Top: of.top, GradTimes: of.gradTimes,
		Components: of.components, Workers: of.workers, NoNull: of.noNull, DataDir: of.dataDir}
	if err := spec.CheckOptions(); err != nil {
		return observeErrorText(err, dir, nil)
	}
	out := cmp.Or(of.out, dir)
	if err := checkOutDir(out); err != nil {
		return err
	}
	run, err := experiment.ReadSGD(dir)
	if err != nil {
		return observeErrorText(err, dir, nil)
	}
	spec.Run = run
	if of.times != "" && run.Traj != nil {
		if spec.Times, err = parseTimes(of.times, run.RecordLen); err != nil {
			return err
		}
	}
	plan, err := spec.Plan()
	if err != nil {
		return observeErrorText(err, dir, run)
	}
	_, cost := plan.NullWork()
	res, err := plan.Run(cmd.Context(), progressFor(a, cost, "observe: "))
	if err != nil {
		return observeFailure(cmd, err, out)
	}
	for _, w := range res.Warnings() {
		a.warnf("%s", w)
	}
	res.Summary.Version = version
	if err := writeResult(res.Write, out); err != nil {
		return err
	}
	_ = res.Report(a.stdout, out) // the results are written: a failed print does not fail the command
	return nil
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

// observeSettingFlags are the flags of the ObserveSpec fields.
var observeSettingFlags = map[string]string{"MaxLag": "--max-lag", "Segment": "--segment", "Top": "--top",
	"GradTimes": "--grad-times", "Components": "--components", "Workers": "--workers"}

// observeErrorText words an error of reading or planning the observation
// of the run in dir (nil before it is read) as a bad-input error.
func observeErrorText(err error, dir string, run *experiment.FiniteSumResult) error {
	const give = "give the --out directory of 'sgdsde sgd' or 'sgdsde simulate --model'"
	path := filepath.Join(dir, "summary.json")
	var (
		se *experiment.SettingError
		re *experiment.ReadError
		sh *experiment.ShapeError
		oe *experiment.ObserveError
	)
	switch {
	case errors.As(err, &se):
		return usageErrorf("%s must be %s, got %v", observeSettingFlags[se.Setting], se.Want, se.Value)
	case errors.As(err, &re):
		switch re.Issue {
		case experiment.ReadNotDir:
			return usageErrorf("%s is not a directory: %s", dir, give)
		case experiment.ReadNoSummary:
			return usageErrorf("%s has no summary.json: %s", dir, give)
		case experiment.ReadFailed:
			return usageErrorf("read %s: %v", re.Path, re.Err)
		case experiment.ReadBadJSON:
			return usageErrorf("%s is not valid JSON: %v", re.Path, re.Err)
		case experiment.ReadNotFiniteSum:
			what := "run"
			if re.Model != "" {
				what = fmt.Sprintf("run of landscape %q", re.Model)
			}
			if re.Command != "" {
				what = fmt.Sprintf("'%s' %s", re.Command, what)
			}
			return usageErrorf("%s holds a %s, not a finite-sum run: observe needs a finite-sum model (run 'sgdsde sgd --model NAME' or 'sgdsde simulate --model NAME' first)", dir, what)
		case experiment.ReadMissingKey:
			return usageErrorf("%s has no key %q: it is not the summary of a finite-sum run", re.Path, re.Key)
		}
		return usageErrorf("%s: %v", re.Path, re.Err)
	case errors.As(err, &sh):
		w := sh.Want
		if sh.Rank {
			return usageErrorf("%s has shape %v: want (record, steps/every, d) = (%d, %d, %d)", sh.Path, sh.Shape, w[0], w[1], w[2])
		}
		return usageErrorf("%s has shape %v, but summary.json says (record, steps/every, d) = (%d, %d, %d)", sh.Path, sh.Shape, w[0], w[1], w[2])
	case !errors.As(err, &oe):
		return usageErrorf("%v", err)
	}
	switch oe.Issue {
	case experiment.ObserveNoRecord:
		rs := &run.Summary
		return usageErrorf("%s: every = %d, record = %d, dim = %d, lr = %g: observe needs recorded trajectories (record >= 1)", path, rs.Every, rs.Record, rs.Dim, rs.LR)
	case experiment.ObserveModel:
		var me *experiment.MemoryError
		var ze *experiment.SizeError
		if errors.As(err, &me) || errors.As(err, &ze) {
			return usageErrorf("%s: %v: the run's model does not fit in this machine's memory", path, oe.Err)
		}
		return usageErrorf("%s: %v", path, oe.Err)
	case experiment.ObserveDimMismatch:
		return usageErrorf("%s: model %q rebuilt from its params has d = %d, N = %d, but the summary says d = %d, N = %d",
			path, run.Summary.Model, oe.Dim, oe.Samples, oe.SummaryDim, oe.SummarySamples)
	case experiment.ObserveNoTraj:
		return usageErrorf("%s has no traj.npy: observe needs recorded trajectories (run with --record >= 1)", dir)
	case experiment.ObserveTraj:
		return usageErrorf("%s: %v", filepath.Join(dir, "traj.npy"), oe.Err)
	case experiment.ObserveBadOptions:
		return usageErrorf("%v (traj.npy has %d recorded states per chain)", oe.Err, oe.Len)
	case experiment.ObserveX0Name, experiment.ObserveX0, experiment.ObserveProblem:
		return usageErrorf("%s: %v", path, err)
	case experiment.ObserveNullTemperature:
		return usageErrorf("%s: %v; the null needs a positive temperature (use --no-null)", path, oe.Err)
	}
	return usageErrorf("%v", err)
}

// observeFailure words an error of the observation's run, which writes
// into out.
func observeFailure(cmd *cobra.Command, err error, out string) error {
	var oe *experiment.ObserveError
	errors.As(err, &oe)
	switch {
	case oe == nil:
		return failureErrorf("observe: %v", err)
	case oe.Issue == experiment.ObserveNoNoise:
		return failureErrorf("observe: %v (use --no-null)", err)
	case oe.Issue == experiment.ObserveNullRun:
		if ctxErr := cmd.Context().Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return failureErrorf("observe interrupted (%v); nothing was written to %s", oe.Err, out)
		}
		return failureErrorf("observe: null run: %v", oe.Err)
	case oe.Issue == experiment.ObserveNullAnalysis:
		return failureErrorf("observe: null: %v", oe.Err)
	}
	return failureErrorf("observe: %v", oe.Err)
}
