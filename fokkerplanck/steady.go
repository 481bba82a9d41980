package fokkerplanck

import (
	"context"
	"fmt"
	"math"
	"time"
)

// SteadyOptions control the steady-state solve.
type SteadyOptions struct {
	// Tol is the relative residual at which the Krylov solver stops, in the
	// first solve and in the refinement scaled by the solution (which makes
	// it a relative accuracy of every entry); 0 means 1e-10.
	Tol float64
	// MaxIter bounds the Krylov iterations; 0 means 500.
	MaxIter int
	// TwoGrid solves the coarse grid of the two-grid checks
	// (CheckAssumption4 and CheckForce: half the nodes per axis over the
	// same box) first, with the same options, scales this grid's solve by
	// its result (instead of by a coarse grid solved only to 1e-3), and
	// keeps it in the Steady, so that those checks solve nothing again. It
	// applies to grids with an even number of at least 2 MinNodes nodes
	// along every axis and more than the dense-solve size in all; elsewhere
	// it changes nothing. A coarse grid that fails to converge does not fail
	// the steady state: it is then scaled as without TwoGrid, and the checks
	// report the coarse grid's error.
	TwoGrid bool

	coarse bool // a coarse level of the nested-grid recursion
}

// Steady is the steady state of an operator: the fields, the diagnostics
// and how the solve went.
type Steady struct {
	*Fields
	Diagnostics
	// Mass is the integral of Rho (1 up to round-off) and MinRho its minimum.
	Mass, MinRho float64
	// Residual is the relative residual ||L p||_1 / sum_i |L_ii| p_i of the
	// node probabilities p: the probability flux out of balance as a
	// fraction of the total flux out of the nodes. A Steady is returned only
	// when it meets the tolerance.
	Residual float64
	// AbsResidual is ||L p||_1 for p summing to 1 (units of 1/time).
	AbsResidual float64
	// NodeImbalance is the largest node-wise relative imbalance
	// |(L p)_i| / (|L_ii| p_i) over the nodes with p_i at least
	// NodeImbalanceFraction of the largest: the evidence that p, and so Phi,
	// is accurate node by node down to Phi - min Phi = T ln 1e20 (46 T),
	// which the flux-weighted Residual cannot give.
	NodeImbalance float64
	// Converged is true for every Steady that SteadyState returns: the
	// residual met the tolerance, p >= 0 and the mass is 1.
	Converged bool
	// CellPeclet is the largest cell Peclet number where rho is above
	// RegionFraction of its maximum (see [Operator.CellPeclet]).
	CellPeclet float64
	// Iterations of the Krylov solver (all passes and the coarse grids of the
	// scaling included), Passes the scaled passes on the final grid, and
	// SolveSeconds the wall time.
	Iterations int
	// FineIterations are those on this grid alone, which measure how the
	// solver scales with the grid.
	FineIterations int
	Passes         int
	SolveSeconds   float64
	// Pin is the node held at 1 during the solve.
	Pin int

	// coarse is the coarse grid solved for SteadyOptions.TwoGrid, if any.
	coarse *twoGridCoarse
}

// withDefaults returns opt with the zero Tol and MaxIter replaced by their
// defaults.
func (opt SteadyOptions) withDefaults() SteadyOptions {
	if opt.Tol == 0 {
		opt.Tol = 1e-10
	}
	if opt.MaxIter == 0 {
		opt.MaxIter = 500
	}
	return opt
}

// twoGridCoarse is the coarse steady state of the two-grid checks solved
// ahead of a steady state (SteadyOptions.TwoGrid): the grid size, the
// options, and the operator and steady state, or the error of its solve.
type twoGridCoarse struct {
	n       [2]int
	tol     float64
	maxIter int
	op      *Operator
	st      *Steady
	err     error
}

