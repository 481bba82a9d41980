package plots

import (
	"image/color"
	"math"
)

// qualitative is the palette of curves told apart by a label (text, or
// few values): Okabe–Ito (its yellow left out: too pale on white), then
// Paul Tol's muted wine, indigo, olive and teal, all distinguishable on
// white and in the common forms of colour blindness when the markers'
// shapes differ too.
var qualitative = []color.Color{
	color.RGBA{0x00, 0x72, 0xB2, 0xff}, // blue
	color.RGBA{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	color.RGBA{0x00, 0x9E, 0x73, 0xff}, // bluish green
	color.RGBA{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
	color.RGBA{0xE6, 0x9F, 0x00, 0xff}, // orange
	color.RGBA{0x56, 0xB4, 0xE9, 0xff}, // sky blue
	color.RGBA{0x00, 0x00, 0x00, 0xff}, // black
	color.RGBA{0x88, 0x22, 0x55, 0xff}, // wine
	color.RGBA{0x33, 0x22, 0x88, 0xff}, // indigo
	color.RGBA{0x99, 0x99, 0x33, 0xff}, // olive
	color.RGBA{0x44, 0xAA, 0x99, 0xff}, // teal
}

// palette is the qualitative palette under its historical name.
var palette = qualitative

// sequentialTop is the end of Viridis used for curves: its last stops are
// too pale to read as lines on white.
const sequentialTop = 0.88

// HueColours returns n colours for n curves. Ordered values (numbers, such
// as temperatures) of more than two curves get n colours evenly spaced
// along Viridis from dark blue to yellow-green, so that the colour reads as
// the value; otherwise (text, or one or two curves) the qualitative
// palette, which has 11 distinct colours, and beyond that Viridis too. The
// n colours are always pairwise distinct.
func HueColours(n int, ordered bool) []color.Color {
	out := make([]color.Color, n)
	if n <= 0 {
		return out
	}
	if (!ordered || n <= 2) && n <= len(qualitative) {
		copy(out, qualitative)
		return out
	}
	for i := range out {
		out[i] = Viridis.At(sequentialTop * float64(i) / float64(max(n-1, 1)))
	}
	return out
}

// colourDistance is the Euclidean distance between two colours in 8-bit
// sRGB, for the tests of distinctness.
func colourDistance(a, b color.Color) float64 {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	d := func(p, q uint32) float64 { return float64(int(p>>8) - int(q>>8)) }
	return math.Sqrt(d(r1, r2)*d(r1, r2) + d(g1, g2)*d(g1, g2) + d(b1, b2)*d(b1, b2))
}
