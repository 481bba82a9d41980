package sde

import (
	"math"
	"math/rand/v2"
)

// bridge decides the crossings between steps of CorrectionBridge and draws
// their times, from the second generator of the trajectory.
type bridge struct {
	on  bool
	u   *rand.Rand
	th  float64 // T dt
	cut float64 // bridgeCut T dt
}

// skip reports whether a step from signed distance a > 0 to b > 0, with
// tr D(x_n) = tr, certainly has a crossing probability below exp(-bridgeCut).
func (br *bridge) skip(a, b, tr float64) bool {
	return a*b > br.cut*tr
}

// cross decides whether the path crossed the boundary during a step from
// signed distance a > 0 to b, with q = n^T D(x_n) n the diffusion along the
// normal, and returns the fraction of the step (in (0, 1]) at which it
// first crossed. A step that ends in the target (b <= 0) always crossed.
// Without the correction only b <= 0 counts, at the end of the step.
func (br *bridge) cross(a, b, q float64) (float64, bool) {
	if !br.on {
		return 1, b <= 0
	}
	if math.IsNaN(b) {
		return 0, false // a distance function that failed: not an arrival
	}
	if !(q > 0) {
		// No noise along the normal: the path is the straight line.
		if b <= 0 {
			return a / (a - b), true
		}
		return 0, false
	}
	vh := 2 * br.th * q // variance along the normal over the step
	if b > 0 {
		e := 2 * a * b / vh
		if e > bridgeCut || br.u.Float64() >= math.Exp(-e) {
			return 0, false
		}
	}
	// The crossing time s in (0, dt]: u = s/(dt - s) is inverse Gaussian
	// with mean a/|b| (1/nu) and shape lambda = a^2/(v dt). Michael,
	// Schucany & Haas's draw, written in nu so that b = 0 (nu = 0, the Levy
	// law u = lambda/z^2) needs no special case and the root does not
	// cancel: x = mu/(1 + r + sqrt(r^2 + 2r)) with r = mu y/(2 lambda).
	lambda := a * a / vh
	nu := math.Abs(b) / a
	z := br.u.NormFloat64()
	y := z * z
	y2 := y / (2 * lambda)
	x := 1 / (nu + y2 + math.Sqrt(y2*y2+nu*y/lambda))
	if br.u.Float64()*(1+nu*x) > 1 {
		x = 1 / (nu * nu * x)
	}
	return 1 / (1 + 1/x), true
}

// Kinds of targets whose distance the kernels evaluate inline.
const (
	shapeOther = iota // through the Target's methods
	shapeDisc
	shapeHalf
)

// shape evaluates a target's signed distance and normal: a Disc or a
// HalfSpace inline, any other target through its methods (±1 for a target
// without a distance, which the kernels then use for membership only).
type shape struct {
	kind   int
	c      []float64 // disc centre, or half-space unit normal
	r      float64   // disc radius, or half-space level over |normal|
	target Target
	dist   DistanceTarget
}

func newShape(t Target, dist DistanceTarget) shape {
	s := shape{kind: shapeOther, target: t, dist: dist}
	switch t := t.(type) {
	case Disc:
		s.kind, s.c, s.r = shapeDisc, t.Centre, t.Radius
	case HalfSpace:
		var nn float64
		for _, v := range t.Normal {
			nn += v * v
		}
		n := math.Sqrt(nn)
		s.kind, s.c, s.r = shapeHalf, scratch(len(t.Normal)), t.Level/n
		for i, v := range t.Normal {
			s.c[i] = v / n
		}
	}
	return s
}

