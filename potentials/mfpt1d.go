package potentials

import (
	"fmt"
	"math"
)

// FirstPassage is the exact mean first-passage time tau(x) of a 1-D model
// from every x between a reflecting wall and an absorbing target, as
// FirstPassage1D computes it.
type FirstPassage struct {
	// T is the temperature, Wall the reflecting end and Target the
	// absorbing one (Target > Wall: the target to the right; Target <
	// Wall: to the left).
	T, Wall, Target float64
	// X are the nodes, equally spaced from Wall (X[0]) to Target (the
	// last); Tau holds tau at the nodes (0 at the target) and Slope the
	// derivative dtau/dx there, exact given the integrals (it is -J/T or
	// J/T, J the inner integral, see FirstPassage1D).
	X, Tau, Slope []float64
	// AbsErr estimates the largest error of Tau over the nodes: the
	// change from half as many intervals, divided by 15 (the error of a
	// fourth-order rule falls 16-fold when the intervals halve).
	AbsErr float64
}

// At returns tau(x) by cubic Hermite interpolation of Tau and Slope
// (fourth order, as the rule), or NaN if x is not between Wall and
// Target.
func (f *FirstPassage) At(x float64) float64 {
	n := len(f.X) - 1
	if n < 1 {
		return math.NaN()
	}
	L := f.Target - f.Wall
	s := (x - f.Wall) / L
	if !(s >= 0 && s <= 1) {
		return math.NaN()
	}
	u := s * float64(n)
	i := int(u)
	if i >= n {
		return f.Tau[n]
	}
	t := u - float64(i)
	h := L / float64(n) // signed step in x from node i to node i+1
	h00 := (1 + 2*t) * (1 - t) * (1 - t)
	h10 := t * (1 - t) * (1 - t)
	h01 := t * t * (3 - 2*t)
	h11 := t * t * (t - 1)
	return h00*f.Tau[i] + h10*h*f.Slope[i] + h01*f.Tau[i+1] + h11*h*f.Slope[i+1]
}

// FirstPassageOptions tunes FirstPassage1D; the zero value gives the
// defaults.
type FirstPassageOptions struct {
	// RelTol is the tolerance on AbsErr relative to the largest tau
	// (default 1e-10).
	RelTol float64
	// MaxIntervals caps the intervals (default 1 << 22).
	MaxIntervals int
}

// FirstPassageError is a first-passage time that FirstPassage1D cannot
// compute to its tolerance.
type FirstPassageError struct {
	// Intervals is the number of intervals of the last attempt.
	Intervals int
	// Reason says why.
	Reason string
}

// Error returns the reason with the number of intervals.
func (e *FirstPassageError) Error() string {
	return fmt.Sprintf("first-passage time: %s (%d intervals)", e.Reason, e.Intervals)
}

