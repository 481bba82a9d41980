package main

// The grid flags shared by the commands that solve the Fokker–Planck
// equation on a grid (steady, evolve, and later cycles): grid size, box,
// boundary, scheme and solver tolerance. Parsing, validation and the memory
// check only: the numerics live in fokkerplanck.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/fokkerplanck"
)

// Defaults of the grid flags (those of a zero experiment.GridSpec).
const (
	defaultGrid2D  = experiment.DefaultGrid2D
	defaultGrid1D  = experiment.DefaultGrid1D
	defaultGridTol = experiment.DefaultTol
)

// gridFlags selects the grid, its boundary, the scheme and the tolerance
// of the steady-state solve.
type gridFlags struct {
	fs       *pflag.FlagSet
	grid     string
	box      string
	periodic bool
	scheme   string
	tol      float64
}

// addGridFlags registers the grid flags on fs.
func addGridFlags(fs *pflag.FlagSet) *gridFlags {
	gf := &gridFlags{fs: fs}
	fs.StringVar(&gf.grid, "grid", "",
		fmt.Sprintf("`NX[,NY]` nodes along x and y (one number gives a square grid; at least %d per axis) (default %d x %d nodes in 2-D, %d in 1-D; second order, error about 1e-3 on the default models)",
			fokkerplanck.MinNodes, defaultGrid2D, defaultGrid2D, defaultGrid1D))
	fs.StringVar(&gf.box, "box", "",
		"`xmin:xmax[,ymin:ymax]` ranges of the grid box (units of x; default the model's box at the temperature, chosen to hold the density, see 'sgdsde landscapes'; formula models [-3, 3] per axis); it must hold the density: a warning says when rho at the walls is not negligible")
	fs.BoolVar(&gf.periodic, "periodic", false,
		"periodic in every axis instead of zero-flux walls (for periodic models such as a tilted washboard)")
	fs.StringVar(&gf.scheme, "scheme", "symmetric",
		"grid `scheme`: symmetric (edge weights averaged over both ends, second order) or source (rates from the source node's decomposition, the Ito form of sgdsde's first design; first order pointwise where the Selling stencil switches)")
	fs.Float64Var(&gf.tol, "tol", defaultGridTol,
		"largest accepted relative residual `tol` of the steady state, ||L p||_1 / sum_i |L_ii| p_i (the flux out of balance as a fraction of all the flux); a solve that does not reach it fails")
	return gf
}

// spec returns the grid specification of the flags: the sizes and the box
// as given (their number against the model's dimension is checked by the
// study's Plan). All errors are bad-input errors.
func (gf *gridFlags) spec() (experiment.GridSpec, error) {
	if !(gf.tol > 0) || gf.tol >= 1 {
		return experiment.GridSpec{}, usageErrorf("--tol must be in (0, 1), got %g", gf.tol)
	}
	scheme, err := fokkerplanck.ParseScheme(gf.scheme)
	if err != nil {
		return experiment.GridSpec{}, usageErrorf("--scheme: %v", err)
	}
	spec := experiment.GridSpec{Periodic: gf.periodic, Scheme: scheme, Tol: gf.tol}
	if gf.fs.Changed("grid") {
		if spec.Nodes, err = parseGridSize(gf.grid); err != nil {
			return experiment.GridSpec{}, err
		}
	}
	if gf.fs.Changed("box") {
		if spec.Box, err = experiment.ParseBox(gf.box, 0); err != nil {
			words, _ := gridWords(err)
			return experiment.GridSpec{}, words
		}
	}
	return spec, nil
}

// gridWords words an error of experiment.GridSpec.Build for the command
// line; ok is false for an error that is not the grid's.
func gridWords(err error) (words error, ok bool) {
	var (
		me *experiment.MemoryError
		nb *experiment.NoBoxError
		de *experiment.DimensionError
		ge *experiment.GridSizeError
		be *experiment.BoxError
		ve *experiment.ValueError
	)
	switch {
	case errors.As(err, &me) && me.MaxNodes > 0 && me.Avail == 0:
		return usageErrorf("%s has %.3g nodes, more than the %d a grid can have: use a smaller --grid", me.What, me.Nodes, experiment.MaxGridNodes), true
	case errors.As(err, &me) && me.MaxPerAxis > 0:
		return usageErrorf("%s needs about %s of memory, more than the %s available: use a smaller --grid (at most about %d)",
			me.What, formatBytes(me.Need), formatBytes(me.Avail), me.MaxPerAxis), true
	case errors.As(err, &nb):
		return usageErrorf("model %q has no default box: give --box", nb.Model), true
	case errors.As(err, &ge):
		return gridSizeError(ge), true
	case errors.As(err, &be):
		return boxError(be), true
	case errors.As(err, &de):
		return usageErrorf("%v", err), true
	case errors.As(err, &ve) && ve.What == "tolerance":
		return usageErrorf("%v (check --grid and --box)", err), true
	}
	return nil, false
}

// parseGridSize parses --grid "NX[,NY]": one or two sizes, each at least
// fokkerplanck.MinNodes.
func parseGridSize(s string) ([]int, error) {
	parts := strings.Split(s, ",")
	if len(parts) > 2 {
		return nil, usageErrorf("--grid %q: want NX or NX,NY", s)
	}
	n := make([]int, len(parts))
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, usageErrorf("--grid %q: %q is not a whole number of nodes", s, strings.TrimSpace(p))
		}
		if v < fokkerplanck.MinNodes {
			return nil, usageErrorf("--grid %q: %d nodes along %s is too small: use at least %d", s, v, "xy"[i:i+1], fokkerplanck.MinNodes)
		}
		n[i] = v
	}
	return n, nil
}

// gridSizeError words sizes of --grid that do not fit the model.
func gridSizeError(e *experiment.GridSizeError) error {
	s := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(e.Nodes)), ","), "[]")
	return usageErrorf("--grid %q: want %s for a %d-D model", s, map[int]string{1: "one size NX", 2: "NX or NX,NY"}[e.Dim], e.Dim)
}

// boxError words a --box that is not a box, or not one of the model's
// dimension.
func boxError(e *experiment.BoxError) error {
	if e.Axis < 0 {
		return usageErrorf("--box %q: want %d comma-separated ranges min:max for a %d-D model, e.g. %s",
			e.Text, e.Dim, e.Dim, map[int]string{1: "-3:3", 2: "-2.5:2.5,-2:2"}[e.Dim])
	}
	axis := "xy"[e.Axis : e.Axis+1]
	var pe *experiment.ParseNumberError
	switch {
	case errors.As(e.Err, &pe):
		return usageErrorf("--box %q: %q is not a finite number", e.Text, pe.Text)
	case errors.Is(e.Err, experiment.ErrEmptyRange):
		return usageErrorf("--box %q: the range of %s needs min < max, got %s", e.Text, axis, e.Range)
	}
	return usageErrorf("--box %q: range %q of %s is not min:max", e.Text, e.Range, axis)
}

// formatBytes formats a byte count with a decimal unit, e.g. "4.8 GB".
func formatBytes(b float64) string { return experiment.FormatBytes(b) }

// assembleError words an operator that cannot be assembled (a singular
// diffusion, a drift that is not finite, a model without div D): bad input.
func assembleError(ae *experiment.AssembleError) error {
	switch {
	case errors.Is(ae, fokkerplanck.ErrSingularDiffusion):
		return usageErrorf("%v", ae)
	case ae.Scheme == fokkerplanck.Symmetric && ae.NoDivD:
		return usageErrorf("%v; use --scheme source", ae)
	}
	return usageErrorf("%v (check the model and --box)", ae)
}
