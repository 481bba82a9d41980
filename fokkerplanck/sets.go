package fokkerplanck

import (
	"errors"
	"fmt"
	"math"
)

// NodeSet is a set of nodes of a grid, the target of a first passage or one
// side of a transition: Mask has one entry per node (in node order), true
// for the nodes in the set. Build one with Grid.Disc, Grid.NodeSet or
// Basins.Set.
type NodeSet struct {
	// Mask marks the nodes of the set.
	Mask []bool
	// Name describes the set in errors, e.g. "the disc of radius 0.2
	// about (1, 0)".
	Name string
}

// Count returns the number of nodes in the set.
func (s NodeSet) Count() int {
	c := 0
	for _, in := range s.Mask {
		if in {
			c++
		}
	}
	return c
}

// Contains reports whether node i is in the set.
func (s NodeSet) Contains(i int) bool { return i >= 0 && i < len(s.Mask) && s.Mask[i] }

// Disc returns the nodes whose distance from centre is at most radius (in
// 1-D the interval [centre - radius, centre + radius]); on a periodic grid
// distances wrap. The centre must lie in the closed box (an
// *OutsideBoxError otherwise) and the disc must hold a node (an
// *EmptySetError with the distance of the nearest node otherwise).
func (g *Grid) Disc(centre []float64, radius float64) (NodeSet, error) {
	if len(centre) != g.Dim {
		return NodeSet{}, fmt.Errorf("the centre of a disc has %d coordinates, the grid is %d-D", len(centre), g.Dim)
	}
	name := fmt.Sprintf("the disc of radius %g about (%s)", radius, fmtCoords(centre))
	if g.Dim == 1 {
		name = fmt.Sprintf("the interval [%g, %g]", centre[0]-radius, centre[0]+radius)
	}
	if !(radius > 0) || math.IsInf(radius, 0) {
		return NodeSet{}, fmt.Errorf("the radius of %s must be positive and finite, got %g", name, radius)
	}
	if !g.contains(centre) {
		return NodeSet{}, &OutsideBoxError{What: "the centre of " + name, X: append([]float64(nil), centre...), Min: g.Min, Max: g.Max, Dim: g.Dim}
	}
	s := NodeSet{Mask: make([]bool, g.Len()), Name: name}
	x := make([]float64, g.Dim)
	nearest := math.Inf(1)
	count := 0
	for i := range s.Mask {
		g.Point(x, i)
		d := g.distance(x, centre)
		nearest = math.Min(nearest, d)
		if d <= radius {
			s.Mask[i] = true
			count++
		}
	}
	if count == 0 {
		return NodeSet{}, &EmptySetError{Set: name, NearestDistance: nearest}
	}
	return s, nil
}

// NodeSet returns the set of the nodes marked in mask (one entry per node,
// copied), described in errors by name. A mask of the wrong length is an
// error, and one that marks no node an *EmptySetError.
func (g *Grid) NodeSet(mask []bool, name string) (NodeSet, error) {
	if len(mask) != g.Len() {
		return NodeSet{}, fmt.Errorf("the mask of %s has %d entries, the grid has %d nodes", name, len(mask), g.Len())
	}
	s := NodeSet{Mask: append([]bool(nil), mask...), Name: name}
	if s.Count() == 0 {
		return NodeSet{}, &EmptySetError{Set: name, NearestDistance: math.NaN()}
	}
	return s, nil
}

// contains reports whether x lies in the closed box of the grid.
func (g *Grid) contains(x []float64) bool {
	for a := 0; a < g.Dim; a++ {
		if !(x[a] >= g.Min[a] && x[a] <= g.Max[a]) {
			return false
		}
	}
	return true
}

// distance returns |x - y|, the shortest distance on a periodic grid.
func (g *Grid) distance(x, y []float64) float64 {
	s := 0.0
	for a := 0; a < g.Dim; a++ {
		d := math.Abs(x[a] - y[a])
		if g.Periodic {
			w := g.Max[a] - g.Min[a]
			d = math.Min(d, w-math.Mod(d, w))
		}
		s += d * d
	}
	return math.Sqrt(s)
}

// checkSet returns an error unless s is a non-empty set of g's nodes.
func (g *Grid) checkSet(s NodeSet, role string) error {
	if len(s.Mask) != g.Len() {
		return fmt.Errorf("%s %s has %d entries, the grid has %d nodes", role, s.Name, len(s.Mask), g.Len())
	}
	if s.Count() == 0 {
		return &EmptySetError{Set: s.Name, NearestDistance: math.NaN()}
	}
	return nil
}

// EmptySetError reports a set of nodes (a target, one side of a
// transition) that holds no node of the grid.
type EmptySetError struct {
	// Set describes the set.
	Set string
	// NearestDistance is, for a disc, the distance from its centre to the
	// nearest node (the smallest radius that would hold a node); NaN for
	// other sets.
	NearestDistance float64
}

// Error names the set and, for a disc, the radius that would hold a node.
func (e *EmptySetError) Error() string {
	if math.IsNaN(e.NearestDistance) {
		return fmt.Sprintf("%s holds no grid node", e.Set)
	}
	return fmt.Sprintf("%s holds no grid node: the nearest node is %.4g away, use at least that radius or a finer grid", e.Set, e.NearestDistance)
}

