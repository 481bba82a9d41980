package fokkerplanck

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/sgdsde/sgdsde/potentials"
)

// This file integrates and classifies the orbits of x' = j(x), the force
// j = J / rho of a steady state (the "most likely trajectories" of
// Chaudhari & Soatto, arXiv:1710.11029, Sec. 5 and Fig. 4), and for
// contrast the orbits of the noiseless drift x' = b(x).
//
// Integration. Classic fourth-order Runge–Kutta (Hairer, Nørsett & Wanner,
// Solving Ordinary Differential Equations I, Sec. II.1, Table 1.2) with the
// step
//
//	dt = CFL * min(h_x, h_y) / max(|v(x)|, v_fix),
//
// taken afresh at the start of every step: each step moves about CFL grid
// cells (CFL = 0.25 by default, so that the kinks of the bilinear
// interpolant between cells are resolved), and v_fix, the fixed-point speed
// below, bounds the step near a zero of the field. The step is also held
// below 0.2 / |dv/dx|, with |dv/dx| = |v_n - v_(n-1)| / |x_n - x_(n-1)|
// along the previous step: near a stable node the CFL rule alone would let
// lambda dt leave RK4's stability interval (|lambda dt| < 2.78). The force is known only
// at the nodes: it is interpolated bilinearly between the cell-centred nodes
// of Grid (Grid.Coord), with linear extrapolation in the half cells between
// the outermost nodes and the walls. The drift is evaluated from the model
// directly (Model.Drift), not sampled on the grid: the contrast orbits are
// those of the exact noiseless dynamics, so their only error is RK4's.
// An orbit ends when a Runge–Kutta stage leaves the box (also on a periodic
// grid: orbits are followed inside the box only).
//
// Classification, from the first return to the Poincaré section through
// the seed x0 perpendicular to the flow there, {x : (x - x0) . v(x0) = 0},
// crossed in the direction of v(x0) after the tangent of the orbit has
// turned by more than pi (so that a wiggle does not count as a turn; the
// tangent's turning angle is 2 pi per loop of any simple closed curve, so no
// centre is needed to count turns). The crossing is located on the cubic
// Hermite interpolant of the step that crosses (Hairer, Nørsett & Wanner,
// Sec. II.6, dense output), which keeps fourth order.
//
//   - "fixed-point": the speed |v| at the seed, or anywhere before the first
//     return, falls below v_fix = FixedPointSpeed times the typical speed of
//     the field (its rho-weighted root mean square over the region where
//     rho > RegionFraction max rho).
//   - "leaves-box": a stage leaves the box before the first return.
//   - "closed": the return point x1 is within the closure tolerance of x0:
//     closure error |x1 - x0| / diameter < tol. Period = return time.
//   - "inward-spiral" / "outward-spiral": a return that misses the
//     tolerance, with Contraction < 1 (inward) or > 1 (outward).
//   - "unresolved": no return, fixed point or exit within the time limit.
//
// Contraction per turn, for every orbit with a return, is the return map
// of the flow about its fixed point:
//
//	Contraction = |x1' - c| / |x0 - c|,
//
// where c is the fixed point the orbit turns about, the zero of the field
// reached by Newton's method (Jacobian by central differences, steps
// halved until |v| decreases) started from the time average of the orbit
// over the turn, accepted only inside the bounding box of the turn (a
// closed orbit of a planar flow encloses a zero of the field; Strogatz,
// Sec. 6.8) and at |v(c)| <= 1e-12 times the field's typical speed; and
// x1' is the first return to the Poincaré section through the fixed point,
// the half-line {c + s (x0 - c), s > 0}: the point of the orbit from x0 at
// which its winding angle about c first reaches 2 pi in magnitude, located
// on the Hermite cubic of the step that crosses (Strogatz, Sec. 8.7, the
// Poincaré map). For the drift the field is the model's, so c is its exact
// zero up to round-off; for the force it is the bilinear interpolant. A
// weak focus has Contraction = 1 - a r^2 + O(r^4) for small r = |x0 - c|,
// a closed orbit Contraction = 1 within its closure tolerance. If Newton
// finds no zero in the box of the turn, or the orbit reaches no return to
// the half-line within the time limit, Contraction is NaN and the class of
// a spiral is decided by |x1 - m| against |x0 - m| for m the time average.
//
// The closure tolerance separates a closed orbit from a slow spiral (a weak
// focus, whose radius changes by a power of the radius per turn rather than
// by a fixed ratio: Strogatz, Nonlinear Dynamics and Chaos, Sec. 6.3 and
// 8.2): tol = max(ClosureSafety * e_rk4, 2 e_grid, 1e-9), where e_rk4 is
// the RK4 error of the closure, estimated by integrating again with half
// the step (|x1(dt) - x1(dt/2)| / diameter), and e_grid, for the
// interpolated force only, is the grid error of the closure estimated by
// Richardson's argument: the same orbit is integrated on the force of the
// coarse grid of CheckForce (half the nodes), and for a second-order scheme
// |x1_h - x1_2h| / (3 diameter) is the error of the closure on the fine
// grid. A truly closed orbit has closure error e_h ~ C h^2 = e_grid and is
// accepted with the factor 2; a true spiral returns to nearly the same
// point on both grids and is not. Without a ForceCheck, e_grid falls back
// to GridClosureFactor (h / diameter)^2, h the larger grid spacing, with
// the factor measured on the Brownian gyrator, whose orbits of j are exactly
// closed ellipses x^T Sigma^-1 x = const (validation case 6): there the
// closure error is up to about 50 (h / diameter)^2 for orbits reaching 3
// standard deviations (orbits_test.go).
//
// Phi on an orbit. j . grad Phi = 0 (Chaudhari & Soatto, Assumption 4)
// means Phi is constant on the orbits of j; PhiVariation = (max Phi - min
// Phi) / mean Phi over the first turn (over the whole orbit if there is no
// return), with Phi interpolated by Catmull–Rom bicubic convolution (Keys,
// IEEE Trans. ASSP 29, 1981), third order, so that the interpolation error
// does not swamp the scheme's.

