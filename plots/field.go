package plots

import (
	"cmp"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Field is a scalar field on a rectangular grid, as the steady command
// saves it: Zs[j*len(Xs)+i] is the value at (Xs[i], Ys[j]), an array of
// shape (ny, nx) in row-major order. Xs and Ys are the node coordinates
// (cell centres), increasing. NaN values are left blank.
//
// A Field is a plotter.GridXYZ: column c is x = Xs[c], row r is y = Ys[r],
// so gonum/plot's heat maps and contours draw it as it is.
type Field struct {
	Xs, Ys, Zs []float64
}

var _ plotter.GridXYZ = Field{}

// FieldOf returns the Field of a grid field of package fokkerplanck (a
// whole grid, Grid.Field, or a part of one, Grid.Crop). The slices are
// shared, not copied.
func FieldOf(g fokkerplanck.GridField) Field {
	return Field{Xs: g.X, Ys: g.Y, Zs: g.Z}
}

// Dims returns the numbers of columns (nodes along x) and rows (along y);
// it implements plotter.GridXYZ.
func (f Field) Dims() (c, r int) { return len(f.Xs), len(f.Ys) }

// Z returns the value at column c, row r: at (Xs[c], Ys[r]).
func (f Field) Z(c, r int) float64 { return f.Zs[r*len(f.Xs)+c] }

// X returns the x coordinate of column c.
func (f Field) X(c int) float64 { return f.Xs[c] }

// Y returns the y coordinate of row r.
func (f Field) Y(r int) float64 { return f.Ys[r] }

// CapAt returns a copy of f blank (NaN) above top (fokkerplanck.Cap): a
// background whose colour scale then spans [min, top], so that the
// contours drawn over it stay apart in colour.
func (f Field) CapAt(top float64) *Field {
	return &Field{Xs: f.Xs, Ys: f.Ys, Zs: fokkerplanck.Cap(f.Zs, top)}
}

// check reports whether the field's arrays fit together.
func (f Field) check(name string) error {
	nx, ny := len(f.Xs), len(f.Ys)
	if nx < 2 || ny < 2 {
		return fmt.Errorf("%s: grid %d x %d: want at least 2 x 2 nodes", name, nx, ny)
	}
	if len(f.Zs) != nx*ny {
		return fmt.Errorf("%s: %d values for a %d x %d grid (shape (ny, nx) = (%d, %d))", name, len(f.Zs), nx, ny, ny, nx)
	}
	for _, ax := range [][]float64{f.Xs, f.Ys} {
		for i := 1; i < len(ax); i++ {
			if !(ax[i] > ax[i-1]) {
				return fmt.Errorf("%s: grid coordinates not increasing", name)
			}
		}
	}
	return nil
}

// finiteRange returns the smallest and largest finite value of z; ok is
// false when z holds none.
func finiteRange(z []float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range z {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return lo, hi, lo <= hi
}

// Markers are points drawn over a panel, such as the minima of f or of Phi,
// with an entry in the legend. Marker sets are told apart by shape and
// colour, in order: the first as a filled circle, the second as a cross,
// then triangles, squares and diamonds.
type Markers struct {
	// Label is the legend entry, "minima of f" for example.
	Label string
	// Points are the (x, y) positions.
	Points [][2]float64
}

// Polyline is a curve drawn over a panel, such as an orbit, with an entry
// in the legend when Label is set.
type Polyline struct {
	Label string
	X, Y  []float64
}

// markerStyles are the shapes and colours of successive Markers: each
// drawn over a slightly larger black glyph so that it shows on dark and
// light colours alike.
var markerStyles = []struct {
	shape draw.GlyphDrawer
	fill  color.Color
}{
	{draw.CircleGlyph{}, color.White},
	{draw.CrossGlyph{}, color.RGBA{0xD5, 0x5E, 0x00, 0xff}},
	{draw.PyramidGlyph{}, color.RGBA{0xCC, 0x79, 0xA7, 0xff}},
	{draw.BoxGlyph{}, color.RGBA{0x56, 0xB4, 0xE9, 0xff}},
	{draw.SquareGlyph{}, color.RGBA{0xE6, 0x9F, 0x00, 0xff}},
}

// orbitColours are the colours of successive labelled polylines.
var orbitColours = []color.Color{
	color.RGBA{0xE6, 0x9F, 0x00, 0xff}, // orange
	color.RGBA{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	color.RGBA{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
	color.White,
}

// PanelOptions selects what FieldPanel and FieldPanels draw.
type PanelOptions struct {
	// Title is drawn above the panel, "Φ" or "Φ − f" for example.
	Title string
	// XLabel and YLabel label the axes; "x" and "y" if empty.
	XLabel, YLabel string
	// ColourLabel labels the colour bar, "f, Φ" for example.
	ColourLabel string
	// Min and Max fix the colour scale when Min < Max; otherwise it spans
	// the finite values (of all panels for FieldPanels).
	Min, Max float64
	// Levels are the contour levels; nil chooses about ten round levels
	// over the colour scale, an empty non-nil slice draws no contours.
	Levels []float64
	// Markers and Orbits are drawn over the field, in that order below
	// the markers; each labelled one has a legend entry.
	Markers []Markers
	Orbits  []Polyline
	// OwnScale (FieldPanels, a panel after the first) gives the panel a
	// colour scale of its own: its Min and Max (or its own finite values),
	// its Levels, and a colour bar labelled with its ColourLabel drawn
	// beside the shared one. For Φ − f beside f and Φ, say, whose values
	// are of another kind and range.
	OwnScale bool
}

// Panel is a figure with one or more plots side by side sharing a colour
// bar and a legend, drawn in a column on the right. It implements Drawer.
type Panel struct {
	// Plots are the plots, drawn left to right in equal tiles, each with
	// the aspect ratio of its data so that lengths in x and y agree.
	Plots []*plot.Plot
	// Bar, if not nil, is the colour bar.
	Bar *ColourBar
	// MoreBars are the colour bars of panels with a scale of their own,
	// drawn to the right of Bar.
	MoreBars []*ColourBar
	// Legend holds the legend entries; LegendTitle is drawn above them.
	Legend      plot.Legend
	LegendTitle string
	// Legend2 is a second legend (such as the line widths of speeds), with
	// its title, drawn below the first.
	Legend2      plot.Legend
	Legend2Title string
}

// ColourBar is a vertical bar of a colour map from Min to Max with ticks
// and a label.
type ColourBar struct {
	Min, Max float64
	Label    string
	Map      ColourMap
}

// FieldPanel draws a heat map of f with contour lines, its colour bar and
// the overlays of o.
func FieldPanel(f Field, o PanelOptions) (*Panel, error) {
	return FieldPanels([]Field{f}, []PanelOptions{o})
}

// FieldPanels draws the fields side by side, in one row, on a shared
// colour scale with one colour bar: f, Phi and Phi − f of a steady state
// for example. The colour bar's label, scale and levels are those of the
// first options; titles, axes and overlays are per panel. Markers with
// the same label in several panels have one legend entry.
func FieldPanels(fs []Field, os []PanelOptions) (*Panel, error) {
	if len(fs) == 0 || len(fs) != len(os) {
		return nil, fmt.Errorf("field panels: %d fields and %d options: want as many, at least one", len(fs), len(os))
	}
	for k, f := range fs {
		if err := f.check(cmp.Or(os[k].Title, fmt.Sprintf("panel %d", k+1))); err != nil {
			return nil, err
		}
	}
	// scale returns the colour range and levels of the panels in group.
	scale := func(o PanelOptions, group []int) (lo, hi float64, levels []float64, err error) {
		lo, hi = o.Min, o.Max
		if !(lo < hi) {
			lo, hi = math.Inf(1), math.Inf(-1)
			for _, k := range group {
				if a, b, ok := finiteRange(fs[k].Zs); ok {
					lo, hi = min(lo, a), max(hi, b)
				}
			}
			if lo > hi {
				return 0, 0, nil, errors.New("field panels: no finite value to draw")
			}
			if lo == hi {
				lo, hi = lo-0.5, hi+0.5
			}
		}
		levels = o.Levels
		if levels == nil {
			levels = AutoLevels(lo, hi, 10)
		}
		return lo, hi, levels, nil
	}
	var shared []int
	for k := range fs {
		if k == 0 || !os[k].OwnScale {
			shared = append(shared, k)
		}
	}
	lo, hi, levels, err := scale(os[0], shared)
	if err != nil {
		return nil, err
	}
	fig := &Panel{Bar: &ColourBar{Min: lo, Max: hi, Label: os[0].ColourLabel, Map: Viridis}}
	fig.Legend = newLegend()
	seen := map[string]bool{}
	for k, f := range fs {
		lo, hi, levels := lo, hi, levels
		if k > 0 && os[k].OwnScale {
			if lo, hi, levels, err = scale(os[k], []int{k}); err != nil {
				return nil, fmt.Errorf("%s: %w", cmp.Or(os[k].Title, fmt.Sprintf("panel %d", k+1)), err)
			}
			fig.MoreBars = append(fig.MoreBars, &ColourBar{Min: lo, Max: hi, Label: os[k].ColourLabel, Map: Viridis})
		}
		p := newFieldPlot(os[k])
		hm := plotter.NewHeatMap(f, Viridis.Palette(256))
		hm.Min, hm.Max = lo, hi
		hm.Underflow, hm.Overflow = Viridis.At(0), Viridis.At(1)
		hm.NaN = nil // blank
		hm.Rasterized = true
		p.Add(hm)
		if len(levels) > 0 {
			p.Add(&Contours{Field: f, Levels: levels, Colour: color.NRGBA{0xff, 0xff, 0xff, 0xb0}, Width: vg.Points(0.6)})
		}
		addOverlays(p, &fig.Legend, seen, os[k].Markers, os[k].Orbits)
		fig.Plots = append(fig.Plots, p)
	}
	return fig, nil
}

// newLegend returns an empty legend in the figures' style.
func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font.Size = vg.Points(9)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(18)
	l.Padding = vg.Points(2)
	return l
}

// newFieldPlot returns a plot of a field with labelled axes, no padding
// (the heat map fills the frame) and the options' title.
func newFieldPlot(o PanelOptions) *plot.Plot {
	p := plot.New()
	p.Title.Text = o.Title
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.Title.Padding = titlePadding
	p.X.Label.Text = cmp.Or(o.XLabel, "x")
	p.Y.Label.Text = cmp.Or(o.YLabel, "y")
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(11)
		a.Tick.Marker = niceTicks{}
		a.Tick.Label.Font.Size = vg.Points(8)
		a.Padding = 0
	}
	return p
}

// addOverlays adds the orbits and then the markers to p, with legend
// entries for the labelled ones not yet in seen.
func addOverlays(p *plot.Plot, l *plot.Legend, seen map[string]bool, ms []Markers, orbits []Polyline) {
	for k, o := range orbits {
		n := min(len(o.X), len(o.Y))
		xys := make(plotter.XYs, 0, n)
		for i := 0; i < n; i++ {
			if finite(o.X[i]) && finite(o.Y[i]) {
				xys = append(xys, plotter.XY{X: o.X[i], Y: o.Y[i]})
			}
		}
		if len(xys) < 2 {
			continue
		}
		line, _ := plotter.NewLine(xys)
		line.Color = orbitColours[k%len(orbitColours)]
		line.Width = vg.Points(1.3)
		p.Add(line)
		if o.Label != "" && !seen["orbit:"+o.Label] {
			seen["orbit:"+o.Label] = true
			l.Add(o.Label, line)
		}
	}
	for k, m := range ms {
		var xys plotter.XYs
		for _, q := range m.Points {
			if finite(q[0]) && finite(q[1]) {
				xys = append(xys, plotter.XY{X: q[0], Y: q[1]})
			}
		}
		st := markerStyles[k%len(markerStyles)]
		under, _ := plotter.NewScatter(xys)
		under.Shape = st.shape
		under.Color = color.Black
		under.Radius = vg.Points(5.2)
		if _, cross := st.shape.(draw.CrossGlyph); cross {
			under.Shape = draw.CrossGlyph{}
			under.Radius = vg.Points(4.6)
		}
		over, _ := plotter.NewScatter(xys)
		over.Shape = st.shape
		over.Color = st.fill
		over.Radius = vg.Points(4) // the first (a disc) shows around a later cross
		if _, cross := st.shape.(draw.CrossGlyph); cross {
			under.GlyphStyle.Shape = thickGlyph{draw.CrossGlyph{}, vg.Points(3)}
			over.GlyphStyle.Shape = thickGlyph{draw.CrossGlyph{}, vg.Points(1.4)}
			over.Radius = vg.Points(4)
		}
		if len(xys) > 0 {
			p.Add(under, over)
		}
		if m.Label != "" && !seen["marker:"+m.Label] {
			seen["marker:"+m.Label] = true
			l.Add(m.Label, under, over)
		}
	}
}

// thickGlyph draws a line glyph (a cross) with a given line width.
type thickGlyph struct {
	g     draw.GlyphDrawer
	width vg.Length
}

// DrawGlyph implements draw.GlyphDrawer.
func (t thickGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	ls := draw.LineStyle{Color: sty.Color, Width: t.width}
	c.StrokeLine2(ls, pt.X-r, pt.Y-r, pt.X+r, pt.Y+r)
	c.StrokeLine2(ls, pt.X-r, pt.Y+r, pt.X+r, pt.Y-r)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// AutoLevels returns contour levels at round steps (1, 2 or 5 times a
// power of ten) strictly inside (lo, hi), about n of them.
func AutoLevels(lo, hi float64, n int) []float64 {
	if !(hi > lo) || n < 1 {
		return []float64{}
	}
	step := niceStep((hi - lo) / float64(n))
	var out []float64
	for k := math.Floor(lo/step) + 1; k*step < hi; k++ {
		v := k * step
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		if v > lo {
			out = append(out, v)
		}
	}
	return out
}

// Draw implements Drawer: the plots in equal tiles of one row, each
// shrunk to the aspect ratio of its data, and a column on the right with
// the colour bar, aligned with the plots' frames, and the legends below it.
func (f *Panel) Draw(c draw.Canvas) {
	pad := vg.Points(6)
	c = inset(c, pad)
	colW := f.columnWidth()
	pc := c
	if colW > 0 {
		pc.Max.X -= colW + pad
	}
	tiles := draw.Tiles{Rows: 1, Cols: len(f.Plots), PadX: vg.Points(10)}
	var frame vg.Rectangle
	for k, p := range f.Plots {
		tc := equalAspect(p, tiles.At(pc, k, 0))
		p.Draw(tc)
		dc := p.DataCanvas(tc)
		if k == 0 {
			frame = dc.Rectangle
		} else {
			frame.Min.Y, frame.Max.Y = min(frame.Min.Y, dc.Min.Y), max(frame.Max.Y, dc.Max.Y)
		}
	}
	if colW == 0 {
		return
	}
	col := c
	col.Min.X = c.Max.X - colW
	top := frame.Max.Y
	if f.Bar != nil {
		bh := (frame.Max.Y - frame.Min.Y)
		if f.hasLegend(&f.Legend) || f.hasLegend(&f.Legend2) {
			bh *= 0.65
		}
		bc := col
		for _, b := range append([]*ColourBar{f.Bar}, f.MoreBars...) {
			b.draw(bc, frame.Max.Y-bh, frame.Max.Y)
			bc.Min.X += b.width() + barGap
		}
		top = frame.Max.Y - bh - 3*pad
	}
	for _, l := range []struct {
		l     *plot.Legend
		title string
	}{{&f.Legend, f.LegendTitle}, {&f.Legend2, f.Legend2Title}} {
		if !f.hasLegend(l.l) {
			continue
		}
		if l.title != "" {
			ts := l.l.TextStyle
			ts.YAlign = draw.YTop
			c.FillText(ts, vg.Point{X: col.Min.X, Y: top}, l.title)
			top -= ts.Height(l.title) + pad/2
		}
		lc := col
		lc.Max.Y = top
		l.l.Draw(lc)
		r := l.l.Rectangle(lc)
		top -= r.Max.Y - r.Min.Y + 2*pad
	}
}

// columnWidth is the width of the right column: the widest of the colour
// bar and the legends, 0 when there is none.
func (f *Panel) columnWidth() vg.Length {
	var w vg.Length
	if f.Bar != nil {
		w = f.Bar.width()
		for _, b := range f.MoreBars {
			w += barGap + b.width()
		}
	}
	for _, l := range []struct {
		l     *plot.Legend
		title string
	}{{&f.Legend, f.LegendTitle}, {&f.Legend2, f.Legend2Title}} {
		if !f.hasLegend(l.l) {
			continue
		}
		r := l.l.Rectangle(draw.Canvas{})
		w = max(w, r.Max.X-r.Min.X)
		if l.title != "" {
			tr := l.l.TextStyle.Rectangle(l.title)
			w = max(w, tr.Max.X-tr.Min.X)
		}
	}
	return w
}

func (f *Panel) hasLegend(l *plot.Legend) bool {
	r := l.Rectangle(draw.Canvas{})
	return r.Max.Y-r.Min.Y > 0
}

// equalAspect shrinks c, keeping it centred, so that the data area of p
// drawn in it has the aspect ratio of p's data ranges.
func equalAspect(p *plot.Plot, c draw.Canvas) draw.Canvas {
	dx, dy := p.X.Max-p.X.Min, p.Y.Max-p.Y.Min
	if !(dx > 0) || !(dy > 0) {
		return c
	}
	for range 2 { // the axes' room barely depends on the size: two passes
		dc := p.DataCanvas(c)
		w, h := dc.Max.X-dc.Min.X, dc.Max.Y-dc.Min.Y
		if w <= 0 || h <= 0 {
			return c
		}
		want := vg.Length(dx / dy)
		if w/h > want { // too wide
			cut := w - h*want
			c.Min.X += cut / 2
			c.Max.X -= cut / 2
		} else {
			cut := h - w/want
			c.Min.Y += cut / 2
			c.Max.Y -= cut / 2
		}
	}
	return c
}

// Colour bar geometry.
var (
	barWidth   = vg.Points(10)
	barTickLen = vg.Points(3)
	barGap     = vg.Points(8) // between two colour bars side by side
	barFont    = func() text.Style {
		p := plot.New()
		s := p.X.Tick.Label
		s.Font.Size = vg.Points(8)
		return s
	}()
)

// tickLabels returns the labelled ticks of the bar's range.
func (b *ColourBar) tickLabels() []plot.Tick {
	var out []plot.Tick
	for _, t := range (niceTicks{}).Ticks(b.Min, b.Max) {
		if t.Label != "" && t.Value >= b.Min-1e-9*(b.Max-b.Min) && t.Value <= b.Max+1e-9*(b.Max-b.Min) {
			out = append(out, t)
		}
	}
	return out
}

// labelStyle is the style of the bar's label, rotated to read upwards.
func (b *ColourBar) labelStyle() text.Style {
	s := barFont
	s.Font.Size = vg.Points(10)
	s.Rotation = math.Pi / 2
	s.XAlign = draw.XCenter
	s.YAlign = draw.YTop
	return s
}

// width is the room the bar needs: bar, ticks, tick labels and label.
func (b *ColourBar) width() vg.Length {
	var lw vg.Length
	for _, t := range b.tickLabels() {
		lw = max(lw, barFont.Width(t.Label))
	}
	w := barWidth + barTickLen + vg.Points(2) + lw
	if b.Label != "" {
		s := b.labelStyle()
		s.Rotation = 0
		w += vg.Points(4) + s.Height(b.Label)
	}
	return w
}

// draw draws the bar at the left of c between heights y0 and y1.
func (b *ColourBar) draw(c draw.Canvas, y0, y1 vg.Length) {
	if !(b.Max > b.Min) || y1 <= y0 {
		return
	}
	const n = 256
	img := image.NewNRGBA(image.Rect(0, 0, 1, n))
	for i := 0; i < n; i++ {
		img.Set(0, n-1-i, b.Map.At((float64(i)+0.5)/n))
	}
	x0 := c.Min.X
	r := vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x0 + barWidth, Y: y1}}
	c.DrawImage(r, img)
	c.SetLineStyle(draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)})
	c.Stroke(r.Path())
	var lw vg.Length
	ts := barFont
	ts.XAlign = draw.XLeft // the x axis's tick labels, barFont's origin, are centred
	ts.YAlign = draw.YCenter
	for _, t := range b.tickLabels() {
		y := y0 + (y1-y0)*vg.Length((t.Value-b.Min)/(b.Max-b.Min))
		c.StrokeLine2(draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)}, x0+barWidth, y, x0+barWidth+barTickLen, y)
		c.FillText(ts, vg.Point{X: x0 + barWidth + barTickLen + vg.Points(2), Y: y}, t.Label)
		lw = max(lw, ts.Width(t.Label))
	}
	if b.Label != "" {
		s := b.labelStyle()
		// Rotated by π/2, the text's top faces left: YTop puts it at x.
		x := x0 + barWidth + barTickLen + vg.Points(2) + lw + vg.Points(4)
		c.FillText(s, vg.Point{X: x, Y: (y0 + y1) / 2}, b.Label)
	}
}
