package potentials

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// FiniteSum is a loss that is a mean over N samples,
//
//	f(x) = (1/N) sum_k f_k(x),
//
// with exact per-sample gradients g_k = grad f_k. Its SGD diffusion matrix is
// the covariance of the per-sample gradients (Chaudhari & Soatto 2018,
// eq. 2),
//
//	D(x) = (1/N) sum_k g_k g_k^T - g g^T,   g = grad f,
//
// which is state dependent, anisotropic and of rank at most N - 1.
type FiniteSum interface {
	// Dim returns the dimension d of x (the number of weights).
	Dim() int
	// Samples returns N.
	Samples() int
	// SampleGrad writes g_k = grad f_k(x) into dst (length Dim) and returns
	// f_k(x). It must not allocate and must be safe for concurrent use.
	SampleGrad(dst, x []float64, k int) float64
}

// Evaluator is implemented by finite sums that are classifiers with
// held-out data: besides the loss f they report the fraction of samples
// classified right, on the N training samples and on test samples that take
// no part in the sum (FashionMLP).
type Evaluator interface {
	// Evaluate returns the losses and accuracies of the state x. It must be
	// safe for concurrent use.
	Evaluate(x []float64) Evaluation
}

// Evaluation holds the mean loss and the accuracy of a classifier
// (Evaluator) on its training samples (the finite sum's f and the
// fraction classified right) and on its test samples.
type Evaluation struct {
	// TrainLoss is f(x); TrainAccuracy the fraction of the N training
	// samples whose largest output is their class.
	TrainLoss, TrainAccuracy float64
	// TestLoss and TestAccuracy are the same on the test samples, NaN when
	// the model has none.
	TestLoss, TestAccuracy float64
	// Test is the number of test samples.
	Test int
}

// GradSummer is implemented by finite sums that add up per-sample gradients
// faster than one SampleGrad call per sample. FullGrad and BatchGrad use it.
type GradSummer interface {
	// SumGrad writes sum_{k in batch} g_k (every k = 0, ..., N-1 when batch
	// is nil) into dst and returns sum_{k in batch} f_k, bit for bit what
	// adding the SampleGrad results into dst in the order of batch gives.
	// scratch has length Dim. It must not allocate and must be safe for
	// concurrent use.
	SumGrad(dst, scratch, x []float64, batch []int) float64
}

// FullGrad writes g = grad f(x) into dst and returns f(x), using scratch
// (length Dim) for the per-sample gradients. The samples are added in the
// order k = 0, ..., N-1 (by fs's SumGrad when fs is a GradSummer).
func FullGrad(fs FiniteSum, dst, scratch, x []float64) float64 {
	return sumGrad(fs, dst, scratch, x, nil, fs.Samples())
}

// BatchGrad writes the mini-batch gradient (1/|batch|) sum_{k in batch} g_k
// into dst and returns the mini-batch loss, using scratch (length Dim) for the
// per-sample gradients. Indices may repeat (sampling with replacement).
func BatchGrad(fs FiniteSum, dst, scratch, x []float64, batch []int) float64 {
	return sumGrad(fs, dst, scratch, x, batch, len(batch))
}

// GradSum writes the sum sum_{k in batch} g_k (every k = 0, ..., N-1 when
// batch is nil) into dst and returns sum_{k in batch} f_k, using scratch
// (length Dim) for the per-sample gradients; the samples are added in the
// order of batch (by fs's SumGrad when fs is a GradSummer).
func GradSum(fs FiniteSum, dst, scratch, x []float64, batch []int) float64 {
	if gs, ok := fs.(GradSummer); ok {
		return gs.SumGrad(dst, scratch, x, batch)
	}
	n := len(batch)
	if batch == nil {
		n = fs.Samples()
	}
	clear(dst)
	f := 0.0
	for j := 0; j < n; j++ {
		k := j
		if batch != nil {
			k = batch[j]
		}
		f += fs.SampleGrad(scratch, x, k)
		for i, v := range scratch {
			dst[i] += v
		}
	}
	return f
}

// sumGrad writes (1/n) sum_{k in batch} g_k into dst (every k when batch is
// nil, n = N) and returns (1/n) sum f_k.
func sumGrad(fs FiniteSum, dst, scratch, x []float64, batch []int, n int) float64 {
	f := GradSum(fs, dst, scratch, x, batch)
	inv := 1 / float64(n)
	for i := range dst {
		dst[i] *= inv
	}
	return f * inv
}

