package plots

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// VectorField is a vector field on a rectangular grid: (U, V)[j*len(X)+i]
// is the vector at (X[i], Y[j]), arrays of shape (ny, nx) as the steady
// command saves force_x/force_y or current_x/current_y.
type VectorField struct {
	X, Y, U, V []float64
}

// VectorFieldOf returns the vector field of the components u and v, grid
// fields of package fokkerplanck on the same nodes (Grid.Field or
// Grid.Crop of each). The slices are shared, not copied.
func VectorFieldOf(u, v fokkerplanck.GridField) VectorField {
	return VectorField{X: u.X, Y: u.Y, U: u.Z, V: v.Z}
}

// StreamOptions sets the spacing of Streamlines.
type StreamOptions struct {
	// Sep is the separation d_sep between neighbouring lines, in data
	// units; 0 means 1/25 of the larger side of the box.
	Sep float64
	// Test is d_test / d_sep: a line stops when it comes closer than
	// Test*Sep to another line (or to itself, closing a loop); 0 means 0.5.
	Test float64
	// Step is the integration step (arc length); 0 means Sep/10.
	Step float64
	// MinSpeed: a line stops where |v| < MinSpeed * max |v|; 0 means 1e-3.
	MinSpeed float64
}

// Streamline is one line: points in order along the field, with the speed
// |v| at each.
type Streamline struct {
	X, Y, Speed []float64
}

