package sde

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The engine below runs N independent trajectories on all cores for both
// Ensemble (Euler–Maruyama) and SGDRun (mini-batch SGD and its SDE). It
// handles the workers, the groups of trajectories they take, seeding,
// cancellation, progress, divergence, recording and the statistics; a
// stepper, one per worker, does the steps.

// trajectory status codes.
const (
	statusOK = iota
	statusDiverged
	statusNotPSD
)

// settings are the run settings shared by Ensemble and SGDRun.
type settings struct {
	n        int
	seed     uint64
	workers  int
	record   int
	every    int
	bound    float64
	progress func(delta int64)
}

// check validates the settings and fills their defaults: stride 1, bound
// 1e8, GOMAXPROCS workers. noun names the runs in errors ("trajectories",
// "chains").
func (s settings) check(noun string) (settings, error) {
	if s.n < 1 {
		return s, fmt.Errorf("number of %s must be at least 1, got %d", noun, s.n)
	}
	if s.every == 0 {
		s.every = 1
	}
	if s.every < 0 {
		return s, fmt.Errorf("recording stride must be positive, got %d", s.every)
	}
	if s.record < 0 || s.record > s.n {
		return s, fmt.Errorf("cannot record %d of %d %s", s.record, s.n, noun)
	}
	if s.bound == 0 {
		s.bound = 1e8
	} else if !(s.bound > 0) {
		return s, fmt.Errorf("divergence bound must be positive, got %g", s.bound)
	}
	if s.workers <= 0 {
		s.workers = runtime.GOMAXPROCS(0)
	}
	return s, nil
}

// stepper integrates trajectories for one worker of a run; every worker
// has its own, with its own scratch space, so that steps do not allocate.
// It advances up to lanes() trajectories together; the runner seeds lane
// l's generator (the l-th generator given to the stepper's constructor)
// before begin.
type stepper interface {
	// lanes returns the number of trajectories advanced together, at most
	// maxLanes (and at most 2 for a stepper of newStepper).
	lanes() int
	// begin starts lane l from x0; it records the states after post-burn-in
	// steps every, 2 every, ... into rec (nil: not recorded).
	begin(l int, x0, rec []float64)
	// advance advances the first n lanes to step kEnd, each until it
	// leaves the bound or meets a diffusion that is not positive
	// semi-definite. It reports whether any of them is still running.
	advance(n, kEnd int) bool
	// end stores the final state of lane l (its last finite state if it
	// failed) in x and returns its status. For a lane that ran to the end
	// it also writes the time average of its post-burn-in states into mean
	// and their sum of squared deviations into m2 (unless m2 is nil), and
	// returns its angular momentum rate (2-D Euler–Maruyama; 0 otherwise).
	end(l int, x, mean, m2 []float64) (status uint8, angular float64)
}

// runner is one run of the engine: its settings, what varies between the
// kinds of runs, and the per-trajectory and per-group slots of the
// results. Every slot is written by exactly one worker, so no locking is
// needed; statistics are merged in trajectory order, which makes results
// independent of the number of workers.
type runner struct {
	settings
	// noun names the runs in errors: "trajectories" or "chains"
	// (DivergedError.Runs).
	noun string
	d    int
	// steps are averaged after burnIn discarded steps.
	steps, burnIn int
	// x0 is the reference point of the running sums and, unless starts is
	// not nil (N x d), the start of every trajectory.
	x0, starts []float64
	rlen       int // recorded states per recorded trajectory
	// group is the number of consecutive trajectories a worker takes at a
	// time; chunk the number of steps between progress reports and
	// cancellation checks.
	group, chunk int
	// cov keeps the covariance; angular the angular momentum rate.
	cov, angular bool
	// mergeGroups makes each worker merge the statistics of a group's
	// trajectories as they finish, in trajectory order, so that only the
	// group totals are kept (groups x d x d words) and then merged in group
	// order (SGDRun). Otherwise every trajectory's sums of squares are kept
	// (N x d x d) and merged in trajectory order at the end (Ensemble). The
	// two orders round differently; each kind of run keeps its own so that
	// its results stay as they were.
	mergeGroups bool
	// newStepper returns the stepper of one worker, drawing lane l's
	// random numbers from rng[l]. newLaneStepper, if not nil, is used
	// instead: its lane l draws from the generator pcg[l] directly (there
	// are maxLanes).
	newStepper     func(rng [2]*rand.Rand) stepper
	newLaneStepper func(pcg []*rand.PCG) stepper
	// notPSD describes trajectory i reaching a state x where D(x) could
	// not be factored.
	notPSD func(i int, x []float64) error

	final  []float64 // N x d
	traj   []float64 // record x rlen x d
	tmean  []float64 // N x d: per-trajectory time averages
	tL     []float64 // N: per-trajectory angular momentum rates (if angular)
	status []uint8
	// The statistics slots that reduce merges in order: with mergeGroups
	// one per group, holding the number of states merged, their mean (d)
	// and sum of squared deviations (d x d, if cov); otherwise one per
	// trajectory, holding its time average (smean is tmean) and sum of
	// squared deviations, with Steps states unless it failed (scnt nil).
	scnt, smean, sm2 []float64
}

