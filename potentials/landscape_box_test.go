package potentials

import (
	"math"
	"testing"
)

// boxTemps are the temperatures at which the default boxes are checked: the
// range of the browser's slider and more.
var boxTemps = []float64{0.05, 0.1, 0.2, 0.5, 1, 2}

// halfWidths returns the half-widths of a box centred on the origin, failing
// the test if it is not centred.
func halfWidths(t *testing.T, b Box) (hx, hy float64) {
	t.Helper()
	if math.Abs(b.Min[0]+b.Max[0]) > 1e-12*b.Max[0] || math.Abs(b.Min[1]+b.Max[1]) > 1e-12*b.Max[1] {
		t.Fatalf("box %v is not centred on the origin", b)
	}
	return b.Max[0], b.Max[1]
}

// TestDefaultBoxFallback checks when DefaultBox uses Box instead of BoxAt.
func TestDefaultBoxFallback(t *testing.T) {
	fixed := NewBox(-1, 1, -2, 2)
	at := func(b Box) func(float64) Box { return func(float64) Box { return b } }
	cases := []struct {
		name  string
		boxAt func(float64) Box
		T     float64
		want  Box
	}{
		{"no BoxAt", nil, 0.5, fixed},
		{"BoxAt", at(NewBox(-3, 3, -4, 4)), 0.5, NewBox(-3, 3, -4, 4)},
		{"T = 0", at(NewBox(-3, 3, -4, 4)), 0, fixed},
		{"T < 0", at(NewBox(-3, 3, -4, 4)), -1, fixed},
		{"T NaN", at(NewBox(-3, 3, -4, 4)), math.NaN(), fixed},
		{"T infinite", at(NewBox(-3, 3, -4, 4)), math.Inf(1), fixed},
		{"wrong dimension", at(NewBox(-3, 3)), 0.5, fixed},
		{"empty side", at(NewBox(-3, 3, 4, 4)), 0.5, fixed},
		{"NaN side", at(NewBox(-3, 3, math.NaN(), 4)), 0.5, fixed},
		{"infinite side", at(NewBox(-3, 3, -4, math.Inf(1))), 0.5, fixed},
	}
	for _, c := range cases {
		m := Model{Dim: 2, Box: fixed, BoxAt: c.boxAt}
		got := m.DefaultBox(c.T)
		if !equalFloats(got.Min, c.want.Min) || !equalFloats(got.Max, c.want.Max) {
			t.Errorf("%s: DefaultBox(%g) = %v, want %v", c.name, c.T, got, c.want)
		}
	}
}

// TestBuiltinBoxAt checks that every built-in landscape sets BoxAt, that its
// box holds the minima of the loss at moderate T and grows with T.
func TestBuiltinBoxAt(t *testing.T) {
	for _, name := range builtinNames {
		m, err := New(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if m.BoxAt == nil {
			t.Errorf("%s: no BoxAt", name)
			continue
		}
		prev := 0.0
		for _, T := range boxTemps {
			b := m.DefaultBox(T)
			if len(b.Min) != 2 || !(b.Min[0] < b.Max[0] && b.Min[1] < b.Max[1]) {
				t.Fatalf("%s: DefaultBox(%g) = %v", name, T, b)
			}
			area := (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1])
			if !(area > prev) {
				t.Errorf("%s: box area %g at T = %g, not above %g at the lower T", name, area, T, prev)
			}
			prev = area
		}
	}
}

