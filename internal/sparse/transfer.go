package sparse

import (
	"math/bits"
	"sync"
)

// gridTransfer applies the default transfers of [TransferBilinear] without
// stored matrices: P = Py ⊗ Px (bilinear, rows of the skipped fine nodes
// empty) and R = aggregation (the sum over the non-skipped fine cells of a
// coarse cell). The entries of px[i] and py[j] are sorted by coarse index,
// so that the sums run in the order of the equivalent CSR products and the
// results are bit-identical to them.
type gridTransfer struct {
	nx, ny, ncx, ncy int
	px, py           [][]wEntry
	skip             []bool
	// px flattened: fine column i takes weights xw0[i], xw1[i] of coarse
	// columns xc0[i], xc1[i] (xw1[i] = 0, xc1[i] = xc0[i] for one entry:
	// adding (w*0)*x leaves a sum unchanged).
	xc0, xc1  []int32
	xw0, xw1  []float64
	rowBlocks []int // blocks of fine grid rows (j) for parallel prolongation
	cBlocks   []int // blocks of coarse grid rows for parallel restriction
	task      transferTask
}

type transferTask struct {
	wg       sync.WaitGroup
	t        *gridTransfer
	xf, xc   []float64
	restrict bool // restrictRows instead of prolongRows
}

func (t *transferTask) group() *sync.WaitGroup { return &t.wg }
func (t *transferTask) run(lo, hi int) {
	if t.restrict {
		t.t.restrictRows(t.xc, t.xf, lo, hi)
		return
	}
	t.t.prolongRows(t.xf, t.xc, lo, hi)
}

func newGridTransfer(nx, ny, ncx, ncy int, px, py [][]wEntry, skip []bool) *gridTransfer {
	t := &gridTransfer{nx: nx, ny: ny, ncx: ncx, ncy: ncy, px: px, py: py, skip: skip}
	t.task.t = t
	t.xc0, t.xc1 = make([]int32, nx), make([]int32, nx)
	t.xw0, t.xw1 = make([]float64, nx), make([]float64, nx)
	for i, e := range px {
		t.xc0[i], t.xw0[i] = int32(e[0].c), e[0].w
		t.xc1[i] = t.xc0[i]
		if len(e) > 1 {
			t.xc1[i], t.xw1[i] = int32(e[1].c), e[1].w
		}
	}
	nw := numWorkers()
	// Blocks of whole grid rows; in 1-D (ny = 1) a single block.
	if nw > 1 && nx*ny >= parallelMinWork/4 && ny >= 2*nw {
		t.rowBlocks = make([]int, nw+1)
		for b := 0; b <= nw; b++ {
			t.rowBlocks[b] = b * ny / nw
		}
	} else {
		t.rowBlocks = []int{0, ny}
	}
	if nw > 1 && nx*ny >= parallelMinWork/4 && ncy >= 2*nw {
		t.cBlocks = make([]int, nw+1)
		for b := 0; b <= nw; b++ {
			t.cBlocks[b] = b * ncy / nw
		}
	} else {
		t.cBlocks = []int{0, ncy}
	}
	return t
}

// memoryBytes returns the bytes held by the tables.
func (t *gridTransfer) memoryBytes() int64 {
	s := int64(len(t.skip)) + 8*int64(len(t.rowBlocks)+len(t.cBlocks)) + 24*int64(len(t.xc0))
	for _, e := range t.px {
		s += 24 + 16*int64(len(e))
	}
	for _, e := range t.py {
		s += 24 + 16*int64(len(e))
	}
	return s
}

// prolongAdd computes xf += P xc.
func (t *gridTransfer) prolongAdd(xf, xc []float64) {
	if len(t.rowBlocks) == 2 {
		t.prolongRows(xf, xc, 0, t.ny)
		return
	}
	t.task.xf, t.task.xc = xf, xc
	parallelDo(&t.task, t.rowBlocks)
	t.task.xf, t.task.xc = nil, nil
}

