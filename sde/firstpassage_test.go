package sde

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// driftedBM returns dX = b dt + sqrt(2 T D) dW with constant b and D: in
// 1-D (b, D scalars) or 2-D (b = (b1, b2), D = [[d11, d12], [d12, d22]]),
// the latter with or without the scalar fast paths.
func driftedBM(b []float64, dm []float64, fast bool) potentials.Model {
	d := len(b)
	m := potentials.Model{
		Name: "drifted-bm", Dim: d,
		Drift:     func(dst, x []float64) { copy(dst, b) },
		Diffusion: func(dst, x []float64) { copy(dst, dm) },
	}
	if fast && d == 2 {
		m.Drift2 = func(x, y float64) (float64, float64) { return b[0], b[1] }
		m.Diffusion2 = func(x, y float64) (float64, float64, float64) { return dm[0], dm[1], dm[3] }
	}
	return m
}

// igLaw is the law of the first-passage time of a Brownian motion with
// drift -mu (mu > 0) towards a level at distance a, with variance s2 per
// unit time: the inverse Gaussian law with mean a/mu and shape a^2/s2
// (Schrödinger 1915; Chhikara & Folks, "The Inverse Gaussian
// Distribution", 1989, Ch. 2).
type igLaw struct{ a, mu, s2 float64 }

// phi is the standard normal distribution function.
func phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// survival returns P(tau > t) = Phi((a - mu t)/(s sqrt t)) -
// exp(2 mu a/s2) Phi(-(a + mu t)/(s sqrt t)).
func (g igLaw) survival(t float64) float64 {
	if t <= 0 {
		return 1
	}
	s := math.Sqrt(g.s2 * t)
	return phi((g.a-g.mu*t)/s) - math.Exp(2*g.mu*g.a/g.s2)*phi(-(g.a+g.mu*t)/s)
}

// density returns the density a/sqrt(2 pi s2 t^3) exp(-(a - mu t)^2/(2 s2 t)).
func (g igLaw) density(t float64) float64 {
	return g.a / math.Sqrt(2*math.Pi*g.s2*t*t*t) * math.Exp(-(g.a-g.mu*t)*(g.a-g.mu*t)/(2*g.s2*t))
}

// simpson integrates f over [a, b] with n (even) intervals.
func simpson(f func(float64) float64, a, b float64, n int) float64 {
	h := (b - a) / float64(n)
	s := f(a) + f(b)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		s += w * f(a+float64(i)*h)
	}
	return s * h / 3
}

// TestFirstPassageDriftedBM checks the corrected first-passage law against
// the closed form. For a Brownian motion with constant drift and
// diffusion and a flat boundary, Euler–Maruyama is exact at the steps, the
// path between steps is exactly the Brownian bridge, and the bridge
// correction draws the crossing and its time from their exact laws: the
// corrected times are inverse Gaussian at any dt, here the coarse
// dt = 0.1 (a tenth of the MFPT). Cases: dX = -dt + dW in 1-D from x0 = 1
// to x <= 0 (MFPT 1, shape 1), and in 2-D the drift b = (-1, -0.5) with
// D = [[1, 0.3], [0.3, 0.5]] at T = 0.5 from (1, 0.5) to the tilted
// half-plane (1, 2) . x <= 0, on both 2-D kernels: along the unit normal
// n = (1, 2)/sqrt 5 the distance is a = 2/sqrt 5, the drift
// n . b = -2/sqrt 5 and the variance 2 T n^T D n = 0.84, so the MFPT is 1
// and the shape 0.8/0.84. This also checks the normal and n^T D n of the
// bridge.
//
// With 40000 trajectories: the mean within 4 standard errors of the MFPT;
// S(t) at 20 grid times within 4.5 binomial standard errors
// sqrt(S (1 - S)/n) (4.5 for 20 comparisons); the median within 4 of its
// asymptotic standard error 1/(2 f(m) sqrt n).
func TestFirstPassageDriftedBM(t *testing.T) {
	const n = 40000
	cases := []struct {
		name   string
		model  potentials.Model
		x0     []float64
		target Target
		law    igLaw
	}{
		{"1-D", driftedBM([]float64{-1}, []float64{1}, false), []float64{1}, HalfSpace{Normal: []float64{1}},
			igLaw{a: 1, mu: 1, s2: 1}},
		{"2-D fast", driftedBM([]float64{-1, -0.5}, []float64{1, 0.3, 0.3, 0.5}, true), []float64{1, 0.5},
			HalfSpace{Normal: []float64{1, 2}}, igLaw{a: 2 / math.Sqrt(5), mu: 2 / math.Sqrt(5), s2: 0.84}},
		{"2-D general", driftedBM([]float64{-1, -0.5}, []float64{1, 0.3, 0.3, 0.5}, false), []float64{1, 0.5},
			HalfSpace{Normal: []float64{1, 2}}, igLaw{a: 2 / math.Sqrt(5), mu: 2 / math.Sqrt(5), s2: 0.84}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &Problem{Model: tc.model, Temperature: 0.5, X0: tc.x0, Dt: 0.1}
			res, err := (&FirstPassage{N: n, Seed: 7, MaxTime: 30, SurvivalPoints: 20}).Run(context.Background(), p, tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if res.Correction != CorrectionBridge || res.Censored != 0 || res.Diverged != 0 {
				t.Fatalf("correction %v, censored %d, diverged %d; want bridge, 0, 0", res.Correction, res.Censored, res.Diverged)
			}
			mfpt := tc.law.a / tc.law.mu
			if z := (res.Mean - mfpt) / res.MeanStderr; math.Abs(z) > 4 {
				t.Errorf("MFPT %.4f ± %.4f, exact %.4f (%.1f s.e.)", res.Mean, res.MeanStderr, mfpt, z)
			}
			worst := 0.0
			for j, tj := range res.SurvivalTimes {
				want := tc.law.survival(tj)
				se := math.Sqrt(want * (1 - want) / n)
				if se == 0 {
					continue
				}
				z := (res.Survival[j] - want) / se
				worst = math.Max(worst, math.Abs(z))
				if math.Abs(z) > 4.5 {
					t.Errorf("S(%.2f) = %.4f, exact %.4f ± %.4f (%.1f s.e.)", tj, res.Survival[j], want, se, z)
				}
			}
			// The exact median by bisection of S(m) = 1/2.
			lo, hi := 0.0, 30.0
			for range 100 {
				if mid := (lo + hi) / 2; tc.law.survival(mid) > 0.5 {
					lo = mid
				} else {
					hi = mid
				}
			}
			seMed := 1 / (2 * tc.law.density(lo) * math.Sqrt(n))
			if z := (res.Median - lo) / seMed; math.Abs(z) > 4 {
				t.Errorf("median %.4f, exact %.4f ± %.4f (%.1f s.e.)", res.Median, lo, seMed, z)
			}
			t.Logf("dt = 0.1: MFPT %.4f ± %.4f (exact %.4f, %+.1f s.e.), median %.4f (exact %.4f, %+.1f s.e.), survival at most %.1f s.e. off",
				res.Mean, res.MeanStderr, mfpt, (res.Mean-mfpt)/res.MeanStderr, res.Median, lo, (res.Median-lo)/seMed, worst)
		})
	}
}

