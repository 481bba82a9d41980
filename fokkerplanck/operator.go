package fokkerplanck

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/sgdsde/sgdsde/internal/sparse"
	"github.com/sgdsde/sgdsde/potentials"
)

// Scheme selects how the weight of an edge is taken from the Selling
// decompositions of D at its two ends.
type Scheme int

const (
	// Symmetric gives both directions of an edge the mean of the weights of
	// its offset at the two ends, and takes the drift as the effective
	// drift b - T div D of the divergence form
	// J = (b - T div D) rho - T D grad rho (the same current as the Ito form
	// J = b rho - T div(D rho)). Every jump has its reverse. It is second
	// order also where the Selling stencil switches (see the package note
	// in DESIGN.md of the issue that introduced it).
	Symmetric Scheme = iota
	// Source takes the rate of a jump from the decomposition at its source
	// node, the Ito form of DESIGN.md. Where the stencil switches from node
	// to node a jump can lack its reverse, and the density is only first
	// order accurate pointwise there.
	Source
)

// Operator is the discrete Fokker–Planck generator L of a model at
// temperature T on a grid: d p/dt = L p for the vector p of node
// probabilities (p = rho times the cell volume). L[y][x] is the jump rate
// from node x to node y, L[x][x] minus the total rate out of x; every
// column sums to zero.
type Operator struct {
	Grid   *Grid
	Model  potentials.Model
	T      float64
	Scheme Scheme

	// Edges: node pairs (A[e], B[e]) linked by a jump, the rates A -> B
	// and B -> A, and the offset B - A in index units (unwrapped).
	A, B       []int32
	RateAB     []float64
	RateBA     []float64
	EdgeOffset [][2]int8

	// L in compressed sparse row form: row y holds the rates into y, in
	// increasing column order, and the diagonal.
	L *sparse.CSR
}

// ErrSingularDiffusion reports a diffusion matrix that is singular (or not
// positive definite) at a grid point: the grid scheme needs D > 0.
var ErrSingularDiffusion = errors.New("diffusion is singular or not positive definite")

// stencil is the Selling decomposition at a node in index coordinates.
type stencil struct {
	w [3]float64
	v [3][2]int8
}

// weight returns the weight of offset +-v in the stencil (0 if absent).
func (s *stencil) weight(v [2]int8) float64 {
	for k := 0; k < 3; k++ {
		if s.v[k] == v || (s.v[k][0] == -v[0] && s.v[k][1] == -v[1]) {
			return s.w[k]
		}
	}
	return 0
}

// NewOperator assembles the generator of model m at temperature T on grid g
// with the Symmetric scheme (see the package documentation). The model's
// functions are called from several goroutines. It fails, naming the point,
// if D is not positive definite at some node or edge midpoint.
func NewOperator(ctx context.Context, m potentials.Model, T float64, g *Grid) (*Operator, error) {
	return NewOperatorScheme(ctx, m, T, g, Symmetric)
}

