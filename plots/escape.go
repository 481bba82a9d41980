package plots

import (
	"image/color"
	"math"
	"strconv"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// EscapeTarget is the target of an escape study as its figures draw it: a
// disc (Centre and Radius), or a basin of Phi marked by its minimum (the
// basin's nodes are not saved).
type EscapeTarget struct {
	// Centre and Radius give a disc (an interval in 1-D); Centre is nil
	// for a basin.
	Centre []float64
	Radius float64
	// Basin is the target basin of Phi (-1 for a disc) and Minimum its
	// minimum of Phi (nil if unknown: nothing is marked).
	Basin   int
	Minimum []float64
}

// Escape is an escape study at one temperature (sgdsde escape) as its
// figures need it: the fields on the grid, row-major (ny, nx) as Field,
// the start and the target, and the ensemble's survival curve. Fields
// that were not computed are nil.
type Escape struct {
	// Temperature is T; Phi's contours are drawn over the region of
	// DrawSteady, Phi - min Phi <= fokkerplanck.PhiLevel(T,
	// RegionFraction).
	Temperature float64
	// X and Y are the node coordinates; Y is nil for a 1-D run.
	X, Y []float64
	// Phi is the potential -T log rho of the steady state; Tau the mean
	// first-passage time tau(x) to the target; Committor the committor
	// q(x), the probability to reach the target before the disc about the
	// start.
	Phi, Tau, Committor []float64
	// ReactiveX and ReactiveY are the reactive current of transition-path
	// theory (2-D), and ReactiveDensity the density of reactive
	// trajectories: the current is drawn where the density exceeds
	// ReactiveFloor of its maximum (where Phi's region is without it).
	ReactiveX, ReactiveY, ReactiveDensity []float64
	// From is the start and Target the target.
	From   []float64
	Target EscapeTarget
	// SurvivalTime, Survival and SurvivalStderr are the ensemble's
	// survival curve S(t), the fraction of trajectories that have not yet
	// arrived, and its standard error; Trajectories and Censored count the
	// ensemble and those that had not arrived at its last time (0 if
	// unknown).
	SurvivalTime, Survival, SurvivalStderr []float64
	Trajectories, Censored                 int
	// MFPTGrid is the grid's mean first-passage time from the start,
	// MFPTEM and MFPTEMStderr the ensemble's with its standard error (nil
	// when not computed).
	MFPTGrid, MFPTEM, MFPTEMStderr *float64
}

// ReactiveFloor is the fraction of its maximum above which the density of
// reactive trajectories is not negligible: DrawEscape draws the reactive
// current there only.
const ReactiveFloor = 1e-3

// DrawEscape draws the standard figures of an escape study into dir and
// returns their paths:
//
//   - escape_fields: the mean first-passage time τ(x) and the committor
//     q(x) side by side as heat maps, each on a colour scale of its own,
//     under contour lines of Φ (over Φ's region, as DrawSteady), with the
//     start, the target (its disc, or the minimum of its basin of Φ) and,
//     on q, evenly spaced streamlines of the reactive current J_R (width
//     by speed) where the density of reactive trajectories is not
//     negligible. A 1-D run gives τ(x), q(x) and Φ(x) against x in three
//     panels, one above the other, with the start and the target marked.
//   - escape_survival: the ensemble's survival S(t) with its band of ± 2
//     standard errors on a log axis, against exp(−t/τ) for the grid's τ
//     and the ensemble's (a straight line where the escape is
//     metastable), the legend naming both.
//
// A figure whose data were not computed (no grid: no fields; no ensemble:
// no survival curve) is not drawn. Errors about the data match ErrInput.
func DrawEscape(e *Escape, dir string, o FigureOptions) ([]string, error) {
	// Both figures are built, and their data checked, before either is
	// written.
	type figure struct {
		base string
		fig  Drawer
		size Size
	}
	var figs []figure
	if e.Tau != nil || e.Committor != nil {
		var fig Drawer
		var def Size
		var err error
		if e.Y == nil {
			fig, def, err = escapeFields1D(e, dir)
		} else {
			fig, def, err = escapeFields2D(e)
		}
		if err != nil {
			return nil, err
		}
		figs = append(figs, figure{"escape_fields", fig, def})
	}
	if e.Survival != nil {
		fig, err := escapeSurvival(e, dir)
		if err != nil {
			return nil, err
		}
		figs = append(figs, figure{"escape_survival", fig, DefaultSize})
	}
	if len(figs) == 0 {
		return nil, inputErrorf("%s: the escape run has neither τ, q nor a survival curve to draw", dir)
	}
	var files []string
	for _, f := range figs {
		p, err := o.save(f.fig, dir, f.base, f.size)
		if err != nil {
			return files, err
		}
		files = append(files, p)
	}
	return files, nil
}

// Labels of the escape figures.
const (
	tauTitle       = "mean first-passage time τ(x)"
	tauBar         = "τ (units of t)"
	committorTitle = "committor q(x)"
	committorBar   = "committor q"
)

// field returns the named field z of e on its grid, checked.
func (e *Escape) field(name string, z []float64) (Field, error) {
	f := Field{Xs: e.X, Ys: e.Y, Zs: z}
	if err := f.check(name); err != nil {
		return Field{}, &inputError{err}
	}
	return f, nil
}

// escapeFields2D draws τ and q over Φ's contours, with the start, the
// target and the reactive current.
func escapeFields2D(e *Escape) (Drawer, Size, error) {
	phi, err := e.field("phi", e.Phi)
	if err != nil {
		return nil, Size{}, err
	}
	in := fokkerplanck.PhiRegionMask(phi.Zs, e.Temperature, fokkerplanck.RegionFraction)
	lo, hi := rangeOver(in, phi)
	if !(lo < hi) {
		return nil, Size{}, inputErrorf("phi: Φ has no finite values to draw")
	}
	var fs []Field
	var ps []PanelOptions
	committor := -1
	if e.Tau != nil {
		f, err := e.field("mfpt", e.Tau)
		if err != nil {
			return nil, Size{}, err
		}
		fs = append(fs, f)
		ps = append(ps, PanelOptions{Title: tauTitle, ColourLabel: tauBar, Levels: []float64{}})
	}
	if e.Committor != nil {
		f, err := e.field("committor", e.Committor)
		if err != nil {
			return nil, Size{}, err
		}
		committor = len(fs)
		fs = append(fs, f)
		ps = append(ps, PanelOptions{Title: committorTitle, ColourLabel: committorBar, Min: 0, Max: 1, Levels: []float64{}, OwnScale: committor > 0})
	}
	if committor > 0 {
		ps[committor].YLabel = " " // the y axis is the first panel's
	}
	fig, err := FieldPanels(fs, ps)
	if err != nil {
		return nil, Size{}, &inputError{err}
	}
	fig.Legend2 = newLegend()
	// Φ's contours over its region, thin and translucent so that the heat
	// maps show through.
	// The levels stop short of the region's edge, where the blank nodes
	// would cut a contour into dashes.
	contours := &Contours{Field: blank(phi, in), Levels: AutoLevels(lo, lo+0.8*(hi-lo), 8), Colour: color.NRGBA{0xff, 0xff, 0xff, 0xa0}, Width: vg.Points(0.6)}
	for _, p := range fig.Plots {
		p.Add(contours)
	}
	if committor >= 0 && e.ReactiveX != nil {
		if err := e.reactiveCurrent(fig, fig.Plots[committor], in); err != nil {
			return nil, Size{}, err
		}
	}
	// The start and the target over everything.
	markers, orbits := e.overlays()
	seen := map[string]bool{}
	for _, p := range fig.Plots {
		addOverlays(p, &fig.Legend, seen, markers, nil)
		e.addTargetDisc(p, &fig.Legend, seen, orbits)
	}
	colW := 3.4
	if len(fs) == 2 {
		colW = 4.6
	}
	return rightMargin{fig, vg.Points(5)}, panelSize(len(fs), aspect(phi), colW, 6.5), nil
}

// rightMargin draws a figure with more room on its right: the label of
// the last colour bar, read upwards, puts the descender of a q past the
// width the bar reckons with.
type rightMargin struct {
	d Drawer
	m vg.Length
}

// Draw implements Drawer.
func (r rightMargin) Draw(c draw.Canvas) {
	c.Max.X -= r.m
	r.d.Draw(c)
}

// reactiveCurrent adds the streamlines of the reactive current to p, where
// the density of reactive trajectories is not negligible (in Φ's region
// in without the density), and their widths to fig's second legend.
func (e *Escape) reactiveCurrent(fig *Panel, p *plot.Plot, in []bool) error {
	n := len(e.X) * len(e.Y)
	if len(e.ReactiveX) != n || len(e.ReactiveY) != n {
		return inputErrorf("reactive current: %d and %d values for a %d x %d grid", len(e.ReactiveX), len(e.ReactiveY), len(e.X), len(e.Y))
	}
	mask := in
	if m := e.ReactiveDensity; m != nil {
		if len(m) != n {
			return inputErrorf("reactive density: %d values for a %d x %d grid", len(m), len(e.X), len(e.Y))
		}
		_, top, ok := finiteRange(m)
		if !ok || !(top > 0) {
			return nil // no reactive trajectories: nothing to draw
		}
		mask = make([]bool, n)
		for k, v := range m {
			mask[k] = v > ReactiveFloor*top
		}
	}
	vf := VectorField{X: e.X, Y: e.Y, U: fokkerplanck.Blank(e.ReactiveX, mask), V: fokkerplanck.Blank(e.ReactiveY, mask)}
	lines, err := Streamlines(vf, StreamOptions{})
	if err != nil {
		return &inputError{err}
	}
	vmax := 0.0
	for _, l := range lines {
		for _, s := range l.Speed {
			vmax = max(vmax, s)
		}
	}
	if !(vmax > 0) {
		return nil
	}
	sp := &streamPlotter{lines: lines, vmax: vmax, maxW: vg.Points(1.8), col: color.White, halo: haloColour,
		arrowEvery: 5 * sepOf(vf, StreamOptions{})}
	sp.x0, sp.x1, sp.y0, sp.y1 = e.X[0], e.X[len(e.X)-1], e.Y[0], e.Y[len(e.Y)-1]
	p.Add(sp)
	p.Title.Text = committorTitle + ", reactive current"
	fig.Legend2Title = "reactive current |J|"
	for _, f := range []float64{1, 0.5, 0.1} {
		fig.Legend2.Add(strconv.FormatFloat(f*vmax, 'g', 2, 64), widthThumb{w: sp.width(f * vmax), col: sp.col, halo: sp.halo})
	}
	return nil
}

// haloColour is the dark rim of light lines drawn over heat maps, so that
// they show over viridis' yellow as well as its blue.
var haloColour = color.NRGBA{0x20, 0x20, 0x20, 0xd0}

// overlays returns the markers of the start and of the target's minimum,
// and the target's disc as a closed polyline, for 2-D panels.
func (e *Escape) overlays() ([]Markers, []Polyline) {
	var ms []Markers
	if len(e.From) >= 2 {
		ms = append(ms, Markers{Label: "start x₀", Points: [][2]float64{{e.From[0], e.From[1]}}})
	}
	t := e.Target
	if len(t.Centre) >= 2 && t.Radius > 0 {
		const n = 120
		var c Polyline
		c.Label = "target disc"
		for k := 0; k <= n; k++ {
			a := 2 * math.Pi * float64(k) / n
			c.X = append(c.X, t.Centre[0]+t.Radius*math.Cos(a))
			c.Y = append(c.Y, t.Centre[1]+t.Radius*math.Sin(a))
		}
		return ms, []Polyline{c}
	}
	if len(t.Minimum) >= 2 {
		ms = append(ms, Markers{Label: "target: minimum of basin " + strconv.Itoa(t.Basin) + " of Φ", Points: [][2]float64{{t.Minimum[0], t.Minimum[1]}}})
	}
	return ms, nil
}

// addTargetDisc draws the target's disc on p, white over a dark rim so
// that it shows on any colour of the heat map, with one legend entry.
func (e *Escape) addTargetDisc(p *plot.Plot, l *plot.Legend, seen map[string]bool, discs []Polyline) {
	for _, d := range discs {
		xys := make(plotter.XYs, len(d.X))
		for i := range d.X {
			xys[i] = plotter.XY{X: d.X[i], Y: d.Y[i]}
		}
		rim, _ := plotter.NewLine(xys)
		rim.Color, rim.Width = haloColour, vg.Points(2.8)
		line, _ := plotter.NewLine(xys)
		line.Color, line.Width = color.White, vg.Points(1.4)
		p.Add(rim, line)
		if !seen["disc:"+d.Label] {
			seen["disc:"+d.Label] = true
			l.Add(d.Label, haloLine{color.White})
		}
	}
}

// escapeFields1D draws τ(x), q(x) and Φ(x) one above the other.
func escapeFields1D(e *Escape, dir string) (Drawer, Size, error) {
	x := e.X
	n := len(x)
	if n < 2 {
		return nil, Size{}, inputErrorf("%s: x.npy has %d nodes: want at least 2", dir, n)
	}
	type curveSpec struct {
		name, title, ylabel string
		y                   []float64
		col                 color.Color
	}
	var cs []curveSpec
	if e.Tau != nil {
		cs = append(cs, curveSpec{"mfpt", tauTitle, tauBar, e.Tau, palette[0]})
	}
	if e.Committor != nil {
		cs = append(cs, curveSpec{"committor", committorTitle, committorBar, e.Committor, palette[2]})
	}
	cs = append(cs, curveSpec{"phi", "potential Φ(x) = −T log ρ", "Φ", e.Phi, color.Black})
	st := &stack{Legend: newLegend()}
	// Φ over its region, so that the walls do not flatten the wells.
	cut := math.Inf(1)
	if e.Temperature > 0 {
		lo, _, _ := finiteRange(e.Phi)
		cut = lo + fokkerplanck.PhiLevel(e.Temperature, fokkerplanck.RegionFraction)*1.2
	}
	for k, c := range cs {
		if len(c.y) != n {
			return nil, Size{}, inputErrorf("%s: %s.npy has %d values for %d nodes", dir, c.name, len(c.y), n)
		}
		xlabel := ""
		if k == len(cs)-1 {
			xlabel = "x"
		}
		p := newCurvePlot(c.title, xlabel, c.ylabel)
		grid(p)
		xys := make(plotter.XYs, 0, n)
		for i := range x {
			if finite(c.y[i]) && (c.name != "phi" || c.y[i] <= cut) {
				xys = append(xys, plotter.XY{X: x[i], Y: c.y[i]})
			}
		}
		if len(xys) < 2 {
			return nil, Size{}, inputErrorf("%s: %s.npy has fewer than 2 finite values to draw", dir, c.name)
		}
		l, _ := plotter.NewLine(xys)
		l.Color, l.Width = c.col, vg.Points(1.4)
		p.Add(l)
		if c.name == "committor" {
			p.Y.Min, p.Y.Max = 0, 1
		}
		p.X.Min, p.X.Max = x[0], x[n-1]
		st.Plots = append(st.Plots, p)
	}
	// The start and the target in every panel, as vertical lines (and the
	// target's interval shaded), after the curves have set the y ranges.
	for k, p := range st.Plots {
		y0, y1 := p.Y.Min, p.Y.Max
		if t := e.Target; len(t.Centre) >= 1 && t.Radius > 0 {
			a, b := max(t.Centre[0]-t.Radius, x[0]), min(t.Centre[0]+t.Radius, x[n-1])
			band, _ := plotter.NewPolygon(plotter.XYs{{X: a, Y: y0}, {X: b, Y: y0}, {X: b, Y: y1}, {X: a, Y: y1}})
			band.Color = color.NRGBA{0xD5, 0x5E, 0x00, 0x30}
			band.LineStyle.Width = 0
			p.Add(band)
			if k == 0 {
				st.Legend.Add("target interval", band)
			}
		} else if len(t.Minimum) >= 1 {
			l := vline(t.Minimum[0], y0, y1, color.RGBA{0xD5, 0x5E, 0x00, 0xff}, []vg.Length{vg.Points(1.5), vg.Points(2)})
			p.Add(l)
			if k == 0 {
				st.Legend.Add("target: minimum of basin "+strconv.Itoa(t.Basin)+" of Φ", l)
			}
		}
		if len(e.From) >= 1 {
			l := vline(e.From[0], y0, y1, color.Black, dashes)
			p.Add(l)
			if k == 0 {
				st.Legend.Add("start x₀", l)
			}
		}
		p.Y.Min, p.Y.Max = y0, y1
	}
	return st, Size{WidthCM: 15, HeightCM: 4 + 3.6*float64(len(st.Plots))}, nil
}

// vline is a vertical line at x from y0 to y1.
func vline(x, y0, y1 float64, col color.Color, dash []vg.Length) *plotter.Line {
	l, _ := plotter.NewLine(plotter.XYs{{X: x, Y: y0}, {X: x, Y: y1}})
	l.Color, l.Width, l.Dashes = col, vg.Points(1), dash
	return l
}

// escapeSurvival draws the ensemble's survival S(t) with its band of ± 2
// standard errors on a log axis, against exp(-t/tau) for the grid's and
// the ensemble's tau.
func escapeSurvival(e *Escape, dir string) (Drawer, error) {
	t, s, se := e.SurvivalTime, e.Survival, e.SurvivalStderr
	if len(t) != len(s) || len(se) != len(s) {
		return nil, inputErrorf("%s: survival.csv has %d times, %d values and %d standard errors", dir, len(t), len(s), len(se))
	}
	// The axes: from t = 0 to the first time no trajectory is left (the
	// last time if some were censored), down to half the smallest
	// positive S (the resolution 1/N of the ensemble).
	floor, tEnd := math.Inf(1), math.Inf(-1)
	for i := range s {
		if !finite(t[i]) || !finite(s[i]) {
			continue
		}
		tEnd = max(tEnd, t[i])
		if s[i] > 0 {
			floor = min(floor, s[i])
		} else {
			break
		}
	}
	if math.IsInf(floor, 1) || !(tEnd > 0) {
		return nil, inputErrorf("%s: survival.csv has no positive survival after t = 0 to draw", dir)
	}
	floor /= 2
	title := "survival of the ensemble: S(t) = P(not arrived by t)"
	if e.Temperature > 0 {
		title += ", T = " + strconv.FormatFloat(e.Temperature, 'g', 4, 64)
	}
	p := newCurvePlot(title, "time t", "survival S(t)")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = inRange{logTicks{}}
	grid(p)
	clip := func(v float64) float64 { return min(max(v, floor), 1) }
	// The band and the curve.
	var xys, lo, hi plotter.XYs
	for i := range s {
		if !finite(t[i]) || !finite(s[i]) || t[i] > tEnd {
			continue
		}
		if s[i] > 0 {
			xys = append(xys, plotter.XY{X: t[i], Y: s[i]})
		}
		if w := se[i]; finite(w) {
			lo = append(lo, plotter.XY{X: t[i], Y: clip(s[i] - 2*w)})
			hi = append(hi, plotter.XY{X: t[i], Y: clip(s[i] + 2*w)})
		}
	}
	p.Legend = newLegend()
	p.Legend.Left = false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), -vg.Points(4)
	ens := "ensemble S(t) ± 2 s.e."
	if e.Trajectories > 0 {
		ens += " (" + strconv.Itoa(e.Trajectories) + " trajectories"
		if e.Censored > 0 {
			ens += ", " + strconv.Itoa(e.Censored) + " censored"
		}
		ens += ")"
	}
	var band *plotter.Polygon
	if len(lo) > 1 {
		ring := append(plotter.XYs{}, lo...)
		for i := len(hi) - 1; i >= 0; i-- {
			ring = append(ring, hi[i])
		}
		band, _ = plotter.NewPolygon(ring)
		band.Color = color.NRGBA{0x00, 0x72, 0xB2, 0x38}
		band.LineStyle.Width = 0
		p.Add(band)
	}
	if len(xys) > 0 {
		l, pts, _ := plotter.NewLinePoints(xys)
		l.Color, l.Width = runColour, vg.Points(1.3)
		pts.Color, pts.Shape, pts.Radius = runColour, draw.CircleGlyph{}, vg.Points(1.6)
		p.Add(l, pts)
		if band != nil {
			p.Legend.Add(ens, band, l, pts)
		} else {
			p.Legend.Add(ens, l, pts)
		}
	}
	// exp(-t/tau) for each tau, clipped at the floor.
	for _, c := range []struct {
		tau, se *float64
		what    string
		col     color.Color
		dash    []vg.Length
	}{
		{e.MFPTGrid, nil, "grid", nullColour, dashes},
		{e.MFPTEM, e.MFPTEMStderr, "ensemble", palette[2], []vg.Length{vg.Points(1.2), vg.Points(1.8)}},
	} {
		if c.tau == nil || !(*c.tau > 0) || !finite(*c.tau) {
			continue
		}
		tau := *c.tau
		tCut := min(tEnd, tau*math.Log(1/floor))
		const m = 200
		xy := make(plotter.XYs, 0, m+1)
		for k := 0; k <= m; k++ {
			x := tCut * float64(k) / m
			xy = append(xy, plotter.XY{X: x, Y: math.Exp(-x / tau)})
		}
		l, _ := plotter.NewLine(xy)
		l.Color, l.Width, l.Dashes = c.col, vg.Points(1.4), c.dash
		p.Add(l)
		label := "exp(−t/τ), " + c.what + " τ = " + strconv.FormatFloat(tau, 'g', 4, 64)
		if c.se != nil && finite(*c.se) {
			label += " ± " + strconv.FormatFloat(*c.se, 'g', 2, 64)
		}
		p.Legend.Add(label, l)
	}
	p.X.Min, p.X.Max = 0, tEnd
	p.Y.Min, p.Y.Max = floor, 1
	return p, nil
}

