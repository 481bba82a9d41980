package potentials

import (
	"fmt"
	"math"
)

// Classic 2-D test landscapes of chemistry and optimization with a constant
// diffusion D = [[D11, D12], [D12, D22]]. Their registered defaults take
// D = [[1, 0.5], [0.5, 1]]: anisotropic (eigenvalues 1.5 along (1, 1) and
// 0.5 along (1, -1)) and not commuting with the Hessians of f (which would
// need Hess f_11 = Hess f_22 everywhere), so D^-1 grad f is not a gradient,
// the drift -grad f is not of the detailed-balance form -D grad Phi, and the
// steady state differs from exp(-f/T) and carries a current. A constant
// isotropic D = c I (d12 = 0, d11 = d22 = c) gives the equilibrium
// exp(-f/(T c))/Z with no current: Phi = f/c, the Gibbs case Phi = f for
// c = 1.

// Constants of the Müller–Brown potential (Müller & Brown 1979):
// V = sum_k A_k exp(a_k (x - x0_k)^2 + b_k (x - x0_k)(y - y0_k) + c_k (y - y0_k)^2).
var (
	mbA  = [4]float64{-200, -100, -170, 15}
	mba  = [4]float64{-1, -1, -6.5, 0.7}
	mbb  = [4]float64{0, 0, 11, 0.6}
	mbc  = [4]float64{-10, -10, -6.5, 0.7}
	mbx0 = [4]float64{1, 0, -0.5, -1}
	mby0 = [4]float64{0, 0.5, 1.5, 1}
)

// MullerBrown is the Müller–Brown potential, scaled, with a constant diffusion:
//
//	f(x, y) = Scale * sum_{k=1..4} A_k exp(a_k (x - x0_k)^2 + b_k (x - x0_k)(y - y0_k) + c_k (y - y0_k)^2),
//	A  = (-200, -100, -170, 15),  a  = (-1, -1, -6.5, 0.7),  b = (0, 0, 11, 0.6),
//	c  = (-10, -10, -6.5, 0.7),   x0 = (1, 0, -0.5, -1),     y0 = (0, 0.5, 1.5, 1),
//	b(x) = -grad f(x),  D = [[D11, D12], [D12, D22]] (constant).
//
// Unscaled, it has three minima, near (-0.558, 1.442) with V = -146.7,
// (0.623, 0.028) with V = -108.2 and (-0.050, 0.467) with V = -80.8, joined
// by two saddles, near (-0.822, 0.624) with V = -40.7 and (0.212, 0.293)
// with V = -72.2. With Scale = 0.05 the barriers out of the deep well and
// between the shallow ones are about 5.3 and 0.43, so at T = 0.5 the density
// stays inside the default box (it reaches 1e-4 of its maximum at the
// walls) while trajectories hop between the shallow wells.
//
// The zero value has f = 0 and D = 0.
//
// Reference: K. Müller and L. D. Brown, Location of saddle points and minimum
// energy paths by a constrained simplex optimization procedure,
// Theor. Chim. Acta 53, 75–93 (1979).
type MullerBrown struct {
	// Scale multiplies the potential.
	Scale float64
	// ConstDiffusion is the constant diffusion D; its fields D11, D12 and
	// D22 are promoted.
	ConstDiffusion
}

// Loss returns f(x).
func (m MullerBrown) Loss(x []float64) float64 {
	var v float64
	for k := range mbA {
		dx, dy := x[0]-mbx0[k], x[1]-mby0[k]
		v += mbA[k] * math.Exp(mba[k]*dx*dx+mbb[k]*dx*dy+mbc[k]*dy*dy)
	}
	return m.Scale * v
}

// Drift2 returns b(x, y) = -grad f(x, y).
func (m MullerBrown) Drift2(x, y float64) (bx, by float64) {
	for k := range mbA {
		dx, dy := x-mbx0[k], y-mby0[k]
		e := mbA[k] * math.Exp(mba[k]*dx*dx+mbb[k]*dx*dy+mbc[k]*dy*dy)
		bx -= e * (2*mba[k]*dx + mbb[k]*dy)
		by -= e * (mbb[k]*dx + 2*mbc[k]*dy)
	}
	return m.Scale * bx, m.Scale * by
}

