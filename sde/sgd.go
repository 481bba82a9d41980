package sde

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sgdsde/sgdsde/potentials"
)

// SGDProblem is mini-batch SGD on a finite sum, or the SDE that approximates
// it (Chaudhari & Soatto 2018, eqs. 2-3). SGD with learning rate eta, batch
// size b and heavy-ball momentum beta iterates
//
//	v_{n+1} = beta v_n - eta g_B(x_n),   x_{n+1} = x_n + v_{n+1},   v_0 = 0,
//
// with g_B = (1/b) sum_{k in B} g_k the mini-batch gradient; beta = 0 is
// plain SGD, x_{n+1} = x_n - eta g_B(x_n). The approximating SDE is
//
//	dX = -grad f(X) dt + sqrt(2 T D(X)) dW,   T = SGDTemperature(eta, b, N, WithoutReplacement),
//
// integrated by Euler–Maruyama with dt = eta, so one SDE step stands for one
// SGD step. With replacement, and without replacement by independent
// batches, the SGD step and the SDE step have the same conditional mean
// -eta g(x) and covariance eta^2 D(x)/b, resp. eta^2 D(x) (N - b)/(b (N - 1)).
type SGDProblem struct {
	Model potentials.FiniteSum
	// LR is the learning rate eta (also the SDE time step).
	LR float64
	// Batch is the mini-batch size b, 1 <= b <= N.
	Batch int
	// WithoutReplacement selects shuffled epochs (random reshuffling): each
	// chain draws a fresh random permutation of the N samples at the start of
	// every epoch and takes consecutive batches of b from it; the last
	// N mod b samples of an epoch are skipped (drop-last), so every batch has
	// b distinct samples. Otherwise each batch draws b indices uniformly with
	// replacement. The SDE uses it only through T, with the factor
	// (N - b)/(N - 1) of independent batches (see SGDTemperature).
	//
	// Shuffled epochs are not the process that this T describes: the
	// batches of an epoch are anti-correlated (their gradients sum to N g),
	// so the noise cancels over an epoch and the stationary covariance is
	// much smaller than the SDE's once an epoch (N/b steps) is short compared
	// with the relaxation time 1/(eta lambda_min(H)), and the gap grows as eta
	// falls (see TestSGDCovarianceApproachesSDE).
	WithoutReplacement bool
	// IndependentBatches, with WithoutReplacement, draws every batch afresh
	// as b distinct samples chosen uniformly (a partial Fisher–Yates shuffle,
	// O(b) a step), independently of the previous batches, instead of walking
	// shuffled epochs. This is the sampling that
	// T = eta (N - b)/(2 b (N - 1)) models: the mini-batch gradient has
	// covariance D (N - b)/(b (N - 1)).
	IndependentBatches bool
	// Momentum is the heavy-ball momentum beta in [0, 1) of SGD; 0 is plain
	// SGD. The SDE ignores it.
	Momentum float64
	// X0 is the initial state of every chain.
	X0 []float64
	// NoiseScale is the constant c of the isotropic null (NoiseIsotropic),
	// in the units of D (squared gradient units): the noise is
	// sqrt(2 T c) dW with c the same at every state and for every chain.
	// 0 means c = tr D(X0)/d, evaluated once at X0 before the run (see
	// IsotropicScale). It must be finite and non-negative; SGD and
	// NoiseExact ignore it.
	NoiseScale float64
	// Steps are recorded and averaged after BurnIn discarded steps.
	Steps, BurnIn int
}

