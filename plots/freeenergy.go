package plots

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// FreeEnergyOptions selects what FreeEnergyCurve draws.
type FreeEnergyOptions struct {
	// Title, if set, is drawn above the plot.
	Title string
	// XLabel and YLabel label the axes; "time t" and "free energy F" if
	// empty.
	XLabel, YLabel string
	// Label is the legend entry of the curve; without it (and without
	// Marks) no legend is drawn.
	Label string
	// LogY draws F on a log scale. Values <= 0 cannot be drawn there and
	// are left out: the free energy of an evolution towards its steady
	// state ends at the round-off floor, where it may be 0 or a tiny
	// negative number.
	LogY bool
	// Marks are times to mark on the curve (the sample nearest each), such
	// as the times of snapshots, with the legend entry MarksLabel
	// ("snapshots" if empty).
	Marks      []float64
	MarksLabel string
}

// FreeEnergyCurve draws the free energy F against the time t, as an
// evolution saves them (one value per step), with the marked times as
// points on the curve. It fails when t and F differ in length, when a
// time is not finite or the times decrease, or when fewer than two points
// are left to draw.
func FreeEnergyCurve(t, F []float64, o FreeEnergyOptions) (*Figure, error) {
	if len(t) != len(F) {
		return nil, fmt.Errorf("free energy curve: %d times and %d values: want as many", len(t), len(F))
	}
	xys := make(plotter.XYs, 0, len(t))
	for i := range t {
		if !finite(t[i]) {
			return nil, fmt.Errorf("free energy curve: time %d is %g: want finite times", i, t[i])
		}
		if i > 0 && t[i] < t[i-1] {
			return nil, fmt.Errorf("free energy curve: time %d (%g) is before time %d (%g): want increasing times", i, t[i], i-1, t[i-1])
		}
		if !finite(F[i]) || (o.LogY && F[i] <= 0) {
			continue
		}
		y := F[i]
		if o.LogY {
			y = math.Log10(y) // drawn on a linear axis of exponents (see decadeTicks)
		}
		xys = append(xys, plotter.XY{X: t[i], Y: y})
	}
	if len(xys) < 2 {
		if o.LogY {
			return nil, errors.New("free energy curve: fewer than two positive, finite values to draw on a log axis")
		}
		return nil, errors.New("free energy curve: fewer than two finite values to draw")
	}

	p := plot.New()
	p.Title.Text = o.Title
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.Title.Padding = titlePadding
	p.X.Label.Text = cmp.Or(o.XLabel, "time t")
	p.Y.Label.Text = cmp.Or(o.YLabel, Label("free_energy"))
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(11)
		a.Tick.Marker = niceTicks{}
		a.Tick.Label.Font.Size = vg.Points(9)
		a.Padding = vg.Points(4)
	}
	if o.LogY {
		// log10 F on a linear axis with ticks at powers of ten: gonum/plot's
		// LogScale centres the axis label at the arithmetic midpoint of the
		// range, near the top of a log axis, and shrinks the plot to make
		// room for it.
		p.Y.Tick.Marker = decadeTicks{}
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 0xE0}
	grid.Horizontal.Color = color.Gray{Y: 0xE0}
	p.Add(grid)

	line, err := plotter.NewLine(xys)
	if err != nil {
		return nil, fmt.Errorf("free energy curve: %v", err)
	}
	line.Color = palette[0]
	line.Width = vg.Points(1.6)
	p.Add(unpadded{line})

	fig := &Figure{Plot: p, Legend: plot.NewLegend()}
	fig.Legend.TextStyle.Font.Size = vg.Points(10)
	fig.Legend.Left = true
	fig.Legend.Top = true
	fig.Legend.ThumbnailWidth = vg.Points(22)
	fig.Legend.Padding = vg.Points(2)
	if o.Label != "" {
		fig.Legend.Add(o.Label, line)
	}

	var marks plotter.XYs
	for _, m := range o.Marks {
		if !finite(m) {
			continue
		}
		best := -1
		for i, q := range xys {
			if best < 0 || math.Abs(q.X-m) < math.Abs(xys[best].X-m) {
				best = i
			}
		}
		marks = append(marks, xys[best])
	}
	if len(marks) > 0 {
		sc, err := plotter.NewScatter(marks)
		if err != nil {
			return nil, fmt.Errorf("free energy curve: %v", err)
		}
		sc.Shape = draw.CircleGlyph{}
		sc.Color = palette[1]
		sc.Radius = vg.Points(3.2)
		p.Add(unpadded{sc})
		fig.Legend.Add(cmp.Or(o.MarksLabel, "snapshots"), sc)
	}
	// Margins around the data (a fifth of a decade on a log axis) keep the
	// marks inside the frame, so the curve and the marks hide their glyph
	// boxes (unpadded): gonum/plot's padding for them is not needed.
	if o.LogY {
		p.Y.Min, p.Y.Max = p.Y.Min-0.2, p.Y.Max+0.2
	} else if d := p.Y.Max - p.Y.Min; d > 0 {
		p.Y.Min, p.Y.Max = p.Y.Min-0.04*d, p.Y.Max+0.04*d
	}
	if d := p.X.Max - p.X.Min; d > 0 {
		p.X.Min, p.X.Max = p.X.Min-0.015*d, p.X.Max+0.015*d
	}
	return fig, nil
}

