package potentials

import (
	"errors"
	"fmt"
	"math"
)

// Model is a drift–diffusion model in d dimensions: the drift b(x) and the
// diffusion matrix D(x) of dX = b dt + sqrt(2 T D) dW, optionally the loss f
// with b = -grad f, and a default box for grids.
//
// Drift and Diffusion are required. Matrices are stored row-major: element
// (i, j) of D is dst[i*Dim+j]. Every function writes into its destination
// (first argument) and must not allocate or retain x.
//
// Models with Dim == 2 may also set the scalar fast paths Drift2 and
// Diffusion2, which must agree with Drift and Diffusion; the integrators use
// them when they are set.
type Model struct {
	// Name identifies the model in outputs, for example "double-well".
	Name string
	// Formula describes the model in words and formulas for listings.
	Formula string
	// Params holds the parameter values the model was built with.
	Params map[string]float64

	// Dim is the dimension d of the state x.
	Dim int
	// Drift writes b(x) into dst (length Dim).
	Drift func(dst, x []float64)
	// Diffusion writes D(x) into dst (length Dim*Dim, row-major). D must be
	// symmetric positive semi-definite.
	Diffusion func(dst, x []float64)
	// DivDiffusion, if not nil, writes the divergence of D,
	// (div D)_i = sum_j d D_ij / d x_j, into dst (length Dim).
	DivDiffusion func(dst, x []float64)

	// Loss, if not nil, returns the loss f(x).
	Loss func(x []float64) float64
	// Grad, if not nil, writes grad f(x) into dst (length Dim).
	Grad func(dst, x []float64)
	// GradientDrift reports that Drift is exactly -Grad: the SGD drift
	// b = -grad f. Grid schemes then take the drift's contribution along an
	// edge from the loss difference f(y) - f(x), which makes the isotropic
	// Gibbs case exact on any grid.
	GradientDrift bool

	// Drift2 and Diffusion2 are optional fast paths for Dim == 2:
	// Drift2 returns (b_1, b_2) and Diffusion2 returns (D_11, D_12, D_22).
	Drift2     func(x, y float64) (bx, by float64)
	Diffusion2 func(x, y float64) (dxx, dxy, dyy float64)

	// Box is the default region for grids and plots.
	Box Box

	// AngularMomentum, if not nil, is the closed form of the stationary
	// angular momentum (2-D models)
	//
	//	L(T) = integral over R^2 of (x_1 J_2 - x_2 J_1) dx
	//
	// of the steady probability current J at temperature T, with ok = false
	// at temperatures where no closed form is known. It is a reference for
	// checks (package compare), never used by the solvers. A model derived by
	// changing the drift or the diffusion must reset it: the value belongs to
	// this drift and diffusion only.
	AngularMomentum func(T float64) (L float64, ok bool)
}

// Box is an axis-aligned box [Min_i, Max_i] in each dimension.
type Box struct {
	Min, Max []float64
}

// Contains reports whether x lies in the closed box.
func (b Box) Contains(x []float64) bool {
	for i := range x {
		if x[i] < b.Min[i] || x[i] > b.Max[i] {
			return false
		}
	}
	return true
}

// NewBox returns the box [xmin, xmax] x [ymin, ymax]; pass a single pair for 1-D.
func NewBox(bounds ...float64) Box {
	n := len(bounds) / 2
	b := Box{Min: make([]float64, n), Max: make([]float64, n)}
	for i := 0; i < n; i++ {
		b.Min[i], b.Max[i] = bounds[2*i], bounds[2*i+1]
	}
	return b
}

// Validate checks that the model is complete and consistent: dimension and
// required functions set, box of the right dimension, and (for Dim == 2)
// fast paths either both set or both nil.
func (m *Model) Validate() error {
	if m.Dim < 1 {
		return fmt.Errorf("model %q: dimension %d, want at least 1", m.Name, m.Dim)
	}
	if m.Drift == nil || m.Diffusion == nil {
		return fmt.Errorf("model %q: drift and diffusion must both be given", m.Name)
	}
	if (m.Drift2 == nil) != (m.Diffusion2 == nil) {
		return fmt.Errorf("model %q: set both or neither of Drift2 and Diffusion2", m.Name)
	}
	if m.GradientDrift && (m.Loss == nil || m.Grad == nil) {
		return fmt.Errorf("model %q: a gradient drift needs the loss and its gradient", m.Name)
	}
	if m.Drift2 != nil && m.Dim != 2 {
		return fmt.Errorf("model %q: 2-D fast paths on a %d-D model", m.Name, m.Dim)
	}
	if len(m.Box.Min) != 0 && (len(m.Box.Min) != m.Dim || len(m.Box.Max) != m.Dim) {
		return fmt.Errorf("model %q: box has dimension %d, model %d", m.Name, len(m.Box.Min), m.Dim)
	}
	return nil
}

// ErrNotPSD reports a diffusion matrix that is not symmetric positive
// semi-definite; CheckDiffusion wraps it with the point and the matrix.
var ErrNotPSD = errors.New("diffusion is not symmetric positive semi-definite")

// CheckDiffusion evaluates D at x and returns an error, naming x and the
// offending entries, if D is not finite, not symmetric (relative tolerance
// 1e-12) or not positive semi-definite (an eigenvalue below -1e-12 times the
// largest magnitude).
func (m *Model) CheckDiffusion(x []float64) error {
	d := m.Dim
	dm := make([]float64, d*d)
	m.Diffusion(dm, x)
	scale := 0.0
	for _, v := range dm {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: D%s has a non-finite entry", ErrNotPSD, fmtPoint(x))
		}
		scale = math.Max(scale, math.Abs(v))
	}
	for i := 0; i < d; i++ {
		for j := i + 1; j < d; j++ {
			if math.Abs(dm[i*d+j]-dm[j*d+i]) > 1e-12*math.Max(scale, 1e-300) {
				return fmt.Errorf("%w: D%s is not symmetric: D_%d%d = %g but D_%d%d = %g",
					ErrNotPSD, fmtPoint(x), i+1, j+1, dm[i*d+j], j+1, i+1, dm[j*d+i])
			}
		}
	}
	lmin := minEigenSym(dm, d)
	if lmin < -1e-12*scale {
		return fmt.Errorf("%w: D%s has eigenvalue %.6g < 0", ErrNotPSD, fmtPoint(x), lmin)
	}
	return nil
}

func fmtPoint(x []float64) string {
	s := "("
	for i, v := range x {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%g", v)
	}
	return s + ")"
}
