package fokkerplanck

import (
	"context"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// TestTwoGridReuse: a steady state solved with SteadyOptions.TwoGrid keeps
// the coarse grid of the two-grid checks, so that CheckAssumption4 and
// CheckForce give the same results as after a steady state solved without
// it (the coarse solve is the same computation), with no new solve (they
// succeed under a cancelled context); the steady state itself meets the
// tolerance. Grids that TwoGrid does not apply to (odd sizes) solve again.
func TestTwoGridReuse(t *testing.T) {
	for _, c := range []struct {
		landscape string
		n         [2]int
		reused    bool
	}{
		{"double-well", [2]int{64, 48}, true},
		{"gyrator", [2]int{64, 64}, true},
		{"double-well", [2]int{63, 64}, false},
	} {
		m, err := potentials.New(c.landscape, nil)
		if err != nil {
			t.Fatal(err)
		}
		g, err := NewGrid(m.Box, c.n[:], false)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		op, err := NewOperator(ctx, m, 0.5, g)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := op.SteadyState(ctx, SteadyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		two, err := op.SteadyState(ctx, SteadyOptions{TwoGrid: true})
		if err != nil {
			t.Fatal(err)
		}
		if two.Residual > 1e-10 || !two.Converged {
			t.Errorf("%s %v: residual %g", c.landscape, c.n, two.Residual)
		}
		want, err := op.CheckAssumption4(ctx, plain, SteadyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantF, err := op.CheckForce(ctx, plain, SteadyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		got, err := op.CheckAssumption4(cctx, two, SteadyOptions{})
		if !c.reused {
			if err == nil {
				t.Errorf("%s %v: a check under a cancelled context succeeded without a kept coarse grid", c.landscape, c.n)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s %v: %v", c.landscape, c.n, err)
		}
		gotF, err := op.CheckForce(cctx, two, SteadyOptions{})
		if err != nil {
			t.Fatalf("%s %v: %v", c.landscape, c.n, err)
		}
		// The coarse fields are bit for bit those of a separate solve;
		// the fine ones differ by the round-off of the solve.
		if got.CoarseGrid != want.CoarseGrid || got.Verdict != want.Verdict {
			t.Errorf("%s %v: check %+v, want %+v", c.landscape, c.n, got, want)
		}
		for _, f := range [][2]float64{
			{got.DivForce.Max, want.DivForce.Max}, {got.DivForce.Error, want.DivForce.Error},
			{got.ForceDotGradPhi.Max, want.ForceDotGradPhi.Max}, {got.ForceDotGradPhi.Error, want.ForceDotGradPhi.Error},
			{gotF.MaxForce, wantF.MaxForce}, {gotF.ForceError, wantF.ForceError},
		} {
			if d := f[0] - f[1]; d > 1e-6*f[1] || d < -1e-6*f[1] {
				t.Errorf("%s %v: %g against %g without TwoGrid", c.landscape, c.n, f[0], f[1])
			}
		}
		// Another tolerance is another coarse solve.
		if _, err := op.CheckAssumption4(cctx, two, SteadyOptions{Tol: 1e-9}); err == nil {
			t.Errorf("%s %v: a check at another tolerance reused the kept coarse grid", c.landscape, c.n)
		}
	}
}
