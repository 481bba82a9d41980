package potentials

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// fsCase is a finite sum under test with a point to test it at.
type fsCase struct {
	name string
	fs   FiniteSum
	x    []float64
}

// mustFS returns fs, panicking on a constructor error (test data only).
func mustFS[T FiniteSum](fs T, err error) T {
	if err != nil {
		panic(err)
	}
	return fs
}

// finiteSumCases returns small instances of every model, each with a random
// point x (for the MLP, its initialisation plus a perturbation, so that the
// hidden units are neither linear nor saturated).
func finiteSumCases(t testing.TB) []fsCase {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	randx := func(d int, s float64) []float64 {
		x := make([]float64, d)
		for i := range x {
			x[i] = s * rng.NormFloat64()
		}
		return x
	}
	lr2 := mustFS(NewLinReg(50, 2, 10, 0.5, 1))
	lr7 := mustFS(NewLinReg(40, 7, 100, 0.3, 2))
	lg3 := mustFS(NewLogReg(60, 3, 2, 0.01, 3))
	lg2 := mustFS(NewLogReg(40, 2, 30, 0, 4)) // far apart: margins up to ~100
	mlp := mustFS(NewMLP(30, 6, 3, 1.5, 0.05, 5))
	xm := make([]float64, mlp.Dim())
	mlp.Init(xm, 6)
	for i := range xm {
		xm[i] += 0.3 * rng.NormFloat64()
	}
	big := mustFS(NewMLP(40, 200, 2, 1.5, 0.05, 6))
	xb := make([]float64, big.Dim())
	big.Init(xb, 7)
	return []fsCase{
		{"linreg d=2", lr2, randx(2, 1)},
		{"linreg d=7", lr7, randx(7, 1)},
		{"logreg d=3", lg3, randx(3, 1)},
		{"logreg d=2 large margins", lg2, randx(2, 3)},
		{"mlp H=6 C=3", mlp, xm},
		{"mlp H=200 C=2", big, xb},
	}
}

// TestFiniteSumSampleGradFD compares every model's SampleGrad with central
// differences of the per-sample loss (fashion-mlp included, on synthetic
// data), step h = 1e-5 max(1, |x_i|), every entry of the gradient written. With M3 a
// bound on the third derivative along x_i, the truncation error is
// h^2 M3 / 6 ~ 2e-11 M3 and the rounding error about eps |f| / h ~ 2e-11 |f|;
// M3 and f are O(10) at most here (inputs O(1), weights O(1)), so errors stay
// below 1e-9, and the tolerance 1e-6 (1 + |g_k|_inf) leaves a wide margin
// while catching any wrong term (observed: at most 2e-11).
func TestFiniteSumSampleGradFD(t *testing.T) {
	for _, c := range append(finiteSumCases(t), fashionCases(t)...) {
		t.Run(c.name, func(t *testing.T) {
			d, n := c.fs.Dim(), c.fs.Samples()
			g := make([]float64, d)
			tmp := make([]float64, d)
			xp := append([]float64(nil), c.x...)
			worst := 0.0
			for _, k := range []int{0, 1, n / 2, n - 1} {
				for i := range g {
					g[i] = math.NaN() // every entry must be written
				}
				f := c.fs.SampleGrad(g, c.x, k)
				if math.IsNaN(f) || math.IsInf(f, 0) {
					t.Fatalf("f_%d = %g", k, f)
				}
				gmax := 0.0
				for _, v := range g {
					gmax = math.Max(gmax, math.Abs(v))
				}
				for i := 0; i < d; i++ {
					h := 1e-5 * math.Max(1, math.Abs(c.x[i]))
					xp[i] = c.x[i] + h
					fp := c.fs.SampleGrad(tmp, xp, k)
					xp[i] = c.x[i] - h
					fm := c.fs.SampleGrad(tmp, xp, k)
					xp[i] = c.x[i]
					fd := (fp - fm) / (2 * h)
					err := math.Abs(fd - g[i])
					worst = math.Max(worst, err/(1+gmax))
					if err > 1e-6*(1+gmax) {
						t.Errorf("k = %d, i = %d: g = %.12g, central difference %.12g", k, i, g[i], fd)
					}
				}
			}
			t.Logf("largest |FD - g| / (1 + |g|_inf) = %.2g", worst)
		})
	}
}

