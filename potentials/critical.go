package potentials

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Potential is a scalar function U on R^Dim with its gradient and,
// optionally, its Hessian: a loss f, or the potential U of a stationary
// density exp(-U/T). FindMinimum, FindCritical and FindTransition locate
// its critical points; EyringKramers turns a minimum and a saddle into an
// escape time.
//
// Matrices are row-major, as in Model: element (i, j) of the Hessian is
// dst[i*Dim+j]. The functions must not retain x.
type Potential struct {
	// Dim is the dimension of x.
	Dim int
	// U returns U(x).
	U func(x []float64) float64
	// Grad writes grad U(x) into dst (length Dim).
	Grad func(dst, x []float64)
	// Hess, if not nil, writes the Hessian of U at x into dst (length
	// Dim*Dim). Without it the Hessian is taken by central differences of
	// Grad with the steps eps^(1/3) max(1, |x_j|) (eps the machine
	// epsilon), accurate to about 1e-10 relative for a potential whose
	// third derivatives are of the size of its second: enough for Newton's
	// method, whose fixed point does not depend on the Hessian's error, and
	// for the prefactor of EyringKramers.
	Hess func(dst, x []float64)
}

// LossPotential returns the loss f of m (its Loss and Grad) as a
// Potential without a closed-form Hessian. For SGD with D = I the
// stationary density is exp(-f/T), so f is the potential of the
// Eyring–Kramers formula; with another D it is in general not (see
// EyringKramers).
func LossPotential(m Model) (Potential, error) {
	if m.Loss == nil || m.Grad == nil {
		return Potential{}, fmt.Errorf("model %q has no loss and gradient", m.Name)
	}
	return Potential{Dim: m.Dim, U: m.Loss, Grad: m.Grad}, nil
}

// validate checks that p can be evaluated.
func (p Potential) validate() error {
	if p.Dim < 1 || p.U == nil || p.Grad == nil {
		return fmt.Errorf("potential: need Dim >= 1, U and Grad (Dim %d, U set %v, Grad set %v)", p.Dim, p.U != nil, p.Grad != nil)
	}
	return nil
}

// Hessian writes the Hessian of U at x into dst (length Dim*Dim,
// row-major): Hess if it is set, otherwise central differences of Grad,
// symmetrised (see Potential.Hess).
func (p Potential) Hessian(dst, x []float64) {
	d := p.Dim
	if p.Hess != nil {
		p.Hess(dst, x)
		return
	}
	xp := append([]float64(nil), x...)
	gp, gm := make([]float64, d), make([]float64, d)
	for j := 0; j < d; j++ {
		h := 6.0554544523933395e-06 * math.Max(1, math.Abs(x[j])) // eps^(1/3)
		xp[j] = x[j] + h
		hp := xp[j] - x[j]
		p.Grad(gp, xp)
		xp[j] = x[j] - h
		hm := x[j] - xp[j]
		p.Grad(gm, xp)
		xp[j] = x[j]
		for i := 0; i < d; i++ {
			dst[i*d+j] = (gp[i] - gm[i]) / (hp + hm)
		}
	}
	for i := 0; i < d; i++ {
		for j := i + 1; j < d; j++ {
			s := (dst[i*d+j] + dst[j*d+i]) / 2
			dst[i*d+j], dst[j*d+i] = s, s
		}
	}
}

// CriticalPoint is a point where grad U vanishes, with the value and the
// Hessian of U there.
type CriticalPoint struct {
	// X is the position.
	X []float64
	// U is U(X).
	U float64
	// Hess is the Hessian of U at X, row-major.
	Hess []float64
	// Eigenvalues are the eigenvalues of Hess, ascending.
	Eigenvalues []float64
	// Index is the number of negative eigenvalues: 0 at a minimum, 1 at a
	// saddle of index 1 (the saddle of a transition between two minima).
	Index int
	// GradNorm is |grad U(X)|, the residual at which Newton's method
	// stopped.
	GradNorm float64
}

// newCritical evaluates U, its gradient and its Hessian at x.
func newCritical(p Potential, x []float64) CriticalPoint {
	d := p.Dim
	c := CriticalPoint{X: append([]float64(nil), x...), U: p.U(x), Hess: make([]float64, d*d)}
	g := make([]float64, d)
	p.Grad(g, x)
	c.GradNorm = floats.Norm(g, 2)
	p.Hessian(c.Hess, x)
	c.Eigenvalues = eigenSym(c.Hess, d)
	for _, l := range c.Eigenvalues {
		if l < 0 {
			c.Index++
		}
	}
	return c
}

