package potentials

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/potentials/expr"
)

// doubleWellFormulas is the double well typed as formulas.
var doubleWellFormulas = Formulas{
	Dim:       2,
	Loss:      "(x^2-1)^2/4 + y^2/2",
	Diffusion: "1+0.5*x^2, 0.3; 0.3, 1+0.5*y^2",
}

// testPoints are points of [-3, 3]^2 away from special values.
var testPoints = [][2]float64{{0.3, -0.7}, {1.5, 2}, {-2, 0.1}, {-1.1, -2.9}, {2.7, 1.3}}

func TestFromFormulasDoubleWell(t *testing.T) {
	m, err := FromFormulas(doubleWellFormulas)
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "formula" || m.Dim != 2 || m.Loss == nil || m.Grad == nil || m.DivDiffusion == nil || m.Drift2 == nil || m.Diffusion2 == nil {
		t.Fatalf("incomplete model %+v", m)
	}
	if want := NewBox(-3, 3, -3, 3); !equalFloats(m.Box.Min, want.Min) || !equalFloats(m.Box.Max, want.Max) {
		t.Errorf("box %v, want %v", m.Box, want)
	}
	for _, p := range testPoints {
		x, y := p[0], p[1]
		xs := p[:]
		close := func(what string, got, want float64) {
			t.Helper()
			if math.Abs(got-want) > 1e-14*math.Max(1, math.Abs(want)) {
				t.Errorf("%s at %v = %v, want %v", what, p, got, want)
			}
		}
		close("loss", m.Loss(xs), (x*x-1)*(x*x-1)/4+y*y/2)
		g := make([]float64, 2)
		m.Grad(g, xs)
		close("grad_x", g[0], x*(x*x-1))
		close("grad_y", g[1], y)
		b := make([]float64, 2)
		m.Drift(b, xs)
		close("b_x", b[0], -x*(x*x-1))
		close("b_y", b[1], -y)
		D := make([]float64, 4)
		m.Diffusion(D, xs)
		for k, want := range []float64{1 + 0.5*x*x, 0.3, 0.3, 1 + 0.5*y*y} {
			close("D", D[k], want)
		}
		v := make([]float64, 2)
		m.DivDiffusion(v, xs)
		close("(div D)_x", v[0], x)
		close("(div D)_y", v[1], y)
		if err := m.CheckDiffusion(xs); err != nil {
			t.Error(err)
		}
	}
	for _, s := range []string{"f = (x^2 - 1)^2/4 + y^2/2", "b = -grad f = (-((x^2 - 1)*x), -y)", "D = [1 + 0.5*x^2, 0.3; 0.3, 1 + 0.5*y^2]"} {
		if !strings.Contains(m.Formula, s) {
			t.Errorf("Formula %q does not contain %q", m.Formula, s)
		}
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// formulaModels are formula models exercising parameters, explicit drifts,
// scalar and full diffusions, in one and two dimensions.
var formulaModels = []Formulas{
	doubleWellFormulas,
	{Dim: 2, Loss: "a*(x^2 + y^2) + b*sin(x*y) + log(1 + x^2*y^2)", Params: map[string]float64{"a": 0.5, "b": -0.3}},
	{Dim: 2, Loss: "exp(-(x - 1)^2 - y^2) - exp(-(x + 1)^2 - y^2)", Diffusion: "1 + 0.2*tanh(x*y)"},
	{Dim: 2, Loss: "sqrt(1 + x^2 + 2*y^2)", Diffusion: "1 + x^2*y^2, 0.1*sin(x*y); 0.1*sin(x*y), exp(-x^2) + k", Params: map[string]float64{"k": 0.5}},
	{Dim: 2, Drift: "-x + y; -x - y^3", Diffusion: "2 + cos(x), 0.1*x; 0.1*x, 2 + sin(y)"},
	{Dim: 1, Loss: "x^4/4 - c*x^2/2", Diffusion: "1 + x^2/(1 + x^2)", Params: map[string]float64{"c": 1.2}},
	{Dim: 1, Drift: "-sinh(x)"},
}

// TestFromFormulasDerivatives checks Grad against central differences of
// Loss and DivDiffusion against central differences of Diffusion. With
// step h = 1e-5 the truncation error h^2 |f”'|/6 is below 1e-9 for these
// smooth formulas on [-3, 3]^2 and the rounding error ε |f| / h about
// 1e-11 |f|, so the tolerance 1e-7 relative to 1 + |f| + |f'| is safe and
// still catches a wrong term.
func TestFromFormulasDerivatives(t *testing.T) {
	const h, tol = 1e-5, 1e-7
	for _, f := range formulaModels {
		m, err := FromFormulas(f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		d := m.Dim
		for _, p := range testPoints {
			x := append([]float64(nil), p[:d]...)
			at := func(j int, s float64) []float64 {
				y := append([]float64(nil), x...)
				y[j] += s
				return y
			}
			if m.Loss != nil {
				g := make([]float64, d)
				m.Grad(g, x)
				for j := 0; j < d; j++ {
					fd := (m.Loss(at(j, h)) - m.Loss(at(j, -h))) / (2 * h)
					if math.Abs(g[j]-fd) > tol*(1+math.Abs(m.Loss(x))+math.Abs(fd)) {
						t.Errorf("%s: grad_%d at %v = %v, finite differences %v", m.Formula, j, x, g[j], fd)
					}
				}
			}
			div := make([]float64, d)
			m.DivDiffusion(div, x)
			Dp, Dm := make([]float64, d*d), make([]float64, d*d)
			for i := 0; i < d; i++ {
				fd, scale := 0.0, 1.0
				for j := 0; j < d; j++ {
					m.Diffusion(Dp, at(j, h))
					m.Diffusion(Dm, at(j, -h))
					fd += (Dp[i*d+j] - Dm[i*d+j]) / (2 * h)
					scale += math.Abs(Dp[i*d+j])
				}
				if math.Abs(div[i]-fd) > tol*(scale+math.Abs(fd)) {
					t.Errorf("%s: (div D)_%d at %v = %v, finite differences %v", m.Formula, i, x, div[i], fd)
				}
			}
		}
	}
}

// TestFromFormulasFastPaths checks that Drift2 and Diffusion2 agree with
// Drift and Diffusion.
func TestFromFormulasFastPaths(t *testing.T) {
	for _, f := range formulaModels {
		m, err := FromFormulas(f)
		if err != nil {
			t.Fatal(err)
		}
		if m.Dim != 2 {
			if m.Drift2 != nil || m.Diffusion2 != nil {
				t.Errorf("%s: 1-D model with 2-D fast paths", m.Formula)
			}
			continue
		}
		b, D := make([]float64, 2), make([]float64, 4)
		for _, p := range testPoints {
			m.Drift(b, p[:])
			m.Diffusion(D, p[:])
			bx, by := m.Drift2(p[0], p[1])
			dxx, dxy, dyy := m.Diffusion2(p[0], p[1])
			if bx != b[0] || by != b[1] || dxx != D[0] || dxy != D[1] || dyy != D[3] {
				t.Errorf("%s at %v: fast paths (%v, %v; %v, %v, %v), slices %v, %v", m.Formula, p, bx, by, dxx, dxy, dyy, b, D)
			}
		}
	}
}

func TestFromFormulasVariants(t *testing.T) {
	// Drift only: no loss, no gradient; identity diffusion.
	m, err := FromFormulas(Formulas{Dim: 2, Drift: "-x + y; -x - y"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Loss != nil || m.Grad != nil {
		t.Error("drift-only model has a loss")
	}
	D, b := make([]float64, 4), make([]float64, 2)
	m.Diffusion(D, []float64{0.5, 2})
	m.Drift(b, []float64{0.5, 2})
	if !equalFloats(D, []float64{1, 0, 0, 1}) || !equalFloats(b, []float64{1.5, -2.5}) {
		t.Errorf("drift-only model: D = %v, b = %v", D, b)
	}
	// A loss and a drift: the drift is the one typed.
	m, err = FromFormulas(Formulas{Dim: 1, Loss: "x^2/2", Drift: "-2*x", Diffusion: "3"})
	if err != nil {
		t.Fatal(err)
	}
	D1, b1, v1 := make([]float64, 1), make([]float64, 1), make([]float64, 1)
	m.Drift(b1, []float64{1.5})
	m.Diffusion(D1, []float64{1.5})
	m.DivDiffusion(v1, []float64{1.5})
	if b1[0] != -3 || D1[0] != 3 || v1[0] != 0 || m.Loss([]float64{2}) != 2 {
		t.Errorf("1-D model: b = %v, D = %v, div D = %v", b1, D1, v1)
	}
	if !equalFloats(m.Box.Min, []float64{-3}) || !equalFloats(m.Box.Max, []float64{3}) {
		t.Errorf("1-D box %v", m.Box)
	}
	// A scalar diffusion is a multiple of the identity.
	m, err = FromFormulas(Formulas{Dim: 2, Loss: "x^2 + y^2", Diffusion: "1 + x^2"})
	if err != nil {
		t.Fatal(err)
	}
	m.Diffusion(D, []float64{2, 1})
	div := make([]float64, 2)
	m.DivDiffusion(div, []float64{2, 1})
	if !equalFloats(D, []float64{5, 0, 0, 5}) || !equalFloats(div, []float64{4, 0}) {
		t.Errorf("scalar diffusion: D = %v, div D = %v", D, div)
	}
	// A non-symmetric diffusion is refused, naming a point; entries that are
	// equal as functions but typed differently are accepted.
	_, err = FromFormulas(Formulas{Dim: 2, Loss: "x^2 + y^2", Diffusion: "1, x; -x, 1"})
	if err == nil || !strings.Contains(err.Error(), "D must be symmetric") || !strings.Contains(err.Error(), "(x, y) = (") {
		t.Errorf("non-symmetric diffusion: err = %v", err)
	}
	m, err = FromFormulas(Formulas{Dim: 2, Loss: "x^2 + y^2", Diffusion: "2, x*y/2; y*x/2, 2"})
	if err != nil {
		t.Fatalf("x*y/2 and y*x/2 refused: %v", err)
	}
	m.Diffusion(D, []float64{0.5, 2})
	if !equalFloats(D, []float64{2, 0.5, 0.5, 2}) {
		t.Errorf("D = %v", D)
	}
}

func TestFromFormulasErrors(t *testing.T) {
	for _, test := range []struct {
		f    Formulas
		want string
	}{
		{Formulas{Dim: 3, Loss: "x"}, "formula model: dimension 3, want 1 or 2"},
		{Formulas{Dim: 0, Loss: "x"}, "formula model: dimension 0, want 1 or 2"},
		{Formulas{Dim: 2}, "formula model: give a loss or a drift"},
		{Formulas{Dim: 2, Loss: "  "}, "formula model: give a loss or a drift"},
		{Formulas{Dim: 2, Loss: "x^2 + (y"}, `loss formula: column 9: missing ")" for "(" at column 7`},
		{Formulas{Dim: 2, Loss: "x^2 + y)"}, `loss formula: column 8: unexpected ")"`},
		{Formulas{Dim: 2, Loss: "x*k"}, `loss formula: column 3: missing parameter "k"`},
		{Formulas{Dim: 1, Loss: "x^2 + y"}, `loss formula: column 7: missing parameter "y"`},
		{Formulas{Dim: 2, Drift: "-x"}, `drift formula: 1 components separated by ";", want 2 ("B1; B2")`},
		{Formulas{Dim: 2, Drift: "-x; -y; 0"}, `drift formula: 3 components separated by ";", want 2 ("B1; B2")`},
		{Formulas{Dim: 1, Drift: "-x; -y"}, `drift formula: 2 components separated by ";", want 1 ("B1")`},
		{Formulas{Dim: 2, Drift: "-x; -foo(y)"}, `drift formula: column 6: unknown function "foo"`},
		{Formulas{Dim: 2, Drift: "-x;"}, `drift formula: column 4: empty formula`},
		{Formulas{Dim: 2, Drift: "-x, -y"}, `drift formula: 1 components separated by ";", want 2 ("B1; B2"); separate components with ";", not ","`},
		{Formulas{Dim: 2, Drift: "-x, -y; 1"}, `drift formula: column 3: unexpected ","`},
		{Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0; 0"}, `diffusion formula: 3 entries in 2 rows, want "EXPR" or "D11, D12; D21, D22"`},
		{Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0, 0, 1"}, `diffusion formula: 4 entries in 1 rows, want "EXPR" or "D11, D12; D21, D22"`},
		{Formulas{Dim: 2, Loss: "x", Diffusion: "1; 0, 0, 1"}, `diffusion formula: 4 entries in 2 rows, want "EXPR" or "D11, D12; D21, D22"`},
		{Formulas{Dim: 1, Loss: "x", Diffusion: "1, 0; 0, 1"}, `diffusion formula: 4 entries in 2 rows, want "D11"`},
		{Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0; 0, 1 +* y"}, `diffusion formula: column 13: unexpected "*"`},
		{Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0; 0, é"}, `diffusion formula: column 10: unexpected character "é"`},
		{Formulas{Dim: 2, Loss: "x", Params: map[string]float64{"k": 1}}, `unknown parameter "k": no formula uses it`},
		{Formulas{Dim: 2, Loss: "a*x", Params: map[string]float64{"a": 1, "b": 2}}, `unknown parameter "b": no formula uses it`},
		{Formulas{Dim: 2, Loss: "x", Params: map[string]float64{"y": 1}}, `parameter "y": y is a variable of the 2-D formulas`},
		{Formulas{Dim: 2, Loss: "x", Params: map[string]float64{"pi": 3}}, `parameter "pi": pi is a function or constant of the formula language`},
	} {
		_, err := FromFormulas(test.f)
		if err == nil {
			t.Errorf("%+v: no error, want %q", test.f, test.want)
			continue
		}
		if err.Error() != test.want {
			t.Errorf("%+v: error %q, want %q", test.f, err, test.want)
		}
		if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "--") {
			t.Errorf("%+v: error %q spans several lines or names a flag", test.f, err)
		}
	}
	// Syntax errors keep their type.
	_, err := FromFormulas(Formulas{Dim: 2, Loss: "x +"})
	var se *expr.SyntaxError
	if !errors.As(err, &se) || se.Column != 4 {
		t.Errorf("error %v: want a *expr.SyntaxError at column 4", err)
	}
}

// TestFromFormulasGibbs checks the Gibbs control drift of a formula model:
// b = -D grad f + T div D.
func TestFromFormulasGibbs(t *testing.T) {
	const T = 0.7
	m, err := FromFormulas(formulaModels[3])
	if err != nil {
		t.Fatal(err)
	}
	g, err := Gibbs(m, T)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range testPoints {
		x, y := p[0], p[1]
		r := math.Sqrt(1 + x*x + 2*y*y)
		gx, gy := x/r, 2*y/r
		dxx, dxy, dyy := 1+x*x*y*y, 0.1*math.Sin(x*y), math.Exp(-x*x)+0.5
		divx := 2*x*y*y + 0.1*x*math.Cos(x*y)
		divy := 0.1 * y * math.Cos(x*y) // d D21/dx + d D22/dy
		want := []float64{-(dxx*gx + dxy*gy) + T*divx, -(dxy*gx + dyy*gy) + T*divy}
		b := make([]float64, 2)
		g.Drift(b, p[:])
		bx, by := g.Drift2(x, y)
		for i, got := range []float64{b[0], b[1], bx, by} {
			if w := want[i%2]; math.Abs(got-w) > 1e-13*math.Max(1, math.Abs(w)) {
				t.Errorf("Gibbs drift %d at %v = %v, want %v", i, p, got, w)
			}
		}
	}
}

// BenchmarkFormulaEulerMaruyama compares one Euler–Maruyama step of the
// double well written in Go with the same model from FromFormulas, both
// through the Model fast paths as the integrators use them.
func BenchmarkFormulaEulerMaruyama(b *testing.B) {
	goModel := Model{
		Drift2:     func(x, y float64) (float64, float64) { return -x * (x*x - 1), -y },
		Diffusion2: func(x, y float64) (float64, float64, float64) { return 1 + 0.5*x*x, 0.3, 1 + 0.5*y*y },
	}
	formulaModel, err := FromFormulas(doubleWellFormulas)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		m    Model
	}{{"go", goModel}, {"formula", formulaModel}} {
		b.Run(c.name, func(b *testing.B) {
			const h, T = 1e-3, 0.5
			sh := math.Sqrt(h)
			drift, diff := c.m.Drift2, c.m.Diffusion2
			var state uint64 = 1
			x, y := 0.5, -0.5
			for b.Loop() {
				bx, by := drift(x, y)
				a, o, d := diff(x, y)
				l11 := math.Sqrt(2 * T * a)
				l21 := 2 * T * o / l11
				l22 := math.Sqrt(math.Max(0, 2*T*d-l21*l21))
				z1, z2 := gauss(&state), gauss(&state)
				x += bx*h + sh*l11*z1
				y += by*h + sh*(l21*z1+l22*z2)
			}
			benchSink = x + y
		})
	}
}

var benchSink float64

// gauss returns a cheap approximately normal variate (sum of uniforms from
// splitmix64), enough to drive the benchmark.
func gauss(s *uint64) float64 {
	u := 0.0
	for i := 0; i < 4; i++ {
		*s += 0x9e3779b97f4a7c15
		z := *s
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
		u += float64(z>>11) / (1 << 53)
	}
	return (u - 2) * math.Sqrt(3)
}

func TestFromFormulasGradientDrift(t *testing.T) {
	m, err := FromFormulas(Formulas{Dim: 2, Loss: "x^2 + y^2"})
	if err != nil || !m.GradientDrift {
		t.Fatalf("loss only: GradientDrift %v, err %v", m.GradientDrift, err)
	}
	m, err = FromFormulas(Formulas{Dim: 2, Loss: "x^2 + y^2", Drift: "-2*x; -2*y"})
	if err != nil || m.GradientDrift {
		t.Fatalf("typed drift: GradientDrift %v, err %v", m.GradientDrift, err)
	}
	m, _ = FromFormulas(Formulas{Dim: 2, Loss: "x^2 + y^2"})
	g, err := Gibbs(m, 1)
	if err != nil || g.GradientDrift {
		t.Fatalf("gibbs: GradientDrift %v, err %v", g.GradientDrift, err)
	}
	gy, _ := New("gyrator", nil)
	if gy.AngularMomentum == nil {
		t.Fatal("gyrator has no closed-form angular momentum")
	}
	if g, _ := Gibbs(gy, 0.5); g.AngularMomentum != nil {
		t.Fatal("the Gibbs control kept the model's closed-form angular momentum")
	}
}
