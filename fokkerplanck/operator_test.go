package fokkerplanck

import (
	"context"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// TestOperatorBadModels checks that models the grid scheme cannot take are
// refused at assembly with a one-line error naming the place: a drift that
// is not finite, a D that is singular, and rates too large for the solver
// (a loss of 1e300 x^2), while a steep but sane loss assembles.
func TestOperatorBadModels(t *testing.T) {
	for _, tc := range []struct {
		name, loss, diffusion, want string
	}{
		{"pole", "1/x + y^2", "", "not finite near"},
		{"singular D", "x^2 + y^2", "x^2, 0; 0, 1", "singular"},
		{"rates overflow", "1e300*x^2 + y^2", "", "jump rates overflow near"},
		{"steep but sane", "1e6*(x^2 + y^2)", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := potentials.FromFormulas(potentials.Formulas{Dim: 2, Loss: tc.loss, Diffusion: tc.diffusion})
			if err != nil {
				t.Fatal(err)
			}
			g, err := NewGrid(m.Box, []int{32, 32}, false)
			if err != nil {
				t.Fatal(err)
			}
			_, err = NewOperator(context.Background(), m, 0.5, g)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n")):
				t.Errorf("error %v, want one line containing %q", err, tc.want)
			}
		})
	}
}