func (t *gridTransfer) prolongRows(xf, xc []float64, jlo, jhi int) {
	nx, ncx := t.nx, t.ncx
	skip := t.skip
	xc0, xc1, xw0, xw1 := t.xc0[:nx], t.xc1[:nx], t.xw0[:nx], t.xw1[:nx]
	for j := jlo; j < jhi; j++ {
		py := t.py[j]
		row := xf[j*nx : (j+1)*nx]
		sk := skip[j*nx : (j+1)*nx]
		c0 := xc[py[0].c*ncx : (py[0].c+1)*ncx]
		w0 := py[0].w
		if len(py) == 1 {
			for i := range row {
				if sk[i] {
					continue
				}
				s := row[i]
				s += w0 * xw0[i] * c0[xc0[i]]
				s += w0 * xw1[i] * c0[xc1[i]]
				row[i] = s
			}
			continue
		}
		c1 := xc[py[1].c*ncx : (py[1].c+1)*ncx]
		w1 := py[1].w
		for i := range row {
			if sk[i] {
				continue
			}
			s := row[i]
			s += w0 * xw0[i] * c0[xc0[i]]
			s += w0 * xw1[i] * c0[xc1[i]]
			s += w1 * xw0[i] * c1[xc0[i]]
			s += w1 * xw1[i] * c1[xc1[i]]
			row[i] = s
		}
	}
}

// restrict computes bc = R res: the sum of res over the non-skipped fine
// cells of each coarse cell, in row-major order (blocks of coarse grid
// rows in parallel).
func (t *gridTransfer) restrict(bc, res []float64) {
	if len(t.cBlocks) == 2 {
		t.restrictRows(bc, res, 0, t.ncy)
		return
	}
	t.task.xf, t.task.xc, t.task.restrict = res, bc, true
	parallelDo(&t.task, t.cBlocks)
	t.task.xf, t.task.xc, t.task.restrict = nil, nil, false
}

// restrictRows is restrict for the coarse grid rows [cjlo, cjhi).
func (t *gridTransfer) restrictRows(bc, res []float64, cjlo, cjhi int) {
	nx, ny, ncx, ncy := t.nx, t.ny, t.ncx, t.ncy
	skip := t.skip
	span := func(c, n, nc int) (int, int) {
		if nc == n {
			return c, c + 1
		}
		return 2 * c, min(2*c+2, n)
	}
	for cj := cjlo; cj < cjhi; cj++ {
		j0, j1 := span(cj, ny, ncy)
		for ci := 0; ci < ncx; ci++ {
			i0, i1 := span(ci, nx, ncx)
			s := 0.0
			for j := j0; j < j1; j++ {
				for i := i0; i < i1; i++ {
					if f := j*nx + i; !skip[f] {
						s += res[f]
					}
				}
			}
			bc[cj*ncx+ci] = s
		}
	}
}