// Streamlines returns evenly spaced streamlines of v by the algorithm of
// B. Jobard and W. Lefer, "Creating evenly-spaced streamlines of arbitrary
// density", Visualization in Scientific Computing '97, Springer, 43–55.
// The field is interpolated bilinearly between nodes and its direction
// v/|v| integrated by the classical Runge–Kutta scheme (RK4) with a fixed
// arc-length step, both ways from each seed. A line stops at the edge of
// the grid, where the speed falls below MinSpeed of its maximum, or where
// it comes closer than d_test = Test*Sep to a point of another line or of
// itself further than 3 Sep back along it (a closed orbit). Seeds are
// taken, as in the paper, at distance Sep on either side of every point of
// the lines already drawn (the first at the fastest node), and accepted
// when no line is closer than Sep; when these run out, the centres of a
// Sep-spaced lattice are tried too, so regions the lines cannot reach are
// covered as well. Lines shorter than 2 Sep are dropped.
func Streamlines(v VectorField, o StreamOptions) ([]Streamline, error) {
	nx, ny := len(v.X), len(v.Y)
	if nx < 2 || ny < 2 || len(v.U) != nx*ny || len(v.V) != nx*ny {
		return nil, fmt.Errorf("streamlines: %d x %d grid with %d and %d values: want shape (ny, nx) for both components", nx, ny, len(v.U), len(v.V))
	}
	x0, x1, y0, y1 := v.X[0], v.X[nx-1], v.Y[0], v.Y[ny-1]
	if o.Sep <= 0 {
		o.Sep = max(x1-x0, y1-y0) / 25
	}
	if o.Test <= 0 {
		o.Test = 0.5
	}
	if o.Step <= 0 {
		o.Step = o.Sep / 10
	}
	if o.MinSpeed <= 0 {
		o.MinSpeed = 1e-3
	}
	vmax, best := 0.0, -1
	for k := range v.U {
		if s := math.Hypot(v.U[k], v.V[k]); s > vmax && finite(s) {
			vmax, best = s, k
		}
	}
	if best < 0 {
		return nil, nil // a vanishing field has no streamlines
	}
	in := interp{v: v}
	sep, dtest := o.Sep, o.Test*o.Sep

	// A lattice of Sep-sized cells holds the points of the accepted lines.
	type pt struct {
		x, y, s float64
		line    int
	}
	gx, gy := int((x1-x0)/sep)+1, int((y1-y0)/sep)+1
	cells := make([][]pt, gx*gy)
	cellOf := func(x, y float64) (int, int) {
		return min(max(int((x-x0)/sep), 0), gx-1), min(max(int((y-y0)/sep), 0), gy-1)
	}
	// near reports whether a point of another line than self lies closer
	// than d to (x, y), or a point of self further than 3 Sep along it.
	own := map[int][]pt{} // the points of the line being traced, by cell
	near := func(x, y, d float64, s float64) bool {
		ci, cj := cellOf(x, y)
		for j := cj - 1; j <= cj+1; j++ {
			for i := ci - 1; i <= ci+1; i++ {
				if i < 0 || j < 0 || i >= gx || j >= gy {
					continue
				}
				for _, p := range cells[j*gx+i] {
					if math.Hypot(p.x-x, p.y-y) < d {
						return true
					}
				}
				for _, p := range own[j*gx+i] {
					if math.Abs(p.s-s) > 3*sep && math.Hypot(p.x-x, p.y-y) < d {
						return true
					}
				}
			}
		}
		return false
	}
	addOwn := func(p pt) {
		ci, cj := cellOf(p.x, p.y)
		own[cj*gx+ci] = append(own[cj*gx+ci], p)
	}
	inside := func(x, y float64) bool { return x >= x0 && x <= x1 && y >= y0 && y <= y1 }
	dir := func(x, y, sign float64) (float64, float64, bool) {
		u, w := in.at(x, y)
		s := math.Hypot(u, w)
		if !(s >= o.MinSpeed*vmax) || !finite(s) {
			return 0, 0, false
		}
		return sign * u / s, sign * w / s, true
	}
	h := o.Step
	// trace integrates from (x, y) one way, adding its points to own.
	trace := func(x, y, sign float64, id int) []pt {
		var out []pt
		s := 0.0
		for n := 0; n < 100000; n++ {
			k1x, k1y, ok1 := dir(x, y, sign)
			k2x, k2y, ok2 := dir(x+h/2*k1x, y+h/2*k1y, sign)
			k3x, k3y, ok3 := dir(x+h/2*k2x, y+h/2*k2y, sign)
			k4x, k4y, ok4 := dir(x+h*k3x, y+h*k3y, sign)
			if !(ok1 && ok2 && ok3 && ok4) {
				break
			}
			xn := x + h/6*(k1x+2*k2x+2*k3x+k4x)
			yn := y + h/6*(k1y+2*k2y+2*k3y+k4y)
			sn := s + sign*h
			if !inside(xn, yn) || near(xn, yn, dtest, sn) {
				break
			}
			x, y, s = xn, yn, sn
			out = append(out, pt{x, y, s, id})
			addOwn(out[len(out)-1])
		}
		return out
	}
	var lines []Streamline
	var pts [][]pt // points of each accepted line, in order
	tryLine := func(x, y float64) bool {
		clear(own)
		if !inside(x, y) || near(x, y, sep, 0) {
			return false
		}
		if _, _, ok := dir(x, y, 1); !ok {
			return false
		}
		id := len(lines)
		seed := pt{x, y, 0, id}
		addOwn(seed)
		fwd := trace(x, y, 1, id)
		back := trace(x, y, -1, id)
		line := make([]pt, 0, len(back)+1+len(fwd))
		for i := len(back) - 1; i >= 0; i-- {
			line = append(line, back[i])
		}
		line = append(line, seed)
		line = append(line, fwd...)
		if float64(len(line)-1)*h < 2*sep {
			return false
		}
		var sl Streamline
		for _, p := range line {
			ci, cj := cellOf(p.x, p.y)
			cells[cj*gx+ci] = append(cells[cj*gx+ci], p)
			u, w := in.at(p.x, p.y)
			sl.X, sl.Y, sl.Speed = append(sl.X, p.x), append(sl.Y, p.y), append(sl.Speed, math.Hypot(u, w))
		}
		lines = append(lines, sl)
		pts = append(pts, line)
		return true
	}
	tryLine(v.X[best%nx], v.Y[best/nx])
	seedFrom := func(q int) {
		line := pts[q]
		for i := 0; i < len(line); i += max(1, int(sep/(2*h))) {
			a, b := line[max(i-1, 0)], line[min(i+1, len(line)-1)]
			tx, ty := b.x-a.x, b.y-a.y
			tn := math.Hypot(tx, ty)
			if tn == 0 {
				continue
			}
			nxv, nyv := -ty/tn, tx/tn
			for _, sg := range []float64{1, -1} {
				tryLine(line[i].x+sg*sep*nxv, line[i].y+sg*sep*nyv)
			}
		}
	}
	for q := 0; q < len(pts); q++ {
		seedFrom(q)
	}
	for j := 0; j < gy; j++ { // cover what the lines cannot reach
		for i := 0; i < gx; i++ {
			if tryLine(x0+(float64(i)+0.5)*sep, y0+(float64(j)+0.5)*sep) {
				for q := len(pts) - 1; q < len(pts); q++ {
					seedFrom(q)
				}
			}
		}
	}
	return lines, nil
}

// interp interpolates a vector field bilinearly between its nodes.
type interp struct{ v VectorField }

