package sde

import "math"

// vecStep is one step of a d-dimensional method: general Euler–Maruyama,
// mini-batch SGD, or the finite-sum SDE with exact or isotropic noise.
type vecStep interface {
	// reset prepares the state kept between steps (momentum, permutation)
	// for a new trajectory.
	reset()
	// step advances x by one step. It reports false, leaving x unchanged,
	// if the diffusion at x is not positive semi-definite.
	step(x []float64) bool
}

// vecStepper is the stepper of the d-dimensional methods: it advances one
// trajectory at a time by a vecStep, checks the bound and accumulates the
// statistics and the record after the burn-in.
type vecStepper struct {
	s      vecStep
	x, xp  []float64
	tally  *tally
	x0     []float64 // reference point of the running sums
	bound  float64
	burnIn int
	steps  int
	every  int
	// angular accumulates the angular momentum x1 dx2 - x2 dx1 of a 2-D
	// trajectory with time step dt.
	angular bool
	dt      float64

	k      int // index of the next step
	status uint8
	lsum   float64
}

// newVecStepper returns a stepper advancing the trajectories of r by s
// with time step dt (used for the angular momentum rate).
func (r *runner) newVecStepper(s vecStep, dt float64) *vecStepper {
	return &vecStepper{
		s: s, x: make([]float64, r.d), xp: make([]float64, r.d), tally: newTally(r.d, r.cov),
		x0: r.x0, bound: r.bound, burnIn: r.burnIn, steps: r.steps, every: r.every,
		angular: r.angular, dt: dt,
	}
}

func (v *vecStepper) lanes() int { return 1 }

func (v *vecStepper) begin(_ int, x0, rec []float64) {
	copy(v.x, x0)
	v.s.reset()
	v.tally.reset(v.x0, rec, v.every)
	v.k, v.status, v.lsum = 0, statusOK, 0
}

func (v *vecStepper) advance(_, kEnd int) bool {
	if v.status != statusOK {
		return false
	}
	s, x, xp, tl := v.s, v.x, v.xp, v.tally
	bound, burnIn, angular, lsum := v.bound, v.burnIn, v.angular, v.lsum
	status := uint8(statusOK)
	k := v.k
	for ; k < kEnd; k++ {
		copy(xp, x)
		if !s.step(x) {
			status = statusNotPSD
			break
		}
		for _, c := range x {
			if !(math.Abs(c) <= bound) {
				status = statusDiverged
				break
			}
		}
		if status != statusOK {
			copy(x, xp)
			break
		}
		if k >= burnIn {
			if angular {
				lsum += xp[0]*x[1] - xp[1]*x[0]
			}
			tl.add(x)
		}
	}
	v.k, v.status, v.lsum = k, status, lsum
	return status == statusOK
}

func (v *vecStepper) end(_ int, x, mean, m2 []float64) (uint8, float64) {
	copy(x, v.x)
	if v.status != statusOK {
		v.tally.diverged(v.x)
		return v.status, 0
	}
	n := float64(v.steps)
	v.tally.moments(mean, m2, n)
	if !v.angular {
		return statusOK, 0
	}
	return statusOK, v.lsum / (n * v.dt)
}
