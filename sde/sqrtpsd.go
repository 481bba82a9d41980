package sde

import "math"

// psdTol is the relative tolerance below which a negative pivot or
// determinant of D is attributed to round-off and treated as zero.
const psdTol = 1e-12

// sqrtPSD2 returns the symmetric square root S = sqrt(D) of the 2 x 2
// symmetric positive semi-definite D = [[a, c], [c, d]] as (s11, s12, s22),
// from the closed form sqrt(D) = (D + r I) / t with r = sqrt(det D) and
// t = sqrt(tr D + 2 r). It is exact for singular D and continuous in D.
// ok is false if D is not positive semi-definite.
func sqrtPSD2(a, c, d float64) (s11, s12, s22 float64, ok bool) {
	det := a*d - c*c
	tr := a + d
	if det < 0 {
		if det < -psdTol*tr*tr || tr < 0 {
			return 0, 0, 0, false
		}
		det = 0
	}
	if a < 0 || d < 0 {
		return 0, 0, 0, false
	}
	r := math.Sqrt(det)
	t := math.Sqrt(tr + 2*r)
	if t == 0 {
		return 0, 0, 0, true
	}
	inv := 1 / t
	return (a + r) * inv, c * inv, (d + r) * inv, true
}

// cholPSD writes into l (d x d, row-major, lower triangular) a factor with
// l l^T = a for the symmetric positive semi-definite a. Pivots below psdTol
// times the largest diagonal entry are set to zero together with their
// column, which makes the factorisation valid for singular a. It reports
// false if a is not positive semi-definite.
func cholPSD(l, a []float64, d int) bool {
	scale := 0.0
	for i := 0; i < d; i++ {
		scale = math.Max(scale, math.Abs(a[i*d+i]))
	}
	tol := psdTol * scale
	for i := range l[:d*d] {
		l[i] = 0
	}
	for j := 0; j < d; j++ {
		s := a[j*d+j]
		for k := 0; k < j; k++ {
			s -= l[j*d+k] * l[j*d+k]
		}
		if s < -tol*float64(d) {
			return false
		}
		if s <= tol {
			// Zero pivot: the rest of column j must vanish for a PSD matrix.
			for i := j + 1; i < d; i++ {
				t := a[i*d+j]
				for k := 0; k < j; k++ {
					t -= l[i*d+k] * l[j*d+k]
				}
				if math.Abs(t) > math.Sqrt(tol*scale)*float64(d) {
					return false
				}
			}
			continue
		}
		p := math.Sqrt(s)
		l[j*d+j] = p
		for i := j + 1; i < d; i++ {
			t := a[i*d+j]
			for k := 0; k < j; k++ {
				t -= l[i*d+k] * l[j*d+k]
			}
			l[i*d+j] = t / p
		}
	}
	return true
}

// chol2 returns the Cholesky factor L = [[l11, 0], [l21, l22]], L L^T = D,
// of the 2 x 2 symmetric positive semi-definite D = [[a, c], [c, d]], as
// l11 = sqrt(a), l21 = c/l11 and l22 = sqrt(det D)/l11: two square roots
// that do not depend on one another and one division, the fewest
// operations of the divider, which bounds the integrators' throughput. A
// zero pivot a = 0 (then c = 0 for a PSD matrix) gives
// L = [[0, 0], [0, sqrt d]]. ok is false if D is not positive
// semi-definite; a negative determinant above -psdTol a max(a, d) (a Schur
// complement d - c^2/a above -psdTol max(a, d)) is round-off and taken as 0.
func chol2(a, c, d float64) (l11, l21, l22 float64, ok bool) {
	if a > 0 {
		det := a*d - c*c
		if det < 0 {
			if det < -psdTol*a*math.Max(a, d) {
				return 0, 0, 0, false
			}
			det = 0
		}
		r := math.Sqrt(a)
		ir := 1 / r
		return r, c * ir, math.Sqrt(det) * ir, true
	}
	if a < 0 || d < 0 || c*c > psdTol*psdTol*d*d {
		return 0, 0, 0, false
	}
	return 0, 0, math.Sqrt(d), true
}

// cholScaled returns c L for the Cholesky factor L of D = [[a, b], [b, d]]
// (chol2), with c folded into the division in the common case a > 0,
// det D >= 0: l11 = c sqrt(a), l21 = b (c/sqrt(a)), l22 = sqrt(det D)
// (c/sqrt(a)). ok is false if D is not positive semi-definite. The 2-D
// integrators (lanes2, fp2) take their noise factor from it, writing its
// common case out (it is too large to be inlined), so that a trajectory
// follows the same path in both.
func cholScaled(a, b, d, c float64) (l11, l21, l22 float64, ok bool) {
	if det := a*d - b*b; a > 0 && det >= 0 {
		r := math.Sqrt(a)
		ir := c / r
		return c * r, b * ir, math.Sqrt(det) * ir, true
	}
	p, q, r, ok := chol2(a, b, d)
	return c * p, c * q, c * r, ok
}
