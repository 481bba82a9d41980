package sde

import (
	"math"
	"math/rand/v2"

	"github.com/sgdsde/sgdsde/potentials"
)

// newSGDStep returns the step of a run of the given kind on p drawing from
// rng; T is the temperature (T c for kindSDEIsotropic).
func newSGDStep(p *SGDProblem, kind sgdKind, T float64, rng *rand.Rand) vecStep {
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
		return &isotropicStep{
			fs: fs, rng: rng, g: make([]float64, d), gk: make([]float64, d), z: make([]float64, d),
			h: p.LR, c: math.Sqrt(2 * T * p.LR),
		}
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
}

func (s *isotropicStep) reset() {}

func (s *isotropicStep) step(x []float64) bool {
	potentials.FullGrad(s.fs, s.g, s.gk, x)
	for a := range s.z {
		s.z[a] = s.rng.NormFloat64()
	}
	h, c := s.h, s.c
	for a, ga := range s.g {
		x[a] += -ga*h + c*s.z[a]
	}
	return true
}
