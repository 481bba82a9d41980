package fokkerplanck

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/sgdsde/sgdsde/internal/sparse"
)

// denseNodes is the size up to which the steady state is solved by dense
// state reduction: the base of the nested-grid recursion.
const denseNodes = 600

// solveInfo is how a pinned solve went.
type solveInfo struct {
	iters        int     // Krylov iterations, all passes and coarse levels included
	fineIters    int     // Krylov iterations on this grid
	passes       int     // scaled passes on this grid
	residual     float64 // relative residual (see relResidual) of the result
	lastResidual float64 // that of the last pass
	coarse       *twoGridCoarse
}

// maxPasses bounds the scaled passes of one grid: each one rescales by the
// result of the previous one (iterative refinement), which converges in one
// or two passes when the first scaling is within a modest factor of p and
// recovers in a few more when the coarse grid misjudged the tails.
const maxPasses = 8

// solvePinned returns the steady node probabilities (unnormalised, p[pin]
// near 1), how the solve went, and an error when the relative residual of
// the unscaled system L p = 0 (relResidual) did not reach opt.Tol; the
// result closest to convergence is returned with that error.
//
// The solution of L p = 0 spans many orders of magnitude (exp(-Phi/T):
// 1e-120 between the minimum and the corners of a steep landscape), far too
// rough for multigrid, whose interpolation must reproduce the null vector.
// So the system is solved in the scaled unknowns q = p / w, on the similar
// matrix B = W^-1 A W, W = diag(w), with w from the steady state of the same
// model on a grid twice as coarse (recursively, down to a dense solve),
// interpolated in log space. B is the generator of the time-reversed chain
// when w = p: its null vector is the constant, which multigrid represents
// exactly, and its rows, divided by their diagonals, are the balance
// equations of the nodes relative to each node's own flux, so every entry
// of p, also deep in the tails, gets a relative accuracy of about tol.
// Further passes rescale by the previous result (iterative refinement)
// until the residual of the unscaled system meets the tolerance and no node
// outside the frozen tail came out zero or negative.
func (op *Operator) solvePinned(ctx context.Context, pin int, opt SteadyOptions) ([]float64, solveInfo, error) {
	n := op.Grid.Len()
	var info solveInfo
	if n <= denseNodes {
		p, _, err := op.solveDense(pin)
		if err == nil {
			info.residual = relResidual(op.gen, p)
		}
		return p, info, err
	}
	var w []float64
	var err error
	if cn, ok := op.twoGridSize(opt); ok {
		// The coarse grid of the two-grid checks, solved to the tolerance
		// itself: it scales this grid and is kept for the checks.
		copt := opt
		copt.TwoGrid = false
		c := &twoGridCoarse{tol: opt.Tol, maxIter: opt.MaxIter}
		copy(c.n[:], cn)
		c.op, c.st, c.err = op.coarseSolve(ctx, copt, cn)
		if ctx.Err() != nil {
			return nil, info, ctx.Err()
		}
		info.coarse = c
		if c.err == nil {
			info.iters += c.st.Iterations
			w = op.scalingFrom(c.op.Grid, c.st.Rho)
		}
	}
	if w == nil {
		var it int
		w, it, err = op.coarseScaling(ctx, opt)
		info.iters += it
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, info, ctx.Err()
		}
		// A coarse grid that does not resolve the model: start from the
		// unscaled system and let the passes find the scaling.
		w = ones(n)
	}
	// The pinned system A p = d e_pin is L with row pin replaced by
	// d e_pin^T; scaledSystem reads L and pins that row itself (no copy of
	// L is made).
	a := op.gen
	d := math.Abs(a.At(pin, pin))
	if d == 0 {
		d = 1
	}
	var best []float64
	bestRes := math.Inf(1)
	var lastErr error
	unscaledTried := false
	for info.passes < maxPasses {
		info.passes++
		pr, err := op.scaledSolve(ctx, a, d, pin, w, info.passes, opt)
		info.iters += pr.iters
		if ctx.Err() != nil {
			return nil, info, ctx.Err()
		}
		if pr.p == nil {
			lastErr = err
			if best == nil && !unscaledTried {
				// The first scaling can be too rough: try the unscaled
				// system before giving up.
				unscaledTried = true
				w = ones(n)
				continue
			}
			break
		}
		info.fineIters += pr.iters
		res := relResidual(op.gen, pr.p)
		info.lastResidual = res
		if pr.lost > 0 {
			// Not an answer yet, whatever the flux residual says: the
			// pass made p zero at nodes outside the tail.
			res = math.Inf(1)
		}
		if res < bestRes {
			best, bestRes = pr.p, res
		}
		if err != nil {
			lastErr = err
		}
		if bestRes <= opt.Tol {
			break
		}
		w = pr.next
		if pr.iters == 0 && !unscaledTried {
			// The scaled system is already solved but the true residual
			// is not: the scaling froze the nodes that matter (a coarse
			// grid with its maximum in a wrong place). Start again from
			// the unscaled system.
			unscaledTried = true
			w = ones(n)
		}
	}
	info.residual = bestRes
	if math.IsInf(bestRes, 1) {
		info.residual = info.lastResidual
	}
	if best == nil {
		if lastErr == nil {
			lastErr = errors.New("no pass produced a solution")
		}
		return nil, info, lastErr
	}
	if bestRes > opt.Tol {
		return best, info, fmt.Errorf("relative residual %.3g after %d passes", bestRes, info.passes)
	}
	return best, info, nil
}

