package fokkerplanck

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// The Fokker–Planck validation cases (the table in the README). Each compares the discrete
// steady state with a closed form on the region rho > 1e-6 max rho:
// the L1 error of rho (against the exact density normalised on the same
// nodes) and the max error of Phi after the best constant shift. Every case
// must show second order, error(h) / error(h/2) >= 3 (the ideal is 4),
// except those the scheme reproduces exactly (cases 1 and 4), which must
// be exact to round-off (checkExact).

// solveCase assembles and solves a model on an n-node-per-axis grid.
func solveCase(t *testing.T, m potentials.Model, T float64, box potentials.Box, n int, periodic bool) (*Operator, *Steady) {
	t.Helper()
	sizes := []int{n}
	if m.Dim == 2 {
		sizes = []int{n, n}
	}
	g, err := NewGrid(box, sizes, periodic)
	if err != nil {
		t.Fatal(err)
	}
	op, err := NewOperator(context.Background(), m, T, g)
	if err != nil {
		t.Fatal(err)
	}
	st, err := op.SteadyState(context.Background(), SteadyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(st.Mass-1) > 1e-12 || !(st.MinRho > 0) {
		t.Fatalf("n = %d: mass %v, min rho %v", n, st.Mass, st.MinRho)
	}
	return op, st
}

// densityErrors returns the L1 error of rho and the max error of Phi (after
// the best constant shift) against the unnormalised exact log-density
// logRho(x), over the region.
func densityErrors(op *Operator, st *Steady, logRho func(x []float64) float64) (l1, phiMax float64) {
	g := op.Grid
	n := g.Len()
	x := make([]float64, g.Dim)
	ex := make([]float64, n)
	lmax := math.Inf(-1)
	for i := 0; i < n; i++ {
		g.Point(x, i)
		ex[i] = logRho(x)
		lmax = math.Max(lmax, ex[i])
	}
	z := 0.0
	for i := range ex {
		z += math.Exp(ex[i]-lmax) * g.CellVolume()
	}
	maxRho := 0.0
	for _, r := range st.Rho {
		maxRho = math.Max(maxRho, r)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := 0; i < n; i++ {
		e := math.Exp(ex[i]-lmax) / z
		l1 += math.Abs(st.Rho[i]-e) * g.CellVolume()
		if st.Rho[i] > RegionFraction*maxRho {
			d := st.Phi[i] + op.T*ex[i]
			lo, hi = math.Min(lo, d), math.Max(hi, d)
		}
	}
	return l1, (hi - lo) / 2
}

// checkOrder asserts second order: error ratios of at least 3 between
// successive grids (the ideal is 4). It cannot pass on errors at round-off
// (their ratios are noise): a case the scheme reproduces exactly is checked
// with checkExact instead.
func checkOrder(t *testing.T, name string, sizes []int, errs []float64) {
	t.Helper()
	checkRatios(t, name, sizes, errs, 3, "second order")
}

// checkRatios asserts error ratios of at least min between successive
// grids (order p: min a little below 2^p).
func checkRatios(t *testing.T, name string, sizes []int, errs []float64, min float64, order string) {
	t.Helper()
	if len(errs) < 2 || len(errs) != len(sizes) {
		t.Fatalf("%s: %d errors for %d grids, want at least two", name, len(errs), len(sizes))
	}
	for k := 1; k < len(errs); k++ {
		r := errs[k-1] / errs[k]
		t.Logf("%s: n %d -> %d: error %.3e -> %.3e, ratio %.2f", name, sizes[k-1], sizes[k], errs[k-1], errs[k], r)
		if !(r >= min) {
			t.Errorf("%s: error ratio %.2f from n = %d to %d, want >= %g (%s)", name, r, sizes[k-1], sizes[k], min, order)
		}
	}
}

// checkExact asserts that a case the scheme reproduces exactly has errors
// at most bound on every grid (bound: the round-off that the solve's
// tolerance allows, stated by the caller).
func checkExact(t *testing.T, name string, sizes []int, errs []float64, bound float64) {
	t.Helper()
	for k, e := range errs {
		if !(e <= bound) {
			t.Errorf("%s: error %.3g at n = %d, want round-off (<= %g): the scheme should be exact here", name, e, sizes[k], bound)
		}
	}
	t.Logf("%s: exact to round-off on every grid (errors %.2g, bound %g)", name, errs, bound)
}

// Round-off bounds of the exact cases. The solve balances every node to
// the relative tolerance 1e-10 (SteadyOptions.Tol), so a scheme that is
// exact for a case reproduces rho (L1) and Phi to about that tolerance:
// measured 5e-12 to 6.5e-11 on case 4 from 32^2 to 128^2 (growing with the
// grid, as the node-wise imbalances add up), hence twice the tolerance. The
// force is then round-off of relative size ~1e-10 and Pi, quadratic in it,
// of size ~1e-20 (measured up to 7e-21); 1e-19 leaves a factor 10 for the
// scale |b|^2 / T of the models.
const (
	exactFieldBound = 2e-10
	exactPiBound    = 1e-19
)

func formula(t *testing.T, f potentials.Formulas) potentials.Model {
	t.Helper()
	m, err := potentials.FromFormulas(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCase1GibbsIsotropic: D = I, b = -grad f gives exp(-f/T) to round-off.
func TestCase1GibbsIsotropic(t *testing.T) {
	m, err := potentials.New("double-well", map[string]float64{"noise": 0})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{33, 100} {
		_, st := solveCase(t, m, 0.5, m.Box, n, false)
		if st.MaxAbsPhiMinusLoss > 1e-10 {
			t.Errorf("n = %d: max |Phi - f| = %.3g, want < 1e-10", n, st.MaxAbsPhiMinusLoss)
		}
		if st.EntropyProduction > 1e-18 {
			t.Errorf("n = %d: entropy production %g, want 0", n, st.EntropyProduction)
		}
	}
}

// TestSteadyCases covers cases 2-5 and 8: equilibrium (J = 0) cases whose
// density is known in closed form, so the box with zero-flux walls is exact,
// and Example 19 of the paper.
func TestSteadyCases(t *testing.T) {
	const T = 0.5
	// Case 2: Phi = int f'/D dx + T log D by Simpson quadrature from 0.
	case2Phi := func(x float64) float64 {
		fp := func(s float64) float64 { return s * (s*s - 1) / (1 + 0.5*math.Sin(2*s)) }
		const k = 2000
		h := x / k
		sum := fp(0) + fp(x)
		for i := 1; i < k; i++ {
			w := 2.0
			if i%2 == 1 {
				w = 4
			}
			sum += w * fp(float64(i)*h)
		}
		return sum*h/3 + T*math.Log(1+0.5*math.Sin(2*x))
	}
	sq := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += v * v
		}
		return s
	}
	for _, tc := range []struct {
		name   string
		model  potentials.Formulas
		T      float64
		box    potentials.Box
		sizes  []int
		logRho func(x []float64) float64
		// exact: the scheme reproduces rho and Phi to round-off (case 4,
		// where the divergence-form drift makes it exact). piExact: the
		// scheme's current vanishes to round-off, so Pi does (cases 2, a
		// 1-D interval with zero-flux walls where J = 0 identically, and 4).
		exact, piExact bool
	}{
		{"case2-1d-state-dependent", potentials.Formulas{Dim: 1, Loss: "(x^2-1)^2/4", Diffusion: "1 + 0.5*sin(2*x)"},
			T, potentials.NewBox(-2.5, 2.5), []int{100, 200, 400},
			func(x []float64) float64 { return -case2Phi(x[0]) / T }, false, true},
		{"case3-isotropic-state-dependent", potentials.Formulas{Dim: 2, Loss: "2*(x^2+y^2)/2", Diffusion: "1 + x^2 + y^2"},
			T, potentials.NewBox(-3, 3, -3, 3), []int{32, 64, 128},
			func(x []float64) float64 { return -(2/(2*T) + 1) * math.Log(1+sq(x)) }, false, false},
		{"case4-rotating-anisotropic", potentials.Formulas{Dim: 2, Loss: "(x^2+y^2)/2", Diffusion: "1 + y^2, -x*y; -x*y, 1 + x^2"},
			T, potentials.NewBox(-5, 5, -5, 5), []int{32, 64, 128},
			func(x []float64) float64 { return -(1/T - 1) * sq(x) / 2 }, true, true},
		{"case5-radial-anisotropic", potentials.Formulas{Dim: 2, Loss: "4*(x^2+y^2)/2", Diffusion: "1 + x^2, x*y; x*y, 1 + y^2"},
			T, potentials.NewBox(-4, 4, -4, 4), []int{32, 64, 128},
			func(x []float64) float64 { return -(4/T + 3) / 2 * math.Log(1+sq(x)) }, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := formula(t, tc.model)
			var l1s, phis, pis []float64
			for _, n := range tc.sizes {
				o, s := solveCase(t, m, tc.T, tc.box, n, false)
				l1, ph := densityErrors(o, s, tc.logRho)
				l1s, phis, pis = append(l1s, l1), append(phis, ph), append(pis, s.EntropyProduction)
			}
			if tc.exact {
				checkExact(t, tc.name+" rho L1", tc.sizes, l1s, exactFieldBound)
				checkExact(t, tc.name+" Phi max", tc.sizes, phis, exactFieldBound)
			} else {
				checkOrder(t, tc.name+" rho L1", tc.sizes, l1s)
				checkOrder(t, tc.name+" Phi max", tc.sizes, phis)
			}
			// Equilibrium: Pi = 0 in the continuum. The grid's force is a
			// second-order error, so Pi, quadratic in it, is fourth order
			// (ratio 16; measured 13.2 to 15.9), unless the current is
			// round-off.
			if tc.piExact {
				checkExact(t, tc.name+" Pi", tc.sizes, pis, exactPiBound)
			} else {
				checkRatios(t, tc.name+" Pi", tc.sizes, pis, 12, "fourth order")
			}
		})
	}
}

// TestCase8PaperExample19: rho = exp(-Phi0)/Z for every lambda at T = 1 and
// J = lambda exp(-r^4/4) (-y, x) / Z.
func TestCase8PaperExample19(t *testing.T) {
	for _, lam := range []float64{0.5, 1.5} {
		t.Run(fmt.Sprint("lambda=", lam), func(t *testing.T) {
			m, err := potentials.New("paper-fig4", map[string]float64{"lambda": lam})
			if err != nil {
				t.Fatal(err)
			}
			// A box where rho and J are negligible at the walls: the walls
			// block the rotating current, a truncation error that does not
			// fall with h (at (3, 0), J ~ exp(-81/4)).
			box := potentials.NewBox(-3, 3, -3, 3)
			phi0 := func(x []float64) float64 {
				return (x[0]*x[0]-1)*(x[0]*x[0]-1)/4 + x[1]*x[1]/2
			}
			sizes := []int{32, 64, 128}
			var l1s, phis, js []float64
			for _, n := range sizes {
				op, st := solveCase(t, m, 1, box, n, false)
				l1, ph := densityErrors(op, st, func(x []float64) float64 { return -phi0(x) })
				// Z on the same nodes.
				g := op.Grid
				x := make([]float64, 2)
				z := 0.0
				for i := 0; i < g.Len(); i++ {
					g.Point(x, i)
					z += math.Exp(-phi0(x)) * g.CellVolume()
				}
				jerr := 0.0
				for i := 0; i < g.Len(); i++ {
					g.Point(x, i)
					r2 := x[0]*x[0] + x[1]*x[1]
					e := lam * math.Exp(-r2*r2/4) / z
					jerr += (math.Abs(st.CurrentX[i]+e*x[1]) + math.Abs(st.CurrentY[i]-e*x[0])) * g.CellVolume()
				}
				l1s, phis, js = append(l1s, l1), append(phis, ph), append(js, jerr)
			}
			checkOrder(t, "rho L1", sizes, l1s)
			checkOrder(t, "Phi max", sizes, phis)
			checkOrder(t, "J L1", sizes, js)
		})
	}
}

// TestCase6Gyrator: f = x^T A x / 2, A = diag(1, 4), D = [[1, .8], [.8, 1]],
// T = 0.5: rho = N(0, Sigma), Phi = (T/2) x^T Sigma^-1 x, j = M x,
// Pi = 3.2, L = -0.48. With D = I (landscape quadratic), Phi = f and j = 0.
func TestCase6Gyrator(t *testing.T) {
	const T = 0.5
	m, err := potentials.New("gyrator", nil)
	if err != nil {
		t.Fatal(err)
	}
	s11, s12, s22 := 0.5, 0.16, 0.125
	det := s11*s22 - s12*s12
	i11, i12, i22 := s22/det, -s12/det, s11/det
	mm := [4]float64{-1.04065040650406504, 3.25203252032520325, -0.81300813008130081, 1.04065040650406504}
	sizes := []int{32, 64, 128}
	var l1s, phis, pis, ls, js []float64
	for _, n := range sizes {
		op, st := solveCase(t, m, T, m.Box, n, false)
		l1, ph := densityErrors(op, st, func(x []float64) float64 {
			return -0.5 * (i11*x[0]*x[0] + 2*i12*x[0]*x[1] + i22*x[1]*x[1])
		})
		g := op.Grid
		x := make([]float64, 2)
		jerr := 0.0
		for i := 0; i < g.Len(); i++ {
			g.Point(x, i)
			jx, jy := mm[0]*x[0]+mm[1]*x[1], mm[2]*x[0]+mm[3]*x[1]
			jerr += (math.Abs(st.ForceX[i]-jx) + math.Abs(st.ForceY[i]-jy)) * st.Rho[i] * g.CellVolume()
		}
		l1s, phis, js = append(l1s, l1), append(phis, ph), append(js, jerr)
		pis = append(pis, math.Abs(st.EntropyProduction-3.2))
		ls = append(ls, math.Abs(st.AngularMomentum+0.48))
		t.Logf("n = %d: Pi = %.6f, L = %.6f", n, st.EntropyProduction, st.AngularMomentum)
	}
	checkOrder(t, "rho L1", sizes, l1s)
	checkOrder(t, "Phi max", sizes, phis)
	checkOrder(t, "j = M x (rho-weighted L1)", sizes, js)
	checkOrder(t, "Pi", sizes, pis)
	checkOrder(t, "L", sizes, ls)
	// At n = 128 the second-order errors are about 0.5% of Pi and 0.2% of L.
	if pis[2] > 0.02 || ls[2] > 1.5e-3 {
		t.Errorf("n = 128: |Pi - 3.2| = %.2g, |L + 0.48| = %.2g", pis[2], ls[2])
	}

	// D = I commutes with A: detailed balance, Phi = f, j = 0.
	q, err := potentials.New("quadratic", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, st := solveCase(t, q, T, q.Box, 64, false)
	if st.MaxAbsPhiMinusLoss > 1e-10 || st.EntropyProduction > 1e-20 || math.Abs(st.AngularMomentum) > 1e-12 {
		t.Errorf("D = I: max |Phi - f| = %.2g, Pi = %.2g, L = %.2g; want 0", st.MaxAbsPhiMinusLoss, st.EntropyProduction, st.AngularMomentum)
	}
}

// TestCase7TiltedPeriodic: U = U0 cos(2 pi x / P) - F x on a periodic
// interval, D = 1: J = T (1 - exp(-F P / T)) / int_0^P exp(-U/T) I dx with
// I(x) = int_x^{x+P} exp(U(y)/T) dy (Stratonovich's formula for the tilted
// washboard; Risken, The Fokker–Planck Equation, Sec. 11.3).
func TestCase7TiltedPeriodic(t *testing.T) {
	const (
		T  = 0.5
		u0 = 0.5
		F  = 1.0
		P  = 1.0
	)
	u := func(x float64) float64 { return u0*math.Cos(2*math.Pi*x/P) - F*x }
	// The outer integrand is periodic, so the rectangle rule converges
	// geometrically; the inner one is not (U has the tilt), so it takes
	// Simpson's rule (error ~ h^4 = 1e-12).
	const q = 1000
	hq := P / q
	den := 0.0
	for i := 0; i < q; i++ {
		x := float64(i) * hq
		in := math.Exp(u(x)/T) + math.Exp(u(x+P)/T)
		for k := 1; k < q; k++ {
			w := 2.0
			if k%2 == 1 {
				w = 4
			}
			in += w * math.Exp(u(x+float64(k)*hq)/T)
		}
		den += math.Exp(-u(x)/T) * in * hq / 3 * hq
	}
	want := T * (1 - math.Exp(-F*P/T)) / den
	m := formula(t, potentials.Formulas{Dim: 1, Loss: "u0*cos(2*pi*x/P) - F*x",
		Params: map[string]float64{"u0": u0, "F": F, "P": P}})
	// rho(x) = C exp(-U(x)/T) I(x), the same integrals at the nodes.
	logRho := func(x []float64) float64 {
		in := math.Exp(u(x[0])/T) + math.Exp(u(x[0]+P)/T)
		for k := 1; k < q; k++ {
			w := 2.0
			if k%2 == 1 {
				w = 4
			}
			in += w * math.Exp(u(x[0]+float64(k)*hq)/T)
		}
		return -u(x[0])/T + math.Log(in)
	}
	sizes := []int{50, 100, 200}
	var errs, l1s, phis []float64
	for _, n := range sizes {
		op, st := solveCase(t, m, T, potentials.NewBox(0, P), n, true)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, j := range st.CurrentX {
			lo, hi = math.Min(lo, j), math.Max(hi, j)
		}
		if hi-lo > 1e-9*math.Abs(want) {
			t.Errorf("n = %d: current not constant: [%g, %g]", n, lo, hi)
		}
		errs = append(errs, math.Abs(lo-want))
		l1, ph := densityErrors(op, st, logRho)
		l1s, phis = append(l1s, l1), append(phis, ph)
		t.Logf("n = %d: J = %.8f, closed form %.8f", n, lo, want)
	}
	checkOrder(t, "J", sizes, errs)
	checkOrder(t, "rho L1", sizes, l1s)
	checkOrder(t, "Phi max", sizes, phis)
}

// TestSchemeSwitchingStencil records why the Symmetric scheme replaced the
// Source scheme of sgdsde's first design (rates from the source node's decomposition):
// on case 5, D = I + x x^T, Selling's stencil switches from node to node and
// the Source scheme's Phi is only first order pointwise (error ratios about
// 2 on halving h, here measured on the same grids), while the Symmetric one
// is second order. Both are second order in the L1 norm of rho.
func TestSchemeSwitchingStencil(t *testing.T) {
	const T = 0.5
	m := formula(t, potentials.Formulas{Dim: 2, Loss: "4*(x^2+y^2)/2", Diffusion: "1 + x^2, x*y; x*y, 1 + y^2"})
	logRho := func(x []float64) float64 { return -(4/T + 3) / 2 * math.Log(1+x[0]*x[0]+x[1]*x[1]) }
	box := potentials.NewBox(-4, 4, -4, 4)
	sizes := []int{32, 64, 128}
	ratio := map[Scheme]float64{}
	for _, sc := range []Scheme{Source, Symmetric} {
		var phis []float64
		for _, n := range sizes {
			g, _ := NewGrid(box, []int{n, n}, false)
			op, err := NewOperatorScheme(context.Background(), m, T, g, sc)
			if err != nil {
				t.Fatal(err)
			}
			st, err := op.SteadyState(context.Background(), SteadyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			_, ph := densityErrors(op, st, logRho)
			phis = append(phis, ph)
		}
		ratio[sc] = phis[1] / phis[2]
		t.Logf("scheme %d: Phi max errors %.3g, last ratio %.2f", sc, phis, ratio[sc])
	}
	if ratio[Symmetric] < 3 || ratio[Source] > 2.8 {
		t.Errorf("Phi error ratios: symmetric %.2f (want >= 3), source %.2f (expected first order)", ratio[Symmetric], ratio[Source])
	}
}