// eigenSym returns the eigenvalues of the symmetric d x d matrix a
// (row-major), ascending; NaNs if the factorisation fails.
func eigenSym(a []float64, d int) []float64 {
	var e mat.EigenSym
	if !e.Factorize(mat.NewSymDense(d, append([]float64(nil), a...)), false) {
		v := make([]float64, d)
		for i := range v {
			v[i] = math.NaN()
		}
		return v
	}
	return e.Values(nil)
}

// IndexError is a critical point of the wrong kind: a minimum was wanted
// (Want 0) or a saddle of index 1 (Want 1), and the Hessian at X has other
// eigenvalues, or a zero one (a degenerate critical point, to which the
// Eyring–Kramers formula does not apply).
type IndexError struct {
	// X is the point, Eigenvalues those of the Hessian there, ascending.
	X, Eigenvalues []float64
	// Want is the index wanted: 0 or 1.
	Want int
}

// Error names the point, its eigenvalues and what was wanted.
func (e *IndexError) Error() string {
	want := "a minimum (all eigenvalues of the Hessian positive)"
	if e.Want == 1 {
		want = "a saddle of index 1 (one negative eigenvalue of the Hessian, the others positive)"
	}
	return fmt.Sprintf("critical point %s has Hessian eigenvalues %s, want %s", fmtPoint(e.X), fmtPoint(e.Eigenvalues), want)
}

// checkIndex returns an *IndexError unless c has exactly want negative
// eigenvalues and none within 1e-12 of the largest in magnitude of zero.
func checkIndex(c CriticalPoint, want int) error {
	scale := 0.0
	for _, l := range c.Eigenvalues {
		scale = math.Max(scale, math.Abs(l))
	}
	neg := 0
	for _, l := range c.Eigenvalues {
		if !(math.Abs(l) > 1e-12*scale) {
			return &IndexError{X: c.X, Eigenvalues: c.Eigenvalues, Want: want}
		}
		if l < 0 {
			neg++
		}
	}
	if neg != want {
		return &IndexError{X: c.X, Eigenvalues: c.Eigenvalues, Want: want}
	}
	return nil
}

// ConvergenceError is a search for a critical point that did not
// converge.
type ConvergenceError struct {
	// What names the search: "minimum", "critical point" or "saddle".
	What string
	// Start is where it started, X where it stopped.
	Start, X []float64
	// GradNorm is |grad U(X)|.
	GradNorm float64
	// Iterations is the number of iterations made.
	Iterations int
}

// Error names the search, its start, its end and the residual.
func (e *ConvergenceError) Error() string {
	return fmt.Sprintf("the search for a %s from %s did not converge: it stopped at %s with |grad U| = %.3g after %d iterations",
		e.What, fmtPoint(e.Start), fmtPoint(e.X), e.GradNorm, e.Iterations)
}

// FindCritical returns the critical point of p that Newton's method on
// grad U reaches from x0: x <- x - Hess^-1 grad U, each step halved until
// |grad U| falls (up to 30 times; the full step is taken when none
// decreases it, which lets the iteration leave a flat region), until the
// step is below 1e-13 (1 + |x|). Near a non-degenerate critical point the
// convergence is quadratic and the position is exact to rounding; which
// critical point is reached from farther away is not controlled (use
// FindMinimum for minima and FindTransition for saddles). The result can
// be of any index; it is an error if the Hessian is singular at an
// iterate or the method has not converged after 200 steps.
func FindCritical(p Potential, x0 []float64) (CriticalPoint, error) {
	if err := p.validate(); err != nil {
		return CriticalPoint{}, err
	}
	if len(x0) != p.Dim {
		return CriticalPoint{}, fmt.Errorf("start point %s has dimension %d, the potential %d", fmtPoint(x0), len(x0), p.Dim)
	}
	d := p.Dim
	x := append([]float64(nil), x0...)
	g, gt, xt, h := make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d*d)
	step := mat.NewVecDense(d, nil)
	const maxIter = 200
	it := 0
	for ; it < maxIter; it++ {
		p.Grad(g, x)
		gn := floats.Norm(g, 2)
		if gn == 0 {
			return newCritical(p, x), nil
		}
		if math.IsNaN(gn) || math.IsInf(gn, 0) {
			break
		}
		p.Hessian(h, x)
		if err := step.SolveVec(mat.NewDense(d, d, h), mat.NewVecDense(d, g)); err != nil {
			var cond mat.Condition
			if !errors.As(err, &cond) || math.IsInf(float64(cond), 0) {
				return CriticalPoint{}, fmt.Errorf("the Hessian of U at %s is singular: %w", fmtPoint(x), err)
			}
		}
		s := step.RawVector().Data
		t := 1.0
		for k := 0; k < 30; k++ {
			for i := range xt {
				xt[i] = x[i] - t*s[i]
			}
			p.Grad(gt, xt)
			if floats.Norm(gt, 2) < gn {
				break
			}
			t /= 2
		}
		if !(floats.Norm(gt, 2) < gn) {
			t = 1
		}
		for i := range x {
			x[i] -= t * s[i]
		}
		if t*floats.Norm(s, 2) <= 1e-13*(1+floats.Norm(x, 2)) {
			return newCritical(p, x), nil
		}
	}
	p.Grad(g, x)
	return CriticalPoint{}, &ConvergenceError{What: "critical point", Start: x0, X: x, GradNorm: floats.Norm(g, 2), Iterations: it}
}

