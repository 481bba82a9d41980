package fokkerplanck

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/sgdsde/sgdsde/internal/sparse"
)

// GaussianDensity returns the node probabilities (sum 1) of the normal
// density with the given centre and standard deviation width in every
// direction, floored at 1e-300 relative to its peak so that every node is
// positive.
func GaussianDensity(g *Grid, center []float64, width float64) ([]float64, error) {
	if len(center) != g.Dim {
		return nil, fmt.Errorf("centre has %d coordinates, the grid is %d-D", len(center), g.Dim)
	}
	if !(width > 0) || math.IsInf(width, 0) {
		return nil, fmt.Errorf("width of the initial Gaussian must be positive, got %g", width)
	}
	p := make([]float64, g.Len())
	x := make([]float64, g.Dim)
	for i := range p {
		g.Point(x, i)
		r2 := 0.0
		for a := range x {
			d := (x[a] - center[a]) / width
			r2 += d * d
		}
		p[i] = math.Max(math.Exp(-r2/2), 1e-300)
	}
	return normalise(p), nil
}

// UniformDensity returns the uniform node probabilities.
func UniformDensity(g *Grid) []float64 {
	p := make([]float64, g.Len())
	for i := range p {
		p[i] = 1
	}
	return normalise(p)
}

// DensityFromRho returns the node probabilities of a density given at the
// nodes (in node order); it must be finite and positive.
func DensityFromRho(g *Grid, rho []float64) ([]float64, error) {
	if len(rho) != g.Len() {
		return nil, fmt.Errorf("initial density has %d values, the grid has %d nodes", len(rho), g.Len())
	}
	p := make([]float64, len(rho))
	for i, v := range rho {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("initial density must be positive and finite at every node; node %d has %g", i, v)
		}
		p[i] = v
	}
	return normalise(p), nil
}

func normalise(p []float64) []float64 {
	s := 0.0
	for _, v := range p {
		s += v
	}
	for i := range p {
		p[i] /= s
	}
	return p
}

// FreeEnergy returns F = T KL(p || pss) = T sum p log(p / pss) for node
// probabilities p and the steady state pss (Jordan, Kinderlehrer & Otto
// 1998; Chaudhari & Soatto 2018, Sec. 5): it never increases under the
// Fokker–Planck flow and vanishes at the steady state.
func FreeEnergy(T float64, p, pss []float64) float64 {
	f := 0.0
	for i, v := range p {
		if v > 0 {
			f += v * math.Log(v/pss[i])
		}
	}
	return T * f
}

// EvolveOptions control a time evolution.
type EvolveOptions struct {
	// Dt is the time step and Steps the number of steps.
	Dt    float64
	Steps int
	// Every is the stride in steps between saved snapshots (the initial
	// density is always saved); 0 saves only the initial and final ones.
	Every int
	// Tol is the relative residual of each implicit solve; 0 means 1e-12.
	// A solve that stagnates at the round-off floor below 1e-9 is accepted.
	Tol float64
	// Progress, if not nil, is called after every step.
	Progress func(step int)
}

// Frame is the state of an evolution after a step.
type Frame struct {
	// Step is the number of steps taken and Time = Step dt.
	Step int
	Time float64
	// FreeEnergy is F = T KL(p || pss) (see the function FreeEnergy).
	FreeEnergy float64
	// Mass is the total of the node probabilities and MinRho the smallest
	// density.
	Mass   float64
	MinRho float64
}

// Evolution is the result of Evolve.
type Evolution struct {
	// Frames has one entry per step, the initial state first.
	Frames []Frame
	// Snapshots holds the density rho at SnapshotSteps.
	Snapshots     [][]float64
	SnapshotSteps []int
	// Final holds the final node probabilities.
	Final []float64
	// Iterations counts the Krylov iterations of all steps and
	// SolveSeconds their wall time.
	Iterations   int
	SolveSeconds float64
	// MaxStepResidual is the largest relative residual
	// ||p_n - (I - dt L) p_{n+1}||_2 / ||p_n||_2 of the implicit steps
	// (each at most StepResidualLimit, or the evolution fails), and
	// MaxMassCorrection the largest relative change |m0 / m - 1| by which a
	// step's total was reset to the conserved mass: the evidence that every
	// step was solved.
	MaxStepResidual, MaxMassCorrection float64
}

// StepResidualLimit is the largest relative residual an implicit step of
// Evolve accepts when the Krylov solver stops short of the requested
// tolerance (at the rounding floor of the step's system); beyond it the
// evolution fails with the step and the residual.
const StepResidualLimit = 1e-9

