package fokkerplanck

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// Five-point Gauss–Legendre rule on [-1, 1] (exact for degree 9).
var (
	gl5x = [5]float64{-0.9061798459386640, -0.5384693101056831, 0, 0.5384693101056831, 0.9061798459386640}
	gl5w = [5]float64{0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665, 0.2369268850561891}
)

// glInt integrates f over [a, b] by one five-point Gauss–Legendre panel.
func glInt(f func(float64) float64, a, b float64) float64 {
	c, r := (a+b)/2, (b-a)/2
	s := 0.0
	for k, x := range gl5x {
		s += gl5w[k] * f(c+r*x)
	}
	return s * r
}

// cumQuad tabulates F(y) = integral_x0^y f on m panels of [x0, x1] by
// Gauss–Legendre (error per panel O(dx^10)); at evaluates it anywhere in
// [x0, x1] from the nearest panel start below.
type cumQuad struct {
	x0, dx float64
	f      func(float64) float64
	c      []float64
}

func newCumQuad(f func(float64) float64, x0, x1 float64, m int) *cumQuad {
	q := &cumQuad{x0: x0, dx: (x1 - x0) / float64(m), f: f, c: make([]float64, m+1)}
	for k := 0; k < m; k++ {
		a := x0 + float64(k)*q.dx
		q.c[k+1] = q.c[k] + glInt(f, a, a+q.dx)
	}
	return q
}

func (q *cumQuad) at(y float64) float64 {
	k := min(max(int(math.Floor((y-q.x0)/q.dx)), 0), len(q.c)-2)
	a := q.x0 + float64(k)*q.dx
	return q.c[k] + glInt(q.f, a, y)
}

// oneD is the 1-D model of validation case 2, f = (x^2 - 1)^2 / 4,
// D = 1 + 0.5 sin(2x), at T = 0.5 on [-2.5, 2.5], with the closed forms of
// its backward equation T D u” + b u' = g (b = -f'), reflecting at the
// left wall l. With psi(y) = exp(-int_l^y b / (T D)):
//
//	MFPT to a:      tau(x) = F(a) - F(x),  F(y) = int_l^y psi(s) I(s) ds,
//	                I(s) = int_l^s dz / (T D(z) psi(z))
//	committor:      q(x) = (P(x) - P(a)) / (P(c) - P(a)),  P(y) = int_l^y psi
//	reaction rate:  k_AB = T / (Z (P(c) - P(a))),  Z = int_l^r dz / (D psi)
//
// (derivation in testdata/mfpt_check.py, which checks it against SciPy's
// solve_bvp).
type oneD struct {
	T, l, r      float64
	logPsi, i, f *cumQuad
	p, z         *cumQuad
}

func newOneD() *oneD {
	const T, l, r = 0.5, -2.5, 2.5
	d := func(x float64) float64 { return 1 + 0.5*math.Sin(2*x) }
	b := func(x float64) float64 { return -x * (x*x - 1) }
	o := &oneD{T: T, l: l, r: r}
	const m = 4000
	o.logPsi = newCumQuad(func(s float64) float64 { return -b(s) / (T * d(s)) }, l, r, m)
	psi := func(y float64) float64 { return math.Exp(o.logPsi.at(y)) }
	o.i = newCumQuad(func(z float64) float64 { return 1 / (T * d(z) * psi(z)) }, l, r, m)
	o.f = newCumQuad(func(s float64) float64 { return psi(s) * o.i.at(s) }, l, r, m)
	o.p = newCumQuad(psi, l, r, m)
	o.z = newCumQuad(func(z float64) float64 { return 1 / (d(z) * psi(z)) }, l, r, m)
	return o
}

func (o *oneD) tau(x, a float64) float64 { return o.f.at(a) - o.f.at(x) }
func (o *oneD) committor(x, a, c float64) float64 {
	return (o.p.at(x) - o.p.at(a)) / (o.p.at(c) - o.p.at(a))
}
func (o *oneD) rate(a, c float64) float64 { return o.T / (o.z.at(o.r) * (o.p.at(c) - o.p.at(a))) }