// distance returns the signed distance of x and, if normal is not nil,
// writes the unit normal there into it.
func (s *shape) distance(normal, x []float64) float64 {
	switch s.kind {
	case shapeDisc:
		var r2 float64
		for i, v := range x {
			e := v - s.c[i]
			r2 += e * e
		}
		r := math.Sqrt(r2)
		if normal != nil {
			if r == 0 {
				clear(normal)
				normal[0] = 1
			} else {
				for i, v := range x {
					normal[i] = (v - s.c[i]) / r
				}
			}
		}
		return r - s.r
	case shapeHalf:
		var dot float64
		for i, v := range x {
			dot += s.c[i] * v
		}
		copy(normal, s.c)
		return dot - s.r
	}
	if s.dist != nil {
		return s.dist.Distance(normal, x)
	}
	if s.target.Contains(x) {
		return -1
	}
	return 1
}

// fp2 is the first-passage kernel of 2-D models with the scalar fast paths
// Drift2 and Diffusion2: the step of lanes2.run, arithmetic for
// arithmetic, so that a trajectory follows the same path as in an
// Ensemble. Discs and half-spaces are evaluated inline.
type fp2 struct {
	drift func(x, y float64) (float64, float64)
	diff  func(x, y float64) (float64, float64, float64)
	h, c  float64 // dt and sqrt(2 T dt)
	bound float64
	pcg   *rand.PCG
	br    bridge
	shape shape
	// a, b, e are the disc's centre and radius, or the half-space's unit
	// normal and level.
	a, b, e float64
	pt, nv  []float64 // scratch point and normal for other targets

	x, y, d float64 // state and its signed distance
	k       int     // index of the next step
	status  uint8
	hit     float64 // arrival time in steps
}

func newFP2(r *fpRun, pcg *rand.PCG, br bridge) *fp2 {
	p := r.p
	s := &fp2{
		drift: p.Model.Drift2, diff: p.Model.Diffusion2,
		h: p.Dt, c: math.Sqrt(2 * p.Temperature * p.Dt), bound: r.bound,
		pcg: pcg, br: br, shape: newShape(r.target, r.dist),
		pt: scratch(2), nv: scratch(2),
	}
	if s.shape.kind != shapeOther {
		s.a, s.b, s.e = s.shape.c[0], s.shape.c[1], s.shape.r
	}
	return s
}

func (s *fp2) begin(x0 []float64, dist0 float64) {
	s.x, s.y, s.d, s.k, s.status, s.hit = x0[0], x0[1], dist0, 0, statusOK, 0
}

// distance returns the signed distance of (x, y) from a target that is
// neither a disc nor a half-space.
func (s *fp2) distance(x, y float64) float64 {
	s.pt[0], s.pt[1] = x, y
	return s.shape.distance(nil, s.pt)
}

// diffusionAlongNormal returns n^T D n for the target's normal n at (x, y)
// and D = [[da, db], [db, dd]].
func (s *fp2) diffusionAlongNormal(x, y, da, db, dd float64) float64 {
	s.pt[0], s.pt[1] = x, y
	s.shape.distance(s.nv, s.pt)
	nx, ny := s.nv[0], s.nv[1]
	return nx*nx*da + 2*nx*ny*db + ny*ny*dd
}

