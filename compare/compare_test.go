package compare

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// TestBinomialMAD checks de Moivre's formula against the direct sum.
func TestBinomialMAD(t *testing.T) {
	for _, n := range []int{1, 7, 50, 300} {
		for _, q := range []float64{0.001, 0.03, 0.2, 0.5, 0.77, 0.999} {
			direct := 0.0
			for k := 0; k <= n; k++ {
				lc, _ := math.Lgamma(float64(n + 1))
				l1, _ := math.Lgamma(float64(k + 1))
				l2, _ := math.Lgamma(float64(n - k + 1))
				pk := math.Exp(lc - l1 - l2 + float64(k)*math.Log(q) + float64(n-k)*math.Log1p(-q))
				direct += pk * math.Abs(float64(k)-float64(n)*q)
			}
			if got := BinomialMAD(n, q); math.Abs(got-direct) > 1e-9*(1+direct) {
				t.Errorf("n %d q %g: %v, direct sum %v", n, q, got, direct)
			}
		}
	}
}

// TestTVFloorSimulated checks the exact floor against multinomial draws.
func TestTVFloorSimulated(t *testing.T) {
	q := []float64{0.4, 0.3, 0.15, 0.1, 0.04, 0.01}
	n := 200
	floor := TVFloor(q, n)
	rng := rand.New(rand.NewPCG(1, 2))
	const reps = 20000
	sum := 0.0
	for r := 0; r < reps; r++ {
		c := make([]float64, len(q))
		for s := 0; s < n; s++ {
			u := rng.Float64()
			k := 0
			for acc := q[0]; u > acc && k < len(q)-1; {
				k++
				acc += q[k]
			}
			c[k]++
		}
		tv := 0.0
		for i := range q {
			tv += math.Abs(c[i]/float64(n) - q[i])
		}
		sum += tv / 2
	}
	if mc := sum / reps; math.Abs(mc-floor) > 0.01*floor {
		t.Errorf("floor %v, multinomial simulation %v", floor, mc)
	}
}

// TestHistogramExact places samples at known cells of a 1-D grid.
func TestHistogramExact(t *testing.T) {
	g, err := fokkerplanck.NewGrid(potentials.NewBox(0, 8), []int{8}, false)
	if err != nil {
		t.Fatal(err)
	}
	p := []float64{0, 0.25, 0.25, 0, 0, 0.25, 0.25, 0}
	// Samples: 2 in cell 1, 1 in cell 2, 1 in cell 6, 1 outside (x = 9).
	samples := []float64{1.5, 1.2, 2.5, 6.5, 9}
	h := NewHistogram(g, p, samples, []int{0}, 2, 0)
	if h.Block != 2 || len(h.Grid) != 4 {
		t.Fatalf("block %d, %d bins", h.Block, len(h.Grid))
	}
	wantG := []float64{0.25, 0.25, 0.25, 0.25}
	wantE := []float64{0.4, 0.2, 0, 0.2}
	for i := range wantG {
		if math.Abs(h.Grid[i]-wantG[i]) > 1e-15 || math.Abs(h.Ensemble[i]-wantE[i]) > 1e-15 {
			t.Errorf("bin %d: grid %v ens %v", i, h.Grid[i], h.Ensemble[i])
		}
	}
	// TV = (0.15 + 0.05 + 0.25 + 0.05 + 0.2 outside) / 2.
	if math.Abs(h.TV-0.35) > 1e-12 || math.Abs(h.Outside-0.2) > 1e-15 {
		t.Errorf("TV %v outside %v, want 0.35, 0.2", h.TV, h.Outside)
	}
	if want := []float64{0, 2, 4, 6, 8}; len(h.Edges[0]) != 5 || h.Edges[0][1] != want[1] || h.Edges[0][4] != want[4] {
		t.Errorf("edges %v", h.Edges)
	}
}

// TestChooseBlock checks the rule n sum q^2 >= MinCount on a uniform law.
func TestChooseBlock(t *testing.T) {
	g, _ := fokkerplanck.NewGrid(potentials.NewBox(0, 1, 0, 1), []int{64, 64}, false)
	p := make([]float64, g.Len())
	for i := range p {
		p[i] = 1 / float64(g.Len())
	}
	// Uniform: n sum q^2 = n k^2 / 4096 >= 100 for n = 1000 needs k >= 20.24,
	// and k = 21 leaves partial bins; accept the first k that reaches it.
	k := ChooseBlock(g, p, []int{0, 1}, 1000, 100)
	q := newBinning(g, []int{0, 1}, k).gridProbabilities(p)
	qm := newBinning(g, []int{0, 1}, k-1).gridProbabilities(p)
	if bulkCount(q, 1000) < 100 || bulkCount(qm, 1000) >= 100 {
		t.Errorf("k = %d: bulk %v (k-1: %v)", k, bulkCount(q, 1000), bulkCount(qm, 1000))
	}
}

