package sparse

import "sync"

// Kernels of the GMRES Arnoldi step: the dot products of w with several
// basis vectors in one pass over w, and the update w -= V h in one pass,
// both over cache-sized chunks and split over the worker pool for long
// vectors.

// orthoChunk is the chunk length of the fused kernels: w's chunk stays in
// L1 while the basis vectors stream through.
const orthoChunk = 2048

// orthoMin is the vector length from which the kernels use the pool.
const orthoMin = 1 << 15

type orthoTask struct {
	wg    sync.WaitGroup
	op    int // orthoDots, orthoUpdate, orthoCombine
	w     []float64
	basis [][]float64
	h     []float64 // coefficients (update, combine)
	part  [maxChunks][]float64
	bnds  [maxChunks + 1]int
	nb    int
}

const (
	orthoDots    = iota // part[b][i] = sum over block b of w * basis[i]; part[b][k] = ||w||² over b
	orthoUpdate         // w -= sum_i h[i] basis[i]
	orthoCombine        // w = sum_i h[i] basis[i]
)

func (t *orthoTask) group() *sync.WaitGroup { return &t.wg }

func (t *orthoTask) blockIndex(lo int) int {
	for b := 0; b < t.nb; b++ {
		if t.bnds[b] == lo {
			return b
		}
	}
	return 0
}

func (t *orthoTask) run(lo, hi int) {
	switch t.op {
	case orthoDots:
		p := t.part[t.blockIndex(lo)]
		dotsRange(p, t.w, t.basis, lo, hi)
	case orthoUpdate:
		t.part[t.blockIndex(lo)][0] = updateRange(t.w, t.basis, t.h, lo, hi, false)
	case orthoCombine:
		updateRange(t.w, t.basis, t.h, lo, hi, true)
	}
}

// dotsRange adds to out[i] the dot products of w and basis[i] over [lo, hi),
// and to out[len(basis)] the squared norm of w there.
func dotsRange(out, w []float64, basis [][]float64, lo, hi int) {
	k := len(basis)
	for i := range out[:k+1] {
		out[i] = 0
	}
	for c := lo; c < hi; c += orthoChunk {
		e := min(c+orthoChunk, hi)
		wc := w[c:e]
		i := 0
		for ; i+2 <= k; i += 2 {
			v0, v1 := basis[i][c:e], basis[i+1][c:e]
			v0 = v0[:len(wc)]
			v1 = v1[:len(wc)]
			var s0, s1, t0, t1 float64
			q := 0
			for ; q+2 <= len(wc); q += 2 {
				s0 += wc[q] * v0[q]
				t0 += wc[q+1] * v0[q+1]
				s1 += wc[q] * v1[q]
				t1 += wc[q+1] * v1[q+1]
			}
			for ; q < len(wc); q++ {
				s0 += wc[q] * v0[q]
				s1 += wc[q] * v1[q]
			}
			out[i] += s0 + t0
			out[i+1] += s1 + t1
		}
		if i < k {
			out[i] += dot(wc, basis[i][c:e])
		}
		out[k] += dot(wc, wc)
	}
}

// updateRange computes w -= sum_i h[i] basis[i] (set: w = sum_i h[i]
// basis[i]) over [lo, hi) and returns the squared norm of the new w there.
func updateRange(w []float64, basis [][]float64, h []float64, lo, hi int, set bool) float64 {
	k := len(basis)
	nrm := 0.0
	for c := lo; c < hi; c += orthoChunk {
		e := min(c+orthoChunk, hi)
		wc := w[c:e]
		if set {
			clear(wc)
		}
		i := 0
		for ; i+2 <= k; i += 2 {
			v0, v1 := basis[i][c:e], basis[i+1][c:e]
			v0 = v0[:len(wc)]
			v1 = v1[:len(wc)]
			h0, h1 := h[i], h[i+1]
			if set {
				h0, h1 = -h0, -h1
			}
			for q := range wc {
				wc[q] -= h0*v0[q] + h1*v1[q]
			}
		}
		if i < k {
			v0 := basis[i][c:e]
			v0 = v0[:len(wc)]
			h0 := h[i]
			if set {
				h0 = -h0
			}
			for q := range wc {
				wc[q] -= h0 * v0[q]
			}
		}
		if !set {
			nrm += dot(wc, wc)
		}
	}
	return nrm
}

// orthoKernels runs the kernels, in parallel for long vectors.
type orthoKernels struct {
	t orthoTask
}

func newOrthoKernels(n, maxBasis int) *orthoKernels {
	o := &orthoKernels{}
	nw := numWorkers()
	if n < orthoMin {
		nw = 1
	}
	o.t.nb = nw
	for b := 0; b <= nw; b++ {
		// Block boundaries on chunk multiples.
		o.t.bnds[b] = min(n, (b*n/nw+orthoChunk-1)/orthoChunk*orthoChunk)
	}
	o.t.bnds[nw] = n
	for b := 0; b < nw; b++ {
		o.t.part[b] = make([]float64, maxBasis+1)
	}
	return o
}

func (o *orthoKernels) do(op int, w []float64, basis [][]float64, h []float64) {
	o.t.op, o.t.w, o.t.basis, o.t.h = op, w, basis, h
	parallelDo(&o.t, o.t.bnds[:o.t.nb+1])
	o.t.w, o.t.basis, o.t.h = nil, nil, nil
}

// dots stores the dot products of w with basis[i] in h[i] and returns
// ||w||² (before any update).
func (o *orthoKernels) dots(h, w []float64, basis [][]float64) float64 {
	o.do(orthoDots, w, basis, nil)
	k := len(basis)
	for i := 0; i <= k; i++ {
		s := 0.0
		for b := 0; b < o.t.nb; b++ {
			s += o.t.part[b][i]
		}
		if i < k {
			h[i] = s
		} else {
			return s
		}
	}
	return 0
}

// update computes w -= sum_i h[i] basis[i] and returns the new ||w||².
func (o *orthoKernels) update(w []float64, basis [][]float64, h []float64) float64 {
	o.do(orthoUpdate, w, basis, h)
	s := 0.0
	for b := 0; b < o.t.nb; b++ {
		s += o.t.part[b][0]
	}
	return s
}

func (o *orthoKernels) combine(w []float64, basis [][]float64, h []float64) {
	o.do(orthoCombine, w, basis, h)
}
