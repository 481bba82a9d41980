package sparse

import (
	"math"
	"testing"
)

// TestGalerkinDirect checks the stencil-based coarse operator against the
// general product R A P (bit for bit, same pattern) and the matrix-free
// transfers against their CSR matrices, over several levels of even, odd
// and 1-D grids with a pinned row, coarsening both axes or (semi-coarsening)
// one of them.
func TestGalerkinDirect(t *testing.T) {
	type keep func(lev int) (x, y bool)
	both := func(int) (bool, bool) { return false, false }
	for _, c := range []struct {
		d    [2]int
		keep keep
	}{
		{[2]int{37, 29}, both}, {[2]int{64, 64}, both}, {[2]int{65, 1}, both}, {[2]int{130, 67}, both}, {[2]int{8, 8}, both},
		{[2]int{64, 37}, func(int) (bool, bool) { return false, true }},          // x only
		{[2]int{33, 70}, func(int) (bool, bool) { return true, false }},          // y only
		{[2]int{130, 67}, func(l int) (bool, bool) { return false, l%2 == 0 }},   // x only, then both
		{[2]int{45, 90}, func(l int) (bool, bool) { return l%3 == 0, l%3 == 1 }}, // mixed
	} {
		d := c.d
		p := genFP(fpOpts{nx: d[0], ny: d[1]})
		a, _ := p.pinned(3)
		nx, ny := d[0], d[1]
		for lev := 0; lev < 6 && nx*ny > 4; lev++ {
			dir := dirichletRows(a)
			kx, ky := c.keep(lev)
			px, ncx := interp1D(nx, false, true, kx)
			py, ncy := interp1D(ny, false, true, ky && ny > 1)
			tr := newGridTransfer(nx, ny, ncx, ncy, px, py, dir)
			pm, err := tensorProlongation(px, py, nx, ny, ncx, ncy, dir)
			if err != nil {
				t.Fatal(err)
			}
			rm := aggregationRestriction(nx, ny, ncx, ncy, dir)
			ref, err := galerkin(rm, a, pm)
			if err != nil {
				t.Fatal(err)
			}
			ac, ok := galerkinDirect(a, tr, false)
			if ok {
				if ac.NNZ() != ref.NNZ() {
					t.Fatalf("%dx%d: %d entries, want %d", nx, ny, ac.NNZ(), ref.NNZ())
				}
				for i := range ref.RowPtr {
					if ac.RowPtr[i] != ref.RowPtr[i] {
						t.Fatalf("%dx%d: row pointer %d differs", nx, ny, i)
					}
				}
				for k := range ref.Col {
					if ac.Col[k] != ref.Col[k] || ac.Val[k] != ref.Val[k] {
						t.Fatalf("%dx%d: entry %d is (%d, %g), want (%d, %g)", nx, ny, k, ac.Col[k], ac.Val[k], ref.Col[k], ref.Val[k])
					}
				}
			} else if nx >= 6 && (ny == 1 || ny >= 6) {
				t.Fatalf("%dx%d: direct product not applicable", nx, ny)
			}
			xc := make([]float64, ncx*ncy)
			for i := range xc {
				xc[i] = float64(i%7) - 2.5 + 1/float64(i+3)
			}
			f1 := make([]float64, nx*ny)
			f2 := make([]float64, nx*ny)
			for i := range f1 {
				f1[i] = 1 / float64(i+1)
				f2[i] = f1[i]
			}
			tr.prolongAdd(f1, xc)
			pm.MulVecAdd(f2, xc)
			c1 := make([]float64, ncx*ncy)
			c2 := make([]float64, ncx*ncy)
			tr.restrict(c1, f1)
			rm.MulVec(c2, f1)
			for i := range f1 {
				if math.Abs(f1[i]-f2[i]) > 1e-14*(1+math.Abs(f2[i])) {
					t.Fatalf("%dx%d: prolongation differs at %d: %g vs %g", nx, ny, i, f1[i], f2[i])
				}
			}
			for i := range c1 {
				if math.Abs(c1[i]-c2[i]) > 1e-14*(1+math.Abs(c2[i])) {
					t.Fatalf("%dx%d: restriction differs at %d: %g vs %g", nx, ny, i, c1[i], c2[i])
				}
			}
			a, nx, ny = ref, ncx, ncy
		}
	}
}

// TestStencilKernels checks the stencil smoother and residual against the
// CSR kernels.
func TestStencilKernels(t *testing.T) {
	p := genFP(fpOpts{nx: 40, ny: 33})
	a, _ := p.pinned(3)
	st, wide := buildStencil(a, 40, 33)
	if st == nil || wide != nil {
		t.Fatal("no stencil for a 9-point operator")
	}
	n := a.Rows
	x := make([]float64, n)
	b := make([]float64, n)
	for i := range x {
		x[i] = math.Sin(float64(i))
		b[i] = math.Cos(float64(i))
	}
	r := make([]float64, n)
	a.Residual(r, b, x)
	for i := 41; i < n-41; i++ {
		if got := stResidual(st, x, b, i, 40); math.Abs(got-r[i]) > 1e-12*(1+math.Abs(r[i])) {
			t.Fatalf("residual row %d: %g, want %g", i, got, r[i])
		}
	}
	inv := a.Diagonal(nil)
	for i := range inv {
		inv[i] = 1 / inv[i]
	}
	for _, fwd := range []bool{true, false} {
		for i := 41; i < n-41; i += 7 {
			y := append([]float64(nil), x...)
			stRelax(st, y, b, inv, i, 40, fwd)
			want := x[i] + r[i]*inv[i]
			if math.Abs(y[i]-want) > 1e-12*(1+math.Abs(want)) {
				t.Fatalf("relax row %d (forward %v): %g, want %g", i, fwd, y[i], want)
			}
		}
	}
	if st, _ := buildStencil(a, 33, 40); st != nil {
		t.Fatal("stencil built for the wrong grid shape")
	}
}

