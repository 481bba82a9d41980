package observables

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// DefaultComponents is the number of principal components on which
// StochasticArea works when d exceeds MaxFullArea.
const DefaultComponents = 10

// MaxFullArea is the largest d for which StochasticArea works in the full
// coordinates.
const MaxFullArea = 50

// DefaultAreaLags returns the lags 1, 2, 5, 10, 20, 50, 100, ... below L/2.
func DefaultAreaLags(length int) []int {
	var lags []int
	for dec := 1; ; dec *= 10 {
		for _, m := range []int{1, 2, 5} {
			l := m * dec
			if 2*l > length {
				if len(lags) == 0 && length >= 2 {
					lags = []int{1}
				}
				return lags
			}
			lags = append(lags, l)
		}
	}
}

// Area is the stochastic area of a Traj at several lags.
type Area struct {
	// Components is the number p of coordinates the area is computed in:
	// d, or the top principal components when Projected.
	Components int  `json:"components"`
	Projected  bool `json:"projected"`
	// Explained is the fraction of the total variance tr Cov that the p
	// coordinates carry (1 when not Projected).
	Explained float64 `json:"explained"`
	// Variances holds the variances of the p principal components, largest
	// first (when Projected).
	Variances []float64 `json:"variances,omitempty"`
	// Lags lists the area at each lag.
	Lags []AreaLag `json:"lags"`
}

// AreaLag is the stochastic area at one lag.
type AreaLag struct {
	// Lag tau in recorded steps.
	Lag int `json:"lag"`
	// Antisym is |A(tau)|_F, Sym is |S(tau)|_F and Ratio is Antisym/Sym.
	Antisym float64 `json:"antisym"`
	Sym     float64 `json:"sym"`
	Ratio   float64 `json:"ratio"`
	// A holds the p x p antisymmetric part A(tau), row-major.
	A []float64 `json:"a"`
}

