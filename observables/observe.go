package observables

import (
	"fmt"
	"math"
	"sort"

	"github.com/sgdsde/sgdsde/potentials"
)

// Options select what Observe computes; the zero value gives the defaults.
type Options struct {
	// MaxLag is the largest autocorrelation lag (0: min(100, L/4), at
	// least 1).
	MaxLag int
	// Segment is the Welch segment length (0: DefaultSegmentFor(L-1)).
	Segment int
	// DTimes are the recorded times of chain DChain at which the spectrum
	// of D is computed (nil: DefaultDTimes, first, middle and last).
	DTimes []int
	DChain int
	// Top is the number of leading eigenvalues of D listed (0: 10).
	Top int
	// GradTimes is the number of recorded times at which the gradient norm
	// is evaluated (0: 100).
	GradTimes int
	// AreaLags are the lags of the stochastic area (nil: DefaultAreaLags).
	AreaLags []int
	// Components is the number of principal components of the area for
	// d > MaxFullArea (0: DefaultComponents).
	Components int
	// Workers is the number of goroutines (<= 0: GOMAXPROCS).
	Workers int
	// NoDiffusion skips the spectra of D.
	NoDiffusion bool
}

// Observables gathers every observable of one set of trajectories.
type Observables struct {
	ACF      *ACF
	Spectrum *Spectrum
	D        []DSpectrum
	GradNorm *GradNorm
	Area     *Area
}

// Defaults returns o with its zero fields replaced by the defaults for
// trajectories of recorded length L.
func (o Options) Defaults(length int) Options {
	if o.MaxLag == 0 {
		o.MaxLag = max(1, min(100, length/4))
	}
	if o.DTimes == nil {
		o.DTimes = DefaultDTimes(length)
	}
	if o.Top == 0 {
		o.Top = 10
	}
	if o.GradTimes == 0 {
		o.GradTimes = 100
	}
	if o.AreaLags == nil {
		o.AreaLags = DefaultAreaLags(length)
	}
	if o.Components == 0 {
		o.Components = DefaultComponents
	}
	return o
}

// Validate checks o (after Defaults) against trajectories of recorded length
// L and K chains, before any work.
func (o Options) Validate(chains, length int) error {
	switch {
	case length < 5:
		return fmt.Errorf("%d recorded states per chain: the observables need at least 5", length)
	case o.MaxLag < 1 || o.MaxLag >= length:
		return fmt.Errorf("maximum lag %d: want 1 <= max lag < %d (the recorded length)", o.MaxLag, length)
	case o.Segment != 0 && (o.Segment < 4 || o.Segment > length-1):
		return fmt.Errorf("segment length %d: want 4 <= segment <= %d (the number of increments)", o.Segment, length-1)
	case o.DChain < 0 || o.DChain >= chains:
		return fmt.Errorf("chain %d for the spectra of D: the trajectories have chains 0 to %d", o.DChain, chains-1)
	case o.Top < 0:
		return fmt.Errorf("number of top eigenvalues %d: want at least 0", o.Top)
	case o.GradTimes < 1:
		return fmt.Errorf("number of gradient times %d: want at least 1", o.GradTimes)
	case o.Components < 1:
		return fmt.Errorf("number of principal components %d: want at least 1", o.Components)
	}
	for _, t := range o.DTimes {
		if t < 0 || t >= length {
			return fmt.Errorf("recorded time %d for the spectrum of D: want 0 to %d", t, length-1)
		}
	}
	for _, l := range o.AreaLags {
		if l < 1 || l >= length {
			return fmt.Errorf("area lag %d: want 1 <= lag < %d (the recorded length)", l, length)
		}
	}
	return nil
}

// Observe computes every observable of tr for the finite sum fs with the
// options o (zero fields: Defaults): Autocorrelation, IncrementSpectrum,
// DiffusionAt, GradientNorms and StochasticArea. Apply it to an SGD (or SDE)
// run and to its equilibrium null, the same run as the SDE with constant
// isotropic noise sqrt(2 T c) dW, c = GradNorm.MeanTraceD of the run (whose
// stationary law is exp(-f/(T c))/Z; see the package documentation), and
// read the difference (ObserveSets computes both together). It is
// ObserveSets with one set.
func Observe(fs potentials.FiniteSum, tr *Traj, o Options) (*Observables, error) {
	obs, err := ObserveSets(fs, []*Traj{tr}, o, nil)
	if se, ok := err.(*SetError); ok {
		return nil, se.Err
	}
	if err != nil {
		return nil, err
	}
	return obs[0], nil
}

// SetError is an error of ObserveSets about one of its sets.
type SetError struct {
	// Set is the index of the set; Err the error of its observables.
	Set int
	Err error
}

func (e *SetError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *SetError) Unwrap() error { return e.Err }

