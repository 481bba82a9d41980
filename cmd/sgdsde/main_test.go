package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"codeberg.org/sbinet/npyio/npy"

	"github.com/sgdsde/sgdsde/potentials"
)

// result is the outcome of one in-process run.
type result struct {
	code           int
	stdout, stderr string
}

// sgdsde runs the command line args in process.
func sgdsde(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// stderrLines returns the non-empty lines of r.stderr.
func (r result) stderrLines() []string {
	var lines []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// readNPY reads a float64 .npy file and returns its shape and data.
func readNPY(t *testing.T, path string) ([]int, []float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := npy.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var data []float64
	if err := r.Read(&data); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r.Header.Descr.Shape, data
}

// readSummary decodes summary.json in dir.
func readSummary(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("summary.json: %v", err)
	}
	return m
}

// dirEntries lists the names in dir (nil if it does not exist).
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestVersionAndHelp(t *testing.T) {
	r := sgdsde(t, "--version")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "sgdsde "+version {
		t.Errorf("--version: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = sgdsde(t, "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "stochastic gradient descent") || !strings.Contains(r.stdout, "simulate") {
		t.Errorf("--help: code %d, stdout %q", r.code, r.stdout)
	}
	r = sgdsde(t, "simulate", "--help")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("simulate --help: code %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"--dt", "time units", "(default 0.001)",
		"--steps", "(default 10000)",
		"--n ", "--burn-in", "(default 2000)",
		"--temperature", "(default 0.5)", "--lr", "--batch", "--samples", "--without-replacement",
		"--landscape", `(default "double-well")`, "--loss", "--drift", "--diffusion", "--dim", "--set", "--drift-kind",
		"--x0", "--seed", "--workers", "all CPU cores", "--record", "--every", "--bound", "--out", `(default "out/simulate")`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("simulate --help does not mention %q", want)
		}
	}
}

func TestLandscapes(t *testing.T) {
	r := sgdsde(t, "landscapes")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("code %d, stderr %q", r.code, r.stderr)
	}
	ls := potentials.Landscapes()
	if len(ls) == 0 {
		t.Fatal("no landscapes registered")
	}
	for _, l := range ls {
		if !strings.Contains(r.stdout, "\n"+l.Name+"\n") && !strings.HasPrefix(r.stdout, l.Name+"\n") {
			t.Errorf("landscape %q not listed", l.Name)
		}
		for _, p := range l.Params {
			if !strings.Contains(r.stdout, p.Name) {
				t.Errorf("landscape %q: parameter %q not listed", l.Name, p.Name)
			}
		}
	}
	for _, want := range []string{"--loss", "--drift", "--diffusion", "--dim", "--set", "sqrt", "tanh", "pi", "^"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("formula help does not mention %q", want)
		}
	}
}

