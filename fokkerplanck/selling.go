package fokkerplanck

import "math"

// selling decomposes the symmetric positive definite 2 x 2 matrix
// [[a, b], [b, c]] by Selling's algorithm as
//
//	D = sum_k w[k] v[k] v[k]^T,   w[k] >= 0,   v[k] integer vectors,
//
// (Selling 1874; Conway & Sloane, Proc. R. Soc. A 436, 1992; Fehrenbach &
// Mirebeau, J. Math. Imaging Vis. 49, 2014). It starts from the superbase
// e0 = (1, 0), e1 = (0, 1), e2 = (-1, -1) and, while some pair has
// <e_i, D e_j> > 0, replaces (e_i, e_j, e_k) by (-e_i, e_j, e_i - e_j).
// At the end the superbase is obtuse and w[k] = -<e_i, D e_j>, with
// v[k] = e_k rotated by 90 degrees for {i, j, k} = {0, 1, 2}. ok is false
// if the iteration does not terminate, which happens only when D is not
// positive definite (or nearly singular).
func selling(a, b, c float64) (w [3]float64, v [3][2]int, ok bool) {
	e := [3][2]int{{1, 0}, {0, 1}, {-1, -1}}
	dot := func(p, q [2]int) float64 {
		px, py, qx, qy := float64(p[0]), float64(p[1]), float64(q[0]), float64(q[1])
		return px*(a*qx+b*qy) + py*(b*qx+c*qy)
	}
	pairs := [3][3]int{{0, 1, 2}, {0, 2, 1}, {1, 2, 0}}
	for it := 0; ; it++ {
		if it > 200 {
			return w, v, false
		}
		changed := false
		for _, p := range pairs {
			i, j, k := p[0], p[1], p[2]
			if dot(e[i], e[j]) > 0 {
				ei, ej := e[i], e[j]
				e[i] = [2]int{-ei[0], -ei[1]}
				e[k] = [2]int{ei[0] - ej[0], ei[1] - ej[1]}
				changed = true
				break
			}
		}
		if !changed {
			break
		}
	}
	for _, p := range pairs {
		i, j, k := p[0], p[1], p[2]
		w[k] = -dot(e[i], e[j])
		if w[k] < 0 { // round-off on a boundary of the obtuse cone
			w[k] = 0
		}
		v[k] = [2]int{-e[k][1], e[k][0]}
	}
	return w, v, true
}

// bernoulliPair returns the Bernoulli function B(z) = z / (e^z - 1) (with
// B(0) = 1) and B(-z), accurate for all z, with one exponential: for
// a = |z|, B(a) = a / expm1(a) (a e^-a beyond 700) and B(-a) = a + B(a), a
// sum of two positive terms (no cancellation). Near 0 both come from the
// series B(z) = 1 - z/2 + z^2/12 - z^4/720 + ...
func bernoulliPair(z float64) (bz, bmz float64) {
	if z > -1e-4 && z < 1e-4 {
		return 1 - z/2 + z*z/12, 1 + z/2 + z*z/12
	}
	a := math.Abs(z)
	var small float64
	if a > 700 {
		small = a * math.Exp(-a)
	} else {
		small = a / math.Expm1(a)
	}
	if z > 0 {
		return small, a + small
	}
	return a + small, small
}
