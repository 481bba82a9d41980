package plots

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SweepOptions selects what SweepCurves draws.
type SweepOptions struct {
	// X and Y name the columns of the abscissa and the ordinate; both must
	// be numeric.
	X, Y string
	// Hue, if set, names the column whose values tell the curves apart:
	// one curve per distinct value. It may hold text.
	Hue string
	// XLabel, YLabel and HueLabel override the labels made by Label from
	// the column names; Title, if set, is drawn above the plot.
	XLabel, YLabel, HueLabel, Title string
	// LogX and LogY draw the axis in log scale; every drawn value must then
	// be positive.
	LogX, LogY bool
}

// SweepStats counts what SweepCurves drew and what it left out.
type SweepStats struct {
	// Points is the number of points drawn, Curves the number of curves.
	Points, Curves int
	// Failed counts the rows left out because their status is not ok.
	Failed int
	// Missing counts the ok rows left out because x, y or the hue is empty.
	Missing int
}

// glyphs are the marker shapes, cycled together with the palette so that
// curves stay apart in grey scale too.
var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{},
	draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{},
}

// SweepCurves draws column Y of t against column X: one line with markers
// per value of the Hue column (a single curve without Hue), each sorted by
// x. Rows whose status column is not ok are left out and counted. The
// errors are all about the input: an unknown or non-numeric column (the
// message lists the numeric columns), a log axis with values <= 0, or
// nothing left to draw.
func SweepCurves(t *Table, o SweepOptions) (*Figure, SweepStats, error) {
	var st SweepStats
	numeric := strings.Join(t.NumericColumns(), ", ")
	col := func(flag, name string, wantNumeric bool) (int, error) {
		j := t.Column(name)
		if j < 0 {
			return -1, fmt.Errorf("%s %q: no such column; the numeric columns are: %s", flag, name, numeric)
		}
		if wantNumeric && !t.Numeric(j) {
			return -1, fmt.Errorf("%s %q: not a numeric column; the numeric columns are: %s", flag, name, numeric)
		}
		return j, nil
	}
	xj, err := col("x", o.X, true)
	if err != nil {
		return nil, st, err
	}
	yj, err := col("y", o.Y, true)
	if err != nil {
		return nil, st, err
	}
	hj := -1
	if o.Hue != "" {
		if hj, err = col("hue", o.Hue, false); err != nil {
			return nil, st, err
		}
	}

	curves := map[string]plotter.XYs{}
	var hues []string
	for i, r := range t.Rows {
		if !t.okRow(i) {
			st.Failed++
			continue
		}
		h := ""
		if hj >= 0 {
			h = r[hj]
		}
		if r[xj] == "" || r[yj] == "" || (hj >= 0 && h == "") {
			st.Missing++
			continue
		}
		x, _ := parseFinite(r[xj]) // numeric columns parse
		y, _ := parseFinite(r[yj])
		if o.LogX && x <= 0 {
			return nil, st, fmt.Errorf("log x axis: %s has the value %s <= 0 (row %d); drop the log scale", o.X, r[xj], i+1)
		}
		if o.LogY && y <= 0 {
			return nil, st, fmt.Errorf("log y axis: %s has the value %s <= 0 (row %d); drop the log scale", o.Y, r[yj], i+1)
		}
		if _, seen := curves[h]; !seen {
			hues = append(hues, h)
		}
		curves[h] = append(curves[h], plotter.XY{X: x, Y: y})
		st.Points++
	}
	if st.Points == 0 {
		return nil, st, fmt.Errorf("nothing to draw: %d rows, %d failed, %d without %s or %s", len(t.Rows), st.Failed, st.Missing, o.X, o.Y)
	}
	ordered := sortHues(hues)

	p := plot.New()
	p.Title.Text = o.Title
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.Title.Padding = titlePadding
	p.X.Label.Text = cmp.Or(o.XLabel, Label(o.X))
	p.Y.Label.Text = cmp.Or(o.YLabel, Label(o.Y))
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(11)
		a.Tick.Marker = niceTicks{}
		a.Tick.Label.Font.Size = vg.Points(9)
		a.Padding = vg.Points(4)
	}
	if o.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	if o.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 0xE0}
	grid.Horizontal.Color = color.Gray{Y: 0xE0}
	p.Add(grid)

	fig := &Figure{Plot: p, Legend: plot.NewLegend()}
	fig.Legend.TextStyle.Font.Size = vg.Points(10)
	fig.Legend.Left = true
	fig.Legend.Top = true
	fig.Legend.ThumbnailWidth = vg.Points(22)
	fig.Legend.Padding = vg.Points(2)
	colours := HueColours(len(hues), ordered && hj >= 0)
	for k, h := range hues {
		xys := curves[h]
		slices.SortStableFunc(xys, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, st, fmt.Errorf("curve %s = %s: %v", o.Hue, h, err)
		}
		c := colours[k]
		line.Color = c
		line.Width = vg.Points(1.4)
		points.Color = c
		points.Shape = glyphs[k%len(glyphs)]
		points.Radius = vg.Points(2.6)
		p.Add(line, points)
		if hj >= 0 {
			fig.Legend.Add(h, line, points)
		}
	}
	padRange(&p.X, 0.03, o.LogX)
	padRange(&p.Y, 0.06, o.LogY)
	st.Curves = len(hues)
	if hj >= 0 {
		fig.LegendTitle = cmp.Or(o.HueLabel, Label(o.Hue))
	}
	return fig, st, nil
}