// Grad writes grad f(x) into dst.
func (m MullerBrown) Grad(dst, x []float64) {
	bx, by := m.Drift2(x[0], x[1])
	fill2(dst, -bx, -by)
}

// Drift writes b(x) = -grad f(x) into dst.
func (m MullerBrown) Drift(dst, x []float64) {
	bx, by := m.Drift2(x[0], x[1])
	fill2(dst, bx, by)
}

// Box returns [-1.5, 1.2] x [-0.5, 2], the customary window around the three
// minima (for plots; grids use BoxAt).
func (m MullerBrown) Box() Box { return NewBox(-1.5, 1.2, -0.5, 2) }

// BoxAt returns the default box at temperature T: the bounding box of the
// sublevel set {f - min f <= 18 lambda_max(D) T} (see sublevelBoxFor). With
// the defaults it holds only the deep well at low T ([-0.85, -0.30] x
// [1.15, 1.70] at T = 0.05), all three wells from T = 0.1 on ([-1.33, 1.05]
// x [-0.21, 1.96] at T = 0.2) and grows to [-3.69, 1.75] x [-1.71, 3.72] at
// T = 2, bounded by the rising fourth term.
func (m MullerBrown) BoxAt(T float64) Box {
	return sublevelBoxFor(m.loss2, m.maxEigen(), T, m.Box())
}

// loss2 returns f(x, y).
func (m MullerBrown) loss2(x, y float64) float64 { return m.Loss([]float64{x, y}) }

// Model returns the model with every field set; its Name is "muller-brown".
func (m MullerBrown) Model() Model {
	return Model{
		Name:          "muller-brown",
		Formula:       "f = " + num(m.Scale) + " * V_MullerBrown(x, y); b = -grad f; " + constDiffusionText(m.D11, m.D12, m.D22),
		Params:        map[string]float64{"scale": m.Scale, "d11": m.D11, "d12": m.D12, "d22": m.D22},
		Dim:           2,
		Drift:         m.Drift,
		Diffusion:     m.Diffusion,
		DivDiffusion:  m.DivDiffusion,
		Loss:          m.Loss,
		Grad:          m.Grad,
		GradientDrift: true,
		Drift2:        m.Drift2,
		Diffusion2:    m.Diffusion2,
		Box:           m.Box(),
		BoxAt:         m.BoxAt,
	}
}

// ThreeHole is the three-hole potential of Metzner, Schütte & Vanden-Eijnden
// with a constant diffusion:
//
//	f(x, y) = 3 exp(-x^2 - (y - 1/3)^2) - 3 exp(-x^2 - (y - 5/3)^2)
//	        - 5 exp(-(x - 1)^2 - y^2) - 5 exp(-(x + 1)^2 - y^2)
//	        + 0.2 x^4 + 0.2 (y - 1/3)^4,
//	b(x) = -grad f(x),  D = [[D11, D12], [D12, D22]] (constant).
//
// Two deep minima near (±1.048, -0.042) with f = -3.99 are joined directly
// over the saddle near (0, -0.316) with f = -1.38, and by a detour through
// the shallow minimum near (0, 1.537) with f = -2.17 over two saddles near
// (±0.617, 1.103) with f = -1.65; which path carries the transitions depends
// on the temperature (the reference uses T = 0.6 and T = 0.15).
//
// The zero value has D = 0 (no noise).
//
// Reference: P. Metzner, Ch. Schütte and E. Vanden-Eijnden, Illustration of
// transition path theory on a collection of simple examples, J. Chem. Phys.
// 125, 084110 (2006).
type ThreeHole struct {
	// ConstDiffusion is the constant diffusion D; its fields D11, D12 and
	// D22 are promoted.
	ConstDiffusion
}

