package main

// Bad input found by a new-user run (issue 12): ensemble and model sizes
// beyond memory, truncated .npy files, formulas that are not finite, and an
// --out that cannot be created. Each must be refused before any work with
// one line on stderr and exit code 2.

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/internal/datafile"
)

// withMemory makes experiment.AvailableMemory report avail bytes (ok false: unknown)
// for the rest of the test.
func withMemory(t *testing.T, avail int64, ok bool) {
	t.Helper()
	saved := experiment.AvailableMemory
	t.Cleanup(func() { experiment.AvailableMemory = saved })
	experiment.AvailableMemory = func() (int64, bool) { return avail, ok }
}

// checkFastBadInput is checkBadInput with a bound on the time the refusal
// takes: it must come before any work.
func checkFastBadInput(t *testing.T, args []string, want string) {
	t.Helper()
	start := time.Now()
	checkBadInput(t, args, want)
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("%v took %v to be refused: the check must come before any work", args, el)
	}
}

func TestSizesBeyondMemoryRefused(t *testing.T) {
	for _, c := range []struct {
		name  string
		args  []string
		known bool // experiment.AvailableMemory readable (16 GB) or not
		want  string
	}{
		{"simulate huge n", []string{"simulate", "--n", "100000000000", "--steps", "10"}, true,
			"an ensemble of 100000000000 trajectories in 2-D saving 10 x 1 states needs about 8.1 TB of memory, more than the 16 GB available: lower --n"},
		{"simulate huge record", []string{"simulate", "--record", "100000", "--n", "100000", "--steps", "100000", "--every", "1"}, true,
			"saving 100000 x 100000 states needs about 160 GB of memory, more than the 16 GB available: lower --n or --record, or raise --every"},
		{"compare huge n", []string{"compare", "--n", "100000000000", "--grid", "64"}, true,
			"an ensemble of 100000000000 trajectories in 2-D and a grid of 4096 nodes needs about 8.1 TB of memory, more than the 16 GB available: lower --n"},
		{"sgd mlp huge n", []string{"sgd", "--model", "mlp", "--n", "100000000000"}, true,
			"too large to allocate: final states of 100000000000 x 1002 values"},
		{"sgd mlp huge n, memory unknown", []string{"sgd", "--model", "mlp", "--n", "100000000000"}, false,
			"too large to allocate: final states of 100000000000 x 1002 values"},
		{"sgd linreg huge d", []string{"sgd", "--model", "linreg", "--set", "d=100000000"}, true,
			"model linreg (d = 100000000, N = 1000 samples) with 20 chains saving 5 x 200 states needs about 1.67 TB of memory"},
		{"sgd mlp huge hidden", []string{"sgd", "--model", "mlp", "--set", "hidden=100000000"}, true,
			"model mlp (d = 500000002, N = 1000 samples) with 20 chains saving 5 x 200 states needs about 4.34 TB of memory, more than the 16 GB available"},
		{"sgd linreg d beyond any array, memory unknown", []string{"sgd", "--model", "linreg", "--set", "d=1e15"}, false,
			"too large to allocate: inputs of 1000 x 1000000000000000 values"},
		{"simulate model huge n", []string{"simulate", "--model", "linreg", "--n", "100000000000"}, true,
			"model linreg (d = 2, N = 1000 samples) with 100000000000 chains saving 5 x 200 states needs about 4.45 TB of memory, more than the 16 GB available"},
		{"simulate steps overflow", []string{"simulate", "--steps", "9223372036854775807", "--burn-in", "10"}, true,
			"--steps 9223372036854775807 plus --burn-in 10 overflow an integer: lower them"},
		{"sgd steps overflow", []string{"sgd", "--steps", "9223372036854775807"}, true,
			"--steps 9223372036854775807 plus --burn-in 500 overflow an integer: lower them"},
	} {
		t.Run(c.name, func(t *testing.T) {
			withMemory(t, 16e9, c.known)
			checkFastBadInput(t, c.args, c.want)
		})
	}
}

