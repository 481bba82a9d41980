package sde

// tally accumulates one trajectory's statistics after the burn-in: the sums
// of x - x0 and, unless s2 is nil, of (x - x0)(x - x0)^T (shifting by x0
// keeps the sums small), and it records the state every `every` steps into
// rec (nil: not recorded). vecStepper uses it for every d-dimensional
// method (general Euler–Maruyama, SGD, the finite-sum SDE), so their
// statistics are computed alike.
type tally struct {
	x0                        []float64
	s1, s2                    []float64
	rec                       []float64
	every, countdown, written int
}

// newTally returns a tally for dimension d; withSquares keeps s2.
func newTally(d int, withSquares bool) *tally {
	t := &tally{s1: make([]float64, d)}
	if withSquares {
		t.s2 = make([]float64, d*d)
	}
	return t
}

// reset starts a trajectory from x0 recording into rec every `every` steps.
func (t *tally) reset(x0, rec []float64, every int) {
	t.x0, t.rec, t.every, t.countdown, t.written = x0, rec, every, every, 0
	clear(t.s1)
	clear(t.s2)
}

// add accumulates the state x reached by a post-burn-in step.
func (t *tally) add(x []float64) {
	d := len(x)
	for a := 0; a < d; a++ {
		da := x[a] - t.x0[a]
		t.s1[a] += da
		if t.s2 != nil {
			row := t.s2[a*d : (a+1)*d]
			for b := range row {
				row[b] += da * (x[b] - t.x0[b])
			}
		}
	}
	if t.rec != nil {
		t.countdown--
		if t.countdown == 0 {
			t.countdown = t.every
			if (t.written+1)*d <= len(t.rec) {
				copy(t.rec[t.written*d:(t.written+1)*d], x)
				t.written++
			}
		}
	}
}

// moments writes the time average over n steps into mean and, when m2 is
// not nil, the sum of squared deviations from it, sum (x - mean)(x - mean)^T.
func (t *tally) moments(mean, m2 []float64, n float64) {
	d := len(t.s1)
	for a := 0; a < d; a++ {
		mean[a] = t.x0[a] + t.s1[a]/n
		if m2 != nil {
			for b := 0; b < d; b++ {
				m2[a*d+b] = t.s2[a*d+b] - t.s1[a]*t.s1[b]/n
			}
		}
	}
}

// diverged repeats the last finite state x through the unwritten rest of
// the record.
func (t *tally) diverged(x []float64) {
	if t.rec != nil {
		fillRecord(t.rec, len(x), t.written, x...)
	}
}

// fillRecord repeats the last finite state through the unwritten rest of a
// recorded trajectory that diverged after writing its first written states.
func fillRecord(rec []float64, d, written int, last ...float64) {
	for j := written; j < len(rec)/d; j++ {
		copy(rec[j*d:(j+1)*d], last)
	}
}
