package expr

import (
	"math"
	"math/big"
	"testing"
)

// TestCompileMatchesEval checks that compiled functions return exactly the
// values of Eval, for random formulas, their derivatives and their
// simplified forms, at random points and at points where functions leave
// their domain.
func TestCompileMatchesEval(t *testing.T) {
	r := newRand(4)
	points := [][2]float64{{0, 0}, {-0, 1}, {1, -1}, {-3.5, 2}, {1e300, -1e-300}, {math.Inf(1), 0}, {math.NaN(), 1}}
	for i := 0; i < 2000; i++ {
		src := randFormula(r, 5)
		e, err := Parse(src, testVars, testParams)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		for _, g := range []*Expr{e, e.Simplify(), e.Deriv("x"), e.Deriv("y")} {
			f := g.Compile()
			for j := 0; j < 3; j++ {
				points = append(points[:7], [2]float64{r.Float64()*6 - 3, r.Float64()*6 - 3})
			}
			for _, p := range points {
				if got, want := f(p[0], p[1]), g.Eval(p[0], p[1]); !same(got, want) {
					t.Fatalf("%s at %v: compiled %v, Eval %v", g, p, got, want)
				}
			}
		}
	}
}

func TestCompileSpecialCases(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), 0.3, -1.7, 2, 1e-200, -1e200, math.Inf(1), math.Inf(-1), math.NaN()}
	for _, src := range []string{
		"x^0", "x^1", "x^2", "x^3", "x^4", "x^5", "x^-1", "x^-2", "x^-3", "x^64", "x^65", "x^-64", "x^0.5", "x^-1.5",
		"(x + y)^2", "(x + y)^3", "(x + y)^4", "(x + y)^-1", "(x + y)^-2", "(x + y)^7", "(x*y)^2.5",
		"y^2", "y^3", "y^4", "y^-1", "y^-2", "y^6", "y^0.5",
		"2^x", "x^y", "(x + 1)^(y + 1)", "e^x", "x^a", "x^(a*b)", "x^(2*a + 0.4)",
		"1 + 0.5*x^2", "0.5*x^2 + 1", "1 - 0.5*x^2", "x^2*0.5 - 1", "3*y + a", "a - y*b", "2*(x + y) + 1",
		"x + y", "x - y", "x*y", "x/y", "y + x", "y - x", "y*x", "y/x", "x + x", "y*y",
		"x + 1", "1 + x", "x - 1", "1 - x", "2*x", "x*2", "x/2", "2/x",
		"y + 1", "1 + y", "y - 1", "1 - y", "2*y", "y*2", "y/2", "2/y",
		"sin(x) + 1", "1 + sin(x)", "sin(x) - 1", "1 - sin(x)", "2*sin(x)", "sin(x)*2", "sin(x)/2", "2/sin(x)",
		"sin(x) + x", "x + sin(x)", "sin(x) - y", "y - sin(x)", "sin(x)*x", "y*sin(x)", "sin(x)/x", "y/sin(x)", "sin(x)*cos(y)",
		"-x", "-y", "-sin(x)",
		"-(x*y)", "-(x/y)", "-(x + sin(y))", "-(sin(x) - y)", "-(2*x)", "-(x/2)", "-(x^2)", "-(x*x)", "-(1 + 0.5*x^2)",
		"-(x^2 - 1)", "-((x^2 - 1)*x)", "-(sin(x)*cos(y))", "-(x^2*y^2)", "-(1/x)", "-(a - x*y)",
		"x*x", "y*y*2", "(x*x)^2", "(y^2)^3", "sin(x*x)", "x^2*y^2", "x^2/y^2", "1/x^2", "2^(x^2)", "(x^2)^0.5",
		"x^2 + y", "y^2 - x", "x^2 - 1", "0.5*y^2 + 1", "3 - x^2*2",
		"(1 + 0.5*x^2)*y", "sin(2*x + 1)", "(0.5*y^2 + 1)^2", "x/(1 - 2*y)", "-((2*x + 1)*y)", "exp(-(0.5*x^2 + 1))",
		"(3*y - a)^0.5", "(1 + 0.5*x^2)*(1 + 0.5*y^2)", "(2*x - 1)^3", "(2*x - 1)^-1", "2^(1 - 3*y)", "(x*2 + 1)/(y*b - 1)",
		"exp(x)", "log(x)", "sqrt(x)", "sin(x)", "cos(x)", "tan(x)", "sinh(x)", "cosh(x)", "tanh(x)", "abs(x)", "sign(x)",
		"exp(y)", "log(y)", "sqrt(y)", "sin(y)", "cos(y)", "tan(y)", "sinh(y)", "cosh(y)", "tanh(y)", "abs(y)", "sign(y)",
		"exp(x*y)", "log(x*y)", "sqrt(x*y)", "sin(x*y)", "cos(x*y)", "tan(x*y)", "sinh(x*y)", "cosh(x*y)", "tanh(x*y)", "abs(x*y)", "sign(x*y)",
		"pi", "a*b + 1", "1/0", "log(-1)",
	} {
		e, err := Parse(src, testVars, testParams)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		f := e.Compile()
		for _, x := range xs {
			for _, y := range xs {
				if got, want := f(x, y), e.Eval(x, y); !same(got, want) {
					t.Errorf("%s at (%v, %v): compiled %v, Eval %v", src, x, y, got, want)
				}
			}
		}
	}
}

