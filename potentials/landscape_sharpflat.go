package potentials

import (
	"fmt"
	"math"
)

// tanh1 is tanh(1), the normalisation of SharpFlat's switch S.
var tanh1 = math.Tanh(1)

// sharpFlatQuartic is the coefficient g of the confining term g y^4 / 4 of
// SharpFlat.
const sharpFlatQuartic = 0.25

// SharpFlat is a double well with a flat and a sharp minimum of equal
// depth, with the noise of SGD on a least-squares loss with label noise,
// for the question which minimum SGD ends up in (issue 15):
//
//	f(x, y) = E(x)^2 q(x, y) + g y^4 / 4,   q = (x^2 - 1)^2 / 4 + y^2 / 2,   g = 1/4,
//	E(x)    = kappa^(S(x)/4),               S(x) = tanh(x^3) / tanh(1),
//	b       = -grad f,
//
// with kappa = Sharpness >= 1. S is odd, S(±1) = ±1, S'(0) = S”(0) = 0,
// and |S| < 1/tanh(1), so the factor E^2 = kappa^(S/2) is kappa^(-1/2) at
// x = -1, 1 at x = 0 and kappa^(1/2) at x = 1, and bounded above and below
// (the loss stays confining). The term g y^4 / 4 changes no critical
// point, value or Hessian below; it confines y at high temperature (see
// the diffusion). The critical points are those of the double well q,
// exactly:
//
//	(-1, 0)  flat minimum,  f = 0,   Hess f = kappa^(-1/2) diag(2, 1)
//	( 1, 0)  sharp minimum, f = 0,   Hess f = kappa^(1/2) diag(2, 1)
//	( 0, 0)  saddle,        f = 1/4, Hess f = diag(-1, 1)
//
// so the Hessians of the two minima differ by the factor kappa, their
// depths are equal and the barrier is 1/4 from both, for every kappa.
// (grad f = (E^2 (k q + q_x), E^2 y + g y^3) with k = (log kappa / 2) S'
// vanishes only on y = 0, at x = ±1 and where x + (log kappa / 8) S'(x)
// (x^2 - 1) = 0, which has the one root x = 0 for kappa up to about 220;
// the constructor allows kappa up to 200.)
//
// The diffusion. The loss is f = |r|^2 / 2 with the residuals
// r = (E (x^2 - 1) / sqrt(2), E y, sqrt(g/2) y^2). SGD on the per-sample
// losses
// |r + sigma xi|^2 / 2 with label noise xi ~ N(0, I) has the mean
// gradient grad f and the gradient covariance sigma^2 J^T J, J the
// Jacobian of r: the Gauss–Newton matrix, which equals Hess f at the
// minima (there r = 0). So the noise of SGD is
//
//	G = J^T J = [[a^2/2 + E'^2 y^2, E E' y], [E E' y, E^2 + 2 g y^2]],   a = E' (x^2 - 1) + 2 x E,
//	D_SGD = C G + Eps I,
//
// C = sigma^2 (the label-noise variance; T = lr / (2 batch) as for any
// SGD) and Eps >= 0 a floor of isotropic noise. D_SGD = C Hess f + Eps I
// at the minima: aligned with the Hessian, C kappa^(∓1/2) diag(2, 1) + Eps
// I. At the saddle the residual along x is stationary (a = 0), so the
// noise across the barrier is Eps alone there: Hessian-aligned noise in
// the sense of the Gauss–Newton matrix, not of |Hess f| (which Xie, Sato &
// Sugiyama 2021 assume at the saddle). (Without the third residual the
// gradient (E' y, E) of the second turns towards x as |y| grows, G is
// nearly singular along y there, and at T >= 0.5 the grid's cell Peclet
// number exceeds 100 on 128^2 nodes; with it, G_22 grows as 2 g y^2 like
// G_11.) Iso blends in isotropic noise of the same trace:
//
//	D = (1 - Iso) D_SGD + Iso (tr D_SGD / 2) I,   0 <= Iso <= 1,
//
// Iso = 1 the isotropic comparison. D is positive semi-definite (positive
// definite for Eps > 0), and its divergence is in closed form:
//
//	div G = (a a' + 2 E' E'' y^2 + E E', (E'^2 + E E'' + 4 g) y),   a' = E'' (x^2 - 1) + 4 x E' + 2 E,
//	div (tr G / 2) I = (a a'/2 + E' E'' y^2 + E E', (E'^2 + 2 g) y),
//
// with E' = E (log kappa / 4) S' and E” = E ((log kappa / 4) S” +
// ((log kappa / 4) S')^2). With kappa = 1 the loss is the double well
// (x^2 - 1)^2/4 + y^2/2 + y^4/16, and D = C diag(2 x^2, 1 + y^2/2) + Eps I.
//
// Model.DefaultStart of the model, (1, 0), is the sharp minimum. The zero
// value has kappa = 0, which is not a valid sharpness; use NewSharpFlat or
// the registry ("sharp-flat").
//
// References: the label-noise covariance: G. Blanc, N. Gupta, G. Valiant
// and P. Valiant, Implicit regularization for deep neural networks driven
// by an Ornstein-Uhlenbeck like process, COLT 2020; the question:
// Z. Zhu, J. Wu, B. Yu, L. Wu and J. Ma, The anisotropic noise in
// stochastic gradient descent, ICML 2019; Z. Xie, I. Sato and
// M. Sugiyama, A diffusion theory for deep learning dynamics: stochastic
// gradient descent exponentially favors flat minima, ICLR 2021.
type SharpFlat struct {
	// Sharpness is kappa, the ratio of the Hessians of the sharp minimum
	// (1, 0) and the flat one (-1, 0); 1 <= kappa <= 200.
	Sharpness float64
	// C is the label-noise variance sigma^2, the scale of the SGD noise
	// C G; C >= 0.
	C float64
	// Eps is the isotropic floor added to C G; Eps >= 0.
	Eps float64
	// Iso blends the SGD noise (0) with isotropic noise of the same
	// trace (1); 0 <= Iso <= 1.
	Iso float64
}

