package gallery

// Helpers of the scenarios' text and figures.

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/plots"
)

// points returns the positions of minima, for markers.
func points(ms []fokkerplanck.Minimum) [][2]float64 {
	out := make([][2]float64, len(ms))
	for i, m := range ms {
		out[i] = [2]float64{m.X[0], m.X[1]}
	}
	return out
}

// fmtPoints formats minima as "(x, y)" pairs.
func fmtPoints(ms []fokkerplanck.Minimum) string {
	var s []string
	for _, m := range ms {
		s = append(s, "("+fixed(m.X[0], 3)+", "+fixed(m.X[1], 3)+")")
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, " and ")
}

// fieldRange returns the smallest finite value of the fields.
func fieldMin(fs ...plots.Field) float64 {
	lo := math.Inf(1)
	for _, f := range fs {
		for _, v := range f.Zs {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo = min(lo, v)
			}
		}
	}
	return lo
}

// fitLine returns the least-squares line y = c0 + c1 x (NaN for fewer
// than two points).
func fitLine(x, y []float64) (c0, c1 float64) {
	if len(x) < 2 {
		return math.NaN(), math.NaN()
	}
	return stat.LinearRegression(x, y, nil, false)
}

// sign returns "−" for a negative number and "+" otherwise.
func sign(v float64) string {
	if v < 0 {
		return "−"
	}
	return "+"
}

// gridDesc describes a grid with its box to three digits.
func gridDesc(g *fokkerplanck.Grid) string {
	return fmt.Sprintf("%d x %d nodes on [%s, %s] x [%s, %s]", g.N[0], g.N[1], g3(g.Min[0]), g3(g.Max[0]), g3(g.Min[1]), g3(g.Max[1]))
}

// g3 formats a number with three significant digits (0 for negative zero).
func g3(v float64) string {
	if v == 0 {
		v = 0 // -0 prints as 0
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// fixed formats v with prec digits after the point, like %.*f, except that
// negative zero and negative values that round to zero print without the
// sign: fixed(-0.0001, 3) is "0.000", never "-0.000".
func fixed(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if rest, neg := strings.CutPrefix(s, "-"); neg && strings.Trim(rest, "0.") == "" {
		return rest
	}
	return s
}
