package fokkerplanck

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/sgdsde/sgdsde/internal/sparse"
)

// This file solves backward equations of the discrete chain: boundary
// value problems for functions of the nodes,
//
//	(G u)_i = s_i  at the free nodes,    u_i = v_i  at the fixed nodes,
//
// where G is the rate matrix of a Markov chain on the nodes (G_ij >= 0 the
// rate of the jump i -> j, rows summing to zero): the backward generator
// Q = L^T of the Fokker–Planck operator for first-passage times and forward
// committors, the generator Q~ = Pi^-1 L Pi of the time-reversed chain for
// backward committors. The constant is a null vector of every such G, which
// geometric multigrid represents exactly, so the solves need none of the
// scaling of the steady-state solver: GMRES(50) preconditioned by one
// multigrid V-cycle (lumped coarse operators, one Gauss–Seidel sweep each way,
// two after escalateAfter iterations), as in solve.go, on the system with
// the fixed nodes as identity rows (which the multigrid keeps out of its
// transfers) and every free row divided by its diagonal.

// BackwardOptions control the solves of backward equations
// (Operator.MeanFirstPassage, Operator.Committor, Operator.ReactiveFlux and
// the inner solves of Operator.RelaxationRate).
type BackwardOptions struct {
	// Tol is the relative residual a solution must reach (see
	// MFPT.Residual; a solution at the round-off floor of its equations is
	// accepted above it); 0 means 1e-10.
	Tol float64
	// MaxIter bounds the Krylov iterations of one solve; 0 means 500.
	MaxIter int
}

func (o BackwardOptions) withDefaults() BackwardOptions {
	if o.Tol == 0 {
		o.Tol = 1e-10
	}
	if o.MaxIter == 0 {
		o.MaxIter = 500
	}
	return o
}

func (o BackwardOptions) check() error {
	if !(o.Tol > 0 && o.Tol < 1) || o.MaxIter < 1 {
		return fmt.Errorf("backward solve options: need 0 < Tol < 1 and MaxIter >= 1, got %g and %d", o.Tol, o.MaxIter)
	}
	return nil
}

// maxRefine bounds the passes of iterative refinement of a backward solve.
const maxRefine = 4

// backwardSolver solves (G u)_i = s_i at the free nodes with u fixed at the
// others, for one G and one set of fixed nodes and any number of right-hand
// sides (the relaxation rate solves many).
type backwardSolver struct {
	g     *Grid
	gen   *sparse.CSR // G
	fixed []bool
	// a is the reduced system: identity rows at the fixed nodes; at a free
	// node row i of G without the fixed columns, divided by d[i] = |G_ii|.
	a      *sparse.CSR
	d      []float64
	mg     [2]*sparse.Multigrid // one and two smoothing sweeps, built when needed
	strong bool                 // the two-sweep cycle is in use
	work   sparse.Workspace
	opt    BackwardOptions
	// Scratch vectors of one solve.
	b, r, dx []float64
}

// backwardInfo is how a backward solve went.
type backwardInfo struct {
	residual   float64 // relative residual of the result (residuals)
	imbalance  float64 // its relative imbalance (residuals)
	jumpTimes  float64 // its largest value in jump times (solve)
	iterations int     // Krylov iterations, all passes
	passes     int     // refinement passes
}

// newBackwardSolver builds the reduced system of gen with the fixed nodes.
// Every free row must have a non-zero diagonal (a node with no jump out of
// it can reach nothing; reachability is checked first by the callers).
func newBackwardSolver(g *Grid, gen *sparse.CSR, fixed []bool, opt BackwardOptions) (*backwardSolver, error) {
	n := gen.Rows
	s := &backwardSolver{g: g, gen: gen, fixed: fixed, opt: opt, d: make([]float64, n)}
	rowPtr := make([]int, n+1)
	nnz := 0
	for i := 0; i < n; i++ {
		if fixed[i] {
			nnz++
		} else {
			for q := gen.RowPtr[i]; q < gen.RowPtr[i+1]; q++ {
				if !fixed[gen.Col[q]] || int(gen.Col[q]) == i {
					nnz++
				}
			}
		}
		rowPtr[i+1] = nnz
	}
	col := make([]int32, nnz)
	val := make([]float64, nnz)
	w := 0
	for i := 0; i < n; i++ {
		if fixed[i] {
			col[w], val[w] = int32(i), 1
			w++
			s.d[i] = 1
			continue
		}
		for q := gen.RowPtr[i]; q < gen.RowPtr[i+1]; q++ {
			if int(gen.Col[q]) == i {
				s.d[i] = math.Abs(gen.Val[q])
			}
		}
		if !(s.d[i] > 0) {
			return nil, fmt.Errorf("node %d has no jump out of it", i)
		}
		inv := 1 / s.d[i]
		for q := gen.RowPtr[i]; q < gen.RowPtr[i+1]; q++ {
			c := gen.Col[q]
			if fixed[c] && int(c) != i {
				continue
			}
			col[w], val[w] = c, gen.Val[q]*inv
			w++
		}
	}
	s.a = &sparse.CSR{Rows: n, Cols: n, RowPtr: rowPtr, Col: col, Val: val}
	s.b, s.r, s.dx = make([]float64, n), make([]float64, n), make([]float64, n)
	return s, nil
}

