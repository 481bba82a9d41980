package potentials

import (
	"fmt"
	"math"
)

// DoubleWellNoise selects the diffusion of a DoubleWell.
type DoubleWellNoise int

// The diffusions of DoubleWell. The numeric values are those of the
// double-well parameter "noise".
const (
	// DoubleWellIsotropic is D = I: Phi = f and no current.
	DoubleWellIsotropic DoubleWellNoise = 0
	// DoubleWellConstant is the constant anisotropic D = [[1, C], [C, 1]].
	DoubleWellConstant DoubleWellNoise = 1
	// DoubleWellStateDependent is D(x, y) = [[1 + S x^2, C], [C, 1 + S y^2]].
	DoubleWellStateDependent DoubleWellNoise = 2
)

// String returns the name of the diffusion.
func (n DoubleWellNoise) String() string {
	switch n {
	case DoubleWellIsotropic:
		return "isotropic"
	case DoubleWellConstant:
		return "constant anisotropic"
	case DoubleWellStateDependent:
		return "state dependent"
	}
	return fmt.Sprintf("DoubleWellNoise(%d)", int(n))
}

// DoubleWell is the symmetric double well in x and a harmonic valley in y,
//
//	f(x, y) = (x^2 - 1)^2 / 4 + y^2 / 2,
//	b(x, y) = -grad f = (x (1 - x^2), -y),
//
// with minima f = 0 at (±1, 0) and a saddle of height 1/4 at the origin, and
// the diffusion chosen by Noise:
//
//	DoubleWellIsotropic       D = I
//	DoubleWellConstant        D = [[1, C], [C, 1]]
//	DoubleWellStateDependent  D = [[1 + S x^2, C], [C, 1 + S y^2]],  div D = (2 S x, 2 S y)
//
// D is positive semi-definite everywhere when |C| <= 1 and S >= 0. The
// state-dependent D grows away from the origin, as the variance of SGD's
// mini-batch gradients grows away from a minimum. The steady state has no
// current only if the drift is of the detailed-balance form
// -D grad Phi + T div D for some Phi, i.e. only if D^-1 (grad f + T div D) is
// a gradient (curl-free), and it is exp(-f/T)/Z only if moreover Phi = f.
// For the constant D (S = 0) that curl is C (2 - 3 x^2)/(1 - C^2), not zero
// for any C != 0; for the state-dependent D with S = 0.5, C = 0.3 at T = 0.5
// it is 0.096 at (0.5, 0.7). There the steady state is not exp(-f/T), the
// critical points of Phi move with T, and a current circulates, as
// Chaudhari & Soatto (2018) argue for SGD. With C = 0 and S > 0, D is
// diagonal with D_ii depending on x_i only, the curl vanishes and there is
// no current, but Phi != f all the same: Phi = sum_i int (f_i' + T D_ii')/D_ii dx_i
// with f = f_1(x) + f_2(y). With S = 0.5 and C = 0.3
// this is the project's benchmark
// model (bench/numpy_em.py).
//
// The zero value is the double well with D = I.
//
// Reference: P. Chaudhari and S. Soatto, Stochastic gradient descent performs
// variational inference, converges to limit cycles for deep networks,
// ICLR 2018, arXiv:1710.11029.
type DoubleWell struct {
	// Noise selects the diffusion.
	Noise DoubleWellNoise
	// C is the off-diagonal D_12 (constant and state-dependent noise).
	C float64
	// S scales the state dependence of the diagonal (state-dependent noise).
	S float64
}

// Loss returns f(x) = (x_1^2 - 1)^2 / 4 + x_2^2 / 2.
func (w DoubleWell) Loss(x []float64) float64 {
	u := x[0]*x[0] - 1
	return 0.25*u*u + 0.5*x[1]*x[1]
}

// Grad writes grad f(x) = (x_1 (x_1^2 - 1), x_2) into dst.
func (w DoubleWell) Grad(dst, x []float64) {
	bx, by := w.Drift2(x[0], x[1])
	fill2(dst, -bx, -by)
}

// Drift2 returns b(x, y) = (x (1 - x^2), -y).
func (w DoubleWell) Drift2(x, y float64) (bx, by float64) {
	return x * (1 - x*x), -y
}

// Drift writes b(x) = -grad f(x) into dst.
func (w DoubleWell) Drift(dst, x []float64) {
	bx, by := w.Drift2(x[0], x[1])
	fill2(dst, bx, by)
}

// Diffusion2 returns (D_11, D_12, D_22) at (x, y).
func (w DoubleWell) Diffusion2(x, y float64) (dxx, dxy, dyy float64) {
	switch w.Noise {
	case DoubleWellConstant:
		return 1, w.C, 1
	case DoubleWellStateDependent:
		return 1 + w.S*x*x, w.C, 1 + w.S*y*y
	}
	return 1, 0, 1
}

// doubleWellDrift2 is Drift2 as a function value without a receiver, so
// that the integrators' call through Model.Drift2 goes to it directly.
func doubleWellDrift2(x, y float64) (bx, by float64) {
	return x * (1 - x*x), -y
}

