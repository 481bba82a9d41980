package experiment

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
)

// The reversible double well (noise=0: D = I, b = -grad f, Phi = f) at
// low temperatures: the Arrhenius slope of log tau against 1/T is the
// barrier of f, 1/4 exactly for f = (x^2 - 1)^2/4 + y^2/2 (the Kramers
// prefactor does not depend on T here, so the slope's error is the O(T)
// correction of the Eyring–Kramers law, a few per cent at T <= 0.1); the
// barriers read from the grid are 1/4 to the grid's resolution of the
// saddle; and the slowest relaxation rate is the escape rate out of a
// well, 1/tau to the other basin (the separatrix is reached, and crossed
// with probability 1/2, in half the well-to-well time), up to the O(T)
// corrections of the metastable limit.
func TestEscapeArrhenius(t *testing.T) {
	spec := EscapeSpec{
		Model:        ModelSpec{Landscape: "double-well", Params: map[string]float64{"noise": 0}},
		Temperatures: []float64{0.05, 0.07, 0.1},
		Grid:         GridSpec{Nodes: []int{96}},
		From:         []float64{-1, 0},
		Method:       EscapeGrid,
	}
	res, err := Escape(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := res.List
	if b := *l.FittedBarrierGrid; math.Abs(b-0.25) > 0.01 {
		t.Errorf("fitted barrier %.4f, want 0.25 within 0.01", b)
	}
	for i, r := range res.Runs {
		s := &r.Summary
		if math.Abs(*s.BarrierF-0.25) > 2e-3 || math.Abs(s.BarrierPhi-*s.BarrierF) > 2e-3 {
			t.Errorf("T = %g: barriers f %.4f, Phi %.4f; want 0.25 both (Phi = f in detailed balance)", l.Temperatures[i], *s.BarrierF, s.BarrierPhi)
		}
		ratio := *s.RelaxationRate * *s.MFPTGrid
		t.Logf("T = %g: tau %.5g, relaxation rate x tau %.4f, basin probabilities %.4f", l.Temperatures[i], *s.MFPTGrid, ratio, s.BasinProbabilities)
		if math.Abs(ratio-2) > 2*l.Temperatures[i] {
			t.Errorf("T = %g: relaxation rate x tau = %.4f, want 2 within 2T", l.Temperatures[i], ratio)
		}
		if len(s.BasinProbabilities) != 2 || math.Abs(s.BasinProbabilities[0]-0.5) > 1e-6 {
			t.Errorf("T = %g: basin probabilities %v, want 1/2 each (symmetric wells)", l.Temperatures[i], s.BasinProbabilities)
		}
	}
}

// The two methods agree: the ensemble's MFPT to a disc (with the bridge
// correction) against the grid's, within 4 standard errors plus the
// grid's error, estimated by the change from a grid with half the nodes:
// the target is the set of nodes in the disc, whose boundary moves by up
// to half a cell, so the grid's MFPT to it converges at first order and
// the change bounds the finer grid's error.
func TestEscapeGridAgainstEnsemble(t *testing.T) {
	base := EscapeSpec{
		Model:       ModelSpec{Landscape: "double-well", Params: map[string]float64{"noise": 0}},
		Temperature: TemperatureSpec{T: 0.3},
		From:        []float64{-1, 0},
		To:          []float64{1, 0},
		Radius:      0.3,
		N:           3000,
		Dt:          1e-3,
	}
	run := func(n int, m EscapeMethod) *EscapeSummary {
		s := base
		s.Grid, s.Method = GridSpec{Nodes: []int{n}}, m
		res, err := Escape(context.Background(), s, nil)
		if err != nil {
			t.Fatal(err)
		}
		return &res.Runs[0].Summary
	}
	fine, coarse := run(128, EscapeBoth), run(64, EscapeGrid)
	gridErr := math.Abs(*fine.MFPTGrid - *coarse.MFPTGrid)
	diff := math.Abs(*fine.MFPTEM - *fine.MFPTGrid)
	t.Logf("grid %.5g (64^2: %.5g), ensemble %.5g ± %.2g, %d censored", *fine.MFPTGrid, *coarse.MFPTGrid, *fine.MFPTEM, *fine.MFPTEMStderr, *fine.Censored)
	if diff > 4**fine.MFPTEMStderr+gridErr {
		t.Errorf("grid %.5g and ensemble %.5g ± %.2g differ by more than 4 s.e. + the grid's error %.2g", *fine.MFPTGrid, *fine.MFPTEM, *fine.MFPTEMStderr, gridErr)
	}
	if *fine.Censored != 0 || fine.Ensemble.Correction != "bridge" {
		t.Errorf("censored %d, correction %s; want 0 and bridge", *fine.Censored, fine.Ensemble.Correction)
	}
}

// TestEscapeWriteRead writes escape runs and reads them back: one with
// the committor and the reactive current (the reversible double well, to
// a disc) and one without (the default landscape, whose box is so tall
// that the disc about the start, at least a cell's diagonal, overlaps the
// target basin: no committor, and no reactive files).
func TestEscapeWriteRead(t *testing.T) {
	for _, c := range []struct {
		name     string
		spec     EscapeSpec
		reactive bool
	}{
		{"double well to a disc", EscapeSpec{Model: ModelSpec{Landscape: "double-well", Params: map[string]float64{"noise": 0}},
			Temperature: TemperatureSpec{T: 0.3}, Grid: GridSpec{Nodes: []int{32}}, From: []float64{-1, 0}, To: []float64{1, 0}, N: 200}, true},
		{"default landscape to a basin", EscapeSpec{Grid: GridSpec{Nodes: []int{32}}, From: []float64{-1, 0}, N: 200}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Escape(context.Background(), c.spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			res.SetVersion("test")
			dir := t.TempDir()
			if err := res.Write(dir); err != nil {
				t.Fatal(err)
			}
			back, err := ReadEscape(dir)
			if err != nil {
				t.Fatal(err)
			}
			a, b := res.Runs[0], back.Runs[0]
			if !reflect.DeepEqual(a.Summary, b.Summary) || !reflect.DeepEqual(a.Tau, b.Tau) || !reflect.DeepEqual(a.Committor, b.Committor) ||
				!reflect.DeepEqual(a.Phi[:10], b.Phi[:10]) || !reflect.DeepEqual(a.Survival, b.Survival) {
				t.Errorf("read back differs:\n%+v\n%+v", a.Summary, b.Summary)
			}
			if !reflect.DeepEqual(a.ReactiveX, b.ReactiveX) || !reflect.DeepEqual(a.ReactiveY, b.ReactiveY) || !reflect.DeepEqual(a.ReactiveDensity, b.ReactiveDensity) {
				t.Error("reactive current or density read back differs")
			}
			files := []string{"reactive_current_x.npy", "reactive_current_y.npy", "reactive_density.npy"}
			if !c.reactive {
				if a.Committor != nil || a.ReactiveX != nil || b.ReactiveX != nil {
					t.Errorf("committor %d, reactive current %d values: want none", len(a.Committor), len(a.ReactiveX))
				}
				for _, f := range files {
					if slices.Contains(b.Summary.Files, f) {
						t.Errorf("files %v hold %s", b.Summary.Files, f)
					}
				}
				return
			}
			// The reactive current and density, on the grid's shape,
			// carry the reaction: a current that does not vanish.
			n := 32 * 32
			if len(a.ReactiveX) != n || len(a.ReactiveY) != n || len(a.ReactiveDensity) != n {
				t.Fatalf("reactive current %d, %d and density %d values, want %d each", len(a.ReactiveX), len(a.ReactiveY), len(a.ReactiveDensity), n)
			}
			jmax := 0.0
			for i := range a.ReactiveX {
				jmax = math.Max(jmax, math.Hypot(a.ReactiveX[i], a.ReactiveY[i]))
			}
			if !(jmax > 0) {
				t.Errorf("reactive current vanishes: max |J_R| = %g", jmax)
			}
			for _, f := range files {
				if !slices.Contains(b.Summary.Files, f) {
					t.Errorf("files %v lack %s", b.Summary.Files, f)
				}
			}
		})
	}
}

func TestEscapeErrors(t *testing.T) {
	ctx := context.Background()
	grid := GridSpec{Nodes: []int{32}}
	for _, c := range []struct {
		name string
		spec EscapeSpec
		want any
	}{
		{"start outside the box", EscapeSpec{Grid: grid, From: []float64{50, 0}}, new(*fokkerplanck.OutsideBoxError)},
		{"target outside the box", EscapeSpec{Grid: grid, To: []float64{0, 50}}, new(*fokkerplanck.OutsideBoxError)},
		{"no such basin", EscapeSpec{Grid: grid, From: []float64{-1, 0}, ToBasin: 7, UseBasin: true, Method: EscapeGrid}, new(*fokkerplanck.NoBasinError)},
		{"start in the target", EscapeSpec{Grid: grid, From: []float64{1, 0}, To: []float64{1, 0}, Radius: 0.6, Method: EscapeGrid}, new(*fokkerplanck.StartInTargetError)},
		{"negative radius", EscapeSpec{Grid: grid, Radius: -1}, new(*ValueError)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Escape(ctx, c.spec, nil)
			if err == nil || !errors.As(err, c.want) {
				t.Errorf("error %v, want %T", err, c.want)
			}
		})
	}
}

