package fokkerplanck

import (
	"fmt"
	"math"

	"github.com/sgdsde/sgdsde/potentials"
)

// MinNodes is the smallest number of nodes per axis a grid may have.
const MinNodes = 8

// Grid is a uniform cell-centred grid on a box in one or two dimensions:
// node (i, j) sits at (Min[0] + (i + 1/2) H[0], Min[1] + (j + 1/2) H[1]),
// with H = (Max - Min) / N, so the box walls are cell faces. Node (i, j) has
// the index j*N[0] + i, which matches the (ny, nx) C-order layout of the
// output arrays. In 1-D, N[1] = 1.
type Grid struct {
	// Dim is the dimension, 1 or 2.
	Dim int
	// N is the number of nodes along each axis (N[1] = 1 in 1-D).
	N [2]int
	// Min and Max are the corners of the box, H the node spacing along
	// each axis.
	Min, Max [2]float64
	H        [2]float64
	// Periodic makes every axis periodic instead of bounded by zero-flux walls.
	Periodic bool
}

// NewGrid returns the grid with n[i] nodes along axis i of the box.
func NewGrid(box potentials.Box, n []int, periodic bool) (*Grid, error) {
	d := len(box.Min)
	if d < 1 || d > 2 {
		return nil, fmt.Errorf("grids are 1-D or 2-D, the box has dimension %d", d)
	}
	if len(n) != d {
		return nil, fmt.Errorf("grid has %d sizes for a %d-D box", len(n), d)
	}
	g := &Grid{Dim: d, N: [2]int{1, 1}, Periodic: periodic}
	for a := 0; a < d; a++ {
		if n[a] < MinNodes {
			return nil, fmt.Errorf("grid of %d nodes along %s is too small: use at least %d", n[a], axisName(a), MinNodes)
		}
		lo, hi := box.Min[a], box.Max[a]
		if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
			return nil, fmt.Errorf("box along %s is [%g, %g]: need finite min < max", axisName(a), lo, hi)
		}
		g.N[a] = n[a]
		g.Min[a], g.Max[a] = lo, hi
		g.H[a] = (hi - lo) / float64(n[a])
	}
	return g, nil
}

func axisName(a int) string { return [2]string{"x", "y"}[a] }

// Len returns the number of nodes.
func (g *Grid) Len() int { return g.N[0] * g.N[1] }

// Coord returns coordinate number k of the nodes along axis a.
func (g *Grid) Coord(a, k int) float64 { return g.Min[a] + (float64(k)+0.5)*g.H[a] }

// Axis returns the node coordinates along axis a.
func (g *Grid) Axis(a int) []float64 {
	x := make([]float64, g.N[a])
	for k := range x {
		x[k] = g.Coord(a, k)
	}
	return x
}

// Point writes the coordinates of node idx into dst (length Dim).
func (g *Grid) Point(dst []float64, idx int) {
	i, j := idx%g.N[0], idx/g.N[0]
	dst[0] = g.Coord(0, i)
	if g.Dim == 2 {
		dst[1] = g.Coord(1, j)
	}
}

// CellVolume returns the volume (length in 1-D, area in 2-D) of one cell.
func (g *Grid) CellVolume() float64 {
	if g.Dim == 1 {
		return g.H[0]
	}
	return g.H[0] * g.H[1]
}

// Nearest returns the index of the node nearest to x (clamped to the grid).
func (g *Grid) Nearest(x []float64) int {
	idx := 0
	stride := 1
	for a := 0; a < g.Dim; a++ {
		k := int(math.Floor((x[a] - g.Min[a]) / g.H[a]))
		k = min(max(k, 0), g.N[a]-1)
		idx += k * stride
		stride *= g.N[a]
	}
	return idx
}

// String describes the grid, e.g. "256 x 256 nodes on [-2.5, 2.5] x [-2.5, 2.5]".
func (g *Grid) String() string {
	if g.Dim == 1 {
		return fmt.Sprintf("%d nodes on [%g, %g]", g.N[0], g.Min[0], g.Max[0])
	}
	return fmt.Sprintf("%d x %d nodes on [%g, %g] x [%g, %g]", g.N[0], g.N[1], g.Min[0], g.Max[0], g.Min[1], g.Max[1])
}

// SquareCells returns the node counts of a 2-D grid on box with n nodes
// along the longer side and cells as nearly square as the box allows (at
// least MinNodes along the shorter side).
func SquareCells(box potentials.Box, n int) []int {
	wx, wy := box.Max[0]-box.Min[0], box.Max[1]-box.Min[1]
	if wx >= wy {
		return []int{n, max(MinNodes, int(math.Round(float64(n)*wy/wx)))}
	}
	return []int{max(MinNodes, int(math.Round(float64(n)*wx/wy))), n}
}
