package sde

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/sgdsde/sgdsde/potentials"
)

// nullCov returns the exact stationary covariance (C11, C12, C22) of the
// Euler–Maruyama chain of the isotropic null on a 2-D linreg,
//
//	e' = (I - h H) e + sqrt(2 h T c) z,   e = x - xhat,  z ~ N(0, I),
//
// the solution of C = (I - h H) C (I - h H) + 2 h T c I, which in the
// eigenbasis of H is C = 2 T c (H (2 I - h H))^-1; h -> 0 gives T c H^-1,
// the covariance of exp(-f/(T c)).
func nullCov(H *mat.SymDense, h, Tc float64) [3]float64 {
	var eig mat.EigenSym
	if !eig.Factorize(H, true) {
		panic("eigen")
	}
	var Q mat.Dense
	eig.VectorsTo(&Q)
	lam := eig.Values(nil)
	var C [3]float64
	for i, l := range lam {
		v := 2 * Tc / (l * (2 - h*l))
		q0, q1 := Q.At(0, i), Q.At(1, i)
		C[0] += v * q0 * q0
		C[1] += v * q0 * q1
		C[2] += v * q1 * q1
	}
	return C
}

// oldNullCov returns the exact stationary covariance of the former null,
// isotropic noise at the current state, e' = (I - h H) e +
// sqrt(2 h T tr D(x)/d) z: since E e = 0 and tr D(xhat + e) = tr Dhat +
// (1/N) sum_k |a_k|^2 (2 rhat_k a_k.e + (a_k.e)^2) - |H e|^2, its C solves
//
//	C = (I - h H) C (I - h H) + (2 h T / d) (tr Dhat + (1/N) sum_k |a_k|^2 a_k^T C a_k - tr(H C H)) I,
//
// found here by iterating the map (a contraction for these h and T).
func oldNullCov(m *linregMoments, h, T float64) [3]float64 {
	l := m.l
	n := l.Samples()
	H := m.H
	trDhat := m.Dhat.At(0, 0) + m.Dhat.At(1, 1)
	c := mat.NewDense(2, 2, nil)
	P := mat.NewDense(2, 2, nil)
	P.Scale(-h, H)
	P.Set(0, 0, 1+P.At(0, 0))
	P.Set(1, 1, 1+P.At(1, 1))
	for it := 0; it < 100000; it++ {
		var a, next, hch mat.Dense
		a.Mul(P, c)
		next.Mul(&a, P)
		hch.Mul(H, c)
		hch.Mul(&hch, H)
		q := 0.0
		for k := 0; k < n; k++ {
			ak := l.A[2*k : 2*k+2]
			n2 := ak[0]*ak[0] + ak[1]*ak[1]
			q += n2 * (ak[0]*ak[0]*c.At(0, 0) + 2*ak[0]*ak[1]*c.At(0, 1) + ak[1]*ak[1]*c.At(1, 1)) / float64(n)
		}
		s := 2 * h * T / 2 * (trDhat + q - (hch.At(0, 0) + hch.At(1, 1)))
		next.Set(0, 0, next.At(0, 0)+s)
		next.Set(1, 1, next.At(1, 1)+s)
		diff := math.Abs(next.At(0, 0)-c.At(0, 0)) + math.Abs(next.At(0, 1)-c.At(0, 1)) + math.Abs(next.At(1, 1)-c.At(1, 1))
		c = &next
		if diff < 1e-16 {
			break
		}
	}
	return [3]float64{c.At(0, 0), c.At(0, 1), c.At(1, 1)}
}

// TestIsotropicNullStationaryLaw checks that the isotropic null
// (NoiseIsotropic) is the process it claims, constant isotropic noise
// sqrt(2 T c) dW with c = tr D(X0)/d, whose law is exp(-f/(T c))/Z: on a 2-D
// linreg (N = 200, quadratic loss with Hessian H) started at the
// least-squares solution xhat, with h = lr = 0.4 and b = 1 (T = 0.2), the
// covariance of the recorded states about xhat (the exact stationary mean:
// the drift is linear) must match the exact stationary covariance C_h of
// the Euler–Maruyama chain (nullCov) within 4 standard errors in each
// entry. The standard error comes from the spread of the 64 per-chain
// estimates (each a time average of 8000 steps after a burn-in of 200 steps,
// 20 relaxation times 1/(h lambda_min)), which are independent, so it
// accounts for the autocorrelation within a chain; with 64 chains a 4-sigma
// excursion in one of 3 entries has probability about 5e-4. The test also
// shows that it can tell the former null, isotropic noise sqrt(2 T tr D(x)/d)
// at the current state, apart: that chain's exact covariance (oldNullCov)
// must lie more than 6 standard errors from the measured one in some entry.
func TestIsotropicNullStationaryLaw(t *testing.T) {
	l, err := potentials.NewLinReg(200, 2, 10, 0.5, 21)
	if err != nil {
		t.Fatal(err)
	}
	m := newLinregMoments(t, l)
	const lr, b, chains, steps = 0.4, 1, 64, 8000
	p := &SGDProblem{Model: l, LR: lr, Batch: b, X0: m.xhat, BurnIn: 200, Steps: steps}
	T, err := p.Temperature()
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.IsotropicScale()
	if err != nil {
		t.Fatal(err)
	}
	if want := (m.Dhat.At(0, 0) + m.Dhat.At(1, 1)) / 2; math.Abs(c-want) > 1e-12*want {
		t.Fatalf("IsotropicScale %v, want tr D(xhat)/d = %v", c, want)
	}
	res, err := (&SGDRun{N: chains, Seed: 31, Record: chains, Every: 1}).SDE(context.Background(), p, NoiseIsotropic)
	if err != nil {
		t.Fatal(err)
	}
	// Per-chain second moments about xhat, then their mean and standard
	// error over the chains.
	var sum, sum2 [3]float64
	for k := 0; k < chains; k++ {
		var e [3]float64
		for s := 0; s < res.RecordLen; s++ {
			x := res.Traj[(k*res.RecordLen+s)*2:]
			u, v := x[0]-m.xhat[0], x[1]-m.xhat[1]
			e[0] += u * u
			e[1] += u * v
			e[2] += v * v
		}
		for i := range e {
			e[i] /= float64(res.RecordLen)
			sum[i] += e[i]
			sum2[i] += e[i] * e[i]
		}
	}
	var mean, se [3]float64
	for i := range mean {
		mean[i] = sum[i] / chains
		se[i] = math.Sqrt((sum2[i]/chains - mean[i]*mean[i]) * chains / (chains - 1) / chains)
	}
	want := nullCov(m.H, lr, T*c)
	cont := nullCov(m.H, 0, T*c)
	old := oldNullCov(m, lr, T)
	zNew, zOld := 0.0, 0.0
	for i := range mean {
		zNew = math.Max(zNew, math.Abs(mean[i]-want[i])/se[i])
		zOld = math.Max(zOld, math.Abs(mean[i]-old[i])/se[i])
	}
	t.Logf("T = %.3g, c = %.4g; measured C = %.5g ± %.2g; exact EM C_h = %.5g (continuous T c H^-1 = %.5g); former null's C = %.5g",
		T, c, mean, se, want, cont, old)
	t.Logf("max |z| against C_h: %.2f; against the former null: %.1f", zNew, zOld)
	if zNew > 4 {
		t.Errorf("covariance %v ± %v misses the exact C_h = %v by %.2f standard errors", mean, se, want, zNew)
	}
	if zOld < 6 {
		t.Errorf("the test cannot tell the former state-dependent null apart: its covariance %v is only %.1f standard errors away", old, zOld)
	}
}