// NewSharpFlat returns the landscape after checking its parameters:
// 1 <= sharpness <= 200, c >= 0, eps >= 0, c + eps > 0 and
// 0 <= iso <= 1, all finite.
func NewSharpFlat(sharpness, c, eps, iso float64) (SharpFlat, error) {
	for _, v := range []float64{sharpness, c, eps, iso} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return SharpFlat{}, fmt.Errorf("sharp-flat: parameters must be finite (sharpness %g, c %g, eps %g, iso %g)", sharpness, c, eps, iso)
		}
	}
	if !(sharpness >= 1 && sharpness <= 200) {
		return SharpFlat{}, fmt.Errorf("parameter sharpness = %g: use 1 <= sharpness <= 200 (beyond about 220 the loss has more critical points)", sharpness)
	}
	if c < 0 || eps < 0 || c+eps == 0 {
		return SharpFlat{}, fmt.Errorf("%w: c = %g and eps = %g must be >= 0, not both 0", ErrNotPSD, c, eps)
	}
	if !(iso >= 0 && iso <= 1) {
		return SharpFlat{}, fmt.Errorf("parameter iso = %g: use 0 (SGD noise) to 1 (isotropic noise of the same trace)", iso)
	}
	return SharpFlat{Sharpness: sharpness, C: c, Eps: eps, Iso: iso}, nil
}

// sfParts holds the factor E and the switch S with their derivatives at x.
type sfParts struct {
	e, e1, e2 float64 // E, E', E''
	k, k1     float64 // (log kappa / 2) S' = (E^2)'/E^2 and its derivative
}

// parts evaluates E = kappa^(S/4) and its derivatives at x.
func (w SharpFlat) parts(x float64) sfParts {
	l := math.Log(w.Sharpness)
	u := x * x * x
	th := math.Tanh(u)
	ch := math.Cosh(u) // sech^2 = 1/cosh^2, not 1 - tanh^2, which cancels for large |u|
	sech2 := 1 / (ch * ch)
	s := th / tanh1
	s1 := 3 * x * x * sech2 / tanh1
	s2 := 6 * x * sech2 * (1 - 3*u*th) / tanh1
	e := math.Exp(l * s / 4)
	g1 := l / 4 * s1
	return sfParts{
		e:  e,
		e1: e * g1,
		e2: e * (l/4*s2 + g1*g1),
		k:  l / 2 * s1,
		k1: l / 2 * s2,
	}
}

// Loss returns f(x) = kappa^(S(x_1)/2) ((x_1^2 - 1)^2/4 + x_2^2/2) + x_2^4/16.
func (w SharpFlat) Loss(x []float64) float64 {
	p := w.parts(x[0])
	u, y2 := x[0]*x[0]-1, x[1]*x[1]
	return p.e*p.e*(u*u/4+y2/2) + sharpFlatQuartic*y2*y2/4
}