// decadeTicks are the ticks of an axis of exponents e = log10 v: a
// labelled major tick at each integer e (every second, third or fourth one
// when the range spans many decades), labelled with 10^e as 0.01, 0.1, 1,
// 10 when the axis stays within 0.001 to 10000 and as 1e-05, 1e+00
// otherwise, and minor ticks at log10(2) to log10(9) above each integer
// when the range spans few decades.
type decadeTicks struct{}

// Ticks implements plot.Ticker.
func (decadeTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	k0, k1 := int(math.Floor(lo)), int(math.Ceil(hi))
	decades := k1 - k0
	every := 1
	switch {
	case decades > 16:
		every = 4
	case decades > 10:
		every = 3
	case decades > 6:
		every = 2
	}
	var ticks []plot.Tick
	labelled := 0
	for k := k0; k <= k1; k++ {
		if e := float64(k); e >= lo-1e-9 && e <= hi+1e-9 {
			t := plot.Tick{Value: e}
			if k%every == 0 {
				t.Label = decadeLabel(k, k0 >= -3 && k1 <= 4)
				labelled++
			}
			ticks = append(ticks, t)
		}
		if decades <= 4 {
			for m := 2; m <= 9; m++ {
				if e := float64(k) + math.Log10(float64(m)); e >= lo && e <= hi {
					ticks = append(ticks, plot.Tick{Value: e})
				}
			}
		}
	}
	if labelled < 2 {
		// Less than a decade: label the values at round steps.
		ticks = ticks[:0]
		for _, t := range (niceTicks{}).Ticks(math.Pow(10, lo), math.Pow(10, hi)) {
			if t.Value > 0 {
				ticks = append(ticks, plot.Tick{Value: math.Log10(t.Value), Label: t.Label})
			}
		}
	}
	return ticks
}

// decadeLabel writes 10^k in decimal (0.001) or, for an axis that spans
// further, in e notation (1e-05).
func decadeLabel(k int, decimal bool) string {
	if decimal {
		return strconv.FormatFloat(math.Pow10(k), 'f', max(0, -k), 64)
	}
	return strconv.FormatFloat(math.Pow10(k), 'e', 0, 64)
}

// unpadded is a plotter with its data range but without glyph boxes, so
// that gonum/plot does not pad the axes for it.
type unpadded struct{ plot.Plotter }

// DataRange implements plot.DataRanger.
func (u unpadded) DataRange() (xmin, xmax, ymin, ymax float64) {
	return u.Plotter.(plot.DataRanger).DataRange()
}
