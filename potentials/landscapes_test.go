package potentials

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// builtinNames are the landscapes defined in landscape_*.go. Tests that loop
// over the registry also cover landscapes registered elsewhere.
var builtinNames = []string{"quadratic", "gyrator", "double-well", "paper-fig4", "muller-brown", "three-hole", "rosenbrock", "sharp-flat"}

// builtinDefaults builds every registered landscape with its default parameters.
func builtinDefaults(t *testing.T) []Model {
	t.Helper()
	var ms []Model
	for _, l := range Landscapes() {
		m, err := New(l.Name, nil)
		if err != nil {
			t.Fatalf("New(%q, nil): %v", l.Name, err)
		}
		ms = append(ms, m)
	}
	return ms
}

// boxGrid returns n x n points spread evenly over the closed box, corners
// included.
func boxGrid(b Box, n int) [][]float64 {
	var pts [][]float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			x := b.Min[0] + (b.Max[0]-b.Min[0])*float64(i)/float64(n-1)
			y := b.Min[1] + (b.Max[1]-b.Min[1])*float64(j)/float64(n-1)
			pts = append(pts, []float64{x, y})
		}
	}
	return pts
}

// near reports |got - want| <= tol * (1 + |want|).
func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*(1+math.Abs(want))
}

func TestBuiltinsRegistered(t *testing.T) {
	for _, name := range builtinNames {
		l, ok := Lookup(name)
		if !ok {
			t.Errorf("landscape %q is not registered", name)
			continue
		}
		if l.Summary == "" || l.Formula == "" || l.Build == nil {
			t.Errorf("landscape %q: Summary, Formula and Build must be set", name)
		}
		for _, p := range l.Params {
			if p.Name == "" || p.Doc == "" {
				t.Errorf("landscape %q: parameter %+v lacks a name or doc", name, p)
			}
		}
	}
}

// closedForm holds a built-in landscape's loss, gradient, drift, diffusion
// and div D at one point, written out in the test from the formulas of the
// landscape's doc comment, independently of the implementation (the
// Müller–Brown constants are typed in again from the 1979 paper). The
// magnitudes fMag and gMag are the sums of the absolute values of the
// terms added up in f and in grad f (or b): two evaluations of the same
// sum in different orders differ by a few ulps of that.
type closedForm struct {
	hasLoss    bool
	f          float64
	grad, b    [2]float64
	d          [3]float64 // D_11, D_12, D_22
	div        [2]float64
	fMag, gMag float64
	// dMag and divMag, if set, are the magnitudes of the terms of D and of
	// div D (for a D whose entries are sums of terms of both signs);
	// otherwise the magnitudes of D and div D themselves.
	dMag, divMag float64
}

// closedFormCase is a landscape with parameters and its closed form.
type closedFormCase struct {
	name string
	set  map[string]float64
	eval func(x, y float64) closedForm
}

// constD fills the constant diffusion of p into c.
func constD(c *closedForm, p map[string]float64) {
	c.d = [3]float64{p["d11"], p["d12"], p["d22"]}
}

// gradientForm completes a closed form with a loss: b = -grad f.
func gradientForm(c closedForm) closedForm {
	c.hasLoss = true
	c.b = [2]float64{-c.grad[0], -c.grad[1]}
	return c
}

func quadraticForm(p map[string]float64) func(x, y float64) closedForm {
	return func(x, y float64) closedForm {
		a11, a12, a22 := p["a11"], p["a12"], p["a22"]
		c := closedForm{
			f:    a11*x*x/2 + a12*x*y + a22*y*y/2,
			grad: [2]float64{a11*x + a12*y, a12*x + a22*y},
			fMag: math.Abs(a11*x*x/2) + math.Abs(a12*x*y) + math.Abs(a22*y*y/2),
			gMag: math.Abs(a11*x) + math.Abs(a12*y) + math.Abs(a12*x) + math.Abs(a22*y),
		}
		constD(&c, p)
		return gradientForm(c)
	}
}

func doubleWellForm(p map[string]float64) func(x, y float64) closedForm {
	return func(x, y float64) closedForm {
		x2 := x * x
		c := closedForm{
			f:    x2*x2/4 - x2/2 + 0.25 + y*y/2,
			grad: [2]float64{x2*x - x, y},
			fMag: x2*x2/4 + x2/2 + 0.25 + y*y/2,
			gMag: math.Abs(x2*x) + math.Abs(x) + math.Abs(y),
		}
		switch p["noise"] {
		case 0:
			c.d = [3]float64{1, 0, 1}
		case 1:
			c.d = [3]float64{1, p["c"], 1}
		case 2:
			s := p["s"]
			c.d = [3]float64{1 + s*x2, p["c"], 1 + s*y*y}
			// d D_11/dx + d D_12/dy, d D_21/dx + d D_22/dy.
			c.div = [2]float64{2 * s * x, 2 * s * y}
		}
		return gradientForm(c)
	}
}

func paperFig4Form(p map[string]float64) func(x, y float64) closedForm {
	return func(x, y float64) closedForm {
		l := p["lambda"]
		x2, r2 := x*x, x*x+y*y
		phi0 := (x2-1)*(x2-1)/4 + y*y/2
		// exp(Phi0 - r^4/4) without the cancellation of the quartic terms
		// that the implementation does by hand: the exponent carries an
		// absolute error of about eps (Phi0 + r^4/4), the factor the same
		// relative error, hence the (1 + Phi0 + r^4/4) in gMag.
		e := math.Exp(phi0 - r2*r2/4)
		c := closedForm{
			b:    [2]float64{x - x2*x - l*e*y, -y + l*e*x},
			d:    [3]float64{1, 0, 1},
			gMag: math.Abs(x) + math.Abs(x2*x) + math.Abs(y) + math.Abs(l)*e*(math.Abs(x)+math.Abs(y))*(1+phi0+r2*r2/4),
		}
		return c
	}
}

// Müller–Brown constants, from Müller & Brown (1979).
var (
	mbRefA  = [4]float64{-200, -100, -170, 15}
	mbRefa  = [4]float64{-1, -1, -6.5, 0.7}
	mbRefb  = [4]float64{0, 0, 11, 0.6}
	mbRefc  = [4]float64{-10, -10, -6.5, 0.7}
	mbRefx0 = [4]float64{1, 0, -0.5, -1}
	mbRefy0 = [4]float64{0, 0.5, 1.5, 1}
)

