package plots

import (
	"math"
	"path/filepath"
	"testing"
)

func testVectors(x, y []float64, fn func(x, y float64) (float64, float64)) VectorField {
	v := VectorField{X: x, Y: y, U: make([]float64, len(x)*len(y)), V: make([]float64, len(x)*len(y))}
	for j, yy := range y {
		for i, xx := range x {
			v.U[j*len(x)+i], v.V[j*len(x)+i] = fn(xx, yy)
		}
	}
	return v
}

func TestStreamlinesRotation(t *testing.T) {
	x := testGrid(-2, 2, 64)
	v := testVectors(x, x, func(x, y float64) (float64, float64) { return -y, x })
	o := StreamOptions{Sep: 0.2, Test: 0.5}
	lines, err := Streamlines(v, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) < 5 {
		t.Fatalf("%d lines", len(lines))
	}
	// Different lines keep apart: no two points closer than 0.9 d_test.
	dmin := math.Inf(1)
	for a := range lines {
		for b := a + 1; b < len(lines); b++ {
			for i := range lines[a].X {
				for k := range lines[b].X {
					dmin = min(dmin, math.Hypot(lines[a].X[i]-lines[b].X[k], lines[a].Y[i]-lines[b].Y[k]))
				}
			}
		}
	}
	if dmin < 0.9*o.Test*o.Sep {
		t.Errorf("lines %g apart, want >= %g", dmin, 0.9*o.Test*o.Sep)
	}
	// Closed-ish circles: inside the disc the box contains, each line
	// keeps its radius (the field is tangent to circles).
	for k, l := range lines {
		r0 := math.Hypot(l.X[0], l.Y[0])
		for i := range l.X {
			if r := math.Hypot(l.X[i], l.Y[i]); math.Abs(r-r0) > 0.01 {
				t.Fatalf("line %d: radius %g then %g: not a circle", k, r0, r)
			}
		}
		if r0 < 1.5 && r0 > 0.3 {
			gap := math.Hypot(l.X[0]-l.X[len(l.X)-1], l.Y[0]-l.Y[len(l.Y)-1])
			if gap > o.Sep {
				t.Errorf("line %d at radius %.2f: ends %g apart, want a closed loop", k, r0, gap)
			}
		}
	}
	// Coverage: every Sep-cell of the box away from the centre (where the
	// speed vanishes) has a line point within Sep of its centre.
	for cx := -2 + o.Sep/2; cx < 2; cx += o.Sep {
		for cy := -2 + o.Sep/2; cy < 2; cy += o.Sep {
			if math.Hypot(cx, cy) < 2*o.Sep || math.Abs(cx) > 1.9 || math.Abs(cy) > 1.9 {
				continue
			}
			best := math.Inf(1)
			for _, l := range lines {
				for i := range l.X {
					best = min(best, math.Hypot(l.X[i]-cx, l.Y[i]-cy))
				}
			}
			if best > 1.5*o.Sep {
				t.Errorf("cell (%.2f, %.2f): nearest line %g away, want <= %g", cx, cy, best, 1.5*o.Sep)
			}
		}
	}
}

func TestStreamlinesSaddleFollowField(t *testing.T) {
	x := testGrid(-2, 2, 50)
	v := testVectors(x, x, func(x, y float64) (float64, float64) { return x, -y })
	lines, err := Streamlines(v, StreamOptions{Sep: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) < 8 {
		t.Fatalf("%d lines", len(lines))
	}
	worst := 0.0
	for _, l := range lines {
		for i := 1; i < len(l.X); i++ {
			mx, my := (l.X[i]+l.X[i-1])/2, (l.Y[i]+l.Y[i-1])/2
			sx, sy := l.X[i]-l.X[i-1], l.Y[i]-l.Y[i-1]
			// Bilinear interpolation of (x, -y) is exact.
			ang := math.Abs(math.Atan2(sx*(-my)-sy*mx, sx*mx+sy*(-my)))
			worst = max(worst, ang)
		}
	}
	if deg := worst * 180 / math.Pi; deg > 3 {
		t.Errorf("a segment is %.2f degrees off the field", deg)
	}
}

func TestStreamPlotImage(t *testing.T) {
	x := testGrid(-2, 2, 40)
	v := testVectors(x, x, func(x, y float64) (float64, float64) { return -y - 0.3*x, x - 0.3*y })
	phi := testField(x, x, func(x, y float64) float64 { return x*x + y*y })
	dir := t.TempDir()
	for k, heat := range []bool{false, true} {
		fig, lines, err := StreamPlot(v, StreamPlotOptions{
			StreamOptions: StreamOptions{Sep: 0.25}, Title: "b over Φ", SpeedLabel: "speed |b|", ColourLabel: "Φ",
			Background: &phi, Heat: heat, Markers: []Markers{{Label: "minimum of Φ", Points: [][2]float64{{0, 0}}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) == 0 {
			t.Fatal("no lines")
		}
		path := filepath.Join(dir, []string{"c.png", "h.png"}[k])
		if err := Save(fig, path, Size{WidthCM: 12.7, HeightCM: 10.16, DPI: 100}); err != nil {
			t.Fatal(err)
		}
		checkImage(t, path, 500, 400)
	}
	fig, _, err := StreamPlot(v, StreamPlotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(fig, filepath.Join(dir, "plain.svg"), DefaultSize); err != nil {
		t.Fatal(err)
	}
}
