package potentials

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/mat"
)

// Kramers is the Eyring–Kramers estimate of the mean time of a transition
// from a minimum m of U over a saddle s of index 1 (see EyringKramers):
//
//	tau(T) ≈ Prefactor exp(Barrier / T),
//	Prefactor = (2 pi / |Lambda|) sqrt(|det Hess U(s)| / det Hess U(m)).
type Kramers struct {
	// Barrier is U(s) - U(m).
	Barrier float64
	// Lambda is the negative eigenvalue of (D + A) Hess U(s): minus the
	// growth rate of the deterministic motion away from the saddle along
	// its unstable direction (the drift is b = -(D + A) grad U, whose
	// Jacobian at s is -(D + A) Hess U(s)).
	Lambda float64
	// DetRatio is |det Hess U(s)| / det Hess U(m).
	DetRatio float64
	// Prefactor is (2 pi / |Lambda|) sqrt(DetRatio), the time scale in
	// front of the exponential.
	Prefactor float64
}

// Time returns the estimate Prefactor exp(Barrier / T) of the mean
// transition time at temperature T; +Inf when it overflows (use LogTime).
func (k Kramers) Time(T float64) float64 { return k.Prefactor * math.Exp(k.Barrier/T) }

// LogTime returns log(Time(T)) = log(Prefactor) + Barrier / T, finite
// where Time overflows.
func (k Kramers) LogTime(T float64) float64 { return math.Log(k.Prefactor) + k.Barrier/T }

// Rate returns 1 / Time(T), the escape rate.
func (k Kramers) Rate(T float64) float64 { return math.Exp(-k.Barrier/T) / k.Prefactor }

// ErrNotAntisymmetric reports a matrix A of EyringKramers that is not
// antisymmetric.
var ErrNotAntisymmetric = errors.New("the matrix A is not antisymmetric")

