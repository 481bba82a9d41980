package sde

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

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

// ParseNoise parses "exact" or "isotropic".
func ParseNoise(s string) (Noise, error) {
	switch s {
	case "exact":
		return NoiseExact, nil
	case "isotropic":
		return NoiseIsotropic, nil
	}
	return 0, fmt.Errorf("noise %q: want exact or isotropic", s)
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
// are merged in chain order within a batch and then in batch order, so the
// same Seed gives bit-identical results for any number of Workers. Each
// worker owns its scratch space (and its potentials.NoiseSampler): the
// steps do not allocate. SGDRun and Ensemble share one engine; they differ
// in the step and in how the statistics are grouped.
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
	// concurrent use. A chain that diverges counts its remaining steps as
	// completed, so a complete run reports N (BurnIn + Steps) in all.
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
// every chain diverged (a *DivergedError).
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

// settings returns the run settings of r.
func (r *SGDRun) settings() settings {
	return settings{n: r.N, seed: r.Seed, workers: r.Workers, record: r.Record, every: r.Every, bound: r.Bound, progress: r.Progress}
}

// run runs the chains of the given kind on p (already validated) at
// temperature T (T c for kindSDEIsotropic).
func (r *SGDRun) run(ctx context.Context, p *SGDProblem, kind sgdKind, T float64) (*Result, error) {
	var pool chan<- *halfGrad
	rn, err := r.runner(p, kind, T, &pool)
	if err != nil {
		return nil, err
	}
	// The isotropic null's full gradient comes in two halves (splitGrad);
	// with two workers or more, helpers compute the second halves, so that
	// a run with fewer chains than workers (the null of 'observe': 5 chains
	// on 2 cores) still uses every core.
	if kind == kindSDEIsotropic && splitGrad(p.Model) && rn.workers >= 2 {
		jobs := startGradPool(rn.workers)
		defer close(jobs)
		pool = jobs
	}
	return rn.run(ctx)
}

// runner checks the settings of r and returns the engine's run of the
// given kind on p at temperature T, before anything is allocated. The
// steppers take the helper pool of the split gradient from *pool when they
// are made (see SGDRun.run); pool may be nil.
func (r *SGDRun) runner(p *SGDProblem, kind sgdKind, T float64, pool *chan<- *halfGrad) (*runner, error) {
	s, err := r.settings().check("chains")
	if err != nil {
		return nil, err
	}
	d, n := p.Model.Dim(), r.N
	if _, err := r.MemoryEstimate(d, p.Model.Samples(), p.Batch, p.Steps); err != nil {
		return nil, err
	}
	rn := &runner{
		settings: s, noun: "chains",
		d: d, steps: p.Steps, burnIn: p.BurnIn, x0: p.X0,
		group: sgdGroupSize(n), chunk: sgdChunkSteps, cov: d <= SGDCovMaxDim, mergeGroups: true,
	}
	rn.newStepper = func(rng [2]*rand.Rand) stepper {
		var jobs chan<- *halfGrad
		if pool != nil {
			jobs = *pool
		}
		return rn.newVecStepper(newSGDStep(p, kind, T, rng[0], jobs), p.LR)
	}
	return rn, nil
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
