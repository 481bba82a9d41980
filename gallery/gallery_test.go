package gallery

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/plots"
	"github.com/sgdsde/sgdsde/sweep"
)

// TestRefusesUnconvergedSweepPoint: the gallery's sweep scenario draws
// its figures from the results only when every point is ok and converged;
// otherwise it fails with one line naming the point and its error. The
// real case is a sweep whose second point cannot reach its tolerance; the
// results it returns are those it wrote into results.csv.
func TestRefusesUnconvergedSweepPoint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	w := steadySweep{landscape: "gyrator", grid: 16, vary: []string{"temperature=0.5", "tol=1e-10,1e-30"}}
	real, err := w.run(context.Background(), dir, Settings{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	written, err := plots.ReadTable(filepath.Join(dir, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(written, real) {
		t.Errorf("results.csv holds\n%v\nthe sweep returned\n%v", written, real)
	}
	var m sweep.Marker
	if b, err := os.ReadFile(filepath.Join(dir, "points", "0001", "point.json")); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	wantArgs := []string{"--landscape", "gyrator", "--grid", "16", "--temperature=0.5", "--tol=1e-30", "--out=" + filepath.Join(dir, "points", "0001")}
	if m.Status != sweep.StatusFailed || m.ExitCode != 1 || !reflect.DeepEqual(m.Args, wantArgs) {
		t.Errorf("point 1: status %s, exit code %d, args %q; want failed, 1, %q", m.Status, m.ExitCode, m.Args, wantArgs)
	}
	header := []string{"point", "temperature", "d12", "status", "error", "command", "converged", "entropy_production"}
	for _, tc := range []struct {
		name  string
		table *plots.Table
		want  string // substring of the error; "" for none
	}{
		{"real sweep with a point that did not converge", real,
			"sweep point 1 (temperature=0.5 tol=1e-30) failed: steady state at T = 0.5: steady state did not converge: relative residual "},
		{"all ok", &plots.Table{Header: header, Rows: [][]string{
			{"0", "0.1", "0", "ok", "", "steady", "true", "0"}, {"1", "0.1", "0.9", "ok", "", "steady", "true", "7.5"}}}, ""},
		{"failed point", &plots.Table{Header: header, Rows: [][]string{
			{"0", "0.1", "0", "ok", "", "steady", "true", "0"}, {"1", "0.1", "0.9", "failed", "steady: steady state did not converge: x", "", "", ""}}},
			"sweep point 1 (temperature=0.1 d12=0.9) failed: steady: steady state did not converge: x"},
		{"ok but not converged", &plots.Table{Header: header, Rows: [][]string{
			{"0", "0.1", "0.9", "ok", "", "steady", "false", "407"}}}, `sweep point 0 (temperature=0.1 d12=0.9): converged is "false"`},
		{"no converged column", &plots.Table{Header: []string{"point", "temperature", "status", "error", "entropy_production"}, Rows: [][]string{
			{"0", "0.1", "ok", "", "407"}}}, "lack the columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkConverged(tc.table)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n")):
				t.Errorf("error %v, want one line with %q", err, tc.want)
			}
		})
	}
}

// The gallery never prints "-0.000": negative zero and negative values
// that round to zero print without the sign.
func TestFixedZero(t *testing.T) {
	for _, c := range []struct {
		v    float64
		prec int
		want string
	}{
		{math.Copysign(0, -1), 3, "0.000"}, {-1e-17, 3, "0.000"}, {-0.0004, 3, "0.000"}, {-0.0005001, 3, "-0.001"},
		{0, 3, "0.000"}, {-1, 3, "-1.000"}, {0.948, 3, "0.948"}, {-0.00004, 4, "0.0000"}, {-2e-9, 0, "0"},
	} {
		if got := fixed(c.v, c.prec); got != c.want {
			t.Errorf("fixed(%g, %d) = %q, want %q", c.v, c.prec, got, c.want)
		}
	}
	if got := g3(math.Copysign(0, -1)); got != "0" {
		t.Errorf("g3(-0) = %q, want 0", got)
	}
}

// TestRunRefusesBadSettings: settings out of range are a *SettingsError
// before anything is written.
func TestRunRefusesBadSettings(t *testing.T) {
	for _, c := range []struct {
		field string
		edit  func(s *Settings)
	}{
		{"Grid", func(s *Settings) { s.Grid = 10 }},
		{"EvolveGrid", func(s *Settings) { s.EvolveGrid = 2 }},
		{"EvolveSteps", func(s *Settings) { s.EvolveSteps = 0 }},
		{"EvolveDt", func(s *Settings) { s.EvolveDt = math.NaN() }},
		{"DPI", func(s *Settings) { s.DPI = 5 }},
		{"CurveTs", func(s *Settings) { s.CurveTs = []float64{0.1, -1} }},
	} {
		s := Quick()
		c.edit(&s)
		dir := filepath.Join(t.TempDir(), "g")
		_, err := Run(context.Background(), dir, s, nil)
		var se *SettingsError
		if !errors.As(err, &se) || se.Field != c.field || strings.Contains(err.Error(), "--") {
			t.Errorf("%s: error %v, want a *SettingsError for the field without flag names", c.field, err)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%s: %s created", c.field, dir)
		}
	}
}