// sortHues sorts the hue values numerically when they all are numbers, as
// text otherwise, and reports whether they are numbers (ordered values).
func sortHues(h []string) bool {
	num := make(map[string]float64, len(h))
	for _, s := range h {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) {
			slices.Sort(h)
			return false
		}
		num[s] = v
	}
	slices.SortFunc(h, func(a, b string) int { return cmp.Compare(num[a], num[b]) })
	return true
}

// titlePadding is the room between a plot's title and its frame, so that
// the title does not crowd the data at the top edge.
var titlePadding = vg.Points(7)

// padRange widens the axis's data range by frac of its span on each side
// (in log space on a log axis), so that curves and markers at the extremes
// stay off the frame and the values there fall inside the labelled range.
// A range of a single value gets a span of its own.
func padRange(a *plot.Axis, frac float64, logScale bool) {
	lo, hi := a.Min, a.Max
	if !(hi >= lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return
	}
	if logScale {
		if !(lo > 0) {
			return
		}
		l0, l1 := math.Log10(lo), math.Log10(hi)
		d := (l1 - l0) * frac
		if l1-l0 <= flatSpan*math.Max(math.Abs(l0), math.Abs(l1)) {
			d = 0.1
		}
		a.Min, a.Max = math.Pow(10, l0-d), math.Pow(10, l1+d)
		return
	}
	d := (hi - lo) * frac
	if hi-lo <= flatSpan*math.Max(math.Abs(lo), math.Abs(hi)) {
		// Values equal to round-off (a quantity that does not depend on
		// the swept parameter) are drawn as one value.
		mid := lo + (hi-lo)/2
		d = math.Max(math.Abs(mid)*0.05, 0.5)
		lo, hi = mid, mid
	}
	a.Min, a.Max = lo-d, hi+d
}

// flatSpan is the relative span below which an axis's values count as
// one value: a few hundred ulps.
const flatSpan = 1e-13

// Figure is a plot with its legend drawn beside it, to the right, so that
// the legend never hides a curve.
type Figure struct {
	// Plot is the plot proper: axes, labels and curves.
	Plot *plot.Plot
	// Legend holds the legend entries; without entries none is drawn.
	Legend plot.Legend
	// LegendTitle is drawn above the legend's entries.
	LegendTitle string
}

// Draw draws the figure on c: the legend in a column on the right, as wide
// as its widest entry or title, and the plot in the rest.
func (f *Figure) Draw(c draw.Canvas) {
	if !f.hasLegend() {
		f.Plot.Draw(inset(c, vg.Points(6)))
		return
	}
	pad := vg.Points(6)
	c = inset(c, pad)
	titleStyle := f.Legend.TextStyle
	lr := f.Legend.Rectangle(c)
	width := lr.Max.X - lr.Min.X
	var titleH vg.Length
	if f.LegendTitle != "" {
		tr := titleStyle.Rectangle(f.LegendTitle)
		width = max(width, tr.Max.X-tr.Min.X)
		titleH = titleStyle.Height(f.LegendTitle) + pad/2
	}
	left := c.Max.X - width - pad
	pc := c
	pc.Max.X = left - pad
	f.Plot.Draw(pc)

	top := c.Max.Y
	if f.Plot.Title.Text != "" {
		top -= f.Plot.Title.TextStyle.Height(f.Plot.Title.Text) + f.Plot.Title.Padding
	}
	if f.LegendTitle != "" {
		ts := titleStyle
		ts.YAlign = draw.YTop
		c.FillText(ts, vg.Point{X: left, Y: top}, f.LegendTitle)
	}
	lc := c
	lc.Min.X, lc.Max.X = left, c.Max.X-pad
	lc.Max.Y = top - titleH
	f.Legend.Draw(lc)
}

// hasLegend reports whether the legend has entries.
func (f *Figure) hasLegend() bool {
	r := f.Legend.Rectangle(draw.Canvas{})
	return r.Max.Y-r.Min.Y > 0
}

// inset returns c shrunk by m on every side: a margin that keeps markers
// and labels at the edge of the plot off the edge of the figure.
func inset(c draw.Canvas, m vg.Length) draw.Canvas {
	c.Min.X += m
	c.Min.Y += m
	c.Max.X -= m
	c.Max.Y -= m
	return c
}