// PinNode returns the node held fixed in the steady-state solve: the grid
// minimum of the loss when the model has one (where rho is largest for a
// gradient drift), otherwise the node nearest the box centre.
func (op *Operator) PinNode() int {
	g := op.Grid
	if op.Model.Loss != nil {
		// The first node with the smallest loss: the minimum of each
		// block of nodes, then of the blocks in order (the same node
		// whatever the number of workers).
		n := g.Len()
		workers := workerCount(n)
		best, at := make([]float64, workers), make([]int, workers)
		inParallel(workers, func(k int) {
			x := make([]float64, g.Dim)
			b, bi := math.Inf(1), n*k/workers
			for i := n * k / workers; i < n*(k+1)/workers; i++ {
				g.Point(x, i)
				if v := op.Model.Loss(x); v < b {
					b, bi = v, i
				}
			}
			best[k], at[k] = b, bi
		})
		b, bi := math.Inf(1), 0
		for k := range best {
			if best[k] < b {
				b, bi = best[k], at[k]
			}
		}
		return bi
	}
	x := make([]float64, g.Dim)
	for a := 0; a < g.Dim; a++ {
		x[a] = (g.Min[a] + g.Max[a]) / 2
	}
	return g.Nearest(x)
}

// NotConvergedError reports a steady-state solve whose result did not
// meet the tolerance: the relative residual (see [Steady].Residual) reached,
// the tolerance, the work spent and the largest cell Peclet number where the
// density is not negligible, which tells whether the grid resolves the
// model.
type NotConvergedError struct {
	// Residual is the relative residual reached and Tol the tolerance it
	// missed.
	Residual, Tol float64
	// Iterations counts the Krylov iterations and Passes the scaled passes
	// spent (as in Steady).
	Iterations, Passes int
	// Nodes is the size of the grid (Grid.N).
	Nodes [2]int
	// CellPeclet is the largest |z| = |b . h| / (T h . D^-1 ... ) of the
	// exponentially fitted rates (log of the ratio of the two rates of an
	// edge) over the edges where the best result has rho > RegionFraction
	// max rho; above about 10 the grid does not resolve the drift.
	CellPeclet float64
	// Err is the underlying solver error, if any.
	Err error
}

// Error states the residual, the tolerance and the work spent, and what to
// change: the grid when the cell Peclet number exceeds PecletLimit.
func (e *NotConvergedError) Error() string {
	hint := "try more grid nodes, a smaller box, a higher temperature or a looser tolerance"
	if e.CellPeclet > PecletLimit {
		hint = fmt.Sprintf("the cell Peclet number reaches %.3g where rho is not negligible, so the grid does not resolve the drift at this temperature: use more grid nodes, a smaller box or a higher temperature", e.CellPeclet)
	}
	return fmt.Sprintf("steady state did not converge: relative residual %.3g, tolerance %.3g, after %d iterations on %d x %d nodes; %s",
		e.Residual, e.Tol, e.Iterations, e.Nodes[0], e.Nodes[1], hint)
}

// Unwrap returns the underlying solver error.
func (e *NotConvergedError) Unwrap() error { return e.Err }

// NodeImbalanceFraction is the share of the largest node probability down
// to which Steady.NodeImbalance is taken. Below it the solver relaxes the
// nodes only approximately (and below 1e-30 holds them at an estimate while
// it solves).
const NodeImbalanceFraction = 1e-20

// PecletLimit is the cell Peclet number (see [Operator.CellPeclet]) above
// which the grid does not resolve the drift: the density changes by a factor
// of more than e^10 from node to node, the exponentially fitted scheme is no
// longer accurate there, and a failure to converge is blamed on the grid.
// The default runs of the built-in landscapes stay below 4.
const PecletLimit = 10

