package potentials

import (
	"fmt"
	"math"
)

// Quadratic is the quadratic loss with a constant diffusion, the linear case of
// Chaudhari & Soatto (2018), known in physics as the Brownian gyrator:
//
//	f(x) = x^T A x / 2,   A = [[A11, A12], [A12, A22]],
//	b(x) = -grad f(x) = -A x,
//	D    = [[D11, D12], [D12, D22]]  (constant, so div D = 0).
//
// For positive definite A the steady state at temperature T is the Gaussian
// N(0, Sigma), where Sigma solves the Lyapunov equation
// A Sigma + Sigma A = 2 T D (see Covariance), and Phi = -T log rho =
// (T/2) x^T Sigma^-1 x up to a constant. For positive definite D:
//
//   - D = c I: Sigma = T c A^-1, Phi = f/c (Phi = f only for c = 1), and no
//     current;
//   - A D = D A: Sigma = T A^-1 D = T D A^-1, Phi = x^T D^-1 A x / 2, which is
//     not f unless D = I, and still no current, since the drift
//     -A x = -D grad Phi is in detailed balance;
//   - A D != D A: the drift is of the form -D grad Phi for no Phi, and the
//     steady state carries a current that circulates around the minimum
//     (the Brownian gyrator; validation case 6).
//
// The zero value has A = D = 0: no force and no noise.
//
// References:
//   - P. Chaudhari and S. Soatto, Stochastic gradient descent performs
//     variational inference, converges to limit cycles for deep networks,
//     ICLR 2018, arXiv:1710.11029.
//   - R. Filliger and P. Reimann, Brownian gyrator: a minimal heat engine on
//     the nanoscale, Phys. Rev. Lett. 99, 230602 (2007).
type Quadratic struct {
	// A11, A12 and A22 are the entries of the symmetric Hessian A.
	A11, A12, A22 float64
	// ConstDiffusion is the constant diffusion D; its fields D11, D12 and
	// D22 are promoted.
	ConstDiffusion
}

// Loss returns f(x) = x^T A x / 2.
func (q Quadratic) Loss(x []float64) float64 {
	a, b := x[0], x[1]
	return 0.5*(q.A11*a*a+q.A22*b*b) + q.A12*a*b
}

// Grad writes grad f(x) = A x into dst.
func (q Quadratic) Grad(dst, x []float64) {
	bx, by := q.Drift2(x[0], x[1])
	fill2(dst, -bx, -by)
}

// Drift2 returns b(x, y) = -A (x, y).
func (q Quadratic) Drift2(x, y float64) (bx, by float64) {
	return -(q.A11*x + q.A12*y), -(q.A12*x + q.A22*y)
}

// Drift writes b(x) = -A x into dst.
func (q Quadratic) Drift(dst, x []float64) {
	bx, by := q.Drift2(x[0], x[1])
	fill2(dst, bx, by)
}

// Covariance returns the stationary covariance Sigma = [[s11, s12], [s12, s22]]
// at temperature T, the solution of A Sigma + Sigma A = 2 T D. It returns an
// error if A is not positive definite, in which case there is no stationary
// distribution.
//
// In components the Lyapunov equation is the 3 x 3 system
//
//	A11 s11 + A12 s12                 = T D11
//	A12 s11 + (A11 + A22) s12 + A12 s22 = 2 T D12
//	          A12 s12 + A22 s22       = T D22
//
// whose determinant is tr(A) det(A); eliminating s11 and s22 gives s12 in
// closed form.
func (q Quadratic) Covariance(T float64) (s11, s12, s22 float64, err error) {
	a11, a12, a22 := q.A11, q.A12, q.A22
	det := a11*a22 - a12*a12
	if !(a11 > 0 && a22 > 0 && det > 0) {
		//lint:ignore ST1005 A is the matrix's name
		return 0, 0, 0, fmt.Errorf("A = [[%g, %g], [%g, %g]] is not positive definite: no stationary distribution", a11, a12, a12, a22)
	}
	r1, r2, r3 := T*q.D11, 2*T*q.D12, T*q.D22
	s12 = (r2 - a12*r1/a11 - a12*r3/a22) * a11 * a22 / ((a11 + a22) * det)
	s11 = (r1 - a12*s12) / a11
	s22 = (r3 - a12*s12) / a22
	return s11, s12, s22, nil
}

// AngularMomentum returns the stationary angular momentum at temperature T
// (validation case 6),
//
//	L = integral (x_1 J_2 - x_2 J_1) dx = (A Sigma)_12 - (A Sigma)_21,
//
// with Sigma from Covariance: in the Gaussian steady state J = (-A + T D
// Sigma^-1) x rho, and integral x_i x_j rho dx = Sigma_ij, so
// L = (M Sigma)_21 - (M Sigma)_12 with M Sigma = -A Sigma + T D; D is
// symmetric, leaving (A Sigma)_12 - (A Sigma)_21 = A12 (s22 - s11) +
// s12 (A11 - A22). It is zero exactly when A D = D A (then
// A Sigma = T D is symmetric). ok is false when A is not positive definite
// (no steady state).
func (q Quadratic) AngularMomentum(T float64) (L float64, ok bool) {
	s11, s12, s22, err := q.Covariance(T)
	if err != nil {
		return 0, false
	}
	return q.A12*(s22-s11) + s12*(q.A11-q.A22), true
}

