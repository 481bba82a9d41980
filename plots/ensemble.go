package plots

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Trajectory is one recorded trajectory in the plane: (X[t], Y[t]) are its
// recorded states in time order.
type Trajectory struct {
	X, Y []float64
}

// TrajectoryOptions selects what Trajectories draws.
type TrajectoryOptions struct {
	// Title is drawn above the trajectories' panel; XLabel and YLabel label
	// the axes ("x" and "y" if empty).
	Title, XLabel, YLabel string
	// Background, if not nil, is drawn below the trajectories as a heat
	// map with contours and a colour bar labelled ColourLabel ("Φ" if
	// empty); Levels as in PanelOptions. The axes then span its grid.
	Background  *Field
	ColourLabel string
	Levels      []float64
	// Box, if not nil, fixes the axes to [Box[0], Box[1]] x [Box[2],
	// Box[3]] (without Background); otherwise they span the data. Lines
	// are clipped at the frame.
	Box *[4]float64
	// Final, if not empty, adds a second panel to the right: the final
	// states of the ensemble as a scatter of small dots, on the same axes.
	Final [][2]float64
	// Markers (minima, for example) are drawn over every panel.
	Markers []Markers
}

// trajColours are the colours of successive trajectories on a white
// background (Okabe–Ito) and on a heat map (light colours that stand out
// on viridis).
var (
	trajColours = []color.Color{
		color.RGBA{0x00, 0x72, 0xB2, 0xff}, color.RGBA{0xD5, 0x5E, 0x00, 0xff},
		color.RGBA{0x00, 0x9E, 0x73, 0xff}, color.RGBA{0xCC, 0x79, 0xA7, 0xff},
		color.RGBA{0xE6, 0x9F, 0x00, 0xff},
	}
	trajColoursOnHeat = []color.Color{
		color.RGBA{0xff, 0xff, 0xff, 0xff}, color.RGBA{0xE6, 0x9F, 0x00, 0xff},
		color.RGBA{0xff, 0x8f, 0xc8, 0xff}, color.RGBA{0x56, 0xB4, 0xE9, 0xff},
	}
)

