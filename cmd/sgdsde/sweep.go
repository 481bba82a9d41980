package main

// 'sgdsde sweep RUN ...' runs a command over a grid of parameter values
// (package sweep) in process, one point per directory, and 'sgdsde sweep
// merge' joins the directories of shards.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/plots"
	"github.com/sgdsde/sgdsde/sweep"
)

// defaultSweepOut is the default --out of 'sgdsde sweep'.
const defaultSweepOut = "out/sweep"

// sweepFlags are the sweep's own flags; every other argument goes to RUN.
type sweepFlags struct {
	vary        []string
	out         string
	workers     int
	shard       string
	shards      int
	keepFields  bool
	retryFailed bool
	// --plot and its options: the figure of results.csv drawn at the end.
	plot                bool
	format              string
	plotX, plotY, plotH string
}

// newSweepCmd builds 'sgdsde sweep' and 'sgdsde sweep merge'.
func newSweepCmd(a *app) *cobra.Command {
	var sf sweepFlags
	cmd := &cobra.Command{
		Use:   "sweep RUN [flags of RUN] --vary NAME=SPEC ... [--out DIR]",
		Short: "Run simulate, steady, cycles, compare or sgd over a grid of parameters, resumable and shardable",
		Long: `Run RUN (simulate, steady, cycles, compare or sgd) at every point of a grid of parameter values and
tabulate the results. Arguments: RUN first; then the sweep's own flags (below) are taken out wherever they
appear and everything else is passed to RUN at every point. RUN's own --workers (simulate, compare, sgd) goes
after '--': everything after '--' is RUN's (sgdsde sweep simulate --vary seed=1:8:8 --workers 4 -- --workers 2).
RUN's --out is set per point.
--vary NAME=START:STOP:COUNT[:log] gives COUNT values from START to STOP (evenly spaced, or in log; rounded
to 12 digits, to integers for integer flags); --vary NAME=a,b,c a list (a;b;c when items hold commas).
NAME is a flag of RUN (temperature, lr, batch, dt, grid, seed, n, steps, tol, landscape, ...) or a --set
parameter of the model (d12, c, hidden, ...). Several --vary make the full grid, numbered with the first
--vary varying slowest and the last fastest.
Writes into --out DIR: sweep.json (the definition), points/NNNN/ per point with point.json (status ok or
failed, written last) and RUN's summary (summary.json; compare.json for compare; --keep-fields keeps the
arrays too), and results.csv: one row per point, sorted by point, with the columns point, the varied
values, status, error, then every scalar of the summary (nested keys dotted, short lists as key.0, key.1;
long lists skipped). Run times (*seconds, *per_second) and workers, workers_requested, files are left out
so that the table is reproducible. A point that fails is recorded with its error and the sweep goes on; a
steady state that does not reach --tol is a failure (steady points carry converged and relative_residual).
Killed at any moment (even kill -9) and started again with the same command, a sweep redoes only the points
without point.json and ends with the same results.csv; another sweep in the same DIR is an error.
--workers K runs K points at once; each run already uses every core in its parallel parts (ensembles,
the grid solver's products), so K > 1 pays for small runs (grids up to about 256 x 256, small ensembles),
at K times the memory; the ensemble commands then get RUN --workers cores/K (same results).
--shard i/n runs the points with index % n == i (round robin: the cost of a growing axis is spread);
--shard auto takes i and n from a Slurm job array (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN,
SLURM_ARRAY_TASK_COUNT; with --shards n, i = SLURM_ARRAY_TASK_ID, so that one task of an array 0..n-1
resubmitted alone keeps its shard) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, n from --shards or
SGDSDE_SHARDS). Shards may share one DIR (the shard that finishes the last point writes results.csv) or
use their own, joined by 'sgdsde sweep merge'. See docs/slurm-sweep.sh and docs/k8s-sweep.yaml.
--plot draws, once results.csv is complete, the figure of 'sgdsde plot sweep' into DIR/sweep_Y_vs_X.png
(--format svg|pdf): --plot-y against --plot-x, one curve per value of --plot-hue. Defaults: x the numeric
varied parameter with the most values (the first of equals), hue the first other varied parameter (none
for a sweep of one; --plot-hue none for a single curve), y by RUN: steady entropy_production, simulate
angular_momentum, compare histogram.tv, sgd mean.0, cycles force_check.max_force (else the first
numeric result that varies). The sweep takes --plot and --format as its own: RUN's --plot (figures of
every point, with --keep-fields) goes after '--'.`,
		Example: `  sgdsde sweep steady --vary temperature=0.1:0.8:8 --grid 64 --out out/sweep-T
  sgdsde sweep steady --landscape gyrator --vary d12=0,0.4,0.8 --vary temperature=0.2:0.8:3:log --grid 48
  sgdsde sweep simulate --landscape gyrator --vary seed=1:4:4 --n 500 --workers 2
  sgdsde sweep sgd --model linreg --vary batch=4,8,16 --vary lr=0.05,0.1 --n 4 --steps 200
  sgdsde sweep steady --landscape gyrator --vary temperature=0.1:0.8:8 --vary d12=0,0.4,0.8 --grid 64 --plot`,
		DisableFlagParsing: true,
		Args:               cobra.ArbitraryArgs,
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringArrayVar(&sf.vary, "vary", nil, "`NAME=SPEC`: NAME=START:STOP:COUNT[:log] or NAME=a,b,c; repeatable (full grid)")
	fs.StringVar(&sf.out, "out", defaultSweepOut, "sweep `directory` (resumed when it holds the same sweep)")
	fs.IntVar(&sf.workers, "workers", 1, "`number` of points run at once (0 = one per CPU core)")
	fs.StringVar(&sf.shard, "shard", "", "run only shard `i/n` (points with index % n == i), or auto (Slurm job array or Kubernetes Indexed Job)")
	fs.IntVar(&sf.shards, "shards", 0, "shard `count` for --shard auto: in a Kubernetes Indexed Job (default $SGDSDE_SHARDS); in a Slurm job array 0..count-1 it makes SLURM_ARRAY_TASK_ID the shard, so that one task resubmitted alone (sbatch --array=k) keeps its shard")
	fs.BoolVar(&sf.keepFields, "keep-fields", false, "keep every file of each point (the .npy arrays); default only the summary")
	fs.BoolVar(&sf.retryFailed, "retry-failed", false, "run again the points that failed in an earlier run")
	fs.BoolVar(&sf.plot, "plot", false, "when results.csv is complete, draw --plot-y against --plot-x, one curve per --plot-hue, into DIR/sweep_Y_vs_X.FORMAT (as 'sgdsde plot sweep'); RUN's own --plot goes after '--'")
	fs.StringVar(&sf.format, "format", "png", "`format` of the --plot figure: png, svg or pdf")
	fs.StringVar(&sf.plotX, "plot-x", "", "x `column` of the --plot figure (default the numeric varied parameter with the most values, the first of equals)")
	fs.StringVar(&sf.plotY, "plot-y", "", "y `column` of the --plot figure (default by RUN: steady entropy_production, simulate angular_momentum, compare histogram.tv, sgd mean.0, cycles force_check.max_force)")
	fs.StringVar(&sf.plotH, "plot-hue", "", "`column` whose values tell the curves of the --plot figure apart (default the first other varied parameter; none: a single curve)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return runSweep(cmd, a, &sf, args)
	}
	cmd.AddCommand(newSweepMergeCmd(a))
	return cmd
}

// splitSweepArgs separates the sweep's own flags (those of fs, in the
// forms --name value and --name=value) from RUN's arguments; everything
// after "--" is RUN's. help reports -h or --help among the sweep's.
func splitSweepArgs(fs *pflag.FlagSet, args []string) (own, rest []string, help bool, err error) {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if arg == "-h" || arg == "--help" {
			help = true
			continue
		}
		if strings.HasPrefix(arg, "--") {
			name, _, hasValue := strings.Cut(arg[2:], "=")
			if f := fs.Lookup(name); f != nil {
				own = append(own, arg)
				if !hasValue && f.NoOptDefVal == "" {
					if i+1 == len(args) {
						return nil, nil, false, usageErrorf("flag needs an argument: --%s (see 'sgdsde sweep --help')", name)
					}
					i++
					own = append(own, args[i])
				}
				continue
			}
		}
		rest = append(rest, arg)
	}
	return own, rest, help, nil
}

