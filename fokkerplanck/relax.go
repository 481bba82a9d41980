package fokkerplanck

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"time"

	"gonum.org/v1/gonum/mat"
)

// RelaxationOptions control Operator.RelaxationRate.
type RelaxationOptions struct {
	// Tol is the relative residual of the eigenpair of the inverse at which
	// the iteration stops, ||S v - mu v|| / |mu| for the unit Ritz vector v
	// in the norm of L^2(pi) (see RelaxationRate); 0 means 1e-8.
	Tol float64
	// Krylov is the largest Arnoldi basis before a restart; 0 means 20.
	Krylov int
	// MaxSolves bounds the backward solves (one per Arnoldi step, over all
	// restarts); 0 means 100.
	MaxSolves int
	// Solve controls the backward solves.
	Solve BackwardOptions
}

// Relaxation is the slowest relaxation of the chain: the eigenvalue lambda
// of -L nearest to 0 other than 0 itself, d p/dt = L p relaxing to the
// steady state as exp(-lambda t) in its slowest mode.
type Relaxation struct {
	// Rate is Re lambda, the slowest relaxation rate, and Imag |Im lambda|
	// (0 for a real eigenvalue; a complex pair relaxes while it rotates).
	Rate, Imag float64
	// Mode is the eigenfunction (the real part of the right eigenvector of
	// Q = L^T, a function of the nodes, in node order) scaled to largest
	// magnitude 1 and pi-mean 0; in a double well it is close to +1 on one
	// well and -1 on the other.
	Mode []float64
	// Residual is the relative residual of the eigenpair of the inverse,
	// ||S v - mu v|| / |mu|, at most Tol.
	Residual float64
	// Solves counts the backward solves (Arnoldi steps), Iterations their
	// Krylov iterations, SolveSeconds the wall time.
	Solves, Iterations int
	SolveSeconds       float64
}

// EigenNotConvergedError reports a relaxation-rate iteration that did not
// reach its tolerance within its budget of solves.
type EigenNotConvergedError struct {
	// Residual is the relative residual of the best Ritz pair and Tol the
	// tolerance it missed; Rate and Imag are that pair's estimate.
	Residual, Tol, Rate, Imag float64
	// Solves counts the backward solves spent.
	Solves int
	// Nodes is the size of the grid (Grid.N).
	Nodes [2]int
}

// Error states the residual reached, the estimate and the work spent.
func (e *EigenNotConvergedError) Error() string {
	return fmt.Sprintf("relaxation rate did not converge: residual %.3g, tolerance %.3g, after %d solves on %d x %d nodes (estimate %.6g ± %.3gi); allow more solves or a larger Krylov basis",
		e.Residual, e.Tol, e.Solves, e.Nodes[0], e.Nodes[1], e.Rate, e.Imag)
}