// TestBadInput checks that every bad input gives exactly one line on
// stderr, exit code 2, and no output files.
func TestBadInput(t *testing.T) {
	small := []string{"--n", "20", "--steps", "50", "--burn-in", "0"}
	cases := []struct {
		name string
		args []string
		want string // phrase the error line must contain
	}{
		{"unknown landscape", []string{"--landscape", "nope"}, "unknown landscape"},
		{"unknown parameter", []string{"--set", "zz=1"}, `no parameter "zz"`},
		{"missing formula parameter", []string{"--loss", "a*x^2 + y^2"}, `missing parameter "a" (give it with --set a=VALUE)`},
		{"formula syntax", []string{"--loss", "x^2 +* y"}, "column"},
		{"formula unbalanced", []string{"--loss", "(x^2 + y^2"}, "column"},
		{"bad function", []string{"--loss", "foo(x) + y^2"}, "column"},
		{"D not symmetric", []string{"--loss", "x^2 + y^2", "--diffusion", "1, 0.5; 0, 1"}, "symmetric"},
		{"D not PSD", []string{"--loss", "x^2 + y^2", "--diffusion", "1, 2; 2, 1"}, "semi-definite"},
		{"landscape D not PSD", []string{"--landscape", "gyrator", "--set", "d12=3"}, "semi-definite"},
		{"T zero", []string{"--temperature", "0"}, "--temperature must be positive"},
		{"T negative", []string{"--temperature", "-1"}, "--temperature must be positive"},
		{"T and lr", []string{"--temperature", "0.1", "--lr", "0.1", "--batch", "2"}, "conflicts"},
		{"lr without batch", []string{"--lr", "0.1"}, "--batch"},
		{"lr negative", []string{"--lr", "-0.1", "--batch", "2"}, "learning rate"},
		{"samples too small", []string{"--lr", "0.1", "--batch", "10", "--samples", "5", "--without-replacement"}, "samples"},
		{"batch without lr", []string{"--batch", "4"}, "--lr"},
		{"dt zero", []string{"--dt", "0"}, "--dt"},
		{"dt negative", []string{"--dt", "-1e-3"}, "--dt"},
		{"n zero", []string{"--n", "0"}, "--n"},
		{"steps zero", []string{"--steps", "0"}, "--steps"},
		{"record > n", []string{"--n", "5", "--record", "6"}, "--record"},
		{"every zero", []string{"--every", "0"}, "--every"},
		{"every > steps", []string{"--steps", "5", "--every", "10"}, "--every"},
		{"x0 wrong length", []string{"--x0", "1"}, "--x0"},
		{"x0 not a number", []string{"--x0", "1,a"}, "--x0"},
		{"set malformed", []string{"--set", "d12"}, "--set"},
		{"set not a number", []string{"--set", "d12=abc"}, "--set"},
		{"set twice", []string{"--set", "d12=0.1,d12=0.2"}, "twice"},
		{"landscape and formula", []string{"--landscape", "gyrator", "--loss", "x^2"}, "conflicts"},
		{"dim without formula", []string{"--dim", "1"}, "--dim"},
		{"dim 3", []string{"--loss", "x^2", "--dim", "3"}, "--dim"},
		{"drift kind", []string{"--drift-kind", "nope"}, "--drift-kind"},
		{"gibbs without loss", []string{"--drift", "-x; -y", "--drift-kind", "gibbs"}, "loss"},
		{"workers negative", []string{"--workers", "-1"}, "--workers"},
		{"bound zero", []string{"--bound", "0"}, "--bound"},
		{"unknown flag", []string{"--nope"}, "unknown flag"},
		{"bad flag value", []string{"--n", "many"}, "--n"},
		{"extra argument", []string{"extra"}, "extra"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			args := append([]string{"simulate", "--out", dir}, small...)
			args = append(args, c.args...)
			r := sgdsde(t, args...)
			lines := r.stderrLines()
			if r.code != 2 {
				t.Errorf("exit code %d, want 2 (stderr %q)", r.code, r.stderr)
			}
			if len(lines) != 1 || !strings.HasSuffix(r.stderr, "\n") || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("stderr has %d lines, want 1: %q", len(lines), r.stderr)
			}
			if !strings.HasPrefix(lines[0], "sgdsde: ") || !strings.Contains(lines[0], c.want) {
				t.Errorf("stderr %q does not start with \"sgdsde: \" and contain %q", lines[0], c.want)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("--out %s was created", dir)
			}
		})
	}
}

func TestBadInputExistingOut(t *testing.T) {
	dir := t.TempDir()
	r := sgdsde(t, "simulate", "--out", dir, "--dt", "0")
	if r.code != 2 || len(r.stderrLines()) != 1 {
		t.Errorf("code %d, stderr %q", r.code, r.stderr)
	}
	if ents := dirEntries(t, dir); len(ents) != 0 {
		t.Errorf("files appeared in the existing --out: %v", ents)
	}
}

func TestOutIsFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{file, filepath.Join(file, "sub")} {
		r := sgdsde(t, "simulate", "--n", "2", "--steps", "10", "--out", out)
		if r.code != 2 || len(r.stderrLines()) != 1 || !strings.Contains(r.stderr, "not a directory") {
			t.Errorf("--out %s: code %d, stderr %q", out, r.code, r.stderr)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"simulat"}, {"landscapes", "x"}, {"--nope"}} {
		r := sgdsde(t, args...)
		if r.code != 2 || len(r.stderrLines()) != 1 || !strings.HasPrefix(r.stderr, "sgdsde: ") {
			t.Errorf("%v: code %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// simulateSmall runs a small simulate into dir with extra flags.
func simulateSmall(t *testing.T, dir string, extra ...string) result {
	t.Helper()
	args := append([]string{"simulate", "--n", "200", "--steps", "500", "--burn-in", "100", "--seed", "7", "--out", dir}, extra...)
	r := sgdsde(t, args...)
	if r.code != 0 {
		t.Fatalf("%v: code %d, stderr %q", args, r.code, r.stderr)
	}
	return r
}

func TestSimulate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "out")
	r := simulateSmall(t, dir)
	if r.stderr != "" {
		t.Errorf("stderr not empty: %q", r.stderr)
	}
	for _, want := range []string{"mean", "cov", "angular momentum", "±", "diverged", "million trajectory-steps/s", dir} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout does not mention %q:\n%s", want, r.stdout)
		}
	}
	ents := dirEntries(t, dir)
	if want := []string{"final.npy", "summary.json", "traj.npy"}; !reflect.DeepEqual(ents, want) {
		t.Errorf("--out holds %v, want %v", ents, want)
	}
	shape, final := readNPY(t, filepath.Join(dir, "final.npy"))
	if !reflect.DeepEqual(shape, []int{200, 2}) || len(final) != 400 {
		t.Errorf("final.npy shape %v (%d values), want [200 2]", shape, len(final))
	}
	shape, traj := readNPY(t, filepath.Join(dir, "traj.npy"))
	if !reflect.DeepEqual(shape, []int{10, 50, 2}) || len(traj) != 1000 {
		t.Errorf("traj.npy shape %v (%d values), want [10 50 2]", shape, len(traj))
	}
	for _, v := range append(final, traj...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite value in the outputs")
		}
	}
	// The last recorded state of trajectory 0 is its final state.
	if traj[49*2] != final[0] || traj[49*2+1] != final[1] {
		t.Errorf("traj[0, -1] = (%v, %v), final[0] = (%v, %v)", traj[98], traj[99], final[0], final[1])
	}

	s := readSummary(t, dir)
	for _, k := range []string{
		"command", "version", "model", "formula", "params", "dim", "drift_kind", "temperature", "temperature_from",
		"n", "steps", "burn_in", "dt", "x0", "seed", "workers", "record", "every", "bound",
		"mean", "mean_stderr", "cov", "angular_momentum", "angular_momentum_stderr", "diverged", "samples",
		"elapsed_seconds", "steps_per_second",
	} {
		v, ok := s[k]
		if !ok {
			t.Errorf("summary.json has no key %q", k)
			continue
		}
		checkFinite(t, k, v)
	}
	if s["command"] != "simulate" || s["model"] != "double-well" || s["version"] != version ||
		s["temperature"] != 0.5 || s["temperature_from"] != "default" || s["n"] != 200.0 || s["diverged"] != 0.0 ||
		s["samples"] != 200.0*500 || s["drift_kind"] != "sgd" {
		t.Errorf("summary.json echoes the wrong inputs: %v", s)
	}
	if x0 := s["x0"].([]any); len(x0) != 2 || x0[0] != 1.0 || x0[1] != 0.0 {
		t.Errorf("default x0 = %v, want [1 0]", x0)
	}
	if cov := s["cov"].([]any); len(cov) != 2 || len(cov[0].([]any)) != 2 {
		t.Errorf("cov = %v, want a 2 x 2 nested list", cov)
	}
}

// checkFinite fails if a decoded JSON value holds a non-number where a
// number is expected; JSON cannot hold NaN, so any number is finite.
func checkFinite(t *testing.T, key string, v any) {
	t.Helper()
	switch v := v.(type) {
	case nil:
		t.Errorf("summary.json: %s is null", key)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("summary.json: %s = %v", key, v)
		}
	case []any:
		for _, e := range v {
			checkFinite(t, key, e)
		}
	case map[string]any:
		for _, e := range v {
			checkFinite(t, key, e)
		}
	}
}

