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

	// Box is the default region for plots and, for a model without BoxAt,
	// for grids; it does not depend on T. The built-in landscapes keep
	// their customary view here (for the Gaussian ones, BoxAt(0.5)).
	Box Box
	// BoxAt, if not nil, returns the default grid box at temperature T > 0
	// (use DefaultBox, which falls back to Box): one that holds the
	// stationary density, rho at the walls below 1e-6 of its maximum (the
	// threshold at which the grid commands warn), and no larger than that
	// needs, so that a grid still resolves the density at low T. For a
	// Gaussian steady state N(0, T Sigma_1) it is natural to scale the box
	// as sqrt(T); each built-in landscape documents its rule on its BoxAt
	// method. A model derived by changing the drift or the diffusion should
	// reset it unless the box still holds the new steady state.
	BoxAt func(T float64) Box

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

// DefaultBox returns the default grid box of the model at temperature T:
// BoxAt(T) when the model sets BoxAt, T is positive and finite, and the box
// it returns is a valid box of the model's dimension (finite, Min < Max);
// otherwise the T-independent Box.
func (m *Model) DefaultBox(T float64) Box {
	if m.BoxAt == nil || !(T > 0) || math.IsInf(T, 1) {
		return m.Box
	}
	b := m.BoxAt(T)
	if len(b.Min) != m.Dim || len(b.Max) != m.Dim {
		return m.Box
	}
	for i := range b.Min {
		if !(b.Min[i] < b.Max[i]) || math.IsInf(b.Min[i], 0) || math.IsInf(b.Max[i], 0) {
			return m.Box
		}
	}
	return b
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

// ErrNotFinite reports a model whose loss, gradient, drift, diffusion or
// divergence of the diffusion is not finite (NaN or infinite) at a point;
// CheckFinite wraps it with the point and the values.
var ErrNotFinite = errors.New("model is not finite")

// CheckFinite evaluates at x every function the model has (the loss and its
// gradient if set, the drift, the diffusion, the divergence of the
// diffusion if set, and the 2-D fast paths if set) and returns an error
// wrapping ErrNotFinite, naming the function, x and its value, for the first
// that is not finite. It checks the functions themselves, not only the
// derivatives an integrator uses: a loss such as 1/(x - x), whose symbolic
// gradient simplifies to 0, is refused. It allocates scratch of d^2 values.
func (m *Model) CheckFinite(x []float64) error {
	d := m.Dim
	bad := func(what string, v []float64) error {
		for _, e := range v {
			if math.IsNaN(e) || math.IsInf(e, 0) {
				if len(v) == 1 {
					return fmt.Errorf("%w: the %s%s = %g", ErrNotFinite, what, fmtPoint(x), v[0])
				}
				return fmt.Errorf("%w: the %s%s = %s", ErrNotFinite, what, fmtPoint(x), fmtPoint(v))
			}
		}
		return nil
	}
	if m.Loss != nil {
		if err := bad("loss f", []float64{m.Loss(x)}); err != nil {
			return err
		}
	}
	v := make([]float64, d)
	if m.Grad != nil {
		m.Grad(v, x)
		if err := bad("gradient of the loss, grad f", v); err != nil {
			return err
		}
	}
	if m.Drift != nil {
		m.Drift(v, x)
		if err := bad("drift b", v); err != nil {
			return err
		}
	}
	if m.Drift2 != nil && d == 2 {
		bx, by := m.Drift2(x[0], x[1])
		if err := bad("drift b", []float64{bx, by}); err != nil {
			return err
		}
	}
	if m.DivDiffusion != nil {
		m.DivDiffusion(v, x)
		if err := bad("divergence of the diffusion, div D", v); err != nil {
			return err
		}
	}
	if m.Diffusion != nil {
		dm := make([]float64, d*d)
		m.Diffusion(dm, x)
		if err := bad("diffusion D", dm); err != nil {
			return err
		}
	}
	if m.Diffusion2 != nil && d == 2 {
		a, b, c := m.Diffusion2(x[0], x[1])
		if err := bad("diffusion (D11, D12, D22)", []float64{a, b, c}); err != nil {
			return err
		}
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
