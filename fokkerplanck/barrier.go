package fokkerplanck

import (
	"errors"
	"math"
	"slices"
)

// ErrNoPath is the error of SaddleHeight when no path of nodes joins the
// two sets (one of them is empty, or every path crosses nodes where u is
// not finite).
var ErrNoPath = errors.New("no path of nodes joins the two sets")

// SaddleHeight returns the height of the lowest pass between the node
// sets a and b of g in the field u (for example Phi, or the loss f on the
// nodes): the minimax
//
//	h = min over paths P from a to b of max over nodes x on P of u(x),
//
// over paths that step between neighbouring nodes (the 4-neighbours in
// 2-D, wrapping across periodic axes), and the node where that maximum is
// reached (the saddle). The barrier from a minimum m in a is then
// h - u(m). Nodes where u is not finite (Phi where rho underflows) are not
// crossed. It adds the nodes in increasing order of u to a union-find
// forest until a and b are joined (Kruskal's construction of the minimax
// path), in O(N log N).
func SaddleHeight(g *Grid, u []float64, a, b []int) (h float64, saddle int, err error) {
	n := g.Len()
	if len(u) != n {
		return math.NaN(), -1, errors.New("field length does not match the grid")
	}
	if len(a) == 0 || len(b) == 0 {
		return math.NaN(), -1, ErrNoPath
	}
	inA := make([]bool, n)
	for _, i := range a {
		inA[i] = true
	}
	// Sets that share nodes are joined at the lowest shared one.
	h, saddle = math.Inf(1), -1
	for _, i := range b {
		if inA[i] && u[i] < h {
			h, saddle = u[i], i
		}
	}
	if saddle >= 0 {
		return h, saddle, nil
	}
	order := make([]int, 0, n)
	for i := range n {
		if !math.IsNaN(u[i]) && !math.IsInf(u[i], 0) {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(i, j int) int {
		switch {
		case u[i] < u[j]:
			return -1
		case u[i] > u[j]:
			return 1
		}
		return 0
	})
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = -1 // not added yet
	}
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	// A representative node of each set; the sets are joined when their
	// nodes are added, so that a and b are each one component.
	inB := make([]bool, n)
	for _, i := range b {
		inB[i] = true
	}
	repA, repB := int32(-1), int32(-1)
	join := func(i, j int32) {
		ri, rj := find(i), find(j)
		if ri != rj {
			parent[ri] = rj
		}
	}
	for _, idx := range order {
		i := int32(idx)
		parent[i] = i
		if inA[idx] {
			if repA >= 0 {
				join(i, repA)
			}
			repA = i
		}
		if inB[idx] {
			if repB >= 0 {
				join(i, repB)
			}
			repB = i
		}
		ix, iy := idx%g.N[0], idx/g.N[0]
		for _, d := range [4][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
			if g.Dim == 1 && d[1] != 0 {
				continue
			}
			j, ok := g.neighbour(ix, iy, d[0], d[1])
			if ok && parent[j] >= 0 {
				join(i, int32(j))
			}
		}
		if repA >= 0 && repB >= 0 && find(repA) == find(repB) {
			return u[idx], idx, nil
		}
	}
	return math.NaN(), -1, ErrNoPath
}
