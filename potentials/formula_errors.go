package potentials

import (
	"errors"
	"fmt"
)

// ErrNoLossOrDrift is the error of FromFormulas for formulas with neither
// a loss nor a drift.
var ErrNoLossOrDrift = errors.New("formula model: give a loss or a drift")

// FormulaError is a formula of Formulas that cannot be used.
type FormulaError struct {
	// Field names the formula: "loss", "drift" or "diffusion".
	Field string
	// Err says why: an *expr.SyntaxError (its column counted in the whole
	// field, which it holds as Input; it wraps an *expr.ParamError for a
	// parameter without a value), a *DriftPartsError, a
	// *DiffusionPartsError or an *AsymmetryError.
	Err error
}

// Error returns the cause prefixed by the formula, for example
// `loss formula: column 5: unexpected ")"`.
func (e *FormulaError) Error() string { return e.Field + " formula: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *FormulaError) Unwrap() error { return e.Err }

// DriftPartsError is a drift with a number of ';'-separated components
// other than the dimension.
type DriftPartsError struct {
	// Dim is the model's dimension, Parts the number of components typed.
	Dim, Parts int
	// Commas reports a drift that holds ',': components separated by
	// commas instead of semicolons.
	Commas bool
}

// Error returns, for example, `3 components separated by ";", want 2
// ("B1; B2")`.
func (e *DriftPartsError) Error() string {
	s := fmt.Sprintf("%d components separated by \";\", want %d (%s)", e.Parts, e.Dim, driftForm(e.Dim))
	if e.Commas {
		s += `; separate components with ";", not ","`
	}
	return s
}

// driftForm is the form of a drift of dimension d.
func driftForm(d int) string {
	if d == 1 {
		return `"B1"`
	}
	return `"B1; B2"`
}

// DiffusionPartsError is a diffusion whose entries are neither one
// expression nor, in 2-D, a 2 x 2 matrix "D11, D12; D21, D22".
type DiffusionPartsError struct {
	// Dim is the model's dimension; Entries and Rows count the
	// ','-separated entries and the ';'-separated rows typed.
	Dim, Entries, Rows int
}

// Error returns, for example, `3 entries in 1 rows, want "EXPR" or
// "D11, D12; D21, D22"`.
func (e *DiffusionPartsError) Error() string {
	want := `"EXPR" or "D11, D12; D21, D22"`
	if e.Dim == 1 {
		want = `"D11"`
	}
	return fmt.Sprintf("%d entries in %d rows, want %s", e.Entries, e.Rows, want)
}

// AsymmetryError is a 2-D diffusion whose typed entries D12 and D21
// differ: D must be symmetric.
type AsymmetryError struct {
	// D12 and D21 are the entries as parsed.
	D12, D21 string
	// X and Y are a point where they differ, V12 and V21 their values
	// there.
	X, Y, V12, V21 float64
}

// Error says that D must be symmetric, with the entries and their values
// at the point.
func (e *AsymmetryError) Error() string {
	return fmt.Sprintf("D must be symmetric, but D12 = %s and D21 = %s differ at (x, y) = (%g, %g): %g and %g",
		e.D12, e.D21, e.X, e.Y, e.V12, e.V21)
}
