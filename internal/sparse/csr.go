package sparse

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
)

// CSR is a sparse matrix in compressed sparse row format.
//
// Row i holds the entries Col[RowPtr[i]:RowPtr[i+1]] and Val[RowPtr[i]:RowPtr[i+1]].
// Column indices are int32: on the grids this package targets (up to a few
// million nodes with about ten entries per row) this halves the index traffic
// of a matrix–vector product, which is memory bound; it limits Cols to
// math.MaxInt32. RowPtr is []int so that the number of stored entries is not
// limited to 2^31.
//
// All constructors of this package return canonical matrices: within each
// row the column indices are strictly increasing. Explicitly stored zeros are
// kept (they are part of the sparsity pattern). Methods assume the canonical
// form; code that fills the fields by hand must respect it.
type CSR struct {
	Rows, Cols int
	RowPtr     []int
	Col        []int32
	Val        []float64
}

// NNZ returns the number of stored entries.
func (a *CSR) NNZ() int { return a.RowPtr[a.Rows] }

// MemoryBytes returns the number of bytes held by the matrix arrays.
func (a *CSR) MemoryBytes() int64 {
	return int64(len(a.RowPtr))*8 + int64(len(a.Col))*4 + int64(len(a.Val))*8
}

// At returns entry (i, j), zero when it is not stored. It costs a binary
// search in row i.
func (a *CSR) At(i, j int) float64 {
	lo, hi := a.RowPtr[i], a.RowPtr[i+1]
	k, ok := slices.BinarySearch(a.Col[lo:hi], int32(j))
	if !ok {
		return 0
	}
	return a.Val[lo+k]
}

// Clone returns a deep copy of a.
func (a *CSR) Clone() *CSR {
	return &CSR{
		Rows: a.Rows, Cols: a.Cols,
		RowPtr: slices.Clone(a.RowPtr),
		Col:    slices.Clone(a.Col),
		Val:    slices.Clone(a.Val),
	}
}

// Diagonal stores the diagonal of a in dst and returns it; dst is allocated
// when it is nil. Missing diagonal entries are zero.
func (a *CSR) Diagonal(dst []float64) []float64 {
	n := min(a.Rows, a.Cols)
	if dst == nil {
		dst = make([]float64, n)
	}
	if len(dst) != n {
		panic("sparse: Diagonal: wrong length of dst")
	}
	for i := 0; i < n; i++ {
		dst[i] = 0
		for k := a.RowPtr[i]; k < a.RowPtr[i+1]; k++ {
			if int(a.Col[k]) == i {
				dst[i] = a.Val[k]
				break
			}
		}
	}
	return dst
}

// diagIndex returns the position of the diagonal entry of row i, or -1.
func (a *CSR) diagIndex(i int) int {
	lo, hi := a.RowPtr[i], a.RowPtr[i+1]
	k, ok := slices.BinarySearch(a.Col[lo:hi], int32(i))
	if !ok {
		return -1
	}
	return lo + k
}

// PinRow replaces row k by d times the k-th unit row: the off-diagonal
// entries of row k are set to zero (the pattern is kept) and the diagonal to
// d. It is used to make the singular steady-state system L p = 0 regular:
// with right-hand side d e_k the solution is the stationary vector scaled so
// that p_k = 1.
//
// With d = 1 (the identity row) the right-hand side has norm 1 while the other
// rows of a generator on a fine grid have entries of size 1/h², so a relative
// residual ||b - A x|| / ||b|| below about 1e-9 is out of reach of double
// precision on grids of 512² nodes and more. Choosing d = |L_kk| balances the
// system and makes tolerances down to about 1e-13 reachable; the solution is
// the same.
//
// The diagonal must be in the pattern of row k.
func (a *CSR) PinRow(k int, d float64) error {
	if a.Rows != a.Cols {
		return errors.New("sparse: PinRow: matrix is not square")
	}
	if k < 0 || k >= a.Rows {
		return fmt.Errorf("sparse: PinRow: row %d out of range [0,%d)", k, a.Rows)
	}
	p := a.diagIndex(k)
	if p < 0 {
		return fmt.Errorf("sparse: PinRow: diagonal entry of row %d is not stored", k)
	}
	for q := a.RowPtr[k]; q < a.RowPtr[k+1]; q++ {
		a.Val[q] = 0
	}
	a.Val[p] = d
	return nil
}