// Loss returns f(x).
func (h ThreeHole) Loss(x []float64) float64 {
	a, b := x[0], x[1]
	u, v := b-1.0/3, b-5.0/3
	a2 := a * a
	return 3*math.Exp(-a2-u*u) - 3*math.Exp(-a2-v*v) -
		5*math.Exp(-(a-1)*(a-1)-b*b) - 5*math.Exp(-(a+1)*(a+1)-b*b) +
		0.2*a2*a2 + 0.2*u*u*u*u
}

// Drift2 returns b(x, y) = -grad f(x, y).
func (h ThreeHole) Drift2(x, y float64) (bx, by float64) {
	u, v := y-1.0/3, y-5.0/3
	xm, xp := x-1, x+1
	x2, y2 := x*x, y*y
	e1 := 3 * math.Exp(-x2-u*u)
	e2 := -3 * math.Exp(-x2-v*v)
	e3 := -5 * math.Exp(-xm*xm-y2)
	e4 := -5 * math.Exp(-xp*xp-y2)
	// grad of c exp(-(x - p)^2 - (y - q)^2) is -2 c exp(...) (x - p, y - q).
	gx := -2*(x*(e1+e2)+xm*e3+xp*e4) + 0.8*x2*x
	gy := -2*(u*e1+v*e2+y*(e3+e4)) + 0.8*u*u*u
	return -gx, -gy
}

// Grad writes grad f(x) into dst.
func (h ThreeHole) Grad(dst, x []float64) {
	bx, by := h.Drift2(x[0], x[1])
	fill2(dst, -bx, -by)
}

// Drift writes b(x) = -grad f(x) into dst.
func (h ThreeHole) Drift(dst, x []float64) {
	bx, by := h.Drift2(x[0], x[1])
	fill2(dst, bx, by)
}

// Box returns [-2, 2] x [-1.5, 2.5], the customary window (for plots; grids
// use BoxAt).
func (h ThreeHole) Box() Box { return NewBox(-2, 2, -1.5, 2.5) }

// BoxAt returns the default box at temperature T: the bounding box of the
// sublevel set {f - min f <= 18 lambda_max(D) T} (see sublevelBoxFor).
func (h ThreeHole) BoxAt(T float64) Box {
	return sublevelBoxFor(h.loss2, h.maxEigen(), T, h.Box())
}

// loss2 returns f(x, y).
func (h ThreeHole) loss2(x, y float64) float64 { return h.Loss([]float64{x, y}) }

// Model returns the model with every field set; its Name is "three-hole".
func (h ThreeHole) Model() Model {
	return Model{
		Name: "three-hole",
		Formula: "f = 3 exp(-x^2 - (y - 1/3)^2) - 3 exp(-x^2 - (y - 5/3)^2) - 5 exp(-(x - 1)^2 - y^2) " +
			"- 5 exp(-(x + 1)^2 - y^2) + 0.2 x^4 + 0.2 (y - 1/3)^4; b = -grad f; " + constDiffusionText(h.D11, h.D12, h.D22),
		Params:        map[string]float64{"d11": h.D11, "d12": h.D12, "d22": h.D22},
		Dim:           2,
		Drift:         h.Drift,
		Diffusion:     h.Diffusion,
		DivDiffusion:  h.DivDiffusion,
		Loss:          h.Loss,
		Grad:          h.Grad,
		GradientDrift: true,
		Drift2:        h.Drift2,
		Diffusion2:    h.Diffusion2,
		Box:           h.Box(),
		BoxAt:         h.BoxAt,
	}
}