// TestIntPow checks intPow against the exact power, computed in math/big
// with enough bits to hold it exactly (53 bits per factor). Binary
// exponentiation evaluates v^n as a product tree of n factors v with n - 1
// rounded multiplications (shared squares included), so its relative error
// is at most gamma_{n-1} = (n-1)u / (1 - (n-1)u), u = 2^-53 (Higham,
// Accuracy and Stability of Numerical Algorithms, Lemma 3.1); a negative
// n adds the rounding of the reciprocal, gamma_{|n|}. The bound is
// rigorous, so it is the tolerance (measured at most 0.79 of it); the
// powers of x = 2 and n = 0, 1 are exact.
func TestIntPow(t *testing.T) {
	const u = eps / 2
	worst := 0.0 // largest error in units of the bound
	for _, x := range []float64{0.3, -1.7, 2, 1.0001, -0.999, 1 - eps, 3.141592653589793} {
		for n := -maxPowInt; n <= maxPowInt; n++ {
			k := absInt(n) - 1 // rounded multiplications
			if n < 0 {
				k++ // and the reciprocal
			}
			k = max(k, 0)
			bound := float64(k) * u / (1 - float64(k)*u)
			got := intPow(x, n)
			exact := new(big.Float).SetPrec(uint(53*maxPowInt + 64)).SetInt64(1)
			for i := 0; i < absInt(n); i++ {
				exact.Mul(exact, big.NewFloat(x))
			}
			if n < 0 {
				exact.Quo(new(big.Float).SetPrec(exact.Prec()).SetInt64(1), exact)
			}
			rel := new(big.Float).Sub(big.NewFloat(got), exact)
			rel.Quo(rel, exact)
			e, _ := rel.Float64()
			e = math.Abs(e)
			if !(e <= bound) {
				t.Errorf("intPow(%v, %d) = %v: relative error %.3g beyond gamma_%d = %.3g", x, n, got, e, k, bound)
			}
			if bound > 0 {
				worst = math.Max(worst, e/bound)
			}
		}
	}
	t.Logf("largest error %.2f of the bound gamma_k", worst)
	for _, test := range []struct{ x, n, want float64 }{
		{0, -1, math.Inf(1)},
		{math.Copysign(0, -1), -1, math.Inf(-1)},
		{math.Copysign(0, -1), -2, math.Inf(1)},
		{math.NaN(), 0, 1},
		{math.Inf(1), -1, 0},
		{1e200, 2, math.Inf(1)},
		{1e-200, -2, math.Inf(1)},
	} {
		if got := intPow(test.x, int(test.n)); !same(got, test.want) {
			t.Errorf("intPow(%v, %v) = %v, want %v", test.x, test.n, got, test.want)
		}
	}
}

func TestCompileNoAlloc(t *testing.T) {
	e, err := Parse("(x^2 - 1)^2/4 + sin(y)^2/2 + exp(-a*x*y)", testVars, testParams)
	if err != nil {
		t.Fatal(err)
	}
	f, fx := e.Compile(), e.Deriv("x").Compile()
	x, y := 0.3, 0.4
	if n := testing.AllocsPerRun(100, func() { x += 1e-3 * (f(x, y) + fx(x, y)) }); n != 0 {
		t.Errorf("compiled evaluation allocates %v times", n)
	}
	f2, f3 := Compile2(e, Neg(e.Deriv("y"))), Compile3(e, e.Deriv("x"), Const(2))
	if n := testing.AllocsPerRun(100, func() {
		u, v := f2(x, y)
		p, q, r := f3(x, y)
		x += 1e-3 * (u + v + p + q + r)
	}); n != 0 {
		t.Errorf("compiled tuples allocate %v times", n)
	}
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// TestCompileTuples checks that Compile2 and Compile3 return exactly the
// values of Eval for each output: random formulas and their derivatives
// (drifts -grad f), and the forms they evaluate inline (constants,
// variables, squares, negations, affine functions of them) next to ones
// they call, at random points and at special values.
func TestCompileTuples(t *testing.T) {
	parse := func(src string) *Expr {
		e, err := Parse(src, testVars, testParams)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		return e
	}
	var exprs []*Expr
	for _, src := range []string{
		"1.5", "a*b", "x", "y", "-x", "-y", "x^2", "y*y", "1 + 0.5*x^2", "0.5*y^2 + 1", "1 - 2*x", "y*3 - a",
		"x^2*b + 1", "2 - y^2*0.5", "sin(x) + 1", "(x^2 - 1)^2/4 + y^2/2", "-((x^2 - 1)*x)", "x*y", "-0*x",
	} {
		exprs = append(exprs, parse(src))
	}
	r := newRand(9)
	for range 300 {
		e := parse(randFormula(r, 4))
		exprs = append(exprs, e, e.Deriv("x").Simplify(), Neg(e.Deriv("y")))
	}
	xs := []float64{0, math.Copysign(0, -1), 0.3, -1.7, 1e-200, -1e200, math.Inf(1), math.NaN()}
	n := len(exprs)
	for i := range n {
		a, b, d := exprs[i], exprs[(7*i+3)%n], exprs[(13*i+5)%n]
		f2, f3 := Compile2(a, b), Compile3(a, b, d)
		for k := range 20 {
			x, y := r.Float64()*6-3, r.Float64()*6-3
			if k < len(xs)*len(xs)/4 {
				x, y = xs[k%len(xs)], xs[(k*3+i)%len(xs)]
			}
			u, v := f2(x, y)
			p, q, s := f3(x, y)
			wa, wb, wd := a.Eval(x, y), b.Eval(x, y), d.Eval(x, y)
			if !same(u, wa) || !same(v, wb) || !same(p, wa) || !same(q, wb) || !same(s, wd) {
				t.Fatalf("(%s, %s, %s) at (%v, %v): Compile2 (%v, %v), Compile3 (%v, %v, %v), Eval (%v, %v, %v)",
					a, b, d, x, y, u, v, p, q, s, wa, wb, wd)
			}
		}
	}
}