// Evolve integrates d p/dt = L p from p0 (node probabilities, sum 1) by the
// implicit Euler method, (I - dt L) p_{n+1} = p_n, solved by BiCGStab with
// a multigrid preconditioner. (I - dt L) is an M-matrix with unit column
// sums, so every step conserves mass and positivity, and its inverse is a
// stochastic matrix that keeps the steady state: by the data-processing
// inequality the free energy relative to pss never increases, step by step.
// A few Gauss–Seidel sweeps after each solve clean the solver's round-off
// from the smallest entries so that they stay positive, and the total is
// reset to the conserved mass (a relative correction of the order of the
// solver tolerance).
func (op *Operator) Evolve(ctx context.Context, p0, pss []float64, opt EvolveOptions) (*Evolution, error) {
	n := op.Grid.Len()
	if len(p0) != n || len(pss) != n {
		return nil, fmt.Errorf("evolve: densities of length %d and %d for %d nodes", len(p0), len(pss), n)
	}
	if !(opt.Dt > 0) || math.IsInf(opt.Dt, 0) {
		return nil, fmt.Errorf("time step dt must be positive and finite, got %g", opt.Dt)
	}
	if opt.Steps < 1 {
		return nil, fmt.Errorf("steps must be at least 1, got %d", opt.Steps)
	}
	if opt.Every < 0 {
		return nil, fmt.Errorf("snapshot stride must be non-negative, got %d", opt.Every)
	}
	if opt.Tol == 0 {
		opt.Tol = 1e-12
	}
	a, err := op.gen.ShiftScale(1, -opt.Dt)
	if err != nil {
		return nil, err
	}
	g := op.Grid
	mg, err := sparse.NewGridMultigrid(a, g.N[0], g.N[1], g.Periodic, g.Periodic && g.Dim == 2, sparse.MultigridOptions{})
	if err != nil {
		return nil, fmt.Errorf("evolve: %w", err)
	}
	vol := g.CellVolume()
	ev := &Evolution{}
	p := append([]float64(nil), p0...)
	frame := func(step int) {
		fr := Frame{Step: step, Time: float64(step) * opt.Dt, FreeEnergy: FreeEnergy(op.T, p, pss), MinRho: math.Inf(1)}
		for _, v := range p {
			fr.Mass += v
			fr.MinRho = math.Min(fr.MinRho, v/vol)
		}
		ev.Frames = append(ev.Frames, fr)
	}
	snap := func(step int) {
		rho := make([]float64, n)
		for i, v := range p {
			rho[i] = v / vol
		}
		ev.Snapshots = append(ev.Snapshots, rho)
		ev.SnapshotSteps = append(ev.SnapshotSteps, step)
	}
	frame(0)
	snap(0)
	work := &sparse.Workspace{}
	next := make([]float64, n)
	start := time.Now()
	for step := 1; step <= opt.Steps; step++ {
		copy(next, p)
		st, err := sparse.BiCGStab(ctx, a, p, next, mg, sparse.Options{Tol: opt.Tol, MaxIter: 500, Work: work})
		ev.Iterations += st.Iterations
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if !(errors.Is(err, sparse.ErrNotConverged) && st.Residual <= StepResidualLimit) {
				return nil, fmt.Errorf("evolve: step %d did not converge: relative residual %.3g, tolerance %.3g: %w", step, st.Residual, opt.Tol, err)
			}
		}
		ev.MaxStepResidual = math.Max(ev.MaxStepResidual, st.Residual)
		cleanSmall(a, next, p, opt.Tol)
		// The exact step conserves mass (the columns of I - dt L sum to 1);
		// remove the solver's residual from the total.
		mass := 0.0
		for _, v := range next {
			mass += v
		}
		m0 := 0.0
		for _, v := range p {
			m0 += v
		}
		if !(mass > 0) || math.IsInf(mass, 0) {
			return nil, fmt.Errorf("evolve: step %d: total probability %g", step, mass)
		}
		ev.MaxMassCorrection = math.Max(ev.MaxMassCorrection, math.Abs(m0/mass-1))
		for i := range next {
			next[i] *= m0 / mass
		}
		p, next = next, p
		frame(step)
		if (opt.Every > 0 && step%opt.Every == 0) || step == opt.Steps {
			if ev.SnapshotSteps[len(ev.SnapshotSteps)-1] != step {
				snap(step)
			}
		}
		if opt.Progress != nil {
			opt.Progress(step)
		}
	}
	ev.SolveSeconds = time.Since(start).Seconds()
	ev.Final = p
	return ev, nil
}

// cleanSmall relaxes the entries of x below tol * max x by two Gauss–Seidel
// sweeps of a x = b (a an M-matrix, b >= 0), after clipping negatives: the
// sweeps keep them non-negative and give positive values wherever a
// neighbour or b is positive.
func cleanSmall(a *sparse.CSR, x, b []float64, tol float64) {
	xmax := 0.0
	for _, v := range x {
		xmax = math.Max(xmax, v)
	}
	floor := tol * xmax
	var small []int
	for i, v := range x {
		if v < floor {
			small = append(small, i)
			if v < 0 {
				x[i] = 0
			}
		}
	}
	sweep := func(y int) {
		s, diag := b[y], 0.0
		for q := a.RowPtr[y]; q < a.RowPtr[y+1]; q++ {
			if c := int(a.Col[q]); c == y {
				diag = a.Val[q]
			} else {
				s -= a.Val[q] * x[c]
			}
		}
		if diag > 0 {
			x[y] = s / diag
		}
	}
	for k := 0; k < 2; k++ {
		if k == 0 {
			for _, y := range small {
				sweep(y)
			}
		} else {
			for i := len(small) - 1; i >= 0; i-- {
				sweep(small[i])
			}
		}
	}
}
