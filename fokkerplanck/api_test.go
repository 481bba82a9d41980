package fokkerplanck_test

import (
	"context"
	"testing"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
)

// TestOperatorEntry checks the exported view of the generator from outside
// the package: Entry(y, x) is entry y of Apply(e_x), the column of node x,
// which sums to zero with non-negative rates off the diagonal; and Entry
// panics outside the nodes.
func TestOperatorEntry(t *testing.T) {
	m, err := potentials.New("gyrator", nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := fokkerplanck.NewGrid(m.Box, []int{9, 8}, false)
	if err != nil {
		t.Fatal(err)
	}
	op, err := fokkerplanck.NewOperator(context.Background(), m, 0.5, g)
	if err != nil {
		t.Fatal(err)
	}
	n := g.Len()
	e, col := make([]float64, n), make([]float64, n)
	for x := 0; x < n; x++ {
		clear(e)
		e[x] = 1
		op.Apply(col, e)
		sum, scale := 0.0, 0.0
		for y := 0; y < n; y++ {
			v := op.Entry(y, x)
			if v != col[y] {
				t.Fatalf("Entry(%d, %d) = %g, but (L e_%d)[%d] = %g", y, x, v, x, y, col[y])
			}
			if y != x && v < 0 {
				t.Fatalf("Entry(%d, %d) = %g: negative rate", y, x, v)
			}
			sum += v
			scale += max(v, -v)
		}
		if !(scale > 0) || max(sum, -sum) > 1e-13*scale {
			t.Fatalf("column %d sums to %g (scale %g)", x, sum, scale)
		}
	}
	for _, yx := range [][2]int{{-1, 0}, {0, -1}, {n, 0}, {0, n}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Entry(%d, %d) on %d nodes did not panic", yx[0], yx[1], n)
				}
			}()
			op.Entry(yx[0], yx[1])
		}()
	}
}
