package sde

import (
	"fmt"
	"math"

	"github.com/sgdsde/sgdsde/potentials"
)

// EulerMaruyama advances one trajectory of dX = b(X) dt + sqrt(2 T D(X)) dW
// by the Euler–Maruyama method (Kloeden & Platen, "Numerical Solution of
// Stochastic Differential Equations", 1992, Sec. 10.2):
//
//	X_{n+1} = X_n + b(X_n) h + S(X_n) dW_n,   S S^T = 2 T D(X_n),
//
// with dW_n ~ N(0, h I). It has weak order 1 and strong order 1/2. D may be
// singular: in 2-D S is the closed-form symmetric square root, otherwise a
// Cholesky factor that accepts zero pivots.
//
// A value is not safe for concurrent use: it holds scratch space.
type EulerMaruyama struct {
	model potentials.Model
	temp  float64
	b, dm []float64
	s     []float64
}

// NewEulerMaruyama returns the method for model m at temperature T.
func NewEulerMaruyama(m potentials.Model, T float64) *EulerMaruyama {
	d := m.Dim
	return &EulerMaruyama{
		model: m, temp: T,
		b: scratch(d), dm: scratch(d * d), s: scratch(d * d),
	}
}

// Step replaces x by x + b(x) h + S(x) dW, where dW is the Brownian increment
// over the step (variance h per coordinate). It returns an error, naming x,
// if D(x) is not positive semi-definite.
func (em *EulerMaruyama) Step(x []float64, h float64, dW []float64) error {
	if !em.step(x, h, 1, dW) {
		return fmt.Errorf("%w at x = %v", potentials.ErrNotPSD, x)
	}
	return nil
}

// step is Step with the noise given as scale*z; it reports false if D(x) is
// not positive semi-definite, leaving x unchanged.
func (em *EulerMaruyama) step(x []float64, h, scale float64, z []float64) bool {
	d := em.model.Dim
	em.model.Drift(em.b, x)
	em.model.Diffusion(em.dm, x)
	c := math.Sqrt(2*em.temp) * scale
	switch d {
	case 1:
		if em.dm[0] < 0 {
			return false
		}
		x[0] += em.b[0]*h + c*math.Sqrt(em.dm[0])*z[0]
		return true
	case 2:
		s11, s12, s22, ok := sqrtPSD2(em.dm[0], 0.5*(em.dm[1]+em.dm[2]), em.dm[3])
		if !ok {
			return false
		}
		z0, z1 := z[0], z[1]
		x[0] += em.b[0]*h + c*(s11*z0+s12*z1)
		x[1] += em.b[1]*h + c*(s12*z0+s22*z1)
		return true
	}
	if !cholPSD(em.s, em.dm, d) {
		return false
	}
	for i := 0; i < d; i++ {
		n := 0.0
		for k := 0; k <= i; k++ {
			n += em.s[i*d+k] * z[k]
		}
		x[i] += em.b[i]*h + c*n
	}
	return true
}

// scratch returns n float64s of a worker's scratch space, followed by a
// cache line of padding so that the scratch of two workers never shares a
// cache line (small arrays are otherwise packed together by the allocator,
// and writing them at every step from two cores ping-pongs the line
// between the cores).
func scratch(n int) []float64 {
	return make([]float64, n, n+8)
}
