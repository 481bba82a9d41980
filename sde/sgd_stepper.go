package sde

import (
	"math"
	"math/rand/v2"

	"github.com/sgdsde/sgdsde/potentials"
)

// newSGDStep returns the step of a run of the given kind on p drawing from
// rng; T is the temperature (T c for kindSDEIsotropic). pool, if not nil,
// takes the second half of the isotropic null's split gradient (see
// splitGrad).
func newSGDStep(p *SGDProblem, kind sgdKind, T float64, rng *rand.Rand, pool chan<- *halfGrad) vecStep {
	fs := p.Model
	d, n := fs.Dim(), fs.Samples()
	switch kind {
	case kindSDEExact:
		return &exactNoiseStep{
			sampler: potentials.NewNoiseSampler(fs), rng: rng,
			g: make([]float64, d), xi: make([]float64, d), z: make([]float64, n),
			temp: T, h: p.LR, sh: math.Sqrt(p.LR),
		}
	case kindSDEIsotropic:
		st := &isotropicStep{
			fs: fs, rng: rng, g: make([]float64, d), gk: make([]float64, d), z: make([]float64, d),
			h: p.LR, c: math.Sqrt(2 * T * p.LR),
		}
		if splitGrad(fs) {
			st.split = newGradSplit(fs, pool)
		}
		return st
	}
	s := &sgdStep{
		fs: fs, rng: rng, h: p.LR, beta: p.Momentum, independent: p.IndependentBatches,
		g: make([]float64, d), gk: make([]float64, d), v: make([]float64, d), batch: make([]int, p.Batch),
	}
	if p.WithoutReplacement {
		s.perm = make([]int, n)
	}
	return s
}

// sgdStep is one step of mini-batch SGD with heavy-ball momentum:
// v = beta v - eta g_B(x), x += v.
type sgdStep struct {
	fs          potentials.FiniteSum
	rng         *rand.Rand
	h, beta     float64 // learning rate and momentum
	independent bool    // independent batches (without replacement)
	g, gk       []float64
	v           []float64 // momentum
	batch       []int
	perm        []int // permutation of the samples (without replacement)
	pos         int   // next position in perm
}

func (s *sgdStep) reset() {
	clear(s.v)
	if s.perm != nil {
		for k := range s.perm {
			s.perm[k] = k
		}
		s.pos = len(s.perm) // shuffle before the first batch
	}
}

func (s *sgdStep) step(x []float64) bool {
	s.drawBatch()
	potentials.BatchGrad(s.fs, s.g, s.gk, x, s.batch)
	beta, h := s.beta, s.h
	for a, ga := range s.g {
		va := beta*s.v[a] - h*ga
		s.v[a] = va
		x[a] += va
	}
	return true
}

// drawBatch fills s.batch with b sample indices: uniform with replacement,
// or b distinct ones: the first b of the chain's permutation after a partial
// Fisher–Yates shuffle (independent batches), or else the next b of the
// chain's current random permutation (a new one, by Fisher–Yates, when fewer
// than b remain: drop-last).
func (s *sgdStep) drawBatch() {
	n := s.fs.Samples()
	if s.perm == nil {
		for j := range s.batch {
			s.batch[j] = s.rng.IntN(n)
		}
		return
	}
	b := len(s.batch)
	if s.independent {
		perm := s.perm
		for j := range s.batch {
			r := j + s.rng.IntN(n-j)
			perm[j], perm[r] = perm[r], perm[j]
			s.batch[j] = perm[j]
		}
		return
	}
	if s.pos+b > n {
		perm := s.perm
		for i := n - 1; i > 0; i-- {
			j := s.rng.IntN(i + 1)
			perm[i], perm[j] = perm[j], perm[i]
		}
		s.pos = 0
	}
	copy(s.batch, s.perm[s.pos:s.pos+b])
	s.pos += b
}

// exactNoiseStep is one Euler–Maruyama step of the finite-sum SDE with the
// exact SGD noise (NoiseExact): x += -g h + sqrt(h) xi, xi of covariance
// 2 T D(x).
type exactNoiseStep struct {
	sampler *potentials.NoiseSampler
	rng     *rand.Rand
	g, xi   []float64
	z       []float64 // N normals
	temp    float64
	h, sh   float64 // eta and sqrt(eta)
}

func (s *exactNoiseStep) reset() {}

