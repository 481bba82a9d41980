package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// runOK runs args and fails the test unless the exit code is 0.
func runOK(t *testing.T, args ...string) result {
	t.Helper()
	r := sgdsde(t, args...)
	if r.code != 0 {
		t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
	}
	return r
}

// checkShapes reads back every .npy file named in want from dir and checks
// its shape.
func checkShapes(t *testing.T, dir string, want map[string][]int) {
	t.Helper()
	for name, shape := range want {
		got, data := readNPY(t, filepath.Join(dir, name))
		if !reflect.DeepEqual(got, shape) {
			t.Errorf("%s: shape %v, want %v", name, got, shape)
		}
		n := 1
		for _, s := range shape {
			n *= s
		}
		if len(data) != n {
			t.Errorf("%s: %d values, want %d", name, len(data), n)
		}
	}
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestSteady(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		shapes map[string][]int // every .npy file expected, with its shape
		absent []string         // summary keys that must be missing
	}{
		{
			name: "2-D double well",
			args: []string{"--grid", "32"},
			shapes: map[string][]int{
				"x.npy": {32}, "y.npy": {32}, "loss.npy": {32, 32}, "rho.npy": {32, 32}, "phi.npy": {32, 32},
				"current_x.npy": {32, 32}, "current_y.npy": {32, 32}, "force_x.npy": {32, 32}, "force_y.npy": {32, 32},
			},
		},
		{
			name: "2-D rectangular grid and box, source scheme",
			args: []string{"--landscape", "gyrator", "--grid", "40,32", "--box", "-4:4,-2.5:2.5", "--scheme", "source"},
			shapes: map[string][]int{
				"x.npy": {40}, "y.npy": {32}, "loss.npy": {32, 40}, "rho.npy": {32, 40}, "phi.npy": {32, 40},
				"current_x.npy": {32, 40}, "current_y.npy": {32, 40}, "force_x.npy": {32, 40}, "force_y.npy": {32, 40},
			},
		},
		{
			name: "2-D drift without a loss",
			args: []string{"--drift", "-x + y; -x - y", "--grid", "32"},
			shapes: map[string][]int{
				"x.npy": {32}, "y.npy": {32}, "rho.npy": {32, 32}, "phi.npy": {32, 32},
				"current_x.npy": {32, 32}, "current_y.npy": {32, 32}, "force_x.npy": {32, 32}, "force_y.npy": {32, 32},
			},
			absent: []string{"max_abs_phi_minus_loss", "minima_loss"},
		},
		{
			name: "1-D periodic tilted washboard",
			args: []string{"--loss", "0.5*cos(2*pi*x) - x", "--dim", "1", "--box", "0:1", "--periodic", "--grid", "48"},
			shapes: map[string][]int{
				"x.npy": {48}, "loss.npy": {48}, "rho.npy": {48}, "phi.npy": {48}, "current_x.npy": {48}, "force_x.npy": {48},
			},
			absent: []string{"angular_momentum"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			r := runOK(t, append([]string{"steady", "--out", dir}, c.args...)...)
			for _, l := range r.stderrLines() {
				if !strings.Contains(l, "warning: rho at the walls") {
					t.Errorf("unexpected stderr line %q", l)
				}
			}
			for _, want := range []string{"grid", "T = ", "residual", "iterations", "Pi = ", "minima of Phi", dir} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout does not mention %q:\n%s", want, r.stdout)
				}
			}
			wantFiles := append(sortedKeys(c.shapes), "summary.json")
			sort.Strings(wantFiles)
			if got := dirEntries(t, dir); !reflect.DeepEqual(got, wantFiles) {
				t.Errorf("--out holds %v, want %v", got, wantFiles)
			}
			checkShapes(t, dir, c.shapes)

			s := readSummary(t, dir)
			keys := []string{
				"command", "version", "model", "formula", "params", "dim", "drift_kind", "temperature", "temperature_from",
				"grid", "box", "periodic", "scheme", "tol",
				"mass", "min_rho", "residual", "iterations", "solve_seconds", "assemble_seconds",
				"entropy_production", "angular_momentum", "max_abs_phi_minus_loss", "minima_loss", "minima_phi",
				"div_force", "force_dot_grad_phi", "wall_rho", "underflow_nodes", "region_fraction", "files",
			}
			for _, k := range keys {
				v, ok := s[k]
				if slicesContains(c.absent, k) {
					if ok {
						t.Errorf("summary.json has %q = %v, want it absent", k, v)
					}
					continue
				}
				if !ok {
					t.Errorf("summary.json has no key %q", k)
					continue
				}
				checkFinite(t, k, v)
			}
			if s["command"] != "steady" || s["version"] != version {
				t.Errorf("command %v, version %v", s["command"], s["version"])
			}
			if m, _ := s["mass"].(float64); math.Abs(m-1) > 1e-10 {
				t.Errorf("mass = %v, want 1", s["mass"])
			}
			if res, _ := s["residual"].(float64); !(res < 1e-8) {
				t.Errorf("residual = %v", s["residual"])
			}
			if files, _ := s["files"].([]any); len(files) != len(wantFiles) {
				t.Errorf("files = %v, want %d names", files, len(wantFiles))
			}
			if mp, _ := s["minima_phi"].([]any); len(mp) > 0 {
				m0, _ := mp[0].(map[string]any)
				if _, ok := m0["value"]; !ok {
					t.Errorf("minima_phi[0] = %v, want {x, value}", m0)
				} else if x, _ := m0["x"].([]any); len(x) != int(s["dim"].(float64)) {
					t.Errorf("minima_phi[0].x = %v", m0["x"])
				}
			}
		})
	}
}