// TestQuadraticBoxAt checks the Gaussian rule: ±6 standard deviations of
// the stationary covariance, so sqrt(T) scaling, and at T = 0.5 the
// T-independent Box of before.
func TestQuadraticBoxAt(t *testing.T) {
	for _, c := range []struct {
		name string
		q    Quadratic
	}{
		{"quadratic", Quadratic{A11: 1, A22: 4, ConstDiffusion: ConstDiffusion{D11: 1, D22: 1}}},
		{"gyrator", Quadratic{A11: 1, A22: 4, ConstDiffusion: ConstDiffusion{D11: 1, D12: 0.8, D22: 1}}},
		{"coupled A", Quadratic{A11: 2, A12: 0.5, A22: 1, ConstDiffusion: ConstDiffusion{D11: 0.5, D12: -0.2, D22: 2}}},
	} {
		if b, b5 := c.q.Box(), c.q.BoxAt(0.5); !equalFloats(b.Min, b5.Min) || !equalFloats(b.Max, b5.Max) {
			t.Errorf("%s: Box() = %v, BoxAt(0.5) = %v", c.name, b, b5)
		}
		for _, T := range boxTemps {
			s11, _, s22, err := c.q.Covariance(T)
			if err != nil {
				t.Fatal(err)
			}
			hx, hy := halfWidths(t, c.q.BoxAt(T))
			if !near(hx, 6*math.Sqrt(s11), 1e-14) || !near(hy, 6*math.Sqrt(s22), 1e-14) {
				t.Errorf("%s, T = %g: half-widths (%g, %g), want 6 sd = (%g, %g)", c.name, T, hx, hy, 6*math.Sqrt(s11), 6*math.Sqrt(s22))
			}
			hx1, hy1 := halfWidths(t, c.q.BoxAt(1))
			if r := math.Sqrt(T); !near(hx, r*hx1, 1e-12) || !near(hy, r*hy1, 1e-12) {
				t.Errorf("%s, T = %g: half-widths (%g, %g), want sqrt(T) times (%g, %g)", c.name, T, hx, hy, hx1, hy1)
			}
		}
	}
	// The gyrator at T = 0.5: Sigma = [[0.5, 0.16], [0.16, 0.125]].
	hx, hy := halfWidths(t, Quadratic{A11: 1, A22: 4, ConstDiffusion: ConstDiffusion{D11: 1, D12: 0.8, D22: 1}}.BoxAt(0.5))
	if !near(hx, 6*math.Sqrt(0.5), 1e-14) || !near(hy, 6*math.Sqrt(0.125), 1e-14) {
		t.Errorf("gyrator at T = 0.5: half-widths (%g, %g), want (%g, %g)", hx, hy, 6*math.Sqrt(0.5), 6*math.Sqrt(0.125))
	}
	// No stationary state: the half-widths of 4.
	if hx, hy := halfWidths(t, (Quadratic{A11: -1, A22: 1}).BoxAt(0.5)); hx != 4 || hy != 4 {
		t.Errorf("A not positive definite: half-widths (%g, %g), want 4", hx, hy)
	}
}

// profileLogRho integrates the 1-D steady state of the drift b with the
// diffusion d, log rho(x) = integral_0^x b/(T d) du - log d(x), by
// Simpson's rule on n intervals: an independent check of the closed forms
// of DoubleWell.BoxAt.
func profileLogRho(b, d func(float64) float64, T, x float64) float64 {
	const n = 20000
	h := x / n
	s := 0.0
	for i := 0; i <= n; i++ {
		u := float64(i) * h
		w := 2.0
		switch {
		case i == 0 || i == n:
			w = 1
		case i%2 == 1:
			w = 4
		}
		s += w * b(u) / (T * d(u))
	}
	return s*h/3 - math.Log(d(x))
}

// TestDoubleWellBoxAt checks the double well's box against its definition:
// the 1-D steady states along x and y, integrated numerically, fall to
// exp(-18) (x) and 5e-7 (y) of their maxima at the walls; and, for D = I,
// against the closed forms of exp(-f/T).
func TestDoubleWellBoxAt(t *testing.T) {
	for _, w := range []DoubleWell{
		{Noise: DoubleWellStateDependent, C: 0.3, S: 0.5},
		{Noise: DoubleWellStateDependent, C: -0.9, S: 1},
		{Noise: DoubleWellStateDependent, C: 0, S: 2},
		{Noise: DoubleWellConstant, C: 0.5},
		{Noise: DoubleWellIsotropic},
	} {
		d0, s := 1.0, 0.0
		if w.Noise != DoubleWellIsotropic {
			d0 += math.Abs(w.C) / 4
		}
		if w.Noise == DoubleWellStateDependent {
			s = w.S
		}
		bx := func(x float64) float64 { return x * (1 - x*x) }
		by := func(y float64) float64 { return -y }
		d := func(x float64) float64 { return d0 + s*x*x }
		for _, T := range boxTemps {
			X, Y := halfWidths(t, w.BoxAt(T))
			// rho_1 is largest at sqrt(max(0, 1 - 2 s T)) and rho_2 at 0.
			xm := math.Sqrt(math.Max(0, 1-2*s*T))
			if got := profileLogRho(bx, d, T, X) - profileLogRho(bx, d, T, xm); math.Abs(got+18) > 1e-6 {
				t.Errorf("%v, T = %g: log rho_1 at X = %g is %.8g below its maximum, want -18", w, T, X, got)
			}
			if got := profileLogRho(by, d, T, Y) - profileLogRho(by, d, T, 0); math.Abs(got-math.Log(5e-7)) > 1e-6 {
				t.Errorf("%v, T = %g: log rho_2 at Y = %g is %.8g below its maximum, want log(5e-7) = %.8g", w, T, Y, got, math.Log(5e-7))
			}
			if w.Noise == DoubleWellIsotropic {
				wantX, wantY := math.Sqrt(1+math.Sqrt(72*T)), math.Sqrt(2*T*math.Log(2e6))
				if !near(X, wantX, 1e-9) || !near(Y, wantY, 1e-12) {
					t.Errorf("D = I, T = %g: half-widths (%g, %g), want (%g, %g)", T, X, Y, wantX, wantY)
				}
			}
		}
	}
	// The README's numbers for the default model.
	for _, c := range []struct{ T, X, Y float64 }{{0.05, 1.99, 1.46}, {0.5, 3.79, 16.4}, {2, 6.28, 185}} {
		X, Y := halfWidths(t, DoubleWell{Noise: DoubleWellStateDependent, C: 0.3, S: 0.5}.BoxAt(c.T))
		if math.Abs(X-c.X) > 0.005 || math.Abs(Y/c.Y-1) > 0.003 {
			t.Errorf("default double well, T = %g: half-widths (%.4g, %.4g), want about (%g, %g)", c.T, X, Y, c.X, c.Y)
		}
	}
}

