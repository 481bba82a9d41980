package analysis

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
}

// GradientNorms returns the root-mean-square gradient component
//
//	|grad f(x_t)| / sqrt(d),   grad f = (1/N) sum_k g_k  (potentials.FullGrad),
//
// and the loss f(x_t), each averaged over the chains, at maxTimes recorded
// times spread evenly from the first to the last (EvenTimes; all of them if
// L <= maxTimes). Dividing by sqrt(d) makes models of different sizes
// comparable. At a minimum the gradient vanishes; Chaudhari & Soatto observe
// that under SGD it does not decrease towards zero for deep networks, where
// the weights keep moving on loops. Each evaluation costs N per-sample
// gradients: the (time, chain) pairs are shared among workers goroutines
// (<= 0: GOMAXPROCS), each with its own scratch space.
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
	workers = numWorkers(workers, nt*K)
	g := make([][]float64, workers)
	sc := make([][]float64, workers)
	for w := range g {
		g[w], sc[w] = make([]float64, d), make([]float64, d)
	}
	parallel(nt*K, workers, func(w, i int) {
		j, c := i/K, i%K
		loss[i] = potentials.FullGrad(fs, g[w], sc[w], tr.State(c, times[j]))
		s := 0.0
		for _, v := range g[w] {
			s += v * v
		}
		norm[i] = math.Sqrt(s / float64(d))
	})
	res := &GradNorm{Times: times, Value: make([]float64, nt), Spread: make([]float64, nt), Loss: make([]float64, nt)}
	for j := range times {
		res.Value[j], res.Spread[j] = meanStd(norm[j*K : (j+1)*K])
		res.Loss[j], _ = meanStd(loss[j*K : (j+1)*K])
	}
	return res, nil
}