// Rosenbrock is the two-dimensional Rosenbrock function with a constant
// diffusion:
//
//	f(x, y) = (A - x)^2 + B (y - x^2)^2,
//	b(x) = -grad f(x) = (2 (A - x) + 4 B x (y - x^2), -2 B (y - x^2)),
//	D = [[D11, D12], [D12, D22]] (constant).
//
// The minimum f = 0 lies at (A, A^2) at the end of a curved, flat-bottomed
// valley y = x^2 whose walls steepen with B. For B > 0, exp(-f/T) is
// integrable for every T > 0: across the valley it is a Gaussian of variance
// T/(2B), along it one of variance T/2 in x. The registered default B = 1
// (instead of the customary 100) keeps the valley wide enough to resolve on a
// grid at T = 0.5 (cross-valley standard deviation sqrt(T/(2B)) = 0.5).
//
// The zero value has f = x^2 and D = 0; it has no steady state.
//
// Reference: H. H. Rosenbrock, An automatic method for finding the greatest or
// least value of a function, Comput. J. 3, 175–184 (1960).
type Rosenbrock struct {
	// A is the position of the minimum in x.
	A float64
	// B is the stiffness of the valley walls.
	B float64
	// ConstDiffusion is the constant diffusion D; its fields D11, D12 and
	// D22 are promoted.
	ConstDiffusion
}

// Loss returns f(x).
func (r Rosenbrock) Loss(x []float64) float64 {
	u, v := r.A-x[0], x[1]-x[0]*x[0]
	return u*u + r.B*v*v
}

// Drift2 returns b(x, y) = -grad f(x, y).
func (r Rosenbrock) Drift2(x, y float64) (bx, by float64) {
	v := 2 * r.B * (y - x*x)
	return 2*(r.A-x) + 2*x*v, -v
}

// Grad writes grad f(x) into dst.
func (r Rosenbrock) Grad(dst, x []float64) {
	bx, by := r.Drift2(x[0], x[1])
	fill2(dst, -bx, -by)
}

// Drift writes b(x) = -grad f(x) into dst.
func (r Rosenbrock) Drift(dst, x []float64) {
	bx, by := r.Drift2(x[0], x[1])
	fill2(dst, bx, by)
}

// Box returns [A - 3, A + 1.5] x [-1, A^2 + 3], which for A = 1 is
// [-2, 2.5] x [-1, 4]: the banana from its tip to well up both arms. With
// the default b = 1 the loss reaches about 55 in the steepest corner, so at
// T = 0.5 every corner is far in the tail while the grid spacing of a
// 256 x 256 grid keeps the drift resolved (cell Peclet number below 3).
func (r Rosenbrock) Box() Box {
	return NewBox(r.A-3, r.A+1.5, -1, r.A*r.A+3)
}

// BoxAt returns the default box at temperature T: the bounding box of the
// sublevel set {f <= 18 lambda_max(D) T} (see sublevelBoxFor), which
// follows the valley y = x^2 up both arms: |x - A| <= sqrt(18 lambda_max T)
// and y up to about (|A| + sqrt(18 lambda_max T))^2.
func (r Rosenbrock) BoxAt(T float64) Box {
	return sublevelBoxFor(r.loss2, r.maxEigen(), T, r.Box())
}

// loss2 returns f(x, y).
func (r Rosenbrock) loss2(x, y float64) float64 { return r.Loss([]float64{x, y}) }

// Model returns the model with every field set; its Name is "rosenbrock".
func (r Rosenbrock) Model() Model {
	return Model{
		Name:          "rosenbrock",
		Formula:       "f = (" + num(r.A) + " - x)^2 + " + num(r.B) + " (y - x^2)^2; b = -grad f; " + constDiffusionText(r.D11, r.D12, r.D22),
		Params:        map[string]float64{"a": r.A, "b": r.B, "d11": r.D11, "d12": r.D12, "d22": r.D22},
		Dim:           2,
		Drift:         r.Drift,
		Diffusion:     r.Diffusion,
		DivDiffusion:  r.DivDiffusion,
		Loss:          r.Loss,
		Grad:          r.Grad,
		GradientDrift: true,
		Drift2:        r.Drift2,
		Diffusion2:    r.Diffusion2,
		Box:           r.Box(),
		BoxAt:         r.BoxAt,
	}
}

// classicD reads and checks the constant diffusion parameters.
func classicD(p map[string]float64) (ConstDiffusion, error) {
	if err := checkFinite(p, "d11", "d12", "d22"); err != nil {
		return ConstDiffusion{}, err
	}
	d := ConstDiffusion{D11: p["d11"], D12: p["d12"], D22: p["d22"]}
	return d, checkConstD(d.D11, d.D12, d.D22)
}

