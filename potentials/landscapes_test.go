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
var builtinNames = []string{"quadratic", "gyrator", "double-well", "paper-fig4", "muller-brown", "three-hole", "rosenbrock"}

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

// TestGradFD compares Grad with central differences of Loss.
//
// Tolerance: the central difference with step h has truncation error
// h^2 |f_3| / 6 (f_3 a third derivative) and round-off about eps |f| / h. With h = 1e-5 and, over the
// default boxes, |f| <= ~1e3 and |f_3| <= ~1e3 (Rosenbrock's corner is the
// extreme), both are below ~2e-8, so 1e-6 relative to 1 + |grad f| is safe
// and still catches any wrong term.
func TestGradFD(t *testing.T) {
	const h, tol = 1e-5, 1e-6
	for _, m := range builtinDefaults(t) {
		if m.Loss == nil || m.Grad == nil {
			if (m.Loss == nil) != (m.Grad == nil) {
				t.Errorf("%s: Loss and Grad must be both set or both nil", m.Name)
			}
			continue
		}
		g := make([]float64, 2)
		for _, x := range boxGrid(m.Box, 9) {
			m.Grad(g, x)
			for i := 0; i < m.Dim; i++ {
				xp := append([]float64(nil), x...)
				xm := append([]float64(nil), x...)
				xp[i] += h
				xm[i] -= h
				fd := (m.Loss(xp) - m.Loss(xm)) / (2 * h)
				if !near(g[i], fd, tol) {
					t.Errorf("%s: d f/d x_%d at %v: Grad %.10g, finite difference %.10g", m.Name, i+1, x, g[i], fd)
				}
			}
		}
	}
}

// TestDriftIsMinusGrad checks b = -grad f for every model with a loss (all
// built-in models with a loss are SGD gradient models, and say so with
// GradientDrift). Drift and Grad share one code path, so agreement is to
// round-off.
func TestDriftIsMinusGrad(t *testing.T) {
	for _, m := range builtinDefaults(t) {
		if (m.Grad != nil) != m.GradientDrift {
			t.Errorf("%s: has a loss %v but GradientDrift %v", m.Name, m.Grad != nil, m.GradientDrift)
		}
		if m.Grad == nil {
			continue
		}
		b, g := make([]float64, m.Dim), make([]float64, m.Dim)
		for _, x := range boxGrid(m.Box, 7) {
			m.Drift(b, x)
			m.Grad(g, x)
			for i := range b {
				if !near(b[i], -g[i], 1e-14) {
					t.Errorf("%s at %v: b_%d = %g, -grad f = %g", m.Name, x, i+1, b[i], -g[i])
				}
			}
		}
	}
}

// TestDivDiffusionFD compares DivDiffusion with central differences of
// Diffusion. The built-in D are at most quadratic, for which the central
// difference is exact up to round-off (eps |D| / h ~ 1e-10 with h = 1e-5);
// 1e-7 leaves room for other smooth D (truncation h^2 |D_3| / 6, D_3 a third derivative).
func TestDivDiffusionFD(t *testing.T) {
	const h, tol = 1e-5, 1e-7
	for _, m := range builtinDefaults(t) {
		if m.DivDiffusion == nil {
			t.Errorf("%s: DivDiffusion not set", m.Name)
			continue
		}
		d := m.Dim
		div := make([]float64, d)
		dp, dm := make([]float64, d*d), make([]float64, d*d)
		for _, x := range boxGrid(m.Box, 9) {
			m.DivDiffusion(div, x)
			for i := 0; i < d; i++ {
				fd := 0.0
				for j := 0; j < d; j++ {
					xp := append([]float64(nil), x...)
					xm := append([]float64(nil), x...)
					xp[j] += h
					xm[j] -= h
					m.Diffusion(dp, xp)
					m.Diffusion(dm, xm)
					fd += (dp[i*d+j] - dm[i*d+j]) / (2 * h)
				}
				if !near(div[i], fd, tol) {
					t.Errorf("%s: (div D)_%d at %v = %.10g, finite difference %.10g", m.Name, i+1, x, div[i], fd)
				}
			}
		}
	}
}