// block returns block j of s in blocks of n, or nil if s is nil.
func block(s []float64, j, n int) []float64 {
	if s == nil {
		return nil
	}
	return s[j*n : (j+1)*n]
}

// groups returns the number of groups of trajectories.
func (r *runner) groups() int {
	return (r.n + r.group - 1) / r.group
}

// alloc allocates the slots of the results.
func (r *runner) alloc() {
	n, d := r.n, r.d
	r.rlen = r.steps / r.every
	r.final = make([]float64, n*d)
	r.tmean = make([]float64, n*d)
	r.status = make([]uint8, n)
	if r.record > 0 {
		r.traj = make([]float64, r.record*r.rlen*d)
	}
	if r.angular {
		r.tL = make([]float64, n)
	}
	slots := n
	r.smean = r.tmean
	if r.mergeGroups {
		slots = r.groups()
		r.scnt = make([]float64, slots)
		r.smean = make([]float64, slots*d)
	}
	if r.cov {
		r.sm2 = make([]float64, slots*d*d)
	}
}

// start returns the initial state of trajectory i.
func (r *runner) start(i int) []float64 {
	if r.starts != nil {
		return r.starts[i*r.d : (i+1)*r.d]
	}
	return r.x0
}

// recording returns the record of trajectory i, or nil if it is not
// recorded.
func (r *runner) recording(i int) []float64 {
	if i >= r.record {
		return nil
	}
	n := r.rlen * r.d
	return r.traj[i*n : (i+1)*n]
}