// BoxAt returns the default box at temperature T: ±6 stationary standard
// deviations in each coordinate,
//
//	[-6 sqrt(s11(T)), 6 sqrt(s11(T))] x [-6 sqrt(s22(T)), 6 sqrt(s22(T))],
//
// with Sigma(T) = T Sigma(1) from Covariance, so the half-widths grow as
// sqrt(T). The steady state is the Gaussian N(0, Sigma), whose density at
// x_1 = h, maximised over x_2, is exp(-h^2 / (2 s11)) of its maximum: at
// the walls it is exp(-18) = 1.5e-8 of the maximum, at every T.
// validation case 6 asks for at least 8 standard deviations of width,
// this box is 12 wide. If A is not positive definite, or a variance
// vanishes (below 5.6e-8 T, a half-width below 1e-3 at T = 0.5), the
// half-width of that axis is 4.
func (q Quadratic) BoxAt(T float64) Box {
	hx, hy := 4.0, 4.0
	if s11, _, s22, err := q.Covariance(T); err == nil {
		if s11 > 5.6e-8*T && !math.IsInf(s11, 0) {
			hx = gaussianBoxSD * math.Sqrt(s11)
		}
		if s22 > 5.6e-8*T && !math.IsInf(s22, 0) {
			hy = gaussianBoxSD * math.Sqrt(s22)
		}
	}
	return NewBox(-hx, hx, -hy, hy)
}

// Box returns BoxAt(0.5), the box at the default temperature.
func (q Quadratic) Box() Box { return q.BoxAt(0.5) }

// quadraticBoxRule describes Quadratic.BoxAt for the listing.
const quadraticBoxRule = "±6 stationary standard deviations per axis, 6 sqrt(Sigma_ii), Sigma = T Sigma(1) solving A Sigma + Sigma A = 2 T D"

// quadraticFormula is the generic formula of quadratic and gyrator.
const quadraticFormula = "f = x^T A x / 2, A = [[a11, a12], [a12, a22]]; b = -A x; D = [[d11, d12], [d12, d22]] constant"

// Model returns the model with every field set; its Name is "quadratic".
func (q Quadratic) Model() Model {
	return Model{
		Name: "quadratic",
		Formula: "f = x^T A x / 2, A = [[" + num(q.A11) + ", " + num(q.A12) + "], [" + num(q.A12) + ", " + num(q.A22) +
			"]]; b = -A x; " + constDiffusionText(q.D11, q.D12, q.D22),
		Params: map[string]float64{
			"a11": q.A11, "a12": q.A12, "a22": q.A22,
			"d11": q.D11, "d12": q.D12, "d22": q.D22,
		},
		Dim:           2,
		Drift:         q.Drift,
		Diffusion:     q.Diffusion,
		DivDiffusion:  q.DivDiffusion,
		Loss:          q.Loss,
		Grad:          q.Grad,
		GradientDrift: true,
		Drift2:        q.Drift2,
		Diffusion2:    q.Diffusion2,
		Box:           q.Box(),
		BoxAt:         q.BoxAt,

		AngularMomentum: q.AngularMomentum,
	}
}

func buildQuadratic(name string) func(p map[string]float64) (Model, error) {
	return func(p map[string]float64) (Model, error) {
		if err := checkFinite(p, "a11", "a12", "a22", "d11", "d12", "d22"); err != nil {
			return Model{}, err
		}
		if err := checkConstD(p["d11"], p["d12"], p["d22"]); err != nil {
			return Model{}, err
		}
		q := Quadratic{
			A11: p["a11"], A12: p["a12"], A22: p["a22"],
			ConstDiffusion: ConstDiffusion{D11: p["d11"], D12: p["d12"], D22: p["d22"]},
		}
		m := q.Model()
		m.Name = name
		return m, nil
	}
}

func quadraticParams(d12 float64) []Param {
	return append([]Param{
		{Name: "a11", Default: 1, Doc: "Hessian A_11"},
		{Name: "a12", Default: 0, Doc: "Hessian A_12 = A_21"},
		{Name: "a22", Default: 4, Doc: "Hessian A_22"},
	}, constDiffParams(1, d12, 1)...)
}

func init() {
	register(Landscape{
		Name: "quadratic",
		Summary: "quadratic bowl f = x^T A x / 2 with constant D; defaults A = diag(1, 4), D = I " +
			"(D = I: equilibrium, Phi = f, no current; D = c I gives Phi = f/c; a D commuting with A (with the default diagonal A: any diagonal D, e.g. d22=2) " +
			"gives no current but Phi = x^T D^-1 A x / 2 != f; A D != D A a current, the Brownian gyrator)",
		Formula: quadraticFormula,
		Params:  quadraticParams(0),
		BoxRule: quadraticBoxRule,
		Build:   buildQuadratic("quadratic"),
	})
	register(Landscape{
		Name: "gyrator",
		Summary: "Brownian gyrator: the quadratic bowl with A = diag(1, 4), D = [[1, 0.8], [0.8, 1]]; " +
			"A D != D A, so Phi != f and the current circulates (at T = 0.5, Sigma = [[0.5, 0.16], [0.16, 0.125]])",
		Formula: quadraticFormula,
		Params:  quadraticParams(0.8),
		BoxRule: quadraticBoxRule,
		Build:   buildQuadratic("gyrator"),
	})
}
