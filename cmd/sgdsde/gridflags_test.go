package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sgdsde/sgdsde/experiment"

	"github.com/spf13/pflag"

	"github.com/sgdsde/sgdsde/potentials"
)

// boxOf reads the "box" of a summary as [xmin, xmax, ymin, ymax], failing
// the test on any other shape or type.
func boxOf(t *testing.T, s map[string]any) [4]float64 {
	t.Helper()
	raw, ok := s["box"].([]any)
	if !ok || len(raw) != 2 {
		t.Fatalf("summary box %#v, want two ranges", s["box"])
	}
	var b [4]float64
	for a := 0; a < 2; a++ {
		r, ok := raw[a].([]any)
		if !ok || len(r) != 2 {
			t.Fatalf("summary box %#v: range %d is not [min, max]", s["box"], a)
		}
		for k := 0; k < 2; k++ {
			v, ok := r[k].(float64)
			if !ok {
				t.Fatalf("summary box %#v: %#v is not a number", s["box"], r[k])
			}
			b[2*a+k] = v
		}
	}
	return b
}

// doubleWellHalfWidths are the half-widths (X, Y) of the default box of the
// default double well (C = 0.3, S = 0.5: D_ii = d0 + s x_i^2 with
// d0 = 1.075, s = 0.5) at T, computed independently of Go with SciPy
// (/usr/bin/python3) from the definition in potentials.DoubleWell.BoxAt:
// the 1-D steady-state profiles log rho(x) = int_0^x b/(T D) du - log D(x),
// integrated by scipy.integrate.quad (epsabs = epsrel = 1e-14), with
// b = x (1 - x^2) along x and b = -y along y, fall to exp(-18) of their
// maximum (at x = sqrt(max(0, 1 - 2 s T))) at X and to 5e-7 at Y, roots
// found by scipy.optimize.brentq (xtol 1e-15 / 1e-13).
var doubleWellHalfWidths = map[float64][2]float64{
	0.1: {2.3468626770803316, 2.4269448819778154},
	0.2: {2.8396600557131415, 4.688596169286871},
	0.4: {3.5181174998397005, 11.558450702631717},
	0.5: {3.7875609714176233, 16.393078592119227},
	2:   {6.277404302866027, 184.73487114596503},
}

// boxTol is the relative tolerance on a default box: Go's closed form
// and bisection agree with the SciPy values above to 4e-16 (X to every
// digit), but quad reported that round-off kept it from its 1e-14 target,
// so the reference is trusted to 1e-12. A box of another temperature is
// off by percents (T = 0.4 against 0.5: 7% in X, 29% in Y).
const boxTol = 1e-12

// defaultBoxAt returns the reference default box of the default double
// well at T as [xmin, xmax, ymin, ymax].
func defaultBoxAt(t *testing.T, T float64) [4]float64 {
	t.Helper()
	h, ok := doubleWellHalfWidths[T]
	if !ok {
		t.Fatalf("no reference box at T = %g", T)
	}
	return [4]float64{-h[0], h[0], -h[1], h[1]}
}

// sameBox reports whether two boxes agree to the relative tolerance tol.
func sameBox(got, want [4]float64, tol float64) bool {
	for i := range got {
		if !(math.Abs(got[i]-want[i]) <= tol*math.Abs(want[i])) {
			return false
		}
	}
	return true
}

