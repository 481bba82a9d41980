package observables

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// TestMLPInitRank checks what the rank of D means at the default mlp's
// initialisation (potentials.NewFiniteSum("mlp", nil), d = 1002, N = 1000,
// x0 = Init with the model's default seed parameter, as 'sgdsde sgd --model
// mlp --x0 init' does).
//
// The numerical rank at the threshold lambda_max d 2^-52 = 1.5e-12 is 75
// (numpy.linalg.matrix_rank of the same D agrees, and an SVD of the centred
// per-sample gradients gives the same eigenvalues to 4 digits down to 1e-14).
// But that rank is set by the threshold, not by D: the eigenvalues decay
// exponentially, about a decade every 8 indices (lambda_1 = 6.6,
// lambda_20 = 9.8e-6, lambda_50 = 6.9e-10, lambda_75 = 1.8e-12, lambda_100
// = 5.3e-15), with no gap at the rank: lambda_75/lambda_76 = 1.52. The
// per-sample gradients are smooth (analytic) functions of 2-D inputs, whose
// Gram matrices have exponentially decaying spectra. The test asserts the
// rank 75, that the gap at the rank is small (below 3: a gap there would
// make the rank robust, and the README's wording would have to say so), and
// the counts of eigenvalues above 1e-8, 1e-10 and 1e-12 times lambda_max
// (33, 50 and 68, from numpy: every threshold gives a different "rank").
// The eigensolver's absolute error is about |D|_2 d eps = 1.5e-12: the
// thresholds 6.6e-8 and 6.6e-10 are far above it, 6.6e-12 only 4 times, so
// that count is allowed a difference of 1.
func TestMLPInitRank(t *testing.T) {
	if testing.Short() {
		t.Skip("the eigenvalues of a 1002 x 1002 matrix: about a second")
	}
	fs, err := potentials.NewFiniteSum("mlp", nil)
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := potentials.LookupFiniteSum("mlp")
	seed := -1.0
	for _, p := range spec.Params {
		if p.Name == "seed" {
			seed = p.Default
		}
	}
	if seed < 0 {
		t.Fatal("mlp has no seed parameter")
	}
	x := make([]float64, fs.Dim())
	fs.(*potentials.MLP).Init(x, uint64(seed))
	s, err := Diffusion(fs, x, 100)
	if err != nil {
		t.Fatal(err)
	}
	r := s.Rank
	t.Logf("mlp d = %d, N = %d, seed %v: rank %d, threshold %.3g, lambda_max %.3g, lambda_r %.3g, lambda_r+1 %.3g, gap %.3g",
		fs.Dim(), fs.Samples(), seed, r, s.Threshold, s.Eigenvalues[0], s.LastIn, s.FirstOut, s.Gap)
	if fs.Dim() != 1002 || r != 75 {
		t.Errorf("rank %d of %d, want 75 of 1002", r, fs.Dim())
	}
	if !(s.Gap > 1 && s.Gap < 3) {
		t.Errorf("gap lambda_%d/|lambda_%d| = %.3g, want between 1 and 3 (no gap: the rank follows the threshold)", r, r+1, s.Gap)
	}
	ev := s.Eigenvalues
	for _, c := range []struct {
		rel  float64
		want int
		tol  int
	}{{1e-8, 33, 0}, {1e-10, 50, 0}, {1e-12, 68, 1}} {
		n := 0
		for _, v := range ev {
			if v > c.rel*ev[0] {
				n++
			}
		}
		t.Logf("eigenvalues above %.0e lambda_max: %d", c.rel, n)
		if n < c.want-c.tol || n > c.want+c.tol {
			t.Errorf("%d eigenvalues above %.0e lambda_max, want %d", n, c.rel, c.want)
		}
	}
	// Exponential decay: log10 lambda_i falls by 1 every 6 to 10 indices
	// between i = 20 and i = 70 (measured 7.9).
	per := 50 / (math.Log10(ev[19]) - math.Log10(ev[69]))
	t.Logf("one decade every %.2f indices between lambda_20 and lambda_70", per)
	if per < 6 || per > 10 {
		t.Errorf("one decade every %.2f indices, want 6 to 10", per)
	}
}

