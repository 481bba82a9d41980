package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// figureLines returns the paths of the "figure" lines of stdout.
func figureLines(stdout string) []string {
	var out []string
	for _, l := range strings.Split(stdout, "\n") {
		if f, ok := strings.CutPrefix(l, "figure"); ok {
			out = append(out, strings.TrimSpace(f))
		}
	}
	return out
}

// checkFigures checks that the run printed exactly the figures want (base
// names) in dir and that each PNG decodes and is not blank.
func checkFigures(t *testing.T, r result, dir string, want ...string) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got := figureLines(r.stdout)
	if len(got) != len(want) {
		t.Fatalf("figures %v, want %v", got, want)
	}
	for i, p := range got {
		if p != filepath.Join(dir, want[i]) {
			t.Errorf("figure %d: %s, want %s", i, p, filepath.Join(dir, want[i]))
		}
		if !strings.HasSuffix(p, ".png") {
			if st, err := os.Stat(p); err != nil || st.Size() == 0 {
				t.Errorf("%s: %v", p, err)
			}
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		b := img.Bounds()
		if _, ink := countColours(img); ink < b.Dx()*b.Dy()/50 {
			t.Errorf("%s: %d of %d pixels drawn: blank", p, ink, b.Dx()*b.Dy())
		}
	}
}

// TestPlotFlagAndKinds runs each command small, with --plot or followed by
// 'sgdsde plot KIND DIR', and checks the figures.
func TestPlotFlagAndKinds(t *testing.T) {
	tmp := t.TempDir()
	dir := func(name string) string { return filepath.Join(tmp, name) }
	steadyFigs := []string{"steady_potentials.png", "steady_force.png", "steady_current.png"}

	// steady --plot, then redraw as SVG.
	r := sgdsde(t, "steady", "--landscape", "gyrator", "--grid", "24", "--plot", "--out", dir("steady"))
	checkFigures(t, r, dir("steady"), steadyFigs...)
	r = sgdsde(t, "plot", "steady", dir("steady"), "--format", "svg")
	checkFigures(t, r, dir("steady"), "steady_potentials.svg", "steady_force.svg", "steady_current.svg")

	// A temperature list: the figures of each temperature.
	r = sgdsde(t, "steady", "--landscape", "gyrator", "--grid", "16", "--temperature", "0.3,0.6", "--plot", "--out", dir("steadyT"))
	var want []string
	for _, T := range []string{"T_0.3", "T_0.6"} {
		for _, f := range steadyFigs {
			want = append(want, filepath.Join(T, f))
		}
	}
	checkFigures(t, r, dir("steadyT"), want...)

	// simulate, then plot simulate (and --plot with pdf).
	r = sgdsde(t, "simulate", "--landscape", "double-well", "--n", "200", "--steps", "100", "--burn-in", "10", "--record", "3", "--every", "5", "--out", dir("sim"))
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	checkFigures(t, sgdsde(t, "plot", "simulate", dir("sim")), dir("sim"), "simulate_trajectories.png")
	r = sgdsde(t, "simulate", "--landscape", "gyrator", "--n", "50", "--steps", "50", "--burn-in", "10", "--plot", "--format", "pdf", "--out", dir("simpdf"))
	checkFigures(t, r, dir("simpdf"), "simulate_trajectories.pdf")

	// cycles --plot writes Phi for the background; plot cycles redraws.
	r = sgdsde(t, "cycles", "--landscape", "gyrator", "--grid", "32", "--plot", "--out", dir("cycles"))
	checkFigures(t, r, dir("cycles"), "cycles_orbits.png")
	for _, f := range []string{"phi.npy", "x.npy", "y.npy"} {
		if _, err := os.Stat(filepath.Join(dir("cycles"), f)); err != nil {
			t.Errorf("cycles --plot: %v", err)
		}
	}
	checkFigures(t, sgdsde(t, "plot", "cycles", dir("cycles")), dir("cycles"), "cycles_orbits.png")

	// compare, evolve, observe.
	r = sgdsde(t, "compare", "--landscape", "gyrator", "--grid", "24", "--n", "300", "--steps", "20", "--burn-in", "20", "--plot", "--out", dir("cmp"))
	checkFigures(t, r, dir("cmp"), "compare_marginals.png")
	checkFigures(t, sgdsde(t, "plot", "compare", dir("cmp")), dir("cmp"), "compare_marginals.png")

	r = sgdsde(t, "evolve", "--landscape", "gyrator", "--grid", "16", "--steps", "4", "--every", "2", "--plot", "--out", dir("ev"))
	checkFigures(t, r, dir("ev"), "evolve_snapshots.png", "evolve_free_energy.png")
	checkFigures(t, sgdsde(t, "plot", "evolve", dir("ev")), dir("ev"), "evolve_snapshots.png", "evolve_free_energy.png")

	obsFigs := []string{"observe_acf.png", "observe_spectrum.png", "observe_d.png", "observe_gradnorm.png"}
	r = sgdsde(t, "observe", observeRunDir(t), "--grad-times", "10", "--plot", "--out", dir("obs"))
	checkFigures(t, r, dir("obs"), obsFigs...)
	checkFigures(t, sgdsde(t, "plot", "observe", dir("obs")), dir("obs"), obsFigs...)

	// escape --plot (grid and ensemble: both figures), plot escape redraws
	// as SVG; a temperature list draws each temperature's.
	escFigs := []string{"escape_fields.png", "escape_survival.png"}
	r = sgdsde(t, "escape", "--landscape", "double-well", "--set", "noise=0", "--temperature", "0.3", "--grid", "32", "--from", "-1,0",
		"--to", "1,0", "--radius", "0.3", "--n", "100", "--plot", "--out", dir("esc"))
	checkFigures(t, r, dir("esc"), escFigs...)
	checkFigures(t, sgdsde(t, "plot", "escape", dir("esc")), dir("esc"), escFigs...)
	checkFigures(t, sgdsde(t, "plot", "escape", dir("esc"), "--format", "svg"), dir("esc"), "escape_fields.svg", "escape_survival.svg")
	r = sgdsde(t, "escape", "--landscape", "double-well", "--set", "noise=0", "--temperature", "0.3,0.5", "--grid", "24", "--from", "-1,0",
		"--method", "grid", "--plot", "--out", dir("escT"))
	checkFigures(t, r, dir("escT"), filepath.Join("T_0.3", "escape_fields.png"), filepath.Join("T_0.5", "escape_fields.png"))
}