// TestFirstPassageCensoring censors dX = -dt + dW from x0 = 1 to x <= 0
// (T = 0.5, MFPT 1) at MaxTime = 0.5, where the exact survival is
// S(0.5) = Phi(1/sqrt 2) - e^2 Phi(-3/sqrt 2) = 0.6046: the censored count
// must match n S(0.5) within 4 binomial standard errors
// sqrt(n S (1 - S)). The corrected times are exact in law (see
// TestFirstPassageDriftedBM), so the other estimates are checked against
// their closed forms within 4 standard errors: the restricted mean
// integral_0^0.5 S dt = 0.4675 (Simpson's rule on the closed form), and the
// mean of the arrived times, which is the conditional mean
// E[tau | tau <= 0.5] = integral_0^0.5 (S(t) - S(0.5)) dt / (1 - S(0.5)),
// far below the MFPT. The tail-corrected mean is not checked here (the
// inverse Gaussian tail is not exponential; see TestFirstPassageQuadrature).
func TestFirstPassageCensoring(t *testing.T) {
	const n, tmax = 40000, 0.5
	law := igLaw{a: 1, mu: 1, s2: 1}
	p := &Problem{Model: driftedBM([]float64{-1}, []float64{1}, false), Temperature: 0.5, X0: []float64{1}, Dt: 0.05}
	res, err := (&FirstPassage{N: n, Seed: 3, MaxTime: tmax}).Run(context.Background(), p, HalfSpace{Normal: []float64{1}})
	if err != nil {
		t.Fatal(err)
	}
	if res.MaxTime != tmax || res.Steps != 10 {
		t.Fatalf("MaxTime %v in %d steps, want %v in 10", res.MaxTime, res.Steps, tmax)
	}
	s := law.survival(tmax)
	se := math.Sqrt(n * s * (1 - s))
	if z := (float64(res.Censored) - n*s) / se; math.Abs(z) > 4 {
		t.Errorf("censored %d of %d, exact %.1f ± %.1f (%.1f s.e.)", res.Censored, n, n*s, se, z)
	}
	if res.Arrived+res.Censored != n || res.SurvivalAt(tmax) != float64(res.Censored)/n {
		t.Errorf("arrived %d + censored %d, S(MaxTime) = %v", res.Arrived, res.Censored, res.SurvivalAt(tmax))
	}
	rmst := simpson(law.survival, 0, tmax, 2000)
	if z := (res.RestrictedMean - rmst) / res.RestrictedMeanStderr; math.Abs(z) > 4 {
		t.Errorf("restricted mean %.4f ± %.4f, exact %.4f (%.1f s.e.)", res.RestrictedMean, res.RestrictedMeanStderr, rmst, z)
	}
	cond := (rmst - tmax*s) / (1 - s)
	if z := (res.Mean - cond) / res.MeanStderr; math.Abs(z) > 4 {
		t.Errorf("mean of the arrived %.4f ± %.4f, exact E[tau | tau <= %g] = %.4f (%.1f s.e.)", res.Mean, res.MeanStderr, tmax, cond, z)
	}
	if !math.IsInf(res.Median, 1) {
		t.Errorf("median %v with %d of %d censored, want +Inf", res.Median, res.Censored, n)
	}
	for i, v := range res.Times {
		if !(v > 0 && v <= tmax) && !math.IsInf(v, 1) {
			t.Fatalf("time %d = %v outside (0, %g] and not censored", i, v, tmax)
		}
	}
	t.Logf("censored %d of %d (exact %.1f ± %.1f, %+.1f s.e.); restricted mean %.4f ± %.4f (exact %.4f); arrived mean %.4f ± %.4f (exact conditional mean %.4f)",
		res.Censored, n, n*s, se, (float64(res.Censored)-n*s)/se, res.RestrictedMean, res.RestrictedMeanStderr, rmst, res.Mean, res.MeanStderr, cond)
}