// galerkinDirect computes R A P for the transfers of t from the stencils of
// a, with the same pattern and the same order of floating-point operations
// as r.Mul(a).Mul(p) (so bit-identical values): per coarse row, the row of
// R A is accumulated on the 4x4 window of fine nodes that the fine rows of
// the coarse cell reach, then multiplied by the rows of P in increasing
// fine-column order. It reports false when a is not a local 9-point-type
// operator on the grid or the grid is too small or periodic (the caller then
// uses the general product).
func galerkinDirect(a *CSR, t *gridTransfer, periodic bool) (*CSR, bool) {
	nx, ny, ncx, ncy := t.nx, t.ny, t.ncx, t.ncy
	if periodic || nx < 3 || (ny > 1 && ny < 3) || ncx < 3 || (ncy > 1 && ncy < 3) {
		return nil, false
	}
	// cells returns the fine cells [f0, f1) of coarse cell c along an axis
	// of n fine and nc coarse cells, and the first fine cell w0 of the
	// window of 4 that the rows of those cells reach (an axis that is not
	// coarsened maps each cell to itself).
	cells := func(c, n, nc int) (f0, f1, w0 int) {
		if nc == n {
			return c, c + 1, c - 1
		}
		return 2 * c, min(2*c+2, n), 2*c - 1
	}
	nc := ncx * ncy
	nw := numWorkers()
	if a.NNZ() < parallelMinWork {
		nw = 1
	}
	nw = min(nw, ncy)
	// Each worker writes its rows (at most 9 entries each) into the final
	// arrays from 9 times its first row on; the rows are then moved
	// together in order.
	type part struct {
		col []int32
		val []float64
		ok  bool
	}
	c := &CSR{Rows: nc, Cols: nc, RowPtr: make([]int, nc+1), Col: make([]int32, 9*nc), Val: make([]float64, 9*nc)}
	rowNNZ := c.RowPtr[1:]
	parts := make([]part, nw)
	var wg sync.WaitGroup
	for p := 0; p < nw; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			jlo, jhi := p*ncy/nw, (p+1)*ncy/nw
			pt := part{col: c.Col[9*jlo*ncx : 9*jlo*ncx : 9*jhi*ncx], val: c.Val[9*jlo*ncx : 9*jlo*ncx : 9*jhi*ncx]}
			var win [16]float64
			var acc [9]float64
			rp, col, val := a.RowPtr, a.Col, a.Val
			skip := t.skip
			for cj := jlo; cj < jhi; cj++ {
				fj0, fj1, wj0 := cells(cj, ny, ncy)
				for ci := 0; ci < ncx; ci++ {
					fi0, fi1, wi0 := cells(ci, nx, ncx)
					var wtouch uint16 // window slots reached
					for fj := fj0; fj < fj1; fj++ {
						for fi := fi0; fi < fi1; fi++ {
							f := fj*nx + fi
							if skip[f] {
								continue
							}
							for k := rp[f]; k < rp[f+1]; k++ {
								gi := fi + int(col[k]) - f
								gj := fj
								if gi < 0 {
									gi += nx
									gj--
								} else if gi >= nx {
									gi -= nx
									gj++
								}
								si, sj := gi-wi0, gj-wj0
								if gi < 0 || gi >= nx || gj < 0 || gj >= ny || uint(si) >= 4 || uint(sj) >= 4 {
									return
								}
								s := uint(sj*4+si) & 15
								if wtouch&(1<<s) != 0 {
									win[s] += val[k]
								} else {
									win[s] = val[k]
									wtouch |= 1 << s
								}
							}
						}
					}
					var ctouch uint16 // coarse stencil slots reached
					for m := wtouch; m != 0; m &= m - 1 {
						s := bits.TrailingZeros16(m)
						gi, gj := wi0+s&3, wj0+s>>2
						if skip[gj*nx+gi] {
							continue
						}
						av := win[s]
						for _, ey := range t.py[gj] {
							dy := ey.c - cj + 1
							for _, ex := range t.px[gi] {
								dx := ex.c - ci + 1
								if uint(dx) >= 3 || uint(dy) >= 3 {
									return
								}
								q := uint(dy*3+dx) % 9
								if ctouch&(1<<q) != 0 {
									acc[q] += av * (ey.w * ex.w)
								} else {
									acc[q] = av * (ey.w * ex.w)
									ctouch |= 1 << q
								}
							}
						}
					}
					n := 0
					for m := ctouch; m != 0; m &= m - 1 {
						q := bits.TrailingZeros16(m)
						pt.col = append(pt.col, int32((cj+q/3-1)*ncx+ci+q%3-1))
						pt.val = append(pt.val, acc[q%9])
						n++
					}
					rowNNZ[cj*ncx+ci] = n
				}
			}
			pt.ok = true
			parts[p] = pt
		}(p)
	}
	wg.Wait()
	total := 0
	for _, pt := range parts {
		if !pt.ok {
			return nil, false
		}
		// (copy moves overlapping ranges correctly: total never exceeds
		// the part's start.)
		copy(c.Col[total:], pt.col)
		copy(c.Val[total:], pt.val)
		total += len(pt.col)
	}
	for i := 0; i < nc; i++ {
		c.RowPtr[i+1] += c.RowPtr[i]
	}
	c.Col, c.Val = c.Col[:total:total], c.Val[:total:total]
	return c, true
}
