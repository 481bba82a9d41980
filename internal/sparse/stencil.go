package sparse

import "sync"

// Stencil storage of a grid level for the smoother: the nine values of
// row i for the neighbours i + off[s], off = (-nx-1, -nx, -nx+1, -1, 0, 1,
// nx-1, nx, nx+1), zero where the row has no entry. Rows away from the
// first and last grid rows then need no column indices (a third less data
// for the 9-point coarse operators) and the Gauss–Seidel update can take
// the freshly relaxed neighbour x[i∓1] out of the sum, which shortens the
// dependency chain from one row to the next.

// buildStencil returns the stencil values of a, or nil when the grid is too
// small or more than half of the rows have entries outside the 3x3
// neighbourhood (periodic wrap, non-grid matrices). Such rows ("wide":
// long offsets of an anisotropic diffusion's stencil, and the coarse rows
// they give) are marked in wide (nil when there are none); their stencil
// values are unset and the kernels take the CSR path for them.
func buildStencil(a *CSR, nx, ny int) (st []float64, wide []bool) {
	n := a.Rows
	if nx < 3 || ny < 3 || n != nx*ny {
		return nil, nil
	}
	st = make([]float64, 9*n)
	// fill stores rows [lo, hi) and returns the number of wide rows, each
	// marked in w (allocated on the first).
	fill := func(lo, hi int, w *[]bool) int {
		count := 0
		for i := lo; i < hi; i++ {
			v := st[9*i : 9*i+9]
			for k := a.RowPtr[i]; k < a.RowPtr[i+1]; k++ {
				d := int(a.Col[k]) - i
				dy := 1
				if d < -1 {
					d += nx
					dy = 0
				} else if d > 1 {
					d -= nx
					dy = 2
				}
				if d < -1 || d > 1 {
					clear(v)
					if *w == nil {
						*w = make([]bool, n)
					}
					(*w)[i] = true
					count++
					break
				}
				v[3*dy+d+1] = a.Val[k]
			}
		}
		return count
	}
	nw := numWorkers()
	if nw == 1 || a.NNZ() < parallelMinWork {
		nw = 1
	}
	parts := make([][]bool, nw)
	counts := make([]int, nw)
	var wg sync.WaitGroup
	for w := 0; w < nw; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			counts[w] = fill(w*n/nw, (w+1)*n/nw, &parts[w])
		}(w)
	}
	wg.Wait()
	total := 0
	for w, c := range counts {
		total += c
		if c == 0 {
			continue
		}
		if wide == nil {
			wide = parts[w]
			continue
		}
		for i := w * n / nw; i < (w+1)*n/nw; i++ {
			wide[i] = wide[i] || parts[w][i]
		}
	}
	if 2*total > n {
		return nil, nil
	}
	return st, wide
}

// isWide reports whether row i of the level is wide (see buildStencil).
func (l *mgLevel) isWide(i int) bool { return l.wide != nil && l.wide[i] }

// stencilRows returns the rows [lo, hi) that the stencil kernels handle:
// all neighbour indices are in range.
func (l *mgLevel) stencilRows() (int, int) {
	if l.st == nil {
		return 0, 0
	}
	return l.nx + 1, l.a.Rows - l.nx - 1
}

// stRelax performs the Gauss–Seidel update of interior row i from the
// stencil values; forward selects which neighbour (x[i-1] forward, x[i+1]
// backward) was just relaxed and enters last.
func stRelax(st, x, b, inv []float64, i, nx int, forward bool) {
	v := st[9*i : 9*i+9]
	xl := x[i-nx-1 : i-nx+2]
	xu := x[i+nx-1 : i+nx+2]
	s := b[i] - (v[0]*xl[0] + v[1]*xl[1] + v[2]*xl[2]) - (v[6]*xu[0] + v[7]*xu[1] + v[8]*xu[2]) - v[4]*x[i]
	d := inv[i]
	if forward {
		s -= v[5] * x[i+1]
		t := x[i] + s*d
		x[i] = t - (v[3]*d)*x[i-1]
	} else {
		s -= v[3] * x[i-1]
		t := x[i] + s*d
		x[i] = t - (v[5]*d)*x[i+1]
	}
}

// stResidual returns b_i - (A x)_i for interior row i.
func stResidual(st, x, b []float64, i, nx int) float64 {
	v := st[9*i : 9*i+9]
	xl := x[i-nx-1 : i-nx+2]
	xm := x[i-1 : i+2]
	xu := x[i+nx-1 : i+nx+2]
	return b[i] - ((v[0]*xl[0] + v[1]*xl[1] + v[2]*xl[2]) + (v[3]*xm[0] + v[4]*xm[1] + v[5]*xm[2]) + (v[6]*xu[0] + v[7]*xu[1] + v[8]*xu[2]))
}
