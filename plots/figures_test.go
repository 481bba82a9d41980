package plots

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/internal/datafile"
)

// testTrajectories returns k noisy loops around the origin.
func testTrajectories(k, n int) []Trajectory {
	trs := make([]Trajectory, k)
	for c := range trs {
		for i := 0; i < n; i++ {
			a := float64(i) / 10
			r := 0.5 + 0.2*float64(c) + 0.1*math.Sin(float64(7*i+c))
			trs[c].X = append(trs[c].X, r*math.Cos(a))
			trs[c].Y = append(trs[c].Y, 0.6*r*math.Sin(a))
		}
	}
	return trs
}

func TestTrajectoriesImage(t *testing.T) {
	x, y := testGrid(-2, 2, 40), testGrid(-1.5, 1.5, 30)
	phi := testField(x, y, func(x, y float64) float64 { return x*x/2 + y*y })
	var final [][2]float64
	for i := 0; i < 500; i++ {
		final = append(final, [2]float64{math.Sin(float64(i)), 0.7 * math.Cos(float64(3*i))})
	}
	mk := []Markers{{Label: "minima of Φ", Points: [][2]float64{{0, 0}}}}
	dir := t.TempDir()
	for name, o := range map[string]TrajectoryOptions{
		"bg":    {Background: &phi, Final: final, Markers: mk},
		"box":   {Box: &[4]float64{-2, 2, -1.5, 1.5}, Final: final},
		"plain": {Title: "trajectories"},
	} {
		fig, err := Trajectories(testTrajectories(8, 200), o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := filepath.Join(dir, name+".png")
		if err := Save(fig, path, Size{WidthCM: 15.24, HeightCM: 7.62, DPI: 100}); err != nil {
			t.Fatal(err)
		}
		checkImage(t, path, 600, 300)
		if d := os.Getenv("PLOTS_KEEP"); d != "" {
			b, _ := os.ReadFile(path)
			os.WriteFile(filepath.Join(d, "traj_"+name+".png"), b, 0o644)
		}
	}
	if _, err := Trajectories(nil, TrajectoryOptions{}); err == nil {
		t.Error("nothing to draw: no error")
	}
}

func TestMarginalsImage(t *testing.T) {
	edges := []float64{-2, -1, 0, 1, 2}
	ms := []Marginal{
		{Label: "x", Edges: edges, Ensemble: []float64{0.1, 0.4, 0.38, 0.12}, Grid: []float64{0.11, 0.39, 0.39, 0.11}},
		{Label: "y", Edges: edges, Ensemble: []float64{0.2, 0.3, 0.3, 0.2}, Grid: []float64{0.19, 0.31, 0.31, 0.19}},
	}
	fig, err := Marginals(ms, MarginalOptions{Title: "T = 0.5"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.png")
	if err := Save(fig, path, Size{WidthCM: 20.32, HeightCM: 7.62, DPI: 100}); err != nil {
		t.Fatal(err)
	}
	checkImage(t, path, 800, 300)
	ms[0].Grid = ms[0].Grid[:2]
	if _, err := Marginals(ms, MarginalOptions{}); err == nil {
		t.Error("bins of different lengths: no error")
	}
}

// writeSteadyDir writes a synthetic 2-D steady state (a rotating Gaussian)
// into dir with the files of 'sgdsde steady'.
func writeSteadyDir(t *testing.T, dir string) {
	t.Helper()
	x, y := testGrid(-3, 3, 48), testGrid(-2, 2, 32)
	T := 0.5
	loss := testField(x, y, func(x, y float64) float64 { return x*x/2 + y*y })
	phi := testField(x, y, func(x, y float64) float64 { return x*x/2 + y*y + 0.2*x*y })
	rho := testField(x, y, func(x, y float64) float64 { return math.Exp(-(x*x/2 + y*y + 0.2*x*y) / T) })
	jx := testField(x, y, func(x, y float64) float64 { return -y })
	jy := testField(x, y, func(x, y float64) float64 { return x / 2 })
	cx, cy := make([]float64, len(rho.Zs)), make([]float64, len(rho.Zs))
	for k := range cx {
		cx[k], cy[k] = jx.Zs[k]*rho.Zs[k], jy.Zs[k]*rho.Zs[k]
	}
	shape := []int{len(y), len(x)}
	for name, v := range map[string][]float64{"loss": loss.Zs, "phi": phi.Zs, "rho": rho.Zs, "force_x": jx.Zs, "force_y": jy.Zs, "current_x": cx, "current_y": cy} {
		if err := datafile.WriteNPY(filepath.Join(dir, name+".npy"), v, shape...); err != nil {
			t.Fatal(err)
		}
	}
	for name, v := range map[string][]float64{"x": x, "y": y} {
		if err := datafile.WriteNPY(filepath.Join(dir, name+".npy"), v); err != nil {
			t.Fatal(err)
		}
	}
	sum := `{"command": "steady", "dim": 2, "temperature": 0.5, "entropy_production": 1,
		"minima_loss": [{"x": [0, 0], "value": 0}], "minima_phi": [{"x": [0, 0], "value": 0}]}`
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), []byte(sum), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSteadyFiguresSynthetic(t *testing.T) {
	dir := t.TempDir()
	writeSteadyDir(t, dir)
	files, err := SteadyFigures(dir, FigureOptions{Size: Size{WidthCM: 15.24, HeightCM: 7.62, DPI: 100}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"steady_potentials.png", "steady_force.png", "steady_current.png"}
	if len(files) != len(want) {
		t.Fatalf("files %v, want %v", files, want)
	}
	for i, f := range files {
		if filepath.Base(f) != want[i] {
			t.Errorf("file %d: %s, want %s", i, f, want[i])
		}
		checkImage(t, f, 600, 300)
	}
	files, err = SteadyFigures(dir, FigureOptions{Format: "svg"})
	if err != nil || len(files) != 3 || !strings.HasSuffix(files[0], ".svg") {
		t.Errorf("svg: %v, %v", files, err)
	}
}

func TestStandardFiguresMissingFiles(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range FigureKinds {
		_, err := StandardFigures(kind, dir, FigureOptions{})
		if !errors.Is(err, ErrInput) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s of an empty directory: %v: want an input error, file not found", kind, err)
		}
	}
	if _, err := StandardFigures("nope", dir, FigureOptions{}); !errors.Is(err, ErrInput) {
		t.Errorf("unknown kind: %v", err)
	}
	// A malformed file is an input error too.
	writeSteadyDir(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "phi.npy"), []byte("not npy"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := SteadyFigures(dir, FigureOptions{}); !errors.Is(err, ErrInput) {
		t.Errorf("malformed phi.npy: %v", err)
	}
}

func TestPanelSize(t *testing.T) {
	for _, c := range []struct {
		n  int
		ar float64
	}{{1, 0.5}, {3, 0.5}, {2, 1.6}, {5, 1}} {
		s := panelSize(c.n, c.ar, 3, 6)
		if !(s.WidthCM >= 10 && s.WidthCM <= 34 && s.HeightCM >= 6 && s.HeightCM <= 12) {
			t.Errorf("panelSize(%d, %g) = %+v", c.n, c.ar, s)
		}
	}
}