// run integrates all trajectories and reduces their statistics. It returns
// the context's error if the context is cancelled.
func (r *runner) run(ctx context.Context) (*Result, error) {
	r.alloc()
	groups := int64(r.groups())
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range r.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := r.newWorker()
			for {
				g := next.Add(1) - 1
				if g >= groups || ctx.Err() != nil {
					return
				}
				if !w.group(ctx, int(g)) {
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r.reduce(time.Since(start))
}

// maxLanes is the largest number of trajectories a stepper advances
// together.
const maxLanes = laneCount

// worker integrates groups of trajectories with its own generators,
// stepper and scratch space.
type worker struct {
	r     *runner
	pcg   []*rand.PCG // maxLanes generators, one per lane
	st    stepper
	m2    []float64 // a trajectory's sums of squared deviations, with mergeGroups
	delta []float64 // scratch of the group merge
}

func (r *runner) newWorker() *worker {
	w := &worker{r: r, pcg: newPCGs(maxLanes)}
	if r.newLaneStepper != nil {
		w.st = r.newLaneStepper(w.pcg)
	} else {
		w.st = r.newStepper([2]*rand.Rand{rand.New(w.pcg[0]), rand.New(w.pcg[1])})
	}
	if r.mergeGroups {
		w.delta = make([]float64, r.d)
		if r.cov {
			w.m2 = make([]float64, r.d*r.d)
		}
	}
	return w
}

// newPCGs returns n generators (to be seeded) in one block padded by a
// cache line at each end, so that the generators of two workers, written
// at every draw, never share a cache line.
func newPCGs(n int) []*rand.PCG {
	const pad = 4 // 64 bytes of 16-byte generators
	block := make([]rand.PCG, n+2*pad)
	pcg := make([]*rand.PCG, n)
	for l := range pcg {
		pcg[l] = &block[pad+l]
	}
	return pcg
}

// group integrates group g of trajectories, lanes() at a time. It returns
// false if the context was cancelled.
func (w *worker) group(ctx context.Context, g int) bool {
	r := w.r
	lo := g * r.group
	hi := min(lo+r.group, r.n)
	width := w.st.lanes()
	for i := lo; i < hi; i += width {
		if ctx.Err() != nil {
			return false
		}
		if !w.trajectories(ctx, g, i, min(width, hi-i)) {
			return false
		}
	}
	return true
}

// trajectories integrates trajectories i, ..., i+m-1 of group g together
// and stores their results. It returns false if the context was cancelled.
func (w *worker) trajectories(ctx context.Context, g, i, m int) bool {
	r := w.r
	for l := range m {
		w.pcg[l].Seed(TrajectorySeed(r.seed, i+l))
		w.st.begin(l, r.start(i+l), r.recording(i+l))
	}
	total := r.burnIn + r.steps
	for k0 := 0; k0 < total; k0 += r.chunk {
		k1 := min(k0+r.chunk, total)
		running := w.st.advance(m, k1)
		if !running {
			k1 = total // the remaining steps of failed lanes count as done
		}
		if r.progress != nil {
			r.progress(int64(k1-k0) * int64(m))
		}
		if ctx.Err() != nil {
			return false
		}
		if !running {
			break
		}
	}
	for l := range m {
		w.finish(g, i+l, l)
	}
	return true
}

// finish stores the results of trajectory i, integrated in lane l, and
// with mergeGroups merges its statistics into those of its group g.
func (w *worker) finish(g, i, l int) {
	r := w.r
	d := r.d
	m2 := w.m2
	if !r.mergeGroups {
		m2 = block(r.sm2, i, d*d)
	}
	mean := r.tmean[i*d : (i+1)*d]
	status, L := w.st.end(l, r.final[i*d:(i+1)*d], mean, m2)
	r.status[i] = status
	if r.tL != nil {
		r.tL[i] = L
	}
	if r.mergeGroups && status == statusOK {
		r.scnt[g] = mergeMoments(r.scnt[g], block(r.smean, g, d), block(r.sm2, g, d*d), float64(r.steps), mean, m2, w.delta)
	}
}

// mergeMoments merges a set of cnt2 states with mean mean2 and sum of
// squared deviations m22 (d x d) into a set of cnt states with mean and
// m2, in place, by Chan, Golub & LeVeque's pairwise update, and returns
// the merged count. m2 nil leaves the squares out; delta (d) is scratch.
func mergeMoments(cnt float64, mean, m2 []float64, cnt2 float64, mean2, m22, delta []float64) float64 {
	d := len(mean)
	newCnt := cnt + cnt2
	for a := range delta {
		delta[a] = mean2[a] - mean[a]
	}
	if m2 != nil {
		w := cnt * cnt2 / newCnt
		for a := 0; a < d; a++ {
			for b := 0; b < d; b++ {
				m2[a*d+b] += m22[a*d+b] + delta[a]*delta[b]*w
			}
		}
	}
	for a := range delta {
		mean[a] += delta[a] * cnt2 / newCnt
	}
	return newCnt
}

// reduce merges the statistics in trajectory (or group) order into the
// Result.
func (r *runner) reduce(elapsed time.Duration) (*Result, error) {
	d, n := r.d, r.n
	res := &Result{
		Dim: d, N: n, Final: r.final, Traj: r.traj, Record: r.record, RecordLen: r.rlen,
		Mean: make([]float64, d), MeanStderr: make([]float64, d),
		Workers: r.workers, Elapsed: elapsed,
	}
	if r.cov {
		res.Cov = make([]float64, d*d)
	}
	for i, s := range r.status {
		if s == statusNotPSD {
			return nil, r.notPSD(i, r.final[i*d:(i+1)*d])
		}
	}
	for i, s := range r.status {
		if s != statusOK {
			res.Diverged++
			res.DivergedIndex = append(res.DivergedIndex, i)
		}
	}
	good := n - res.Diverged
	if good == 0 {
		return nil, &DivergedError{Runs: r.noun, N: n, Bound: r.bound}
	}

	var cnt float64
	delta := make([]float64, d)
	for j := range len(r.smean) / d {
		c := float64(r.steps)
		if r.scnt != nil {
			c = r.scnt[j]
		} else if r.status[j] != statusOK {
			c = 0
		}
		if c > 0 {
			cnt = mergeMoments(cnt, res.Mean, res.Cov, c, block(r.smean, j, d), block(r.sm2, j, d*d), delta)
		}
	}
	if r.cov && cnt > 1 {
		for i := range res.Cov {
			res.Cov[i] /= cnt - 1
		}
	}

	// Welford's mean and spread of the per-trajectory time averages and
	// angular momentum rates.
	tmMean := make([]float64, d)
	tmM2 := make([]float64, d)
	var lMean, lM2, k float64
	for i, s := range r.status {
		if s != statusOK {
			continue
		}
		k++
		for a := 0; a < d; a++ {
			v := r.tmean[i*d+a]
			dm := v - tmMean[a]
			tmMean[a] += dm / k
			tmM2[a] += dm * (v - tmMean[a])
		}
		if r.angular {
			dl := r.tL[i] - lMean
			lMean += dl / k
			lM2 += dl * (r.tL[i] - lMean)
		}
	}
	if r.angular {
		res.AngularMomentum = lMean
	}
	if good > 1 {
		for a := 0; a < d; a++ {
			res.MeanStderr[a] = math.Sqrt(tmM2[a] / (k - 1) / k)
		}
		if r.angular {
			res.AngularMomentumStderr = math.Sqrt(lM2 / (k - 1) / k)
		}
	}
	res.Samples = int64(good) * int64(r.steps)
	total := float64(n) * float64(r.steps+r.burnIn)
	if s := elapsed.Seconds(); s > 0 {
		res.StepsPerSecond = total / s
	}
	return res, nil
}
