package main

import (
	"encoding/json"
	"github.com/sgdsde/sgdsde/experiment"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/sgdsde/sgdsde/potentials"
)

// boxOf reads the "box" of a summary as [xmin, xmax, ymin, ymax].
func boxOf(t *testing.T, s map[string]any) [4]float64 {
	t.Helper()
	raw, ok := s["box"].([]any)
	if !ok || len(raw) != 2 {
		t.Fatalf("summary box %v", s["box"])
	}
	var b [4]float64
	for a := 0; a < 2; a++ {
		r, ok := raw[a].([]any)
		if !ok || len(r) != 2 {
			t.Fatalf("summary box %v", s["box"])
		}
		b[2*a], _ = r[0].(float64)
		b[2*a+1], _ = r[1].(float64)
	}
	return b
}

// defaultBoxOf returns the default box of the default landscape at T.
func defaultBoxOf(t *testing.T, name string, T float64) [4]float64 {
	t.Helper()
	m, err := potentials.New(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := m.DefaultBox(T)
	return [4]float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]}
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
	box := func(b potentials.Box) [4]float64 { return [4]float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]} }
	cases := []struct {
		name  string
		args  []string
		model potentials.Model
		T     float64
		want  [4]float64
	}{
		{"default at T = 0.1", nil, dw, 0.1, box(dw.DefaultBox(0.1))},
		{"default at T = 2", nil, dw, 2, box(dw.DefaultBox(2))},
		{"no temperature", nil, dw, math.NaN(), box(dw.Box)},
		{"--box", []string{"--box", "-1:2,-3:4"}, dw, 0.1, [4]float64{-1, 2, -3, 4}},
		{"formula model", nil, formula, 0.1, [4]float64{-3, 3, -3, 3}},
	}
	for _, c := range cases {
		fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
		gf := addGridFlags(fs)
		if err := fs.Parse(append([]string{"--grid", "16"}, c.args...)); err != nil {
			t.Fatal(err)
		}
		g, info, err := gf.buildAt(c.model, c.T)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := [4]float64{info.Box[0][0], info.Box[0][1], info.Box[1][0], info.Box[1][1]}
		if got != c.want || g.Min[0] != c.want[0] || g.Max[1] != c.want[3] {
			t.Errorf("%s: box %v (grid %v), want %v", c.name, got, g, c.want)
		}
	}
	// build is buildAt without a temperature.
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	gf := addGridFlags(fs)
	if _, info, err := gf.build(dw); err != nil || info.Box[1][1] != dw.Box.Max[1] {
		t.Errorf("build: box %v, %v; want the T-independent %v", info.Box, err, dw.Box)
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
		if strings.Contains(r.stderr, "warning") {
			t.Errorf("%s: stderr %q, want no warning", c.name, r.stderr)
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
			if got, want := boxOf(t, s), defaultBoxOf(t, "double-well", T); got != want {
				t.Errorf("%s, T = %g: box %v, want the default box at T, %v", c.name, T, got, want)
			}
			if w, ok := s["wall_rho"].(float64); c.wall && (!ok || !(w < 1e-6)) {
				t.Errorf("%s, T = %g: wall_rho %v, want below 1e-6", c.name, T, s["wall_rho"])
			}
		}
	}
}

// TestWallWarningNamesTemperature checks that with a list of temperatures
// the wall warning names the one whose box cuts off density.
func TestWallWarningNamesTemperature(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := runOK(t, "steady", "--temperature", "0.05,0.4", "--grid", "32", "--box", "-2:2,-1.5:1.5", "--out", dir)
	lines := r.stderrLines()
	if len(lines) != 1 || !strings.Contains(lines[0], "warning: rho at the walls reaches") || !strings.Contains(lines[0], "at T = 0.4:") {
		t.Errorf("stderr %q, want one wall warning naming T = 0.4", r.stderr)
	}
}
