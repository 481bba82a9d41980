package potentials

import "math"

// PaperFig4 is Example 19 of Chaudhari & Soatto (2018), drawn in their Fig. 4:
// a drift that is not the gradient of anything, built so that the steady state
// at T = 1 is known in closed form. With r^2 = x_1^2 + x_2^2,
//
//	Phi0(x) = (x_1^2 - 1)^2 / 4 + x_2^2 / 2,
//	b(x)    = -grad Phi0(x) + Lambda exp(Phi0(x) - r^4/4) (-x_2, x_1),
//	D       = I.
//
// At T = 1 the steady state is rho_ss = exp(-Phi0)/Z for every Lambda, with
// the probability current J = Lambda exp(-r^4/4) (-x_2, x_1) / Z, which is
// divergence free; at other temperatures the steady state is not known in
// closed form. The exponent Phi0 - r^4/4 = 1/4 - x_1^2/2 + x_2^2/2 -
// x_1^2 x_2^2/2 - x_2^4/4 is bounded above (by 1/2), so b does not overflow.
//
// The zeros of b are (±1, 0) and (0, 0) for Lambda = 0; for Lambda = 0.5 the
// two minima rotate to ±(0.9024, 0.3888); for Lambda = 1.5 only (0, 0) is
// left (validation case 8).
//
// The model has no loss: Phi0 is the steady-state potential at T = 1, not a
// loss whose negative gradient is the drift, so Model leaves Loss and Grad
// nil (which also keeps the Gibbs control drift from being built from it).
// Phi0 is available as a method.
//
// The zero value (Lambda = 0) is the gradient flow of the double well Phi0.
//
// Reference: P. Chaudhari and S. Soatto, Stochastic gradient descent performs
// variational inference, converges to limit cycles for deep networks,
// ICLR 2018, arXiv:1710.11029, Example 19 and Fig. 4.
type PaperFig4 struct {
	// Lambda is the strength of the rotational part of the drift.
	Lambda float64
}

// Phi0 returns the steady-state potential Phi0(x, y) = (x^2 - 1)^2/4 + y^2/2
// at T = 1.
func (p PaperFig4) Phi0(x, y float64) float64 {
	u := x*x - 1
	return 0.25*u*u + 0.5*y*y
}

// Drift2 returns b(x, y) = -grad Phi0 + Lambda exp(Phi0 - r^4/4) (-y, x).
func (p PaperFig4) Drift2(x, y float64) (bx, by float64) {
	x2, y2 := x*x, y*y
	// Phi0 - r^4/4 expanded so that the quartic terms cancel exactly.
	e := p.Lambda * math.Exp(0.25-0.5*x2+0.5*y2-0.5*x2*y2-0.25*y2*y2)
	return x*(1-x2) - e*y, -y + e*x
}

// Drift writes b(x) into dst.
func (p PaperFig4) Drift(dst, x []float64) {
	bx, by := p.Drift2(x[0], x[1])
	fill2(dst, bx, by)
}

// Diffusion2 returns D = I as (1, 0, 1).
func (p PaperFig4) Diffusion2(x, y float64) (dxx, dxy, dyy float64) { return 1, 0, 1 }

// Diffusion writes D = I into dst.
func (p PaperFig4) Diffusion(dst, x []float64) { fillSym2(dst, 1, 0, 1) }

// DivDiffusion writes div D = 0 into dst.
func (p PaperFig4) DivDiffusion(dst, x []float64) { fill2(dst, 0, 0) }

// Z returns the normalisation Z = integral over R^2 of exp(-Phi0(x)) dx of
// the steady state at T = 1,
//
//	Z = sqrt(2 pi) integral exp(-(x^2 - 1)^2 / 4) dx = 7.623468...,
//
// the x integral by the trapezoidal rule on [-8, 8] (spectrally accurate
// for this smooth integrand, which is below 1e-300 beyond |x| = 7).
func (p PaperFig4) Z() float64 {
	const (
		lim = 8.0
		n   = 4000
	)
	h := 2 * lim / n
	s := 0.0
	for i := 0; i <= n; i++ {
		x := -lim + float64(i)*h
		u := x*x - 1
		v := math.Exp(-0.25 * u * u)
		if i == 0 || i == n {
			v /= 2
		}
		s += v
	}
	return math.Sqrt(2*math.Pi) * s * h
}

