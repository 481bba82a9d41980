package observables

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/sgdsde/sgdsde/potentials"
)

// DSpectrum holds the eigenvalue statistics of the SGD diffusion matrix D(x)
// of a finite sum at one state x.
type DSpectrum struct {
	// Chain and Time say where x was taken (recorded time index); both are
	// -1 for a state given directly.
	Chain, Time int
	// Eigenvalues lists all d eigenvalues, largest first.
	Eigenvalues []float64
	// Threshold is lambda_max * d * eps (eps = 2^-52): eigenvalues above it
	// count towards Rank, the numerical rank of D.
	Threshold float64
	// Rank is the number r of eigenvalues above Threshold; RankFraction is
	// r/d.
	Rank         int
	RankFraction float64
	// LastIn is lambda_r, the smallest eigenvalue counted in the rank, and
	// FirstOut is lambda_{r+1}, the largest one not counted (0 when r = 0,
	// resp. r = d): every threshold in [|lambda_{r+1}|, lambda_r) gives the
	// same rank.
	LastIn, FirstOut float64
	// Gap is the spectral gap at the rank,
	//
	//	Gap = lambda_r / |lambda_{r+1}|,
	//
	// the factor by which the threshold could be moved down (from lambda_r)
	// without changing the rank: a large Gap (many decades) means the rank
	// is a property of D, not of the threshold. It is +Inf when r = d or
	// lambda_{r+1} = 0, and 0 when r = 0.
	Gap float64
	// Mean and Std are the mean and the (population) standard deviation of
	// the eigenvalues; Trace is their sum, tr D = d Mean.
	Mean, Std, Trace float64
	// ParticipationRatio is (tr D)^2 / tr(D^2), the effective number of
	// directions the noise uses (d for D = c I, 1 for rank one).
	ParticipationRatio float64
	// Top holds the largest eigenvalues (at most the number asked for).
	Top []float64
}

// Diffusion returns the eigenvalue statistics of the SGD diffusion matrix
//
//	D(x) = (1/N) sum_k g_k g_k^T - g g^T
//
// of fs at x, with the top largest eigenvalues listed in Top. D = (1/N) G^T G
// for the N x d matrix G of the centred per-sample gradients g_k - g, whose
// Gram matrix K = (1/N) G G^T (N x N) has the same nonzero eigenvalues, and
// D has rank at most min(N - 1, d). The eigenvalues come from the smaller of
// the two: D (potentials.Diffusion) when d <= N, K (potentials.DiffusionGram)
// when d > N, so that a d x d matrix is never formed for a model with more
// weights than samples; of the eigenvalues computed, the min(N - 1, d)
// largest are kept and the others, zero in exact arithmetic (K's along the
// vector of ones and the d - N + 1 that D has beyond K's), are reported as
// exactly zero, so that Eigenvalues always has d entries. They come from
// mat.EigenSym (LAPACK dsyev: tridiagonal reduction and implicit QL/QR;
// values only), whose absolute errors are of order |D|_2 d eps, hence the
// rank threshold lambda_max d eps of numerical linear algebra (Golub & Van
// Loan, section 5.4.1; the default of numpy.linalg.matrix_rank). Tiny
// negative eigenvalues from round-off are kept as they are. With m =
// min(N, d), the cost is N d m flops for the matrix and about 4/3 m^3 for
// the eigenvalues, with m^2 words of memory: for the default mlp (d = 1002,
// N = 1000, the Gram route) about half a second.
//
// Chaudhari & Soatto (section on deep networks of arXiv:1710.11029) find that
// the rank of D is a few percent of d for deep networks, and that its
// eigenvalues have a small mean and a much larger spread: the gradient noise
// is highly anisotropic.
func Diffusion(fs potentials.FiniteSum, x []float64, top int) (*DSpectrum, error) {
	return diffusion(fs, x, top, fs.Samples() < fs.Dim())
}