// Trajectories draws recorded ensemble trajectories as polylines in a few
// colours, each with a marker at its start (a disc of its colour with a
// black rim), over the optional Phi background, and, when o.Final is set,
// a second panel with the final states. The legend counts the trajectories
// and the final states.
func Trajectories(trs []Trajectory, o TrajectoryOptions) (*Panel, error) {
	if len(trs) == 0 && len(o.Final) == 0 {
		return nil, fmt.Errorf("trajectories: nothing to draw (no trajectory and no final state)")
	}
	if o.Title == "" && len(o.Final) > 0 { // the panels' frames align when both have titles
		o.Title = "trajectories"
	}
	po := PanelOptions{Title: o.Title, XLabel: o.XLabel, YLabel: o.YLabel, ColourLabel: cmp.Or(o.ColourLabel, "Φ"), Levels: o.Levels}
	fig := &Panel{Legend: newLegend()}
	var p, q *plot.Plot
	cols := trajColours
	var x0, x1, y0, y1 float64
	fixed := false
	if b := o.Background; b != nil {
		bg, err := FieldPanels([]Field{*b, *b}, []PanelOptions{po, {Title: "final states", XLabel: o.XLabel, YLabel: o.YLabel}})
		if err != nil {
			return nil, err
		}
		p, q, fig.Bar = bg.Plots[0], bg.Plots[1], bg.Bar
		cols = trajColoursOnHeat
		x0, x1, y0, y1 = p.X.Min, p.X.Max, p.Y.Min, p.Y.Max // the heat map's cells
		fixed = true
	} else {
		p = newFieldPlot(po)
		q = newFieldPlot(PanelOptions{XLabel: o.XLabel, YLabel: o.YLabel})
		if o.Box != nil {
			x0, x1, y0, y1 = o.Box[0], o.Box[1], o.Box[2], o.Box[3]
			fixed = x1 > x0 && y1 > y0
		}
	}
	if !fixed { // the data's range, with a margin
		x0, x1, y0, y1 = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		add := func(x, y float64) {
			if finite(x) && finite(y) {
				x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
			}
		}
		for _, t := range trs {
			for i := range min(len(t.X), len(t.Y)) {
				add(t.X[i], t.Y[i])
			}
		}
		for _, f := range o.Final {
			add(f[0], f[1])
		}
		if !(x0 <= x1) || !(y0 <= y1) {
			return nil, fmt.Errorf("trajectories: no finite point to draw")
		}
		mx, my := 0.04*(x1-x0), 0.04*(y1-y0)
		if mx == 0 {
			mx = 0.5
		}
		if my == 0 {
			my = 0.5
		}
		x0, x1, y0, y1 = x0-mx, x1+mx, y0-my, y1+my
	}

	drawn := 0
	var starts []*plotter.Scatter
	for k, t := range trs {
		n := min(len(t.X), len(t.Y))
		xys := make(plotter.XYs, 0, n)
		for i := range n {
			if finite(t.X[i]) && finite(t.Y[i]) {
				xys = append(xys, plotter.XY{X: t.X[i], Y: t.Y[i]})
			}
		}
		if len(xys) == 0 {
			continue
		}
		col := cols[k%len(cols)]
		if len(xys) > 1 {
			l, _ := plotter.NewLine(xys)
			l.Color = col
			l.Width = vg.Points(0.7)
			p.Add(l)
			if drawn == 0 {
				fig.Legend.Add(fmt.Sprintf("trajectories (%d)", len(trs)), l)
			}
		}
		s, _ := plotter.NewScatter(xys[:1])
		s.Shape = ringDisc{}
		s.Color = col
		s.Radius = vg.Points(3.2)
		starts = append(starts, s)
		drawn++
	}
	for _, s := range starts { // the starts above every line
		p.Add(s)
	}
	if len(starts) > 0 {
		thumb, _ := plotter.NewScatter(plotter.XYs{{}})
		thumb.Shape = ringDisc{}
		thumb.Color = cols[0]
		thumb.Radius = vg.Points(3.2)
		fig.Legend.Add("start", thumb)
	}
	plots := []*plot.Plot{p}
	if len(o.Final) > 0 {
		xys := make(plotter.XYs, 0, len(o.Final))
		for _, f := range o.Final {
			if finite(f[0]) && finite(f[1]) {
				xys = append(xys, plotter.XY{X: f[0], Y: f[1]})
			}
		}
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, fmt.Errorf("final states: %v", err)
		}
		s.Shape = draw.CircleGlyph{}
		// Small, translucent dots: dense regions read darker.
		r := vg.Points(math.Max(0.5, math.Min(1.6, 40/math.Sqrt(float64(len(xys))))))
		s.Radius = r
		if o.Background != nil {
			s.Color = color.NRGBA{0xff, 0xff, 0xff, 0x90}
		} else {
			s.Color = color.NRGBA{0x00, 0x40, 0x80, 0x70}
		}
		q.Title.Text = "final states"
		q.Add(s)
		thumb := *s
		thumb.Radius = vg.Points(2)
		thumb.Color = color.NRGBA{0x00, 0x40, 0x80, 0xd0}
		fig.Legend.Add("final states ("+strconv.Itoa(len(xys))+")", &thumb)
		plots = append(plots, q)
	}
	seen := map[string]bool{}
	for _, pl := range plots {
		addOverlays(pl, &fig.Legend, seen, o.Markers, nil)
		pl.X.Min, pl.X.Max, pl.Y.Min, pl.Y.Max = x0, x1, y0, y1
	}
	fig.Plots = plots
	return fig, nil
}

// ringDisc is a glyph: a disc of the style's colour with a black rim.
type ringDisc struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (ringDisc) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetColor(color.Black)
	draw.CircleGlyph{}.DrawGlyph(c, draw.GlyphStyle{Radius: sty.Radius}, pt)
	c.SetColor(sty.Color)
	draw.CircleGlyph{}.DrawGlyph(c, draw.GlyphStyle{Radius: sty.Radius * 0.68}, pt)
}