// diffusionBlock is the number of centred per-sample gradients that Diffusion
// gathers into one matrix before a rank-k update.
const diffusionBlock = 128

// Diffusion writes D(x) = (1/N) sum_k g_k g_k^T - g g^T into dst (d x d,
// row-major) by direct summation over the samples. It evaluates the N
// per-sample gradients twice: once for g, then once more to accumulate the
// centred form
//
//	D = (1/N) sum_k (g_k - g)(g_k - g)^T,
//
// which equals the formula above but does not lose digits to cancellation
// when |g| is large compared with the spread of the g_k. The centred
// gradients are gathered in blocks of 128 rows and added with the BLAS
// symmetric rank-k update (blas64.Syrk), so the cost is N d^2 flops (plus 2 N
// gradients) and the extra memory 128 d + d words. It is meant for tests and
// for the eigenvalue statistics, not for the integrators, which sample the
// noise from the g_k without forming D (see NoiseSampler).
func Diffusion(fs FiniteSum, dst, x []float64) {
	d, n := fs.Dim(), fs.Samples()
	if len(dst) != d*d {
		panic(fmt.Sprintf("potentials: Diffusion: dst has %d entries, want %d", len(dst), d*d))
	}
	rows := min(diffusionBlock, n)
	buf := make([]float64, rows*d)
	g := make([]float64, d)
	FullGrad(fs, g, buf[:d], x)
	clear(dst)
	c := blas64.Symmetric{Uplo: blas.Upper, N: d, Stride: d, Data: dst}
	alpha := 1 / float64(n)
	for k0 := 0; k0 < n; k0 += rows {
		m := min(rows, n-k0)
		for r := 0; r < m; r++ {
			row := buf[r*d : (r+1)*d]
			fs.SampleGrad(row, x, k0+r)
			for i := range row {
				row[i] -= g[i]
			}
		}
		a := blas64.General{Rows: m, Cols: d, Stride: d, Data: buf[:m*d]}
		blas64.Syrk(blas.Trans, alpha, a, 1, c)
	}
	for i := 0; i < d; i++ {
		for j := i + 1; j < d; j++ {
			dst[j*d+i] = dst[i*d+j]
		}
	}
}

// gramBlockWords bounds the memory, in float64 words, that DiffusionGram
// keeps centred per-sample gradients in (two blocks of rows).
const gramBlockWords = 1 << 24

// DiffusionGram writes the N x N Gram matrix of the centred per-sample
// gradients,
//
//	K_kl = (1/N) (g_k - g) . (g_l - g),   g = grad f,
//
// into dst (row-major). K = (1/N) G G^T and D = (1/N) G^T G for the N x d
// matrix G of rows g_k - g, so K and D have the same nonzero eigenvalues
// (those of D beyond the N - 1 of K's that can be nonzero are zero, and
// K's last one, along the vector of ones, is zero too): the spectrum of D
// for d > N, without forming D. The rows of G are computed in blocks of
// at most 2^24/(2 d) samples and the blocks of K formed by the BLAS
// (blas64.Syrk on the diagonal, blas64.Gemm off it); when the N rows do not
// fit in one block, those of later blocks are computed again for each
// earlier block. The cost is N^2 d flops and, with B blocks,
// N (B + 3)/2 gradients; the memory N^2 + 2 min(N, 2^24/(2d)) d + d words.
func DiffusionGram(fs FiniteSum, dst, x []float64) {
	d, n := fs.Dim(), fs.Samples()
	if len(dst) != n*n {
		panic(fmt.Sprintf("potentials: DiffusionGram: dst has %d entries, want %d", len(dst), n*n))
	}
	diffusionGram(fs, dst, x, max(1, min(n, gramBlockWords/(2*d))))
}