// doubleWell1D is the 1-D double well b = x - x^3 (f = (x^2 - 1)^2/4) with
// the state-dependent diffusion D = 1 + s x^2 (the x part of the
// "double-well" landscape).
func doubleWell1D(s float64) potentials.Model {
	return potentials.Model{
		Name: "double-well-1d", Dim: 1,
		Drift:     func(dst, x []float64) { dst[0] = x[0] - x[0]*x[0]*x[0] },
		Diffusion: func(dst, x []float64) { dst[0] = 1 + s*x[0]*x[0] },
	}
}

// TestFirstPassageQuadrature checks a state-dependent D against the exact
// 1-D MFPT. For dX = b dt + sqrt(2 T D) dW on the line, from x0 to the
// level L > x0 with a natural boundary at -infinity, the backward equation
// b dtau/dx + T D d^2tau/dx^2 = -1, tau(L) = 0, gives (Gardiner,
// "Handbook of Stochastic Methods", Ch. 5, first passage times of
// one-variable processes)
//
//	tau(x0) = integral_x0^L dy exp(-psi(y)) integral_-inf^y dz exp(psi(z)) / (T D(z)),
//	psi(y)  = integral_0^y b/(T D) du.
//
// For b = x - x^3, D = 1 + x^2/2, T = 0.125, from x0 = -1 (a minimum) to
// x >= 1 (the other), SciPy 1.10 (scipy.integrate.quad, epsrel 1e-11 to
// 1e-13, the lower limit at -8 and at -12 agreeing to all digits, and a
// check on b = 0.7, D = 1, where the formula gives (L - x0)/0.7 to 1e-15):
//
//	psi = lambda y: quad(lambda u: b(u)/(T*D(u)), 0, y)[0]
//	inner = lambda y: quad(lambda z: exp(psi(z) - psi(y))/(T*D(z)), -8, y)[0]
//	quad(inner, -1, 1)[0]  # 27.835721449815
//
// The escape is metastable (27.8 against a relaxation time of 1/2 in the
// well), so tau is nearly exponential. With 8000 trajectories at
// dt = 0.01 and the bridge correction, censored at 400 (S(400) ~ e^-14):
// the mean within 4 standard errors of 27.8357. Censored at 15 instead,
// about half the trajectories are censored: the mean of the arrived ones
// and the restricted mean are far below the MFPT, and the mean with the
// exponential tail fitted on [7.5, 15] must again lie within 4 standard
// errors of it.
func TestFirstPassageQuadrature(t *testing.T) {
	const exact = 27.835721449815
	p := &Problem{Model: doubleWell1D(0.5), Temperature: 0.125, X0: []float64{-1}, Dt: 0.01}
	target := HalfSpace{Normal: []float64{-1}, Level: -1} // x >= 1
	full, err := (&FirstPassage{N: 8000, Seed: 5, MaxTime: 400}).Run(context.Background(), p, target)
	if err != nil {
		t.Fatal(err)
	}
	if full.Censored != 0 {
		t.Fatalf("%d censored at 400", full.Censored)
	}
	if z := (full.Mean - exact) / full.MeanStderr; math.Abs(z) > 4 {
		t.Errorf("MFPT %.3f ± %.3f, quadrature %.3f (%.1f s.e.)", full.Mean, full.MeanStderr, exact, z)
	}
	cens, err := (&FirstPassage{N: 8000, Seed: 6, MaxTime: 15}).Run(context.Background(), p, target)
	if err != nil {
		t.Fatal(err)
	}
	if cens.TailFrom != 7.5 || !(cens.Censored > 2000) {
		t.Fatalf("tail window from %v, %d censored", cens.TailFrom, cens.Censored)
	}
	if z := (cens.TailMean - exact) / cens.TailMeanStderr; math.Abs(z) > 4 {
		t.Errorf("tail-corrected MFPT %.3f ± %.3f, quadrature %.3f (%.1f s.e.)", cens.TailMean, cens.TailMeanStderr, exact, z)
	}
	if !(cens.Mean < cens.RestrictedMean && cens.RestrictedMean+10*cens.RestrictedMeanStderr < exact) {
		t.Errorf("mean of the arrived %.3f, restricted mean %.3f ± %.3f: want both well below %.3f", cens.Mean, cens.RestrictedMean, cens.RestrictedMeanStderr, exact)
	}
	t.Logf("MFPT %.3f ± %.3f (quadrature %.3f, %+.1f s.e.); censored at 15: %d of %d, arrived mean %.3f, restricted mean %.3f, tail rate %.4f (1/MFPT = %.4f), tail-corrected %.3f ± %.3f (%+.1f s.e.)",
		full.Mean, full.MeanStderr, exact, (full.Mean-exact)/full.MeanStderr, cens.Censored, cens.N, cens.Mean, cens.RestrictedMean,
		cens.TailRate, 1/exact, cens.TailMean, cens.TailMeanStderr, (cens.TailMean-exact)/cens.TailMeanStderr)
}