// NewOperatorScheme is NewOperator with a choice of scheme.
func NewOperatorScheme(ctx context.Context, m potentials.Model, T float64, g *Grid, scheme Scheme) (*Operator, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if m.Dim != g.Dim {
		return nil, fmt.Errorf("the model is %d-D but the grid is %d-D", m.Dim, g.Dim)
	}
	if !(T > 0) || math.IsInf(T, 0) {
		return nil, fmt.Errorf("temperature must be positive and finite, got %g", T)
	}
	if scheme == Symmetric && m.DivDiffusion == nil {
		return nil, fmt.Errorf("model %q: the grid scheme needs div D, which the model does not provide", m.Name)
	}
	op := &Operator{Grid: g, Model: m, T: T, Scheme: scheme}
	n := g.Len()
	sten := make([]stencil, n)
	var loss []float64
	if m.GradientDrift {
		loss = make([]float64, n)
	}
	// Pass 1: the decomposition (and the loss) at every node.
	if err := parallel(ctx, n, func(a *assembler, lo, hi int) error {
		for idx := lo; idx < hi; idx++ {
			if err := a.decompose(&sten[idx], idx); err != nil {
				return err
			}
			if loss != nil {
				g.Point(a.x, idx)
				loss[idx] = m.Loss(a.x)
			}
		}
		return nil
	}, op); err != nil {
		return nil, err
	}
	// Pass 2: every edge once, owned by one end, with both rates.
	type part struct {
		a, b   []int32
		ab, ba []float64
		off    [][2]int8
	}
	workers := workerCount(n)
	parts := make([]part, workers)
	for w := range parts {
		// About three edges per node, a few more where stencils differ.
		c := 4 * (n/workers + 1)
		parts[w] = part{a: make([]int32, 0, c), b: make([]int32, 0, c), ab: make([]float64, 0, c),
			ba: make([]float64, 0, c), off: make([][2]int8, 0, c)}
	}
	if err := parallelN(ctx, n, workers, func(w int, a *assembler, lo, hi int) error {
		pt := &parts[w]
		for x := lo; x < hi; x++ {
			i0, j0 := x%g.N[0], x/g.N[0]
			for k := 0; k < 3; k++ {
				wx := sten[x].w[k]
				if wx <= 0 {
					continue
				}
				for _, s := range [2]int8{1, -1} {
					v := [2]int8{s * sten[x].v[k][0], s * sten[x].v[k][1]}
					y, inside := g.neighbour(i0, j0, int(v[0]), int(v[1]))
					if !inside || y == x {
						continue
					}
					wy := sten[y].weight(v)
					if wy > 0 && y < x {
						continue // y owns the edge
					}
					fx, fy := 0.0, 0.0
					if loss != nil {
						fx, fy = loss[x], loss[y]
						if g.Periodic {
							// f need not be periodic (a tilted
							// landscape): take it at the unwrapped end.
							fy = a.lossAt(x, v)
						}
					}
					z, err := a.edgeZ(x, v, fx, fy)
					if err != nil {
						return err
					}
					rab, rba := wx, wy
					if scheme == Symmetric {
						rab = (wx + wy) / 2
						rba = rab
					}
					rab, rba = rab*T*bernoulli(z), rba*T*bernoulli(-z)
					if !(rab <= maxRate && rba <= maxRate) {
						return fmt.Errorf("jump rates overflow near (%s): the drift there is %.3g times the diffusion over the grid spacing (the cell Peclet number); scale the loss or the drift down",
							fmtCoords(a.mid), math.Abs(z))
					}
					pt.a = append(pt.a, int32(x))
					pt.b = append(pt.b, int32(y))
					pt.ab = append(pt.ab, rab)
					pt.ba = append(pt.ba, rba)
					pt.off = append(pt.off, v)
				}
			}
		}
		return nil
	}, op); err != nil {
		return nil, err
	}
	if len(parts) == 1 {
		pt := parts[0]
		op.A, op.B, op.RateAB, op.RateBA, op.EdgeOffset = pt.a, pt.b, pt.ab, pt.ba, pt.off
	} else {
		ne := 0
		for _, pt := range parts {
			ne += len(pt.a)
		}
		op.A, op.B = make([]int32, 0, ne), make([]int32, 0, ne)
		op.RateAB, op.RateBA = make([]float64, 0, ne), make([]float64, 0, ne)
		op.EdgeOffset = make([][2]int8, 0, ne)
		for _, pt := range parts {
			op.A = append(op.A, pt.a...)
			op.B = append(op.B, pt.b...)
			op.RateAB = append(op.RateAB, pt.ab...)
			op.RateBA = append(op.RateBA, pt.ba...)
			op.EdgeOffset = append(op.EdgeOffset, pt.off...)
		}
	}
	op.buildCSR()
	return op, nil
}

// maxRate bounds a jump rate: beyond it the solver's norms (sums of
// squared rates) would overflow. Only absurd scales reach it (a loss of
// 1e300 x^2, say): rates of sane models stay below 1e20 on any grid.
const maxRate = 1e100

func workerCount(n int) int { return min(runtime.GOMAXPROCS(0), max(1, n/4096)) }

// parallel runs f on contiguous node ranges in several goroutines, each
// with its own assembler, and returns the first error.
func parallel(ctx context.Context, n int, f func(a *assembler, lo, hi int) error, op *Operator) error {
	return parallelN(ctx, n, workerCount(n), func(_ int, a *assembler, lo, hi int) error { return f(a, lo, hi) }, op)
}

func parallelN(ctx context.Context, n, workers int, f func(w int, a *assembler, lo, hi int) error, op *Operator) error {
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			a := newAssembler(op)
			lo, hi := n*w/workers, n*(w+1)/workers
			for c := lo; c < hi && errs[w] == nil; c += 4096 {
				if ctx.Err() != nil {
					errs[w] = ctx.Err()
					return
				}
				errs[w] = f(w, a, c, min(c+4096, hi))
			}
		}(w)
	}
	wg.Wait()
	return errors.Join(errs...)
}

// assembler holds one goroutine's scratch space.
type assembler struct {
	op                      *Operator
	x, mid, b, grd, div, dm []float64
}

