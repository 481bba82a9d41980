package compare

import (
	"errors"
	"fmt"
	"math"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// Defaults of Options.
const (
	// DefaultMinCount is the default expected count of a bulk bin.
	DefaultMinCount = 2500
	// DefaultMinPeakCount is the default expected count of the fullest bin
	// of the histogram the ensemble's minima of Phi are estimated on.
	DefaultMinPeakCount = 1000
)

// Options control a comparison. The zero value selects the defaults.
type Options struct {
	// Block is the bin size k in grid cells per axis of the histograms; 0
	// chooses it for each histogram by the rule of the package doc (MinCount).
	Block int
	// MinCount is the expected count c_bulk = n sum_i q_i^2 that the
	// automatic block size reaches; 0 means DefaultMinCount.
	MinCount float64
	// MinPeakCount is the expected count of the fullest bin of the
	// histogram the ensemble's minima of Phi are estimated on; 0 means
	// DefaultMinPeakCount.
	MinPeakCount float64
}

// Histogram compares the ensemble and the grid on one set of bins. Bins are
// numbered as grid nodes are, the first axis fastest; the outside bin is
// separate.
type Histogram struct {
	// Axes are the coordinates binned: [0, 1] for the 2-D histogram, [0] or
	// [1] for a marginal.
	Axes []int `json:"axes"`
	// Block is k, the bin size in grid cells along each binned axis.
	Block int `json:"block"`
	// Bins is the number of bins along each binned axis (the last bin of an
	// axis may hold fewer than k cells).
	Bins []int `json:"bins"`
	// Edges are the bin edges along each binned axis (Bins[a] + 1 values).
	Edges [][]float64 `json:"edges"`
	// Ensemble and Grid are the bin probabilities (each sums to 1 with the
	// outside bin).
	Ensemble []float64 `json:"ensemble"`
	Grid     []float64 `json:"grid"`
	// Outside is the fraction of samples outside the grid's box (the grid's
	// outside probability is 0).
	Outside float64 `json:"outside"`
	// BulkCount is n sum_i q_i^2, the expected count of the bin holding a
	// typical sample.
	BulkCount float64 `json:"bulk_count"`
	// TV is the total variation distance (1/2) sum_i |p_ens,i - p_grid,i|,
	// the outside bin included.
	TV float64 `json:"tv"`
	// TVFloor is E[TV] for n independent samples from the grid law (exact,
	// de Moivre's formula).
	TVFloor float64 `json:"tv_floor"`
}

// Moments compares the mean and covariance of rho_ss on the grid with
// those of the samples.
type Moments struct {
	// GridMean and GridCov are integral x rho_ss dx and the covariance over
	// the box, by the midpoint rule on the nodes.
	GridMean []float64   `json:"grid_mean"`
	GridCov  [][]float64 `json:"grid_cov"`
	// EnsembleMean and EnsembleCov are the sample mean and covariance of the
	// samples inside the grid's box (the law the grid describes; heavy tails
	// cut off by the box would otherwise dominate), with standard errors
	// for independent samples: sqrt(C_aa / n) for the mean and
	// sqrt((m_aabb - C_ab^2) / n) for C_ab, m_aabb the fourth central
	// moment E[(x_a - mu_a)^2 (x_b - mu_b)^2].
	EnsembleMean       []float64   `json:"ensemble_mean"`
	EnsembleMeanStderr []float64   `json:"ensemble_mean_stderr"`
	EnsembleCov        [][]float64 `json:"ensemble_cov"`
	EnsembleCovStderr  [][]float64 `json:"ensemble_cov_stderr"`
	// TimeMean, TimeMeanStderr and TimeCov are the ensemble's averages over
	// every post-burn-in step and all of the plane (sde.Result's Mean,
	// MeanStderr and Cov).
	TimeMean       []float64   `json:"time_mean"`
	TimeMeanStderr []float64   `json:"time_mean_stderr"`
	TimeCov        [][]float64 `json:"time_cov"`
}

// AngularMomentum compares L = integral (x_1 J_2 - x_2 J_1) dx (2-D).
type AngularMomentum struct {
	// Grid is L from the grid's current; Ensemble and EnsembleStderr the
	// ensemble's rate of x_1 dx_2 - x_2 dx_1 (midpoint rule) and its
	// standard error.
	Grid           float64 `json:"grid"`
	Ensemble       float64 `json:"ensemble"`
	EnsembleStderr float64 `json:"ensemble_stderr"`
	// ClosedForm is the model's closed form at T, if it has one.
	ClosedForm *float64 `json:"closed_form,omitempty"`
	// GridRelErr is |Grid - ClosedForm| / |ClosedForm| and EnsembleZ is
	// (Ensemble - ClosedForm) / EnsembleStderr (set with ClosedForm);
	// without a closed form EnsembleZ compares with Grid.
	GridRelErr *float64 `json:"grid_rel_err,omitempty"`
	EnsembleZ  float64  `json:"ensemble_z"`
}

// MinimumMatch pairs a minimum of Phi on the grid with the nearest minimum
// of the loss and the nearest ensemble estimate.
type MinimumMatch struct {
	// Phi is the grid's minimum of Phi.
	Phi fokkerplanck.Minimum `json:"phi"`
	// Loss is the nearest minimum of f (nil without a loss) and
	// ShiftFromLoss the distance |x_Phi - x_f|.
	Loss          *fokkerplanck.Minimum `json:"loss,omitempty"`
	ShiftFromLoss *float64              `json:"shift_from_loss,omitempty"`
	// Ensemble is the nearest ensemble estimate (nil if there is none) and
	// Distance the distance |x_Phi - x_ens|.
	Ensemble *fokkerplanck.Minimum `json:"ensemble,omitempty"`
	Distance *float64              `json:"distance,omitempty"`
}

// Minima compares the minima of Phi, of f and the ensemble's estimate.
type Minima struct {
	// Phi and Loss are the grid's interior minima of Phi and f (Loss empty
	// without a loss); Ensemble the ensemble's estimate of the minima of Phi
	// (package doc), found on bins of Block cells.
	Phi      []fokkerplanck.Minimum `json:"phi"`
	Loss     []fokkerplanck.Minimum `json:"loss"`
	Ensemble []fokkerplanck.Minimum `json:"ensemble"`
	Block    int                    `json:"block"`
	// Matches has one entry per minimum of Phi.
	Matches []MinimumMatch `json:"matches"`
}

// Report is the result of Compare.
type Report struct {
	// Temperature is T (not in JSON: the caller echoes its inputs);
	// Samples the number n of samples (trajectories that did not diverge).
	Temperature float64 `json:"-"`
	Samples     int     `json:"samples"`
	// Hist is the d-dimensional histogram, Marginals the 1-D marginals of a
	// 2-D model (one per axis; empty in 1-D).
	Hist      Histogram   `json:"histogram"`
	Marginals []Histogram `json:"marginals"`
	Moments   Moments     `json:"moments"`
	// AngularMomentum is set for 2-D models.
	AngularMomentum *AngularMomentum `json:"angular_momentum,omitempty"`
	Minima          Minima           `json:"minima"`
}

// Compare compares the ensemble result res with the steady state st on grid
// g, both of model m at temperature T. The samples are res.Final without
// the diverged trajectories.
func Compare(m potentials.Model, T float64, res *sde.Result, g *fokkerplanck.Grid, st *fokkerplanck.Steady, opt Options) (*Report, error) {
	if res == nil || st == nil || g == nil {
		return nil, errors.New("compare: nil result, steady state or grid")
	}
	d := g.Dim
	if res.Dim != d || m.Dim != d {
		return nil, fmt.Errorf("compare: ensemble of dimension %d, grid %d, model %d", res.Dim, d, m.Dim)
	}
	if len(st.Rho) != g.Len() {
		return nil, fmt.Errorf("compare: steady state has %d nodes, grid %d", len(st.Rho), g.Len())
	}
	if opt.Block < 0 {
		return nil, fmt.Errorf("compare: block size %d, want >= 1 (or 0 for automatic)", opt.Block)
	}
	if opt.MinCount == 0 {
		opt.MinCount = DefaultMinCount
	}
	if opt.MinPeakCount == 0 {
		opt.MinPeakCount = DefaultMinPeakCount
	}
	samples := Samples(res)
	n := len(samples) / d
	if n == 0 {
		return nil, errors.New("compare: no samples (every trajectory diverged)")
	}
	p := NodeProbabilities(g, st.Rho)

	rep := &Report{Temperature: T, Samples: n, Marginals: []Histogram{}}
	axes := []int{0}
	if d == 2 {
		axes = []int{0, 1}
	}
	rep.Hist = NewHistogram(g, p, samples, axes, opt.Block, opt.MinCount)
	if d == 2 {
		for a := 0; a < 2; a++ {
			rep.Marginals = append(rep.Marginals, NewHistogram(g, p, samples, []int{a}, opt.Block, opt.MinCount))
		}
	}
	rep.Moments = moments(g, p, samples, res)
	if d == 2 {
		am := &AngularMomentum{Grid: st.AngularMomentum, Ensemble: res.AngularMomentum, EnsembleStderr: res.AngularMomentumStderr}
		ref := am.Grid
		if m.AngularMomentum != nil {
			if L, ok := m.AngularMomentum(T); ok {
				am.ClosedForm = &L
				ref = L
				if L != 0 {
					e := math.Abs(am.Grid-L) / math.Abs(L)
					am.GridRelErr = &e
				}
			}
		}
		if am.EnsembleStderr > 0 {
			am.EnsembleZ = (am.Ensemble - ref) / am.EnsembleStderr
		}
		rep.AngularMomentum = am
	}
	rep.Minima = minima(g, st, samples, T, opt.MinPeakCount)
	return rep, nil
}

// Samples returns the final states of the trajectories of res that did not
// diverge, n x d row-major.
func Samples(res *sde.Result) []float64 {
	d := res.Dim
	if res.Diverged == 0 {
		return res.Final
	}
	skip := make(map[int]bool, len(res.DivergedIndex))
	for _, i := range res.DivergedIndex {
		skip[i] = true
	}
	out := make([]float64, 0, (res.N-res.Diverged)*d)
	for i := 0; i < res.N; i++ {
		if !skip[i] {
			out = append(out, res.Final[i*d:(i+1)*d]...)
		}
	}
	return out
}

// NodeProbabilities returns the node probabilities rho_i V (V the cell
// volume), normalised to sum 1.
func NodeProbabilities(g *fokkerplanck.Grid, rho []float64) []float64 {
	p := make([]float64, len(rho))
	s := 0.0
	for i, r := range rho {
		p[i] = r
		s += r
	}
	for i := range p {
		p[i] /= s
	}
	return p
}

// binning maps grid nodes to the bins of blocks of k cells along axes.
type binning struct {
	g    *fokkerplanck.Grid
	axes []int
	k    int
	bins []int
	size int
}

func newBinning(g *fokkerplanck.Grid, axes []int, k int) binning {
	b := binning{g: g, axes: axes, k: k, size: 1}
	for _, a := range axes {
		nb := (g.N[a] + k - 1) / k
		b.bins = append(b.bins, nb)
		b.size *= nb
	}
	return b
}

// node returns the bin of grid node (i, j).
func (b binning) node(i, j int) int {
	c := [2]int{i, j}
	idx, stride := 0, 1
	for t, a := range b.axes {
		idx += c[a] / b.k * stride
		stride *= b.bins[t]
	}
	return idx
}

// point returns the bin of the point x, or -1 outside the box.
func (b binning) point(x []float64) int {
	g := b.g
	var c [2]int
	for a := 0; a < g.Dim; a++ {
		v := (x[a] - g.Min[a]) / g.H[a]
		if !(v >= 0 && v < float64(g.N[a])) {
			return -1
		}
		c[a] = int(v)
	}
	return b.node(c[0], c[1])
}

// gridProbabilities sums the node probabilities p over the bins.
func (b binning) gridProbabilities(p []float64) []float64 {
	q := make([]float64, b.size)
	nx := b.g.N[0]
	for idx, v := range p {
		q[b.node(idx%nx, idx/nx)] += v
	}
	return q
}

// counts bins the samples; it returns the counts and the number outside.
func (b binning) counts(samples []float64) ([]float64, int) {
	d := b.g.Dim
	c := make([]float64, b.size)
	out := 0
	for s := 0; s+d <= len(samples); s += d {
		if k := b.point(samples[s : s+d]); k >= 0 {
			c[k]++
		} else {
			out++
		}
	}
	return c, out
}

// edges returns the bin edges along binned axis t.
func (b binning) edges(t int) []float64 {
	a := b.axes[t]
	g := b.g
	e := make([]float64, b.bins[t]+1)
	for i := range e {
		e[i] = g.Min[a] + float64(min(i*b.k, g.N[a]))*g.H[a]
	}
	return e
}

// ChooseBlock returns the smallest block size k >= 1 for which
// n sum_i q_i(k)^2 >= minCount, q(k) the bins of blocks of k cells along
// axes of the node probabilities p; it stops at the largest k that leaves
// at least 2 bins per axis.
func ChooseBlock(g *fokkerplanck.Grid, p []float64, axes []int, n int, minCount float64) int {
	kmax := math.MaxInt
	for _, a := range axes {
		kmax = min(kmax, max(1, g.N[a]/2))
	}
	for k := 1; k <= kmax; k++ {
		if bulkCount(newBinning(g, axes, k).gridProbabilities(p), n) >= minCount {
			return k
		}
	}
	return kmax
}

func bulkCount(q []float64, n int) float64 {
	s := 0.0
	for _, v := range q {
		s += v * v
	}
	return float64(n) * s
}

// NewHistogram bins the samples (n x Dim) and the node probabilities p on
// blocks of k cells along axes (k = 0: ChooseBlock with minCount) and
// computes TV and its floor.
func NewHistogram(g *fokkerplanck.Grid, p, samples []float64, axes []int, k int, minCount float64) Histogram {
	n := len(samples) / g.Dim
	if k == 0 {
		k = ChooseBlock(g, p, axes, n, minCount)
	}
	b := newBinning(g, axes, k)
	q := b.gridProbabilities(p)
	c, out := b.counts(samples)
	h := Histogram{Axes: axes, Block: k, Bins: b.bins, Grid: q, Ensemble: c, BulkCount: bulkCount(q, n)}
	for t := range axes {
		h.Edges = append(h.Edges, b.edges(t))
	}
	nf := float64(n)
	h.Outside = float64(out) / nf
	tv := h.Outside
	for i := range c {
		c[i] /= nf
		tv += math.Abs(c[i] - q[i])
	}
	h.TV = tv / 2
	h.TVFloor = TVFloor(q, n)
	return h
}

// TVFloor returns the expected total variation distance between the law q
// (probabilities summing to 1) and the empirical law of n independent
// samples from it,
//
//	E TV = (1 / (2 n)) sum_i E|X_i - n q_i|,  X_i ~ Binomial(n, q_i),
//
// exactly, with the binomial mean absolute deviation of BinomialMAD.
func TVFloor(q []float64, n int) float64 {
	s := 0.0
	for _, v := range q {
		s += BinomialMAD(n, v)
	}
	return s / (2 * float64(n))
}

// BinomialMAD returns E|X - n q| for X ~ Binomial(n, q) by de Moivre's
// formula
//
//	E|X - n q| = 2 nu C(n, nu) q^nu (1 - q)^(n - nu + 1),  nu = floor(n q) + 1,
//
// evaluated in logarithms (0 for q <= 0 or q >= 1).
func BinomialMAD(n int, q float64) float64 {
	if !(q > 0) || !(q < 1) || n < 1 {
		return 0
	}
	nf := float64(n)
	nu := math.Floor(nf*q) + 1
	if nu > nf {
		return 0
	}
	lg := func(x float64) float64 { v, _ := math.Lgamma(x); return v }
	l := math.Log(2*nu) + lg(nf+1) - lg(nu+1) - lg(nf-nu+1) + nu*math.Log(q) + (nf-nu+1)*math.Log1p(-q)
	return math.Exp(l)
}

// moments computes the grid's and the samples' mean and covariance.
func moments(g *fokkerplanck.Grid, p, samples []float64, res *sde.Result) Moments {
	d := g.Dim
	var mo Moments
	gm := make([]float64, d)
	gc := make([]float64, d*d)
	x := make([]float64, d)
	for i, v := range p {
		g.Point(x, i)
		for a := 0; a < d; a++ {
			gm[a] += v * x[a]
		}
	}
	for i, v := range p {
		g.Point(x, i)
		for a := 0; a < d; a++ {
			for b := 0; b < d; b++ {
				gc[a*d+b] += v * (x[a] - gm[a]) * (x[b] - gm[b])
			}
		}
	}
	mo.GridMean, mo.GridCov = gm, rows(gc, d)

	// Only the samples inside the box, which is what the grid describes.
	in := make([]float64, 0, len(samples))
	bn := newBinning(g, []int{0}, 1)
	for s := 0; s+d <= len(samples); s += d {
		if bn.point(samples[s:s+d]) >= 0 {
			in = append(in, samples[s:s+d]...)
		}
	}
	samples = in
	n := len(samples) / d
	nf := float64(n)
	em := make([]float64, d)
	for s := 0; s < n; s++ {
		for a := 0; a < d; a++ {
			em[a] += samples[s*d+a]
		}
	}
	for a := range em {
		em[a] /= nf
	}
	ec := make([]float64, d*d)
	m4 := make([]float64, d*d)
	for s := 0; s < n; s++ {
		for a := 0; a < d; a++ {
			da := samples[s*d+a] - em[a]
			for b := 0; b < d; b++ {
				db := samples[s*d+b] - em[b]
				ec[a*d+b] += da * db
				m4[a*d+b] += da * da * db * db
			}
		}
	}
	ecs := make([]float64, d*d)
	ems := make([]float64, d)
	for i := range ec {
		m4[i] /= nf
		if n > 1 {
			ec[i] /= nf - 1
		}
	}
	for a := 0; a < d; a++ {
		ems[a] = math.Sqrt(ec[a*d+a] / nf)
		for b := 0; b < d; b++ {
			ecs[a*d+b] = math.Sqrt(math.Max(m4[a*d+b]-ec[a*d+b]*ec[a*d+b], 0) / nf)
		}
	}
	mo.EnsembleMean, mo.EnsembleMeanStderr = em, ems
	mo.EnsembleCov, mo.EnsembleCovStderr = rows(ec, d), rows(ecs, d)
	mo.TimeMean, mo.TimeMeanStderr, mo.TimeCov = res.Mean, res.MeanStderr, rows(res.Cov, d)
	return mo
}

// rows splits the row-major d x d matrix m into rows.
func rows(m []float64, d int) [][]float64 {
	out := make([][]float64, d)
	for i := range out {
		out[i] = m[i*d : (i+1)*d]
	}
	return out
}
