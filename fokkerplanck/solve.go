package fokkerplanck

import (
	"context"
	"fmt"
	"math"

	"github.com/sgdsde/sgdsde/internal/sparse"
)

// scaledOp is the similarity transform x -> W^-1 A W x, W = diag(w).
type scaledOp struct {
	a   *sparse.CSR
	w   []float64
	tmp []float64
}

func (s *scaledOp) MulVec(dst, x []float64) {
	for i := range x {
		s.tmp[i] = s.w[i] * x[i]
	}
	s.a.MulVec(dst, s.tmp)
	for i := range dst {
		dst[i] /= s.w[i]
	}
}

// scaledPrec preconditions W^-1 A W with W^-1 M W, M a preconditioner of A.
type scaledPrec struct {
	m   sparse.Preconditioner
	w   []float64
	tmp []float64
}

func (s *scaledPrec) Apply(dst, r []float64) {
	for i := range r {
		s.tmp[i] = s.w[i] * r[i]
	}
	s.m.Apply(dst, s.tmp)
	for i := range dst {
		dst[i] /= s.w[i]
	}
}

// solvePinned solves L p = 0 with p[pin] = 1 by BiCGStab preconditioned
// with one geometric multigrid cycle per application. The pinned row is
// scaled by |L_pin,pin| so that it is balanced with the others.
//
// A solve to a relative residual tol leaves an absolute error of about
// tol max(p) in every entry, which is a large relative error where p is
// small (the tails, where Phi is read). So the solve is repeated once for
// q = W^-1 p with W = diag(w), w the first solution, on the similar matrix
// W^-1 A W: its residual weighs the balance equation of every node by that
// node's probability, every entry of p then has a relative accuracy of
// about tol, and Phi = -T log rho is accurate to about T tol wherever rho
// is above underflow.
func (op *Operator) solvePinned(ctx context.Context, pin int, opt SteadyOptions) ([]float64, int, error) {
	a := op.L.Clone()
	d := math.Abs(a.At(pin, pin))
	if d == 0 {
		d = 1
	}
	if err := a.PinRow(pin, d); err != nil {
		return nil, 0, err
	}
	n := a.Rows
	b := make([]float64, n)
	b[pin] = d
	g := op.Grid
	mg, err := sparse.NewGridMultigrid(a, g.N[0], g.N[1], g.Periodic, g.Periodic && g.Dim == 2, sparse.MultigridOptions{})
	if err != nil {
		return nil, 0, fmt.Errorf("steady state: %w", err)
	}
	work := &sparse.Workspace{}
	x := make([]float64, n)
	x[pin] = 1
	st, err := sparse.BiCGStab(ctx, a, b, x, mg, sparse.Options{Tol: opt.Tol, MaxIter: opt.MaxIter, Work: work})
	iters := st.Iterations
	if err != nil {
		return nil, iters, fmt.Errorf("steady state: %w (relative residual %.2g after %d iterations)", err, st.Residual, iters)
	}
	// One refinement pass on W^-1 A W with w = max(p, tol max p): every
	// entry above tol max p then has a relative accuracy of about tol.
	pmax := 0.0
	for _, v := range x {
		pmax = math.Max(pmax, v)
	}
	floor := opt.Tol * pmax
	w := make([]float64, n)
	q := make([]float64, n)
	for i, v := range x {
		w[i] = math.Max(v, floor)
		q[i] = 1
	}
	bs := make([]float64, n)
	bs[pin] = d / w[pin]
	sop := &scaledOp{a: a, w: w, tmp: make([]float64, n)}
	prec := &scaledPrec{m: mg, w: w, tmp: make([]float64, n)}
	st, err = sparse.BiCGStab(ctx, sop, bs, q, prec, sparse.Options{Tol: opt.Tol, MaxIter: 2*iters + 20, Work: work})
	iters += st.Iterations
	if err == nil {
		for i := range x {
			x[i] = w[i] * q[i]
		}
	} else if ctx.Err() != nil {
		return nil, iters, ctx.Err()
	}
	// Deep in the tails (below tol^2 max p, far outside the region where
	// anything is read) the entries have only absolute accuracy and may even
	// be slightly negative. Relax them by alternating Gauss–Seidel sweeps
	// of the balance equations p_y = sum_x L[y][x] p_x / -L[y][y], which keep
	// them positive and decaying like their neighbours.
	relaxTails(op.L, x, opt.Tol*opt.Tol*pmax, pin)
	return x, iters, nil
}

// relaxTails applies four alternating Gauss–Seidel sweeps of L p = 0 to
// the entries of p below floor (except the pinned one).
func relaxTails(l *sparse.CSR, p []float64, floor float64, pin int) {
	var tail []int
	for i, v := range p {
		if v < floor && i != pin {
			tail = append(tail, i)
			if v < 0 {
				p[i] = 0
			}
		}
	}
	if len(tail) == 0 {
		return
	}
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
	for k := 0; k < 4; k++ {
		if k%2 == 0 {
			for _, y := range tail {
				sweep(y)
			}
		} else {
			for i := len(tail) - 1; i >= 0; i-- {
				sweep(tail[i])
			}
		}
	}
}
