package fokkerplanck

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
)

// BasinKind says what a partition into basins follows. Its String is the
// spelling of the output files, "phi" or "drift"; the zero value is not a
// kind.
type BasinKind int

// Basin kinds.
const (
	// BasinsOfPhi are the basins of the local minima of Phi under steepest
	// descent over the nodes ("phi").
	BasinsOfPhi BasinKind = iota + 1
	// BasinsOfDrift are the basins of attraction of the stable fixed points
	// of the noiseless dynamics x' = b(x) ("drift").
	BasinsOfDrift
)

// basinKindNames are the spellings of the basin kinds.
var basinKindNames = []string{BasinsOfPhi: "phi", BasinsOfDrift: "drift"}

// String returns the name of the kind, "phi" or "drift", or "BasinKind(n)"
// for a value that is not a kind.
func (k BasinKind) String() string { return enumString(basinKindNames, k, "BasinKind") }

// MarshalText returns the name of the kind (String); it fails for a value
// that is not a kind.
func (k BasinKind) MarshalText() ([]byte, error) {
	return marshalEnum(basinKindNames, k, "BasinKind", "a basin kind")
}

// UnmarshalText sets k to the kind named exactly by text.
func (k *BasinKind) UnmarshalText(text []byte) error {
	v, err := parseEnum[BasinKind](basinKindNames, string(text), "basin kind")
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Basin is one basin of a partition of the nodes.
type Basin struct {
	// X is the basin's attractor: for the basins of Phi its minimum, refined
	// as Diagnose refines the minima of Phi (the node itself at a wall); for
	// the basins of the drift the stable zero of b.
	X []float64
	// Node is the node of the attractor: the node where steepest descent
	// ends (Phi), or the node nearest X (drift).
	Node int
	// Phi is Phi at Node (NaN where rho underflows).
	Phi float64
	// InRegion reports whether Node lies in the region rho > RegionFraction
	// max rho, where Diagnose looks for minima: an interior minimum of Phi
	// there is one of Steady.MinimaPhi, with the same X.
	InRegion bool
	// Nodes counts the nodes of the basin and Probability is its steady
	// probability, sum over its nodes of rho times the cell volume.
	Nodes       int
	Probability float64
}

// Basins is a partition of the nodes into basins.
type Basins struct {
	// Kind says what the basins follow.
	Kind BasinKind
	// Label holds the basin of each node (node order): an index into
	// Basins, or -1 for a node in none (see Unassigned).
	Label []int
	// Basins are the basins, the deepest (smallest Phi at the attractor)
	// first.
	Basins []Basin
	// Unassigned counts the nodes in no basin and UnassignedProbability is
	// their steady probability: nodes where rho underflows (Phi), and nodes
	// whose orbit of the drift leaves the box, ends at a fixed point that is
	// not stable (a saddle: the node lies on a separatrix) or finds no
	// attractor within its step budget (a limit cycle).
	Unassigned            int
	UnassignedProbability float64

	grid *Grid
}

// NoBasinError reports a basin index that does not exist.
type NoBasinError struct {
	// Index is the index asked for, Count the number of basins and Kind
	// their kind.
	Index, Count int
	Kind         BasinKind
}

// Error names the index and the basins there are.
func (e *NoBasinError) Error() string {
	if e.Count == 0 {
		return fmt.Sprintf("there is no basin %d: the %s has no basins", e.Index, e.Kind.words())
	}
	return fmt.Sprintf("there is no basin %d: the %s has %d basins (0 to %d)", e.Index, e.Kind.words(), e.Count, e.Count-1)
}

// words names what the basins of kind k belong to.
func (k BasinKind) words() string {
	if k == BasinsOfDrift {
		return "drift"
	}
	return "potential Phi"
}

// Set returns the nodes of basin k as a target or a side of a transition,
// or a *NoBasinError.
func (b *Basins) Set(k int) (NodeSet, error) {
	if k < 0 || k >= len(b.Basins) {
		return NodeSet{}, &NoBasinError{Index: k, Count: len(b.Basins), Kind: b.Kind}
	}
	mask := make([]bool, len(b.Label))
	for i, l := range b.Label {
		mask[i] = l == k
	}
	x := b.Basins[k].X
	return NodeSet{Mask: mask, Name: fmt.Sprintf("basin %d of the %s (about (%s))", k, b.Kind.words(), fmtCoords(x))}, nil
}

// Of returns the basin of the node nearest x (-1 if that node is in none),
// or an *OutsideBoxError.
func (b *Basins) Of(x []float64) (int, error) {
	g := b.grid
	if len(x) != g.Dim || !g.contains(x) {
		return 0, &OutsideBoxError{What: "the point", X: append([]float64(nil), x...), Min: g.Min, Max: g.Max, Dim: g.Dim}
	}
	return b.Label[g.Nearest(x)], nil
}

// PhiBasins partitions the nodes into the basins of the local minima of
// Phi of the steady state st of op: from every node, steepest descent over
// the node graph (the 8 neighbours in 2-D, 2 in 1-D, across a periodic
// box's edges) moves to the neighbour with the largest drop of Phi per unit
// distance, until a node with no lower neighbour, a local minimum, is
// reached; ties go to the lower node index, as in Diagnose. Nodes where rho
// underflows (Phi NaN) are in no basin. Each basin's probability is its
// share of the steady state: the occupation of the minimum that SGD, run
// for long, is found in. The minima are those of Diagnose (Steady.MinimaPhi)
// where they are interior nodes of the region; a basin can also end at a
// minimum on a wall or in the far tails, which Diagnose does not list.
//
// The basins of Phi of the grid converge to those of the continuum's
// gradient flow x' = -grad Phi at first order in h (a node is assigned by
// where it lies, so a basin's boundary moves by up to a cell), and their
// probabilities with the weight of the boundary cells, small where the
// boundary runs over a barrier.
func (op *Operator) PhiBasins(st *Steady) (*Basins, error) {
	g := op.Grid
	if st == nil || st.Fields == nil || len(st.Phi) != g.Len() {
		return nil, errNoSteady
	}
	u := st.Phi
	n := g.Len()
	down := make([]int32, n)
	nb := g.neighbourOffsets()
	for idx := 0; idx < n; idx++ {
		down[idx] = int32(idx)
		if math.IsNaN(u[idx]) {
			down[idx] = -1
			continue
		}
		i, j := idx%g.N[0], idx/g.N[0]
		best := 0.0
		for _, o := range nb {
			t, inside := g.neighbour(i, j, o.di, o.dj)
			if !inside || t == idx || math.IsNaN(u[t]) {
				continue
			}
			if !(u[t] < u[idx] || (u[t] == u[idx] && t < idx)) {
				continue
			}
			s := (u[idx] - u[t]) / o.dist
			if int(down[idx]) == idx || s > best || (s == best && t < int(down[idx])) {
				best, down[idx] = s, int32(t)
			}
		}
	}
	label := make([]int, n)
	for i := range label {
		label[i] = -2
	}
	var minima []int
	var path []int
	for idx := 0; idx < n; idx++ {
		path = path[:0]
		k := idx
		for label[k] == -2 {
			if down[k] < 0 {
				label[k] = -1
				break
			}
			if int(down[k]) == k {
				label[k] = len(minima)
				minima = append(minima, k)
				break
			}
			path = append(path, k)
			k = int(down[k])
		}
		for _, p := range path {
			label[p] = label[k]
		}
	}
	b := &Basins{Kind: BasinsOfPhi, Label: label, grid: g}
	keep := RegionMask(st.Rho, RegionFraction)
	for _, m := range minima {
		bs := Basin{Node: m, Phi: u[m], InRegion: keep[m]}
		if mm, ok := g.interiorMinimum(u, m, nil); ok {
			bs.X = mm.X
		} else {
			bs.X = make([]float64, g.Dim)
			g.Point(bs.X, m)
		}
		b.Basins = append(b.Basins, bs)
	}
	b.finish(st)
	return b, nil
}

// nbOffset is a neighbour's index offset and distance.
type nbOffset struct {
	di, dj int
	dist   float64
}

// neighbourOffsets returns the offsets of the 8 neighbours (2 in 1-D).
func (g *Grid) neighbourOffsets() []nbOffset {
	if g.Dim == 1 {
		return []nbOffset{{-1, 0, g.H[0]}, {1, 0, g.H[0]}}
	}
	var out []nbOffset
	for dj := -1; dj <= 1; dj++ {
		for di := -1; di <= 1; di++ {
			if di != 0 || dj != 0 {
				out = append(out, nbOffset{di, dj, math.Hypot(float64(di)*g.H[0], float64(dj)*g.H[1])})
			}
		}
	}
	return out
}

// finish sorts the basins by Phi at their attractors (NaN last, ties by
// node), relabels the nodes, and adds up the nodes and the probabilities.
func (b *Basins) finish(st *Steady) {
	order := make([]int, len(b.Basins))
	for i := range order {
		order[i] = i
	}
	key := func(k int) float64 {
		if v := b.Basins[k].Phi; !math.IsNaN(v) {
			return v
		}
		return math.Inf(1)
	}
	sort.SliceStable(order, func(p, q int) bool {
		a, c := order[p], order[q]
		if key(a) != key(c) {
			return key(a) < key(c)
		}
		return b.Basins[a].Node < b.Basins[c].Node
	})
	newIndex := make([]int, len(order))
	sorted := make([]Basin, len(order))
	for to, from := range order {
		newIndex[from] = to
		sorted[to] = b.Basins[from]
	}
	b.Basins = sorted
	vol := b.grid.CellVolume()
	for i, l := range b.Label {
		p := st.Rho[i] * vol
		if l < 0 {
			b.Label[i] = -1
			b.Unassigned++
			b.UnassignedProbability += p
			continue
		}
		l = newIndex[l]
		b.Label[i] = l
		b.Basins[l].Nodes++
		b.Basins[l].Probability += p
	}
}

// basinStepsPerNode bounds the RK4 steps of one orbit of DriftBasins: this
// many times the number of nodes along the sides, about 50 crossings of
// the box at 4 steps a cell.
const basinStepsPerNode = 200

// DriftBasins partitions the nodes into the basins of attraction of the
// stable fixed points of the noiseless dynamics x' = b(x), and gives each
// its probability under the steady state st of op.
//
// In 2-D the orbit of each node is integrated by the RK4 integrator of
// Orbits (a step of about one cell, the model's drift evaluated exactly)
// until it comes within two cells of a stable zero of b, its attractor, or
// approaches a zero of b away from the known attractors: its speed falls
// below FixedPointSpeed times the typical speed of the drift (as in
// Orbits), or the Newton step towards a zero, tried every 16 steps, is
// shorter than two cells (a weak focus is approached too slowly for the
// speed test). There Newton's method finds the zero, and one whose
// Jacobian has a positive determinant and a trace that is negative (or
// zero, a weak focus, to 1e-6 of its size) is a new attractor unless
// within a cell of a known one; an orbit that stops at any other zero (a
// saddle) leaves the node unassigned, as do an orbit that leaves the box
// (also on a periodic grid,
// as in Orbits) and one that finds nothing
// within 200 (N_x + N_y) steps (a limit cycle). The attractors are first
// looked for from a lattice of about 16 x 16 seeds, and the orbits of the
// nodes run in parallel (an orbit costs a step per cell it crosses: on two
// cores the default double well takes 0.16 s at 256^2 nodes, 1.3 s at
// 512^2). In 1-D the orbit follows the
// sign of b from node to node to the first sign change from + to -, where
// the attractor is found by bisection.
//
// A node is assigned by its own orbit, so a basin is exact at the nodes up
// to the integration error, and its probability carries the error of the
// steady state plus the weight of the cells its boundary crosses (first
// order in h).
func (op *Operator) DriftBasins(ctx context.Context, st *Steady) (*Basins, error) {
	g := op.Grid
	if st == nil || st.Fields == nil || len(st.Rho) != g.Len() {
		return nil, errNoSteady
	}
	var b *Basins
	var err error
	if g.Dim == 1 {
		b = op.driftBasins1D()
	} else if b, err = op.driftBasins2D(ctx, st); err != nil {
		return nil, err
	}
	for k := range b.Basins {
		b.Basins[k].Phi = st.Phi[b.Basins[k].Node]
		b.Basins[k].InRegion = st.Rho[b.Basins[k].Node] > RegionFraction*maxOf(st.Rho)
	}
	b.finish(st)
	return b, nil
}

// driftBasins1D follows the sign of the drift along the nodes.
func (op *Operator) driftBasins1D() *Basins {
	g := op.Grid
	n := g.Len()
	m := op.Model
	bv := make([]float64, n)
	x, v := make([]float64, 1), make([]float64, 1)
	for i := range bv {
		g.Point(x, i)
		m.Drift(v, x)
		bv[i] = v[0]
	}
	drift := func(s float64) float64 {
		x[0] = s
		m.Drift(v, x)
		return v[0]
	}
	b := &Basins{Kind: BasinsOfDrift, Label: make([]int, n), grid: g}
	// byNode maps k to the basin of the zero in [x_k, x_(k+1)) (at x_k
	// when b vanishes there).
	byNode := map[int]int{}
	for i := 0; i < n; i++ {
		k := i
		switch {
		case bv[i] > 0:
			for k < n-1 && bv[k+1] > 0 {
				k++
			}
			if k == n-1 {
				b.Label[i] = -1 // the orbit leaves through the right wall
				continue
			}
			if bv[k+1] == 0 {
				k++ // the zero is the node
			}
		case bv[i] < 0:
			for k > 0 && bv[k-1] < 0 {
				k--
			}
			if k == 0 {
				b.Label[i] = -1
				continue
			}
			k-- // the zero lies between k-1 and k
		default:
			// b = 0 at the node: stable if the neighbours point at it.
			if !(i > 0 && bv[i-1] > 0 && i < n-1 && bv[i+1] < 0) {
				b.Label[i] = -1
				continue
			}
		}
		if l, ok := byNode[k]; ok {
			b.Label[i] = l
			continue
		}
		// Bisection for the zero in [x_k, x_(k+1)] (b > 0 left, <= 0 right),
		// or the node itself.
		z := g.Coord(0, k)
		if bv[k] != 0 {
			lo, hi := g.Coord(0, k), g.Coord(0, k+1)
			for it := 0; it < 80; it++ {
				mid := (lo + hi) / 2
				if drift(mid) > 0 {
					lo = mid
				} else {
					hi = mid
				}
			}
			z = (lo + hi) / 2
		}
		byNode[k] = len(b.Basins)
		b.Label[i] = len(b.Basins)
		b.Basins = append(b.Basins, Basin{X: []float64{z}, Node: g.Nearest([]float64{z})})
	}
	return b
}

// basinCFL is the RK4 step of the orbits of DriftBasins in grid cells:
// an orbit only has to stay within a cell of the true one, and RK4's error
// over a step of one cell is of order h^5.
const basinCFL = 1.0

// captureCells is the radius, in grid cells, of the disc about a known
// attractor within which an orbit of DriftBasins counts as arrived.
const captureCells = 2

// driftField returns the model's drift as a field; with the generic Drift
// the closure holds buffers, so each goroutine needs its own.
func driftField(op *Operator) field {
	m := op.Model
	if m.Drift2 != nil {
		return m.Drift2
	}
	xb, bb := make([]float64, 2), make([]float64, 2)
	return func(x, y float64) (float64, float64) {
		xb[0], xb[1] = x, y
		m.Drift(bb, xb)
		return bb[0], bb[1]
	}
}

// orbitEnd is where the orbit of a node ended.
type orbitEnd int

const (
	endNone     orbitEnd = iota // left the box, stopped at a zero that is not stable, or ran out of steps
	endCaptured                 // within the capture disc of a known attractor
	endSlow                     // at a stable zero of b away from the known attractors
)

// driftBasins2D integrates the orbits of the drift from the nodes: first
// from a coarse lattice of seeds, in order, to find the attractors; then
// from every node, in parallel, until the orbit enters the capture disc of
// an attractor (or stops); last, in node order, the orbits that slowed
// down elsewhere, whose zeros are classified (a stable one missed by the
// seeds becomes a new attractor). Every node's result depends only on its
// own orbit and the attractors found, so the partition does not depend on
// the number of goroutines. (Letting an orbit stop at the first cell that
// an earlier orbit had crossed was fast but wrong where orbits from both
// sides of a separatrix bunch together before they part: on the
// non-reversible double well of the tests it moved 2.6% of the probability.)
func (op *Operator) driftBasins2D(ctx context.Context, st *Steady) (*Basins, error) {
	g := op.Grid
	n := g.Len()
	v := driftField(op)
	vfix := FixedPointSpeed * typicalSpeed(g, st, v)
	if !(vfix > 0) {
		return nil, fmt.Errorf("basins of the drift: the drift vanishes on the region of the steady state")
	}
	b := &Basins{Kind: BasinsOfDrift, Label: make([]int, n), grid: g}
	hmax := math.Max(g.H[0], g.H[1])
	box := [4]float64{g.Min[0], g.Max[0], g.Min[1], g.Max[1]}
	maxSteps := basinStepsPerNode * (g.N[0] + g.N[1])
	hmin := math.Min(g.H[0], g.H[1])
	capture2 := (captureCells * hmax) * (captureCells * hmax)
	// run follows the orbit of the point p until it is captured by one of
	// the attractors (ending with its index), slows down (ending there) or
	// stops.
	run := func(in *integrator, p [2]float64, attractors []Basin) (orbitEnd, int, [2]float64) {
		x, y := p[0], p[1]
		vx, vy := in.v(x, y)
		rate := 0.0
		// The last zero classified, so that an orbit lingering near a
		// saddle does not solve for it again and again.
		var saddle [2]float64
		haveSaddle := false
		for steps := 0; steps < maxSteps; steps++ {
			for k, a := range attractors {
				if dx, dy := x-a.X[0], y-a.X[1]; dx*dx+dy*dy <= capture2 {
					return endCaptured, k, [2]float64{x, y}
				}
			}
			// Near a zero of b (the speed below the fixed-point speed, or,
			// every 16 steps, a Newton step of at most the capture radius:
			// a weak focus is approached too slowly for the speed test),
			// classify it; an orbit that stopped at a zero that is not
			// stable lies on a separatrix.
			speed2 := vx*vx + vy*vy
			slow := speed2 < in.vfix*in.vfix
			near := false
			if !slow && steps%16 == 15 {
				dx, dy := newtonStep(in, x, y)
				near = math.Hypot(dx, dy) <= captureCells*hmax &&
					!(haveSaddle && math.Hypot(x+dx-saddle[0], y+dy-saddle[1]) < hmax)
			}
			if slow || near {
				c, ok := stableZero(in, x, y, box)
				if ok {
					return endSlow, -1, c
				}
				if slow {
					break
				}
				saddle, haveSaddle = c, true
			}
			// The step of Orbits (stepSize), without its overflow-safe
			// hypotenuses, which cost a third of the time here.
			dt := in.cfl * hmin / math.Max(math.Sqrt(speed2), in.vfix)
			if rate > 0 {
				dt = math.Min(dt, 0.2/rate)
			}
			xn, yn, ok := in.rk4(x, y, vx, vy, dt)
			if !ok {
				break
			}
			vxn, vyn := in.v(xn, yn)
			if dx, dy := xn-x, yn-y; dx != 0 || dy != 0 {
				ux, uy := vxn-vx, vyn-vy
				rate = math.Sqrt((ux*ux + uy*uy) / (dx*dx + dy*dy))
			}
			x, y, vx, vy = xn, yn, vxn, vyn
		}
		return endNone, -1, [2]float64{x, y}
	}
	in := &integrator{g: g, v: v, cfl: basinCFL, vfix: vfix}
	pt := make([]float64, 2)
	// Seeds: about 16 per axis.
	sx, sy := max(g.N[0]/16, 1), max(g.N[1]/16, 1)
	for j := sy / 2; j < g.N[1]; j += sy {
		for i := sx / 2; i < g.N[0]; i += sx {
			g.Point(pt, j*g.N[0]+i)
			if end, _, c := run(in, [2]float64{pt[0], pt[1]}, b.Basins); end == endSlow {
				op.attractor(b, c, hmax)
			}
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	// Every node, in parallel.
	ends := make([]orbitEnd, n)
	stops := make([][2]float64, n)
	workers := min(max(runtime.GOMAXPROCS(0), 1), max(n/256, 1))
	attractors := b.Basins
	inParallel(workers, func(w int) {
		win := &integrator{g: g, v: driftField(op), cfl: basinCFL, vfix: vfix}
		p := make([]float64, 2)
		for i := w; i < n; i += workers {
			if i%1024 == w && ctx.Err() != nil {
				return
			}
			g.Point(p, i)
			var k int
			ends[i], k, stops[i] = run(win, [2]float64{p[0], p[1]}, attractors)
			b.Label[i] = k
		}
	})
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	// The orbits that reached a stable zero away from the known attractors.
	for i := 0; i < n; i++ {
		if ends[i] == endSlow {
			b.Label[i] = op.attractor(b, stops[i], hmax)
		}
	}
	return b, nil
}

// attractor returns the basin of the stable zero c of the drift: that of a
// known attractor within a cell of it, or a new one.
func (op *Operator) attractor(b *Basins, c [2]float64, hmax float64) int {
	for k, bs := range b.Basins {
		if math.Hypot(bs.X[0]-c[0], bs.X[1]-c[1]) < hmax {
			return k
		}
	}
	b.Basins = append(b.Basins, Basin{X: []float64{c[0], c[1]}, Node: op.Grid.Nearest(c[:])})
	return len(b.Basins) - 1
}

// jacobian returns the Jacobian of the field at (x, y) by central
// differences of step 1e-6 of the larger grid spacing (as fixedPoint).
func jacobian(in *integrator, x, y float64) (j11, j12, j21, j22 float64) {
	d := 1e-6 * math.Max(in.g.H[0], in.g.H[1])
	ax, ay := in.v(x+d, y)
	bx, by := in.v(x-d, y)
	cx, cy := in.v(x, y+d)
	ex, ey := in.v(x, y-d)
	return (ax - bx) / (2 * d), (cx - ex) / (2 * d), (ay - by) / (2 * d), (cy - ey) / (2 * d)
}

// newtonStep returns the Newton step -J^-1 b(x) towards a zero of the
// field from (x, y) (infinite where J is singular).
func newtonStep(in *integrator, x, y float64) (dx, dy float64) {
	vx, vy := in.v(x, y)
	j11, j12, j21, j22 := jacobian(in, x, y)
	det := j11*j22 - j12*j21
	if det == 0 {
		return math.Inf(1), math.Inf(1)
	}
	return -(j22*vx - j12*vy) / det, -(-j21*vx + j11*vy) / det
}

// stableZero returns the zero of the field that Newton's method reaches
// from (x, y), and whether it is stable: the Jacobian there has a positive
// determinant and a trace that is negative or zero within 1e-6 of its
// size (a weak focus, a linear centre that the nonlinear terms make
// attracting, as the drift of paper-fig4 has and the double well with a
// rotation; an orbit reaches it only if it attracts).
func stableZero(in *integrator, x, y float64, box [4]float64) ([2]float64, bool) {
	c, ok := in.fixedPoint([2]float64{x, y}, box)
	if !ok {
		return c, false
	}
	j11, j12, j21, j22 := jacobian(in, c[0], c[1])
	size := math.Abs(j11) + math.Abs(j12) + math.Abs(j21) + math.Abs(j22)
	return c, j11*j22-j12*j21 > 0 && j11+j22 <= 1e-6*size
}