func TestSimulateWorkersIdentical(t *testing.T) {
	base := t.TempDir()
	d1, d2 := filepath.Join(base, "w1"), filepath.Join(base, "w2")
	simulateSmall(t, d1, "--workers", "1")
	simulateSmall(t, d2, "--workers", "2")
	for _, f := range []string{"final.npy", "traj.npy"} {
		b1, err1 := os.ReadFile(filepath.Join(d1, f))
		b2, err2 := os.ReadFile(filepath.Join(d2, f))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(b1, b2) {
			t.Errorf("%s differs between --workers 1 and --workers 2", f)
		}
	}
	s1, s2 := readSummary(t, d1), readSummary(t, d2)
	for _, k := range []string{"elapsed_seconds", "steps_per_second", "workers", "workers_requested"} {
		delete(s1, k)
		delete(s2, k)
	}
	if !reflect.DeepEqual(s1, s2) {
		t.Errorf("summaries differ beyond timing and workers:\n%v\n%v", s1, s2)
	}
}

func TestSimulateSGDTemperature(t *testing.T) {
	cases := []struct {
		args    []string
		want    float64
		samples bool
	}{
		{[]string{"--lr", "0.1", "--batch", "10"}, 0.005, false},
		// Without replacement the batch covariance is D (N - b) / (b (N - 1)),
		// so T = lr (N - b) / (2 b (N - 1)) = 0.1 * 10 / (2 * 10 * 19).
		{[]string{"--lr", "0.1", "--batch", "10", "--samples", "20", "--without-replacement"}, 0.1 * 10 / (2 * 10 * 19), true},
	}
	for _, c := range cases {
		dir := filepath.Join(t.TempDir(), "out")
		args := append([]string{"simulate", "--n", "20", "--steps", "50", "--burn-in", "0", "--every", "5", "--out", dir}, c.args...)
		r := sgdsde(t, args...)
		if r.code != 0 {
			t.Fatalf("%v: code %d, stderr %q", c.args, r.code, r.stderr)
		}
		s := readSummary(t, dir)
		T, _ := s["temperature"].(float64)
		if math.Abs(T-c.want) > 1e-15 {
			t.Errorf("%v: temperature %v, want %v", c.args, T, c.want)
		}
		if s["temperature_from"] != "--lr/--batch" {
			t.Errorf("%v: temperature_from %v", c.args, s["temperature_from"])
		}
		sgd, _ := s["sgd"].(map[string]any)
		if sgd["lr"] != 0.1 || sgd["batch"] != 10.0 || sgd["without_replacement"] != c.samples {
			t.Errorf("%v: sgd = %v", c.args, sgd)
		}
		if _, ok := sgd["samples"]; ok != c.samples {
			t.Errorf("%v: sgd = %v, samples present %v, want %v", c.args, sgd, ok, c.samples)
		}
	}
}

func TestSimulateFormulaAndGibbs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := sgdsde(t, "simulate", "--n", "20", "--steps", "50", "--burn-in", "0", "--every", "5", "--out", dir,
		"--loss", "a*x^2/2 + y^2", "--diffusion", "1, c; c, 1", "--set", "a=2", "--set", "c=0.5", "--drift-kind", "gibbs")
	if r.code != 0 {
		t.Fatalf("code %d, stderr %q", r.code, r.stderr)
	}
	s := readSummary(t, dir)
	f, _ := s["formulas"].(map[string]any)
	if f["loss"] != "a*x^2/2 + y^2" || f["diffusion"] != "1, c; c, 1" || s["drift_kind"] != "gibbs" {
		t.Errorf("summary does not echo the formulas: %v", s)
	}
	if p, _ := s["params"].(map[string]any); p["a"] != 2.0 || p["c"] != 0.5 {
		t.Errorf("params = %v", s["params"])
	}
	dir1 := filepath.Join(t.TempDir(), "out1")
	r = sgdsde(t, "simulate", "--n", "20", "--steps", "50", "--burn-in", "0", "--every", "5", "--out", dir1,
		"--loss", "(x^2-1)^2/4", "--dim", "1", "--record", "3")
	if r.code != 0 {
		t.Fatalf("1-D: code %d, stderr %q", r.code, r.stderr)
	}
	if shape, _ := readNPY(t, filepath.Join(dir1, "traj.npy")); !reflect.DeepEqual(shape, []int{3, 10, 1}) {
		t.Errorf("1-D traj.npy shape %v, want [3 10 1]", shape)
	}
	if s := readSummary(t, dir1); s["dim"] != 1.0 {
		t.Errorf("1-D: dim %v", s["dim"])
	} else if _, ok := s["angular_momentum"]; ok {
		t.Errorf("1-D: summary has angular_momentum")
	}
}