// OutsideBoxError reports a point (a disc's centre, a start) outside the
// grid's box.
type OutsideBoxError struct {
	// What names the point, X is the point and Min, Max the box (the first
	// Dim entries).
	What     string
	X        []float64
	Min, Max [2]float64
	Dim      int
}

// Error names the point and the box.
func (e *OutsideBoxError) Error() string {
	box := fmt.Sprintf("[%g, %g]", e.Min[0], e.Max[0])
	if e.Dim == 2 {
		box += fmt.Sprintf(" x [%g, %g]", e.Min[1], e.Max[1])
	}
	return fmt.Sprintf("%s, (%s), is outside the box %s", e.What, fmtCoords(e.X), box)
}

// OverlapError reports two sets of a transition (A and B of a committor)
// that share nodes.
type OverlapError struct {
	// A and B describe the sets, Nodes counts the shared nodes and X is the
	// position of the first.
	A, B  string
	Nodes int
	X     []float64
}

// Error names the sets and where they meet.
func (e *OverlapError) Error() string {
	return fmt.Sprintf("%s and %s share %d nodes (the first at (%s)): they must be disjoint", e.A, e.B, e.Nodes, fmtCoords(e.X))
}

// UnreachableError reports nodes from which the process cannot reach a
// target: every path from them to the target needs a jump whose rate is zero
// (rates underflow where the cell Peclet number exceeds about 700), so the
// first-passage time there is infinite and the backward system singular.
type UnreachableError struct {
	// Target describes the target, Nodes counts the nodes that cannot
	// reach it and X is the position of the first.
	Target string
	Nodes  int
	X      []float64
}

// Error names the target and where it cannot be reached from.
func (e *UnreachableError) Error() string {
	return fmt.Sprintf("%s cannot be reached from %d nodes (the first at (%s)): their jump rates towards it underflow; use a finer grid or a higher temperature", e.Target, e.Nodes, fmtCoords(e.X))
}

// StartInTargetError reports a start point whose node lies in the target of
// a first passage.
type StartInTargetError struct {
	// X is the start, Node its nearest node and Target describes the target.
	X      []float64
	Node   int
	Target string
}

// Error names the start and the target.
func (e *StartInTargetError) Error() string {
	return fmt.Sprintf("the start (%s) lies in %s: its first-passage time is 0; start outside the target", fmtCoords(e.X), e.Target)
}

// BackwardNotConvergedError reports a solve of a backward equation (a
// first-passage time, a committor, a step of the relaxation-rate iteration)
// whose result did not meet the tolerance.
type BackwardNotConvergedError struct {
	// Problem names the equation, e.g. "mean first-passage time".
	Problem string
	// Residual is the relative residual reached (see MFPT.Residual) and Tol
	// the tolerance it missed; Imbalance is the relative imbalance of the
	// same result (see MFPT.Imbalance), above the round-off floor 1e-13.
	Residual, Tol, Imbalance float64
	// JumpTimes is the largest value of the result in units of the mean
	// time between jumps at its node, max_i |G_ii| |u_i|, over the size of
	// the source and the boundary values: for a first-passage time, the
	// number of jumps it spans. The system's condition grows with it; a
	// result at the round-off floor is accepted up to 1e12, and beyond about
	// 1e15 the system is singular in double precision.
	JumpTimes float64
	// OutOfRange reports a result that leaves the range [Lo, Hi] the
	// solution must lie in (a committor [0, 1], a first-passage time
	// [0, inf)) by more than round-off, reaching [Min, Max]: the
	// residual may then meet Tol while the result is wrong.
	OutOfRange       bool
	Lo, Hi, Min, Max float64
	// Iterations counts the Krylov iterations spent.
	Iterations int
	// Nodes is the size of the grid (Grid.N).
	Nodes [2]int
	// Err is the underlying solver error, if any.
	Err error
}

// Error states the residual, the tolerance and the work spent, and what to
// change: the temperature when the solution spans so many jump times that
// double precision cannot resolve it.
func (e *BackwardNotConvergedError) Error() string {
	hint := "try more grid nodes, a higher temperature or a looser tolerance"
	if e.JumpTimes > maxFloorJumpTimes {
		hint = fmt.Sprintf("the solution reaches %.2g times the mean time between jumps, more than double precision resolves (%.0g): raise the temperature or use fewer grid nodes", e.JumpTimes, maxFloorJumpTimes)
	}
	if e.OutOfRange {
		return fmt.Sprintf("%s did not converge: relative residual %.3g (tolerance %.3g), but the solution reaches [%.3g, %.3g] outside its range [%g, %g], after %d iterations on %d x %d nodes; %s",
			e.Problem, e.Residual, e.Tol, e.Min, e.Max, e.Lo, e.Hi, e.Iterations, e.Nodes[0], e.Nodes[1], hint)
	}
	return fmt.Sprintf("%s did not converge: relative residual %.3g, tolerance %.3g, after %d iterations on %d x %d nodes; %s",
		e.Problem, e.Residual, e.Tol, e.Iterations, e.Nodes[0], e.Nodes[1], hint)
}

// Unwrap returns the underlying solver error.
func (e *BackwardNotConvergedError) Unwrap() error { return e.Err }

// errNoSteady is returned by the functions that need a steady state when
// given none or one of another grid.
var errNoSteady = errors.New("a steady state of this operator is needed")
