package main

// The setup shared by the commands that build a model at a temperature
// (simulate, steady, evolve, cycles, compare): registering the model,
// temperature and grid flags, and turning them, before any work and before
// --out is touched, into one validated run per temperature.

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
)

// inputFlags are the flag groups that select what a command computes on:
// the model, the temperature and, for the commands that solve on a grid,
// the grid.
type inputFlags struct {
	model *modelFlags
	temp  *temperatureFlags
	grid  *gridFlags // nil for a command without a grid
}

// inputOptions select the variants of the input flag groups.
type inputOptions uint8

const (
	// temperatureList lets --temperature take a comma-separated list.
	temperatureList inputOptions = 1 << iota
	// withGrid adds the grid flags.
	withGrid
)

// addInputFlags makes cmd a command that takes flags only, listed in --help
// in the order they are registered, and registers the model, temperature
// and (withGrid) grid flags. The command's own flags follow.
func addInputFlags(cmd *cobra.Command, opts inputOptions) (*pflag.FlagSet, *inputFlags) {
	cmd.Args = noArgs
	fs := cmd.Flags()
	fs.SortFlags = false
	in := &inputFlags{model: addModelFlags(fs)}
	if opts&temperatureList != 0 {
		in.temp = addTemperatureListFlags(fs)
	} else {
		in.temp = addTemperatureFlags(fs)
	}
	if opts&withGrid != 0 {
		in.grid = addGridFlags(fs)
	}
	return fs, in
}

// addOutFlag registers --out, the output directory, with default def.
func addOutFlag(fs *pflag.FlagSet, out *string, def string) {
	fs.StringVar(out, "out", def, "output `directory` (created after a successful run; existing files of the same names are replaced)")
}

// modelRun is the validated input of one run: the model at one temperature
// and, for a grid command, its grid.
type modelRun struct {
	model potentials.Model
	minfo modelInfo
	tinfo temperatureInfo
	g     *fokkerplanck.Grid // nil without grid flags
	ginfo gridInfo
}

// runChecks are a command's own checks in inputFlags.resolve; any may be
// nil.
type runChecks struct {
	// flags checks the command's own flags after the grid flags (cycles;
	// the other commands check theirs before calling resolve).
	flags func() error
	// model checks the model before its grid is built.
	model func(m potentials.Model) error
	// run checks, and derives the command's own input of, a run whose grid
	// is built.
	run func(r *modelRun) error
}

// resolve validates the grid flags (then the command's own, check.flags),
// resolves the temperature (or each of a list) and builds, for every temperature, the model and the grid, with the
// command's checks in between; last it checks that out can be created. It
// does no work and touches nothing: all its errors are bad-input errors.
// The scheme is that of --scheme (zero without grid flags).
func (in *inputFlags) resolve(out string, check runChecks) (fokkerplanck.Scheme, []modelRun, error) {
	scheme, runs, err := in.resolveInputs(check)
	if err != nil {
		return 0, nil, err
	}
	if err := checkOutDir(out); err != nil {
		return 0, nil, err
	}
	return scheme, runs, nil
}

// resolveInputs is resolve without the check of the output directory.
func (in *inputFlags) resolveInputs(check runChecks) (fokkerplanck.Scheme, []modelRun, error) {
	var scheme fokkerplanck.Scheme
	if in.grid != nil {
		var err error
		if scheme, err = in.grid.validate(); err != nil {
			return 0, nil, err
		}
	}
	if check.flags != nil {
		if err := check.flags(); err != nil {
			return 0, nil, err
		}
	}
	tinfos, err := in.temp.resolveAll()
	if err != nil {
		return 0, nil, err
	}
	var runs []modelRun
	for _, tinfo := range tinfos {
		r := modelRun{tinfo: tinfo}
		if r.model, r.minfo, err = in.model.build(tinfo.Temperature); err != nil {
			return 0, nil, err
		}
		if check.model != nil {
			if err := check.model(r.model); err != nil {
				return 0, nil, err
			}
		}
		if in.grid != nil {
			if r.g, r.ginfo, err = in.grid.buildAt(r.model, tinfo.Temperature); err != nil {
				return 0, nil, err
			}
		}
		if check.run != nil {
			if err := check.run(&r); err != nil {
				return 0, nil, err
			}
		}
		runs = append(runs, r)
	}
	return scheme, runs, nil
}

// temperaturesOf lists the temperatures of runs.
func temperaturesOf(runs []modelRun) []float64 {
	ts := make([]float64, len(runs))
	for i, r := range runs {
		ts[i] = r.tinfo.Temperature
	}
	return ts
}

// modelSpec returns the model specification of the flags, which resolve
// has accepted.
func (in *inputFlags) modelSpec() experiment.ModelSpec {
	s, _ := in.model.spec()
	return s
}

// gridSpec returns the grid specification of the flags for a d-D model,
// which resolve has accepted.
func (in *inputFlags) gridSpec(d int) experiment.GridSpec {
	s, _ := in.grid.spec(d)
	return s
}

// planError words an error of a study's Plan once resolve has accepted the
// flags: a memory limit, with hint (which flags to change), or bad input.
func planError(err error, hint string) error {
	var me *experiment.MemoryError
	if errors.As(err, &me) && me.Avail > 0 {
		return usageErrorf("%v: %s", err, hint)
	}
	return usageErrorf("%v", err)
}

// gridFailure words an error of a grid study's Run for command, which
// writes into out; with atT the command is named with the temperature that
// failed ("steady at T = 0.4"). An operator that cannot be assembled is bad
// input, as before any work.
func gridFailure(ctx context.Context, err error, command, out string, atT bool) error {
	var ae *experiment.AssembleError
	if errors.As(err, &ae) {
		return assembleError(ae)
	}
	var se *experiment.SolveError
	if errors.As(err, &se) {
		err = se.Err
		if atT {
			command = fmt.Sprintf("%s at T = %g", command, se.T)
		}
	}
	return steadyFailure(ctx.Err(), err, command, out)
}

// writeError words an error of a result's Write.
func writeError(err error) error { return writeResult(func(string) error { return err }, "") }
