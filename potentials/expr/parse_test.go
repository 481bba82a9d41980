package expr

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// TestParseEval checks the parse tree (through String) and the value of
// each formula against the same computation written in Go at run time (x
// and y are variables, not constants, which Go would fold exactly). Both
// perform the same correctly rounded operations in the same order (x^-2 is
// 1/(x*x), y^3 is y*(y*y), y^0.5 is math.Pow's square root; float64()
// keeps a product from being fused into a multiply-add), so the values must
// agree exactly, and a wrong operator, precedence or grouping changes them;
// the compiled function must agree with Eval exactly.
func TestParseEval(t *testing.T) {
	x, y := 0.7, -1.3
	a, b := testParams["a"], testParams["b"]
	for _, test := range []struct {
		src  string
		str  string // String of the parsed tree
		want float64
	}{
		{"1", "1", 1},
		{"123", "123", 123},
		{"1.5", "1.5", 1.5},
		{"1e-3", "0.001", 1e-3},
		{"2.5E+2", "250", 250},
		{".5", "0.5", 0.5},
		{"5.", "5", 5},
		{"x", "x", x},
		{"  y ", "y", y},
		{"pi", "pi", math.Pi},
		{"e", "e", math.E},
		{"a*b", "a*b", a * b},
		{"1 + 2*3", "1 + 2*3", 7},
		{"(1 + 2)*3", "(1 + 2)*3", 9},
		{"1 - 2 - 3", "1 - 2 - 3", -4},
		{"1 - (2 - 3)", "1 - (2 - 3)", 2},
		{"8/4/2", "8/4/2", 1},
		{"8/(4/2)", "8/(4/2)", 4},
		{"2^3^2", "2^3^2", 512},
		{"(2^3)^2", "(2^3)^2", 64},
		{"2**3", "2^3", 8},
		{"-x^2", "-x^2", -x * x},
		{"(-x)^2", "(-x)^2", x * x},
		{"-2^2", "-2^2", -4},
		{"x^-2", "x^(-2)", 1 / (x * x)},
		{"2^-x^2", "2^(-x^2)", math.Pow(2, -x*x)},
		{"-x*y", "-x*y", -x * y},
		{"-(x*y)", "-(x*y)", -x * y},
		{"--x", "-(-x)", x},
		{"+x", "x", x},
		{"x - -y", "x - (-y)", x + y},
		{"x*-y", "x*(-y)", -x * y},
		{"x + +y", "x + y", x + y},
		{"(x)", "x", x},
		{"((x + y))", "x + y", x + y},
		{"x + (y + 1)", "x + (y + 1)", x + (y + 1)},
		{"x*y/2", "x*y/2", x * y / 2},
		{"x/(y*2)", "x/(y*2)", x / (y * 2)},
		{"(-2)^3", "(-2)^3", -8},
		{"y^3", "y^3", y * y * y},
		{"y^0.5", "y^0.5", math.NaN()},
		{"abs(y)^0.5", "abs(y)^0.5", math.Sqrt(-y)},
		{"x^y", "x^y", math.Pow(x, y)},
		{"exp(x)", "exp(x)", math.Exp(x)},
		{"log(x)", "log(x)", math.Log(x)},
		{"sqrt(x)", "sqrt(x)", math.Sqrt(x)},
		{"sin(x)", "sin(x)", math.Sin(x)},
		{"cos(x)", "cos(x)", math.Cos(x)},
		{"tan(x)", "tan(x)", math.Tan(x)},
		{"sinh(x)", "sinh(x)", math.Sinh(x)},
		{"cosh(x)", "cosh(x)", math.Cosh(x)},
		{"tanh(x)", "tanh(x)", math.Tanh(x)},
		{"abs(y)", "abs(y)", -y},
		{"sign(y)", "sign(y)", -1},
		{"exp(-(x^2 + y^2)/2)", "exp(-(x^2 + y^2)/2)", math.Exp(-(float64(x*x) + float64(y*y)) / 2)},
		{"(x^2-1)^2/4 + y^2/2", "(x^2 - 1)^2/4 + y^2/2", (float64(x*x)-1)*(float64(x*x)-1)/4 + y*y/2},
		{"1+0.5*x^2", "1 + 0.5*x^2", 1 + float64(0.5*(x*x))},
	} {
		e, err := Parse(test.src, testVars, testParams)
		if err != nil {
			t.Errorf("Parse(%q): %v", test.src, err)
			continue
		}
		if got := e.String(); got != test.str {
			t.Errorf("Parse(%q).String() = %q, want %q", test.src, got, test.str)
		}
		got := e.Eval(x, y)
		if !same(got, test.want) {
			t.Errorf("Parse(%q).Eval(%v, %v) = %v, want %v", test.src, x, y, got, test.want)
		}
		if c := e.Compile()(x, y); !same(c, got) {
			t.Errorf("Parse(%q).Compile()(%v, %v) = %v, Eval gives %v", test.src, x, y, c, got)
		}
	}
}

