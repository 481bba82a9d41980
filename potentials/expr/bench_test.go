package expr

import (
	"math"
	"math/rand/v2"
	"testing"
)

// doubleWell holds the double-well model of the benchmarks as the pair of
// fast paths the integrators call: the drift b = -grad f of
// f = (x^2-1)^2/4 + y^2/2 and the diffusion D = [1+x^2/2, 0.3; 0.3, 1+y^2/2].
type doubleWell struct {
	drift     func(x, y float64) (bx, by float64)
	diffusion func(x, y float64) (dxx, dxy, dyy float64)
}

// goDoubleWell is the model written in Go. The conversions float64(...)
// round each product before the sum, as a compiled Func does, so that no
// platform fuses them into a multiply-add.
var goDoubleWell = doubleWell{
	drift: func(x, y float64) (float64, float64) { return -x * (float64(x*x) - 1), -y },
	diffusion: func(x, y float64) (float64, float64, float64) {
		return 1 + float64(0.5*(x*x)), 0.3, 1 + float64(0.5*(y*y))
	},
}

// compiledDoubleWell returns the model written as formulas: the drift by
// symbolic differentiation of the loss, all of it compiled.
func compiledDoubleWell(tb testing.TB) doubleWell {
	vars := []string{"x", "y"}
	parse := func(s string) *Expr {
		e, err := Parse(s, vars, nil)
		if err != nil {
			tb.Fatal(err)
		}
		return e
	}
	f := parse("(x^2-1)^2/4 + y^2/2")
	return doubleWell{
		drift:     Compile2(Neg(f.Deriv("x")), Neg(f.Deriv("y"))),
		diffusion: Compile3(parse("1+0.5*x^2"), parse("0.3"), parse("1+0.5*y^2")),
	}
}

// TestCompiledDoubleWell checks that the compiled model returns exactly the
// values of the Go model: the drift -((x^2 - 1)*x) is -x*(x*x - 1) with
// the same roundings (negation is exact, multiplication commutes), and the
// diffusion entries are the same operations.
func TestCompiledDoubleWell(t *testing.T) {
	c := compiledDoubleWell(t)
	for _, p := range [][2]float64{{0.3, -0.7}, {1.5, 2}, {-2, 0.1}, {0.7, 1e-3}, {-1e3, 3}} {
		gx, gy := goDoubleWell.drift(p[0], p[1])
		cx, cy := c.drift(p[0], p[1])
		ga, gb, gc := goDoubleWell.diffusion(p[0], p[1])
		ca, cb, cc := c.diffusion(p[0], p[1])
		if gx != cx || gy != cy || ga != ca || gb != cb || gc != cc {
			t.Errorf("at %v: compiled (%v, %v; %v, %v, %v), Go (%v, %v; %v, %v, %v)", p, cx, cy, ca, cb, cc, gx, gy, ga, gb, gc)
		}
	}
}

var sink float64

// BenchmarkDoubleWell measures one evaluation of drift and diffusion.
func BenchmarkDoubleWell(b *testing.B) {
	for _, m := range []struct {
		name string
		m    doubleWell
	}{{"go", goDoubleWell}, {"compiled", compiledDoubleWell(b)}} {
		b.Run(m.name, func(b *testing.B) {
			x, y, s := 0.3, -0.2, 0.0
			for b.Loop() {
				bx, by := m.m.drift(x, y)
				dxx, dxy, dyy := m.m.diffusion(x, y)
				s += bx + by + dxx + dxy + dyy
				x, y = y, x+1e-9
			}
			sink = s
		})
	}
}

// BenchmarkEulerMaruyama measures one Euler–Maruyama step
// X += b h + L sqrt(h) ξ with L L^T = 2 T D for the double well.
func BenchmarkEulerMaruyama(b *testing.B) {
	for _, m := range []struct {
		name string
		m    doubleWell
	}{{"go", goDoubleWell}, {"compiled", compiledDoubleWell(b)}} {
		b.Run(m.name, func(b *testing.B) {
			const h, T = 1e-3, 0.5
			sh := math.Sqrt(h)
			rng := rand.New(rand.NewPCG(1, 2))
			x, y := 0.5, -0.5
			for b.Loop() {
				bx, by := m.m.drift(x, y)
				a, c, d := m.m.diffusion(x, y)
				l11 := math.Sqrt(2 * T * a)
				l21 := 2 * T * c / l11
				l22 := math.Sqrt(math.Max(0, 2*T*d-l21*l21))
				z1, z2 := rng.NormFloat64(), rng.NormFloat64()
				x += bx*h + sh*l11*z1
				y += by*h + sh*(l21*z1+l22*z2)
			}
			sink = x + y
		})
	}
}
