package sde

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Correction selects how a FirstPassage run detects arrivals between the
// steps of the Euler–Maruyama chain.
type Correction int

const (
	// CorrectionAuto is CorrectionBridge for a DistanceTarget and
	// CorrectionNone for a target given only by its membership test
	// (Indicator). FirstPassageResult.Correction records the one used.
	CorrectionAuto Correction = iota
	// CorrectionBridge checks, after a step from x_n to x_{n+1} that ends
	// outside the target, whether the Brownian bridge between them crossed
	// the boundary. Between two steps the continuous Euler–Maruyama path
	// X(t) = x_n + b(x_n)(t - t_n) + S(x_n)(W(t) - W(t_n)), conditioned on
	// its end points, is a Brownian bridge with covariance 2 T D(x_n) per
	// unit time; along the unit normal n of a locally flat boundary, at
	// signed distances d_n, d_{n+1} > 0, it crosses with the probability
	// (reflection principle)
	//
	//	P = exp(-2 d_n d_{n+1} / (v dt)) = exp(-d_n d_{n+1} / (T (n^T D(x_n) n) dt)),
	//	v = 2 T n^T D(x_n) n,
	//
	// which a uniform draw decides. The time of a crossing within the step,
	// whether found so or because x_{n+1} lies in the target, is drawn from
	// the bridge's first-passage law: with u = s/(dt - s) for the crossing
	// at t_n + s, u is inverse Gaussian with mean d_n/|d_{n+1}| and shape
	// d_n^2/(v dt) (Michael, Schucany & Haas, Am. Stat. 30, 1976, draw it).
	// This removes the O(sqrt(dt)) bias of discrete monitoring; what
	// remains is O(dt), from the Euler–Maruyama step itself and from the
	// curvature of the boundary (Gobet, Stoch. Proc. Appl. 87, 2000;
	// Mannella, Phys. Lett. A 254, 1999). For a Brownian motion with
	// constant drift and diffusion and a flat boundary the corrected hitting
	// time has exactly the law of the continuous one, at any dt.
	CorrectionBridge
	// CorrectionNone monitors the target at the steps only: the hitting
	// time is the first t_n = n dt with x_n in the target. Crossings and
	// returns between steps are missed, which delays the estimate by
	// O(sqrt(dt)): for dX = -mu dt + sqrt(2T) dW to a level, by
	// beta sqrt(2 T dt)/mu with beta = -zeta(1/2)/sqrt(2 pi) = 0.5826
	// (Siegmund, Adv. Appl. Prob. 11, 1979; Broadie, Glasserman & Kou,
	// Math. Finance 7, 1997). It is the uncorrected estimate, kept for
	// comparison.
	CorrectionNone
)

// String returns "auto", "bridge" or "none".
func (c Correction) String() string {
	switch c {
	case CorrectionAuto:
		return "auto"
	case CorrectionBridge:
		return "bridge"
	case CorrectionNone:
		return "none"
	}
	return fmt.Sprintf("Correction(%d)", int(c))
}

