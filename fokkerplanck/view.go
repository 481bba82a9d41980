package fokkerplanck

// Post-processing of grid fields for viewing them: the region where the
// density is not negligible, Phi - f up to a constant, crops, seeds of
// orbits, particles drawn from rho and an Euler–Maruyama step for them.
// Figures (package plots), the gallery and the browser (internal/serve)
// all take these from here.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/sgdsde/sgdsde/potentials"
)

// PhiLevel returns T ln(1/frac), the height of Phi - min Phi at which the
// density rho = exp(-Phi/T)/Z has fallen to frac of its maximum: the edge
// of the region rho > frac max rho.
func PhiLevel(T, frac float64) float64 {
	return T * math.Log(1/frac)
}

// RegionMask returns the nodes where rho > frac max rho: the region where
// rho is not negligible, as the diagnostics take it with frac =
// RegionFraction. Outside it ratios of rho (the force j = J/rho) and its
// logarithm Phi are dominated by round-off.
func RegionMask(rho []float64, frac float64) []bool {
	top := 0.0
	for _, r := range rho {
		top = math.Max(top, r)
	}
	in := make([]bool, len(rho))
	for i, r := range rho {
		in[i] = r > frac*top
	}
	return in
}

// PhiRegionMask returns the region of RegionMask from Phi alone: the
// nodes where Phi is finite and Phi - min Phi <= PhiLevel(T, frac). With
// T <= 0 every node where Phi is finite is in.
func PhiRegionMask(phi []float64, T, frac float64) []bool {
	lo := math.Inf(1)
	for _, v := range phi {
		if finite(v) {
			lo = math.Min(lo, v)
		}
	}
	cut := math.Inf(1)
	if T > 0 {
		cut = lo + PhiLevel(T, frac)
	}
	in := make([]bool, len(phi))
	for k, v := range phi {
		in[k] = finite(v) && v <= cut
	}
	return in
}

// Blank returns a copy of z with NaN at the nodes outside in (nil: none).
func Blank(z []float64, in []bool) []float64 {
	out := make([]float64, len(z))
	for k, v := range z {
		if in != nil && !in[k] {
			v = math.NaN()
		}
		out[k] = v
	}
	return out
}

// Cap returns a copy of z with NaN where z > top: a background whose
// colour scale then ends at top.
func Cap(z []float64, top float64) []float64 {
	out := make([]float64, len(z))
	for k, v := range z {
		if v > top {
			v = math.NaN()
		}
		out[k] = v
	}
	return out
}

// ShiftMin returns u - min u, the minimum over the finite values (NaN
// stays NaN): a loss drawn on the scale of Phi, whose minimum is 0.
func ShiftMin(u []float64) []float64 {
	lo := math.Inf(1)
	for _, v := range u {
		if finite(v) {
			lo = math.Min(lo, v)
		}
	}
	out := make([]float64, len(u))
	for k, v := range u {
		out[k] = v - lo
	}
	return out
}

// ArgMin returns the index of the smallest finite value of u (the first
// of equal ones), -1 if u has none.
func ArgMin(u []float64) int {
	at := -1
	for k, v := range u {
		if finite(v) && (at < 0 || v < u[at]) {
			at = k
		}
	}
	return at
}

// Anchor chooses the constant PhiMinusLoss subtracts: Phi and f are each
// defined up to a constant (Phi up to log Z, f up to its offset), so only
// Phi - f - c means anything.
type Anchor int

const (
	// AnchorMinPhi makes Phi - f vanish at the node where Phi is smallest.
	AnchorMinPhi Anchor = iota
	// AnchorMinLoss makes Phi - f vanish at the node where f is smallest.
	AnchorMinLoss
	// AnchorBest subtracts the best constant: the middle of the range of
	// Phi - f over the region, so that max |Phi - f - c| is as small as
	// it can be (Diagnostics.MaxAbsPhiMinusLoss).
	AnchorBest
)

// String returns "min-phi", "min-loss" or "best".
func (a Anchor) String() string {
	switch a {
	case AnchorMinPhi:
		return "min-phi"
	case AnchorMinLoss:
		return "min-loss"
	case AnchorBest:
		return "best"
	}
	return fmt.Sprintf("Anchor(%d)", int(a))
}