// sweepPlan is a validated sweep: the library's sweep of RUN's study and
// its definition.
type sweepPlan struct {
	spec  experiment.SweepSpec
	def   sweep.Definition
	set   map[string]bool // the axes that are --set parameters (else flags of RUN)
	study *studyCommand   // RUN's study command of the template, which words its errors
}

// pointArgs is RUN's command line of a point with values, writing into
// out: what point.json records of how to run the point alone.
func (p *sweepPlan) pointArgs(values []string, out string) []string {
	args := slices.Clone(p.def.Args)
	for k, ax := range p.def.Vary {
		if p.set[ax.Name] {
			args = append(args, "--set="+ax.Name+"="+values[k])
		} else {
			args = append(args, "--"+ax.Name+"="+values[k])
		}
	}
	if p.spec.Workers > 0 {
		args = append(args, "--workers="+strconv.Itoa(p.spec.Workers))
	}
	return append(args, "--out="+out)
}

// recordPoint returns out with what point.json records of point p of a
// sweep of sc, RUN's study command (set: the axes that are --set
// parameters): the error as sc words it and its exit code, or the
// warnings of the result.
func recordPoint(ctx context.Context, sc *studyCommand, set map[string]bool, p *experiment.SweepPoint, out sweep.Outcome) sweep.Outcome {
	if p.Err != nil {
		err := pointError(ctx, sc, set, p.Err, p.Dir)
		out.Err, out.ExitCode = oneLine(err.Error()), errorCode(err)
	} else {
		out.Warnings = sc.warnings(p.Result)
	}
	return out
}

