package fokkerplanck

import (
	"context"
	"math"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/sgdsde/sgdsde/potentials"
)

// TestCase9FreeEnergy: from positive starts the implicit steps keep mass 1
// to round-off and rho > 0, and the free energy F = T KL(rho_t || rho_ss)
// never increases, step by step (validation case 9). The model is the
// default state-dependent double well, which has a current.
//
// Every step is checked against the implicit Euler equation itself,
// (I - dt L) p_k = p_{k-1}, with the relative residual recomputed here from
// the snapshots and op.gen: a step with the wrong dt (0.5 dt: residuals 0.15
// to 0.46 on these runs) or no step at all fails it, while mass,
// positivity and a falling F would all survive it.
//
// The monotonicity of F holds for the exact step p*_k = A^-1 p_{k-1},
// A = I - dt L, relative to a steady state that A^-1 keeps (the
// data-processing inequality). Its tolerance at step k is derived, not
// chosen:
//
//   - the computed step differs from p*_k by A^-1 r_k, r_k the residual,
//     and ||A^-1 r||_1 <= ||r||_1 (A^-1 is non-negative with unit column
//     sums), which moves F by at most T max_i |log(p_i / pss_i) + 1| ||r_k||_1;
//   - pss is the steady state to the solver's tolerance, so A^-1 keeps it
//     only up to max_i |log((A^-1 pss)_i / pss_i)| (measured 1.7e-11 to
//     3.6e-11), which moves F by at most T times that;
//   - each F is a sum of n terms, rounded to within n u sum |terms| (u =
//     2^-53), twice.
//
// Where F is above 100 times that bound it must fall by more than it.
func TestCase9FreeEnergy(t *testing.T) {
	const T = 0.5
	const u = 0x1p-53 // unit round-off
	m, err := potentials.New("double-well", nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGrid(m.Box, []int{64, 64}, false)
	if err != nil {
		t.Fatal(err)
	}
	op, err := NewOperator(context.Background(), m, T, g)
	if err != nil {
		t.Fatal(err)
	}
	st, err := op.SteadyState(context.Background(), SteadyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n, vol := g.Len(), g.CellVolume()
	pss := make([]float64, n)
	for i, r := range st.Rho {
		pss[i] = r * vol
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
			const steps = 40
			ev, err := op.Evolve(context.Background(), tc.p0, pss, EvolveOptions{Dt: tc.dt, Steps: steps, Every: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(ev.Frames) != steps+1 || len(ev.Snapshots) != steps+1 || len(ev.SnapshotSteps) != steps+1 {
				t.Fatalf("%d frames, %d snapshots, want %d of each", len(ev.Frames), len(ev.Snapshots), steps+1)
			}
			// How far A^-1 moves pss: one step from pss.
			one, err := op.Evolve(context.Background(), pss, pss, EvolveOptions{Dt: tc.dt, Steps: 1})
			if err != nil {
				t.Fatal(err)
			}
			keep := 0.0
			for i, v := range one.Final {
				keep = math.Max(keep, math.Abs(math.Log(v/pss[i])))
			}
			prev := make([]float64, n)
			lp := make([]float64, n)
			maxRes := 0.0
			for k, rho := range ev.Snapshots {
				if ev.SnapshotSteps[k] != k {
					t.Fatalf("snapshot %d is of step %d", k, ev.SnapshotSteps[k])
				}
				p := make([]float64, n)
				for i, r := range rho {
					p[i] = r * vol
				}
				fr := ev.Frames[k]
				// The mass is reset to the previous total at every step; each
				// total of 4096 terms is rounded by about sqrt(n) u = 7e-15,
				// a random walk over 40 steps, sqrt(40) 7e-15 = 4.5e-14:
				// measured at most 1.2e-14, hence 1e-13.
				if math.Abs(fr.Mass-1) > 1e-13 {
					t.Errorf("step %d: mass %.16g", k, fr.Mass)
				}
				if !(fr.MinRho > 0) {
					t.Errorf("step %d: min rho %g", k, fr.MinRho)
				}
				// F recomputed here, to the rounding of two sums and of
				// rho = p / vol (2 u per term): measured at most 4.4e-16.
				f, fabs, logMax := 0.0, 0.0, 0.0
				for i, v := range p {
					l := math.Log(v / pss[i])
					f += v * l
					fabs += v * (math.Abs(l) + 1)
					logMax = math.Max(logMax, math.Abs(l+1))
				}
				f *= T
				round := float64(n+2) * u * T * fabs
				if math.Abs(f-fr.FreeEnergy) > round {
					t.Errorf("step %d: frame F %.17g, recomputed %.17g, beyond the rounding %.3g", k, fr.FreeEnergy, f, round)
				}
				if k > 0 {
					op.gen.MulVec(lp, p)
					r2, r1, b2 := 0.0, 0.0, 0.0
					for i := range p {
						r := prev[i] - p[i] + tc.dt*lp[i]
						r2 += r * r
						r1 += math.Abs(r)
						b2 += prev[i] * prev[i]
					}
					res := math.Sqrt(r2 / b2)
					maxRes = math.Max(maxRes, res)
					if !(res <= StepResidualLimit) {
						t.Errorf("step %d: (I - dt L) p_k = p_{k-1} holds to a relative residual %.3g, beyond %g", k, res, StepResidualLimit)
					}
					bound := T*(logMax*r1+keep) + 2*round
					fPrev := ev.Frames[k-1].FreeEnergy
					if fr.FreeEnergy > fPrev+bound {
						t.Errorf("step %d: free energy rose from %.15g to %.15g, beyond the bound %.3g", k, fPrev, fr.FreeEnergy, bound)
					}
					if fPrev > 100*bound && !(fr.FreeEnergy < fPrev-bound) {
						t.Errorf("step %d: free energy %.15g -> %.15g did not fall by more than its bound %.3g", k, fPrev, fr.FreeEnergy, bound)
					}
				}
				copy(prev, p)
			}
			// The evidence reported by Evolve: its largest step residual is the
			// one recomputed here, up to the mass reset after the solve (a
			// relative change of p by MaxMassCorrection, which changes the
			// residual by as much) and rounding (measured differences at most
			// 1.1e-16, so 1e-15).
			if d := math.Abs(maxRes - ev.MaxStepResidual); d > ev.MaxMassCorrection+1e-15 {
				t.Errorf("reported max step residual %.6g, recomputed %.6g", ev.MaxStepResidual, maxRes)
			}
			// The mass reset: a step solved to a relative residual of 1e-12
			// moves mass by |sum r| <= sqrt(n) ||r||_2 <= 6.4e-11 at most, and
			// far less as sum r cancels: measured at most 9.4e-14 (gaussian,
			// dt = 0.02), hence 1e-12.
			if ev.MaxMassCorrection > 1e-12 {
				t.Errorf("max mass correction %.3g", ev.MaxMassCorrection)
			}
			for i, v := range ev.Final {
				// rho = p / vol and back: two roundings, at most 2 u relative.
				if math.Abs(v-ev.Snapshots[steps][i]*vol) > 2*u*v {
					t.Fatalf("final node %d: %g, last snapshot %g", i, v, ev.Snapshots[steps][i]*vol)
				}
			}
			f0, last := ev.Frames[0].FreeEnergy, ev.Frames[steps]
			t.Logf("F: %.4g -> %.4g after %d steps of %g (%d iterations); step residuals at most %.3g; A^-1 keeps pss to %.2g",
				f0, last.FreeEnergy, steps, tc.dt, ev.Iterations, maxRes, keep)
		})
	}
	// Snapshots every 15 steps of 40: the initial, 15, 30 and the final one.
	ev, err := op.Evolve(context.Background(), gauss, pss, EvolveOptions{Dt: 0.02, Steps: 40, Every: 15})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 15, 30, 40}; !reflect.DeepEqual(ev.SnapshotSteps, want) || len(ev.Snapshots) != len(want) || len(ev.Frames) != 41 {
		t.Errorf("snapshots at %v (%d), %d frames; want %v and 41 frames", ev.SnapshotSteps, len(ev.Snapshots), len(ev.Frames), want)
	}
}

// TestCase10Transients: for b = -A x and constant D a Gaussian stays
// Gaussian, m' = -A m, Sigma' = -A Sigma - Sigma A^T + 2 T D (validation case 10
// of the README). The implicit Euler step maps the moments exactly as
// m_{n+1} = (I + dt A)^-1 m_n and
// (I + dt A) S_{n+1} + dt S_{n+1} A^T = S_n + 2 T D dt (S the second
// moment), so comparing the grid's moments with that recursion, started
// from the grid's own initial moments, isolates the spatial error, which
// must be second order. The recursion (a Kronecker-product solve) is itself
// checked against its closed form for the diagonal A of the gyrator, and A
// and D against the model.
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
	// A and D are the gyrator's: its drift is -A x and its diffusion D at
	// any point, exactly (the entries of A are 0, 1 and 4, so every
	// product is exact).
	for _, x := range [][]float64{{0.3, -0.7}, {1.25, 2}, {-3, 0.5}} {
		b, d := make([]float64, 2), make([]float64, 4)
		m.Drift(b, x)
		m.Diffusion(d, x)
		if b[0] != -(a[0]*x[0]+a[1]*x[1]) || b[1] != -(a[2]*x[0]+a[3]*x[1]) || !reflect.DeepEqual(d, dm[:]) {
			t.Fatalf("gyrator at %v: drift %v, D %v; want -A x with A = %v and D = %v", x, b, d, a, dm)
		}
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

	// The recursion against its closed form. With A = diag(a1, a2) the
	// Sylvester equation decouples: m_i(n) = m_i(0) / (1 + dt a_i)^n and
	// S_ij(n) = S*_ij (1 - 1/(1 + dt (a_i + a_j))^n) from S(0) = 0, with the
	// fixed point S*_ij = 2 T D_ij / (a_i + a_j). 20 steps of a 4 x 4 LU
	// solve and the closed form's math.Pow each round a few times per step:
	// measured at most 7.8e-16 relative (S_11; 3.5 eps), so 1e-14 keeps a
	// factor 13 over the rounding and is far below any wrong coefficient.
	mean := [2]float64{1, 0.5}
	var s [4]float64
	for k := 0; k < steps; k++ {
		mean, s = step(mean, s)
	}
	diag := [2]float64{a[0], a[3]}
	idx := [2][2]int{{0, 1}, {2, 3}}
	for i := 0; i < 2; i++ {
		want := [2]float64{1, 0.5}[i] / math.Pow(1+dt*diag[i], steps)
		if !(math.Abs(mean[i]-want) <= 1e-14*math.Abs(want)) {
			t.Errorf("recursion mean %d = %.17g, closed form %.17g", i, mean[i], want)
		}
		for j := 0; j < 2; j++ {
			c := diag[i] + diag[j]
			want := 2 * T * dm[idx[i][j]] / c * (1 - 1/math.Pow(1+dt*c, steps))
			if !(math.Abs(s[idx[i][j]]-want) <= 1e-14*math.Abs(want)) {
				t.Errorf("recursion S_%d%d = %.17g, closed form %.17g", i+1, j+1, s[idx[i][j]], want)
			}
		}
	}
}
