package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/sde"
)

func TestCompareRoundTrip(t *testing.T) {
	small := func(s CompareSpec) CompareSpec {
		s.N, s.Steps, s.BurnIn, s.Dt, s.Grid = 400, 20, 400, 4e-3, GridSpec{Nodes: []int{32}}
		return s
	}
	cases := []struct {
		name string
		spec CompareSpec
	}{
		{"one temperature", small(DefaultCompare())},
		{"list", func() CompareSpec { s := small(DefaultCompare()); s.Temperatures = []float64{0.3, 0.5}; return s }()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Compare(context.Background(), c.spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Runs) != max(1, len(c.spec.Temperatures)) || (res.List == nil) != (len(c.spec.Temperatures) == 0) {
				t.Fatalf("%d runs, list %v", len(res.Runs), res.List)
			}
			res.SetVersion("test")
			dir := t.TempDir()
			if err := res.Write(dir); err != nil {
				t.Fatal(err)
			}
			back, err := ReadCompare(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.List, res.List) || len(back.Runs) != len(res.Runs) {
				t.Fatalf("list %+v, want %+v", back.List, res.List)
			}
			for i, r := range res.Runs {
				b := back.Runs[i]
				b.Summary.SteadyCellPeclet = r.Summary.SteadyCellPeclet
				// The report holds nil and empty lists that JSON does not
				// tell apart: compare what Write writes.
				bj, _ := json.Marshal(&b.Summary)
				rj, _ := json.Marshal(&r.Summary)
				if string(bj) != string(rj) || b.Grid.String() != r.Grid.String() {
					t.Errorf("run %d differs after the round trip:\n%s\nwant\n%s", i, bj, rj)
				}
			}
		})
	}
}

func TestComparePlanErrors(t *testing.T) {
	cases := []struct {
		name   string
		change func(*CompareSpec)
		want   any
	}{
		{"block", func(s *CompareSpec) { s.Block = -1 }, &ValueError{}},
		{"min count", func(s *CompareSpec) { s.MinCount = 0 }, &ValueError{}},
		{"x0 of another dimension", func(s *CompareSpec) { s.X0 = []float64{1} }, &EnsembleProblemError{}},
		{"temperature twice", func(s *CompareSpec) { s.Temperatures = []float64{0.2, 0.2} }, &ValueError{}},
	}
	for _, c := range cases {
		s := DefaultCompare()
		s.Grid.Nodes = []int{16}
		c.change(&s)
		_, err := s.Plan()
		if err == nil || reflect.TypeOf(err) != reflect.TypeOf(c.want) {
			t.Errorf("%s: error %T (%v), want %T", c.name, err, err, c.want)
		}
	}
}

// TestCompareRunErrors: the grid is solved while the ensemble runs, and
// whichever fails names the failure. A grid that does not converge (a
// tolerance of 1e-30) stops the ensemble and gives a *SolveError; an
// ensemble whose every trajectory diverges (a bound of 1e-6 around a start
// at (1, 0)) stops the grid and gives an *EnsembleRunError wrapping
// *sde.DivergedError; both return nothing.
func TestCompareRunErrors(t *testing.T) {
	saved := solveGrid
	t.Cleanup(func() { solveGrid = saved })
	cases := []struct {
		name     string
		gridTol  float64
		bound    float64
		wantGrid bool
	}{
		{"grid fails", 1e-30, DefaultCompareBound, true},
		{"ensemble fails", 0, 1e-6, false},
	}
	for _, c := range cases {
		solveGrid = func(r *gridRun, ctx context.Context) (*fokkerplanck.Operator, *fokkerplanck.Steady, time.Duration, error) {
			if c.gridTol > 0 {
				r.tol = c.gridTol
			}
			return saved(r, ctx)
		}
		s := DefaultCompare()
		s.N, s.Steps, s.BurnIn, s.Dt, s.Grid = 400, 20, 4000, 4e-3, GridSpec{Nodes: []int{32}}
		s.Bound = c.bound
		res, err := Compare(context.Background(), s, nil)
		var se *SolveError
		var ee *EnsembleRunError
		var de *sde.DivergedError
		switch {
		case res != nil:
			t.Errorf("%s: a result with error %v", c.name, err)
		case c.wantGrid && !errors.As(err, &se):
			t.Errorf("%s: error %T (%v), want *SolveError", c.name, err, err)
		case !c.wantGrid && !(errors.As(err, &ee) && errors.As(err, &de)):
			t.Errorf("%s: error %T (%v), want *EnsembleRunError wrapping *sde.DivergedError", c.name, err, err)
		}
	}
}
