package observables

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/sgdsde/sgdsde/potentials"
)

// ouPaths returns K chains of L states of independent Ornstein–Uhlenbeck
// coordinates dx = -theta_i x dt + sqrt(2) dW sampled exactly at interval h
// (the AR(1) x_{t+1} = phi_i x_t + sqrt(1 - phi_i^2) xi, phi_i =
// exp(-theta_i h)), started in the stationary law N(0, 1).
func ouPaths(rng *rand.Rand, K, L int, phi []float64) *Traj {
	d := len(phi)
	data := make([]float64, K*L*d)
	for c := 0; c < K; c++ {
		x := make([]float64, d)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		for t := 0; t < L; t++ {
			for i, p := range phi {
				if t > 0 {
					x[i] = p*x[i] + math.Sqrt(1-p*p)*rng.NormFloat64()
				}
				data[(c*L+t)*d+i] = x[i]
			}
		}
	}
	return &Traj{Chains: K, Len: L, Dim: d, Data: data}
}

func TestAutocorrelationOU(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := 0.1
	thetas := []float64{0.5, 2, 5}
	phi := make([]float64, len(thetas)+1)
	for i, th := range thetas {
		phi[i] = math.Exp(-th * h)
	}
	phi[len(thetas)] = 0 // white noise
	const K, L, maxLag = 20, 4000, 30
	tr := ouPaths(rng, K, L, phi)
	acf, err := Autocorrelation(tr, maxLag, 2)
	if err != nil {
		t.Fatal(err)
	}
	nl := maxLag + 1
	for i, p := range phi[:len(thetas)] {
		for k := 0; k <= maxLag; k++ {
			got, want := acf.Coord[i*nl+k], math.Pow(p, float64(k))
			// Bartlett's standard error of r(k) for an AR(1), over K
			// chains, and the O(1/L) bias of the biased estimator.
			se := math.Sqrt((1+p*p)/(1-p*p)/float64(L*K)) * math.Sqrt(1+2*float64(k)*(1-p*p))
			bias := (1 + p) / (1 - p) / float64(L) * (1 + float64(k))
			if math.Abs(got-want) > 5*se+bias {
				t.Errorf("theta %g: rho(%d) = %.4f, want %.4f (tolerance %.4f)", thetas[i], k, got, want, 5*se+bias)
			}
		}
	}
	if acf.Band != 2.576/math.Sqrt(L) {
		t.Errorf("band %v", acf.Band)
	}
	// White noise: the chain-averaged ACF lies well inside the band.
	w := len(thetas)
	if acf.Coord[w*nl] != 1 {
		t.Errorf("rho(0) = %v, want 1", acf.Coord[w*nl])
	}
	for k := 1; k <= maxLag; k++ {
		if math.Abs(acf.Coord[w*nl+k]) > acf.Band {
			t.Errorf("white noise: rho(%d) = %.4f outside ±%.4f", k, acf.Coord[w*nl+k], acf.Band)
		}
	}
	// The mean over coordinates and its spread.
	for k := 0; k <= maxLag; k++ {
		col := []float64{acf.Coord[k], acf.Coord[nl+k], acf.Coord[2*nl+k], acf.Coord[3*nl+k]}
		m, s := meanStd(col)
		if math.Abs(acf.Mean[k]-m) > 1e-12 || math.Abs(acf.Spread[k]-s) > 1e-12 {
			t.Errorf("lag %d: mean %v spread %v, want %v %v", k, acf.Mean[k], acf.Spread[k], m, s)
		}
	}
	// The slowest coordinate keeps the mean above the band up to maxLag.
	if acf.DecorrelationLag != -1 || !(acf.IntegratedTime > 1) {
		t.Errorf("decorrelation lag %d, integrated time %v", acf.DecorrelationLag, acf.IntegratedTime)
	}
	one := &Traj{Chains: K, Len: L, Dim: 1, Data: make([]float64, K*L)}
	for r := 0; r < K*L; r++ {
		one.Data[r] = tr.Data[r*4+2] // phi = exp(-0.5)
	}
	a1, err := Autocorrelation(one, maxLag, 1)
	if err != nil {
		t.Fatal(err)
	}
	// rho(k) = exp(-k/2) falls below 2.576/sqrt(4000) = 0.041 at k = 7; the
	// integrated time is 1 + 2 sum_{k<7} exp(-k/2) ~ (1 + e^-1/2)/(1 - e^-1/2).
	if a1.DecorrelationLag < 6 || a1.DecorrelationLag > 8 || math.Abs(a1.IntegratedTime-3.9) > 0.3 {
		t.Errorf("phi = exp(-1/2): decorrelation lag %d, integrated time %v", a1.DecorrelationLag, a1.IntegratedTime)
	}
}