// ShiftScale returns the new matrix alpha*I + beta*A for a square matrix a.
// For an implicit Euler step of d rho/dt = L rho use L.ShiftScale(1, -dt),
// which is I - dt L. Diagonal entries missing from the pattern are inserted.
func (a *CSR) ShiftScale(alpha, beta float64) (*CSR, error) {
	if a.Rows != a.Cols {
		return nil, errors.New("sparse: ShiftScale: matrix is not square")
	}
	out := &CSR{Rows: a.Rows, Cols: a.Cols, RowPtr: make([]int, a.Rows+1)}
	out.Col = make([]int32, 0, a.NNZ()+a.Rows)
	out.Val = make([]float64, 0, a.NNZ()+a.Rows)
	for i := 0; i < a.Rows; i++ {
		done := false
		for k := a.RowPtr[i]; k < a.RowPtr[i+1]; k++ {
			j := int(a.Col[k])
			if !done && j > i {
				out.Col = append(out.Col, int32(i))
				out.Val = append(out.Val, alpha)
				done = true
			}
			v := beta * a.Val[k]
			if j == i {
				v += alpha
				done = true
			}
			out.Col = append(out.Col, int32(j))
			out.Val = append(out.Val, v)
		}
		if !done {
			out.Col = append(out.Col, int32(i))
			out.Val = append(out.Val, alpha)
		}
		out.RowPtr[i+1] = len(out.Col)
	}
	return out, nil
}

// Transpose returns the transpose of a. It runs in O(nnz + Rows + Cols) time
// (a counting sort by column), and the result is canonical.
func (a *CSR) Transpose() *CSR {
	t := &CSR{Rows: a.Cols, Cols: a.Rows, RowPtr: make([]int, a.Cols+1)}
	nnz := a.NNZ()
	t.Col = make([]int32, nnz)
	t.Val = make([]float64, nnz)
	for _, j := range a.Col[:nnz] {
		t.RowPtr[j+1]++
	}
	for j := 0; j < a.Cols; j++ {
		t.RowPtr[j+1] += t.RowPtr[j]
	}
	next := make([]int, a.Cols)
	copy(next, t.RowPtr[:a.Cols])
	for i := 0; i < a.Rows; i++ {
		for k := a.RowPtr[i]; k < a.RowPtr[i+1]; k++ {
			j := a.Col[k]
			p := next[j]
			next[j]++
			t.Col[p] = int32(i)
			t.Val[p] = a.Val[k]
		}
	}
	return t
}

// spmvTask computes one of dst = A x, dst = b - A x, dst += A x over a block
// of rows.
type spmvTask struct {
	wg      sync.WaitGroup
	a       *CSR
	dst, x  []float64
	b       []float64
	mode    int
	scratch [maxChunks + 1]int
}

const (
	spmvSet = iota
	spmvResidual
	spmvAdd
)

var spmvPool = sync.Pool{New: func() any { return new(spmvTask) }}

func (t *spmvTask) group() *sync.WaitGroup { return &t.wg }

func (t *spmvTask) run(lo, hi int) {
	a := t.a
	rp, col, val := a.RowPtr, a.Col, a.Val
	x, dst := t.x, t.dst
	switch t.mode {
	case spmvSet:
		for i := lo; i < hi; i++ {
			dst[i] = rowSum(val[rp[i]:rp[i+1]], col[rp[i]:rp[i+1]], x)
		}
	case spmvResidual:
		b := t.b
		for i := lo; i < hi; i++ {
			dst[i] = b[i] - rowSum(val[rp[i]:rp[i+1]], col[rp[i]:rp[i+1]], x)
		}
	case spmvAdd:
		for i := lo; i < hi; i++ {
			dst[i] += rowSum(val[rp[i]:rp[i+1]], col[rp[i]:rp[i+1]], x)
		}
	}
}

