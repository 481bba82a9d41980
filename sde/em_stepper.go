package sde

import (
	"math"
	"math/rand/v2"
)

// emStep is one step of the general Euler–Maruyama kernel, for any
// dimension.
type emStep struct {
	em    *EulerMaruyama
	pcg   *rand.PCG
	z     []float64
	h, sh float64 // dt and sqrt(dt)
}

func newEMStep(p *Problem, pcg *rand.PCG) *emStep {
	return &emStep{
		em: NewEulerMaruyama(p.Model, p.Temperature), pcg: pcg,
		z: scratch(p.Model.Dim), h: p.Dt, sh: math.Sqrt(p.Dt),
	}
}

func (s *emStep) reset() {}

func (s *emStep) step(x []float64) bool {
	// Normals in pairs, one generator output each; an odd dimension
	// leaves the second of the last pair unused.
	z := s.z
	for a := 0; a < len(z); a += 2 {
		z0, z1 := normalPair(s.pcg)
		z[a] = z0
		if a+1 < len(z) {
			z[a+1] = z1
		}
	}
	return s.em.step(x, s.h, s.sh, s.z)
}

// laneCount is the number of trajectories the 2-D stepper advances in
// lockstep.
const laneCount = 4

// lanes2 is the Euler–Maruyama stepper of 2-D models with the scalar fast
// paths Drift2 and Diffusion2. It advances up to laneCount trajectories in
// lockstep, one step of each in turn, so that their independent dependency
// chains (each step waits on the previous one through a division and two
// square roots) overlap in the CPU. Each lane does exactly the arithmetic
// it would do alone, so the grouping does not change any result.
type lanes2 struct {
	drift  func(x, y float64) (float64, float64)
	diff   func(x, y float64) (float64, float64, float64)
	h, c   float64 // dt and sqrt(2 T dt)
	bound  float64
	burnIn int
	steps  int
	every  int
	x0, y0 float64 // reference point of the running sums
	k      int     // index of the next step of the running lanes
	lane   [laneCount]lane2
}

// lane2 is the state of one trajectory of lanes2.
type lane2 struct {
	pcg                         *rand.PCG
	x, y                        float64
	sx, sy, sxx, sxy, syy, lsum float64
	countdown, written          int
	rec                         []float64
	status                      uint8
}

// newLanes2 returns the 2-D stepper of r for problem p, lane l drawing
// from pcg[l].
func (r *runner) newLanes2(p *Problem, pcg []*rand.PCG) *lanes2 {
	s := &lanes2{
		drift: p.Model.Drift2, diff: p.Model.Diffusion2,
		h: p.Dt, c: math.Sqrt(2 * p.Temperature * p.Dt), bound: r.bound,
		burnIn: r.burnIn, steps: r.steps, every: r.every,
		x0: p.X0[0], y0: p.X0[1],
	}
	for l := range s.lane {
		s.lane[l].pcg = pcg[l]
	}
	return s
}

func (s *lanes2) lanes() int { return laneCount }

func (s *lanes2) begin(l int, x0, rec []float64) {
	ln := &s.lane[l]
	*ln = lane2{pcg: ln.pcg, x: x0[0], y: x0[1], countdown: s.every, rec: rec}
	s.k = 0
}

func (s *lanes2) advance(n, kEnd int) bool {
	var act [laneCount]*lane2
	na := 0
	for l := range n {
		if ln := &s.lane[l]; ln.status == statusOK {
			act[na] = ln
			na++
		}
	}
	k := s.k
	for k < kEnd && na > 0 {
		stop, acc := kEnd, k >= s.burnIn
		if !acc {
			stop = min(kEnd, s.burnIn)
		}
		k, na = s.run(&act, na, k, stop, acc)
	}
	s.k = k
	return na > 0
}

// run advances the na lanes act[:na] from step k to step stop, each until
// it fails, accumulating the statistics if acc. It returns the step
// reached and the number of lanes still running, which it moves to the
// front of act. Each step first evaluates the model and factors D at
// every lane, then draws the normals and moves every lane: the square
// roots and divisions of the lanes, the longest latencies of a step, then
// follow one another closely and overlap, and the second loop calls
// nothing on its common path.
func (s *lanes2) run(act *[laneCount]*lane2, na, k, stop int, acc bool) (int, int) {
	drift, diff := s.drift, s.diff
	h, c, bound, x0, y0 := s.h, s.c, s.bound, s.x0, s.y0
	var mx, my, l11, l21, l22 [laneCount]float64
	for ; k < stop; k++ {
		failed := false
		for j, ln := range act[:na] {
			x, y := ln.x, ln.y
			bx, by := drift(x, y)
			a, b, d := diff(x, y)
			mx[j], my[j] = x+bx*h, y+by*h
			// cholScaled, its common case written out.
			if det := a*d - b*b; a > 0 && det >= 0 {
				r := math.Sqrt(a)
				ir := c / r
				l11[j], l21[j], l22[j] = c*r, b*ir, math.Sqrt(det)*ir
				continue
			}
			var ok bool
			if l11[j], l21[j], l22[j], ok = cholScaled(a, b, d, c); !ok {
				ln.status = statusNotPSD
				failed = true
			}
		}
		for j, ln := range act[:na] {
			if ln.status != statusOK {
				continue
			}
			// Two standard normals from one output: normalPair's fast
			// path, written out.
			pcg := ln.pcg
			u := pcg.Uint64()
			z0, ok0 := zigFast(u & 0xffffffff)
			z1, ok1 := zigFast(u >> 32)
			if !ok0 {
				z0 = normalSlow(pcg, u&0xffffffff)
			}
			if !ok1 {
				z1 = normalSlow(pcg, u>>32)
			}
			xn := mx[j] + l11[j]*z0
			yn := my[j] + (l21[j]*z0 + l22[j]*z1)
			if !(math.Abs(xn) <= bound && math.Abs(yn) <= bound) {
				ln.status = statusDiverged
				failed = true
				continue
			}
			if acc {
				// The running sums of the step x -> xn.
				x, y := ln.x, ln.y
				ln.lsum += x*yn - y*xn
				ex, ey := xn-x0, yn-y0
				ln.sx += ex
				ln.sy += ey
				ln.sxx += ex * ex
				ln.sxy += ex * ey
				ln.syy += ey * ey
				if ln.rec != nil {
					s.record(ln, xn, yn)
				}
			}
			ln.x, ln.y = xn, yn
		}
		if failed {
			na = compact(act, na)
			if na == 0 {
				return k + 1, 0
			}
		}
	}
	return k, na
}

// compact moves the running lanes of act[:na] to its front, in order, and
// returns their number.
func compact(act *[laneCount]*lane2, na int) int {
	m := 0
	for _, ln := range act[:na] {
		if ln.status == statusOK {
			act[m] = ln
			m++
		}
	}
	return m
}

func (s *lanes2) end(l int, x, mean, m2 []float64) (uint8, float64) {
	ln := &s.lane[l]
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

// record stores (x, y) in a recorded lane every s.every post-burn-in steps.
func (s *lanes2) record(l *lane2, x, y float64) {
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
