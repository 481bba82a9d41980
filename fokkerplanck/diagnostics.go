package fokkerplanck

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
)

// RegionFraction defines the region where diagnostics are taken: the nodes
// with rho > RegionFraction * max rho.
const RegionFraction = 1e-6

// Minimum is a local minimum of a grid field, refined below the grid
// spacing by one Newton step on the quadratic through the 3 x 3 (1-D: 3)
// neighbourhood.
type Minimum struct {
	// X is the refined position of the minimum and Value the field there.
	X     []float64 `json:"x"`
	Value float64   `json:"value"`
}

// Spread summarises a field over the region: the largest magnitude and the
// mean magnitude.
type Spread struct {
	// Max is the largest magnitude and Mean the mean magnitude.
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Diagnostics are the scalar results of a steady state.
type Diagnostics struct {
	// EntropyProduction is Pi = (1/T) integral j^T D^-1 j rho dx, zero iff
	// detailed balance holds.
	EntropyProduction float64
	// AngularMomentum (2-D) is L = integral (x J_y - y J_x) dx.
	AngularMomentum float64
	// MaxAbsPhiMinusLoss is max |Phi - f - c| over the region for the best
	// constant c (NaN without a loss).
	MaxAbsPhiMinusLoss float64
	// MinimaLoss and MinimaPhi are the interior local minima of f and Phi.
	MinimaLoss, MinimaPhi []Minimum
	// DivForce is div j and ForceDotGradPhi is j . grad Phi over the region,
	// by central differences at interior nodes: the paper's Assumption 4
	// asks both to vanish. These are one grid's values, with errors of order
	// h^2 that are not small on coarse grids; Operator.CheckAssumption4
	// gives their two-grid error and the verdict.
	DivForce, ForceDotGradPhi Spread
	// WallRho is the largest rho on the walls relative to max rho (0 on a
	// periodic grid): above RegionFraction the box cuts off density.
	WallRho float64
}

// diagBlock is the number of nodes whose contributions to the integrals of
// Diagnose are added up as one partial sum.
const diagBlock = 4096

// Diagnose computes the diagnostics of the fields of a steady state.
func (op *Operator) Diagnose(f *Fields) Diagnostics {
	g := op.Grid
	n := g.Len()
	vol := g.CellVolume()
	var dg Diagnostics
	maxRho := 0.0
	for _, r := range f.Rho {
		maxRho = max(maxRho, r)
	}
	thresh := RegionFraction * maxRho
	inRegion := func(i int) bool { return f.Rho[i] > thresh }

	// The integrals over blocks of diagBlock nodes, in parallel, added up
	// in block order: the sums do not depend on the number of workers.
	nblk := (n + diagBlock - 1) / diagBlock
	type sums struct{ ent, ang float64 }
	parts := make([]sums, nblk)
	workers := min(workerCount(n), nblk)
	inParallel(workers, func(k int) {
		x := make([]float64, g.Dim)
		dm := make([]float64, g.Dim*g.Dim)
		for b := nblk * k / workers; b < nblk*(k+1)/workers; b++ {
			var s sums
			for i := b * diagBlock; i < min((b+1)*diagBlock, n); i++ {
				if f.Rho[i] <= 0 {
					continue
				}
				g.Point(x, i)
				op.Model.Diffusion(dm, x)
				var q float64
				if g.Dim == 1 {
					q = f.ForceX[i] * f.ForceX[i] / dm[0]
				} else {
					a, b, c := dm[0], 0.5*(dm[1]+dm[2]), dm[3]
					det := a*c - b*b
					jx, jy := f.ForceX[i], f.ForceY[i]
					q = (c*jx*jx - 2*b*jx*jy + a*jy*jy) / det
					s.ang += (x[0]*f.CurrentY[i] - x[1]*f.CurrentX[i]) * vol
				}
				s.ent += q * f.Rho[i] * vol / op.T
			}
			parts[b] = s
		}
	})
	for _, s := range parts {
		dg.EntropyProduction += s.ent
		dg.AngularMomentum += s.ang
	}

	dg.MaxAbsPhiMinusLoss = math.NaN()
	if f.Loss != nil {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i < n; i++ {
			if inRegion(i) {
				d := f.Phi[i] - f.Loss[i]
				lo, hi = min(lo, d), max(hi, d)
			}
		}
		dg.MaxAbsPhiMinusLoss = (hi - lo) / 2
		dg.MinimaLoss = op.minima(f.Loss, nil)
	}
	dg.MinimaPhi = op.minima(f.Phi, inRegion)

	// Assumption 4 by central differences at interior nodes of the region.
	div, dot := assumption4Fields(g, f)
	dg.DivForce, dg.ForceDotGradPhi = spreadOf(div), spreadOf(dot)

	if !g.Periodic && maxRho > 0 {
		for i := 0; i < n; i++ {
			ci, cj := i%g.N[0], i/g.N[0]
			wall := ci == 0 || ci == g.N[0]-1
			if g.Dim == 2 {
				wall = wall || cj == 0 || cj == g.N[1]-1
			}
			if wall {
				dg.WallRho = max(dg.WallRho, f.Rho[i]/maxRho)
			}
		}
	}
	return dg
}

// minima returns the local minima of the field u at interior nodes
// (where keep, if not nil, holds), sorted by value, each refined by a Newton
// step on the local quadratic when the step stays within one cell.
func (op *Operator) minima(u []float64, keep func(int) bool) []Minimum {
	g := op.Grid
	var out []Minimum
	for idx := range u {
		if keep != nil && !keep(idx) || math.IsNaN(u[idx]) {
			continue
		}
		if m, ok := g.interiorMinimum(u, idx, keep); ok {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Value < out[b].Value })
	return out
}

// interiorMinimum reports whether node idx is a local minimum of u with its
// whole 3 x 3 (1-D: 3) neighbourhood on the grid, not NaN and kept (keep
// nil keeps every node), and returns it refined by one Newton step on the
// quadratic through the neighbourhood when the step stays within one cell.
// A minimum between nodes (by symmetry) ties two or four nodes: the one
// with the lowest index reports it.
func (g *Grid) interiorMinimum(u []float64, idx int, keep func(int) bool) (Minimum, bool) {
	i, j := idx%g.N[0], idx/g.N[0]
	var nb [3][3]float64
	for dj := -1; dj <= 1; dj++ {
		if g.Dim == 1 && dj != 0 {
			continue
		}
		for di := -1; di <= 1; di++ {
			t, inside := g.neighbour(i, j, di, dj)
			if !inside || math.IsNaN(u[t]) || (keep != nil && !keep(t)) {
				return Minimum{}, false
			}
			nb[di+1][dj+1] = u[t]
			if (di != 0 || dj != 0) && (u[t] < u[idx] || (u[t] == u[idx] && t < idx)) {
				return Minimum{}, false
			}
		}
	}
	x := make([]float64, g.Dim)
	g.Point(x, idx)
	u0 := u[idx]
	hx := g.H[0]
	gx := (nb[2][1] - nb[0][1]) / (2 * hx)
	hxx := (nb[2][1] - 2*u0 + nb[0][1]) / (hx * hx)
	var step [2]float64
	val := u0
	if g.Dim == 1 {
		if hxx > 0 {
			step[0] = -gx / hxx
			val = u0 + 0.5*gx*step[0]
		}
	} else {
		hy := g.H[1]
		gy := (nb[1][2] - nb[1][0]) / (2 * hy)
		hyy := (nb[1][2] - 2*u0 + nb[1][0]) / (hy * hy)
		hxy := (nb[2][2] - nb[2][0] - nb[0][2] + nb[0][0]) / (4 * hx * hy)
		det := hxx*hyy - hxy*hxy
		if det > 0 && hxx > 0 {
			step[0] = -(hyy*gx - hxy*gy) / det
			step[1] = -(-hxy*gx + hxx*gy) / det
			val = u0 + 0.5*(gx*step[0]+gy*step[1])
		}
	}
	if math.Abs(step[0]) <= hx && (g.Dim == 1 || math.Abs(step[1]) <= g.H[1]) {
		for a := range x {
			x[a] += step[a]
		}
	} else {
		val = u0
	}
	return Minimum{X: x, Value: val}, true
}

// assumption4Fields returns div j and j . grad Phi at the nodes of the
// region rho > RegionFraction max rho whose neighbours along every axis are
// also in the region, by central differences (second order); NaN at every
// other node.
func assumption4Fields(g *Grid, f *Fields) (div, dot []float64) {
	n := g.Len()
	div, dot = make([]float64, n), make([]float64, n)
	thresh := RegionFraction * maxOf(f.Rho)
	inRegion := func(i int) bool { return f.Rho[i] > thresh }
	workers := workerCount(n)
	inParallel(workers, func(k int) { assumption4Range(g, f, inRegion, div, dot, n*k/workers, n*(k+1)/workers) })
	return div, dot
}

// assumption4Range computes the nodes [lo, hi) of assumption4Fields.
func assumption4Range(g *Grid, f *Fields, inRegion func(int) bool, div, dot []float64, lo, hi int) {
	for i := lo; i < hi; i++ {
		div[i], dot[i] = math.NaN(), math.NaN()
		if !inRegion(i) {
			continue
		}
		ci, cj := i%g.N[0], i/g.N[0]
		var dv, dt float64
		ok := true
		for a := 0; a < g.Dim; a++ {
			di, dj := 1, 0
			if a == 1 {
				di, dj = 0, 1
			}
			ip, in1 := g.neighbour(ci, cj, di, dj)
			im, in2 := g.neighbour(ci, cj, -di, -dj)
			if !in1 || !in2 || !inRegion(ip) || !inRegion(im) {
				ok = false
				break
			}
			force := f.ForceX
			if a == 1 {
				force = f.ForceY
			}
			h2 := 2 * g.H[a]
			dv += (force[ip] - force[im]) / h2
			dt += force[i] * (f.Phi[ip] - f.Phi[im]) / h2
		}
		if ok {
			div[i], dot[i] = dv, dt
		}
	}
}

// spreadOf returns the largest and the mean magnitude of the non-NaN
// entries of u (zero if there are none).
func spreadOf(u []float64) Spread {
	var s Spread
	nd := 0
	for _, v := range u {
		if math.IsNaN(v) {
			continue
		}
		s.Max = max(s.Max, math.Abs(v))
		s.Mean += math.Abs(v)
		nd++
	}
	if nd > 0 {
		s.Mean /= float64(nd)
	}
	return s
}

// Assumption4Verdict is the verdict of an Assumption-4 check
// (Assumption4Check.Verdict). Its String is the spelling of the output
// files, "holds" or "violated"; the zero value is not a verdict.
type Assumption4Verdict int

// Verdicts of an Assumption-4 check (Assumption4Check.Verdict).
const (
	// Assumption4Holds: div j and j . grad Phi are both zero within their
	// two-grid error estimates ("holds").
	Assumption4Holds Assumption4Verdict = iota + 1
	// Assumption4Violated: at least one of them exceeds twice its two-grid
	// error estimate, so it is not zero in the continuum ("violated").
	Assumption4Violated
)

// verdictNames are the spellings of the Assumption-4 verdicts.
var verdictNames = []string{Assumption4Holds: "holds", Assumption4Violated: "violated"}

// String returns the name of the verdict, "holds" or "violated", or
// "Assumption4Verdict(n)" for a value that is not a verdict.
func (v Assumption4Verdict) String() string {
	return enumString(verdictNames, v, "Assumption4Verdict")
}

// MarshalText returns the name of the verdict (String); it fails for a
// value that is not a verdict.
func (v Assumption4Verdict) MarshalText() ([]byte, error) {
	return marshalEnum(verdictNames, v, "Assumption4Verdict", "an Assumption-4 verdict")
}

// UnmarshalText sets v to the verdict named exactly by text.
func (v *Assumption4Verdict) UnmarshalText(text []byte) error {
	u, err := parseEnum[Assumption4Verdict](verdictNames, string(text), "Assumption-4 verdict")
	if err != nil {
		return err
	}
	*v = u
	return nil
}

// RoundOffForce is the size of the force, relative to the largest drift
// max |b| over the region, below which a force counts as zero by the
// round-off of the solve, whatever its two-grid difference (see
// ForceCheck.Vanishes): the solve balances every node to about 1e-10 of its
// flux, so the force of an exactly balanced (detailed-balance) scheme is
// noise of about 1e-10 max |b|.
const RoundOffForce = 1e-8

// Assumption4Field is the two-grid check of one field of Assumption 4
// (div j or j . grad Phi) over the region rho > RegionFraction max rho.
type Assumption4Field struct {
	// Max and Mean are the largest and the mean magnitude of the field on
	// the grid of the steady state, by central differences at the interior
	// nodes of the region (the values of Diagnostics.DivForce and
	// Diagnostics.ForceDotGradPhi).
	Max, Mean float64
	// Error is the two-grid estimate of its discretisation error: max over
	// the nodes of the coarse grid of |q_h - q_2h|, q_h the field of the
	// fine grid interpolated bilinearly to the coarse node and q_2h that of
	// the coarse grid's own steady state. For a second-order scheme this is
	// about three times the error of q_h (Richardson's argument, see
	// Operator.CheckAssumption4).
	Error float64
	// RoundOff is the size that a field computed from a force at the
	// round-off floor of the solve (|j| <= RoundOffForce max |b|) can reach:
	// 2 RoundOffForce max |b| / min h for div j (a central difference per
	// axis) and RoundOffForce max |b| max |grad Phi| for j . grad Phi.
	RoundOff float64
	// Holds is Max <= 2 Error or Max <= RoundOff: the field is zero within
	// the scheme's error. A field is reported violated only when Max
	// exceeds both.
	Holds bool
}

// Assumption4Check is the verdict on Chaudhari & Soatto's Assumption 4
// (div j = 0 and j . grad Phi = 0 for the force j = J / rho) for a steady
// state, with the two-grid error estimate of each field.
type Assumption4Check struct {
	// DivForce is the check of div j, ForceDotGradPhi that of j . grad Phi.
	DivForce, ForceDotGradPhi Assumption4Field
	// MaxDrift is max |b| over the region and MaxGradPhi max |grad Phi|
	// (central differences), the scales of the round-off floors.
	MaxDrift, MaxGradPhi float64
	// CoarseGrid is the size of the coarse grid ([n, 1] in 1-D).
	CoarseGrid [2]int
	// Verdict is Assumption4Holds when both fields hold, otherwise
	// Assumption4Violated.
	Verdict Assumption4Verdict
}

// CheckAssumption4 decides whether the paper's Assumption 4 holds for the
// steady state st of op, with an error estimate instead of a single grid's
// values: it solves the steady state again on the grid with half as many
// nodes per axis (as CheckForce does; the grid of st needs at least
// 2 MinNodes per axis, otherwise the result is an error) and compares
// div j and j . grad Phi of the two grids at the coarse nodes, over the
// region rho > RegionFraction max rho of both.
//
// The rule. Both fields are computed from the scheme's force by central
// differences, so on a smooth solution they carry an error C h^2 + o(h^2)
// (validation case 6: j is second order, and central differences of a
// second-order field with a smooth error expansion stay second order). Then
// q_2h - q_h = 3 C h^2 + o(h^2): the two-grid difference Error is about
// three times the error of the fine grid (Richardson's argument; on the
// paper's Example 19, where both fields are known in closed form, Error is
// 2.4 to 3.1 times the actual error of the fine grid on 64^2 and 128^2
// grids, TestAssumption4Violated). The largest values and differences sit
// at the edge of the region, where rho is near RegionFraction of its
// maximum and the grids resolve the fields least. A field
// that vanishes in the continuum has max |q_h| ~ Error / 3, so it is
// declared zero when max |q_h| <= 2 Error (the same factor 2 as
// ForceCheck.Vanishes, room for a field not quite in the asymptotic
// regime). It is declared violated only when max |q_h| > 2 Error (and
// above the round-off floor): the fine grid's error being about Error / 3,
// the continuum field then reaches at least max |q_h| - Error / 3 >
// (5/3) Error, five times its estimated error, so it is not zero. A field
// below its round-off floor (Assumption4Field.RoundOff) holds: that is the
// detailed-balance case of a scheme exact to round-off (D = I with a
// gradient drift), where both grids give noise.
//
// div j and j . grad Phi vanish together in the continuum: div J = 0 with
// J = rho j and rho = exp(-Phi/T)/Z gives div j = (j . grad Phi) / T.
func (op *Operator) CheckAssumption4(ctx context.Context, st *Steady, opt SteadyOptions) (Assumption4Check, error) {
	g := op.Grid
	n := make([]int, g.Dim)
	for a := range n {
		if g.N[a] < 2*MinNodes {
			return Assumption4Check{}, fmt.Errorf("a two-grid error estimate needs at least %d nodes per axis, the grid has %d along %s", 2*MinNodes, g.N[a], axisName(a))
		}
		n[a] = g.N[a] / 2
	}
	cop, cst, err := op.checkCoarse(ctx, st, opt, n)
	if err != nil {
		return Assumption4Check{}, err
	}
	return op.assumption4(st, cop, cst), nil
}

// Assumption4 is CheckAssumption4 on the coarse steady state that this
// force check already solved (no new solve); op and st must be those the
// check was made for.
func (fc *ForceCheck) Assumption4(op *Operator, st *Steady) (Assumption4Check, error) {
	if fc.coarse == nil || fc.coarseSt == nil {
		return Assumption4Check{}, errors.New("the force check holds no coarse steady state: use Operator.CheckAssumption4")
	}
	return op.assumption4(st, fc.coarse, fc.coarseSt), nil
}

// checkCoarse returns the coarse steady state of a two-grid check of st on
// the grid of n nodes per axis: the one that st's solve kept
// (SteadyOptions.TwoGrid) when it has that size and tolerance, with its
// error if it failed, otherwise a new coarseSolve.
func (op *Operator) checkCoarse(ctx context.Context, st *Steady, opt SteadyOptions, n []int) (*Operator, *Steady, error) {
	if c := st.coarse; c != nil && c.n[0] == n[0] && (len(n) == 1 || c.n[1] == n[1]) {
		if d := opt.withDefaults(); d.Tol == c.tol && d.MaxIter == c.maxIter {
			return c.op, c.st, c.err
		}
	}
	return op.coarseSolve(ctx, opt, n)
}

// coarseSolve assembles and solves the steady state of op's model on the
// grid of n nodes per axis over the same box, the coarse grid of the
// two-grid checks.
func (op *Operator) coarseSolve(ctx context.Context, opt SteadyOptions, n []int) (*Operator, *Steady, error) {
	g := op.Grid
	cg, err := NewGrid(boxOf(g), n, g.Periodic)
	if err != nil {
		return nil, nil, err
	}
	cop, err := NewOperatorScheme(ctx, op.Model, op.T, cg, op.Scheme)
	if err != nil {
		return nil, nil, err
	}
	cst, err := cop.SteadyState(ctx, opt)
	if err != nil {
		if g.Dim == 1 {
			return nil, nil, fmt.Errorf("coarse grid of %d nodes: %w", n[0], err)
		}
		return nil, nil, fmt.Errorf("coarse grid %d x %d: %w", n[0], n[1], err)
	}
	return cop, cst, nil
}

// assumption4 compares div j and j . grad Phi of st (on op's grid) with
// those of the coarse steady state cst (on cop's grid).
func (op *Operator) assumption4(st *Steady, cop *Operator, cst *Steady) Assumption4Check {
	g, cg := op.Grid, cop.Grid
	var ac Assumption4Check
	ac.CoarseGrid = cg.N
	div, dot := assumption4Fields(g, st.Fields)
	cdiv, cdot := assumption4Fields(cg, cst.Fields)
	ds, ps := spreadOf(div), spreadOf(dot)
	ac.DivForce.Max, ac.DivForce.Mean = ds.Max, ds.Mean
	ac.ForceDotGradPhi.Max, ac.ForceDotGradPhi.Mean = ps.Max, ps.Mean

	// Scales of the round-off floors, over the fine region.
	thresh := RegionFraction * maxOf(st.Rho)
	x := make([]float64, g.Dim)
	b := make([]float64, g.Dim)
	for i, r := range st.Rho {
		if r <= thresh {
			continue
		}
		g.Point(x, i)
		op.Model.Drift(b, x)
		s := 0.0
		for _, v := range b {
			s += v * v
		}
		ac.MaxDrift = math.Max(ac.MaxDrift, math.Sqrt(s))
		if math.IsNaN(div[i]) {
			continue
		}
		ci, cj := i%g.N[0], i/g.N[0]
		s = 0
		for a := 0; a < g.Dim; a++ {
			ip, _ := g.neighbour(ci, cj, 1-a, a)
			im, _ := g.neighbour(ci, cj, a-1, -a)
			d := (st.Phi[ip] - st.Phi[im]) / (2 * g.H[a])
			s += d * d
		}
		ac.MaxGradPhi = math.Max(ac.MaxGradPhi, math.Sqrt(s))
	}
	hmin := g.H[0]
	if g.Dim == 2 {
		hmin = math.Min(hmin, g.H[1])
	}
	ac.DivForce.RoundOff = 2 * RoundOffForce * ac.MaxDrift / hmin
	ac.ForceDotGradPhi.RoundOff = RoundOffForce * ac.MaxDrift * ac.MaxGradPhi

	// Two-grid differences at the coarse nodes where both fields exist.
	for i := range cdiv {
		if math.IsNaN(cdiv[i]) {
			continue
		}
		cg.Point(x, i)
		if d := math.Abs(g.interpolate(div, x) - cdiv[i]); !math.IsNaN(d) {
			ac.DivForce.Error = math.Max(ac.DivForce.Error, d)
		}
		if d := math.Abs(g.interpolate(dot, x) - cdot[i]); !math.IsNaN(d) {
			ac.ForceDotGradPhi.Error = math.Max(ac.ForceDotGradPhi.Error, d)
		}
	}
	for _, f := range []*Assumption4Field{&ac.DivForce, &ac.ForceDotGradPhi} {
		f.Holds = f.Max <= 2*f.Error || f.Max <= f.RoundOff
	}
	ac.Verdict = Assumption4Violated
	if ac.DivForce.Holds && ac.ForceDotGradPhi.Holds {
		ac.Verdict = Assumption4Holds
	}
	return ac
}