// FirstPassage1D returns the exact mean first-passage time of the 1-D Ito
// process dX = b(X) dt + sqrt(2 T D(X)) dW of m (its Drift and Diffusion;
// Dim 1) on the interval between a reflecting wall and an absorbing
// target, from every point of the interval: the solution of the backward
// equation
//
//	T D tau'' + b tau' = -1,   tau'(wall) = 0,   tau(target) = 0.
//
// With the target to the right (wall l < target a) it is
//
//	tau(x) = integral_x^a dy (1 / (T D(y) p(y))) integral_l^y p(z) dz,
//	p(z)   = exp(Psi(z)) / D(z),   Psi(z) = integral^z b / (T D),
//
// where p is the unnormalised stationary density of the Ito SDE: the
// stationary Fokker–Planck equation
//
//	0 = -(b p)' + T (D p)''
//
// with zero flux, b p = T (D p)', gives (D p)' / (D p) = b / (T D).
// Multiplying the backward equation by p makes it (T D p tau')' = -p,
// since (D p)' = b p / T; integrating from the wall with tau'(l) = 0 gives
// T D p tau'(y) = -integral_l^y p, and integrating again from x to the
// target the formula above. With the target to the left (a < x < r, wall
// r) the mirror image holds: tau(x) = integral_a^x dy (1 / (T D p(y)))
// integral_y^r p(z) dz. A wall where the stationary density is negligible
// stands for an interval unbounded on that side.
//
// Numerics: on n equal intervals from the wall to the target, Psi is the
// cumulative integral of b / (T D) by the four-point rule (the cubic
// through the values at four neighbouring nodes, integrated over the
// middle interval; one-sided at the ends). The inner integral is carried
// as J(y) = integral_l^y exp(Psi(z) - Psi(y)) / D(z) dz, which obeys
// J(y_{i+1}) = exp(Psi(y_i) - Psi(y_{i+1})) J(y_i) + integral over the
// interval of exp(Psi(z) - Psi(y_{i+1})) / D(z): only differences of Psi
// over a few intervals are exponentiated, so nothing overflows before tau
// itself does; tau' = -J/T, and tau is the cumulative integral of J/T
// from the target by the same rule. The rule is fourth order. n starts at
// 64 and doubles until Psi changes by at most 1/2 per interval (the
// exponentials are resolved and the pieces of J stay positive; n is then
// at least twice the total variation of Psi over the interval, about
// 2 (U(wall) - min U)/T for b = -U', D = 1) and the change of tau at the
// common nodes, divided by 15, is below RelTol times the largest tau.
// m's Diffusion must be positive and finite on the interval.
func FirstPassage1D(m Model, T, wall, target float64, opt *FirstPassageOptions) (*FirstPassage, error) {
	if m.Dim != 1 || m.Drift == nil || m.Diffusion == nil {
		return nil, fmt.Errorf("first-passage time: model %q must be 1-D with a drift and a diffusion (dimension %d)", m.Name, m.Dim)
	}
	if !(T > 0) || math.IsInf(T, 0) {
		return nil, fmt.Errorf("first-passage time: temperature %g, want positive and finite", T)
	}
	if math.IsNaN(wall) || math.IsInf(wall, 0) || math.IsNaN(target) || math.IsInf(target, 0) || wall == target {
		return nil, fmt.Errorf("first-passage time: wall %g and target %g must be finite and distinct", wall, target)
	}
	var o FirstPassageOptions
	if opt != nil {
		o = *opt
	}
	if o.RelTol <= 0 {
		o.RelTol = 1e-10
	}
	if o.MaxIntervals <= 0 {
		o.MaxIntervals = 1 << 22
	}
	L := target - wall
	var bs, ds []float64 // b and D at the nodes of the current level
	eval := func(n int) error {
		nb, nd := make([]float64, n+1), make([]float64, n+1)
		x, v := make([]float64, 1), make([]float64, 1)
		for i := 0; i <= n; i++ {
			if bs != nil && i%2 == 0 {
				nb[i], nd[i] = bs[i/2], ds[i/2]
				continue
			}
			x[0] = wall + L*float64(i)/float64(n)
			m.Drift(v, x)
			nb[i] = v[0]
			m.Diffusion(v, x)
			nd[i] = v[0]
			if math.IsNaN(nb[i]) || math.IsInf(nb[i], 0) {
				return fmt.Errorf("%w: the drift b(%g) = %g", ErrNotFinite, x[0], nb[i])
			}
			if !(nd[i] > 0) || math.IsInf(nd[i], 0) {
				return fmt.Errorf("first-passage time: the diffusion D(%g) = %g, want positive and finite between the wall and the target", x[0], nd[i])
			}
		}
		bs, ds = nb, nd
		return nil
	}
	var prev *FirstPassage
	for n := 64; ; n *= 2 {
		if n > o.MaxIntervals {
			reason := "the exponentials are not resolved"
			if prev != nil {
				reason = fmt.Sprintf("estimated error %.3g above the tolerance %.3g", prev.AbsErr, o.RelTol*largestAbs(prev.Tau))
			}
			return nil, &FirstPassageError{Intervals: n / 2, Reason: reason}
		}
		if err := eval(n); err != nil {
			return nil, err
		}
		f, ok := firstPassageOn(bs, ds, T, wall, target)
		if !ok {
			prev = nil
			continue
		}
		if prev != nil {
			e := 0.0
			for i := range prev.Tau {
				e = math.Max(e, math.Abs(f.Tau[2*i]-prev.Tau[i]))
			}
			f.AbsErr = e / 15
			if f.AbsErr <= o.RelTol*largestAbs(f.Tau) {
				return f, nil
			}
		}
		prev = f
	}
}

// firstPassageOn computes tau on the nodes at which b and D are given; ok
// is false when Psi changes by more than 1/2 over an interval.
func firstPassageOn(b, D []float64, T, wall, target float64) (*FirstPassage, bool) {
	n := len(b) - 1
	L := target - wall
	sigma := 1.0
	if L < 0 {
		sigma = -1
	}
	h := math.Abs(L) / float64(n)
	// beta = d Psi / ds along s = distance from the wall.
	beta := make([]float64, n+1)
	for i := range beta {
		beta[i] = sigma * b[i] / (T * D[i])
	}
	psi := make([]float64, n+1)
	for i := 0; i < n; i++ {
		psi[i+1] = psi[i] + rule4(beta, i, h)
		if math.Abs(psi[i+1]-psi[i]) > 0.5 {
			return nil, false
		}
	}
	J := make([]float64, n+1)
	g := make([]float64, n+1)
	for i := 0; i < n; i++ {
		lo, hi := max(i-1, 0), min(i+2, n)
		if i == 0 {
			hi = 3
		}
		if i == n-1 {
			lo = n - 3
		}
		for k := lo; k <= hi; k++ {
			g[k] = math.Exp(psi[k]-psi[i+1]) / D[k]
		}
		J[i+1] = math.Exp(psi[i]-psi[i+1])*J[i] + rule4(g, i, h)
	}
	f := &FirstPassage{T: T, Wall: wall, Target: target,
		X: make([]float64, n+1), Tau: make([]float64, n+1), Slope: make([]float64, n+1)}
	for i := n - 1; i >= 0; i-- {
		f.Tau[i] = f.Tau[i+1] + rule4(J, i, h)/T
	}
	for i := range f.X {
		f.X[i] = wall + L*float64(i)/float64(n)
		f.Slope[i] = -sigma * J[i] / T
	}
	f.X[n] = target
	return f, true
}

// rule4 integrates over [s_i, s_{i+1}] (step h) the cubic through the
// values of v at four neighbouring nodes: i-1..i+2 inside, 0..3 and
// n-3..n at the ends. len(v) must be at least 4.
func rule4(v []float64, i int, h float64) float64 {
	n := len(v) - 1
	switch {
	case i == 0:
		return h / 24 * (9*v[0] + 19*v[1] - 5*v[2] + v[3])
	case i == n-1:
		return h / 24 * (v[n-3] - 5*v[n-2] + 19*v[n-1] + 9*v[n])
	}
	return h / 24 * (-v[i-1] + 13*v[i] + 13*v[i+1] - v[i+2])
}

// largestAbs returns the largest |v_i|.
func largestAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}