// stack is a figure of plots one above the other, sharing the x axis,
// with their data areas aligned, below a legend drawn across the top
// (curves against x leave no corner free of them). On a canvas too low
// for that (a size given by the user), the plots go side by side, each
// with its x label. It implements Drawer.
type stack struct {
	Plots  []*plot.Plot
	Legend plot.Legend
}

// minStackHeight is the least height of a plot of a stack drawn one above
// the other.
var minStackHeight = vg.Points(85)

// Draw implements Drawer.
func (s *stack) Draw(c draw.Canvas) {
	pad := vg.Points(6)
	c = inset(c, pad)
	pc := c
	if lr := s.Legend.Rectangle(draw.Canvas{}); lr.Max.Y-lr.Min.Y > 0 {
		lc := c
		lc.Min.X += vg.Points(40) // about the y axis' room: over the data
		s.Legend.Draw(lc)
		pc.Max.Y -= lr.Max.Y - lr.Min.Y + pad
	}
	n := len(s.Plots)
	grid := make([][]*plot.Plot, n)
	for k, p := range s.Plots {
		grid[k] = []*plot.Plot{p}
	}
	tiles := draw.Tiles{Rows: n, Cols: 1, PadY: vg.Points(8)}
	if (pc.Max.Y-pc.Min.Y)/vg.Length(n) < minStackHeight {
		grid = [][]*plot.Plot{s.Plots}
		tiles = draw.Tiles{Rows: 1, Cols: n, PadX: vg.Points(14)}
		x := s.Plots[n-1].X.Label.Text
		for _, p := range s.Plots {
			defer func(p *plot.Plot, l string) { p.X.Label.Text = l }(p, p.X.Label.Text)
			p.X.Label.Text = x
		}
	}
	cs := plot.Align(grid, tiles, pc)
	for j, row := range grid {
		for i, p := range row {
			p.Draw(cs[j][i])
		}
	}
}

// inRange keeps the ticks of a ticker inside the axis' range: a tick
// label beyond it (plot.LogTicks gives the next powers of ten) would make
// the plot pad its data area to hold the label.
type inRange struct{ plot.Ticker }

// Ticks implements plot.Ticker.
func (r inRange) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range r.Ticker.Ticks(lo, hi) {
		if t.Value >= lo*(1-1e-9) && t.Value <= hi*(1+1e-9) {
			out = append(out, t)
		}
	}
	return out
}
