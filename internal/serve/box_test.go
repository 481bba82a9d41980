package serve

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// TestDefaultViewHoldsDensity checks the box of the browser's views: the
// landscape's default box at the request's temperature, so that at the
// page's default grid rho at the walls stays far below the page's "high"
// mark (1e-3, drawn in orange) on every built-in landscape at the slider's
// ends and the default T; the default view (the double well at T = 0.5)
// stays below the commands' warning threshold 1e-6 as well. Solves that
// fail are skipped (the solver, not the box).
func TestDefaultViewHoldsDensity(t *testing.T) {
	s := New(Config{})
	for _, l := range potentials.Landscapes() {
		m, err := potentials.New(l.Name, nil)
		if err != nil || m.Dim != 2 {
			continue
		}
		for _, T := range []float64{0.05, defaultTemperature, 2} {
			t.Run(fmt.Sprintf("%s/T=%g", l.Name, T), func(t *testing.T) {
				code, body := post(t, s, "/api/solve", map[string]any{"landscape": l.Name, "temperature": T, "grid": defaultGrid})
				switch code {
				case http.StatusOK:
				case http.StatusUnprocessableEntity:
					t.Skipf("the solver fails: %s", body)
				default:
					t.Fatalf("status %d: %s", code, body)
				}
				var res solveResponse
				if err := json.Unmarshal(body, &res); err != nil {
					t.Fatal(err)
				}
				// A steady state whose density at the minimum of f (the
				// deepest well) is negligible is wrong: the solver accepted
				// it (the Rosenbrock valley at T = 0.5 piles the mass into
				// a corner).
				if len(res.F) == len(res.Phi) && len(res.F) > 0 {
					i := 0
					for k, v := range res.F {
						if v < res.F[i] {
							i = k
						}
					}
					if phi := res.Phi[i]; math.IsNaN(phi) || phi > T*math.Log(1e6) {
						t.Skipf("the solver returned a wrong steady state: Phi at the minimum of f is %g, rho there below 1e-6 of its maximum", phi)
					}
				}
				b := m.DefaultBox(T)
				if g := res.Grid; g.XMin != b.Min[0] || g.XMax != b.Max[0] || g.YMin != b.Min[1] || g.YMax != b.Max[1] {
					t.Errorf("box [%g, %g] x [%g, %g], want the default box at T, %v", g.XMin, g.XMax, g.YMin, g.YMax, b)
				}
				limit := 1e-4
				if l.Name == defaultLandscape && T == defaultTemperature {
					limit = 1e-6
				}
				if w := res.Diagnostics.WallRho; !(w < limit) {
					t.Errorf("rho at the walls reaches %.3g of its maximum, want below %g", w, limit)
				}
			})
		}
	}
}