// FirstPassage times the first entrance of N independent Euler–Maruyama
// trajectories of a Problem into a Target: the first-passage time
//
//	tau = inf{t >= 0 : X(t) in target},   X(0) = x0 outside the target,
//
// with its mean (the mean first-passage time, MFPT), median and survival
// curve S(t) = P(tau > t). Trajectories that have not arrived by MaxTime
// are censored there and reported as such.
//
// Trajectory i draws its normals from the PCG generator seeded with
// TrajectorySeed(Seed, i), exactly as trajectory i of an Ensemble with the
// same Seed, so that up to its arrival it follows the same path; the
// uniforms and normals of the bridge correction come from a second
// generator of its own, seeded by splitmix64 hashes of the same two seed
// words. Neither depends on the worker that
// runs the trajectory, and the statistics are computed in trajectory
// order, so the same Seed gives bit-identical results for any number of
// Workers. Since the path does not depend on Correction, a corrected and
// an uncorrected run with the same Seed see the same paths, and the
// corrected time of each trajectory is never later than its uncorrected
// time.
//
// The zero value (with N set) runs to the Problem's Steps x Dt, with the
// bridge correction for a target that has a signed distance.
type FirstPassage struct {
	// N is the number of trajectories.
	N int
	// Seed selects the random numbers.
	Seed uint64
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// MaxTime is the censoring time. A run takes at most
	// K = ceil(MaxTime/Dt) steps (a MaxTime within round-off of a multiple
	// of Dt counts as that multiple) and censors at K Dt (the result's
	// MaxTime) the trajectories that have not arrived by then. 0 means
	// K = Problem.Steps; otherwise Problem.Steps is not used.
	MaxTime float64
	// Bound: a trajectory with a coordinate of magnitude above Bound, or
	// not finite, is counted as diverged and left out of the statistics.
	// 0 means 1e8.
	Bound float64
	// Correction selects the detection of crossings between steps; the
	// zero value is CorrectionAuto.
	Correction Correction
	// SurvivalPoints is the number of intervals of the survival curve's
	// uniform time grid on [0, MaxTime]; 0 means 100.
	SurvivalPoints int
	// TailFrom is the start of the window [TailFrom, K Dt] on which the
	// exponential tail of the survival curve is fitted (see
	// FirstPassageResult.TailMean); 0 means K Dt/2. It should lie beyond
	// the relaxation into the start's basin.
	TailFrom float64
	// Progress, if not nil, is called from the workers with the number of
	// trajectory-steps completed since its previous call; it must be safe
	// for concurrent use. A trajectory that arrives (or diverges) counts its
	// remaining steps up to K as completed, so a complete run reports N K
	// in all.
	Progress func(delta int64)
}

// FirstPassageResult holds the first-passage times of a FirstPassage run
// and their statistics.
//
// Censoring: every trajectory that has not arrived is observed up to the
// same time MaxTime (there is no other censoring; diverged trajectories are
// left out). The mean of the arrived times alone is then the conditional
// mean E[tau | tau <= MaxTime], which underestimates the MFPT whenever
// trajectories are censored; the censoring-aware estimates are the survival
// curve (Kaplan–Meier, which with a single censoring time is the fraction
// not yet arrived, with Greenwood's variance reducing to the binomial
// S (1 - S)/n), the median, the restricted mean and the tail-corrected
// mean.
type FirstPassageResult struct {
	// Dim is the dimension d; N the number of trajectories.
	Dim, N int
	// Dt is the time step, Steps the largest number of steps K, and
	// MaxTime = K Dt the censoring time.
	Dt      float64
	Steps   int
	MaxTime float64
	// Correction is the correction used (never CorrectionAuto).
	Correction Correction
	// Times holds trajectory i's first-passage time: in (0, MaxTime] if it
	// arrived, +Inf if it was censored at MaxTime, NaN if it diverged.
	// Without the correction the times are multiples of Dt.
	Times []float64
	// Final holds the state of every trajectory, N x d: after the step in
	// which it arrived (outside the target if the bridge crossed between
	// the steps), at MaxTime if censored, the last finite state if it
	// diverged.
	Final []float64
	// Arrived, Censored and Diverged count the trajectories; they add up
	// to N. DivergedIndex lists the diverged ones.
	Arrived, Censored, Diverged int
	DivergedIndex               []int
	// Mean is the mean of the arrived times, E[tau | tau <= MaxTime], and
	// MeanStderr its standard error (sample standard deviation over
	// sqrt(Arrived)). It is the MFPT only if Censored is 0; NaN if fewer
	// than one (two for the error) arrived.
	Mean, MeanStderr float64
	// Median is the censoring-aware median: the smallest t with
	// S(t) <= 1/2, the ceil(n/2)-th smallest time with censored times
	// taken as +Inf (n = N - Diverged); +Inf if half or more are censored.
	Median float64
	// RestrictedMean is the restricted mean first-passage time
	// integral_0^MaxTime S(t) dt = E[min(tau, MaxTime)], the mean of
	// min(tau_i, MaxTime) over the trajectories that did not diverge, and
	// RestrictedMeanStderr its standard error. It is a lower bound on the
	// MFPT and equals Mean when nothing was censored.
	RestrictedMean, RestrictedMeanStderr float64
	// TailFrom and TailRate describe the exponential tail fitted on
	// [TailFrom, MaxTime]: TailRate is the maximum-likelihood rate
	// (arrivals in the window over the time the trajectories spent in it),
	// NaN if no trajectory reached TailFrom. TailMean is the MFPT with an
	// exponential tail beyond MaxTime,
	//
	//	TailMean = RestrictedMean + S(MaxTime) / TailRate,
	//
	// and TailMeanStderr its delta-method standard error. It equals
	// RestrictedMean when nothing was censored, and is +Inf (with an
	// infinite error) when some were but none arrived in the window. The
	// tail is exponential in the metastable (Kramers) regime, where escape
	// is a Poisson event after a short relaxation; for other laws it is a
	// model whose error shrinks with S(MaxTime).
	TailFrom, TailRate       float64
	TailMean, TailMeanStderr float64
	// SurvivalTimes is the grid j MaxTime/SurvivalPoints, j = 0, ...,
	// SurvivalPoints; Survival holds S(t) = (trajectories with tau > t)/n
	// on it, and SurvivalStderr its binomial standard error
	// sqrt(S (1 - S)/n).
	SurvivalTimes, Survival, SurvivalStderr []float64
	// TrajectorySteps is the number of Euler–Maruyama steps taken.
	TrajectorySteps int64
	// Workers is the number of goroutines used; Elapsed the wall time;
	// StepsPerSecond the trajectory-steps taken per second.
	Workers        int
	Elapsed        time.Duration
	StepsPerSecond float64
}