// TestParseIdentity checks sin(x)^2 + cos(x)^2 = 1, a closed form that
// does not repeat the formula's operations. math.Sin and math.Cos are
// accurate to about 1 ulp and the two squares and the sum add three
// roundings, so the identity holds to about 5 u = 2.5 eps; measured
// -2.2e-16 = -1 eps at x = 0.7, hence the tolerance 4 eps.
func TestParseIdentity(t *testing.T) {
	e, err := Parse("sin(x)^2 + cos(x)^2", testVars, testParams)
	if err != nil {
		t.Fatal(err)
	}
	f := e.Compile()
	for _, x := range []float64{0.7, -1.3, 2.5, 10, 1e-3} {
		if got := e.Eval(x, 0); !closeTo(got, 1, 4*eps, 1) {
			t.Errorf("sin(x)^2 + cos(x)^2 at x = %v: %v, want 1 within 4 eps", x, got)
		}
		if c, v := f(x, 0), e.Eval(x, 0); !same(c, v) {
			t.Errorf("sin(x)^2 + cos(x)^2 at x = %v: compiled %v, Eval %v", x, c, v)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, test := range []struct {
		src  string
		want string
	}{
		{"", "column 1: empty formula"},
		{"   ", "column 1: empty formula"},
		{"sin(x))", `column 7: unexpected ")"`},
		{"x*foo(y)", `column 3: unknown function "foo"`},
		{"x*k", `column 3: missing parameter "k"`},
		{"k(x)", `column 1: unknown function "k"`},
		{"x +", "column 4: unexpected end of formula"},
		{"x + * y", `column 5: unexpected "*"`},
		{"(x + y", `column 7: missing ")" for "(" at column 1`},
		{"sin(x", `column 6: missing ")" for "(" at column 4`},
		{"sin x", `column 1: function "sin" needs an argument in parentheses`},
		{"exp", `column 1: function "exp" needs an argument in parentheses`},
		{"exp(x, y)", `column 6: function "exp" takes one argument`},
		{"2x", `column 2: unexpected "x" (missing operator?)`},
		{"x y", `column 3: unexpected "y" (missing operator?)`},
		{"x(y)", `column 2: unexpected "(" (missing operator?)`},
		{"(x)(y)", `column 4: unexpected "(" (missing operator?)`},
		{"x, y", `column 2: unexpected ","`},
		{"x; y", `column 2: unexpected ";"`},
		{"x $ y", `column 3: unexpected character "$"`},
		{"x ≥ y", `column 3: unexpected character "≥"`},
		{"é + x", `column 1: unexpected character "é"`},
		{"2e", `column 1: malformed number "2e"`},
		{"1e+", `column 1: malformed number "1e+"`},
		{"x + 1e999", `column 5: number "1e999" out of range`},
		{"()", `column 2: unexpected ")"`},
		{"x^", "column 3: unexpected end of formula"},
		{"1.5.3", `column 4: unexpected ".3" (missing operator?)`},
		{strings.Repeat("(", 300) + "x" + strings.Repeat(")", 300), "column 201: formula nested too deeply"},
		{strings.Repeat("-", 300) + "x", "column 201: formula nested too deeply"},
	} {
		_, err := Parse(test.src, testVars, testParams)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error %q", test.src, test.want)
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) error %v is a %T, want *SyntaxError", test.src, err, err)
			continue
		}
		if got := err.Error(); got != test.want {
			t.Errorf("Parse(%q) error %q, want %q", test.src, got, test.want)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q) error %q spans several lines", test.src, err)
		}
	}
}

