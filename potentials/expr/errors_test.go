package expr

import (
	"errors"
	"strings"
	"testing"
)

// TestErrorTypes checks that Parse's errors carry their data: the column
// and the formula (*SyntaxError) and, for a missing parameter, its name
// (*ParamError, found by errors.As through the *SyntaxError), and that no
// message names a command-line flag.
func TestErrorTypes(t *testing.T) {
	for _, tc := range []struct {
		src    string
		column int
		param  string // the missing parameter, or "" for a plain syntax error
		text   string
	}{
		{"", 1, "", "column 1: empty formula"},
		{"x*k", 3, "k", `column 3: missing parameter "k"`},
		{"k", 1, "k", `column 1: missing parameter "k"`},
		{"sin(x) + foo", 10, "foo", `column 10: missing parameter "foo"`},
		{"(x + y", 7, "", `column 7: missing ")" for "(" at column 1`},
		{"x + * y", 5, "", `column 5: unexpected "*"`},
		{"foo(x)", 1, "", `column 1: unknown function "foo"`},
		{"2x", 2, "", `column 2: unexpected "x" (missing operator?)`},
	} {
		_, err := Parse(tc.src, testVars, testParams)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q): error %v (%T), want a *SyntaxError", tc.src, err, err)
			continue
		}
		if se.Column != tc.column || se.Input != tc.src {
			t.Errorf("Parse(%q): column %d, input %q; want %d, %q", tc.src, se.Column, se.Input, tc.column, tc.src)
		}
		var pe *ParamError
		switch found := errors.As(err, &pe); {
		case tc.param == "" && found:
			t.Errorf("Parse(%q): a *ParamError %v, want none", tc.src, pe)
		case tc.param != "" && !found:
			t.Errorf("Parse(%q): no *ParamError in %v", tc.src, err)
		case found && pe.Name != tc.param:
			t.Errorf("Parse(%q): parameter %q, want %q", tc.src, pe.Name, tc.param)
		}
		if got := err.Error(); got != tc.text || strings.Contains(got, "--") {
			t.Errorf("Parse(%q): error %q, want %q (and no flag)", tc.src, got, tc.text)
		}
	}
	if got := (&ParamError{Name: "a"}).Error(); got != `missing parameter "a"` {
		t.Errorf("ParamError text %q", got)
	}
}