// gradMatrix returns the N x d matrix of per-sample gradients.
func gradMatrix(fs FiniteSum, x []float64) *mat.Dense {
	d, n := fs.Dim(), fs.Samples()
	G := mat.NewDense(n, d, nil)
	for k := 0; k < n; k++ {
		fs.SampleGrad(G.RawRowView(k), x, k)
	}
	return G
}

// directDiffusion computes (1/N) G^T G - g g^T, g = (1/N) G^T 1, with gonum mat.
func directDiffusion(G *mat.Dense) *mat.Dense {
	n, d := G.Dims()
	ones := mat.NewVecDense(n, nil)
	for k := 0; k < n; k++ {
		ones.SetVec(k, 1)
	}
	var g mat.VecDense
	g.MulVec(G.T(), ones)
	g.ScaleVec(1/float64(n), &g)
	var D, gg mat.Dense
	D.Mul(G.T(), G)
	D.Scale(1/float64(n), &D)
	gg.Outer(1, &g, &g)
	D.Sub(&D, &gg)
	_ = d
	return &D
}

// linRegGradMatrix computes g_k = r_k a_k for LinReg from its data, without
// SampleGrad: r = A x - y, G = diag(r) A.
func linRegGradMatrix(l *LinReg, x []float64) *mat.Dense {
	n, d := l.Samples(), l.Dim()
	A := mat.NewDense(n, d, append([]float64(nil), l.A...))
	var r mat.VecDense
	r.MulVec(A, mat.NewVecDense(d, append([]float64(nil), x...)))
	r.SubVec(&r, mat.NewVecDense(n, append([]float64(nil), l.Y...)))
	var G mat.Dense
	G.Mul(mat.NewDiagDense(n, r.RawVector().Data), A)
	return &G
}

