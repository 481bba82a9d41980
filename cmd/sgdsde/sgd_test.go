package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/sde"
)

// sgdOK runs args and fails the test on a non-zero exit.
func sgdOK(t *testing.T, args ...string) result {
	t.Helper()
	r := sgdsde(t, args...)
	if r.code != 0 {
		t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
	}
	return r
}

// TestSGD runs sgd on linreg and on a small mlp and reads the files back.
func TestSGD(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		d    int
		cov  bool
		x0   any
	}{
		{"linreg", []string{"--model", "linreg", "--lr", "0.2", "--batch", "10"}, 2, true, "init"},
		{"linreg x0 list", []string{"--model", "linreg", "--x0", "1,-1", "--without-replacement"}, 2, true, []any{1.0, -1.0}},
		{"mlp", []string{"--model", "mlp", "--set", "hidden=20,n=100", "--momentum", "0.5", "--lr", "0.05"}, 3*20 + 2*21, false, "init"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"sgd", "--n", "6", "--steps", "100", "--burn-in", "20", "--record", "3", "--every", "10", "--out", dir}, c.args...)
			r := sgdOK(t, args...)
			if !strings.Contains(r.stdout, "chain-steps/s") {
				t.Errorf("stdout %q", r.stdout)
			}
			shape, data := readNPY(t, filepath.Join(dir, "final.npy"))
			if !reflect.DeepEqual(shape, []int{6, c.d}) || len(data) != 6*c.d {
				t.Errorf("final.npy shape %v", shape)
			}
			if shape, _ := readNPY(t, filepath.Join(dir, "traj.npy")); !reflect.DeepEqual(shape, []int{3, 10, c.d}) {
				t.Errorf("traj.npy shape %v", shape)
			}
			s := readSummary(t, dir)
			for _, k := range []string{"command", "version", "model", "params", "finite_sum", "dim", "samples", "lr", "batch",
				"without_replacement", "momentum", "temperature", "dt", "n", "steps", "burn_in", "every", "record", "seed", "x0",
				"mean", "diverged", "samples_averaged", "elapsed_seconds", "steps_per_second", "files"} {
				if _, ok := s[k]; !ok {
					t.Errorf("summary.json lacks %q", k)
				}
			}
			if _, ok := s["noise"]; ok {
				t.Error("sgd summary has noise")
			}
			if s["command"] != "sgd" || s["finite_sum"] != true || s["dim"] != float64(c.d) || len(s["mean"].([]any)) != c.d ||
				s["samples_averaged"] != float64(600) || s["dt"] != s["lr"] || !reflect.DeepEqual(s["x0"], c.x0) {
				t.Errorf("summary %v", s)
			}
			if _, ok := s["cov"]; ok != c.cov {
				t.Errorf("cov present %v, want %v", ok, c.cov)
			}
		})
	}
}

// TestSGDWorkersIdenticalFiles checks byte-identical final.npy and traj.npy
// for --workers 1 and 2, for sgd and for simulate --model.
func TestSGDWorkersIdenticalFiles(t *testing.T) {
	for _, cmd := range []string{"sgd", "simulate"} {
		var ref [][]byte
		for _, w := range []string{"1", "2"} {
			dir := t.TempDir()
			sgdOK(t, cmd, "--model", "linreg", "--set", "n=100", "--lr", "0.2", "--batch", "8", "--n", "21", "--steps", "200",
				"--burn-in", "10", "--record", "2", "--every", "4", "--workers", w, "--out", dir)
			var got [][]byte
			for _, f := range []string{"final.npy", "traj.npy"} {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, b)
			}
			if ref == nil {
				ref = got
				continue
			}
			for i := range got {
				if !bytes.Equal(ref[i], got[i]) {
					t.Errorf("%s: file %d differs between --workers 1 and 2", cmd, i)
				}
			}
		}
	}
}

// TestSimulateModelTemperature checks that simulate --model takes T from
// --lr and --batch (times (N - b)/(N - 1) without replacement, the exact
// factor; see sde.SGDTemperature) and dt = lr.
func TestSimulateModelTemperature(t *testing.T) {
	for _, c := range []struct {
		args  []string
		lr    float64
		batch int
		wr    bool
		noise string
	}{
		{[]string{"--lr", "0.3", "--batch", "6"}, 0.3, 6, false, "exact"},
		{[]string{"--lr", "0.3", "--batch", "6", "--without-replacement", "--noise", "isotropic"}, 0.3, 6, true, "isotropic"},
		{nil, defaultSGDLR, defaultSGDBatch, false, "exact"},
	} {
		dir := t.TempDir()
		args := append([]string{"simulate", "--model", "linreg", "--set", "n=100", "--n", "4", "--steps", "50", "--burn-in", "0", "--out", dir}, c.args...)
		sgdOK(t, args...)
		s := readSummary(t, dir)
		want, err := sde.SGDTemperature(c.lr, c.batch, 100, c.wr)
		if err != nil {
			t.Fatal(err)
		}
		if s["command"] != "simulate" || s["temperature"] != want || s["dt"] != c.lr || s["lr"] != c.lr || s["batch"] != float64(c.batch) ||
			s["noise"] != c.noise || s["samples"] != float64(100) || s["finite_sum"] != true {
			t.Errorf("%v: summary %v, want T %v", c.args, s, want)
		}
	}
}