// FindMinimum returns the local minimum of p that a descent from x0
// reaches: damped Newton steps, x <- x + t s with H s = -grad U where the
// Hessian H is positive definite and s = -grad U (scaled to at most the
// length of the last Newton step, or 1) where it is not, t halved from 1
// until U falls by at least 1e-4 t |grad U . s| (Armijo); once a Newton
// step is below 1e-8 (1 + |x|) the point is polished by FindCritical to
// the rounding error. It returns an *IndexError if the point reached is not a
// strict minimum (a zero eigenvalue included) and a *ConvergenceError if
// the descent stalls or takes more than 1000 steps.
func FindMinimum(p Potential, x0 []float64) (CriticalPoint, error) {
	if err := p.validate(); err != nil {
		return CriticalPoint{}, err
	}
	if len(x0) != p.Dim {
		return CriticalPoint{}, fmt.Errorf("start point %s has dimension %d, the potential %d", fmtPoint(x0), len(x0), p.Dim)
	}
	d := p.Dim
	x := append([]float64(nil), x0...)
	g, h, s, xt := make([]float64, d), make([]float64, d*d), make([]float64, d), make([]float64, d)
	step := mat.NewVecDense(d, nil)
	maxLen := 1.0
	const maxIter = 1000
	it := 0
	for ; it < maxIter; it++ {
		u := p.U(x)
		p.Grad(g, x)
		gn := floats.Norm(g, 2)
		if math.IsNaN(u) || math.IsNaN(gn) || math.IsInf(gn, 0) {
			break
		}
		p.Hessian(h, x)
		newton := false
		if eigenSym(h, d)[0] > 0 {
			if err := step.SolveVec(mat.NewDense(d, d, h), mat.NewVecDense(d, g)); err == nil {
				for i := range s {
					s[i] = -step.AtVec(i)
				}
				newton = floats.Dot(s, g) < 0
			}
		}
		if gn == 0 || newton && floats.Norm(s, 2) <= 1e-8*(1+floats.Norm(x, 2)) {
			c, err := FindCritical(p, x)
			if err != nil {
				return CriticalPoint{}, err
			}
			if err := checkIndex(c, 0); err != nil {
				return c, err
			}
			return c, nil
		}
		if newton {
			maxLen = math.Max(floats.Norm(s, 2), 1e-8)
		} else {
			for i := range s {
				s[i] = -g[i] / gn * maxLen
			}
		}
		slope := floats.Dot(g, s)
		t := 1.0
		accepted := false
		for k := 0; k < 60; k++ {
			for i := range xt {
				xt[i] = x[i] + t*s[i]
			}
			if ut := p.U(xt); ut <= u+1e-4*t*slope {
				accepted = true
				break
			}
			t /= 2
		}
		if !accepted {
			break
		}
		copy(x, xt)
		if !newton {
			maxLen = math.Max(2*t*maxLen, 1e-8)
		}
	}
	p.Grad(g, x)
	return CriticalPoint{}, &ConvergenceError{What: "minimum", Start: x0, X: x, GradNorm: floats.Norm(g, 2), Iterations: it}
}
