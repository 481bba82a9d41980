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

// inputs are the model, temperature and grid specifications of the input
// flags.
type inputs struct {
	model experiment.ModelSpec
	// temp is the one temperature, or zero when temps lists several.
	temp  experiment.TemperatureSpec
	temps []float64
	grid  experiment.GridSpec
}

// specs returns the specifications of the flags after the checks of the
// flags themselves (parsing, conflicts between flags); a study's Plan
// checks the rest, and planError words its errors. All errors are
// bad-input errors.
func (in *inputFlags) specs() (inputs, error) {
	var p inputs
	var err error
	if in.grid != nil {
		if p.grid, err = in.grid.spec(); err != nil {
			return p, err
		}
	}
	tinfos, err := in.temp.resolveAll()
	if err != nil {
		return p, err
	}
	if len(tinfos) == 1 {
		p.temp = temperatureSpec(tinfos[0])
	} else {
		for _, t := range tinfos {
			p.temps = append(p.temps, t.Temperature)
		}
	}
	p.model, err = in.model.spec()
	return p, err
}

// planError words an error of a study's Plan (bad input): those of the
// model (modelErrorText), of the grid (gridWords), an operator that
// cannot be assembled, a memory limit with hint (which flags to change),
// or the error's own line.
func planError(err error, hint string) error {
	var (
		me *experiment.MemoryError
		ae *experiment.AssembleError
	)
	switch {
	case errors.As(err, &me) && me.MaxPerAxis == 0 && me.Avail > 0:
		return usageErrorf("%v: %s", err, hint)
	case errors.As(err, &ae):
		return assembleError(ae)
	}
	if words, ok := gridWords(err); ok {
		return words
	}
	return modelErrorText(err)
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