// SurvivalAt returns the estimated survival probability S(t) = P(tau > t),
// the fraction of the trajectories that did not diverge whose time exceeds
// t (for t >= MaxTime, the censored fraction).
func (r *FirstPassageResult) SurvivalAt(t float64) float64 {
	n := r.N - r.Diverged
	if n == 0 {
		return math.NaN()
	}
	var alive int
	for _, v := range r.Times {
		if v > t { // NaN (diverged) compares false
			alive++
		}
	}
	return float64(alive) / float64(n)
}

// status of a first-passage trajectory that reached the target; a
// trajectory still statusOK at the end was censored.
const statusArrived = statusNotPSD + 1

// fpChunkTrajectories is the number of consecutive trajectories a worker of
// FirstPassage.Run takes at a time.
const fpChunkTrajectories = 16

// bridgeCut is the largest exponent -log P of a crossing probability that
// is drawn: P = exp(-37) = 8.5e-17 is below 2^-53, the resolution of a
// uniform from rand.Float64, so skipping the draw beyond it changes an
// outcome with probability below 2^-53 per step. The cheap test
// d_n d_{n+1} > bridgeCut T dt tr D(x_n) bounds the exponent from below
// (n^T D n <= tr D for D positive semi-definite), so that most steps need
// neither the normal nor an exponential.
const bridgeCut = 37

// fpRun is one validated FirstPassage run.
type fpRun struct {
	settings
	p          *Problem
	target     Target
	dist       DistanceTarget // nil for a target without a distance
	correction Correction
	steps      int
	points     int
	tailFrom   float64

	times  []float64
	final  []float64
	status []uint8
	taken  atomic.Int64
}

