package potentials

// The temperature-dependent default boxes of the built-in landscapes
// (Model.BoxAt): the rules they share and the numerical search of the
// sublevel set of a loss.

import "math"

// Tail criteria of the default boxes. The grid commands warn when rho at
// the walls exceeds 1e-6 of its maximum (fokkerplanck.RegionFraction); each
// rule keeps a margin below that, because the nodes next to a wall lie half a
// cell inside it and the rules are estimates of the tails, not the tails.
const (
	// gaussianBoxSD is the half-width of a Gaussian model's box in
	// stationary standard deviations: rho at the walls is at most
	// exp(-6^2/2) = 1.5e-8 of its maximum.
	gaussianBoxSD = 6
	// sublevelBoxLevel is the height, in units of lambda_max(D) T, of the
	// sublevel set of the loss that the box of a constant-D landscape
	// bounds: 18 = 6^2/2 makes it six standard deviations for a quadratic
	// loss with D = I.
	sublevelBoxLevel = 18
	// doubleWellBoxTail is where the double well's profile in y is cut:
	// half the warning threshold, since that tail is a power law whose box
	// grows fast as the cut goes down (at T = 2, as tail^(-1/3)).
	doubleWellBoxTail = 5e-7
)

// maxEigen returns the largest eigenvalue of the constant D,
//
//	lambda_max = (D11 + D22)/2 + sqrt(((D11 - D22)/2)^2 + D12^2).
func (c ConstDiffusion) maxEigen() float64 {
	return 0.5*(c.D11+c.D22) + math.Hypot(0.5*(c.D11-c.D22), c.D12)
}

// sublevelBoxFor is the default box at temperature T of a landscape with
// the loss f and a constant diffusion whose largest eigenvalue is lmax: the
// bounding box (see sublevelBox) of
//
//	{x : f(x) - min f <= 18 lmax T}.
//
// The quasi-potential of the steady state, Phi with rho ~ exp(-Phi/T) for
// small T, is at least (f - min f) / lmax (the Freidlin–Wentzell action of
// a path, integral |x' - b|^2_{D^-1} / 4 dt, is at least 1/lmax times its
// value for D = I, whose minimum is f - min f), so outside this set rho is
// below exp(-18) = 1.5e-8 of its maximum up to a prefactor of order one. For a
// quadratic loss with D = I the box spans six standard deviations. It
// returns fallback if lmax T is not positive and finite or the search fails
// (a loss that is not bounded below).
func sublevelBoxFor(f func(x, y float64) float64, lmax, T float64, fallback Box) Box {
	level := sublevelBoxLevel * lmax * T
	if !(level > 0) || math.IsInf(level, 0) {
		return fallback
	}
	if b, ok := sublevelBox(f, level, fallback); ok {
		return b
	}
	return fallback
}

// sublevelBox returns the bounding box of the sublevel set
// {(x, y) : f(x, y) <= min f + level} of a 2-D function, found by sampling f
// on a 129 x 129 lattice: first over start, doubled about its centre until
// the set no longer reaches the edge of the window (at most 16 times), then
// three times over the bounding box of the samples in the set widened by
// one lattice step on each side, which zooms in on a small set. Last, each
// wall of that box that f, sampled at 1025 points along it, shows to cut
// the set is moved out by 1% of the width until none does. The result
// contains the set when the set is not thinner than these samplings, and
// exceeds it by about a lattice step. ok is false if the set still reaches
// the window after the doublings, the walls do not clear it in 400 moves,
// or f is nowhere finite.
func sublevelBox(f func(x, y float64) float64, level float64, start Box) (box Box, ok bool) {
	const n = 129
	x0, x1, y0, y1 := start.Min[0], start.Max[0], start.Min[1], start.Max[1]
	// scan samples the window and returns the bounding box of the samples
	// in the set widened by one step, and whether a sample in the set lies
	// on the edge of the window.
	scan := func() (bx0, bx1, by0, by1 float64, edge, ok bool) {
		hx, hy := (x1-x0)/(n-1), (y1-y0)/(n-1)
		v := make([]float64, n*n)
		fmin := math.Inf(1)
		for j := 0; j < n; j++ {
			y := y0 + float64(j)*hy
			for i := 0; i < n; i++ {
				fv := f(x0+float64(i)*hx, y)
				if math.IsNaN(fv) {
					fv = math.Inf(1)
				}
				v[j*n+i] = fv
				fmin = math.Min(fmin, fv)
			}
		}
		if math.IsInf(fmin, 0) {
			return 0, 0, 0, 0, false, false
		}
		i0, i1, j0, j1 := n, -1, n, -1
		for j := 0; j < n; j++ {
			for i := 0; i < n; i++ {
				if v[j*n+i] <= fmin+level {
					i0, i1, j0, j1 = min(i0, i), max(i1, i), min(j0, j), max(j1, j)
				}
			}
		}
		edge = i0 == 0 || j0 == 0 || i1 == n-1 || j1 == n-1
		return x0 + float64(i0-1)*hx, x0 + float64(i1+1)*hx, y0 + float64(j0-1)*hy, y0 + float64(j1+1)*hy, edge, true
	}
	for k := 0; ; k++ {
		_, _, _, _, edge, ok := scan()
		if !ok {
			return Box{}, false
		}
		if !edge {
			break
		}
		if k == 16 {
			return Box{}, false
		}
		cx, cy, wx, wy := (x0+x1)/2, (y0+y1)/2, x1-x0, y1-y0
		x0, x1, y0, y1 = cx-wx, cx+wx, cy-wy, cy+wy
	}
	for k := 0; k < 3; k++ {
		bx0, bx1, by0, by1, _, ok := scan()
		if !ok {
			return Box{}, false
		}
		x0, x1, y0, y1 = bx0, bx1, by0, by1
	}
	// The lattice misses thin tips of the set (the arms of a curved
	// valley): push each wall out by 1% of the width until f along it,
	// sampled at 1025 points, is above the level.
	fmin := math.Inf(1)
	hx, hy := (x1-x0)/(n-1), (y1-y0)/(n-1)
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			if v := f(x0+float64(i)*hx, y0+float64(j)*hy); v < fmin {
				fmin = v
			}
		}
	}
	// inside reports whether the segment from (ax, ay) to (bx, by) meets
	// the set.
	inside := func(ax, ay, bx, by float64) bool {
		const m = 1024
		for k := 0; k <= m; k++ {
			t := float64(k) / m
			if f(ax+t*(bx-ax), ay+t*(by-ay)) <= fmin+level {
				return true
			}
		}
		return false
	}
	for k := 0; k < 400; k++ {
		px, py := 0.01*(x1-x0), 0.01*(y1-y0)
		moved := false
		if inside(x0, y0, x0, y1) {
			x0, moved = x0-px, true
		}
		if inside(x1, y0, x1, y1) {
			x1, moved = x1+px, true
		}
		if inside(x0, y0, x1, y0) {
			y0, moved = y0-py, true
		}
		if inside(x0, y1, x1, y1) {
			y1, moved = y1+py, true
		}
		if !moved {
			return NewBox(x0, x1, y0, y1), true
		}
	}
	return Box{}, false
}