// CellPeclet returns the largest cell Peclet number |z| over the edges with
// at least one end node at p >= frac max p (so that a density squeezed into
// a single node still shows its unresolved edges), where z is the exponent
// of the
// exponentially fitted (Scharfetter–Gummel) rates: rate(A->B) /
// rate(B->A) = exp(-z), z = -delta . D^-1 (b - T div D) / T at the edge
// midpoint. |z| << 1 means diffusion dominates on the scale of one cell;
// |z| >> 1 means the grid does not resolve the drift (the density changes by
// a factor exp(|z|) from node to node); an edge with one rate underflowed
// to zero counts as log(MaxFloat64) = 709.8. With p = nil every edge counts.
func (op *Operator) CellPeclet(p []float64, frac float64) float64 {
	pmax := 0.0
	for _, v := range p {
		pmax = max(pmax, v)
	}
	cut := frac * pmax
	// The largest rate ratio, and one logarithm at the end.
	ratio := 1.0
	for e := range op.edgeA {
		if p != nil && p[op.edgeA[e]] < cut && p[op.edgeB[e]] < cut {
			continue
		}
		ab, ba := op.rateAB[e], op.rateBA[e]
		if ab == 0 && ba == 0 {
			continue
		}
		if ab == 0 || ba == 0 {
			// One rate underflowed: |z| beyond 700.
			ratio = math.MaxFloat64
			continue
		}
		if ab < ba {
			ab, ba = ba, ab
		}
		if ab > ratio*ba {
			ratio = ab / ba
		}
	}
	return math.Log(ratio)
}

// SteadyState solves L p = 0 with one node pinned to 1 (a full
// normalisation row would ruin sparsity), normalises p to sum 1, and
// derives the fields and diagnostics. The result is accepted only when the
// relative residual of the unscaled system, ||L p||_1 / sum_i |L_ii| p_i,
// meets opt.Tol, p >= 0 and the mass is 1; otherwise the error is a
// *NotConvergedError with the residual reached.
func (op *Operator) SteadyState(ctx context.Context, opt SteadyOptions) (*Steady, error) {
	opt = opt.withDefaults()
	pin := op.PinNode()
	start := time.Now()
	p, info, err := op.solvePinned(ctx, pin, opt)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	fail := func(res float64, err error) error {
		return &NotConvergedError{Residual: res, Tol: opt.Tol, Iterations: info.iters, Passes: info.passes,
			Nodes: op.Grid.N, CellPeclet: op.CellPeclet(p, RegionFraction), Err: err}
	}
	if p == nil {
		return nil, fail(info.residual, err)
	}
	st := &Steady{Iterations: info.iters, FineIterations: info.fineIters, Passes: info.passes, SolveSeconds: time.Since(start).Seconds(), Pin: pin, coarse: info.coarse}
	sum := 0.0
	for _, v := range p {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, fail(math.Inf(1), fmt.Errorf("negative or non-finite probability %g", v))
		}
		sum += v
	}
	if !(sum > 0) || math.IsInf(sum, 0) {
		return nil, fail(math.Inf(1), fmt.Errorf("total probability %g", sum))
	}
	for i := range p {
		p[i] /= sum
	}
	// The acceptance check, on the normalised result whatever path gave it.
	pmax := 0.0
	for _, v := range p {
		pmax = max(pmax, v)
	}
	st.Residual, st.AbsResidual, st.NodeImbalance = residuals(op.gen, p, NodeImbalanceFraction*pmax)
	if !(st.Residual <= opt.Tol) {
		return nil, fail(st.Residual, err)
	}
	st.Converged = true
	st.Fields = op.Fields(p)
	st.Diagnostics = op.Diagnose(st.Fields)
	vol := op.Grid.CellVolume()
	st.MinRho = math.Inf(1)
	for _, v := range st.Rho {
		st.Mass += v * vol
		st.MinRho = min(st.MinRho, v)
	}
	if math.Abs(st.Mass-1) > 1e-9 {
		return nil, fail(st.Residual, fmt.Errorf("mass %.15g instead of 1", st.Mass))
	}
	st.CellPeclet = op.CellPeclet(p, RegionFraction)
	return st, nil
}
