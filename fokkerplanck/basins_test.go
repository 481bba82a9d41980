package fokkerplanck

import (
	"context"
	"errors"
	"math"
	"sort"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// boundaryMass returns the steady probability of the nodes with a
// neighbour (of the 8) in another basin or in none: the cells a basin
// boundary can cross. Node labels decide which cell goes where, so the
// basin probabilities carry an error of at most this weight from the
// boundary's position (first order in h), besides the density's own error.
func boundaryMass(g *Grid, b *Basins, st *Steady) float64 {
	vol := g.CellVolume()
	s := 0.0
	for idx, l := range b.Label {
		i, j := idx%g.N[0], idx/g.N[0]
		for _, o := range g.neighbourOffsets() {
			if t, ok := g.neighbour(i, j, o.di, o.dj); ok && b.Label[t] != l {
				s += st.Rho[idx] * vol
				break
			}
		}
	}
	return s
}

// TestBasins1D: the 1-D model of validation case 2 (f = (x^2 - 1)^2 / 4,
// D = 1 + 0.5 sin(2x), T = 0.5). The drift b = -f' has its stable zeros at
// ±1 and its unstable one at 0; Phi (case 2) has its minima where
// f' + T D' = 0, at -0.9233 and 1.1324, and its maximum between them,
// where the basins of Phi meet. Each basin's probability is the integral of
// rho_ss = exp(-(1/T) int_0^x f'/D) / (Z D) over it (quadrature); the grid's
// differs by the density's second-order error and by where the node
// labels put the boundary, at most the weight of the two boundary cells.
func TestBasins1D(t *testing.T) {
	const T = 0.5
	d := func(x float64) float64 { return 1 + 0.5*math.Sin(2*x) }
	phi0 := newCumQuad(func(s float64) float64 { return s * (s*s - 1) / d(s) }, 0, 2.5, 4000)
	phi0m := newCumQuad(func(s float64) float64 { return s * (s*s - 1) / d(s) }, 0, -2.5, 4000)
	rho := func(x float64) float64 {
		p := phi0.at(x)
		if x < 0 {
			p = phi0m.at(x)
		}
		return math.Exp(-p/T) / d(x)
	}
	mass := newCumQuad(rho, -2.5, 2.5, 4000)
	z := mass.at(2.5)
	// The maximum of Phi: the zero of f' + T D' = x (x^2 - 1) + T cos(2x)
	// between the minima, by bisection.
	lo, hi := -0.5, 0.5
	dphi := func(x float64) float64 { return x*(x*x-1) + T*math.Cos(2*x) }
	for k := 0; k < 80; k++ {
		if mid := (lo + hi) / 2; dphi(mid) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	xmax := (lo + hi) / 2
	op, st := solveCase(t, oneDModel(t), T, potentials.NewBox(-2.5, 2.5), 200, false)
	g := op.Grid
	for _, c := range []struct {
		kind     BasinKind
		split    float64
		minima   [2]float64
		tolerate float64 // on the attractors
	}{
		{BasinsOfDrift, 0, [2]float64{-1, 1}, 1e-12},
		// The minima of Phi from validation case 2, to their 4 digits (the
		// grid's, refined by Diagnose's quadratic, are within h^2 of them).
		{BasinsOfPhi, xmax, [2]float64{-0.9233, 1.1324}, 1e-3},
	} {
		var b *Basins
		var err error
		if c.kind == BasinsOfPhi {
			b, err = op.PhiBasins(st)
		} else {
			b, err = op.DriftBasins(context.Background(), st)
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Basins) != 2 || b.Unassigned != 0 {
			t.Fatalf("%v: %d basins, %d nodes unassigned; want 2 and 0", c.kind, len(b.Basins), b.Unassigned)
		}
		left := 0
		if b.Basins[1].X[0] < b.Basins[0].X[0] {
			left = 1
		}
		want := mass.at(c.split) / z
		got := b.Basins[left].Probability
		bm := boundaryMass(g, b, st)
		t.Logf("%v: attractors %.6f (P = %.6f) and %.6f (P = %.6f); P(left) %.6f, quadrature %.6f (boundary at %.5f), difference %.2g, boundary cells %.2g",
			c.kind, b.Basins[left].X[0], b.Basins[left].Probability, b.Basins[1-left].X[0], b.Basins[1-left].Probability, got, want, c.split, got-want, bm)
		if math.Abs(got-want) > bm {
			t.Errorf("%v: P(left) = %.6f, quadrature %.6f: more apart than the boundary cells' %.2g", c.kind, got, want, bm)
		}
		if math.Abs(b.Basins[0].Probability+b.Basins[1].Probability-1) > 1e-12 {
			t.Errorf("%v: probabilities add up to %.15g", c.kind, b.Basins[0].Probability+b.Basins[1].Probability)
		}
		for k, x := range c.minima {
			if e := math.Abs(b.Basins[[2]int{left, 1 - left}[k]].X[0] - x); e > c.tolerate {
				t.Errorf("%v: attractor %d at %.6f, want %.6f", c.kind, k, b.Basins[[2]int{left, 1 - left}[k]].X[0], x)
			}
		}
	}
}

// TestBasinsSymmetric: the default double well (state-dependent D with
// D_12 = 0.3) is symmetric under (x, y) -> (-x, -y), and so is its chain on
// a box and grid symmetric about 0: the two basins, of Phi and of the
// drift, must each hold probability 1/2, within the weight of the cells
// their boundary crosses. The minima of the Phi basins are Diagnose's.
func TestBasinsSymmetric(t *testing.T) {
	m, err := potentials.New("double-well", nil)
	if err != nil {
		t.Fatal(err)
	}
	op, st := solveCase(t, m, 0.25, potentials.NewBox(-2.5, 2.5, -2.5, 2.5), 64, false)
	g := op.Grid
	phi, err := op.PhiBasins(st)
	if err != nil {
		t.Fatal(err)
	}
	drift, err := op.DriftBasins(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []*Basins{phi, drift} {
		if len(b.Basins) != 2 {
			t.Fatalf("%v: %d basins, want 2: %+v", b.Kind, len(b.Basins), b.Basins)
		}
		bm := boundaryMass(g, b, st)
		t.Logf("%v: P = %.9f and %.9f (at (%.4f, %.4f) and (%.4f, %.4f)), %d unassigned, boundary cells %.3g",
			b.Kind, b.Basins[0].Probability, b.Basins[1].Probability, b.Basins[0].X[0], b.Basins[0].X[1], b.Basins[1].X[0], b.Basins[1].X[1], b.Unassigned, bm)
		for _, bs := range b.Basins {
			if math.Abs(bs.Probability-0.5) > bm/2 {
				t.Errorf("%v: a basin holds %.9f, want 1/2 within half the boundary cells' %.3g", b.Kind, bs.Probability, bm)
			}
		}
	}
	// The attractors of the drift are the minima of f, (±1, 0).
	for _, bs := range drift.Basins {
		if math.Hypot(math.Abs(bs.X[0])-1, bs.X[1]) > 1e-9 {
			t.Errorf("drift attractor at (%g, %g), want (±1, 0)", bs.X[0], bs.X[1])
		}
	}
	// The minima of the Phi basins are Diagnose's minima of Phi.
	if len(st.MinimaPhi) != 2 {
		t.Fatalf("Diagnose found %d minima of Phi, want 2", len(st.MinimaPhi))
	}
	for k, bs := range phi.Basins {
		found := false
		for _, mn := range st.MinimaPhi {
			found = found || (bs.X[0] == mn.X[0] && bs.X[1] == mn.X[1])
		}
		if !bs.InRegion || !found {
			t.Errorf("basin %d of Phi: minimum %v (in the region: %v), not one of Diagnose's %v", k, bs.X, bs.InRegion, st.MinimaPhi)
		}
	}
	// A basin as the target of a first passage, and a basin that does not
	// exist.
	right, err := phi.Of([]float64{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	target, err := phi.Set(right)
	if err != nil {
		t.Fatal(err)
	}
	mf, err := op.MeanFirstPassage(context.Background(), target, BackwardOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := mf.At([]float64{-1, 0}); err != nil || !(v > 0) {
		t.Errorf("MFPT from (-1, 0) to %s: %g, %v", target.Name, v, err)
	} else {
		t.Logf("MFPT from (-1, 0) to %s: %.6g", target.Name, v)
	}
	var nb *NoBasinError
	if _, err := phi.Set(2); !errors.As(err, &nb) || nb.Count != 2 {
		t.Errorf("basin 2: got %v, want *NoBasinError", err)
	} else {
		t.Log(err)
	}
	var ob *OutsideBoxError
	if _, err := phi.Of([]float64{3, 0}); !errors.As(err, &ob) {
		t.Errorf("basin of (3, 0): got %v, want *OutsideBoxError", err)
	}
}

// TestBasinsNonReversible: b = -(I + J) grad U with J = [[0, j], [-j, 0]]
// constant and antisymmetric, D = I, U = u(x) + v(y), u = (x^2 - 1)^2 / 4 +
// a x (a tilted double well), v = y^2 / 2 + 0.15 y^3 + 0.08 y^4 (one
// asymmetric valley, so that the tilted separatrix of the drift moves
// probability between the basins). The stationary density is exp(-U/T) / Z for every
// j: the current J = b rho - T grad rho = -rho J grad U has
// div J = -rho J : Hess U + (rho / T) grad U . J grad U = 0 (J
// antisymmetric, Hess U symmetric). So Phi = U, whose gradient flow (U is
// separable) has the basins x < x_s and x > x_s, x_s the maximum of u; the
// drift's basins are divided instead by the
// stable manifold of its saddle (x_s, 0), tilted by J, which the test
// traces by integrating x' = -b(x) from the saddle along the stable
// direction. Each basin's probability is the integral of exp(-U/T) over it
// by quadrature (y_b(x) the separatrix, below the left basin):
//
//	P(left) = int dx exp(-u(x)/T) int_(y_b(x))^L exp(-v(y)/T) dy / Z.
//
// The grid's probabilities may differ by the density's L1 error (second
// order) plus the weight of the cells the boundary crosses (first order).
func TestBasinsNonReversible(t *testing.T) {
	const (
		a, j, T = 0.1, 1.0, 0.3
		L       = 2.5
	)
	up := func(x float64) float64 { return x*x*x - x + a }
	u := func(x float64) float64 { return (x*x-1)*(x*x-1)/4 + a*x }
	v := func(y float64) float64 { return y*y/2 + 0.15*y*y*y + 0.08*y*y*y*y }
	vp := func(y float64) float64 { return y + 0.45*y*y + 0.32*y*y*y }
	root := func(lo, hi float64) float64 {
		slo := up(lo) > 0
		for k := 0; k < 100; k++ {
			mid := (lo + hi) / 2
			if (up(mid) > 0) == slo {
				lo = mid
			} else {
				hi = mid
			}
		}
		return (lo + hi) / 2
	}
	xs, xl, xr := root(-0.5, 0.5), root(-2, -0.5), root(0.5, 2)
	drift := func(x, y float64) (float64, float64) { return -(up(x) + j*vp(y)), j*up(x) - vp(y) }
	// The stable direction of the saddle: A = -(I + J) diag(u''(x_s), v''(0) = 1).
	c := 3*xs*xs - 1
	a11, a12, a21, a22 := -c, -j, j*c, -1.0
	tr, det := a11+a22, a11*a22-a12*a21
	ls := (tr - math.Sqrt(tr*tr-4*det)) / 2
	vx, vy := a12, ls-a11 // (A - ls I) v = 0
	nv := math.Hypot(vx, vy)
	vx, vy = vx/nv, vy/nv
	// Trace the separatrix backwards in time on both branches (RK4) until
	// it leaves the box, as points (x, y) from the branch that ends below
	// the saddle to the one that ends above. For these parameters it is a
	// graph y_b(x) over x with the left minimum above it (the test checks
	// both).
	var branches [2][][2]float64
	for k, s := range [2]float64{-1, 1} {
		x, y := xs+s*1e-9*vx, s*1e-9*vy
		const dt = 2e-3
		f := func(x, y float64) (float64, float64) { bx, by := drift(x, y); return -bx, -by }
		for n := 0; n < 1_000_000 && math.Abs(y) < L && math.Abs(x) < L; n++ {
			branches[k] = append(branches[k], [2]float64{x, y})
			k1x, k1y := f(x, y)
			k2x, k2y := f(x+dt/2*k1x, y+dt/2*k1y)
			k3x, k3y := f(x+dt/2*k2x, y+dt/2*k2y)
			k4x, k4y := f(x+dt*k3x, y+dt*k3y)
			x += dt / 6 * (k1x + 2*k2x + 2*k3x + k4x)
			y += dt / 6 * (k1y + 2*k2y + 2*k3y + k4y)
		}
		branches[k] = append(branches[k], [2]float64{x, y})
	}
	lower, upper := branches[0], branches[1]
	if lower[len(lower)-1][1] > upper[len(upper)-1][1] {
		lower, upper = upper, lower
	}
	var sep [][2]float64
	for k := len(lower) - 1; k >= 0; k-- {
		sep = append(sep, lower[k])
	}
	sep = append(sep, upper...)
	for k := 1; k < len(sep); k++ {
		if !(sep[k][0] > sep[k-1][0]) {
			t.Fatalf("the separatrix is not a graph over x near (%g, %g)", sep[k][0], sep[k][1])
		}
	}
	first, last := sep[0], sep[len(sep)-1]
	// y_b(x), linear between the points; beyond an end of the curve on the
	// bottom or top wall the whole column lies above it (left basin) or
	// below it (right basin).
	clampL := func(y float64) float64 { return math.Max(-L, math.Min(L, y)) }
	yb := func(x float64) float64 {
		k := sort.Search(len(sep), func(k int) bool { return sep[k][0] >= x })
		switch k {
		case 0:
			return clampL(first[1])
		case len(sep):
			return clampL(last[1])
		}
		f := (x - sep[k-1][0]) / (sep[k][0] - sep[k-1][0])
		return sep[k-1][1] + f*(sep[k][1]-sep[k-1][1])
	}
	if !(yb(xl) < 0 && yb(xr) > 0) {
		t.Fatalf("the separatrix passes at y = %g below the left minimum and at y = %g above the right one: want the left minimum above it", yb(xl), yb(xr))
	}
	cx := newCumQuad(func(x float64) float64 { return math.Exp(-(u(x) - u(xl)) / T) }, -L, L, 2000)
	cy := newCumQuad(func(y float64) float64 { return math.Exp(-v(y) / T) }, -L, L, 2000)
	z := cx.at(L) * cy.at(L)
	pPhi := cx.at(xs) * cy.at(L) / z
	xq := newCumQuad(func(x float64) float64 { return math.Exp(-(u(x)-u(xl))/T) * (cy.at(L) - cy.at(yb(x))) }, -L, L, 2000)
	pDrift := xq.at(L) / z

	m := formula(t, potentials.Formulas{Dim: 2, Drift: "-(x^3 - x + a + j*(y + 0.45*y^2 + 0.32*y^3)); j*(x^3 - x + a) - (y + 0.45*y^2 + 0.32*y^3)",
		Params: map[string]float64{"a": a, "j": j}})
	op, st := solveCase(t, m, T, potentials.NewBox(-L, L, -L, L), 80, false)
	g := op.Grid
	l1, _ := densityErrors(op, st, func(x []float64) float64 { return -(u(x[0]) + v(x[1])) / T })
	t.Logf("exp(-U/T) on the grid: L1 error of rho %.3g; separatrix of the drift from (%.4f, %.4f) to (%.4f, %.4f)",
		l1, first[0], first[1], last[0], last[1])
	phi, err := op.PhiBasins(st)
	if err != nil {
		t.Fatal(err)
	}
	dr, err := op.DriftBasins(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		b    *Basins
		want float64
	}{{phi, pPhi}, {dr, pDrift}} {
		b := c.b
		if len(b.Basins) != 2 {
			t.Fatalf("%v: %d basins, want 2", b.Kind, len(b.Basins))
		}
		left, err := b.Of([]float64{xl, 0})
		if err != nil || left < 0 {
			t.Fatalf("%v: basin of the left minimum: %d, %v", b.Kind, left, err)
		}
		got := b.Basins[left].Probability
		bm := boundaryMass(g, b, st)
		t.Logf("%v: P(left) %.6f, quadrature %.6f, difference %.2g; bound: L1 %.2g + boundary cells %.2g; %d nodes unassigned",
			b.Kind, got, c.want, got-c.want, l1, bm, b.Unassigned)
		if math.Abs(got-c.want) > l1+bm {
			t.Errorf("%v: P(left) = %.6f, quadrature %.6f, apart by more than %.2g", b.Kind, got, c.want, l1+bm)
		}
	}
	for _, bs := range dr.Basins {
		if d := math.Min(math.Hypot(bs.X[0]-xl, bs.X[1]), math.Hypot(bs.X[0]-xr, bs.X[1])); d > 1e-9 {
			t.Errorf("drift attractor at (%g, %g), want (%g, 0) or (%g, 0)", bs.X[0], bs.X[1], xl, xr)
		}
	}
	// The tilt of the separatrix moves 0.45% of the probability between the
	// basins (P(left) 0.6536 for the basins of Phi, 0.6491 for the drift's);
	// the grid's basins of the drift must see it, lying nearer their own
	// quadrature than a quarter of that (measured 6e-5 off).
	left, _ := dr.Of([]float64{xl, 0})
	if d := math.Abs(dr.Basins[left].Probability - pDrift); !(d < math.Abs(pPhi-pDrift)/4) {
		t.Errorf("basins of the drift: P(left) %.6f is %.2g from its quadrature %.6f, not below a quarter of the tilt's effect |%.6f - %.6f|",
			dr.Basins[left].Probability, d, pDrift, pPhi, pDrift)
	}
}

// TestDriftBasinsWeakFocus: the drift of paper-fig4 at lambda = 1.5 has a
// single zero, at the origin, whose linearisation is a centre (trace 0,
// validation case 8) and which the cubic terms make a weak focus: every
// orbit spirals into it, too slowly for the speed test alone. The whole
// grid must be one basin about (0, 0).
func TestDriftBasinsWeakFocus(t *testing.T) {
	m, err := potentials.New("paper-fig4", map[string]float64{"lambda": 1.5})
	if err != nil {
		t.Fatal(err)
	}
	op, st := solveCase(t, m, 1, potentials.NewBox(-3, 3, -3, 3), 48, false)
	b, err := op.DriftBasins(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Basins) != 1 || b.Unassigned != 0 || math.Hypot(b.Basins[0].X[0], b.Basins[0].X[1]) > 1e-9 {
		t.Errorf("%d basins %+v, %d nodes unassigned; want one about (0, 0) holding every node", len(b.Basins), b.Basins, b.Unassigned)
	}
}
