package potentials

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
)

// LinReg is least-squares linear regression on N samples (a_k, y_k) in R^d,
//
//	f_k(x) = (a_k . x - y_k)^2 / 2,   g_k = r_k a_k,   r_k = a_k . x - y_k,
//
// whose SGD diffusion matrix (validation case 16)
//
//	D(x) = (1/N) sum_k r_k^2 a_k a_k^T - g g^T,   g = (1/N) sum_k r_k a_k,
//
// is state dependent (quadratic in x) and anisotropic. Its divergence has the
// closed form (DivDiffusion)
//
//	(div D)_i = (1/N) sum_k (2 r_k |a_k|^2 - a_k . g) a_ki - g_i tr H,
//	H = (1/N) sum_k a_k a_k^T (the Hessian of f).
//
// NewLinReg generates the data from a seed: a_k ~ N(0, Sigma_a) with the
// anisotropic, non-axis-aligned covariance Sigma_a = Q diag(s) Q, where
// s_i = cond^(-i/(d-1)) falls geometrically from 1 to 1/cond and
// Q = I - 2 v v^T is a Householder reflection with a random unit vector v;
// y_k = a_k . x* + noise * eps_k with x* ~ N(0, I) and eps_k ~ N(0, 1). At
// x = x* the residuals are the noise and D ~ noise^2 Sigma_a; away from x*
// the term (a_k . (x - x*))^2 a_k a_k^T makes D grow and turn.
//
// A LinReg is safe for concurrent use; it must not be copied after first use.
//
// References:
//   - P. Chaudhari and S. Soatto, Stochastic gradient descent performs
//     variational inference, converges to limit cycles for deep networks,
//     ICLR 2018, arXiv:1710.11029 (eq. 2, the diffusion of SGD).
//   - S. Mandt, M. D. Hoffman and D. M. Blei, Stochastic gradient descent as
//     approximate Bayesian inference, JMLR 18 (2017), 1-35 (the linear
//     regression case).
type LinReg struct {
	// A holds the inputs row-major: a_k = A[k*d : (k+1)*d].
	A []float64
	// Y holds the targets y_k; N = len(Y).
	Y []float64
	// XStar is the parameter x* that generated the targets; d = len(XStar).
	XStar []float64

	// norm2[k] = |a_k|^2 and trH = tr H, for DivDiffusion; set on its first
	// call.
	once  sync.Once
	norm2 []float64
	trH   float64
	pool  sync.Pool // *[]float64 of length d, for DivDiffusion
}

// NewLinReg generates a least-squares problem with n samples in d dimensions
// (see LinReg): Sigma_a with condition number cond >= 1, targets with noise
// standard deviation noise >= 0, all from a PCG generator seeded with seed.
func NewLinReg(n, d int, cond, noise float64, seed uint64) (*LinReg, error) {
	switch {
	case n < 2:
		return nil, fmt.Errorf("n = %d samples, want at least 2", n)
	case d < 1:
		return nil, fmt.Errorf("dimension d = %d, want at least 1", d)
	case !(cond >= 1) || math.IsInf(cond, 0):
		return nil, fmt.Errorf("cond = %g, want a finite number >= 1", cond)
	case !(noise >= 0) || math.IsInf(noise, 0):
		return nil, fmt.Errorf("noise = %g, want a finite number >= 0", noise)
	}
	if _, err := linRegBytes(n, d); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x1f0a_11e6))
	sd := make([]float64, d) // sqrt(s_i)
	for i := range sd {
		if d > 1 {
			sd[i] = math.Pow(cond, -0.5*float64(i)/float64(d-1))
		} else {
			sd[i] = 1
		}
	}
	v := make([]float64, d)
	vn := 0.0
	for vn == 0 {
		vn = 0
		for i := range v {
			v[i] = rng.NormFloat64()
			vn += v[i] * v[i]
		}
	}
	vn = math.Sqrt(vn)
	for i := range v {
		v[i] /= vn
	}
	l := &LinReg{A: make([]float64, n*d), Y: make([]float64, n), XStar: make([]float64, d)}
	for i := range l.XStar {
		l.XStar[i] = rng.NormFloat64()
	}
	for k := 0; k < n; k++ {
		a := l.A[k*d : (k+1)*d]
		vz := 0.0
		for i := range a {
			a[i] = sd[i] * rng.NormFloat64()
			vz += v[i] * a[i]
		}
		y := 0.0
		for i := range a {
			a[i] -= 2 * vz * v[i] // a = Q diag(sqrt s) z
			y += a[i] * l.XStar[i]
		}
		l.Y[k] = y + noise*rng.NormFloat64()
	}
	return l, nil
}