func ones(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}

// relResidual returns the relative residual of L p = 0 used to accept a
// steady state: ||L p||_1 / sum_i |L_ii| p_i, the probability flux out of
// balance as a fraction of the total flux out of the nodes. It lies in
// [0, 2] for p >= 0, is independent of the normalisation of p and of the
// time unit, and weighs each node's balance by its probability. It returns
// +Inf for a p that is zero, negative somewhere or not finite.
func relResidual(l *sparse.CSR, p []float64) float64 {
	r, _, _ := residuals(l, p, math.Inf(1))
	return r
}

// residuals returns relResidual(l, p), ||L p||_1, and the largest
// node-wise relative imbalance |(L p)_i| / (|L_ii| p_i) over the nodes with
// p_i >= cut (0 if there are none), computed in parallel blocks of rows
// (combined in block order, so the result does not depend on the
// scheduling).
func residuals(l *sparse.CSR, p []float64, cut float64) (rel, abs, imbalance float64) {
	n := l.Rows
	workers := workerCount(n)
	type part struct{ num, den, imb float64 }
	parts := make([]part, workers)
	inParallel(workers, func(w int) {
		var pt part
		for i := n * w / workers; i < n*(w+1)/workers; i++ {
			if !(p[i] >= 0) || math.IsInf(p[i], 0) {
				pt.num = math.Inf(1)
				break
			}
			var s, diag float64
			for q := l.RowPtr[i]; q < l.RowPtr[i+1]; q++ {
				c := int(l.Col[q])
				s += l.Val[q] * p[c]
				if c == i {
					diag = l.Val[q]
				}
			}
			pt.num += math.Abs(s)
			pt.den += math.Abs(diag) * p[i]
			if p[i] >= cut && p[i] > 0 && diag != 0 {
				pt.imb = max(pt.imb, math.Abs(s)/(math.Abs(diag)*p[i]))
			}
		}
		parts[w] = pt
	})
	var num, den float64
	for _, pt := range parts {
		num += pt.num
		den += pt.den
		imbalance = max(imbalance, pt.imb)
	}
	if !(den > 0) || math.IsInf(num, 0) || math.IsNaN(num) {
		return math.Inf(1), num, imbalance
	}
	return num / den, num, imbalance
}

// coarseTol is the tolerance of the coarse solves that provide the scaling.
const coarseTol = 1e-3