func mullerBrownForm(p map[string]float64) func(x, y float64) closedForm {
	return func(x, y float64) closedForm {
		s := p["scale"]
		var c closedForm
		for k := 0; k < 4; k++ {
			u, v := x-mbRefx0[k], y-mbRefy0[k]
			q := mbRefa[k]*u*u + mbRefb[k]*u*v + mbRefc[k]*v*v
			e := s * mbRefA[k] * math.Exp(q)
			gx, gy := 2*mbRefa[k]*u+mbRefb[k]*v, mbRefb[k]*u+2*mbRefc[k]*v
			c.f += e
			c.grad[0] += e * gx
			c.grad[1] += e * gy
			// The exponent q carries an absolute error of a few eps times
			// its terms, which the exponential turns into a relative one.
			qMag := 1 + math.Abs(mbRefa[k]*u*u) + math.Abs(mbRefb[k]*u*v) + math.Abs(mbRefc[k]*v*v)
			c.fMag += math.Abs(e) * qMag
			c.gMag += math.Abs(e) * qMag * (math.Abs(2*mbRefa[k]*u) + math.Abs(mbRefb[k]*v) + math.Abs(mbRefb[k]*u) + math.Abs(2*mbRefc[k]*v))
		}
		constD(&c, p)
		return gradientForm(c)
	}
}

func threeHoleForm(p map[string]float64) func(x, y float64) closedForm {
	return func(x, y float64) closedForm {
		// The four Gaussians c_k exp(-(x - p_k)^2 - (y - q_k)^2) and the
		// quartic confinement 0.2 x^4 + 0.2 (y - 1/3)^4.
		cs := [4]float64{3, -3, -5, -5}
		ps := [4]float64{0, 0, 1, -1}
		qs := [4]float64{1.0 / 3, 5.0 / 3, 0, 0}
		u := y - 1.0/3
		c := closedForm{
			f:    0.2*x*x*x*x + 0.2*u*u*u*u,
			grad: [2]float64{0.8 * x * x * x, 0.8 * u * u * u},
			fMag: 0.2*x*x*x*x + 0.2*u*u*u*u,
			gMag: math.Abs(0.8*x*x*x) + math.Abs(0.8*u*u*u),
		}
		for k := range cs {
			dx, dy := x-ps[k], y-qs[k]
			q := dx*dx + dy*dy
			e := cs[k] * math.Exp(-q)
			c.f += e
			c.grad[0] += -2 * dx * e
			c.grad[1] += -2 * dy * e
			c.fMag += math.Abs(e) * (1 + q)
			c.gMag += math.Abs(e) * (1 + q) * 2 * (math.Abs(dx) + math.Abs(dy))
		}
		constD(&c, p)
		return gradientForm(c)
	}
}

func rosenbrockForm(p map[string]float64) func(x, y float64) closedForm {
	return func(x, y float64) closedForm {
		a, b := p["a"], p["b"]
		v := y - x*x
		c := closedForm{
			f:    (a-x)*(a-x) + b*v*v,
			grad: [2]float64{-2*(a-x) - 4*b*x*v, 2 * b * v},
			// v = y - x^2 itself cancels: its error is eps (|y| + x^2).
			fMag: (math.Abs(a)+math.Abs(x))*(math.Abs(a)+math.Abs(x)) + math.Abs(b)*(math.Abs(y)+x*x)*(math.Abs(y)+x*x),
			gMag: 2*(math.Abs(a)+math.Abs(x)) + 4*math.Abs(b*x)*(math.Abs(y)+x*x) + 2*math.Abs(b)*(math.Abs(y)+x*x),
		}
		constD(&c, p)
		return gradientForm(c)
	}
}

// sharpFlatForm is the sharp-flat landscape from its doc comment:
// f = kappa^(S/2) q + y^4/16, S = tanh(x^3)/tanh(1),
// q = (x^2 - 1)^2/4 + y^2/2, and D from the Jacobian J of the residuals
// r = (kappa^(S/4) (x^2 - 1)/sqrt 2, kappa^(S/4) y, y^2/sqrt 8):
// D_SGD = c J^T J + eps I, blended with (tr D_SGD / 2) I; div D by
// differentiating the entries of J^T J.
func sharpFlatForm(p map[string]float64) func(x, y float64) closedForm {
	return func(x, y float64) closedForm {
		kappa, c, eps, iso := p["sharpness"], p["c"], p["eps"], p["iso"]
		t1 := math.Tanh(1)
		u := x * x * x
		th := math.Tanh(u)
		sech := 2 / (math.Exp(u) + math.Exp(-u))
		S := th / t1
		dS := 3 * x * x * sech * sech / t1
		// d/dx of 3 x^2 sech^2(x^3) = 6 x sech^2 - 3 x^2 2 sech^2 tanh 3 x^2.
		d2S := (6*x*sech*sech - 18*x*x*x*x*sech*sech*th) / t1
		E := math.Pow(kappa, S/4)
		lk := math.Log(kappa)
		dE := E * lk / 4 * dS
		d2E := E*lk/4*d2S + dE*lk/4*dS
		P := E * E
		q := (x*x-1)*(x*x-1)/4 + y*y/2
		dP := 2 * E * dE
		c0 := closedForm{
			f:    P*q + y*y*y*y/16,
			grad: [2]float64{dP*q + P*x*(x*x-1), P*y + y*y*y/4},
			fMag: P*((x*x-1)*(x*x-1)/4+y*y/2) + y*y*y*y/16,
			gMag: math.Abs(dP)*((x*x+1)*(x*x+1)/4+y*y/2) + P*(math.Abs(x*x*x)+math.Abs(x)) + P*math.Abs(y) + math.Abs(y*y*y)/4,
		}
		// J = [[dr1/dx, 0], [dr2/dx, dr2/dy], [0, dr3/dy]], r1 = E (x^2 - 1)/sqrt 2,
		// r2 = E y, r3 = y^2/sqrt 8.
		j11 := (dE*(x*x-1) + 2*x*E) / math.Sqrt2
		j21, j22 := dE*y, E
		j32 := 2 * y / math.Sqrt(8)
		g11, g12, g22 := j11*j11+j21*j21, j21*j22, j22*j22+j32*j32
		dj11 := (d2E*(x*x-1) + 2*x*dE + 2*E + 2*x*dE) / math.Sqrt2
		// d/dx G11, d/dy G12, d/dx G12, d/dy G22.
		dxG11 := 2*j11*dj11 + 2*j21*d2E*y
		dyG12 := dE * E
		dxG12 := d2E*y*E + dE*y*dE
		dyG22 := 2 * j32 * 2 / math.Sqrt(8)
		dyG11 := 2 * j21 * dE
		dxG22 := 2 * E * dE
		tr := (g11 + g22) / 2
		v := 1 - iso
		c0.d = [3]float64{v*c*g11 + iso*c*tr + eps, v * c * g12, v*c*g22 + iso*c*tr + eps}
		c0.div = [2]float64{
			v*c*(dxG11+dyG12) + iso*c*(dxG11+dxG22)/2,
			v*c*(dxG12+dyG22) + iso*c*(dyG11+dyG22)/2,
		}
		c0.dMag = c*(g11+math.Abs(g12)+g22) + eps
		c0.divMag = c * (math.Abs(2*j11*dj11) + math.Abs(2*j21*d2E*y) + math.Abs(dyG12) + math.Abs(d2E*y*E) + dE*dE*math.Abs(y) + math.Abs(dyG11) + math.Abs(dxG22) + math.Abs(dyG22))
		return gradientForm(c0)
	}
}