func (a *CSR) spmv(mode int, dst, x, b []float64) {
	if len(x) != a.Cols || len(dst) != a.Rows || (mode == spmvResidual && len(b) != a.Rows) {
		panic("sparse: dimension mismatch in matrix-vector product")
	}
	nw := numWorkers()
	if nw == 1 || a.NNZ() < parallelMinWork {
		t := spmvTask{a: a, dst: dst, x: x, b: b, mode: mode}
		t.run(0, a.Rows)
		return
	}
	t := spmvPool.Get().(*spmvTask)
	t.a, t.dst, t.x, t.b, t.mode = a, dst, x, b, mode
	nb := splitRows(a.RowPtr, nw, t.scratch[:])
	parallelDo(t, t.scratch[:nb+1])
	t.a, t.dst, t.x, t.b = nil, nil, nil, nil
	spmvPool.Put(t)
}

// MulVec computes dst = A x. The rows are split into blocks of equal numbers
// of entries that run in parallel on the package's worker pool when the
// matrix is large enough. dst must not alias x. It does not allocate.
func (a *CSR) MulVec(dst, x []float64) { a.spmv(spmvSet, dst, x, nil) }

// MulVecAdd computes dst += A x, like [CSR.MulVec].
func (a *CSR) MulVecAdd(dst, x []float64) { a.spmv(spmvAdd, dst, x, nil) }

// Residual computes dst = b - A x, like [CSR.MulVec]. dst may alias b but not x.
func (a *CSR) Residual(dst, b, x []float64) { a.spmv(spmvResidual, dst, x, b) }

// Mul returns the sparse product A B (SpGEMM), computed row by row with a
// dense accumulator (Gustavson 1978, ACM TOMS 4:250–269) in parallel over
// blocks of rows of A. Entries that cancel to zero are kept in the pattern.
func (a *CSR) Mul(b *CSR) (*CSR, error) {
	if a.Cols != b.Rows {
		return nil, fmt.Errorf("sparse: Mul: dimension mismatch %dx%d times %dx%d", a.Rows, a.Cols, b.Rows, b.Cols)
	}
	if b.Cols > math.MaxInt32 {
		return nil, errors.New("sparse: Mul: too many columns")
	}
	nw := numWorkers()
	if a.NNZ() < parallelMinWork {
		nw = 1
	}
	var bounds [maxChunks + 1]int
	nb := splitRows(a.RowPtr, nw, bounds[:])
	type part struct {
		rowNNZ []int
		col    []int32
		val    []float64
	}
	parts := make([]part, nb)
	var wg sync.WaitGroup
	for p := 0; p < nb; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			lo, hi := bounds[p], bounds[p+1]
			acc := make([]float64, b.Cols)
			mark := make([]bool, b.Cols)
			var cols []int32
			est := 0
			if a.NNZ() > 0 {
				est = int(float64(a.RowPtr[hi]-a.RowPtr[lo]) * float64(b.NNZ()) / float64(max(b.Rows, 1)) * 0.6)
			}
			pt := part{rowNNZ: make([]int, hi-lo), col: make([]int32, 0, est), val: make([]float64, 0, est)}
			for i := lo; i < hi; i++ {
				cols = cols[:0]
				for k := a.RowPtr[i]; k < a.RowPtr[i+1]; k++ {
					av := a.Val[k]
					r := a.Col[k]
					for q := b.RowPtr[r]; q < b.RowPtr[r+1]; q++ {
						j := b.Col[q]
						if !mark[j] {
							mark[j] = true
							acc[j] = av * b.Val[q]
							cols = append(cols, j)
						} else {
							acc[j] += av * b.Val[q]
						}
					}
				}
				sortInt32(cols)
				for _, j := range cols {
					pt.col = append(pt.col, j)
					pt.val = append(pt.val, acc[j])
					mark[j] = false
				}
				pt.rowNNZ[i-lo] = len(cols)
			}
			parts[p] = pt
		}(p)
	}
	wg.Wait()
	total := 0
	for _, pt := range parts {
		total += len(pt.col)
	}
	c := &CSR{Rows: a.Rows, Cols: b.Cols, RowPtr: make([]int, a.Rows+1), Col: make([]int32, 0, total), Val: make([]float64, 0, total)}
	row := 0
	for _, pt := range parts {
		for _, n := range pt.rowNNZ {
			c.RowPtr[row+1] = c.RowPtr[row] + n
			row++
		}
		c.Col = append(c.Col, pt.col...)
		c.Val = append(c.Val, pt.val...)
	}
	return c, nil
}