// precond returns the multigrid cycle in use, building it on first use.
func (s *backwardSolver) precond() (*sparse.Multigrid, error) {
	k := 0
	if s.strong {
		k = 1
	}
	if s.mg[k] == nil {
		g := s.g
		// The coarsest level, solved by dense LU, is at most a quarter of
		// the grid: never the grid itself.
		coarsest := min(400, max(g.Len()/4, 1))
		mg, err := sparse.NewGridMultigrid(s.a, g.N[0], g.N[1], g.Periodic, g.Periodic && g.Dim == 2,
			sparse.MultigridOptions{Lump: true, PreSmooth: k + 1, PostSmooth: k + 1, CoarsestSize: coarsest})
		if err != nil {
			return nil, err
		}
		s.mg[k] = mg
	}
	return s.mg[k], nil
}

// solve solves the system with source src (used at the free nodes) and
// values val (used at the fixed nodes), starting from u (overwritten with
// the result; its fixed entries are set to val). The result is accepted when
// its relative residual (residuals) is at most opt.Tol, or when its relative
// imbalance is at most roundOffImbalance and it spans at most
// maxFloorJumpTimes jump times (below), and in both cases only if it lies
// in [lo, hi] (the range the maximum principle gives: tau >= 0, 0 <= q <= 1)
// up to 1e-9 of its largest magnitude; otherwise the error is a
// *BackwardNotConvergedError naming problem, and u holds the best iterate.
//
// The second test is for the round-off floor. A first-passage time tau of
// a metastable state is many times the time of one jump, 1 / |G_ii|, and
// the terms G_ij tau_j of a row, each known only to the precision eps of
// tau_j, cancel to the source -1: no vector of doubles has a residual below
// about eps |G_ii| tau relative to the source, which can exceed any
// tolerance (2e-10 in a double well at T = 0.04 on 256 x 128 nodes, where
// tau is 4e4 and |G_ii| 1e3). Such a solution balances every node to the
// rounding of its terms, which is as good as the rates are, as long as the
// system is not singular in double precision: its smallest eigenvalue,
// relative to the diagonal, is about the inverse of the solution measured
// in jump times, max_i |G_ii| |u_i| over the size of the source. Beyond
// about 1e15 jump times any multiple of the slowest mode balances the
// equations to rounding (a three-hole landscape at T = 0.05 gave a
// first-passage time of -5e12 with an imbalance of 9e-16), so a solution at
// the floor is accepted only up to maxFloorJumpTimes, where rounding leaves
// it a relative accuracy of about 1e-4 or better (the escape times of the
// three-hole landscape at T = 0.12, 2e11 jump times, give the relaxation
// rate to 1.2e-5). Passes of iterative refinement (each solving for the
// correction from the true residual, at most maxRefine, and none once a
// pass stops gaining) bring the iterate to the tolerance or to that floor.
func (s *backwardSolver) solve(ctx context.Context, problem string, src, val, u []float64, lo, hi float64) (backwardInfo, error) {
	var info backwardInfo
	n := s.a.Rows
	gen, fixed := s.gen, s.fixed
	for i := 0; i < n; i++ {
		if fixed[i] {
			s.b[i] = val[i]
			u[i] = val[i]
			continue
		}
		v := src[i]
		for q := gen.RowPtr[i]; q < gen.RowPtr[i+1]; q++ {
			if c := gen.Col[q]; fixed[c] && int(c) != i {
				v -= gen.Val[q] * val[c]
			}
		}
		s.b[i] = v / s.d[i]
	}
	bn := 0.0
	for i, v := range s.b {
		if !fixed[i] {
			bn += v * v
		}
	}
	bn = math.Sqrt(bn)
	var lastErr error
	best, bestRes, bestImb := append([]float64(nil), u...), math.Inf(1), math.Inf(1)
	// The best iterate is the one with the smallest imbalance, which means
	// the same as the residual away from the round-off floor and still
	// measures the error at the floor, where the residual is noise. prev is
	// the imbalance before the last pass, and outOfBudget tells whether
	// that pass's Krylov solve stopped at its iteration budget (then a pass
	// with the stronger cycle may gain what it did not).
	prev, outOfBudget := math.Inf(1), false
	for {
		res, imb := s.residuals(src, u, bn)
		if imb < bestImb || (imb == bestImb && res < bestRes) {
			copy(best, u)
			bestRes, bestImb = res, imb
		}
		if res <= s.opt.Tol || imb <= roundOffImbalance || info.passes == maxRefine || info.iterations >= s.opt.MaxIter ||
			(imb > prev/2 && !outOfBudget) {
			break
		}
		prev = imb
		info.passes++
		// The correction: a dx = r with ||r - a dx|| <= Tol ||b||.
		s.a.Residual(s.r, s.b, u)
		for i := range s.r {
			if fixed[i] {
				s.r[i] = 0
			}
		}
		ktol := math.Min(0.5, s.opt.Tol/res)
		mg, err := s.precond()
		if err != nil {
			return info, fmt.Errorf("%s: %w", problem, err)
		}
		budget := s.opt.MaxIter - info.iterations
		if !s.strong {
			budget = min(budget, escalateAfter)
		}
		clear(s.dx)
		st, err := sparse.GMRES(ctx, s.a, s.r, s.dx, mg, sparse.Options{Tol: ktol, MaxIter: budget, Restart: 50, Stagnation: 20, Work: &s.work})
		info.iterations += st.Iterations
		outOfBudget = err != nil && st.Iterations >= budget
		if ctx.Err() != nil {
			return info, ctx.Err()
		}
		finite := true
		for _, v := range s.dx {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				finite = false
				break
			}
		}
		if finite {
			for i, v := range s.dx {
				u[i] += v
			}
		}
		if err != nil {
			lastErr = err
			// Not converged within the budget (or stagnated): go on with
			// the stronger cycle.
			s.strong = true
		}
	}
	copy(u, best)
	info.residual, info.imbalance = bestRes, bestImb
	// The solution in jump times, relative to the size of the data, and
	// its range.
	scale, top, umin, umax := 0.0, 0.0, math.Inf(1), math.Inf(-1)
	for i, v := range u {
		if fixed[i] {
			scale = math.Max(scale, math.Abs(val[i]))
			continue
		}
		scale = math.Max(scale, math.Abs(src[i]))
		info.jumpTimes = math.Max(info.jumpTimes, s.d[i]*math.Abs(v))
		top = math.Max(top, math.Abs(v))
		umin, umax = math.Min(umin, v), math.Max(umax, v)
	}
	if scale > 0 {
		info.jumpTimes /= scale
	}
	inRange := !(umin < lo-1e-9*top || umax > hi+1e-9*top)
	if !(inRange && (bestRes <= s.opt.Tol || (bestImb <= roundOffImbalance && info.jumpTimes <= maxFloorJumpTimes))) {
		return info, &BackwardNotConvergedError{Problem: problem, Residual: bestRes, Tol: s.opt.Tol,
			Imbalance: bestImb, JumpTimes: info.jumpTimes, OutOfRange: !inRange, Lo: lo, Hi: hi, Min: umin, Max: umax,
			Iterations: info.iterations, Nodes: s.g.N, Err: lastErr}
	}
	return info, nil
}

