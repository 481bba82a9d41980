package sde

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestZigguratTables checks the layers: X decreasing from the base
// strip's pseudo-width to 0, every layer of area zigV (the base strip and
// the tail together, the cap up to f(0) = 1 included), which holds only
// if zigR closes the layers at the top, and the entries of both signs.
func TestZigguratTables(t *testing.T) {
	f := func(x float64) float64 { return math.Exp(-0.5 * x * x) }
	if zigX[1] != zigR || zigX[zigLayers] != 0 {
		t.Fatalf("X_1 = %v, X_%d = %v, want r = %v and 0", zigX[1], zigLayers, zigX[zigLayers], zigR)
	}
	base := zigR*f(zigR) + math.Sqrt(math.Pi/2)*math.Erfc(zigR/math.Sqrt2)
	if math.Abs(zigX[0]*f(zigR)-base) > 1e-15 {
		t.Errorf("base layer area %v, want %v", zigX[0]*f(zigR), base)
	}
	for i := 1; i < zigLayers; i++ {
		if area := zigX[i] * (zigF[i+1] - zigF[i]); math.Abs(area-zigV) > 1e-12*zigV {
			t.Errorf("layer %d: area %v, want %v", i, area, zigV)
		}
		if !(zigX[i] < zigX[i-1]) || zigF[i] != f(zigX[i]) {
			t.Errorf("layer %d: X = %v after %v, F = %v", i, zigX[i], zigX[i-1], zigF[i])
		}
	}
	for i := range zigLayers {
		p, m := zig[i], zig[i+zigLayers]
		if p.w != zigX[i]*0x1p-24 || m.w != -p.w || m.k != p.k || float64(p.k) > zigX[i+1]/zigX[i]*(1<<23) {
			t.Errorf("layer %d: entries %+v and %+v", i, p, m)
		}
	}
	if zig[zigLayers-1].k != 0 {
		t.Errorf("the cap has a fast region %d", zig[zigLayers-1].k)
	}
}

// normCDF is the standard normal distribution function.
func normCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// TestNormalLaw draws 2e7 deviates (normalPair) from two seeds and checks them against
// the exact normal law. Each check's tolerance is 5 standard errors of its
// estimator (probability about 6e-7 of failing for an exact sampler):
//   - the mean, variance, third and fourth moments;
//   - a chi-square statistic over 400 equiprobable bins (those of the
//     normal quantiles), against its mean k - 1 and deviation sqrt(2(k - 1));
//   - the probabilities of the tails P(Z > t) and P(Z < -t) at
//     t = 1, 2, 3, r (the start of the tail algorithm), 4, 4.5 and 5,
//     each against its binomial standard error (at t = 5, 2.9e-7, about
//     6 expected counts: the check is then only that they are not absent).
//   - the frequency of |Z| in [X_{i+1}, X_i] for a few layers i, where
//     layer i's wedge test (or, for i = 0, the tail) acts.
func TestNormalLaw(t *testing.T) {
	const n = 20_000_000
	const bins = 400
	var s1, s2, s3, s4 float64
	count := make([]int, bins)
	tails := []float64{1, 2, 3, zigR, 4, 4.5, 5}
	upper := make([]int, len(tails))
	lower := make([]int, len(tails))
	wedges := []int{1, 2, 50, 128, 200, 254, zigLayers - 1}
	width := func(i int) float64 {
		if i >= zigLayers {
			return 0
		}
		return zig[i].w * (1 << 53)
	}
	inWedge := make([]int, len(wedges))
	for s := range 2 {
		p := rand.NewPCG(uint64(s)+11, 29)
		var spare float64
		for i := range n / 2 {
			z := spare
			if i%2 == 0 {
				z, spare = normalPair(p)
			}
			z2 := z * z
			s1 += z
			s2 += z2
			s3 += z2 * z
			s4 += z2 * z2
			b := int(normCDF(z) * bins)
			count[min(b, bins-1)]++
			for j, c := range tails {
				if z > c {
					upper[j]++
				}
				if z < -c {
					lower[j]++
				}
			}
			a := math.Abs(z)
			for j, i := range wedges {
				if a >= width(i+1) && a < width(i) {
					inWedge[j]++
				}
			}
		}
	}
	N := float64(n)
	// Moments E Z^k = 0, 1, 0, 3 with variances 1, 2, 15, 96.
	for _, m := range []struct {
		name      string
		sum, want float64
		variance  float64
	}{
		{"mean", s1, 0, 1}, {"E Z^2", s2, 1, 2}, {"E Z^3", s3, 0, 15}, {"E Z^4", s4, 3, 96},
	} {
		if got, se := m.sum/N, math.Sqrt(m.variance/N); math.Abs(got-m.want) > 5*se {
			t.Errorf("%s = %.6g, want %g ± %.2g (5 s.e.)", m.name, got, m.want, 5*se)
		}
	}
	e := N / bins
	chi2 := 0.0
	for _, c := range count {
		chi2 += (float64(c) - e) * (float64(c) - e) / e
	}
	if dev := math.Sqrt(2 * (bins - 1)); math.Abs(chi2-(bins-1)) > 5*dev {
		t.Errorf("chi-square over %d equiprobable bins %.1f, want %d ± %.1f (5 s.d.)", bins, chi2, bins-1, 5*dev)
	}
	check := func(what string, got int, prob float64) {
		want := N * prob
		if se := math.Sqrt(N * prob * (1 - prob)); math.Abs(float64(got)-want) > 5*se+1 {
			t.Errorf("%s: %d of %d, want %.1f ± %.1f (5 s.e.)", what, got, n, want, 5*se)
		}
	}
	for j, c := range tails {
		q := 0.5 * math.Erfc(c/math.Sqrt2)
		check("P(Z > "+ftoa(c)+")", upper[j], q)
		check("P(Z < -"+ftoa(c)+")", lower[j], q)
	}
	for j, i := range wedges {
		prob := 2 * (normCDF(width(i)) - normCDF(width(i+1)))
		check("the wedge of layer "+ftoa(float64(i)), inWedge[j], prob)
	}
}

// TestNormalPairs checks that the two deviates of a pair, drawn from the
// two halves of one output, are uncorrelated in value and in magnitude:
// E z0 z1 = 0 (variance 1) and E z0^2 z1^2 = 1 (variance 8), within 5
// standard errors over 1e7 pairs.
func TestNormalPairs(t *testing.T) {
	const n = 10_000_000
	p := rand.NewPCG(5, 17)
	var s1, s2 float64
	for range n {
		z0, z1 := normalPair(p)
		s1 += z0 * z1
		s2 += z0 * z0 * z1 * z1
	}
	if got, se := s1/n, math.Sqrt(1.0/n); math.Abs(got) > 5*se {
		t.Errorf("E z0 z1 = %.3g, want 0 ± %.2g", got, 5*se)
	}
	if got, se := s2/n, math.Sqrt(8.0/n); math.Abs(got-1) > 5*se {
		t.Errorf("E z0^2 z1^2 = %.5g, want 1 ± %.2g", got, 5*se)
	}
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
