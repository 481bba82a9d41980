package observables

import (
	"fmt"
	"math"

	"github.com/sgdsde/sgdsde/potentials"
)

// GradNorm is the gradient norm along a Traj.
type GradNorm struct {
	// Times holds the recorded times at which the gradient was evaluated.
	Times []int
	// Value[j] is the mean over the chains of |grad f(x)| / sqrt(d) at
	// Times[j]; Spread[j] its standard deviation over the chains.
	Value, Spread []float64
	// Loss[j] is the mean over the chains of f(x) at Times[j].
	Loss []float64
	// TraceD[j] is the mean over the chains of tr D(x)/d at Times[j], the
	// mean eigenvalue of the SGD diffusion matrix
	// D(x) = (1/N) sum_k (g_k - g)(g_k - g)^T, so
	// tr D(x)/d = (1/(N d)) sum_k |g_k - g|^2.
	TraceD []float64
	// MeanTraceD is the mean of tr D(x)/d over all the evaluated states
	// (every chain at every one of Times), each state weighing the same: the
	// constant c of the equilibrium null, whose noise sqrt(2 T c) dW has on
	// average the trace of the run's (see sde.NoiseIsotropic).
	MeanTraceD float64
	// States is the number of evaluated states, len(Times) times the number
	// of chains.
	States int
}

// GradientNorms returns the root-mean-square gradient component
//
//	|grad f(x_t)| / sqrt(d),   grad f = (1/N) sum_k g_k  (potentials.FullGrad),
//
// the loss f(x_t) and the mean eigenvalue of D, tr D(x_t)/d, each averaged
// over the chains, at maxTimes recorded
// times spread evenly from the first to the last (EvenTimes; all of them if
// L <= maxTimes). Dividing by sqrt(d) makes models of different sizes
// comparable. At a minimum the gradient vanishes; Chaudhari & Soatto observe
// that under SGD it does not decrease towards zero for deep networks, where
// the weights keep moving on loops. Each evaluation costs N per-sample
// gradients, one pass that accumulates g, f and sum_k |g_k - g|^2 by
// Welford's update (no cancellation): the (time, chain) pairs are shared
// among workers goroutines (<= 0: GOMAXPROCS), each with its own scratch
// space, and the results are combined in a fixed order, so they do not
// depend on the number of workers.
func GradientNorms(fs potentials.FiniteSum, tr *Traj, maxTimes, workers int) (*GradNorm, error) {
	d := fs.Dim()
	if tr.Dim != d {
		return nil, fmt.Errorf("trajectories of dimension %d for a model of dimension %d", tr.Dim, d)
	}
	if maxTimes < 1 {
		return nil, fmt.Errorf("number of times %d: want at least 1", maxTimes)
	}
	times := EvenTimes(tr.Len, maxTimes)
	nt, K := len(times), tr.Chains
	norm := make([]float64, nt*K)
	loss := make([]float64, nt*K)
	trd := make([]float64, nt*K)
	workers = numWorkers(workers, nt*K)
	g := make([][]float64, workers)
	sc := make([][]float64, workers)
	for w := range g {
		g[w], sc[w] = make([]float64, d), make([]float64, d)
	}
	parallel(nt*K, workers, func(w, i int) {
		j, c := i/K, i%K
		var t float64
		loss[i], t = gradLossTrace(fs, g[w], sc[w], tr.State(c, times[j]))
		trd[i] = t / float64(d)
		s := 0.0
		for _, v := range g[w] {
			s += v * v
		}
		norm[i] = math.Sqrt(s / float64(d))
	})
	res := &GradNorm{Times: times, Value: make([]float64, nt), Spread: make([]float64, nt), Loss: make([]float64, nt),
		TraceD: make([]float64, nt), States: nt * K}
	for j := range times {
		res.Value[j], res.Spread[j] = meanStd(norm[j*K : (j+1)*K])
		res.Loss[j], _ = meanStd(loss[j*K : (j+1)*K])
		res.TraceD[j], _ = meanStd(trd[j*K : (j+1)*K])
	}
	res.MeanTraceD, _ = meanStd(trd)
	return res, nil
}

// gradLossTrace writes g = grad f(x) into m and returns f(x) and
// tr D(x) = (1/N) sum_k |g_k - g|^2 from one pass over the samples by
// Welford's update (m_k = m_{k-1} + (g_k - m_{k-1})/k, M_k = M_{k-1} +
// (g_k - m_{k-1}) . (g_k - m_k)); gk (length d) is scratch.
func gradLossTrace(fs potentials.FiniteSum, m, gk, x []float64) (f, trD float64) {
	clear(m)
	n := fs.Samples()
	s := 0.0
	for k := 0; k < n; k++ {
		f += fs.SampleGrad(gk, x, k)
		inv := 1 / float64(k+1)
		for a, v := range gk {
			dv := v - m[a]
			m[a] += dv * inv
			s += dv * (v - m[a])
		}
	}
	return f / float64(n), s / float64(n)
}