// Builder assembles a CSR matrix row by row. It is the fastest way to build
// the large matrices of this package: the caller appends the entries of row
// 0, calls EndRow, appends the entries of row 1, and so on. Within a row the
// entries may come in any order and may repeat a column (repeats are
// summed); EndRow sorts the row by insertion sort, which is cheap for the
// short rows (up to a few dozen entries) of grid operators, so assembly runs
// in O(nnz) with no global sort. For a generator whose entries are naturally
// produced by columns (the out-rates of each node), build the transpose row
// by row and call [CSR.Transpose].
//
// For unordered input use [FromTriplets].
type Builder struct {
	m     *CSR
	row   int
	start int
	err   error
}

// NewBuilder returns a Builder of a rows x cols matrix; nnzHint is the
// expected number of entries (used to size the arrays, may be 0).
func NewBuilder(rows, cols, nnzHint int) *Builder {
	m := &CSR{Rows: rows, Cols: cols, RowPtr: make([]int, rows+1)}
	m.Col = make([]int32, 0, nnzHint)
	m.Val = make([]float64, 0, nnzHint)
	b := &Builder{m: m}
	if cols > math.MaxInt32 || rows < 0 || cols < 0 {
		b.err = fmt.Errorf("sparse: NewBuilder: unsupported size %dx%d", rows, cols)
	}
	return b
}

// Add adds v to entry (r, j) of the current row r (the number of rows ended
// so far). An out-of-range column is reported by Build.
func (b *Builder) Add(j int, v float64) {
	if uint(j) >= uint(b.m.Cols) {
		if b.err == nil {
			b.err = fmt.Errorf("sparse: Builder: column %d out of range [0,%d) in row %d", j, b.m.Cols, b.row)
		}
		return
	}
	b.m.Col = append(b.m.Col, int32(j))
	b.m.Val = append(b.m.Val, v)
}

// EndRow finishes the current row: it sorts its entries by column and sums
// repeated columns.
func (b *Builder) EndRow() {
	if b.row >= b.m.Rows {
		if b.err == nil {
			b.err = fmt.Errorf("sparse: Builder: more than %d rows", b.m.Rows)
		}
		return
	}
	col, val := b.m.Col, b.m.Val
	n := sortMergeRow(col[b.start:], val[b.start:])
	end := b.start + n
	b.m.Col, b.m.Val = col[:end], val[:end]
	b.row++
	b.m.RowPtr[b.row] = end
	b.start = end
}

// Build returns the matrix. All rows must have been ended.
func (b *Builder) Build() (*CSR, error) {
	if b.err != nil {
		return nil, b.err
	}
	if b.row != b.m.Rows {
		return nil, fmt.Errorf("sparse: Builder: %d of %d rows ended", b.row, b.m.Rows)
	}
	m := b.m
	b.m = nil
	return m, nil
}

