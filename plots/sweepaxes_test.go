package plots

import (
	"errors"
	"testing"

	"github.com/sgdsde/sgdsde/sweep"
)

// TestDefaultSweepAxes checks every default of the columns of a sweep's
// figure and both errors.
func TestDefaultSweepAxes(t *testing.T) {
	axis := func(name string, n int) sweep.Axis { return sweep.Axis{Name: name, Values: make([]string, n)} }
	// temperature and d12 are varied; landscape is text; mass is constant
	// over the ok rows but empty in the failed one, which counts: it
	// varies over the rows; angular_momentum and entropy_production vary.
	table := &Table{
		Header: []string{"point", "landscape", "temperature", "d12", "status", "error", "seed", "params.c", "mass", "angular_momentum", "entropy_production"},
		Rows: [][]string{
			{"0", "gyrator", "0.1", "0", "ok", "", "1", "1", "1", "0.5", "0"},
			{"1", "gyrator", "0.2", "0", "ok", "", "2", "2", "1", "0.6", "0"},
			{"2", "gyrator", "0.1", "0.5", "ok", "", "3", "3", "1", "0.7", "2.5"},
			{"3", "gyrator", "0.2", "0.5", "failed", "bad", "4", "4", "", "", ""},
		},
	}
	flat := &Table{Header: []string{"point", "temperature", "status", "mass"}, Rows: [][]string{{"0", "0.1", "ok", "1"}, {"1", "0.2", "ok", "1"}}}
	for _, c := range []struct {
		name    string
		command string
		vary    sweep.Grid
		t       *Table
		in      SweepAxes
		want    SweepAxes
		issue   SweepAxesIssue // 0: no error
	}{
		{"steady: most values on x, the other axis as hue", "steady", sweep.Grid{axis("d12", 2), axis("temperature", 3)}, table,
			SweepAxes{}, SweepAxes{X: "temperature", Y: "entropy_production", Hue: "d12"}, 0},
		{"the first of equals on x", "steady", sweep.Grid{axis("temperature", 2), axis("d12", 2)}, table,
			SweepAxes{}, SweepAxes{X: "temperature", Y: "entropy_production", Hue: "d12"}, 0},
		{"a text axis is never x", "steady", sweep.Grid{axis("landscape", 5), axis("d12", 2)}, table,
			SweepAxes{}, SweepAxes{X: "d12", Y: "entropy_production", Hue: "landscape"}, 0},
		{"given columns stay", "steady", sweep.Grid{axis("temperature", 2), axis("d12", 2)}, table,
			SweepAxes{X: "d12", Y: "mass", Hue: "seed"}, SweepAxes{X: "d12", Y: "mass", Hue: "seed"}, 0},
		{"no hue", "steady", sweep.Grid{axis("temperature", 2), axis("d12", 2)}, table,
			SweepAxes{Hue: "d12", NoHue: true}, SweepAxes{X: "temperature", Y: "entropy_production", NoHue: true}, 0},
		{"one axis: no hue", "simulate", sweep.Grid{axis("temperature", 2)}, table,
			SweepAxes{}, SweepAxes{X: "temperature", Y: "angular_momentum"}, 0},
		{"the command's y is missing: the first varying result", "sgd", sweep.Grid{axis("temperature", 2), axis("d12", 2)}, table,
			SweepAxes{}, SweepAxes{X: "temperature", Y: "mass", Hue: "d12"}, 0},
		{"unknown command: the first varying result that is not varied", "other", sweep.Grid{axis("temperature", 2)}, table,
			SweepAxes{NoHue: true}, SweepAxes{X: "temperature", Y: "d12", NoHue: true}, 0},
		{"no numeric axis", "steady", sweep.Grid{axis("landscape", 1)}, table, SweepAxes{}, SweepAxes{}, NoNumericAxis},
		{"nothing varies", "steady", sweep.Grid{axis("temperature", 2)}, flat, SweepAxes{}, SweepAxes{}, NoVaryingResult},
		{"no rows", "steady", sweep.Grid{axis("temperature", 2)}, &Table{Header: flat.Header}, SweepAxes{X: "temperature"}, SweepAxes{}, NoVaryingResult},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := DefaultSweepAxes(c.command, c.vary, c.t, c.in)
			var ae *SweepAxesError
			switch {
			case c.issue != 0 && (!errors.As(err, &ae) || ae.Issue != c.issue):
				t.Errorf("error %v, want the issue %d", err, c.issue)
			case c.issue == 0 && (err != nil || got != c.want):
				t.Errorf("got %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
	if got := (&SweepAxesError{Issue: NoNumericAxis}).Error(); got != "no varied parameter is numeric" {
		t.Errorf("text %q", got)
	}
	if got := (&SweepAxesError{Issue: NoVaryingResult}).Error(); got != "no numeric result varies over the points" {
		t.Errorf("text %q", got)
	}
}