// pointError words the error of a point (an *experiment.SweepPointError)
// as sc, RUN's study command, words it for a run into out; other errors
// are worded already.
func pointError(ctx context.Context, sc *studyCommand, set map[string]bool, err error, out string) error {
	var pe *experiment.SweepPointError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Stage {
	case experiment.SweepValues:
		return paramError(pe.Err, set)
	case experiment.SweepStart:
		return sc.planError(pe.Err)
	case experiment.SweepRun:
		return sc.runError(ctx, pe.Err, out)
	}
	return writeError(pe.Err)
}

// paramError words an error of experiment.SetParam for the command line;
// set holds the names that are --set parameters (else flags of RUN).
func paramError(err error, set map[string]bool) error {
	var te *experiment.TemperatureError
	var pe *experiment.ParamError
	switch {
	case errors.As(err, &te) && te.Err == nil:
		return usageErrorf("--temperature must be positive and finite, got %g", te.T)
	case errors.As(err, &pe) && pe.Err == nil:
		return usageErrorf("%s has no --%s", pe.Study, pe.Name)
	case errors.As(err, &pe) && !set[pe.Name]:
		return usageErrorf("--%s %s: %v", pe.Name, pe.Value, pe.Err)
	case errors.As(err, &pe):
		return usageErrorf("--set %s=%s: %v", pe.Name, pe.Value, pe.Err)
	}
	return usageErrorf("%v", err)
}

// errorCode is the exit code of a command's error.
func errorCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitUsage
}

// runFlags returns RUN's study command with its flags parsed from args
// (on a command tree of its own, whose output is discarded).
func runFlags(runName string, args []string) (*studyCommand, *pflag.FlagSet, error) {
	a := &app{stdout: io.Discard, stderr: io.Discard}
	for _, c := range newRootCmd(a).Commands() {
		if c.Name() == runName {
			fs := c.Flags()
			return a.studies[runName], fs, fs.Parse(args)
		}
	}
	return nil, nil, fmt.Errorf("no command %q", runName)
}