// PhiMinusLoss returns Phi - f - c at the nodes in in (nil: all), NaN
// elsewhere, with c chosen by a; the anchors look at the nodes in in
// only. It vanishes (up to discretisation) when the steady state is the
// Gibbs density exp(-f/T)/Z, Phi = f + const; its spread measures how far
// SGD is from sampling the loss. Without a finite node in the region the
// result is all NaN.
func PhiMinusLoss(phi, loss []float64, in []bool, a Anchor) []float64 {
	out := make([]float64, len(phi))
	keep := func(k int) bool { return in == nil || in[k] }
	var c float64
	switch a {
	case AnchorMinPhi, AnchorMinLoss:
		u := phi
		if a == AnchorMinLoss {
			u = loss
		}
		at := -1
		for k, v := range u {
			if keep(k) && finite(v) && (at < 0 || v < u[at]) {
				at = k
			}
		}
		if at < 0 {
			c = math.NaN()
		} else {
			c = phi[at] - loss[at]
		}
	case AnchorBest:
		lo, hi := math.Inf(1), math.Inf(-1)
		for k := range phi {
			if keep(k) {
				if d := phi[k] - loss[k]; finite(d) {
					lo, hi = math.Min(lo, d), math.Max(hi, d)
				}
			}
		}
		c = (lo + hi) / 2
	default:
		panic(fmt.Sprintf("fokkerplanck: PhiMinusLoss with %v", a))
	}
	for k := range out {
		out[k] = math.NaN()
		if keep(k) {
			out[k] = phi[k] - loss[k] - c
		}
	}
	return out
}

// Window is a rectangle of the plane: [X0, X1] x [Y0, Y1].
type Window struct{ X0, X1, Y0, Y1 float64 }

// GridField is a 2-D field on the nodes of a grid or of part of it:
// Z[j*len(X)+i] is the value at (X[i], Y[j]), row-major (ny, nx) as the
// output arrays.
type GridField struct{ X, Y, Z []float64 }

// Field returns the field z of g (one value per node) with the nodes'
// coordinates. z is not copied.
func (g *Grid) Field(z []float64) GridField {
	return GridField{X: g.Axis(0), Y: g.Axis(1), Z: z}
}

// Crop returns the part of the field z of a 2-D grid whose nodes lie in w
// (edges included).
func (g *Grid) Crop(z []float64, w Window) GridField {
	xs, ys := g.Axis(0), g.Axis(1)
	var ix, iy []int
	for i, x := range xs {
		if x >= w.X0 && x <= w.X1 {
			ix = append(ix, i)
		}
	}
	for j, y := range ys {
		if y >= w.Y0 && y <= w.Y1 {
			iy = append(iy, j)
		}
	}
	f := GridField{X: make([]float64, len(ix)), Y: make([]float64, len(iy)), Z: make([]float64, 0, len(ix)*len(iy))}
	for k, i := range ix {
		f.X[k] = xs[i]
	}
	for k, j := range iy {
		f.Y[k] = ys[j]
		for _, i := range ix {
			f.Z = append(f.Z, z[j*g.N[0]+i])
		}
	}
	return f
}

