package main

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/internal/datafile"
)

// readFreeEnergy reads free_energy.csv in dir and returns its header and
// its rows as numbers.
func readFreeEnergy(t *testing.T, dir string) ([]string, [][]float64) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "free_energy.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("free_energy.csv: %v (%d records)", err, len(recs))
	}
	rows := make([][]float64, len(recs)-1)
	for i, rec := range recs[1:] {
		for _, s := range rec {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("free_energy.csv row %d: %v", i+1, err)
			}
			rows[i] = append(rows[i], v)
		}
	}
	return recs[0], rows
}

// checkFreeEnergyTable checks the rows of free_energy.csv: one per step
// from 0, times step*dt, free energy non-increasing up to 1e-12 relative,
// mass 1.
func checkFreeEnergyTable(t *testing.T, dir string, steps int, dt float64) {
	t.Helper()
	header, rows := readFreeEnergy(t, dir)
	if want := []string{"step", "time", "free_energy", "mass", "min_rho"}; !reflect.DeepEqual(header, want) {
		t.Errorf("header %v, want %v", header, want)
	}
	if len(rows) != steps+1 {
		t.Fatalf("free_energy.csv has %d rows, want steps+1 = %d", len(rows), steps+1)
	}
	f0 := rows[0][2]
	for i, r := range rows {
		if r[0] != float64(i) || math.Abs(r[1]-float64(i)*dt) > 1e-12 {
			t.Errorf("row %d: step %v, time %v", i, r[0], r[1])
		}
		if math.Abs(r[3]-1) > 1e-10 || !(r[4] > 0) {
			t.Errorf("row %d: mass %v, min_rho %v", i, r[3], r[4])
		}
		if i > 0 && r[2] > rows[i-1][2]+1e-12*math.Abs(f0) {
			t.Errorf("free energy increased at step %d: %v -> %v", i, rows[i-1][2], r[2])
		}
	}
	if !(rows[steps][2] < f0) {
		t.Errorf("free energy did not decrease: %v -> %v", f0, rows[steps][2])
	}
}

func TestEvolve(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		steps  int
		dt     float64
		shapes map[string][]int
		times  []float64
	}{
		{
			name:  "2-D double well, Gaussian",
			args:  []string{"--grid", "32", "--steps", "30", "--every", "10", "--dt", "0.05"},
			steps: 30, dt: 0.05,
			shapes: map[string][]int{
				"snapshots.npy": {4, 32, 32}, "snapshot_times.npy": {4}, "rho.npy": {32, 32}, "rho_ss.npy": {32, 32},
				"x.npy": {32}, "y.npy": {32},
			},
			times: []float64{0, 0.5, 1, 1.5},
		},
		{
			name:  "2-D gyrator, rectangular grid, every not dividing steps",
			args:  []string{"--landscape", "gyrator", "--grid", "40,32", "--steps", "25", "--every", "10", "--center", "1,0.5", "--width", "0.3"},
			steps: 25, dt: 0.01,
			shapes: map[string][]int{
				"snapshots.npy": {4, 32, 40}, "snapshot_times.npy": {4}, "rho.npy": {32, 40}, "rho_ss.npy": {32, 40},
				"x.npy": {40}, "y.npy": {32},
			},
			times: []float64{0, 0.1, 0.2, 0.25},
		},
		{
			name:  "1-D uniform",
			args:  []string{"--loss", "(x^2-1)^2/4", "--dim", "1", "--grid", "48", "--init", "uniform", "--steps", "20", "--every", "50"},
			steps: 20, dt: 0.01,
			shapes: map[string][]int{
				"snapshots.npy": {2, 48}, "snapshot_times.npy": {2}, "rho.npy": {48}, "rho_ss.npy": {48}, "x.npy": {48},
			},
			times: []float64{0, 0.2},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			r := runOK(t, append([]string{"evolve", "--out", dir}, c.args...)...)
			for _, l := range r.stderrLines() {
				if !strings.Contains(l, "warning: rho at the walls") {
					t.Errorf("unexpected stderr line %q", l)
				}
			}
			for _, want := range []string{"initial density", "steady state", "evolution", "free energy", dir} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout does not mention %q:\n%s", want, r.stdout)
				}
			}
			want := append(sortedKeys(c.shapes), "free_energy.csv", "summary.json")
			sort.Strings(want)
			if got := dirEntries(t, dir); !reflect.DeepEqual(got, want) {
				t.Errorf("--out holds %v, want %v", got, want)
			}
			checkShapes(t, dir, c.shapes)
			checkFreeEnergyTable(t, dir, c.steps, c.dt)
			if _, times := readNPY(t, filepath.Join(dir, "snapshot_times.npy")); len(times) == len(c.times) {
				for i := range times {
					if math.Abs(times[i]-c.times[i]) > 1e-12 {
						t.Errorf("snapshot_times = %v, want %v", times, c.times)
						break
					}
				}
			}
			// The last snapshot is the final density.
			shape, snaps := readNPY(t, filepath.Join(dir, "snapshots.npy"))
			_, rho := readNPY(t, filepath.Join(dir, "rho.npy"))
			if last := snaps[(shape[0]-1)*len(rho):]; !reflect.DeepEqual(last, rho) {
				t.Errorf("last snapshot differs from rho.npy")
			}

			s := readSummary(t, dir)
			for _, k := range []string{
				"command", "version", "model", "temperature", "grid", "box", "periodic", "scheme", "tol",
				"dt", "steps", "every", "init", "free_energy_initial", "free_energy", "mass_min", "mass_max", "min_rho",
				"max_free_energy_increase", "snapshots", "iterations", "solve_seconds",
				"steady_residual", "steady_iterations", "assemble_seconds", "files",
			} {
				v, ok := s[k]
				if !ok {
					t.Errorf("summary.json has no key %q", k)
					continue
				}
				checkFinite(t, k, v)
			}
			if s["command"] != "evolve" || s["steps"] != float64(c.steps) {
				t.Errorf("command %v, steps %v", s["command"], s["steps"])
			}
			if inc, _ := s["max_free_energy_increase"].(float64); inc > 1e-12*s["free_energy_initial"].(float64) {
				t.Errorf("max_free_energy_increase = %v", inc)
			}
			if lo, hi := s["mass_min"].(float64), s["mass_max"].(float64); math.Abs(lo-1) > 1e-10 || math.Abs(hi-1) > 1e-10 {
				t.Errorf("mass in [%v, %v], want 1", lo, hi)
			}
			_, gauss := s["center"]
			if gauss != (s["init"] == "gauss") {
				t.Errorf("init %v, center %v", s["init"], s["center"])
			}
		})
	}
}