// diffusionGram is DiffusionGram with blocks of b samples.
func diffusionGram(fs FiniteSum, dst, x []float64, b int) {
	d, n := fs.Dim(), fs.Samples()
	g := make([]float64, d)
	bi := make([]float64, b*d)
	var bj []float64
	if b < n {
		bj = make([]float64, b*d)
	}
	FullGrad(fs, g, bi[:d], x)
	fill := func(buf []float64, k0, m int) blas64.General {
		for r := 0; r < m; r++ {
			row := buf[r*d : (r+1)*d]
			fs.SampleGrad(row, x, k0+r)
			for i := range row {
				row[i] -= g[i]
			}
		}
		return blas64.General{Rows: m, Cols: d, Stride: d, Data: buf[:m*d]}
	}
	clear(dst)
	alpha := 1 / float64(n)
	for i0 := 0; i0 < n; i0 += b {
		mi := min(b, n-i0)
		a := fill(bi, i0, mi)
		blas64.Syrk(blas.NoTrans, alpha, a, 0, blas64.Symmetric{Uplo: blas.Upper, N: mi, Stride: n, Data: dst[i0*n+i0:]})
		for j0 := i0 + b; j0 < n; j0 += b {
			mj := min(b, n-j0)
			c := blas64.General{Rows: mi, Cols: mj, Stride: n, Data: dst[i0*n+j0:]}
			blas64.Gemm(blas.NoTrans, blas.Trans, alpha, a, fill(bj, j0, mj), 0, c)
		}
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			dst[j*n+i] = dst[i*n+j]
		}
	}
}

// diffusionScratch computes D(x) like Diffusion, without allocating, with
// the per-sample rank-one updates written out; g and gk have length Dim. It
// suits small d (the 2-D adapter ModelOf).
func diffusionScratch(fs FiniteSum, dst, x, g, gk []float64) {
	d, n := fs.Dim(), fs.Samples()
	FullGrad(fs, g, gk, x)
	clear(dst)
	for k := 0; k < n; k++ {
		fs.SampleGrad(gk, x, k)
		for i := range gk {
			gk[i] -= g[i]
		}
		for i := 0; i < d; i++ {
			gi := gk[i]
			row := dst[i*d : (i+1)*d]
			for j := i; j < d; j++ {
				row[j] += gi * gk[j]
			}
		}
	}
	inv := 1 / float64(n)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			v := dst[i*d+j] * inv
			dst[i*d+j] = v
			dst[j*d+i] = v
		}
	}
}

// NoiseSampler draws the SGD noise of a finite sum without forming D. Given
// N standard normal variates zeta_1, ..., zeta_N it returns
//
//	xi = sqrt(2 T / N) sum_k (g_k - g) zeta_k,   g = (1/N) sum_k g_k,
//
// in one pass over the samples, together with g itself (the drift is -g).
// xi is a linear map B zeta with B = sqrt(2 T / N) [g_1 - g, ..., g_N - g],
// so its covariance is exactly
//
//	E[xi xi^T] = B B^T = (2 T / N) sum_k (g_k - g)(g_k - g)^T = 2 T D(x):
//
// xi has the law of sqrt(2 T D) times a standard normal in R^d, whatever the
// rank of D, at a cost of N gradients and N d flops instead of the N d^2 of
// forming D and the d^3 of factorising it. An Euler–Maruyama step is then
// X += -g h + sqrt(h) xi. The identity sum_k (g_k - g) zeta_k =
// sum_k g_k zeta_k - g sum_k zeta_k gives the single pass.
//
// A NoiseSampler holds scratch space: it is not safe for concurrent use; give
// each goroutine its own (the FiniteSum may be shared).
type NoiseSampler struct {
	fs     FiniteSum
	gk, gs []float64
}

// NewNoiseSampler returns a noise sampler for fs.
func NewNoiseSampler(fs FiniteSum) *NoiseSampler {
	d := fs.Dim()
	return &NoiseSampler{fs: fs, gk: make([]float64, d), gs: make([]float64, d)}
}

// Sample writes the noise xi = sqrt(2 T / N) sum_k (g_k - g) zeta_k into dst
// and, if grad is not nil, the full gradient g into grad (both of length
// Dim), and returns the loss f(x). zeta must hold N = Samples() standard
// normal variates. It does not allocate.
func (s *NoiseSampler) Sample(dst, grad, x, zeta []float64, T float64) float64 {
	n := s.fs.Samples()
	if len(zeta) != n {
		panic(fmt.Sprintf("potentials: NoiseSampler.Sample: %d normals, want N = %d", len(zeta), n))
	}
	clear(dst)
	clear(s.gs)
	f, zsum := 0.0, 0.0
	for k, z := range zeta {
		f += s.fs.SampleGrad(s.gk, x, k)
		zsum += z
		for i, v := range s.gk {
			s.gs[i] += v
			dst[i] += z * v
		}
	}
	inv := 1 / float64(n)
	c := math.Sqrt(2 * T * inv)
	for i, v := range s.gs {
		gi := v * inv
		dst[i] = c * (dst[i] - gi*zsum)
		if grad != nil {
			grad[i] = gi
		}
	}
	return f * inv
}