// diffusion2 returns Diffusion2 specialised to the noise of w, with the
// same arithmetic: the integrators' call through Model.Diffusion2 then
// goes straight to one line of arithmetic, without the switch and the
// call of the method value.
func (w DoubleWell) diffusion2() func(x, y float64) (dxx, dxy, dyy float64) {
	c, s := w.C, w.S
	switch w.Noise {
	case DoubleWellConstant:
		return func(x, y float64) (float64, float64, float64) { return 1, c, 1 }
	case DoubleWellStateDependent:
		return func(x, y float64) (float64, float64, float64) { return 1 + s*x*x, c, 1 + s*y*y }
	}
	return func(x, y float64) (float64, float64, float64) { return 1, 0, 1 }
}

// Diffusion writes D(x) row-major into dst.
func (w DoubleWell) Diffusion(dst, x []float64) {
	a, b, c := w.Diffusion2(x[0], x[1])
	fillSym2(dst, a, b, c)
}

// DivDiffusion writes div D(x) into dst: (2 S x_1, 2 S x_2) for the
// state-dependent noise, zero otherwise.
func (w DoubleWell) DivDiffusion(dst, x []float64) {
	if w.Noise == DoubleWellStateDependent {
		fill2(dst, 2*w.S*x[0], 2*w.S*x[1])
		return
	}
	fill2(dst, 0, 0)
}

// Box returns [-2.5, 2.5] x [-4, 4], the customary view of the wells (for
// plots; grids use BoxAt). With constant D the density at T = 0.5 falls
// below 1e-6 of its maximum at its walls; with the state-dependent D its
// tails in y are heavy, rho ~ (1 + s y^2/2)^-3 far out, and the walls hold
// about 1e-3 of the maximum (0.2% of the mass lies beyond |y| = 4).
func (w DoubleWell) Box() Box { return NewBox(-2.5, 2.5, -4, 4) }

// BoxAt returns the default box at temperature T, [-X, X] x [-Y, Y], where
// the 1-D steady states along each axis, of the drift b_i(x_i) with the
// diffusion D_ii = d0 + s x_i^2 (J = b rho - T d(D rho)/dx = 0),
//
//	rho_1(x) ~ exp(F(x)/T) / (d0 + s x^2),
//	F(x)     = integral_0^x u (1 - u^2) / (d0 + s u^2) du
//	         = -x^2/(2s) + (1 + d0/s)/(2s) log(1 + s x^2/d0)   ((x^2/2 - x^4/4)/d0 for s = 0),
//	rho_2(y) ~ (1 + s y^2/d0)^-(1 + 1/(2 s T))                 (exp(-y^2/(2 d0 T)) for s = 0),
//
// fall to exp(-18) = 1.5e-8 (x) and 5e-7 (y) of their maxima; s = S for the
// state-dependent noise and 0 otherwise, d0 = 1 + |C|/4 (1 for D = I). So
//
//	Y = sqrt(d0 (5e-7^(-1/(1 + 1/(2 s T))) - 1) / s)   (sqrt(2 d0 T log(2e6)) for s = 0),
//
// and X is the root of log rho_1(X) = log rho_1(xm) - 18 beyond the maximum
// of rho_1 at xm = sqrt(max(0, 1 - 2 s T)) (the minima of Phi without the
// coupling C; with it they lie within 0.6% of xm in x for C = 0.3, s = 0.5,
// T <= 0.5, and off the x axis), found by bisection. The y cut is closer
// to the warning threshold 1e-6 because the y tail of the state-dependent
// noise is a power law, for which a lower cut costs a much larger box (at
// T = 2, Y grows as cut^(-1/3)). These profiles are those of the 2-D steady
// state without the coupling C, which widens the tails slightly (measured
// on 256^2 grids: by up to 6% in y at |C| = 0.9, s = 0.5; d0 covers it).
// With D = I they are exact, rho = exp(-f/T).
//
// For the defaults s = 0.5, C = 0.3 the y tail is the power law
// (1 + y^2/2.15)^-(1 + 1/T), and the box is [-1.99, 1.99] x [-1.46, 1.46]
// at T = 0.05, [-3.79, 3.79] x [-16.4, 16.4] at T = 0.5 and [-6.28, 6.28] x
// [-185, 185] at T = 2. At high T the box is much larger than the core of
// the density (its half-width in y is about sqrt(T)): resolving both takes a
// fine grid, 192^2 at T = 2.
func (w DoubleWell) BoxAt(T float64) Box {
	d0, s := 1.0, 0.0
	if w.Noise != DoubleWellIsotropic {
		d0 += math.Abs(w.C) / 4
	}
	if w.Noise == DoubleWellStateDependent {
		s = w.S
	}
	const tail = doubleWellBoxTail
	var hy float64
	if s > 0 {
		hy = math.Sqrt(d0 * (math.Pow(tail, -1/(1+1/(2*s*T))) - 1) / s)
	} else {
		hy = math.Sqrt(2 * d0 * T * math.Log(1/tail))
	}
	if !(T > 0) || math.IsInf(hy, 0) || math.IsNaN(hy) {
		return w.Box()
	}
	// log rho_1 up to a constant; decreasing beyond its maximum at xm.
	logRho := func(x float64) float64 {
		if s == 0 {
			return (x*x/2-x*x*x*x/4)/(d0*T) - math.Log(d0)
		}
		u := s * x * x
		return (-x*x/(2*s)+(1+d0/s)/(2*s)*math.Log1p(u/d0))/T - math.Log(d0+u)
	}
	xm := math.Sqrt(math.Max(0, 1-2*s*T))
	cut := logRho(xm) - gaussianBoxSD*gaussianBoxSD/2
	lo, hi := xm, xm+1
	for logRho(hi) > cut && hi < 1e6 {
		lo, hi = hi, 2*hi
	}
	for k := 0; k < 60; k++ {
		mid := (lo + hi) / 2
		if logRho(mid) > cut {
			lo = mid
		} else {
			hi = mid
		}
	}
	return NewBox(-hi, hi, -hy, hy)
}

