package fokkerplanck

import (
	"errors"
	"math"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

func TestSaddleHeight(t *testing.T) {
	dw := func(x, y float64) float64 { return (x*x-1)*(x*x-1)/4 + y*y/2 }
	g1, err := NewGrid(potentials.NewBox(-2, 2), []int{101}, false)
	if err != nil {
		t.Fatal(err)
	}
	g2, err := NewGrid(potentials.NewBox(-2, 2, -1.5, 1.5), []int{81, 61}, false)
	if err != nil {
		t.Fatal(err)
	}
	field := func(g *Grid, f func(x, y float64) float64) []float64 {
		u := make([]float64, g.Len())
		x := make([]float64, g.Dim)
		for i := range u {
			g.Point(x, i)
			y := 0.0
			if g.Dim == 2 {
				y = x[1]
			}
			u[i] = f(x[0], y)
		}
		return u
	}
	near := func(g *Grid, x ...float64) []int { return []int{g.Nearest(x)} }
	u1, u2 := field(g1, dw), field(g2, dw)
	// A wall of NaN (Phi where rho underflows) across the 2-D box at x = 0.
	walled := append([]float64(nil), u2...)
	for j := range g2.N[1] {
		walled[j*g2.N[0]+g2.N[0]/2] = math.NaN()
	}
	for _, c := range []struct {
		name    string
		g       *Grid
		u       []float64
		a, b    []int
		h       float64
		saddleX float64
		err     error
	}{
		// Odd node counts on symmetric boxes put a node at the saddle
		// (0, 0), where f = 1/4 exactly.
		{"1-D double well", g1, u1, near(g1, -1), near(g1, 1), 0.25, 0, nil},
		{"2-D double well", g2, u2, near(g2, -1, 0), near(g2, 1, 0), 0.25, 0, nil},
		{"same node", g2, u2, near(g2, 1, 0), near(g2, 1, 0), u2[g2.Nearest([]float64{1, 0})], g2.Coord(0, g2.Nearest([]float64{1, 0})%g2.N[0]), nil},
		{"NaN wall", g2, walled, near(g2, -1, 0), near(g2, 1, 0), math.NaN(), 0, ErrNoPath},
		{"empty set", g2, u2, nil, near(g2, 1, 0), math.NaN(), 0, ErrNoPath},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, s, err := SaddleHeight(c.g, c.u, c.a, c.b)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Errorf("error %v, want %v", err, c.err)
				}
				return
			}
			x := make([]float64, c.g.Dim)
			c.g.Point(x, s)
			if err != nil || math.Abs(h-c.h) > 1e-12 || math.Abs(x[0]-c.saddleX) > 1e-12 {
				t.Errorf("h %v at x %v (%v), want %v at x = %v", h, x, err, c.h, c.saddleX)
			}
		})
	}
}
