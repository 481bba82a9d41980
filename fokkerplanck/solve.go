package fokkerplanck

import (
	"context"
	"fmt"
	"math"

	"github.com/sgdsde/sgdsde/internal/sparse"
)

// denseNodes is the size up to which the steady state is solved by dense
// state reduction: the base of the nested-grid recursion.
const denseNodes = 600

// solvePinned returns the steady node probabilities (unnormalised, p[pin]
// near 1) and the Krylov iterations spent.
//
// The solution of L p = 0 spans many orders of magnitude (exp(-Phi/T):
// 1e-120 between the minimum and the corners of a steep landscape), far too
// rough for multigrid, whose interpolation must reproduce the null vector.
// So the system is solved in the scaled unknowns q = p / w, on the similar
// matrix B = W^-1 A W, W = diag(w), with w from the steady state of the same
// model on a grid twice as coarse (recursively, down to a dense solve),
// interpolated in log space. B is the generator of the time-reversed chain
// when w = p: its null vector is the constant, which multigrid represents
// exactly, and its residual weighs every node's balance equation by that
// node's probability, so every entry of p, also deep in the tails, gets a
// relative accuracy of about tol. One more pass with w from the first
// result (the same preconditioner) removes the interpolation error.
func (op *Operator) solvePinned(ctx context.Context, pin int, opt SteadyOptions) ([]float64, int, error) {
	n := op.Grid.Len()
	if n <= denseNodes {
		return op.solveDense(pin)
	}
	w, iters, err := op.coarseScaling(ctx, opt)
	if err != nil {
		return nil, iters, err
	}
	a := op.L.Clone()
	d := math.Abs(a.At(pin, pin))
	if d == 0 {
		d = 1
	}
	if err := a.PinRow(pin, d); err != nil {
		return nil, iters, err
	}
	p, it, err := op.scaledSolve(ctx, a, d, pin, w, opt)
	iters += it

	if err != nil && ctx.Err() == nil {
		// The coarse scaling can be too rough (a coarse grid that does not
		// resolve the model); start again from the unscaled system.
		for i := range w {
			w[i] = 1
		}
		var err2 error
		p, it, err2 = op.scaledSolve(ctx, a, d, pin, w, opt)
		iters += it
		if err2 == nil {
			err = nil
		}
	}
	return p, iters, err
}

// coarseTol is the tolerance of the coarse solves that provide the scaling.
const coarseTol = 1e-4

// passes returns the number of scaled passes. One is enough: with w from
// the coarse grid, within a modest factor of p everywhere, the solve gives
// every entry a relative accuracy of about tol times that factor. (A second
// pass with w = p, measured on the double well at 512^2, cost 7 more
// iterations and a second multigrid set-up and changed Phi by less than
// 1e-9.)
func (o SteadyOptions) passes() int { return 1 }

// tailCutoff: nodes whose estimated probability is below this fraction of
// the largest are frozen at the estimate during a Krylov solve and relaxed
// locally afterwards. They hold less than 1e-30 of the mass and feed the
// rest of the grid with flows of that size, but their balance equations,
// with probabilities down to 1e-120 on steep landscapes, are what breaks
// multigrid.
const tailCutoff = 1e-30