// closedFormCases are the built-in landscapes at their defaults and at
// other parameter values: asymmetric, correlated, singular or large D,
// non-default Hessians, scales and rotation strengths, a negative lambda.
func closedFormCases(t *testing.T) []closedFormCase {
	t.Helper()
	forms := map[string]func(map[string]float64) func(x, y float64) closedForm{
		"quadratic": quadraticForm, "gyrator": quadraticForm, "double-well": doubleWellForm,
		"paper-fig4": paperFig4Form, "muller-brown": mullerBrownForm, "three-hole": threeHoleForm,
		"rosenbrock": rosenbrockForm, "sharp-flat": sharpFlatForm,
	}
	sets := map[string][]map[string]float64{
		"quadratic":    {nil, {"a11": 2, "a12": -0.7, "a22": 1.3, "d11": 0.4, "d12": 0.25, "d22": 1.7}},
		"gyrator":      {nil, {"a12": 0.5, "d12": -0.3}, {"d11": 1, "d12": 1, "d22": 1}},
		"double-well":  {nil, {"noise": 0}, {"noise": 1, "c": -0.6}, {"noise": 2, "c": 0.9, "s": 2}, {"noise": 2, "c": 0, "s": 0}},
		"paper-fig4":   {nil, {"lambda": 0}, {"lambda": 1.5}, {"lambda": -2}},
		"muller-brown": {nil, {"scale": 1, "d11": 2, "d12": -0.3, "d22": 0.5}},
		"three-hole":   {nil, {"d11": 0.3, "d12": 0, "d22": 0.3}, {"d11": 2, "d12": 1, "d22": 0.5}},
		"rosenbrock":   {nil, {"a": -0.5, "b": 10, "d12": 0}, {"a": 2, "b": 0.3, "d11": 0.2, "d12": -0.1, "d22": 3}},
		"sharp-flat":   {nil, {"sharpness": 1}, {"sharpness": 200, "c": 0.3, "eps": 0.02}, {"iso": 1}, {"iso": 0.4, "c": 2, "eps": 0}},
	}
	var cases []closedFormCase
	for _, l := range Landscapes() {
		form, ok := forms[l.Name]
		if !ok {
			t.Errorf("landscape %q has no closed form in the tests", l.Name)
			continue
		}
		for _, set := range sets[l.Name] {
			p := make(map[string]float64)
			for _, q := range l.Params {
				p[q.Name] = q.Default
			}
			for k, v := range set {
				p[k] = v
			}
			cases = append(cases, closedFormCase{name: l.Name, set: set, eval: form(p)})
		}
	}
	if len(cases) < 2*len(builtinNames) {
		t.Fatalf("%d closed-form cases, want at least two per built-in landscape", len(cases))
	}
	return cases
}

// probePoints returns the points at which the closed forms are checked:
// a 7 x 7 grid over the box, corners and axes included, and 49 points of
// the additive recurrence with the golden ratio, which avoid the axes and
// the symmetry lines where terms vanish.
func probePoints(b Box) [][]float64 {
	pts := boxGrid(b, 7)
	const g1, g2 = 0.6180339887498949, 0.7548776662466927
	for k := 1; k <= 49; k++ {
		u, v := math.Mod(float64(k)*g1, 1), math.Mod(float64(k)*g2, 1)
		pts = append(pts, []float64{b.Min[0] + u*(b.Max[0]-b.Min[0]), b.Min[1] + v*(b.Max[1]-b.Min[1])})
	}
	return pts
}

// roundOff is the tolerance for two evaluations of one formula whose terms
// add up to mag in absolute value: 8 eps mag. The worst seen over the
// probe points is 0.5 eps mag; 8 eps leaves room for fused multiply-adds
// on other architectures and is still 1e-15 relative, where a wrong term
// shows at O(1).
func roundOff(mag float64) float64 { return 8 * 0x1p-52 * mag }

// caseModel builds the model of a closed-form case.
func caseModel(t *testing.T, c closedFormCase) Model {
	t.Helper()
	m, err := New(c.name, c.set)
	if err != nil {
		t.Fatalf("New(%q, %v): %v", c.name, c.set, err)
	}
	return m
}

// TestLossClosedForm checks Loss and Grad of every built-in landscape, at
// its defaults and at other parameters, against the formulas of its doc
// comment written out in the test (closedFormCases), to round-off:
// 16 eps times the sum of the magnitudes of the terms.
func TestLossClosedForm(t *testing.T) {
	for _, c := range closedFormCases(t) {
		m := caseModel(t, c)
		if (m.Loss != nil) != c.eval(0, 0).hasLoss || (m.Grad != nil) != c.eval(0, 0).hasLoss {
			t.Errorf("%s %v: Loss set %v, Grad set %v; want both %v", c.name, c.set, m.Loss != nil, m.Grad != nil, c.eval(0, 0).hasLoss)
			continue
		}
		if m.Loss == nil {
			continue
		}
		g := make([]float64, 2)
		for _, x := range probePoints(m.Box) {
			want := c.eval(x[0], x[1])
			if f := m.Loss(x); math.Abs(f-want.f) > roundOff(want.fMag) {
				t.Errorf("%s %v: f%v = %.17g, closed form %.17g", c.name, c.set, x, f, want.f)
			}
			m.Grad(g, x)
			for i := range g {
				if math.Abs(g[i]-want.grad[i]) > roundOff(want.gMag) {
					t.Errorf("%s %v: (grad f)_%d%v = %.17g, closed form %.17g", c.name, c.set, i+1, x, g[i], want.grad[i])
				}
			}
		}
	}
}