// StochasticArea returns the antisymmetric part of the lagged covariance of
// the states,
//
//	C(tau) = E[(x_{t+tau} - m)(x_t - m)^T],
//	A(tau) = (C(tau) - C(tau)^T) / 2,   S(tau) = (C(tau) + C(tau)^T) / 2,
//
// for each lag tau (in recorded steps, 0 < tau < L), estimated by the mean
// over the chains and the times t = 0, ..., L-1-tau, with m the mean of all
// states. For a reversible (detailed-balance) stationary process C(tau) is
// symmetric and A = 0; a steady probability current makes A non-zero. In the
// plane, A_21(tau) = (E[x_2(t+tau) x_1(t)] - E[x_1(t+tau) x_2(t)]) / 2 is
// positive for a counter-clockwise circulation, and A_21(h)/h -> L/2 as h ->
// 0, half the angular momentum rate L = E[x_1 dx_2 - x_2 dx_1]/dt (Lévy's
// stochastic area). For the linear SDE dx = -M x dt + sqrt(2 T D) dW with
// stationary covariance Sigma (M Sigma + Sigma M^T = 2 T D), C(tau) =
// exp(-M tau) Sigma, which is symmetric for every tau exactly when the
// process is in detailed balance, M D = D M^T (then Sigma = T M^-1 D): for a
// gradient drift, M = A symmetric, that is A D = D A, which the Brownian
// gyrator breaks. The summary Ratio = |A|_F / |S|_F is 0 at equilibrium.
//
// For d <= MaxFullArea the area is computed in the coordinates x. Above, it
// is computed on the top p = components (0: DefaultComponents) principal
// components of the states, z = V^T (x - m) with V the leading eigenvectors
// of the pooled covariance of all states: since z is linear in x, its lagged
// covariance is exactly V^T C(tau) V, the area of the trajectory's
// projection onto the plane pairs of the directions in which it moves most.
// When d <= K L this costs K L d^2 flops (the covariance, shared among
// workers goroutines, <= 0: GOMAXPROCS) and one d x d symmetric
// eigendecomposition; when d > K L (a network with more weights than
// recorded states) the components come from the (K L) x (K L) Gram matrix
// of the states instead, (K L)^2 d flops and no d x d matrix. Either way
// each component's sign is fixed (its projection's entry of largest
// magnitude is positive), so that the result depends on the data alone.
// Both replace K L d^2 flops per lag and d^2 numbers per lag in the full
// coordinates; the loops of SGD live in few directions (the rank of D is a
// few percent of d), which the leading components capture. Explained says
// how much of the variance they carry.
//
// References:
//   - P. Lévy, Wiener's random function, and other Laplacian random
//     functions, Proc. 2nd Berkeley Symp. Math. Stat. Prob. (1951) (the
//     stochastic area).
//   - R. Filliger and P. Reimann, Brownian gyrator: a minimal heat engine
//     on the nanoscale, Phys. Rev. Lett. 99 (2007), 230602.
//   - J. Weiss, Fluctuation properties of steady-state Langevin systems,
//     Phys. Rev. E 76 (2007), 061128 (the antisymmetric lagged covariance of
//     non-equilibrium steady states).
//   - I. T. Jolliffe, Principal Component Analysis, 2nd ed., Springer (2002).
func StochasticArea(tr *Traj, lags []int, components, workers int) (*Area, error) {
	K, L, d := tr.Chains, tr.Len, tr.Dim
	if len(lags) == 0 {
		return nil, fmt.Errorf("no lags for the stochastic area: %d recorded states are too few", L)
	}
	for _, l := range lags {
		if l < 1 || l >= L {
			return nil, fmt.Errorf("area lag %d: want 1 <= lag < %d (the recorded length)", l, L)
		}
	}
	if components == 0 {
		components = DefaultComponents
	}
	if components < 1 {
		return nil, fmt.Errorf("number of principal components %d: want at least 1", components)
	}
	n := K * L
	mean := make([]float64, d)
	for r := 0; r < n; r++ {
		for i, v := range tr.Data[r*d : (r+1)*d] {
			mean[i] += v
		}
	}
	for i := range mean {
		mean[i] /= float64(n)
	}
	res := &Area{Explained: 1}
	var z []float64 // n x p, centred (projected) states
	p := d
	if d <= MaxFullArea {
		res.Components = d
		z = make([]float64, n*d)
		for r := 0; r < n; r++ {
			for i, v := range tr.Data[r*d : (r+1)*d] {
				z[r*d+i] = v - mean[i]
			}
		}
	} else {
		p = min(components, d, n)
		res.Components, res.Projected = p, true
		var err error
		z, res.Variances, res.Explained, err = principal(tr, mean, p, workers)
		if err != nil {
			return nil, err
		}
	}
	C := make([]float64, p*p)
	for _, tau := range lags {
		clear(C)
		for c := 0; c < K; c++ {
			for t := 0; t+tau < L; t++ {
				a := z[(c*L+t+tau)*p : (c*L+t+tau+1)*p]
				b := z[(c*L+t)*p : (c*L+t+1)*p]
				for i, ai := range a {
					row := C[i*p : (i+1)*p]
					for j, bj := range b {
						row[j] += ai * bj
					}
				}
			}
		}
		inv := 1 / float64(K*(L-tau))
		al := AreaLag{Lag: tau, A: make([]float64, p*p)}
		for i := 0; i < p; i++ {
			for j := 0; j < p; j++ {
				cij, cji := C[i*p+j]*inv, C[j*p+i]*inv
				a, s := (cij-cji)/2, (cij+cji)/2
				al.A[i*p+j] = a
				al.Antisym += a * a
				al.Sym += s * s
			}
		}
		al.Antisym, al.Sym = math.Sqrt(al.Antisym), math.Sqrt(al.Sym)
		if al.Sym > 0 {
			al.Ratio = al.Antisym / al.Sym
		}
		res.Lags = append(res.Lags, al)
	}
	return res, nil
}

// areaBlock is the number of states per rank-k update of the covariance.
const areaBlock = 256

// covStripes is the number of partial sums of the covariance (the
// parallelism of its accumulation).
const covStripes = 4

// gramBlock is the number of states per block of the Gram route of
// principal.
const gramBlock = 64