// EyringKramers returns the Eyring–Kramers estimate of the mean time the
// process
//
//	dX = -(D + A) grad U(X) dt + sqrt(2 T D) dW
//
// takes to go from the minimum m of U to the other side of the saddle s
// of index 1 (to a small ball around the minimum beyond it), for a
// constant symmetric positive definite D and a constant antisymmetric A:
//
//	tau ≈ (2 pi / |lambda_s|) sqrt(|det Hess U(s)| / det Hess U(m)) exp((U(s) - U(m)) / T),
//
// where lambda_s is the unique negative eigenvalue of (D + A) Hess U(s).
// Bovier et al. bound the relative error by O(T^(1/2) |log T|^(3/2));
// for a smooth U it is O(T) (for the 1-D double well U = (x^2 - 1)^2 the
// exact time is tau (1 + 3T/8 + O(T^2)), see TestKramers1D). D nil means the identity, A nil means zero. The formula holds
// when s is the lowest saddle on the way out of the basin of m and U(s)
// is below the saddles of the other exits; it is an asymptotic formula:
// at Barrier/T = 5 it is off by about 10% in the tests.
//
// The reversible case, A = 0. The stationary density is exp(-U/T) and
// the current vanishes (b = -D grad U is of the detailed-balance form).
// For D = I this is the formula of Bovier, Eckhoff, Gayrard & Klein
// (Metastability in reversible diffusion processes I, J. Eur. Math. Soc.
// 6, 399–424, 2004; Berglund, Kramers' law: validity, derivations and
// generalisations, Markov Process. Relat. Fields 19, 459–490, 2013),
// with epsilon = T. An anisotropic constant D reduces to it:
// in y = D^(-1/2) x the process is dY = -grad_y V dt + sqrt(2T) dW with
// V(y) = U(D^(1/2) y), whose Hessians are D^(1/2) Hess U D^(1/2). Their
// determinants are det D det Hess U, so the ratio of determinants is that
// of U, and the negative eigenvalue of D^(1/2) Hess U(s) D^(1/2) is that
// of the similar matrix D Hess U(s): not that of Hess U(s), nor of
// D^-1 Hess U(s). This is the case of SGD, b = -grad f, with a constant D
// for which D^-1 grad f = grad U is a gradient (Phi = U; for a
// separable f = f1(x1) + f2(x2) and a diagonal D, U = f1/D11 + f2/D22).
//
// The non-reversible case, A != 0. The drift has the transverse part
// -A grad U, which leaves exp(-U/T) stationary (div(A grad U exp(-U/T))
// = 0 because A is antisymmetric), so the current J = -A grad U exp(-U/T)/Z
// does not vanish. In y = D^(-1/2) x the drift is -(I + A') grad V with
// the antisymmetric A' = D^(-1/2) A D^(-1/2), the setting of Landim,
// Mariani & Seo (Dirichlet's and Thomson's principles for non-selfadjoint
// elliptic operators with application to non-reversible metastable
// diffusion processes, Arch. Ration. Mech. Anal. 231, 887–938, 2019) and
// Lee & Seo (Non-reversible metastable diffusions with Gibbs invariant
// measure I: Eyring–Kramers formula, Probab. Theory Relat. Fields 182,
// 849–903, 2022), whose drift is -(grad V + l) with l = A' grad V: their
// formula is the reversible one with the negative eigenvalue of
// Hess V(s) + Dl(s) = (I + A') Hess V(s), similar to (D + A) Hess U(s),
// in place of that of Hess V(s); the determinants are unchanged. Bouchet &
// Reygner (Generalisation of the Eyring–Kramers transition rate formula
// to irreversible diffusion processes, Ann. Henri Poincaré 17, 3499–3532,
// 2016) give the same prefactor for a drift -(grad U + l) with
// grad U . l = 0 and div l = 0. Lee & Seo show that adding A never
// lowers |lambda_s|: non-reversibility speeds the transition up.
//
// minimum must be a strict minimum and saddle an index-1 saddle (else an
// *IndexError), D symmetric positive definite (else an error wrapping
// ErrNotPSD) and A antisymmetric (else ErrNotAntisymmetric), all of the
// dimension of minimum.X. Only their U values and Hessians enter (the
// eigenvalues are recomputed from the Hessians).
func EyringKramers(minimum, saddle CriticalPoint, D, A []float64) (Kramers, error) {
	d := len(minimum.X)
	if d == 0 || len(saddle.X) != d || len(minimum.Hess) != d*d || len(saddle.Hess) != d*d {
		return Kramers{}, fmt.Errorf("eyring-kramers: minimum and saddle need positions of one dimension and d x d Hessians (got %d, %d, %d, %d)",
			len(minimum.X), len(saddle.X), len(minimum.Hess), len(saddle.Hess))
	}
	// Recompute the eigenvalues: the critical points may be built by hand.
	minimum.Eigenvalues = eigenSym(minimum.Hess, d)
	saddle.Eigenvalues = eigenSym(saddle.Hess, d)
	if err := checkIndex(minimum, 0); err != nil {
		return Kramers{}, err
	}
	if err := checkIndex(saddle, 1); err != nil {
		return Kramers{}, err
	}
	if D == nil {
		D = make([]float64, d*d)
		for i := 0; i < d; i++ {
			D[i*d+i] = 1
		}
	}
	if A == nil {
		A = make([]float64, d*d)
	}
	if len(D) != d*d || len(A) != d*d {
		return Kramers{}, fmt.Errorf("eyring-kramers: D and A must be %d x %d (got %d and %d entries)", d, d, len(D), len(A))
	}
	scale := 0.0
	for _, v := range D {
		scale = math.Max(scale, math.Abs(v))
	}
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			if math.Abs(D[i*d+j]-D[j*d+i]) > 1e-12*scale || math.IsNaN(D[i*d+j]) {
				return Kramers{}, fmt.Errorf("%w: D is not symmetric: D_%d%d = %g, D_%d%d = %g", ErrNotPSD, i+1, j+1, D[i*d+j], j+1, i+1, D[j*d+i])
			}
		}
	}
	if l := eigenSym(D, d)[0]; !(l > 1e-12*scale) {
		return Kramers{}, fmt.Errorf("%w: D must be positive definite, its smallest eigenvalue is %g", ErrNotPSD, l)
	}
	ascale := 0.0
	for _, v := range A {
		ascale = math.Max(ascale, math.Abs(v))
	}
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			if math.Abs(A[i*d+j]+A[j*d+i]) > 1e-12*ascale || math.IsNaN(A[i*d+j]) {
				return Kramers{}, fmt.Errorf("%w: A_%d%d = %g, A_%d%d = %g", ErrNotAntisymmetric, i+1, j+1, A[i*d+j], j+1, i+1, A[j*d+i])
			}
		}
	}

	// lambda_s: the eigenvalue of (D + A) Hess U(s) with negative real part.
	DA := mat.NewDense(d, d, nil)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			DA.Set(i, j, D[i*d+j]+A[i*d+j])
		}
	}
	var M mat.Dense
	M.Mul(DA, mat.NewDense(d, d, append([]float64(nil), saddle.Hess...)))
	var eig mat.Eigen
	if !eig.Factorize(&M, mat.EigenNone) {
		return Kramers{}, fmt.Errorf("eyring-kramers: no eigenvalues of (D + A) Hess U(s)")
	}
	lambda, count := 0.0, 0
	for _, v := range eig.Values(nil) {
		if real(v) < 0 {
			count++
			if math.Abs(imag(v)) > 1e-9*cmplx.Abs(v) {
				return Kramers{}, fmt.Errorf("eyring-kramers: (D + A) Hess U(s) has the complex eigenvalue %v with negative real part", v)
			}
			lambda = real(v)
		}
	}
	if count != 1 {
		// Not reached in exact arithmetic. Write M = S H, S = D + A, H =
		// Hess U(s). det M = det S det H < 0 (det S > 0, as the symmetric
		// part of S is positive definite; det H < 0), so M has a negative
		// real eigenvalue. On the real invariant subspace W of M for the
		// eigenvalues with negative real part, x(t) = exp(t M) x0 tends to
		// 0, while d/dt x^T H x = 2 (H x)^T D (H x) > 0: so x0^T H x0 < 0
		// for every x0 != 0 in W, H is negative definite on W, and
		// dim W <= 1, the index of H.
		return Kramers{}, fmt.Errorf("eyring-kramers: (D + A) Hess U(s) has %d eigenvalues with negative real part, want 1", count)
	}
	detM, detS := 1.0, 1.0
	for _, l := range minimum.Eigenvalues {
		detM *= l
	}
	for _, l := range saddle.Eigenvalues {
		detS *= l
	}
	k := Kramers{
		Barrier:  saddle.U - minimum.U,
		Lambda:   lambda,
		DetRatio: math.Abs(detS) / detM,
	}
	k.Prefactor = 2 * math.Pi / math.Abs(lambda) * math.Sqrt(k.DetRatio)
	return k, nil
}
