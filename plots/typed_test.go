package plots

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestDrawSteadyMatchesDirectory draws a steady state from memory and
// from the directory it was saved in: the figures must be the same bytes.
func TestDrawSteadyMatchesDirectory(t *testing.T) {
	dir := t.TempDir()
	writeSteadyDir(t, dir)
	o := FigureOptions{Size: Size{WidthCM: 10, HeightCM: 6, DPI: 60}}
	fromDir, err := SteadyFigures(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	s, err := readSteady(dir)
	if err != nil {
		t.Fatal(err)
	}
	mem := t.TempDir()
	fromMem, err := DrawSteady(s, mem, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromMem) != len(fromDir) {
		t.Fatalf("%d figures from memory, %d from the directory", len(fromMem), len(fromDir))
	}
	for i := range fromDir {
		a, errA := os.ReadFile(fromDir[i])
		b, errB := os.ReadFile(fromMem[i])
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: figure from memory differs from the directory's (%v, %v)", filepath.Base(fromDir[i]), errA, errB)
		}
	}
}

// TestDrawTypedBadData checks that data a figure cannot draw is an input
// error, and that nothing is written.
func TestDrawTypedBadData(t *testing.T) {
	for _, c := range []struct {
		name string
		draw func(dir string) ([]string, error)
	}{
		{"steady: phi of the wrong length", func(dir string) ([]string, error) {
			return DrawSteady(&SteadyState{X: []float64{0, 1}, Y: []float64{0, 1}, Phi: []float64{0, 1, 2}}, dir, FigureOptions{})
		}},
		{"ensemble: final not a multiple of d", func(dir string) ([]string, error) {
			return DrawEnsemble(&Ensemble{Dim: 2, Final: []float64{1, 2, 3}}, dir, FigureOptions{})
		}},
		{"ensemble: trajectories of the wrong size", func(dir string) ([]string, error) {
			return DrawEnsemble(&Ensemble{Dim: 2, Final: []float64{1, 2}, Traj: []float64{1}, Record: 1, RecordLen: 1}, dir, FigureOptions{})
		}},
		{"comparison: no marginals", func(dir string) ([]string, error) {
			return DrawComparison(&Comparison{}, dir, FigureOptions{})
		}},
		{"evolution: snapshot of the wrong length", func(dir string) ([]string, error) {
			return DrawEvolution(&Evolution{X: []float64{0, 1}, Times: []float64{0}, Snapshots: [][]float64{{1}}, RhoSS: []float64{1, 1}}, dir, FigureOptions{})
		}},
		{"observables: no lags", func(dir string) ([]string, error) {
			return DrawObservables(&Observables{}, dir, FigureOptions{})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			files, err := c.draw(dir)
			if !errors.Is(err, ErrInput) {
				t.Errorf("error %v: want an input error", err)
			}
			if len(files) != 0 {
				t.Errorf("drew %v", files)
			}
		})
	}
}
