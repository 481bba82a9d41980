package sde

import (
	"fmt"
	"math"
)

// Target is the set whose first entrance a FirstPassage run times. It is a
// closed set: a trajectory has arrived when it reaches a point x with
// Contains(x).
//
// A Target that is also a DistanceTarget (Disc, HalfSpace, SignedDistance)
// allows the Brownian-bridge correction of the hitting times; one given
// only by its membership test (Indicator) is monitored at the steps alone.
type Target interface {
	// Contains reports whether x lies in the target.
	Contains(x []float64) bool
}

// DistanceTarget is a Target with a signed distance to its boundary, which
// the Brownian-bridge correction (CorrectionBridge) needs: the probability
// that the path crossed the boundary between two steps that both ended
// outside is computed from the two distances and from the diffusion along
// the boundary's normal.
type DistanceTarget interface {
	Target
	// Distance returns the signed distance from x to the target's
	// boundary: positive outside the target, zero or negative inside, so
	// that Contains(x) is Distance(nil, x) <= 0. If normal is not nil it
	// writes into it the unit normal at x pointing away from the target,
	// the gradient of the distance (any unit vector where the gradient is
	// not defined). It must not allocate or retain x or normal.
	Distance(normal, x []float64) float64
}

// Disc is the closed ball |x - Centre| <= Radius: a disc in two dimensions,
// an interval in one. Its signed distance is |x - Centre| - Radius and its
// normal (x - Centre)/|x - Centre|.
type Disc struct {
	// Centre is the centre, of the model's dimension.
	Centre []float64
	// Radius is the radius, positive.
	Radius float64
}

// Contains reports whether |x - Centre| <= Radius.
func (c Disc) Contains(x []float64) bool { return c.Distance(nil, x) <= 0 }

// Distance returns |x - Centre| - Radius and writes the unit vector
// (x - Centre)/|x - Centre| into normal (the first axis at the centre).
func (c Disc) Distance(normal, x []float64) float64 {
	var s float64
	for i, v := range x {
		dv := v - c.Centre[i]
		s += dv * dv
	}
	r := math.Sqrt(s)
	if normal != nil {
		if r == 0 {
			clear(normal)
			normal[0] = 1
		} else {
			for i, v := range x {
				normal[i] = (v - c.Centre[i]) / r
			}
		}
	}
	return r - c.Radius
}

// check validates the disc for a d-dimensional model.
func (c Disc) check(d int) error {
	if len(c.Centre) != d {
		return fmt.Errorf("target disc: centre has %d coordinates, the model has dimension %d", len(c.Centre), d)
	}
	for _, v := range c.Centre {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("target disc: centre must be finite, got %v", c.Centre)
		}
	}
	if !(c.Radius > 0) || math.IsInf(c.Radius, 0) {
		return fmt.Errorf("target disc: radius must be positive and finite, got %g", c.Radius)
	}
	return nil
}

// HalfSpace is the closed half-space Normal . x <= Level; in one dimension
// with Normal = {1} it is the level set x <= Level, with Normal = {-1} the
// set x >= -Level. Normal points away from the target and need not be a
// unit vector: the signed distance is (Normal . x - Level)/|Normal|.
type HalfSpace struct {
	// Normal is the normal pointing out of the target, non-zero.
	Normal []float64
	// Level is the offset of the boundary Normal . x = Level.
	Level float64
}

// Contains reports whether Normal . x <= Level.
func (s HalfSpace) Contains(x []float64) bool { return s.Distance(nil, x) <= 0 }

// Distance returns (Normal . x - Level)/|Normal| and writes
// Normal/|Normal| into normal.
func (s HalfSpace) Distance(normal, x []float64) float64 {
	var dot, nn float64
	for i, v := range x {
		dot += s.Normal[i] * v
		nn += s.Normal[i] * s.Normal[i]
	}
	n := math.Sqrt(nn)
	for i := range normal {
		normal[i] = s.Normal[i] / n
	}
	return (dot - s.Level) / n
}

// check validates the half-space for a d-dimensional model.
func (s HalfSpace) check(d int) error {
	if len(s.Normal) != d {
		return fmt.Errorf("target half-space: normal has %d coordinates, the model has dimension %d", len(s.Normal), d)
	}
	var nn float64
	for _, v := range s.Normal {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("target half-space: normal must be finite, got %v", s.Normal)
		}
		nn += v * v
	}
	if nn == 0 || math.IsInf(nn, 0) {
		return fmt.Errorf("target half-space: normal must be non-zero and finite, got %v", s.Normal)
	}
	if math.IsNaN(s.Level) || math.IsInf(s.Level, 0) {
		return fmt.Errorf("target half-space: level must be finite, got %g", s.Level)
	}
	return nil
}

// SignedDistance is a target given by its signed distance function: the
// function returns the distance from x to the target's boundary, positive
// outside and zero or negative inside, and, when normal is not nil, writes
// the unit normal pointing away from the target (its gradient). The bridge
// correction assumes that it is a true distance near the boundary
// (|gradient| = 1, so the boundary is locally flat on the scale of one
// step's noise); a level-set function g can be made one to first order by
// dividing it by |grad g|. It must not allocate or retain its arguments.
type SignedDistance func(normal, x []float64) float64

// Contains reports whether the distance at x is zero or negative.
func (f SignedDistance) Contains(x []float64) bool { return f(nil, x) <= 0 }

// Distance returns f(normal, x).
func (f SignedDistance) Distance(normal, x []float64) float64 { return f(normal, x) }

// Indicator is a target given only by its membership test. Trajectories
// are then checked at the steps only (CorrectionNone): without a distance
// the chance of a crossing between two steps cannot be computed, and the
// hitting times carry the O(sqrt(dt)) bias of discrete monitoring. It must
// not allocate or retain x.
type Indicator func(x []float64) bool

// Contains returns f(x).
func (f Indicator) Contains(x []float64) bool { return f(x) }

// checkTarget validates the built-in targets for a d-dimensional model;
// targets given as functions are not checked.
func checkTarget(t Target, d int) error {
	switch t := t.(type) {
	case nil:
		return fmt.Errorf("no target given")
	case Disc:
		return t.check(d)
	case *Disc:
		if t == nil {
			return fmt.Errorf("target disc is a nil pointer")
		}
		return t.check(d)
	case HalfSpace:
		return t.check(d)
	case *HalfSpace:
		if t == nil {
			return fmt.Errorf("target half-space is a nil pointer")
		}
		return t.check(d)
	case SignedDistance:
		if t == nil {
			return fmt.Errorf("target signed distance is a nil function")
		}
	case Indicator:
		if t == nil {
			return fmt.Errorf("target indicator is a nil function")
		}
	}
	return nil
}
