package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/plots"
	"github.com/sgdsde/sgdsde/potentials"
)

// TestFashionCommands runs fashion-mlp through the commands on synthetic
// data: sgd with the model's default chains writes the accuracies and the
// data directory, observe rebuilds the model from it, simulate --model
// takes --data-dir, a sweep over lr and batch tabulates test_accuracy and
// temperature; a missing data directory is one line on stderr naming the
// directory and the Debian package, a non-zero exit and no files, for each
// command that builds the model.
func TestFashionCommands(t *testing.T) {
	data := t.TempDir()
	if err := potentials.WriteSyntheticFashionMNIST(data, 4, 4, 60, 20, 5); err != nil {
		t.Fatal(err)
	}
	set := "n=60,test=20,width=4"
	out := filepath.Join(t.TempDir(), "run")
	r := sgdOK(t, "sgd", "--model", "fashion-mlp", "--set", set, "--data-dir", data, "--steps", "100", "--burn-in", "50", "--out", out)
	s := readSummary(t, out)
	for k, want := range map[string]any{"data_dir": data, "n": 4.0, "record": 1.0, "every": 5.0, "evaluated_chains": 4.0, "test_samples": 20.0} {
		if s[k] != want {
			t.Errorf("summary %s = %v, want %v", k, s[k], want)
		}
	}
	for _, k := range []string{"train_accuracy", "test_accuracy", "test_loss", "train_loss", "test_accuracy_stderr"} {
		if _, ok := s[k].(float64); !ok {
			t.Errorf("summary lacks %s", k)
		}
	}
	if !strings.Contains(r.stdout, "test              accuracy") {
		t.Errorf("report lacks the test accuracy:\n%s", r.stdout)
	}
	sgdOK(t, "observe", out, "--no-null", "--grad-times", "2", "--max-lag", "3")
	sgdOK(t, "simulate", "--model", "fashion-mlp", "--set", set, "--data-dir", data, "--n", "2", "--steps", "20", "--burn-in", "0",
		"--record", "0", "--out", filepath.Join(t.TempDir(), "sde"))
	sw := filepath.Join(t.TempDir(), "sweep")
	sgdOK(t, "sweep", "sgd", "--model", "fashion-mlp", "--set", set, "--data-dir", data, "--n", "2", "--steps", "40", "--burn-in", "0",
		"--record", "0", "--vary", "lr=0.1,0.2", "--vary", "batch=4,8", "--out", sw)
	tab, err := plots.ReadTable(filepath.Join(sw, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range []string{"lr", "batch", "temperature", "test_accuracy", "train_accuracy", "status"} {
		if !contains(tab.Header, col) {
			t.Errorf("results.csv lacks %s: %v", col, tab.Header)
		}
	}
	if len(tab.Rows) != 4 {
		t.Errorf("results.csv has %d rows, want 4", len(tab.Rows))
	}

	missing := filepath.Join(t.TempDir(), "no-fashion")
	for _, args := range [][]string{
		{"sgd", "--model", "fashion-mlp", "--data-dir", missing},
		{"simulate", "--model", "fashion-mlp", "--data-dir", missing},
		{"observe", out, "--data-dir", missing},
	} {
		dir := filepath.Join(t.TempDir(), "out")
		r := sgdsde(t, append(args, "--out", dir)...)
		line := strings.TrimSuffix(r.stderr, "\n")
		if r.code == 0 || strings.Contains(line, "\n") || !strings.Contains(line, missing) || !strings.Contains(line, potentials.FashionMNISTPackage) {
			t.Errorf("%v: exit %d, stderr %q; want one line naming %s and the package", args[0], r.code, r.stderr, missing)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%v: %s created", args[0], dir)
		}
	}
	if r := sgdsde(t, "simulate", "--landscape", "gyrator", "--data-dir", data); r.code == 0 || !strings.Contains(r.stderr, "--data-dir applies only with --model") {
		t.Errorf("simulate --data-dir without --model: exit %d, %q", r.code, r.stderr)
	}
	if r := sgdsde(t, "sgd", "--model", "mlp", "--data-dir", data, "--out", filepath.Join(t.TempDir(), "x")); r.code == 0 || !strings.Contains(r.stderr, "reads no data directory") {
		t.Errorf("sgd --model mlp --data-dir: exit %d, %q", r.code, r.stderr)
	}
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
