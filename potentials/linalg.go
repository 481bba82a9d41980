package potentials

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// minEigenSym returns the smallest eigenvalue of the symmetric d x d matrix a
// (row-major; only the upper triangle is read).
func minEigenSym(a []float64, d int) float64 {
	switch d {
	case 1:
		return a[0]
	case 2:
		p, q, r := a[0], a[1], a[3]
		m := 0.5 * (p + r)
		return m - math.Hypot(0.5*(p-r), q)
	}
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(d, append([]float64(nil), a...)), false) {
		return math.NaN()
	}
	return eig.Values(nil)[0]
}