// TestFastPaths checks the scalar fast paths Drift2 and Diffusion2 and the
// slice methods Drift, Diffusion and DivDiffusion, each on its own, against
// the closed forms of every built-in landscape at its defaults and at other
// parameters (closedFormCases): b to round-off (16 eps times the sum of
// the magnitudes of its terms), D and div D likewise (they are at most
// quadratic: exact but for the rounding of 1 + s x^2).
func TestFastPaths(t *testing.T) {
	for _, c := range closedFormCases(t) {
		m := caseModel(t, c)
		if m.Dim != 2 || m.Drift2 == nil || m.Diffusion2 == nil || m.DivDiffusion == nil {
			t.Errorf("%s %v: dimension %d, Drift2, Diffusion2 or DivDiffusion unset", c.name, c.set, m.Dim)
			continue
		}
		b, D, div := make([]float64, 2), make([]float64, 4), make([]float64, 2)
		for _, x := range probePoints(m.Box) {
			want := c.eval(x[0], x[1])
			bTol := roundOff(want.gMag)
			dTol := roundOff(math.Abs(want.d[0]) + math.Abs(want.d[1]) + math.Abs(want.d[2]))
			if want.dMag != 0 {
				dTol = roundOff(want.dMag)
			}
			divTol := roundOff(math.Abs(want.div[0]) + math.Abs(want.div[1]))
			if want.divMag != 0 {
				divTol = roundOff(want.divMag)
			}
			bx, by := m.Drift2(x[0], x[1])
			m.Drift(b, x)
			for i, got := range [][2]float64{{bx, by}, {b[0], b[1]}} {
				if math.Abs(got[0]-want.b[0]) > bTol || math.Abs(got[1]-want.b[1]) > bTol {
					t.Errorf("%s %v: %s%v = %.17g, closed form %.17g", c.name, c.set, [2]string{"Drift2", "Drift"}[i], x, got, want.b)
				}
			}
			dxx, dxy, dyy := m.Diffusion2(x[0], x[1])
			m.Diffusion(D, x)
			for i, got := range [][4]float64{{dxx, dxy, dxy, dyy}, {D[0], D[1], D[2], D[3]}} {
				w := [4]float64{want.d[0], want.d[1], want.d[1], want.d[2]}
				for k := range w {
					if math.Abs(got[k]-w[k]) > dTol {
						t.Errorf("%s %v: %s%v = %.17g, closed form %.17g", c.name, c.set, [2]string{"Diffusion2", "Diffusion"}[i], x, got, w)
						break
					}
				}
			}
			m.DivDiffusion(div, x)
			if math.Abs(div[0]-want.div[0]) > divTol || math.Abs(div[1]-want.div[1]) > divTol {
				t.Errorf("%s %v: div D%v = %.17g, closed form %.17g", c.name, c.set, x, div, want.div)
			}
		}
	}
}

// fdGrad returns the central differences of loss at x, with the actual
// steps (x + h) - (x - h) after rounding, and a bound on their error:
//
//   - truncation h^2 |f”'(xi)| / 6, xi within h of x, with f”' estimated
//     by the five-point stencil (f(x+2H) - 2 f(x+H) + 2 f(x-H) - f(x-2H)) / (2 H^3)
//     at H = 1e-2, doubled, plus twice the change of that estimate from H
//     to 2H (which bounds the stencil's own O(H^2) error);
//   - round-off: each value of f is off by at most roundOff(fMag), so the
//     difference quotient by roundOff(fMag) / h.
//
// With h = 1e-4 both are near 1e-9 relative to the scale of f, far below
// the error of any wrong term.
func fdGrad(loss func([]float64) float64, x []float64, fMag float64) (fd, tol [2]float64) {
	const h, H = 1e-4, 1e-2
	at := func(i int, s float64) float64 {
		y := []float64{x[0], x[1]}
		y[i] += s
		return loss(y)
	}
	f3 := func(i int, H float64) float64 {
		return (at(i, 2*H) - 2*at(i, H) + 2*at(i, -H) - at(i, -2*H)) / (2 * H * H * H)
	}
	for i := range fd {
		xp, xm := x[i]+h, x[i]-h
		fd[i] = (at(i, h) - at(i, -h)) / (xp - xm)
		a, b := f3(i, H), f3(i, 2*H)
		tol[i] = h*h/6*(2*math.Abs(a)+2*math.Abs(b-a)) + roundOff(fMag)/h
	}
	return fd, tol
}