func TestParseVars(t *testing.T) {
	for _, tc := range []struct {
		vars []string
		want string
	}{
		{[]string{"x", "y", "z"}, "expr: 3 variables, at most 2 are supported"},
		{[]string{"x", "x"}, `expr: variable "x" given twice`},
		{[]string{"2x"}, `expr: invalid variable name "2x"`},
		{[]string{""}, `expr: invalid variable name ""`},
		{[]string{"pi"}, `expr: variable name "pi" is reserved`},
		{[]string{"exp"}, `expr: variable name "exp" is reserved`},
		{[]string{"x-y"}, `expr: invalid variable name "x-y"`},
	} {
		_, err := Parse("1", tc.vars, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Parse with variables %q: error %v, want %q", tc.vars, err, tc.want)
		}
	}
	// A 1-D formula: y is then a parameter.
	e, err := Parse("x*y", []string{"x"}, map[string]float64{"y": 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Eval(2, 100); got != 6 {
		t.Errorf("1-D x*y with y = 3 at x = 2: got %v, want 6", got)
	}
	if got := e.Compile()(2, 100); got != 6 {
		t.Errorf("compiled 1-D x*y with y = 3 at x = 2: got %v, want 6", got)
	}
	if _, err := Parse("y", []string{"x"}, nil); err == nil || err.Error() != `column 1: missing parameter "y"` {
		t.Errorf("1-D formula in y: got error %v, want the missing parameter y at column 1", err)
	}
	// Variables may have other names.
	e, err = Parse("u^2 + v", []string{"u", "v"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Eval(3, 1); got != 10 {
		t.Errorf("u^2 + v at (3, 1) = %v, want 10", got)
	}
	if got := e.Deriv("u").String(); got != "2*u" {
		t.Errorf("d/du (u^2 + v) = %q, want 2*u", got)
	}
}

func TestParams(t *testing.T) {
	for _, test := range []struct {
		src  string
		want []string
	}{
		{"x + y", []string{}},
		{"a*x + pi", []string{"a"}},
		{"b*a + a*exp(b*y)", []string{"a", "b"}},
	} {
		e, err := Parse(test.src, testVars, testParams)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Params(); !reflect.DeepEqual(got, test.want) {
			t.Errorf("Parse(%q).Params() = %q, want %q", test.src, got, test.want)
		}
	}
}

func TestReserved(t *testing.T) {
	for name, want := range map[string]bool{"pi": true, "e": true, "exp": true, "sign": true, "x": false, "k": false, "ex": false} {
		if got := Reserved(name); got != want {
			t.Errorf("Reserved(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestConstant(t *testing.T) {
	for _, test := range []struct {
		src  string
		val  float64
		isok bool
	}{
		{"0.3", 0.3, true},
		{"2*a + pi", 2*testParams["a"] + math.Pi, true},
		{"x - x", 0, false},
		{"1 + y", 0, false},
	} {
		e, err := Parse(test.src, testVars, testParams)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := e.Constant()
		if ok != test.isok || v != test.val {
			t.Errorf("Parse(%q).Constant() = %v, %v; want %v, %v", test.src, v, ok, test.val, test.isok)
		}
	}
}

// TestStringRoundTrip checks that String writes random formulas so that
// they parse back to the same tree.
func TestStringRoundTrip(t *testing.T) {
	r := newRand(1)
	for i := 0; i < 2000; i++ {
		src := randFormula(r, 5)
		e, err := Parse(src, testVars, testParams)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		s := e.String()
		e2, err := Parse(s, testVars, testParams)
		if err != nil {
			t.Fatalf("Parse(%q) of String of %q: %v", s, src, err)
		}
		if s2 := e2.String(); s2 != s {
			t.Fatalf("String not stable: %q -> %q -> %q", src, s, s2)
		}
		x, y := r.Float64()*3-1.5, r.Float64()*3-1.5
		if v, v2 := e.Eval(x, y), e2.Eval(x, y); !same(v, v2) {
			t.Fatalf("%q = %v but its String %q = %v at (%v, %v)", src, v, s, v2, x, y)
		}
	}
}