func TestPlotBadInput(t *testing.T) {
	empty := t.TempDir()
	steady := filepath.Join(t.TempDir(), "steady")
	if r := sgdsde(t, "steady", "--landscape", "gyrator", "--grid", "16", "--out", steady); r.code != 0 {
		t.Fatal(r.stderr)
	}
	for _, args := range [][]string{
		{"plot", "nope", empty},
		{"plot", "steady", empty},
		{"plot", "steady", filepath.Join(empty, "missing")},
		{"plot", "steady"},
		{"plot", "simulate", steady},
		{"plot", "compare", steady},
		{"plot", "evolve", steady},
		{"plot", "observe", steady},
		{"plot", "cycles", steady},
		{"plot", "escape", steady},
		{"escape", "--grid", "16", "--method", "grid", "--format", "svg", "--out", filepath.Join(empty, "z")},
		{"plot", "steady", steady, "--format", "gif"},
		{"steady", "--landscape", "gyrator", "--grid", "16", "--format", "svg", "--out", filepath.Join(empty, "x")},
		{"steady", "--landscape", "gyrator", "--grid", "16", "--plot", "--format", "gif", "--out", filepath.Join(empty, "y")},
	} {
		r := sgdsde(t, args...)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", args, r.code, exitUsage, r.stderr)
		}
		if l := r.stderrLines(); len(l) != 1 || !strings.HasPrefix(l[0], "sgdsde: ") {
			t.Errorf("%v: stderr %q: want one line", args, r.stderr)
		}
		if len(figureLines(r.stdout)) != 0 {
			t.Errorf("%v: drew %v", args, figureLines(r.stdout))
		}
	}
	// The flag errors come before any work: nothing written.
	for _, d := range []string{"x", "y", "z"} {
		if _, err := os.Stat(filepath.Join(empty, d)); err == nil {
			t.Errorf("bad --format: %s written", d)
		}
	}
}
