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

	"github.com/sgdsde/sgdsde/potentials"
)

// chunkTrajectories is the number of trajectories a worker takes at a time.
const chunkTrajectories = 16

// chunkSteps is the number of steps between progress reports and
// cancellation checks within one trajectory.
const chunkSteps = 1 << 16

// trajectory status codes.
const (
	statusOK = iota
	statusDiverged
	statusNotPSD
)

// runState is shared by the workers of one run. Every per-trajectory slot is
// written by exactly one worker, so no locking is needed; the reduction
// afterwards runs in trajectory order, which makes results independent of
// the number of workers.
type runState struct {
	e     *Ensemble
	p     *Problem
	d     int
	bound float64
	every int
	rlen  int

	final  []float64 // N x d
	traj   []float64 // Record x rlen x d
	tmean  []float64 // N x d: per-trajectory time average
	tm2    []float64 // N x d x d: per-trajectory sum of squared deviations
	tL     []float64 // N: per-trajectory angular momentum rate
	status []uint8
}

// start returns the initial state of trajectory i.
func (rs *runState) start(i int) []float64 {
	if rs.e.Starts != nil {
		return rs.e.Starts[i*rs.d : (i+1)*rs.d]
	}
	return rs.p.X0
}

func (e *Ensemble) run(ctx context.Context, p *Problem) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	every, bound, workers, err := runSettings("trajectories", e.N, e.Every, e.Record, e.Bound, e.Workers)
	if err != nil {
		return nil, err
	}
	d := p.Model.Dim
	n := e.N
	if _, err := e.MemoryEstimate(d, p.Steps); err != nil {
		return nil, err
	}
	if e.Starts != nil {
		if len(e.Starts) != n*d {
			return nil, fmt.Errorf("starts hold %d values, want N x d = %d x %d", len(e.Starts), n, d)
		}
		for i, v := range e.Starts {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("start of trajectory %d is not finite", i/d)
			}
		}
	}
	rs := &runState{
		e: e, p: p, d: d, bound: bound, every: every, rlen: p.Steps / every,
		final:  make([]float64, n*d),
		tmean:  make([]float64, n*d),
		tm2:    make([]float64, n*d*d),
		tL:     make([]float64, n),
		status: make([]uint8, n),
	}
	if e.Record > 0 {
		rs.traj = make([]float64, e.Record*rs.rlen*d)
	}

	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	chunks := int64((n + chunkTrajectories - 1) / chunkTrajectories)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := newWorker(rs)
			for {
				c := next.Add(1) - 1
				if c >= chunks || ctx.Err() != nil {
					return
				}
				lo := int(c) * chunkTrajectories
				hi := min(lo+chunkTrajectories, n)
				for i := lo; i < hi; i += 2 {
					if ctx.Err() != nil {
						return
					}
					j := i + 1
					if j >= hi {
						j = -1
					}
					wk.trajectory(ctx, i, j)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	elapsed := time.Since(start)
	return rs.reduce(workers, elapsed)
}

// runSettings checks the settings shared by ensembles and SGD runs and
// fills their defaults: stride 1, bound 1e8, GOMAXPROCS workers. noun
// names the runs in errors ("trajectories", "chains").
func runSettings(noun string, n, every, record int, bound float64, workers int) (int, float64, int, error) {
	if n < 1 {
		return 0, 0, 0, fmt.Errorf("number of %s must be at least 1, got %d", noun, n)
	}
	if every == 0 {
		every = 1
	}
	if every < 0 {
		return 0, 0, 0, fmt.Errorf("recording stride must be positive, got %d", every)
	}
	if record < 0 || record > n {
		return 0, 0, 0, fmt.Errorf("cannot record %d of %d %s", record, n, noun)
	}
	b := bound
	if b == 0 {
		b = 1e8
	}
	if !(b > 0) {
		return 0, 0, 0, fmt.Errorf("divergence bound must be positive, got %g", bound)
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return every, b, workers, nil
}

// reduce merges the per-trajectory statistics in trajectory order.
func (rs *runState) reduce(workers int, elapsed time.Duration) (*Result, error) {
	d, n, p := rs.d, rs.e.N, rs.p
	res := &Result{
		Dim: d, N: n, Final: rs.final, Traj: rs.traj, Record: rs.e.Record, RecordLen: rs.rlen,
		Mean: make([]float64, d), Cov: make([]float64, d*d), MeanStderr: make([]float64, d),
		Workers: workers, Elapsed: elapsed,
	}
	for i := 0; i < n; i++ {
		if rs.status[i] == statusNotPSD {
			return nil, notPSDError(p.Model, i, rs.final[i*d:(i+1)*d])
		}
	}
	// Chan, Golub & LeVeque's pairwise update of (count, mean, M2), and
	// Welford's update of the mean and spread of the per-trajectory averages.
	steps := float64(p.Steps)
	var cnt float64
	delta := make([]float64, d)
	tmMean := make([]float64, d) // mean of per-trajectory averages
	tmM2 := make([]float64, d)
	var lMean, lM2 float64
	for i := 0; i < n; i++ {
		if rs.status[i] != statusOK {
			res.Diverged++
			res.DivergedIndex = append(res.DivergedIndex, i)
			continue
		}
		mi := rs.tmean[i*d : (i+1)*d]
		m2 := rs.tm2[i*d*d : (i+1)*d*d]
		k := cnt / steps // trajectories merged so far
		newCnt := cnt + steps
		for a := 0; a < d; a++ {
			delta[a] = mi[a] - res.Mean[a]
		}
		w := cnt * steps / newCnt
		for a := 0; a < d; a++ {
			for b := 0; b < d; b++ {
				res.Cov[a*d+b] += m2[a*d+b] + delta[a]*delta[b]*w
			}
		}
		for a := 0; a < d; a++ {
			res.Mean[a] += delta[a] * steps / newCnt
			dm := mi[a] - tmMean[a]
			tmMean[a] += dm / (k + 1)
			tmM2[a] += dm * (mi[a] - tmMean[a])
		}
		dl := rs.tL[i] - lMean
		lMean += dl / (k + 1)
		lM2 += dl * (rs.tL[i] - lMean)
		cnt = newCnt
	}
	good := n - res.Diverged
	if good == 0 {
		return nil, fmt.Errorf("all %d trajectories diverged (left the bound %g or became non-finite): try a smaller --dt", n, rs.bound)
	}
	res.Samples = int64(good) * int64(p.Steps)
	if cnt > 1 {
		for i := range res.Cov {
			res.Cov[i] /= cnt - 1
		}
	}
	if good > 1 {
		g := float64(good)
		for a := 0; a < d; a++ {
			res.MeanStderr[a] = math.Sqrt(tmM2[a] / (g - 1) / g)
		}
		res.AngularMomentumStderr = math.Sqrt(lM2 / (g - 1) / g)
	}
	if d == 2 {
		res.AngularMomentum = lMean
	} else {
		res.AngularMomentumStderr = 0
	}
	total := float64(n) * float64(p.Steps+p.BurnIn)
	if s := elapsed.Seconds(); s > 0 {
		res.StepsPerSecond = total / s
	}
	return res, nil
}

// notPSDError describes trajectory i reaching the point x where the
// integrator could not factor D(x).
func notPSDError(m potentials.Model, i int, x []float64) error {
	if err := m.CheckDiffusion(x); err != nil {
		return fmt.Errorf("trajectory %d: %w", i, err)
	}
	// The factorisation's tolerance is tighter than CheckDiffusion's.
	return fmt.Errorf("trajectory %d: %w: D is singular to round-off at x = %v", i, potentials.ErrNotPSD, x)
}

// worker integrates trajectories with its own generator and scratch space.
type worker struct {
	rs    *runState
	pcg   *rand.PCG
	rng   *rand.Rand
	em    *EulerMaruyama
	x     []float64
	xp    []float64
	z     []float64
	tally *tally // running sums and recorder of the general kernel

	pcg2  *rand.PCG // second generator for paired 2-D trajectories
	lanes [2]lane2
	noise float64 // sqrt(2 T dt)
}

func newWorker(rs *runState) *worker {
	pcg, pcg2 := rand.NewPCG(0, 0), rand.NewPCG(0, 0)
	d := rs.d
	w := &worker{
		rs: rs, pcg: pcg, rng: rand.New(pcg), pcg2: pcg2,
		noise: math.Sqrt(2 * rs.p.Temperature * rs.p.Dt),
		em:    NewEulerMaruyama(rs.p.Model, rs.p.Temperature),
		x:     make([]float64, d), xp: make([]float64, d), z: make([]float64, d),
		tally: newTally(d, true),
	}
	w.lanes[0].rng = w.rng
	w.lanes[1].rng = rand.New(pcg2)
	return w
}

// trajectory integrates trajectory i, and j too if j >= 0, storing final
// states and statistics. Two trajectories are advanced in one loop on the
// 2-D fast path so that their independent dependency chains (each step
// waits on the previous one through two square roots) overlap in the CPU;
// pairing does not change any result.
func (w *worker) trajectory(ctx context.Context, i, j int) {
	m := w.rs.p.Model
	if m.Dim == 2 && m.Drift2 != nil {
		w.pair2(ctx, i, j)
		return
	}
	w.pcg.Seed(TrajectorySeed(w.rs.e.Seed, i))
	w.trajectoryN(ctx, i)
	if j >= 0 {
		w.pcg.Seed(TrajectorySeed(w.rs.e.Seed, j))
		w.trajectoryN(ctx, j)
	}
}

// lane2 is the state of one 2-D trajectory in the fast kernel.
type lane2 struct {
	i                           int
	rng                         *rand.Rand
	x, y                        float64
	sx, sy, sxx, sxy, syy, lsum float64
	k                           int // index of the next step
	countdown, written          int
	rec                         []float64
	status                      uint8
}

func (w *worker) initLane(l *lane2, i int, pcg *rand.PCG) {
	rs := w.rs
	pcg.Seed(TrajectorySeed(rs.e.Seed, i))
	x0 := rs.start(i)
	*l = lane2{i: i, rng: l.rng, x: x0[0], y: x0[1], countdown: rs.every}
	if i < rs.e.Record {
		l.rec = rs.traj[i*rs.rlen*2 : (i+1)*rs.rlen*2]
	}
}

// pair2 integrates trajectories i and j (j < 0: none) on the 2-D fast path.
func (w *worker) pair2(ctx context.Context, i, j int) {
	rs := w.rs
	p := rs.p
	a, b := &w.lanes[0], &w.lanes[1]
	w.initLane(a, i, w.pcg)
	lanes := []*lane2{a}
	if j >= 0 {
		w.initLane(b, j, w.pcg2)
		lanes = append(lanes, b)
	}
	total := p.BurnIn + p.Steps
	for k0 := 0; k0 < total; k0 += chunkSteps {
		k1 := min(k0+chunkSteps, total)
		if len(lanes) == 2 && a.status == statusOK && b.status == statusOK {
			// Runs to k1 unless a lane fails; step2 then finishes each lane.
			w.step2x2(a, b, k1)
		}
		for _, l := range lanes {
			if l.status == statusOK && l.k < k1 {
				w.step2(l, k1)
			}
		}
		if rs.e.Progress != nil {
			rs.e.Progress(int64(k1-k0) * int64(len(lanes)))
		}
		if ctx.Err() != nil {
			return
		}
	}
	for _, l := range lanes {
		w.finishLane(l)
	}
}

// finishLane stores the final state and statistics of a lane.
func (w *worker) finishLane(l *lane2) {
	rs := w.rs
	p := rs.p
	i := l.i
	rs.final[2*i], rs.final[2*i+1] = l.x, l.y
	rs.status[i] = l.status
	if l.status != statusOK {
		fillRecord(l.rec, 2, l.written, l.x, l.y)
		return
	}
	n := float64(p.Steps)
	mx, my := l.sx/n, l.sy/n
	rs.tmean[2*i], rs.tmean[2*i+1] = p.X0[0]+mx, p.X0[1]+my
	m2 := rs.tm2[4*i : 4*i+4]
	m2[0] = l.sxx - l.sx*mx
	m2[1] = l.sxy - l.sx*my
	m2[2] = m2[1]
	m2[3] = l.syy - l.sy*my
	rs.tL[i] = l.lsum / (n * p.Dt)
}

// step2 advances one lane up to step kEnd or until it fails.
func (w *worker) step2(l *lane2, kEnd int) {
	rs := w.rs
	p := rs.p
	drift, diff := p.Model.Drift2, p.Model.Diffusion2
	h, c, bound, burn := p.Dt, w.noise, rs.bound, p.BurnIn
	rng := l.rng
	x, y := l.x, l.y
	k := l.k
	for ; k < kEnd; k++ {
		bx, by := drift(x, y)
		da, db, dd := diff(x, y)
		l11, l21, l22, ok := chol2(da, db, dd)
		if !ok {
			l.status = statusNotPSD
			break
		}
		z0, z1 := rng.NormFloat64(), rng.NormFloat64()
		xn := x + bx*h + c*(l11*z0)
		yn := y + by*h + c*(l21*z0+l22*z1)
		if !(math.Abs(xn) <= bound && math.Abs(yn) <= bound) {
			l.status = statusDiverged
			break
		}
		if k >= burn {
			w.accumulate(l, x, y, xn, yn)
		}
		x, y = xn, yn
	}
	l.x, l.y, l.k = x, y, k
}

// step2x2 advances two lanes in lockstep up to step kEnd. Each lane does
// exactly the arithmetic of step2 in the same order, so results do not
// depend on the pairing. If either lane's diffusion fails, it returns before
// drawing that step's normals and step2 redoes the step lane by lane; if a
// lane leaves the bound, that lane is marked diverged and the other's step
// is kept.
func (w *worker) step2x2(a, b *lane2, kEnd int) {
	rs := w.rs
	p := rs.p
	drift, diff := p.Model.Drift2, p.Model.Diffusion2
	h, c, bound, burn := p.Dt, w.noise, rs.bound, p.BurnIn
	ra, rb := a.rng, b.rng
	xa, ya, xb, yb := a.x, a.y, b.x, b.y
	k := a.k
	for ; k < kEnd; k++ {
		bxa, bya := drift(xa, ya)
		bxb, byb := drift(xb, yb)
		d1a, d2a, d3a := diff(xa, ya)
		d1b, d2b, d3b := diff(xb, yb)
		l11a, l21a, l22a, oka := chol2(d1a, d2a, d3a)
		l11b, l21b, l22b, okb := chol2(d1b, d2b, d3b)
		if !oka || !okb {
			break
		}
		z0a, z1a := ra.NormFloat64(), ra.NormFloat64()
		z0b, z1b := rb.NormFloat64(), rb.NormFloat64()
		xna := xa + bxa*h + c*(l11a*z0a)
		yna := ya + bya*h + c*(l21a*z0a+l22a*z1a)
		xnb := xb + bxb*h + c*(l11b*z0b)
		ynb := yb + byb*h + c*(l21b*z0b+l22b*z1b)
		inA := math.Abs(xna) <= bound && math.Abs(yna) <= bound
		inB := math.Abs(xnb) <= bound && math.Abs(ynb) <= bound
		if !(inA && inB) {
			if inA {
				if k >= burn {
					w.accumulate(a, xa, ya, xna, yna)
				}
				xa, ya = xna, yna
				a.k = k + 1
				b.status, b.k = statusDiverged, k
			} else {
				a.status, a.k = statusDiverged, k
				if inB {
					if k >= burn {
						w.accumulate(b, xb, yb, xnb, ynb)
					}
					xb, yb = xnb, ynb
					b.k = k + 1
				} else {
					b.status, b.k = statusDiverged, k
				}
			}
			a.x, a.y, b.x, b.y = xa, ya, xb, yb
			return
		}
		if k >= burn {
			w.accumulate(a, xa, ya, xna, yna)
			w.accumulate(b, xb, yb, xnb, ynb)
		}
		xa, ya, xb, yb = xna, yna, xnb, ynb
	}
	a.x, a.y, b.x, b.y = xa, ya, xb, yb
	a.k, b.k = k, k
}

// accumulate adds the step (x, y) -> (xn, yn) to a lane's running sums and
// records xn every rs.every steps.
func (w *worker) accumulate(l *lane2, x, y, xn, yn float64) {
	l.lsum += x*yn - y*xn
	dx, dy := xn-w.rs.p.X0[0], yn-w.rs.p.X0[1]
	l.sx += dx
	l.sy += dy
	l.sxx += dx * dx
	l.sxy += dx * dy
	l.syy += dy * dy
	if l.rec != nil {
		w.record(l, xn, yn)
	}
}

// record stores (x, y) in a recorded lane every rs.every post-burn-in steps.
func (w *worker) record(l *lane2, x, y float64) {
	l.countdown--
	if l.countdown == 0 {
		l.countdown = w.rs.every
		if l.written < w.rs.rlen {
			l.rec[2*l.written] = x
			l.rec[2*l.written+1] = y
			l.written++
		}
	}
}

// fillRecord repeats the last finite state through the unwritten rest of a
// recorded trajectory that diverged after writing its first written states.
func fillRecord(rec []float64, d, written int, last ...float64) {
	for j := written; j < len(rec)/d; j++ {
		copy(rec[j*d:(j+1)*d], last)
	}
}

// trajectoryN is the general kernel for any dimension.
func (w *worker) trajectoryN(ctx context.Context, i int) {
	rs := w.rs
	p := rs.p
	d := rs.d
	h := p.Dt
	sh := math.Sqrt(h)
	x, xp, z, tl := w.x, w.xp, w.z, w.tally
	copy(x, rs.start(i))
	var rec []float64
	if i < rs.e.Record {
		rec = rs.traj[i*rs.rlen*d : (i+1)*rs.rlen*d]
	}
	tl.reset(p.X0, rec, rs.every)
	lsum := 0.0
	status := uint8(statusOK)
	total := p.BurnIn + p.Steps
	for k0 := 0; k0 < total && status == statusOK; k0 += chunkSteps {
		k1 := min(k0+chunkSteps, total)
		for k := k0; k < k1; k++ {
			for a := range z {
				z[a] = w.rng.NormFloat64()
			}
			copy(xp, x)
			if !w.em.step(x, h, sh, z) {
				status = statusNotPSD
				break
			}
			for a := range x {
				if !(math.Abs(x[a]) <= rs.bound) {
					status = statusDiverged
				}
			}
			if status != statusOK {
				copy(x, xp)
				break
			}
			if k >= p.BurnIn {
				if d == 2 {
					lsum += xp[0]*x[1] - xp[1]*x[0]
				}
				tl.add(x)
			}
		}
		if rs.e.Progress != nil {
			rs.e.Progress(int64(k1 - k0))
		}
		if ctx.Err() != nil {
			return
		}
	}
	copy(rs.final[i*d:(i+1)*d], x)
	rs.status[i] = status
	if status != statusOK {
		tl.diverged(x)
		return
	}
	n := float64(p.Steps)
	tl.moments(rs.tmean[i*d:(i+1)*d], rs.tm2[i*d*d:(i+1)*d*d], n)
	rs.tL[i] = lsum / (n * h)
}