func maxAbs(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// TestDiffusionDirect is validation case 16, first part: Diffusion (and
// the allocation-free path of ModelOf) against (1/N) sum g_k g_k^T - g g^T
// computed with gonum mat; for LinReg the g_k = r_k a_k come from the data,
// not from SampleGrad. Both are O(N d^2) sums of O(1) terms, so they agree to
// rounding: tolerance 1e-11 max|D|.
func TestDiffusionDirect(t *testing.T) {
	for _, c := range finiteSumCases(t) {
		t.Run(c.name, func(t *testing.T) {
			d := c.fs.Dim()
			var G *mat.Dense
			if l, ok := c.fs.(*LinReg); ok {
				G = linRegGradMatrix(l, c.x)
			} else {
				G = gradMatrix(c.fs, c.x)
			}
			want := directDiffusion(G).RawMatrix().Data
			scale := maxAbs(want)
			got := make([]float64, d*d)
			Diffusion(c.fs, got, c.x)
			got2 := make([]float64, d*d)
			if d <= 50 {
				diffusionScratch(c.fs, got2, c.x, make([]float64, d), make([]float64, d))
			} else {
				copy(got2, want)
			}
			worst := 0.0
			for i := range want {
				worst = math.Max(worst, math.Max(math.Abs(got[i]-want[i]), math.Abs(got2[i]-want[i])))
			}
			if worst > 1e-11*scale {
				t.Errorf("max |D - direct| = %.3g, max |D| = %.3g", worst, scale)
			}
			for i := 0; i < d; i++ {
				for j := 0; j < i; j++ {
					if got[i*d+j] != got[j*d+i] {
						t.Fatalf("D not symmetric at (%d, %d)", i, j)
					}
				}
			}
			t.Logf("max |D| = %.4g, max |D - direct| = %.2g", scale, worst)
		})
	}
}

// covStats accumulates the empirical covariance (1/M) sum u u^T of samples u
// with known mean zero, and the squares needed for its standard error.
type covStats struct {
	d       int
	m       int
	s1, s2  []float64 // sums of u_i u_j and of (u_i u_j)^2
	meanSum []float64
}

func newCovStats(d int) *covStats {
	return &covStats{d: d, s1: make([]float64, d*d), s2: make([]float64, d*d), meanSum: make([]float64, d)}
}

func (c *covStats) add(u []float64) {
	c.m++
	for i := 0; i < c.d; i++ {
		c.meanSum[i] += u[i]
		for j := 0; j < c.d; j++ {
			p := u[i] * u[j]
			c.s1[i*c.d+j] += p
			c.s2[i*c.d+j] += p * p
		}
	}
}

// z returns the largest |C_hat_ij - want_ij| / se_ij, where the Monte Carlo
// standard error of the mean of the iid products u_i u_j is
// se_ij = sqrt((mean((u_i u_j)^2) - C_hat_ij^2) / M).
func (c *covStats) z(want []float64) (zmax float64, at [2]int) {
	m := float64(c.m)
	for i := 0; i < c.d; i++ {
		for j := 0; j < c.d; j++ {
			cij := c.s1[i*c.d+j] / m
			se := math.Sqrt((c.s2[i*c.d+j]/m - cij*cij) / m)
			if z := math.Abs(cij-want[i*c.d+j]) / se; z > zmax {
				zmax, at = z, [2]int{i, j}
			}
		}
	}
	return zmax, at
}

func scaled(a []float64, s float64) []float64 {
	out := make([]float64, len(a))
	for i, v := range a {
		out[i] = s * v
	}
	return out
}

// TestDiffusionMiniBatch is validation case 16, second part: the
// covariance of the mini-batch gradient of batch size b is D/b when the batch
// is drawn with replacement and D (N - b) / (b (N - 1)) without. From
// M = 20,000 independent batches the covariance is estimated about the exact
// mean g (the batch gradient is unbiased either way); every entry must lie
// within 5 Monte Carlo standard errors, se_ij = sqrt(Var(u_i u_j) / M) with
// the variance estimated from the same batches (for a 5-sigma bound the
// chance of a false alarm is below 1e-5 over all entries). The test also
// checks that it can tell the two formulas apart: the wrong one must miss by
// more than 5 standard errors somewhere.
func TestDiffusionMiniBatch(t *testing.T) {
	const M = 20000
	lr := mustFS(NewLinReg(20, 3, 10, 0.5, 11))
	lg := mustFS(NewLogReg(24, 2, 2, 0.01, 12))
	cases := []struct {
		name string
		fs   FiniteSum
		x    []float64
		b    int
	}{
		{"linreg d=3 N=20", lr, []float64{0.4, -1.2, 0.7}, 5},
		{"logreg d=2 N=24", lg, []float64{0.8, -0.3}, 6},
	}
	for _, c := range cases {
		d, n, b := c.fs.Dim(), c.fs.Samples(), c.b
		D := make([]float64, d*d)
		Diffusion(c.fs, D, c.x)
		g := make([]float64, d)
		sc := make([]float64, d)
		FullGrad(c.fs, g, sc, c.x)
		with := scaled(D, 1/float64(b))
		without := scaled(D, float64(n-b)/(float64(b)*float64(n-1)))
		for _, replace := range []bool{true, false} {
			rng := rand.New(rand.NewPCG(uint64(n), 99))
			st := newCovStats(d)
			batch := make([]int, b)
			perm := make([]int, n)
			gb := make([]float64, d)
			for range M {
				if replace {
					for i := range batch {
						batch[i] = rng.IntN(n)
					}
				} else {
					for i := range perm {
						perm[i] = i
					}
					for i := 0; i < b; i++ { // partial Fisher–Yates
						j := i + rng.IntN(n-i)
						perm[i], perm[j] = perm[j], perm[i]
					}
					copy(batch, perm[:b])
				}
				BatchGrad(c.fs, gb, sc, c.x, batch)
				for i := range gb {
					gb[i] -= g[i]
				}
				st.add(gb)
			}
			want, wrong := with, without
			if !replace {
				want, wrong = without, with
			}
			z, at := st.z(want)
			zw, _ := st.z(wrong)
			t.Logf("%s, b = %d, replacement %v: max |z| = %.2f at %v (the other formula: %.1f)", c.name, b, replace, z, at, zw)
			if z > 5 {
				t.Errorf("%s, replacement %v: covariance misses by %.2f standard errors at %v", c.name, replace, z, at)
			}
			if zw < 5 {
				t.Errorf("%s, replacement %v: cannot tell the formulas apart (wrong one at %.2f standard errors)", c.name, replace, zw)
			}
		}
	}
}

// TestNoiseSampler checks that the noise xi = sqrt(2T/N) sum_k (g_k - g)
// zeta_k has covariance 2 T D: exactly, from the columns B e_k of the linear
// map (B B^T against 2 T D to rounding, 1e-12 max|D|), and by Monte Carlo
// with 20,000 draws (every entry within 5 standard errors, as in
// TestDiffusionMiniBatch). It also checks the gradient it returns.
func TestNoiseSampler(t *testing.T) {
	const T = 0.7
	for _, c := range finiteSumCases(t)[:5] {
		t.Run(c.name, func(t *testing.T) {
			d, n := c.fs.Dim(), c.fs.Samples()
			D := make([]float64, d*d)
			Diffusion(c.fs, D, c.x)
			want := scaled(D, 2*T)
			s := NewNoiseSampler(c.fs)
			xi := make([]float64, d)
			grad := make([]float64, d)
			zeta := make([]float64, n)

			B := mat.NewDense(d, n, nil)
			for k := 0; k < n; k++ {
				clear(zeta)
				zeta[k] = 1
				s.Sample(xi, nil, c.x, zeta, T)
				B.SetCol(k, xi)
			}
			var BBt mat.Dense
			BBt.Mul(B, B.T())
			exact := 0.0
			for i, v := range BBt.RawMatrix().Data {
				exact = math.Max(exact, math.Abs(v-want[i]))
			}
			if exact > 1e-12*maxAbs(want) {
				t.Errorf("max |B B^T - 2 T D| = %.3g, max |2 T D| = %.3g", exact, maxAbs(want))
			}

			g := make([]float64, d)
			f := FullGrad(c.fs, g, make([]float64, d), c.x)
			rng := rand.New(rand.NewPCG(3, uint64(d)))
			st := newCovStats(d)
			for m := 0; m < 20000; m++ {
				for k := range zeta {
					zeta[k] = rng.NormFloat64()
				}
				fs := s.Sample(xi, grad, c.x, zeta, T)
				if m == 0 {
					if math.Abs(fs-f) > 1e-12*math.Max(1, math.Abs(f)) {
						t.Errorf("loss %g, FullGrad %g", fs, f)
					}
					for i := range g {
						if math.Abs(grad[i]-g[i]) > 1e-12*math.Max(1, maxAbs(g)) {
							t.Fatalf("grad[%d] = %g, FullGrad %g", i, grad[i], g[i])
						}
					}
				}
				st.add(xi)
			}
			z, at := st.z(want)
			t.Logf("max |B B^T - 2TD| = %.2g; Monte Carlo max |z| = %.2f at %v", exact, z, at)
			if z > 5 {
				t.Errorf("Monte Carlo covariance misses 2 T D by %.2f standard errors at %v", z, at)
			}
		})
	}
}

// hideDiv hides a finite sum's DivDiffusion method, so that ModelOf falls
// back on central differences.
type hideDiv struct{ FiniteSum }

func TestModelOf(t *testing.T) {
	lr := mustFS(NewLinReg(200, 2, 10, 0.5, 21))
	lg := mustFS(NewLogReg(200, 2, 2, 0.01, 22))
	for _, c := range []struct {
		name string
		fs   FiniteSum
		box  Box
	}{
		{"linreg", lr, lr.Box()},
		{"linreg FD", hideDiv{lr}, lr.Box()},
		{"logreg", lg, NewBox(-3, 3, -3, 3)},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := ModelOf(c.fs, c.box)
			if err := m.Validate(); err != nil {
				t.Fatal(err)
			}
			if !m.GradientDrift || m.DivDiffusion == nil || m.Loss == nil || m.Grad == nil {
				t.Fatal("ModelOf: fields missing")
			}
			b, g, g2 := make([]float64, 2), make([]float64, 2), make([]float64, 2)
			D, D2 := make([]float64, 4), make([]float64, 4)
			div, xs := make([]float64, 2), make([]float64, 2)
			for _, p := range boxGrid(c.box, 5) {
				m.Drift(b, p)
				m.Grad(g, p)
				f := FullGrad(c.fs, g2, make([]float64, 2), p)
				if m.Loss(p) != f || b[0] != -g[0] || b[1] != -g[1] || g[0] != g2[0] || g[1] != g2[1] {
					t.Fatalf("at %v: drift %v, grad %v, FullGrad %v", p, b, g, g2)
				}
				if err := m.CheckDiffusion(p); err != nil {
					t.Fatal(err)
				}
				m.Diffusion(D, p)
				Diffusion(c.fs, D2, p)
				for i := range D {
					if math.Abs(D[i]-D2[i]) > 1e-12*maxAbs(D2) {
						t.Fatalf("at %v: D = %v, Diffusion %v", p, D, D2)
					}
				}
				// div D against the test's own central differences with a
				// larger step (h = 1e-4: truncation ~ 1e-8 |D'''|).
				m.DivDiffusion(div, p)
				for i := 0; i < 2; i++ {
					fd := 0.0
					for j := 0; j < 2; j++ {
						const h = 1e-4
						copy(xs, p)
						xs[j] += h
						Diffusion(c.fs, D, xs)
						fd += D[i*2+j] / (2 * h)
						xs[j] -= 2 * h
						Diffusion(c.fs, D, xs)
						fd -= D[i*2+j] / (2 * h)
					}
					if math.Abs(fd-div[i]) > 1e-6*(1+math.Abs(fd)) {
						t.Errorf("at %v: (div D)_%d = %.10g, central difference %.10g", p, i, div[i], fd)
					}
				}
			}
		})
	}
	// The closed form against ModelOf's own finite differences.
	exact, fd := make([]float64, 2), make([]float64, 2)
	me, mf := ModelOf(lr, lr.Box()), ModelOf(hideDiv{lr}, lr.Box())
	worst := 0.0
	for _, p := range boxGrid(lr.Box(), 7) {
		me.DivDiffusion(exact, p)
		mf.DivDiffusion(fd, p)
		for i := range exact {
			e := math.Abs(exact[i]-fd[i]) / (1 + math.Abs(exact[i]))
			worst = math.Max(worst, e)
		}
	}
	t.Logf("LinReg div D: closed form vs ModelOf central differences, max relative difference %.2g", worst)
	if worst > 1e-7 {
		t.Errorf("LinReg div D: closed form and central differences differ by %.3g", worst)
	}
}