// RegionWindow returns the smallest window of a 2-D grid that holds the
// cells of the nodes where rho > frac max rho (RegionMask); ok is false
// when no node is (rho all zero). Crop(z, RegionWindow(...)) crops a
// steady state to where its density lives.
func (g *Grid) RegionWindow(rho []float64, frac float64) (w Window, ok bool) {
	w = Window{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
	x := make([]float64, 2)
	for k, in := range RegionMask(rho, frac) {
		if !in {
			continue
		}
		g.Point(x, k)
		w.X0, w.X1 = math.Min(w.X0, x[0]-g.H[0]/2), math.Max(w.X1, x[0]+g.H[0]/2)
		w.Y0, w.Y1 = math.Min(w.Y0, x[1]-g.H[1]/2), math.Max(w.Y1, x[1]+g.H[1]/2)
	}
	return w, w.X0 <= w.X1
}

// SigmaLevels returns the heights k² T / 2 of Phi - min Phi for the given
// k: the k-sigma ellipses of a Gaussian density exp(-Phi/T) (k = 1, 2, 3
// give T/2, 2T and 9T/2).
func SigmaLevels(T float64, ks ...float64) []float64 {
	out := make([]float64, len(ks))
	for i, k := range ks {
		out[i] = k * k * T / 2
	}
	return out
}

// LevelSeeds returns seeds of orbits at given heights of Phi: on a
// horizontal ray from each of the lowest maxMinima minima of Phi (all if
// maxMinima <= 0), the first node where Phi - Phi_min reaches each of the
// increasing heights. The ray points away from the middle of the box (in
// +x from a minimum in the middle), so that the seeds of a minimum stay on
// its side: on the double well, a ray from the left minimum towards the
// right would seed orbits around the right one. A ray ends a cell before
// the wall or where Phi is not finite. AutoSeeds places seeds by distance
// instead.
func LevelSeeds(g *Grid, st *Steady, heights []float64, maxMinima int) [][2]float64 {
	type centre struct{ x, y, phi float64 }
	var cs []centre
	for _, mn := range st.MinimaPhi {
		cs = append(cs, centre{mn.X[0], mn.X[1], mn.Value})
	}
	sort.Slice(cs, func(a, b int) bool { return cs[a].phi < cs[b].phi })
	if maxMinima > 0 && len(cs) > maxMinima {
		cs = cs[:maxMinima]
	}
	var seeds [][2]float64
	x := make([]float64, 2)
	mid := (g.Min[0] + g.Max[0]) / 2
	for _, c := range cs {
		dir := 1.0
		if c.x < mid-g.H[0] {
			dir = -1
		}
		k := 0
		for r := g.H[0] / 2; k < len(heights); r += g.H[0] / 2 {
			x[0], x[1] = c.x+dir*r, c.y
			if x[0] > g.Max[0]-g.H[0] || x[0] < g.Min[0]+g.H[0] {
				break
			}
			p := st.Phi[g.Nearest(x)]
			if !finite(p) {
				break
			}
			for k < len(heights) && p-c.phi >= heights[k] {
				seeds = append(seeds, [2]float64{x[0], x[1]})
				k++
			}
		}
	}
	return seeds
}

// SampleDensity draws n points from the grid density rho: a node with
// probability proportional to rho (the cells have equal volumes), then a
// uniform point in its cell. It returns the points row-major, n x g.Dim
// values; rng's stream decides them (one number for the node, then one
// per axis).
func SampleDensity(g *Grid, rho []float64, n int, rng *rand.Rand) []float64 {
	out := make([]float64, 0, g.Dim*n)
	if n == 0 {
		return out
	}
	cdf := make([]float64, len(rho))
	s := 0.0
	for i, r := range rho {
		s += r
		cdf[i] = s
	}
	x := make([]float64, g.Dim)
	for range n {
		i := sort.SearchFloat64s(cdf, rng.Float64()*s)
		i = min(i, len(rho)-1)
		g.Point(x, i)
		for a := range g.Dim {
			out = append(out, x[a]+(rng.Float64()-0.5)*g.H[a])
		}
	}
	return out
}

// Step bounds of SuggestStep.
const (
	// MaxSuggestedStep is the largest step SuggestStep returns.
	MaxSuggestedStep = 0.01
	// MinSuggestedStep is the smallest.
	MinSuggestedStep = 1e-5
)

// SuggestStep returns an Euler–Maruyama step for particles of m on the
// region rho > frac max rho of g: a fifth of the stability limit 2/|J| of
// the explicit step, with |J| the largest norm of a column of the
// Jacobian of the drift b estimated by one-sided differences over a cell,
// kept within [MinSuggestedStep, MaxSuggestedStep].
func SuggestStep(m potentials.Model, g *Grid, rho []float64, frac float64) float64 {
	d := g.Dim
	x, xp := make([]float64, d), make([]float64, d)
	b, bp := make([]float64, d), make([]float64, d)
	jac := 0.0
	for i, in := range RegionMask(rho, frac) {
		if !in {
			continue
		}
		g.Point(x, i)
		m.Drift(b, x)
		for a := 0; a < d; a++ {
			copy(xp, x)
			xp[a] += g.H[a]
			m.Drift(bp, xp)
			var dist float64
			if d == 1 {
				dist = math.Abs(bp[0] - b[0])
			} else {
				dist = math.Hypot(bp[0]-b[0], bp[1]-b[1])
			}
			jac = math.Max(jac, dist/g.H[a])
		}
	}
	h := MaxSuggestedStep
	if jac > 0 {
		h = math.Min(h, 0.4/jac)
	}
	return math.Max(h, MinSuggestedStep)
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
