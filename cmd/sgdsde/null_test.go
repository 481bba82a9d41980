package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// TestSimulateIsotropicNull checks 'simulate --model NAME --noise
// isotropic': c defaults to tr D(x0)/d (as sde.SGDProblem.IsotropicScale
// computes it) and is echoed with its origin in summary.json, --noise-scale
// overrides it, the output names the null's stationary law, and the same
// seed gives the same bytes for 1 and 2 workers.
func TestSimulateIsotropicNull(t *testing.T) {
	base := []string{"simulate", "--model", "linreg", "--set", "n=100", "--lr", "0.2", "--batch", "5",
		"--n", "4", "--steps", "60", "--burn-in", "0", "--record", "2", "--every", "3", "--noise", "isotropic"}
	d1 := filepath.Join(t.TempDir(), "a")
	r := sgdOK(t, append(base, "--out", d1, "--workers", "1")...)
	for _, want := range []string{"constant isotropic noise sqrt(2 T c) xi", "tr D(x0)/d at the initial state", "stationary law exp(-f/(T c))/Z"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout does not say %q:\n%s", want, r.stdout)
		}
	}
	fs, err := potentials.NewFiniteSum("linreg", map[string]float64{"n": 100})
	if err != nil {
		t.Fatal(err)
	}
	p := &sde.SGDProblem{Model: fs, LR: 0.2, Batch: 5, X0: make([]float64, fs.Dim()), Steps: 1}
	want, err := p.IsotropicScale()
	if err != nil {
		t.Fatal(err)
	}
	s := readSummary(t, d1)
	if s["noise_scale"] != want || s["noise_scale_from"] != "tr D(x0)/d at the initial state" {
		t.Errorf("noise_scale %v (%v), want tr D(x0)/d = %v", s["noise_scale"], s["noise_scale_from"], want)
	}
	d2 := filepath.Join(t.TempDir(), "b")
	sgdOK(t, append(base, "--out", d2, "--workers", "2")...)
	for _, f := range []string{"final.npy", "traj.npy"} {
		a, _ := os.ReadFile(filepath.Join(d1, f))
		b, _ := os.ReadFile(filepath.Join(d2, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between --workers 1 and 2", f)
		}
	}
	d3 := filepath.Join(t.TempDir(), "c")
	sgdOK(t, append(base, "--out", d3, "--noise-scale", "0.5")...)
	s3 := readSummary(t, d3)
	if s3["noise_scale"] != 0.5 || s3["noise_scale_from"] != "--noise-scale" {
		t.Errorf("--noise-scale 0.5: noise_scale %v (%v)", s3["noise_scale"], s3["noise_scale_from"])
	}
	a, _ := os.ReadFile(filepath.Join(d1, "final.npy"))
	b, _ := os.ReadFile(filepath.Join(d3, "final.npy"))
	if bytes.Equal(a, b) {
		t.Error("--noise-scale 0.5 gives the same final states as the default c")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"simulate", "--model", "linreg", "--noise-scale", "0.5"}, "--noise-scale applies only with --noise isotropic"},
		{[]string{"simulate", "--noise-scale", "0.5"}, "--noise-scale applies only with --model"},
		{[]string{"simulate", "--model", "linreg", "--noise", "isotropic", "--noise-scale", "-1"}, "--noise-scale must be finite and non-negative"},
		{[]string{"simulate", "--model", "linreg", "--noise", "isotropic", "--noise-scale", "NaN"}, "--noise-scale must be finite and non-negative"},
	} {
		out := filepath.Join(t.TempDir(), "bad")
		r := sgdsde(t, append(c.args, "--out", out)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", c.args, r.code, r.stderr, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: wrote %s", c.args, out)
		}
	}
}

// TestSGDShuffledEpochsNoMatchingT checks that 'sgd --without-replacement'
// (shuffled epochs) does not print a matching SDE temperature, and that
// independent batches print the exact T = lr (N - b)/(2 b (N - 1)).
func TestSGDShuffledEpochsNoMatchingT(t *testing.T) {
	base := []string{"sgd", "--model", "linreg", "--set", "n=100", "--lr", "0.2", "--batch", "10",
		"--n", "2", "--steps", "20", "--burn-in", "0", "--record", "0", "--without-replacement"}
	r := sgdOK(t, append(base, "--out", filepath.Join(t.TempDir(), "a"))...)
	if strings.Contains(r.stdout, "matching") || !strings.Contains(r.stdout, "none for shuffled epochs") ||
		!strings.Contains(r.stdout, "describes independent batches") {
		t.Errorf("shuffled epochs:\n%s", r.stdout)
	}
	r = sgdOK(t, append(base, "--independent-batches", "--out", filepath.Join(t.TempDir(), "b"))...)
	// 0.2 * 90 / (2 * 10 * 99) = 0.00909091
	if !strings.Contains(r.stdout, "matching SDE temperature T = 0.00909091") {
		t.Errorf("independent batches:\n%s", r.stdout)
	}
}