// TestFiniteSumNoAllocs checks that SampleGrad, NoiseSampler.Sample and the
// functions of ModelOf do not allocate.
func TestFiniteSumNoAllocs(t *testing.T) {
	for _, c := range finiteSumCases(t) {
		d := c.fs.Dim()
		g := make([]float64, d)
		if a := testing.AllocsPerRun(100, func() { c.fs.SampleGrad(g, c.x, 1) }); a != 0 {
			t.Errorf("%s: SampleGrad allocates %v times", c.name, a)
		}
		s := NewNoiseSampler(c.fs)
		zeta := make([]float64, c.fs.Samples())
		xi := make([]float64, d)
		if a := testing.AllocsPerRun(20, func() { s.Sample(xi, g, c.x, zeta, 1) }); a != 0 {
			t.Errorf("%s: NoiseSampler.Sample allocates %v times", c.name, a)
		}
	}
	if raceEnabled {
		t.Log("race detector on: sync.Pool drops workspaces, ModelOf not checked")
		return
	}
	lr := mustFS(NewLinReg(100, 2, 10, 0.5, 1))
	m := ModelOf(lr, lr.Box())
	mf := ModelOf(hideDiv{lr}, lr.Box())
	x, v, D := []float64{0.3, -0.2}, make([]float64, 2), make([]float64, 4)
	for name, f := range map[string]func(){
		"Drift":           func() { m.Drift(v, x) },
		"Grad":            func() { m.Grad(v, x) },
		"Loss":            func() { m.Loss(x) },
		"Diffusion":       func() { m.Diffusion(D, x) },
		"DivDiffusion":    func() { m.DivDiffusion(v, x) },
		"DivDiffusion FD": func() { mf.DivDiffusion(v, x) },
	} {
		f()
		if a := testing.AllocsPerRun(50, f); a >= 0.5 {
			t.Errorf("ModelOf: %s allocates %v times per call", name, a)
		}
	}
}