// DivDiffusioner is implemented by finite sums that know the divergence of
// their diffusion matrix in closed form; ModelOf uses it instead of finite
// differences.
type DivDiffusioner interface {
	// DivDiffusion writes (div D)_i = sum_j d D_ij / d x_j at x into dst
	// (length Dim). It must not allocate (amortised) and must be safe for
	// concurrent use.
	DivDiffusion(dst, x []float64)
}

// modelScratch is the per-call workspace of the functions ModelOf returns.
type modelScratch struct {
	g, gk, xs, dp, dm []float64
}

// ModelOf returns the drift–diffusion model of SGD on fs,
//
//	b(x) = -grad f(x),   D(x) = (1/N) sum_k g_k g_k^T - g g^T,
//
// with Loss and Grad set and GradientDrift true, so that a low-dimensional
// finite sum (LinReg with d = 2) can be simulated and solved on grids inside
// box. Every function costs O(N d^2) per call and does not allocate
// (amortised: workspaces come from a sync.Pool); the model is safe for
// concurrent use if fs is.
//
// DivDiffusion is fs's closed form if fs implements DivDiffusioner; otherwise
// it is the central difference
//
//	(div D)_i ~ sum_j [D_ij(x + h_j e_j) - D_ij(x - h_j e_j)] / (2 h_j),
//	h_j = eps^(1/3) max(1, |x_j|),
//
// whose error is O(h^2) times the third derivatives of D from truncation
// plus O(eps |D| / h) from rounding, about 1e-10 relative for smooth D
// (eps = 2^-52); it costs 2 d evaluations of D. The drift and the diffusion are exact.
//
// ModelOf is meant for small d; it panics if box is not empty and has a
// dimension other than fs.Dim(). Name and Formula are left empty for the
// caller.
func ModelOf(fs FiniteSum, box Box) Model {
	d := fs.Dim()
	if len(box.Min) != 0 && (len(box.Min) != d || len(box.Max) != d) {
		panic(fmt.Sprintf("potentials: ModelOf: box of dimension %d for a %d-D finite sum", len(box.Min), d))
	}
	pool := &sync.Pool{New: func() any {
		return &modelScratch{
			g: make([]float64, d), gk: make([]float64, d), xs: make([]float64, d),
			dp: make([]float64, d*d), dm: make([]float64, d*d),
		}
	}}
	grad := func(dst, x []float64) {
		s := pool.Get().(*modelScratch)
		FullGrad(fs, dst, s.gk, x)
		pool.Put(s)
	}
	m := Model{
		Dim: d,
		Drift: func(dst, x []float64) {
			grad(dst, x)
			for i := range dst {
				dst[i] = -dst[i]
			}
		},
		Diffusion: func(dst, x []float64) {
			s := pool.Get().(*modelScratch)
			diffusionScratch(fs, dst, x, s.g, s.gk)
			pool.Put(s)
		},
		Loss: func(x []float64) float64 {
			s := pool.Get().(*modelScratch)
			f := FullGrad(fs, s.g, s.gk, x)
			pool.Put(s)
			return f
		},
		Grad:          grad,
		GradientDrift: true,
		Box:           box,
	}
	if dd, ok := fs.(DivDiffusioner); ok {
		m.DivDiffusion = dd.DivDiffusion
	} else {
		m.DivDiffusion = func(dst, x []float64) {
			s := pool.Get().(*modelScratch)
			divDiffusionFD(fs, dst, x, s)
			pool.Put(s)
		}
	}
	return m
}

// divDiffusionFD writes the central-difference divergence of D (see ModelOf).
func divDiffusionFD(fs FiniteSum, dst, x []float64, s *modelScratch) {
	d := fs.Dim()
	h0 := math.Cbrt(0x1p-52)
	copy(s.xs, x)
	clear(dst)
	for j := 0; j < d; j++ {
		h := h0 * math.Max(1, math.Abs(x[j]))
		s.xs[j] = x[j] + h
		hp := s.xs[j] - x[j] // the step actually taken, exact in floating point
		diffusionScratch(fs, s.dp, s.xs, s.g, s.gk)
		s.xs[j] = x[j] - h
		hm := x[j] - s.xs[j]
		diffusionScratch(fs, s.dm, s.xs, s.g, s.gk)
		s.xs[j] = x[j]
		for i := 0; i < d; i++ {
			dst[i] += (s.dp[i*d+j] - s.dm[i*d+j]) / (hp + hm)
		}
	}
}