// classicBoxRule describes the BoxAt of the classic landscapes.
const classicBoxRule = "bounding box of the sublevel set f - min f <= 18 lambda_max(D) T (found on a lattice)"

const classicDDoc = "; default D = [[1, 0.5], [0.5, 1]]: anisotropic and not commuting with the Hessian of f, so Phi != f and a current flows (D = c I gives Phi = f/c, no current)"

func init() {
	register(Landscape{
		Name:    "muller-brown",
		Summary: "Müller–Brown potential (three minima, two saddles) scaled by 0.05" + classicDDoc,
		Formula: "f = scale * sum_k A_k exp(a_k (x - x0_k)^2 + b_k (x - x0_k)(y - y0_k) + c_k (y - y0_k)^2), " +
			"A = (-200, -100, -170, 15), a = (-1, -1, -6.5, 0.7), b = (0, 0, 11, 0.6), c = (-10, -10, -6.5, 0.7), " +
			"x0 = (1, 0, -0.5, -1), y0 = (0, 0.5, 1.5, 1); b = -grad f; D = [[d11, d12], [d12, d22]] constant",
		Params: append([]Param{
			{Name: "scale", Default: 0.05, Doc: "factor on the potential; 0.05 gives barriers of 5.3 (deep well) and 0.43 (shallow wells), for T from 0.2 to 1"},
		}, constDiffParams(1, 0.5, 1)...),
		BoxRule: classicBoxRule,
		Build: func(p map[string]float64) (Model, error) {
			d, err := classicD(p)
			if err != nil {
				return Model{}, err
			}
			if err := checkFinite(p, "scale"); err != nil {
				return Model{}, err
			}
			return MullerBrown{Scale: p["scale"], ConstDiffusion: d}.Model(), nil
		},
	})
	register(Landscape{
		Name:    "three-hole",
		Summary: "three-hole potential of Metzner, Schütte & Vanden-Eijnden (two deep minima, one shallow)" + classicDDoc,
		Formula: "f = 3 exp(-x^2 - (y - 1/3)^2) - 3 exp(-x^2 - (y - 5/3)^2) - 5 exp(-(x - 1)^2 - y^2) " +
			"- 5 exp(-(x + 1)^2 - y^2) + 0.2 x^4 + 0.2 (y - 1/3)^4; b = -grad f; D = [[d11, d12], [d12, d22]] constant",
		Params:  constDiffParams(1, 0.5, 1),
		BoxRule: classicBoxRule,
		Build: func(p map[string]float64) (Model, error) {
			d, err := classicD(p)
			if err != nil {
				return Model{}, err
			}
			return ThreeHole{ConstDiffusion: d}.Model(), nil
		},
	})
	register(Landscape{
		Name:    "rosenbrock",
		Summary: "Rosenbrock banana valley f = (a - x)^2 + b (y - x^2)^2 with b = 1" + classicDDoc,
		Formula: "f = (a - x)^2 + b (y - x^2)^2; b = -grad f; D = [[d11, d12], [d12, d22]] constant",
		Params: append([]Param{
			{Name: "a", Default: 1, Doc: "minimum at (a, a^2)"},
			{Name: "b", Default: 1, Doc: "stiffness of the valley walls; b > 0 (1 rather than the classic 100 keeps the valley resolvable by grids and ensembles at T = 0.5)"},
		}, constDiffParams(1, 0.5, 1)...),
		BoxRule: classicBoxRule,
		Build: func(p map[string]float64) (Model, error) {
			d, err := classicD(p)
			if err != nil {
				return Model{}, err
			}
			if err := checkFinite(p, "a", "b"); err != nil {
				return Model{}, err
			}
			if !(p["b"] > 0) {
				return Model{}, fmt.Errorf("parameter b = %g must be positive (otherwise exp(-f/T) is not integrable)", p["b"])
			}
			return Rosenbrock{A: p["a"], B: p["b"], ConstDiffusion: d}.Model(), nil
		},
	})
}
