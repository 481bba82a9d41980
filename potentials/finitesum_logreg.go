package potentials

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// LogReg is L2-regularised logistic regression on N labelled samples
// (a_k, y_k), a_k in R^d, y_k in {-1, +1}:
//
//	f_k(x) = log(1 + exp(-m_k)) + (lambda/2) |x|^2,   m_k = y_k a_k . x,
//	g_k    = -y_k sigma(-m_k) a_k + lambda x,          sigma(t) = 1/(1 + e^-t).
//
// The softplus is evaluated as max(-m, 0) + log1p(exp(-|m|)) and sigma from
// exp(-|t|), so neither overflows for any margin. The ridge term is the same
// for every sample and drops out of D = (1/N) sum_k (g_k - g)(g_k - g)^T.
// There is no bias: the data are symmetric about the origin.
//
// NewLogReg generates a two-class Gaussian mixture from a seed: labels
// y_k = ±1 with probability 1/2 each and a_k = y_k mu + z_k, z_k ~ N(0, I),
// with mu = (sep/2) (1, ..., 1)/sqrt(d), so the class means are sep apart.
// Without ridge (lambda = 0) and well-separated classes the loss has no
// minimiser (the weights grow without bound), as for real separable data.
//
// A LogReg is safe for concurrent use.
//
// References:
//   - T. Hastie, R. Tibshirani and J. Friedman, The Elements of Statistical
//     Learning, 2nd ed., Springer (2009), section 4.4.
//   - M. Mächler, Accurately computing log(1 - exp(-|a|)), Rmpfr vignette
//     (2012) (the stable log1p/exp forms).
type LogReg struct {
	// A holds the inputs row-major: a_k = A[k*d : (k+1)*d].
	A []float64
	// Y holds the labels y_k = ±1; N = len(Y).
	Y []float64
	// Lambda is the ridge coefficient lambda >= 0.
	Lambda float64

	d int
}

// NewLogReg generates a logistic regression problem with n samples in d
// dimensions, class means sep apart and ridge lambda (see LogReg), from a
// PCG generator seeded with seed.
func NewLogReg(n, d int, sep, lambda float64, seed uint64) (*LogReg, error) {
	switch {
	case n < 2:
		return nil, fmt.Errorf("n = %d samples, want at least 2", n)
	case d < 1:
		return nil, fmt.Errorf("dimension d = %d, want at least 1", d)
	case !(sep >= 0) || math.IsInf(sep, 0):
		return nil, fmt.Errorf("sep = %g, want a finite number >= 0", sep)
	case !(lambda >= 0) || math.IsInf(lambda, 0):
		return nil, fmt.Errorf("lambda = %g, want a finite number >= 0", lambda)
	}
	if _, err := logRegBytes(n, d); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x109_7e6))
	mu := 0.5 * sep / math.Sqrt(float64(d))
	l := &LogReg{A: make([]float64, n*d), Y: make([]float64, n), Lambda: lambda, d: d}
	for k := 0; k < n; k++ {
		y := 1.0
		if rng.Uint64()&1 == 0 {
			y = -1
		}
		l.Y[k] = y
		for i := 0; i < d; i++ {
			l.A[k*d+i] = y*mu + rng.NormFloat64()
		}
	}
	return l, nil
}

// logRegBytes returns the bytes of the data of a LogReg with n samples in d
// dimensions: the inputs (n x d) and the labels (n); an error wraps
// ErrTooLarge for arrays that cannot be allocated.
func logRegBytes(n, d int) (int64, error) {
	return sumBytes(
		func() (int64, error) { return arrayBytes("inputs", 8, n, d) },
		func() (int64, error) { return arrayBytes("labels", 8, n) },
	)
}

// Dim returns d.
func (l *LogReg) Dim() int { return l.d }

// Samples returns N.
func (l *LogReg) Samples() int { return len(l.Y) }

// SampleGrad writes g_k into dst and returns f_k (see LogReg).
func (l *LogReg) SampleGrad(dst, x []float64, k int) float64 {
	d := l.d
	a := l.A[k*d : (k+1)*d]
	y := l.Y[k]
	m, xx := 0.0, 0.0
	for i, ai := range a {
		m += ai * x[i]
		xx += x[i] * x[i]
	}
	m *= y
	// softplus(-m) = log(1 + e^-m) and sigma(-m) = 1/(1 + e^m), stably.
	e := math.Exp(-math.Abs(m))
	var sp, s float64
	if m >= 0 {
		sp = math.Log1p(e)
		s = e / (1 + e)
	} else {
		sp = -m + math.Log1p(e)
		s = 1 / (1 + e)
	}
	c := -y * s
	dst = dst[:d]
	for i, ai := range a {
		dst[i] = c*ai + l.Lambda*x[i]
	}
	return sp + 0.5*l.Lambda*xx
}