func TestSimulateRecordZeroRemovesStaleTraj(t *testing.T) {
	dir := t.TempDir()
	args := []string{"simulate", "--n", "20", "--steps", "50", "--burn-in", "0", "--every", "5", "--out", dir}
	if r := sgdsde(t, args...); r.code != 0 {
		t.Fatalf("code %d, stderr %q", r.code, r.stderr)
	}
	if r := sgdsde(t, append(args, "--record", "0")...); r.code != 0 {
		t.Fatalf("code %d, stderr %q", r.code, r.stderr)
	}
	if ents := dirEntries(t, dir); !reflect.DeepEqual(ents, []string{"final.npy", "summary.json"}) {
		t.Errorf("--record 0 left %v", ents)
	}
}

func TestSimulateDivergence(t *testing.T) {
	// Some trajectories of the double well at T = 0.5 leave |x| <= 1.5.
	dir := filepath.Join(t.TempDir(), "out")
	r := sgdsde(t, "simulate", "--n", "100", "--steps", "1000", "--burn-in", "0", "--bound", "1.5", "--out", dir)
	if r.code != 0 {
		t.Fatalf("partial divergence: code %d, stderr %q", r.code, r.stderr)
	}
	if lines := r.stderrLines(); len(lines) != 1 || !strings.Contains(lines[0], "warning") || !strings.Contains(lines[0], "diverged") {
		t.Errorf("partial divergence: stderr %q, want one warning line", r.stderr)
	}
	if s := readSummary(t, dir); !(s["diverged"].(float64) > 0 && s["diverged"].(float64) < 100) {
		t.Errorf("diverged = %v, want between 1 and 99", s["diverged"])
	}

	// Every trajectory starts at (1, 0), beyond the bound 0.5.
	dir = filepath.Join(t.TempDir(), "out")
	r = sgdsde(t, "simulate", "--n", "10", "--steps", "100", "--bound", "0.5", "--out", dir)
	if r.code != 1 {
		t.Errorf("all diverged: code %d, want 1", r.code)
	}
	if lines := r.stderrLines(); len(lines) != 1 || !strings.Contains(lines[0], "smaller --dt") {
		t.Errorf("all diverged: stderr %q, want one line suggesting a smaller --dt", r.stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("all diverged: --out was created")
	}
}

func TestSimulateInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := filepath.Join(t.TempDir(), "out")
	var out, errb bytes.Buffer
	code := runContext(ctx, []string{"simulate", "--n", "100", "--steps", "1000", "--out", dir}, &out, &errb)
	if code != 1 || strings.Count(errb.String(), "\n") != 1 || !strings.Contains(errb.String(), "interrupted") {
		t.Errorf("code %d, stderr %q", code, errb.String())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("--out was created by an interrupted run")
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "plain",
		"a\nb":  "a; b",
		"unknown command \"x\" for \"sgdsde\"\n\nDid you mean this?\n\tsimulate\n": "unknown command \"x\" for \"sgdsde\"; Did you mean this? simulate",
		"  spaced   out \n": "spaced out",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProgressConcurrent(t *testing.T) {
	p := newProgress(io.Discard, 8000, "test")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				p.add(1)
			}
		}()
	}
	wg.Wait()
	if got := p.done.Load(); got != 8000 {
		t.Errorf("progress counted %d, want 8000", got)
	}
	p.finish()
}

func TestDefaultX0(t *testing.T) {
	m := potentials.Model{Dim: 2, Box: potentials.NewBox(-2, 2, -1, 1)}
	if x := defaultX0(m); !reflect.DeepEqual(x, []float64{1, 0}) {
		t.Errorf("box containing (1, 0): x0 = %v", x)
	}
	m.Box = potentials.NewBox(2, 4, -1, 3)
	if x := defaultX0(m); !reflect.DeepEqual(x, []float64{3, 1}) {
		t.Errorf("box not containing (1, 0): x0 = %v, want the centre (3, 1)", x)
	}
	m = potentials.Model{Dim: 1, Box: potentials.NewBox(-3, 1)}
	if x := defaultX0(m); !reflect.DeepEqual(x, []float64{-1}) {
		t.Errorf("1-D: x0 = %v, want the centre -1", x)
	}
	m = potentials.Model{Dim: 2}
	if x := defaultX0(m); !reflect.DeepEqual(x, []float64{1, 0}) {
		t.Errorf("no box: x0 = %v, want (1, 0)", x)
	}
}