// linRegBytes returns the bytes of the data of a LinReg with n samples in d
// dimensions: the inputs (n x d), the targets and |a_k|^2 (n each) and four
// vectors of length d; an error wraps ErrTooLarge for arrays that cannot be
// allocated.
func linRegBytes(n, d int) (int64, error) {
	return sumBytes(
		func() (int64, error) { return arrayBytes("inputs", 8, n, d) },
		func() (int64, error) { return arrayBytes("targets and norms", 8, 2, n) },
		func() (int64, error) { return arrayBytes("vectors", 8, 4, d) },
	)
}

// Dim returns d.
func (l *LinReg) Dim() int { return len(l.XStar) }

// Samples returns N.
func (l *LinReg) Samples() int { return len(l.Y) }

// SampleGrad writes g_k = r_k a_k into dst and returns f_k = r_k^2 / 2.
func (l *LinReg) SampleGrad(dst, x []float64, k int) float64 {
	d := len(l.XStar)
	a := l.A[k*d : (k+1)*d]
	r := -l.Y[k]
	for i, ai := range a {
		r += ai * x[i]
	}
	dst = dst[:d]
	for i, ai := range a {
		dst[i] = r * ai
	}
	return 0.5 * r * r
}

func (l *LinReg) init() {
	d, n := l.Dim(), l.Samples()
	l.norm2 = make([]float64, n)
	tr := 0.0
	for k := range l.norm2 {
		s := 0.0
		for _, ai := range l.A[k*d : (k+1)*d] {
			s += ai * ai
		}
		l.norm2[k] = s
		tr += s
	}
	l.trH = tr / float64(n)
}

// DivDiffusion writes the exact divergence of D (see LinReg) into dst. It
// costs two passes over the data and does not allocate (amortised).
func (l *LinReg) DivDiffusion(dst, x []float64) {
	l.once.Do(l.init)
	d, n := l.Dim(), l.Samples()
	gp, _ := l.pool.Get().(*[]float64)
	if gp == nil {
		s := make([]float64, d)
		gp = &s
	}
	g := *gp
	clear(g)
	for k := 0; k < n; k++ {
		a := l.A[k*d : (k+1)*d]
		r := -l.Y[k]
		for i, ai := range a {
			r += ai * x[i]
		}
		for i, ai := range a {
			g[i] += r * ai
		}
	}
	inv := 1 / float64(n)
	for i := range g {
		g[i] *= inv
	}
	clear(dst[:d])
	for k := 0; k < n; k++ {
		a := l.A[k*d : (k+1)*d]
		r, ag := -l.Y[k], 0.0
		for i, ai := range a {
			r += ai * x[i]
			ag += ai * g[i]
		}
		c := 2*r*l.norm2[k] - ag
		for i, ai := range a {
			dst[i] += c * ai
		}
	}
	for i := range g {
		dst[i] = dst[i]*inv - g[i]*l.trH
	}
	l.pool.Put(gp)
}

// Box returns the box x* ± 3 max(1, |x*|_inf) in every coordinate, a default
// region for grids when d = 2.
func (l *LinReg) Box() Box {
	w := 1.0
	for _, v := range l.XStar {
		w = math.Max(w, math.Abs(v))
	}
	b := Box{Min: make([]float64, l.Dim()), Max: make([]float64, l.Dim())}
	for i, v := range l.XStar {
		b.Min[i], b.Max[i] = v-3*w, v+3*w
	}
	return b
}