// pairedBias runs the problem with and without the bridge correction on the
// same paths (the same Seed) and returns both results and the mean and
// standard error of the per-trajectory difference uncorrected - corrected,
// which is never negative.
func pairedBias(t *testing.T, p *Problem, n int, seed uint64, maxTime float64, target Target) (unc, cor *FirstPassageResult, diff, se float64) {
	t.Helper()
	var err error
	unc, err = (&FirstPassage{N: n, Seed: seed, MaxTime: maxTime, Correction: CorrectionNone}).Run(context.Background(), p, target)
	if err != nil {
		t.Fatal(err)
	}
	cor, err = (&FirstPassage{N: n, Seed: seed, MaxTime: maxTime, Correction: CorrectionBridge}).Run(context.Background(), p, target)
	if err != nil {
		t.Fatal(err)
	}
	if unc.Censored != 0 || cor.Censored != 0 {
		t.Fatalf("censored: %d uncorrected, %d corrected", unc.Censored, cor.Censored)
	}
	var s, s2 float64
	for i := range unc.Times {
		d := unc.Times[i] - cor.Times[i]
		if d < 0 {
			t.Fatalf("trajectory %d: corrected time %v after the uncorrected %v", i, cor.Times[i], unc.Times[i])
		}
		s += d
		s2 += d * d
	}
	m := s / float64(n)
	return unc, cor, m, math.Sqrt((s2/float64(n) - m*m) / float64(n))
}

