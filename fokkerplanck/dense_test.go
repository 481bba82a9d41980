package fokkerplanck

import (
	"context"
	"math"
	"math/cmplx"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/sgdsde/sgdsde/potentials"
)

// denseSteady solves L p = 0 with node pin set to 1 by dense LU and
// normalises p to sum 1: an independent reference for small grids.
func denseSteady(t *testing.T, op *Operator, pin int) []float64 {
	t.Helper()
	n := op.Grid.Len()
	a := mat.NewDense(n, n, nil)
	for y := 0; y < n; y++ {
		for q := op.gen.RowPtr[y]; q < op.gen.RowPtr[y+1]; q++ {
			a.Set(y, int(op.gen.Col[q]), op.gen.Val[q])
		}
	}
	for c := 0; c < n; c++ {
		a.Set(pin, c, 0)
	}
	a.Set(pin, pin, 1)
	b := mat.NewVecDense(n, nil)
	b.SetVec(pin, 1)
	var x mat.VecDense
	if err := x.SolveVec(a, b); err != nil {
		t.Fatal(err)
	}
	p := x.RawVector().Data
	s := 0.0
	for _, v := range p {
		s += v
	}
	for i := range p {
		p[i] /= s
	}
	return p
}

func TestColumnSumsZero(t *testing.T) {
	m, _ := potentials.New("double-well", nil)
	g, _ := NewGrid(m.Box, []int{20, 17}, false)
	op, err := NewOperator(context.Background(), m, 0.5, g)
	if err != nil {
		t.Fatal(err)
	}
	n := g.Len()
	col := make([]float64, n)
	scale := make([]float64, n)
	for y := 0; y < n; y++ {
		for q := op.gen.RowPtr[y]; q < op.gen.RowPtr[y+1]; q++ {
			c := op.gen.Col[q]
			col[c] += op.gen.Val[q]
			scale[c] += math.Abs(op.gen.Val[q])
			if int(c) != y && op.gen.Val[q] < 0 {
				t.Fatalf("negative off-diagonal L[%d][%d] = %g", y, c, op.gen.Val[q])
			}
		}
	}
	for c := range col {
		if math.Abs(col[c]) > 1e-13*scale[c] {
			t.Fatalf("column %d sums to %g", c, col[c])
		}
	}
}

// TestDenseGibbsExact is validation case 1 on a small grid with the dense
// reference: D = I, b = -grad f gives exp(-f/T) to round-off.
func TestDenseGibbsExact(t *testing.T) {
	m, _ := potentials.New("double-well", map[string]float64{"noise": 0})
	const T = 0.5
	g, _ := NewGrid(m.Box, []int{24, 21}, false)
	op, err := NewOperator(context.Background(), m, T, g)
	if err != nil {
		t.Fatal(err)
	}
	p := denseSteady(t, op, g.Nearest([]float64{1, 0}))
	x := make([]float64, 2)
	// Compare log p + f/T up to a constant.
	var lo, hi = math.Inf(1), math.Inf(-1)
	for i, v := range p {
		g.Point(x, i)
		r := math.Log(v)*T + m.Loss(x)
		lo, hi = math.Min(lo, r), math.Max(hi, r)
	}
	if hi-lo > 1e-10 {
		t.Fatalf("max |Phi - f| after shift = %g, want round-off", (hi-lo)/2)
	}
}