// TestStencilWideRows: rows with entries outside the 3x3 neighbourhood
// (here two cells apart along x, as the long offsets of an anisotropic
// stencil give) are marked wide and relaxed through the CSR path, the other
// rows through the stencil; sweeps and residuals agree with a level that
// uses the CSR path for every row, on one block and on several.
func TestStencilWideRows(t *testing.T) {
	for _, d := range [][2]int{{40, 33}, {130, 110}} {
		nx, ny := d[0], d[1]
		p := genFP(fpOpts{nx: nx, ny: ny})
		a0, _ := p.pinned(3)
		var ri, ci []int
		var v []float64
		var want []int
		for i := 0; i < a0.Rows; i++ {
			for k := a0.RowPtr[i]; k < a0.RowPtr[i+1]; k++ {
				ri, ci, v = append(ri, i), append(ci, int(a0.Col[k])), append(v, a0.Val[k])
			}
			if i%53 == 5 && i%nx+2 < nx && i != 3 {
				want = append(want, i)
				ri, ci, v = append(ri, i), append(ci, i+2), append(v, 0.01*a0.At(i, i))
			}
		}
		a, err := FromTriplets(a0.Rows, a0.Cols, ri, ci, v)
		if err != nil {
			t.Fatal(err)
		}
		st, wide := buildStencil(a, nx, ny)
		if st == nil || wide == nil {
			t.Fatalf("%dx%d: no stencil or no wide rows", nx, ny)
		}
		count := 0
		for _, w := range wide {
			if w {
				count++
			}
		}
		if count != len(want) {
			t.Fatalf("%dx%d: %d wide rows, want %d", nx, ny, count, len(want))
		}
		for _, i := range want {
			if !wide[i] {
				t.Fatalf("%dx%d: row %d not marked wide", nx, ny, i)
			}
		}
		l1, err := newLevel(a, nx, ny)
		if err != nil {
			t.Fatal(err)
		}
		l2, err := newLevel(a, nx, ny)
		if err != nil {
			t.Fatal(err)
		}
		l2.st, l2.wide = nil, nil
		n := a.Rows
		b := make([]float64, n)
		for i := range b {
			b[i] = math.Cos(float64(i))
		}
		for _, l := range []*mgLevel{l1, l2} {
			l.b, l.x, l.res = b, make([]float64, n), make([]float64, n)
		}
		close := func(what string, u, w []float64) {
			for i := range u {
				if math.Abs(u[i]-w[i]) > 1e-12*(1+math.Abs(w[i])) {
					t.Fatalf("%dx%d: %s differs at %d: %g, want %g", nx, ny, what, i, u[i], w[i])
				}
			}
		}
		l1.gsSweepResidual(true)
		l2.gsSweepResidual(true)
		close("first sweep", l1.x, l2.x)
		close("residual", l1.res, l2.res)
		l1.gsSweep(false)
		l2.gsSweep(false)
		close("backward sweep", l1.x, l2.x)
		l1.gsSweepResidual(false)
		l2.gsSweepResidual(false)
		close("second residual", l1.res, l2.res)
	}
}

// TestLumpWrongSign: rows whose off-diagonal entries of the diagonal's sign
// add up to more than lumpThreshold times the diagonal have them moved onto
// the diagonal (row sums kept); rows below the threshold are
// untouched.
func TestLumpWrongSign(t *testing.T) {
	// Row 0: diagonal -4, wrong-sign -3 (defect 0.75, lumped).
	// Row 1: diagonal -4, wrong-sign -1 (defect 0.25, kept).
	// Row 2: an M-matrix row.
	a, err := FromTriplets(3, 3,
		[]int{0, 0, 0, 1, 1, 1, 2, 2},
		[]int{0, 1, 2, 0, 1, 2, 1, 2},
		[]float64{-4, -3, 7, 5, -4, -1, 2, -2})
	if err != nil {
		t.Fatal(err)
	}
	sums := func(m *CSR) []float64 {
		s := make([]float64, m.Rows)
		for i := range s {
			for q := m.RowPtr[i]; q < m.RowPtr[i+1]; q++ {
				s[i] += m.Val[q]
			}
		}
		return s
	}
	before := sums(a)
	lumpWrongSign(a)
	if got := sums(a); maxAbsDiff(got, before) > 1e-15 {
		t.Errorf("row sums %v, want %v", got, before)
	}
	for _, c := range []struct {
		i, j int
		want float64
	}{{0, 0, -7}, {0, 1, 0}, {0, 2, 7}, {1, 1, -4}, {1, 2, -1}, {2, 2, -2}} {
		if got := a.At(c.i, c.j); got != c.want {
			t.Errorf("a[%d][%d] = %g, want %g", c.i, c.j, got, c.want)
		}
	}
}