// Drift2 returns b(x, y) = -grad f(x, y).
func (w SharpFlat) Drift2(x, y float64) (bx, by float64) {
	p := w.parts(x)
	u := x*x - 1
	q := u*u/4 + y*y/2
	P := p.e * p.e
	return -P * (p.k*q + x*u), -(P + sharpFlatQuartic*y*y) * y
}

// Grad writes grad f(x) into dst.
func (w SharpFlat) Grad(dst, x []float64) {
	bx, by := w.Drift2(x[0], x[1])
	fill2(dst, -bx, -by)
}

// Drift writes b(x) = -grad f(x) into dst.
func (w SharpFlat) Drift(dst, x []float64) {
	bx, by := w.Drift2(x[0], x[1])
	fill2(dst, bx, by)
}

// Hess writes the Hessian of f at x into dst (row-major):
// f_xx = E^2 ((k' + k^2) q + 2 k q_x + q_xx), f_xy = E^2 k y,
// f_yy = E^2 + 3 g y^2, with k = (log kappa / 2) S', q_x = x (x^2 - 1),
// q_xx = 3 x^2 - 1.
func (w SharpFlat) Hess(dst, x []float64) {
	p := w.parts(x[0])
	a, y := x[0], x[1]
	u := a*a - 1
	q := u*u/4 + y*y/2
	P := p.e * p.e
	fillSym2(dst, P*((p.k1+p.k*p.k)*q+2*p.k*a*u+3*a*a-1), P*p.k*y, P+3*sharpFlatQuartic*y*y)
}

// Potential returns the loss f as a Potential with its closed-form
// Hessian, for FindTransition and EyringKramers.
func (w SharpFlat) Potential() Potential {
	return Potential{Dim: 2, U: w.Loss, Grad: w.Grad, Hess: w.Hess}
}

// Diffusion2 returns (D_11, D_12, D_22) at (x, y).
func (w SharpFlat) Diffusion2(x, y float64) (dxx, dxy, dyy float64) {
	p := w.parts(x)
	a := p.e1*(x*x-1) + 2*x*p.e
	g11 := a*a/2 + p.e1*p.e1*y*y
	g12 := p.e * p.e1 * y
	g22 := p.e*p.e + 2*sharpFlatQuartic*y*y
	iso := w.C * (g11 + g22) / 2
	v := 1 - w.Iso
	return v*w.C*g11 + w.Iso*iso + w.Eps, v * w.C * g12, v*w.C*g22 + w.Iso*iso + w.Eps
}

// Diffusion writes D(x) row-major into dst.
func (w SharpFlat) Diffusion(dst, x []float64) {
	a, b, c := w.Diffusion2(x[0], x[1])
	fillSym2(dst, a, b, c)
}

// DivDiffusion writes div D(x) into dst (see SharpFlat for the formulas).
func (w SharpFlat) DivDiffusion(dst, x []float64) {
	p := w.parts(x[0])
	xx, y := x[0], x[1]
	u := xx*xx - 1
	a := p.e1*u + 2*xx*p.e
	a1 := p.e2*u + 4*xx*p.e1 + 2*p.e
	ee := p.e1 * p.e2 * y * y
	v := 1 - w.Iso
	const g = sharpFlatQuartic
	gx := a*a1 + 2*ee + p.e*p.e1           // div G, first component
	gy := (p.e1*p.e1 + p.e*p.e2 + 4*g) * y // div G, second component
	tx := a*a1/2 + ee + p.e*p.e1           // d/dx tr G / 2
	ty := (p.e1*p.e1 + 2*g) * y            // d/dy tr G / 2
	fill2(dst, w.C*(v*gx+w.Iso*tx), w.C*(v*gy+w.Iso*ty))
}