// TestPaperFig4BoxAt checks the rule of the paper's Example 19.
func TestPaperFig4BoxAt(t *testing.T) {
	for _, lambda := range []float64{0, 0.5, 1.5} {
		for _, T := range boxTemps {
			X, Y := halfWidths(t, PaperFig4{Lambda: lambda}.BoxAt(T))
			wantX, wantY := math.Sqrt(1+math.Sqrt(72*T)), 6*math.Sqrt(T)
			if lambda != 0 {
				wantY = math.Max(wantY, 1.15*wantX)
			}
			if !near(X, wantX, 1e-14) || !near(Y, wantY, 1e-14) {
				t.Errorf("lambda = %g, T = %g: half-widths (%g, %g), want (%g, %g)", lambda, T, X, Y, wantX, wantY)
			}
			// The walls lie where Phi0 - min Phi0 >= 18 T.
			p := PaperFig4{Lambda: lambda}
			if d := p.Phi0(X, 0) - p.Phi0(1, 0); math.Abs(d-18*T) > 1e-12*(1+18*T) {
				t.Errorf("lambda = %g, T = %g: Phi0 at (X, 0) is %g above the minimum, want 18 T = %g", lambda, T, d, 18*T)
			}
		}
	}
}

// TestSublevelBox checks the lattice search against sublevel sets known in
// closed form, from start windows too small and too large.
func TestSublevelBox(t *testing.T) {
	ellipse := func(x, y float64) float64 { return (x-1)*(x-1)/2 + 2*(y+0.5)*(y+0.5) }
	rosen := func(x, y float64) float64 { return (1-x)*(1-x) + (y-x*x)*(y-x*x) }
	cases := []struct {
		name  string
		f     func(x, y float64) float64
		level float64
		start Box
		want  Box
	}{
		// (x-1)^2/2 <= L: |x - 1| <= sqrt(2 L); 2 (y+1/2)^2 <= L: |y + 1/2| <= sqrt(L/2).
		{"ellipse, small start", ellipse, 8, NewBox(0.9, 1.1, -0.6, -0.4), NewBox(-3, 5, -2.5, 1.5)},
		{"ellipse, large start", ellipse, 0.02, NewBox(-50, 50, -50, 50), NewBox(0.8, 1.2, -0.6, -0.4)},
		{"ellipse, offset start", ellipse, 2, NewBox(3, 7, 3, 7), NewBox(-1, 3, -1.5, 0.5)},
		// f <= L: |1 - x| <= sqrt(L), y between the lowest and highest
		// x^2 -+ sqrt(L - (1-x)^2) over that range; L = 4: x in [-1, 3],
		// y up to 9 at x = 3 (max of x^2 + sqrt(4 - (1-x)^2) is there,
		// 9.0 + 0), y down to min over x of x^2 - sqrt(4 - (1-x)^2).
		{"rosenbrock", rosen, 4, NewBox(-2, 2.5, -1, 4), NewBox(-1, 3, rosenYMin(4), rosenYMax(4))},
	}
	for _, c := range cases {
		got, ok := sublevelBox(c.f, c.level, c.start)
		if !ok {
			t.Errorf("%s: search failed", c.name)
			continue
		}
		for a := 0; a < 2; a++ {
			w := c.want.Max[a] - c.want.Min[a]
			// The result contains the set and exceeds it by at most two
			// lattice steps of the last window (about 2/128 of its width).
			if got.Min[a] > c.want.Min[a] || got.Max[a] < c.want.Max[a] ||
				c.want.Min[a]-got.Min[a] > 0.04*w || got.Max[a]-c.want.Max[a] > 0.04*w {
				t.Errorf("%s: axis %d [%g, %g], want [%g, %g] widened by at most 4%% of the width", c.name, a, got.Min[a], got.Max[a], c.want.Min[a], c.want.Max[a])
			}
		}
	}
	// A loss that is not bounded below has no bounded sublevel set.
	if b, ok := sublevelBox(func(x, y float64) float64 { return -x*x - y*y }, 1, NewBox(-1, 1, -1, 1)); ok {
		t.Errorf("unbounded loss: box %v, want failure", b)
	}
	// sublevelBoxFor falls back to the given box then, and for T <= 0.
	fb := NewBox(-1, 1, -2, 2)
	for _, c := range []struct {
		name string
		f    func(x, y float64) float64
		T    float64
	}{{"unbounded", func(x, y float64) float64 { return -x * x }, 0.5}, {"T = 0", ellipse, 0}} {
		if b := sublevelBoxFor(c.f, 1, c.T, fb); !equalFloats(b.Min, fb.Min) || !equalFloats(b.Max, fb.Max) {
			t.Errorf("%s: %v, want the fallback %v", c.name, b, fb)
		}
	}
}