// TestFastPaths checks that Drift2 and Diffusion2 agree with Drift and
// Diffusion. The built-in slice methods call the scalar ones, so the values
// agree exactly; the tolerance allows other registered models to compute
// them differently.
func TestFastPaths(t *testing.T) {
	for _, m := range builtinDefaults(t) {
		if m.Dim != 2 {
			continue
		}
		if m.Drift2 == nil || m.Diffusion2 == nil {
			t.Errorf("%s: 2-D model without fast paths", m.Name)
			continue
		}
		b, D := make([]float64, 2), make([]float64, 4)
		for _, x := range boxGrid(m.Box, 11) {
			m.Drift(b, x)
			m.Diffusion(D, x)
			bx, by := m.Drift2(x[0], x[1])
			dxx, dxy, dyy := m.Diffusion2(x[0], x[1])
			want := []float64{b[0], b[1], D[0], D[1], D[2], D[3]}
			got := []float64{bx, by, dxx, dxy, dxy, dyy}
			for k := range want {
				if !near(got[k], want[k], 1e-14) {
					t.Errorf("%s at %v: fast path %v, slice methods %v", m.Name, x, got, want)
					break
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
// 1979: -146.70, -108.17, -80.77, quoted to 0.01).
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
		if v := mb.Loss([]float64{x, y}); math.Abs(v-c.v) > 0.01 {
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
			// The reference values are quoted to 4 decimals: 1e-4.
			if !ok || math.Abs(x-z[0]) > 1e-4 || math.Abs(y-z[1]) > 1e-4 {
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
// Tolerance: the divergence uses central differences with h = 1e-4
// (truncation h^2 |(b rho)_3| / 6 ~ 1e-8, round-off eps / h ~ 1e-12), the
// Laplacian the 5-point stencil with h = 1e-3 (truncation h^2 |rho_4| / 12, rho_4 a fourth derivative
// ~ 1e-7, round-off 8 eps / h^2 ~ 2e-9); 1e-5 is well above both and well
// below the O(lambda) residual of a wrong drift.
func TestPaperFig4Stationary(t *testing.T) {
	for _, lambda := range []float64{0.5, 1.5} {
		p := PaperFig4{Lambda: lambda}
		residual := func(T, x, y float64) float64 {
			rho := func(x, y float64) float64 { return math.Exp(-p.Phi0(x, y) / T) }
			flux := func(x, y float64) (float64, float64) {
				bx, by := p.Drift2(x, y)
				r := rho(x, y)
				return bx * r, by * r
			}
			const h1, h2 = 1e-4, 1e-3
			fxp, _ := flux(x+h1, y)
			fxm, _ := flux(x-h1, y)
			_, fyp := flux(x, y+h1)
			_, fym := flux(x, y-h1)
			div := (fxp-fxm)/(2*h1) + (fyp-fym)/(2*h1)
			lap := (rho(x+h2, y) + rho(x-h2, y) + rho(x, y+h2) + rho(x, y-h2) - 4*rho(x, y)) / (h2 * h2)
			return -div + T*lap
		}
		worst, worstHot := 0.0, 0.0
		for _, x := range boxGrid(NewBox(-2, 2, -2, 2), 17) {
			worst = math.Max(worst, math.Abs(residual(1, x[0], x[1])))
			worstHot = math.Max(worstHot, math.Abs(residual(0.5, x[0], x[1])))
		}
		if worst > 1e-5 {
			t.Errorf("lambda = %g: exp(-Phi0) is not stationary at T = 1: max |residual| = %g", lambda, worst)
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
// benchmark model of shared/bench/numpy_em.py: f = (x^2 - 1)^2/4 + y^2/2,
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