// roundOffImbalance is the relative imbalance (see residuals) at which a
// backward solve is accepted whatever its residual (within
// maxFloorJumpTimes): about 500 times the rounding of the terms of the
// equations.
const roundOffImbalance = 1e-13

// maxFloorJumpTimes is the largest solution, in jump times (see solve),
// accepted at the round-off floor.
const maxFloorJumpTimes = 1e12

// residuals returns the two measures of the error of u (the fixed entries
// at their values): the relative residual of the row-normalised system,
//
//	res = ||d^-1 (G u - s)||_2 / ||b||_2   over the free nodes,
//
// with d_i = |G_ii| and b the right-hand side d^-1 (s - G_fixed v) (the
// residual GMRES reduces, recomputed from G), and the relative imbalance
//
//	imb = sum_i |(G u)_i - s_i| / sum_i (sum_j |G_ij u_j| + |s_i|),
//
// the imbalance of the equations as a fraction of the size of their terms,
// the analogue of Steady.Residual, which is at the rounding level (1e-16
// to 1e-14) for an exact solution in doubles. (The largest such ratio of a
// single node, a componentwise backward error, is no such measure: it is
// dominated by the nodes where u changes sign and its terms are small.)
// Both are +Inf for a u that is not finite; res is 0 when b is.
func (s *backwardSolver) residuals(src, u []float64, bn float64) (res, imb float64) {
	gen, fixed := s.gen, s.fixed
	var num, anum, aden float64
	for i := 0; i < gen.Rows; i++ {
		if fixed[i] {
			continue
		}
		r, t := -src[i], math.Abs(src[i])
		for q := gen.RowPtr[i]; q < gen.RowPtr[i+1]; q++ {
			v := gen.Val[q] * u[gen.Col[q]]
			r += v
			t += math.Abs(v)
		}
		rs := r / s.d[i]
		num += rs * rs
		anum += math.Abs(r)
		aden += t
	}
	if math.IsNaN(num) || math.IsInf(num, 0) || math.IsInf(aden, 0) {
		return math.Inf(1), math.Inf(1)
	}
	imb = 0
	if anum > 0 {
		imb = anum / aden
	}
	if bn == 0 {
		if num == 0 {
			return 0, imb
		}
		return math.Inf(1), imb
	}
	return math.Sqrt(num) / bn, imb
}

