package main

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sweepDirForPlot builds a small finished sweep (steady on the gyrator,
// 3 x 2 points on a 24 x 24 grid) in a temporary directory. The points at
// temperature 0 fail: they must be left out of the figures.
func sweepDirForPlot(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "sweep")
	r := sgdsde(t, "sweep", "steady", "--landscape", "gyrator", "--grid", "24",
		"--vary", "temperature=0,0.3,0.6", "--vary", "d12=0,0.6", "--out", out)
	if r.code != 0 {
		t.Fatalf("building the sweep: exit %d: %s", r.code, r.stderr)
	}
	return out
}

func TestPlotSweepPNG(t *testing.T) {
	dir := sweepDirForPlot(t)
	out := filepath.Join(t.TempDir(), "f.png")
	r := sgdsde(t, "plot", "sweep", dir, "--x", "temperature", "--y", "entropy_production", "--hue", "d12",
		"--out", out, "--width", "8", "--height", "6", "--dpi", "100", "--title", "gyrator")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "2 curves, 4 points") || !strings.Contains(r.stdout, "2 failed") {
		t.Errorf("stdout %q: want 2 curves, 4 points and 2 failed left out", r.stdout)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	wantW, wantH := int(math.Round(8/2.54*100)), int(math.Round(6/2.54*100))
	if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
		t.Errorf("size %d x %d px, want %d x %d", b.Dx(), b.Dy(), wantW, wantH)
	}
	colours, ink := countColours(img)
	if colours < 8 || ink < 500 {
		t.Errorf("figure looks blank: %d colours, %d non-white pixels", colours, ink)
	}
	if left := dirEntries(t, filepath.Dir(out)); len(left) != 1 {
		t.Errorf("directory holds %v, want only the figure", left)
	}
}

// countColours returns the number of distinct colours of img and of its
// non-white pixels.
func countColours(img image.Image) (int, int) {
	seen := map[[4]uint32]bool{}
	ink := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if r != 0xffff || g != 0xffff || bl != 0xffff {
				ink++
			}
		}
	}
	return len(seen), ink
}

func TestPlotSweepDefaultsAndFormats(t *testing.T) {
	dir := sweepDirForPlot(t)
	r := sgdsde(t, "plot", "sweep", dir, "--x", "temperature", "--y", "angular_momentum", "--dpi", "50")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "sweep_angular_momentum_vs_temperature.png")); err != nil {
		t.Errorf("default output: %v", err)
	}
	for format, sig := range map[string]string{"svg": "<?xml", "pdf": "%PDF-"} {
		tmp := t.TempDir()
		out := filepath.Join(tmp, "fig."+format)
		r := sgdsde(t, "plot", "sweep", dir, "--x", "d12", "--y", "entropy_production", "--hue", "temperature",
			"--format", format, "--out", out)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", format, r.code, r.stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte(sig)) {
			t.Errorf("%s starts with %q, want %q", format, b[:min(len(b), 16)], sig)
		}
	}
}

// TestPlotSweepExamples runs the examples of 'plot sweep --help' on a
// small sweep.
func TestPlotSweepExamples(t *testing.T) {
	dir := sweepDirForPlot(t)
	cmd, _, err := newRootCmd(&app{}).Find([]string{"plot", "sweep"})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(cmd.Example, "\n") {
		args, err := splitArgs(strings.TrimPrefix(strings.TrimSpace(line), "sgdsde "))
		if err != nil {
			t.Fatal(err)
		}
		args[2] = dir
		args = append(args, "--out", filepath.Join(t.TempDir(), "f."+map[bool]string{true: "pdf", false: "png"}[strings.Contains(line, "pdf")]), "--dpi", "50")
		if r := sgdsde(t, args...); r.code != 0 {
			t.Errorf("example %q: exit %d: %s", line, r.code, r.stderr)
		}
	}
}

