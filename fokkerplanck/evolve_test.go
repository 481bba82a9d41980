package fokkerplanck

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/sgdsde/sgdsde/potentials"
)

// TestCase9FreeEnergy: from positive starts the implicit steps keep mass 1
// to round-off and rho > 0, and the free energy F = T KL(rho_t || rho_ss)
// never increases, step by step (validation case 9). The model is the
// default state-dependent double well, which has a current.
func TestCase9FreeEnergy(t *testing.T) {
	const T = 0.5
	m, err := potentials.New("double-well", nil)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := NewGrid(m.Box, []int{64, 64}, false)
	op, err := NewOperator(context.Background(), m, T, g)
	if err != nil {
		t.Fatal(err)
	}
	st, err := op.SteadyState(context.Background(), SteadyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pss := make([]float64, g.Len())
	for i, r := range st.Rho {
		pss[i] = r * g.CellVolume()
	}
	gauss, err := GaussianDensity(g, []float64{-1.5, 1}, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		p0   []float64
		dt   float64
	}{
		{"gaussian", gauss, 0.02},
		{"gaussian-large-step", gauss, 1},
		{"uniform", UniformDensity(g), 0.05},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := op.Evolve(context.Background(), tc.p0, pss, EvolveOptions{Dt: tc.dt, Steps: 40, Every: 10})
			if err != nil {
				t.Fatal(err)
			}
			f0 := ev.Frames[0].FreeEnergy
			for k, fr := range ev.Frames {
				if math.Abs(fr.Mass-1) > 1e-12 {
					t.Fatalf("step %d: mass %.16g", k, fr.Mass)
				}
				if !(fr.MinRho > 0) {
					t.Fatalf("step %d: min rho %g", k, fr.MinRho)
				}
				if k > 0 && fr.FreeEnergy > ev.Frames[k-1].FreeEnergy+1e-12*f0 {
					t.Fatalf("step %d: free energy rose from %.15g to %.15g", k, ev.Frames[k-1].FreeEnergy, fr.FreeEnergy)
				}
			}
			// The evidence of every step: within the step limit, and the
			// mass reset no larger than the solver's tolerance allows.
			if ev.MaxStepResidual > StepResidualLimit || ev.MaxMassCorrection > 1e-9 {
				t.Errorf("max step residual %.3g, max mass correction %.3g", ev.MaxStepResidual, ev.MaxMassCorrection)
			}
			last := ev.Frames[len(ev.Frames)-1]
			if !(last.FreeEnergy < f0) {
				t.Errorf("free energy did not fall: %g -> %g", f0, last.FreeEnergy)
			}
			if len(ev.Snapshots) != 5 || ev.SnapshotSteps[4] != 40 {
				t.Errorf("snapshots at %v", ev.SnapshotSteps)
			}
			t.Logf("F: %.4g -> %.4g after %d steps of %g (%d iterations)", f0, last.FreeEnergy, 40, tc.dt, ev.Iterations)
		})
	}
}

