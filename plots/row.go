package plots

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var nan = math.NaN()

// Row is a figure of plots side by side in equal tiles, without the equal
// aspect of Panel (for curves and histograms), sharing a legend drawn in a
// column on the right. It implements Drawer.
type Row struct {
	// Plots are drawn left to right.
	Plots []*plot.Plot
	// Legend holds the shared legend entries; LegendTitle is drawn above.
	Legend      plot.Legend
	LegendTitle string
}

// Draw implements Drawer.
func (r *Row) Draw(c draw.Canvas) {
	pad := vg.Points(6)
	c = inset(c, pad)
	lr := r.Legend.Rectangle(draw.Canvas{})
	has := lr.Max.Y-lr.Min.Y > 0
	var colW, titleH vg.Length
	if has {
		colW = lr.Max.X - lr.Min.X
		if r.LegendTitle != "" {
			tr := r.Legend.TextStyle.Rectangle(r.LegendTitle)
			colW = max(colW, tr.Max.X-tr.Min.X)
			titleH = r.Legend.TextStyle.Height(r.LegendTitle) + pad/2
		}
	}
	pc := c
	if has {
		pc.Max.X -= colW + 2*pad
	}
	tiles := draw.Tiles{Rows: 1, Cols: len(r.Plots), PadX: vg.Points(14)}
	top := c.Max.Y
	for k, p := range r.Plots {
		tc := tiles.At(pc, k, 0)
		p.Draw(tc)
		if k == 0 {
			top = p.DataCanvas(tc).Max.Y
		}
	}
	if !has {
		return
	}
	left := c.Max.X - colW
	if r.LegendTitle != "" {
		ts := r.Legend.TextStyle
		ts.YAlign = draw.YTop
		c.FillText(ts, vg.Point{X: left, Y: top}, r.LegendTitle)
	}
	lc := c
	lc.Min.X = left
	lc.Max.Y = top - titleH
	r.Legend.Draw(lc)
}

// newCurvePlot returns a plot for curves: labelled axes with round ticks,
// a light grid and the figures' fonts.
func newCurvePlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.Title.Padding = titlePadding
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(11)
		a.Tick.Marker = niceTicks{}
		a.Tick.Label.Font.Size = vg.Points(8)
		a.Padding = vg.Points(3)
	}
	return p
}