// rosenYMin and rosenYMax return the extent in y of the Rosenbrock sublevel
// set (1 - x)^2 + (y - x^2)^2 <= L, by a fine scan over x.
func rosenYMin(L float64) float64 {
	v := math.Inf(1)
	for i := 0; i <= 1000000; i++ {
		x := 1 - math.Sqrt(L) + 2*math.Sqrt(L)*float64(i)/1e6
		v = math.Min(v, x*x-math.Sqrt(math.Max(0, L-(1-x)*(1-x))))
	}
	return v
}

func rosenYMax(L float64) float64 {
	v := math.Inf(-1)
	for i := 0; i <= 1000000; i++ {
		x := 1 - math.Sqrt(L) + 2*math.Sqrt(L)*float64(i)/1e6
		v = math.Max(v, x*x+math.Sqrt(math.Max(0, L-(1-x)*(1-x))))
	}
	return v
}

// TestClassicBoxAt checks that the classic landscapes' boxes bound the
// sublevel set {f - min f <= 18 lambda_max(D) T}: f at the walls is at
// least that level above the minimum, and some point within one percent of
// each wall is inside the set.
func TestClassicBoxAt(t *testing.T) {
	for _, name := range []string{"muller-brown", "three-hole", "rosenbrock"} {
		m, err := New(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		f := func(x, y float64) float64 { return m.Loss([]float64{x, y}) }
		d := ConstDiffusion{D11: m.Params["d11"], D12: m.Params["d12"], D22: m.Params["d22"]}
		if !near(d.maxEigen(), 1.5, 1e-15) {
			t.Fatalf("%s: lambda_max(D) = %g, want 1.5 for the default D", name, d.maxEigen())
		}
		for _, T := range boxTemps {
			b := m.DefaultBox(T)
			const n = 400
			fmin := math.Inf(1)
			var onWall [4]float64 // smallest f on each wall: x = xmin, x = xmax, y = ymin, y = ymax
			var nearWall [4]float64
			for i := range onWall {
				onWall[i], nearWall[i] = math.Inf(1), math.Inf(1)
			}
			wx, wy := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
			for i := 0; i <= n; i++ {
				for j := 0; j <= n; j++ {
					x, y := b.Min[0]+wx*float64(i)/n, b.Min[1]+wy*float64(j)/n
					if i == n {
						x = b.Max[0]
					}
					if j == n {
						y = b.Max[1]
					}
					v := f(x, y)
					fmin = math.Min(fmin, v)
					// Index along the normal of each wall, from the wall.
					for k, idx := range [4]int{i, n - i, j, n - j} {
						if idx == 0 {
							onWall[k] = math.Min(onWall[k], v)
						}
						if idx <= n/25 {
							nearWall[k] = math.Min(nearWall[k], v)
						}
					}
				}
			}
			level := 18 * 1.5 * T
			for k := range onWall {
				// The search's own minimum, on a coarser lattice, may lie a
				// little above min f: allow 1% of the level.
				if onWall[k]-fmin < 0.99*level {
					t.Errorf("%s, T = %g: wall %d of %v is %g above min f, want at least %g", name, T, k, b, onWall[k]-fmin, level)
				}
				if nearWall[k]-fmin > level {
					t.Errorf("%s, T = %g: nothing within 4%% of wall %d of %v is inside the sublevel set (%g above min f, level %g): the box is too large", name, T, k, b, nearWall[k]-fmin, level)
				}
			}
		}
	}
}
