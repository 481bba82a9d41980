package sde

import (
	"math"
	"testing"
)

// TestSGDTemperatureExact checks SGDTemperature against the exact formulas
// T = lr/(2 b) with replacement and T = lr (N - b)/(2 b (N - 1)) without (the
// covariance D (N - b)/(b (N - 1)) of the mean of b distinct samples), to
// 1e-15 relative, and that the factor is not the approximation 1 - b/N
// (which differs by the factor N/(N - 1), resolvable at these N).
func TestSGDTemperatureExact(t *testing.T) {
	for _, c := range []struct {
		lr      float64
		b, n    int
		without bool
		want    float64
	}{
		{0.1, 10, 0, false, 0.1 / 20},
		{0.1, 10, 20, true, 0.1 * 10 / (2 * 10 * 19)}, // 0.002631578947...
		{0.4, 10, 1000, true, 0.4 * 990 / (2 * 10 * 999)},
		{0.2, 1, 2, true, 0.2 * 1 / (2 * 1 * 1)}, // b = 1: no correction factor, (N - 1)/(N - 1)
		{0.2, 1, 50, true, 0.1},
		{1, 99, 100, true, 1.0 / (2 * 99 * 99)},
		{0.05, 32, 1000, false, 0.05 / 64},
	} {
		got, err := SGDTemperature(c.lr, c.b, c.n, c.without)
		if err != nil {
			t.Fatalf("SGDTemperature(%v, %d, %d, %v): %v", c.lr, c.b, c.n, c.without, err)
		}
		if math.Abs(got-c.want) > 1e-15*c.want {
			t.Errorf("SGDTemperature(%v, %d, %d, %v) = %v, want %v", c.lr, c.b, c.n, c.without, got, c.want)
		}
		if c.without && c.b > 1 {
			approx := c.lr * (1 - float64(c.b)/float64(c.n)) / (2 * float64(c.b))
			if math.Abs(got-approx) < 1e-6*got {
				t.Errorf("SGDTemperature(%v, %d, %d) = %v equals the approximation lr (1 - b/N)/(2b)", c.lr, c.b, c.n, got)
			}
		}
	}
	for _, c := range []struct {
		lr   float64
		b, n int
	}{{0.1, 10, 10}, {0.1, 10, 5}, {0, 10, 20}, {math.Inf(1), 1, 20}, {0.1, 0, 20}} {
		if _, err := SGDTemperature(c.lr, c.b, c.n, true); err == nil {
			t.Errorf("SGDTemperature(%v, %d, %d, true): no error", c.lr, c.b, c.n)
		}
	}
}