// scaledSolve solves the pinned system a p = d e_pin in the unknowns
// q = p / w, then once more with w = p. Nodes below tailCutoff are held at
// w (identity rows of the scaled system) and relaxed afterwards by
// Gauss–Seidel sweeps of the true balance equations.
func (op *Operator) scaledSolve(ctx context.Context, a *sparse.CSR, d float64, pin int, w []float64, opt SteadyOptions) ([]float64, int, error) {
	g := op.Grid
	n := a.Rows
	iters := 0
	p := make([]float64, n)
	for pass := 0; pass < opt.passes(); pass++ {
		wmax := 0.0
		for _, v := range w {
			wmax = math.Max(wmax, v)
		}
		cut := tailCutoff * wmax
		for i, v := range w {
			// Keep every ratio w_j / w_i finite.
			w[i] = math.Max(v, 1e-200*wmax)
		}
		b := similar(a, w)
		rhs := make([]float64, n)
		rhs[pin] = d / w[pin]
		var tail []int
		for i, v := range w {
			if v < cut && i != pin {
				tail = append(tail, i)
				for q := b.RowPtr[i]; q < b.RowPtr[i+1]; q++ {
					b.Val[q] = 0
					if int(b.Col[q]) == i {
						b.Val[q] = 1
					}
				}
				rhs[i] = 1
			}
		}
		q := make([]float64, n)
		popt := opt
		if pass+1 < opt.passes() {
			// This pass only provides the scaling of the next one.
			popt.Tol = math.Max(opt.Tol, coarseTol)
		}
		st, err := krylov(ctx, b, rhs, q, g, popt)
		iters += st.Iterations

		if err != nil {
			if ctx.Err() != nil {
				return nil, iters, ctx.Err()
			}
			if pass == 0 {
				return nil, iters, fmt.Errorf("steady state: %w (relative residual %.2g after %d iterations)", err, st.Residual, iters)
			}
			break // the first pass met the tolerance: keep it
		}
		for i := range p {
			p[i] = math.Max(w[i]*q[i], 0)
		}
		relax(op.L, p, tail, 4)
		// Next pass: scale by the result itself.
		copy(w, p)
	}
	return p, iters, nil
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
	copt.Tol = math.Max(opt.Tol, coarseTol)
	copt.coarse = true
	cp, iters, err := cop.solvePinned(ctx, cop.PinNode(), copt)
	if err != nil {
		return nil, iters, err
	}
	// Log density on the coarse grid, floored far below anything that
	// matters so that the logarithm is finite.
	cmax := 0.0
	for _, v := range cp {
		cmax = math.Max(cmax, v)
	}
	logc := make([]float64, len(cp))
	for i, v := range cp {
		logc[i] = math.Log(math.Max(v/cmax, 1e-280))
	}
	w := make([]float64, g.Len())
	x := make([]float64, g.Dim)
	for i := range w {
		g.Point(x, i)
		w[i] = math.Exp(cg.interpolate(logc, x))
	}
	return w, iters, nil
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
		return (1-f[0])*u[k[0]] + f[0]*u[k[0]+1]
	}
	nx := g.N[0]
	i, j := k[0], k[1]
	return (1-f[0])*(1-f[1])*u[j*nx+i] + f[0]*(1-f[1])*u[j*nx+i+1] +
		(1-f[0])*f[1]*u[(j+1)*nx+i] + f[0]*f[1]*u[(j+1)*nx+i+1]
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
	l := op.L
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

// similar returns W^-1 A W for W = diag(w): b_ij = a_ij w_j / w_i.
func similar(a *sparse.CSR, w []float64) *sparse.CSR {
	b := a.Clone()
	for i := 0; i < b.Rows; i++ {
		for q := b.RowPtr[i]; q < b.RowPtr[i+1]; q++ {
			b.Val[q] *= w[b.Col[q]] / w[i]
		}
	}
	return b
}

// krylov solves b q = rhs from q = 1 by restarted GMRES(50) preconditioned
// with one multigrid cycle, which measured robust on steep landscapes where
// BiCGStab with the same preconditioner breaks down (Rosenbrock at 256^2:
// 89 GMRES iterations against no convergence); if that fails, by BiCGStab
// with ILU(0), slower but tolerant of unresolved drift.
func krylov(ctx context.Context, b *sparse.CSR, rhs, q []float64, g *Grid, opt SteadyOptions) (sparse.Stats, error) {
	reset := func() {
		for i := range q {
			q[i] = 1
		}
	}
	reset()
	var total sparse.Stats
	mg, err := sparse.NewGridMultigrid(b, g.N[0], g.N[1], g.Periodic, g.Periodic && g.Dim == 2, sparse.MultigridOptions{})
	if err == nil {
		st, err := sparse.GMRES(ctx, b, rhs, q, mg, sparse.Options{Tol: opt.Tol, MaxIter: opt.MaxIter, Restart: 50})
		total.Iterations += st.Iterations
		if err == nil || ctx.Err() != nil {
			st.Iterations = total.Iterations
			return st, err
		}
	}
	ilu, err := sparse.NewILU0(b)
	if err != nil {
		return total, err
	}
	reset()
	st, err := sparse.BiCGStab(ctx, b, rhs, q, ilu, sparse.Options{Tol: opt.Tol, MaxIter: 20 * opt.MaxIter})
	st.Iterations += total.Iterations
	return st, err
}
