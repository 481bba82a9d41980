package main

// The grid flags shared by the commands that solve the Fokker–Planck
// equation on a grid (steady, evolve, and later cycles): grid size, box,
// boundary, scheme and solver tolerance. Parsing, validation and the memory
// check only: the numerics live in fokkerplanck.

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
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

// gridInfo is what a summary echoes about the grid.
type gridInfo = experiment.GridInfo

// validate checks the grid flags that do not depend on the model.
func (gf *gridFlags) validate() (fokkerplanck.Scheme, error) {
	if !(gf.tol > 0) || gf.tol >= 1 {
		return 0, usageErrorf("--tol must be in (0, 1), got %g", gf.tol)
	}
	scheme, err := fokkerplanck.ParseScheme(gf.scheme)
	if err != nil {
		return 0, usageErrorf("--scheme: %v", err)
	}
	return scheme, nil
}

// build returns the grid selected by the flags for model m with the
// T-independent default box m.Box; buildAt is the same at a temperature.
func (gf *gridFlags) build(m potentials.Model) (*fokkerplanck.Grid, gridInfo, error) {
	return gf.buildAt(m, math.NaN())
}

// buildAt returns the grid selected by the flags for model m at temperature
// T, after checking (before allocating anything) that the solve fits in the
// available memory. Without --box the box is m.DefaultBox(T): the model's
// box at T (potentials.Model.BoxAt), which holds the steady state at T, or
// m.Box for a model without one or for T = NaN. All errors are bad-input
// errors.
func (gf *gridFlags) buildAt(m potentials.Model, T float64) (*fokkerplanck.Grid, gridInfo, error) {
	spec, err := gf.spec(m.Dim)
	if err != nil {
		return nil, gridInfo{}, err
	}
	g, info, err := spec.Build(m, T)
	if err != nil {
		return nil, gridInfo{}, gridErrorText(err)
	}
	return g, info, nil
}

// spec returns the grid specification of the flags for a d-D model. All
// errors are bad-input errors.
func (gf *gridFlags) spec(d int) (experiment.GridSpec, error) {
	scheme, err := gf.validate()
	if err != nil {
		return experiment.GridSpec{}, err
	}
	spec := experiment.GridSpec{Periodic: gf.periodic, Scheme: scheme, Tol: gf.tol}
	if gf.fs.Changed("grid") && (d == 1 || d == 2) {
		if spec.Nodes, err = parseGridSize(gf.grid, d); err != nil {
			return experiment.GridSpec{}, err
		}
	}
	if gf.fs.Changed("box") && (d == 1 || d == 2) {
		if spec.Box, err = parseBox(gf.box, d); err != nil {
			return experiment.GridSpec{}, err
		}
	}
	return spec, nil
}

// gridErrorText words an error of experiment.GridSpec.Build for the
// command line.
func gridErrorText(err error) error {
	var (
		me *experiment.MemoryError
		nb *experiment.NoBoxError
		de *experiment.DimensionError
	)
	switch {
	case errors.As(err, &me):
		if me.Avail == 0 {
			return usageErrorf("%s has %.3g nodes, more than the %d a grid can have: use a smaller --grid", me.What, me.Nodes, experiment.MaxGridNodes)
		}
		return usageErrorf("%s needs about %s of memory, more than the %s available: use a smaller --grid (at most about %d)",
			me.What, formatBytes(me.Need), formatBytes(me.Avail), me.MaxPerAxis)
	case errors.As(err, &nb):
		return usageErrorf("model %q has no default box: give --box", nb.Model)
	case errors.As(err, &de):
		return usageErrorf("%v", err)
	}
	return usageErrorf("%v (check --grid and --box)", err)
}

// parseGridSize parses --grid "NX[,NY]" for a d-D model: one number gives
// NX = NY in 2-D. Every size must be at least fokkerplanck.MinNodes.
func parseGridSize(s string, d int) ([]int, error) {
	parts := strings.Split(s, ",")
	if len(parts) > d {
		return nil, usageErrorf("--grid %q: want %s for a %d-D model", s, map[int]string{1: "one size NX", 2: "NX or NX,NY"}[d], d)
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
	if d == 2 && len(n) == 1 {
		n = append(n, n[0])
	}
	return n, nil
}

// parseBox parses --box "xmin:xmax[,ymin:ymax]" for a d-D model.
func parseBox(s string, d int) (potentials.Box, error) {
	parts := strings.Split(s, ",")
	if len(parts) != d {
		return potentials.Box{}, usageErrorf("--box %q: want %d comma-separated ranges min:max for a %d-D model, e.g. %s",
			s, d, d, map[int]string{1: "-3:3", 2: "-2.5:2.5,-2:2"}[d])
	}
	bounds := make([]float64, 0, 2*d)
	for i, p := range parts {
		lo, hi, ok := strings.Cut(p, ":")
		if !ok {
			return potentials.Box{}, usageErrorf("--box %q: range %q of %s is not min:max", s, strings.TrimSpace(p), "xy"[i:i+1])
		}
		var v [2]float64
		for k, t := range [2]string{lo, hi} {
			t = strings.TrimSpace(t)
			f, err := strconv.ParseFloat(t, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return potentials.Box{}, usageErrorf("--box %q: %q is not a finite number", s, t)
			}
			v[k] = f
		}
		if !(v[0] < v[1]) {
			return potentials.Box{}, usageErrorf("--box %q: the range of %s needs min < max, got %g:%g", s, "xy"[i:i+1], v[0], v[1])
		}
		bounds = append(bounds, v[0], v[1])
	}
	return potentials.NewBox(bounds...), nil
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
