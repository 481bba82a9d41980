package sparse

import (
	"fmt"
	"math"
)

// ILU0 is the incomplete LU factorisation with zero fill-in, ILU(0)
// (Saad 2003, Algorithm 10.4): A ≈ L U where L (unit lower triangular) and
// U have the sparsity pattern of A. Its Apply is sequential (two triangular
// solves); it is kept as a general-purpose fallback and for comparison with
// [Multigrid], whose iteration counts, unlike those of ILU(0), do not grow
// with the grid size.
type ILU0 struct {
	n      int
	rowPtr []int
	col    []int32
	val    []float64 // L below the diagonal (unit diagonal implied), U on and above
	diag   []int
}

// NewILU0 computes the ILU(0) factorisation of the square canonical matrix a.
// It fails when a diagonal entry is missing or a pivot vanishes. The factor
// shares the RowPtr and Col arrays of a, whose pattern must not change while
// the factor is in use.
func NewILU0(a *CSR) (*ILU0, error) {
	if a.Rows != a.Cols {
		return nil, fmt.Errorf("sparse: NewILU0: matrix is %dx%d, not square", a.Rows, a.Cols)
	}
	n := a.Rows
	f := &ILU0{n: n, rowPtr: a.RowPtr, col: a.Col, val: append([]float64(nil), a.Val...), diag: make([]int, n)}
	for i := 0; i < n; i++ {
		d := a.diagIndex(i)
		if d < 0 {
			return nil, fmt.Errorf("sparse: NewILU0: diagonal entry of row %d is not stored", i)
		}
		f.diag[i] = d
	}
	pos := make([]int, n) // pos[j] = index of column j in the current row, or -1
	for i := range pos {
		pos[i] = -1
	}
	val, col, rp := f.val, f.col, f.rowPtr
	for i := 0; i < n; i++ {
		for k := rp[i]; k < rp[i+1]; k++ {
			pos[col[k]] = k
		}
		for k := rp[i]; k < f.diag[i]; k++ {
			c := int(col[k])
			piv := val[f.diag[c]]
			lik := val[k] / piv
			val[k] = lik
			for q := f.diag[c] + 1; q < rp[c+1]; q++ {
				if p := pos[col[q]]; p >= 0 {
					val[p] -= lik * val[q]
				}
			}
		}
		for k := rp[i]; k < rp[i+1]; k++ {
			pos[col[k]] = -1
		}
		if d := val[f.diag[i]]; d == 0 || math.IsNaN(d) || math.IsInf(d, 0) {
			return nil, fmt.Errorf("sparse: NewILU0: pivot %g in row %d", d, i)
		}
	}
	return f, nil
}

// Apply solves L U dst = r. It does not allocate and is safe for concurrent
// use.
func (f *ILU0) Apply(dst, r []float64) {
	val, col, rp := f.val, f.col, f.rowPtr
	for i := 0; i < f.n; i++ {
		s := r[i]
		for k := rp[i]; k < f.diag[i]; k++ {
			s -= val[k] * dst[col[k]]
		}
		dst[i] = s
	}
	for i := f.n - 1; i >= 0; i-- {
		s := dst[i]
		d := f.diag[i]
		for k := d + 1; k < rp[i+1]; k++ {
			s -= val[k] * dst[col[k]]
		}
		dst[i] = s / val[d]
	}
}

// MemoryBytes returns the number of bytes held by the factors (the pattern
// arrays are shared with the input matrix and not counted).
func (f *ILU0) MemoryBytes() int64 { return int64(len(f.val))*8 + int64(len(f.diag))*8 }
