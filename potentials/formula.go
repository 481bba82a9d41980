package potentials

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/sgdsde/sgdsde/potentials/expr"
)

// Formulas describes a model typed by the user as formulas in the variables
// x (Dim 1) or x and y (Dim 2), in the language of package
// potentials/expr.
type Formulas struct {
	// Dim is the dimension, 1 or 2.
	Dim int
	// Loss is the loss f; it may be empty if Drift is given.
	Loss string
	// Drift is the drift "B1; B2" (1-D: "B1"); empty means b = -grad f,
	// which needs Loss.
	Drift string
	// Diffusion is the diffusion matrix, either "EXPR" (a scalar times the
	// identity) or "D11, D12; D21, D22" (1-D: "D11"); empty means the
	// identity.
	Diffusion string
	// Params holds the values of the parameters the formulas use.
	Params map[string]float64
}

// FromFormulas returns the model given by the formulas f, named "formula".
// Gradients (b = -grad f when no drift is given, and Grad when a loss is)
// and the divergence of the diffusion, (div D)_i = sum_j dD_ij/dx_j, are
// exact: they are computed by symbolic differentiation. For Dim 2 the fast
// paths Drift2 and Diffusion2 are set. The box is [-3, 3]^Dim.
//
// A 2-D diffusion whose typed D12 and D21 differ (as formulas and in value
// somewhere on [-4, 4]^2) is an error. Positive semi-definiteness depends on
// the point and is checked by Model.CheckDiffusion and the integrators. Errors
// are one line. An error in a formula is a *FormulaError that names it, for
// example `loss formula: column 5: unexpected ")"`; with neither a loss nor a
// drift the error is ErrNoLossOrDrift. Every parameter in f.Params must be
// used by some formula.
func FromFormulas(f Formulas) (Model, error) {
	var vars []string
	switch f.Dim {
	case 1:
		vars = []string{"x"}
	case 2:
		vars = []string{"x", "y"}
	default:
		return Model{}, fmt.Errorf("formula model: dimension %d, want 1 or 2", f.Dim)
	}
	d := f.Dim
	hasLoss := strings.TrimSpace(f.Loss) != ""
	hasDrift := strings.TrimSpace(f.Drift) != ""
	if !hasLoss && !hasDrift {
		return Model{}, ErrNoLossOrDrift
	}
	for _, name := range sortedKeys(f.Params) {
		if slices.Contains(vars, name) {
			return Model{}, fmt.Errorf("parameter %q: %s is a variable of the %d-D formulas", name, name, d)
		}
		if expr.Reserved(name) {
			return Model{}, fmt.Errorf("parameter %q: %s is a function or constant of the formula language", name, name)
		}
	}

	used := map[string]bool{}
	// parse parses the piece p of the formula field, whose whole text is
	// all; a syntax error's column is counted in all.
	parse := func(field, all string, p piece) (*expr.Expr, error) {
		e, err := expr.Parse(p.text, vars, f.Params)
		if err != nil {
			var se *expr.SyntaxError
			if errors.As(err, &se) {
				err = &expr.SyntaxError{Column: se.Column + p.offset, Msg: se.Msg, Input: all, Err: se.Err}
			}
			return nil, &FormulaError{Field: field, Err: err}
		}
		for _, name := range e.Params() {
			used[name] = true
		}
		return e, nil
	}

	// The loss and its gradient.
	var loss *expr.Expr
	var grad []*expr.Expr
	if hasLoss {
		var err error
		if loss, err = parse("loss", f.Loss, piece{f.Loss, 0}); err != nil {
			return Model{}, err
		}
		grad = make([]*expr.Expr, d)
		for i, v := range vars {
			grad[i] = loss.Deriv(v)
		}
	}

	// The drift.
	drift := make([]*expr.Expr, d)
	if hasDrift {
		parts := split(piece{f.Drift, 0}, ';')
		if len(parts) != d {
			return Model{}, &FormulaError{Field: "drift", Err: &DriftPartsError{Dim: d, Parts: len(parts), Commas: strings.Contains(f.Drift, ",")}}
		}
		for i, p := range parts {
			var err error
			if drift[i], err = parse("drift", f.Drift, p); err != nil {
				return Model{}, err
			}
		}
	} else {
		for i := range drift {
			drift[i] = expr.Neg(grad[i])
		}
	}

	// The diffusion, entry (i, j) in diff[i*d+j]: a scalar s times the
	// identity, or the d*d entries as typed.
	diff := make([]*expr.Expr, d*d)
	var s *expr.Expr
	if strings.TrimSpace(f.Diffusion) == "" {
		s = expr.Const(1)
	} else {
		rows := split(piece{f.Diffusion, 0}, ';')
		var entries []piece
		for _, r := range rows {
			entries = append(entries, split(r, ',')...)
		}
		switch {
		case len(entries) == 1:
			var err error
			if s, err = parse("diffusion", f.Diffusion, entries[0]); err != nil {
				return Model{}, err
			}
		case d == 2 && len(rows) == 2 && len(entries) == 4 && len(split(rows[0], ',')) == 2:
			for k, p := range entries {
				var err error
				if diff[k], err = parse("diffusion", f.Diffusion, p); err != nil {
					return Model{}, err
				}
			}
		default:
			return Model{}, &FormulaError{Field: "diffusion", Err: &DiffusionPartsError{Dim: d, Entries: len(entries), Rows: len(rows)}}
		}
	}
	scalar := s != nil
	if !scalar && d == 2 {
		if err := checkSymmetric(diff[1], diff[2]); err != nil {
			return Model{}, &FormulaError{Field: "diffusion", Err: err}
		}
	}
	if scalar {
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				diff[i*d+j] = expr.Const(0)
			}
			diff[i*d+i] = s
		}
	}

	for _, name := range sortedKeys(f.Params) {
		if !used[name] {
			return Model{}, fmt.Errorf("unknown parameter %q: no formula uses it", name)
		}
	}

	// (div D)_i = sum_j dD_ij/dx_j.
	div := make([]*expr.Expr, d)
	for i := 0; i < d; i++ {
		div[i] = diff[i*d].Deriv(vars[0])
		for j := 1; j < d; j++ {
			div[i] = expr.Add(div[i], diff[i*d+j].Deriv(vars[j]))
		}
	}

	m := Model{
		Name:    "formula",
		Formula: describe(f, loss, drift, diff, hasDrift, scalar),
		Params:  copyParams(f.Params),
		Dim:     d,
		// Without a typed drift, b = -grad f exactly.
		GradientDrift: !hasDrift,
	}
	if d == 1 {
		b, dd, dv := drift[0].Compile(), diff[0].Compile(), div[0].Compile()
		m.Drift = func(dst, x []float64) { dst[0] = b(x[0], 0) }
		m.Diffusion = func(dst, x []float64) { dst[0] = dd(x[0], 0) }
		m.DivDiffusion = func(dst, x []float64) { dst[0] = dv(x[0], 0) }
		if loss != nil {
			l, g := loss.Compile(), grad[0].Compile()
			m.Loss = func(x []float64) float64 { return l(x[0], 0) }
			m.Grad = func(dst, x []float64) { dst[0] = g(x[0], 0) }
		}
		m.Box = NewBox(-3, 3)
		return m, m.Validate()
	}

	b1, b2 := drift[0].Compile(), drift[1].Compile()
	m.Drift2 = expr.Compile2(drift[0], drift[1])
	m.Drift = func(dst, x []float64) { dst[0], dst[1] = b1(x[0], x[1]), b2(x[0], x[1]) }
	d11, d12, d21, d22 := diff[0].Compile(), diff[1].Compile(), diff[2].Compile(), diff[3].Compile()
	m.Diffusion = func(dst, x []float64) {
		dst[0], dst[1], dst[2], dst[3] = d11(x[0], x[1]), d12(x[0], x[1]), d21(x[0], x[1]), d22(x[0], x[1])
	}
	m.Diffusion2 = diffusion2(diff, scalar)
	v1, v2 := div[0].Compile(), div[1].Compile()
	m.DivDiffusion = func(dst, x []float64) { dst[0], dst[1] = v1(x[0], x[1]), v2(x[0], x[1]) }
	if loss != nil {
		l, g1, g2 := loss.Compile(), grad[0].Compile(), grad[1].Compile()
		m.Loss = func(x []float64) float64 { return l(x[0], x[1]) }
		m.Grad = func(dst, x []float64) { dst[0], dst[1] = g1(x[0], x[1]), g2(x[0], x[1]) }
	}
	m.Box = NewBox(-3, 3, -3, 3)
	return m, m.Validate()
}