func newAssembler(op *Operator) *assembler {
	d := op.Grid.Dim
	return &assembler{op: op, x: make([]float64, d), mid: make([]float64, d),
		b: make([]float64, d), grd: make([]float64, d), div: make([]float64, d), dm: make([]float64, d*d)}
}

// decompose computes the Selling decomposition of D at node idx in index
// coordinates, D' = H^-1 D H^-1 = sum_k w_k v_k v_k^T.
func (a *assembler) decompose(s *stencil, idx int) error {
	g := a.op.Grid
	g.Point(a.x, idx)
	a.op.Model.Diffusion(a.dm, a.x)
	*s = stencil{}
	if g.Dim == 1 {
		if !(a.dm[0] > 0) || math.IsInf(a.dm[0], 0) {
			return singular(a.x, a.dm)
		}
		s.w[0], s.v[0] = a.dm[0]/(g.H[0]*g.H[0]), [2]int8{1, 0}
		return nil
	}
	d11, d12, d22 := a.dm[0], 0.5*(a.dm[1]+a.dm[2]), a.dm[3]
	if !posDef2(d11, d12, d22) {
		return singular(a.x, a.dm)
	}
	w, v, ok := selling(d11/(g.H[0]*g.H[0]), d12/(g.H[0]*g.H[1]), d22/(g.H[1]*g.H[1]))
	if !ok {
		return singular(a.x, a.dm)
	}
	for k := 0; k < 3; k++ {
		if v[k][0] > 127 || v[k][0] < -127 || v[k][1] > 127 || v[k][1] < -127 {
			return fmt.Errorf("%w at (%s): D = %v is too anisotropic for this grid spacing", ErrSingularDiffusion, fmtCoords(a.x), a.dm)
		}
		s.w[k] = w[k]
		s.v[k] = [2]int8{int8(v[k][0]), int8(v[k][1])}
	}
	return nil
}

// lossAt returns f at node x displaced by the index offset v, unwrapped.
func (a *assembler) lossAt(x int, v [2]int8) float64 {
	g := a.op.Grid
	g.Point(a.mid, x)
	a.mid[0] += float64(v[0]) * g.H[0]
	if g.Dim == 2 {
		a.mid[1] += float64(v[1]) * g.H[1]
	}
	return a.op.Model.Loss(a.mid)
}

// edgeZ returns z = -delta . D^-1 c / T for the jump from node x by the
// index offset v, delta = (v_x hx, v_y hy), with D and the drift c at the
// edge midpoint; c = b for the Source scheme and b - T div D for the
// Symmetric one. For a gradient drift (b = -grad f) the part
// alpha delta . grad f / T, alpha = tr(D^-1)/d, is replaced by
// alpha (f(y) - f(x)) / T, which makes the scheme exact for D = c I.
func (a *assembler) edgeZ(x int, v [2]int8, fx, fy float64) (float64, error) {
	op := a.op
	g, m := op.Grid, op.Model
	d := g.Dim
	g.Point(a.x, x)
	delta := [2]float64{float64(v[0]) * g.H[0], float64(v[1]) * g.H[1]}
	for c := 0; c < d; c++ {
		a.mid[c] = a.x[c] + delta[c]/2
	}
	m.Diffusion(a.dm, a.mid)
	var inv [4]float64
	if d == 1 {
		if !(a.dm[0] > 0) {
			return 0, singular(a.mid, a.dm)
		}
		inv[0] = 1 / a.dm[0]
	} else {
		d11, d12, d22 := a.dm[0], 0.5*(a.dm[1]+a.dm[2]), a.dm[3]
		if !posDef2(d11, d12, d22) {
			return 0, singular(a.mid, a.dm)
		}
		det := d11*d22 - d12*d12
		inv = [4]float64{d22 / det, -d12 / det, -d12 / det, d11 / det}
	}
	// c = the drift part handled through D^-1 below.
	var c [2]float64
	var z float64
	if m.GradientDrift {
		m.Grad(a.grd, a.mid)
		alpha := inv[0]
		if d == 2 {
			alpha = (inv[0] + inv[3]) / 2
		}
		z = alpha * (fy - fx)
		// -delta . (D^-1 - alpha I) b with b = -grad f.
		for i := 0; i < d; i++ {
			c[i] = -a.grd[i]
		}
		z -= delta[0] * ((inv[0]-alpha)*c[0] + inv[1]*c[1])
		if d == 2 {
			z -= delta[1] * (inv[2]*c[0] + (inv[3]-alpha)*c[1])
		}
		c = [2]float64{}
	} else {
		m.Drift(a.b, a.mid)
		copy(c[:], a.b)
	}
	if op.Scheme == Symmetric {
		m.DivDiffusion(a.div, a.mid)
		for i := 0; i < d; i++ {
			c[i] -= op.T * a.div[i]
		}
	}
	z -= delta[0] * (inv[0]*c[0] + inv[1]*c[1])
	if d == 2 {
		z -= delta[1] * (inv[2]*c[0] + inv[3]*c[1])
	}
	z /= op.T
	if math.IsNaN(z) || math.IsInf(z, 0) {
		return 0, fmt.Errorf("drift or loss is not finite near (%s)", fmtCoords(a.mid))
	}
	return z, nil
}