// planSweep validates the sweep and RUN's arguments, before anything is
// written: the RUN, the sweep flags, RUN's flags, the --vary names and
// values, and that at least one point is a valid run (RUN's whole
// validation, without work). Points whose values RUN rejects are run and
// recorded as failed.
func planSweep(ctx context.Context, fs *pflag.FlagSet, sf *sweepFlags, args []string) (*sweepPlan, sweep.Shard, error) {
	runName := args[0]
	if experiment.SummaryFile(runName) == "" {
		return nil, sweep.Shard{}, usageErrorf("sweep: cannot sweep %q: give one of %s first, e.g. 'sgdsde sweep steady --vary temperature=0.1:0.5:5'", runName, strings.Join(experiment.StudyCommands(), ", "))
	}
	own, base, _, err := splitSweepArgs(fs, args[1:])
	if err != nil {
		return nil, sweep.Shard{}, err
	}
	if err := fs.Parse(own); err != nil {
		return nil, sweep.Shard{}, usageErrorf("%v (see 'sgdsde sweep --help')", err)
	}
	switch {
	case sf.workers < 0:
		return nil, sweep.Shard{}, usageErrorf("--workers must be non-negative (0 = one per core), got %d", sf.workers)
	case sf.shards < 0:
		return nil, sweep.Shard{}, usageErrorf("--shards must be positive, got %d", sf.shards)
	case len(sf.vary) == 0:
		return nil, sweep.Shard{}, usageErrorf("sweep: no --vary: give at least one, e.g. --vary temperature=0.1:0.5:5")
	}
	if sf.workers == 0 {
		sf.workers = runtime.NumCPU()
	}
	shard, err := sweep.ParseShard(sf.shard, sf.shards, os.Getenv)
	if err != nil {
		return nil, sweep.Shard{}, usageErrorf("%v", wordError(err))
	}
	if fs.Changed("shards") && sf.shard != "auto" {
		return nil, sweep.Shard{}, usageErrorf("--shards applies only with --shard auto")
	}
	if err := sf.validatePlot(fs); err != nil {
		return nil, sweep.Shard{}, err
	}

	// RUN's flags, parsed once on a command of their own.
	_, rf, err := runFlags(runName, base)
	if err != nil {
		return nil, sweep.Shard{}, usageErrorf("sweep %s: %v (see 'sgdsde %s --help')", runName, err, runName)
	}
	if rest := rf.Args(); len(rest) > 0 {
		return nil, sweep.Shard{}, usageErrorf("sweep %s: unexpected argument %q: %s takes flags only", runName, rest[0], runName)
	}
	if rf.Changed("out") {
		return nil, sweep.Shard{}, usageErrorf("sweep %s: --out after '--' is set per point by the sweep: give the sweep's --out DIR before '--'", runName)
	}
	plan := &sweepPlan{spec: experiment.SweepSpec{Version: version}, set: map[string]bool{}}
	set, _ := rf.GetStringSlice("set")
	for _, s := range sf.vary {
		v, err := sweep.ParseVary(s)
		if err != nil {
			return nil, sweep.Shard{}, usageErrorf("%v", wordError(err))
		}
		kind := sweep.Real
		p, known := experiment.LookupParam(v.Name)
		switch f := rf.Lookup(v.Name); {
		case v.Name == "help" || f != nil && !known:
			return nil, sweep.Shard{}, usageErrorf("--vary %s: cannot vary --%s; vary a flag of %s that sets the study, or a --set parameter", v.Name, v.Name, runName)
		case f != nil:
			kind = p.Kind
			if f.Changed {
				return nil, sweep.Shard{}, usageErrorf("--vary %s: --%s is also given to %s; drop one of them", v.Name, v.Name, runName)
			}
		default:
			plan.set[v.Name] = true
			for _, it := range set {
				if name, _, _ := strings.Cut(it, "="); strings.TrimSpace(name) == v.Name {
					return nil, sweep.Shard{}, usageErrorf("--vary %s: --set %s is also given; drop one of them", v.Name, it)
				}
			}
		}
		vals, err := v.Values(kind)
		if err != nil {
			return nil, sweep.Shard{}, usageErrorf("%v", wordError(err))
		}
		plan.spec.Vary = append(plan.spec.Vary, sweep.Axis{Name: v.Name, Spec: v.Spec, Values: vals})
	}
	if err := plan.spec.Vary.Check(); err != nil {
		return nil, sweep.Shard{}, usageErrorf("%v", wordError(err))
	}
	if f := rf.Lookup("workers"); f != nil && !f.Changed && sf.workers > 1 {
		plan.spec.Workers = experiment.WorkersPerPoint(sf.workers)
	}

	// The template: the study of RUN's flags with the values of the first
	// point that RUN accepts, which must also pass the study's Start.
	// first words the error of point 0 when its flags build but its values
	// or Start fail: its study command is the first one built.
	var first *studyCommand
	_, err = plan.spec.FirstValid(func(values []string) (experiment.Study, error) {
		s, err := plan.buildTemplate(runName, base, values)
		if first == nil && err == nil {
			first = plan.study
		}
		return s, err
	})
	if err != nil {
		var ne *experiment.NoValidPointError
		if !errors.As(err, &ne) {
			return nil, sweep.Shard{}, usageErrorf("sweep %s: %v", runName, err)
		}
		return nil, sweep.Shard{}, usageErrorf("sweep %s: no point is a valid run; point %s (%s): %s", runName,
			sweep.PointName(ne.Point, plan.spec.Vary.Len()), valuesText(plan.spec.Vary, ne.Values), oneLine(pointError(ctx, first, plan.set, ne.Err, "").Error()))
	}
	plan.def = plan.spec.Definition(base)
	if err := checkOutDir(sf.out); err != nil {
		return nil, sweep.Shard{}, err
	}
	return plan, shard, nil
}

