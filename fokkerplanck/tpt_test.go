package fokkerplanck

import (
	"context"
	"math"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// TestCommittorSymmetric: a double well symmetric under x -> -x (f =
// (x^2 - 1)^2 / 4 + y^2 / 2 with the constant diagonal D = diag(1, 0.5), in
// detailed balance) on a grid symmetric about x = 0 with a column of nodes
// on it (odd N_x), and A, B the discs of radius 0.25 about (-1, 0) and
// (1, 0), mirror images: the chain is mirror-symmetric, so q+(-x, y) =
// 1 - q+(x, y), and q+ = 1/2 on the symmetry line, up to the solve's error;
// in detailed balance q- = 1 - q+. The solves are asked for the relative
// residual 1e-12, which leaves errors of about 1e-11 (measured 4e-12), and
// the test allows 1e-10: a committor that is not symmetric is off by a
// discretisation error, of order 1e-3 here.
func TestCommittorSymmetric(t *testing.T) {
	m := formula(t, potentials.Formulas{Dim: 2, Loss: "(x^2-1)^2/4 + y^2/2", Diffusion: "1, 0; 0, 0.5"})
	g, err := NewGrid(potentials.NewBox(-2, 2, -1.2, 1.2), []int{65, 39}, false)
	if err != nil {
		t.Fatal(err)
	}
	op, err := NewOperator(context.Background(), m, 0.15, g)
	if err != nil {
		t.Fatal(err)
	}
	st, err := op.SteadyState(context.Background(), SteadyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := g.Disc([]float64{-1, 0}, 0.25)
	if err != nil {
		t.Fatal(err)
	}
	b, err := g.Disc([]float64{1, 0}, 0.25)
	if err != nil {
		t.Fatal(err)
	}
	rf, err := op.ReactiveFlux(context.Background(), st, a, b, BackwardOptions{Tol: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	q := rf.Forward.Q
	var onLine, mirror, rev float64
	for idx := range q {
		i, j := idx%g.N[0], idx/g.N[0]
		mi := j*g.N[0] + (g.N[0] - 1 - i)
		mirror = math.Max(mirror, math.Abs(q[idx]+q[mi]-1))
		if i == g.N[0]/2 {
			onLine = math.Max(onLine, math.Abs(q[idx]-0.5))
		}
		rev = math.Max(rev, math.Abs(q[idx]+rf.Backward.Q[idx]-1))
	}
	t.Logf("max |q - 1/2| on x = 0: %.2g; max |q(x) + q(-x) - 1|: %.2g; max |q+ + q- - 1|: %.2g; k_AB = %.6g (into B %.6g), residuals %.2g, %.2g",
		onLine, mirror, rev, rf.Rate, rf.RateIntoB, rf.Forward.Residual, rf.Backward.Residual)
	for name, v := range map[string]float64{"|q - 1/2| on the symmetry line": onLine, "|q(x) + q(-x) - 1|": mirror, "|q+ + q- - 1|": rev} {
		if v > 1e-10 {
			t.Errorf("max %s = %.3g, want the solve's error (1e-10)", name, v)
		}
	}
	if got := g.interpolate(q, []float64{0, 0.3}); math.Abs(got-0.5) > 1e-10 {
		t.Errorf("q(0, 0.3) = %.12f, want 1/2", got)
	}
}

// TestReactiveFluxConserved: the reactive flows of transition-path theory
// are conserved off A and B, sum_j (f_ij - f_ji) = 0 (Metzner, Schütte &
// Vanden-Eijnden 2009). On the chain the net outflow of node i is
// exactly
//
//	pi_i q-_i (Q q+)_i - q+_i (L (pi q-))_i,
//
// the first term zero by the forward committor's equation, the second by
// the backward one's, (L (pi q-))_i = pi_i (Q~ q-)_i, up to the steady
// state's own imbalance (L pi)_i. The test checks the identity node by node
// to rounding (1e-12 of the node's gross reactive flow), which ties the edge
// flows to the committors, and that the imbalances it leaves add up to at
// most 1e-8 of k_AB (the committors' and the steady state's relative
// residuals are 1e-10; measured 2.7e-10 k_AB); so the net reactive flow
// out of A equals the flow into B (to 1e-8). The case is the default double
// well (state-dependent anisotropic D, a current in the steady state, so
// q- != 1 - q+) at T = 0.25, from the left well to the right.
func TestReactiveFluxConserved(t *testing.T) {
	m, err := potentials.New("double-well", nil)
	if err != nil {
		t.Fatal(err)
	}
	op, st := solveCase(t, m, 0.25, potentials.NewBox(-2.5, 2.5, -2.5, 2.5), 64, false)
	g := op.Grid
	a, err := g.Disc([]float64{-0.9, 0}, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := g.Disc([]float64{0.9, 0}, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	rf, err := op.ReactiveFlux(context.Background(), st, a, b, BackwardOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := g.Len()
	net := make([]float64, n)
	for _, f := range rf.Flows {
		if !(f.Flow > 0) {
			t.Fatalf("edge %d -> %d carries %g", f.From, f.To, f.Flow)
		}
		net[f.From] += f.Flow
		net[f.To] -= f.Flow
	}
	pi, err := op.stationary(st)
	if err != nil {
		t.Fatal(err)
	}
	qp, qm := rf.Forward.Q, rf.Backward.Q
	fw, l := op.backward(), op.gen
	worst, total, rev := 0.0, 0.0, 0.0
	for i := 0; i < n; i++ {
		rev = math.Max(rev, math.Abs(qp[i]+qm[i]-1))
		if a.Mask[i] || b.Mask[i] {
			continue
		}
		var rp, rm, gross float64
		for k := fw.RowPtr[i]; k < fw.RowPtr[i+1]; k++ {
			v := fw.Val[k] * qp[fw.Col[k]]
			rp += v
			gross += math.Abs(v) * pi[i] * qm[i]
		}
		for k := l.RowPtr[i]; k < l.RowPtr[i+1]; k++ {
			v := l.Val[k] * pi[l.Col[k]] * qm[l.Col[k]]
			rm += v
			gross += math.Abs(v) * qp[i]
		}
		want := pi[i]*qm[i]*rp - qp[i]*rm
		if gross > 0 {
			worst = math.Max(worst, math.Abs(net[i]-want)/gross)
		}
		total += math.Abs(net[i])
	}
	t.Logf("k_AB = %.9g, into B %.9g; node outflows against pi q- Q q+ - q+ L (pi q-): %.2g of the gross flow; sum of imbalances %.2g k_AB; Z_AB = %.4g; max |q+ + q- - 1| = %.3g (not reversible)",
		rf.Rate, rf.RateIntoB, worst, total/rf.Rate, rf.Reactive, rev)
	if worst > 1e-12 {
		t.Errorf("the net reactive outflow of a node differs from pi q- (Q q+) - q+ L (pi q-) by %.2g of its gross flow", worst)
	}
	if total > 1e-8*rf.Rate {
		t.Errorf("the reactive flows are not conserved off A and B: the imbalances add up to %.2g k_AB", total/rf.Rate)
	}
	if !(rf.Rate > 0) || math.Abs(rf.Rate/rf.RateIntoB-1) > 1e-8 {
		t.Errorf("k_AB = %.12g out of A, %.12g into B", rf.Rate, rf.RateIntoB)
	}
	if rev < 1e-3 {
		t.Errorf("q- = 1 - q+ to %.2g, but the chain carries a current", rev)
	}
	// The node current: its flux through the line x = 0, between two
	// columns of nodes off A and B, by the trapezoid rule over the two
	// columns' nodes, (h_y / 2) sum (J_x(col i) + J_x(col i+1)), is k_AB: the
	// edges between the two columns give half their flow at each end (F / 2
	// in all), those into the left column and out of the right one a quarter
	// each, and by conservation the net flow across every such cut is k_AB.
	flux := 0.0
	for j := 0; j < g.N[1]; j++ {
		i := g.N[0]/2 - 1
		flux += (rf.CurrentX[j*g.N[0]+i] + rf.CurrentX[j*g.N[0]+i+1]) / 2 * g.H[1]
	}
	t.Logf("flux of the reactive current through x = 0: %.9g (k_AB %.9g, relative difference %.2g)", flux, rf.Rate, flux/rf.Rate-1)
	if math.Abs(flux/rf.Rate-1) > 1e-8 {
		t.Errorf("the reactive current carries %.6g through x = 0, k_AB is %.6g", flux, rf.Rate)
	}
}
