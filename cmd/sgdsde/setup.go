package main

// The setup shared by the commands that build a model at a temperature
// (simulate, steady, evolve, cycles, compare): registering the model,
// temperature and grid flags, and turning them, before any work and before
// --out is touched, into one validated run per temperature.

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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
	if err := checkOutDir(out); err != nil {
		return 0, nil, err
	}
	return scheme, runs, nil
}

// steadyState assembles the grid operator of r and solves its steady state
// to the relative residual tol; it returns both and the assembly time in
// seconds. Its errors are those of command, which writes into out.
func (r *modelRun) steadyState(ctx context.Context, scheme fokkerplanck.Scheme, tol float64, command, out string) (*fokkerplanck.Operator, *fokkerplanck.Steady, float64, error) {
	op, assembleSeconds, err := assemble(ctx, r.model, r.tinfo.Temperature, r.g, scheme, command, out)
	if err != nil {
		return nil, nil, 0, err
	}
	st, err := op.SteadyState(ctx, fokkerplanck.SteadyOptions{Tol: tol})
	if err != nil {
		return nil, nil, 0, steadyFailure(ctx.Err(), err, command, out)
	}
	return op, st, assembleSeconds, nil
}

// temperaturesOf lists the temperatures of runs.
func temperaturesOf(runs []modelRun) []float64 {
	ts := make([]float64, len(runs))
	for i, r := range runs {
		ts[i] = r.tinfo.Temperature
	}
	return ts
}

// eachTemperature calls one for every run of a temperature list with the
// run's subdirectory T_<T> of out, a blank line apart on stdout, and
// returns the subdirectories' names.
func eachTemperature(a *app, runs []modelRun, out string, one func(i int, dir string) error) ([]string, error) {
	dirs := make([]string, 0, len(runs))
	for i := range runs {
		dir := temperatureDir(runs[i].tinfo.Temperature)
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		if err := one(i, filepath.Join(out, dir)); err != nil {
			return nil, err
		}
		dirs = append(dirs, dir)
	}
	return dirs, nil
}