func (in interp) at(x, y float64) (float64, float64) {
	X, Y := in.v.X, in.v.Y
	nx := len(X)
	i := locate(X, x)
	j := locate(Y, y)
	tx := (x - X[i]) / (X[i+1] - X[i])
	ty := (y - Y[j]) / (Y[j+1] - Y[j])
	bl := func(u []float64) float64 {
		return (1-ty)*((1-tx)*u[j*nx+i]+tx*u[j*nx+i+1]) + ty*((1-tx)*u[(j+1)*nx+i]+tx*u[(j+1)*nx+i+1])
	}
	return bl(in.v.U), bl(in.v.V)
}

// locate returns i with a[i] <= x < a[i+1], clamped to [0, len(a)-2].
func locate(a []float64, x float64) int {
	lo, hi := 0, len(a)-2
	if x <= a[0] {
		return 0
	}
	if x >= a[hi] {
		return hi
	}
	for lo < hi {
		m := (lo + hi + 1) / 2
		if a[m] <= x {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return lo
}

// StreamPlotOptions selects what StreamPlot draws.
type StreamPlotOptions struct {
	StreamOptions
	// Title, XLabel, YLabel as for PanelOptions.
	Title, XLabel, YLabel string
	// SpeedLabel names the speed in the legend, "speed |b|" for example.
	SpeedLabel string
	// MaxWidth is the width of a line at the largest speed (1.8 pt if 0);
	// the width is proportional to the local speed, never thinner than
	// 0.25 pt so that slow lines stay visible.
	MaxWidth vg.Length
	// Colour is the colour of the lines and arrows (black if nil).
	Colour color.Color
	// Background, if not nil, is drawn below the lines: as a heat map with
	// contours when Heat is true, as contour lines coloured by level (with
	// the colour bar) otherwise. ColourLabel labels its colour bar and
	// Levels chooses its contours as in PanelOptions.
	Background  *Field
	Heat        bool
	ColourLabel string
	Levels      []float64
	// Markers and Orbits are drawn over the lines.
	Markers []Markers
	Orbits  []Polyline
}

// StreamPlot draws evenly spaced streamlines of v (see Streamlines) with
// an arrow head every 5 Sep along each line (at least one) pointing along
// the field. The width of a line is proportional to the local speed |v|
// (not its colour, which stays free for a background); a second legend
// shows the widths of three speeds. The lines are computed at the plot's
// data scale, so the separation is even on the page when the axes are
// equal, as Panel draws them.
func StreamPlot(v VectorField, o StreamPlotOptions) (*Panel, []Streamline, error) {
	lines, err := Streamlines(v, o.StreamOptions)
	if err != nil {
		return nil, nil, err
	}
	fig := &Panel{Legend: newLegend(), Legend2: newLegend()}
	po := PanelOptions{Title: o.Title, XLabel: o.XLabel, YLabel: o.YLabel, ColourLabel: o.ColourLabel, Levels: o.Levels}
	var p *plot.Plot
	if b := o.Background; b != nil {
		bg, err := FieldPanel(*b, po)
		if err != nil {
			return nil, nil, err
		}
		p, fig.Bar = bg.Plots[0], bg.Bar
		if !o.Heat {
			p = newFieldPlot(po)
			levels := o.Levels
			if levels == nil {
				levels = AutoLevels(bg.Bar.Min, bg.Bar.Max, 12)
			}
			bar := bg.Bar
			p.Add(&Contours{Field: *b, Levels: levels, Width: vg.Points(0.9), ColourOf: func(l float64) color.Color {
				return bar.Map.At((l - bar.Min) / (bar.Max - bar.Min))
			}})
		}
	} else {
		p = newFieldPlot(po)
	}
	vmax := 0.0
	for _, l := range lines {
		for _, s := range l.Speed {
			vmax = max(vmax, s)
		}
	}
	sp := &streamPlotter{lines: lines, vmax: vmax, maxW: cmp.Or(o.MaxWidth, vg.Points(1.8)), col: o.Colour, arrowEvery: 5 * sepOf(v, o.StreamOptions)}
	if sp.col == nil {
		sp.col = color.Black
	}
	sp.x0, sp.x1, sp.y0, sp.y1 = v.X[0], v.X[len(v.X)-1], v.Y[0], v.Y[len(v.Y)-1]
	p.Add(sp)
	addOverlays(p, &fig.Legend, map[string]bool{}, o.Markers, o.Orbits)
	fig.Plots = []*plot.Plot{p}
	if vmax > 0 {
		fig.Legend2Title = cmp.Or(o.SpeedLabel, "speed |v|")
		for _, f := range []float64{1, 0.5, 0.1} {
			fig.Legend2.Add(strconv.FormatFloat(f*vmax, 'g', 2, 64), widthThumb{w: sp.width(f * vmax), col: sp.col})
		}
	}
	return fig, lines, nil
}

// sepOf returns the separation Streamlines uses.
func sepOf(v VectorField, o StreamOptions) float64 {
	if o.Sep > 0 {
		return o.Sep
	}
	return max(v.X[len(v.X)-1]-v.X[0], v.Y[len(v.Y)-1]-v.Y[0]) / 25
}

// widthThumb is a legend thumbnail: a horizontal line of a given width,
// over a rim of colour halo when that is set.
type widthThumb struct {
	w         vg.Length
	col, halo color.Color
}

// Thumbnail implements plot.Thumbnailer.
func (t widthThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	if t.halo != nil {
		c.StrokeLine2(draw.LineStyle{Color: t.halo, Width: t.w + haloWidth}, c.Min.X, y, c.Max.X, y)
	}
	c.StrokeLine2(draw.LineStyle{Color: t.col, Width: t.w}, c.Min.X, y, c.Max.X, y)
}

// haloWidth is how much wider than its line a streamline's rim is.
var haloWidth = vg.Points(1.2)

// streamPlotter draws streamlines with width proportional to speed and
// arrow heads, each over a rim of colour halo when that is set (light
// lines over a heat map).
type streamPlotter struct {
	lines          []Streamline
	vmax           float64
	maxW           vg.Length
	col, halo      color.Color
	arrowEvery     float64
	x0, x1, y0, y1 float64
}

func (sp *streamPlotter) width(s float64) vg.Length {
	return max(sp.maxW*vg.Length(s/sp.vmax), vg.Points(0.25))
}

// DataRange implements plot.DataRanger.
func (sp *streamPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	return sp.x0, sp.x1, sp.y0, sp.y1
}

// Plot implements plot.Plotter: each line in runs of points of about the
// same width (eight widths), then the arrow heads.
func (sp *streamPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	tx, ty := plt.Transforms(&c)
	const bins = 8
	for _, l := range sp.lines {
		pts := make([]vg.Point, len(l.X))
		for i := range l.X {
			pts[i] = vg.Point{X: tx(l.X[i]), Y: ty(l.Y[i])}
		}
		bin := func(i int) int { return min(int(l.Speed[i]/sp.vmax*bins), bins-1) }
		// The runs of one width; a rim goes below all of the line's runs,
		// so that it does not cut the line where the width changes.
		type run struct {
			a, b int
			w    vg.Length
		}
		var runs []run
		start := 0
		for i := 1; i <= len(pts); i++ {
			if i == len(pts) || bin(i) != bin(start) {
				runs = append(runs, run{start, min(i, len(pts)-1), sp.width((float64(bin(start)) + 0.5) / bins * sp.vmax)})
				start = i
			}
		}
		if sp.halo != nil {
			for _, r := range runs {
				c.StrokeLines(draw.LineStyle{Color: sp.halo, Width: r.w + haloWidth}, pts[r.a:r.b+1])
			}
		}
		for _, r := range runs {
			c.StrokeLines(draw.LineStyle{Color: sp.col, Width: r.w}, pts[r.a:r.b+1])
		}
		// Arrow heads at arc lengths arrowEvery/2, 3/2 arrowEvery, ...,
		// or in the middle of a short line.
		var s []float64
		total := 0.0
		s = append(s, 0)
		for i := 1; i < len(l.X); i++ {
			total += math.Hypot(l.X[i]-l.X[i-1], l.Y[i]-l.Y[i-1])
			s = append(s, total)
		}
		next := sp.arrowEvery / 2
		if total < sp.arrowEvery {
			next = total / 2
		}
		for i := 1; i < len(l.X); i++ {
			if s[i] < next {
				continue
			}
			next += sp.arrowEvery
			a, b := pts[i-1], pts[i]
			d := math.Hypot(float64(b.X-a.X), float64(b.Y-a.Y))
			if d == 0 {
				continue
			}
			ux, uy := vg.Length(float64(b.X-a.X)/d), vg.Length(float64(b.Y-a.Y)/d)
			size := vg.Points(3) + 1.5*sp.width(l.Speed[i])
			tip := b
			base := vg.Point{X: tip.X - ux*size, Y: tip.Y - uy*size}
			half := size * 0.45
			var p vg.Path
			p.Move(tip)
			p.Line(vg.Point{X: base.X - uy*half, Y: base.Y + ux*half})
			p.Line(vg.Point{X: base.X + uy*half, Y: base.Y - ux*half})
			p.Close()
			if sp.halo != nil {
				c.SetLineStyle(draw.LineStyle{Color: sp.halo, Width: haloWidth})
				c.Stroke(p)
			}
			c.SetColor(sp.col)
			c.Fill(p)
		}
	}
}