// TestEvolveInitFile starts from a density read from a .npy file: the
// first snapshot is that density, normalised.
func TestEvolveInitFile(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "init.npy")
	nx, ny := 40, 32
	rho := make([]float64, nx*ny)
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			rho[j*nx+i] = 1 + float64(i) // increasing along x
		}
	}
	if err := datafile.WriteNPY(file, rho, ny, nx); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "out")
	runOK(t, "evolve", "--grid", "40,32", "--init", file, "--steps", "5", "--out", dir)
	_, snaps := readNPY(t, filepath.Join(dir, "snapshots.npy"))
	// rho grows along x within a row, and is the same in every row.
	if !(snaps[nx-1] > snaps[0]) || snaps[nx] != snaps[0] {
		t.Errorf("first snapshot is not the file's density (ny, nx) in C order: %v ...", snaps[:3])
	}
	if s := readSummary(t, dir); s["init"] != file {
		t.Errorf("init = %v, want %s", s["init"], file)
	} else if _, ok := s["center"]; ok {
		t.Errorf("center echoed for --init FILE")
	}
}

func TestEvolveBadInput(t *testing.T) {
	base := t.TempDir()
	badShape := filepath.Join(base, "shape.npy")
	if err := datafile.WriteNPY(badShape, make([]float64, 16*16), 16, 16); err != nil {
		t.Fatal(err)
	}
	transposed := filepath.Join(base, "transposed.npy")
	if err := datafile.WriteNPY(transposed, make([]float64, 40*32), 32, 40); err != nil {
		t.Fatal(err)
	}
	negative := filepath.Join(base, "negative.npy")
	neg := make([]float64, 32*32)
	for i := range neg {
		neg[i] = 1
	}
	neg[5] = -1
	if err := datafile.WriteNPY(negative, neg, 32, 32); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(base, "garbage.npy")
	if err := os.WriteFile(garbage, []byte("not numpy"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"init file shape", []string{"--init", badShape}, "shape (16, 16)"},
		{"init file transposed", []string{"--grid", "32,40", "--init", transposed}, "shape (32, 40); the grid needs (40, 32)"},
		{"init file negative", []string{"--init", negative}, "positive"},
		{"init file garbage", []string{"--init", garbage}, ".npy"},
		{"init unknown", []string{"--init", "gaussian"}, "gauss, uniform"},
		{"dt zero", []string{"--dt", "0"}, "--dt"},
		{"steps zero", []string{"--steps", "0"}, "--steps"},
		{"every zero", []string{"--every", "0"}, "--every"},
		{"width zero", []string{"--width", "0"}, "--width"},
		{"center wrong length", []string{"--center", "1"}, "--center"},
		{"center outside", []string{"--center", "10,0"}, "outside"},
		{"center with uniform", []string{"--init", "uniform", "--center", "1,0"}, "--center"},
		{"width with file", []string{"--init", negative, "--width", "0.3"}, "--width"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkBadInput(t, append([]string{"evolve", "--grid", "32", "--steps", "5"}, c.args...), c.want)
		})
	}
	for _, c := range gridBadInput {
		t.Run("grid/"+c.name, func(t *testing.T) {
			checkBadInput(t, append([]string{"evolve", "--grid", "32", "--steps", "5"}, c.args...), c.want)
		})
	}
}

func TestEvolveSnapshotMemory(t *testing.T) {
	saved := experiment.AvailableMemory
	defer func() { experiment.AvailableMemory = saved }()
	experiment.AvailableMemory = func() (int64, bool) { return 100e6, true }
	checkBadInput(t, []string{"evolve", "--grid", "32", "--steps", "100000", "--every", "1"}, "larger --every")
}

func TestEvolveHelp(t *testing.T) {
	r := runOK(t, "evolve", "--help")
	for _, want := range []string{
		"--dt", "(default 0.01)", "--steps", "(default 200)", "--every", "(default 20)",
		"--init", `(default "gauss")`, "FILE.npy", "--center", "--width", "(default 0.2)",
		"--grid", "--box", "--periodic", "--scheme", "--tol", "--out", `(default "out/evolve")`,
		"free_energy.csv", "snapshots.npy",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("evolve --help does not mention %q", want)
		}
	}
}
