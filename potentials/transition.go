package potentials

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Transition is a transition between two minima of a potential over the
// saddle of index 1 between them, as FindTransition finds it.
type Transition struct {
	// From and To are the two minima, Saddle the saddle between them.
	From, To, Saddle CriticalPoint
	// Path is the minimum-energy path from From.X to To.X, as the images
	// of the converged string, equally spaced in arc length; the saddle
	// lies near its highest image.
	Path [][]float64
}

// Barrier returns U(saddle) - U(From), the barrier of the escape from
// From.
func (t Transition) Barrier() float64 { return t.Saddle.U - t.From.U }

// Reverse returns the transition from To to From (the same saddle, the
// path reversed).
func (t Transition) Reverse() Transition {
	r := Transition{From: t.To, To: t.From, Saddle: t.Saddle, Path: make([][]float64, len(t.Path))}
	for i, x := range t.Path {
		r.Path[len(t.Path)-1-i] = x
	}
	return r
}

// StringOptions tunes the string method of FindTransition; the zero value
// gives the defaults.
type StringOptions struct {
	// Images is the number of images of the string, end points included
	// (default 41, at least 5).
	Images int
	// MaxIter caps the iterations of the string (default 20000). The
	// string need not converge fully: its highest image only has to be
	// near enough to the saddle for the refinement to reach it.
	MaxIter int
}

// FindTransition returns the transition between the minima of p reached
// by descents from a and from b (FindMinimum), over the saddle of index 1
// at the top of the minimum-energy path between them.
//
// The path is found by the simplified string method (E, Ren &
// Vanden-Eijnden, J. Chem. Phys. 126, 164103, 2007): the images, first on
// the straight segment, move down the gradient, x_i <- x_i - dt grad U(x_i)
// (each move at most half the spacing of the images, and
// dt = 0.5 / |Hess U| over the images, refreshed every 200 iterations),
// and are then put back at equal arc length along the piecewise-linear
// curve through them. The string converges to a path along which grad U is
// tangent (the minimum-energy path), whatever the start, as long as it
// does not cross a higher ridge. It stops when no image moves by more than
// 1e-7 of the spacing in an iteration, or after MaxIter iterations.
//
// The highest image is then refined to the saddle by eigenvector
// following: while the Hessian has not exactly one negative eigenvalue,
// steps go down the gradient with its component along the softest
// direction (at first the tangent of the path) reversed, climbing along
// the path and descending across it; once it has, Newton steps on
// grad U, at most one image spacing long, converge quadratically. The
// result is polished by FindCritical; it is an *IndexError if it is not a
// saddle of index 1, and an error too if U there is below either minimum.
//
// If a and b descend to the same minimum, or the path between the two
// minima crosses more than one saddle (an intermediate minimum), the
// result is an error or the highest saddle; for a path through
// intermediate minima, call FindTransition on each pair of neighbours.
func FindTransition(p Potential, a, b []float64, opt *StringOptions) (Transition, error) {
	if err := p.validate(); err != nil {
		return Transition{}, err
	}
	var o StringOptions
	if opt != nil {
		o = *opt
	}
	if o.Images == 0 {
		o.Images = 41
	}
	if o.Images < 5 {
		return Transition{}, fmt.Errorf("string method: %d images, want at least 5", o.Images)
	}
	if o.MaxIter <= 0 {
		o.MaxIter = 20000
	}
	ma, err := FindMinimum(p, a)
	if err != nil {
		return Transition{}, err
	}
	mb, err := FindMinimum(p, b)
	if err != nil {
		return Transition{}, err
	}
	dist := floats.Distance(ma.X, mb.X, 2)
	if dist <= 1e-8*(1+floats.Norm(ma.X, 2)) {
		return Transition{}, fmt.Errorf("both starts %s and %s descend to the minimum %s: no transition between them", fmtPoint(a), fmtPoint(b), fmtPoint(ma.X))
	}
	path := stringMethod(p, ma.X, mb.X, o)
	top := 1
	for i := 2; i < len(path)-1; i++ {
		if p.U(path[i]) > p.U(path[top]) {
			top = i
		}
	}
	spacing := dist / float64(len(path)-1)
	for i := 1; i < len(path); i++ {
		spacing = math.Max(spacing, floats.Distance(path[i], path[i-1], 2))
	}
	tangent := make([]float64, p.Dim)
	floats.SubTo(tangent, path[top+1], path[top-1])
	x, err := refineSaddle(p, path[top], tangent, spacing)
	if err != nil {
		return Transition{}, err
	}
	s, err := FindCritical(p, x)
	if err != nil {
		return Transition{}, err
	}
	if err := checkIndex(s, 1); err != nil {
		return Transition{}, err
	}
	if s.U < ma.U || s.U < mb.U {
		return Transition{}, fmt.Errorf("the saddle found at %s has U = %g, below a minimum (%g, %g): the path crosses another basin",
			fmtPoint(s.X), s.U, ma.U, mb.U)
	}
	return Transition{From: ma, To: mb, Saddle: s, Path: path}, nil
}