func TestAutocorrelationConstantAndErrors(t *testing.T) {
	tr := ouPaths(rand.New(rand.NewPCG(3, 4)), 2, 100, []float64{0.5, 0.5})
	for c := 0; c < 2; c++ {
		for s := 0; s < 100; s++ {
			tr.State(c, s)[1] = 7
		}
	}
	acf, err := Autocorrelation(tr, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	if acf.Constant != 1 || acf.Spread[3] != 0 {
		t.Errorf("constant %d, spread %v", acf.Constant, acf.Spread)
	}
	if _, err := Autocorrelation(tr, 100, 1); err == nil {
		t.Error("max lag = L accepted")
	}
}

func TestIncrementSpectrumRandomWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const K, L, d = 4, 8193, 4
	data := make([]float64, K*L*d)
	for c := 0; c < K; c++ {
		for i := 0; i < d; i++ {
			x := 0.0
			for s := 0; s < L; s++ {
				data[(c*L+s)*d+i] = x
				x += float64(i+1) * rng.NormFloat64() // scales differ by coordinate
			}
		}
	}
	sp, err := IncrementSpectrum(&Traj{Chains: K, Len: L, Dim: d, Data: data}, 256, 2)
	if err != nil {
		t.Fatal(err)
	}
	if sp.Segment != 256 || len(sp.Freq) != 129 || sp.Freq[128] != 0.5 || sp.Segments != K*63 {
		t.Fatalf("segment %d, %d frequencies up to %v, %d segments", sp.Segment, len(sp.Freq), sp.Freq[len(sp.Freq)-1], sp.Segments)
	}
	if math.Abs(sp.Flatness-1) > 0.1 {
		t.Errorf("random walk: flatness %.3f, want 1 ± 0.1", sp.Flatness)
	}
	for j := 1; j < len(sp.Mean); j++ {
		if math.Abs(sp.Mean[j]-1) > 0.25 {
			t.Errorf("random walk: spectrum %.3f at f = %.4f, want 1 ± 0.25", sp.Mean[j], sp.Freq[j])
		}
	}
	if len(sp.Peaks) != 0 {
		t.Errorf("random walk: peaks %+v", sp.Peaks)
	}
}

func TestIncrementSpectrumRotation(t *testing.T) {
	// A noisy rotation x_{t+1} = r R(theta) x_t + xi loops with period
	// 2 pi / theta = 16 steps: its increments peak at f = 1/16.
	rng := rand.New(rand.NewPCG(7, 8))
	const K, L = 4, 4097
	r, th := 0.98, 2*math.Pi/16
	s, c := math.Sincos(th)
	data := make([]float64, K*L*2)
	for ch := 0; ch < K; ch++ {
		x, y := 0.0, 0.0
		for t := 0; t < L; t++ {
			data[(ch*L+t)*2], data[(ch*L+t)*2+1] = x, y
			x, y = r*(c*x-s*y)+rng.NormFloat64(), r*(s*x+c*y)+rng.NormFloat64()
		}
	}
	sp, err := IncrementSpectrum(&Traj{Chains: K, Len: L, Dim: 2, Data: data}, 256, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.Peaks) == 0 {
		t.Fatalf("no peak; spectrum %v", sp.Mean)
	}
	p := sp.Peaks[0]
	if math.Abs(p.Freq-1.0/16) > 1.0/256 || p.Ratio < 3 || math.Abs(p.Period-16) > 1.1 {
		t.Errorf("top peak %+v, want f = 1/16 with ratio >= 3", p)
	}
}

// lowRank is a least-squares finite sum whose inputs a_k = B u_k lie in an
// r-dimensional subspace of R^d: every g_k = r_k a_k does too, so D has rank r.
type lowRank struct {
	d int
	a []float64 // N x d
	y []float64
}

func newLowRank(rng *rand.Rand, n, d, r int) *lowRank {
	B := make([]float64, d*r)
	for i := range B {
		B[i] = rng.NormFloat64()
	}
	l := &lowRank{d: d, a: make([]float64, n*d), y: make([]float64, n)}
	u := make([]float64, r)
	for k := 0; k < n; k++ {
		for j := range u {
			u[j] = rng.NormFloat64()
		}
		for i := 0; i < d; i++ {
			s := 0.0
			for j, uj := range u {
				s += B[i*r+j] * uj
			}
			l.a[k*d+i] = s
		}
		l.y[k] = rng.NormFloat64()
	}
	return l
}