func slicesContains(s []string, v string) bool {
	for _, e := range s {
		if e == v {
			return true
		}
	}
	return false
}

// TestSteadyValidation checks the command against VALIDATION.md: the
// gyrator's entropy production and angular momentum (case 6), and Phi = f
// for isotropic noise (detailed balance).
func TestSteadyValidation(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gyrator")
	runOK(t, "steady", "--landscape", "gyrator", "--grid", "64", "--out", dir)
	s := readSummary(t, dir)
	pi, _ := s["entropy_production"].(float64)
	L, _ := s["angular_momentum"].(float64)
	if math.Abs(pi-3.2) > 0.1*3.2 {
		t.Errorf("gyrator: entropy_production = %v, want 3.2 within 10%%", pi)
	}
	if math.Abs(L+0.48) > 0.05*0.48 {
		t.Errorf("gyrator: angular_momentum = %v, want -0.48 within 5%%", L)
	}

	dir = filepath.Join(t.TempDir(), "equilibrium")
	runOK(t, "steady", "--set", "noise=0", "--grid", "48", "--out", dir)
	s = readSummary(t, dir)
	if d, ok := s["max_abs_phi_minus_loss"].(float64); !ok || !(d < 1e-8) {
		t.Errorf("double well, noise 0: max_abs_phi_minus_loss = %v, want < 1e-8", s["max_abs_phi_minus_loss"])
	}
	if pi, _ := s["entropy_production"].(float64); pi > 1e-12 {
		t.Errorf("double well, noise 0: entropy_production = %v, want 0", pi)
	}
}

func TestSteadyWallWarning(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := runOK(t, "steady", "--grid", "32", "--box", "-1.5:1.5,-0.5:0.5", "--out", dir)
	lines := r.stderrLines()
	if len(lines) != 1 || !strings.Contains(lines[0], "warning: rho at the walls reaches") || !strings.Contains(lines[0], "widen --box") {
		t.Errorf("stderr %q, want one wall warning", r.stderr)
	}
	if w, _ := readSummary(t, dir)["wall_rho"].(float64); !(w > 1e-6) {
		t.Errorf("wall_rho = %v", w)
	}
	// Periodic grids have no walls.
	dir = filepath.Join(t.TempDir(), "out")
	r = runOK(t, "steady", "--loss", "cos(2*pi*x)", "--dim", "1", "--box", "0:1", "--periodic", "--grid", "32", "--out", dir)
	if r.stderr != "" {
		t.Errorf("periodic: stderr %q", r.stderr)
	}
}

// TestSteadyStaleFiles checks that a 1-D run into the directory of a 2-D
// run removes the 2-D-only files.
func TestSteadyStaleFiles(t *testing.T) {
	dir := t.TempDir()
	runOK(t, "steady", "--grid", "32", "--out", dir)
	runOK(t, "steady", "--drift", "-x", "--dim", "1", "--grid", "32", "--out", dir)
	want := []string{"current_x.npy", "force_x.npy", "phi.npy", "rho.npy", "summary.json", "x.npy"}
	if got := dirEntries(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("--out holds %v, want %v", got, want)
	}
}