// checkSymmetric reports an *AsymmetryError unless the typed entries D12
// and D21 agree: as formulas, or else in value on a 41 x 41 grid over
// [-4, 4]^2 (for example x*y and y*x). The integrators use D12 for both.
func checkSymmetric(d12, d21 *expr.Expr) error {
	if d12.String() == d21.String() {
		return nil
	}
	const n = 41
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			x, y := -4+8*float64(i)/(n-1), -4+8*float64(j)/(n-1)
			a, b := d12.Eval(x, y), d21.Eval(x, y)
			if a == b || (math.IsNaN(a) && math.IsNaN(b)) {
				continue
			}
			if math.Abs(a-b) > 1e-12*math.Max(math.Abs(a), math.Abs(b)) {
				return &AsymmetryError{D12: d12.String(), D21: d21.String(), X: x, Y: y, V12: a, V21: b}
			}
		}
	}
	return nil
}

// diffusion2 returns the 2-D fast path (D11, D12, D22): for a scalar times
// the identity one evaluation of the scalar (none if it is constant),
// otherwise expr.Compile3 of the entries, which evaluates constants,
// variables and affine functions of them and of their squares without a
// call.
func diffusion2(diff []*expr.Expr, scalar bool) func(x, y float64) (float64, float64, float64) {
	if scalar {
		if s, ok := diff[0].Constant(); ok {
			return func(x, y float64) (float64, float64, float64) { return s, 0, s }
		}
		s := diff[0].Compile()
		return func(x, y float64) (float64, float64, float64) {
			v := s(x, y)
			return v, 0, v
		}
	}
	return expr.Compile3(diff[0], diff[1], diff[3])
}

