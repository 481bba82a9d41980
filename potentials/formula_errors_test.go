package potentials

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/potentials/expr"
)

// TestFormulaErrorTypes checks that the errors of FromFormulas carry their
// data: errors.As finds the *FormulaError with the field and its cause,
// the cause holds the numbers, and no message names a command-line flag.
func TestFormulaErrorTypes(t *testing.T) {
	for _, tc := range []struct {
		f     Formulas
		field string
		cause error // the cause with its data; for a syntax error, the *expr.SyntaxError without Err
		param string
	}{
		{Formulas{Dim: 2, Loss: "x^2 + (y"}, "loss", &expr.SyntaxError{Column: 9, Msg: `missing ")" for "(" at column 7`, Input: "x^2 + (y"}, ""},
		{Formulas{Dim: 2, Loss: "a*x^2 + y^2"}, "loss", &expr.SyntaxError{Column: 1, Msg: `missing parameter "a"`, Input: "a*x^2 + y^2"}, "a"},
		{Formulas{Dim: 2, Drift: "-x; -b*y"}, "drift", &expr.SyntaxError{Column: 6, Msg: `missing parameter "b"`, Input: "-x; -b*y"}, "b"},
		{Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0; 0, 1 +* y"}, "diffusion", &expr.SyntaxError{Column: 13, Msg: `unexpected "*"`, Input: "1, 0; 0, 1 +* y"}, ""},
		{Formulas{Dim: 2, Drift: "-x, -y"}, "drift", &DriftPartsError{Dim: 2, Parts: 1, Commas: true}, ""},
		{Formulas{Dim: 1, Drift: "-x; -y"}, "drift", &DriftPartsError{Dim: 1, Parts: 2}, ""},
		{Formulas{Dim: 2, Loss: "x", Diffusion: "1; 0, 0, 1"}, "diffusion", &DiffusionPartsError{Dim: 2, Entries: 4, Rows: 2}, ""},
		{Formulas{Dim: 1, Loss: "x", Diffusion: "1, 2"}, "diffusion", &DiffusionPartsError{Dim: 1, Entries: 2, Rows: 1}, ""},
		{Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0.5; 0, 1"}, "diffusion", &AsymmetryError{D12: "0.5", D21: "0", X: -4, Y: -4, V12: 0.5, V21: 0}, ""},
	} {
		_, err := FromFormulas(tc.f)
		var fe *FormulaError
		if !errors.As(err, &fe) {
			t.Errorf("%+v: error %v (%T), want a *FormulaError", tc.f, err, err)
			continue
		}
		if fe.Field != tc.field {
			t.Errorf("%+v: field %q, want %q", tc.f, fe.Field, tc.field)
		}
		got := fe.Err
		if se, ok := got.(*expr.SyntaxError); ok {
			c := *se
			c.Err = nil
			got = &c
		}
		if !reflect.DeepEqual(got, tc.cause) {
			t.Errorf("%+v: cause %#v, want %#v", tc.f, got, tc.cause)
		}
		var pe *expr.ParamError
		if found := errors.As(err, &pe); found != (tc.param != "") || found && pe.Name != tc.param {
			t.Errorf("%+v: *expr.ParamError %v, want the parameter %q", tc.f, pe, tc.param)
		}
		if want := tc.field + " formula: " + tc.cause.Error(); err.Error() != want || strings.Contains(want, "--") {
			t.Errorf("%+v: error %q, want %q (and no flag)", tc.f, err, want)
		}
	}
	for _, f := range []Formulas{{Dim: 2}, {Dim: 1, Diffusion: "1"}} {
		if _, err := FromFormulas(f); !errors.Is(err, ErrNoLossOrDrift) || strings.Contains(err.Error(), "--") {
			t.Errorf("%+v: error %v, want ErrNoLossOrDrift", f, err)
		}
	}
}
