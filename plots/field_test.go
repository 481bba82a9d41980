package plots

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// checkImage decodes the PNG at path and checks its size in pixels and
// that it is not blank: many pixels differ from the corner's colour.
func checkImage(t *testing.T, path string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != w || b.Dy() != h {
		t.Errorf("%s: %d x %d pixels, want %d x %d", filepath.Base(path), b.Dx(), b.Dy(), w, h)
	}
	bg := img.At(b.Min.X, b.Min.Y)
	r0, g0, b0, _ := bg.RGBA()
	differ := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, _ := img.At(x, y).RGBA()
			if r != r0 || g != g0 || bb != b0 {
				differ++
			}
		}
	}
	if differ < b.Dx()*b.Dy()/20 {
		t.Errorf("%s: only %d pixels drawn: blank", filepath.Base(path), differ)
	}
}

// testGrid returns the cell centres of n cells on [lo, hi].
func testGrid(lo, hi float64, n int) []float64 {
	a := make([]float64, n)
	for i := range a {
		a[i] = lo + (float64(i)+0.5)*(hi-lo)/float64(n)
	}
	return a
}

func testField(x, y []float64, fn func(x, y float64) float64) Field {
	z := make([]float64, len(x)*len(y))
	for j, yy := range y {
		for i, xx := range x {
			z[j*len(x)+i] = fn(xx, yy)
		}
	}
	return Field{Xs: x, Ys: y, Zs: z}
}

func TestFieldPanelsImage(t *testing.T) {
	x, y := testGrid(-3, 3, 60), testGrid(-2, 2, 40)
	f := testField(x, y, func(x, y float64) float64 { return x*x/2 + y*y })
	phi := testField(x, y, func(x, y float64) float64 {
		if x*x+y*y > 8 {
			return math.NaN() // blank cells
		}
		return x*x/2 + y*y + x*y/2
	})
	d := make([]float64, len(f.Zs))
	for i := range d {
		d[i] = phi.Zs[i] - f.Zs[i]
	}
	mk := []Markers{{Label: "minima of f", Points: [][2]float64{{0, 0}}}, {Label: "minima of Φ", Points: [][2]float64{{0.1, 0}}}}
	orbit := Polyline{Label: "orbit", X: []float64{-1, 0, 1, 0, -1}, Y: []float64{0, 1, 0, -1, 0}}
	fig, err := FieldPanels([]Field{f, phi, {Xs: x, Ys: y, Zs: d}}, []PanelOptions{
		{Title: "f", ColourLabel: "f, Φ", Markers: mk},
		{Title: "Φ", Markers: mk, Orbits: []Polyline{orbit}},
		{Title: "Φ − f", Markers: mk},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, ext := range []string{"png", "svg", "pdf"} {
		if err := Save(fig, filepath.Join(dir, "p."+ext), Size{WidthCM: 25.4, HeightCM: 7.62, DPI: 100}); err != nil {
			t.Fatal(err)
		}
	}
	checkImage(t, filepath.Join(dir, "p.png"), 1000, 300)

	one, err := FieldPanel(phi, PanelOptions{Title: "Φ", ColourLabel: "Φ"})
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(one, filepath.Join(dir, "one.png"), Size{WidthCM: 10.16, HeightCM: 7.62, DPI: 100}); err != nil {
		t.Fatal(err)
	}
	checkImage(t, filepath.Join(dir, "one.png"), 400, 300)

	if _, err := FieldPanel(Field{Xs: x, Ys: y, Zs: f.Zs[:10]}, PanelOptions{}); err == nil {
		t.Error("wrong shape: no error")
	}
}

func TestContourLinesCircle(t *testing.T) {
	x := testGrid(-2, 2, 80)
	f := testField(x, x, func(x, y float64) float64 { return math.Hypot(x, y) })
	lines := ContourLines(f, 1)
	if len(lines) != 1 {
		t.Fatalf("%d lines, want one closed circle", len(lines))
	}
	l := lines[0]
	for _, p := range l {
		if r := math.Hypot(p[0], p[1]); math.Abs(r-1) > 0.01 {
			t.Fatalf("point %v at radius %g, want 1", p, r)
		}
	}
	if a, b := l[0], l[len(l)-1]; math.Hypot(a[0]-b[0], a[1]-b[1]) > 1e-12 {
		t.Errorf("circle not closed: %v ... %v", a, b)
	}
}

func TestAutoLevels(t *testing.T) {
	got := AutoLevels(0, 1, 5)
	want := []float64{0.2, 0.4, 0.6, 0.8}
	if len(got) != len(want) {
		t.Fatalf("levels %v, want %v", got, want)
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("levels %v, want %v", got, want)
		}
	}
}

// A panel with a scale of its own (Φ − f beside f and Φ) gets its own
// colour bar with its own label and range.
func TestFieldPanelsOwnScale(t *testing.T) {
	f := Field{Xs: []float64{0, 1, 2}, Ys: []float64{0, 1}, Zs: []float64{0, 1, 2, 3, 4, 5}}
	d := Field{Xs: f.Xs, Ys: f.Ys, Zs: []float64{-50, -10, 0, 1, 2, 3}}
	fig, err := FieldPanels([]Field{f, f, d}, []PanelOptions{
		{ColourLabel: "f − min f, Φ"}, {}, {ColourLabel: "Φ − f", OwnScale: true}})
	if err != nil {
		t.Fatal(err)
	}
	if fig.Bar.Min != 0 || fig.Bar.Max != 5 || fig.Bar.Label != "f − min f, Φ" {
		t.Errorf("shared bar %+v, want [0, 5] labelled f − min f, Φ", *fig.Bar)
	}
	if len(fig.MoreBars) != 1 || fig.MoreBars[0].Min != -50 || fig.MoreBars[0].Max != 3 || fig.MoreBars[0].Label != "Φ − f" {
		t.Fatalf("more bars %+v, want one, [-50, 3], labelled Φ − f", fig.MoreBars)
	}
	if err := Save(fig, filepath.Join(t.TempDir(), "p.png"), Size{WidthCM: 20, HeightCM: 6, DPI: 60}); err != nil {
		t.Fatal(err)
	}
}