// TestFirstPassageBiasOrder measures the step bias of the MFPT with and
// without the bridge correction as dt halves. Besides each estimate's own
// error against the exact MFPT, it uses the paired difference
// uncorrected - corrected on the same paths (the same Seed; never
// negative), the part of the bias that the correction removes, whose
// standard error is several times smaller than that of either mean.
//
// Case 1, dX = -dt + dW from x0 = 1 to x <= 0 (T = 0.5, MFPT 1), 40000
// trajectories: the corrected estimate is exact at every dt
// (TestFirstPassageDriftedBM), so the paired difference is the bias of
// discrete monitoring. It must match Siegmund's leading term
// beta sqrt(2 T dt)/mu, beta = -zeta(1/2)/sqrt(2 pi) = 0.5826, within
// 4 standard errors plus 0.5 dt (the next term is O(dt)), and shrink by
// about sqrt 2 (1.25 to 1.6) when dt halves; the corrected mean must be
// within 4 standard errors of 1 at every dt.
//
// Case 2, the 2-D Ornstein–Uhlenbeck process dX = -X dt + sqrt(2T) dW,
// T = 0.1, from (2, 0) to the disc |x| <= 1/2, 100000 trajectories: the
// radius obeys dR = (T/R - R) dt + sqrt(2T) dW, whose scale density is
// exp(R^2/(2T))/R and speed density R exp(-R^2/(2T))/T, so the MFPT is
//
//	tau(r0) = integral_a^r0 dy (e^{y^2/2T}/y) integral_y^inf (z e^{-z^2/2T}/T) dz = log(r0/a) = log 4
//
// at every T. Here Euler–Maruyama is not exact and the boundary is curved,
// so the corrected estimate keeps an O(dt) bias: it must halve (ratio 1.5
// to 2.6) while it is above 6 standard errors, and lie within 4 standard
// errors of the line c dt fitted through zero. The uncorrected bias is
// the sum of a sqrt(dt) term and that O(dt) term of the other sign: its
// ratio must lie in 1.15 to 1.7 (its standard error is about 0.06), and
// that of the paired difference, which carries the sqrt(dt) term, in 1.3
// to 1.6. dt = 0.08, 0.04 and 0.02, on the 2-D fast kernel.
func TestFirstPassageBiasOrder(t *testing.T) {
	const beta = 0.5825971579390106 // -zeta(1/2)/sqrt(2 pi)
	t.Run("drifted BM", func(t *testing.T) {
		var prev float64
		for k, h := range []float64{0.04, 0.02, 0.01, 0.005} {
			p := &Problem{Model: driftedBM([]float64{-1}, []float64{1}, false), Temperature: 0.5, X0: []float64{1}, Dt: h}
			_, cor, diff, se := pairedBias(t, p, 40000, 11, 40, HalfSpace{Normal: []float64{1}})
			want := beta * math.Sqrt(h)
			if math.Abs(diff-want) > 4*se+0.5*h {
				t.Errorf("dt = %g: uncorrected bias %.5f ± %.5f, Siegmund %.5f", h, diff, se, want)
			}
			if z := (cor.Mean - 1) / cor.MeanStderr; math.Abs(z) > 4 {
				t.Errorf("dt = %g: corrected MFPT %.4f ± %.4f, exact 1 (%.1f s.e.)", h, cor.Mean, cor.MeanStderr, z)
			}
			ratio := math.NaN()
			if k > 0 {
				ratio = prev / diff
				if ratio < 1.25 || ratio > 1.6 {
					t.Errorf("dt = %g: uncorrected bias ratio %.3f on halving dt, want about 1.41", h, ratio)
				}
			}
			t.Logf("dt = %-6g uncorrected bias %.5f ± %.5f (Siegmund %.5f) ratio %.3f | corrected bias %+.5f ± %.5f (%+.1f s.e.)",
				h, diff, se, want, ratio, cor.Mean-1, cor.MeanStderr, (cor.Mean-1)/cor.MeanStderr)
			prev = diff
		}
	})
	t.Run("OU to a disc", func(t *testing.T) {
		exact := math.Log(4)
		hs := []float64{0.08, 0.04, 0.02}
		var bu, su, bp, sp, bc, sc []float64
		for _, h := range hs {
			p := &Problem{Model: linearModel([4]float64{1, 0, 0, 1}, [4]float64{1, 0, 0, 1}, true), Temperature: 0.1, X0: []float64{2, 0}, Dt: h}
			unc, cor, diff, se := pairedBias(t, p, 100000, 13, 40, Disc{Centre: []float64{0, 0}, Radius: 0.5})
			bu, su = append(bu, unc.Mean-exact), append(su, unc.MeanStderr)
			bp, sp = append(bp, diff), append(sp, se)
			bc, sc = append(bc, cor.Mean-exact), append(sc, cor.MeanStderr)
		}
		// Weighted least squares of bc = c h through zero.
		var num, den float64
		for i, h := range hs {
			num += bc[i] * h / (sc[i] * sc[i])
			den += h * h / (sc[i] * sc[i])
		}
		c := num / den
		for i, h := range hs {
			ru, rp, rc := math.NaN(), math.NaN(), math.NaN()
			if i > 0 {
				ru, rp, rc = bu[i-1]/bu[i], bp[i-1]/bp[i], bc[i-1]/bc[i]
				if ru < 1.15 || ru > 1.7 {
					t.Errorf("dt = %g: uncorrected bias ratio %.3f on halving dt, want about 1.41", h, ru)
				}
				if rp < 1.3 || rp > 1.6 {
					t.Errorf("dt = %g: paired difference ratio %.3f on halving dt, want about 1.41", h, rp)
				}
				if math.Abs(bc[i]) > 6*sc[i] && (rc < 1.5 || rc > 2.6) {
					t.Errorf("dt = %g: corrected bias ratio %.3f on halving dt, want about 2", h, rc)
				}
			}
			if z := (bc[i] - c*h) / sc[i]; math.Abs(z) > 4 {
				t.Errorf("dt = %g: corrected bias %.5f is %.1f s.e. from the line %.3f dt", h, bc[i], z, c)
			}
			t.Logf("dt = %-5g uncorrected bias %+.5f ± %.5f ratio %.3f, paired difference %.5f ± %.5f ratio %.3f | corrected bias %+.5f ± %.5f (%+.1f s.e.) ratio %.3f, fit %.3f dt = %+.5f",
				h, bu[i], su[i], ru, bp[i], sp[i], rp, bc[i], sc[i], bc[i]/sc[i], rc, c, c*h)
		}
	})
}