// buildTemplate builds the template study from RUN's flags args with the
// point's values given as RUN's flags (or --set values), so that RUN's
// checks across flags see them, and sets the record rule of the sweep.
func (p *sweepPlan) buildTemplate(runName string, args, values []string) (experiment.Study, error) {
	sc, rf, err := runFlags(runName, args)
	if err != nil {
		return nil, err
	}
	for k, ax := range p.spec.Vary {
		name, value := ax.Name, values[k]
		if p.set[ax.Name] {
			name, value = "set", ax.Name+"="+values[k]
		}
		if err := rf.Set(name, value); err != nil {
			return nil, usageErrorf("--%s %s: %v", name, value, err)
		}
	}
	s, err := sc.build()
	if err != nil {
		return nil, err
	}
	p.study, p.spec.RecordDefault = sc, 0
	if slices.Contains(p.spec.Vary.Names(), "n") && rf.Lookup("record") != nil && !rf.Changed("record") {
		// --n varied and --record not given: each point's --record is
		// the default lowered to its --n.
		p.spec.RecordDefault = experiment.DefaultRecord(s)
	}
	return s, nil
}

// valuesText formats a point's values as "name=value name=value".
func valuesText(g sweep.Grid, values []string) string {
	parts := make([]string, len(g))
	for k, ax := range g {
		parts[k] = ax.Name + "=" + values[k]
	}
	return strings.Join(parts, " ")
}

