package main

// The grid flags shared by the commands that solve the Fokker–Planck
// equation on a grid (steady, evolve, and later cycles): grid size, box,
// boundary, scheme and solver tolerance. Parsing, validation and the memory
// check only: the numerics live in fokkerplanck.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
)

// Defaults of the grid flags.
const (
	defaultGrid2D  = 256
	defaultGrid1D  = 2048
	defaultGridTol = 1e-10
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
type gridInfo struct {
	// Grid is [nx] in 1-D and [nx, ny] in 2-D.
	Grid []int `json:"grid"`
	// Box is [[xmin, xmax]] or [[xmin, xmax], [ymin, ymax]].
	Box      [][2]float64 `json:"box"`
	Periodic bool         `json:"periodic"`
	Scheme   string       `json:"scheme"`
	Tol      float64      `json:"tol"`
}

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
	scheme, err := gf.validate()
	if err != nil {
		return nil, gridInfo{}, err
	}
	d := m.Dim
	if d != 1 && d != 2 {
		return nil, gridInfo{}, usageErrorf("grids are 1-D or 2-D; model %q is %d-D", m.Name, d)
	}
	n := []int{defaultGrid2D, defaultGrid2D}
	if d == 1 {
		n = []int{defaultGrid1D}
	}
	if gf.fs.Changed("grid") {
		if n, err = parseGridSize(gf.grid, d); err != nil {
			return nil, gridInfo{}, err
		}
	}
	box := m.DefaultBox(T)
	if gf.fs.Changed("box") {
		if box, err = parseBox(gf.box, d); err != nil {
			return nil, gridInfo{}, err
		}
	} else if len(box.Min) != d || len(box.Max) != d {
		return nil, gridInfo{}, usageErrorf("model %q has no default box: give --box", m.Name)
	}
	if err := checkGridMemory(n); err != nil {
		return nil, gridInfo{}, err
	}
	g, err := fokkerplanck.NewGrid(box, n, gf.periodic)
	if err != nil {
		return nil, gridInfo{}, usageErrorf("%v (check --grid and --box)", err)
	}
	info := gridInfo{Grid: n, Periodic: gf.periodic, Scheme: scheme.String(), Tol: gf.tol}
	for a := 0; a < d; a++ {
		info.Box = append(info.Box, [2]float64{box.Min[a], box.Max[a]})
	}
	return g, info, nil
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

// maxGridNodes bounds the number of nodes: the operator indexes nodes with
// int32.
const maxGridNodes = math.MaxInt32

// checkGridMemory refuses, before anything is allocated, a grid whose solve
// needs more memory than the machine has available (when that can be read)
// or more nodes than the operator can index.
func checkGridMemory(n []int) error {
	nodes := 1.0
	for _, v := range n {
		nodes *= float64(v)
	}
	size := strconv.Itoa(n[0])
	if len(n) == 2 {
		size += " x " + strconv.Itoa(n[1])
	}
	var need float64 // fokkerplanck.MemoryEstimate, scaled linearly beyond int range
	if nodes <= maxGridNodes {
		need = float64(fokkerplanck.MemoryEstimate(int(nodes)))
	} else {
		need = nodes * float64(fokkerplanck.MemoryEstimate(1))
	}
	if avail, ok := availableMemory(); ok && need > float64(avail) {
		return usageErrorf("grid %s needs about %s of memory, more than the %s available: use a smaller --grid (at most about %s)",
			size, formatBytes(need), formatBytes(float64(avail)), maxGridHint(len(n), avail))
	}
	if nodes > maxGridNodes {
		return usageErrorf("grid %s has %.3g nodes, more than the %d a grid can have: use a smaller --grid", size, nodes, maxGridNodes)
	}
	return nil
}

// maxGridHint suggests the largest grid (per axis) that fits in avail bytes.
func maxGridHint(d int, avail int64) string {
	nodes := float64(avail) / float64(fokkerplanck.MemoryEstimate(1))
	if d == 1 {
		return fmt.Sprintf("%d", int(nodes))
	}
	return fmt.Sprintf("%d", int(math.Sqrt(nodes)))
}

// formatBytes formats a byte count with a decimal unit, e.g. "4.8 GB".
func formatBytes(b float64) string {
	for _, u := range []struct {
		name string
		size float64
	}{{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}} {
		if b >= u.size {
			return fmt.Sprintf("%.3g %s", b/u.size, u.name)
		}
	}
	return fmt.Sprintf("%.0f bytes", b)
}

// assemble builds the grid operator of model m at temperature T. A
// cancelled context is a run failure; every other error (a singular
// diffusion, a drift that is not finite, a model without div D) is bad input.
func assemble(ctx context.Context, m potentials.Model, T float64, g *fokkerplanck.Grid, scheme fokkerplanck.Scheme, command, out string) (*fokkerplanck.Operator, float64, error) {
	start := time.Now()
	op, err := fokkerplanck.NewOperatorScheme(ctx, m, T, g, scheme)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, 0, failureErrorf("%s interrupted (%v); nothing was written to %s", command, ctxErr, out)
		}
		if errors.Is(err, fokkerplanck.ErrSingularDiffusion) {
			return nil, 0, usageErrorf("%v", err)
		}
		if scheme == fokkerplanck.Symmetric && m.DivDiffusion == nil {
			return nil, 0, usageErrorf("%v; use --scheme source", err)
		}
		return nil, 0, usageErrorf("%v (check the model and --box)", err)
	}
	return op, time.Since(start).Seconds(), nil
}

// temperatureSource describes where T came from, for the human summaries.
func temperatureSource(t temperatureInfo) string {
	if t.SGD == nil {
		return t.From
	}
	s := fmt.Sprintf("lr %g, batch %d", t.SGD.LR, t.SGD.Batch)
	if t.SGD.WithoutReplacement {
		s += fmt.Sprintf(", %d samples without replacement", t.SGD.Samples)
	}
	return s
}

// boundaryName describes the boundary of a grid in words.
func boundaryName(periodic bool) string {
	if periodic {
		return "periodic"
	}
	return "zero-flux walls"
}