func oneDModel(t testing.TB) potentials.Model {
	t.Helper()
	m, err := potentials.FromFormulas(potentials.Formulas{Dim: 1, Loss: "(x^2-1)^2/4", Diffusion: "1 + 0.5*sin(2*x)"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// maskWhere returns the node set of g where keep(x) holds.
func maskWhere(t testing.TB, g *Grid, name string, keep func(x []float64) bool) NodeSet {
	t.Helper()
	mask := make([]bool, g.Len())
	x := make([]float64, g.Dim)
	for i := range mask {
		g.Point(x, i)
		mask[i] = keep(x)
	}
	s, err := g.NodeSet(mask, name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOneDQuadrature ties the Go quadrature of the tests to the SciPy
// values printed by testdata/mfpt_check.py (quad and solve_bvp, 10 digits).
func TestOneDQuadrature(t *testing.T) {
	o := newOneD()
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"tau(-2 -> 1)", o.tau(-2, 1), 12.8297283833},
		{"tau(-1 -> 1)", o.tau(-1, 1), 12.3763335022},
		{"tau(0 -> 1)", o.tau(0, 1), 7.5769623459},
		{"tau(0.5 -> 1)", o.tau(0.5, 1), 3.5475121916},
		{"q(0), A = x <= -1, B = x >= 1", o.committor(0, -1, 1), 0.4603044127},
		{"k_AB", o.rate(-1, 1), 5.7397636567e-02},
	} {
		if math.Abs(c.got-c.want) > 1e-9*math.Abs(c.want) {
			t.Errorf("%s = %.12g, SciPy gives %.10g", c.name, c.got, c.want)
		}
	}
}

// TestMFPT1DQuadrature: the grid's mean first-passage time with the
// state-dependent D of case 2 against the exact quadrature, second order in
// h. The target is the set of nodes x >= 1; its first node a_h is where the
// chain is absorbed, so the continuum problem of each grid has its
// absorbing point at a_h (the grid's left wall is the reflecting wall l, a
// cell face, where the zero-flux condition of the chain is the continuum
// tau'(l) = 0). The committor between x <= -1 and x >= 1 (absorbing at the
// last node of A and the first of B), the reaction rate k_AB and, for this
// reversible chain, q- = 1 - q+ are checked the same way.
func TestMFPT1DQuadrature(t *testing.T) {
	o := newOneD()
	m := oneDModel(t)
	sizes := []int{100, 200, 400}
	var tauErr, qErr, kErr []float64
	for _, n := range sizes {
		op, st := solveCase(t, m, o.T, potentials.NewBox(o.l, o.r), n, false)
		g := op.Grid
		target := maskWhere(t, g, "x >= 1", func(x []float64) bool { return x[0] >= 1 })
		mf, err := op.MeanFirstPassage(context.Background(), target, BackwardOptions{})
		if err != nil {
			t.Fatal(err)
		}
		a := math.Inf(1)
		for i := 0; i < g.Len(); i++ {
			if target.Mask[i] {
				a = math.Min(a, g.Coord(0, i))
			}
		}
		e, top := 0.0, 0.0
		for i := 0; i < g.Len(); i++ {
			if x := g.Coord(0, i); x < a {
				ex := o.tau(x, a)
				e = math.Max(e, math.Abs(mf.Tau[i]-ex))
				top = math.Max(top, ex)
			}
		}
		tauErr = append(tauErr, e/top)
		t.Logf("n = %d: MFPT to x >= 1 (absorbed at %.5f): max |tau - tau_exact| / max tau = %.3e (max tau %.6f), residual %.2g, %d iterations",
			n, a, e/top, top, mf.Residual, mf.Iterations)

		sa := maskWhere(t, g, "x <= -1", func(x []float64) bool { return x[0] <= -1 })
		rf, err := op.ReactiveFlux(context.Background(), st, sa, target, BackwardOptions{})
		if err != nil {
			t.Fatal(err)
		}
		lo := math.Inf(-1)
		for i := 0; i < g.Len(); i++ {
			if sa.Mask[i] {
				lo = math.Max(lo, g.Coord(0, i))
			}
		}
		qe, rev := 0.0, 0.0
		for i := 0; i < g.Len(); i++ {
			x := g.Coord(0, i)
			if x > lo && x < a {
				qe = math.Max(qe, math.Abs(rf.Forward.Q[i]-o.committor(x, lo, a)))
			}
			rev = math.Max(rev, math.Abs(rf.Forward.Q[i]+rf.Backward.Q[i]-1))
		}
		k := o.rate(lo, a)
		qErr = append(qErr, qe)
		kErr = append(kErr, math.Abs(rf.Rate/k-1))
		t.Logf("n = %d: committor max error %.3e; k_AB = %.8f (into B %.8f), exact %.8f, relative error %.3e; max |q+ + q- - 1| = %.2g",
			n, qe, rf.Rate, rf.RateIntoB, k, math.Abs(rf.Rate/k-1), rev)
		// Detailed balance (1-D, zero-flux walls): the reversed chain is the
		// chain, so q- = 1 - q+ up to the errors of the two solves (relative
		// residual Tol = 1e-10 of the row-normalised systems, which the
		// condition of the systems turns into errors of up to 9e-10 here);
		// a wrong reversed chain would give errors of order 1.
		if rev > 1e-8 {
			t.Errorf("n = %d: max |q+ + q- - 1| = %.2g, want round-off (the chain is reversible)", n, rev)
		}
		if math.Abs(rf.Rate-rf.RateIntoB) > 1e-8*rf.Rate {
			t.Errorf("n = %d: reactive flow out of A %.10g, into B %.10g", n, rf.Rate, rf.RateIntoB)
		}
	}
	checkOrder(t, "MFPT (relative max error)", sizes, tauErr)
	checkOrder(t, "committor (max error)", sizes, qErr)
	checkOrder(t, "reaction rate k_AB (relative error)", sizes, kErr)
}

// TestBackwardBadInput: the typed errors of the first-passage and committor
// functions.
func TestBackwardBadInput(t *testing.T) {
	m, err := potentials.New("double-well", map[string]float64{"noise": 0})
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGrid(potentials.NewBox(-2, 2, -1, 1), []int{32, 16}, false)
	if err != nil {
		t.Fatal(err)
	}
	op, err := NewOperator(context.Background(), m, 0.5, g)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// A disc outside the box, and one between the nodes.
	var ob *OutsideBoxError
	if _, err := g.Disc([]float64{3, 0}, 0.5); !errors.As(err, &ob) {
		t.Errorf("disc about (3, 0): got %v, want *OutsideBoxError", err)
	} else {
		t.Log(err)
	}
	var es *EmptySetError
	if _, err := g.Disc([]float64{0, 0}, 0.01); !errors.As(err, &es) {
		t.Errorf("disc of radius 0.01 about (0, 0): got %v, want *EmptySetError", err)
	} else if want := math.Hypot(g.H[0], g.H[1]) / 2; math.Abs(es.NearestDistance-want) > 1e-12 {
		t.Errorf("nearest node at %g, want %g", es.NearestDistance, want)
	} else {
		t.Log(err)
	}
	if _, err := g.NodeSet(make([]bool, g.Len()), "nothing"); !errors.As(err, &es) {
		t.Errorf("an empty mask: got %v, want *EmptySetError", err)
	}
	if _, err := op.MeanFirstPassage(ctx, NodeSet{Mask: make([]bool, g.Len()), Name: "nothing"}, BackwardOptions{}); !errors.As(err, &es) {
		t.Errorf("MFPT to an empty set: got %v, want *EmptySetError", err)
	}

	// A start inside the target, and outside the box.
	right, err := g.Disc([]float64{1, 0}, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	left, err := g.Disc([]float64{-1, 0}, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	mf, err := op.MeanFirstPassage(ctx, right, BackwardOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sit *StartInTargetError
	if _, err := mf.At([]float64{1.1, 0}); !errors.As(err, &sit) {
		t.Errorf("start in the target: got %v, want *StartInTargetError", err)
	} else {
		t.Log(err)
	}
	if _, err := mf.At([]float64{0, 5}); !errors.As(err, &ob) {
		t.Errorf("start outside the box: got %v, want *OutsideBoxError", err)
	}
	if v, err := mf.At([]float64{-1, 0}); err != nil || !(v > 0) {
		t.Errorf("start (-1, 0): %v, %v", v, err)
	}

	// A and B overlapping.
	var ov *OverlapError
	wide, err := g.Disc([]float64{0.5, 0}, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Committor(ctx, wide, right, BackwardOptions{}); !errors.As(err, &ov) {
		t.Errorf("overlapping A and B: got %v, want *OverlapError", err)
	} else {
		t.Log(err)
	}
	if _, err := op.Committor(ctx, left, right, BackwardOptions{Tol: -1}); err == nil {
		t.Error("a negative tolerance was accepted")
	}
	// One Krylov iteration does not reach the tolerance.
	var nc *BackwardNotConvergedError
	if _, err := op.MeanFirstPassage(ctx, right, BackwardOptions{MaxIter: 1}); !errors.As(err, &nc) {
		t.Errorf("one iteration: got %v, want *BackwardNotConvergedError", err)
	} else if !(nc.Residual > nc.Tol) || nc.Iterations != 1 {
		t.Errorf("not converged with residual %g after %d iterations", nc.Residual, nc.Iterations)
	} else {
		t.Log(err)
	}
	// A steady state of another grid.
	if _, err := op.BackwardCommittor(ctx, nil, left, right, BackwardOptions{}); err == nil {
		t.Error("backward committor without a steady state was accepted")
	}
}

// TestUnreachableTarget: a drift so strong that the rates against it
// underflow to zero (cell Peclet number 1000) makes a target on the left
// unreachable from the nodes to its right: an *UnreachableError, for the
// first passage and for the committor.
func TestUnreachableTarget(t *testing.T) {
	m, err := potentials.FromFormulas(potentials.Formulas{Dim: 1, Drift: "1000"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGrid(potentials.NewBox(0, 1), []int{10}, false)
	if err != nil {
		t.Fatal(err)
	}
	op, err := NewOperator(context.Background(), m, 0.01, g)
	if err != nil {
		t.Fatal(err)
	}
	left := maskWhere(t, g, "x < 0.2", func(x []float64) bool { return x[0] < 0.2 })
	right := maskWhere(t, g, "x > 0.8", func(x []float64) bool { return x[0] > 0.8 })
	var un *UnreachableError
	if _, err := op.MeanFirstPassage(context.Background(), left, BackwardOptions{}); !errors.As(err, &un) {
		t.Fatalf("got %v, want *UnreachableError", err)
	}
	if un.Nodes != 8 || math.Abs(un.X[0]-0.25) > 1e-12 {
		t.Errorf("unreachable from %d nodes, the first at %v; want 8 nodes from 0.25", un.Nodes, un.X)
	}
	t.Log(un)
	// The target downstream is reachable.
	mf, err := op.MeanFirstPassage(context.Background(), right, BackwardOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Deterministic transport at speed 1000: from x = 0.05 to the first
	// node of the target, 0.85, about 0.8 / 1000.
	if math.Abs(mf.Tau[0]/0.8e-3-1) > 0.05 {
		t.Errorf("tau from 0.05 = %g, want about 8e-4", mf.Tau[0])
	}
	// The committor from right to left: nodes between can reach the right
	// set, so it is solvable; the backward direction is not needed here.
	if _, err := op.Committor(context.Background(), left, right, BackwardOptions{}); err != nil {
		t.Errorf("committor: %v", err)
	}
}

// TestMFPTBeyondDoublePrecision: the three-hole landscape at T = 0.05 has an
// escape time from one deep well to the other of about 1e15 times the mean
// time between jumps. The backward system is then singular in double
// precision (its smallest eigenvalue, relative to the diagonal, is the
// inverse of that), and any multiple of the slow mode balances the
// equations to rounding: the solve must fail with a
// *BackwardNotConvergedError that says so (JumpTimes beyond 1e12), not
// return such a multiple. At T = 0.2 (1e7 jump times) it succeeds.
func TestMFPTBeyondDoublePrecision(t *testing.T) {
	m, err := potentials.New("three-hole", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, T := range []float64{0.2, 0.05} {
		g, err := NewGrid(m.DefaultBox(T), []int{64, 64}, false)
		if err != nil {
			t.Fatal(err)
		}
		op, err := NewOperator(context.Background(), m, T, g)
		if err != nil {
			t.Fatal(err)
		}
		target, err := g.Disc([]float64{1.048, -0.042}, 0.15)
		if err != nil {
			t.Fatal(err)
		}
		mf, err := op.MeanFirstPassage(context.Background(), target, BackwardOptions{})
		var nc *BackwardNotConvergedError
		switch {
		case T == 0.2 && err != nil:
			t.Errorf("T = 0.2: %v", err)
		case T == 0.2:
			tau, _ := mf.At([]float64{-1.048, -0.042})
			t.Logf("T = 0.2: tau = %.6g, %.2g jump times, residual %.2g, imbalance %.2g", tau, mf.JumpTimes, mf.Residual, mf.Imbalance)
		case !errors.As(err, &nc):
			t.Errorf("T = 0.05: got %v, want *BackwardNotConvergedError", err)
		case !(nc.JumpTimes > maxFloorJumpTimes):
			t.Errorf("T = 0.05: %v; want JumpTimes beyond %g", err, maxFloorJumpTimes)
		default:
			t.Log(err)
		}
	}
}
