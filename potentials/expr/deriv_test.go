package expr

import (
	"math"
	"testing"
)

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
			if !closeTo(got, d.want, 1e-14, math.Max(1, math.Abs(d.want))) {
				t.Errorf("d/d%s %s = %s = %v at (%v, %v), want %v", d.v, test.src, de, got, x, y, d.want)
			}
		}
	}
	e, _ := Parse("x^2", testVars, nil)
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
// formulas with central differences
//
//	D(h) = (f(x+h) - f(x-h)) / (2h) = f'(x) + h^2 f3(x)/6 + O(h^4) + O(ε M / h),
//
// where f3 is the third derivative and M the largest magnitude of the
// subexpressions of f (the scale of its rounding errors). With h = 1e-5 the
// truncation error is about 2e-11 |f3| and the rounding error about
// 1e-11 M. The reference is the Richardson extrapolation
// (4 D(h/2) - D(h)) / 3, whose truncation error is O(h^4), and
// |D(h) - D(h/2)| = h^2 |f3|/8 estimates the error of D(h). Points where
// that estimate exceeds the tolerance (f oscillates too fast for the step)
// or where M exceeds 1e3 are skipped and must stay rare. On the remaining
// points the reference is accurate to well below 1e-8 relative to
// 1 + |f| + |f'|, so the tolerance 1e-6 catches any wrong derivative (an
// error of order |f'|, a missing chain factor) without false alarms.
func TestDerivFiniteDifferences(t *testing.T) {
	for _, seed := range []uint64{2, 12, 14, 31} {
		checkDerivFD(t, seed)
	}
}

func checkDerivFD(t *testing.T, seed uint64) {
	const (
		h      = 1e-5
		tol    = 1e-6
		nForm  = 1000
		nPoint = 5
	)
	r := newRand(seed)
	checked, skipped := 0, 0
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
			if !(maxAbs(e, x, y) <= 1e3) {
				continue
			}
			for _, c := range []struct {
				v      string
				d      *Expr
				dx, dy float64
			}{{"x", dx, 1, 0}, {"y", dy, 0, 1}} {
				at := func(s float64) float64 { return e.Eval(x+s*c.dx, y+s*c.dy) }
				v := [4]float64{at(h), at(-h), at(h / 2), at(-h / 2)}
				d1 := (v[0] - v[1]) / (2 * h)
				d2 := (v[2] - v[3]) / h
				ref := (4*d2 - d1) / 3
				scale := 1 + math.Abs(f) + math.Abs(ref)
				if math.Abs(d1-d2) > tol*scale {
					skipped++
					continue
				}
				checked++
				if got := c.d.Eval(x, y); !closeTo(got, ref, tol, scale) {
					t.Errorf("d/d%s %s = %s\nat (%v, %v): %v, finite differences %v", c.v, src, c.d, x, y, got, ref)
				}
			}
		}
	}
	if checked < nForm*nPoint/2 || skipped > checked/100 {
		t.Errorf("seed %d: only %d derivatives checked, %d skipped as unconverged", seed, checked, skipped)
	}
	t.Logf("seed %d: %d derivatives checked, %d skipped as unconverged", seed, checked, skipped)
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
// formulas. Simplification reassociates constant factors, which changes
// results by a few rounding errors of the intermediate terms; the
// tolerance 1e-12 on the scale 1 + |f| allows for cancellation of terms a
// thousand times larger than the result.
func TestSimplifyValues(t *testing.T) {
	r := newRand(3)
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
			if math.Abs(v) > 1e6 {
				continue
			}
			if !closeTo(w, v, 1e-12, 1+math.Abs(v)) {
				t.Errorf("%s = %v but simplified %s = %v at (%v, %v)", src, v, s, w, x, y)
			}
		}
	}
}