// unreachable returns the free nodes from which no path of jumps with
// positive rates of G leads to a fixed node, given adj, a matrix with the
// sparsity of G^T (row j lists the nodes i with G_ij > 0, i.e. those that
// jump to j), by a breadth-first search from the fixed nodes backwards
// along the jumps.
func unreachable(adj *sparse.CSR, fixed []bool) []int {
	n := adj.Rows
	seen := make([]bool, n)
	queue := make([]int32, 0, n)
	for i, f := range fixed {
		if f {
			seen[i] = true
			queue = append(queue, int32(i))
		}
	}
	for k := 0; k < len(queue); k++ {
		j := queue[k]
		for q := adj.RowPtr[j]; q < adj.RowPtr[j+1]; q++ {
			if i := adj.Col[q]; !seen[i] && adj.Val[q] > 0 {
				seen[i] = true
				queue = append(queue, i)
			}
		}
	}
	var out []int
	for i, s := range seen {
		if !s {
			out = append(out, i)
		}
	}
	return out
}

// unreachableError is the *UnreachableError for the listed nodes, or nil.
func (g *Grid) unreachableError(target string, nodes []int) error {
	if len(nodes) == 0 {
		return nil
	}
	x := make([]float64, g.Dim)
	g.Point(x, nodes[0])
	return &UnreachableError{Target: target, Nodes: len(nodes), X: x}
}

// backward returns Q = L^T, the rate matrix of the chain acting on
// functions of the nodes: Q_ij is the rate of the jump i -> j.
func (op *Operator) backward() *sparse.CSR { return op.gen.Transpose() }

// MFPT is the mean first-passage time of the discrete chain to a target
// set, at every node.
type MFPT struct {
	// Tau is the expected time to reach the target from each node (node
	// order), 0 on the target.
	Tau []float64
	// Target is the target set.
	Target NodeSet
	// Residual is the relative residual of the backward equation with each
	// row divided by its diagonal |Q_ii| (the residual the Krylov solver
	// reduces, recomputed from Q),
	//
	//	||((Q tau)_i + 1) / |Q_ii|||_2 / ||1 / |Q_ii|||_2   off the target,
	//
	// and Imbalance the relative imbalance,
	//
	//	sum_i |(Q tau)_i + 1| / sum_i (sum_j |Q_ij| tau_j + 1),
	//
	// the imbalance of the equations as a fraction of the size of their
	// terms (the analogue of Steady.Residual). A result has Residual <= Tol,
	// or Imbalance <= 1e-13 when the tolerance lies below the round-off
	// floor of the equations (about 1e-16 |Q_ii| tau, reached when tau is
	// 1e6 jump times or more; see backward.go) and JumpTimes <= 1e12.
	Residual, Imbalance float64
	// JumpTimes is max_i |Q_ii| tau_i, the number of jumps the longest
	// first passage spans. Rounding limits the relative accuracy of tau to
	// about 1e-16 times it; beyond 1e12 a solve that misses Tol fails.
	JumpTimes float64
	// Iterations counts the Krylov iterations, Passes the passes of
	// iterative refinement, SolveSeconds the wall time.
	Iterations, Passes int
	SolveSeconds       float64

	grid *Grid
}