// principal returns the states of tr centred at mean and projected on the
// top p eigenvectors of their pooled covariance (n x p, row-major), the p
// leading variances and the fraction of the total variance they carry. With
// n states of dimension d it works through the d x d covariance when
// d <= n (principalCov) and through the n x n Gram matrix of the states
// otherwise (principalGram), which has the same nonzero eigenvalues. Each
// component's sign is fixed by signConvention, so both routes give the same
// projections up to round-off.
func principal(tr *Traj, mean []float64, p, workers int) ([]float64, []float64, float64, error) {
	if tr.Dim > tr.Chains*tr.Len {
		return principalGram(tr, mean, p, workers)
	}
	return principalCov(tr, mean, p, workers)
}

// centerRows writes the states r0 to r1-1 of tr minus mean into dst, row by
// row.
func centerRows(dst []float64, tr *Traj, mean []float64, r0, r1 int) {
	d := tr.Dim
	for r := r0; r < r1; r++ {
		row := dst[(r-r0)*d : (r-r0+1)*d]
		for i, v := range tr.Data[r*d : (r+1)*d] {
			row[i] = v - mean[i]
		}
	}
}

// leading returns the indices of the p largest of vals, largest first
// (ties in index order), and the fraction of the sum of the positive
// values that they carry (1 when none is positive).
func leading(vals []float64, p int) ([]int, float64) {
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
	total, kept := 0.0, 0.0
	for _, v := range vals {
		total += math.Max(v, 0)
	}
	for _, j := range order[:p] {
		kept += math.Max(vals[j], 0)
	}
	if total > 0 {
		return order[:p], kept / total
	}
	return order[:p], 1
}

// signConvention makes each column of z (n x p, row-major) have its entry
// of largest magnitude (the first of equals) positive, flipping the column
// otherwise. An eigenvector is defined up to its sign, which the
// eigen-solver chooses by accident of its arithmetic; this convention makes
// the projected states, and the sign of the area matrices between
// components, depend on the data alone.
func signConvention(z []float64, n, p int) {
	for j := 0; j < p; j++ {
		best, at := 0.0, 0
		for r := 0; r < n; r++ {
			if a := math.Abs(z[r*p+j]); a > best {
				best, at = a, r
			}
		}
		if z[at*p+j] < 0 {
			for r := 0; r < n; r++ {
				z[r*p+j] = -z[r*p+j]
			}
		}
	}
}

// principalCov is principal through the d x d covariance of the states:
// K L d^2 flops for the covariance and a d x d symmetric
// eigendecomposition.
func principalCov(tr *Traj, mean []float64, p, workers int) ([]float64, []float64, float64, error) {
	d := tr.Dim
	n := tr.Chains * tr.Len
	nb := (n + areaBlock - 1) / areaBlock
	// The blocks are summed in covStripes fixed stripes (block b in stripe
	// b mod covStripes, in order), added in stripe order: the result does
	// not depend on the number of workers.
	stripes := min(covStripes, nb)
	covs := make([][]float64, stripes)
	for s := range covs {
		covs[s] = make([]float64, d*d)
	}
	workers = numWorkers(workers, nb)
	bufs := make([][]float64, workers)
	for w := range bufs {
		bufs[w] = make([]float64, areaBlock*d)
	}
	parallel(stripes, workers, func(w, s int) {
		for b := s; b < nb; b += stripes {
			r0, r1 := b*areaBlock, min((b+1)*areaBlock, n)
			centerRows(bufs[w], tr, mean, r0, r1)
			a := blas64.General{Rows: r1 - r0, Cols: d, Stride: d, Data: bufs[w][:(r1-r0)*d]}
			blas64.Syrk(blas.Trans, 1, a, 1, blas64.Symmetric{Uplo: blas.Upper, N: d, Stride: d, Data: covs[s]})
		}
	})
	cov := covs[0]
	for _, o := range covs[1:] {
		for i := range cov {
			cov[i] += o[i]
		}
	}
	scale := 1 / float64(max(n-1, 1))
	for i := range cov {
		cov[i] *= scale
	}
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(d, cov), true) {
		return nil, nil, 0, fmt.Errorf("the principal components of the trajectories (d = %d) did not converge", d)
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	order, explained := leading(vals, p)
	V := make([]float64, d*p) // d x p, leading eigenvectors as columns
	variances := make([]float64, p)
	for j, col := range order {
		variances[j] = vals[col]
		for i := 0; i < d; i++ {
			V[i*p+j] = vecs.At(i, col)
		}
	}
	z := make([]float64, n*p)
	vm := blas64.General{Rows: d, Cols: p, Stride: p, Data: V}
	parallel(nb, workers, func(w, b int) {
		r0, r1 := b*areaBlock, min((b+1)*areaBlock, n)
		centerRows(bufs[w], tr, mean, r0, r1)
		a := blas64.General{Rows: r1 - r0, Cols: d, Stride: d, Data: bufs[w][:(r1-r0)*d]}
		c := blas64.General{Rows: r1 - r0, Cols: p, Stride: p, Data: z[r0*p : r1*p]}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, a, vm, 0, c)
	})
	signConvention(z, n, p)
	return z, variances, explained, nil
}