// runSweep validates everything, runs the shard's unfinished points and,
// when every point of the sweep is finished, writes results.csv.
func runSweep(cmd *cobra.Command, a *app, sf *sweepFlags, args []string) error {
	_, _, help, err := splitSweepArgs(cmd.Flags(), args)
	if err != nil {
		return err
	}
	if help || len(args) == 0 {
		if len(args) == 0 {
			return usageErrorf("sweep needs a command: sgdsde sweep RUN [flags of RUN] --vary NAME=SPEC (see 'sgdsde sweep --help')")
		}
		return cmd.Help()
	}
	if strings.HasPrefix(args[0], "-") {
		return usageErrorf("sweep: give the command to sweep first, e.g. 'sgdsde sweep steady --vary temperature=0.1:0.5:5' (see 'sgdsde sweep --help')")
	}
	ctx := cmd.Context()
	plan, shard, err := planSweep(ctx, cmd.Flags(), sf, args)
	if err != nil {
		return err
	}
	dir, err := sweep.Create(sf.out, plan.def)
	if err != nil {
		var me *sweep.MismatchError
		if errors.As(err, &me) {
			return usageErrorf("--out %v: use another --out, or remove it to start over", wordError(err))
		}
		return failureErrorf("cannot create --out directory: %v", err)
	}

	def := plan.def
	var bar *progress
	start := time.Now()
	opts := sweep.Options{
		Workers: sf.workers, Shard: shard, KeepFields: sf.keepFields, RetryFailed: sf.retryFailed,
		Start: func(run, finished int) {
			fmt.Fprintf(a.stdout, "sweep      %s, %d points (%s), shard %s: %d to run, %d already finished, %d at a time\n",
				def.Command, def.Points, axesText(def.Vary), shard, run, finished, sf.workers)
			if run > 0 && a.stderrIsTerminal() {
				bar = newProgress(a.stderr, int64(run), "sweep "+def.Command)
			}
		},
		Done: func(m sweep.Marker) {
			if bar != nil {
				bar.add(1)
				return
			}
			line := fmt.Sprintf("point %s  %-6s  %s", sweep.PointName(m.Point, def.Points), m.Status, valuesText(def.Vary, m.Values))
			if m.Error != "" {
				line += "  " + m.Error
			}
			fmt.Fprintln(a.stdout, line)
		},
	}
	st, err := plan.spec.Run(ctx, dir, opts, func(ctx context.Context, p *experiment.SweepPoint) sweep.Outcome {
		return recordPoint(ctx, plan.study, plan.set, p, sweep.Outcome{Args: plan.pointArgs(p.Values, p.Dir)})
	})
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return failureErrorf("sweep interrupted (%v) after %d of the %d points to run; run the same command again to resume", ctx.Err(), st.Ran, st.Shard-st.Finished)
		}
		return failureErrorf("sweep: %v", err)
	}
	w := a.stdout
	fmt.Fprintf(w, "ran        %d points (%d ok, %d failed) in %.3g s\n", st.Ran, st.OK, st.Failed, time.Since(start).Seconds())
	if missing := dir.Missing(sweep.All); len(missing) > 0 {
		fmt.Fprintf(w, "shard      %s done; %d of the %d points of the sweep are not finished yet (first: %s): when every shard is done, run 'sgdsde sweep merge %s'\n",
			shard, len(missing), def.Points, sweep.PointName(missing[0], def.Points), sf.out)
		if st.Failed > 0 {
			a.warnf("%d of %d points failed; their errors are in their point.json", st.Failed, st.Ran)
		}
		if sf.plot {
			fmt.Fprintf(w, "figure     drawn when every point is finished: run 'sgdsde plot sweep %s' after the merge\n", sf.out)
		}
		return nil
	}
	if err := writeSweepResults(a, []*sweep.Dir{dir}, sf.out); err != nil {
		return err
	}
	return sf.drawSweep(a, def)
}

// validatePlot checks --format and the --plot-* flags (before any work).
func (sf *sweepFlags) validatePlot(fs *pflag.FlagSet) error {
	if !slices.Contains(plots.Formats, sf.format) {
		return usageErrorf("--format %q: want png, svg or pdf", sf.format)
	}
	if !sf.plot {
		for _, name := range []string{"format", "plot-x", "plot-y", "plot-hue"} {
			if fs.Changed(name) {
				return usageErrorf("--%s applies to the figure of --plot: add --plot (RUN's own --plot and --format go after '--')", name)
			}
		}
	}
	return nil
}

// drawSweep draws the --plot figure of the sweep in sf.out from its
// results.csv. The results are written already, so errors are run
// failures that say so.
func (sf *sweepFlags) drawSweep(a *app, def sweep.Definition) error {
	if !sf.plot {
		return nil
	}
	csvPath := filepath.Join(sf.out, sweep.ResultsFile)
	t, err := plots.ReadTable(csvPath)
	if err != nil {
		return failureErrorf("--plot: %v (the results are in %s)", err, csvPath)
	}
	if len(def.Vary) > 2 {
		a.warnf("--plot: %d varied parameters; the figure draws one curve per value of --plot-hue and mixes the values of the others: choose with 'sgdsde plot sweep %s'", len(def.Vary), sf.out)
	}
	ax, err := plots.DefaultSweepAxes(def.Command, def.Vary, t, plots.SweepAxes{X: sf.plotX, Y: sf.plotY, Hue: sf.plotH, NoHue: sf.plotH == "none"})
	var ae *plots.SweepAxesError
	if errors.As(err, &ae) {
		flag := map[plots.SweepAxesIssue]string{plots.NoNumericAxis: "--plot-x", plots.NoVaryingResult: "--plot-y"}[ae.Issue]
		return failureErrorf("--plot: %v: give %s (the results are in %s)", err, flag, csvPath)
	}
	pf := plotSweepFlags{figureFlags: figureFlags{format: sf.format, width: plots.DefaultWidthCM, height: plots.DefaultHeightCM, dpi: plots.DefaultDPI}, x: ax.X, y: ax.Y, hue: ax.Hue}
	if err := runPlotSweep(a, &pf, []string{sf.out}); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			return failureErrorf("--plot: %v (the results are in %s)", ee.err, csvPath)
		}
		return err
	}
	return nil
}