// Marginal is the marginal distribution of one coordinate on bins: the
// probability of each bin in the ensemble and in the grid steady state.
type Marginal struct {
	// Label is the coordinate's symbol, "x" or "y".
	Label string
	// Edges are the bin edges, increasing, one more than the bins.
	Edges []float64
	// Ensemble and Grid are the probabilities of the bins (each sums to at
	// most 1: mass outside the bins is left out).
	Ensemble, Grid []float64
}

// MarginalOptions selects what Marginals draws.
type MarginalOptions struct {
	// Title is drawn above the legend ("T = 0.5", say); EnsembleLabel and
	// GridLabel name the two in the legend ("ensemble" and "grid ρ_ss"
	// if empty).
	Title, EnsembleLabel, GridLabel string
}

// Marginals draws one panel per marginal: the ensemble's histogram as bars
// and the grid steady state's marginal on the same bins as a line with
// markers at the bin centres, both as densities (probability over bin
// width) so that unequal bins compare. The legend, on the right, is shared.
func Marginals(ms []Marginal, o MarginalOptions) (*Row, error) {
	if len(ms) == 0 {
		return nil, fmt.Errorf("marginals: none to draw")
	}
	r := &Row{Legend: newLegend(), LegendTitle: o.Title}
	for k, m := range ms {
		nb := len(m.Edges) - 1
		if nb < 1 || len(m.Ensemble) != nb || len(m.Grid) != nb {
			return nil, fmt.Errorf("marginal of %s: %d edges, %d ensemble and %d grid bins: want one edge more than bins, at least one bin", m.Label, len(m.Edges), len(m.Ensemble), len(m.Grid))
		}
		for i := 0; i < nb; i++ {
			if !(m.Edges[i+1] > m.Edges[i]) {
				return nil, fmt.Errorf("marginal of %s: bin edges not increasing", m.Label)
			}
		}
		sym := cmp.Or(m.Label, "x")
		p := newCurvePlot("marginal of "+sym, sym, "density ρ("+sym+")")
		p.Y.Min = 0
		grid := plotter.NewGrid()
		grid.Vertical.Color = color.Gray{Y: 0xE6}
		grid.Horizontal.Color = color.Gray{Y: 0xE6}
		p.Add(grid)
		h := &plotter.Histogram{FillColor: color.NRGBA{0x56, 0xB4, 0xE9, 0xa0},
			LineStyle: draw.LineStyle{Color: color.NRGBA{0x00, 0x72, 0xB2, 0xff}, Width: vg.Points(0.6)}}
		line := make(plotter.XYs, nb)
		for i := 0; i < nb; i++ {
			w := m.Edges[i+1] - m.Edges[i]
			h.Bins = append(h.Bins, plotter.HistogramBin{Min: m.Edges[i], Max: m.Edges[i+1], Weight: m.Ensemble[i] / w})
			line[i] = plotter.XY{X: (m.Edges[i] + m.Edges[i+1]) / 2, Y: m.Grid[i] / w}
		}
		h.Width = (m.Edges[nb] - m.Edges[0]) / float64(nb)
		p.Add(h)
		l, pts, err := plotter.NewLinePoints(line)
		if err != nil {
			return nil, fmt.Errorf("marginal of %s: %v", m.Label, err)
		}
		l.Color = color.Black
		l.Width = vg.Points(1.3)
		pts.Color = color.Black
		pts.Shape = draw.CircleGlyph{}
		pts.Radius = vg.Points(1.6)
		if nb > 60 {
			pts.Radius = 0
		}
		p.Add(l, pts)
		p.X.Min, p.X.Max = m.Edges[0], m.Edges[nb]
		p.Y.Max *= 1.06 // room above the highest bar
		if k == 0 {
			r.Legend.Add(cmp.Or(o.EnsembleLabel, "ensemble"), h)
			r.Legend.Add(cmp.Or(o.GridLabel, "grid ρ_ss"), l, pts)
		}
		r.Plots = append(r.Plots, p)
	}
	return r, nil
}
