package fokkerplanck

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// TestRelaxationOU: for an Ornstein–Uhlenbeck process dX = -A X dt +
// sqrt(2 T D) dW the spectrum of the generator is {sum_k n_k mu_k}, mu_k
// the eigenvalues of A and n_k >= 0 integers, whatever D (Metafune,
// Pallara & Priola, J. Funct. Anal. 196, 2002): the slowest rate is the
// smallest mu_k, with the linear eigenfunction w . x for w a left
// eigenvector of A. The grid's eigenvalue converges at second order (the
// walls, where the density is below e^-18 of its maximum on these boxes,
// cost nothing visible). Cases: a rotating drift A = [[1, -1], [1, 1]]
// (mu = 1 ± i, a complex pair nearer 0 than the next eigenvalue 2), the
// Brownian gyrator A = diag(1, 4) with D_12 = 0.8 (mu = 1), and 1-D.
func TestRelaxationOU(t *testing.T) {
	for _, c := range []struct {
		name       string
		f          potentials.Formulas
		box        potentials.Box
		sizes      []int
		rate, imag float64
	}{
		{"rotating", potentials.Formulas{Dim: 2, Drift: "-x + y; -x - y"}, potentials.NewBox(-4.5, 4.5, -4.5, 4.5), []int{24, 48, 96}, 1, 1},
		{"gyrator", potentials.Formulas{Dim: 2, Loss: "x^2/2 + 2*y^2", Diffusion: "1, 0.8; 0.8, 1"}, potentials.NewBox(-4.5, 4.5, -2.25, 2.25), []int{32, 64, 128}, 1, 0},
		{"1-D", potentials.Formulas{Dim: 1, Loss: "x^2/2"}, potentials.NewBox(-4.5, 4.5), []int{50, 100, 200}, 1, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := formula(t, c.f)
			var errs []float64
			for _, n := range c.sizes {
				op, st := solveCase(t, m, 0.5, c.box, n, false)
				rel, err := op.RelaxationRate(context.Background(), st, RelaxationOptions{})
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("n = %d: lambda = %.10f ± %.10fi (exact %g ± %gi), residual %.2g, %d solves, %d iterations",
					n, rel.Rate, rel.Imag, c.rate, c.imag, rel.Residual, rel.Solves, rel.Iterations)
				errs = append(errs, math.Hypot(rel.Rate-c.rate, rel.Imag-c.imag))
			}
			checkOrder(t, c.name+" |lambda - lambda_exact|", c.sizes, errs)
		})
	}
}