// AngularMomentum returns the stationary angular momentum at temperature T.
// At T = 1 the current is J = Lambda exp(-r^4/4) (-x_2, x_1) / Z, so
// x_1 J_2 - x_2 J_1 = Lambda r^2 exp(-r^4/4) / Z and, in polar coordinates
// with u = r^4/4 (du = r^3 dr),
//
//	L = (Lambda / Z) 2 pi integral_0^inf r^3 exp(-r^4/4) dr = 2 pi Lambda / Z,
//
// with Z from Z (over the whole plane: a grid on a box that cuts off mass
// gives L larger by the ratio of Z to the mass in the box). At other
// temperatures the steady state has no known closed form and ok is false.
func (p PaperFig4) AngularMomentum(T float64) (L float64, ok bool) {
	if T != 1 {
		return 0, false
	}
	return 2 * math.Pi * p.Lambda / p.Z(), true
}

// Box returns [-2.5, 2.5]^2, the view of the paper's figure (for plots;
// grids use BoxAt).
func (p PaperFig4) Box() Box { return NewBox(-2.5, 2.5, -2.5, 2.5) }

// BoxAt returns the default box at temperature T, [-X, X] x [-Y, Y] with
//
//	X = sqrt(1 + sqrt(72 T)),   Y = 6 sqrt(T)   (Lambda = 0),
//	                            Y = max(6 sqrt(T), 1.15 X)   (Lambda != 0):
//
// X and 6 sqrt(T) bound the sublevel set {Phi0 - min Phi0 <= 18 T} (see
// sublevelBoxFor, with D = I), which holds the steady state exp(-Phi0/T)/Z
// of Lambda = 0 and of every Lambda at T = 1, to exp(-18) = 1.5e-8 of its
// maximum at the walls. Far out the rotational part of the drift decays
// like exp(-r^4/4 + ...) and the drift is -grad Phi0; but at low T the
// rotation carries the density around the ring r = 1 of the wells, and its
// extent in y (where Phi0 grows only as y^2/2) exceeds that of the sublevel
// set: measured on 256^2 grids, rho falls to 1e-6 of its maximum at
// |y| = 1.45, 1.86 (Lambda = 0.5) and 1.77, 2.08 (Lambda = 5) for T = 0.05,
// 0.1, at most 1.09 X, hence the 1.15 X.
func (p PaperFig4) BoxAt(T float64) Box {
	if !(T > 0) || math.IsInf(T, 0) {
		return p.Box()
	}
	hx, hy := math.Sqrt(1+math.Sqrt(4*sublevelBoxLevel*T)), math.Sqrt(2*sublevelBoxLevel*T)
	if p.Lambda != 0 {
		hy = math.Max(hy, 1.15*hx)
	}
	return NewBox(-hx, hx, -hy, hy)
}

// Model returns the model with every field set except Loss and Grad, which
// stay nil (see PaperFig4); its Name is "paper-fig4".
func (p PaperFig4) Model() Model {
	return Model{
		Name: "paper-fig4",
		Formula: "Phi0 = (x^2 - 1)^2/4 + y^2/2 (steady-state potential at T = 1, not a loss); " +
			"b = -grad Phi0 + " + num(p.Lambda) + " exp(Phi0 - r^4/4) (-y, x); D = I",
		Params:       map[string]float64{"lambda": p.Lambda},
		Dim:          2,
		Drift:        p.Drift,
		Diffusion:    p.Diffusion,
		DivDiffusion: p.DivDiffusion,
		Drift2:       p.Drift2,
		Diffusion2:   p.Diffusion2,
		Box:          p.Box(),
		BoxAt:        p.BoxAt,

		AngularMomentum: p.AngularMomentum,
	}
}

func init() {
	register(Landscape{
		Name: "paper-fig4",
		Summary: "Chaudhari & Soatto Example 19 (Fig. 4): non-gradient drift with D = I whose steady state at T = 1 " +
			"is exp(-Phi0)/Z for every lambda, with a rotating current; no loss",
		Formula: "Phi0 = (x^2 - 1)^2/4 + y^2/2 (steady-state potential at T = 1, not a loss); " +
			"b = -grad Phi0 + lambda exp(Phi0 - r^4/4) (-y, x), r^2 = x^2 + y^2; D = I",
		Params: []Param{
			{Name: "lambda", Default: 0.5, Doc: "strength of the rotation; drift zeros ±(0.9024, 0.3888) and (0, 0) at 0.5, only (0, 0) at 1.5"},
		},
		BoxRule: "[-X, X] x [-Y, Y], X = sqrt(1 + sqrt(72 T)), Y = 6 sqrt(T) for lambda = 0, max(6 sqrt(T), 1.15 X) otherwise " +
			"(Phi0 - min Phi0 <= 18 T, widened in y for the rotation at low T)",
		Build: func(q map[string]float64) (Model, error) {
			if err := checkFinite(q, "lambda"); err != nil {
				return Model{}, err
			}
			return PaperFig4{Lambda: q["lambda"]}.Model(), nil
		},
	})
}
