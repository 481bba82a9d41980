package observables

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// lowRankTraj returns K chains of L states in dimension d that move mostly
// in a few random directions with distinct scales (plus isotropic noise of
// size eps), so that the leading principal components are well separated.
func lowRankTraj(K, L, d int, scales []float64, eps float64, seed uint64) *Traj {
	rng := rand.New(rand.NewPCG(seed, 5))
	dirs := make([][]float64, len(scales))
	for j := range dirs {
		dirs[j] = make([]float64, d)
		for i := range dirs[j] {
			dirs[j][i] = rng.NormFloat64() / math.Sqrt(float64(d))
		}
	}
	data := make([]float64, K*L*d)
	for r := 0; r < K*L; r++ {
		row := data[r*d : (r+1)*d]
		for i := range row {
			row[i] = 3 + eps*rng.NormFloat64() // offset: centring matters
		}
		for j, s := range scales {
			a := s * rng.NormFloat64()
			for i, v := range dirs[j] {
				row[i] += a * v
			}
		}
	}
	return &Traj{Chains: K, Len: L, Dim: d, Data: data}
}

// stateMean returns the mean of all states of tr.
func stateMean(tr *Traj) []float64 {
	n, d := tr.Chains*tr.Len, tr.Dim
	m := make([]float64, d)
	for r := 0; r < n; r++ {
		for i, v := range tr.Data[r*d : (r+1)*d] {
			m[i] += v
		}
	}
	for i := range m {
		m[i] /= float64(n)
	}
	return m
}

// TestPrincipalGram checks the Gram route of the principal components
// (d > number of states) against the d x d covariance route on small
// cases: the same variances, explained fraction and projected states (with
// the sign convention) up to round-off; the same bytes for 1 and 3
// workers; and StochasticArea takes the Gram route when d exceeds the
// number of states.
func TestPrincipalGram(t *testing.T) {
	for _, c := range []struct {
		K, L, d, p int
		scales     []float64
	}{
		{2, 25, 80, 4, []float64{3, 2, 1.4, 1}},
		{3, 30, 200, 3, []float64{5, 2, 1, 0.5, 0.2}},
		{1, 70, 71, 2, []float64{2, 1}},
		{2, 40, 150, 6, []float64{4, 3, 2, 1, 0.5, 0.25}}, // more blocks than one (gramBlock = 64)
	} {
		tr := lowRankTraj(c.K, c.L, c.d, c.scales, 1e-3, uint64(c.d))
		m := stateMean(tr)
		n := c.K * c.L
		zc, vc, ec, err := principalCov(tr, m, c.p, 1)
		if err != nil {
			t.Fatal(err)
		}
		zg, vg, eg, err := principalGram(tr, m, c.p, 1)
		if err != nil {
			t.Fatal(err)
		}
		zg3, vg3, eg3, _ := principalGram(tr, m, c.p, 3)
		if !reflect.DeepEqual(zg, zg3) || !reflect.DeepEqual(vg, vg3) || eg != eg3 {
			t.Errorf("K=%d L=%d d=%d: the Gram route depends on the number of workers", c.K, c.L, c.d)
		}
		for j := 0; j < c.p; j++ {
			if math.Abs(vg[j]-vc[j]) > 1e-10*vc[0] {
				t.Errorf("K=%d L=%d d=%d: variance %d: Gram %.15g, covariance %.15g", c.K, c.L, c.d, j, vg[j], vc[j])
			}
			best := 0.0
			for r := 0; r < n; r++ {
				best = math.Max(best, math.Abs(zc[r*c.p+j]))
			}
			worst := 0.0
			for r := 0; r < n; r++ {
				worst = math.Max(worst, math.Abs(zg[r*c.p+j]-zc[r*c.p+j]))
			}
			if worst > 1e-8*best {
				t.Errorf("K=%d L=%d d=%d: component %d: projections differ by %.3g (largest %.3g)", c.K, c.L, c.d, j, worst, best)
			}
			for _, z := range [][]float64{zc, zg} {
				at := 0
				for r := 0; r < n; r++ {
					if math.Abs(z[r*c.p+j]) > math.Abs(z[at*c.p+j]) {
						at = r
					}
				}
				if z[at*c.p+j] < 0 {
					t.Errorf("K=%d L=%d d=%d: component %d: the entry of largest magnitude is negative", c.K, c.L, c.d, j)
				}
			}
		}
		if math.Abs(eg-ec) > 1e-12 {
			t.Errorf("K=%d L=%d d=%d: explained %.15g (Gram), %.15g (covariance)", c.K, c.L, c.d, eg, ec)
		}
		a, err := StochasticArea(tr, []int{1, 3}, c.p, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Projected || !reflect.DeepEqual(a.Variances, vg) {
			t.Errorf("K=%d L=%d d=%d: StochasticArea's variances %v, want the Gram route's %v", c.K, c.L, c.d, a.Variances, vg)
		}
	}
}