// TestFiniteSumConcurrent calls SampleGrad from several goroutines on one
// model (run with -race) and compares with serial results.
func TestFiniteSumConcurrent(t *testing.T) {
	for _, c := range finiteSumCases(t) {
		d, n := c.fs.Dim(), c.fs.Samples()
		want := make([]float64, n*d)
		for k := 0; k < n; k++ {
			c.fs.SampleGrad(want[k*d:(k+1)*d], c.x, k)
		}
		var wg sync.WaitGroup
		errs := make(chan string, 4)
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g := make([]float64, d)
				for k := 0; k < n; k++ {
					c.fs.SampleGrad(g, c.x, k)
					for i := range g {
						if g[i] != want[k*d+i] {
							errs <- fmt.Sprintf("%s: sample %d differs", c.name, k)
							return
						}
					}
				}
			}()
		}
		if l, ok := c.fs.(*LinReg); ok {
			m := ModelOf(l, l.Box())
			for w := 0; w < 2; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					v := make([]float64, d)
					for range 20 {
						m.DivDiffusion(v, c.x)
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	}
}

func TestFiniteSumRegistry(t *testing.T) {
	specs := FiniteSums()
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
		if s.Summary == "" || s.Formula == "" || len(s.Params) == 0 {
			t.Errorf("%s: summary, formula or parameters missing", s.Name)
		}
		fs, err := NewFiniteSum(s.Name, nil)
		var missing *FashionMNISTMissingError
		if errors.As(err, &missing) {
			t.Logf("%s not built: %v", s.Name, err)
			continue
		}
		if err != nil {
			t.Fatalf("NewFiniteSum(%q, nil): %v", s.Name, err)
		}
		if fs.Samples() != 1000 {
			t.Errorf("%s: N = %d, want the default 1000", s.Name, fs.Samples())
		}
		if _, ok := LookupFiniteSum(s.Name); !ok {
			t.Errorf("LookupFiniteSum(%q) failed", s.Name)
		}
	}
	if got := strings.Join(names, ","); got != "fashion-mlp,linreg,logreg,mlp" {
		t.Errorf("FiniteSums() = %s", got)
	}
	fs, err := NewFiniteSum("mlp", nil)
	if err != nil || fs.Dim() != 1002 {
		t.Errorf("default mlp: %v, d = %d, want 1002", err, fs.Dim())
	}
	fs, err = NewFiniteSum("mlp", map[string]float64{"hidden": 20, "classes": 3, "n": 50})
	if err != nil || fs.Dim() != 3*20+3*21 || fs.Samples() != 50 {
		t.Errorf("mlp hidden=20 classes=3: %v", err)
	}
	fs, err = NewFiniteSum("linreg", map[string]float64{"d": 1000, "n": 10})
	if err != nil || fs.Dim() != 1000 {
		t.Errorf("linreg d=1000: %v", err)
	}

	for _, c := range []struct {
		name string
		set  map[string]float64
		want []string
	}{
		{"quadratic", nil, []string{`unknown finite-sum model "quadratic"`, "linreg, logreg, mlp"}},
		{"", nil, []string{"unknown finite-sum model"}},
		{"linreg", map[string]float64{"hidden": 3}, []string{`"linreg" has no parameter "hidden"`, "n, d, cond, noise, seed"}},
		{"mlp", map[string]float64{"d": 3}, []string{`no parameter "d"`}},
		{"linreg", map[string]float64{"n": 1}, []string{"n = 1 samples"}},
		{"linreg", map[string]float64{"n": 2.5}, []string{"n = 2.5 must be a whole number"}},
		{"linreg", map[string]float64{"d": 0}, []string{"d = 0 must be a whole number >= 1"}},
		{"linreg", map[string]float64{"cond": 0.5}, []string{"cond = 0.5"}},
		{"linreg", map[string]float64{"noise": math.Inf(1)}, []string{"noise = +Inf"}},
		{"logreg", map[string]float64{"seed": -1}, []string{"seed = -1"}},
		{"logreg", map[string]float64{"lambda": math.NaN()}, []string{"lambda = NaN"}},
		{"logreg", map[string]float64{"sep": -1}, []string{"sep = -1"}},
		{"mlp", map[string]float64{"hidden": 0}, []string{"hidden = 0"}},
		{"mlp", map[string]float64{"classes": 17}, []string{"classes = 17, want 2 to 16"}},
		{"mlp", map[string]float64{"classes": 1}, []string{"classes = 1"}},
		{"mlp", map[string]float64{"noise": -0.1}, []string{"noise = -0.1"}},
		{"mlp", map[string]float64{"seed": 1e300}, []string{"seed = 1e+300"}},
	} {
		fs, err := NewFiniteSum(c.name, c.set)
		if err == nil || fs != nil {
			t.Errorf("NewFiniteSum(%q, %v): no error", c.name, c.set)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("NewFiniteSum(%q, %v): error %q does not contain %q", c.name, c.set, err, w)
			}
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("error spans lines: %q", err)
		}
	}
}

