package fokkerplanck

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"

	"github.com/sgdsde/sgdsde/internal/sparse"
	"github.com/sgdsde/sgdsde/potentials"
)

// Scheme selects how the weight of an edge is taken from the Selling
// decompositions of D at its two ends. Its String is the spelling of the
// output files, "symmetric" or "source", which ParseScheme reads; the zero
// value is Symmetric.
type Scheme int

const (
	// Symmetric gives both directions of an edge the mean of the weights of
	// its offset at the two ends, and takes the drift as the effective
	// drift b - T div D of the divergence form
	// J = (b - T div D) rho - T D grad rho (the same current as the Ito form
	// J = b rho - T div(D rho)). Every jump has its reverse. It is second
	// order also where the Selling stencil switches (README, Numerical methods).
	Symmetric Scheme = iota
	// Source takes the rate of a jump from the decomposition at its source
	// node, the Ito form of sgdsde's first design. Where the stencil switches from node
	// to node a jump can lack its reverse, and the density is only first
	// order accurate pointwise there.
	Source
)

// schemeNames are the spellings of the schemes.
var schemeNames = []string{Symmetric: "symmetric", Source: "source"}

// String returns the name of the scheme, "symmetric" or "source", or
// "Scheme(n)" for a value that is not a scheme.
func (s Scheme) String() string { return enumString(schemeNames, s, "Scheme") }

// MarshalText returns the name of the scheme (String); it fails for a value
// that is not a scheme.
func (s Scheme) MarshalText() ([]byte, error) {
	return marshalEnum(schemeNames, s, "Scheme", "a scheme")
}

