package experiment

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
)

// Defaults of a zero GridSpec.
const (
	// DefaultGrid2D is the number of nodes per axis of a 2-D grid.
	DefaultGrid2D = 256
	// DefaultGrid1D is the number of nodes of a 1-D grid.
	DefaultGrid1D = 2048
	// DefaultTol is the largest accepted relative residual of a steady
	// state, ||L p||_1 / sum_i |L_ii| p_i.
	DefaultTol = 1e-10
)

// MaxGridNodes bounds the number of nodes of a grid: the operator indexes
// nodes with int32.
const MaxGridNodes = math.MaxInt32

// GridSpec selects the grid of a Fokker–Planck study.
type GridSpec struct {
	// Nodes is [nx] or [nx, ny]; one size gives a square 2-D grid; nil
	// means DefaultGrid1D or DefaultGrid2D per axis.
	Nodes []int
	// Box is the grid's box; the zero Box means the model's box at the
	// temperature (potentials.Model.DefaultBox), which holds its density.
	Box potentials.Box
	// Periodic makes every axis periodic instead of zero-flux walls.
	Periodic bool
	// Scheme is the discretisation (fokkerplanck.Symmetric by default).
	Scheme fokkerplanck.Scheme
	// Tol is the largest accepted relative residual of a steady state (0
	// means DefaultTol); it must lie in (0, 1).
	Tol float64
}

// GridInfo is what a summary echoes about the grid.
type GridInfo struct {
	// Grid is [nx] in 1-D and [nx, ny] in 2-D.
	Grid []int `json:"grid"`
	// Box is [[xmin, xmax]] or [[xmin, xmax], [ymin, ymax]].
	Box      [][2]float64 `json:"box"`
	Periodic bool         `json:"periodic"`
	Scheme   string       `json:"scheme"`
	Tol      float64      `json:"tol"`
}

// tol returns the accepted residual of s.
func (s GridSpec) tol() float64 {
	if s.Tol == 0 {
		return DefaultTol
	}
	return s.Tol
}

// SchemeName is the name of a scheme in summaries: "symmetric" or
// "source".
func SchemeName(s fokkerplanck.Scheme) string {
	if s == fokkerplanck.Source {
		return "source"
	}
	return "symmetric"
}

// Build returns the grid that s selects for model m at temperature T,
// after checking, before allocating anything, that a steady-state solve
// on it fits in the available memory. Its errors are *ValueError (a
// tolerance outside (0, 1)), *DimensionError, *GridSizeError, *BoxError
// (a box of another dimension), *NoBoxError,
// *MemoryError and the errors of fokkerplanck.NewGrid.
func (s GridSpec) Build(m potentials.Model, T float64) (*fokkerplanck.Grid, GridInfo, error) {
	tol := s.tol()
	if !(tol > 0) || tol >= 1 {
		return nil, GridInfo{}, &ValueError{What: "tolerance", Value: fmt.Sprint(tol), Want: "a number in (0, 1)"}
	}
	d := m.Dim
	if d != 1 && d != 2 {
		return nil, GridInfo{}, &DimensionError{Model: m.Name, Dim: d}
	}
	n := []int{DefaultGrid2D, DefaultGrid2D}
	if d == 1 {
		n = []int{DefaultGrid1D}
	}
	if s.Nodes != nil {
		if len(s.Nodes) > d || len(s.Nodes) == 0 {
			return nil, GridInfo{}, &GridSizeError{Nodes: s.Nodes, Dim: d, Min: fokkerplanck.MinNodes}
		}
		n = append([]int(nil), s.Nodes...)
		for _, v := range n {
			if v < fokkerplanck.MinNodes {
				return nil, GridInfo{}, &GridSizeError{Nodes: s.Nodes, Dim: d, Min: fokkerplanck.MinNodes}
			}
		}
		if d == 2 && len(n) == 1 {
			n = append(n, n[0])
		}
	}
	box := s.Box
	if n := len(box.Min); n != 0 && n != d {
		return nil, GridInfo{}, &BoxError{Text: boxText(box), Dim: d, Axis: -1}
	}
	if len(box.Min) == 0 && len(box.Max) == 0 {
		box = m.DefaultBox(T)
		if len(box.Min) != d || len(box.Max) != d {
			return nil, GridInfo{}, &NoBoxError{Model: m.Name}
		}
	}
	if err := CheckGridMemory(n); err != nil {
		return nil, GridInfo{}, err
	}
	g, err := fokkerplanck.NewGrid(box, n, s.Periodic)
	if err != nil {
		return nil, GridInfo{}, err
	}
	info := GridInfo{Grid: n, Periodic: s.Periodic, Scheme: SchemeName(s.Scheme), Tol: tol}
	for a := 0; a < d; a++ {
		info.Box = append(info.Box, [2]float64{box.Min[a], box.Max[a]})
	}
	return g, info, nil
}