// piece is a part of a formula list and the column offset (in characters)
// of its start in the whole text.
type piece struct {
	text   string
	offset int
}

// split splits p at every sep, keeping column offsets.
func split(p piece, sep byte) []piece {
	var out []piece
	off := p.offset
	for {
		i := strings.IndexByte(p.text, sep)
		if i < 0 {
			return append(out, piece{p.text, off})
		}
		out = append(out, piece{p.text[:i], off})
		off += utf8.RuneCountInString(p.text[:i]) + 1
		p.text = p.text[i+1:]
	}
}

// describe writes the model for listings: the formulas as parsed, and the
// drift derived from the loss.
func describe(f Formulas, loss *expr.Expr, drift, diff []*expr.Expr, typedDrift, scalar bool) string {
	var parts []string
	if loss != nil {
		parts = append(parts, "f = "+loss.String())
	}
	vec := func(es []*expr.Expr) string {
		s := make([]string, len(es))
		for i, e := range es {
			s[i] = e.String()
		}
		if len(s) == 1 {
			return s[0]
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	if typedDrift {
		parts = append(parts, "b = "+vec(drift))
	} else {
		parts = append(parts, "b = -grad f = "+vec(drift))
	}
	switch {
	case strings.TrimSpace(f.Diffusion) == "":
		parts = append(parts, "D = I")
	case scalar:
		parts = append(parts, "D = ("+diff[0].String()+") I")
	default:
		parts = append(parts, fmt.Sprintf("D = [%s, %s; %s, %s]", diff[0], diff[1], diff[2], diff[3]))
	}
	if len(f.Params) > 0 {
		var ps []string
		for _, k := range sortedKeys(f.Params) {
			ps = append(ps, fmt.Sprintf("%s = %g", k, f.Params[k]))
		}
		parts = append(parts, "with "+strings.Join(ps, ", "))
	}
	return strings.Join(parts, "; ")
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// copyParams returns a copy of m, never nil.
func copyParams(m map[string]float64) map[string]float64 {
	c := make(map[string]float64, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