// TestFiniteSumDeterministic checks that the data depend on the seed only.
func TestFiniteSumDeterministic(t *testing.T) {
	for _, name := range []string{"linreg", "logreg", "mlp"} {
		a, _ := NewFiniteSum(name, map[string]float64{"n": 30})
		b, _ := NewFiniteSum(name, map[string]float64{"n": 30})
		c, _ := NewFiniteSum(name, map[string]float64{"n": 30, "seed": 2})
		x := make([]float64, a.Dim())
		for i := range x {
			x[i] = 0.1 * float64(i%7-3)
		}
		ga, gb, gc := make([]float64, a.Dim()), make([]float64, a.Dim()), make([]float64, a.Dim())
		fa := FullGrad(a, ga, make([]float64, a.Dim()), x)
		fb := FullGrad(b, gb, make([]float64, a.Dim()), x)
		fc := FullGrad(c, gc, make([]float64, a.Dim()), x)
		if fa != fb || !equalFloats(ga, gb) {
			t.Errorf("%s: same seed, different data", name)
		}
		if fa == fc {
			t.Errorf("%s: seeds 1 and 2 give the same loss", name)
		}
	}
}

// eigStats summarises the spectrum of a symmetric positive semi-definite
// matrix: the numerical rank with threshold lambda_max d eps, the rank
// fraction, and the mean and standard deviation of the eigenvalues.
type eigStats struct {
	lmin, lmax, tol float64
	rank            int
	frac            float64
	mean, std       float64
}