// diffusion is Diffusion through the Gram matrix (gram) or D.
func diffusion(fs potentials.FiniteSum, x []float64, top int, gram bool) (*DSpectrum, error) {
	d, n := fs.Dim(), fs.Samples()
	if len(x) != d {
		return nil, fmt.Errorf("state has %d coordinates, the model has d = %d", len(x), d)
	}
	m := d
	if gram {
		m = n
	}
	buf := make([]float64, m*m)
	if gram {
		potentials.DiffusionGram(fs, buf, x)
	} else {
		potentials.Diffusion(fs, buf, x)
	}
	for _, v := range buf {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("D(x) is not finite at this state")
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(m, buf), false) {
		return nil, fmt.Errorf("the eigenvalues of D(x) (d = %d, from a %d x %d matrix) did not converge", d, m, m)
	}
	vals := eig.Values(nil)
	sort.Sort(sort.Reverse(sort.Float64Slice(vals)))
	ev := make([]float64, d)
	copy(ev, vals[:min(n-1, d, m)])
	sort.Sort(sort.Reverse(sort.Float64Slice(ev)))
	return spectrumStats(ev, top), nil
}

// spectrumStats fills a DSpectrum from eigenvalues sorted largest first.
func spectrumStats(ev []float64, top int) *DSpectrum {
	d := len(ev)
	s := &DSpectrum{Chain: -1, Time: -1, Eigenvalues: ev}
	lmax := math.Max(ev[0], 0)
	s.Threshold = lmax * float64(d) * 0x1p-52
	sq := 0.0
	for _, v := range ev {
		if v > s.Threshold {
			s.Rank++
		}
		s.Trace += v
		sq += v * v
	}
	s.RankFraction = float64(s.Rank) / float64(d)
	r := s.Rank
	if r > 0 {
		s.LastIn = ev[r-1]
	}
	if r < d {
		s.FirstOut = ev[r]
	}
	switch {
	case r == 0:
		s.Gap = 0
	case r == d || s.FirstOut == 0:
		s.Gap = math.Inf(1)
	default:
		s.Gap = s.LastIn / math.Abs(s.FirstOut)
	}
	s.Mean, s.Std = meanStd(ev)
	if sq > 0 {
		s.ParticipationRatio = s.Trace * s.Trace / sq
	}
	s.Top = ev[:min(max(top, 0), d)]
	return s
}

// DiffusionAt returns Diffusion at the recorded states (chain, times[j]) of
// tr, the times computed concurrently on up to workers goroutines (<= 0:
// GOMAXPROCS; each needs d^2 words). Times must lie in [0, L).
func DiffusionAt(fs potentials.FiniteSum, tr *Traj, chain int, times []int, top, workers int) ([]DSpectrum, error) {
	if tr.Dim != fs.Dim() {
		return nil, fmt.Errorf("trajectories of dimension %d for a model of dimension %d", tr.Dim, fs.Dim())
	}
	if chain < 0 || chain >= tr.Chains {
		return nil, fmt.Errorf("chain %d: the trajectories have chains 0 to %d", chain, tr.Chains-1)
	}
	for _, t := range times {
		if t < 0 || t >= tr.Len {
			return nil, fmt.Errorf("recorded time %d: want 0 to %d", t, tr.Len-1)
		}
	}
	out := make([]DSpectrum, len(times))
	errs := make([]error, len(times))
	parallel(len(times), workers, func(_, j int) {
		s, err := Diffusion(fs, tr.State(chain, times[j]), top)
		if err != nil {
			errs[j] = fmt.Errorf("chain %d, recorded time %d: %w", chain, times[j], err)
			return
		}
		s.Chain, s.Time = chain, times[j]
		out[j] = *s
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DefaultDTimes returns the recorded times first, middle and last, L >= 1
// (fewer when L < 3).
func DefaultDTimes(length int) []int {
	switch {
	case length < 1:
		return nil
	case length == 1:
		return []int{0}
	case length == 2:
		return []int{0, 1}
	}
	return []int{0, (length - 1) / 2, length - 1}
}
