package potentials

import (
	"math"
	"testing"
)

// TestSharpFlatCriticalPoints checks the critical points the doc comment
// states, found by FindTransition from starts off the axis, for kappa = 1,
// 10 and 200: minima (-1, 0) and (1, 0) with f = 0 and Hessians
// kappa^(∓1/2) diag(2, 1), the saddle (0, 0) with f = 1/4 and Hessian
// diag(-1, 1), positions to 1e-10 (with the closed-form Hessian and with
// central differences of the gradient), Hessians to 1e-12 relative, the
// barrier 1/4 from both minima.
func TestSharpFlatCriticalPoints(t *testing.T) {
	for _, kappa := range []float64{1, 10, 200} {
		w, err := NewSharpFlat(kappa, 1, 0.1, 0)
		if err != nil {
			t.Fatal(err)
		}
		fd, err := LossPotential(w.Model())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []Potential{w.Potential(), fd} {
			tr, err := FindTransition(p, []float64{-1.3, 0.4}, []float64{0.8, -0.3}, nil)
			if err != nil {
				t.Fatalf("kappa = %g: %v", kappa, err)
			}
			checkPoint(t, "flat minimum", tr.From.X, []float64{-1, 0}, 1e-10)
			checkPoint(t, "sharp minimum", tr.To.X, []float64{1, 0}, 1e-10)
			checkPoint(t, "saddle", tr.Saddle.X, []float64{0, 0}, 1e-10)
			if math.Abs(tr.Barrier()-0.25) > 1e-14 || math.Abs(tr.Reverse().Barrier()-0.25) > 1e-14 {
				t.Errorf("kappa = %g: barriers %.17g, %.17g, want 1/4", kappa, tr.Barrier(), tr.Reverse().Barrier())
			}
			if p.Hess == nil {
				continue // the central differences are checked in TestSharpFlatHessian
			}
			s := math.Sqrt(kappa)
			checkMatrix(t, "Hess f(-1, 0)", tr.From.Hess, []float64{2 / s, 0, 0, 1 / s}, 1e-12)
			checkMatrix(t, "Hess f(1, 0)", tr.To.Hess, []float64{2 * s, 0, 0, s}, 1e-12*s)
			checkMatrix(t, "Hess f(0, 0)", tr.Saddle.Hess, []float64{-1, 0, 0, 1}, 1e-12)
		}
	}
}

// TestSharpFlatOnlyThreeCriticalPoints starts Newton's method on grad f
// from a 15 x 15 grid over the default box, for kappa = 10 and 200: every
// start that converges must reach one of the three critical points.
func TestSharpFlatOnlyThreeCriticalPoints(t *testing.T) {
	for _, kappa := range []float64{10, 200} {
		w, err := NewSharpFlat(kappa, 1, 0.1, 0)
		if err != nil {
			t.Fatal(err)
		}
		p := w.Potential()
		found := map[[2]float64]int{}
		for _, x0 := range boxGrid(w.Box(), 15) {
			c, err := FindCritical(p, x0)
			if err != nil {
				continue
			}
			k := [2]float64{math.Round(c.X[0]*1e8) / 1e8, math.Round(c.X[1]*1e8) / 1e8}
			if k[1] == 0 {
				k[1] = 0 // -0
			}
			found[k]++
		}
		for k := range found {
			if k != [2]float64{-1, 0} && k != [2]float64{1, 0} && k != [2]float64{0, 0} {
				t.Errorf("kappa = %g: a critical point at %v (reached %d times)", kappa, k, found[k])
			}
		}
		t.Logf("kappa = %g: critical points reached from 225 starts: %v", kappa, found)
		if len(found) != 3 {
			t.Errorf("kappa = %g: critical points reached %v, want the three", kappa, found)
		}
	}
}

// TestSharpFlatHessian compares the closed-form Hessian with central
// differences of the gradient (Potential.Hessian without Hess), relative
// 1e-6 of the largest entry, at the probe points of the default box.
func TestSharpFlatHessian(t *testing.T) {
	for _, kappa := range []float64{1, 10, 200} {
		w, err := NewSharpFlat(kappa, 1, 0.1, 0)
		if err != nil {
			t.Fatal(err)
		}
		p := w.Potential()
		fd := Potential{Dim: 2, U: p.U, Grad: p.Grad}
		h, hf := make([]float64, 4), make([]float64, 4)
		for _, x := range probePoints(w.Box()) {
			p.Hessian(h, x)
			fd.Hessian(hf, x)
			scale := math.Max(maxAbs(h), 1)
			for i := range h {
				if math.Abs(h[i]-hf[i]) > 1e-6*scale {
					t.Errorf("kappa = %g, at %v: Hess %v, central differences %v", kappa, x, h, hf)
					break
				}
			}
		}
	}
}

// TestSharpFlatNoise checks the diffusion the doc comment states: at the
// minima D = c Hess f + eps I (aligned with the Hessian: the Gauss–Newton
// matrix equals the Hessian where the residuals vanish), at the saddle
// diag(eps, c + eps) (the residual along x is stationary there), and with
// iso = 1 the isotropic matrix of the same trace at every probe point.
func TestSharpFlatNoise(t *testing.T) {
	const c, eps = 0.7, 0.05
	w, err := NewSharpFlat(10, c, eps, 0)
	if err != nil {
		t.Fatal(err)
	}
	iso, err := NewSharpFlat(10, c, eps, 1)
	if err != nil {
		t.Fatal(err)
	}
	h, D := make([]float64, 4), make([]float64, 4)
	for _, x := range [][]float64{{-1, 0}, {1, 0}} {
		w.Hess(h, x)
		w.Diffusion(D, x)
		want := []float64{c*h[0] + eps, c * h[1], c * h[2], c*h[3] + eps}
		checkMatrix(t, "D at a minimum", D, want, 1e-14)
	}
	w.Diffusion(D, []float64{0, 0})
	checkMatrix(t, "D at the saddle", D, []float64{eps, 0, 0, c + eps}, 1e-15)
	Di := make([]float64, 4)
	for _, x := range probePoints(w.Box()) {
		w.Diffusion(D, x)
		iso.Diffusion(Di, x)
		tr := (D[0] + D[3]) / 2
		checkMatrix(t, "iso D", Di, []float64{tr, 0, 0, tr}, 1e-13*tr)
	}
}