// logRhoY returns the 1-D approximation, along y at fixed x, of
// log rho(x, y) - log rho(x, 0): the stationary density of the y-process
// dY = -f_y dt + sqrt(2 T D_22) dW with f_y = E^2 y + g y^3 and
// D_22 = alpha + beta y^2, which is exp(-Phi(y)/T) / D_22 with
// Phi = integral_0^y f_y / D_22 = g y^2 / (2 beta) + (E^2 - g alpha / beta)
// log(1 + beta y^2 / alpha) / (2 beta) (E^2 y^2 / (2 alpha) + g y^4 /
// (4 alpha) for beta = 0).
func (w SharpFlat) logRhoY(p sfParts, a, T, y float64) float64 {
	const g = sharpFlatQuartic
	e2 := p.e * p.e
	alpha := (1-w.Iso)*(w.C*e2+w.Eps) + w.Iso*(w.C*(a*a/2+e2)/2+w.Eps)
	beta := (1-w.Iso)*2*w.C*g + w.Iso*w.C*(p.e1*p.e1+2*g)/2
	if alpha <= 0 {
		return math.Inf(-1)
	}
	y2 := y * y
	r := beta * y2 / alpha
	var phi float64
	if r > 1e-8 {
		phi = g*y2/(2*beta) + (e2-g*alpha/beta)*math.Log1p(r)/(2*beta)
	} else {
		phi = e2*y2/(2*alpha) + g*y2*y2/(4*alpha)
	}
	return -phi/T - math.Log1p(r)
}

// BoxAt returns the default box at temperature T, from 1-D approximations
// of the stationary density: along y = 0 the density of the x-process
// with D_11(x, 0),
//
//	log rho_1(x) = -(1/T) integral_0^x f_x / D_11 - log D_11(x, 0)
//
// (trapezoid rule, steps of 0.002), followed outwards from 0 until it
// falls 18 below its maximum on that side (exp(-18) = 1.5e-8: each well,
// however unlikely, is held to that fraction of its own peak), and at 201
// points x of that range the y-profile of logRhoY added to it, cut at 18
// below the same side's maximum, Y the largest cut. The box is
// [1.2 X_-, 1.2 X_+] x [-1.1 Y, 1.1 Y], at least [-1.8, 1.8] x
// [-0.55, 0.55]. The margins cover what the profiles leave out: the
// coupling D_12, and the density off the axis, which reaches farther in
// x than on it (with the isotropic blend at kappa = 200 and T = 2, rho at
// the wall x = 1.1 X_- is 1.6e-6 of its maximum, at 1.2 X_- 1.3e-7; with
// the defaults it stays below 2e-9 at every T from 0.05 to 2, on 96^2
// grids). With the defaults the box is about [-3.0, 2.9] x [-1.8, 1.8] at
// T = 0.05, [-6.9, 6.3] x [-5.6, 5.6] at T = 0.5 and [-12.2, 10.8] x
// [-11.3, 11.3] at T = 2.
func (w SharpFlat) BoxAt(T float64) Box {
	fallback := NewBox(-3, 3, -3, 3)
	if !(T > 0) || math.IsInf(T, 0) || !(w.Sharpness >= 1) {
		return fallback
	}
	const step, cut = 0.002, 18.0
	logRho := func(x, phi float64) float64 {
		d11, _, _ := w.Diffusion2(x, 0)
		return -phi/T - math.Log(d11)
	}
	integrand := func(x float64) float64 {
		bx, _ := w.Drift2(x, 0)
		d11, _, _ := w.Diffusion2(x, 0)
		return -bx / d11
	}
	// side follows log rho_1 from 0 in direction sgn until it falls cut
	// below its running maximum (beyond |x| = 1); it returns the end and
	// the maximum.
	side := func(sgn float64) (end, top float64) {
		phi, x := 0.0, 0.0
		top = logRho(0, 0)
		for k := 0; k < 5e6; k++ {
			xn := x + sgn*step
			phi += sgn * step * (integrand(x) + integrand(xn)) / 2
			x = xn
			lr := logRho(x, phi)
			if math.IsNaN(lr) {
				return math.NaN(), top
			}
			top = math.Max(top, lr)
			if math.Abs(x) > 1 && lr < top-cut {
				return x, top
			}
		}
		return math.NaN(), top
	}
	xlo, topLo := side(-1)
	xhi, topHi := side(1)
	if math.IsNaN(xlo) || math.IsNaN(xhi) {
		return fallback
	}
	xlo, xhi = math.Min(xlo, -1.5), math.Max(xhi, 1.5)
	// y: the profiles at 201 points of [xlo, xhi], log rho_1 recomputed
	// along the way.
	Y := 0.5
	const nx = 200
	phi, x := 0.0, 0.0
	visit := func(x, phi float64) {
		top := topLo
		if x > 0 {
			top = topHi
		}
		base := logRho(x, phi) - top
		if base < -cut {
			return
		}
		p := w.parts(x)
		a := p.e1*(x*x-1) + 2*x*p.e
		lo, hi := 0.0, 1.0
		for w.logRhoY(p, a, T, hi)+base > -cut && hi < 1e6 {
			lo, hi = hi, 2*hi
		}
		for k := 0; k < 60; k++ {
			mid := (lo + hi) / 2
			if w.logRhoY(p, a, T, mid)+base > -cut {
				lo = mid
			} else {
				hi = mid
			}
		}
		Y = math.Max(Y, hi)
	}
	for _, end := range []float64{xlo, xhi} {
		phi, x = 0, 0
		n := int(math.Ceil(math.Abs(end)/step)) + 1
		h := end / float64(n)
		every := max(n/(nx/2), 1)
		visit(0, 0)
		for k := 1; k <= n; k++ {
			phi += h * (integrand(x) + integrand(x+h)) / 2
			x += h
			if k%every == 0 || k == n {
				visit(x, phi)
			}
		}
	}
	if math.IsInf(Y, 0) || math.IsNaN(Y) {
		return fallback
	}
	return NewBox(1.2*xlo, 1.2*xhi, -1.1*Y, 1.1*Y)
}