// tailCutoff: nodes whose estimated probability is below this fraction of
// the largest are frozen at the estimate during a Krylov solve and relaxed
// locally afterwards. They hold less than 1e-30 of the mass and feed the
// rest of the grid with flows of that size, but their balance equations,
// with probabilities down to 1e-120 on steep landscapes, are what breaks
// multigrid.
const tailCutoff = 1e-30

// scaledSolve solves the pinned system a p = d e_pin (a = L with row pin
// replaced by d e_pin^T) in the unknowns
// q = p / w, as a correction q = 1 + delta from the scaling itself. Nodes
// below tailCutoff are held at w (identity rows of the scaled system) and
// relaxed afterwards by Gauss–Seidel sweeps of the true balance equations.
// The Krylov solver sees the scaled rows divided by their diagonals, so its
// residual is the vector of node-wise relative imbalances and opt.Tol bounds
// each node's, in the tails as at the minimum. On a Krylov failure it
// returns the iterate reached (clamped to p >= 0) with the error.
func (op *Operator) scaledSolve(ctx context.Context, a *sparse.CSR, d float64, pin int, w []float64, pass int, opt SteadyOptions) (*passResult, error) {
	g := op.Grid
	n := a.Rows
	wmax := 0.0
	for _, v := range w {
		wmax = max(wmax, v)
	}
	cut := tailCutoff * wmax
	for i, v := range w {
		// Keep every ratio w_j / w_i finite.
		w[i] = max(v, 1e-200*wmax)
	}
	var tail []int
	for i, v := range w {
		if v < cut && i != pin {
			tail = append(tail, i)
		}
	}
	bs, r0 := scaledSystem(a, w, cut, pin, d)
	rn := 0.0
	for _, v := range r0 {
		rn += v * v
	}
	rn = math.Sqrt(rn)
	delta := make([]float64, n)
	var st sparse.Stats
	var err error
	// The Krylov target: the tolerance itself in the first pass (a weighted
	// RMS of node-wise imbalances at tol usually leaves the flux-weighted
	// residual of the acceptance test far below tol: 2e-14 on the double
	// well at 1024^2), and a
	// tenth of the previous one in each further pass, which a first pass that
	// just missed the acceptance test then meets. The coarse grids only
	// scale the next one: their own tolerance is target enough.
	target := opt.Tol
	if !opt.coarse {
		target *= math.Pow(0.1, float64(pass-1))
	}
	if rn > target {
		kopt := opt
		kopt.Tol = target / rn
		semi := 0.0
		if op.wideStencil() {
			semi = semiCoarsen
		}
		st, err = krylov(ctx, bs, r0, delta, g, semi, kopt)
	}
	res := &passResult{iters: st.Iterations}
	if err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		err = fmt.Errorf("steady state: %w (relative residual %.2g after %d iterations)", err, st.Residual, st.Iterations)
		for _, v := range delta {
			if !(math.Abs(v) < math.Inf(1)) {
				return res, err
			}
		}
	}
	// p overwrites delta and the next scaling w (the caller's scaling is
	// spent): no further vectors of the grid's size.
	p, next := delta, w
	for i := range p {
		f := 1 + delta[i]
		if !(f > 0) && !(w[i] < cut && i != pin) {
			res.lost++
		}
		wi := w[i]
		p[i] = max(wi*f, 0)
		// A node the pass lost (f <= 0) was overestimated by the
		// scaling: the next pass starts it far lower, not at zero.
		next[i] = wi * max(f, lostFactor)
	}
	res.p, res.next = p, next
	relax(op.gen, p, tail, 4)
	for _, i := range tail {
		next[i] = max(p[i], next[i]*lostFactor)
	}
	return res, err
}

// lostFactor is the factor by which the next pass scales a node whose
// probability the previous pass made zero or negative.
const lostFactor = 1e-8

// passResult is the outcome of one scaled pass.
type passResult struct {
	p     []float64 // the result, clamped to p >= 0
	next  []float64 // the scaling for the next pass (positive)
	lost  int       // nodes outside the tail with p <= 0
	iters int
}