// TestEnsembleMinimaGaussian finds the mode of Gaussian samples.
func TestEnsembleMinimaGaussian(t *testing.T) {
	g, _ := fokkerplanck.NewGrid(potentials.NewBox(-3, 3, -3, 3), []int{120, 120}, false)
	rng := rand.New(rand.NewPCG(3, 4))
	n := 200000
	s := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		s[2*i] = 0.3 + 0.5*rng.NormFloat64()
		s[2*i+1] = -0.2 + 0.4*rng.NormFloat64()
	}
	ms := EnsembleMinima(g, s, 4, 1)
	if len(ms) != 1 {
		t.Fatalf("%d minima, want 1: %v", len(ms), ms)
	}
	if d := math.Hypot(ms[0].X[0]-0.3, ms[0].X[1]+0.2); d > 0.02 {
		t.Errorf("mode %v, want (0.3, -0.2)", ms[0].X)
	}
}

// run solves the grid and the ensemble of a model.
func run(t *testing.T, m potentials.Model, T float64, box potentials.Box, nodes int, n, burn, steps int, dt float64) (*sde.Result, *fokkerplanck.Grid, *fokkerplanck.Steady) {
	t.Helper()
	g, err := fokkerplanck.NewGrid(box, []int{nodes, nodes}, false)
	if err != nil {
		t.Fatal(err)
	}
	op, err := fokkerplanck.NewOperator(context.Background(), m, T, g)
	if err != nil {
		t.Fatal(err)
	}
	st, err := op.SteadyState(context.Background(), fokkerplanck.SteadyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	x0 := make([]float64, m.Dim)
	res, err := (&sde.Ensemble{N: n, Seed: 7}).Run(context.Background(),
		&sde.Problem{Model: m, Temperature: T, X0: x0, Dt: dt, Steps: steps, BurnIn: burn})
	if err != nil {
		t.Fatal(err)
	}
	return res, g, st
}

// TestCompareGyrator: validation case 6 (Sigma, L = -0.48 at T = 0.5)
// and case 15 (the histogram agrees).
func TestCompareGyrator(t *testing.T) {
	m, _ := potentials.New("gyrator", nil)
	res, g, st := run(t, m, 0.5, m.Box, 96, 4000, 2000, 2000, 2e-3)
	rep, err := Compare(m, 0.5, res, g, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	am := rep.AngularMomentum
	if am == nil || am.ClosedForm == nil || math.Abs(*am.ClosedForm+0.48) > 1e-12 {
		t.Fatalf("closed form %+v", am)
	}
	if *am.GridRelErr > 0.01 {
		t.Errorf("grid L %v, closed form -0.48", am.Grid)
	}
	if math.Abs(am.Ensemble+0.48) > 3*am.EnsembleStderr+0.01 {
		t.Errorf("ensemble L %v ± %v, closed form -0.48", am.Ensemble, am.EnsembleStderr)
	}
	sig := [][]float64{{0.5, 0.16}, {0.16, 0.125}}
	for a := 0; a < 2; a++ {
		for b := 0; b < 2; b++ {
			if d := math.Abs(rep.Moments.GridCov[a][b] - sig[a][b]); d > 0.005 {
				t.Errorf("grid cov[%d][%d] %v, want %v", a, b, rep.Moments.GridCov[a][b], sig[a][b])
			}
			// EM bias at dt = 2e-3 is about dt A Sigma / 2 ~ 0.002.
			if d := math.Abs(rep.Moments.EnsembleCov[a][b] - sig[a][b]); d > 4*rep.Moments.EnsembleCovStderr[a][b]+0.004 {
				t.Errorf("ensemble cov[%d][%d] %v ± %v, want %v", a, b, rep.Moments.EnsembleCov[a][b], rep.Moments.EnsembleCovStderr[a][b], sig[a][b])
			}
		}
	}
	if rep.Hist.TV > 2*rep.Hist.TVFloor+0.01 {
		t.Errorf("TV %v, floor %v", rep.Hist.TV, rep.Hist.TVFloor)
	}
	if len(rep.Minima.Phi) != 1 || len(rep.Minima.Ensemble) < 1 || *rep.Minima.Matches[0].Distance > 0.05 {
		t.Errorf("minima %+v", rep.Minima)
	}
}
