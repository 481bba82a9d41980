package sde

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// Gyrator of validation case 6: A = diag(1, 4), D = [[1, .8], [.8, 1]].
var (
	gyrA = [4]float64{1, 0, 0, 4}
	gyrD = [4]float64{1, 0.8, 0.8, 1}
)

// TestStationaryCovariance checks validation case 11: for b = -A x and
// constant D, Euler–Maruyama with step h has the stationary covariance C_h
// of C = (I - hA) C (I - hA)^T + 2 h T D exactly. The step h = 0.05 is
// large so that C_h differs from the continuous Sigma by many standard
// errors (C_h,22 = 0.1389 against Sigma_22 = 0.125). The sample covariance
// of n independent final states has standard error
// sqrt((C_ii C_jj + C_ij^2) / n) for Gaussian data; we allow 4 of them.
func TestStationaryCovariance(t *testing.T) {
	const (
		T = 0.5
		h = 0.05
		n = 100000
	)
	ch := emStationaryCov(gyrA, gyrD, h, T)
	for _, fast := range []bool{true, false} {
		name := "general"
		if fast {
			name = "fast2d"
		}
		t.Run(name, func(t *testing.T) {
			p := &Problem{Model: linearModel(gyrA, gyrD, fast), Temperature: T, X0: []float64{0, 0},
				Dt: h, BurnIn: 300, Steps: 1}
			e := &Ensemble{N: n, Seed: 11}
			res, err := e.Run(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			// With one recorded step, Mean and Cov are those of the final states.
			for i := 0; i < 2; i++ {
				for j := 0; j < 2; j++ {
					se := math.Sqrt((ch[3*i]*ch[3*j] + ch[2*i+j]*ch[2*i+j]) / n)
					if got, want := res.Cov[2*i+j], ch[2*i+j]; math.Abs(got-want) > 4*se {
						t.Errorf("cov[%d][%d] = %.5f, want C_h = %.5f ± %.5f (4 s.e.)", i, j, got, want, 4*se)
					}
				}
				if se := math.Sqrt(ch[3*i] / n); math.Abs(res.Mean[i]) > 4*se {
					t.Errorf("mean[%d] = %.5f, want 0 ± %.5f", i, res.Mean[i], 4*se)
				}
			}
		})
	}
}

// TestAngularMomentumRate checks the midpoint-rule estimate of L. Under EM
// at stationarity E[x_n x x_{n+1}] / h = E[x x b(x)] = (A C_h)_12 - (A C_h)_21
// exactly, so the estimate has no step bias and the comparison is with the
// Monte Carlo standard error the ensemble reports (4 of them). At h -> 0
// this tends to the closed form L = -0.48 of validation case 6.
func TestAngularMomentumRate(t *testing.T) {
	const (
		T = 0.5
		h = 0.01
	)
	ch := emStationaryCov(gyrA, gyrD, h, T)
	ac := [4]float64{
		gyrA[0]*ch[0] + gyrA[1]*ch[2], gyrA[0]*ch[1] + gyrA[1]*ch[3],
		gyrA[2]*ch[0] + gyrA[3]*ch[2], gyrA[2]*ch[1] + gyrA[3]*ch[3],
	}
	want := ac[1] - ac[2]
	if math.Abs(want+0.48) > 0.02 {
		t.Fatalf("closed form at h = %g is %g, expected near -0.48", h, want)
	}
	p := &Problem{Model: linearModel(gyrA, gyrD, true), Temperature: T, X0: []float64{0, 0},
		Dt: h, BurnIn: 1000, Steps: 4000}
	res, err := (&Ensemble{N: 4000, Seed: 5}).Run(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if se := res.AngularMomentumStderr; !(se > 0) || math.Abs(res.AngularMomentum-want) > 4*se {
		t.Errorf("angular momentum = %.4f ± %.4f, want %.4f", res.AngularMomentum, se, want)
	}
}

// TestWeakOrder checks validation case 12 (Rößler's non-commutative test):
// E[X1(3)^2] = e^-3 from X0 = (1, 1). Under EM the second moment obeys
// m_{n+1} = ((1 + a h)^2 + c h) m_n exactly (a = -273/512, c = 17/256), so
// the ensemble must match that recursion within 4 standard errors at every
// h, and its error against e^-3 must halve with h (weak order 1): the
// measured ratio must lie in [1.6, 2.4]. The biases (0.0216 ... 0.0030) are
// 30 to 250 standard errors (about 8.7e-5 with 4e5 trajectories), so the
// ratio is not blurred by sampling noise.
func TestWeakOrder(t *testing.T) {
	const (
		a = -273.0 / 512
		c = 17.0 / 256
		n = 400000
	)
	exact := math.Exp(-3)
	var prev float64
	for k := 2; k <= 5; k++ {
		steps := 1 << k
		h := 3 / float64(steps)
		p := &Problem{Model: rosslerModel(true), Temperature: 1, X0: []float64{1, 1}, Dt: h, Steps: steps}
		res, err := (&Ensemble{N: n, Seed: uint64(k)}).Run(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		var s, s2 float64
		for i := 0; i < n; i++ {
			v := res.Final[2*i] * res.Final[2*i]
			s += v
			s2 += v * v
		}
		mean := s / n
		se := math.Sqrt((s2/n - mean*mean) / n)
		em := math.Pow((1+a*h)*(1+a*h)+c*h, float64(steps))
		if math.Abs(mean-em) > 4*se {
			t.Errorf("h = %g: E[X1^2] = %.6f ± %.6f, EM recursion gives %.6f", h, mean, se, em)
		}
		errh := math.Abs(mean - exact)
		if prev != 0 {
			if r := prev / errh; r < 1.6 || r > 2.4 {
				t.Errorf("h = %g: weak error ratio %.3f on halving h, want about 2", h, r)
			}
		}
		t.Logf("h = %-8g E[X1^2] = %.6f ± %.6f  error %.6f", h, mean, se, errh)
		prev = errh
	}
}

// TestStrongOrder checks validation case 13: for geometric Brownian
// motion dX = mu X dt + s X dW the EM error E|X_h(1) - X(1)| with the same
// Brownian path on nested grids falls like h^(1/2). The fitted slope over
// h = 2^-4 ... 2^-9 must lie in [0.4, 0.6] (standard error of the slope
// with 2000 paths is about 0.02).
func TestStrongOrder(t *testing.T) {
	const (
		mu, s  = 1.5, 1.0
		paths  = 2000
		levels = 6
		finest = 1 << 9
	)
	em := NewEulerMaruyama(gbmModel(mu, s), 1)
	rng := rand.New(rand.NewPCG(3, 13))
	dw := make([]float64, finest)
	errs := make([]float64, levels)
	x := []float64{0}
	for path := 0; path < paths; path++ {
		hf := 1.0 / finest
		w := 0.0
		for i := range dw {
			dw[i] = math.Sqrt(hf) * rng.NormFloat64()
			w += dw[i]
		}
		exact := math.Exp((mu-s*s/2)*1 + s*w)
		for l := 0; l < levels; l++ {
			m := 1 << (4 + l) // steps at this level
			agg := finest / m
			h := 1 / float64(m)
			x[0] = 1
			for k := 0; k < m; k++ {
				inc := 0.0
				for j := k * agg; j < (k+1)*agg; j++ {
					inc += dw[j]
				}
				if err := em.Step(x, h, []float64{inc}); err != nil {
					t.Fatal(err)
				}
			}
			errs[l] += math.Abs(x[0]-exact) / paths
		}
	}
	// Least-squares slope of log err against log h.
	var sx, sy, sxx, sxy float64
	for l, e := range errs {
		lx, ly := math.Log(1/float64(int(1)<<(4+l))), math.Log(e)
		sx += lx
		sy += ly
		sxx += lx * lx
		sxy += lx * ly
	}
	nl := float64(levels)
	slope := (nl*sxy - sx*sy) / (nl*sxx - sx*sx)
	t.Logf("strong errors %v, slope %.3f", errs, slope)
	if slope < 0.4 || slope > 0.6 {
		t.Errorf("strong order slope %.3f, want 0.5", slope)
	}
}

// TestReproducible checks validation case 14: the same seed gives
// bit-identical results for 1, 2 and 7 workers, on both kernels.
func TestReproducible(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model potentials.Model
	}{
		{"fast2d", linearModel(gyrA, gyrD, true)},
		{"general2d", rosslerModel(false)},
		{"1d", gbmModel(-1, 0.5)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x0 := []float64{1, 1}[:tc.model.Dim]
			p := &Problem{Model: tc.model, Temperature: 0.5, X0: x0, Dt: 0.01, BurnIn: 50, Steps: 200}
			var ref *Result
			for _, w := range []int{1, 2, 7} {
				res, err := (&Ensemble{N: 301, Seed: 42, Workers: w, Record: 5, Every: 7}).Run(context.Background(), p)
				if err != nil {
					t.Fatal(err)
				}
				if ref == nil {
					ref = res
					continue
				}
				for _, f := range []struct {
					name string
					a, b []float64
				}{{"final", ref.Final, res.Final}, {"traj", ref.Traj, res.Traj}, {"mean", ref.Mean, res.Mean},
					{"cov", ref.Cov, res.Cov}, {"mean_stderr", ref.MeanStderr, res.MeanStderr},
					{"L", []float64{ref.AngularMomentum, ref.AngularMomentumStderr}, []float64{res.AngularMomentum, res.AngularMomentumStderr}}} {
					if len(f.a) != len(f.b) {
						t.Fatalf("%s: lengths %d and %d", f.name, len(f.a), len(f.b))
					}
					for i := range f.a {
						if math.Float64bits(f.a[i]) != math.Float64bits(f.b[i]) {
							t.Fatalf("workers %d: %s[%d] = %v, with 1 worker %v", w, f.name, i, f.b[i], f.a[i])
						}
					}
				}
			}
		})
	}
}

// TestStatisticsMatchRecord checks the merged running statistics against a
// direct two-pass computation over every recorded state (Every = 1).
func TestStatisticsMatchRecord(t *testing.T) {
	for _, fast := range []bool{true, false} {
		p := &Problem{Model: linearModel(gyrA, gyrD, fast), Temperature: 0.5, X0: []float64{2, -1}, Dt: 0.01, BurnIn: 10, Steps: 300}
		const n = 50
		res, err := (&Ensemble{N: n, Seed: 9, Record: n, Every: 1}).Run(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if res.RecordLen != p.Steps || len(res.Traj) != n*p.Steps*2 {
			t.Fatalf("record length %d, traj %d values", res.RecordLen, len(res.Traj))
		}
		var m [2]float64
		cnt := float64(n * p.Steps)
		for i := 0; i < len(res.Traj); i += 2 {
			m[0] += res.Traj[i] / cnt
			m[1] += res.Traj[i+1] / cnt
		}
		var c [4]float64
		for i := 0; i < len(res.Traj); i += 2 {
			dx, dy := res.Traj[i]-m[0], res.Traj[i+1]-m[1]
			c[0] += dx * dx / (cnt - 1)
			c[1] += dx * dy / (cnt - 1)
			c[3] += dy * dy / (cnt - 1)
		}
		c[2] = c[1]
		for i := range m {
			if math.Abs(res.Mean[i]-m[i]) > 1e-12 {
				t.Errorf("fast=%v mean[%d] = %v, direct %v", fast, i, res.Mean[i], m[i])
			}
		}
		for i := range c {
			if math.Abs(res.Cov[i]-c[i]) > 1e-12 {
				t.Errorf("fast=%v cov[%d] = %v, direct %v", fast, i, res.Cov[i], c[i])
			}
		}
		// The last recorded state of each trajectory is its final state.
		for i := 0; i < n; i++ {
			last := res.Traj[(i*p.Steps+p.Steps-1)*2:]
			if last[0] != res.Final[2*i] || last[1] != res.Final[2*i+1] {
				t.Fatalf("trajectory %d: last record %v, final %v", i, last[:2], res.Final[2*i:2*i+2])
			}
		}
	}
}

// cubic is dX = X^3 dt + dW: it blows up in finite time from most starts.
func cubic(fast bool) potentials.Model {
	m := potentials.Model{Name: "cubic", Dim: 2,
		Drift:     func(dst, x []float64) { dst[0], dst[1] = x[0]*x[0]*x[0], -x[1] },
		Diffusion: func(dst, x []float64) { dst[0], dst[1], dst[2], dst[3] = 1, 0, 0, 1 },
	}
	if fast {
		m.Drift2 = func(x, y float64) (float64, float64) { return x * x * x, -y }
		m.Diffusion2 = func(x, y float64) (float64, float64, float64) { return 1, 0, 1 }
	}
	return m
}

func TestDivergence(t *testing.T) {
	for _, fast := range []bool{true, false} {
		// From x0 = 0 at small T some trajectories blow up and some do not.
		p := &Problem{Model: cubic(fast), Temperature: 0.5, X0: []float64{0, 0}, Dt: 0.01, Steps: 300}
		res, err := (&Ensemble{N: 200, Seed: 1, Record: 200, Every: 1, Bound: 1e3}).Run(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if res.Diverged == 0 || res.Diverged == 200 || len(res.DivergedIndex) != res.Diverged {
			t.Fatalf("fast=%v: %d diverged (index %d), want some but not all", fast, res.Diverged, len(res.DivergedIndex))
		}
		for _, v := range append(append([]float64{}, res.Final...), res.Traj...) {
			if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e3 {
				t.Fatalf("fast=%v: non-finite or out-of-bound value %v in the results", fast, v)
			}
		}
		for _, v := range append(append([]float64{}, res.Mean...), res.Cov...) {
			if math.IsNaN(v) {
				t.Fatal("NaN in the statistics")
			}
		}
		// From x0 = 5 with a large step all blow up.
		p.X0, p.Dt = []float64{5, 0}, 0.1
		if _, err := (&Ensemble{N: 20, Seed: 1}).Run(context.Background(), p); err == nil || !strings.Contains(err.Error(), "all 20 trajectories diverged") {
			t.Fatalf("fast=%v: err = %v, want all diverged", fast, err)
		}
	}
}

// notPSDModel has D = [[1, x], [x, 1]], PSD only for |x| <= 1, and a drift
// that pushes x out.
func notPSDModel(fast bool) potentials.Model {
	m := potentials.Model{Name: "bad", Dim: 2,
		Drift:     func(dst, x []float64) { dst[0], dst[1] = 1, 0 },
		Diffusion: func(dst, x []float64) { dst[0], dst[1], dst[2], dst[3] = 1, x[0], x[0], 1 },
	}
	if fast {
		m.Drift2 = func(x, y float64) (float64, float64) { return 1, 0 }
		m.Diffusion2 = func(x, y float64) (float64, float64, float64) { return 1, x, 1 }
	}
	return m
}

func TestNotPSDDuringRun(t *testing.T) {
	// Trajectories leave the PSD region at different steps, which exercises
	// the hand-over from the paired kernel to the single one.
	for _, m := range []potentials.Model{notPSDModel(false), notPSDModel(true)} {
		p := &Problem{Model: m, Temperature: 0.5, X0: []float64{0, 0}, Dt: 0.01, Steps: 300}
		_, err := (&Ensemble{N: 5, Seed: 1}).Run(context.Background(), p)
		if err == nil || !strings.Contains(err.Error(), "positive semi-definite") || !strings.Contains(err.Error(), "D(") {
			t.Fatalf("fast=%v: err = %v, want a not-PSD error naming the point", m.Drift2 != nil, err)
		}
	}
}

func TestValidate(t *testing.T) {
	good := func() *Problem {
		return &Problem{Model: linearModel(gyrA, gyrD, true), Temperature: 0.5, X0: []float64{0, 0}, Dt: 0.01, Steps: 10}
	}
	nonsym := linearModel(gyrA, [4]float64{1, 0.5, 0.2, 1}, false)
	notpsd := linearModel(gyrA, [4]float64{1, 2, 2, 1}, false)
	for _, tc := range []struct {
		name string
		edit func(p *Problem)
		want string
	}{
		{"T zero", func(p *Problem) { p.Temperature = 0 }, "temperature"},
		{"T negative", func(p *Problem) { p.Temperature = -1 }, "temperature"},
		{"dt zero", func(p *Problem) { p.Dt = 0 }, "dt"},
		{"dt NaN", func(p *Problem) { p.Dt = math.NaN() }, "dt"},
		{"steps", func(p *Problem) { p.Steps = 0 }, "steps"},
		{"burn-in", func(p *Problem) { p.BurnIn = -1 }, "burn-in"},
		{"x0 dim", func(p *Problem) { p.X0 = []float64{1} }, "x0"},
		{"x0 inf", func(p *Problem) { p.X0 = []float64{math.Inf(1), 0} }, "finite"},
		{"not symmetric", func(p *Problem) { p.Model = nonsym }, "not symmetric"},
		{"not PSD", func(p *Problem) { p.Model = notpsd }, "eigenvalue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := good()
			tc.edit(p)
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
		})
	}
	if err := good().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestSGDTemperature(t *testing.T) {
	for _, tc := range []struct {
		lr       float64
		b, n     int
		without  bool
		want     float64
		wantFail bool
	}{
		{0.1, 10, 0, false, 0.005, false},
		// lr (N - b) / (2 b (N - 1)): the finite-population correction.
		{0.1, 10, 20, true, 0.1 * 10 / (2 * 10 * 19), false},
		{0.1, 10, 10, true, 0, true},
		{0, 10, 0, false, 0, true},
		{0.1, 0, 0, false, 0, true},
	} {
		got, err := SGDTemperature(tc.lr, tc.b, tc.n, tc.without)
		// Two or three roundings on each side: 4 ulps.
		if (err != nil) != tc.wantFail || math.Abs(got-tc.want) > 4*0x1p-52*tc.want {
			t.Errorf("SGDTemperature(%v, %d, %d, %v) = %v, %v; want %v", tc.lr, tc.b, tc.n, tc.without, got, err, tc.want)
		}
	}
}

func TestSqrtPSD(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000; i++ {
		// Random PSD matrices, a tenth of them singular.
		u, v := rng.NormFloat64(), rng.NormFloat64()
		p, q := rng.NormFloat64(), rng.NormFloat64()
		if i%10 == 0 {
			p, q = 0, 0
		}
		a, c, d := u*u+p*p, u*v+p*q, v*v+q*q
		s11, s12, s22, ok := sqrtPSD2(a, c, d)
		if !ok {
			t.Fatalf("PSD matrix (%g %g %g) rejected", a, c, d)
		}
		scale := a + d
		if e := math.Abs(s11*s11+s12*s12-a) + math.Abs(s11*s12+s12*s22-c) + math.Abs(s12*s12+s22*s22-d); e > 1e-12*scale {
			t.Fatalf("S^2 - D = %g for D = (%g %g %g)", e, a, c, d)
		}
		l11, l21, l22, ok := chol2(a, c, d)
		if !ok {
			t.Fatalf("chol2 rejected PSD (%g %g %g)", a, c, d)
		}
		if e := math.Abs(l11*l11-a) + math.Abs(l21*l11-c) + math.Abs(l21*l21+l22*l22-d); e > 1e-10*scale {
			t.Fatalf("chol2: L L^T - D = %g for D = (%g %g %g)", e, a, c, d)
		}
		// cholScaled: c L with L L^T = D, here with c = 0.03.
		const sc = 0.03
		m11, m21, m22, ok := cholScaled(a, c, d, sc)
		if !ok {
			t.Fatalf("cholScaled rejected PSD (%g %g %g)", a, c, d)
		}
		m11, m21, m22 = m11/sc, m21/sc, m22/sc
		if e := math.Abs(m11*m11-a) + math.Abs(m21*m11-c) + math.Abs(m21*m21+m22*m22-d); e > 1e-10*scale {
			t.Fatalf("cholScaled: L L^T - D = %g for D = (%g %g %g)", e, a, c, d)
		}
		l := make([]float64, 4)
		if !cholPSD(l, []float64{a, c, c, d}, 2) {
			t.Fatalf("cholPSD rejected PSD (%g %g %g)", a, c, d)
		}
		if e := math.Abs(l[0]*l[0]-a) + math.Abs(l[2]*l[0]-c) + math.Abs(l[2]*l[2]+l[3]*l[3]-d); e > 1e-10*scale {
			t.Fatalf("L L^T - D = %g for D = (%g %g %g)", e, a, c, d)
		}
	}
	if _, _, _, ok := sqrtPSD2(1, 2, 1); ok {
		t.Error("indefinite matrix accepted")
	}
	for _, m := range [][3]float64{{1, 2, 1}, {0, 1, 1}, {-1, 0, 1}, {1, 0, -1}} {
		if _, _, _, ok := chol2(m[0], m[1], m[2]); ok {
			t.Errorf("chol2 accepted indefinite %v", m)
		}
		if _, _, _, ok := cholScaled(m[0], m[1], m[2], 0.5); ok {
			t.Errorf("cholScaled accepted indefinite %v", m)
		}
	}
	if l11, l21, l22, ok := chol2(0, 0, 4); !ok || l11 != 0 || l21 != 0 || l22 != 2 {
		t.Errorf("chol2(0, 0, 4) = %v %v %v %v", l11, l21, l22, ok)
	}
	if cholPSD(make([]float64, 9), []float64{1, 0, 0, 0, 0, 1, 0, 1, 0}, 3) {
		t.Error("indefinite 3x3 accepted")
	}
	// A singular 3x3 (rank 1) is accepted.
	l := make([]float64, 9)
	if !cholPSD(l, []float64{1, 2, 3, 2, 4, 6, 3, 6, 9}, 3) {
		t.Error("rank-1 3x3 rejected")
	}
}

// TestPairingInvariance checks that advancing laneCount trajectories in
// lockstep (lanes2) gives bit for bit what advancing each alone gives, also
// when some of them diverge or meet a non-PSD diffusion first.
func TestPairingInvariance(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model potentials.Model
		x0    []float64
	}{
		{"gyrator", linearModel(gyrA, gyrD, true), []float64{1, 0}},
		{"cubic", cubic(true), []float64{0, 0}},
		{"not psd", notPSDModel(true), []float64{0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Problem{Model: tc.model, Temperature: 0.5, X0: tc.x0, Dt: 0.01, BurnIn: 20, Steps: 300}
			e := &Ensemble{N: 40, Seed: 3, Record: 40, Every: 3, Bound: 1e3}
			run := func(paired bool) (*runner, string) {
				r, err := e.runner(p)
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := r.newLaneStepper(newPCGs(maxLanes)).(*lanes2); !ok {
					t.Fatal("the model does not take the lockstep 2-D kernel")
				}
				if !paired {
					paired := r.newLaneStepper
					r.newLaneStepper = func(pcg []*rand.PCG) stepper { return unpaired{paired(pcg)} }
				}
				_, err = r.run(context.Background())
				return r, fmt.Sprint(err)
			}
			a, errA := run(true)
			b, errB := run(false)
			if errA != errB || (tc.name == "not psd") != strings.Contains(errA, "positive semi-definite") {
				t.Fatalf("error %s paired, %s alone", errA, errB)
			}
			div := 0
			for i := range a.status {
				if a.status[i] != b.status[i] {
					t.Fatalf("trajectory %d: status %d paired, %d alone", i, a.status[i], b.status[i])
				}
				if a.status[i] != statusOK {
					div++
				}
			}
			if tc.name == "cubic" && (div == 0 || div == 40) {
				t.Fatalf("%d of 40 diverged; the case needs some of each", div)
			}
			for _, f := range [][2][]float64{{a.final, b.final}, {a.traj, b.traj}, {a.tmean, b.tmean}, {a.sm2, b.sm2}, {a.tL, b.tL}} {
				for i := range f[0] {
					if math.Float64bits(f[0][i]) != math.Float64bits(f[1][i]) {
						t.Fatalf("value %d: %v paired, %v alone", i, f[0][i], f[1][i])
					}
				}
			}
		})
	}
}

// TestEnsembleAllocs checks that the Euler–Maruyama steppers (paired 2-D,
// general 2-D and 3-D) integrate a pair of trajectories, recorded, without
// allocating.
func TestEnsembleAllocs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model potentials.Model
		x0    []float64
	}{
		{"paired", linearModel(gyrA, gyrD, true), []float64{1, 0}},
		{"general 2-D", linearModel(gyrA, gyrD, false), []float64{1, 0}},
		{"general 3-D", potentials.Model{Name: "ou3", Dim: 3,
			Drift:     func(dst, x []float64) { dst[0], dst[1], dst[2] = -x[0], -x[1], -x[2] },
			Diffusion: func(dst, x []float64) { copy(dst, []float64{1, 0.5, 0, 0.5, 1, 0, 0, 0, 1}) },
		}, []float64{1, 0, 0}},
	} {
		p := &Problem{Model: tc.model, Temperature: 0.5, X0: tc.x0, Dt: 0.01, BurnIn: 10, Steps: 100}
		r, err := (&Ensemble{N: 2, Record: 2, Every: 3}).runner(p)
		if err != nil {
			t.Fatal(err)
		}
		r.alloc()
		w := r.newWorker()
		if a := testing.AllocsPerRun(5, func() { w.trajectories(context.Background(), 0, 0, min(2, w.st.lanes())) }); a != 0 {
			t.Errorf("%s: %v allocations per trajectory", tc.name, a)
		}
	}
}

