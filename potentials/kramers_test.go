package potentials

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// quarticWell1D is U = (x^2 - 1)^2: minima ±1 where the second
// derivative is 8, the saddle 0 where it is -4, barrier 1.
var quarticWell1D = Potential{
	Dim:  1,
	U:    func(x []float64) float64 { u := x[0]*x[0] - 1; return u * u },
	Grad: func(dst, x []float64) { dst[0] = 4 * x[0] * (x[0]*x[0] - 1) },
	Hess: func(dst, x []float64) { dst[0] = 12*x[0]*x[0] - 4 },
}

// TestKramers1D checks the Eyring–Kramers formula against the exact
// first-passage time (FirstPassage1D) for the 1-D double well
// U = (x^2 - 1)^2, D = 1, from the minimum -1 to the other minimum +1
// (reflecting at -2.5, where exp(-U/T) is below exp(-140)):
//
//	tau_K = (2 pi / sqrt(U''(-1) |U''(0)|)) exp(1/T) = (2 pi / sqrt(32)) exp(1/T).
//
// The ratio tau / tau_K tends to 1 at the rate O(T): Laplace's method
// applied to the two integrals of the exact formula gives
// tau / tau_K = 1 + c T + O(T^2) with, for each of the minimum and the
// saddle, 5 g3^2 / (24 g2^3) - g4 / (8 g2^2) = 3/16 (g_k the k-th
// derivative of U, resp. -U, there), c = 3/8. Measured (and the same
// from SciPy's quad to 1e-10, potentials/testdata/escape_check.py part 2):
//
//	T       tau                  ratio       (ratio - 1)/T
//	0.2     182.417672985581     1.10660     0.533
//	0.1     25527.0913642924     1.04340     0.434
//	0.05    549661100.352072     1.02000     0.400
//	0.025   2.63975217059275e17  1.00967     0.387
//	0.0125  6.18337116775787e34  1.00476     0.381
//
// The test asserts the exact times to 1e-9 of SciPy's, ratios that fall
// towards 1, and the coefficient: (ratio - 1)/T extrapolated to T = 0 from
// T = 0.025 and 0.0125 (2 g(T/2) - g(T), which cancels the O(T) term of
// g) within 0.002 of 3/8 (it is 0.3747).
func TestKramers1D(t *testing.T) {
	tr, err := FindTransition(quarticWell1D, []float64{-1.3}, []float64{0.8}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkPoint(t, "From", tr.From.X, []float64{-1}, 1e-12)
	checkPoint(t, "Saddle", tr.Saddle.X, []float64{0}, 1e-12)
	k, err := EyringKramers(tr.From, tr.Saddle, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 * math.Pi / math.Sqrt(32); math.Abs(k.Prefactor-want) > 1e-12 || k.Barrier != 1 || k.Lambda != -4 {
		t.Fatalf("Kramers = %+v, want prefactor %.15g, barrier 1, lambda -4", k, want)
	}
	m := model1D(func(x float64) float64 { return -4 * x * (x*x - 1) }, func(float64) float64 { return 1 })
	scipy := map[float64]float64{0.2: 182.417672985581, 0.1: 25527.0913642924, 0.05: 549661100.352072,
		0.025: 2.63975217059275e+17, 0.0125: 6.18337116775787e+34}
	temps := []float64{0.2, 0.1, 0.05, 0.025, 0.0125}
	g := make([]float64, len(temps))
	for i, T := range temps {
		tau := firstPassage(t, m, T, -2.5, 1).At(-1)
		r := tau / k.Time(T)
		g[i] = (r - 1) / T
		t.Logf("T = %-6g tau = %-22.15g Kramers %-22.15g ratio %.6f  (ratio - 1)/T = %.4f", T, tau, k.Time(T), r, g[i])
		if math.Abs(tau-scipy[T]) > 1e-9*scipy[T] {
			t.Errorf("T = %g: tau = %.15g, SciPy %.15g", T, tau, scipy[T])
		}
		if i > 0 && !(r < 1+g[i-1]*temps[i-1] && r > 1) {
			t.Errorf("T = %g: ratio %.6f does not fall towards 1", T, r)
		}
	}
	n := len(temps)
	if c := 2*g[n-1] - g[n-2]; math.Abs(c-0.375) > 0.002 {
		t.Errorf("(ratio - 1)/T extrapolates to %.4f, want 3/8", c)
	} else {
		t.Logf("(ratio - 1)/T extrapolated to T = 0: %.4f (Laplace: 3/8)", c)
	}
}

// wellU2 is U = (x^2 - 1)^2 + y^2 with its gradient and Hessian: minima
// (±1, 0) with Hessian diag(8, 2), the saddle (0, 0) with diag(-4, 2).
var wellU2 = Potential{
	Dim:  2,
	U:    func(x []float64) float64 { u := x[0]*x[0] - 1; return u*u + x[1]*x[1] },
	Grad: func(dst, x []float64) { dst[0], dst[1] = 4*x[0]*(x[0]*x[0]-1), 2*x[1] },
	Hess: func(dst, x []float64) { dst[0], dst[1], dst[2], dst[3] = 12*x[0]*x[0]-4, 0, 0, 2 },
}

// TestKramersAnisotropic checks which eigenvalue enters the prefactor for
// an anisotropic D, against the mean first-passage time of the process
// dX = -(D + A) grad U dt + sqrt(2 T D) dW on a grid, computed
// independently with SciPy (potentials/testdata/escape_check.py, part 3):
// U = (x^2 - 1)^2 + y^2, D = [[1, 0.6], [0.6, 1]], from (-1, 0) to the
// half-plane x >= 1, reversible (A = 0) and not (A = [[0, 1], [-1, 0]]).
// The grid solve keeps exp(-U/T) stationary exactly (so the exponent is
// exact), and its prefactor converges at second order (grids 0.04, 0.02,
// 0.01, extrapolated; the values below are good to 3e-5 relative, except
// for A = 0 at T = 0.2, where the staircase of the absorbing boundary on
// the rotated grid keeps the grids 4e-4 apart: an error of the size of the
// time to go from the saddle to the target, which shrinks relative to tau
// as T falls).
//
// The formula's lambda_s is the negative eigenvalue of (D + A) Hess U(s):
// -3.4739 (A = 0) and -4.7577 (A != 0), against -4 for Hess U(s) alone and
// -5.4279 for D^-1 Hess U(s). The grid's ratio tau / tau_K must fall
// towards 1 at the rate O(T) (measured ratios 1.1481, 1.0558, 1.0251 for
// A = 0 and 1.0837, 1.0349, 1.0162 for A != 0 at T = 0.2, 0.1, 0.05:
// from T = 0.1 to 0.05, ratio - 1 falls by 2.2 and 2.15; from 0.2, where
// the barrier is 5 T, by 2.65 and 2.4), while each of the other two
// eigenvalues would leave the ratio at T = 0.05 off 1 by more than 10%.
// (Below T = 0.05 the grid's direct solve loses its digits.)
func TestKramersAnisotropic(t *testing.T) {
	tr, err := FindTransition(wellU2, []float64{-1.2, 0.3}, []float64{0.9, -0.2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkPoint(t, "From", tr.From.X, []float64{-1, 0}, 1e-12)
	checkPoint(t, "Saddle", tr.Saddle.X, []float64{0, 0}, 1e-12)
	D := []float64{1, 0.6, 0.6, 1}
	temps := []float64{0.2, 0.1, 0.05}
	for _, c := range []struct {
		name   string
		A      []float64
		lambda float64
		grid   []float64 // SciPy grid tau at temps
	}{
		{"reversible", nil, -3.473863375371, []float64{217.9243222, 29742.82696, 636049225.4}},
		{"non-reversible", []float64{0, 1, -1, 0}, -4.757658845611, []float64{150.1882888, 21286.4988, 460424700.8}},
	} {
		k, err := EyringKramers(tr.From, tr.Saddle, D, c.A)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(k.Lambda-c.lambda) > 1e-11 || math.Abs(k.DetRatio-0.5) > 1e-14 || k.Barrier != 1 {
			t.Errorf("%s: %+v, want lambda %.12f, det ratio 1/2, barrier 1", c.name, k, c.lambda)
		}
		var prev float64
		for i, T := range temps {
			r := c.grid[i] / k.Time(T)
			t.Logf("%s, T = %g: grid tau %.10g, Kramers %.10g, ratio %.4f", c.name, T, c.grid[i], k.Time(T), r)
			if !(r > 1 && r < 1.2) {
				t.Errorf("%s, T = %g: ratio %.4f outside (1, 1.2)", c.name, T, r)
			}
			if i > 0 && !(r < prev) {
				t.Errorf("%s, T = %g: ratio %.4f, not below %.4f at T = %g", c.name, T, r, prev, temps[i-1])
			}
			if i == len(temps)-1 {
				if q := (prev - 1) / (r - 1); !(q > 1.6 && q < 2.6) {
					t.Errorf("%s, T = %g: (ratio - 1) fell by %.3g from T = %g, want about 2 (O(T))", c.name, T, q, temps[i-1])
				}
			}
			prev = r
		}
		// The wrong eigenvalues: of Hess U(s) alone, and of D^-1 Hess U(s).
		T := temps[len(temps)-1]
		r := c.grid[len(temps)-1] / k.Time(T)
		for _, wrong := range []float64{-4, -5.427912} {
			rw := r * math.Abs(k.Lambda) / math.Abs(wrong)
			if math.Abs(rw-1) < 0.1 {
				t.Errorf("%s: with lambda = %g the ratio at T = %g is %.4f: the test cannot tell it from %g", c.name, wrong, T, rw, k.Lambda)
			}
		}
	}
}

// TestKramersInvariance checks that the estimate does not depend on the
// coordinates: under x = M z, U becomes U(M z) with Hessians M^T H M,
// and the process keeps its form with D' = M^-1 D M^-T and
// A' = M^-1 A M^-T. (D' + A') H'(s) = M^-1 (D + A) H(s) M is similar to
// (D + A) H(s), and the determinants change by det(M)^2 at both points.
// A formula with the eigenvalue of H(s) alone, or of D^-1 H(s), would not
// pass.
func TestKramersInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	min := CriticalPoint{X: []float64{-1, 0, 0}, U: 0.3, Hess: []float64{3, 0.5, 0.2, 0.5, 2, -0.3, 0.2, -0.3, 1.5}}
	sad := CriticalPoint{X: []float64{0, 0.1, 0}, U: 1.1, Hess: []float64{-2, 0.4, 0.1, 0.4, 1.2, 0.2, 0.1, 0.2, 0.9}}
	D := []float64{1.5, 0.4, -0.2, 0.4, 0.8, 0.1, -0.2, 0.1, 0.6}
	A := []float64{0, 0.7, -0.3, -0.7, 0, 0.5, 0.3, -0.5, 0}
	for _, a := range [][]float64{nil, A} {
		k0, err := EyringKramers(min, sad, D, a)
		if err != nil {
			t.Fatal(err)
		}
		for trial := 0; trial < 5; trial++ {
			M := mat.NewDense(3, 3, nil)
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					M.Set(i, j, rng.NormFloat64())
				}
				M.Set(i, i, M.At(i, i)+2)
			}
			var Mi mat.Dense
			if err := Mi.Inverse(M); err != nil {
				t.Fatal(err)
			}
			tr := func(h []float64) []float64 { // M^T H M
				var r mat.Dense
				r.Product(M.T(), mat.NewDense(3, 3, h), M)
				return r.RawMatrix().Data
			}
			inv := func(h []float64) []float64 { // M^-1 H M^-T
				var r mat.Dense
				r.Product(&Mi, mat.NewDense(3, 3, h), Mi.T())
				return r.RawMatrix().Data
			}
			sym := func(h []float64) []float64 {
				for i := 0; i < 3; i++ {
					for j := i + 1; j < 3; j++ {
						s := (h[i*3+j] + h[j*3+i]) / 2
						h[i*3+j], h[j*3+i] = s, s
					}
				}
				return h
			}
			anti := func(h []float64) []float64 {
				for i := 0; i < 3; i++ {
					h[i*3+i] = 0
					for j := i + 1; j < 3; j++ {
						s := (h[i*3+j] - h[j*3+i]) / 2
						h[i*3+j], h[j*3+i] = s, -s
					}
				}
				return h
			}
			m2 := CriticalPoint{X: min.X, U: min.U, Hess: sym(tr(min.Hess))}
			s2 := CriticalPoint{X: sad.X, U: sad.U, Hess: sym(tr(sad.Hess))}
			var a2 []float64
			if a != nil {
				a2 = anti(inv(a))
			}
			k, err := EyringKramers(m2, s2, sym(inv(D)), a2)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(k.Prefactor-k0.Prefactor) > 1e-9*k0.Prefactor || math.Abs(k.Lambda-k0.Lambda) > 1e-9*math.Abs(k0.Lambda) {
				t.Errorf("A = %v, trial %d: prefactor %.12g, lambda %.12g after the change of coordinates, %.12g, %.12g before",
					a, trial, k.Prefactor, k.Lambda, k0.Prefactor, k0.Lambda)
			}
		}
	}
}

// TestKramersIsotropicScaling checks D = c I: time runs c times faster,
// so the prefactor is divided by c; and an antisymmetric A speeds the
// transition up (|lambda_s| grows, Lee & Seo 2022).
func TestKramersIsotropicScaling(t *testing.T) {
	min := CriticalPoint{X: []float64{-1, 0}, Hess: []float64{8, 0, 0, 2}}
	sad := CriticalPoint{X: []float64{0, 0}, U: 1, Hess: []float64{-4, 0, 0, 2}}
	k1, err := EyringKramers(min, sad, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	k3, err := EyringKramers(min, sad, []float64{3, 0, 0, 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(k3.Prefactor*3-k1.Prefactor) > 1e-14 || k1.Lambda != -4 {
		t.Errorf("D = I: %+v; D = 3 I: %+v", k1, k3)
	}
	if want := 2 * math.Pi / 4 * math.Sqrt(0.5); math.Abs(k1.Prefactor-want) > 1e-15 {
		t.Errorf("prefactor %.17g, want %.17g", k1.Prefactor, want)
	}
	for _, a := range []float64{0.1, 1, 10} {
		k, err := EyringKramers(min, sad, nil, []float64{0, a, -a, 0})
		if err != nil {
			t.Fatal(err)
		}
		if !(k.Lambda < k1.Lambda) {
			t.Errorf("A with a = %g: lambda %g, not below the reversible %g", a, k.Lambda, k1.Lambda)
		}
	}
	if got := k1.LogTime(0.01); math.Abs(got-(math.Log(k1.Prefactor)+100)) > 1e-12 || math.Abs(k1.Rate(0.5)*k1.Time(0.5)-1) > 1e-15 {
		t.Errorf("LogTime(0.01) = %g, Rate*Time = %g", got, k1.Rate(0.5)*k1.Time(0.5))
	}
}

// TestKramersErrors checks the refusals: a minimum that is a saddle, a
// saddle of index 2, a degenerate saddle, an indefinite D, an A that is
// not antisymmetric, and mismatched dimensions.
func TestKramersErrors(t *testing.T) {
	min := CriticalPoint{X: []float64{-1, 0}, Hess: []float64{8, 0, 0, 2}}
	sad := CriticalPoint{X: []float64{0, 0}, U: 1, Hess: []float64{-4, 0, 0, 2}}
	var ie *IndexError
	for _, c := range []struct {
		name     string
		m, s     CriticalPoint
		D, A     []float64
		index    bool
		psd, ant bool
	}{
		{"minimum is a saddle", sad, sad, nil, nil, true, false, false},
		{"index-2 saddle", min, CriticalPoint{X: []float64{0, 0}, Hess: []float64{-4, 0, 0, -2}}, nil, nil, true, false, false},
		{"degenerate saddle", min, CriticalPoint{X: []float64{0, 0}, Hess: []float64{-4, 0, 0, 0}}, nil, nil, true, false, false},
		{"indefinite D", min, sad, []float64{1, 2, 2, 1}, nil, false, true, false},
		{"asymmetric D", min, sad, []float64{1, 0.2, 0.1, 1}, nil, false, true, false},
		{"A not antisymmetric", min, sad, nil, []float64{0, 1, 1, 0}, false, false, true},
		{"dimensions", min, CriticalPoint{X: []float64{0}, Hess: []float64{-1}}, nil, nil, false, false, false},
	} {
		_, err := EyringKramers(c.m, c.s, c.D, c.A)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if errors.As(err, &ie) != c.index || errors.Is(err, ErrNotPSD) != c.psd || errors.Is(err, ErrNotAntisymmetric) != c.ant {
			t.Errorf("%s: %v (IndexError %v, ErrNotPSD %v, ErrNotAntisymmetric %v)", c.name, err,
				errors.As(err, &ie), errors.Is(err, ErrNotPSD), errors.Is(err, ErrNotAntisymmetric))
		}
	}
}