// TestGridBuildAtBox checks which box the grid flags choose: the model's box
// at the temperature without --box, --box when given, and the fixed box of
// a formula model or of build (no temperature).
func TestGridBuildAtBox(t *testing.T) {
	dw, err := potentials.New("double-well", nil)
	if err != nil {
		t.Fatal(err)
	}
	formula, err := potentials.FromFormulas(potentials.Formulas{Dim: 2, Loss: "x^2 + y^2"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		args  []string
		model potentials.Model
		T     float64
		want  [4]float64
		tol   float64 // relative; 0 for boxes given exactly
	}{
		{"default at T = 0.1", nil, dw, 0.1, defaultBoxAt(t, 0.1), boxTol},
		{"default at T = 2", nil, dw, 2, defaultBoxAt(t, 2), boxTol},
		// The T-independent view of potentials.DoubleWell.Box.
		{"no temperature", nil, dw, math.NaN(), [4]float64{-2.5, 2.5, -4, 4}, 0},
		{"--box", []string{"--box", "-1:2,-3:4"}, dw, 0.1, [4]float64{-1, 2, -3, 4}, 0},
		{"--box without temperature", []string{"--box", "-1:2,-3:4"}, dw, math.NaN(), [4]float64{-1, 2, -3, 4}, 0},
		{"formula model", nil, formula, 0.1, [4]float64{-3, 3, -3, 3}, 0},
	}
	for _, c := range cases {
		fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
		gf := addGridFlags(fs)
		if err := fs.Parse(append([]string{"--grid", "16"}, c.args...)); err != nil {
			t.Fatal(err)
		}
		spec, err := gf.spec()
		if err != nil {
			t.Fatal(err)
		}
		g, info, err := spec.Build(c.model, c.T)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(info.Box) != 2 {
			t.Fatalf("%s: box %v, want two ranges", c.name, info.Box)
		}
		got := [4]float64{info.Box[0][0], info.Box[0][1], info.Box[1][0], info.Box[1][1]}
		grid := [4]float64{g.Min[0], g.Max[0], g.Min[1], g.Max[1]}
		if !sameBox(got, c.want, c.tol) || grid != got {
			t.Errorf("%s: box %v (grid %v), want %v", c.name, got, grid, c.want)
		}
		if !reflect.DeepEqual(info.Grid, []int{16, 16}) || g.N != [2]int{16, 16} {
			t.Errorf("%s: grid %v (info %v), want 16 x 16", c.name, g.N, info.Grid)
		}
	}
	// Without a temperature, the T-independent box.
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	gf := addGridFlags(fs)
	spec, err := gf.spec()
	if err != nil {
		t.Fatal(err)
	}
	_, info, err := spec.Build(dw, math.NaN())
	if want := [][2]float64{{-2.5, 2.5}, {-4, 4}}; err != nil || !reflect.DeepEqual(info.Box, want) {
		t.Errorf("build: box %v, %v; want the T-independent %v", info.Box, err, want)
	}
}

// TestDefaultRunsClean runs the README's commands on the default model (the
// double well with state-dependent D), with small grids and ensembles for
// speed: none may warn (before the boxes followed T, each said "the box
// cuts off density"), and every temperature of a list gets its own box.
func TestDefaultRunsClean(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		temps []float64 // temperatures of a list, each in T_<T>/
		file  string    // the summary with the box
		wall  bool      // the summary has wall_rho
	}{
		{"evolve", []string{"evolve", "--grid", "64", "--steps", "5"}, nil, "summary.json", false},
		{"compare", append([]string{"compare", "--n", "2000"}, smallCompare...), nil, "compare.json", true},
		{"steady", []string{"steady", "--grid", "64"}, nil, "summary.json", true},
		{"steady list", []string{"steady", "--temperature", "0.1,0.2,0.4", "--grid", "64"}, []float64{0.1, 0.2, 0.4}, "summary.json", true},
		{"compare list", append([]string{"compare", "--n", "2000", "--temperature", "0.1,0.4"}, smallCompare...), []float64{0.1, 0.4}, "compare.json", true},
	}
	for _, c := range cases {
		dir := filepath.Join(t.TempDir(), "out")
		r := runOK(t, append(c.args, "--out", dir)...)
		if r.stderr != "" {
			t.Errorf("%s: stderr %q, want nothing (no warning)", c.name, r.stderr)
		}
		temps, dirs := c.temps, []string{dir}
		if temps == nil {
			temps = []float64{0.5}
		} else {
			dirs = nil
			for _, T := range temps {
				dirs = append(dirs, filepath.Join(dir, experiment.TemperatureDir(T)))
			}
		}
		for i, T := range temps {
			b, err := os.ReadFile(filepath.Join(dirs[i], c.file))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var s map[string]any
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got, want := boxOf(t, s), defaultBoxAt(t, T); !sameBox(got, want, boxTol) {
				t.Errorf("%s, T = %g: box %v, want the default box at T, %v", c.name, T, got, want)
			}
			// 1e-6 of the maximum is the threshold of the wall warning
			// (fokkerplanck.RegionFraction), which the default box keeps
			// below.
			w, ok := s["wall_rho"].(float64)
			switch {
			case c.wall && (!ok || !(w < 1e-6)):
				t.Errorf("%s, T = %g: wall_rho %#v, want a number below 1e-6", c.name, T, s["wall_rho"])
			case !c.wall && s["wall_rho"] != nil:
				t.Errorf("%s, T = %g: wall_rho %#v in a summary that has none", c.name, T, s["wall_rho"])
			}
		}
	}
}

// TestWallWarningNamesTemperature checks that with a list of temperatures
// the wall warning names the one whose box cuts off density, and only it:
// the whole line, with the value that T = 0.4's summary reports as
// wall_rho (to the 3 digits printed), while T = 0.05 stays below the
// warning threshold 1e-6.
func TestWallWarningNamesTemperature(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := runOK(t, "steady", "--temperature", "0.05,0.4", "--grid", "32", "--box", "-2:2,-1.5:1.5", "--out", dir)
	wall := map[float64]float64{}
	for _, T := range []float64{0.05, 0.4} {
		b, err := os.ReadFile(filepath.Join(dir, experiment.TemperatureDir(T), "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		var s map[string]any
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		w, ok := s["wall_rho"].(float64)
		if !ok {
			t.Fatalf("T = %g: wall_rho %#v, want a number", T, s["wall_rho"])
		}
		wall[T] = w
	}
	if !(wall[0.05] < 1e-6) || !(wall[0.4] > 1e-6) {
		t.Fatalf("wall_rho %v, want T = 0.05 below 1e-6 and T = 0.4 above", wall)
	}
	want := fmt.Sprintf("sgdsde: warning: rho at the walls reaches %.3g of its maximum at T = 0.4: the box cuts off density; widen --box", wall[0.4])
	if lines := r.stderrLines(); len(lines) != 1 || lines[0] != want {
		t.Errorf("stderr %q\nwant the one line %q", r.stderr, want)
	}
}
