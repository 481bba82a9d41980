package sde

import (
	"math"
	"math/rand/v2"
)

// emStep is one step of the general Euler–Maruyama kernel, for any
// dimension.
type emStep struct {
	em    *EulerMaruyama
	rng   *rand.Rand
	z     []float64
	h, sh float64 // dt and sqrt(dt)
}

func newEMStep(p *Problem, rng *rand.Rand) *emStep {
	return &emStep{
		em: NewEulerMaruyama(p.Model, p.Temperature), rng: rng,
		z: scratch(p.Model.Dim), h: p.Dt, sh: math.Sqrt(p.Dt),
	}
}

func (s *emStep) reset() {}

func (s *emStep) step(x []float64) bool {
	for a := range s.z {
		s.z[a] = s.rng.NormFloat64()
	}
	return s.em.step(x, s.h, s.sh, s.z)
}

// pair2 is the Euler–Maruyama stepper of 2-D models with the scalar fast
// paths Drift2 and Diffusion2. It advances two trajectories in one loop so
// that their independent dependency chains (each step waits on the
// previous one through two square roots) overlap in the CPU; pairing does
// not change any result.
type pair2 struct {
	drift  func(x, y float64) (float64, float64)
	diff   func(x, y float64) (float64, float64, float64)
	h, c   float64 // dt and sqrt(2 T dt)
	bound  float64
	burnIn int
	steps  int
	every  int
	x0, y0 float64 // reference point of the running sums
	pair   [2]lane2
}

// lane2 is the state of one trajectory of pair2.
type lane2 struct {
	rng                         *rand.Rand
	x, y                        float64
	sx, sy, sxx, sxy, syy, lsum float64
	k                           int // index of the next step
	countdown, written          int
	rec                         []float64
	status                      uint8
}

// newPair2 returns the paired 2-D stepper of r for problem p, lane l
// drawing from rng[l].
func (r *runner) newPair2(p *Problem, rng [2]*rand.Rand) *pair2 {
	s := &pair2{
		drift: p.Model.Drift2, diff: p.Model.Diffusion2,
		h: p.Dt, c: math.Sqrt(2 * p.Temperature * p.Dt), bound: r.bound,
		burnIn: r.burnIn, steps: r.steps, every: r.every,
		x0: p.X0[0], y0: p.X0[1],
	}
	s.pair[0].rng, s.pair[1].rng = rng[0], rng[1]
	return s
}

func (s *pair2) lanes() int { return 2 }

func (s *pair2) begin(l int, x0, rec []float64) {
	ln := &s.pair[l]
	*ln = lane2{rng: ln.rng, x: x0[0], y: x0[1], countdown: s.every, rec: rec}
}

func (s *pair2) advance(n, kEnd int) bool {
	a, b := &s.pair[0], &s.pair[1]
	if n == 2 && a.status == statusOK && b.status == statusOK {
		// Runs to kEnd unless a lane fails; step2 then finishes each lane.
		s.step2x2(a, b, kEnd)
	}
	running := false
	for l := range n {
		ln := &s.pair[l]
		if ln.status == statusOK && ln.k < kEnd {
			s.step2(ln, kEnd)
		}
		running = running || ln.status == statusOK
	}
	return running
}

func (s *pair2) end(l int, x, mean, m2 []float64) (uint8, float64) {
	ln := &s.pair[l]
	x[0], x[1] = ln.x, ln.y
	if ln.status != statusOK {
		fillRecord(ln.rec, 2, ln.written, ln.x, ln.y)
		return ln.status, 0
	}
	n := float64(s.steps)
	mx, my := ln.sx/n, ln.sy/n
	mean[0], mean[1] = s.x0+mx, s.y0+my
	if m2 != nil {
		m2[0] = ln.sxx - ln.sx*mx
		m2[1] = ln.sxy - ln.sx*my
		m2[2] = m2[1]
		m2[3] = ln.syy - ln.sy*my
	}
	return statusOK, ln.lsum / (n * s.h)
}

// step2 advances one lane up to step kEnd or until it fails.
func (s *pair2) step2(l *lane2, kEnd int) {
	drift, diff := s.drift, s.diff
	h, c, bound, burn := s.h, s.c, s.bound, s.burnIn
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
			s.accumulate(l, x, y, xn, yn)
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
func (s *pair2) step2x2(a, b *lane2, kEnd int) {
	drift, diff := s.drift, s.diff
	h, c, bound, burn := s.h, s.c, s.bound, s.burnIn
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
					s.accumulate(a, xa, ya, xna, yna)
				}
				xa, ya = xna, yna
				a.k = k + 1
				b.status, b.k = statusDiverged, k
			} else {
				a.status, a.k = statusDiverged, k
				if inB {
					if k >= burn {
						s.accumulate(b, xb, yb, xnb, ynb)
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
			s.accumulate(a, xa, ya, xna, yna)
			s.accumulate(b, xb, yb, xnb, ynb)
		}
		xa, ya, xb, yb = xna, yna, xnb, ynb
	}
	a.x, a.y, b.x, b.y = xa, ya, xb, yb
	a.k, b.k = k, k
}

// accumulate adds the step (x, y) -> (xn, yn) to a lane's running sums and
// records xn every s.every steps.
func (s *pair2) accumulate(l *lane2, x, y, xn, yn float64) {
	l.lsum += x*yn - y*xn
	dx, dy := xn-s.x0, yn-s.y0
	l.sx += dx
	l.sy += dy
	l.sxx += dx * dx
	l.sxy += dx * dy
	l.syy += dy * dy
	if l.rec != nil {
		s.record(l, xn, yn)
	}
}

// record stores (x, y) in a recorded lane every s.every post-burn-in steps.
func (s *pair2) record(l *lane2, x, y float64) {
	l.countdown--
	if l.countdown == 0 {
		l.countdown = s.every
		if 2*l.written < len(l.rec) {
			l.rec[2*l.written] = x
			l.rec[2*l.written+1] = y
			l.written++
		}
	}
}
