package potentials

// This file holds what the built-in landscapes share: the constant 2-D
// diffusion ConstDiffusion, its validation, and number formatting for formula
// text. The landscapes themselves are in landscape_*.go, one family per file,
// each a small type in the manner of gonum's optimize/functions with a Model
// method and a registration in init.
//
// Registered names (see Landscapes): quadratic, gyrator, double-well,
// paper-fig4, muller-brown, three-hole, rosenbrock, sharp-flat.

import (
	"fmt"
	"math"
	"strconv"
)

// ConstDiffusion is a constant 2-D diffusion matrix
//
//	D = [[D11, D12], [D12, D22]],
//
// which, being constant, has div D = 0. MullerBrown, ThreeHole, Rosenbrock
// and Quadratic embed it, which gives them its fields D11, D12 and D22 and
// its methods Diffusion2, Diffusion and DivDiffusion. D should be positive
// semi-definite (D11 >= 0, D22 >= 0, D11 D22 >= D12^2); ConstDiffusion does
// not check this, but the registered landscapes' constructors do.
//
// The zero value is D = 0: no noise.
type ConstDiffusion struct {
	// D11, D12 and D22 are the entries of D.
	D11, D12, D22 float64
}

// Diffusion2 returns the constant D as (D11, D12, D22).
func (c ConstDiffusion) Diffusion2(x, y float64) (dxx, dxy, dyy float64) {
	return c.D11, c.D12, c.D22
}

// Diffusion writes the constant D row-major into dst.
func (c ConstDiffusion) Diffusion(dst, x []float64) { fillSym2(dst, c.D11, c.D12, c.D22) }

// DivDiffusion writes div D = 0 into dst.
func (c ConstDiffusion) DivDiffusion(dst, x []float64) { fill2(dst, 0, 0) }

// checkConstD returns an error unless the constant matrix
// D = [[d11, d12], [d12, d22]] is finite and positive semi-definite.
func checkConstD(d11, d12, d22 float64) error {
	for _, v := range [...]float64{d11, d12, d22} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("diffusion D = [[%g, %g], [%g, %g]] has a non-finite entry", d11, d12, d12, d22)
		}
	}
	if d11 < 0 || d22 < 0 || d11*d22-d12*d12 < -1e-12*math.Max(d11*d22, d12*d12) {
		return fmt.Errorf("%w: D = [[%g, %g], [%g, %g]] (need d11 >= 0, d22 >= 0 and d11*d22 >= d12^2)",
			ErrNotPSD, d11, d12, d12, d22)
	}
	return nil
}

// checkFinite returns an error naming the first parameter that is NaN or
// infinite.
func checkFinite(p map[string]float64, names ...string) error {
	for _, n := range names {
		if v := p[n]; math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("parameter %s = %g must be finite", n, v)
		}
	}
	return nil
}

// constDiffusionText formats a constant 2-D diffusion matrix for Formula text.
func constDiffusionText(d11, d12, d22 float64) string {
	return "D = [[" + num(d11) + ", " + num(d12) + "], [" + num(d12) + ", " + num(d22) + "]]"
}

// num formats v in the shortest form that reads back exactly.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// fill2 writes the 2-D vector (a, b) into dst.
func fill2(dst []float64, a, b float64) {
	_ = dst[1]
	dst[0], dst[1] = a, b
}

// fillSym2 writes the symmetric matrix [[a, b], [b, c]] row-major into dst.
func fillSym2(dst []float64, a, b, c float64) {
	_ = dst[3]
	dst[0], dst[1], dst[2], dst[3] = a, b, b, c
}

// constDiffParams are the parameter descriptions shared by the landscapes
// with a constant diffusion D = [[d11, d12], [d12, d22]].
func constDiffParams(d11, d12, d22 float64) []Param {
	return []Param{
		{Name: "d11", Default: d11, Doc: "diffusion D_11 (constant)"},
		{Name: "d12", Default: d12, Doc: "diffusion D_12 = D_21 (constant); a nonzero value makes D anisotropic"},
		{Name: "d22", Default: d22, Doc: "diffusion D_22 (constant)"},
	}
}