// Box returns BoxAt(0.5), the box at the default temperature.
func (w SharpFlat) Box() Box { return w.BoxAt(0.5) }

// Model returns the model with every field set; its Name is "sharp-flat".
func (w SharpFlat) Model() Model {
	return Model{
		Name: "sharp-flat",
		Formula: "f = " + num(w.Sharpness) + "^(S(x)/2) ((x^2 - 1)^2/4 + y^2/2) + y^4/16, S = tanh(x^3)/tanh(1); b = -grad f; " +
			"D = (1 - " + num(w.Iso) + ") D_SGD + " + num(w.Iso) + " (tr D_SGD/2) I, D_SGD = " + num(w.C) + " J^T J + " + num(w.Eps) + " I",
		Params:        map[string]float64{"sharpness": w.Sharpness, "c": w.C, "eps": w.Eps, "iso": w.Iso},
		Dim:           2,
		Drift:         w.Drift,
		Diffusion:     w.Diffusion,
		DivDiffusion:  w.DivDiffusion,
		Loss:          w.Loss,
		Grad:          w.Grad,
		GradientDrift: true,
		Drift2:        w.Drift2,
		Diffusion2:    w.Diffusion2,
		Box:           w.Box(),
		BoxAt:         w.BoxAt,
	}
}

func buildSharpFlat(p map[string]float64) (Model, error) {
	w, err := NewSharpFlat(p["sharpness"], p["c"], p["eps"], p["iso"])
	if err != nil {
		return Model{}, err
	}
	return w.Model(), nil
}

func init() {
	register(Landscape{
		Name: "sharp-flat",
		Summary: "a flat minimum (-1, 0) and a sharp one (1, 0) of equal depth, Hessians kappa^(∓1/2) diag(2, 1), saddle (0, 0) at f = 1/4; " +
			"the noise of SGD with label noise (Gauss–Newton, D = c J^T J + eps I, aligned with the Hessian at the minima) or, with iso=1, isotropic noise of the same trace",
		Formula: "f = kappa^(S(x)/2) ((x^2 - 1)^2/4 + y^2/2) + y^4/16, S = tanh(x^3)/tanh(1), kappa = sharpness; b = -grad f; " +
			"r = (kappa^(S/4) (x^2 - 1)/sqrt 2, kappa^(S/4) y, y^2/sqrt 8), f = |r|^2/2, J = dr/dx; D_SGD = c J^T J + eps I; D = (1 - iso) D_SGD + iso (tr D_SGD/2) I",
		Params: []Param{
			{Name: "sharpness", Default: 10, Doc: "kappa, the ratio of the Hessians of the sharp minimum (1, 0) and the flat one (-1, 0); 1 to 200"},
			{Name: "c", Default: 1, Doc: "label-noise variance sigma^2: the SGD noise is c J^T J (the Gauss–Newton matrix, = c Hess f at the minima); c >= 0"},
			{Name: "eps", Default: 0.1, Doc: "isotropic floor added to the SGD noise (the only noise across the barrier at the saddle); eps >= 0"},
			{Name: "iso", Default: 0, Doc: "0: SGD noise; 1: isotropic noise with the same trace, (tr D_SGD/2) I; between: the blend"},
		},
		BoxRule: "from the 1-D stationary profiles along y = 0 (D_11(x, 0)) and, at each x, along y (D_22): each side cut at 18 below its own maximum, " +
			"at least [-1.5, 1.5] x [-0.5, 0.5], widened by 10%",
		Build: buildSharpFlat,
	})
}
