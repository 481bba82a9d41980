package plots

import (
	"image/color"
	"math"

	gpalette "gonum.org/v1/plot/palette"
)

// ColourMap maps [0, 1] to colours by linear interpolation in sRGB between
// equally spaced stops.
type ColourMap []color.NRGBA

// Viridis is the perceptually uniform, colour-blind-safe map of matplotlib
// (van der Walt & Smith, 2015: https://bids.github.io/colormap/), sampled
// at eleven stops; dark blue at 0, yellow at 1. Its lightness rises
// monotonically, so it reads in grey scale too.
var Viridis = ColourMap{
	{0x44, 0x01, 0x54, 0xff}, {0x48, 0x24, 0x75, 0xff}, {0x41, 0x44, 0x87, 0xff},
	{0x35, 0x5f, 0x8d, 0xff}, {0x2a, 0x78, 0x8e, 0xff}, {0x21, 0x91, 0x8c, 0xff},
	{0x22, 0xa8, 0x84, 0xff}, {0x44, 0xbf, 0x70, 0xff}, {0x7a, 0xd1, 0x51, 0xff},
	{0xbd, 0xdf, 0x26, 0xff}, {0xfd, 0xe7, 0x25, 0xff},
}

// At returns the colour at t, clamped to [0, 1]; NaN gives transparent.
func (m ColourMap) At(t float64) color.Color {
	if math.IsNaN(t) {
		return color.Transparent
	}
	t = min(max(t, 0), 1) * float64(len(m)-1)
	k := min(int(t), len(m)-2)
	u := t - float64(k)
	a, b := m[k], m[k+1]
	mix := func(p, q uint8) uint8 { return uint8(math.Round(float64(p)*(1-u) + float64(q)*u)) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), mix(a.A, b.A)}
}

// Palette returns n colours evenly spaced over the map, for
// plotter.HeatMap.
func (m ColourMap) Palette(n int) gpalette.Palette {
	cs := make([]color.Color, n)
	for i := range cs {
		cs[i] = m.At(float64(i) / float64(max(n-1, 1)))
	}
	return colours(cs)
}

type colours []color.Color

func (c colours) Colors() []color.Color { return c }