// MeanFirstPassage returns the mean first-passage time tau to the target
// set of nodes from every node, the solution of the backward equation
//
//	(Q tau)_i = sum_j Q_ij (tau_j - tau_i) = -1   off the target,
//	tau_i = 0                                     on the target,
//
// with Q = L^T the rate matrix of the chain whose generator L the steady
// state uses (Q_ij the rate of the jump i -> j). This is the exact mean
// first-passage time of the discretised chain (Norris, Markov Chains, 1997,
// Thm. 3.3.3), so it is consistent with the steady state: both belong to
// one Markov process. As the grid is refined it converges at second order
// to the solution of the continuum backward equation
//
//	b . grad tau + T D : Hess tau = -1,   tau = 0 on the target,
//
// with the zero-flux walls of the grid as reflecting walls (D grad tau . n =
// 0; Gardiner, Handbook of Stochastic Methods, ch. 5 on first-passage
// times; Pavliotis, Stochastic Processes and Applications, Springer 2014,
// ch. 7).
//
// The system is solved by GMRES with the multigrid preconditioner of the
// steady state (see backward.go), never by a direct solve on the grid. The
// target must be a non-empty set of the grid's nodes (an *EmptySetError
// otherwise); nodes from which it cannot be reached are an
// *UnreachableError; a solve that misses opt.Tol is a
// *BackwardNotConvergedError with the residual reached.
func (op *Operator) MeanFirstPassage(ctx context.Context, target NodeSet, opt BackwardOptions) (*MFPT, error) {
	opt = opt.withDefaults()
	if err := opt.check(); err != nil {
		return nil, err
	}
	g := op.Grid
	if err := g.checkSet(target, "the target"); err != nil {
		return nil, err
	}
	if err := g.unreachableError(target.Name, unreachable(op.gen, target.Mask)); err != nil {
		return nil, err
	}
	start := time.Now()
	q := op.backward()
	s, err := newBackwardSolver(g, q, target.Mask, opt)
	if err != nil {
		return nil, err
	}
	n := g.Len()
	src := make([]float64, n)
	for i := range src {
		src[i] = -1
	}
	tau := make([]float64, n)
	info, err := s.solve(ctx, "mean first-passage time to "+target.Name, src, make([]float64, n), tau, 0, math.Inf(1))
	if err != nil {
		return nil, err
	}
	return &MFPT{Tau: tau, Target: target, Residual: info.residual, Imbalance: info.imbalance, JumpTimes: info.jumpTimes, Iterations: info.iterations,
		Passes: info.passes, SolveSeconds: time.Since(start).Seconds(), grid: g}, nil
}

// At returns the mean first-passage time from the point x: the bilinear (in
// 1-D linear) interpolant of Tau, constant beyond the outermost nodes. A
// point outside the box is an *OutsideBoxError, one whose nearest node lies
// in the target a *StartInTargetError.
func (m *MFPT) At(x []float64) (float64, error) {
	g := m.grid
	if len(x) != g.Dim {
		return 0, fmt.Errorf("the start has %d coordinates, the grid is %d-D", len(x), g.Dim)
	}
	if !g.contains(x) {
		return 0, &OutsideBoxError{What: "the start", X: append([]float64(nil), x...), Min: g.Min, Max: g.Max, Dim: g.Dim}
	}
	if k := g.Nearest(x); m.Target.Mask[k] {
		return 0, &StartInTargetError{X: append([]float64(nil), x...), Node: k, Target: m.Target.Name}
	}
	return g.interpolate(m.Tau, x), nil
}

// Average returns the mean of Tau over the nodes of the set weighted by p
// (for example the steady node probabilities restricted to a basin, whose
// mean first-passage time is the escape time from the basin in the
// metastable limit); NaN if p has no weight on the set.
func (m *MFPT) Average(p []float64, over NodeSet) float64 {
	var s, w float64
	for i, in := range over.Mask {
		if in {
			s += p[i] * m.Tau[i]
			w += p[i]
		}
	}
	if !(w > 0) {
		return math.NaN()
	}
	return s / w
}
