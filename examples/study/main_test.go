package main

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/sweep"
)

// TestStudyQuick runs the study on the quick preset (under a second) and
// checks its results through the files it wrote, then runs it again in
// the same directory: the sweep resumes with nothing left to run.
func TestStudyQuick(t *testing.T) {
	cfg := quick
	cfg.Out = t.TempDir()
	var buf bytes.Buffer
	if err := run(context.Background(), cfg, &buf); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	report := buf.String()
	for _, want := range []string{"1. double well", "2. double well at T = 0.5", "3. gyrator sweep", "9 points, 9 run now (9 ok, 0 failed)"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}

	// 1. Two minima of Phi, symmetric, moving in as T grows. With c = 0
	// they would sit at |x| = sqrt(1 - T); the default c = 0.3 moves them
	// by less than 0.6% (README) and the 48 x 48 grid a little more: 0.004
	// to 0.005 in all (measured), hence 0.015.
	st, err := experiment.ReadSteady(filepath.Join(cfg.Out, "steady"))
	if err != nil {
		t.Fatal(err)
	}
	if st.List == nil || len(st.List.MinimaPhi) != 2 {
		t.Fatalf("want a temperature list with two minima of Phi, got %+v", st.List)
	}
	for k, tr := range st.List.MinimaPhi {
		for i, T := range st.List.Temperatures {
			if x := tr.X[i]; x == nil || math.Abs(math.Abs(x[0])-math.Sqrt(1-T)) > 0.015 {
				t.Errorf("minimum %d at T = %g: %v, want |x| near %.3f", k+1, T, x, math.Sqrt(1-T))
			}
		}
		if len(tr.Slope) != 2 || tr.Slope[0]*tr.Intercept[0] >= 0 {
			t.Errorf("minimum %d: x = %v + %v T, want it to move towards 0", k+1, tr.Intercept, tr.Slope)
		}
	}

	// 2. The histogram's TV near its floor (measured ratio 1.33 on the
	// quick preset; the run is deterministic for its seed).
	cmp, err := experiment.ReadCompare(filepath.Join(cfg.Out, "compare"))
	if err != nil {
		t.Fatal(err)
	}
	if h := cmp.Runs[0].Summary.Hist; !(h.TV < 2*h.TVFloor) {
		t.Errorf("TV %g, floor %g: want TV below twice its floor", h.TV, h.TVFloor)
	}

	// 3. Every point ok; Pi and L against their closed forms. On 32 x 32
	// nodes the grid's Pi is 5.6% (d12 = 0.4) and 6.9% (0.8) low and L
	// 2.8% low, with second-order convergence (validation case 6), hence
	// 10% and 5%; with d12 = 0, D = I: no current at all.
	dir, err := sweep.Open(filepath.Join(cfg.Out, "sweep"))
	if err != nil {
		t.Fatal(err)
	}
	header, rows, missing, err := sweep.Table([]*sweep.Dir{dir})
	if err != nil || len(missing) > 0 {
		t.Fatalf("table: %v, missing %v", err, missing)
	}
	col := func(name string) int { return slices.Index(header, name) }
	for _, r := range rows {
		if r[col("status")] != sweep.StatusOK {
			t.Errorf("point %s: %s %s", r[0], r[col("status")], r[col("error")])
			continue
		}
		f := func(name string) float64 {
			v, err := strconv.ParseFloat(r[col(name)], 64)
			if err != nil {
				t.Fatalf("point %s, %s: %v", r[0], name, err)
			}
			return v
		}
		T, d12, pi, l := f("temperature"), f("d12"), f("entropy_production"), f("angular_momentum")
		piExact, lExact, err := gyratorExact(T, d12)
		if err != nil {
			t.Fatal(err)
		}
		if d12 == 0 {
			if math.Abs(pi) > 1e-10 || math.Abs(l) > 1e-10 {
				t.Errorf("T = %g, d12 = 0: Pi %g, L %g, want 0", T, pi, l)
			}
			continue
		}
		if math.Abs(pi-piExact) > 0.1*piExact || math.Abs(l-lExact) > 0.05*math.Abs(lExact) {
			t.Errorf("T = %g, d12 = %g: Pi %g (exact %g), L %g (exact %g)", T, d12, pi, piExact, l, lExact)
		}
	}

	// Again in the same directory: the sweep's points are all finished.
	buf.Reset()
	if err := run(context.Background(), cfg, &buf); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if !strings.Contains(buf.String(), "9 points, 0 run now (0 ok, 0 failed), 9 finished before") {
		t.Errorf("second run did not resume:\n%s", buf.String())
	}
}

// TestGyratorExact checks the closed forms at the README's values: Pi =
// 3.2 and L = -0.48 for the default gyrator at T = 0.5 (validation case
// 6), and Pi = 0.3429 at d12 = 0.4 (scipy.linalg.solve_continuous_lyapunov
// for the covariance, then tr(K^T D^-1 K S)).
func TestGyratorExact(t *testing.T) {
	for _, c := range []struct{ T, d12, pi, l float64 }{
		{0.5, 0.8, 3.2, -0.48},
		{0.2, 0.4, 0.342857142857, -0.096},
		{0.8, 0, 0, 0},
	} {
		pi, l, err := gyratorExact(c.T, c.d12)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(pi-c.pi) > 1e-9 || math.Abs(l-c.l) > 1e-9 {
			t.Errorf("T = %g, d12 = %g: Pi %.12g, L %.12g, want %g, %g", c.T, c.d12, pi, l, c.pi, c.l)
		}
	}
}
