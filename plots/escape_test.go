package plots

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/experiment"
)

// escapeRun runs a small escape study and writes it into a new directory.
func escapeRun(t *testing.T, spec experiment.EscapeSpec) (*experiment.EscapeResult, string) {
	t.Helper()
	res, err := experiment.Escape(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := res.Write(dir); err != nil {
		t.Fatal(err)
	}
	return res, dir
}

// reversibleWell is the double well with D = I (Phi = f) at T = 0.3.
var reversibleWell = experiment.ModelSpec{Landscape: "double-well", Params: map[string]float64{"noise": 0}}

// TestEscapeFigures draws the figures of real small escape runs (2-D to a
// disc and to a basin, 1-D, grid or ensemble only, a temperature list)
// from their directories, and checks the files and their pixel sizes.
func TestEscapeFigures(t *testing.T) {
	grid := experiment.GridSpec{Nodes: []int{32}}
	T := experiment.TemperatureSpec{T: 0.3}
	for _, c := range []struct {
		name string
		spec experiment.EscapeSpec
		want []string
	}{
		{"2-D to a disc", experiment.EscapeSpec{Model: reversibleWell, Temperature: T, Grid: grid, From: []float64{-1, 0}, To: []float64{1, 0}, Radius: 0.3, N: 100},
			[]string{"escape_fields.png", "escape_survival.png"}},
		{"2-D to a basin", experiment.EscapeSpec{Model: reversibleWell, Temperature: T, Grid: grid, From: []float64{-1, 0}, N: 100},
			[]string{"escape_fields.png", "escape_survival.png"}},
		{"1-D", experiment.EscapeSpec{Model: experiment.ModelSpec{Loss: "(x^2-1)^2/4", Dim: 1, Diffusion: "1 + 0.5*x^2"}, Temperature: T,
			Grid: experiment.GridSpec{Nodes: []int{64}}, From: []float64{-1}, To: []float64{1}, Radius: 0.2, N: 100},
			[]string{"escape_fields.png", "escape_survival.png"}},
		{"grid only", experiment.EscapeSpec{Model: reversibleWell, Temperature: T, Grid: grid, From: []float64{-1, 0}, Method: experiment.EscapeGrid},
			[]string{"escape_fields.png"}},
		{"ensemble only", experiment.EscapeSpec{Model: reversibleWell, Temperature: T, Grid: grid, From: []float64{-1, 0}, N: 100, Method: experiment.EscapeEM},
			[]string{"escape_survival.png"}},
		{"temperature list", experiment.EscapeSpec{Model: reversibleWell, Temperatures: []float64{0.3, 0.5}, Grid: grid, From: []float64{-1, 0}, Method: experiment.EscapeGrid},
			[]string{filepath.Join("T_0.3", "escape_fields.png"), filepath.Join("T_0.5", "escape_fields.png")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, dir := escapeRun(t, c.spec)
			files, err := EscapeFigures(dir, FigureOptions{Size: Size{WidthCM: 15.24, HeightCM: 7.62, DPI: 100}})
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != len(c.want) {
				t.Fatalf("files %v, want %v", files, c.want)
			}
			for i, f := range files {
				if f != filepath.Join(dir, c.want[i]) {
					t.Errorf("file %d: %s, want %s", i, f, c.want[i])
				}
				checkImage(t, f, 600, 300)
				if d := os.Getenv("PLOTS_KEEP"); d != "" {
					b, _ := os.ReadFile(f)
					os.WriteFile(filepath.Join(d, strings.ReplaceAll(c.name+"_"+filepath.Base(f), " ", "_")), b, 0o644)
				}
			}
		})
	}
}

// TestDrawEscapeMatchesDirectory draws an escape run from the result in
// memory and from the directory it was written to: the same bytes, so
// the reader of escape.json and its files reads what the study holds.
func TestDrawEscapeMatchesDirectory(t *testing.T) {
	res, dir := escapeRun(t, experiment.EscapeSpec{Model: reversibleWell, Temperature: experiment.TemperatureSpec{T: 0.3},
		Grid: experiment.GridSpec{Nodes: []int{32}}, From: []float64{-1, 0}, To: []float64{1, 0}, Radius: 0.3, N: 100})
	o := FigureOptions{Size: Size{WidthCM: 12, HeightCM: 6, DPI: 60}}
	fromDir, err := EscapeFigures(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Runs[0]
	s := &r.Summary
	e := &Escape{Temperature: s.Temperature, X: r.Grid.Axis(0), Y: r.Grid.Axis(1), Phi: r.Phi, Tau: r.Tau, Committor: r.Committor,
		ReactiveX: r.ReactiveX, ReactiveY: r.ReactiveY, ReactiveDensity: r.ReactiveDensity, From: s.From,
		Target:       EscapeTarget{Centre: s.Target.Centre, Radius: s.Target.Radius, Basin: s.Target.Basin},
		SurvivalTime: r.SurvivalTimes, Survival: r.Survival, SurvivalStderr: r.SurvivalStderr,
		Trajectories: s.Ensemble.N, Censored: *s.Censored, MFPTGrid: s.MFPTGrid, MFPTEM: s.MFPTEM, MFPTEMStderr: s.MFPTEMStderr}
	fromMem, err := DrawEscape(e, t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromMem) != 2 || len(fromDir) != 2 {
		t.Fatalf("%d figures from memory, %d from the directory; want 2", len(fromMem), len(fromDir))
	}
	for i := range fromDir {
		a, errA := os.ReadFile(fromDir[i])
		b, errB := os.ReadFile(fromMem[i])
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: figure from memory differs from the directory's (%v, %v)", filepath.Base(fromDir[i]), errA, errB)
		}
	}
}

// TestEscapeFiguresBadInput: a missing or malformed file of an escape run,
// and data DrawEscape cannot draw, are input errors, and a missing file
// also matches fs.ErrNotExist.
func TestEscapeFiguresBadInput(t *testing.T) {
	spec := experiment.EscapeSpec{Model: reversibleWell, Temperature: experiment.TemperatureSpec{T: 0.3},
		Grid: experiment.GridSpec{Nodes: []int{32}}, From: []float64{-1, 0}, To: []float64{1, 0}, Radius: 0.3, N: 50}
	for _, name := range []string{"escape.json", "phi.npy", "x.npy", "mfpt.npy", "committor.npy", "reactive_current_y.npy", "survival.csv"} {
		t.Run("missing "+name, func(t *testing.T) {
			_, dir := escapeRun(t, spec)
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
			files, err := EscapeFigures(dir, FigureOptions{})
			if !errors.Is(err, ErrInput) || !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("error %v, want a missing input", err)
			}
			if len(files) != 0 {
				t.Errorf("drew %v", files)
			}
		})
	}
	_, dir := escapeRun(t, spec)
	for name, content := range map[string]string{
		"committor.npy": "not npy",
		"escape.json":   `{"command": "steady", "dim": 2}`,
		"survival.csv":  "t,survival\n0,1\n",
	} {
		t.Run("malformed "+name, func(t *testing.T) {
			d := t.TempDir()
			if err := os.CopyFS(d, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := EscapeFigures(d, FigureOptions{}); !errors.Is(err, ErrInput) {
				t.Errorf("error %v, want an input error", err)
			}
		})
	}
	x := []float64{0, 1, 2}
	phi := []float64{0, 1, 2, 1, 2, 3, 2, 3, 4}
	for name, e := range map[string]*Escape{
		"fields fine, survival all zero": {Temperature: 1, X: x, Y: x, Phi: phi, Tau: phi,
			SurvivalTime: []float64{0, 1}, Survival: []float64{0, 0}, SurvivalStderr: []float64{0, 0}},
		"nothing to draw":         {X: x, Y: x, Phi: make([]float64, 9)},
		"tau of the wrong size":   {X: x, Y: x, Phi: make([]float64, 9), Tau: make([]float64, 4)},
		"1-D q of the wrong size": {X: x, Phi: make([]float64, 3), Committor: make([]float64, 2)},
		"survival without times":  {Survival: []float64{1, 0.5}, SurvivalStderr: []float64{0, 0.1}},
		"survival all zero":       {SurvivalTime: []float64{0, 1}, Survival: []float64{0, 0}, SurvivalStderr: []float64{0, 0}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			files, err := DrawEscape(e, dir, FigureOptions{})
			if !errors.Is(err, ErrInput) {
				t.Errorf("error %v, want an input error", err)
			}
			if len(files) != 0 {
				t.Errorf("drew %v", files)
			}
		})
	}
}
