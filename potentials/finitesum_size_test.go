package potentials

import (
	"errors"
	"strings"
	"testing"
)

// TestSizeOfFiniteSum checks that the size known before building matches
// the built model, and that sizes no array can hold are refused by both
// SizeOfFiniteSum and NewFiniteSum with an error wrapping ErrTooLarge that
// carries the sizes, instead of a panic or an out-of-memory crash.
func TestSizeOfFiniteSum(t *testing.T) {
	for _, tc := range []struct {
		name    string
		model   string
		set     map[string]float64
		bytes   int64  // checked when not 0
		tooBig  string // error text when the sizes cannot be allocated
		invalid string // error text of an invalid parameter
	}{
		{name: "linreg default", model: "linreg", bytes: 8 * (1000*2 + 2*1000 + 4*2)},
		{name: "logreg", model: "logreg", set: map[string]float64{"n": 50, "d": 3}, bytes: 8 * (50*3 + 50)},
		{name: "mlp default", model: "mlp", bytes: 8 * 3 * 1000},
		{name: "mlp wide", model: "mlp", set: map[string]float64{"hidden": 5}},
		{name: "linreg d = 1e15", model: "linreg", set: map[string]float64{"d": 1e15}, tooBig: "inputs of 1000 x 1000000000000000 values"},
		{name: "logreg n = 2^53", model: "logreg", set: map[string]float64{"n": 1 << 53, "d": 100}, tooBig: "inputs of 9007199254740992 x 100 values"},
		{name: "mlp n = 2^53", model: "mlp", set: map[string]float64{"n": 1 << 53}, tooBig: "inputs and labels of 9007199254740992 x 3 values"},
		{name: "mlp classes", model: "mlp", set: map[string]float64{"classes": 40}, invalid: "classes = 40, want 2 to 16"},
		{name: "unknown parameter", model: "linreg", set: map[string]float64{"hidden": 4}, invalid: `has no parameter "hidden"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := SizeOfFiniteSum(tc.model, tc.set)
			switch {
			case tc.tooBig != "":
				if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tc.tooBig) || strings.Contains(err.Error(), "--") {
					t.Fatalf("SizeOfFiniteSum: %v, want ErrTooLarge with %q and no flag name", err, tc.tooBig)
				}
				if _, err := NewFiniteSum(tc.model, tc.set); !errors.Is(err, ErrTooLarge) {
					t.Fatalf("NewFiniteSum: %v, want ErrTooLarge", err)
				}
				return
			case tc.invalid != "":
				if err == nil || !strings.Contains(err.Error(), tc.invalid) {
					t.Fatalf("SizeOfFiniteSum: %v, want an error with %q", err, tc.invalid)
				}
				_, err2 := NewFiniteSum(tc.model, tc.set)
				if err2 == nil || err2.Error() != err.Error() {
					t.Fatalf("NewFiniteSum: %v, want the error of SizeOfFiniteSum %v", err2, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			fs, err := NewFiniteSum(tc.model, tc.set)
			if err != nil {
				t.Fatal(err)
			}
			if z.Dim != fs.Dim() || z.Samples != fs.Samples() {
				t.Errorf("size d = %d, N = %d; built model d = %d, N = %d", z.Dim, z.Samples, fs.Dim(), fs.Samples())
			}
			if tc.bytes != 0 && z.Bytes != tc.bytes {
				t.Errorf("bytes %d, want %d", z.Bytes, tc.bytes)
			}
		})
	}
}

// TestFiniteSumConstructorsRefuseHugeSizes calls the exported constructors
// directly with sizes no array can hold.
func TestFiniteSumConstructorsRefuseHugeSizes(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func() error
	}{
		{"NewLinReg", func() error { _, err := NewLinReg(1000, 1<<50, 10, 0.5, 1); return err }},
		{"NewLogReg", func() error { _, err := NewLogReg(1<<50, 1000, 2, 0, 1); return err }},
		{"NewMLP samples", func() error { _, err := NewMLP(1<<50, 10, 2, 1, 0, 1); return err }},
		{"NewMLP hidden", func() error { _, err := NewMLP(10, 1<<60, 2, 1, 0, 1); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.make(); !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v, want ErrTooLarge", err)
			}
		})
	}
}

// TestCheckFinite checks Model.CheckFinite on formula and built-in models:
// a loss that is not finite where its simplified gradient is 0, and a
// drift or diffusion that is not finite, are refused with the point and
// the value; every built-in landscape is finite at the origin of its box.
func TestCheckFinite(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Formulas
		x    []float64
		want string // "" for no error
	}{
		{"quadratic", Formulas{Dim: 2, Loss: "x^2/2 + y^2"}, []float64{1, 0}, ""},
		{"loss 1/(x-x)", Formulas{Dim: 2, Loss: "1/(x-x)"}, []float64{1, 0}, "the loss f(1, 0) = +Inf"},
		{"loss 0/0 with a drift", Formulas{Dim: 2, Loss: "0/0", Drift: "-x; -y"}, []float64{0.5, 2}, "the loss f(0.5, 2) = NaN"},
		{"drift", Formulas{Dim: 2, Drift: "1/x; -y"}, []float64{0, 1}, "the drift b(0, 1) = (+Inf, -1)"},
		{"diffusion", Formulas{Dim: 1, Loss: "x^2", Diffusion: "log(x)"}, []float64{-1}, "the diffusion D(-1) = NaN"},
		{"div D", Formulas{Dim: 1, Loss: "x^2", Diffusion: "1 + abs(x)^0.5"}, []float64{0}, "divergence of the diffusion"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := FromFormulas(tc.f)
			if err != nil {
				t.Fatal(err)
			}
			err = m.CheckFinite(tc.x)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckFinite: %v, want ErrNotFinite with %q", err, tc.want)
			}
		})
	}
	for _, l := range Landscapes() {
		m, err := New(l.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float64, m.Dim)
		if len(m.Box.Min) == m.Dim {
			for i := range x {
				x[i] = m.Box.Min[i] + 0.37*(m.Box.Max[i]-m.Box.Min[i])
			}
		}
		if err := m.CheckFinite(x); err != nil {
			t.Errorf("landscape %s: %v", l.Name, err)
		}
	}
}
