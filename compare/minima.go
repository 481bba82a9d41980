package compare

import (
	"math"
	"sort"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"gonum.org/v1/gonum/floats"
)

// modeRadius is the half-width, in bins, of the window of a mode: the
// neighbourhood a candidate must dominate and the window of the fit.
const modeRadius = 2

// modeFraction is the smallest count of a candidate mode relative to the
// largest count.
const modeFraction = 0.05

// minima compares the grid's minima of Phi and f with the ensemble's.
func minima(g *fokkerplanck.Grid, st *fokkerplanck.Steady, samples []float64, T, minPeak float64) Minima {
	p := NodeProbabilities(g, st.Rho)
	mn := Minima{Phi: nonNil(st.MinimaPhi), Loss: nonNil(st.MinimaLoss)}
	mn.Block = peakBlock(g, p, len(samples)/g.Dim, minPeak)
	mn.Ensemble = EnsembleMinima(g, samples, mn.Block, T)
	for _, m := range mn.Phi {
		mt := MinimumMatch{Phi: m}
		if l, dist, ok := nearest(mn.Loss, m.X); ok {
			mt.Loss, mt.ShiftFromLoss = &l, &dist
		}
		if e, dist, ok := nearest(mn.Ensemble, m.X); ok {
			mt.Ensemble, mt.Distance = &e, &dist
		}
		mn.Matches = append(mn.Matches, mt)
	}
	if mn.Matches == nil {
		mn.Matches = []MinimumMatch{}
	}
	return mn
}

func nonNil(m []fokkerplanck.Minimum) []fokkerplanck.Minimum {
	if m == nil {
		return []fokkerplanck.Minimum{}
	}
	return m
}

// nearest returns the minimum of ms nearest to x and its distance.
func nearest(ms []fokkerplanck.Minimum, x []float64) (fokkerplanck.Minimum, float64, bool) {
	best, bi := math.Inf(1), -1
	for i, m := range ms {
		if d := floats.Distance(m.X, x, 2); d < best {
			best, bi = d, i
		}
	}
	if bi < 0 {
		return fokkerplanck.Minimum{}, 0, false
	}
	return ms[bi], best, true
}

// peakBlock returns the smallest block size whose fullest bin expects at
// least minPeak of n samples (at most the largest leaving 2*modeRadius+1
// bins per axis).
func peakBlock(g *fokkerplanck.Grid, p []float64, n int, minPeak float64) int {
	axes := []int{0}
	if g.Dim == 2 {
		axes = []int{0, 1}
	}
	kmax := math.MaxInt
	for _, a := range axes {
		kmax = min(kmax, max(1, g.N[a]/(2*modeRadius+1)))
	}
	for k := 1; k <= kmax; k++ {
		q := newBinning(g, axes, k).gridProbabilities(p)
		top := 0.0
		for _, v := range q {
			top = math.Max(top, v)
		}
		if top*float64(n) >= minPeak {
			return k
		}
	}
	return kmax
}

// EnsembleMinima estimates the minima of Phi = -T log rho from samples
// (n x Dim) as the modes of their histogram on blocks of k cells of g,
// refined by a count-weighted quadratic fit of log counts over the 5 x 5
// (1-D: 5) window of bins (package doc). Values are Phi relative to the
// lowest minimum found; minima are sorted by value.
func EnsembleMinima(g *fokkerplanck.Grid, samples []float64, k int, T float64) []fokkerplanck.Minimum {
	axes := []int{0}
	if g.Dim == 2 {
		axes = []int{0, 1}
	}
	b := newBinning(g, axes, k)
	c, _ := b.counts(samples)
	nx, ny := b.bins[0], 1
	if g.Dim == 2 {
		ny = b.bins[1]
	}
	top := 0.0
	for _, v := range c {
		top = math.Max(top, v)
	}
	centre := func(t, i int) float64 {
		a := axes[t]
		lo := float64(i * k)
		hi := float64(min((i+1)*k, g.N[a]))
		return g.Min[a] + (lo+hi)/2*g.H[a]
	}
	r := modeRadius
	ry := r
	if g.Dim == 1 {
		ry = 0
	}
	type cand struct {
		x     []float64
		log   float64
		count float64
	}
	var cands []cand
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			idx := j*nx + i
			v := c[idx]
			if v < modeFraction*top || v < 1 {
				continue
			}
			dominant := true
			for dj := -ry; dj <= ry && dominant; dj++ {
				for di := -r; di <= r; di++ {
					ii, jj := i+di, j+dj
					if (di == 0 && dj == 0) || ii < 0 || jj < 0 || ii >= nx || jj >= ny {
						continue
					}
					w := c[jj*nx+ii]
					if w > v || (w == v && jj*nx+ii < idx) {
						dominant = false
						break
					}
				}
			}
			if !dominant {
				continue
			}
			x0 := []float64{centre(0, i)}
			if g.Dim == 2 {
				x0 = append(x0, centre(1, j))
			}
			x, lv := fitMode(c, nx, ny, i, j, r, ry, centre, g.Dim)
			if x == nil {
				x, lv = x0, math.Log(v)
			}
			cands = append(cands, cand{x, lv, v})
		}
	}
	// Keep the fullest of the candidates whose estimates lie within
	// modeRadius bins of each other (neighbouring windows of one mode).
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].count > cands[b].count })
	var out []fokkerplanck.Minimum
	var logs []float64
	for _, cd := range cands {
		dup := false
		for _, o := range out {
			near := true
			for t, a := range axes {
				if math.Abs(cd.x[t]-o.X[t]) > modeRadius*float64(k)*g.H[a] {
					near = false
				}
			}
			if near {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, fokkerplanck.Minimum{X: cd.x})
			logs = append(logs, cd.log)
		}
	}
	best := math.Inf(-1)
	for _, l := range logs {
		best = math.Max(best, l)
	}
	for i := range out {
		out[i].Value = -T * (logs[i] - best)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Value < out[b].Value })
	if out == nil {
		out = []fokkerplanck.Minimum{}
	}
	return out
}

