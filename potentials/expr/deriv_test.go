package expr

import (
	"math"
	"testing"
)

// TestDeriv compares symbolic derivatives with their closed forms written
// in Go. x and y are constants, so the closed forms made of arithmetic
// alone are folded exactly by the compiler and rounded once; the others
// call math functions accurate to about 1 ulp. The derivative's Eval is a
// few correctly rounded operations and such calls, so the two agree to a
// few units of eps relative to the value: measured at most 0.98 eps
// (d/dx x^-1; most rows agree exactly), hence 4 eps on the scale
// max(1, |want|).
func TestDeriv(t *testing.T) {
	const x, y = 0.7, -1.3
	a := testParams["a"]
	for _, test := range []struct {
		src    string
		dx, dy float64
	}{
		{"3", 0, 0},
		{"a", 0, 0},
		{"x", 1, 0},
		{"y", 0, 1},
		{"-x", -1, 0},
		{"x + y", 1, 1},
		{"x - y", 1, -1},
		{"x*y", y, x},
		{"x/y", 1 / y, -x / (y * y)},
		{"a/y", 0, -a / (y * y)},
		{"x^2", 2 * x, 0},
		{"x^a", a * math.Pow(x, a-1), 0},
		{"x^-1", -1 / (x * x), 0},
		{"2^x", math.Pow(2, x) * math.Ln2, 0},
		{"x^y", y * math.Pow(x, y-1), math.Pow(x, y) * math.Log(x)},
		{"exp(x*y)", y * math.Exp(x*y), x * math.Exp(x*y)},
		{"log(x)", 1 / x, 0},
		{"sqrt(x)", 0.5 / math.Sqrt(x), 0},
		{"sin(x)", math.Cos(x), 0},
		{"cos(x)", -math.Sin(x), 0},
		{"tan(x)", 1 / (math.Cos(x) * math.Cos(x)), 0},
		{"sinh(x)", math.Cosh(x), 0},
		{"cosh(x)", math.Sinh(x), 0},
		{"tanh(x)", 1 / (math.Cosh(x) * math.Cosh(x)), 0},
		{"abs(y)", 0, -1},
		{"abs(x)", 1, 0},
		{"sign(x)", 0, 0},
		{"(x^2 - 1)^2/4 + y^2/2", x * (x*x - 1), y},
		{"exp(-(x^2 + y^2))", -2 * x * math.Exp(-(x*x + y*y)), -2 * y * math.Exp(-(x*x + y*y))},
	} {
		e, err := Parse(test.src, testVars, testParams)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []struct {
			v    string
			want float64
		}{{"x", test.dx}, {"y", test.dy}} {
			de := e.Deriv(d.v)
			got := de.Eval(x, y)
			if !closeTo(got, d.want, 4*eps, math.Max(1, math.Abs(d.want))) {
				t.Errorf("d/d%s %s = %s = %v at (%v, %v), want %v", d.v, test.src, de, got, x, y, d.want)
			}
		}
	}
	e, err := Parse("x^2", testVars, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := e.Deriv("z"); !d.isConst(0) {
		t.Errorf("d/dz x^2 = %s, want 0", d)
	}
}

// TestDerivString checks that derivatives come out simplified.
func TestDerivString(t *testing.T) {
	for _, test := range []struct {
		src, v, want string
	}{
		{"x^2", "x", "2*x"},
		{"x^3", "x", "3*x^2"},
		{"x^a", "x", "a*x^(a - 1)"},
		{"a*x + b", "x", "a"},
		{"3*x - 2*y", "y", "-2"},
		{"(x^2 - 1)^2/4 + y^2/2", "x", "(x^2 - 1)*x"},
		{"(x^2 - 1)^2/4 + y^2/2", "y", "y"},
		{"1 + 0.5*x^2", "x", "x"},
		{"exp(-x^2/2)", "x", "-(exp(-0.5*x^2)*x)"},
		{"log(1 + x^2)", "x", "2*(x/(1 + x^2))"},
		{"-cos(x)", "x", "sin(x)"},
		{"abs(x - y)", "y", "-sign(x - y)"},
		{"x*y", "x", "y"},
		{"x/y", "y", "-(x/y^2)"},
	} {
		e, err := Parse(test.src, testVars, testParams)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Deriv(test.v).String(); got != test.want {
			t.Errorf("d/d%s %s = %q, want %q", test.v, test.src, got, test.want)
		}
	}
}

// TestDerivFiniteDifferences compares symbolic derivatives of random
// formulas with central differences D(h) = (f(x+h) - f(x-h)) / (2h),
// extrapolated twice (Richardson):
//
//	R(h)  = (4 D(h/2) - D(h)) / 3           error O(h^4)
//	ref   = (16 R(h/2) - R(h)) / 15         error O(h^6)
//	      = (64 D(h/4) - 20 D(h/2) + D(h)) / 45.
//
// Each point gets its own tolerance, the sum of two error estimates of
// ref:
//
//   - truncation: |R(h) - R(h/2)| / 15 estimates the error of R(h/2),
//     which bounds that of ref; it is doubled because the estimate is
//     itself only asymptotic;
//   - rounding: Eval of a formula of Size k, whose subexpressions are at
//     most M in magnitude (maxAbs), is off by about k eps M; D(h') turns
//     that into k eps M / h', and the weights of ref amplify it by
//     (64*4 + 20*2 + 1) / 45 = 6.6 < 7 in units of k eps M / h.
//
// With h = 1e-3 the tolerance is typically 1e-14 relative to
// 1 + |f| + |f'|, so a wrong derivative (an error of order |f'|, a missing
// chain factor) is far outside it. Measured on the 39552 checked points of
// the four seeds: the largest error is 0.50 of its tolerance (h = 2e-3
// reaches 1.8, truncation underestimated; h = 5e-4 0.51). Points whose
// tolerance exceeds 1e-6 of the scale (f oscillates too fast for the step,
// or cancels badly) are skipped and must stay rare (24 of 39576), as are
// points where M exceeds 1e3.
func TestDerivFiniteDifferences(t *testing.T) {
	for _, seed := range []uint64{2, 12, 14, 31} {
		checkDerivFD(t, seed)
	}
}

func checkDerivFD(t *testing.T, seed uint64) {
	const (
		h      = 1e-3
		skipAt = 1e-6 // tolerance, relative to the scale, beyond which a point is skipped
		nForm  = 1000
		nPoint = 5
	)
	r := newRand(seed)
	checked, skipped := 0, 0
	worst := 0.0 // largest error in units of the point's tolerance
	for i := 0; i < nForm; i++ {
		src := randFormula(r, 4)
		e, err := Parse(src, testVars, testParams)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		dx, dy := e.Deriv("x"), e.Deriv("y")
		for j := 0; j < nPoint; j++ {
			x, y := r.Float64()*3-1.5, r.Float64()*3-1.5
			f := e.Eval(x, y)
			m := maxAbs(e, x, y)
			if !(m <= 1e3) {
				continue
			}
			for _, c := range []struct {
				v      string
				d      *Expr
				dx, dy float64
			}{{"x", dx, 1, 0}, {"y", dy, 0, 1}} {
				at := func(s float64) float64 { return e.Eval(x+s*c.dx, y+s*c.dy) }
				cd := func(s float64) float64 { return (at(s) - at(-s)) / (2 * s) }
				d1, d2, d4 := cd(h), cd(h/2), cd(h/4)
				r1, r2 := (4*d2-d1)/3, (4*d4-d2)/3
				ref := (16*r2 - r1) / 15
				tol := 2*math.Abs(r1-r2)/15 + 7*float64(e.Size())*eps*m/h
				scale := 1 + math.Abs(f) + math.Abs(ref)
				if !(tol <= skipAt*scale) {
					skipped++
					continue
				}
				checked++
				got := c.d.Eval(x, y)
				if !closeTo(got, ref, tol, 1) {
					t.Errorf("d/d%s %s = %s\nat (%v, %v): %v, finite differences %v, difference %.3g beyond the tolerance %.3g",
						c.v, src, c.d, x, y, got, ref, math.Abs(got-ref), tol)
				}
				worst = math.Max(worst, math.Abs(got-ref)/tol)
			}
		}
	}
	if checked < nForm*nPoint/2 || skipped > checked/100 {
		t.Errorf("seed %d: only %d derivatives checked, %d skipped as unconverged", seed, checked, skipped)
	}
	t.Logf("seed %d: %d derivatives checked, %d skipped as unconverged; largest error %.2f of the tolerance", seed, checked, skipped, worst)
}

func TestSimplifyString(t *testing.T) {
	for _, test := range []struct {
		src, want string
	}{
		{"0*x", "0"},
		{"x*0", "0"},
		{"1*x", "x"},
		{"x*1", "x"},
		{"x + 0", "x"},
		{"0 + x", "x"},
		{"x - 0", "x"},
		{"0 - x", "-x"},
		{"x/1", "x"},
		{"0/x", "0"},
		{"x^1", "x"},
		{"x^0", "1"},
		{"1^x", "1"},
		{"--x", "x"},
		{"-(x - y)", "y - x"},
		{"2*3 + 4", "10"},
		{"2*(3*x)", "6*x"},
		{"(2*x)*(3*y)", "6*(x*y)"},
		{"-2*-x", "2*x"},
		{"x + -y", "x - y"},
		{"x + (-2)*y", "x - 2*y"},
		{"x - (-3)", "x + 3"},
		{"-x + y", "y - x"},
		{"(x^2)^3", "x^6"},
		{"x^2^3", "x^8"},
		{"(2*x)/4", "0.5*x"},
		{"6/(3*x)", "2/x"},
		{"(6*x)/(3*y)", "2*(x/y)"},
		{"exp(0)", "1"},
		{"log(0)", "log(0)"},
		{"1/0", "1/0"},
		{"abs(abs(x))", "abs(x)"},
		{"a*x", "a*x"},
		{"pi*2", "6.283185307179586"},
	} {
		e, err := Parse(test.src, testVars, testParams)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Simplify().String(); got != test.want {
			t.Errorf("Simplify(%s) = %q, want %q", test.src, got, test.want)
		}
	}
}

// TestSimplifyValues checks that simplification keeps the values of random
// formulas. Simplification reassociates constant factors and folds
// constants, which changes results by a few roundings of the intermediate
// terms, each at most eps times M, the largest magnitude of a
// subexpression of either form (maxAbs); measured at most 1.91 eps M over
// these 6000 points, so the tolerance is 8 eps M. Non-finite values must
// agree exactly (NaN with NaN, infinities of the same sign), and so must
// the values where M itself overflows (one point, both 0).
func TestSimplifyValues(t *testing.T) {
	r := newRand(3)
	worst := 0.0
	for i := 0; i < 2000; i++ {
		src := randFormula(r, 5)
		e, err := Parse(src, testVars, testParams)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		s := e.Simplify()
		for j := 0; j < 3; j++ {
			x, y := r.Float64()*3-1.5, r.Float64()*3-1.5
			v, w := e.Eval(x, y), s.Eval(x, y)
			m := math.Max(maxAbs(e, x, y), maxAbs(s, x, y))
			finite := !math.IsNaN(v) && !math.IsInf(v, 0) && !math.IsNaN(m) && !math.IsInf(m, 0)
			if !finite {
				if !same(v, w) {
					t.Errorf("%s = %v but simplified %s = %v at (%v, %v)", src, v, s, w, x, y)
				}
				continue
			}
			if !closeTo(w, v, 8*eps, m) {
				t.Errorf("%s = %v but simplified %s = %v at (%v, %v): difference %.3g beyond 8 eps M = %.3g",
					src, v, s, w, x, y, math.Abs(w-v), 8*eps*m)
			}
			worst = math.Max(worst, math.Abs(w-v)/(eps*m))
		}
	}
	t.Logf("largest difference %.2f eps M", worst)
}