// OrbitClass is the class of an orbit, decided by Operator.Orbits from
// its first return to the Poincaré section through the seed. Its String is
// the spelling of the output files, e.g. "inward-spiral"; the zero value is
// not a class.
type OrbitClass int

// Orbit classes.
const (
	// ClassClosed: the first return is within the closure tolerance of
	// the seed ("closed").
	ClassClosed OrbitClass = iota + 1
	// ClassInwardSpiral: a return that misses the tolerance, contracting
	// towards the fixed point ("inward-spiral").
	ClassInwardSpiral
	// ClassOutwardSpiral: a return that misses the tolerance, expanding
	// away from the fixed point ("outward-spiral").
	ClassOutwardSpiral
	// ClassFixedPoint: the speed falls below FixedPointSpeed times the
	// field's typical speed before a return ("fixed-point").
	ClassFixedPoint
	// ClassLeavesBox: the orbit leaves the box before a return
	// ("leaves-box").
	ClassLeavesBox
	// ClassUnresolved: no return, fixed point or exit within the time
	// limit ("unresolved").
	ClassUnresolved
)

// classNames are the spellings of the orbit classes.
var classNames = []string{
	ClassClosed: "closed", ClassInwardSpiral: "inward-spiral", ClassOutwardSpiral: "outward-spiral",
	ClassFixedPoint: "fixed-point", ClassLeavesBox: "leaves-box", ClassUnresolved: "unresolved",
}

// String returns the name of the class, e.g. "closed" or "inward-spiral",
// or "OrbitClass(n)" for a value that is not a class.
func (c OrbitClass) String() string { return enumString(classNames, c, "OrbitClass") }

// MarshalText returns the name of the class (String); it fails for a value
// that is not a class.
func (c OrbitClass) MarshalText() ([]byte, error) {
	return marshalEnum(classNames, c, "OrbitClass", "an orbit class")
}

