package expr

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics, that its errors are
// single-line *SyntaxErrors with a column inside the formula, and that
// whatever parses prints (String) to a formula that parses to the same
// values, compiles to the values of Eval and differentiates without
// panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"x", "1", "-x^2", "(x^2 - 1)^2/4 + y^2/2", "1 + 0.5*x^2", "0.3",
		"exp(-(x^2 + y^2)/2)", "log(1 + x^2)", "sqrt(1 + y^2)", "sin(x)*cos(y)",
		"tan(x) + sinh(y) - cosh(x)/tanh(y)", "abs(x - y)", "sign(x)", "2^3^2",
		"x^-2", "(-x)^3", "--x", "x - -y", "a*x + b", "pi*e", "1e-3 + .5 - 5.",
		"2**x", "x^0.5", "x^y", "x^(a*b)", "1/0", "0/0", "log(-1)", "1e308*10",
		"x^64", "x^65", "x^-64", "(x + y)^4",
		"", " ", "sin(x))", "x*foo(y)", "x*k", "x +", "(x", "2x", "x y", "x, y",
		"1e999", "2e", "é", "\xff", "exp", "exp(x, y)", "((((x))))",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src, testVars, testParams)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): error %v is a %T, want *SyntaxError", src, err, err)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("Parse(%q): error %q spans several lines", src, err)
			}
			if n := utf8.RuneCountInString(src); se.Column < 1 || se.Column > n+1 {
				t.Fatalf("Parse(%q): column %d outside 1..%d", src, se.Column, n+1)
			}
			return
		}
		s := e.String()
		e2, err := Parse(s, testVars, testParams)
		if err != nil {
			t.Fatalf("Parse(%q) of String of %q: %v", s, src, err)
		}
		if s2 := e2.String(); s2 != s {
			t.Fatalf("String not stable: %q -> %q -> %q", src, s, s2)
		}
		points := [][2]float64{{0, 0}, {0.7, -1.3}, {-2, 3}, {1e10, -1e-10}}
		fn := e.Compile()
		for _, p := range points {
			v, v2 := e.Eval(p[0], p[1]), e2.Eval(p[0], p[1])
			if !same(v, v2) {
				t.Fatalf("%q = %v but its String %q = %v at %v", src, v, s, v2, p)
			}
			if c := fn(p[0], p[1]); !same(c, v) {
				t.Fatalf("%q at %v: compiled %v, Eval %v", src, p, c, v)
			}
		}
		e.Simplify()
		for _, v := range testVars {
			d := e.Deriv(v)
			if d.Size() > 1e5 {
				continue
			}
			ds := d.String()
			if _, err := Parse(ds, testVars, testParams); err != nil {
				t.Fatalf("derivative %q of %q does not parse: %v", ds, src, err)
			}
			df := d.Compile()
			for _, p := range points {
				if c, w := df(p[0], p[1]), d.Eval(p[0], p[1]); !same(c, w) {
					t.Fatalf("d/d%s %q = %q at %v: compiled %v, Eval %v", v, src, ds, p, c, w)
				}
			}
		}
	})
}