// Model returns the model with every field set; its Name is "double-well".
func (w DoubleWell) Model() Model {
	var d string
	switch w.Noise {
	case DoubleWellConstant:
		d = "D = [[1, " + num(w.C) + "], [" + num(w.C) + ", 1]]"
	case DoubleWellStateDependent:
		d = "D = [[1 + " + num(w.S) + " x^2, " + num(w.C) + "], [" + num(w.C) + ", 1 + " + num(w.S) + " y^2]]"
	default:
		d = "D = I"
	}
	return Model{
		Name:          "double-well",
		Formula:       "f = (x^2 - 1)^2/4 + y^2/2; b = -grad f; " + d,
		Params:        map[string]float64{"noise": float64(w.Noise), "c": w.C, "s": w.S},
		Dim:           2,
		Drift:         w.Drift,
		Diffusion:     w.Diffusion,
		DivDiffusion:  w.DivDiffusion,
		Loss:          w.Loss,
		Grad:          w.Grad,
		GradientDrift: true,
		Drift2:        doubleWellDrift2,
		Diffusion2:    w.diffusion2(),
		Box:           w.Box(),
		BoxAt:         w.BoxAt,
	}
}

func buildDoubleWell(p map[string]float64) (Model, error) {
	if err := checkFinite(p, "noise", "c", "s"); err != nil {
		return Model{}, err
	}
	n := p["noise"]
	if n != 0 && n != 1 && n != 2 {
		return Model{}, fmt.Errorf("parameter noise = %g: use 0 (D = I), 1 (D = [[1, c], [c, 1]]) or 2 (D = [[1 + s x^2, c], [c, 1 + s y^2]])", n)
	}
	w := DoubleWell{Noise: DoubleWellNoise(n), C: p["c"], S: p["s"]}
	if w.Noise != DoubleWellIsotropic && math.Abs(w.C) > 1 {
		return Model{}, fmt.Errorf("%w: |c| = %g > 1 makes D indefinite (at the origin D = [[1, c], [c, 1]])", ErrNotPSD, math.Abs(w.C))
	}
	if w.Noise == DoubleWellStateDependent && w.S < 0 {
		return Model{}, fmt.Errorf("%w: s = %g < 0 makes D_11 = 1 + s x^2 negative for |x| > %.4g", ErrNotPSD, w.S, 1/math.Sqrt(-w.S))
	}
	return w.Model(), nil
}

func init() {
	register(Landscape{
		Name: "double-well",
		Summary: "double well f = (x^2 - 1)^2/4 + y^2/2 with a choice of D; default: the state-dependent, " +
			"full D = [[1 + 0.5 x^2, 0.3], [0.3, 1 + 0.5 y^2]] (the benchmark model), for which Phi != f and a current flows",
		Formula: "f = (x^2 - 1)^2/4 + y^2/2; b = -grad f = (x (1 - x^2), -y); " +
			"noise 0: D = I; noise 1: D = [[1, c], [c, 1]]; noise 2: D = [[1 + s x^2, c], [c, 1 + s y^2]], div D = (2 s x, 2 s y)",
		Params: []Param{
			{Name: "noise", Default: 2, Doc: "diffusion: 0 isotropic D = I, 1 constant D = [[1, c], [c, 1]], 2 state dependent D = [[1 + s x^2, c], [c, 1 + s y^2]]"},
			{Name: "c", Default: 0.3, Doc: "off-diagonal D_12 for noise 1 and 2; |c| <= 1"},
			{Name: "s", Default: 0.5, Doc: "state dependence of the diagonal of D for noise 2; s >= 0"},
		},
		BoxRule: "[-X, X] x [-Y, Y] where the 1-D steady states along x and y, with D_ii = d0 + s x_i^2 " +
			"(d0 = 1 + |c|/4, 1 for noise 0; s = 0 unless noise 2), fall to exp(-18) (x) and 5e-7 (y) of their maxima; " +
			"for noise 2, Y = sqrt(d0 (5e-7^(-1/(1 + 1/(2 s T))) - 1) / s): the y tail is a power law, so the box grows fast with T",
		Build: buildDoubleWell,
	})
}