// TestHelpExamplesRun runs every example of every command's --help (made
// small with --n, --steps and --burn-in appended) so the help cannot rot.
func TestHelpExamplesRun(t *testing.T) {
	root := newRootCmd(&app{stdout: io.Discard, stderr: io.Discard})
	for _, c := range root.Commands() {
		for _, line := range strings.Split(c.Example, "\n") {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "sgdsde ") {
				continue
			}
			if i := strings.Index(line, "  #"); i >= 0 { // a shell comment
				line = strings.TrimSpace(line[:i])
			}
			args, err := splitArgs(strings.TrimPrefix(line, "sgdsde "))
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			// Later flags win: make each example small and keep its files
			// out of the source tree.
			switch c.Name() {
			case "simulate":
				args = append(args, "--n", "20", "--steps", "50", "--burn-in", "10", "--record", "2", "--every", "5")
			case "steady":
				args = append(args, "--grid", "32")
			case "cycles":
				args = append(args, "--grid", "96")
			case "compare":
				args = append(args, "--grid", "32", "--n", "200", "--steps", "20", "--burn-in", "20")
			case "evolve":
				args = append(args, "--grid", "32", "--steps", "4", "--every", "2")
			case "observe":
				args[1] = observeRunDir(t) // DIR: a small linreg run
			case "sgd":
				args = append(args, "--n", "4", "--steps", "50", "--burn-in", "10", "--record", "2", "--every", "5")
			case "sweep": // the swept command's flags, made small as above
				args = append(args, map[string][]string{
					"simulate": {"--n", "20", "--steps", "50", "--burn-in", "10", "--record", "2", "--every", "5"},
					"steady":   {"--grid", "32"},
					"sgd":      {"--n", "4", "--steps", "50", "--burn-in", "10", "--record", "2", "--every", "5"},
				}[args[1]]...)
			}
			if c.Name() == "serve" { // serves until stopped: start it on a free port, then stop it
				if code, out, errs := serveBriefly(t, append(args, "--addr", "127.0.0.1:0")); code != 0 {
					t.Errorf("example %q: exit %d: %s%s", line, code, out, errs)
				}
				continue
			}
			if c.Name() != "landscapes" {
				args = append(args, "--out", t.TempDir())
			}
			if r := sgdsde(t, args...); r.code != 0 {
				t.Errorf("example %q: exit %d: %s", line, r.code, r.stderr)
			}
		}
	}
}

// splitArgs splits a shell-like command line with double quotes.
func splitArgs(s string) ([]string, error) {
	var args []string
	var cur strings.Builder
	in, have := false, false
	for _, r := range s {
		switch {
		case r == '"':
			in, have = !in, true
		case r == ' ' && !in:
			if have {
				args = append(args, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if in {
		return nil, fmt.Errorf("unbalanced quote")
	}
	if have {
		args = append(args, cur.String())
	}
	return args, nil
}

// A mistyped command gets cobra's suggestion on stderr.
func TestSuggestions(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"steddy"}, `unknown command "steddy". Did you mean this? steady`},
		{[]string{"simulat"}, "Did you mean this? simulate"},
		{[]string{"comapre"}, "Did you mean this? compare"},
		{[]string{"plot", "stedy", "x"}, `unknown plot kind "stedy". Did you mean this? steady`},
	} {
		r := sgdsde(t, c.args...)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want 2", c.args, r.code)
		}
		if lines := r.stderrLines(); len(lines) != 1 || !strings.Contains(lines[0], c.want) {
			t.Errorf("%v: stderr %q, want one line with %q", c.args, r.stderr, c.want)
		}
		if r.stdout != "" {
			t.Errorf("%v: stdout %q", c.args, r.stdout)
		}
	}
	if r := sgdsde(t, "xyzzy"); strings.Contains(r.stderr, "Did you mean") {
		t.Errorf("xyzzy: stderr %q suggests", r.stderr)
	}
}