func TestPlotSweepBadInput(t *testing.T) {
	dir := sweepDirForPlot(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing dir", []string{"plot", "sweep", "/nonexistent/sw", "--x", "temperature", "--y", "mass"}, "not a directory"},
		{"no results", []string{"plot", "sweep", "OUTDIR", "--x", "temperature", "--y", "mass"}, "no results.csv"},
		{"no dir", []string{"plot", "sweep", "--x", "temperature", "--y", "mass"}, "one sweep directory"},
		{"no y", []string{"plot", "sweep", dir, "--x", "temperature"}, "--y"},
		{"unknown x", []string{"plot", "sweep", dir, "--x", "nope", "--y", "mass"}, "entropy_production"},
		{"unknown y", []string{"plot", "sweep", dir, "--x", "temperature", "--y", "nope"}, "temperature, d12"},
		{"unknown hue", []string{"plot", "sweep", dir, "--x", "temperature", "--y", "mass", "--hue", "nope"}, "no such column"},
		{"non-numeric", []string{"plot", "sweep", dir, "--x", "temperature", "--y", "model"}, "not a numeric column"},
		{"bad format", []string{"plot", "sweep", dir, "--x", "temperature", "--y", "mass", "--format", "gif"}, "--format"},
		{"bad extension", []string{"plot", "sweep", dir, "--x", "temperature", "--y", "mass", "--out", "OUTDIR/f.gif"}, "extension"},
		{"format mismatch", []string{"plot", "sweep", dir, "--x", "temperature", "--y", "mass", "--format", "svg", "--out", "OUTDIR/f.png"}, ".svg"},
		{"bad size", []string{"plot", "sweep", dir, "--x", "temperature", "--y", "mass", "--width", "0"}, "--width"},
		{"log of zero", []string{"plot", "sweep", dir, "--x", "d12", "--y", "mass", "--logx"}, "log x"},
		{"unknown kind", []string{"plot", "nope"}, "unknown plot kind"},
	}
	before := dirEntries(t, dir)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			outDir := t.TempDir()
			for i, a := range c.args {
				c.args[i] = strings.ReplaceAll(a, "OUTDIR", outDir)
			}
			r := sgdsde(t, c.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want 2 (stderr %q)", r.code, r.stderr)
			}
			if lines := r.stderrLines(); len(lines) != 1 || !strings.Contains(lines[0], c.want) {
				t.Errorf("stderr %q: want one line with %q", r.stderr, c.want)
			}
			if e := dirEntries(t, outDir); len(e) != 0 {
				t.Errorf("files written: %v", e)
			}
		})
	}
	if after := dirEntries(t, dir); len(after) != len(before) {
		t.Errorf("sweep directory changed: %v -> %v", before, after)
	}
}

// 'plot sgd DIR' redraws the figure 'sgd --plot' draws.
func TestPlotSGD(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sgd")
	r := sgdsde(t, "sgd", "--model", "linreg", "--n", "3", "--steps", "50", "--out", dir)
	if r.code != 0 {
		t.Fatalf("sgd: exit %d: %s", r.code, r.stderr)
	}
	r = sgdsde(t, "plot", "sgd", dir)
	want := filepath.Join(dir, "simulate_trajectories.png")
	if r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Fatalf("plot sgd: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if st, err := os.Stat(want); err != nil || st.Size() == 0 {
		t.Fatalf("plot sgd wrote no figure: %v", err)
	}
	r = sgdsde(t, "plot", "sgd", dir, "--format", "svg")
	if r.code != 0 {
		t.Fatalf("plot sgd --format svg: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "simulate_trajectories.svg")); err != nil {
		t.Error(err)
	}
	// A directory without the files of an sgd run is bad input.
	r = sgdsde(t, "plot", "sgd", t.TempDir())
	if r.code != exitUsage || !strings.Contains(r.stderr, "plot sgd") {
		t.Errorf("plot sgd of an empty directory: exit %d, stderr %q", r.code, r.stderr)
	}
}
