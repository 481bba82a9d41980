package experiment

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/sgdsde/sgdsde/fokkerplanck"
)

// equalNaN reports whether a and b hold the same values, NaN equal to NaN.
func equalNaN(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

func TestSteadyRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		spec SteadySpec
	}{
		{"gyrator", SteadySpec{Model: ModelSpec{Landscape: "gyrator"}, Grid: GridSpec{Nodes: []int{32}}}},
		{"1-D loss", SteadySpec{Model: ModelSpec{Loss: "(x^2-1)^2/4", Dim: 1}, Grid: GridSpec{Nodes: []int{64}}}},
		{"list", SteadySpec{Model: ModelSpec{Landscape: "double-well"}, Temperatures: []float64{0.2, 0.4}, Grid: GridSpec{Nodes: []int{32}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Steady(context.Background(), c.spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			res.SetVersion("test")
			dir := t.TempDir()
			if err := res.Write(dir); err != nil {
				t.Fatal(err)
			}
			back, err := ReadSteady(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.List, res.List) || len(back.Runs) != len(res.Runs) {
				t.Fatalf("list summary %+v, want %+v", back.List, res.List)
			}
			for i, r := range res.Runs {
				b := back.Runs[i]
				if !reflect.DeepEqual(b.Summary, r.Summary) {
					t.Errorf("run %d: summary\n%+v\nwant\n%+v", i, b.Summary, r.Summary)
				}
				if b.Grid.String() != r.Grid.String() || !equalNaN(b.Fields.Phi, r.Fields.Phi) || !equalNaN(b.Fields.Rho, r.Fields.Rho) ||
					!equalNaN(b.Fields.ForceY, r.Fields.ForceY) || !equalNaN(b.Fields.Loss, r.Fields.Loss) {
					t.Errorf("run %d: grid or fields differ after the round trip", i)
				}
			}
		})
	}
}

// TestSteadyListFails: one temperature of a list that fails fails the run
// with a *SolveError naming it, and returns nothing.
func TestSteadyListFails(t *testing.T) {
	saved := solveGrid
	t.Cleanup(func() { solveGrid = saved })
	solveGrid = func(r *gridRun, ctx context.Context) (*fokkerplanck.Operator, *fokkerplanck.Steady, time.Duration, error) {
		if r.tinfo.Temperature == 0.4 {
			r.tol = 1e-30
		}
		return saved(r, ctx)
	}
	res, err := Steady(context.Background(), SteadySpec{Model: ModelSpec{Landscape: "gyrator"}, Temperatures: []float64{0.2, 0.4, 0.8}, Grid: GridSpec{Nodes: []int{32}}}, nil)
	var se *SolveError
	var nc *fokkerplanck.NotConvergedError
	if res != nil || !errors.As(err, &se) || se.T != 0.4 || !errors.As(err, &nc) {
		t.Errorf("result %v, error %v; want a *SolveError at T = 0.4 wrapping *NotConvergedError", res, err)
	}
}

func TestSteadyPlanErrors(t *testing.T) {
	cases := []struct {
		name string
		spec SteadySpec
		want any
	}{
		{"temperature twice", SteadySpec{Temperatures: []float64{0.1, 0.1}}, &ValueError{}},
		{"negative temperature", SteadySpec{Temperatures: []float64{0.1, -1}}, &TemperatureError{}},
		{"list and lr", SteadySpec{Temperature: TemperatureSpec{LR: 0.1, Batch: 2}, Temperatures: []float64{0.1, 0.2}}, &TemperatureError{}},
		{"grid too small", SteadySpec{Grid: GridSpec{Nodes: []int{4}}}, &GridSizeError{}},
		{"model", SteadySpec{Model: ModelSpec{Landscape: "nope"}}, &ModelError{}},
	}
	for _, c := range cases {
		_, err := c.spec.Plan()
		if err == nil || reflect.TypeOf(err) != reflect.TypeOf(c.want) {
			t.Errorf("%s: error %T (%v), want %T", c.name, err, err, c.want)
		}
	}
}

func TestTrackMinima(t *testing.T) {
	ms := func(xs ...float64) []fokkerplanck.Minimum {
		var m []fokkerplanck.Minimum
		for _, x := range xs {
			m = append(m, fokkerplanck.Minimum{X: []float64{x}, Value: x})
		}
		return m
	}
	cases := []struct {
		name      string
		ts        []float64
		minima    [][]fokkerplanck.Minimum
		slope     [][]float64
		intercept [][]float64
	}{
		// Given out of order: x = -1 - T (first at the lowest T) and x = 1 + 2 T.
		{"two lines", []float64{0.2, 0.1, 0.3}, [][]fokkerplanck.Minimum{ms(1.4, -1.2), ms(-1.1, 1.2), ms(1.6, -1.3)},
			[][]float64{{-1}, {2}}, [][]float64{{-1}, {1}}},
		// A minimum missing at one temperature: fitted over the others.
		{"gap", []float64{0.1, 0.2, 0.3}, [][]fokkerplanck.Minimum{ms(1.1), nil, ms(1.3)}, [][]float64{{1}}, [][]float64{{1}}},
		{"one position", []float64{0.1, 0.2}, [][]fokkerplanck.Minimum{ms(1), nil}, [][]float64{nil}, [][]float64{nil}},
		{"none", []float64{0.1, 0.2}, [][]fokkerplanck.Minimum{nil, ms(1)}, nil, nil},
	}
	for _, c := range cases {
		tr := TrackMinima(c.ts, c.minima)
		if tr == nil || len(tr) != len(c.slope) {
			t.Fatalf("%s: %d tracks, want %d", c.name, len(tr), len(c.slope))
		}
		for k := range tr {
			for a := range c.slope[k] {
				if math.Abs(tr[k].Slope[a]-c.slope[k][a]) > 1e-12 || math.Abs(tr[k].Intercept[a]-c.intercept[k][a]) > 1e-12 {
					t.Errorf("%s: track %d: slope %v intercept %v, want %v %v", c.name, k, tr[k].Slope, tr[k].Intercept, c.slope[k], c.intercept[k])
				}
			}
			if c.slope[k] == nil && (tr[k].Slope != nil || tr[k].Intercept != nil) {
				t.Errorf("%s: track %d fitted with one position", c.name, k)
			}
		}
	}
}