func (s *exactNoiseStep) step(x []float64) bool {
	for k := range s.z {
		s.z[k] = s.rng.NormFloat64()
	}
	s.sampler.Sample(s.xi, s.g, x, s.z, s.temp)
	h, sh := s.h, s.sh
	for a, ga := range s.g {
		x[a] += -ga*h + sh*s.xi[a]
	}
	return true
}

// isotropicStep is one Euler–Maruyama step of the isotropic null
// (NoiseIsotropic): x += -g h + sqrt(2 T c h) z.
type isotropicStep struct {
	fs    potentials.FiniteSum
	rng   *rand.Rand
	g, gk []float64
	z     []float64 // d normals
	h, c  float64   // eta and sqrt(2 T c eta)
	split *gradSplit
}

func (s *isotropicStep) reset() {}

func (s *isotropicStep) step(x []float64) bool {
	if s.split != nil {
		s.split.grad(s.fs, s.g, s.gk, x)
	} else {
		potentials.FullGrad(s.fs, s.g, s.gk, x)
	}
	for a := range s.z {
		s.z[a] = s.rng.NormFloat64()
	}
	h, c := s.h, s.c
	for a, ga := range s.g {
		x[a] += -ga*h + c*s.z[a]
	}
	return true
}

// splitGradWork is the least N d for which the isotropic null computes the
// full gradient in two halves (splitGrad): below it a gradient costs less
// than about 50 µs and the hand-over would not pay.
const splitGradWork = 1 << 16

// splitGrad reports whether the full gradient of fs is computed in two
// halves of the samples, g = (S_lo + S_hi)/N with S_lo the sum over
// k < N/2 and S_hi over k >= N/2, so that a run with fewer chains than
// cores can compute S_hi on a helper goroutine. It depends on the model's
// sizes only, never on the number of workers, so the results do not either.
func splitGrad(fs potentials.FiniteSum) bool {
	n := fs.Samples()
	return n >= 2 && n*fs.Dim() >= splitGradWork
}

// gradSplit computes the full gradient as the sum of the two halves of
// the samples (see splitGrad), the second half on a helper of the run's
// pool when there is one, else on the calling goroutine: the sums and
// their order are the same either way.
type gradSplit struct {
	lo   []int // sample indices 0, ..., N/2-1
	half halfGrad
	pool chan<- *halfGrad // nil: no helpers
}

// halfGrad is the sum of the gradients over half of the samples, handed to
// a helper goroutine.
type halfGrad struct {
	fs      potentials.FiniteSum
	batch   []int // sample indices N/2, ..., N-1
	x       []float64
	sum, gk []float64
	f       float64
	done    chan struct{} // buffered: run never blocks
}

// run computes the half's sum and signals done.
func (j *halfGrad) run() {
	j.f = potentials.GradSum(j.fs, j.sum, j.gk, j.x, j.batch)
	j.done <- struct{}{}
}

// newGradSplit returns the split gradient of fs with the helper pool (nil:
// none).
func newGradSplit(fs potentials.FiniteSum, pool chan<- *halfGrad) *gradSplit {
	n, d := fs.Samples(), fs.Dim()
	idx := make([]int, n)
	for k := range idx {
		idx[k] = k
	}
	return &gradSplit{lo: idx[:n/2], pool: pool, half: halfGrad{fs: fs, batch: idx[n/2:],
		sum: make([]float64, d), gk: make([]float64, d), done: make(chan struct{}, 1)}}
}

// grad writes g = grad f(x) = (S_lo + S_hi)/N into g and returns f(x); gk
// (length d) is scratch.
func (sp *gradSplit) grad(fs potentials.FiniteSum, g, gk, x []float64) float64 {
	half := &sp.half
	half.x = x
	if sp.pool != nil {
		sp.pool <- half
	} else {
		half.run()
	}
	f := potentials.GradSum(fs, g, gk, x, sp.lo)
	<-half.done
	half.x = nil
	inv := 1 / float64(fs.Samples())
	for a, v := range half.sum {
		g[a] = (g[a] + v) * inv
	}
	return (f + half.f) * inv
}

// startGradPool starts helpers goroutines that compute the halves sent to
// the returned channel; closing it stops them.
func startGradPool(helpers int) chan<- *halfGrad {
	jobs := make(chan *halfGrad)
	for range helpers {
		go func() {
			for j := range jobs {
				j.run()
			}
		}()
	}
	return jobs
}