// UnmarshalText sets s to the scheme named by text, as ParseScheme reads it.
func (s *Scheme) UnmarshalText(text []byte) error {
	v, err := ParseScheme(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseScheme returns the scheme named s, "symmetric" or "source" (the
// spellings of Scheme.String), ignoring case and surrounding white space.
// The error for any other s quotes it and lists the names.
func ParseScheme(s string) (Scheme, error) {
	if v, ok := lookupEnum[Scheme](schemeNames, strings.ToLower(strings.TrimSpace(s))); ok {
		return v, nil
	}
	return 0, unknownEnum(schemeNames, s, "scheme")
}

// Operator is the discrete Fokker–Planck generator L of a model at
// temperature T on a grid: d p/dt = L p for the vector p of node
// probabilities (p = rho times the cell volume). L[y][x] is the jump rate
// from node x to node y, L[x][x] minus the total rate out of x; every
// column sums to zero. Apply multiplies by L and Entry reads one entry.
type Operator struct {
	// Grid is the grid, Model the model and T the temperature of the
	// generator, Scheme the scheme it was assembled with.
	Grid   *Grid
	Model  potentials.Model
	T      float64
	Scheme Scheme

	// Edges: node pairs (edgeA[e], edgeB[e]) linked by a jump, the rates
	// A -> B and B -> A, and the offset B - A in index units (unwrapped).
	edgeA, edgeB []int32
	rateAB       []float64
	rateBA       []float64
	edgeOffset   [][2]int8

	// gen is L in compressed sparse row form: row y holds the rates into
	// y, in increasing column order, and the diagonal.
	gen *sparse.CSR
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
	// Along-wall weights (see wallWeights) exist on bounded 2-D grids; they
	// are computed where needed (cheaply zero away from the walls).
	walls := g.Dim == 2 && !g.Periodic
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
	// Pass 2: every edge once, owned by one end, with both rates. The
	// edges owned by each block of nodes are found first (a bit per
	// candidate in owned[x]), so that every block then writes its edges
	// straight into the final arrays, in node order. Bit 2k+s of owned[x]
	// is the offset (1 - 2s) v_k of x's stencil, bit 6+ax the along-wall
	// edge to the next node along axis ax (see wallWeights).
	owned := make([]uint8, n)
	findOwned := func(a *assembler, x int) int {
		i0, j0 := x%g.N[0], x/g.N[0]
		var mask uint8
		c := 0
		for k := 0; k < 3; k++ {
			if sten[x].w[k] <= 0 {
				continue
			}
			for s, sg := range [2]int8{1, -1} {
				v := [2]int8{sg * sten[x].v[k][0], sg * sten[x].v[k][1]}
				y, inside := g.neighbour(i0, j0, int(v[0]), int(v[1]))
				if !inside || y == x {
					continue
				}
				if y < x && sten[y].weight(v) > 0 {
					continue // y owns the edge
				}
				mask |= 1 << (2*k + s)
				c++
			}
		}
		if walls {
			wx := a.wallWeights(&sten[x], x)
			for ax := 0; ax < 2; ax++ {
				v := [2]int{}
				v[ax] = 1
				y, inside := g.neighbour(i0, j0, v[0], v[1])
				if !inside {
					continue
				}
				if wx[ax] == 0 && a.wallWeights(&sten[y], y)[ax] == 0 {
					continue
				}
				mask |= 1 << (6 + ax)
				c++
			}
		}
		owned[x] = mask
		return c
	}
	nblk := (n + edgeBlock - 1) / edgeBlock
	start := make([]int, nblk+1)
	if err := parallelBlocks(ctx, nblk, func(a *assembler, b int) error {
		c := 0
		for x := b * edgeBlock; x < min((b+1)*edgeBlock, n); x++ {
			c += findOwned(a, x)
		}
		start[b+1] = c
		return nil
	}, op); err != nil {
		return nil, err
	}
	for b := 0; b < nblk; b++ {
		start[b+1] += start[b]
	}
	ne := start[nblk]
	op.edgeA, op.edgeB = make([]int32, ne), make([]int32, ne)
	op.rateAB, op.rateBA = make([]float64, ne), make([]float64, ne)
	op.edgeOffset = make([][2]int8, ne)
	if err := parallelBlocks(ctx, nblk, func(a *assembler, b int) error {
		e := start[b]
		// add stores the edge x -> y = x + v with the stencil weights wx
		// of its offset at x and wy at y.
		add := func(x, y int, v [2]int8, wx, wy float64, along bool) error {
			fx, fy := 0.0, 0.0
			if loss != nil {
				fx, fy = loss[x], loss[y]
				if g.Periodic {
					// f need not be periodic (a tilted
					// landscape): take it at the unwrapped end.
					fy = a.lossAt(x, v)
				}
			}
			if !along && walls {
				along = a.pressedWallEdge(x, v)
			}
			z, err := a.edgeZ(x, v, fx, fy)
			if along {
				z, err = a.wallZ(x, v, fx, fy)
			}
			if err != nil {
				return err
			}
			rab, rba := wx, wy
			if scheme == Symmetric {
				rab = (wx + wy) / 2
				rba = rab
			}
			bz, bmz := bernoulliPair(z)
			rab, rba = rab*T*bz, rba*T*bmz
			if !(rab <= maxRate && rba <= maxRate) {
				return fmt.Errorf("jump rates overflow near (%s): the drift there is %.3g times the diffusion over the grid spacing (the cell Peclet number); scale the loss or the drift down",
					fmtCoords(a.mid), math.Abs(z))
			}
			op.edgeA[e], op.edgeB[e] = int32(x), int32(y)
			op.rateAB[e], op.rateBA[e] = rab, rba
			op.edgeOffset[e] = v
			e++
			return nil
		}
		for x := b * edgeBlock; x < min((b+1)*edgeBlock, n); x++ {
			mask := owned[x]
			if mask == 0 {
				continue
			}
			i0, j0 := x%g.N[0], x/g.N[0]
			for bit := 0; bit < 6; bit++ {
				if mask&(1<<bit) == 0 {
					continue
				}
				k, sg := bit/2, int8(1-2*(bit%2))
				v := [2]int8{sg * sten[x].v[k][0], sg * sten[x].v[k][1]}
				y, _ := g.neighbour(i0, j0, int(v[0]), int(v[1]))
				if err := add(x, y, v, sten[x].w[k], sten[y].weight(v), false); err != nil {
					return err
				}
			}
			if mask>>6 == 0 {
				continue
			}
			wx := a.wallWeights(&sten[x], x)
			for ax := 0; ax < 2; ax++ {
				if mask&(1<<(6+ax)) == 0 {
					continue
				}
				v := [2]int8{}
				v[ax] = 1
				y, _ := g.neighbour(i0, j0, int(v[0]), int(v[1]))
				wy := a.wallWeights(&sten[y], y)
				if err := add(x, y, v, wx[ax], wy[ax], true); err != nil {
					return err
				}
			}
		}
		return nil
	}, op); err != nil {
		return nil, err
	}
	op.buildCSR()
	return op, nil
}

// maxRate bounds a jump rate: beyond it the solver's norms (sums of
// squared rates) would overflow. Only absurd scales reach it (a loss of
// 1e300 x^2, say): rates of sane models stay below 1e20 on any grid.
const maxRate = 1e100

func workerCount(n int) int { return min(runtime.GOMAXPROCS(0), max(1, n/4096)) }

// edgeBlock is the number of nodes whose edges the assembly counts and
// stores as one unit.
const edgeBlock = 4096

// parallelBlocks runs f on the blocks 0, ..., nblk-1 (contiguous runs of
// blocks per goroutine, each with its own assembler) and returns the first
// error of the lowest block range.
func parallelBlocks(ctx context.Context, nblk int, f func(a *assembler, b int) error, op *Operator) error {
	workers := min(runtime.GOMAXPROCS(0), nblk)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			a := newAssembler(op)
			for b := nblk * w / workers; b < nblk*(w+1)/workers && errs[w] == nil; b++ {
				if ctx.Err() != nil {
					errs[w] = ctx.Err()
					return
				}
				errs[w] = f(a, b)
			}
		}(w)
	}
	wg.Wait()
	return errors.Join(errs...)
}

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

// wallZ is edgeZ for an along-wall edge (see wallWeights) by the unit
// offset v along axis a: the exponent of the one-dimensional flux
// J_a = c_a rho - T D_aa d_a rho along the wall, z = -h_a c_a / (T D_aa),
// with c = b (Source) or b - T div D (Symmetric) at the edge midpoint, and
// for a gradient drift the difference (f(y) - f(x)) / (T D_aa) in place of
// h_a grad_a f / (T D_aa). The oblique edges that would carry the rest of
// the drift are the ones the wall removed, so the edge takes the drift's
// component along itself alone (edgeZ's share, delta . D^-1 c, can point
// the other way).
func (a *assembler) wallZ(x int, v [2]int8, fx, fy float64) (float64, error) {
	op := a.op
	g, m := op.Grid, op.Model
	ax := 0
	if v[1] != 0 {
		ax = 1
	}
	g.Point(a.x, x)
	copy(a.mid, a.x)
	a.mid[ax] += g.H[ax] / 2
	m.Diffusion(a.dm, a.mid)
	daa := a.dm[ax*3]
	if !(daa > 0) {
		return 0, singular(a.mid, a.dm)
	}
	var z float64
	if m.GradientDrift {
		z = (fy - fx) / daa
	} else {
		m.Drift(a.b, a.mid)
		z = -g.H[ax] * a.b[ax] / daa
	}
	if op.Scheme == Symmetric {
		m.DivDiffusion(a.div, a.mid)
		z += g.H[ax] * op.T * a.div[ax] / daa
	}
	z /= op.T
	if math.IsNaN(z) || math.IsInf(z, 0) {
		return 0, fmt.Errorf("drift or loss is not finite near (%s)", fmtCoords(a.mid))
	}
	return z, nil
}

// pressedWallEdge reports whether the edge from node x by the unit offset v
// runs along a wall on that wall's row of nodes where the drift at its
// midpoint presses into the wall. Its share of the drift in edgeZ,
// delta . D^-1 c, is balanced by oblique edges that the wall removed (with
// an anisotropic D it can point against the drift along the wall, and trap
// probability in a corner), so it takes the drift along the wall alone
// (wallZ).
func (a *assembler) pressedWallEdge(x int, v [2]int8) bool {
	g, m := a.op.Grid, a.op.Model
	var ax, nrm int // the edge's axis and the wall's normal axis
	switch {
	case v[1] == 0 && (v[0] == 1 || v[0] == -1):
		ax, nrm = 0, 1
	case v[0] == 0 && (v[1] == 1 || v[1] == -1):
		ax, nrm = 1, 0
	default:
		return false
	}
	idx := [2]int{x % g.N[0], x / g.N[0]}
	side := 0
	switch idx[nrm] {
	case 0:
		side = -1
	case g.N[nrm] - 1:
		side = 1
	default:
		return false
	}
	g.Point(a.mid, x)
	a.mid[ax] += float64(v[ax]) * g.H[ax] / 2
	if m.GradientDrift {
		m.Grad(a.b, a.mid)
		a.b[0], a.b[1] = -a.b[0], -a.b[1]
	} else {
		m.Drift(a.b, a.mid)
	}
	return a.b[nrm]*float64(side) > 0
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

// wallWeights returns the along-wall weights of node idx on a bounded 2-D
// grid (a method of the assembler, which evaluates the drift). A node next
// to a wall whose stencil holds only oblique offsets
// (strongly anisotropic D in index units) can lose every jump with a
// component along an axis a, or most of them, because they cross the wall;
// where the drift presses into the wall the discrete chain then traps
// probability there (rho grew by a factor 480 per node into a corner of the
// Rosenbrock valley at T = 0.5). For such a node the part along a of the
// diffusion of each dropped offset v (weight w), w v_a^2 / 2, is given to
// jumps by the unit offsets +-e_a instead, whose rates wallZ fits to the
// drift along the wall. Each axis' weight is shared by the edges to both
// neighbours along it. Only walls that the drift at the node presses
// into get them: elsewhere the density at the wall is pushed away and the
// scheme keeps its second order.
func (a *assembler) wallWeights(s *stencil, idx int) [2]float64 {
	g, m := a.op.Grid, a.op.Model
	var out [2]float64
	i0, j0 := idx%g.N[0], idx/g.N[0]
	if i0 > 0 && i0 < g.N[0]-1 && j0 > 0 && j0 < g.N[1]-1 {
		// Stencil offsets are short: only nodes near a wall lose any,
		// and those with offsets of length 2 or more are rare.
		far := false
		for k := 0; k < 3; k++ {
			far = far || s.v[k][0] > 1 || s.v[k][0] < -1 || s.v[k][1] > 1 || s.v[k][1] < -1
		}
		if !far {
			return out
		}
	}
	g.Point(a.x, idx)
	if m.GradientDrift {
		m.Grad(a.b, a.x)
		a.b[0], a.b[1] = -a.b[0], -a.b[1]
	} else {
		m.Drift(a.b, a.x)
	}
	for k := 0; k < 3; k++ {
		if s.w[k] <= 0 {
			continue
		}
		for _, sg := range [2]int{1, -1} {
			vx, vy := sg*int(s.v[k][0]), sg*int(s.v[k][1])
			outX := i0+vx < 0 || i0+vx >= g.N[0]
			outY := j0+vy < 0 || j0+vy >= g.N[1]
			switch {
			case outX && !outY && vy != 0 && a.b[0]*float64(vx) > 0:
				out[1] += s.w[k] * float64(vy*vy) / 2
			case outY && !outX && vx != 0 && a.b[1]*float64(vy) > 0:
				out[0] += s.w[k] * float64(vx*vx) / 2
			}
		}
	}
	return out
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
	for e := range op.edgeA {
		a, b := op.edgeA[e], op.edgeB[e]
		if op.rateAB[e] > 0 {
			count[b+1]++
		}
		if op.rateBA[e] > 0 {
			count[a+1]++
		}
	}
	for y := 0; y < n; y++ {
		count[y+1] += count[y] + 1 // +1: the diagonal
	}
	// count[y] now starts row y: it becomes the row pointer.
	rowPtr := count
	nnz := rowPtr[n]
	col := make([]int32, nnz)
	val := make([]float64, nnz)
	// fill[y] is the next free slot of row y, relative to its start.
	fill := make([]int32, n)
	for y := 0; y < n; y++ {
		col[rowPtr[y]] = int32(y)
		fill[y] = 1
	}
	// The diagonal (the first entry of each row until the sort) gathers
	// minus the rates out of its node, in edge order.
	for e := range op.edgeA {
		a, b := op.edgeA[e], op.edgeB[e]
		val[rowPtr[a]] -= op.rateAB[e]
		val[rowPtr[b]] -= op.rateBA[e]
		if r := op.rateAB[e]; r > 0 {
			q := rowPtr[b] + int(fill[b])
			col[q], val[q] = a, r
			fill[b]++
		}
		if r := op.rateBA[e]; r > 0 {
			q := rowPtr[a] + int(fill[a])
			col[q], val[q] = b, r
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
	op.gen = &sparse.CSR{Rows: n, Cols: n, RowPtr: rowPtr, Col: col[:w], Val: val[:w]}
}

// wideStencil reports whether some edge of the operator joins nodes more
// than one cell apart along an axis (a Selling offset such as (2, 1)).
func (op *Operator) wideStencil() bool {
	for _, v := range op.edgeOffset {
		if v[0] > 1 || v[0] < -1 || v[1] > 1 || v[1] < -1 {
			return true
		}
	}
	return false
}

// Apply writes L p into dst.
func (op *Operator) Apply(dst, p []float64) { op.gen.MulVec(dst, p) }

// Entry returns L[y][x]: for x != y the rate of the jump from node x to
// node y (0 when no jump links them), and for x == y minus the total rate
// out of x. It panics unless 0 <= x, y < Grid.Len().
func (op *Operator) Entry(y, x int) float64 {
	n := op.gen.Rows
	if y < 0 || y >= n || x < 0 || x >= n {
		panic(fmt.Sprintf("fokkerplanck: entry (%d, %d) of a generator on %d nodes", y, x, n))
	}
	return op.gen.At(y, x)
}