// A reversible case with constant anisotropic D: the Gibbs control
// b = -D grad f of the double well, D = [[1, 0.5], [0.5, 1]], whose
// stationary density is exp(-f/T). The grid's MFPT to a disc about the
// other minimum over the Eyring–Kramers time tends to 1 as T falls, with
// an O(T) excess (the relaxation within the wells and the disc's radius):
// (ratio - 1) shrinks in proportion to T, from T = 0.1 to T = 0.035 by
// 0.35 within 0.1.
func TestEscapeKramersAnisotropic(t *testing.T) {
	ratio := func(T float64) float64 {
		spec := EscapeSpec{
			Model:       ModelSpec{Loss: "(x^2-1)^2/4 + y^2/2", Diffusion: "1, 0.5; 0.5, 1", DriftKind: DriftGibbs},
			Temperature: TemperatureSpec{T: T},
			Grid:        GridSpec{Nodes: []int{128}, Box: potentials.NewBox(-2, 2, -2, 2)},
			From:        []float64{-1, 0}, To: []float64{1, 0}, Radius: 0.3,
			Method: EscapeGrid,
		}
		res, err := Escape(context.Background(), spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		s := &res.Runs[0].Summary
		if s.Kramers == nil {
			t.Fatalf("T = %g: no Kramers time for a constant D and a Gibbs drift", T)
		}
		r := *s.MFPTGrid / *s.Kramers
		t.Logf("T = %g: tau %.5g, Eyring–Kramers %.5g, ratio %.4f", T, *s.MFPTGrid, *s.Kramers, r)
		return r
	}
	hi, lo := ratio(0.1), ratio(0.035)
	if shrink := (lo - 1) / (hi - 1); !(lo > 1 && lo < hi && math.Abs(shrink-0.35) < 0.1) {
		t.Errorf("ratios %.4f (T = 0.1), %.4f (T = 0.035): (ratio - 1) shrinks by %.3f, want 0.35 ± 0.1 (O(T))", hi, lo, shrink)
	}
}

// Three ways in one dimension with state-dependent D: the escape study's
// grid MFPT and ensemble MFPT (bridge correction) from x = -1 to the
// interval [0.7, 1.3] of the double well f = (x^2 - 1)^2/4 with
// D = 1 + x^2/2 at T = 0.25, against the exact quadrature
// (potentials.FirstPassage1D, reflecting at the box's left wall, where the
// density is negligible, absorbing at 0.7). The grid's target is the set
// of nodes in the interval, the first of which lies half a cell inside it
// (the box [-2.3, 2.5] puts a cell face at 0.7 on both grids): the chain
// is absorbed at 0.7 + h/2, an O(h) shift, so the grid's MFPT converges at
// first order with a second-order remainder. The extrapolation
// 2 tau(800 nodes) - tau(400 nodes) removes the first-order term: it must
// meet the exact time within a tenth of that term.
// The ensemble is held to 4 standard errors plus its O(dt) bias after the
// bridge correction (about 0.6 dt times the drift's scale; below 1e-3 of
// tau here).
func TestEscapeOneDimension(t *testing.T) {
	model := ModelSpec{Loss: "(x^2-1)^2/4", Diffusion: "1 + x^2/2", Dim: 1}
	spec := func(n int, m EscapeMethod) EscapeSpec {
		return EscapeSpec{Model: model, Temperature: TemperatureSpec{T: 0.25}, Grid: GridSpec{Nodes: []int{n}, Box: potentials.NewBox(-2.3, 2.5)},
			From: []float64{-1}, To: []float64{1}, Radius: 0.3, Method: m, N: 4000, Dt: 1e-3}
	}
	run := func(s EscapeSpec) *EscapeRun {
		res, err := Escape(context.Background(), s, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Runs[0]
	}
	fine, coarse := run(spec(800, EscapeBoth)), run(spec(400, EscapeGrid))
	m, _, err := model.Build(0.25)
	if err != nil {
		t.Fatal(err)
	}
	exact, err := potentials.FirstPassage1D(m, 0.25, fine.Grid.Min[0], 0.7, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := exact.At(-1)
	s := &fine.Summary
	gridErr := math.Abs(*s.MFPTGrid - *coarse.Summary.MFPTGrid)
	t.Logf("exact %.6g; grid %.6g (400 nodes %.6g); ensemble %.5g ± %.2g", want, *s.MFPTGrid, *coarse.Summary.MFPTGrid, *s.MFPTEM, *s.MFPTEMStderr)
	if d := math.Abs(2**s.MFPTGrid - *coarse.Summary.MFPTGrid - want); d > 0.1*gridErr {
		t.Errorf("grid %.6g (400 nodes %.6g), exact %.6g: the extrapolation is off by %.3g, more than a tenth of the first-order term %.3g",
			*s.MFPTGrid, *coarse.Summary.MFPTGrid, want, d, gridErr)
	}
	if d := math.Abs(*s.MFPTEM - want); d > 4**s.MFPTEMStderr+1e-3*want {
		t.Errorf("ensemble %.5g ± %.2g, exact %.6g", *s.MFPTEM, *s.MFPTEMStderr, want)
	}
}