// UnmarshalText sets c to the class named exactly by text.
func (c *OrbitClass) UnmarshalText(text []byte) error {
	v, err := parseEnum[OrbitClass](classNames, string(text), "orbit class")
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// OrbitField is the vector field whose orbits Orbits follows. Its String
// is the spelling of the output files, "force" or "drift"; the zero value
// is not a field.
type OrbitField int

// Orbit fields.
const (
	// FieldForce is the force j = J / rho of the steady state, interpolated
	// ("force").
	FieldForce OrbitField = iota + 1
	// FieldDrift is the model's drift b, evaluated directly ("drift").
	FieldDrift
)

// fieldNames are the spellings of the orbit fields.
var fieldNames = []string{FieldForce: "force", FieldDrift: "drift"}

// String returns the name of the field, "force" or "drift", or
// "OrbitField(n)" for a value that is not a field.
func (f OrbitField) String() string { return enumString(fieldNames, f, "OrbitField") }

// MarshalText returns the name of the field (String); it fails for a value
// that is not a field.
func (f OrbitField) MarshalText() ([]byte, error) {
	return marshalEnum(fieldNames, f, "OrbitField", "an orbit field")
}

// UnmarshalText sets f to the field named exactly by text.
func (f *OrbitField) UnmarshalText(text []byte) error {
	v, err := parseEnum[OrbitField](fieldNames, string(text), "orbit field")
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// Orbit constants (see the file comment for their use).
const (
	// FixedPointSpeed is the speed, relative to the field's typical speed,
	// below which a point counts as a zero of the field. The grid force has
	// a relative error of order (h/L)^2 ~ 1e-4..1e-3 on the default grids.
	FixedPointSpeed = 1e-3
	// GridClosureFactor scales (h / diameter)^2 into the closure tolerance
	// of orbits of the interpolated force.
	GridClosureFactor = 100.0
	// ClosureSafety multiplies the step-doubling estimate of the RK4 error.
	ClosureSafety = 10.0
	// DefaultCFL is the default step in grid cells per RK4 step.
	DefaultCFL = 0.25
	// DefaultOrbitPoints is the default number of points kept per orbit.
	DefaultOrbitPoints = 400
	// DefaultPeriods is the default time limit in period estimates
	// 2 pi |x0 - m| / |v(x0)|, m the nearest minimum of Phi.
	DefaultPeriods = 10
	// maxOrbitSteps bounds the RK4 steps of one orbit.
	maxOrbitSteps = 2_000_000
)

// OrbitOptions control Orbits.
type OrbitOptions struct {
	// Seeds are the starting points; nil means AutoSeeds.
	Seeds [][2]float64
	// MaxTime is the integration time limit; 0 means DefaultPeriods times
	// each orbit's period estimate.
	MaxTime float64
	// CFL is the step in grid cells; 0 means DefaultCFL.
	CFL float64
	// MaxPoints is the number of points kept per orbit (evenly thinned,
	// first and last kept); 0 means DefaultOrbitPoints.
	MaxPoints int
	// Check, if not nil, is the ForceCheck of the steady state: orbits of
	// the force take their grid error from its coarse grid, and a force
	// that vanishes has no orbits (ErrForceVanishes).
	Check *ForceCheck
}

// ErrForceVanishes reports that the force j is zero within the scheme's
// error (ForceCheck.Vanishes): it has no orbits to follow.
var ErrForceVanishes = errors.New("no orbits: the force j vanishes within the scheme's error (detailed balance)")

// Orbit is one integrated and classified orbit.
type Orbit struct {
	// Field is FieldForce or FieldDrift.
	Field OrbitField
	// Seed is the starting point and End the last point integrated.
	Seed, End [2]float64
	// Class is one of the Class constants.
	Class OrbitClass
	// Period is the time of the first return to the section (closed orbits
	// and spirals; 0 otherwise).
	Period float64
	// ClosureError is |x1 - x0| / diameter at the first return, Tolerance
	// the closure tolerance it was compared with (0 without a return).
	ClosureError, Tolerance float64
	// Contraction is the contraction per turn about the fixed point, the
	// return map |x1' - c| / |x0 - c| with c = FixedPoint and x1' the first
	// return to the half-line from c through the seed x0 (see the file
	// comment): below 1 for an inward spiral, above 1 for an outward one, 1
	// within the closure tolerance for a closed orbit. NaN when there is no
	// fixed point or no return to the half-line; 0 without a return.
	Contraction float64
	// FixedPoint is c, the zero of the field that the orbit turns about
	// (with a return; NaN when Newton's method found no zero inside the
	// turn's bounding box).
	FixedPoint [2]float64
	// Centre is the time average of the orbit over the first turn (the seed
	// without a return), the start of Newton's method for FixedPoint.
	Centre [2]float64
	// Diameter is twice the largest distance from Centre over the turn.
	Diameter float64
	// PhiVariation is (max Phi - min Phi) / mean Phi along the first turn.
	PhiVariation float64
	// Steps is the number of RK4 steps taken; Time the time integrated.
	Steps int
	Time  float64
	// T, X, Y and Phi are the kept points of the orbit.
	T, X, Y, Phi []float64
}

// ForceCheck decides whether the force j vanishes within the scheme's
// error.
type ForceCheck struct {
	// MaxForce is max |j| over the region (rho > RegionFraction max rho).
	MaxForce float64
	// ForceError is the two-grid estimate of the discretisation error of
	// j: max over the coarse nodes in the region of |j_h - j_2h|, j_h
	// interpolated bilinearly to the coarse nodes.
	ForceError float64
	// MaxDrift is max |b| over the region, for scale.
	MaxDrift float64
	// CoarseGrid is the size of the coarse grid.
	CoarseGrid [2]int
	// Vanishes is MaxForce <= 2 ForceError, or MaxForce <= RoundOffForce MaxDrift
	// (round-off of the solve).
	Vanishes bool

	coarse   *Operator
	coarseSt *Steady
}

// CheckForce solves the steady state again on the grid with half as many
// nodes per axis (at least MinNodes) and compares the forces: for a second
// order scheme |j_h - j_2h| is about three times the error of j_h, so a
// force no larger than twice that difference is zero within the scheme's
// error (Richardson's argument; the factor 2 leaves room for the error not
// being exactly in the asymptotic regime). st is the steady state of op.
func (op *Operator) CheckForce(ctx context.Context, st *Steady, opt SteadyOptions) (ForceCheck, error) {
	g := op.Grid
	if g.Dim != 2 {
		return ForceCheck{}, errors.New("the force check is 2-D only")
	}
	var fc ForceCheck
	n := []int{max(g.N[0]/2, MinNodes), max(g.N[1]/2, MinNodes)}
	fc.CoarseGrid = [2]int{n[0], n[1]}
	cop, cst, err := op.checkCoarse(ctx, st, opt, n)
	if err != nil {
		return ForceCheck{}, err
	}
	cg := cop.Grid
	maxRho := maxOf(st.Rho)
	x := make([]float64, 2)
	b := make([]float64, 2)
	for i := range st.Rho {
		if st.Rho[i] <= RegionFraction*maxRho {
			continue
		}
		fc.MaxForce = math.Max(fc.MaxForce, math.Hypot(st.ForceX[i], st.ForceY[i]))
		g.Point(x, i)
		op.Model.Drift(b, x)
		fc.MaxDrift = math.Max(fc.MaxDrift, math.Hypot(b[0], b[1]))
	}
	cMax := maxOf(cst.Rho)
	for i := range cst.Rho {
		if cst.Rho[i] <= RegionFraction*cMax {
			continue
		}
		cg.Point(x, i)
		if st.Rho[g.Nearest(x)] <= RegionFraction*maxRho {
			continue
		}
		dx := g.interpolate(st.ForceX, x) - cst.ForceX[i]
		dy := g.interpolate(st.ForceY, x) - cst.ForceY[i]
		fc.ForceError = math.Max(fc.ForceError, math.Hypot(dx, dy))
	}
	fc.Vanishes = fc.MaxForce <= 2*fc.ForceError || fc.MaxForce <= RoundOffForce*fc.MaxDrift
	fc.coarse, fc.coarseSt = cop, cst
	return fc, nil
}

// boxOf returns the box of g.
func boxOf(g *Grid) potentials.Box {
	return potentials.Box{Min: append([]float64(nil), g.Min[:g.Dim]...), Max: append([]float64(nil), g.Max[:g.Dim]...)}
}

func maxOf(u []float64) float64 {
	m := 0.0
	for _, v := range u {
		m = max(m, v)
	}
	return m
}

// AutoSeeds returns seeds on rays from each interior minimum of Phi (the
// grid minimum of Phi if there is none): 4 rays along +x, +y, -x, -y, and
// on each the points at 1/4, 1/2 and 3/4 of the distance R from the
// minimum to the edge of the region rho > RegionFraction max rho (or the
// box) along the ray. Seeds closer than a grid spacing to the minimum are
// dropped. At most 4 minima are used, the lowest first.
func AutoSeeds(g *Grid, st *Steady) [][2]float64 {
	centres := minimaCentres(g, st)
	maxRho := maxOf(st.Rho)
	h := math.Max(g.H[0], g.H[1])
	var seeds [][2]float64
	x := make([]float64, 2)
	for _, c := range centres {
		for _, d := range [4][2]float64{{1, 0}, {0, 1}, {-1, 0}, {0, -1}} {
			step := g.H[0]*math.Abs(d[0]) + g.H[1]*math.Abs(d[1])
			step /= 2
			r := 0.0
			for {
				x[0], x[1] = c[0]+(r+step)*d[0], c[1]+(r+step)*d[1]
				if !g.inside(x[0], x[1]) || st.Rho[g.Nearest(x)] <= RegionFraction*maxRho {
					break
				}
				r += step
			}
			for _, f := range [3]float64{0.25, 0.5, 0.75} {
				if f*r < h {
					continue
				}
				seeds = append(seeds, [2]float64{c[0] + f*r*d[0], c[1] + f*r*d[1]})
			}
		}
	}
	return seeds
}

// minimaCentres returns the positions of up to 4 interior minima of Phi,
// or of the grid minimum of Phi.
func minimaCentres(g *Grid, st *Steady) [][2]float64 {
	var cs [][2]float64
	for i, m := range st.MinimaPhi {
		if i == 4 {
			break
		}
		cs = append(cs, [2]float64{m.X[0], m.X[1]})
	}
	if len(cs) == 0 {
		best, bi := math.Inf(1), 0
		for i, v := range st.Phi {
			if v < best {
				best, bi = v, i
			}
		}
		x := make([]float64, 2)
		g.Point(x, bi)
		cs = append(cs, [2]float64{x[0], x[1]})
	}
	return cs
}

// inside reports whether (x, y) lies in the closed box of the grid.
func (g *Grid) inside(x, y float64) bool {
	return x >= g.Min[0] && x <= g.Max[0] && y >= g.Min[1] && y <= g.Max[1]
}

// field is a 2-D vector field.
type field func(x, y float64) (vx, vy float64)

// Orbits integrates and classifies the orbits of x' = v(x) from the seeds
// of opt, for v the force j of st (kind FieldForce) or the model's drift b
// (FieldDrift); st is the steady state of op. See the file comment for the
// method and the classification. Seeds outside the box are an error.
func (op *Operator) Orbits(st *Steady, kind OrbitField, opt OrbitOptions) ([]Orbit, error) {
	g := op.Grid
	if g.Dim != 2 {
		return nil, errors.New("orbits need a 2-D model")
	}
	if opt.CFL == 0 {
		opt.CFL = DefaultCFL
	}
	if opt.MaxPoints == 0 {
		opt.MaxPoints = DefaultOrbitPoints
	}
	if !(opt.CFL > 0) || opt.MaxPoints < 2 || opt.MaxTime < 0 || math.IsNaN(opt.MaxTime) || math.IsInf(opt.MaxTime, 0) {
		return nil, fmt.Errorf("orbit options: need CFL > 0, MaxPoints >= 2 and a finite MaxTime >= 0, got %g, %d, %g", opt.CFL, opt.MaxPoints, opt.MaxTime)
	}
	var v field
	gridErr := 0.0
	var coarse *integrator
	switch kind {
	case FieldForce:
		if opt.Check != nil && opt.Check.Vanishes {
			return nil, ErrForceVanishes
		}
		v = forceField(g, st)
		gridErr = GridClosureFactor
		if opt.Check != nil && opt.Check.coarse != nil {
			cg, cst := opt.Check.coarse.Grid, opt.Check.coarseSt
			cv := forceField(cg, cst)
			coarse = &integrator{g: cg, v: cv, cfl: opt.CFL, vfix: FixedPointSpeed * typicalSpeed(cg, cst, cv), phi: cst.Phi}
		}
	case FieldDrift:
		xb, bb := make([]float64, 2), make([]float64, 2)
		if op.Model.Drift2 != nil {
			v = op.Model.Drift2
		} else {
			v = func(x, y float64) (float64, float64) {
				xb[0], xb[1] = x, y
				op.Model.Drift(bb, xb)
				return bb[0], bb[1]
			}
		}
	default:
		return nil, fmt.Errorf("unknown orbit field %v: want %v or %v", kind, FieldForce, FieldDrift)
	}
	seeds := opt.Seeds
	if seeds == nil {
		seeds = AutoSeeds(g, st)
	}
	for _, s := range seeds {
		if !g.inside(s[0], s[1]) {
			return nil, fmt.Errorf("seed (%g, %g) is outside the box [%g, %g] x [%g, %g]", s[0], s[1], g.Min[0], g.Max[0], g.Min[1], g.Max[1])
		}
	}
	typ := typicalSpeed(g, st, v)
	centres := minimaCentres(g, st)
	in := &integrator{g: g, v: v, cfl: opt.CFL, vfix: FixedPointSpeed * typ, phi: st.Phi}
	out := make([]Orbit, 0, len(seeds))
	for _, s := range seeds {
		maxTime := opt.MaxTime
		if maxTime == 0 {
			maxTime = DefaultPeriods * in.periodEstimate(s, centres)
		}
		o := in.orbit(s, maxTime, opt.MaxPoints, true)
		o.Field = kind
		if o.Period > 0 {
			// Step doubling: the RK4 error of the return point.
			in.cfl = opt.CFL / 2
			half := in.orbit(s, maxTime, 2, false)
			in.cfl = opt.CFL
			eRK := 0.0
			if half.Period > 0 {
				eRK = math.Hypot(half.x1[0]-o.x1[0], half.x1[1]-o.x1[1]) / o.Diameter
			}
			h := math.Max(g.H[0], g.H[1])
			eGrid := gridErr * (h / o.Diameter) * (h / o.Diameter) / 2
			if coarse != nil {
				if c := coarse.orbit(s, maxTime, 2, false); c.Period > 0 {
					eGrid = math.Hypot(c.x1[0]-o.x1[0], c.x1[1]-o.x1[1]) / (3 * o.Diameter)
				}
			}
			o.Tolerance = math.Max(math.Max(ClosureSafety*eRK, 2*eGrid), 1e-9)
			o.FixedPoint = [2]float64{math.NaN(), math.NaN()}
			o.Contraction = math.NaN()
			if c, ok := in.fixedPoint(o.Centre, o.box); ok {
				o.FixedPoint = c
				o.Contraction = in.returnMap(s, c, maxTime)
			}
			ratio := o.Contraction
			if math.IsNaN(ratio) {
				ratio = o.centreRatio
			}
			switch {
			case o.ClosureError < o.Tolerance:
				o.Class = ClassClosed
			case ratio < 1:
				o.Class = ClassInwardSpiral
			default:
				o.Class = ClassOutwardSpiral
			}
		}
		out = append(out, o.Orbit)
	}
	return out, nil
}

// forceField returns the bilinear interpolant of the force of st on g.
func forceField(g *Grid, st *Steady) field {
	buf := make([]float64, 2)
	return func(x, y float64) (float64, float64) {
		buf[0], buf[1] = x, y
		return g.interpolate(st.ForceX, buf), g.interpolate(st.ForceY, buf)
	}
}

// typicalSpeed is the rho-weighted root mean square of |v| over the
// region.
func typicalSpeed(g *Grid, st *Steady, v field) float64 {
	maxRho := maxOf(st.Rho)
	x := make([]float64, 2)
	var s2, w float64
	for i, r := range st.Rho {
		if r <= RegionFraction*maxRho {
			continue
		}
		g.Point(x, i)
		vx, vy := v(x[0], x[1])
		s2 += r * (vx*vx + vy*vy)
		w += r
	}
	if w == 0 {
		return 0
	}
	return math.Sqrt(s2 / w)
}

// integrator integrates orbits of one field.
type integrator struct {
	g    *Grid
	v    field
	cfl  float64
	vfix float64
	phi  []float64
}

// orbitRun is an Orbit with the return point, the bounding box of the
// turn (min x, max x, min y, max y) and |x1 - m| / |x0 - m| for m the time
// average over the turn.
type orbitRun struct {
	Orbit
	x1          [2]float64
	box         [4]float64
	centreRatio float64
}

// periodEstimate is 2 pi |x0 - m| / |v(x0)| for the nearest centre m (at
// least a grid spacing from x0).
func (in *integrator) periodEstimate(x0 [2]float64, centres [][2]float64) float64 {
	r := math.Inf(1)
	for _, c := range centres {
		r = math.Min(r, math.Hypot(x0[0]-c[0], x0[1]-c[1]))
	}
	r = math.Max(r, math.Max(in.g.H[0], in.g.H[1]))
	vx, vy := in.v(x0[0], x0[1])
	s := math.Max(math.Hypot(vx, vy), in.vfix)
	if s == 0 {
		return 0
	}
	return 2 * math.Pi * r / s
}

// orbit integrates from x0 until the first return to the section, a fixed
// point, an exit or maxTime, and classifies all but the returns (which
// need the closure tolerance, set by the caller). With keep it records
// maxPoints points and Phi along the orbit.
func (in *integrator) orbit(x0 [2]float64, maxTime float64, maxPoints int, keep bool) (o orbitRun) {
	g := in.g
	o = orbitRun{Orbit: Orbit{Seed: x0, End: x0, Centre: x0, Class: ClassUnresolved}}
	var ts, xs, ys []float64
	rec := func(t, x, y float64) {
		if keep {
			ts, xs, ys = append(ts, t), append(xs, x), append(ys, y)
		}
	}
	v0x, v0y := in.v(x0[0], x0[1])
	s0 := math.Hypot(v0x, v0y)
	rec(0, x0[0], x0[1])
	defer func() {
		if keep {
			o.T, o.X, o.Y = thin(ts, maxPoints), thin(xs, maxPoints), thin(ys, maxPoints)
			o.Phi = make([]float64, len(o.X))
			for i := range o.X {
				o.Phi[i] = in.g.cubic(in.phi, o.X[i], o.Y[i])
			}
		}
	}()
	if !(s0 > in.vfix) {
		o.Class = ClassFixedPoint
		o.PhiVariation = 0
		return o
	}
	nx, ny := v0x/s0, v0y/s0
	x, y := x0[0], x0[1]
	vx, vy := v0x, v0y
	t, turn := 0.0, 0.0
	ang := math.Atan2(vy, vx)
	// Time averages over the turn (trapezoid rule) for the centre.
	var cx, cy float64
	var phiSum, phiMin, phiMax float64
	var phiN int
	phiMin, phiMax = math.Inf(1), math.Inf(-1)
	addPhi := func(x, y float64) {
		if !keep {
			return
		}
		p := g.cubic(in.phi, x, y)
		if math.IsNaN(p) {
			return
		}
		phiSum += p
		phiN++
		phiMin, phiMax = math.Min(phiMin, p), math.Max(phiMax, p)
	}
	addPhi(x, y)
	finishPhi := func() {
		if phiN > 0 && phiSum != 0 {
			o.PhiVariation = (phiMax - phiMin) / math.Abs(phiSum/float64(phiN))
		}
	}
	defer finishPhi()
	var pts [][2]float64 // the turn, for the diameter
	pts = append(pts, x0)
	rate := 0.0 // |dv/dx| along the previous step
	for o.Steps < maxOrbitSteps && t < maxTime {
		dt := in.stepSize(vx, vy, rate, maxTime-t)
		xn, yn, ok := in.rk4(x, y, vx, vy, dt)
		o.Steps++
		if !ok {
			o.Class = ClassLeavesBox
			o.End = [2]float64{x, y}
			o.Time = t
			return o
		}
		vxn, vyn := in.v(xn, yn)
		an := math.Atan2(vyn, vxn)
		turn += math.Remainder(an-ang, 2*math.Pi)
		ang = an
		sp := (x-x0[0])*nx + (y-x0[1])*ny
		sn := (xn-x0[0])*nx + (yn-x0[1])*ny
		if sp < 0 && sn >= 0 && math.Abs(turn) > math.Pi {
			// First return: locate it on the Hermite cubic of the step.
			th := hermiteRoot(x, y, vx, vy, xn, yn, vxn, vyn, dt, x0, nx, ny)
			px, py := hermite(x, y, vx, vy, xn, yn, vxn, vyn, dt, th)
			tr := t + th*dt
			cx += 0.5 * th * dt * (x + px)
			cy += 0.5 * th * dt * (y + py)
			cx, cy = cx/tr, cy/tr
			pts = append(pts, [2]float64{px, py})
			rec(tr, px, py)
			addPhi(px, py)
			o.Period, o.Time = tr, tr
			o.x1 = [2]float64{px, py}
			o.End = o.x1
			o.Centre = [2]float64{cx, cy}
			rmax := 0.0
			for _, p := range pts {
				rmax = math.Max(rmax, math.Hypot(p[0]-cx, p[1]-cy))
			}
			o.Diameter = 2 * rmax
			o.ClosureError = math.Hypot(px-x0[0], py-x0[1]) / o.Diameter
			o.centreRatio = math.Hypot(px-cx, py-cy) / math.Hypot(x0[0]-cx, x0[1]-cy)
			o.box = [4]float64{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
			for _, p := range pts {
				o.box = [4]float64{math.Min(o.box[0], p[0]), math.Max(o.box[1], p[0]), math.Min(o.box[2], p[1]), math.Max(o.box[3], p[1])}
			}
			return o
		}
		cx += 0.5 * dt * (x + xn)
		cy += 0.5 * dt * (y + yn)
		if d := math.Hypot(xn-x, yn-y); d > 0 {
			rate = math.Hypot(vxn-vx, vyn-vy) / d
		}
		t += dt
		x, y, vx, vy = xn, yn, vxn, vyn
		pts = append(pts, [2]float64{x, y})
		rec(t, x, y)
		addPhi(x, y)
		if math.Hypot(vx, vy) < in.vfix {
			o.Class = ClassFixedPoint
			break
		}
	}
	o.End = [2]float64{x, y}
	o.Time = t
	if t > 0 {
		o.Centre = [2]float64{cx / t, cy / t}
	}
	return o
}

// stepSize is the RK4 step at a point where the field is (vx, vy): about
// CFL grid cells, at most 0.2 / rate (rate = |dv/dx| along the previous
// step, 0 for none) and at most left.
func (in *integrator) stepSize(vx, vy, rate, left float64) float64 {
	h := math.Min(in.g.H[0], in.g.H[1])
	dt := in.cfl * h / math.Max(math.Hypot(vx, vy), in.vfix)
	if rate > 0 {
		dt = math.Min(dt, 0.2/rate)
	}
	return math.Min(dt, left)
}

// fixedPoint returns the zero of the field reached by damped Newton
// iterations from x0 (Jacobian by central differences of step 1e-6 h), and
// whether it converged (|v| <= 1e-9 vfix, or a Newton step below 1e-12 h
// that no longer lowers |v|) to a point inside box (min x, max x, min y,
// max y).
func (in *integrator) fixedPoint(x0 [2]float64, box [4]float64) ([2]float64, bool) {
	h := math.Max(in.g.H[0], in.g.H[1])
	d := 1e-6 * h
	x, y := x0[0], x0[1]
	inBox := func(x, y float64) bool { return x >= box[0] && x <= box[1] && y >= box[2] && y <= box[3] }
	for it := 0; it < 100; it++ {
		vx, vy := in.v(x, y)
		n0 := math.Hypot(vx, vy)
		if n0 <= 1e-9*in.vfix {
			return [2]float64{x, y}, inBox(x, y)
		}
		ax, ay := in.v(x+d, y)
		bx, by := in.v(x-d, y)
		cx, cy := in.v(x, y+d)
		ex, ey := in.v(x, y-d)
		j11, j21 := (ax-bx)/(2*d), (ay-by)/(2*d)
		j12, j22 := (cx-ex)/(2*d), (cy-ey)/(2*d)
		det := j11*j22 - j12*j21
		if !(math.Abs(det) > 0) || math.IsInf(det, 0) {
			return [2]float64{x, y}, false
		}
		sx := -(j22*vx - j12*vy) / det
		sy := -(-j21*vx + j11*vy) / det
		moved := false
		for t := 1.0; t > 1e-9; t /= 2 {
			nx, ny := x+t*sx, y+t*sy
			if !in.g.inside(nx, ny) {
				continue
			}
			if wx, wy := in.v(nx, ny); math.Hypot(wx, wy) < n0 {
				x, y, moved = nx, ny, true
				break
			}
		}
		if !moved {
			return [2]float64{x, y}, math.Hypot(sx, sy) <= 1e-12*h && inBox(x, y)
		}
	}
	return [2]float64{x, y}, false
}

// returnMap integrates from x0 until the winding angle of the orbit about
// c first reaches 2 pi in magnitude, and returns the distance from c of
// that return to the half-line from c through x0 divided by |x0 - c|; NaN
// if the orbit stops (fixed point, exit, step or time limit) first.
func (in *integrator) returnMap(x0, c [2]float64, maxTime float64) float64 {
	r0 := math.Hypot(x0[0]-c[0], x0[1]-c[1])
	if !(r0 > 0) {
		return math.NaN()
	}
	ux, uy := (x0[0]-c[0])/r0, (x0[1]-c[1])/r0
	// cross is |p - c| sin(angle of p - c from the half-line).
	cross := func(px, py float64) float64 { return ux*(py-c[1]) - uy*(px-c[0]) }
	x, y := x0[0], x0[1]
	vx, vy := in.v(x, y)
	t, wind, rate := 0.0, 0.0, 0.0
	ang := 0.0
	for steps := 0; steps < maxOrbitSteps && t < maxTime; steps++ {
		dt := in.stepSize(vx, vy, rate, maxTime-t)
		xn, yn, ok := in.rk4(x, y, vx, vy, dt)
		if !ok {
			return math.NaN()
		}
		vxn, vyn := in.v(xn, yn)
		an := math.Atan2(cross(xn, yn), ux*(xn-c[0])+uy*(yn-c[1]))
		wind += math.Remainder(an-ang, 2*math.Pi)
		ang = an
		if math.Abs(wind) >= 2*math.Pi {
			// The return: the sign change of cross within this step, on its
			// Hermite cubic (before it, cross has the sign opposite to the
			// winding; after it, the same sign).
			lo, hi := 0.0, 1.0
			sgn := math.Copysign(1, wind)
			for k := 0; k < 60; k++ {
				mid := 0.5 * (lo + hi)
				px, py := hermite(x, y, vx, vy, xn, yn, vxn, vyn, dt, mid)
				if sgn*cross(px, py) < 0 {
					lo = mid
				} else {
					hi = mid
				}
			}
			px, py := hermite(x, y, vx, vy, xn, yn, vxn, vyn, dt, 0.5*(lo+hi))
			return math.Hypot(px-c[0], py-c[1]) / r0
		}
		if d := math.Hypot(xn-x, yn-y); d > 0 {
			rate = math.Hypot(vxn-vx, vyn-vy) / d
		}
		t += dt
		x, y, vx, vy = xn, yn, vxn, vyn
		if math.Hypot(vx, vy) < in.vfix {
			return math.NaN()
		}
	}
	return math.NaN()
}

// rk4 takes one classic Runge–Kutta step of size dt from (x, y), where the
// field is (vx, vy); ok is false if a stage leaves the box.
func (in *integrator) rk4(x, y, vx, vy, dt float64) (xn, yn float64, ok bool) {
	g := in.g
	x2, y2 := x+0.5*dt*vx, y+0.5*dt*vy
	if !g.inside(x2, y2) {
		return 0, 0, false
	}
	k2x, k2y := in.v(x2, y2)
	x3, y3 := x+0.5*dt*k2x, y+0.5*dt*k2y
	if !g.inside(x3, y3) {
		return 0, 0, false
	}
	k3x, k3y := in.v(x3, y3)
	x4, y4 := x+dt*k3x, y+dt*k3y
	if !g.inside(x4, y4) {
		return 0, 0, false
	}
	k4x, k4y := in.v(x4, y4)
	xn = x + dt/6*(vx+2*k2x+2*k3x+k4x)
	yn = y + dt/6*(vy+2*k2y+2*k3y+k4y)
	return xn, yn, g.inside(xn, yn)
}

// hermite evaluates at fraction th of a step of size dt the cubic Hermite
// interpolant through (x, y) and (xn, yn) with derivatives v and vn.
func hermite(x, y, vx, vy, xn, yn, vxn, vyn, dt, th float64) (float64, float64) {
	t2, t3 := th*th, th*th*th
	h00 := 2*t3 - 3*t2 + 1
	h10 := t3 - 2*t2 + th
	h01 := -2*t3 + 3*t2
	h11 := t3 - t2
	return h00*x + h10*dt*vx + h01*xn + h11*dt*vxn, h00*y + h10*dt*vy + h01*yn + h11*dt*vyn
}

// hermiteRoot returns the fraction of the step at which the Hermite cubic
// crosses the section (p - x0) . n = 0, by bisection (the signs at 0 and 1
// differ).
func hermiteRoot(x, y, vx, vy, xn, yn, vxn, vyn, dt float64, x0 [2]float64, nx, ny float64) float64 {
	lo, hi := 0.0, 1.0
	for k := 0; k < 60; k++ {
		mid := 0.5 * (lo + hi)
		px, py := hermite(x, y, vx, vy, xn, yn, vxn, vyn, dt, mid)
		if (px-x0[0])*nx+(py-x0[1])*ny < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return 0.5 * (lo + hi)
}

// thin keeps at most n evenly spaced entries of u, the first and the last
// included.
func thin(u []float64, n int) []float64 {
	if len(u) <= n {
		return u
	}
	out := make([]float64, n)
	for k := range out {
		out[k] = u[k*(len(u)-1)/(n-1)]
	}
	return out
}

// cubic returns the Catmull–Rom bicubic interpolant (Keys 1981) of the
// node values u at (x, y), clamped to the outermost nodes; it falls back
// to the bilinear interpolant where a value of the 4 x 4 stencil is NaN.
func (g *Grid) cubic(u []float64, x, y float64) float64 {
	var k [2]int
	var w [2][4]float64
	for a, c := range [2]float64{x, y} {
		s := (c-g.Min[a])/g.H[a] - 0.5
		k[a] = min(max(int(math.Floor(s)), 0), g.N[a]-2)
		f := s - float64(k[a])
		f = min(max(f, 0), 1)
		w[a] = [4]float64{
			((-0.5*f+1)*f - 0.5) * f,
			(1.5*f-2.5)*f*f + 1,
			((-1.5*f+2)*f + 0.5) * f,
			(0.5*f - 0.5) * f * f,
		}
	}
	nx := g.N[0]
	sum := 0.0
	for j := 0; j < 4; j++ {
		jj := min(max(k[1]-1+j, 0), g.N[1]-1)
		for i := 0; i < 4; i++ {
			ii := min(max(k[0]-1+i, 0), nx-1)
			sum += w[0][i] * w[1][j] * u[jj*nx+ii]
		}
	}
	if math.IsNaN(sum) {
		return g.interpolate(u, []float64{x, y})
	}
	return sum
}