// boxText formats a box as "xmin:xmax,ymin:ymax".
func boxText(b potentials.Box) string {
	parts := make([]string, len(b.Min))
	for a := range b.Min {
		parts[a] = fmt.Sprintf("%g:%g", b.Min[a], b.Max[a])
	}
	return strings.Join(parts, ",")
}

// CheckGridMemory refuses, before anything is allocated, a grid of n nodes
// per axis whose steady-state solve needs more memory than the machine has
// available (when that can be read) or that has more nodes than
// MaxGridNodes. Its error is *MemoryError.
func CheckGridMemory(n []int) error {
	nodes := 1.0
	for _, v := range n {
		nodes *= float64(v)
	}
	what := fmt.Sprintf("grid %d", n[0])
	if len(n) == 2 {
		what += fmt.Sprintf(" x %d", n[1])
	}
	var need float64 // fokkerplanck.MemoryEstimate, scaled linearly beyond int range
	if nodes <= MaxGridNodes {
		need = float64(fokkerplanck.MemoryEstimate(int(nodes)))
	} else {
		need = nodes * float64(fokkerplanck.MemoryEstimate(1))
	}
	if avail, ok := AvailableMemory(); ok && need > float64(avail) {
		per := float64(avail) / float64(fokkerplanck.MemoryEstimate(1))
		if len(n) == 2 {
			per = math.Sqrt(per)
		}
		return &MemoryError{What: what, Need: need, Avail: float64(avail), MaxPerAxis: int(per)}
	}
	if nodes > MaxGridNodes {
		return &MemoryError{What: what, Nodes: nodes, MaxNodes: MaxGridNodes}
	}
	return nil
}

// AssembleError is a model whose grid operator cannot be built: a
// diffusion that is singular on the grid, a drift that is not finite, or
// a model without div D for the symmetric scheme. Err is
// fokkerplanck.NewOperatorScheme's error.
type AssembleError struct {
	Err    error
	Scheme fokkerplanck.Scheme
	// NoDivD is true when the model has no div D (the symmetric scheme
	// needs it; the source scheme does not).
	NoDivD bool
}

func (e *AssembleError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *AssembleError) Unwrap() error { return e.Err }

// Assemble builds the grid operator of model m at temperature T on g and
// returns it with the time it took. A cancelled ctx returns ctx's error;
// every other error is an *AssembleError.
func Assemble(ctx context.Context, m potentials.Model, T float64, g *fokkerplanck.Grid, scheme fokkerplanck.Scheme) (*fokkerplanck.Operator, time.Duration, error) {
	start := time.Now()
	op, err := fokkerplanck.NewOperatorScheme(ctx, m, T, g, scheme)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, 0, ctxErr
		}
		return nil, 0, &AssembleError{Err: err, Scheme: scheme, NoDivD: m.DivDiffusion == nil}
	}
	return op, time.Since(start), nil
}