// relax applies k alternating Gauss–Seidel sweeps of L p = 0 to the listed
// nodes: p_y = sum_x L[y][x] p_x / -L[y][y], which keeps them positive.
func relax(l *sparse.CSR, p []float64, nodes []int, k int) {
	sweep := func(y int) {
		var s, diag float64
		for q := l.RowPtr[y]; q < l.RowPtr[y+1]; q++ {
			if c := int(l.Col[q]); c == y {
				diag = l.Val[q]
			} else {
				s += l.Val[q] * p[c]
			}
		}
		if diag < 0 {
			p[y] = s / -diag
		}
	}
	for it := 0; it < k; it++ {
		if it%2 == 0 {
			for _, y := range nodes {
				sweep(y)
			}
		} else {
			for i := len(nodes) - 1; i >= 0; i-- {
				sweep(nodes[i])
			}
		}
	}
}

// coarseScaling solves the same model on the grid with half the nodes per
// axis and interpolates its log density to this grid's nodes; it returns
// the node weights (node probabilities up to a constant factor).
func (op *Operator) coarseScaling(ctx context.Context, opt SteadyOptions) ([]float64, int, error) {
	g := op.Grid
	cn := make([]int, g.Dim)
	for a := 0; a < g.Dim; a++ {
		cn[a] = max((g.N[a]+1)/2, 2)
	}
	box := g.box()
	cg := &Grid{Dim: g.Dim, N: [2]int{1, 1}, Periodic: g.Periodic}
	for a := 0; a < g.Dim; a++ {
		cg.N[a] = cn[a]
		cg.Min[a], cg.Max[a] = box.Min[a], box.Max[a]
		cg.H[a] = (box.Max[a] - box.Min[a]) / float64(cn[a])
	}
	cop, err := NewOperatorScheme(ctx, op.Model, op.T, cg, op.Scheme)
	if err != nil {
		return nil, 0, err
	}
	// The coarse solution only scales the fine system: a loose tolerance
	// and a single pass are enough.
	copt := opt
	copt.Tol = max(opt.Tol, coarseTol)
	copt.coarse = true
	cp, info, err := cop.solvePinned(ctx, cop.PinNode(), copt)
	iters := info.iters
	if cp == nil {
		// (An unconverged coarse result still scales the fine system.)
		return nil, iters, err
	}
	return op.scalingFrom(cg, cp), iters, nil
}

// scalingFrom interpolates the log of the coarse node values cp (node
// probabilities or densities of grid cg, up to a constant factor) to this
// grid's nodes and returns the node weights, at most 1.
func (op *Operator) scalingFrom(cg *Grid, cp []float64) []float64 {
	g := op.Grid
	// Log density on the coarse grid, floored far below anything that
	// matters so that the logarithm is finite.
	cmax := 0.0
	for _, v := range cp {
		cmax = max(cmax, v)
	}
	logc := make([]float64, len(cp))
	workers := workerCount(len(cp))
	inParallel(workers, func(k int) {
		for i := len(cp) * k / workers; i < len(cp)*(k+1)/workers; i++ {
			logc[i] = math.Log(max(cp[i]/cmax, 1e-280))
		}
	})
	n := g.Len()
	w := make([]float64, n)
	workers = workerCount(n)
	inParallel(workers, func(k int) {
		x := make([]float64, g.Dim)
		for i := n * k / workers; i < n*(k+1)/workers; i++ {
			g.Point(x, i)
			w[i] = math.Exp(cg.interpolate(logc, x))
		}
	})
	return w
}

// twoGridSize returns the coarse grid size of the two-grid checks when
// opt.TwoGrid applies to this grid (see SteadyOptions.TwoGrid): every axis
// even with at least 2 MinNodes nodes, so that the checks' grid (half the
// nodes) is also the scaling grid of the nested-grid solve.
func (op *Operator) twoGridSize(opt SteadyOptions) ([]int, bool) {
	g := op.Grid
	if !opt.TwoGrid || opt.coarse || g.Len() <= denseNodes {
		return nil, false
	}
	n := make([]int, g.Dim)
	for a := range n {
		if g.N[a]%2 != 0 || g.N[a] < 2*MinNodes {
			return nil, false
		}
		n[a] = g.N[a] / 2
	}
	return n, true
}