// axesText describes the axes as "temperature: 16 values, d12: 3 values".
func axesText(g sweep.Grid) string {
	parts := make([]string, len(g))
	for k, ax := range g {
		parts[k] = fmt.Sprintf("%s: %d values", ax.Name, len(ax.Values))
	}
	return strings.Join(parts, ", ")
}

// writeSweepResults writes results.csv of dirs into out (its sweep.json is
// created when out is not one of dirs) and reports the failed points.
func writeSweepResults(a *app, dirs []*sweep.Dir, out string) error {
	rs, err := sweep.WriteResults(dirs, out)
	var (
		mi *sweep.MissingError
		me *sweep.MismatchError
		re *sweep.ResultsError
	)
	switch {
	case errors.As(err, &mi):
		return failureErrorf("%d of the %d points are not finished (first: points/%s): run the missing shards (the same command with their --shard), then merge again",
			len(mi.Points), mi.Total, sweep.PointName(mi.Points[0], mi.Total))
	case errors.As(err, &me):
		return usageErrorf("--out %v: use another --out", wordError(me))
	case errors.As(err, &re) && re.Op == sweep.ReadPoints:
		return failureErrorf("results: %v", re.Err)
	case errors.As(err, &re) && re.Op == sweep.CreateOut:
		return failureErrorf("cannot create --out directory: %v", re.Err)
	case err != nil:
		return failureErrorf("%v", err)
	}
	if rs.Failed > 0 {
		a.warnf("%d of the %d points failed; their errors are in the error column of %s", rs.Failed, rs.Points, rs.Path)
	}
	fmt.Fprintf(a.stdout, "results    %s (%d points, %d ok, %d failed; %d columns)\n", rs.Path, rs.Points, rs.OK, rs.Failed, rs.Columns)
	return nil
}

// newSweepMergeCmd builds 'sgdsde sweep merge'.
func newSweepMergeCmd(a *app) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "merge DIR...",
		Short: "Join the directories of a sweep's shards into one results.csv",
		Long: `Check that the sweep directories DIR... hold the same sweep (sweep.json), that every point is finished
in one of them, and write results.csv (the same bytes as an unsharded run) and sweep.json into --out: by
default the single DIR (one directory shared by all shards); --out is needed with several DIRs. The point
files stay where they are.`,
		Example: `  sgdsde sweep merge out/sweep
  sgdsde sweep merge out/shard-0 out/shard-1 --out out/sweep`,
	}
	cmd.Flags().StringVar(&out, "out", "", "`directory` of the merged results.csv (default: the DIR when there is one)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageErrorf("sweep merge needs the sweep directories: sgdsde sweep merge DIR... [--out DIR]")
		}
		if out == "" {
			if len(args) > 1 {
				return usageErrorf("sweep merge of %d directories needs --out DIR for the merged results.csv", len(args))
			}
			out = args[0]
		}
		var dirs []*sweep.Dir
		for _, p := range args {
			d, err := sweep.Open(p)
			if err != nil {
				return usageErrorf("sweep merge: %v", err)
			}
			dirs = append(dirs, d)
		}
		if err := sweep.CheckSame(dirs); err != nil {
			return usageErrorf("sweep merge: %v", wordError(err))
		}
		if err := checkOutDir(out); err != nil {
			return err
		}
		return writeSweepResults(a, dirs, out)
	}
	return cmd
}