// stringMethod runs the simplified string method between the fixed end
// points a and b and returns the images.
func stringMethod(p Potential, a, b []float64, o StringOptions) [][]float64 {
	d, n := p.Dim, o.Images
	path := make([][]float64, n)
	for i := range path {
		t := float64(i) / float64(n-1)
		path[i] = make([]float64, d)
		for k := range path[i] {
			path[i][k] = (1-t)*a[k] + t*b[k]
		}
	}
	g, h := make([]float64, d), make([]float64, d*d)
	old := make([][]float64, n)
	for i := range old {
		old[i] = make([]float64, d)
	}
	dt := 0.0
	for it := 0; it < o.MaxIter; it++ {
		if it%200 == 0 {
			// dt = 0.5 / max |Hess U| (Frobenius norm, an upper bound of
			// the spectral one): stable for the gradient flow.
			hmax := 0.0
			for i := 1; i < n-1; i++ {
				p.Hessian(h, path[i])
				hmax = math.Max(hmax, floats.Norm(h, 2))
			}
			dt = 0.5 / math.Max(hmax, 1e-300)
		}
		length := 0.0
		for i := 1; i < n; i++ {
			length += floats.Distance(path[i], path[i-1], 2)
		}
		spacing := length / float64(n-1)
		for i := range path {
			copy(old[i], path[i])
		}
		for i := 1; i < n-1; i++ {
			p.Grad(g, path[i])
			s := dt
			if gn := floats.Norm(g, 2); s*gn > spacing/2 {
				s = spacing / 2 / gn
			}
			floats.AddScaled(path[i], -s, g)
		}
		reparametrise(path)
		move := 0.0
		for i := range path {
			move = math.Max(move, floats.Distance(path[i], old[i], 2))
		}
		if move <= 1e-7*spacing {
			break
		}
	}
	return path
}

// reparametrise moves the interior images of path to equal arc length
// along the piecewise-linear curve through all of them; the end points
// stay.
func reparametrise(path [][]float64) {
	n := len(path)
	cum := make([]float64, n)
	for i := 1; i < n; i++ {
		cum[i] = cum[i-1] + floats.Distance(path[i], path[i-1], 2)
	}
	if cum[n-1] == 0 {
		return
	}
	pts := make([][]float64, n)
	for i := range path {
		pts[i] = append([]float64(nil), path[i]...)
	}
	k := 0
	for i := 1; i < n-1; i++ {
		s := cum[n-1] * float64(i) / float64(n-1)
		for k < n-2 && cum[k+1] < s {
			k++
		}
		seg := cum[k+1] - cum[k]
		t := 0.0
		if seg > 0 {
			t = (s - cum[k]) / seg
		}
		for j := range path[i] {
			path[i][j] = (1-t)*pts[k][j] + t*pts[k+1][j]
		}
	}
}

// refineSaddle follows the softest eigenvector from x0 (at first along
// tangent) until the Hessian has one negative eigenvalue, then takes
// Newton steps of at most maxStep; it returns the point reached.
func refineSaddle(p Potential, x0, tangent []float64, maxStep float64) ([]float64, error) {
	d := p.Dim
	x := append([]float64(nil), x0...)
	g, h := make([]float64, d), make([]float64, d*d)
	v := append([]float64(nil), tangent...)
	floats.Scale(1/floats.Norm(v, 2), v)
	step := mat.NewVecDense(d, nil)
	const maxIter = 2000
	for it := 0; it < maxIter; it++ {
		p.Grad(g, x)
		p.Hessian(h, x)
		var e mat.EigenSym
		if !e.Factorize(mat.NewSymDense(d, append([]float64(nil), h...)), true) {
			return nil, fmt.Errorf("saddle search: no eigenvalues of the Hessian at %s", fmtPoint(x))
		}
		vals := e.Values(nil)
		var vecs mat.Dense
		e.VectorsTo(&vecs)
		neg := 0
		for _, l := range vals {
			if l < 0 {
				neg++
			}
		}
		if neg == 1 && vals[0] < 0 && (d == 1 || vals[1] > 0) {
			if err := step.SolveVec(mat.NewDense(d, d, h), mat.NewVecDense(d, g)); err != nil {
				return x, nil // singular: leave it to FindCritical
			}
			s := step.RawVector().Data
			sn := floats.Norm(s, 2)
			if sn > maxStep {
				floats.Scale(maxStep/sn, s)
				sn = maxStep
			}
			floats.Sub(x, s)
			if sn <= 1e-10*(1+floats.Norm(x, 2)) {
				return x, nil
			}
			continue
		}
		if neg >= 1 {
			// The softest direction, oriented along the previous one.
			col := mat.Col(nil, 0, &vecs)
			if floats.Dot(col, v) < 0 {
				floats.Scale(-1, col)
			}
			v = col
		}
		// Gentlest ascent: reverse the gradient's component along v.
		gv := floats.Dot(g, v)
		eff := append([]float64(nil), g...)
		floats.AddScaled(eff, -2*gv, v)
		hn := math.Max(floats.Norm(h, 2), 1e-300)
		dt := 0.5 / hn
		if en := floats.Norm(eff, 2); dt*en > maxStep/2 {
			dt = maxStep / 2 / en
		}
		if floats.Norm(eff, 2) == 0 {
			return x, nil
		}
		floats.AddScaled(x, -dt, eff)
	}
	p.Grad(g, x)
	return nil, &ConvergenceError{What: "saddle", Start: x0, X: x, GradNorm: floats.Norm(g, 2), Iterations: maxIter}
}
