package fokkerplanck

import (
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
	X     []float64 `json:"x"`
	Value float64   `json:"value"`
}

// Spread summarises a field over the region: the largest magnitude and the
// mean magnitude.
type Spread struct {
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
	// asks both to vanish.
	DivForce, ForceDotGradPhi Spread
	// WallRho is the largest rho on the walls relative to max rho (0 on a
	// periodic grid): above RegionFraction the box cuts off density.
	WallRho float64
}

// Diagnose computes the diagnostics of the fields of a steady state.
func (op *Operator) Diagnose(f *Fields) Diagnostics {
	g := op.Grid
	n := g.Len()
	vol := g.CellVolume()
	var dg Diagnostics
	maxRho := 0.0
	for _, r := range f.Rho {
		maxRho = math.Max(maxRho, r)
	}
	thresh := RegionFraction * maxRho
	inRegion := func(i int) bool { return f.Rho[i] > thresh }

	x := make([]float64, g.Dim)
	dm := make([]float64, g.Dim*g.Dim)
	for i := 0; i < n; i++ {
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
			dg.AngularMomentum += (x[0]*f.CurrentY[i] - x[1]*f.CurrentX[i]) * vol
		}
		dg.EntropyProduction += q * f.Rho[i] * vol / op.T
	}

	dg.MaxAbsPhiMinusLoss = math.NaN()
	if f.Loss != nil {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i < n; i++ {
			if inRegion(i) {
				d := f.Phi[i] - f.Loss[i]
				lo, hi = math.Min(lo, d), math.Max(hi, d)
			}
		}
		dg.MaxAbsPhiMinusLoss = (hi - lo) / 2
		dg.MinimaLoss = op.minima(f.Loss, nil)
	}
	dg.MinimaPhi = op.minima(f.Phi, inRegion)

	// Assumption 4 by central differences at interior nodes of the region.
	var nd int
	for i := 0; i < n; i++ {
		if !inRegion(i) {
			continue
		}
		ci, cj := i%g.N[0], i/g.N[0]
		var div, dot float64
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
			div += (force[ip] - force[im]) / h2
			dot += force[i] * (f.Phi[ip] - f.Phi[im]) / h2
		}
		if !ok {
			continue
		}
		nd++
		dg.DivForce.Max = math.Max(dg.DivForce.Max, math.Abs(div))
		dg.DivForce.Mean += math.Abs(div)
		dg.ForceDotGradPhi.Max = math.Max(dg.ForceDotGradPhi.Max, math.Abs(dot))
		dg.ForceDotGradPhi.Mean += math.Abs(dot)
	}
	if nd > 0 {
		dg.DivForce.Mean /= float64(nd)
		dg.ForceDotGradPhi.Mean /= float64(nd)
	}

	if !g.Periodic && maxRho > 0 {
		for i := 0; i < n; i++ {
			ci, cj := i%g.N[0], i/g.N[0]
			wall := ci == 0 || ci == g.N[0]-1
			if g.Dim == 2 {
				wall = wall || cj == 0 || cj == g.N[1]-1
			}
			if wall {
				dg.WallRho = math.Max(dg.WallRho, f.Rho[i]/maxRho)
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
		i, j := idx%g.N[0], idx/g.N[0]
		var nb [3][3]float64
		ok := true
		for dj := -1; dj <= 1 && ok; dj++ {
			if g.Dim == 1 && dj != 0 {
				continue
			}
			for di := -1; di <= 1; di++ {
				t, inside := g.neighbour(i, j, di, dj)
				if !inside || math.IsNaN(u[t]) || (keep != nil && !keep(t)) {
					ok = false
					break
				}
				nb[di+1][dj+1] = u[t]
				// A minimum between nodes (by symmetry) ties two or four
				// nodes: the one with the lowest index reports it.
				if (di != 0 || dj != 0) && (u[t] < u[idx] || (u[t] == u[idx] && t < idx)) {
					ok = false
					break
				}
			}
		}
		if !ok {
			continue
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
		out = append(out, Minimum{X: x, Value: val})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Value < out[b].Value })
	return out
}