func TestObserveModelBeyondMemoryRefused(t *testing.T) {
	withMemory(t, 16e9, true)
	dir := t.TempDir()
	sum := `{"command": "sgd", "model": "linreg", "params": {"n": 1000, "d": 100000000, "cond": 10, "noise": 0.5, "seed": 1},
		"finite_sum": true, "dim": 100000000, "samples": 1000, "lr": 0.1, "batch": 32, "steps": 2000, "every": 10,
		"record": 5, "seed": 1, "x0": "init"}`
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), []byte(sum), 0o644); err != nil {
		t.Fatal(err)
	}
	checkFastBadInput(t, []string{"observe", dir}, "model linreg (d = 100000000, N = 1000 samples) needs about 804 GB of memory, more than the 16 GB available")
}

// truncations are the broken versions of a valid .npy file of n values
// of shape (32, 32), with what the refusal says after the file's name.
var truncations = []struct {
	name string
	cut  func(raw []byte, n int) []byte
	want func(n int) string
}{
	{"truncated", func(raw []byte, n int) []byte { return raw[:len(raw)-8*24] },
		func(n int) string {
			return "is truncated: its shape (32, 32) needs " + strconv.Itoa(n) + " values, the file holds " + strconv.Itoa(n-24)
		}},
	{"header only", func(raw []byte, n int) []byte { return raw[:len(raw)-8*n] },
		func(n int) string {
			return "is header only, no data: its shape (32, 32) needs " + strconv.Itoa(n) + " values, the file holds 0"
		}},
	{"too long", func(raw []byte, n int) []byte { return append(raw, make([]byte, 16)...) },
		func(n int) string {
			return "is longer than its header says: its shape (32, 32) needs " + strconv.Itoa(n) + " values, the file holds " + strconv.Itoa(n+2)
		}},
}

// cutFile replaces path by cut applied to its contents.
func cutFile(t *testing.T, path string, cut func([]byte, int) []byte, n int) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, cut(raw, n), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEvolveInitTruncatedRefused(t *testing.T) {
	const n = 32 * 32
	for _, c := range truncations {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "init.npy")
			rho := make([]float64, n)
			for i := range rho {
				rho[i] = 1 + float64(i%7)
			}
			if err := datafile.WriteNPY(file, rho, 32, 32); err != nil {
				t.Fatal(err)
			}
			cutFile(t, file, c.cut, n)
			checkFastBadInput(t, []string{"evolve", "--grid", "32", "--steps", "2", "--init", file}, file+" "+c.want(n))
		})
	}
}

func TestPlotTruncatedPhiRefused(t *testing.T) {
	const n = 32 * 32
	base := t.TempDir()
	src := filepath.Join(base, "steady")
	runOK(t, "steady", "--grid", "32", "--out", src)
	for _, c := range truncations {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "steady")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			ents, err := os.ReadDir(src)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range ents {
				b, err := os.ReadFile(filepath.Join(src, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			phi := filepath.Join(dir, "phi.npy")
			cutFile(t, phi, c.cut, n)
			before := dirEntries(t, dir)
			r := sgdsde(t, "plot", "steady", dir)
			lines := r.stderrLines()
			want := "sgdsde: plot steady: " + phi + " " + c.want(n)
			if r.code != 2 || len(lines) != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(lines[0], want) {
				t.Errorf("plot steady with %s phi.npy: exit %d, stderr %q; want exit 2 and one line with %q",
					c.name, r.code, r.stderr, want)
			}
			if after := dirEntries(t, dir); !slices.Equal(after, before) {
				t.Errorf("plot steady with %s phi.npy wrote files: %v, before %v", c.name, after, before)
			}
		})
	}
}