// TestRankGap checks the definitions of LastIn, FirstOut and Gap on given
// spectra and on a finite sum of exact rank 4 (newLowRank), whose gap at the
// rank must be huge: lambda_4 is of order 1, lambda_5 round-off.
func TestRankGap(t *testing.T) {
	for _, c := range []struct {
		ev              []float64
		rank            int
		last, next, gap float64
	}{
		{[]float64{3, 2, 1e-20, -1e-18}, 2, 2, 1e-20, 2e20},
		{[]float64{3, 2, -4e-18}, 2, 2, -4e-18, 5e17},
		{[]float64{3, 2}, 2, 2, 0, math.Inf(1)},
		{[]float64{3, 2, 0}, 2, 2, 0, math.Inf(1)},
		{[]float64{0, 0}, 0, 0, 0, 0},
	} {
		s := spectrumStats(c.ev, 0)
		if s.Rank != c.rank || s.LastIn != c.last || s.FirstOut != c.next || math.Abs(s.Gap-c.gap) > 1e-12*c.gap {
			t.Errorf("%v: rank %d, lambda_r %v, lambda_r+1 %v, gap %v; want %d, %v, %v, %v",
				c.ev, s.Rank, s.LastIn, s.FirstOut, s.Gap, c.rank, c.last, c.next, c.gap)
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	const d, r = 30, 4
	fs := newLowRank(rng, 200, d, r)
	x := make([]float64, d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	s, err := Diffusion(fs, x, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exact rank %d: rank %d, lambda_r %.3g, lambda_r+1 %.3g, gap %.3g, threshold %.3g", r, s.Rank, s.LastIn, s.FirstOut, s.Gap, s.Threshold)
	if s.Rank != r || !(s.Gap > 1e10) {
		t.Errorf("exact rank %d: rank %d, gap %.3g (want > 1e10)", r, s.Rank, s.Gap)
	}
}

// TestGradientNormsTraceD checks TraceD and MeanTraceD against the trace of
// D from potentials.Diffusion (direct summation) at every evaluated state,
// to 1e-12 relative (two summation orders of the same N terms).
func TestGradientNormsTraceD(t *testing.T) {
	const n, d = 150, 4
	fs, err := potentials.NewLinReg(n, d, 10, 0.5, 5)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const K, L = 2, 5
	data := make([]float64, K*L*d)
	for i := range data {
		data[i] = rng.NormFloat64()
	}
	tr := &Traj{Chains: K, Len: L, Dim: d, Data: data}
	gn, err := GradientNorms(fs, tr, L, 3)
	if err != nil {
		t.Fatal(err)
	}
	D := make([]float64, d*d)
	all := 0.0
	for j, tt := range gn.Times {
		m := 0.0
		for c := 0; c < K; c++ {
			potentials.Diffusion(fs, D, tr.State(c, tt))
			for i := 0; i < d; i++ {
				m += D[i*d+i] / d / K
			}
		}
		all += m / float64(len(gn.Times))
		if math.Abs(gn.TraceD[j]-m) > 1e-12*m {
			t.Errorf("time %d: tr D/d %v, want %v", tt, gn.TraceD[j], m)
		}
	}
	if gn.States != K*L || math.Abs(gn.MeanTraceD-all) > 1e-12*all {
		t.Errorf("mean tr D/d %v over %d states, want %v over %d", gn.MeanTraceD, gn.States, all, K*L)
	}
}

// TestDiffusionGramRoute checks the two routes of Diffusion against each
// other: the eigenvalues of D (d x d) and of the Gram matrix K (N x N) of
// the centred per-sample gradients, completed with zeros to d, agree to
// round-off (64 d eps lambda_max), with the same rank, threshold and
// statistics; the Gram route reports the d - min(N - 1, d) eigenvalues
// beyond the possible rank as exact zeros; and Diffusion takes the Gram
// route exactly when d > N.
func TestDiffusionGramRoute(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	mlp := func(n, hidden int) potentials.FiniteSum {
		m, err := potentials.NewMLP(n, hidden, 2, 1.5, 0.1, 7)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, c := range []struct {
		name string
		fs   potentials.FiniteSum
		gram bool // the route Diffusion takes
	}{
		{"mlp d=42 N=15", mlp(15, 8), true},
		{"low rank d=30 N=12 r=4", newLowRank(rng, 12, 30, 4), true},
		{"mlp d=17 N=17", mlp(17, 3), false},
		{"mlp d=17 N=60", mlp(60, 3), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs := c.fs
			d, n := fs.Dim(), fs.Samples()
			x := make([]float64, d)
			for i := range x {
				x[i] = 0.7 * rng.NormFloat64()
			}
			got, err := Diffusion(fs, x, 5)
			if err != nil {
				t.Fatal(err)
			}
			routes := [2]*DSpectrum{}
			for i, gram := range []bool{false, true} {
				if routes[i], err = diffusion(fs, x, 5, gram); err != nil {
					t.Fatal(err)
				}
			}
			want := routes[0]
			if c.gram {
				want = routes[1]
			}
			for i, v := range got.Eigenvalues {
				if math.Float64bits(v) != math.Float64bits(want.Eigenvalues[i]) {
					t.Fatalf("Diffusion's eigenvalue %d = %v, the %s route's %v", i, v, map[bool]string{true: "Gram", false: "d x d"}[c.gram], want.Eigenvalues[i])
				}
			}
			D, K := routes[0], routes[1]
			if len(D.Eigenvalues) != d || len(K.Eigenvalues) != d {
				t.Fatalf("%d and %d eigenvalues, want d = %d", len(D.Eigenvalues), len(K.Eigenvalues), d)
			}
			tol := 64 * float64(d) * 0x1p-52 * D.Eigenvalues[0]
			for i := range D.Eigenvalues {
				if math.Abs(D.Eigenvalues[i]-K.Eigenvalues[i]) > tol {
					t.Errorf("eigenvalue %d: %v from D, %v from K (tolerance %.2g)", i, D.Eigenvalues[i], K.Eigenvalues[i], tol)
				}
			}
			zeros := 0
			for _, v := range K.Eigenvalues {
				if v == 0 {
					zeros++
				}
			}
			if wantZeros := d - min(n-1, d); zeros < wantZeros {
				t.Errorf("the Gram route has %d exact zeros, want at least d - min(N-1, d) = %d", zeros, wantZeros)
			}
			if D.Rank != K.Rank || math.Abs(D.Threshold-K.Threshold) > 1e-12*D.Threshold {
				t.Errorf("rank %d, threshold %v from D; %d, %v from K", D.Rank, D.Threshold, K.Rank, K.Threshold)
			}
			for _, p := range [][3]any{{"trace", D.Trace, K.Trace}, {"mean", D.Mean, K.Mean}, {"std", D.Std, K.Std},
				{"participation ratio", D.ParticipationRatio, K.ParticipationRatio}} {
				a, b := p[1].(float64), p[2].(float64)
				if math.Abs(a-b) > 1e-10*math.Abs(a) {
					t.Errorf("%s %v from D, %v from K", p[0], a, b)
				}
			}
			t.Logf("d = %d, N = %d: rank %d, lambda_max %.3g, largest difference within %.2g", d, n, D.Rank, D.Eigenvalues[0], tol)
		})
	}
}
