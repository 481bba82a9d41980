package serve

import (
	"errors"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// TestPageError checks the page's words for the library's typed errors:
// formula errors name their box, a missing parameter is given in the
// parameters box, diverged particles call for a smaller dt, other errors
// pass unchanged, and no message names a command-line flag.
func TestPageError(t *testing.T) {
	build := func(f potentials.Formulas) error {
		_, _, err := experiment.ModelSpec{Loss: f.Loss, Drift: f.Drift, Diffusion: f.Diffusion, Dim: 2, Params: f.Params}.Build(0.5)
		return err
	}
	other := errors.New("temperature 0: want 0.01 <= T <= 10")
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"syntax", build(potentials.Formulas{Loss: "(x+"}), "loss: column 4: unexpected end of formula"},
		{"missing parameter", build(potentials.Formulas{Loss: "a*x^2+y^2"}), `loss: column 1: missing parameter "a" (give it in the parameters box, e.g. a=VALUE)`},
		{"missing parameter in the drift", build(potentials.Formulas{Drift: "-x; -b*y"}), `drift: column 6: missing parameter "b" (give it in the parameters box, e.g. b=VALUE)`},
		{"drift parts", build(potentials.Formulas{Drift: "x, y"}), `drift: 1 components separated by ";", want 2 ("B1; B2"); separate components with ";", not ","`},
		{"diffusion parts", build(potentials.Formulas{Loss: "x^2+y^2", Diffusion: "1,2,3"}), `diffusion: 3 entries in 1 rows, want "EXPR" or "D11, D12; D21, D22"`},
		{"asymmetric", build(potentials.Formulas{Loss: "x^2+y^2", Diffusion: "1, 0.5; 0, 1"}), "diffusion: D must be symmetric, but D12 = 0.5 and D21 = 0 differ at (x, y) = (-4, -4): 0.5 and 0"},
		{"no loss or drift", potentials.ErrNoLossOrDrift, "a formula model needs a loss or a drift"},
		{"diverged", &sde.DivergedError{Runs: "trajectories", N: 300, Bound: 1e6}, "all 300 particles diverged (left the bound 1e+06 or became non-finite): try a smaller dt"},
		{"other", other, other.Error()},
	} {
		got := pageError(tc.err)
		if got == nil || got.Error() != tc.want || strings.Contains(got.Error(), "--") {
			t.Errorf("%s: %v, want %q", tc.name, got, tc.want)
		}
	}
	if pageError(nil) != nil {
		t.Error("pageError(nil) is not nil")
	}
}

// TestParticlesDiverged checks the page's words for particles that all
// diverge: a smaller dt, not a flag.
func TestParticlesDiverged(t *testing.T) {
	s := New(Config{})
	code, body := post(t, s, "/api/particles", `{"formula":{"drift":"x^3; y^3"},"temperature":0.5,"positions":[5,5,-5,5],"dt":0.05,"frames":10,"steps":10}`)
	want := `{"error":"particles: all 2 particles diverged (left the bound 1e+06 or became non-finite): try a smaller dt"}`
	if code != 400 || string(body) != want {
		t.Errorf("status %d, body %s; want 400, %s", code, body, want)
	}
}
