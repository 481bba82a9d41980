package sparse

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Operator is a linear map x -> A x of a square matrix. *CSR implements it.
type Operator interface {
	MulVec(dst, x []float64)
}

// Preconditioner approximates the inverse of a matrix: Apply sets
// dst ≈ A⁻¹ r. dst and r do not alias. Implementations in this package do not
// allocate in Apply.
type Preconditioner interface {
	Apply(dst, r []float64)
}

// IdentityPreconditioner is the trivial preconditioner dst = r.
type IdentityPreconditioner struct{}

// Apply copies r to dst.
func (IdentityPreconditioner) Apply(dst, r []float64) { copy(dst, r) }

// Options controls the Krylov solvers.
type Options struct {
	// Tol is the target relative residual ||b - A x||₂ / ||b||₂. Zero means 1e-10.
	Tol float64
	// MaxIter bounds the number of iterations (BiCGStab iterations, each with
	// two matrix–vector products and two preconditioner applications, or
	// GMRES inner steps, each with one of both). Zero means 1000.
	MaxIter int
	// Restart is the GMRES restart length m. Zero means 30.
	Restart int
	// Stagnation stops the solver with [ErrNotConverged] when the relative
	// residual has not fallen below 0.999 times its smallest earlier value for
	// this many iterations (it then sits at the rounding-error floor or the
	// method stalls), and BiCGStab also stops when three restarts in a row,
	// caused by the updated residual drifting below the tolerance while the
	// true residual does not, fail to halve the true residual. Zero means
	// 50; a negative value disables both tests.
	Stagnation int
	// Work, if non-nil, provides the solver's vectors and is reused across
	// calls, so that repeated solves (time stepping) do not allocate.
	Work *Workspace
}

func (o Options) withDefaults() Options {
	if o.Tol <= 0 {
		o.Tol = 1e-10
	}
	if o.MaxIter <= 0 {
		o.MaxIter = 1000
	}
	if o.Restart <= 0 {
		o.Restart = 30
	}
	if o.Stagnation == 0 {
		o.Stagnation = 50
	}
	return o
}

// stagnation tracks the best residual seen.
type stagnation struct {
	best   float64
	bestIt int
	limit  int
}

// stalled records the residual of iteration it and reports whether the
// iteration has stagnated.
func (s *stagnation) stalled(res float64, it int) bool {
	if s.limit < 0 {
		return false
	}
	if res < 0.999*s.best || s.bestIt == 0 {
		s.best, s.bestIt = res, it
		return false
	}
	return it-s.bestIt >= s.limit
}

// Stats reports the outcome of a Krylov solve.
type Stats struct {
	// Iterations is the number of iterations performed.
	Iterations int
	// Residual is the final relative residual ||b - A x||₂ / ||b||₂.
	Residual float64
	// Converged reports whether Residual <= Tol.
	Converged bool
}

// Errors returned (wrapped, with details) by the solvers; test with errors.Is.
var (
	// ErrNotConverged: the iteration limit was reached above the tolerance.
	ErrNotConverged = errors.New("sparse: iterative solver did not converge")
	// ErrBreakdown: a division by (numerically) zero or a non-finite value
	// stopped the iteration.
	ErrBreakdown = errors.New("sparse: iterative solver broke down")
)

// Workspace holds reusable solver vectors; the zero value is ready to use.
// A Workspace must not be used by two solves at the same time.
type Workspace struct {
	vecs [][]float64
}

// get returns k vectors of length n (contents unspecified).
func (w *Workspace) get(k, n int) [][]float64 {
	if w == nil {
		w = &Workspace{}
	}
	for len(w.vecs) < k {
		w.vecs = append(w.vecs, nil)
	}
	for i := 0; i < k; i++ {
		if cap(w.vecs[i]) < n {
			w.vecs[i] = make([]float64, n)
		}
		w.vecs[i] = w.vecs[i][:n]
	}
	return w.vecs[:k]
}

// vec returns vector i of length n (contents unspecified), allocating it on
// first use.
func (w *Workspace) vec(i, n int) []float64 {
	for len(w.vecs) <= i {
		w.vecs = append(w.vecs, nil)
	}
	if cap(w.vecs[i]) < n {
		w.vecs[i] = make([]float64, n)
	}
	w.vecs[i] = w.vecs[i][:n]
	return w.vecs[i]
}

