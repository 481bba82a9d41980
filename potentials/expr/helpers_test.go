package expr

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// testVars and testParams are the variables and parameters of the random
// formulas.
var (
	testVars   = []string{"x", "y"}
	testParams = map[string]float64{"a": 0.8, "b": -1.7}
)

// randFormula returns a random formula of the given depth in x and y. Every
// function is applied where it is smooth and finite on all of R^2 (log and
// sqrt of 1 + u^2, tan of sin u, negative and non-integer powers of
// 1 + u^2), except abs, whose kink is hit with probability zero, and exp,
// sinh and cosh, which may overflow; callers reject points where the value
// is large.
func randFormula(r *rand.Rand, depth int) string {
	if depth == 0 || r.IntN(5) == 0 {
		switch r.IntN(6) {
		case 0, 1:
			return "x"
		case 2, 3:
			return "y"
		case 4:
			return []string{"a", "b", "pi", "e"}[r.IntN(4)]
		default:
			return fmt.Sprint(math.Round((r.Float64()*4-2)*100) / 100)
		}
	}
	a := func() string { return randFormula(r, depth-1) }
	switch r.IntN(22) {
	case 0, 1:
		return "(" + a() + " + " + a() + ")"
	case 2, 3:
		return "(" + a() + " - " + a() + ")"
	case 4, 5:
		return a() + "*" + a()
	case 6:
		return "(" + a() + ")/(1 + (" + a() + ")^2)"
	case 7:
		return a() + "/(2 + cos(" + a() + "))"
	case 8:
		if r.IntN(2) == 0 {
			return "(" + a() + ")^" + fmt.Sprint(r.IntN(5))
		}
		return "(1 + (" + a() + ")^2)^-" + fmt.Sprint(1+r.IntN(2))
	case 9:
		return "(1 + (" + a() + ")^2)^" + []string{"0.5", "-1.5", "1.3", "(-0.25)"}[r.IntN(4)]
	case 10:
		return "(1 + (" + a() + ")^2)^(" + a() + ")"
	case 11:
		return "2^(" + a() + ")"
	case 12:
		return "exp(" + a() + ")"
	case 13:
		return "log(1 + (" + a() + ")^2)"
	case 14:
		return "sqrt(1 + (" + a() + ")^2)"
	case 15:
		return "sin(" + a() + ")"
	case 16:
		return "cos(" + a() + ")"
	case 17:
		return "tan(sin(" + a() + "))"
	case 18:
		return []string{"sinh", "cosh", "tanh"}[r.IntN(3)] + "(" + a() + ")"
	case 19:
		return "abs(" + a() + ")"
	case 20:
		return "-" + a()
	default:
		return "-(" + a() + ")^2"
	}
}

// eps is the machine epsilon of float64, 2^-52: the spacing of the numbers
// in [1, 2), twice the unit round-off u = 2^-53 of one correctly rounded
// operation.
const eps = 0x1p-52

// closeTo reports whether got and want agree to a relative tolerance tol with
// respect to scale, or are both NaN or equal infinities.
func closeTo(got, want, tol, scale float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return math.IsNaN(got) && math.IsNaN(want)
	}
	if math.IsInf(got, 0) || math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol*scale
}

// same reports whether a and b are identical floating-point values (both NaN
// counts as identical).
func same(a, b float64) bool {
	return a == b || math.IsNaN(a) && math.IsNaN(b)
}

// newRand returns a deterministic generator for the given seed.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// maxAbs returns the largest magnitude of the subexpressions of e at (x, y)
// (NaN if one of them is NaN): the scale of the rounding errors in Eval.
func maxAbs(e *Expr, x, y float64) float64 {
	m := math.Abs(e.Eval(x, y))
	if math.IsNaN(m) {
		return m
	}
	for _, c := range []*Expr{e.a, e.b} {
		if c != nil {
			v := maxAbs(c, x, y)
			if math.IsNaN(v) {
				return v
			}
			m = math.Max(m, v)
		}
	}
	return m
}