// sortMergeRow sorts col (and val with it) by insertion sort, sums repeated
// columns, and returns the new length.
func sortMergeRow(col []int32, val []float64) int {
	n := len(col)
	if n > 48 {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(p, q int) int { return int(col[p]) - int(col[q]) })
		c2 := make([]int32, n)
		v2 := make([]float64, n)
		for i, p := range idx {
			c2[i], v2[i] = col[p], val[p]
		}
		copy(col, c2)
		copy(val, v2)
	} else {
		for i := 1; i < n; i++ {
			c, v := col[i], val[i]
			k := i - 1
			for k >= 0 && col[k] > c {
				col[k+1], val[k+1] = col[k], val[k]
				k--
			}
			col[k+1], val[k+1] = c, v
		}
	}
	if n == 0 {
		return 0
	}
	w := 0
	for i := 1; i < n; i++ {
		if col[i] == col[w] {
			val[w] += val[i]
		} else {
			w++
			col[w], val[w] = col[i], val[i]
		}
	}
	return w + 1
}

// FromTriplets assembles a rows x cols matrix from coordinate triplets
// (ri[k], ci[k], v[k]); repeated positions are summed. It sorts by row with a
// counting sort and then each row by insertion sort, so it runs in
// O(nnz + rows) for grid operators. When the entries can be produced row by
// row, [Builder] avoids the triplet arrays altogether.
func FromTriplets(rows, cols int, ri, ci []int, v []float64) (*CSR, error) {
	if len(ri) != len(ci) || len(ri) != len(v) {
		return nil, errors.New("sparse: FromTriplets: slices of different lengths")
	}
	if cols > math.MaxInt32 {
		return nil, errors.New("sparse: FromTriplets: too many columns")
	}
	m := &CSR{Rows: rows, Cols: cols, RowPtr: make([]int, rows+1)}
	for k := range ri {
		if uint(ri[k]) >= uint(rows) || uint(ci[k]) >= uint(cols) {
			return nil, fmt.Errorf("sparse: FromTriplets: entry (%d,%d) out of range %dx%d", ri[k], ci[k], rows, cols)
		}
		m.RowPtr[ri[k]+1]++
	}
	for i := 0; i < rows; i++ {
		m.RowPtr[i+1] += m.RowPtr[i]
	}
	col := make([]int32, len(ri))
	val := make([]float64, len(ri))
	next := slices.Clone(m.RowPtr[:rows])
	for k := range ri {
		p := next[ri[k]]
		next[ri[k]]++
		col[p] = int32(ci[k])
		val[p] = v[k]
	}
	w := 0
	for i := 0; i < rows; i++ {
		lo, hi := m.RowPtr[i], m.RowPtr[i+1]
		n := sortMergeRow(col[lo:hi], val[lo:hi])
		copy(col[w:], col[lo:lo+n])
		copy(val[w:], val[lo:lo+n])
		m.RowPtr[i] = w
		w += n
	}
	m.RowPtr[rows] = w
	m.Col, m.Val = col[:w:w], val[:w:w]
	return m, nil
}

// sortInt32 sorts short slices by insertion and long ones by pdqsort.
func sortInt32(c []int32) {
	if len(c) > 32 {
		slices.Sort(c)
		return
	}
	for i := 1; i < len(c); i++ {
		v := c[i]
		k := i - 1
		for k >= 0 && c[k] > v {
			c[k+1] = c[k]
			k--
		}
		c[k+1] = v
	}
}

// rowSum returns sum_k val[k] x[col[k]] with two interleaved partial sums,
// which halves the floating-point dependency chain of the short rows of
// grid operators (the row kernels are latency bound, not memory bound).
func rowSum(val []float64, col []int32, x []float64) float64 {
	val = val[:len(col)]
	var s0, s1 float64
	k := 0
	for ; k+2 <= len(col); k += 2 {
		s0 += val[k] * x[col[k]]
		s1 += val[k+1] * x[col[k+1]]
	}
	if k < len(col) {
		s0 += val[k] * x[col[k]]
	}
	return s0 + s1
}
