package observables

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Traj holds K recorded chains of L states in R^d, row-major: state t of
// chain k is Data[(k*L + t)*d : (k*L + t + 1)*d]. This is the layout of
// traj.npy, shape (record, steps/every, d).
type Traj struct {
	// Chains is K, Len is L, Dim is d.
	Chains, Len, Dim int
	// Data holds K*L*d values.
	Data []float64
}

// NewTraj checks the shape (chains, length, dim) against data and that every
// value is finite, and returns the trajectories without copying data.
func NewTraj(data []float64, chains, length, dim int) (*Traj, error) {
	if chains < 1 || length < 1 || dim < 1 {
		return nil, fmt.Errorf("trajectory shape (%d, %d, %d): every dimension must be at least 1", chains, length, dim)
	}
	if chains*length*dim != len(data) {
		return nil, fmt.Errorf("trajectory shape (%d, %d, %d) holds %d values, data has %d", chains, length, dim, chains*length*dim, len(data))
	}
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			k, r := i/(length*dim), i%(length*dim)
			return nil, fmt.Errorf("trajectory value %v is not finite (chain %d, time %d, coordinate %d)", v, k, r/dim, r%dim)
		}
	}
	return &Traj{Chains: chains, Len: length, Dim: dim, Data: data}, nil
}

// State returns state t of chain k (a view into Data).
func (tr *Traj) State(k, t int) []float64 {
	i := (k*tr.Len + t) * tr.Dim
	return tr.Data[i : i+tr.Dim : i+tr.Dim]
}

// EvenTimes returns up to n recorded times 0 = t_0 < ... < t_{n-1} = L-1
// spread evenly over [0, L-1], all of them if L <= n.
func EvenTimes(length, n int) []int {
	if n < 1 || length < 1 {
		return nil
	}
	if length <= n {
		out := make([]int, length)
		for i := range out {
			out[i] = i
		}
		return out
	}
	if n == 1 {
		return []int{0}
	}
	out := make([]int, n)
	for i := range out {
		out[i] = int(math.Round(float64(i) * float64(length-1) / float64(n-1)))
	}
	return out
}

// numWorkers returns workers, or GOMAXPROCS if workers <= 0, at most n and
// at least 1.
func numWorkers(workers, n int) int {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return max(1, min(workers, n))
}

// parallel calls body(w, i) for i = 0, ..., n-1 on up to workers goroutines;
// w in [0, workers) identifies the goroutine so that it can use its own
// scratch space. Items are handed out one at a time in order.
func parallel(n, workers int, body func(w, i int)) {
	workers = numWorkers(workers, n)
	if workers == 1 {
		for i := 0; i < n; i++ {
			body(0, i)
		}
		return
	}
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				body(w, i)
			}
		}(w)
	}
	wg.Wait()
}

// meanStd returns the mean and the (population) standard deviation of x.
func meanStd(x []float64) (mean, std float64) {
	if len(x) == 0 {
		return 0, 0
	}
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(x)))
}