// Validate checks the problem: a model, a positive finite learning rate,
// 1 <= Batch <= N, 0 <= Momentum < 1, Steps >= 1, BurnIn >= 0 (their sum
// within an int), a finite non-negative NoiseScale and a finite X0 of the
// model's dimension.
func (p *SGDProblem) Validate() error {
	if p.Model == nil {
		return fmt.Errorf("no finite-sum model")
	}
	n, d := p.Model.Samples(), p.Model.Dim()
	switch {
	case !(p.LR > 0) || math.IsInf(p.LR, 0):
		return fmt.Errorf("learning rate must be positive and finite, got %g", p.LR)
	case p.Batch < 1 || p.Batch > n:
		return fmt.Errorf("batch size must be between 1 and the number of samples %d, got %d", n, p.Batch)
	case !(p.Momentum >= 0 && p.Momentum < 1):
		return fmt.Errorf("momentum must be in [0, 1), got %g", p.Momentum)
	case p.Steps < 1:
		return fmt.Errorf("steps must be at least 1, got %d", p.Steps)
	case p.BurnIn < 0:
		return fmt.Errorf("burn-in must be non-negative, got %d", p.BurnIn)
	case p.BurnIn > math.MaxInt-p.Steps:
		return fmt.Errorf("%d steps plus %d burn-in steps overflow an int", p.Steps, p.BurnIn)
	case p.IndependentBatches && !p.WithoutReplacement:
		return fmt.Errorf("independent batches apply only without replacement")
	case !(p.NoiseScale >= 0) || math.IsInf(p.NoiseScale, 0):
		return fmt.Errorf("noise scale c of the isotropic null must be finite and non-negative (0: tr D(x0)/d), got %g", p.NoiseScale)
	case len(p.X0) != d:
		return fmt.Errorf("x0 has %d coordinates, the model has dimension %d", len(p.X0), d)
	}
	for _, v := range p.X0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("x0 must be finite")
		}
	}
	return nil
}

// Temperature returns the temperature T of the SDE that matches the SGD of
// p (see SGDTemperature). It is an error without replacement when
// Batch = N: full-batch gradient descent has no noise.
func (p *SGDProblem) Temperature() (float64, error) {
	return SGDTemperature(p.LR, p.Batch, p.Model.Samples(), p.WithoutReplacement)
}

// IsotropicScale returns the constant c of the isotropic null
// (NoiseIsotropic): NoiseScale if it is positive, otherwise
//
//	c = tr D(X0) / d = (1/(N d)) sum_k |g_k(X0) - g(X0)|^2,
//
// the mean eigenvalue of D at the initial state (N per-sample gradients).
// It is an error if c is not positive and finite: the null would have no
// noise.
func (p *SGDProblem) IsotropicScale() (float64, error) {
	if p.NoiseScale > 0 {
		return p.NoiseScale, nil
	}
	d := p.Model.Dim()
	g, gk := make([]float64, d), make([]float64, d)
	c := gradTrace(p.Model, g, gk, p.X0) / float64(d)
	if !(c > 0) || math.IsInf(c, 0) {
		return 0, fmt.Errorf("tr D(x0)/d = %g at the initial state: the isotropic null needs a positive noise scale c", c)
	}
	return c, nil
}

// Noise selects the SDE's noise.
type Noise int

const (
	// NoiseExact is the SGD noise sqrt(2T/N) sum_k (g_k - g) zeta_k with
	// zeta_k ~ N(0, 1): covariance 2 T D(x) exactly, D never formed (see
	// potentials.NoiseSampler). It costs N gradients and N normals a step.
	NoiseExact Noise = iota
	// NoiseIsotropic is the equilibrium null: constant isotropic noise
	// sqrt(2 T c) dW, with c = SGDProblem.IsotropicScale() fixed before the
	// run (a mean eigenvalue of D, so that the noise has SGD's trace on
	// average but no direction and no state dependence). The SDE
	//
	//	dX = -grad f(X) dt + sqrt(2 T c) dW
	//
	// is in detailed balance: its drift is -(c I) grad(f/c), so its
	// stationary law is exactly exp(-f/(T c))/Z, with no probability
	// current (continuous time; Euler–Maruyama with step h adds an O(h)
	// bias, e.g. covariance 2 T c (H (2 I - h H))^-1 instead of T c H^-1 on a
	// quadratic loss with Hessian H). Noise sqrt(2 T tr D(x)/d) at the
	// current state would not be: a state-dependent scalar diffusion c(x) I
	// has stationary law exp(-f/(T c)) only for constant c, and carries a
	// current unless grad c is parallel to grad f.
	NoiseIsotropic
)

// String returns "exact" or "isotropic".
func (n Noise) String() string {
	switch n {
	case NoiseExact:
		return "exact"
	case NoiseIsotropic:
		return "isotropic"
	}
	return fmt.Sprintf("Noise(%d)", int(n))
}

