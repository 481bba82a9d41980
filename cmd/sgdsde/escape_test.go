package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEscapeBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"start outside the box", []string{"--from", "50,0"}, "--from (50, 0) lies outside the box"},
		{"target outside the box", []string{"--to", "0,50"}, "--to (0, 50) lies outside the box"},
		{"start inside the target", []string{"--from", "1,0", "--to", "1,0", "--radius", "0.6"}, "--from (1, 0) lies in the target"},
		{"no such basin", []string{"--from", "-1,0", "--to-basin", "5"}, "there is no basin 5: the potential Phi has 2 basins (0 to 1)"},
		{"target without nodes", []string{"--from", "-1,0", "--to", "1,0", "--radius", "0.01"}, "holds no grid node (the nearest is "},
		{"disc and basin", []string{"--to", "1,0", "--to-basin", "1"}, "--to conflicts with --to-basin"},
		{"method", []string{"--method", "x"}, `--method "x": want both, grid or em`},
		{"radius", []string{"--radius", "0"}, "--radius must be positive"},
		{"single well", []string{"--landscape", "gyrator"}, "Phi has a single basin: there is no other minimum to escape to"},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkBadInput(t, append([]string{"escape", "--grid", "32"}, c.args...), c.want)
		})
	}
}

// 'sgdsde escape' writes escape.json with the keys the users' scripts
// read, and the fields on the grid's shape; the grid and the ensemble
// agree (the library's tests hold them to closed forms).
func TestEscapeRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "esc")
	r := runOK(t, "escape", "--landscape", "double-well", "--set", "noise=0", "--temperature", "0.3", "--grid", "48",
		"--from", "-1,0", "--n", "300", "--out", dir)
	for _, want := range []string{"mfpt (grid)", "mfpt (ensemble)", "relaxation rate", "basins of Phi", "barrier "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "escape.json"))), &s); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"mfpt_grid", "mfpt_em", "mfpt_em_se", "censored", "relaxation_rate", "basin_probabilities", "barrier_f", "barrier_phi", "kramers"} {
		if _, ok := s[k]; !ok {
			t.Errorf("escape.json lacks %q", k)
		}
	}
	checkShapes(t, dir, map[string][]int{"mfpt.npy": {48, 48}, "committor.npy": {48, 48},
		"reactive_current_x.npy": {48, 48}, "reactive_current_y.npy": {48, 48}, "reactive_density.npy": {48, 48}})
	// As a sweep: one point per batch size, grid only.
	sw := filepath.Join(t.TempDir(), "sweep")
	r = runOK(t, "sweep", "escape", "--landscape", "double-well", "--set", "noise=0", "--grid", "32", "--from", "-1,0", "--method", "grid",
		"--lr", "0.6", "--vary", "batch=1,2", "--out", sw)
	csv := readFile(t, filepath.Join(sw, "results.csv"))
	if !strings.Contains(csv, ",mfpt_grid,") || strings.Count(csv, ",ok,") != 2 {
		t.Errorf("results.csv:\n%.400s", csv)
	}
}

// An escape time beyond what double precision resolves (T = 0.005 on the
// reversible double well: tau ~ 1e15 jump times) is a failure with the
// solver's one line, exit code 1 and no files.
func TestEscapeUnresolvable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := sgdsde(t, "escape", "--landscape", "double-well", "--set", "noise=0", "--temperature", "0.005", "--grid", "48",
		"--from", "-1,0", "--method", "grid", "--out", dir)
	if r.code != 1 || len(r.stderrLines()) != 1 || !strings.Contains(r.stderr, "more than double precision resolves") {
		t.Errorf("exit %d, stderr %q; want exit 1 and the solver's line", r.code, r.stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s was created", dir)
	}
}
