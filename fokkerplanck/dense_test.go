package fokkerplanck

import (
	"context"
	"math"
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