// interpolate returns the bilinear (1-D: linear) interpolant of the node
// values u at x; in the half cells between the outermost nodes and the
// walls it extrapolates linearly (clamping would put a kink there, where
// log densities are steepest).
func (g *Grid) interpolate(u []float64, x []float64) float64 {
	var k [2]int
	var f [2]float64
	for a := 0; a < g.Dim; a++ {
		s := (x[a]-g.Min[a])/g.H[a] - 0.5
		k[a] = min(max(int(math.Floor(s)), 0), g.N[a]-2)
		f[a] = s - float64(k[a])
	}
	if g.Dim == 1 {
		v := (1-f[0])*u[k[0]] + f[0]*u[k[0]+1]
		return min(v, max(u[k[0]], u[k[0]+1]))
	}
	nx := g.N[0]
	i, j := k[0], k[1]
	u00, u10, u01, u11 := u[j*nx+i], u[j*nx+i+1], u[(j+1)*nx+i], u[(j+1)*nx+i+1]
	v := (1-f[0])*(1-f[1])*u00 + f[0]*(1-f[1])*u10 + (1-f[0])*f[1]*u01 + f[0]*f[1]*u11
	// Extrapolation may fall, never rise above the nodes it uses: a log
	// density that falls steeply towards a wall would otherwise be
	// extrapolated to a spurious maximum at the wall.
	return min(v, max(max(u00, u10), max(u01, u11)))
}

// box returns the grid's box.
func (g *Grid) box() struct{ Min, Max [2]float64 } {
	return struct{ Min, Max [2]float64 }{g.Min, g.Max}
}

// solveDense returns the steady state of a small grid by the
// Grassmann–Taksar–Heyman state reduction (Grassmann, Taksar & Heyman,
// Oper. Res. 33, 1985), a Gaussian elimination without subtractions: every
// entry, however small, has a relative accuracy near machine precision,
// which the tails of the nested-grid scaling need (a plain LU solve has
// only an absolute accuracy of eps max p). The result is scaled to
// p[pin] = 1.
func (op *Operator) solveDense(pin int) ([]float64, int, error) {
	n := op.Grid.Len()
	// The pinned node (where p is largest) is eliminated last, as state 0,
	// so that the back substitution p_k = sum_i p_i q_ik starts from the
	// largest probability and the tails underflow instead of overflowing.
	idx := func(i int) int {
		switch i {
		case pin:
			return 0
		case 0:
			return pin
		}
		return i
	}
	// q[i*n+j] = rate i -> j (off-diagonal); L holds rates by target row.
	q := make([]float64, n*n)
	l := op.gen
	for y := 0; y < n; y++ {
		for k := l.RowPtr[y]; k < l.RowPtr[y+1]; k++ {
			if x := int(l.Col[k]); x != y {
				q[idx(x)*n+idx(y)] += l.Val[k]
			}
		}
	}
	for k := n - 1; k > 0; k-- {
		s := 0.0
		for j := 0; j < k; j++ {
			s += q[k*n+j]
		}
		if !(s > 0) {
			return nil, 0, fmt.Errorf("steady state: node %d is not connected to the rest of the grid (all its rates underflow)", k)
		}
		for i := 0; i < k; i++ {
			q[i*n+k] /= s
		}
		for i := 0; i < k; i++ {
			f := q[i*n+k]
			if f == 0 {
				continue
			}
			row := q[i*n : i*n+k]
			src := q[k*n : k*n+k]
			for j := range row {
				row[j] += f * src[j]
			}
		}
	}
	p := make([]float64, n)
	p[0] = 1
	for k := 1; k < n; k++ {
		s := 0.0
		for i := 0; i < k; i++ {
			s += p[i] * q[i*n+k]
		}
		p[k] = s
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = p[idx(i)]
	}
	return out, 0, nil
}