func (s *fp2) advance(kEnd int) bool {
	if s.status != statusOK {
		return false
	}
	drift, diff := s.drift, s.diff
	h, c, bound := s.h, s.c, s.bound
	pcg := s.pcg
	kind, ta, tb, te := s.shape.kind, s.a, s.b, s.e
	on := s.br.on
	x, y, d := s.x, s.y, s.d
	k := s.k
	for ; k < kEnd; k++ {
		bx, by := drift(x, y)
		da, db, dd := diff(x, y)
		// cholScaled, its common case written out.
		var l11, l21, l22 float64
		if det := da*dd - db*db; da > 0 && det >= 0 {
			r := math.Sqrt(da)
			ir := c / r
			l11, l21, l22 = c*r, db*ir, math.Sqrt(det)*ir
		} else {
			var ok bool
			if l11, l21, l22, ok = cholScaled(da, db, dd, c); !ok {
				s.status = statusNotPSD
				break
			}
		}
		// Two standard normals from one output: normalPair's fast path,
		// written out.
		u := pcg.Uint64()
		z0, ok0 := zigFast(u & 0xffffffff)
		z1, ok1 := zigFast(u >> 32)
		if !ok0 {
			z0 = normalSlow(pcg, u&0xffffffff)
		}
		if !ok1 {
			z1 = normalSlow(pcg, u>>32)
		}
		xn := x + bx*h + l11*z0
		yn := y + by*h + (l21*z0 + l22*z1)
		if !(math.Abs(xn) <= bound && math.Abs(yn) <= bound) {
			s.status = statusDiverged
			break
		}
		var dn float64
		switch kind {
		case shapeDisc:
			ex, ey := xn-ta, yn-tb
			dn = math.Sqrt(ex*ex+ey*ey) - te
		case shapeHalf:
			dn = ta*xn + tb*yn - te
		default:
			dn = s.distance(xn, yn)
		}
		if dn <= 0 || (on && !s.br.skip(d, dn, da+dd)) {
			q := 0.0
			if on {
				q = s.diffusionAlongNormal(x, y, da, db, dd)
			}
			if frac, hit := s.br.cross(d, dn, q); hit {
				s.status, s.hit = statusArrived, float64(k)+frac
				x, y = xn, yn
				k++
				break
			}
		}
		x, y, d = xn, yn, dn
	}
	s.x, s.y, s.d, s.k = x, y, d, k
	return s.status == statusOK
}

func (s *fp2) end(x []float64) (uint8, int, float64) {
	x[0], x[1] = s.x, s.y
	return s.status, s.k, s.hit
}

// fpVec is the first-passage kernel of the general Euler–Maruyama step
// (emStep), for any dimension: the step of an Ensemble without the 2-D
// fast paths, so that a trajectory follows the same path.
type fpVec struct {
	st    *emStep
	bound float64
	br    bridge
	shape shape
	x, xp []float64
	nv    []float64 // scratch normal

	d      float64
	k      int
	status uint8
	hit    float64
}

func newFPVec(r *fpRun, pcg *rand.PCG, br bridge) *fpVec {
	d := r.p.Model.Dim
	return &fpVec{
		st: newEMStep(r.p, pcg), bound: r.bound, br: br, shape: newShape(r.target, r.dist),
		x: scratch(d), xp: scratch(d), nv: scratch(d),
	}
}

func (v *fpVec) begin(x0 []float64, dist0 float64) {
	copy(v.x, x0)
	v.d, v.k, v.status, v.hit = dist0, 0, statusOK, 0
}

func (v *fpVec) advance(kEnd int) bool {
	if v.status != statusOK {
		return false
	}
	st, x, xp, bound, sh := v.st, v.x, v.xp, v.bound, &v.shape
	dm := st.em.dm // D(x_n) after a step from x_n
	dim := len(x)
	on := v.br.on
	d := v.d
	k := v.k
	for ; k < kEnd; k++ {
		copy(xp, x)
		if !st.step(x) {
			v.status = statusNotPSD
			break
		}
		for _, c := range x {
			if !(math.Abs(c) <= bound) {
				v.status = statusDiverged
				break
			}
		}
		if v.status != statusOK {
			copy(x, xp)
			break
		}
		dn := sh.distance(nil, x)
		if dn > 0 && !on {
			d = dn
			continue
		}
		q := 0.0
		if on {
			tr := 0.0
			for a := 0; a < dim; a++ {
				tr += dm[a*dim+a]
			}
			if dn > 0 && v.br.skip(d, dn, tr) {
				d = dn
				continue
			}
			sh.distance(v.nv, xp)
			for a := 0; a < dim; a++ {
				for b := 0; b < dim; b++ {
					q += v.nv[a] * dm[a*dim+b] * v.nv[b]
				}
			}
		}
		if frac, hit := v.br.cross(d, dn, q); hit {
			v.status, v.hit = statusArrived, float64(k)+frac
			k++
			break
		}
		d = dn
	}
	v.d, v.k = d, k
	return v.status == statusOK
}

func (v *fpVec) end(x []float64) (uint8, int, float64) {
	copy(x, v.x)
	return v.status, v.k, v.hit
}