// TestWriteFieldsNaN checks that a phi with NaN (rho underflow) is written
// and read back unchanged.
func TestWriteFieldsNaN(t *testing.T) {
	dir := t.TempDir()
	phi := []float64{0, 1, math.NaN(), 2, 3, math.NaN()}
	files, err := writeFields(dir, []string{"x.npy", "phi.npy", "y.npy"},
		map[string][]float64{"x.npy": {1, 2, 3}}, map[string][]float64{"phi.npy": phi}, []int{2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(files, []string{"x.npy", "phi.npy"}) {
		t.Errorf("files = %v", files)
	}
	shape, got := readNPY(t, filepath.Join(dir, "phi.npy"))
	if !reflect.DeepEqual(shape, []int{2, 3}) {
		t.Errorf("shape %v", shape)
	}
	for i := range phi {
		if got[i] != phi[i] && !(math.IsNaN(got[i]) && math.IsNaN(phi[i])) {
			t.Errorf("phi[%d] = %v, want %v", i, got[i], phi[i])
		}
	}
}

// gridBadInput are bad inputs of the grid flags, shared by steady and
// evolve: each must give one stderr line containing want and exit code 2.
var gridBadInput = []struct {
	name string
	args []string
	want string
}{
	{"grid too small", []string{"--grid", "4"}, "too small"},
	{"grid too small in y", []string{"--grid", "32,7"}, "too small"},
	{"grid malformed", []string{"--grid", "32x32"}, "--grid"},
	{"grid three sizes", []string{"--grid", "32,32,32"}, "--grid"},
	{"grid two sizes in 1-D", []string{"--loss", "x^2", "--dim", "1", "--grid", "32,32"}, "--grid"},
	{"grid too large", []string{"--grid", "200000"}, "smaller --grid"},
	{"box malformed", []string{"--box", "-1,1"}, "--box"},
	{"box one range in 2-D", []string{"--box", "-1:1"}, "--box"},
	{"box not a number", []string{"--box", "a:1,-1:1"}, "--box"},
	{"box min = max", []string{"--box", "1:1,-1:1"}, "min < max"},
	{"box min > max", []string{"--box", "-1:1,2:-2"}, "min < max"},
	{"singular D", []string{"--loss", "x^2+y^2", "--diffusion", "x^2, 0; 0, 1"}, "singular"},
	{"scheme", []string{"--scheme", "bad"}, "--scheme"},
	{"tol zero", []string{"--tol", "0"}, "--tol"},
	{"tol negative", []string{"--tol", "-1e-8"}, "--tol"},
	{"temperature", []string{"--temperature", "0"}, "--temperature"},
	{"landscape", []string{"--landscape", "nope"}, "unknown landscape"},
	{"extra argument", []string{"extra"}, "extra"},
}

// checkBadInput runs args (with --out dir appended) and checks the
// bad-input contract: exit 2, one stderr line containing want, no --out.
func checkBadInput(t *testing.T, args []string, want string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	r := sgdsde(t, append(args, "--out", dir)...)
	if r.code != 2 {
		t.Errorf("exit code %d, want 2 (stderr %q)", r.code, r.stderr)
	}
	lines := r.stderrLines()
	if len(lines) != 1 || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("stderr has %d lines, want 1: %q", len(lines), r.stderr)
	}
	if !strings.HasPrefix(lines[0], "sgdsde: ") || !strings.Contains(lines[0], want) {
		t.Errorf("stderr %q does not start with \"sgdsde: \" and contain %q", lines[0], want)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("--out %s was created", dir)
	}
}

func TestSteadyBadInput(t *testing.T) {
	for _, c := range gridBadInput {
		t.Run(c.name, func(t *testing.T) {
			checkBadInput(t, append([]string{"steady", "--grid", "32"}, c.args...), c.want)
		})
	}
	t.Run("singular D names the point", func(t *testing.T) {
		r := sgdsde(t, "steady", "--grid", "32", "--loss", "x^2+y^2", "--diffusion", "x^2, 0; 0, 1", "--out", filepath.Join(t.TempDir(), "o"))
		if !strings.Contains(r.stderr, " at (") || !strings.Contains(r.stderr, "D = ") {
			t.Errorf("stderr %q does not name the point and D", r.stderr)
		}
	})
}

func TestGridMemoryCheck(t *testing.T) {
	saved := availableMemory
	defer func() { availableMemory = saved }()
	availableMemory = func() (int64, bool) { return 1e9, true }
	checkBadInput(t, []string{"steady", "--grid", "2000"}, "more than the 1 GB available")
	r := sgdsde(t, "steady", "--grid", "2000", "--out", filepath.Join(t.TempDir(), "o"))
	if !strings.Contains(r.stderr, "GB of memory") || !strings.Contains(r.stderr, "smaller --grid (at most about ") {
		t.Errorf("stderr %q does not give the estimate and a smaller grid", r.stderr)
	}
	// Unreadable memory: no memory check, but the node limit still holds.
	availableMemory = func() (int64, bool) { return 0, false }
	checkBadInput(t, []string{"steady", "--grid", "100000"}, "nodes")
}

func TestParseMemAvailable(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"MemTotal:       24684084 kB\nMemFree:        23820672 kB\nMemAvailable:   24148532 kB\n", 24148532 << 10, true},
		{"MemAvailable: 12\n", 12, true},
		{"MemTotal:       24684084 kB\n", 0, false},
		{"MemAvailable:   x kB\n", 0, false},
		{"MemAvailable:\n", 0, false},
	}
	for _, c := range cases {
		got, ok := parseMemAvailable(strings.NewReader(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("parseMemAvailable(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestParseGridAndBox(t *testing.T) {
	if n, err := parseGridSize("64", 2); err != nil || !reflect.DeepEqual(n, []int{64, 64}) {
		t.Errorf("--grid 64 in 2-D: %v, %v", n, err)
	}
	if n, err := parseGridSize(" 64 , 32", 2); err != nil || !reflect.DeepEqual(n, []int{64, 32}) {
		t.Errorf("--grid 64,32: %v, %v", n, err)
	}
	if n, err := parseGridSize("100", 1); err != nil || !reflect.DeepEqual(n, []int{100}) {
		t.Errorf("--grid 100 in 1-D: %v, %v", n, err)
	}
	b, err := parseBox("-1:2, -3:4", 2)
	if err != nil || !reflect.DeepEqual(b.Min, []float64{-1, -3}) || !reflect.DeepEqual(b.Max, []float64{2, 4}) {
		t.Errorf("--box -1:2,-3:4: %v, %v", b, err)
	}
	if _, err := parseBox("-1:inf", 1); err == nil {
		t.Errorf("--box -1:inf accepted")
	}
}

func TestSteadyHelp(t *testing.T) {
	r := runOK(t, "steady", "--help")
	for _, want := range []string{
		"--grid", "256 x 256 nodes", "second order, error about 1e-3 on the default models", "--box", "--periodic",
		"--scheme", "source", "Ito", "first order", "--tol", "(default 1e-10)", "--out", `(default "out/steady")`,
		"--landscape", "--temperature", "--lr",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("steady --help does not mention %q", want)
		}
	}
}

// TestGridInterrupted checks that a cancelled run fails with one line,
// exit code 1, and writes nothing.
func TestGridInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, cmd := range []string{"steady", "evolve"} {
		dir := filepath.Join(t.TempDir(), "out")
		var out, errb bytes.Buffer
		code := runContext(ctx, []string{cmd, "--grid", "32", "--out", dir}, &out, &errb)
		if code != 1 || strings.Count(errb.String(), "\n") != 1 || !strings.Contains(errb.String(), "interrupted") {
			t.Errorf("%s: code %d, stderr %q", cmd, code, errb.String())
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s: --out was created by an interrupted run", cmd)
		}
	}
}

// TestSteadyTemperatures: a list of temperatures writes T_<T>/ and a
// summary with the minima of Phi against T; for the state-dependent double
// well |x| of the minima follows sqrt(1 - T) (1-D analysis).
func TestSteadyTemperatures(t *testing.T) {
	dir := t.TempDir()
	r := runOK(t, "steady", "--temperature", "0.1,0.2,0.4", "--grid", "96", "--out", dir)
	if !strings.Contains(r.stdout, "minima of Phi (grid) against T") {
		t.Errorf("output:\n%s", r.stdout)
	}
	for _, d := range []string{"T_0.1", "T_0.2", "T_0.4"} {
		if _, err := os.Stat(filepath.Join(dir, d, "rho.npy")); err != nil {
			t.Error(err)
		}
	}
	s := readSummary(t, dir)
	tracks, _ := s["minima_phi"].([]any)
	if len(tracks) != 2 {
		t.Fatalf("minima_phi %v", s["minima_phi"])
	}
	for _, tr := range tracks {
		x := tr.(map[string]any)["x"].([]any)
		for i, T := range []float64{0.1, 0.2, 0.4} {
			xi := math.Abs(x[i].([]any)[0].(float64))
			if math.Abs(xi-math.Sqrt(1-T)) > 0.01 {
				t.Errorf("T %v: |x| = %v, sqrt(1 - T) = %v", T, xi, math.Sqrt(1-T))
			}
		}
		if sl := tr.(map[string]any)["slope"].([]any)[0].(float64); math.Abs(math.Abs(sl)-0.59) > 0.05 {
			t.Errorf("slope %v", sl)
		}
	}
}