// Run integrates the trajectories from p.X0 until they enter target or
// reach the censoring time. It uses p's model, temperature, start and
// step; p.Steps only when MaxTime is 0; p.BurnIn must be 0 (the clock
// starts at x0). It returns an error if the problem, the target or the
// settings are invalid (a *StartInTargetError if x0 lies in the target;
// ErrTooLarge if the result cannot be allocated), if D is not positive
// semi-definite along a trajectory, if the context is cancelled, or if
// every trajectory diverged (a *DivergedError).
func (f *FirstPassage) Run(ctx context.Context, p *Problem, target Target) (*FirstPassageResult, error) {
	r, err := f.plan(p, target)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := r.run(ctx); err != nil {
		return nil, err
	}
	return r.result(time.Since(start))
}

// plan validates the run and allocates its results.
func (f *FirstPassage) plan(p *Problem, target Target) (*fpRun, error) {
	if p == nil {
		return nil, fmt.Errorf("no problem given")
	}
	if p.BurnIn != 0 {
		return nil, fmt.Errorf("first-passage times start at x0: burn-in must be 0, got %d", p.BurnIn)
	}
	if !(f.MaxTime >= 0) || math.IsInf(f.MaxTime, 0) {
		return nil, fmt.Errorf("maximum time must be positive and finite (or 0 for the problem's steps), got %g", f.MaxTime)
	}
	q := *p
	if f.MaxTime > 0 {
		q.Steps = 1 // Steps is not used
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	s, err := settings{n: f.N, seed: f.Seed, workers: f.Workers, bound: f.Bound, progress: f.Progress}.check("trajectories")
	if err != nil {
		return nil, err
	}
	steps := p.Steps
	if f.MaxTime > 0 {
		k := f.MaxTime / p.Dt
		if k > 1<<52 {
			return nil, fmt.Errorf("maximum time %g is %.3g steps of %g, more than 2^52", f.MaxTime, k, p.Dt)
		}
		// The tolerance keeps a MaxTime that is a multiple of Dt up to
		// round-off at that multiple.
		steps = max(1, int(math.Ceil(k*(1-1e-12))))
	}
	maxTime := float64(steps) * p.Dt
	if f.SurvivalPoints < 0 {
		return nil, fmt.Errorf("survival points must be non-negative, got %d", f.SurvivalPoints)
	}
	points := f.SurvivalPoints
	if points == 0 {
		points = 100
	}
	if !(f.TailFrom >= 0) || !(f.TailFrom < maxTime) {
		return nil, fmt.Errorf("tail window start must lie in [0, %g) (the censoring time), got %g", maxTime, f.TailFrom)
	}
	tailFrom := f.TailFrom
	if tailFrom == 0 {
		tailFrom = maxTime / 2
	}
	d := p.Model.Dim
	if err := checkTarget(target, d); err != nil {
		return nil, err
	}
	dist, _ := target.(DistanceTarget)
	corr := f.Correction
	switch corr {
	case CorrectionAuto:
		corr = CorrectionNone
		if dist != nil {
			corr = CorrectionBridge
		}
	case CorrectionBridge:
		if dist == nil {
			return nil, fmt.Errorf("the bridge correction needs the target's signed distance; a target given by its membership test (%T) allows only CorrectionNone", target)
		}
	case CorrectionNone:
	default:
		return nil, fmt.Errorf("unknown correction %v", corr)
	}
	if dist != nil {
		if d0 := dist.Distance(nil, p.X0); !(d0 > 0) {
			if math.IsNaN(d0) {
				return nil, fmt.Errorf("the target's signed distance at x0 = %v is NaN", p.X0)
			}
			return nil, &StartInTargetError{X0: append([]float64(nil), p.X0...), Distance: d0}
		}
	} else if target.Contains(p.X0) {
		return nil, &StartInTargetError{X0: append([]float64(nil), p.X0...), Distance: math.NaN()}
	}
	var sz sizer
	sz.add("first-passage times", 8, s.n)
	sz.add("final states", 8, s.n, d)
	sz.add("survival curve", 8, points+1, 3)
	if sz.err != nil {
		return nil, sz.err
	}
	return &fpRun{
		settings: s, p: p, target: target, dist: dist, correction: corr,
		steps: steps, points: points, tailFrom: tailFrom,
		times: make([]float64, s.n), final: make([]float64, s.n*d), status: make([]uint8, s.n),
	}, nil
}

// run integrates all trajectories, fpChunkTrajectories at a time per
// worker. It returns the context's error if the context is cancelled.
func (r *fpRun) run(ctx context.Context) error {
	groups := int64((r.n + fpChunkTrajectories - 1) / fpChunkTrajectories)
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
				lo := int(g) * fpChunkTrajectories
				for i := lo; i < min(lo+fpChunkTrajectories, r.n); i++ {
					if !w.trajectory(ctx, i) {
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// fpKernel advances one first-passage trajectory for one worker, with its
// own scratch space, so that steps do not allocate.
type fpKernel interface {
	// begin starts a trajectory at x0, at signed distance dist0 > 0 from
	// the target (any positive value for a target without a distance).
	begin(x0 []float64, dist0 float64)
	// advance advances the trajectory to step kEnd unless it arrives,
	// leaves the bound or meets a diffusion that is not positive
	// semi-definite first; it reports whether it is still running.
	advance(kEnd int) bool
	// end writes the trajectory's state into x and returns its status,
	// the steps taken and, if it arrived, its first-passage time in units
	// of dt.
	end(x []float64) (status uint8, taken int, hit float64)
}

// fpWorker integrates trajectories with its own generators and kernel.
type fpWorker struct {
	_        [64]byte
	pcg, bpc rand.PCG // the path's normals; the bridge's draws
	r        *fpRun
	k        fpKernel
	dist0    float64
	_        [64]byte
}

func (r *fpRun) newWorker() *fpWorker {
	w := &fpWorker{r: r, dist0: 1}
	if r.dist != nil {
		w.dist0 = r.dist.Distance(nil, r.p.X0)
	}
	br := bridge{on: r.correction == CorrectionBridge, u: rand.New(&w.bpc), th: r.p.Temperature * r.p.Dt}
	br.cut = bridgeCut * br.th
	if m := r.p.Model; m.Dim == 2 && m.Drift2 != nil {
		w.k = newFP2(r, &w.pcg, br)
	} else {
		w.k = newFPVec(r, &w.pcg, br)
	}
	return w
}

// bridgeSeed returns the seed words of the second generator of trajectory
// i, which draws the bridge correction's uniforms and normals: splitmix64
// hashes of the words of TrajectorySeed(seed, i), so that it is as
// independent of the worker as the first.
func bridgeSeed(seed uint64, i int) (uint64, uint64) {
	a, b := TrajectorySeed(seed, i)
	return splitmix64(a ^ 0x6a09e667f3bcc908), splitmix64(b ^ 0xbb67ae8584caa73b)
}

// trajectory integrates trajectory i and stores its result. It returns
// false if the context was cancelled.
func (w *fpWorker) trajectory(ctx context.Context, i int) bool {
	r := w.r
	w.pcg.Seed(TrajectorySeed(r.seed, i))
	w.bpc.Seed(bridgeSeed(r.seed, i))
	w.k.begin(r.p.X0, w.dist0)
	for k0 := 0; k0 < r.steps; k0 += chunkSteps {
		k1 := min(k0+chunkSteps, r.steps)
		running := w.k.advance(k1)
		if !running {
			k1 = r.steps // the remaining steps count as done
		}
		if r.progress != nil {
			r.progress(int64(k1 - k0))
		}
		if ctx.Err() != nil {
			return false
		}
		if !running {
			break
		}
	}
	d := r.p.Model.Dim
	st, taken, hit := w.k.end(r.final[i*d : (i+1)*d])
	r.status[i] = st
	r.taken.Add(int64(taken))
	switch st {
	case statusArrived:
		r.times[i] = hit * r.p.Dt
	case statusOK:
		r.times[i] = math.Inf(1)
	default:
		r.times[i] = math.NaN()
	}
	return true
}