// SGDCovMaxDim is the largest dimension for which SGDRun computes the
// covariance (Result.Cov); above it Cov is nil, since its d x d
// accumulators cost d^2 flops a step and d^2 words per group of chains
// (at most max(N, 64) d^2 words in all).
const SGDCovMaxDim = 64

// sgdChunkSteps is the number of steps between progress reports and
// cancellation checks within one chain of SGDRun.
const sgdChunkSteps = 256

// SGDRun runs N independent chains of SGD or of its SDE.
//
// Chain i draws its random numbers (batch indices, permutations, normals)
// from its own PCG generator seeded with TrajectorySeed(Seed, i). Chains are
// grouped in fixed batches (N/64 chains, clamped to 1..16) whose statistics
// are merged in chain order within a batch and then in batch order, so the same Seed gives
// bit-identical results for any number of Workers. Each worker owns its
// scratch space (and its potentials.NoiseSampler): the steps do not
// allocate.
//
// The Result is that of Ensemble: Final (N x d), Traj (Record x RecordLen x
// d, the states after post-burn-in steps Every, 2 Every, ...), Mean and
// MeanStderr over all post-burn-in steps of the chains that did not
// diverge, and Cov only when d <= SGDCovMaxDim (nil otherwise). The angular
// momentum fields are left zero.
type SGDRun struct {
	// N is the number of chains.
	N int
	// Seed selects the random numbers.
	Seed uint64
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// Record is the number of chains (the first ones) whose states are kept
	// every Every steps after the burn-in; Every 0 means 1.
	Record, Every int
	// Bound: a chain with a coordinate of magnitude above Bound, or not
	// finite, is counted as diverged and left out of the statistics. 0 means 1e8.
	Bound float64
	// Progress, if not nil, is called from the workers with the number of
	// chain-steps completed since its previous call; it must be safe for
	// concurrent use.
	Progress func(delta int64)
}

// sgdGroupSize returns the number of consecutive chains a worker takes at a
// time and whose statistics it merges: N/64 clamped to [1, 16], so that
// small runs of costly chains still spread over the workers. It depends on
// N only, never on the number of workers.
func sgdGroupSize(n int) int {
	return max(1, min(chunkTrajectories, n/64))
}

// sgdKind selects what a chain integrates.
type sgdKind int

const (
	kindSGD sgdKind = iota
	kindSDEExact
	kindSDEIsotropic
)

// SGD runs the discrete mini-batch SGD of p (with momentum if p.Momentum >
// 0). It returns an error if the problem or the run settings are invalid,
// the sizes cannot be allocated at all (ErrTooLarge, checked before
// anything is allocated; see MemoryEstimate), the context is cancelled, or
// every chain diverged.
func (r *SGDRun) SGD(ctx context.Context, p *SGDProblem) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return r.run(ctx, p, kindSGD, 0)
}

// SDE runs the Euler–Maruyama discretisation with dt = p.LR of
//
//	dX = -grad f(X) dt + sqrt(2 T D(X)) dW,   T = SGDTemperature(p.LR, p.Batch, N, p.WithoutReplacement),
//
// one step being X += -g h + sqrt(h) xi with xi the noise selected by noise
// (NoiseExact: covariance 2 T D(X); NoiseIsotropic: 2 T c I with the
// constant c = p.IsotropicScale()). The momentum of p is ignored. Errors as
// for SGD, plus T = 0 (batch = N without replacement) and, for
// NoiseIsotropic, a scale c that is not positive.
func (r *SGDRun) SDE(ctx context.Context, p *SGDProblem, noise Noise) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	T, err := p.Temperature()
	if err != nil {
		return nil, err
	}
	switch noise {
	case NoiseExact:
		return r.run(ctx, p, kindSDEExact, T)
	case NoiseIsotropic:
		c, err := p.IsotropicScale()
		if err != nil {
			return nil, err
		}
		return r.run(ctx, p, kindSDEIsotropic, T*c)
	}
	return nil, fmt.Errorf("unknown noise %d", int(noise))
}