// scaledSystem returns, in one parallel pass over the rows of the pinned
// matrix A (the generator a with row pin replaced by d e_pin^T, which is
// pinned here rather than in a copy of a), the system of scaledSolve and its
// initial residual: with B = W^-1 A W (b_ij = a_ij w_j / w_i) and tail rows
// (w_i below cut, not the pin) replaced by identity rows,
//
//	bs = S^-1 B,  r0 = S^-1 (rhs - B 1),
//
// where rhs asks for q_pin = 1 / w_pin, q = 1 on the tail and B q = 0
// elsewhere, and S = diag(s) normalises each row by its diagonal, so that a
// residual component is the imbalance of a node relative to its own flux.
// Rows whose flux w_i |a_ii| is below deepFlux of the largest are weighted
// down further, by the square root of that ratio: their balance is asked
// less of. (Without it the node-wise target in the far tails of
// exponentially steep walls cost hundreds of iterations: Müller–Brown at
// T = 0.1 on [-1.5, 1.2] x [-0.5, 2], 395 and 427 on 128^2 and 256^2
// against 48 and 41 with it, every node above 1e-20 of the maximum still
// balanced to 1e-11. A threshold of 1e-15 cost the metastable three-hole
// landscape at T = 0.05 468 iterations at 512^2 against 25.) bs shares the
// structure of a.
func scaledSystem(a *sparse.CSR, w []float64, cut float64, pin int, d float64) (*sparse.CSR, []float64) {
	n := a.Rows
	bs := &sparse.CSR{Rows: n, Cols: n, RowPtr: a.RowPtr, Col: a.Col, Val: make([]float64, len(a.Val))}
	r0 := make([]float64, n)
	diagAt := func(i int) float64 {
		if i == pin {
			return d
		}
		for q := a.RowPtr[i]; q < a.RowPtr[i+1]; q++ {
			if int(a.Col[q]) == i {
				return math.Abs(a.Val[q])
			}
		}
		return 0
	}
	// valAt is entry q of row i of the pinned matrix.
	valAt := func(i, q int) float64 {
		if i != pin {
			return a.Val[q]
		}
		if int(a.Col[q]) == i {
			return d
		}
		return 0
	}
	workers := workerCount(n)
	fmxs := make([]float64, workers)
	inParallel(workers, func(k int) {
		for i := n * k / workers; i < n*(k+1)/workers; i++ {
			if w[i] >= cut || i == pin {
				fmxs[k] = max(fmxs[k], w[i]*diagAt(i))
			}
		}
	})
	fmx := 0.0
	for _, v := range fmxs {
		fmx = max(fmx, v)
	}
	inParallel(workers, func(k int) {
		for i := n * k / workers; i < n*(k+1)/workers; i++ {
			lo, hi := a.RowPtr[i], a.RowPtr[i+1]
			if w[i] < cut && i != pin {
				for q := lo; q < hi; q++ {
					if int(a.Col[q]) == i {
						bs.Val[q] = 1
					}
				}
				continue // r0 = 0
			}
			dg := diagAt(i)
			sc := dg
			if f := w[i] * dg / (deepFlux * fmx); f < 1 {
				sc /= math.Sqrt(f)
			}
			sum := 0.0
			for q := lo; q < hi; q++ {
				v := valAt(i, q) * w[a.Col[q]] / w[i]
				sum += v
				bs.Val[q] = v / sc
			}
			r := -sum
			if i == pin {
				r += d / w[pin]
			}
			r0[i] = r / sc
		}
	})
	return bs, r0
}

// inParallel runs f(0), ..., f(workers-1) in goroutines and waits.
func inParallel(workers int, f func(k int)) {
	var wg sync.WaitGroup
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			f(k)
		}(k)
	}
	wg.Wait()
}

