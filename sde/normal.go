package sde

import (
	"math"
	"math/rand/v2"
)

// The integrators draw their standard normals with the ziggurat method of
// Marsaglia & Tsang ("The Ziggurat Method for Generating Random
// Variables", J. Stat. Softw. 5(8), 2000), written here over the 64-bit
// outputs of a math/rand/v2 PCG called directly, without the interface
// dispatch of rand.Rand.NormFloat64, and two normals from each output.
//
// The density f(x) = exp(-x^2/2) on x >= 0 is covered by zigLayers
// horizontal layers of equal area v: layer 0 is the strip [0, r] x
// [0, f(r)] together with the tail x > r (pseudo-width X_0 = v/f(r));
// layer i >= 1 is the rectangle [0, X_i] x [f(X_i), f(X_{i+1})], with
// X_1 = r and the X_i decreasing to X_zigLayers = 0. Each half h of an
// output (32 bits) gives the layer i (its low 8 bits), the sign (bit 8)
// and a 23-bit m: x = (m + 1/2) 2^-23 X_i, the midpoint of one of 2^23
// equal cells of [0, X_i), lies under the curve when m < K_i = 2^23
// X_{i+1}/X_i, about 98.5% of draws: one table look-up and one comparison.
// Otherwise a point of layer 0 is drawn from the tail (Marsaglia 1964),
// and a point of another layer is accepted if a uniform height in the
// layer (53 random bits) lies below f(x); if not, the draw starts again
// from the low half of a new output.
//
// The cells make the law of x within a layer a uniform law on 2^23
// midpoints instead of a continuous one: a normal is rounded to steps of
// at most 2^-23 X_0 = 4.6e-7, which moves no moment by more than a
// relative 1e-13 (the midpoints keep the mean of each cell), and the
// tail, drawn with 53-bit uniforms, is not rounded.

// zigLayers is the number of layers; the layer index takes 8 bits.
const zigLayers = 256

// zigR is the right edge X_1 of the base strip for 256 layers: the r for
// which the layers, built upwards from the base strip, close exactly at
// f(0) = 1 (solved by bisection; TestZigguratTables checks the closure).
const zigR = 3.6541528853610088

// zigEntry holds the tables of a layer and a sign, indexed by the low 9
// bits of a half: w = ±X_i 2^-24, so that x = (2m + 1) w, and the threshold
// k = K_i below which m needs no further test.
type zigEntry struct {
	w float64
	k uint64
}

// zig holds the entries: index i (layer i, +) and i + zigLayers (layer
// i, -). zigF holds f(X_i), the bottom of layer i >= 1, and zigF[zigLayers]
// = f(0) = 1, the top of the last layer; zigX holds X_i.
var (
	zig  [2 * zigLayers]zigEntry
	zigF [zigLayers + 1]float64
	zigX [zigLayers + 1]float64
)

// zigV is the common area of the layers.
var zigV float64

func init() {
	f := func(x float64) float64 { return math.Exp(-0.5 * x * x) }
	r := zigR
	zigV = r*f(r) + math.Sqrt(math.Pi/2)*math.Erfc(r/math.Sqrt2)
	x := &zigX
	x[0] = zigV / f(r)
	x[1] = r
	for i := 1; i < zigLayers-1; i++ {
		x[i+1] = math.Sqrt(-2 * math.Log(zigV/x[i]+f(x[i])))
	}
	x[zigLayers] = 0
	for i := range zigLayers {
		e := zigEntry{w: x[i] * 0x1p-24, k: uint64(x[i+1] / x[i] * (1 << 23))}
		zig[i] = e
		e.w = -e.w
		zig[i+zigLayers] = e
		zigF[i] = f(x[i])
	}
	zigF[0] = 0 // the base strip starts at height 0; not used by the draw
	zigF[zigLayers] = 1
}

// zigFast returns the candidate x of the half h and whether it lies in
// the fast region of its layer, where it is the normal deviate.
func zigFast(h uint64) (float64, bool) {
	e := &zig[h&(2*zigLayers-1)]
	m := h >> 9
	return float64(2*m+1) * e.w, m < e.k
}

// normalPair returns two independent standard normal deviates drawn from
// p, from one output when both fall in the fast region. The integrators'
// loops write its fast path out.
func normalPair(p *rand.PCG) (float64, float64) {
	u := p.Uint64()
	z0, ok0 := zigFast(u & 0xffffffff)
	z1, ok1 := zigFast(u >> 32)
	if !ok0 {
		z0 = normalSlow(p, u&0xffffffff)
	}
	if !ok1 {
		z1 = normalSlow(p, u>>32)
	}
	return z0, z1
}

// normalSlow finishes a draw whose half h did not fall in the fast
// region: the tail of the base layer or the wedge of another layer,
// drawing again from p as often as needed.
func normalSlow(p *rand.PCG, h uint64) float64 {
	for {
		i := h & (zigLayers - 1)
		m := h >> 9
		x := float64(2*m+1) * zigX[i] * 0x1p-24
		switch {
		case m < zig[i].k:
		case i == 0:
			x = normalTail(p)
		default:
			y := zigF[i] + uniform53(p)*(zigF[i+1]-zigF[i])
			if !(y < math.Exp(-0.5*x*x)) {
				h = p.Uint64() & 0xffffffff
				continue
			}
		}
		if h&zigLayers != 0 {
			return -x
		}
		return x
	}
}

// normalTail returns a deviate of the normal law conditioned on x > zigR,
// by Marsaglia's method: x = r + e1/r with e1, e2 exponential, accepted
// when 2 e2 > (e1/r)^2.
func normalTail(p *rand.PCG) float64 {
	for {
		e1 := -math.Log(uniformOpen(p)) / zigR
		e2 := -math.Log(uniformOpen(p))
		if 2*e2 > e1*e1 {
			return zigR + e1
		}
	}
}

// uniform53 returns a uniform deviate in [0, 1) with 53 random bits.
func uniform53(p *rand.PCG) float64 {
	return float64(p.Uint64()>>11) * 0x1p-53
}

// uniformOpen returns a uniform deviate in (0, 1] with 53 random bits.
func uniformOpen(p *rand.PCG) float64 {
	return float64(p.Uint64()>>11+1) * 0x1p-53
}