// ObserveSets computes Observe for each of several sets of trajectories of
// the same finite sum, together: every piece of every set (its
// autocorrelation, increment spectrum, stochastic area and gradient norms,
// and the spectrum of D at each of its times) is a task, and o.Workers
// goroutines (<= 0: GOMAXPROCS) take the tasks, the costliest first by an
// estimate of their flops, each task on one goroutine. The pieces with
// eigen-decompositions, which run on one core each, thus run side by side
// (the six spectra of D and the two areas of a run and its null). Each
// result is that of Observe on its set bit for bit, since no piece depends
// on the number of goroutines computing it. gradNorms, if not nil, holds
// for each set its GradientNorms already computed with o.GradTimes (nil
// entries are computed). An error about a set is a *SetError; they come in
// the order of the sets and, within a set, of Observe.
func ObserveSets(fs potentials.FiniteSum, trs []*Traj, o Options, gradNorms []*GradNorm) ([]*Observables, error) {
	if gradNorms != nil && len(gradNorms) != len(trs) {
		return nil, fmt.Errorf("%d gradient norms for %d sets of trajectories", len(gradNorms), len(trs))
	}
	opts := make([]Options, len(trs))
	for i, tr := range trs {
		if tr.Dim != fs.Dim() {
			return nil, &SetError{i, fmt.Errorf("trajectories of dimension %d for a model of dimension %d", tr.Dim, fs.Dim())}
		}
		opts[i] = o.Defaults(tr.Len)
		if err := opts[i].Validate(tr.Chains, tr.Len); err != nil {
			return nil, &SetError{i, err}
		}
	}
	type task struct {
		set, piece int // piece: 0 ACF, 1 spectrum, 2+j the j-th time of D, then gradient norms, then area
		cost       float64
		err        error
	}
	out := make([]*Observables, len(trs))
	var tasks []task
	d, n := float64(fs.Dim()), float64(fs.Samples())
	m := math.Min(d, n)
	for i, tr := range trs {
		out[i] = &Observables{}
		op := opts[i]
		K, L := float64(tr.Chains), float64(tr.Len)
		nd := 0
		if !op.NoDiffusion {
			nd = len(op.DTimes)
			out[i].D = make([]DSpectrum, nd)
		}
		tasks = append(tasks, task{set: i, piece: 0, cost: 10 * K * L * d * math.Log2(2*L)},
			task{set: i, piece: 1, cost: 10 * K * L * d * math.Log2(2*L)})
		for j := 0; j < nd; j++ {
			tasks = append(tasks, task{set: i, piece: 2 + j, cost: n*d*m + 4.0/3*m*m*m})
		}
		if gradNorms == nil || gradNorms[i] == nil {
			tasks = append(tasks, task{set: i, piece: 2 + nd, cost: 10 * K * float64(min(op.GradTimes, tr.Len)) * n * d})
		} else {
			out[i].GradNorm = gradNorms[i]
		}
		areaCost := K * L * d * d
		if states := K * L; tr.Dim > MaxFullArea && d > states {
			areaCost = states*states*d + 10*states*states*states // through the Gram matrix of the states
		} else if tr.Dim > MaxFullArea {
			areaCost += 10 * d * d * d // the principal components (eigenvectors)
		}
		tasks = append(tasks, task{set: i, piece: 3 + nd, cost: areaCost})
	}
	order := make([]int, len(tasks))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool { return tasks[order[a]].cost > tasks[order[b]].cost })
	parallel(len(order), o.Workers, func(_, k int) {
		t := &tasks[order[k]]
		tr, op, obs := trs[t.set], opts[t.set], out[t.set]
		nd := len(obs.D)
		var err error
		switch {
		case t.piece == 0:
			obs.ACF, err = Autocorrelation(tr, op.MaxLag, 1)
		case t.piece == 1:
			obs.Spectrum, err = IncrementSpectrum(tr, op.Segment, 1)
		case t.piece < 2+nd:
			var ds []DSpectrum
			if ds, err = DiffusionAt(fs, tr, op.DChain, op.DTimes[t.piece-2:t.piece-1], op.Top, 1); err == nil {
				obs.D[t.piece-2] = ds[0]
			}
		case t.piece == 2+nd:
			obs.GradNorm, err = GradientNorms(fs, tr, op.GradTimes, 1)
		default:
			obs.Area, err = StochasticArea(tr, op.AreaLags, op.Components, 1)
		}
		t.err = err
	})
	// The first error in the order of the sets and of Observe's pieces
	// (ACF, spectrum, D, gradient norms, area), whatever ran first.
	for i := range trs {
		for _, t := range tasks {
			if t.set == i && t.err != nil {
				return nil, &SetError{i, t.err}
			}
		}
	}
	return out, nil
}