func spectrum(t testing.TB, D []float64, d int) eigStats {
	t.Helper()
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(d, D), false) {
		t.Fatal("EigenSym failed")
	}
	v := eig.Values(nil)
	s := eigStats{lmin: v[0], lmax: v[d-1]}
	s.tol = s.lmax * float64(d) * 0x1p-52
	for _, l := range v {
		if l > s.tol {
			s.rank++
		}
		s.mean += l
	}
	s.mean /= float64(d)
	for _, l := range v {
		s.std += (l - s.mean) * (l - s.mean)
	}
	s.std = math.Sqrt(s.std / float64(d))
	s.frac = float64(s.rank) / float64(d)
	return s
}

func (s eigStats) String() string {
	return fmt.Sprintf("lambda in [%.3g, %.3g], rank %d (threshold %.2g), rank fraction %.4f, mean %.4g, std %.4g",
		s.lmin, s.lmax, s.rank, s.tol, s.frac, s.mean, s.std)
}

// TestMLPDiffusionSpectrum reports the spectrum of D for the default MLP
// (d = 1002, N = 1000) at its initialisation and after a short full-batch
// gradient descent, and checks that D is positive semi-definite and of rank
// at most N - 1.
func TestMLPDiffusionSpectrum(t *testing.T) {
	if testing.Short() {
		t.Skip("O(d^3) eigenvalues at d = 1002")
	}
	fs, err := NewFiniteSum("mlp", nil)
	if err != nil {
		t.Fatal(err)
	}
	m := fs.(*MLP)
	d, n := m.Dim(), m.Samples()
	x := make([]float64, d)
	m.Init(x, 1)
	D := make([]float64, d*d)
	g, sc := make([]float64, d), make([]float64, d)
	accuracy := func() float64 {
		hit := 0
		for k := 0; k < n; k++ {
			if m.SampleGrad(sc, x, k) < math.Ln2 { // p(c_k) > 1/2, C = 2
				hit++
			}
		}
		return float64(hit) / float64(n)
	}
	report := func(when string) {
		f := FullGrad(m, g, sc, x)
		Diffusion(m, D, x)
		s := spectrum(t, D, d)
		t.Logf("%s: f = %.4f, |g| = %.3g, accuracy %.3f; %v", when, f, math.Sqrt(dot(g, g)), accuracy(), s)
		if s.lmin < -s.tol {
			t.Errorf("%s: D has eigenvalue %g < -%g", when, s.lmin, s.tol)
		}
		if s.rank > n-1 {
			t.Errorf("%s: rank %d > N - 1 = %d", when, s.rank, n-1)
		}
	}
	report("initialisation")
	const steps, eta = 500, 0.5
	for range steps {
		FullGrad(m, g, sc, x)
		for i := range x {
			x[i] -= eta * g[i]
		}
	}
	report(fmt.Sprintf("after %d full-batch GD steps, eta = %g", steps, eta))
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func ExampleNewFiniteSum() {
	fs, err := NewFiniteSum("mlp", map[string]float64{"hidden": 50})
	if err != nil {
		fmt.Println(err)
		return
	}
	x := make([]float64, fs.Dim())
	fs.(*MLP).Init(x, 1)
	xi, g := make([]float64, fs.Dim()), make([]float64, fs.Dim())
	zeta := make([]float64, fs.Samples())
	rng := rand.New(rand.NewPCG(1, 2))
	for k := range zeta {
		zeta[k] = rng.NormFloat64()
	}
	f := NewNoiseSampler(fs).Sample(xi, g, x, zeta, 0.01)
	fmt.Printf("d = %d weights, N = %d samples, f(x0) = %.3f\n", fs.Dim(), fs.Samples(), f)
	_, err = NewFiniteSum("mlp", map[string]float64{"width": 50})
	fmt.Println(err)
	// Output:
	// d = 252 weights, N = 1000 samples, f(x0) = 0.695
	// finite-sum model "mlp" has no parameter "width" (parameters: n, hidden, classes, turns, noise, seed)
}

// sampleOnly hides every method of a finite sum but the FiniteSum ones, so
// that FullGrad and BatchGrad take their per-sample loop.
type sampleOnly struct{ FiniteSum }

// TestSumGradBitIdentical checks that the MLP's SumGrad (the fused path of
// FullGrad and BatchGrad) gives bit for bit the per-sample loop's gradient
// and loss, for two and three classes, all samples and a batch with repeats.
func TestSumGradBitIdentical(t *testing.T) {
	for _, c := range []struct {
		name               string
		n, hidden, classes int
		batch              []int
	}{
		{"C=2/full", 40, 7, 2, nil},
		{"C=2/batch", 40, 7, 2, []int{5, 0, 5, 17, 3}},
		{"C=3/full", 40, 7, 3, nil},
		{"C=3/batch", 40, 7, 3, []int{9, 9, 1}},
		{"default/full", 1000, 200, 2, nil},
		{"default/batch", 1000, 200, 2, []int{999, 3, 500, 3, 77, 0, 12, 999, 45, 46, 47}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := NewMLP(c.n, c.hidden, c.classes, 1.5, 0.1, 3)
			if err != nil {
				t.Fatal(err)
			}
			d := m.Dim()
			x := make([]float64, d)
			m.Init(x, 2)
			for i := range x {
				x[i] += 0.01 * float64(i%5) // nonzero biases
			}
			fast, slow, sc := make([]float64, d), make([]float64, d), make([]float64, d)
			var ff, fsl float64
			if c.batch == nil {
				ff, fsl = FullGrad(m, fast, sc, x), FullGrad(sampleOnly{m}, slow, sc, x)
			} else {
				ff, fsl = BatchGrad(m, fast, sc, x, c.batch), BatchGrad(sampleOnly{m}, slow, sc, x, c.batch)
			}
			if math.Float64bits(ff) != math.Float64bits(fsl) {
				t.Errorf("loss %v, per-sample loop %v", ff, fsl)
			}
			for i := range fast {
				if math.Float64bits(fast[i]) != math.Float64bits(slow[i]) {
					t.Fatalf("coordinate %d: %v, per-sample loop %v", i, fast[i], slow[i])
				}
			}
		})
	}
}