// TestSGDBadInput checks one line on stderr, exit 2 and no --out.
func TestSGDBadInput(t *testing.T) {
	small := []string{"--n", "2", "--steps", "10", "--burn-in", "0"}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown model", []string{"sgd", "--model", "nope"}, "unknown finite-sum model"},
		{"unknown parameter", []string{"sgd", "--set", "zz=1"}, `no parameter "zz"`},
		{"bad parameter", []string{"sgd", "--set", "n=0"}, "n"},
		{"lr zero", []string{"sgd", "--lr", "0"}, "--lr"},
		{"batch zero", []string{"sgd", "--batch", "0"}, "--batch"},
		{"batch > samples", []string{"sgd", "--set", "n=20", "--batch", "21"}, "--batch"},
		{"momentum 1", []string{"sgd", "--momentum", "1"}, "--momentum"},
		{"momentum negative", []string{"sgd", "--momentum", "-0.5"}, "--momentum"},
		{"independent without without", []string{"sgd", "--independent-batches"}, "--without-replacement"},
		{"x0 length", []string{"sgd", "--x0", "1,2,3"}, "--x0"},
		{"x0 word", []string{"sgd", "--x0", "ones"}, "--x0"},
		{"n zero", []string{"sgd", "--n", "0"}, "--n"},
		{"every > steps", []string{"sgd", "--every", "20"}, "--every"},
		{"record > n", []string{"sgd", "--record", "3"}, "--record"},
		{"bound", []string{"sgd", "--bound", "0"}, "--bound"},
		{"extra argument", []string{"sgd", "x"}, "x"},
		{"simulate unknown model", []string{"simulate", "--model", "nope"}, "unknown finite-sum model"},
		{"simulate temperature", []string{"simulate", "--model", "linreg", "--temperature", "0.1"}, "--temperature conflicts with --model"},
		{"simulate dt", []string{"simulate", "--model", "linreg", "--dt", "0.1"}, "--dt conflicts with --model"},
		{"simulate landscape", []string{"simulate", "--model", "linreg", "--landscape", "gyrator"}, "--landscape"},
		{"simulate loss", []string{"simulate", "--model", "linreg", "--loss", "x^2"}, "--loss"},
		{"simulate samples", []string{"simulate", "--model", "linreg", "--samples", "10"}, "--samples"},
		{"simulate noise", []string{"simulate", "--model", "linreg", "--noise", "pink"}, "--noise"},
		{"simulate noise without model", []string{"simulate", "--noise", "exact"}, "--model"},
		{"simulate batch > samples", []string{"simulate", "--model", "linreg", "--set", "n=20", "--batch", "30"}, "--batch"},
		{"simulate full batch without replacement", []string{"simulate", "--model", "linreg", "--set", "n=20", "--batch", "20", "--without-replacement"}, "T = 0"},
		{"simulate lr negative", []string{"simulate", "--model", "linreg", "--lr", "-1"}, "--lr"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			args := append(append(append([]string{c.args[0]}, small...), c.args[1:]...), "--out", dir)
			r := sgdsde(t, args...)
			lines := r.stderrLines()
			if r.code != 2 || len(lines) != 1 || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q: want exit 2 and one line", r.code, r.stderr)
			}
			if !strings.HasPrefix(lines[0], "sgdsde: ") || !strings.Contains(lines[0], c.want) {
				t.Errorf("stderr %q does not contain %q", lines[0], c.want)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("--out %s was created", dir)
			}
		})
	}
}

// TestSGDDiverged checks that a run whose chains all diverge is a failure
// (exit 1) that suggests a smaller --lr and writes nothing.
func TestSGDDiverged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := sgdsde(t, "sgd", "--set", "n=20", "--batch", "4", "--lr", "50", "--n", "3", "--steps", "3000", "--out", dir)
	if r.code != 1 || len(r.stderrLines()) != 1 || !strings.Contains(r.stderr, "--lr") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("--out %s was created", dir)
	}
}