// RelaxationRate returns the slowest relaxation of op's chain: the
// eigenvalue lambda != 0 of -L with the smallest magnitude, its real part
// (the rate) and imaginary part, and its eigenfunction. st must be the
// steady state of op.
//
// Method: Arnoldi's iteration (Saad, Numerical Methods for Large Eigenvalue
// Problems, 2nd ed., SIAM 2011, chs. 6 to 8) on the inverse of the
// rate matrix Q = L^T (shift-and-invert at 0) restricted to the functions
// with pi-mean zero,
//
//	S v = u,   Q u = v,   pi . u = 0,   for pi . v = 0,
//
// whose eigenvalues mu = -1 / lambda are largest in magnitude for the
// slowest modes, with the steady state deflated exactly: the functions with
// pi . v = 0 are the range of Q (pi^T Q = 0), so Q u = v is solvable, and
// its solutions differ by constants, the null space, of which the one with
// pi . u = 0 is taken. Each step solves Q u = v with the value at the node
// of largest pi fixed at 0 (the equation there follows from the others) by
// the backward solver of MeanFirstPassage, GMRES with the multigrid
// preconditioner; no matrix of the grid's size is ever factorised. The
// Ritz values of the small Hessenberg matrix are found by a dense
// eigensolver after every step, and the iteration stops when the Ritz pair
// of largest |mu| has the relative residual |h_(k+1,k) y_k| / |mu| <= Tol
// (y the unit eigenvector of the Hessenberg matrix), restarting from the
// Ritz vector when the basis is full. The basis is orthonormal in L^2(pi),
// the inner product sum_i pi_i u_i v_i, in which Q is self-adjoint when the
// chain is in detailed balance: the Ritz values then carry errors of the
// order of the squared residual, and in general the residual is measured in
// the norm in which relaxation is (Pavliotis 2014, ch. 4); in the
// Euclidean norm a residual of 1e-8 left errors of 2e-5 in the rate of the
// gyrator. In a double well at low temperature
// the gap between the slowest rate and the next is exponentially large,
// and a few steps suffice.
//
// Errors: a st that is not a steady state of op, a chain some of whose
// nodes cannot reach the others (an *UnreachableError: its rates underflow,
// and 0 is a multiple eigenvalue), a failed inner solve
// (*BackwardNotConvergedError), or an *EigenNotConvergedError.
func (op *Operator) RelaxationRate(ctx context.Context, st *Steady, opt RelaxationOptions) (*Relaxation, error) {
	if opt.Tol == 0 {
		opt.Tol = 1e-8
	}
	if opt.Krylov == 0 {
		opt.Krylov = 20
	}
	if opt.MaxSolves == 0 {
		opt.MaxSolves = 100
	}
	opt.Solve = opt.Solve.withDefaults()
	if err := opt.Solve.check(); err != nil {
		return nil, err
	}
	if !(opt.Tol > 0 && opt.Tol < 1) || opt.Krylov < 2 || opt.MaxSolves < 1 {
		return nil, fmt.Errorf("relaxation options: need 0 < Tol < 1, Krylov >= 2 and MaxSolves >= 1, got %g, %d and %d", opt.Tol, opt.Krylov, opt.MaxSolves)
	}
	pi, err := op.stationary(st)
	if err != nil {
		return nil, err
	}
	g := op.Grid
	n := g.Len()
	if n < 2 {
		return nil, fmt.Errorf("a relaxation rate needs at least two nodes")
	}
	start := time.Now()
	pin, sumPi := 0, 0.0
	for i, v := range pi {
		if v > pi[pin] {
			pin = i
		}
		sumPi += v
	}
	fixed := make([]bool, n)
	fixed[pin] = true
	// A chain with nodes that cannot reach the others has more than one
	// stationary state (0 is a multiple eigenvalue).
	if err := g.unreachableError("the node of largest steady probability", unreachable(op.gen, fixed)); err != nil {
		return nil, err
	}
	solver, err := newBackwardSolver(g, op.backward(), fixed, opt.Solve)
	if err != nil {
		return nil, err
	}
	zero := make([]float64, n)
	rel := &Relaxation{}
	// centre makes v pi-mean zero by a constant shift.
	centre := func(v []float64) {
		s := 0.0
		for i, x := range v {
			s += pi[i] * x
		}
		s /= sumPi
		for i := range v {
			v[i] -= s
		}
	}
	apply := func(dst, v []float64) error {
		clear(dst)
		info, err := solver.solve(ctx, "relaxation-rate solve", v, zero, dst, math.Inf(-1), math.Inf(1))
		rel.Solves++
		rel.Iterations += info.iterations
		if err != nil {
			return err
		}
		centre(dst)
		return nil
	}

	m := min(opt.Krylov, n-1)
	basis := make([][]float64, m+1)
	for k := range basis {
		basis[k] = make([]float64, n)
	}
	// The start: a smooth function of the nodes, x + y/3 + 1/7 (pi-mean 0).
	x := make([]float64, g.Dim)
	for i := range basis[0] {
		g.Point(x, i)
		v := x[0] - g.Min[0] + 1.0/7
		if g.Dim == 2 {
			v += (x[1] - g.Min[1]) / 3
		}
		basis[0][i] = v
	}
	centre(basis[0])
	// The inner product of L^2(pi), <u, v> = sum_i pi_i u_i v_i, in which Q
	// is self-adjoint for a chain in detailed balance (Ritz values are then
	// accurate to the square of the residual) and the steady state's
	// complement, pi . v = 0, is the orthogonal complement of the constants.
	ip := func(u, v []float64) float64 {
		s := 0.0
		for i, x := range u {
			s += pi[i] * x * v[i]
		}
		return s
	}
	nrm := func(u []float64) float64 { return math.Sqrt(ip(u, u)) }
	h := mat.NewDense(m+1, m, nil)
	w := make([]float64, n)
	var best struct {
		mu       complex128
		res      float64
		y        []complex128
		k        int
		hasValue bool
	}
	best.res = math.Inf(1)
	for rel.Solves < opt.MaxSolves {
		// Arnoldi from basis[0].
		scale(basis[0], 1/nrm(basis[0]))
		h.Zero()
		k := 0
		for ; k < m && rel.Solves < opt.MaxSolves; k++ {
			if err := apply(w, basis[k]); err != nil {
				return nil, err
			}
			// Modified Gram–Schmidt, twice (Giraud et al. 2005).
			for pass := 0; pass < 2; pass++ {
				for j := 0; j <= k; j++ {
					c := ip(basis[j], w)
					axpy(w, -c, basis[j])
					h.Set(j, k, h.At(j, k)+c)
				}
			}
			hn := nrm(w)
			h.Set(k+1, k, hn)
			mu, y, ok := ritz(h, k+1)
			if !ok {
				return nil, fmt.Errorf("relaxation rate: the Hessenberg matrix of %d steps has no eigen-decomposition", k+1)
			}
			res := hn * cmplx.Abs(y[k]) / cmplx.Abs(mu)
			if res < best.res || !best.hasValue {
				best.mu, best.res, best.y, best.k, best.hasValue = mu, res, y, k+1, true
			}
			if res <= opt.Tol || hn == 0 {
				return op.finishRelaxation(rel, basis, best.y, best.k, mu, res, pi, sumPi, start), nil
			}
			copy(basis[k+1], w)
			scale(basis[k+1], 1/hn)
		}
		if rel.Solves >= opt.MaxSolves {
			break
		}
		// Restart from the real Ritz vector of the pair of largest |mu| (for
		// a complex pair the sum of its real and imaginary parts, which lies
		// in the pair's invariant subspace).
		mu, y, _ := ritz(h, k)
		ritzVector(w, basis, y, k, true)
		tmp := make([]float64, n)
		ritzVector(tmp, basis, y, k, false)
		if imag(mu) != 0 {
			axpy(w, 1, tmp)
		}
		copy(basis[0], w)
		centre(basis[0])
	}
	lam := -1 / best.mu
	return nil, &EigenNotConvergedError{Residual: best.res, Tol: opt.Tol, Rate: real(lam), Imag: math.Abs(imag(lam)),
		Solves: rel.Solves, Nodes: g.N}
}