// TestRelaxationEscapeRates: in a double well at low temperature the
// slowest relaxation is the exchange between the wells, and its rate is
// the sum of the two escape rates, lambda = 1/tau_(1->2) + 1/tau_(2->1),
// up to relative corrections of the order of lambda / lambda_2, lambda_2
// the rate of relaxation within a well, exponentially small at low T
// (Bovier, Gayrard & Klein, J. Eur. Math. Soc. 7, 2005, Thm. 1.2: the
// exchange is a two-state chain once the wells have equilibrated; the time
// to fall from the saddle into the target disc adds another such
// correction to tau). Both sides are
// computed on the same chain: the escape times are its mean first-passage
// times from a minimum to a disc about the other one. The model is
// b = -D grad U with constant anisotropic D, in detailed balance with
// rho = exp(-U/T), U = (x^2 - 1)^2 / 4 + y^2 / 2; symmetric under
// (x, y) -> (-x, -y), as the grid is, so tau_(1->2) = tau_(2->1). Within a
// well lambda_2 is the smallest eigenvalue of D Hess U at a minimum, 0.39.
// The test asks the relative difference to be at most 3 lambda / lambda_2
// (measured 1.88, 1.96 and 1.91 times it at T = 0.05, 0.04 and 0.02, where
// tau grows from 800 to 1.3e6) and to fall with T as lambda does. At
// T = 0.02 the first-passage time is 1.3e6 and the solves run at the
// round-off floor of their equations (see backward.go), which still leaves
// the agreement at 7e-6.
func TestRelaxationEscapeRates(t *testing.T) {
	m := formula(t, potentials.Formulas{Dim: 2, Drift: "-(x^3 - x) - 0.3*y; -0.3*(x^3 - x) - 0.5*y", Diffusion: "1, 0.3; 0.3, 0.5"})
	// D Hess U at (±1, 0) = [[1, 0.3], [0.3, 0.5]] diag(2, 1) = [[2, 0.3], [0.6, 0.5]].
	lambda2 := (2.5 - math.Sqrt(2.5*2.5-4*(1-0.18))) / 2
	var diffs []float64
	for _, T := range []float64{0.05, 0.04, 0.02} {
		g, err := NewGrid(potentials.NewBox(-1.8, 1.8, -0.9, 0.9), []int{96, 48}, false)
		if err != nil {
			t.Fatal(err)
		}
		op, err := NewOperator(context.Background(), m, T, g)
		if err != nil {
			t.Fatal(err)
		}
		st, err := op.SteadyState(context.Background(), SteadyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rel, err := op.RelaxationRate(context.Background(), st, RelaxationOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var tau [2]float64
		for k, c := range [2]float64{1, -1} {
			target, err := g.Disc([]float64{c, 0}, 0.2)
			if err != nil {
				t.Fatal(err)
			}
			mf, err := op.MeanFirstPassage(context.Background(), target, BackwardOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if tau[k], err = mf.At([]float64{-c, 0}); err != nil {
				t.Fatal(err)
			}
		}
		sum := 1/tau[0] + 1/tau[1]
		d := math.Abs(rel.Rate/sum - 1)
		diffs = append(diffs, d)
		t.Logf("T = %g: lambda = %.8g (imag %.2g, %d solves), 1/tau12 + 1/tau21 = %.8g (tau %.6g, %.6g): relative difference %.3g = %.2f lambda / lambda_2",
			T, rel.Rate, rel.Imag, rel.Solves, sum, tau[0], tau[1], d, d/(rel.Rate/lambda2))
		if rel.Imag != 0 {
			t.Errorf("T = %g: the chain is reversible, but lambda has the imaginary part %g", T, rel.Imag)
		}
		if d > 3*rel.Rate/lambda2 {
			t.Errorf("T = %g: lambda = %.6g and 1/tau12 + 1/tau21 = %.6g differ by %.3g, more than 3 lambda / lambda_2 = %.3g",
				T, rel.Rate, sum, d, 3*rel.Rate/lambda2)
		}
	}
	for k := 1; k < len(diffs); k++ {
		if !(diffs[k] < diffs[k-1]/2) {
			t.Errorf("the relative difference does not fall with T: %.3g, then %.3g", diffs[k-1], diffs[k])
		}
	}
}

// TestRelaxationBadInput: no steady state, bad options, and a budget of
// solves too small to converge (an *EigenNotConvergedError with the
// estimate reached).
func TestRelaxationBadInput(t *testing.T) {
	m := formula(t, potentials.Formulas{Dim: 1, Loss: "x^2/2"})
	op, st := solveCase(t, m, 0.5, potentials.NewBox(-4.5, 4.5), 60, false)
	ctx := context.Background()
	if _, err := op.RelaxationRate(ctx, nil, RelaxationOptions{}); err == nil {
		t.Error("no steady state: no error")
	}
	if _, err := op.RelaxationRate(ctx, st, RelaxationOptions{Krylov: 1}); err == nil {
		t.Error("a Krylov basis of 1: no error")
	}
	var ne *EigenNotConvergedError
	_, err := op.RelaxationRate(ctx, st, RelaxationOptions{MaxSolves: 1})
	if !errors.As(err, &ne) {
		t.Fatalf("one solve: got %v, want *EigenNotConvergedError", err)
	}
	if ne.Solves != 1 || !(ne.Residual > ne.Tol) || !(ne.Rate > 0) {
		t.Errorf("one solve: %+v", *ne)
	}
	t.Log(err)
}
