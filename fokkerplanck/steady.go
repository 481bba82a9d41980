package fokkerplanck

import (
	"context"
	"fmt"
	"math"
	"time"
)

// SteadyOptions control the steady-state solve.
type SteadyOptions struct {
	// Tol is the relative residual at which the Krylov solver stops, in the
	// first solve and in the refinement scaled by the solution (which makes
	// it a relative accuracy of every entry); 0 means 1e-10.
	Tol float64
	// MaxIter bounds the Krylov iterations; 0 means 500.
	MaxIter int

	coarse bool // a coarse level of the nested-grid recursion
}

// Steady is the steady state of an operator: the fields, the diagnostics
// and how the solve went.
type Steady struct {
	*Fields
	Diagnostics
	// Mass is the integral of Rho (1 up to round-off) and MinRho its minimum.
	Mass, MinRho float64
	// Residual is ||L p||_1 for the node probabilities p (sum 1).
	Residual float64
	// Iterations of the Krylov solver; SolveSeconds its wall time.
	Iterations   int
	SolveSeconds float64
	// Pin is the node held at 1 during the solve.
	Pin int
}

// PinNode returns the node held fixed in the steady-state solve: the grid
// minimum of the loss when the model has one (where rho is largest for a
// gradient drift), otherwise the node nearest the box centre.
func (op *Operator) PinNode() int {
	g := op.Grid
	x := make([]float64, g.Dim)
	if op.Model.Loss != nil {
		best, bi := math.Inf(1), 0
		for i := 0; i < g.Len(); i++ {
			g.Point(x, i)
			if v := op.Model.Loss(x); v < best {
				best, bi = v, i
			}
		}
		return bi
	}
	for a := 0; a < g.Dim; a++ {
		x[a] = (g.Min[a] + g.Max[a]) / 2
	}
	return g.Nearest(x)
}

// SteadyState solves L p = 0 with one node pinned to 1 (a full
// normalisation row would ruin sparsity), normalises p to sum 1, and
// derives the fields and diagnostics.
func (op *Operator) SteadyState(ctx context.Context, opt SteadyOptions) (*Steady, error) {
	if opt.Tol == 0 {
		opt.Tol = 1e-10
	}
	if opt.MaxIter == 0 {
		opt.MaxIter = 500
	}
	pin := op.PinNode()
	start := time.Now()
	p, iters, err := op.solvePinned(ctx, pin, opt)
	if err != nil {
		return nil, err
	}
	st := &Steady{Iterations: iters, SolveSeconds: time.Since(start).Seconds(), Pin: pin}
	sum := 0.0
	for i, v := range p {
		if v < 0 {
			// Round-off far in the tails: the exact solution is positive.
			if v < -1e-12*p[pin] {
				return nil, fmt.Errorf("steady state has a negative entry %g at node %d: the solve did not converge (residual too large)", v, i)
			}
			p[i] = 0
		}
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	r := make([]float64, len(p))
	op.Apply(r, p)
	for _, v := range r {
		st.Residual += math.Abs(v)
	}
	st.Fields = op.Fields(p)
	st.Diagnostics = op.Diagnose(st.Fields)
	vol := op.Grid.CellVolume()
	st.MinRho = math.Inf(1)
	for _, v := range st.Rho {
		st.Mass += v * vol
		st.MinRho = math.Min(st.MinRho, v)
	}
	return st, nil
}