// TestFirstPassageMatchesEnsemble checks that trajectory i of a
// first-passage run follows trajectory i of an Ensemble with the same
// seed: without the correction its time is the first recorded step in the
// target, and its final state is the state recorded there; with the
// correction its time is never later. Both 2-D kernels, a disc target.
func TestFirstPassageMatchesEnsemble(t *testing.T) {
	const n, steps, h = 40, 400, 0.01
	target := Disc{Centre: []float64{0.5, 0.2}, Radius: 0.3}
	for _, fast := range []bool{true, false} {
		p := &Problem{Model: linearModel(gyrA, gyrD, fast), Temperature: 0.5, X0: []float64{-0.5, 0}, Dt: h, Steps: steps}
		ens, err := (&Ensemble{N: n, Seed: 21, Record: n, Every: 1}).Run(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		unc, err := (&FirstPassage{N: n, Seed: 21, Correction: CorrectionNone}).Run(context.Background(), p, target)
		if err != nil {
			t.Fatal(err)
		}
		cor, err := (&FirstPassage{N: n, Seed: 21}).Run(context.Background(), p, target)
		if err != nil {
			t.Fatal(err)
		}
		arrived := 0
		for i := range n {
			first := -1
			for k := range steps {
				if target.Contains(ens.Traj[(i*steps+k)*2 : (i*steps+k)*2+2]) {
					first = k
					break
				}
			}
			if first < 0 {
				if !math.IsInf(unc.Times[i], 1) {
					t.Errorf("fast %v: trajectory %d never enters in the ensemble, time %v", fast, i, unc.Times[i])
				}
				continue
			}
			arrived++
			want := float64(first+1) * h
			rec := ens.Traj[(i*steps+first)*2:]
			if unc.Times[i] != want || unc.Final[2*i] != rec[0] || unc.Final[2*i+1] != rec[1] {
				t.Errorf("fast %v: trajectory %d arrives at %v in (%v, %v), the ensemble at %v in (%v, %v)",
					fast, i, unc.Times[i], unc.Final[2*i], unc.Final[2*i+1], want, rec[0], rec[1])
			}
			if !(cor.Times[i] <= unc.Times[i]) {
				t.Errorf("fast %v: trajectory %d corrected %v after uncorrected %v", fast, i, cor.Times[i], unc.Times[i])
			}
		}
		if arrived < n/2 || unc.Arrived != arrived {
			t.Errorf("fast %v: %d of %d arrived (%d in the ensemble)", fast, unc.Arrived, n, arrived)
		}
	}
}

// fpResultBits lists the floating-point fields of a result for a bitwise
// comparison.
func fpResultBits(r *FirstPassageResult) map[string][]float64 {
	return map[string][]float64{
		"times": r.Times, "final": r.Final, "survival": r.Survival, "survival_times": r.SurvivalTimes,
		"survival_stderr": r.SurvivalStderr,
		"scalars": {r.Mean, r.MeanStderr, r.Median, r.RestrictedMean, r.RestrictedMeanStderr,
			r.TailFrom, r.TailRate, r.TailMean, r.TailMeanStderr, r.MaxTime,
			float64(r.Arrived), float64(r.Censored), float64(r.Diverged), float64(r.TrajectorySteps)},
	}
}

// TestFirstPassageReproducible checks that the same seed gives
// bit-identical results for 1, 2 and 7 workers: both 2-D kernels (a disc
// inline on the fast one, a signed distance through its interface on the
// general one), a 1-D half-space, and an indicator, with and without the
// correction, with censoring.
func TestFirstPassageReproducible(t *testing.T) {
	dw, err := potentials.New("double-well", nil)
	if err != nil {
		t.Fatal(err)
	}
	ring := SignedDistance(func(normal, x []float64) float64 {
		// The outside of the circle |x| = 1.5: distance 1.5 - |x| inside it.
		r := math.Hypot(x[0], x[1])
		if normal != nil {
			normal[0], normal[1] = -x[0]/r, -x[1]/r
		}
		return 1.5 - r
	})
	for _, tc := range []struct {
		name   string
		model  potentials.Model
		x0     []float64
		target Target
	}{
		{"fast disc", dw, []float64{-1, 0}, Disc{Centre: []float64{1, 0}, Radius: 0.25}},
		{"general signed distance", linearModel(gyrA, gyrD, false), []float64{0.1, 0.2}, ring},
		{"1-D half-space", doubleWell1D(0.5), []float64{-1}, HalfSpace{Normal: []float64{-1}, Level: -0.5}},
		{"indicator", dw, []float64{-1, 0}, Indicator(func(x []float64) bool { return x[0] > 0 })},
	} {
		for _, c := range []Correction{CorrectionAuto, CorrectionNone} {
			t.Run(tc.name+"/"+c.String(), func(t *testing.T) {
				p := &Problem{Model: tc.model, Temperature: 0.3, X0: tc.x0, Dt: 0.01}
				var ref map[string][]float64
				for _, w := range []int{1, 2, 7} {
					res, err := (&FirstPassage{N: 203, Seed: 42, Workers: w, MaxTime: 8, Correction: c}).Run(context.Background(), p, tc.target)
					if err != nil {
						t.Fatal(err)
					}
					if res.Censored == 0 || res.Arrived == 0 {
						t.Fatalf("%d arrived, %d censored: want both", res.Arrived, res.Censored)
					}
					got := fpResultBits(res)
					if ref == nil {
						ref = got
						continue
					}
					for name, a := range ref {
						b := got[name]
						for i := range a {
							if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
								t.Fatalf("workers %d: %s[%d] = %v, with 1 worker %v", w, name, i, b[i], a[i])
							}
						}
					}
				}
			})
		}
	}
}

