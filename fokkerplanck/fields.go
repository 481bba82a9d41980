package fokkerplanck

import (
	"math"
)

// Fields are the grid fields derived from a density: every slice has one
// value per node, in node order (row-major (ny, nx)).
type Fields struct {
	// Rho is the density (integral 1): node probability / cell volume.
	Rho []float64
	// Phi = -T log Rho, shifted so that its minimum is 0; NaN where Rho
	// underflows to 0 (Underflow counts those nodes).
	Phi []float64
	// Loss is f at the nodes, if the model has a loss.
	Loss []float64
	// CurrentX, CurrentY are the probability current J from the scheme's
	// edge fluxes; ForceX, ForceY the force j = J / Rho (0 where Rho
	// underflows). In 1-D only the X components are set.
	CurrentX, CurrentY []float64
	ForceX, ForceY     []float64
	// Underflow is the number of nodes where Rho is 0 in floating point.
	Underflow int
}

// Fields computes the density, potential, current and force of the node
// probabilities p (which must sum to 1).
//
// The current at node x is J(x) = sum_y F_xy (y - x) / (2 V) over every
// linked pair, F_xy = r_xy p_x - r_yx p_y the net probability flow of the
// edge and V the cell volume: each jump contributes half of its flow times
// its displacement at each end. This is the scheme's own flux, not a finite
// difference of rho.
func (op *Operator) Fields(p []float64) *Fields {
	g := op.Grid
	n := g.Len()
	vol := g.CellVolume()
	f := &Fields{Rho: make([]float64, n), Phi: make([]float64, n), CurrentX: make([]float64, n), ForceX: make([]float64, n)}
	if g.Dim == 2 {
		f.CurrentY = make([]float64, n)
		f.ForceY = make([]float64, n)
	}
	// Rho and Phi node by node in parallel blocks (the minimum and the
	// count do not depend on the order).
	workers := workerCount(n)
	mins := make([]float64, workers)
	under := make([]int, workers)
	inParallel(workers, func(k int) {
		m := math.Inf(1)
		for i := n * k / workers; i < n*(k+1)/workers; i++ {
			f.Rho[i] = p[i] / vol
			if f.Rho[i] > 0 {
				f.Phi[i] = -op.T * math.Log(f.Rho[i])
				m = math.Min(m, f.Phi[i])
			} else {
				f.Phi[i] = math.NaN()
				under[k]++
			}
		}
		mins[k] = m
	})
	minPhi := math.Inf(1)
	for k := range mins {
		minPhi = math.Min(minPhi, mins[k])
		f.Underflow += under[k]
	}
	inParallel(workers, func(k int) {
		for i := n * k / workers; i < n*(k+1)/workers; i++ {
			f.Phi[i] -= minPhi
		}
	})
	if op.Model.Loss != nil {
		// The loss at the nodes, in parallel blocks (each value is
		// computed alone, so the result does not depend on the workers).
		f.Loss = make([]float64, n)
		inParallel(workers, func(k int) {
			x := make([]float64, g.Dim)
			for i := n * k / workers; i < n*(k+1)/workers; i++ {
				g.Point(x, i)
				f.Loss[i] = op.Model.Loss(x)
			}
		})
	}
	hx, hy := g.H[0], g.H[1]
	for e := range op.edgeA {
		a, b := op.edgeA[e], op.edgeB[e]
		flow := (op.rateAB[e]*p[a] - op.rateBA[e]*p[b]) / (2 * vol)
		dx := float64(op.edgeOffset[e][0]) * hx * flow
		f.CurrentX[a] += dx
		f.CurrentX[b] += dx
		if g.Dim == 2 {
			dy := float64(op.edgeOffset[e][1]) * hy * flow
			f.CurrentY[a] += dy
			f.CurrentY[b] += dy
		}
	}
	inParallel(workers, func(k int) {
		for i := n * k / workers; i < n*(k+1)/workers; i++ {
			if r := f.Rho[i]; r > 0 {
				f.ForceX[i] = f.CurrentX[i] / r
				if g.Dim == 2 {
					f.ForceY[i] = f.CurrentY[i] / r
				}
			}
		}
	})
	return f
}