func dot(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func norm2(x []float64) float64 { return math.Sqrt(dot(x, x)) }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func checkDims(name string, b, x []float64) error {
	if len(b) != len(x) {
		return fmt.Errorf("sparse: %s: len(b)=%d != len(x)=%d", name, len(b), len(x))
	}
	return nil
}

// BiCGStab solves A x = b by the stabilised bi-conjugate gradient method
// (van der Vorst 1992) with right preconditioning, A M⁻¹ y = b, x = M⁻¹ y,
// so that the residual it monitors is the true residual b - A x. On entry x
// is the initial guess (use zeros when there is none); on return it holds
// the last iterate. m may be nil (no preconditioning).
//
// The context is checked every iteration. When the recursively updated
// residual reaches the tolerance the true residual is recomputed and the
// iteration continues (restarted) if it has drifted above the tolerance. A
// breakdown (rho or (r̂, v) vanishing) restarts the method with the current
// residual as shadow vector, at most 5 times. The error is nil exactly when
// Stats.Converged is true; otherwise it wraps [ErrNotConverged],
// [ErrBreakdown] or the context's error.
func BiCGStab(ctx context.Context, a Operator, b, x []float64, m Preconditioner, opts Options) (Stats, error) {
	opts = opts.withDefaults()
	if err := checkDims("BiCGStab", b, x); err != nil {
		return Stats{}, err
	}
	if m == nil {
		m = IdentityPreconditioner{}
	}
	n := len(b)
	v := opts.Work.get(8, n)
	r, rh, p, vv, ph, s, sh, t := v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
	bn := norm2(b)
	if bn == 0 {
		clear(x)
		return Stats{Converged: true}, nil
	}
	residual := func() float64 {
		a.MulVec(r, x)
		for i := range r {
			r[i] = b[i] - r[i]
		}
		return norm2(r) / bn
	}
	st := Stats{Residual: residual()}
	if !finite(st.Residual) {
		return st, fmt.Errorf("%w: BiCGStab: non-finite initial residual", ErrBreakdown)
	}
	if st.Residual <= opts.Tol {
		st.Converged = true
		return st, nil
	}
	restarts := 0
	stag := stagnation{best: st.Residual, limit: opts.Stagnation}
	// drift handles an updated residual below the tolerance whose true
	// residual is not: the iteration restarts, unless the true residual has
	// stopped improving (it sits at the rounding-error floor).
	bestTrue, floorHits := math.Inf(1), 0
	drift := func() error {
		if st.Residual < 0.5*bestTrue {
			bestTrue, floorHits = st.Residual, 0
		} else {
			floorHits++
		}
		if floorHits >= 3 && opts.Stagnation > 0 {
			return fmt.Errorf("%w: BiCGStab stagnated at relative residual %.3g > tol %.3g (rounding-error floor; iteration %d)", ErrNotConverged, st.Residual, opts.Tol, st.Iterations)
		}
		return nil
	}
	rho, alpha, omega := 1.0, 1.0, 1.0
	// restart starts the recurrences afresh from the current residual.
	restart := func() {
		copy(rh, r)
		clear(p)
		clear(vv)
		rho, alpha, omega = 1, 1, 1
	}
	restart()
	// confirm is called when the updated residual falls below the
	// tolerance: it reports convergence if the true residual agrees, and
	// otherwise restarts from the true residual (or fails at the floor).
	confirm := func() (bool, error) {
		st.Residual = residual()
		if st.Residual <= opts.Tol {
			st.Converged = true
			return true, nil
		}
		if err := drift(); err != nil {
			return false, err
		}
		restarts++
		restart()
		return false, nil
	}
	for st.Iterations < opts.MaxIter {
		if err := ctx.Err(); err != nil {
			return st, fmt.Errorf("sparse: BiCGStab stopped after %d iterations (relative residual %.3g): %w", st.Iterations, st.Residual, err)
		}
		st.Iterations++
		rhoNew := dot(rh, r)
		if math.Abs(rhoNew) <= 1e-300 || !finite(rhoNew) {
			if restarts < 5 && finite(rhoNew) {
				restarts++
				restart()
				rhoNew = dot(rh, r)
			} else {
				return st, fmt.Errorf("%w: BiCGStab: rho = %g at iteration %d (relative residual %.3g)", ErrBreakdown, rhoNew, st.Iterations, st.Residual)
			}
		}
		beta := rhoNew / rho * alpha / omega
		rho = rhoNew
		for i := range p {
			p[i] = r[i] + beta*(p[i]-omega*vv[i])
		}
		m.Apply(ph, p)
		a.MulVec(vv, ph)
		den := dot(rh, vv)
		if den == 0 || !finite(den) {
			if restarts < 5 && finite(den) {
				restarts++
				restart()
				continue
			}
			return st, fmt.Errorf("%w: BiCGStab: (r̂,v) = %g at iteration %d (relative residual %.3g)", ErrBreakdown, den, st.Iterations, st.Residual)
		}
		alpha = rho / den
		for i := range s {
			s[i] = r[i] - alpha*vv[i]
		}
		if sn := norm2(s) / bn; sn <= opts.Tol {
			for i := range x {
				x[i] += alpha * ph[i]
			}
			if done, err := confirm(); done || err != nil {
				return st, err
			}
			continue
		}
		m.Apply(sh, s)
		a.MulVec(t, sh)
		tt := dot(t, t)
		if tt == 0 || !finite(tt) {
			return st, fmt.Errorf("%w: BiCGStab: (t,t) = %g at iteration %d", ErrBreakdown, tt, st.Iterations)
		}
		omega = dot(t, s) / tt
		for i := range x {
			x[i] += alpha*ph[i] + omega*sh[i]
			r[i] = s[i] - omega*t[i]
		}
		st.Residual = norm2(r) / bn
		if !finite(st.Residual) {
			return st, fmt.Errorf("%w: BiCGStab: non-finite residual at iteration %d", ErrBreakdown, st.Iterations)
		}
		if st.Residual <= opts.Tol {
			if done, err := confirm(); done || err != nil {
				return st, err
			}
			continue
		}
		if stag.stalled(st.Residual, st.Iterations) {
			return st, fmt.Errorf("%w: BiCGStab stagnated at relative residual %.3g > tol %.3g (best %.3g, no progress in %d iterations; iteration %d)", ErrNotConverged, st.Residual, opts.Tol, stag.best, opts.Stagnation, st.Iterations)
		}
		if omega == 0 {
			if restarts < 5 {
				restarts++
				restart()
				continue
			}
			return st, fmt.Errorf("%w: BiCGStab: omega = 0 at iteration %d (relative residual %.3g)", ErrBreakdown, st.Iterations, st.Residual)
		}
	}
	st.Residual = residual()
	if st.Residual <= opts.Tol {
		st.Converged = true
		return st, nil
	}
	return st, fmt.Errorf("%w: BiCGStab reached %d iterations with relative residual %.3g > tol %.3g", ErrNotConverged, st.Iterations, st.Residual, opts.Tol)
}

// GMRES solves A x = b by the restarted generalised minimal residual method
// GMRES(m) (Saad & Schultz 1986) with right preconditioning, so that the
// residual it minimises is the true residual b - A x. The Arnoldi basis is
// orthogonalised by classical Gram–Schmidt with DGKS reorthogonalisation
// (fused, cache-blocked passes over the basis, in parallel for long
// vectors; basis vectors are allocated as the iteration reaches them) and
// the least-squares problem is solved with Givens rotations; the restart length is opts.Restart. On entry
// x is the initial guess; on return it holds the last iterate. m may be nil.
//
// The context is checked every inner step. The error is nil exactly when
// Stats.Converged is true; otherwise it wraps [ErrNotConverged],
// [ErrBreakdown] or the context's error.
func GMRES(ctx context.Context, a Operator, b, x []float64, m Preconditioner, opts Options) (Stats, error) {
	opts = opts.withDefaults()
	if err := checkDims("GMRES", b, x); err != nil {
		return Stats{}, err
	}
	if m == nil {
		m = IdentityPreconditioner{}
	}
	n := len(b)
	mr := opts.Restart
	// Basis vectors are taken from the workspace when first needed: a solve
	// that converges in few iterations does not allocate the whole basis.
	ws := opts.Work
	if ws == nil {
		ws = &Workspace{}
	}
	// basis[j] is workspace vector 2+j; A M⁻¹ v_k is formed in the slot
	// of v_{k+1} and orthogonalised there, and the update M⁻¹ (V y) of a
	// cycle of k steps is combined in slot 2+k (not in the span it reads).
	z := ws.vec(1, n)
	basis := make([][]float64, mr+1)
	basis[0] = ws.vec(2, n)
	ok := newOrthoKernels(n, mr+1)
	hcol := make([]float64, mr+1)
	hcol2 := make([]float64, mr+1)
	h := make([]float64, (mr+1)*mr) // h[i*mr+j]
	cs := make([]float64, mr)
	sn := make([]float64, mr)
	g := make([]float64, mr+1)
	y := make([]float64, mr)

	bn := norm2(b)
	if bn == 0 {
		clear(x)
		return Stats{Converged: true}, nil
	}
	var st Stats
	stag := stagnation{best: math.Inf(1), limit: opts.Stagnation}
	stalled := false
	for {
		// r = b - A x into basis[0]
		r := basis[0]
		a.MulVec(r, x)
		for i := range r {
			r[i] = b[i] - r[i]
		}
		beta := norm2(r)
		st.Residual = beta / bn
		if !finite(st.Residual) {
			return st, fmt.Errorf("%w: GMRES: non-finite residual at iteration %d", ErrBreakdown, st.Iterations)
		}
		if st.Residual <= opts.Tol {
			st.Converged = true
			return st, nil
		}
		if stalled {
			return st, fmt.Errorf("%w: GMRES(%d) stagnated at relative residual %.3g > tol %.3g (no progress in %d iterations; iteration %d)", ErrNotConverged, mr, st.Residual, opts.Tol, opts.Stagnation, st.Iterations)
		}
		if st.Iterations >= opts.MaxIter {
			return st, fmt.Errorf("%w: GMRES(%d) reached %d iterations with relative residual %.3g > tol %.3g", ErrNotConverged, mr, st.Iterations, st.Residual, opts.Tol)
		}
		for i := range r {
			r[i] /= beta
		}
		clear(g)
		g[0] = beta
		k := 0 // number of completed Arnoldi steps in this cycle
		for k < mr && st.Iterations < opts.MaxIter {
			if err := ctx.Err(); err != nil {
				return st, fmt.Errorf("sparse: GMRES stopped after %d iterations (relative residual %.3g): %w", st.Iterations, st.Residual, err)
			}
			st.Iterations++
			m.Apply(z, basis[k])
			w := ws.vec(3+k, n)
			a.MulVec(w, z)
			// Classical Gram–Schmidt: one pass of dot products and one of
			// updates (which also gives the new norm), repeated when the
			// norm drops by more than a factor 1e3: the loss of
			// orthogonality of one pass is about eps times that factor
			// (Giraud, Langou & Rozložník 2005), so this keeps the basis
			// orthogonal to about 1e-13 with a second pass only in the
			// (rare, for a good preconditioner) steps of heavy cancellation.
			vk := basis[:k+1]
			hk := hcol[:k+1]
			wn2 := ok.dots(hk, w, vk)
			hn2 := ok.update(w, vk, hk)
			if hn2 < 1e-6*wn2 {
				h2 := hcol2[:k+1]
				ok.dots(h2, w, vk)
				hn2 = ok.update(w, vk, h2)
				for i := range hk {
					hk[i] += h2[i]
				}
			}
			for i, v := range hk {
				h[i*mr+k] = v
			}
			hn := math.Sqrt(hn2)
			if !finite(hn) || !finite(wn2) {
				return st, fmt.Errorf("%w: GMRES: non-finite Arnoldi vector at iteration %d", ErrBreakdown, st.Iterations)
			}
			h[(k+1)*mr+k] = hn
			if hn != 0 {
				basis[k+1] = w
				inv := 1 / hn
				for q := range w {
					w[q] *= inv
				}
			}
			// Apply previous rotations to column k.
			for i := 0; i < k; i++ {
				a0, a1 := h[i*mr+k], h[(i+1)*mr+k]
				h[i*mr+k] = cs[i]*a0 + sn[i]*a1
				h[(i+1)*mr+k] = -sn[i]*a0 + cs[i]*a1
			}
			a0, a1 := h[k*mr+k], h[(k+1)*mr+k]
			d := math.Hypot(a0, a1)
			if d == 0 {
				return st, fmt.Errorf("%w: GMRES: zero Hessenberg column at iteration %d", ErrBreakdown, st.Iterations)
			}
			cs[k], sn[k] = a0/d, a1/d
			h[k*mr+k] = d
			h[(k+1)*mr+k] = 0
			g[k+1] = -sn[k] * g[k]
			g[k] = cs[k] * g[k]
			k++
			st.Residual = math.Abs(g[k]) / bn
			if st.Residual <= opts.Tol || hn == 0 {
				break
			}
			if stag.stalled(st.Residual, st.Iterations) {
				stalled = true
				break
			}
		}
		// Solve the k x k triangular system and update x += M⁻¹ (V y).
		for i := k - 1; i >= 0; i-- {
			s := g[i]
			for j := i + 1; j < k; j++ {
				s -= h[i*mr+j] * y[j]
			}
			y[i] = s / h[i*mr+i]
		}
		u := ws.vec(2+k, n)
		ok.combine(u, basis[:k], y[:k])
		m.Apply(z, u)
		for q := range x {
			x[q] += z[q]
		}
	}
}