// unpaired advances the trajectories of a stepper one at a time.
type unpaired struct{ stepper }

func (unpaired) lanes() int { return 1 }

// TestStarts checks Ensemble.Starts. With D = 0 each trajectory follows the
// Euler map x -> (I - hA) x exactly, so trajectory i must end at
// (I - hA)^n Starts_i on both 2-D kernels and for any number of workers;
// Starts all equal to X0 must reproduce the run without Starts bit for
// bit; and Starts of the wrong length or not finite are errors.
func TestStarts(t *testing.T) {
	const n, steps, h = 37, 50, 0.01
	starts := make([]float64, 2*n)
	for i := range n {
		starts[2*i], starts[2*i+1] = math.Cos(float64(i)), float64(i%5)-2
	}
	for _, fast := range []bool{true, false} {
		p := &Problem{Model: linearModel(gyrA, [4]float64{}, fast), Temperature: 0.5, X0: []float64{0.3, -0.2}, Dt: h, Steps: steps}
		for _, w := range []int{1, 2, 7} {
			res, err := (&Ensemble{N: n, Seed: 3, Workers: w, Starts: starts}).Run(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				x, y := starts[2*i], starts[2*i+1]
				for range steps {
					x, y = x-h*(gyrA[0]*x+gyrA[1]*y), y-h*(gyrA[2]*x+gyrA[3]*y)
				}
				if math.Abs(res.Final[2*i]-x) > 1e-12 || math.Abs(res.Final[2*i+1]-y) > 1e-12 {
					t.Fatalf("fast %v, workers %d: trajectory %d ends at (%g, %g), want (%g, %g)", fast, w, i, res.Final[2*i], res.Final[2*i+1], x, y)
				}
			}
		}
		q := *p
		q.Model = linearModel(gyrA, gyrD, fast)
		same := make([]float64, 2*n)
		for i := range n {
			copy(same[2*i:], q.X0)
		}
		a, err := (&Ensemble{N: n, Seed: 9}).Run(context.Background(), &q)
		if err != nil {
			t.Fatal(err)
		}
		b, err := (&Ensemble{N: n, Seed: 9, Starts: same}).Run(context.Background(), &q)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a.Final {
			if math.Float64bits(a.Final[i]) != math.Float64bits(b.Final[i]) {
				t.Fatalf("fast %v: Starts = X0 changed Final[%d]: %v against %v", fast, i, b.Final[i], a.Final[i])
			}
		}
		for _, bad := range [][]float64{starts[:2*n-1], append(slices.Clone(starts[:2*n-1]), math.NaN())} {
			if _, err := (&Ensemble{N: n, Seed: 9, Starts: bad}).Run(context.Background(), &q); err == nil {
				t.Errorf("fast %v: bad Starts (len %d) accepted", fast, len(bad))
			}
		}
	}
}
