package sde

import (
	"math"

	"github.com/sgdsde/sgdsde/potentials"
)

// linearModel returns b = -A x with constant D (2-D). With fast set it also
// provides the scalar fast paths, so both integrator kernels can be tested.
func linearModel(a, dm [4]float64, fast bool) potentials.Model {
	m := potentials.Model{
		Name: "linear", Dim: 2,
		Drift: func(dst, x []float64) {
			dst[0] = -(a[0]*x[0] + a[1]*x[1])
			dst[1] = -(a[2]*x[0] + a[3]*x[1])
		},
		Diffusion: func(dst, x []float64) { copy(dst, dm[:]) },
	}
	if fast {
		m.Drift2 = func(x, y float64) (float64, float64) {
			return -(a[0]*x + a[1]*y), -(a[2]*x + a[3]*y)
		}
		m.Diffusion2 = func(x, y float64) (float64, float64, float64) { return dm[0], dm[1], dm[3] }
	}
	return m
}

// rosslerModel is the 2-D test SDE with non-commutative noise of Rößler
// (SIAM J. Numer. Anal. 48, 2010, Sec. 6): dX = b dt + G dW with
// b = (-273/512 X1, -X1/160 + (785/512 - sqrt(2)/8) X2) and
// G = [[X1/4, X1/16], [(1 - 2 sqrt 2) X1/4, X1/10 + X2/16]],
// written as D = G G^T / (2T) at T = 1.
func rosslerModel(fast bool) potentials.Model {
	g := func(x, y float64) (g11, g12, g21, g22 float64) {
		return x / 4, x / 16, (1 - 2*math.Sqrt2) * x / 4, x/10 + y/16
	}
	diff2 := func(x, y float64) (float64, float64, float64) {
		g11, g12, g21, g22 := g(x, y)
		return (g11*g11 + g12*g12) / 2, (g11*g21 + g12*g22) / 2, (g21*g21 + g22*g22) / 2
	}
	drift2 := func(x, y float64) (float64, float64) {
		return -273.0 / 512 * x, -x/160 + (785.0/512-math.Sqrt2/8)*y
	}
	m := potentials.Model{
		Name: "rossler", Dim: 2,
		Drift: func(dst, x []float64) { dst[0], dst[1] = drift2(x[0], x[1]) },
		Diffusion: func(dst, x []float64) {
			a, b, c := diff2(x[0], x[1])
			dst[0], dst[1], dst[2], dst[3] = a, b, b, c
		},
	}
	if fast {
		m.Drift2, m.Diffusion2 = drift2, diff2
	}
	return m
}

// gbmModel is geometric Brownian motion dX = mu X dt + s X dW, written as
// D = s^2 x^2 / (2T) at T = 1.
func gbmModel(mu, s float64) potentials.Model {
	return potentials.Model{
		Name: "gbm", Dim: 1,
		Drift:     func(dst, x []float64) { dst[0] = mu * x[0] },
		Diffusion: func(dst, x []float64) { dst[0] = s * s * x[0] * x[0] / 2 },
	}
}

// emStationaryCov solves C = B C B^T + 2 h T D with B = I - h A by fixed-point
// iteration (the spectral radius of B is below 1 for the cases used).
func emStationaryCov(a, dm [4]float64, h, T float64) [4]float64 {
	b := [4]float64{1 - h*a[0], -h * a[1], -h * a[2], 1 - h*a[3]}
	var c [4]float64
	for it := 0; it < 100000; it++ {
		// B C
		bc := [4]float64{
			b[0]*c[0] + b[1]*c[2], b[0]*c[1] + b[1]*c[3],
			b[2]*c[0] + b[3]*c[2], b[2]*c[1] + b[3]*c[3],
		}
		// (B C) B^T + 2 h T D
		n := [4]float64{
			bc[0]*b[0] + bc[1]*b[1] + 2*h*T*dm[0], bc[0]*b[2] + bc[1]*b[3] + 2*h*T*dm[1],
			bc[2]*b[0] + bc[3]*b[1] + 2*h*T*dm[2], bc[2]*b[2] + bc[3]*b[3] + 2*h*T*dm[3],
		}
		diff := math.Abs(n[0]-c[0]) + math.Abs(n[1]-c[1]) + math.Abs(n[3]-c[3])
		c = n
		if diff < 1e-16 {
			break
		}
	}
	return c
}
