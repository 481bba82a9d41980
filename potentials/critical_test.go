package potentials

import (
	"errors"
	"math"
	"testing"
)

// lossPotential returns the loss of the named landscape as a Potential.
func lossPotential(t *testing.T, name string, set map[string]float64) Potential {
	t.Helper()
	m, err := New(name, set)
	if err != nil {
		t.Fatal(err)
	}
	p, err := LossPotential(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkPoint asserts |got - want| <= tol in every coordinate.
func checkPoint(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= tol) {
			t.Errorf("%s at %v, want %v (tolerance %g)", what, got, want, tol)
			return
		}
	}
}

// checkMatrix asserts every entry of got within tol of want.
func checkMatrix(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= tol) {
			t.Errorf("%s = %v, want %v (tolerance %g)", what, got, want, tol)
			return
		}
	}
}

// TestTransitionDoubleWell finds the critical points of the built-in
// double well f = (x^2 - 1)^2/4 + y^2/2 from starts off the axis: minima
// (±1, 0) with f = 0 and Hessian diag(2, 1), the saddle (0, 0) with
// f = 1/4 and Hessian diag(-1, 1), to 1e-10 (positions) and to the
// central-difference error of the Hessian (1e-8; the loss has no
// closed-form Hessian in the model).
func TestTransitionDoubleWell(t *testing.T) {
	p := lossPotential(t, "double-well", nil)
	tr, err := FindTransition(p, []float64{-1.4, 0.6}, []float64{0.7, -0.5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkPoint(t, "From", tr.From.X, []float64{-1, 0}, 1e-10)
	checkPoint(t, "To", tr.To.X, []float64{1, 0}, 1e-10)
	checkPoint(t, "Saddle", tr.Saddle.X, []float64{0, 0}, 1e-10)
	checkMatrix(t, "Hess f(From)", tr.From.Hess, []float64{2, 0, 0, 1}, 1e-8)
	checkMatrix(t, "Hess f(Saddle)", tr.Saddle.Hess, []float64{-1, 0, 0, 1}, 1e-8)
	if tr.From.Index != 0 || tr.To.Index != 0 || tr.Saddle.Index != 1 {
		t.Errorf("indices %d, %d, %d; want 0, 0, 1", tr.From.Index, tr.To.Index, tr.Saddle.Index)
	}
	if math.Abs(tr.Barrier()-0.25) > 1e-14 || math.Abs(tr.Reverse().Barrier()-0.25) > 1e-14 {
		t.Errorf("barriers %.17g and %.17g, want 1/4", tr.Barrier(), tr.Reverse().Barrier())
	}
	if tr.Saddle.GradNorm > 1e-14 {
		t.Errorf("|grad f| at the saddle = %g", tr.Saddle.GradNorm)
	}
	// The path runs from minimum to minimum along y = 0 (the
	// minimum-energy path of this separable loss).
	if n := len(tr.Path); n != 41 {
		t.Fatalf("%d images, want the default 41", n)
	}
	for _, x := range tr.Path {
		if math.Abs(x[1]) > 1e-6 {
			t.Errorf("path image %v is off the axis y = 0", x)
			break
		}
	}
}

// TestTransitionMullerBrown checks the string method on a curved path: the
// unscaled Müller–Brown potential, from its deep minimum to the one near
// (0.623, 0.028), goes over the saddles near (-0.822, 0.624) and
// (0.212, 0.293) through the shallow minimum near (-0.050, 0.467) (Müller
// & Brown 1979, quoted to 3 decimals: positions to 5e-4, V to the 0.01 of
// the quoted -40.66, -72.25). Between neighbouring minima FindTransition
// finds each saddle; it refuses two starts in one basin.
func TestTransitionMullerBrown(t *testing.T) {
	p := lossPotential(t, "muller-brown", map[string]float64{"scale": 1})
	for _, c := range []struct {
		a, b, s []float64
		v       float64
	}{
		{[]float64{-0.56, 1.44}, []float64{-0.05, 0.47}, []float64{-0.822, 0.624}, -40.66},
		{[]float64{-0.05, 0.47}, []float64{0.62, 0.03}, []float64{0.212, 0.293}, -72.25},
	} {
		tr, err := FindTransition(p, c.a, c.b, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkPoint(t, "Müller–Brown saddle", tr.Saddle.X, c.s, 5e-4)
		if math.Abs(tr.Saddle.U-c.v) > 0.01 || tr.Saddle.Index != 1 || tr.Saddle.GradNorm > 1e-10 {
			t.Errorf("saddle %v: V = %.4f (want %.2f), index %d, |grad V| = %g", tr.Saddle.X, tr.Saddle.U, c.v, tr.Saddle.Index, tr.Saddle.GradNorm)
		}
	}
	if _, err := FindTransition(p, []float64{-0.55, 1.4}, []float64{-0.6, 1.5}, nil); err == nil {
		t.Error("two starts in the deep basin: no error")
	}
}

// TestFindMinimumErrors checks the typed errors: a saddle is no minimum,
// and a start from which the loss decreases without bound does not
// converge.
func TestFindMinimumErrors(t *testing.T) {
	p := lossPotential(t, "double-well", nil)
	c, err := FindCritical(p, []float64{0.1, 0.1})
	if err != nil || c.Index != 1 || math.Abs(c.X[0])+math.Abs(c.X[1]) > 1e-14 {
		t.Fatalf("FindCritical from (0.1, 0.1): %+v, %v; want the saddle (0, 0)", c, err)
	}
	if err := checkIndex(c, 0); err == nil {
		t.Error("the saddle passes as a minimum")
	} else {
		var ie *IndexError
		if !errors.As(err, &ie) || ie.Want != 0 || len(ie.Eigenvalues) != 2 {
			t.Errorf("error %v, want an *IndexError wanting index 0", err)
		}
	}
	unbounded := Potential{Dim: 1,
		U:    func(x []float64) float64 { return -x[0] },
		Grad: func(dst, x []float64) { dst[0] = -1 },
		Hess: func(dst, x []float64) { dst[0] = 0 },
	}
	var ce *ConvergenceError
	if _, err := FindMinimum(unbounded, []float64{0}); !errors.As(err, &ce) {
		t.Errorf("FindMinimum of U = -x: %v, want a *ConvergenceError", err)
	}
}