// sgdState is shared by the workers of one run; every per-chain and
// per-group slot is written by exactly one worker.
type sgdState struct {
	r      *SGDRun
	p      *SGDProblem
	kind   sgdKind
	temp   float64 // T; T c for kindSDEIsotropic
	d      int
	cov    bool
	bound  float64
	every  int
	rlen   int
	final  []float64 // N x d
	traj   []float64 // Record x rlen x d
	tmean  []float64 // N x d: per-chain time averages
	status []uint8
	// Per group of chunkTrajectories chains: the number of merged states,
	// their mean (d) and sum of squared deviations (d x d, if cov).
	gcnt  []float64
	gmean []float64
	gm2   []float64
}

func (r *SGDRun) run(ctx context.Context, p *SGDProblem, kind sgdKind, T float64) (*Result, error) {
	every, bound, workers, err := runSettings("chains", r.N, r.Every, r.Record, r.Bound, r.Workers)
	if err != nil {
		return nil, err
	}
	d, n := p.Model.Dim(), r.N
	if _, err := r.MemoryEstimate(d, p.Model.Samples(), p.Batch, p.Steps); err != nil {
		return nil, err
	}
	gsize := sgdGroupSize(n)
	groups := (n + gsize - 1) / gsize
	st := &sgdState{
		r: r, p: p, kind: kind, temp: T, d: d, cov: d <= SGDCovMaxDim,
		bound: bound, every: every, rlen: p.Steps / every,
		final:  make([]float64, n*d),
		tmean:  make([]float64, n*d),
		status: make([]uint8, n),
		gcnt:   make([]float64, groups),
		gmean:  make([]float64, groups*d),
	}
	if st.cov {
		st.gm2 = make([]float64, groups*d*d)
	}
	if r.Record > 0 {
		st.traj = make([]float64, r.Record*st.rlen*d)
	}

	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := newSGDWorker(st)
			for {
				g := int(next.Add(1) - 1)
				if g >= groups || ctx.Err() != nil {
					return
				}
				lo := g * gsize
				hi := min(lo+gsize, n)
				for i := lo; i < hi; i++ {
					if ctx.Err() != nil {
						return
					}
					wk.chain(ctx, i)
					wk.mergeGroup(g, i)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return st.reduce(workers, time.Since(start))
}

// reduce merges the group statistics in group order and the per-chain time
// averages in chain order.
func (st *sgdState) reduce(workers int, elapsed time.Duration) (*Result, error) {
	d, n, p := st.d, st.r.N, st.p
	res := &Result{
		Dim: d, N: n, Final: st.final, Traj: st.traj, Record: st.r.Record, RecordLen: st.rlen,
		Mean: make([]float64, d), MeanStderr: make([]float64, d),
		Workers: workers, Elapsed: elapsed,
	}
	if st.cov {
		res.Cov = make([]float64, d*d)
	}
	for i := 0; i < n; i++ {
		if st.status[i] != statusOK {
			res.Diverged++
			res.DivergedIndex = append(res.DivergedIndex, i)
		}
	}
	good := n - res.Diverged
	if good == 0 {
		return nil, fmt.Errorf("all %d chains diverged (left the bound %g or became non-finite): try a smaller learning rate", n, st.bound)
	}
	// Chan, Golub & LeVeque's pairwise merge of (count, mean, M2) over groups.
	var cnt float64
	delta := make([]float64, d)
	for g, gc := range st.gcnt {
		if gc == 0 {
			continue
		}
		gm := st.gmean[g*d : (g+1)*d]
		newCnt := cnt + gc
		for a := range delta {
			delta[a] = gm[a] - res.Mean[a]
		}
		if st.cov {
			w := cnt * gc / newCnt
			m2 := st.gm2[g*d*d : (g+1)*d*d]
			for a := 0; a < d; a++ {
				for b := 0; b < d; b++ {
					res.Cov[a*d+b] += m2[a*d+b] + delta[a]*delta[b]*w
				}
			}
		}
		for a := range delta {
			res.Mean[a] += delta[a] * gc / newCnt
		}
		cnt = newCnt
	}
	if st.cov && cnt > 1 {
		for i := range res.Cov {
			res.Cov[i] /= cnt - 1
		}
	}
	// Welford's mean and spread of the per-chain time averages.
	if good > 1 {
		tmMean := make([]float64, d)
		tmM2 := make([]float64, d)
		k := 0.0
		for i := 0; i < n; i++ {
			if st.status[i] != statusOK {
				continue
			}
			k++
			for a := 0; a < d; a++ {
				v := st.tmean[i*d+a]
				dm := v - tmMean[a]
				tmMean[a] += dm / k
				tmM2[a] += dm * (v - tmMean[a])
			}
		}
		for a := 0; a < d; a++ {
			res.MeanStderr[a] = math.Sqrt(tmM2[a] / (k - 1) / k)
		}
	}
	res.Samples = int64(good) * int64(p.Steps)
	total := float64(n) * float64(p.Steps+p.BurnIn)
	if s := elapsed.Seconds(); s > 0 {
		res.StepsPerSecond = total / s
	}
	return res, nil
}

// sgdWorker integrates chains with its own generator and scratch space.
type sgdWorker struct {
	st      *sgdState
	pcg     *rand.PCG
	rng     *rand.Rand
	sampler *potentials.NoiseSampler
	x, xp   []float64
	v       []float64 // momentum
	g, gk   []float64
	xi      []float64 // noise
	z       []float64 // normals: N (exact) or d (isotropic)
	batch   []int
	perm    []int // permutation of the samples (without replacement)
	pos     int   // next position in perm
	tally   *tally
	m2      []float64 // this chain's M2 (d x d)
}

func newSGDWorker(st *sgdState) *sgdWorker {
	pcg := rand.NewPCG(0, 0)
	d, n := st.d, st.p.Model.Samples()
	w := &sgdWorker{
		st: st, pcg: pcg, rng: rand.New(pcg),
		x: make([]float64, d), xp: make([]float64, d), v: make([]float64, d),
		g: make([]float64, d), gk: make([]float64, d), xi: make([]float64, d),
		tally: newTally(d, st.cov),
	}
	if st.cov {
		w.m2 = make([]float64, d*d)
	}
	switch st.kind {
	case kindSGD:
		w.batch = make([]int, st.p.Batch)
		if st.p.WithoutReplacement {
			w.perm = make([]int, n)
		}
	case kindSDEExact:
		w.sampler = potentials.NewNoiseSampler(st.p.Model)
		w.z = make([]float64, n)
	case kindSDEIsotropic:
		w.z = make([]float64, d)
	}
	return w
}

// chain integrates chain i and stores its final state, recorded states,
// status and time average; its M2 is left in w.m2 for mergeGroup.
func (w *sgdWorker) chain(ctx context.Context, i int) {
	st := w.st
	p := st.p
	d := st.d
	w.pcg.Seed(TrajectorySeed(st.r.Seed, i))
	x, xp, tl := w.x, w.xp, w.tally
	copy(x, p.X0)
	clear(w.v)
	if w.perm != nil {
		for k := range w.perm {
			w.perm[k] = k
		}
		w.pos = len(w.perm) // shuffle before the first batch
	}
	var rec []float64
	if i < st.r.Record {
		rec = st.traj[i*st.rlen*d : (i+1)*st.rlen*d]
	}
	tl.reset(p.X0, rec, st.every)
	status := uint8(statusOK)
	total := p.BurnIn + p.Steps
	for k0 := 0; k0 < total && status == statusOK; k0 += sgdChunkSteps {
		k1 := min(k0+sgdChunkSteps, total)
		for k := k0; k < k1; k++ {
			copy(xp, x)
			w.step(x)
			for _, v := range x {
				if !(math.Abs(v) <= st.bound) {
					status = statusDiverged
					break
				}
			}
			if status != statusOK {
				copy(x, xp)
				break
			}
			if k < p.BurnIn {
				continue
			}
			tl.add(x)
		}
		if st.r.Progress != nil {
			st.r.Progress(int64(k1 - k0))
		}
		if ctx.Err() != nil {
			return
		}
	}
	copy(st.final[i*d:(i+1)*d], x)
	st.status[i] = status
	if status != statusOK {
		tl.diverged(x)
		return
	}
	n := float64(p.Steps)
	tl.moments(st.tmean[i*d:(i+1)*d], w.m2, n)
}

// mergeGroup merges chain i (just integrated) into the statistics of its
// group g, in chain order.
func (w *sgdWorker) mergeGroup(g, i int) {
	st := w.st
	if st.status[i] != statusOK {
		return
	}
	d := st.d
	steps := float64(st.p.Steps)
	cnt := st.gcnt[g]
	newCnt := cnt + steps
	gm := st.gmean[g*d : (g+1)*d]
	mi := st.tmean[i*d : (i+1)*d]
	if st.cov {
		wt := cnt * steps / newCnt
		m2 := st.gm2[g*d*d : (g+1)*d*d]
		for a := 0; a < d; a++ {
			da := mi[a] - gm[a]
			for b := 0; b < d; b++ {
				m2[a*d+b] += w.m2[a*d+b] + da*(mi[b]-gm[b])*wt
			}
		}
	}
	for a := range gm {
		gm[a] += (mi[a] - gm[a]) * steps / newCnt
	}
	st.gcnt[g] = newCnt
}

// step advances x by one step of the run's kind.
func (w *sgdWorker) step(x []float64) {
	st := w.st
	p := st.p
	fs := p.Model
	h := p.LR
	switch st.kind {
	case kindSGD:
		w.drawBatch()
		potentials.BatchGrad(fs, w.g, w.gk, x, w.batch)
		beta := p.Momentum
		for a, ga := range w.g {
			va := beta*w.v[a] - h*ga
			w.v[a] = va
			x[a] += va
		}
	case kindSDEExact:
		for k := range w.z {
			w.z[k] = w.rng.NormFloat64()
		}
		w.sampler.Sample(w.xi, w.g, x, w.z, st.temp)
		sh := math.Sqrt(h)
		for a, ga := range w.g {
			x[a] += -ga*h + sh*w.xi[a]
		}
	case kindSDEIsotropic:
		potentials.FullGrad(fs, w.g, w.gk, x)
		c := math.Sqrt(2 * st.temp * h) // st.temp = T c
		for a := range w.z {
			w.z[a] = w.rng.NormFloat64()
		}
		for a, ga := range w.g {
			x[a] += -ga*h + c*w.z[a]
		}
	}
}

// gradTrace writes g = grad f(x) into m and returns tr D(x) =
// (1/N) sum_k |g_k - g|^2, both from one pass over the samples by Welford's
// update (m_k = m_{k-1} + (g_k - m_{k-1})/k, M_k = M_{k-1} +
// (g_k - m_{k-1}) . (g_k - m_k)); gk (length d) is scratch.
func gradTrace(fs potentials.FiniteSum, m, gk, x []float64) float64 {
	clear(m)
	s := 0.0
	for k := 0; k < fs.Samples(); k++ {
		fs.SampleGrad(gk, x, k)
		inv := 1 / float64(k+1)
		for a, v := range gk {
			dv := v - m[a]
			m[a] += dv * inv
			s += dv * (v - m[a])
		}
	}
	return s / float64(fs.Samples())
}

// drawBatch fills w.batch with b sample indices: uniform with replacement,
// or b distinct ones: the first b of the chain's permutation after a partial
// Fisher–Yates shuffle (IndependentBatches), or else the next b of the
// chain's current random permutation (a new one, by Fisher–Yates, when fewer
// than b remain: drop-last).
func (w *sgdWorker) drawBatch() {
	n := w.st.p.Model.Samples()
	if w.perm == nil {
		for j := range w.batch {
			w.batch[j] = w.rng.IntN(n)
		}
		return
	}
	b := len(w.batch)
	if w.st.p.IndependentBatches {
		perm := w.perm
		for j := range w.batch {
			r := j + w.rng.IntN(n-j)
			perm[j], perm[r] = perm[r], perm[j]
			w.batch[j] = perm[j]
		}
		return
	}
	if w.pos+b > n {
		perm := w.perm
		for i := n - 1; i > 0; i-- {
			j := w.rng.IntN(i + 1)
			perm[i], perm[j] = perm[j], perm[i]
		}
		w.pos = 0
	}
	copy(w.batch, w.perm[w.pos:w.pos+b])
	w.pos += b
}