// TestBridgeCrossing checks the bridge's draws against the law of the
// first passage of a Brownian bridge (variance v per unit time) from a > 0
// to b over a step h. A step ending outside (b > 0) crosses with the
// probability exp(-2ab/(vh)) (4 binomial standard errors). Given a
// crossing, the time s has the density proportional to
//
//	a s^-3/2 exp(-a^2/(2 v s)) (h - s)^-1/2 exp(-b^2/(2 v (h - s))),
//
// whose distribution function at s = h/4, h/2, 3h/4 (by Simpson's rule
// after the substitution s = h w^2, over the total mass
// sqrt(2 pi v/h) exp(-(a + |b|)^2/(2 v h)) from the reflection principle)
// the draws must match within 4.5 binomial standard errors,
// for b > 0, b < 0 and b = 0.
func TestBridgeCrossing(t *testing.T) {
	const n = 200000
	br := bridge{on: true, u: rand.New(rand.NewPCG(1, 2)), th: 0.5 * 0.1}
	v, h := 2*0.5, 0.1 // T = 0.5, q = 1: v = 2 T q; th = T h
	for _, c := range []struct{ a, b float64 }{{0.1, 0.05}, {0.2, 0.1}, {0.1, -0.2}, {0.15, 0}} {
		crossed := 0
		var fr []float64
		for range n {
			if f, ok := br.cross(c.a, c.b, 1); ok {
				crossed++
				if !(f > 0 && f <= 1) {
					t.Fatalf("a = %g, b = %g: fraction %v outside (0, 1]", c.a, c.b, f)
				}
				fr = append(fr, f)
			}
		}
		p := 1.0
		if c.b > 0 {
			p = math.Exp(-2 * c.a * c.b / (v * h))
		}
		if se := math.Sqrt(n * p * (1 - p)); math.Abs(float64(crossed)-n*p) > 4*se+1e-9 {
			t.Errorf("a = %g, b = %g: %d of %d crossed, want %.0f ± %.0f", c.a, c.b, crossed, n, n*p, se)
		}
		dens := func(s float64) float64 {
			if s <= 0 || s >= h {
				return 0
			}
			return c.a * math.Pow(s, -1.5) * math.Exp(-c.a*c.a/(2*v*s)) / math.Sqrt(h-s) * math.Exp(-c.b*c.b/(2*v*(h-s)))
		}
		// integral_0^s dens = integral_0^sqrt(s/h) dens(h w^2) 2 h w dw.
		cdf := func(s float64) float64 {
			return simpson(func(w float64) float64 { return dens(h*w*w) * 2 * h * w }, 0, math.Sqrt(s/h), 20000)
		}
		// The total mass, by the reflection principle: 2 pi v times the
		// density at |b| of the free motion from -a, p_h(a + |b|).
		total := math.Sqrt(2*math.Pi*v/h) * math.Exp(-(c.a+math.Abs(c.b))*(c.a+math.Abs(c.b))/(2*v*h))
		for _, q := range []float64{0.25, 0.5, 0.75} {
			want := cdf(q*h) / total
			got := 0.0
			for _, f := range fr {
				if f <= q {
					got++
				}
			}
			got /= float64(len(fr))
			se := math.Sqrt(want * (1 - want) / float64(len(fr)))
			if math.Abs(got-want) > 4.5*se {
				t.Errorf("a = %g, b = %g: P(s <= %g h | crossed) = %.4f, exact %.4f ± %.4f", c.a, c.b, q, got, want, se)
			}
		}
	}
}