// principalGram is principal through the n x n Gram matrix of the centred
// states X (n x d), G = X X^T/(n - 1): the covariance X^T X/(n - 1) has
// the same nonzero eigenvalues lambda_j, with unit eigenvectors
// v_j = X^T u_j / sqrt((n - 1) lambda_j) for the unit eigenvectors u_j of
// G, so that the projected states are
//
//	z_j = X v_j = sqrt((n - 1) lambda_j) u_j
//
// and no d x d matrix is formed: n^2 d flops for G (blocks of gramBlock
// states, each pair of blocks on one worker, so the result does not depend
// on workers), an n x n eigendecomposition, and 2 gramBlock d scratch
// values per worker.
func principalGram(tr *Traj, mean []float64, p, workers int) ([]float64, []float64, float64, error) {
	d := tr.Dim
	n := tr.Chains * tr.Len
	nb := (n + gramBlock - 1) / gramBlock
	type pair struct{ a, b int }
	var pairs []pair
	for a := 0; a < nb; a++ {
		for b := a; b < nb; b++ {
			pairs = append(pairs, pair{a, b})
		}
	}
	workers = numWorkers(workers, len(pairs))
	bufs := make([][]float64, workers)
	for w := range bufs {
		bufs[w] = make([]float64, 2*gramBlock*d)
	}
	G := make([]float64, n*n)
	parallel(len(pairs), workers, func(w, i int) {
		pr := pairs[i]
		a0, a1 := pr.a*gramBlock, min((pr.a+1)*gramBlock, n)
		b0, b1 := pr.b*gramBlock, min((pr.b+1)*gramBlock, n)
		xa, xb := bufs[w][:(a1-a0)*d], bufs[w][gramBlock*d:gramBlock*d+(b1-b0)*d]
		centerRows(xa, tr, mean, a0, a1)
		centerRows(xb, tr, mean, b0, b1)
		blas64.Gemm(blas.NoTrans, blas.Trans, 1,
			blas64.General{Rows: a1 - a0, Cols: d, Stride: d, Data: xa},
			blas64.General{Rows: b1 - b0, Cols: d, Stride: d, Data: xb},
			0, blas64.General{Rows: a1 - a0, Cols: b1 - b0, Stride: n, Data: G[a0*n+b0:]})
	})
	scale := 1 / float64(max(n-1, 1))
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			G[i*n+j] *= scale
			G[j*n+i] = G[i*n+j] // the blocks below the diagonal were not computed
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(n, G), true) {
		return nil, nil, 0, fmt.Errorf("the principal components of the trajectories (d = %d, through the Gram matrix of %d states) did not converge", d, n)
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	p = min(p, n)
	order, explained := leading(vals, p)
	variances := make([]float64, p)
	z := make([]float64, n*p)
	for j, col := range order {
		variances[j] = vals[col]
		s := math.Sqrt(float64(max(n-1, 1)) * math.Max(vals[col], 0))
		for r := 0; r < n; r++ {
			z[r*p+j] = s * vecs.At(r, col)
		}
	}
	signConvention(z, n, p)
	return z, variances, explained, nil
}