// TestDiffusionGram checks the Gram matrix K = (1/N) G G^T of the centred
// per-sample gradients against its definition (G formed explicitly), in one
// block and in blocks of 1, 3 and 7 samples (N = 20 is not a multiple of
// 3 or 7), to 1e-13 relative to its largest entry, and its symmetry.
func TestDiffusionGram(t *testing.T) {
	const n = 20
	m, err := NewMLP(n, 6, 3, 1.5, 0.1, 4)
	if err != nil {
		t.Fatal(err)
	}
	d := m.Dim()
	x := make([]float64, d)
	m.Init(x, 5)
	g, gk := make([]float64, d), make([]float64, d)
	FullGrad(m, g, gk, x)
	G := make([]float64, n*d)
	for k := 0; k < n; k++ {
		m.SampleGrad(G[k*d:(k+1)*d], x, k)
		for i := 0; i < d; i++ {
			G[k*d+i] -= g[i]
		}
	}
	want := make([]float64, n*n)
	scale := 0.0
	for k := 0; k < n; k++ {
		for l := 0; l < n; l++ {
			s := 0.0
			for i := 0; i < d; i++ {
				s += G[k*d+i] * G[l*d+i]
			}
			want[k*n+l] = s / n
			scale = math.Max(scale, math.Abs(s/n))
		}
	}
	for _, b := range []int{n, 1, 3, 7} {
		t.Run(fmt.Sprintf("block=%d", b), func(t *testing.T) {
			K := make([]float64, n*n)
			diffusionGram(m, K, x, b)
			for i, v := range K {
				if math.Abs(v-want[i]) > 1e-13*scale {
					t.Fatalf("K[%d][%d] = %v, want %v", i/n, i%n, v, want[i])
				}
				if v != K[(i%n)*n+i/n] {
					t.Fatalf("K[%d][%d] = %v, K[%d][%d] = %v", i/n, i%n, v, i%n, i/n, K[(i%n)*n+i/n])
				}
			}
		})
	}
}
