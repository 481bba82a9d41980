package sparse

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// TestLUSolve checks luSolve against LAPACK's Getrs on random dense systems
// whose pivoting swaps rows (a small diagonal forces interchanges) and on
// diagonally dominant banded ones, whose factors keep the band (luBands
// must find it): the two
// differ only in the order of the triangular solves' sums, so they agree
// to a few units of round-off of the solution's size.
func TestLUSolve(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		n, bw int // bandwidth bw: entries with |i - j| > bw are zero (0: dense)
	}{{1, 0}, {2, 0}, {7, 0}, {50, 0}, {400, 0}, {400, 21}, {64, 9}} {
		n := c.n
		a := blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if c.bw == 0 || (i-j <= c.bw && j-i <= c.bw) {
					a.Data[i*n+j] = rng.NormFloat64()
				}
			}
		}
		for i := 0; i < n; i++ {
			if c.bw == 0 {
				a.Data[i*n+i] *= 1e-3 // forces row interchanges
			} else {
				a.Data[i*n+i] += 3 * float64(c.bw) // dominant: L and U keep the band
			}
		}
		ipiv := make([]int, n)
		if !lapack64.Getrf(a, ipiv) {
			t.Fatalf("n = %d: singular", n)
		}
		swaps := 0
		for i, p := range ipiv {
			if p != i {
				swaps++
			}
		}
		if c.bw == 0 && n > 2 && swaps == 0 {
			t.Fatalf("n = %d: no row interchanges; the test would not cover them", n)
		}
		band := luBands(a)
		if c.bw > 0 && (band[n-1] < n-1-c.bw || band[n] > 1+c.bw) {
			t.Errorf("n = %d, bandwidth %d: L's last row starts at %d, U's first ends at %d: beyond the band", n, c.bw, band[n-1], band[n])
		}
		b := make([]float64, n)
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		want := append([]float64(nil), b...)
		lapack64.Getrs(blas.NoTrans, a, blas64.General{Rows: n, Cols: 1, Stride: 1, Data: want}, ipiv)
		got := append([]float64(nil), b...)
		luSolve(a, ipiv, band, got)
		scale := 0.0
		for _, v := range want {
			scale = max(scale, math.Abs(v))
		}
		for i := range got {
			if d := math.Abs(got[i] - want[i]); d > 1e-10*scale {
				t.Errorf("n = %d: x[%d] = %.17g, Getrs %.17g (|diff| %.3g, scale %.3g)", n, i, got[i], want[i], d, scale)
			}
		}
	}
}
