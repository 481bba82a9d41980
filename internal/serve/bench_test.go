package serve

import (
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkSolve measures one POST /api/solve on the page's default 128^2
// grid, end to end through the handler (decoding, model, assembly, solve,
// force check, orbits, contours, streamlines, particles, JSON): the server's
// share of a slider move's redraw.
func BenchmarkSolve(b *testing.B) {
	s := New(Config{})
	for _, name := range []string{"double-well", "gyrator", "paper-fig4", "muller-brown"} {
		body := fmt.Sprintf(`{"landscape":%q,"temperature":0.5,"grid":128,"particles":300}`, name)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if code, out := post(b, s, "/api/solve", body); code != http.StatusOK {
					b.Fatalf("%d %s", code, out)
				}
			}
		})
	}
}

// BenchmarkSolveGrid measures the solve of the double well at the grid
// sizes of the page's grid slider.
func BenchmarkSolveGrid(b *testing.B) {
	s := New(Config{})
	for _, n := range []int{64, 128, 256} {
		body := fmt.Sprintf(`{"landscape":"double-well","temperature":0.5,"grid":%d,"particles":300}`, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if code, out := post(b, s, "/api/solve", body); code != http.StatusOK {
					b.Fatalf("%d %s", code, out)
				}
			}
		})
	}
}

// BenchmarkParticles measures one POST /api/particles chunk of the page:
// 300 particles, 30 frames of 2 steps on the gyrator.
func BenchmarkParticles(b *testing.B) {
	s := New(Config{})
	pos := make([]float64, 600)
	for i := range pos {
		pos[i] = float64(i%17)/17 - 0.5
	}
	req := map[string]any{"landscape": "gyrator", "temperature": 0.5, "positions": pos, "frames": 30, "steps": 2, "dt": 0.01}
	for b.Loop() {
		if code, out := post(b, s, "/api/particles", req); code != http.StatusOK {
			b.Fatalf("%d %s", code, out)
		}
	}
}

// BenchmarkEscape measures one POST /api/escape on the page's default
// 128^2 grid (steady state, basins, barriers and the mean first-passage
// time out of the clicked basin, JSON): the state-dependent double well at
// the page's default T and the sharp-flat example at T = 0.1 with SGD's
// noise (iso=0) and isotropic noise (iso=1).
func BenchmarkEscape(b *testing.B) {
	s := New(Config{})
	for _, c := range []struct{ name, body string }{
		{"double-well", `{"landscape":"double-well","temperature":0.5,"grid":128,"from":[1,0]}`},
		{"sharp-flat-iso0", `{"landscape":"sharp-flat","params":{"iso":0},"temperature":0.1,"grid":128,"from":[1,0]}`},
		{"sharp-flat-iso1", `{"landscape":"sharp-flat","params":{"iso":1},"temperature":0.1,"grid":128,"from":[1,0]}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if code, out := post(b, s, "/api/escape", c.body); code != http.StatusOK {
					b.Fatalf("%d %s", code, out)
				}
			}
		})
	}
}