// TestGradFD compares Grad with central differences of Loss (fdGrad, with
// its error bound as the tolerance), for every built-in landscape with a
// loss, at its defaults and at other parameters.
func TestGradFD(t *testing.T) {
	checked := 0
	for _, c := range closedFormCases(t) {
		m := caseModel(t, c)
		if m.Loss == nil || m.Grad == nil {
			continue
		}
		g := make([]float64, 2)
		for _, x := range probePoints(m.Box) {
			m.Grad(g, x)
			fd, tol := fdGrad(m.Loss, x, c.eval(x[0], x[1]).fMag)
			for i := range g {
				if math.Abs(g[i]-fd[i]) > tol[i] {
					t.Errorf("%s %v: d f/d x_%d at %v: Grad %.12g, finite difference %.12g (tolerance %.2g)", c.name, c.set, i+1, x, g[i], fd[i], tol[i])
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no landscape with a loss was checked")
	}
}

// TestDriftIsMinusGrad checks b = -grad f for every built-in landscape with
// a loss, at its defaults and at other parameters: Drift and Drift2 each
// against central differences of Loss (fdGrad, with its error bound as
// the tolerance), which share no code with the drift. Models with a loss
// must say so with GradientDrift, and paper-fig4, whose drift is not a
// gradient, must not.
func TestDriftIsMinusGrad(t *testing.T) {
	checked := 0
	for _, c := range closedFormCases(t) {
		m := caseModel(t, c)
		if (m.Loss != nil) != m.GradientDrift {
			t.Errorf("%s %v: has a loss %v but GradientDrift %v", c.name, c.set, m.Loss != nil, m.GradientDrift)
		}
		if m.Loss == nil {
			continue
		}
		b := make([]float64, 2)
		for _, x := range probePoints(m.Box) {
			fd, tol := fdGrad(m.Loss, x, c.eval(x[0], x[1]).fMag)
			m.Drift(b, x)
			bx, by := m.Drift2(x[0], x[1])
			for i, got := range [][2]float64{{b[0], b[1]}, {bx, by}} {
				for k := range got {
					if math.Abs(got[k]+fd[k]) > tol[k] {
						t.Errorf("%s %v: %s at %v: b_%d = %.12g, -d f/d x_%d by finite differences %.12g (tolerance %.2g)",
							c.name, c.set, [2]string{"Drift", "Drift2"}[i], x, k+1, got[k], k+1, -fd[k], tol[k])
					}
				}
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no landscape with a loss was checked")
	}
}

// TestDivDiffusionFD compares DivDiffusion with central differences of
// Diffusion for every built-in landscape at its defaults and at other
// parameters. Most built-in D are polynomials of degree at most 2, for
// which the central difference over the actual (rounded) step is exact;
// what remains is round-off: each entry of D is off by at most 2 ulps
// (1 + s x^2), so each quotient by 4 eps max|D| / (2h), summed over j.
// For the others (sharp-flat) the truncation error h^2 |d^3 D/dx_j^3| / 6
// is added, the third derivative estimated as in fdGrad (the five-point
// stencil at H = 1e-2, doubled, plus twice its change from H to 2H); for
// the polynomials that estimate is round-off, below 1e-20.
func TestDivDiffusionFD(t *testing.T) {
	const h, H = 1e-5, 1e-2
	for _, c := range closedFormCases(t) {
		m := caseModel(t, c)
		if m.DivDiffusion == nil {
			t.Errorf("%s %v: DivDiffusion not set", c.name, c.set)
			continue
		}
		const d = 2
		div := make([]float64, d)
		dp, dm := make([]float64, d*d), make([]float64, d*d)
		// entry returns D_ij at x + s e_j.
		entry := func(x []float64, i, j int, s float64) float64 {
			y := append([]float64(nil), x...)
			y[j] += s
			m.Diffusion(dp, y)
			return dp[i*d+j]
		}
		f3 := func(x []float64, i, j int, H float64) float64 {
			return (entry(x, i, j, 2*H) - 2*entry(x, i, j, H) + 2*entry(x, i, j, -H) - entry(x, i, j, -2*H)) / (2 * H * H * H)
		}
		for _, x := range probePoints(m.Box) {
			m.DivDiffusion(div, x)
			for i := 0; i < d; i++ {
				fd, tol := 0.0, 0.0
				for j := 0; j < d; j++ {
					a, b := f3(x, i, j, H), f3(x, i, j, 2*H)
					tol += h * h / 6 * (2*math.Abs(a) + 2*math.Abs(b-a))
					xp := append([]float64(nil), x...)
					xm := append([]float64(nil), x...)
					xp[j] += h
					xm[j] -= h
					m.Diffusion(dp, xp)
					m.Diffusion(dm, xm)
					fd += (dp[i*d+j] - dm[i*d+j]) / (xp[j] - xm[j])
					scale := math.Max(math.Max(math.Abs(dp[i*d+j]), math.Abs(dm[i*d+j])), 1)
					tol += 4 * 0x1p-52 * scale / (xp[j] - xm[j])
				}
				if math.Abs(div[i]-fd) > tol {
					t.Errorf("%s %v: (div D)_%d at %v = %.12g, finite difference %.12g (tolerance %.2g)", c.name, c.set, i+1, x, div[i], fd, tol)
				}
			}
		}
	}
}

// TestDiffusionPSD checks that D is symmetric positive semi-definite on a
// 21 x 21 grid over each default box, and that the box is non-degenerate.
func TestDiffusionPSD(t *testing.T) {
	for _, m := range builtinDefaults(t) {
		if len(m.Box.Min) != m.Dim {
			t.Errorf("%s: box %v has the wrong dimension", m.Name, m.Box)
			continue
		}
		for i := range m.Box.Min {
			if !(m.Box.Min[i] < m.Box.Max[i]) {
				t.Errorf("%s: empty box %v", m.Name, m.Box)
			}
		}
		for _, x := range boxGrid(m.Box, 21) {
			if err := m.CheckDiffusion(x); err != nil {
				t.Errorf("%s: %v", m.Name, err)
				break
			}
		}
	}
}

// TestNoAllocs checks that the hot functions of the built-in models do not
// allocate.
func TestNoAllocs(t *testing.T) {
	for _, name := range builtinNames {
		m, err := New(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		x, b, D := []float64{0.3, -0.7}, make([]float64, 2), make([]float64, 4)
		n := testing.AllocsPerRun(100, func() {
			m.Drift(b, x)
			m.Diffusion(D, x)
			m.DivDiffusion(b, x)
			m.Drift2(x[0], x[1])
			m.Diffusion2(x[0], x[1])
			if m.Grad != nil {
				m.Grad(b, x)
				m.Loss(x)
			}
		})
		if n != 0 {
			t.Errorf("%s: %v allocations per evaluation, want 0", name, n)
		}
	}
}

// newton2 finds a zero of the 2-D field b by Newton's method with a
// central-difference Jacobian (step 1e-6, relative error ~1e-10, which keeps
// the convergence superlinear). It reports whether |b| < 1e-10 at the end.
func newton2(b func(x, y float64) (float64, float64), x, y float64) (float64, float64, bool) {
	const h = 1e-6
	for it := 0; it < 100; it++ {
		fx, fy := b(x, y)
		if math.IsNaN(fx) || math.IsNaN(fy) || math.Abs(x)+math.Abs(y) > 1e6 {
			return x, y, false
		}
		j11, j21 := fdJacCol(b, x, y, h, 0)
		j12, j22 := fdJacCol(b, x, y, h, 1)
		det := j11*j22 - j12*j21
		if det == 0 {
			return x, y, false
		}
		dx := (j22*fx - j12*fy) / det
		dy := (-j21*fx + j11*fy) / det
		x, y = x-dx, y-dy
		if math.Abs(dx)+math.Abs(dy) < 1e-15*(1+math.Abs(x)+math.Abs(y)) {
			break
		}
	}
	fx, fy := b(x, y)
	return x, y, math.Hypot(fx, fy) < 1e-10
}

// fdJacCol returns column k of the Jacobian of b at (x, y) by central
// differences.
func fdJacCol(b func(x, y float64) (float64, float64), x, y, h float64, k int) (float64, float64) {
	var px, py, mx, my float64
	if k == 0 {
		px, py = b(x+h, y)
		mx, my = b(x-h, y)
	} else {
		px, py = b(x, y+h)
		mx, my = b(x, y-h)
	}
	return (px - mx) / (2 * h), (py - my) / (2 * h)
}

// TestMinimaInBox refines the known minima of each default landscape (for
// paper-fig4, the stable zeros of the drift) with Newton's method on the
// drift and checks that each is a stable zero and lies inside the default
// box.
func TestMinimaInBox(t *testing.T) {
	minima := map[string][][2]float64{
		"quadratic":    {{0, 0}},
		"gyrator":      {{0, 0}},
		"double-well":  {{1, 0}, {-1, 0}},
		"paper-fig4":   {{0.9024, 0.3888}, {-0.9024, -0.3888}},
		"muller-brown": {{-0.558, 1.442}, {0.623, 0.028}, {-0.050, 0.467}},
		"three-hole":   {{1.05, -0.04}, {-1.05, -0.04}, {0, 1.54}},
		"rosenbrock":   {{1, 1}},
		"sharp-flat":   {{-1, 0}, {1, 0}},
	}
	for _, name := range builtinNames {
		m, err := New(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		seeds, ok := minima[name]
		if !ok {
			t.Errorf("%s: no minima listed", name)
			continue
		}
		for _, s := range seeds {
			x, y, ok := newton2(m.Drift2, s[0], s[1])
			if !ok || math.Hypot(x-s[0], y-s[1]) > 0.02 {
				t.Errorf("%s: no zero of the drift near %v (Newton ended at (%g, %g), converged %v)", name, s, x, y, ok)
				continue
			}
			j11, j21 := fdJacCol(m.Drift2, x, y, 1e-6, 0)
			j12, j22 := fdJacCol(m.Drift2, x, y, 1e-6, 1)
			if !(j11+j22 < 0 && j11*j22-j12*j21 > 0) {
				t.Errorf("%s: zero (%g, %g) of the drift is not stable (Jacobian [[%g, %g], [%g, %g]])", name, x, y, j11, j12, j21, j22)
			}
			if !m.Box.Contains([]float64{x, y}) {
				t.Errorf("%s: minimum (%g, %g) outside the default box %v", name, x, y, m.Box)
			}
		}
	}
}

// TestMullerBrownConstants checks the standard constants through the
// literature values of the unscaled potential at its minima (Müller & Brown
// 1979: -146.70, -108.17, -80.77, quoted to 0.01, so correct to half of
// that: 0.005).
func TestMullerBrownConstants(t *testing.T) {
	mb := MullerBrown{Scale: 1}
	for _, c := range []struct{ x, y, v float64 }{
		{-0.558, 1.442, -146.70},
		{0.623, 0.028, -108.17},
		{-0.050, 0.467, -80.77},
	} {
		x, y, ok := newton2(mb.Drift2, c.x, c.y)
		if !ok {
			t.Fatalf("no minimum near (%g, %g)", c.x, c.y)
		}
		if v := mb.Loss([]float64{x, y}); math.Abs(v-c.v) > 0.005 {
			t.Errorf("V(%.4f, %.4f) = %.4f, want %.2f", x, y, v, c.v)
		}
	}
}

// TestPaperFig4Zeros checks validation case 8: the zeros of the drift of
// Example 19 at lambda = 0, 0.5 and 1.5. Zeros are found by Newton's method
// from nearby points; at lambda = 1.5 Newton is started from a 15 x 15 grid
// over the box and every start that converges must reach the origin.
func TestPaperFig4Zeros(t *testing.T) {
	for _, c := range []struct {
		lambda float64
		zeros  [][2]float64
	}{
		{0, [][2]float64{{1, 0}, {-1, 0}, {0, 0}}},
		{0.5, [][2]float64{{0.9024, 0.3888}, {-0.9024, -0.3888}, {0, 0}}},
	} {
		p := PaperFig4{Lambda: c.lambda}
		for _, z := range c.zeros {
			// Start 0.05 off in both coordinates.
			x, y, ok := newton2(p.Drift2, z[0]+0.05, z[1]-0.05)
			// The reference values are quoted to 4 decimals, so correct
			// to 5e-5.
			if !ok || math.Abs(x-z[0]) > 5e-5 || math.Abs(y-z[1]) > 5e-5 {
				t.Errorf("lambda = %g: zero near %v: Newton gave (%.6f, %.6f), converged %v", c.lambda, z, x, y, ok)
			}
		}
	}

	p := PaperFig4{Lambda: 1.5}
	converged := 0
	for _, s := range boxGrid(p.Box(), 15) {
		x, y, ok := newton2(p.Drift2, s[0], s[1])
		if !ok {
			continue
		}
		converged++
		if math.Hypot(x, y) > 1e-8 {
			t.Errorf("lambda = 1.5: drift has a zero at (%g, %g) (started from %v); want only (0, 0)", x, y, s)
		}
	}
	if converged == 0 {
		t.Error("lambda = 1.5: Newton never converged; the zero at the origin was not found")
	}
}

// TestPaperFig4Stationary checks that rho = exp(-Phi0) is stationary at T = 1
// (the defining property of Example 19), by evaluating the Fokker–Planck
// residual -div(b rho) + Laplacian rho with finite differences, and that it is
// not stationary at T = 0.5 (so the check has teeth).
//
// Tolerance: the divergence uses central differences with step h1 and the
// Laplacian the 5-point stencil with step h2, both second order, so the
// residual of the exact stationary density is R(h) = c h^2 + O(h^4) and
// R(2h) - R(h) = 3 c h^2: at each point |R(h)| must be at most half of
// |R(2h) - R(h)| (a third, with room for the O(h^4) terms), plus the
// round-off of the Laplacian, 8 eps max rho / h2^2 = 1.8e-9 at h2 = 1e-3,
// doubled. A wrong drift leaves an O(lambda) residual that does not
// change with h and fails this at once.
func TestPaperFig4Stationary(t *testing.T) {
	const h1, h2 = 1e-4, 1e-3
	const roundOffLap = 2 * 8 * 0x1p-52 / (h2 * h2)
	for _, lambda := range []float64{0.5, 1.5, -2} {
		p := PaperFig4{Lambda: lambda}
		residual := func(T, x, y, h1, h2 float64) float64 {
			rho := func(x, y float64) float64 { return math.Exp(-p.Phi0(x, y) / T) }
			flux := func(x, y float64) (float64, float64) {
				bx, by := p.Drift2(x, y)
				r := rho(x, y)
				return bx * r, by * r
			}
			fxp, _ := flux(x+h1, y)
			fxm, _ := flux(x-h1, y)
			_, fyp := flux(x, y+h1)
			_, fym := flux(x, y-h1)
			div := (fxp-fxm)/(2*h1) + (fyp-fym)/(2*h1)
			lap := (rho(x+h2, y) + rho(x-h2, y) + rho(x, y+h2) + rho(x, y-h2) - 4*rho(x, y)) / (h2 * h2)
			return -div + T*lap
		}
		worstHot := 0.0
		for _, x := range boxGrid(NewBox(-2, 2, -2, 2), 17) {
			r1 := residual(1, x[0], x[1], h1, h2)
			r2 := residual(1, x[0], x[1], 2*h1, 2*h2)
			if tol := 0.5*math.Abs(r2-r1) + roundOffLap; math.Abs(r1) > tol {
				t.Errorf("lambda = %g: exp(-Phi0) is not stationary at T = 1 at %v: residual %.3g with steps (%g, %g), %.3g with twice those (tolerance %.3g)",
					lambda, x, r1, h1, h2, r2, tol)
			}
			worstHot = math.Max(worstHot, math.Abs(residual(0.5, x[0], x[1], h1, h2)))
		}
		if worstHot < 1e-2 {
			t.Errorf("lambda = %g: exp(-Phi0/T) looks stationary at T = 0.5 too (max |residual| = %g): the check is blind", lambda, worstHot)
		}
	}
}

func TestPaperFig4NoLoss(t *testing.T) {
	m, err := New("paper-fig4", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Loss != nil || m.Grad != nil {
		t.Error("paper-fig4 must not have a loss: its drift is not a gradient")
	}
	if _, err := Gibbs(m, 1); err == nil {
		t.Error("Gibbs(paper-fig4) succeeded; want an error, the model has no loss")
	}
}

// lyapunovGonum solves A S + S A^T = 2 T D by the Kronecker form
// (I (x) A + A (x) I) vec(S) = vec(2 T D), independently of Covariance.
func lyapunovGonum(t *testing.T, A, D *mat.Dense, T float64) *mat.Dense {
	t.Helper()
	I := mat.NewDiagDense(2, []float64{1, 1})
	var k1, k2, K mat.Dense
	k1.Kronecker(I, A)
	k2.Kronecker(A, I)
	K.Add(&k1, &k2)
	rhs := mat.NewVecDense(4, nil)
	for i := 0; i < 2; i++ {
		for j := 0; j < 2; j++ {
			// vec stacks columns: element (i, j) goes to j*2 + i.
			rhs.SetVec(j*2+i, 2*T*D.At(i, j))
		}
	}
	var s mat.VecDense
	if err := s.SolveVec(&K, rhs); err != nil {
		t.Fatalf("Kronecker solve: %v", err)
	}
	S := mat.NewDense(2, 2, nil)
	for i := 0; i < 2; i++ {
		for j := 0; j < 2; j++ {
			S.Set(i, j, s.AtVec(j*2+i))
		}
	}
	return S
}

// TestGyratorCovariance checks validation case 6: for the gyrator defaults
// at T = 0.5, Sigma = [[0.5, 0.16], [0.16, 0.125]] (exact rationals, so to
// round-off, 1e-12), both from Covariance and from an independent gonum
// solve; the quadratic defaults commute (A D = D A) and give Sigma = T A^-1;
// both default boxes are at least 8 standard deviations wide.
func TestGyratorCovariance(t *testing.T) {
	const T = 0.5
	for _, c := range []struct {
		name string
		want [3]float64
	}{
		{"gyrator", [3]float64{0.5, 0.16, 0.125}},
		{"quadratic", [3]float64{0.5, 0, 0.125}},
	} {
		m, err := New(c.name, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := m.Params
		q := Quadratic{
			A11: p["a11"], A12: p["a12"], A22: p["a22"],
			ConstDiffusion: ConstDiffusion{D11: p["d11"], D12: p["d12"], D22: p["d22"]},
		}
		s11, s12, s22, err := q.Covariance(T)
		if err != nil {
			t.Fatal(err)
		}
		got := [3]float64{s11, s12, s22}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-12 {
				t.Errorf("%s: Sigma = %v, want %v", c.name, got, c.want)
				break
			}
		}
		A := mat.NewDense(2, 2, []float64{q.A11, q.A12, q.A12, q.A22})
		D := mat.NewDense(2, 2, []float64{q.D11, q.D12, q.D12, q.D22})
		S := lyapunovGonum(t, A, D, T)
		if !mat.EqualApprox(S, mat.NewDense(2, 2, []float64{s11, s12, s12, s22}), 1e-12) {
			t.Errorf("%s: Covariance %v, gonum Kronecker solve %v", c.name, got, mat.Formatted(S))
		}
		for i, s := range []float64{s11, s22} {
			if w := m.Box.Max[i] - m.Box.Min[i]; w < 8*math.Sqrt(s) {
				t.Errorf("%s: box width %g along x_%d is less than 8 standard deviations (%g)", c.name, w, i+1, 8*math.Sqrt(s))
			}
		}
	}
}

// TestCovarianceGeneral checks Covariance against the gonum solve for a
// non-diagonal A and D (residual to round-off), and its error for an
// indefinite A.
func TestCovarianceGeneral(t *testing.T) {
	q := Quadratic{A11: 2, A12: -0.7, A22: 1.3, ConstDiffusion: ConstDiffusion{D11: 0.4, D12: 0.25, D22: 1.7}}
	s11, s12, s22, err := q.Covariance(0.8)
	if err != nil {
		t.Fatal(err)
	}
	A := mat.NewDense(2, 2, []float64{q.A11, q.A12, q.A12, q.A22})
	D := mat.NewDense(2, 2, []float64{q.D11, q.D12, q.D12, q.D22})
	S := lyapunovGonum(t, A, D, 0.8)
	if !mat.EqualApprox(S, mat.NewDense(2, 2, []float64{s11, s12, s12, s22}), 1e-12) {
		t.Errorf("Covariance (%g, %g, %g), gonum %v", s11, s12, s22, mat.Formatted(S))
	}
	if _, _, _, err := (Quadratic{A11: 1, A12: 2, A22: 1, ConstDiffusion: ConstDiffusion{D11: 1, D22: 1}}).Covariance(1); err == nil {
		t.Error("Covariance of an indefinite A succeeded")
	}
}

// TestDoubleWellBenchmark checks that the default double well is the
// benchmark model of bench/numpy_em.py: f = (x^2 - 1)^2/4 + y^2/2,
// D = [[1 + 0.5 x^2, 0.3], [0.3, 1 + 0.5 y^2]].
func TestDoubleWellBenchmark(t *testing.T) {
	m, err := New("double-well", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range boxGrid(m.Box, 5) {
		bx, by := m.Drift2(x[0], x[1])
		dxx, dxy, dyy := m.Diffusion2(x[0], x[1])
		gx, gy := x[0]*(x[0]*x[0]-1.0), x[1]
		a, c, d := 1.0+0.5*x[0]*x[0], 0.3, 1.0+0.5*x[1]*x[1]
		if !near(bx, -gx, 1e-15) || !near(by, -gy, 1e-15) || dxx != a || dxy != c || dyy != d {
			t.Errorf("at %v: b = (%g, %g), D = (%g, %g, %g); want b = (%g, %g), D = (%g, %g, %g)",
				x, bx, by, dxx, dxy, dyy, -gx, -gy, a, c, d)
		}
	}
	for noise, want := range map[float64][3]float64{0: {1, 0, 1}, 1: {1, 0.3, 1}} {
		m, err := New("double-well", map[string]float64{"noise": noise})
		if err != nil {
			t.Fatal(err)
		}
		if a, b, c := m.Diffusion2(2, -1); [3]float64{a, b, c} != want {
			t.Errorf("noise %g: D(2, -1) = (%g, %g, %g), want %v", noise, a, b, c, want)
		}
	}
}

// TestModelFields checks that the Model methods of the types, used directly
// without the registry, fill every field and validate.
func TestModelFields(t *testing.T) {
	for _, m := range []Model{
		Quadratic{A11: 1, A22: 4, ConstDiffusion: ConstDiffusion{D11: 1, D12: 0.8, D22: 1}}.Model(),
		DoubleWell{}.Model(),
		DoubleWell{Noise: DoubleWellStateDependent, C: 0.3, S: 0.5}.Model(),
		PaperFig4{Lambda: 0.5}.Model(),
		MullerBrown{Scale: 0.01, ConstDiffusion: ConstDiffusion{D11: 1, D22: 1}}.Model(),
		ThreeHole{ConstDiffusion: ConstDiffusion{D11: 1, D22: 1}}.Model(),
		Rosenbrock{A: 1, B: 10, ConstDiffusion: ConstDiffusion{D11: 1, D22: 1}}.Model(),
		SharpFlat{Sharpness: 10, C: 1, Eps: 0.1}.Model(),
	} {
		if err := m.Validate(); err != nil {
			t.Error(err)
		}
		if m.Name == "" || m.Formula == "" || m.Params == nil || m.Dim != 2 || m.Drift == nil || m.Diffusion == nil ||
			m.DivDiffusion == nil || m.Drift2 == nil || m.Diffusion2 == nil || len(m.Box.Min) != 2 {
			t.Errorf("%s: a field is unset: %+v", m.Name, m)
		}
		if (m.Loss == nil) != (m.Name == "paper-fig4") || (m.Grad == nil) != (m.Name == "paper-fig4") {
			t.Errorf("%s: Loss/Grad set = %v/%v", m.Name, m.Loss != nil, m.Grad != nil)
		}
		if _, ok := Lookup(m.Name); !ok {
			t.Errorf("Model().Name %q is not a registered landscape", m.Name)
		}
	}
}

func TestNewErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		set    map[string]float64
		want   string // substring of the error
		notPSD bool   // errors.Is(err, ErrNotPSD)
	}{
		{"no-such-landscape", nil, "unknown landscape", false},
		{"gyrator", map[string]float64{"temperature": 1}, `no parameter "temperature"`, false},
		{"double-well", map[string]float64{"lambda": 1}, `no parameter "lambda"`, false},
		{"double-well", map[string]float64{"noise": 3}, "noise = 3", false},
		{"double-well", map[string]float64{"noise": 0.5}, "noise = 0.5", false},
		{"double-well", map[string]float64{"c": 1.5}, "|c| = 1.5", true},
		{"double-well", map[string]float64{"s": -1}, "s = -1", true},
		{"gyrator", map[string]float64{"d12": 2}, "D = [[1, 2], [2, 1]]", true},
		{"muller-brown", map[string]float64{"d11": -1}, "D = [[-1", true},
		{"three-hole", map[string]float64{"d22": math.Inf(1)}, "d22 = +Inf", false},
		{"quadratic", map[string]float64{"a11": math.NaN()}, "a11", false},
		{"rosenbrock", map[string]float64{"b": 0}, "b = 0", false},
		{"paper-fig4", map[string]float64{"lambda": math.NaN()}, "lambda", false},
		{"sharp-flat", map[string]float64{"sharpness": 300}, "sharpness = 300", false},
		{"sharp-flat", map[string]float64{"sharpness": 0.5}, "sharpness = 0.5", false},
		{"sharp-flat", map[string]float64{"iso": 1.5}, "iso = 1.5", false},
		{"sharp-flat", map[string]float64{"c": -1}, "c = -1", true},
		{"sharp-flat", map[string]float64{"c": 0, "eps": 0}, "not both 0", true},
		{"sharp-flat", map[string]float64{"eps": math.Inf(1)}, "finite", false},
	} {
		_, err := New(c.name, c.set)
		if err == nil {
			t.Errorf("New(%q, %v) succeeded, want an error containing %q", c.name, c.set, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%q, %v) = %q, want it to contain %q", c.name, c.set, err, c.want)
		}
		if errors.Is(err, ErrNotPSD) != c.notPSD {
			t.Errorf("New(%q, %v) = %q: errors.Is(err, ErrNotPSD) = %v, want %v", c.name, c.set, err, !c.notPSD, c.notPSD)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("New(%q, %v): error spans several lines: %q", c.name, c.set, err)
		}
	}
}

// TestNewParams checks that New passes parameters through.
func TestNewParams(t *testing.T) {
	m, err := New("rosenbrock", map[string]float64{"a": 2, "b": 5})
	if err != nil {
		t.Fatal(err)
	}
	if m.Params["a"] != 2 || m.Params["b"] != 5 || m.Params["d12"] != 0.5 {
		t.Errorf("Params = %v", m.Params)
	}
	if f := m.Loss([]float64{2, 4}); f != 0 {
		t.Errorf("f(2, 4) = %g, want 0 at the minimum (a, a^2)", f)
	}
	g, err := New("gyrator", map[string]float64{"d12": 0})
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "gyrator" || !strings.Contains(g.Formula, "D = [[1, 0], [0, 1]]") {
		t.Errorf("gyrator with d12 = 0: Name %q, Formula %q", g.Name, g.Formula)
	}
}

func BenchmarkDoubleWellFastPaths(b *testing.B) {
	m, err := New("double-well", nil)
	if err != nil {
		b.Fatal(err)
	}
	x, y, s := 0.3, -0.2, 0.0
	for i := 0; i < b.N; i++ {
		bx, by := m.Drift2(x, y)
		dxx, dxy, dyy := m.Diffusion2(x, y)
		s += bx + by + dxx + dxy + dyy
	}
	if math.IsNaN(s) {
		b.Fatal(s)
	}
}

// TestDoubleWellFastPaths checks that the model's Drift2 and Diffusion2,
// specialised to each noise, return bit for bit the methods' values.
func TestDoubleWellFastPaths(t *testing.T) {
	for _, w := range []DoubleWell{
		{}, {Noise: DoubleWellConstant, C: 0.4}, {Noise: DoubleWellStateDependent, C: 0.3, S: 0.5},
		{Noise: DoubleWellStateDependent, C: -0.9, S: 2},
	} {
		m := w.Model()
		for _, p := range [][2]float64{{0, 0}, {1, -0.5}, {-2.3, 1.7}, {1e3, -1e-3}} {
			bx, by := m.Drift2(p[0], p[1])
			wx, wy := w.Drift2(p[0], p[1])
			a, b, c := m.Diffusion2(p[0], p[1])
			wa, wb, wc := w.Diffusion2(p[0], p[1])
			if bx != wx || by != wy || a != wa || b != wb || c != wc {
				t.Errorf("%+v at %v: fast paths (%v, %v), (%v, %v, %v), methods (%v, %v), (%v, %v, %v)",
					w, p, bx, by, a, b, c, wx, wy, wa, wb, wc)
			}
		}
	}
}
