package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// TestWordFormulaErrors checks the command line's words for the errors of
// formula models: the messages of the command line before the library's
// errors were typed, each naming the flag of its formula.
func TestWordFormulaErrors(t *testing.T) {
	for _, tc := range []struct {
		f    potentials.Formulas
		want string
	}{
		{potentials.Formulas{Dim: 2}, "formula model: give a loss (--loss) or a drift (--drift)"},
		{potentials.Formulas{Dim: 2, Loss: "  "}, "formula model: give a loss (--loss) or a drift (--drift)"},
		{potentials.Formulas{Dim: 2, Loss: "x^2 + (y"}, `--loss: column 9: missing ")" for "(" at column 7`},
		{potentials.Formulas{Dim: 2, Loss: "x^2 + y)"}, `--loss: column 8: unexpected ")"`},
		{potentials.Formulas{Dim: 2, Loss: "x*k"}, `--loss: column 3: missing parameter "k" (give it with --set k=VALUE)`},
		{potentials.Formulas{Dim: 1, Loss: "x^2 + y"}, `--loss: column 7: missing parameter "y" (give it with --set y=VALUE)`},
		{potentials.Formulas{Dim: 2, Drift: "-x; -b*y"}, `--drift: column 6: missing parameter "b" (give it with --set b=VALUE)`},
		{potentials.Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0; 0, c"}, `--diffusion: column 10: missing parameter "c" (give it with --set c=VALUE)`},
		{potentials.Formulas{Dim: 2, Drift: "-x"}, `--drift: 1 components separated by ";", want 2 ("B1; B2")`},
		{potentials.Formulas{Dim: 2, Drift: "-x; -y; 0"}, `--drift: 3 components separated by ";", want 2 ("B1; B2")`},
		{potentials.Formulas{Dim: 1, Drift: "-x; -y"}, `--drift: 2 components separated by ";", want 1 ("B1")`},
		{potentials.Formulas{Dim: 2, Drift: "-x; -foo(y)"}, `--drift: column 6: unknown function "foo"`},
		{potentials.Formulas{Dim: 2, Drift: "-x;"}, `--drift: column 4: empty formula`},
		{potentials.Formulas{Dim: 2, Drift: "-x, -y"}, `--drift: 1 components separated by ";", want 2 ("B1; B2"); separate components with ";", not ","`},
		{potentials.Formulas{Dim: 2, Drift: "-x, -y; 1"}, `--drift: column 3: unexpected ","`},
		{potentials.Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0; 0"}, `--diffusion: 3 entries in 2 rows, want "EXPR" or "D11, D12; D21, D22"`},
		{potentials.Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0, 0, 1"}, `--diffusion: 4 entries in 1 rows, want "EXPR" or "D11, D12; D21, D22"`},
		{potentials.Formulas{Dim: 1, Loss: "x", Diffusion: "1, 0; 0, 1"}, `--diffusion: 4 entries in 2 rows, want "D11"`},
		{potentials.Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0; 0, 1 +* y"}, `--diffusion: column 13: unexpected "*"`},
		{potentials.Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0; 0, é"}, `--diffusion: column 10: unexpected character "é"`},
		{potentials.Formulas{Dim: 2, Loss: "x^2 + y^2", Diffusion: "1, 0.5; 0, 1"}, "--diffusion: D must be symmetric, but D12 = 0.5 and D21 = 0 differ at (x, y) = (-4, -4): 0.5 and 0"},
		{potentials.Formulas{Dim: 2, Loss: "x", Params: map[string]float64{"k": 1}}, `unknown parameter "k": no formula uses it`},
	} {
		_, err := potentials.FromFormulas(tc.f)
		if err == nil {
			t.Errorf("%+v: no error", tc.f)
			continue
		}
		// As FromFormulas returns it, and as experiment.ModelSpec.Build
		// wraps it.
		for _, e := range []error{err, &experiment.ModelError{Err: err}} {
			got := wordError(e)
			if got.Error() != tc.want {
				t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
			}
			if !errors.Is(got, err) {
				t.Errorf("%+v: the worded error does not wrap the library's", tc.f)
			}
		}
	}
}

// TestWordDivergedError checks the command line's words for a run in
// which everything diverged, alone and wrapped with context.
func TestWordDivergedError(t *testing.T) {
	traj := &sde.DivergedError{Runs: "trajectories", N: 10, Bound: 0.5}
	chains := &sde.DivergedError{Runs: "chains", N: 3, Bound: 1e8}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{traj, "all 10 trajectories diverged (left the bound 0.5 or became non-finite): try a smaller --dt"},
		{chains, "all 3 chains diverged (left the bound 1e+08 or became non-finite): try a smaller --lr"},
		{fmt.Errorf("gyrator at T = 0.5: %w", traj), "gyrator at T = 0.5: all 10 trajectories diverged (left the bound 0.5 or became non-finite): try a smaller --dt"},
	} {
		if got := wordError(tc.err).Error(); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
	if err := errors.New("other"); wordError(err) != err || wordError(nil) != nil {
		t.Error("wordError changed an error it does not word")
	}
}
