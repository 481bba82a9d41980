package observables

import (
	"fmt"

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
// read the difference.
func Observe(fs potentials.FiniteSum, tr *Traj, o Options) (*Observables, error) {
	if tr.Dim != fs.Dim() {
		return nil, fmt.Errorf("trajectories of dimension %d for a model of dimension %d", tr.Dim, fs.Dim())
	}
	o = o.Defaults(tr.Len)
	if err := o.Validate(tr.Chains, tr.Len); err != nil {
		return nil, err
	}
	var obs Observables
	var err error
	if obs.ACF, err = Autocorrelation(tr, o.MaxLag, o.Workers); err != nil {
		return nil, err
	}
	if obs.Spectrum, err = IncrementSpectrum(tr, o.Segment, o.Workers); err != nil {
		return nil, err
	}
	if !o.NoDiffusion {
		if obs.D, err = DiffusionAt(fs, tr, o.DChain, o.DTimes, o.Top, o.Workers); err != nil {
			return nil, err
		}
	}
	if obs.GradNorm, err = GradientNorms(fs, tr, o.GradTimes, o.Workers); err != nil {
		return nil, err
	}
	if obs.Area, err = StochasticArea(tr, o.AreaLags, o.Components, o.Workers); err != nil {
		return nil, err
	}
	return &obs, nil
}
