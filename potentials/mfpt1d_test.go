package potentials

import (
	"errors"
	"math"
	"testing"
)

// model1D returns the 1-D model dX = b dt + sqrt(2 T D) dW.
func model1D(b, D func(x float64) float64) Model {
	return Model{
		Name:      "1-D test",
		Dim:       1,
		Drift:     func(dst, x []float64) { dst[0] = b(x[0]) },
		Diffusion: func(dst, x []float64) { dst[0] = D(x[0]) },
	}
}

// firstPassage calls FirstPassage1D and fails the test on an error.
func firstPassage(t *testing.T, m Model, T, wall, target float64) *FirstPassage {
	t.Helper()
	f, err := FirstPassage1D(m, T, wall, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFirstPassageClosedForms checks FirstPassage1D against two closed
// forms, at the nodes and through At between them:
//
//   - pure diffusion, b = 0, D = 1, reflecting at l, absorbing at a:
//     tau(x) = (a - x)(a + x - 2l) / (2T) (T tau_xx = -1, tau'(l) = 0,
//     tau(a) = 0), a quadratic, which the fourth-order rule integrates
//     exactly: to 1e-13 relative;
//   - constant drift b = v, D = 1: T tau_xx + v tau' = -1 with tau'(l) = 0
//     gives tau' = (exp(-v (x - l)/T) - 1)/v and
//     tau(x) = (a - x)/v - (T/v^2)(exp(-v (x - l)/T) - exp(-v (a - l)/T)).
//     With v = -0.8 (away from the target), T = 0.3, a - l = 3, tau grows
//     as exp(8): to 1e-9 relative, the rule's tolerance 1e-10 with room
//     for the interpolation of At.
//
// Both also with the target to the left, by the mirror image x -> -x.
func TestFirstPassageClosedForms(t *testing.T) {
	const T = 0.3
	for _, c := range []struct {
		name   string
		v      float64 // constant drift toward +x
		wall   float64
		target float64
		tau    func(x float64) float64
		tol    float64
	}{
		{"diffusion, target right", 0, -1, 2, func(x float64) float64 { return (2 - x) * (2 + x + 2) / (2 * T) }, 1e-13},
		{"diffusion, target left", 0, 2, -1, func(x float64) float64 { return (x + 1) * (5 - x) / (2 * T) }, 1e-13},
		{"drift away, target right", -0.8, -1, 2, func(x float64) float64 {
			const v, l, a = -0.8, -1.0, 2.0
			return (a-x)/v - T/(v*v)*(math.Exp(-v*(x-l)/T)-math.Exp(-v*(a-l)/T))
		}, 1e-9},
		// Mirror: b = +0.8 pushes away from a target at -1, wall at 2.
		{"drift away, target left", 0.8, 2, -1, func(x float64) float64 {
			const v, l, a = -0.8, -2.0, 1.0
			x = -x
			return (a-x)/v - T/(v*v)*(math.Exp(-v*(x-l)/T)-math.Exp(-v*(a-l)/T))
		}, 1e-9},
	} {
		m := model1D(func(float64) float64 { return c.v }, func(float64) float64 { return 1 })
		f := firstPassage(t, m, T, c.wall, c.target)
		worst := 0.0
		for i, x := range f.X {
			worst = math.Max(worst, math.Abs(f.Tau[i]-c.tau(x))/c.tau(c.wall))
		}
		for k := 0; k <= 100; k++ {
			x := c.wall + (c.target-c.wall)*float64(k)/100*0.999
			worst = math.Max(worst, math.Abs(f.At(x)-c.tau(x))/c.tau(c.wall))
		}
		t.Logf("%s: tau(wall) = %.10g, %d intervals, largest error %.2g of tau(wall), AbsErr %.2g", c.name, f.Tau[0], len(f.X)-1, worst, f.AbsErr/f.Tau[0])
		if !(worst <= c.tol) {
			t.Errorf("%s: largest error %.3g of tau(wall), want <= %g", c.name, worst, c.tol)
		}
		if f.Tau[len(f.Tau)-1] != 0 || f.Slope[0] != 0 {
			t.Errorf("%s: tau(target) = %g, tau'(wall) = %g; want 0 and 0", c.name, f.Tau[len(f.Tau)-1], f.Slope[0])
		}
		if !math.IsNaN(f.At(c.target + (c.target - c.wall))) {
			t.Errorf("%s: At beyond the target is not NaN", c.name)
		}
	}
}

// TestFirstPassageStateDependent checks FirstPassage1D with a
// state-dependent D against independent SciPy values
// (potentials/testdata/escape_check.py, part 1): b = x - x^3,
// D = 1 + 0.5 sin(2x). The reference is the nested quad of the closed
// form and, in agreement with it to 1e-13, the backward equation
// integrated as an initial-value problem from the wall (solve_ivp, Radau,
// rtol 1e-12), which checks the Ito stationary density the closed form
// rests on. Tolerance 1e-9 relative.
func TestFirstPassageStateDependent(t *testing.T) {
	m := model1D(func(x float64) float64 { return x - x*x*x }, func(x float64) float64 { return 1 + 0.5*math.Sin(2*x) })
	for _, c := range []struct {
		T, wall, target float64
		x, tau          []float64
	}{
		{0.5, -2.5, 1, []float64{-1, 0, 0.5}, []float64{12.3763335022365, 7.57696234587614, 3.54751219157287}},
		{0.2, -2.5, 1, []float64{-1, 0, 0.5}, []float64{57.7280754386949, 34.6414251270585, 13.0659632633839}},
		{0.5, 2.5, -1, []float64{1, 0, -0.5}, []float64{5.04598664560469, 3.22019968792715, 1.59645372846048}},
	} {
		f := firstPassage(t, m, c.T, c.wall, c.target)
		for i, x := range c.x {
			got := f.At(x)
			t.Logf("T = %g, wall %g, target %g: tau(%g) = %.15g, SciPy %.15g, relative difference %.1e", c.T, c.wall, c.target, x, got, c.tau[i], math.Abs(got-c.tau[i])/c.tau[i])
			if !(math.Abs(got-c.tau[i]) <= 1e-9*c.tau[i]) {
				t.Errorf("T = %g, wall %g, target %g: tau(%g) = %.15g, SciPy %.15g", c.T, c.wall, c.target, x, got, c.tau[i])
			}
		}
	}
}

// TestFirstPassageErrors checks the refusals: a 2-D model, a zero
// temperature, the wall on the target, a diffusion that vanishes, a
// drift that is not finite, and a tolerance the intervals cannot reach.
func TestFirstPassageErrors(t *testing.T) {
	good := model1D(func(x float64) float64 { return -x }, func(float64) float64 { return 1 })
	two, err := New("double-well", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name              string
		m                 Model
		T, wall, target   float64
		opt               *FirstPassageOptions
		notFinite, capped bool
	}{
		{"2-D model", two, 1, 0, 1, nil, false, false},
		{"T = 0", good, 0, 0, 1, nil, false, false},
		{"wall = target", good, 1, 1, 1, nil, false, false},
		{"D vanishes", model1D(func(float64) float64 { return 0 }, func(x float64) float64 { return x }), 1, -1, 1, nil, false, false},
		{"b infinite", model1D(func(x float64) float64 { return 1 / x }, func(float64) float64 { return 1 }), 1, -1, 1, nil, true, false},
		{"too few intervals", good, 0.001, -3, 1, &FirstPassageOptions{MaxIntervals: 128}, false, true},
	} {
		_, err := FirstPassage1D(c.m, c.T, c.wall, c.target, c.opt)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		var fe *FirstPassageError
		if errors.Is(err, ErrNotFinite) != c.notFinite || errors.As(err, &fe) != c.capped {
			t.Errorf("%s: error %q: wraps ErrNotFinite %v (want %v), *FirstPassageError %v (want %v)",
				c.name, err, errors.Is(err, ErrNotFinite), c.notFinite, errors.As(err, &fe), c.capped)
		}
	}
}