func TestFormulaNotFiniteRefusedByEveryCommand(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"simulate", []string{"simulate", "--loss", "1/(x-x)"}, "at x0: model is not finite: the loss f(1, 0) = +Inf"},
		{"simulate 1-D", []string{"simulate", "--dim", "1", "--loss", "1/(x-x)", "--x0", "0.5"}, "at x0: model is not finite: the loss f(0.5) = +Inf"},
		{"simulate drift", []string{"simulate", "--drift", "0/0; -y"}, "at x0: model is not finite: the drift b(1, 0) = (NaN, -0)"},
		// compare checks the ensemble's start first; the grid commands name
		// the first node of the default box [-3, 3]^2 (32 x 32 cells,
		// centres from -2.90625) where the model is not finite.
		{"compare", []string{"compare", "--loss", "1/(x-x)", "--grid", "32"}, "at x0: model is not finite: the loss f(1, 0) = +Inf"},
		{"steady", []string{"steady", "--loss", "1/(x-x)", "--grid", "32"}, "drift or loss is not finite near (-2.90625, -2.8125) (check the model and --box)"},
		{"evolve", []string{"evolve", "--loss", "1/(x-x)", "--grid", "32"}, "drift or loss is not finite near (-2.90625, -2.8125) (check the model and --box)"},
		{"cycles", []string{"cycles", "--loss", "1/(x-x)", "--grid", "32"}, "drift or loss is not finite near (-2.90625, -2.8125) (check the model and --box)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkFastBadInput(t, c.args, c.want)
		})
	}
}

func TestOutThatCannotBeCreatedRefusedFirst(t *testing.T) {
	if st, err := os.Stat("/proc/self"); err != nil || !st.IsDir() {
		t.Skip("no /proc")
	}
	runDir := filepath.Join(t.TempDir(), "run")
	runOK(t, "sgd", "--n", "2", "--steps", "20", "--burn-in", "0", "--out", runDir)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"compare", []string{"compare", "--out", "/proc/x"}, "--out /proc/x: cannot create anything in /proc"},
		{"compare list", []string{"compare", "--temperature", "0.3,0.5", "--out", "/proc/x/y"}, "--out /proc/x/y: cannot create anything in /proc"},
		{"simulate", []string{"simulate", "--out", "/proc/x"}, "--out /proc/x: cannot create anything in /proc"},
		{"simulate model", []string{"simulate", "--model", "linreg", "--out", "/proc/x"}, "--out /proc/x: cannot create anything in /proc"},
		{"sgd", []string{"sgd", "--out", "/proc/x"}, "--out /proc/x: cannot create anything in /proc"},
		{"steady", []string{"steady", "--out", "/proc/x"}, "--out /proc/x: cannot create anything in /proc"},
		{"evolve", []string{"evolve", "--out", "/proc/x"}, "--out /proc/x: cannot create anything in /proc"},
		{"cycles", []string{"cycles", "--out", "/proc/x"}, "--out /proc/x: cannot create anything in /proc"},
		{"observe", []string{"observe", runDir, "--out", "/proc/x"}, "--out /proc/x: cannot create anything in /proc"},
		{"sweep", []string{"sweep", "steady", "--vary", "temperature=0.2,0.4", "--out", "/proc/x"}, "--out /proc/x: cannot create anything in /proc"},
		{"demo", []string{"demo", "--out", "/proc/x"}, "--out /proc/x: cannot create anything in /proc"},
		{"plot", []string{"plot", "steady", "/proc"}, "plot steady: cannot write figures into /proc"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			r := sgdsde(t, c.args...)
			lines := r.stderrLines()
			if r.code != 2 || len(lines) != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(lines[0], "sgdsde: "+c.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line starting %q", r.code, r.stderr, "sgdsde: "+c.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if el := time.Since(start); el > 3*time.Second {
				t.Errorf("refused after %v: --out must be checked before any work", el)
			}
		})
	}
}

func TestCheckOutDir(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, dir, want string // want "" for no error
	}{
		{"existing directory", base, ""},
		{"new nested directory", filepath.Join(base, "a", "b", "c"), ""},
		{"a file", file, "--out " + file + " exists and is not a directory"},
		{"below a file", filepath.Join(file, "x"), "--out " + filepath.Join(file, "x") + ": " + file + " is not a directory"},
		{"empty", "", "--out must name a directory"},
		{"/proc", "/proc/x", "--out /proc/x: cannot create anything in /proc"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if strings.HasPrefix(c.dir, "/proc") {
				if _, err := os.Stat("/proc/self"); err != nil {
					t.Skip("no /proc")
				}
			}
			err := checkOutDir(c.dir)
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Errorf("checkOutDir(%q) = %v, want %q", c.dir, err, c.want)
			}
			if got := dirEntries(t, base); len(got) != 1 || got[0] != "file" {
				t.Errorf("checkOutDir left %v in %s", got, base)
			}
		})
	}
}