// krylov solves bs x = rhs from x = 0, where bs is the row-normalised
// scaled system, by restarted GMRES(50) preconditioned with one multigrid
// V-cycle, which measured robust on steep landscapes where BiCGStab with the
// same preconditioner breaks down (Rosenbrock at 256^2: 89 GMRES iterations
// against no convergence). The cycle smooths once before and once after the
// coarse-grid correction; if GMRES has not converged after escalateAfter
// iterations it goes on from where it is with two sweeps each way, which
// strongly rotating flows need (a double well with the rotation 2 (-y, x)
// at T = 0.05 on 256^2: 443 iterations with one sweep, 39 with two) and
// which costs the easy cases about 7% of their time if used throughout. If
// that fails too, BiCGStab with ILU(0), slower but tolerant of unresolved
// drift, starts again from zero.
//
// semi is the multigrid's MultigridOptions.SemiCoarsen (0 for none).
func krylov(ctx context.Context, bs *sparse.CSR, rhs, x []float64, g *Grid, semi float64, opt SteadyOptions) (sparse.Stats, error) {
	var total sparse.Stats
	// Lumped coarse operators: Galerkin products of the scaled generator
	// lose the M-matrix signs where the drift dominates (wrong-sign entries
	// up to 100 times the diagonal on the three-hole landscape at T = 0.05),
	// and their corrections then cost hundreds of iterations.
	for k, sweeps := range [2]int{1, 2} {
		budget := min(escalateAfter, opt.MaxIter)
		if k == 1 {
			budget = opt.MaxIter - total.Iterations
		}
		if budget <= 0 {
			break
		}
		mgo := sparse.MultigridOptions{Lump: true, PreSmooth: sweeps, PostSmooth: sweeps, SemiCoarsen: semi}
		mg, err := sparse.NewGridMultigrid(bs, g.N[0], g.N[1], g.Periodic, g.Periodic && g.Dim == 2, mgo)
		if err != nil {
			break
		}
		st, err := sparse.GMRES(ctx, bs, rhs, x, mg, sparse.Options{Tol: opt.Tol, MaxIter: budget, Restart: 50})
		total.Iterations += st.Iterations
		if err == nil || ctx.Err() != nil {
			st.Iterations = total.Iterations
			return st, err
		}
		for _, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				clear(x)
				break
			}
		}
	}
	ilu, err := sparse.NewILU0(bs)
	if err != nil {
		return total, err
	}
	clear(x)
	st, err := sparse.BiCGStab(ctx, bs, rhs, x, ilu, sparse.Options{Tol: opt.Tol, MaxIter: 20 * opt.MaxIter})
	st.Iterations += total.Iterations
	return st, err
}

// deepFlux is the share of the largest node flux below which the scaled
// solve weighs a node's balance down (see scaledSolve).
const deepFlux = 1e-20

// escalateAfter is the number of GMRES iterations after which krylov
// switches to the stronger multigrid cycle. (Before semi-coarsening: 20 saved 5% on the default
// double well at 1024^2, whose tall box at T = 0.5 gives cells 4 times
// taller than wide, but cost the Rosenbrock valley at T = 2 on 256^2 3,617
// iterations against 1,458.)
const escalateAfter = 40

// semiCoarsen is the anisotropy of the scaled system above which its
// multigrid levels coarsen the strongly coupled axis alone (see
// sparse.MultigridOptions.SemiCoarsen), on operators whose stencils need
// offsets longer than one cell (Operator.wideStencil: D in index units
// strongly anisotropic off the axes). Measured at 1024^2 (fine-grid GMRES
// iterations, all levels of the nested-grid solve in brackets): the
// default double well on the command's box at T = 0.5,
// [-3.79, 3.79] x [-16.4, 16.4], whose cells are 4.3 times taller than
// wide (offsets (2, 1) at 5% of the nodes; scaled system coupling x 1.6
// times more strongly than y), 19 (41) against 45 (83) with full
// coarsening; the levels then alternate between the axes. A threshold of
// 1.6 left it at 33 (55); 2 changes nothing. On the benchmark's box
// [-2.5, 2.5] x [-4, 4] (3 x 3 stencils, ratio 1.9) it saved iterations
// too, 9 (24) against 13 (29), but not time: its cycles cost 1.5 times as
// much (the levels shrink by 2 instead of 4), and the benchmark took 15%
// more CPU time.
const semiCoarsen = 1.4