func (l *lowRank) Dim() int     { return l.d }
func (l *lowRank) Samples() int { return len(l.y) }
func (l *lowRank) SampleGrad(dst, x []float64, k int) float64 {
	a := l.a[k*l.d : (k+1)*l.d]
	r := -l.y[k]
	for i, v := range a {
		r += v * x[i]
	}
	for i, v := range a {
		dst[i] = r * v
	}
	return r * r / 2
}

func TestDiffusionRank(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const d, r = 30, 4
	fs := newLowRank(rng, 200, d, r)
	x := make([]float64, d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	s, err := Diffusion(fs, x, 6)
	if err != nil {
		t.Fatal(err)
	}
	if s.Rank != r || s.RankFraction != float64(r)/d {
		t.Errorf("rank %d (fraction %v), want %d; eigenvalues %v", s.Rank, s.RankFraction, r, s.Eigenvalues)
	}
	D := make([]float64, d*d)
	potentials.Diffusion(fs, D, x)
	tr, sq := 0.0, 0.0
	for i := 0; i < d; i++ {
		tr += D[i*d+i]
	}
	for _, v := range D {
		sq += v * v
	}
	if math.Abs(s.Trace-tr) > 1e-10*tr || math.Abs(s.Mean-tr/d) > 1e-10*tr {
		t.Errorf("trace %v mean %v, want %v %v", s.Trace, s.Mean, tr, tr/d)
	}
	// Std^2 = tr(D^2)/d - (tr D/d)^2.
	if want := math.Sqrt(sq/d - tr*tr/d/d); math.Abs(s.Std-want) > 1e-8*want {
		t.Errorf("std %v, want %v", s.Std, want)
	}
	if len(s.Top) != 6 || s.Top[0] < s.Top[1] || s.Top[4] > s.Threshold {
		t.Errorf("top %v, threshold %v", s.Top, s.Threshold)
	}
	if s.ParticipationRatio > r || s.ParticipationRatio < 1 {
		t.Errorf("participation ratio %v, want in [1, %d]", s.ParticipationRatio, r)
	}
	// At recorded states, concurrently.
	data := append(append([]float64(nil), x...), x...)
	ds, err := DiffusionAt(fs, &Traj{Chains: 1, Len: 2, Dim: d, Data: data}, 0, []int{0, 1}, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[1].Time != 1 || ds[1].Rank != r || !reflect.DeepEqual(ds[0].Eigenvalues, s.Eigenvalues) {
		t.Errorf("DiffusionAt: %+v", ds)
	}
}

// gyratorPaths samples the 2-D linear SDE dx = -M x dt + sqrt(2 T D) dW
// exactly at interval h: x_{t+1} = F x_t + w, F = exp(-M h), w ~ N(0, Sigma
// - F Sigma F^T), started in the stationary law N(0, Sigma). It returns the
// paths, Sigma and F.
func gyratorPaths(t *testing.T, rng *rand.Rand, K, L int, M, D []float64, T, h float64) (*Traj, *mat.Dense, *mat.Dense) {
	t.Helper()
	// Lyapunov equation M Sigma + Sigma M^T = 2 T D, vectorised (row-major
	// vec): (M ⊗ I + I ⊗ M) vec(Sigma) = 2 T vec(D).
	var lhs mat.Dense
	Mm := mat.NewDense(2, 2, M)
	I := mat.NewDense(2, 2, []float64{1, 0, 0, 1})
	var k1, k2 mat.Dense
	k1.Kronecker(Mm, I)
	k2.Kronecker(I, Mm)
	lhs.Add(&k1, &k2)
	rhs := mat.NewVecDense(4, []float64{2 * T * D[0], 2 * T * D[1], 2 * T * D[2], 2 * T * D[3]})
	var sv mat.VecDense
	if err := sv.SolveVec(&lhs, rhs); err != nil {
		t.Fatal(err)
	}
	Sigma := mat.NewDense(2, 2, []float64{sv.AtVec(0), sv.AtVec(1), sv.AtVec(2), sv.AtVec(3)})
	var mh, F mat.Dense
	mh.Scale(-h, Mm)
	F.Exp(&mh)
	var fs, Q mat.Dense
	fs.Mul(&F, Sigma)
	Q.Mul(&fs, F.T())
	Q.Sub(Sigma, &Q)
	chol := func(a mat.Matrix) (float64, float64, float64) {
		l11 := math.Sqrt(a.At(0, 0))
		l21 := a.At(1, 0) / l11
		return l11, l21, math.Sqrt(a.At(1, 1) - l21*l21)
	}
	q11, q21, q22 := chol(&Q)
	s11, s21, s22 := chol(Sigma)
	data := make([]float64, K*L*2)
	for c := 0; c < K; c++ {
		z0, z1 := rng.NormFloat64(), rng.NormFloat64()
		x, y := s11*z0, s21*z0+s22*z1
		for s := 0; s < L; s++ {
			data[(c*L+s)*2], data[(c*L+s)*2+1] = x, y
			z0, z1 = rng.NormFloat64(), rng.NormFloat64()
			x, y = F.At(0, 0)*x+F.At(0, 1)*y+q11*z0, F.At(1, 0)*x+F.At(1, 1)*y+q21*z0+q22*z1
		}
	}
	return &Traj{Chains: K, Len: L, Dim: 2, Data: data}, Sigma, &F
}

func TestStochasticAreaGyrator(t *testing.T) {
	M := []float64{1, 0, 0, 2}
	const K, L, h, T = 40, 4000, 0.1, 1.0
	lags := []int{1, 5, 10}
	for _, c := range []struct {
		name string
		D    []float64
	}{
		{"gyrator", []float64{1, 0.8, 0.8, 1}},
		{"equilibrium", []float64{1, 0, 0, 1}},
	} {
		tr, Sigma, F := gyratorPaths(t, rand.New(rand.NewPCG(11, 12)), K, L, M, c.D, T, h)
		ar, err := StochasticArea(tr, lags, 0, 2)
		if err != nil {
			t.Fatal(err)
		}
		if ar.Projected || ar.Components != 2 || ar.Explained != 1 {
			t.Fatalf("%s: %+v", c.name, ar)
		}
		// Monte Carlo error from the spread of the per-chain estimates.
		per := make([][]float64, len(lags))
		for ch := 0; ch < K; ch++ {
			one := &Traj{Chains: 1, Len: L, Dim: 2, Data: tr.Data[ch*L*2 : (ch+1)*L*2]}
			a1, err := StochasticArea(one, lags, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			for j := range lags {
				per[j] = append(per[j], a1.Lags[j].A[2])
			}
		}
		for j, tau := range lags {
			var Fk, C mat.Dense
			Fk.Pow(F, tau)
			C.Mul(&Fk, Sigma) // C(tau) = exp(-M tau h) Sigma
			want := (C.At(1, 0) - C.At(0, 1)) / 2
			got := ar.Lags[j].A[2]
			_, sd := meanStd(per[j])
			se := sd / math.Sqrt(K-1)
			if math.Abs(got-want) > 4*se+1e-3 {
				t.Errorf("%s: A_21(%d) = %.5f, exact %.5f (standard error %.5f)", c.name, tau, got, want, se)
			}
			if ar.Lags[j].A[1] != -got || ar.Lags[j].A[0] != 0 {
				t.Errorf("%s: A(%d) = %v is not antisymmetric", c.name, tau, ar.Lags[j].A)
			}
			if c.name == "gyrator" {
				if want >= 0 || got >= 0 || math.Abs(want) < 10*se {
					t.Errorf("gyrator: A_21(%d) = %.5f, exact %.5f: want a clearly negative area", tau, got, want)
				}
				if ar.Lags[j].Ratio < 0.01 {
					t.Errorf("gyrator: ratio %v", ar.Lags[j].Ratio)
				}
			}
		}
	}
}

func TestStochasticAreaProjected(t *testing.T) {
	// The gyrator in coordinates 0 and 1, and 58 small independent OU
	// coordinates: the two leading components span the gyrator's plane,
	// where the area ratio is that of the plane.
	const K, L, d = 8, 2000, 60
	rng := rand.New(rand.NewPCG(13, 14))
	g, _, _ := gyratorPaths(t, rng, K, L, []float64{1, 0, 0, 2}, []float64{1, 0.8, 0.8, 1}, 1, 0.1)
	small := make([]float64, d-2)
	for i := range small {
		small[i] = 0.5
	}
	o := ouPaths(rng, K, L, small)
	data := make([]float64, K*L*d)
	for r := 0; r < K*L; r++ {
		copy(data[r*d:], g.Data[2*r:2*r+2])
		for i := 2; i < d; i++ {
			data[r*d+i] = 0.01 * o.Data[r*(d-2)+i-2]
		}
	}
	tr := &Traj{Chains: K, Len: L, Dim: d, Data: data}
	lags := []int{1, 5}
	full, err := StochasticArea(g, lags, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	p1, err := StochasticArea(tr, lags, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := StochasticArea(tr, lags, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p1, p2) {
		t.Error("the projected area depends on the number of workers")
	}
	if !p1.Projected || p1.Components != 2 || p1.Explained < 0.99 || len(p1.Variances) != 2 {
		t.Errorf("projection %+v", p1)
	}
	for j := range lags {
		if math.Abs(p1.Lags[j].Ratio-full.Lags[j].Ratio) > 0.01*full.Lags[j].Ratio {
			t.Errorf("lag %d: projected ratio %v, plane %v", lags[j], p1.Lags[j].Ratio, full.Lags[j].Ratio)
		}
	}
}

func TestGradientNormsLinReg(t *testing.T) {
	const n, d = 200, 5
	fs, err := potentials.NewLinReg(n, d, 10, 0.5, 3)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(15, 16))
	const K, L = 3, 7
	data := make([]float64, K*L*d)
	for i := range data {
		data[i] = fs.XStar[i%d] + rng.NormFloat64()
	}
	tr := &Traj{Chains: K, Len: L, Dim: d, Data: data}
	gn, err := GradientNorms(fs, tr, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gn.Times, []int{0, 2, 4, 6}) {
		t.Fatalf("times %v", gn.Times)
	}
	for j, tt := range gn.Times {
		norms := make([]float64, K)
		losses := make([]float64, K)
		for c := 0; c < K; c++ {
			x := tr.State(c, tt)
			g := make([]float64, d) // grad f = A^T (A x - y) / N
			for k := 0; k < n; k++ {
				a := fs.A[k*d : (k+1)*d]
				r := -fs.Y[k]
				for i, v := range a {
					r += v * x[i]
				}
				losses[c] += r * r / 2 / n
				for i, v := range a {
					g[i] += r * v / n
				}
			}
			s := 0.0
			for _, v := range g {
				s += v * v
			}
			norms[c] = math.Sqrt(s / d)
		}
		m, sd := meanStd(norms)
		lm, _ := meanStd(losses)
		if math.Abs(gn.Value[j]-m) > 1e-12*m || math.Abs(gn.Spread[j]-sd) > 1e-10*m || math.Abs(gn.Loss[j]-lm) > 1e-12*lm {
			t.Errorf("time %d: norm %v ± %v, loss %v; want %v ± %v, %v", tt, gn.Value[j], gn.Spread[j], gn.Loss[j], m, sd, lm)
		}
	}
}

func TestObserveWorkers(t *testing.T) {
	fs, err := potentials.NewLinReg(100, 60, 10, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(17, 18))
	phi := make([]float64, 60)
	for i := range phi {
		phi[i] = 0.9
	}
	tr := ouPaths(rng, 3, 300, phi)
	o1, err := Observe(fs, tr, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	o2, err := Observe(fs, tr, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o1, o2) {
		t.Error("observables depend on the number of workers")
	}
	if o1.ACF.MaxLag != 75 || len(o1.D) != 3 || o1.D[2].Time != 299 || len(o1.GradNorm.Times) != 100 ||
		!o1.Area.Projected || len(o1.Area.Lags) != 7 || o1.D[0].Rank != 60 {
		t.Errorf("defaults: max lag %d, %d D spectra, %d gradient times, area %+v, rank %d",
			o1.ACF.MaxLag, len(o1.D), len(o1.GradNorm.Times), o1.Area, o1.D[0].Rank)
	}
	if _, err := Observe(fs, tr, Options{MaxLag: 300}); err == nil {
		t.Error("max lag = L accepted")
	}
	if _, err := Observe(fs, tr, Options{DTimes: []int{300}}); err == nil {
		t.Error("D time out of range accepted")
	}
}

func TestNewTraj(t *testing.T) {
	if _, err := NewTraj(make([]float64, 6), 1, 2, 3); err != nil {
		t.Error(err)
	}
	if _, err := NewTraj(make([]float64, 5), 1, 2, 3); err == nil {
		t.Error("wrong size accepted")
	}
	if _, err := NewTraj([]float64{0, math.NaN()}, 1, 1, 2); err == nil {
		t.Error("NaN accepted")
	}
	if got := DefaultAreaLags(25); !reflect.DeepEqual(got, []int{1, 2, 5, 10}) {
		t.Errorf("DefaultAreaLags(25) = %v", got)
	}
	if got := EvenTimes(10, 3); !reflect.DeepEqual(got, []int{0, 5, 9}) {
		t.Errorf("EvenTimes = %v", got)
	}
}