// TestFirstPassageErrors checks the refusals: a start in the target (typed
// error), the bridge with an indicator, burn-in, bad targets and settings.
func TestFirstPassageErrors(t *testing.T) {
	p1 := &Problem{Model: driftedBM([]float64{-1}, []float64{1}, false), Temperature: 0.5, X0: []float64{1}, Dt: 0.01, Steps: 100}
	p2 := &Problem{Model: linearModel(gyrA, gyrD, true), Temperature: 0.5, X0: []float64{1, 0}, Dt: 0.01, Steps: 100}
	inside := Indicator(func(x []float64) bool { return x[0] > 0.5 })
	for _, tc := range []struct {
		name   string
		fp     FirstPassage
		p      *Problem
		target Target
		want   string
	}{
		{"start in disc", FirstPassage{N: 10}, p2, Disc{Centre: []float64{1, 0.1}, Radius: 0.5}, "lies in the target (signed distance -0.4"},
		{"start on level", FirstPassage{N: 10}, p1, HalfSpace{Normal: []float64{1}, Level: 1}, "lies in the target"},
		{"start in indicator", FirstPassage{N: 10}, p2, inside, "lies in the target"},
		{"bridge needs a distance", FirstPassage{N: 10, Correction: CorrectionBridge}, p2, Indicator(func(x []float64) bool { return x[0] > 2 }), "needs the target's signed distance"},
		{"unknown correction", FirstPassage{N: 10, Correction: 7}, p1, HalfSpace{Normal: []float64{1}}, "unknown correction"},
		{"no target", FirstPassage{N: 10}, p1, nil, "no target"},
		{"disc dimension", FirstPassage{N: 10}, p2, Disc{Centre: []float64{1}, Radius: 0.5}, "centre has 1 coordinates"},
		{"disc radius", FirstPassage{N: 10}, p2, Disc{Centre: []float64{3, 0}}, "radius must be positive"},
		{"zero normal", FirstPassage{N: 10}, p2, HalfSpace{Normal: []float64{0, 0}}, "non-zero"},
		{"no trajectories", FirstPassage{}, p1, HalfSpace{Normal: []float64{1}}, "at least 1"},
		{"max time", FirstPassage{N: 10, MaxTime: math.NaN()}, p1, HalfSpace{Normal: []float64{1}}, "maximum time"},
		{"tail window", FirstPassage{N: 10, TailFrom: 1}, p1, HalfSpace{Normal: []float64{1}}, "tail window"},
		{"survival points", FirstPassage{N: 10, SurvivalPoints: -1}, p1, HalfSpace{Normal: []float64{1}}, "survival points"},
		{"burn-in", FirstPassage{N: 10}, &Problem{Model: p1.Model, Temperature: 0.5, X0: []float64{1}, Dt: 0.01, Steps: 10, BurnIn: 5},
			HalfSpace{Normal: []float64{1}}, "burn-in must be 0"},
		{"steps", FirstPassage{N: 10}, &Problem{Model: p1.Model, Temperature: 0.5, X0: []float64{1}, Dt: 0.01},
			HalfSpace{Normal: []float64{1}}, "steps must be at least 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.fp.Run(context.Background(), tc.p, tc.target)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			var st *StartInTargetError
			if errors.As(err, &st) != strings.HasPrefix(tc.name, "start") {
				t.Errorf("error %v: StartInTargetError %v", err, errors.As(err, &st))
			}
		})
	}
	// An indicator runs uncorrected under CorrectionAuto.
	res, err := (&FirstPassage{N: 10}).Run(context.Background(), p2, Indicator(func(x []float64) bool { return x[0] < 0 }))
	if err != nil || res.Correction != CorrectionNone {
		t.Errorf("indicator: correction %v, error %v; want none", res.Correction, err)
	}
}

// TestFirstPassageProgressAndCancel checks that a complete run reports N K
// trajectory-steps in all (an arrived trajectory counts its remaining
// steps), and that cancelling the context stops the run with its error.
func TestFirstPassageProgressAndCancel(t *testing.T) {
	p := &Problem{Model: driftedBM([]float64{-1}, []float64{1}, false), Temperature: 0.5, X0: []float64{1}, Dt: 0.01}
	var sum atomic.Int64
	progress := func(d int64) { sum.Add(d) }
	res, err := (&FirstPassage{N: 100, MaxTime: 1, Progress: progress}).Run(context.Background(), p, HalfSpace{Normal: []float64{1}})
	if err != nil {
		t.Fatal(err)
	}
	if total := sum.Load(); total != 100*100 || res.Censored == 0 || res.Arrived == 0 || res.TrajectorySteps >= total {
		t.Errorf("progress %d, want %d; %d arrived, %d censored, %d steps taken", sum.Load(), 100*100, res.Arrived, res.Censored, res.TrajectorySteps)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, err = (&FirstPassage{N: 1000, MaxTime: 1e4, Progress: func(int64) { cancel() }}).Run(ctx, p, HalfSpace{Normal: []float64{-1}, Level: -5})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: error %v", err)
	}
}

// TestFirstPassageAllocs checks that a trajectory, to its arrival or the
// censoring time, allocates nothing, on both kernels and for the built-in
// and function targets.
func TestFirstPassageAllocs(t *testing.T) {
	dw, err := potentials.New("double-well", nil)
	if err != nil {
		t.Fatal(err)
	}
	sd := SignedDistance(func(normal, x []float64) float64 {
		if normal != nil {
			normal[0], normal[1] = -1, 0
		}
		return -x[0]
	})
	for _, tc := range []struct {
		name   string
		model  potentials.Model
		target Target
	}{
		{"fast disc", dw, Disc{Centre: []float64{0.2, 0}, Radius: 0.3}},
		{"fast signed distance", dw, sd},
		{"general half-space", linearModel(gyrA, gyrD, false), HalfSpace{Normal: []float64{-1, 0}}},
		{"general indicator", linearModel(gyrA, gyrD, false), Indicator(func(x []float64) bool { return x[0] > 0 })},
	} {
		p := &Problem{Model: tc.model, Temperature: 0.5, X0: []float64{-1, 0}, Dt: 0.01}
		r, err := (&FirstPassage{N: 4, MaxTime: 5}).plan(p, tc.target)
		if err != nil {
			t.Fatal(err)
		}
		w := r.newWorker()
		i := 0
		if a := testing.AllocsPerRun(20, func() { w.trajectory(context.Background(), i%4); i++ }); a != 0 {
			t.Errorf("%s: %v allocations per trajectory", tc.name, a)
		}
	}
}