// fitMode fits log c over the window of bin (i, j) by weighted least
// squares (weights c, the inverse variance of log c) with a cubic in the
// offsets from the bin centre (the cubic terms absorb the asymmetry of a
// well, which biases a quadratic fit towards the flatter side), and returns
// the maximum of the cubic found by Newton's method from the bin centre and
// the fitted log count there; nil if the fit is singular, the maximum is not
// strict or it leaves the window.
func fitMode(c []float64, nx, ny, i, j, r, ry int, centre func(t, i int) float64, d int) ([]float64, float64) {
	nb := 4
	if d == 2 {
		nb = 10
	}
	basis := func(u, v float64) []float64 {
		if d == 1 {
			return []float64{1, u, u * u, u * u * u}
		}
		return []float64{1, u, v, u * u, u * v, v * v, u * u * u, u * u * v, u * v * v, v * v * v}
	}
	ata := make([]float64, nb*nb)
	atb := make([]float64, nb)
	cx := centre(0, i)
	cy := 0.0
	if d == 2 {
		cy = centre(1, j)
	}
	var umax, vmax float64
	pts := 0
	for dj := -ry; dj <= ry; dj++ {
		for di := -r; di <= r; di++ {
			ii, jj := i+di, j+dj
			if ii < 0 || jj < 0 || ii >= nx || jj >= ny {
				continue
			}
			w := c[jj*nx+ii]
			if w <= 0 {
				continue
			}
			pts++
			u, v := centre(0, ii)-cx, 0.0
			umax = math.Max(umax, math.Abs(u))
			if d == 2 {
				v = centre(1, jj) - cy
				vmax = math.Max(vmax, math.Abs(v))
			}
			phi := basis(u, v)
			y := math.Log(w)
			for a := 0; a < nb; a++ {
				atb[a] += w * phi[a] * y
				for b := 0; b < nb; b++ {
					ata[a*nb+b] += w * phi[a] * phi[b]
				}
			}
		}
	}
	if pts < nb+2 {
		return nil, 0
	}
	a, ok := solve(ata, atb, nb)
	if !ok {
		return nil, 0
	}
	if d == 1 {
		u := 0.0
		for it := 0; it < 50; it++ {
			g := a[1] + 2*a[2]*u + 3*a[3]*u*u
			h := 2*a[2] + 6*a[3]*u
			if !(h < 0) {
				return nil, 0
			}
			step := -g / h
			u += step
			if math.Abs(u) > umax {
				return nil, 0
			}
			if math.Abs(step) < 1e-12*(1+umax) {
				break
			}
		}
		return []float64{cx + u}, a[0] + a[1]*u + a[2]*u*u + a[3]*u*u*u
	}
	u, v := 0.0, 0.0
	for it := 0; it < 50; it++ {
		gu := a[1] + 2*a[3]*u + a[4]*v + 3*a[6]*u*u + 2*a[7]*u*v + a[8]*v*v
		gv := a[2] + a[4]*u + 2*a[5]*v + a[7]*u*u + 2*a[8]*u*v + 3*a[9]*v*v
		huu := 2*a[3] + 6*a[6]*u + 2*a[7]*v
		huv := a[4] + 2*a[7]*u + 2*a[8]*v
		hvv := 2*a[5] + 2*a[8]*u + 6*a[9]*v
		det := huu*hvv - huv*huv
		if !(huu < 0 && det > 0) {
			return nil, 0
		}
		su := -(hvv*gu - huv*gv) / det
		sv := -(-huv*gu + huu*gv) / det
		u, v = u+su, v+sv
		if math.Abs(u) > umax || math.Abs(v) > vmax {
			return nil, 0
		}
		if math.Abs(su)+math.Abs(sv) < 1e-12*(1+umax+vmax) {
			break
		}
	}
	phi := basis(u, v)
	val := 0.0
	for k := range phi {
		val += a[k] * phi[k]
	}
	return []float64{cx + u, cy + v}, val
}

// solve solves the n x n system a x = b (a row-major, both overwritten) by
// Gaussian elimination with partial pivoting; ok is false if it is singular.
func solve(a, b []float64, n int) ([]float64, bool) {
	scale := 0.0
	for i := 0; i < n; i++ {
		scale = math.Max(scale, math.Abs(a[i*n+i]))
	}
	for col := 0; col < n; col++ {
		p := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r*n+col]) > math.Abs(a[p*n+col]) {
				p = r
			}
		}
		if !(math.Abs(a[p*n+col]) > 1e-14*scale) {
			return nil, false
		}
		for k := 0; k < n; k++ {
			a[col*n+k], a[p*n+k] = a[p*n+k], a[col*n+k]
		}
		b[col], b[p] = b[p], b[col]
		for r := col + 1; r < n; r++ {
			f := a[r*n+col] / a[col*n+col]
			for k := col; k < n; k++ {
				a[r*n+k] -= f * a[col*n+k]
			}
			b[r] -= f * b[col]
		}
	}
	x := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < n; k++ {
			s -= a[i*n+k] * x[k]
		}
		x[i] = s / a[i*n+i]
	}
	return x, true
}
