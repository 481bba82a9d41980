package sde

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sgdsde/sgdsde/potentials"
)

// ErrTooLarge reports run sizes whose arrays cannot be allocated at all: an
// array longer than an int indexes or larger than maxArrayBytes. It is
// potentials.ErrTooLarge, so one errors.Is test covers models and runs.
var ErrTooLarge = potentials.ErrTooLarge

// maxArrayBytes bounds the bytes of one array (128 TiB), below the Go
// runtime's limit for one allocation (256 TiB on 64-bit platforms), so that
// sizes beyond it give an error instead of a panic in make.
const maxArrayBytes = 1 << 47

// sizer adds up the bytes of a run's arrays and records the first array
// whose length or bytes overflow.
type sizer struct {
	bytes int64
	err   error
}

// add counts an array of elemBytes-byte elements with the given dimensions,
// described by what for an error.
func (s *sizer) add(what string, elemBytes int64, dims ...int) {
	if s.err != nil {
		return
	}
	n := int64(1)
	over := false
	for _, v := range dims {
		switch {
		case v < 0:
			s.err = fmt.Errorf("%s: negative size in %s", what, dimsText(dims))
			return
		case v == 0:
			n, over = 0, false
		case !over && n > math.MaxInt64/int64(v):
			over = true
		case !over:
			n *= int64(v)
		}
	}
	if n == 0 {
		return
	}
	if over || n > math.MaxInt || n > maxArrayBytes/elemBytes {
		s.err = fmt.Errorf("%w: %s of %s values, more than one array can hold (%d bytes)",
			ErrTooLarge, what, dimsText(dims), int64(maxArrayBytes))
		return
	}
	s.bytes += n * elemBytes // at most a dozen arrays of 2^47 bytes each
}

// dimsText formats dimensions as "100000 x 2 x 2".
func dimsText(dims []int) string {
	parts := make([]string, len(dims))
	for i, v := range dims {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, " x ")
}

// MemoryEstimate returns the bytes that Run allocates for the ensemble e on
// a d-dimensional problem with the given number of recorded steps
// (Problem.Steps): per trajectory the final state (d), the time average
// (d), the sums of squares (d x d), the angular momentum, the status and a
// slot of the list of diverged trajectories; the recorded trajectories
// (Record x steps/Every x d); and every worker's scratch space. Nothing is
// allocated. It returns an error for invalid settings (those Run refuses)
// and an error wrapping ErrTooLarge, naming the array and its sizes, when
// an array cannot be allocated at all.
func (e *Ensemble) MemoryEstimate(d, steps int) (int64, error) {
	st, err := e.settings().check("trajectories")
	if err != nil {
		return 0, err
	}
	every, workers := st.every, st.workers
	if d < 1 || steps < 1 {
		return 0, fmt.Errorf("dimension %d and steps %d: want both at least 1", d, steps)
	}
	n := e.N
	var s sizer
	s.add("final states", 8, n, d)
	s.add("time averages", 8, n, d)
	s.add("sums of squares", 8, n, d, d)
	s.add("angular momenta", 8, n)
	s.add("list of diverged trajectories", 8, n)
	s.add("status flags", 1, n)
	s.add("recorded trajectories", 8, e.Record, steps/every, d)
	// Per worker: x, x', z, the drift and the running sums (5d), D, its
	// factor and the sums of squares (3 d^2).
	s.add("worker vectors", 8, workers, 5, d)
	s.add("worker matrices", 8, workers, 3, d, d)
	return s.bytes, s.err
}

// MemoryEstimate returns the bytes that SGD or SDE allocates for the run r
// on a finite sum of dimension d with the given number of samples N, batch
// size and recorded steps: per chain the final state (d), the time average
// (d), the status and a slot of the list of diverged chains; per group of
// chains the merged mean and, when d <= SGDCovMaxDim, sums of squares; the
// recorded chains (Record x steps/Every x d); and every worker's scratch
// space in the costliest kind of run (the exact-noise SDE draws N normals a
// step, SGD without replacement keeps a permutation of the N samples). The
// model's own data are not included (see potentials.SizeOfFiniteSum).
// Nothing is allocated. Errors as for Ensemble.MemoryEstimate.
func (r *SGDRun) MemoryEstimate(d, samples, batch, steps int) (int64, error) {
	st, err := r.settings().check("chains")
	if err != nil {
		return 0, err
	}
	every, workers := st.every, st.workers
	if d < 1 || samples < 1 || batch < 0 || steps < 1 {
		return 0, fmt.Errorf("dimension %d, samples %d, batch %d and steps %d: want d, samples and steps at least 1", d, samples, batch, steps)
	}
	n := r.N
	gsize := sgdGroupSize(n)
	groups := n / gsize
	if n%gsize != 0 {
		groups++
	}
	cov := 0
	if d <= SGDCovMaxDim {
		cov = d
	}
	var s sizer
	s.add("final states", 8, n, d)
	s.add("time averages", 8, n, d)
	s.add("status flags", 1, n)
	s.add("list of diverged chains", 8, n)
	s.add("group means", 8, groups, d+1)
	s.add("group sums of squares", 8, groups, cov, cov)
	s.add("recorded chains", 8, r.Record, steps/every, d)
	s.add("result", 8, 6, d)
	s.add("result covariance", 8, cov, cov)
	// Per worker: x, x', v, g, g_k, xi, the running sums and the noise
	// sampler's two vectors (9d), the sums of squares and M2 (2 d^2 when
	// the covariance is kept), the batch, and N normals or a permutation
	// of the N samples.
	s.add("worker vectors", 8, workers, 9, d)
	s.add("worker sums of squares", 8, workers, 2, cov, cov)
	s.add("worker batches", 8, workers, batch)
	s.add("worker normals", 8, workers, samples)
	return s.bytes, s.err
}
