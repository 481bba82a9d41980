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
// This costs K L d^2 flops (the covariance, shared among workers
// goroutines, <= 0: GOMAXPROCS) and one d x d symmetric eigendecomposition,
// instead of K L d^2 per lag and d^2 numbers per lag in the full
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
		p = min(components, d)
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

// principal returns the states of tr centred at mean and projected on the
// top p eigenvectors of their pooled covariance (n x p, row-major), the p
// leading variances and the fraction of the total variance they carry.
func principal(tr *Traj, mean []float64, p, workers int) ([]float64, []float64, float64, error) {
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
	center := func(dst []float64, r0, r1 int) {
		for r := r0; r < r1; r++ {
			row := dst[(r-r0)*d : (r-r0+1)*d]
			for i, v := range tr.Data[r*d : (r+1)*d] {
				row[i] = v - mean[i]
			}
		}
	}
	parallel(stripes, workers, func(w, s int) {
		for b := s; b < nb; b += stripes {
			r0, r1 := b*areaBlock, min((b+1)*areaBlock, n)
			center(bufs[w], r0, r1)
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
	order := make([]int, d)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
	V := make([]float64, d*p) // d x p, leading eigenvectors as columns
	variances := make([]float64, p)
	total, kept := 0.0, 0.0
	for _, v := range vals {
		total += math.Max(v, 0)
	}
	for j := 0; j < p; j++ {
		col := order[j]
		variances[j] = vals[col]
		kept += math.Max(vals[col], 0)
		for i := 0; i < d; i++ {
			V[i*p+j] = vecs.At(i, col)
		}
	}
	explained := 1.0
	if total > 0 {
		explained = kept / total
	}
	z := make([]float64, n*p)
	vm := blas64.General{Rows: d, Cols: p, Stride: p, Data: V}
	parallel(nb, workers, func(w, b int) {
		r0, r1 := b*areaBlock, min((b+1)*areaBlock, n)
		center(bufs[w], r0, r1)
		a := blas64.General{Rows: r1 - r0, Cols: d, Stride: d, Data: bufs[w][:(r1-r0)*d]}
		c := blas64.General{Rows: r1 - r0, Cols: p, Stride: p, Data: z[r0*p : r1*p]}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, a, vm, 0, c)
	})
	return z, variances, explained, nil
}