// posDef2 reports whether [[a, b], [b, c]] is positive definite, beyond a
// relative round-off margin.
func posDef2(a, b, c float64) bool {
	return a > 0 && c > 0 && a*c-b*b > 1e-12*(a+c)*(a+c) && !math.IsInf(a+c, 0)
}

func singular(x, dm []float64) error {
	return fmt.Errorf("%w at (%s): D = %v; the grid scheme needs D > 0 everywhere on the grid (the SDE, 'sgdsde simulate', handles singular D)",
		ErrSingularDiffusion, fmtCoords(x), dm)
}

func fmtCoords(x []float64) string {
	s := ""
	for i, v := range x {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%.6g", v)
	}
	return s
}

// neighbour returns the index of node (i + di, j + dj), wrapping on a
// periodic grid; inside is false if the node lies beyond a wall.
func (g *Grid) neighbour(i, j, di, dj int) (idx int, inside bool) {
	i, j = i+di, j+dj
	if g.Periodic {
		i = ((i % g.N[0]) + g.N[0]) % g.N[0]
		j = ((j % g.N[1]) + g.N[1]) % g.N[1]
	} else if i < 0 || i >= g.N[0] || j < 0 || j >= g.N[1] {
		return 0, false
	}
	return j*g.N[0] + i, true
}

// buildCSR assembles the rows of L from the edges: row y holds the rates
// into y in increasing column order, and the diagonal.
func (op *Operator) buildCSR() {
	n := op.Grid.Len()
	count := make([]int, n+1)
	out := make([]float64, n)
	for e := range op.A {
		a, b := op.A[e], op.B[e]
		if op.RateAB[e] > 0 {
			count[b+1]++
		}
		if op.RateBA[e] > 0 {
			count[a+1]++
		}
		out[a] += op.RateAB[e]
		out[b] += op.RateBA[e]
	}
	for y := 0; y < n; y++ {
		count[y+1] += count[y] + 1 // +1: the diagonal
	}
	// count[y] now ends row y-1 shifted by the diagonals before it.
	rowPtr := make([]int, n+1)
	for y := 0; y < n; y++ {
		rowPtr[y+1] = count[y+1]
	}
	nnz := rowPtr[n]
	col := make([]int32, nnz)
	val := make([]float64, nnz)
	fill := make([]int, n)
	for y := 0; y < n; y++ {
		fill[y] = rowPtr[y]
		col[fill[y]], val[fill[y]] = int32(y), -out[y]
		fill[y]++
	}
	for e := range op.A {
		a, b := op.A[e], op.B[e]
		if r := op.RateAB[e]; r > 0 {
			col[fill[b]], val[fill[b]] = a, r
			fill[b]++
		}
		if r := op.RateBA[e]; r > 0 {
			col[fill[a]], val[fill[a]] = b, r
			fill[a]++
		}
	}
	// Sort each short row by column (insertion sort) and merge duplicates.
	w := 0
	for y := 0; y < n; y++ {
		lo, hi := rowPtr[y], rowPtr[y+1]
		for i := lo + 1; i < hi; i++ {
			c, v := col[i], val[i]
			j := i - 1
			for j >= lo && col[j] > c {
				col[j+1], val[j+1] = col[j], val[j]
				j--
			}
			col[j+1], val[j+1] = c, v
		}
		start := w
		for i := lo; i < hi; i++ {
			if w > start && col[w-1] == col[i] {
				val[w-1] += val[i]
				continue
			}
			col[w], val[w] = col[i], val[i]
			w++
		}
		rowPtr[y] = start
	}
	rowPtr[n] = w
	op.L = &sparse.CSR{Rows: n, Cols: n, RowPtr: rowPtr, Col: col[:w], Val: val[:w]}
}

// Apply writes L p into dst.
func (op *Operator) Apply(dst, p []float64) { op.L.MulVec(dst, p) }