// TestCase10Transients: for b = -A x and constant D a Gaussian stays
// Gaussian, m' = -A m, Sigma' = -A Sigma - Sigma A^T + 2 T D (validation case 10
// of the README). The implicit Euler step maps the moments exactly as
// m_{n+1} = (I + dt A)^-1 m_n and
// (I + dt A) S_{n+1} + dt S_{n+1} A^T = S_n + 2 T D dt (S the second
// moment), so comparing the grid's moments with that recursion, started
// from the grid's own initial moments, isolates the spatial error, which
// must be second order. The recursion itself approaches the ODE as dt -> 0.
func TestCase10Transients(t *testing.T) {
	const (
		T     = 0.5
		dt    = 0.05
		steps = 20
	)
	a := [4]float64{1, 0, 0, 4}
	dm := [4]float64{1, 0.8, 0.8, 1}
	m, err := potentials.New("gyrator", nil)
	if err != nil {
		t.Fatal(err)
	}
	moments := func(g *Grid, p []float64) (mean [2]float64, s [4]float64) {
		x := make([]float64, 2)
		for i, v := range p {
			g.Point(x, i)
			mean[0] += v * x[0]
			mean[1] += v * x[1]
			s[0] += v * x[0] * x[0]
			s[1] += v * x[0] * x[1]
			s[3] += v * x[1] * x[1]
		}
		s[2] = s[1]
		return mean, s
	}
	// Sylvester solve (I + dt A) S + dt S A^T = R, vectorised column-major.
	ia := mat.NewDense(2, 2, []float64{1 + dt*a[0], dt * a[1], dt * a[2], 1 + dt*a[3]})
	at := mat.NewDense(2, 2, []float64{a[0], a[2], a[1], a[3]})
	var k1, k2, sys mat.Dense
	k1.Kronecker(mat.NewDiagDense(2, []float64{1, 1}), ia)
	var atT mat.Dense
	atT.CloneFrom(at.T())
	k2.Kronecker(&atT, mat.NewDiagDense(2, []float64{1, 1}))
	k2.Scale(dt, &k2)
	sys.Add(&k1, &k2)
	var lu mat.LU
	lu.Factorize(&sys)
	step := func(mean [2]float64, s [4]float64) ([2]float64, [4]float64) {
		det := ia.At(0, 0)*ia.At(1, 1) - ia.At(0, 1)*ia.At(1, 0)
		nm := [2]float64{
			(ia.At(1, 1)*mean[0] - ia.At(0, 1)*mean[1]) / det,
			(-ia.At(1, 0)*mean[0] + ia.At(0, 0)*mean[1]) / det,
		}
		// column-major vec of R = S + 2 T D dt
		r := mat.NewVecDense(4, []float64{s[0] + 2*T*dm[0]*dt, s[2] + 2*T*dm[2]*dt, s[1] + 2*T*dm[1]*dt, s[3] + 2*T*dm[3]*dt})
		var v mat.VecDense
		if err := lu.SolveVecTo(&v, false, r); err != nil {
			t.Fatal(err)
		}
		return nm, [4]float64{v.AtVec(0), v.AtVec(2), v.AtVec(1), v.AtVec(3)}
	}
	sizes := []int{32, 64, 128}
	var errs []float64
	for _, n := range sizes {
		g, _ := NewGrid(m.Box, []int{n, n}, false)
		op, err := NewOperator(context.Background(), m, T, g)
		if err != nil {
			t.Fatal(err)
		}
		p0, err := GaussianDensity(g, []float64{1, 0.5}, 0.3)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := op.Evolve(context.Background(), p0, UniformDensity(g), EvolveOptions{Dt: dt, Steps: steps})
		if err != nil {
			t.Fatal(err)
		}
		mean, s := moments(g, p0)
		for k := 0; k < steps; k++ {
			mean, s = step(mean, s)
		}
		gm, gs := moments(g, ev.Final)
		e := math.Abs(gm[0]-mean[0]) + math.Abs(gm[1]-mean[1])
		for i := range s {
			e += math.Abs(gs[i] - s[i])
		}
		errs = append(errs, e)
		t.Logf("n = %d: grid mean %.6f %.6f, recursion %.6f %.6f", n, gm[0], gm[1], mean[0], mean[1])
	}
	checkOrder(t, "moments after the implicit steps", sizes, errs)
	// The recursion against the ODE: m(t) = exp(-A t) m0 component-wise.
	tEnd := dt * steps
	mean := [2]float64{1, 0.5}
	var s [4]float64
	for k := 0; k < steps; k++ {
		mean, s = step(mean, s)
	}
	if e := math.Abs(mean[0] - math.Exp(-tEnd)); e > 2*dt*tEnd*math.Exp(-tEnd) {
		t.Errorf("recursion mean %.6f against the ODE %.6f: error %.3g beyond the O(dt) bound", mean[0], math.Exp(-tEnd), e)
	}
}