// TestBackwardDense: on a grid small enough for dense linear algebra, the
// backward solves must be the exact answers of the chain: the mean
// first-passage time (Q tau = -1 off the target), the forward committor
// (Q q = 0 off A and B), the backward committor (on the reversed chain
// Q~_ij = pi_j Q_ji / pi_i, pi from a dense steady state) and the
// relaxation rate (the eigenvalue of -L nearest 0 among all, by a dense
// eigen-decomposition), each by gonum against the iterative solvers. The
// model is the gyrator (anisotropic D, a current: neither Q~ = Q nor real
// eigenvalues are given). The agreement asked is 1e-8 relative, above the
// solves' errors at their tolerances (1e-10 relative residual; the rate to
// a Ritz residual of 1e-8, whose error is far smaller here).
func TestBackwardDense(t *testing.T) {
	m, err := potentials.New("gyrator", nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGrid(m.Box, []int{14, 11}, false)
	if err != nil {
		t.Fatal(err)
	}
	op, err := NewOperator(context.Background(), m, 0.5, g)
	if err != nil {
		t.Fatal(err)
	}
	st, err := op.SteadyState(context.Background(), SteadyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := g.Len()
	l := mat.NewDense(n, n, nil)
	for y := 0; y < n; y++ {
		for q := op.gen.RowPtr[y]; q < op.gen.RowPtr[y+1]; q++ {
			l.Set(y, int(op.gen.Col[q]), op.gen.Val[q])
		}
	}
	pi := denseSteady(t, op, op.PinNode())
	// solve returns u with G u = s off the fixed nodes, u = v on them, for
	// G_ij = get(i, j).
	solve := func(get func(i, j int) float64, fixed []bool, s, v []float64) []float64 {
		a := mat.NewDense(n, n, nil)
		b := mat.NewVecDense(n, nil)
		for i := 0; i < n; i++ {
			if fixed[i] {
				a.Set(i, i, 1)
				b.SetVec(i, v[i])
				continue
			}
			for j := 0; j < n; j++ {
				a.Set(i, j, get(i, j))
			}
			b.SetVec(i, s[i])
		}
		var x mat.VecDense
		if err := x.SolveVec(a, b); err != nil {
			t.Fatal(err)
		}
		return x.RawVector().Data
	}
	q := func(i, j int) float64 { return l.At(j, i) }
	qrev := func(i, j int) float64 { return l.At(i, j) * pi[j] / pi[i] }
	compare := func(name string, got, want []float64) {
		t.Helper()
		e, top := 0.0, 0.0
		for i := range got {
			e = math.Max(e, math.Abs(got[i]-want[i]))
			top = math.Max(top, math.Abs(want[i]))
		}
		t.Logf("%s: max difference %.2g of max %.4g", name, e, top)
		if e > 1e-8*top {
			t.Errorf("%s differs from the dense solve by %.3g (max %.4g)", name, e, top)
		}
	}
	target, err := g.Disc([]float64{0.5, 0}, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	mf, err := op.MeanFirstPassage(context.Background(), target, BackwardOptions{})
	if err != nil {
		t.Fatal(err)
	}
	minus := make([]float64, n)
	for i := range minus {
		minus[i] = -1
	}
	compare("MFPT", mf.Tau, solve(q, target.Mask, minus, make([]float64, n)))

	a, err := g.Disc([]float64{-0.6, 0}, 0.4)
	if err != nil {
		t.Fatal(err)
	}
	rf, err := op.ReactiveFlux(context.Background(), st, a, target, BackwardOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fixed := make([]bool, n)
	onB, onA := make([]float64, n), make([]float64, n)
	for i := range fixed {
		fixed[i] = a.Mask[i] || target.Mask[i]
		if target.Mask[i] {
			onB[i] = 1
		}
		if a.Mask[i] {
			onA[i] = 1
		}
	}
	compare("forward committor", rf.Forward.Q, solve(q, fixed, make([]float64, n), onB))
	compare("backward committor", rf.Backward.Q, solve(qrev, fixed, make([]float64, n), onA))

	rel, err := op.RelaxationRate(context.Background(), st, RelaxationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var eig mat.Eigen
	if !eig.Factorize(l, mat.EigenNone) {
		t.Fatal("dense eigen-decomposition failed")
	}
	best := complex(math.Inf(1), 0)
	for _, v := range eig.Values(nil) {
		if lam := -v; cmplx.Abs(lam) > 1e-9 && cmplx.Abs(lam) < cmplx.Abs(best) {
			best = lam
		}
	}
	t.Logf("relaxation: %.12f ± %.3gi (%d solves), dense %.12f ± %.3gi", rel.Rate, rel.Imag, rel.Solves, real(best), math.Abs(imag(best)))
	if math.Abs(rel.Rate-real(best)) > 1e-8*cmplx.Abs(best) || math.Abs(rel.Imag-math.Abs(imag(best))) > 1e-8*cmplx.Abs(best) {
		t.Errorf("relaxation rate %.12g ± %.3gi, dense %.12g ± %.3gi", rel.Rate, rel.Imag, real(best), imag(best))
	}
}
