package fokkerplanck

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// gyratorPeriod is 2 pi / sqrt(det M) for the gyrator of validation case 6
// (README, Validation) at T = 0.5.
const gyratorPeriod = 5.029002

// TestOrbits checks the orbit classification on the closed forms:
//   - gyrator (validation case 6): the orbits of j = M x are the
//     ellipses x^T Sigma^-1 x = const, period 2 pi / sqrt(det M); the drift
//     b = -A x is a stable node (fixed point);
//   - quadratic with D = I: j = 0, so there are no orbits of j;
//   - paper-fig4 (case 8) at lambda = 1.5, T = 1: j = lambda exp(Phi0 -
//     r^4/4) (-y, x), whose orbits are circles about 0, while the drift's
//     linearisation at 0, [[1, -c], [c, -1]] with c = lambda e^(1/4), has
//     trace 0 (a linear centre) and the cubic terms make 0 a weak focus:
//     the drift spirals in slowly, and must not be called closed.
func TestOrbits(t *testing.T) {
	cases := []struct {
		name      string
		landscape string
		set       map[string]float64
		T         float64
		box       potentials.Box // nil Min: the model's box
		n         int
		seeds     [][2]float64 // nil: AutoSeeds
		vanishes  bool
		// Force orbits: all closed, period within periodTol of period (if
		// > 0), phi_variation below phiTol.
		period, periodTol, phiTol float64
		// Drift orbits: every class drift, contraction in [cLo, cHi].
		drift    string
		cLo, cHi float64
	}{
		{name: "gyrator", landscape: "gyrator", T: 0.5, n: 192,
			period: gyratorPeriod, periodTol: 0.005, phiTol: 0.03, drift: ClassFixedPoint},
		{name: "quadratic D = I", landscape: "quadratic", T: 0.5, n: 64, vanishes: true, drift: ClassFixedPoint},
		{name: "paper-fig4 lambda 1.5", landscape: "paper-fig4", set: map[string]float64{"lambda": 1.5}, T: 1,
			box: potentials.NewBox(-3, 3, -3, 3), n: 96, seeds: [][2]float64{{0.1, 0}, {0.3, 0}, {0.5, 0}, {0, 0.8}},
			drift: ClassInwardSpiral, cLo: 0.6, cHi: 0.9999},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := potentials.New(c.landscape, c.set)
			if err != nil {
				t.Fatal(err)
			}
			box := c.box
			if box.Min == nil {
				box = m.Box
			}
			op, st := solveCase(t, m, c.T, box, c.n, false)
			fc, err := op.CheckForce(context.Background(), st, SteadyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("max |j| %.3g, two-grid error %.3g, max |b| %.3g, vanishes %v", fc.MaxForce, fc.ForceError, fc.MaxDrift, fc.Vanishes)
			if fc.Vanishes != c.vanishes {
				t.Fatalf("force vanishes = %v, want %v", fc.Vanishes, c.vanishes)
			}
			opt := OrbitOptions{Seeds: c.seeds, Check: &fc}
			force, err := op.Orbits(st, FieldForce, opt)
			if c.vanishes {
				if !errors.Is(err, ErrForceVanishes) || force != nil {
					t.Errorf("force orbits: %d orbits, error %v; want ErrForceVanishes", len(force), err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if len(force) == 0 {
					t.Fatal("no force orbits")
				}
				for _, o := range force {
					t.Logf("force seed %.3f: %s period %.5f closure %.3g (tol %.3g) contraction %.6f phi_variation %.3g",
						o.Seed, o.Class, o.Period, o.ClosureError, o.Tolerance, o.Contraction, o.PhiVariation)
					if o.Class != ClassClosed {
						t.Errorf("force seed %v: class %s, want closed", o.Seed, o.Class)
					}
					if c.period > 0 && math.Abs(o.Period/c.period-1) > c.periodTol {
						t.Errorf("force seed %v: period %v, want %v within %g", o.Seed, o.Period, c.period, c.periodTol)
					}
					if c.phiTol > 0 && !(o.PhiVariation < c.phiTol) {
						t.Errorf("force seed %v: phi_variation %v, want < %g", o.Seed, o.PhiVariation, c.phiTol)
					}
					if len(o.X) < 2 || len(o.X) > DefaultOrbitPoints || len(o.Phi) != len(o.X) || len(o.T) != len(o.X) {
						t.Errorf("force seed %v: %d points kept", o.Seed, len(o.X))
					}
				}
			}
			drift, err := op.Orbits(st, FieldDrift, OrbitOptions{Seeds: c.seeds})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range drift {
				t.Logf("drift seed %.3f: %s period %.5f closure %.3g (tol %.3g) contraction %.6f",
					o.Seed, o.Class, o.Period, o.ClosureError, o.Tolerance, o.Contraction)
				if o.Class != c.drift {
					t.Errorf("drift seed %v: class %s, want %s", o.Seed, o.Class, c.drift)
				}
				if c.drift == ClassInwardSpiral && !(o.Contraction >= c.cLo && o.Contraction <= c.cHi && o.ClosureError > 10*o.Tolerance) {
					t.Errorf("drift seed %v: contraction %v, closure %v (tol %v); want a slow inward spiral", o.Seed, o.Contraction, o.ClosureError, o.Tolerance)
				}
			}
		})
	}
}

// TestOrbitsGyratorConvergence checks that the errors of the gyrator's
// orbits of j are the scheme's: the period error and the variation of Phi
// along an orbit both fall at second order (ratio >= 3 on halving h), at
// 128 nodes the period is within 0.5% of 2 pi / sqrt(det M), and at 512
// nodes Phi is constant along the orbits within 1e-3 relative.
func TestOrbitsGyratorConvergence(t *testing.T) {
	m, err := potentials.New("gyrator", nil)
	if err != nil {
		t.Fatal(err)
	}
	seeds := [][2]float64{{0.7, 0}, {0, 0.7}}
	var perr, pvar [4][]float64
	for k, n := range []int{64, 128, 256, 512} {
		op, st := solveCase(t, m, 0.5, m.Box, n, false)
		os, err := op.Orbits(st, FieldForce, OrbitOptions{Seeds: seeds})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range os {
			if o.Class != ClassClosed {
				t.Errorf("n = %d, seed %v: class %s (closure %.3g, tol %.3g), want closed", n, o.Seed, o.Class, o.ClosureError, o.Tolerance)
			}
			e := math.Abs(o.Period/gyratorPeriod - 1)
			perr[k] = append(perr[k], e)
			pvar[k] = append(pvar[k], o.PhiVariation)
			t.Logf("n = %d, seed %v: period %.6f (error %.2e), closure %.2e, phi_variation %.2e", n, o.Seed, o.Period, e, o.ClosureError, o.PhiVariation)
			if n == 128 && e > 0.005 {
				t.Errorf("n = 128, seed %v: period error %.3g > 0.5%%", o.Seed, e)
			}
			if n == 512 && o.PhiVariation > 1e-3 {
				t.Errorf("n = 512, seed %v: Phi varies by %.3g along the orbit, want < 1e-3", o.Seed, o.PhiVariation)
			}
		}
	}
	for i := range seeds {
		for k := 0; k < 3; k++ {
			if r := perr[k][i] / perr[k+1][i]; r < 3 {
				t.Errorf("seed %v: period error ratio %.2f < 3", seeds[i], r)
			}
			if r := pvar[k][i] / pvar[k+1][i]; r < 3 {
				t.Errorf("seed %v: phi_variation ratio %.2f < 3", seeds[i], r)
			}
		}
	}
}

func TestOrbitsBadInput(t *testing.T) {
	m, _ := potentials.New("gyrator", nil)
	op, st := solveCase(t, m, 0.5, m.Box, 32, false)
	if _, err := op.Orbits(st, FieldForce, OrbitOptions{Seeds: [][2]float64{{100, 0}}}); err == nil {
		t.Error("seed outside the box: no error")
	}
	if _, err := op.Orbits(st, "curl", OrbitOptions{}); err == nil {
		t.Error("unknown field: no error")
	}
	if seeds := AutoSeeds(op.Grid, st); len(seeds) != 12 {
		t.Errorf("AutoSeeds: %d seeds, want 12 (4 rays x 3 distances around one minimum)", len(seeds))
	}
}