// finishRelaxation fills rel from the Ritz pair (mu, y) of a k-step basis.
func (op *Operator) finishRelaxation(rel *Relaxation, basis [][]float64, y []complex128, k int, mu complex128, res float64, pi []float64, sumPi float64, start time.Time) *Relaxation {
	lam := -1 / mu
	rel.Rate, rel.Imag, rel.Residual = real(lam), math.Abs(imag(lam)), res
	n := len(pi)
	rel.Mode = make([]float64, n)
	ritzVector(rel.Mode, basis, y, k, true)
	s := 0.0
	for i, v := range rel.Mode {
		s += pi[i] * v
	}
	s /= sumPi
	top := 0.0
	for i := range rel.Mode {
		rel.Mode[i] -= s
		top = math.Max(top, math.Abs(rel.Mode[i]))
	}
	if top > 0 {
		// The sign: the entry of largest magnitude is +1.
		sign := 1.0
		for _, v := range rel.Mode {
			if math.Abs(v) == top && v < 0 {
				sign = -1
				break
			}
		}
		scale(rel.Mode, sign/top)
	}
	rel.SolveSeconds = time.Since(start).Seconds()
	return rel
}

// ritz returns the eigenvalue of largest magnitude of the leading k x k
// block of h and its unit eigenvector.
func ritz(h *mat.Dense, k int) (complex128, []complex128, bool) {
	hk := mat.DenseCopyOf(h.Slice(0, k, 0, k))
	var eig mat.Eigen
	if !eig.Factorize(hk, mat.EigenRight) {
		return 0, nil, false
	}
	vals := eig.Values(nil)
	var vecs mat.CDense
	eig.VectorsTo(&vecs)
	bi := 0
	for i, v := range vals {
		if cmplx.Abs(v) > cmplx.Abs(vals[bi]) || (cmplx.Abs(v) == cmplx.Abs(vals[bi]) && imag(v) > imag(vals[bi])) {
			bi = i
		}
	}
	y := make([]complex128, k)
	s := 0.0
	for i := range y {
		y[i] = vecs.At(i, bi)
		s += real(y[i])*real(y[i]) + imag(y[i])*imag(y[i])
	}
	s = math.Sqrt(s)
	for i := range y {
		y[i] /= complex(s, 0)
	}
	return vals[bi], y, true
}

// ritzVector writes the real (re) or imaginary part of sum_j y_j basis[j]
// over the first k basis vectors into dst.
func ritzVector(dst []float64, basis [][]float64, y []complex128, k int, re bool) {
	clear(dst)
	for j := 0; j < k; j++ {
		c := real(y[j])
		if !re {
			c = imag(y[j])
		}
		axpy(dst, c, basis[j])
	}
}

func axpy(dst []float64, a float64, x []float64) {
	for i, v := range x {
		dst[i] += a * v
	}
}

func scale(x []float64, a float64) {
	for i := range x {
		x[i] *= a
	}
}
