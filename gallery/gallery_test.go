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
		{"EscapeTs", func(s *Settings) { s.EscapeTs = []float64{0.1} }},
		{"EscapeTs", func(s *Settings) { s.EscapeTs = []float64{0.1, 0.1} }},
		{"EscapeTs", func(s *Settings) { s.EscapeTs = []float64{0.1, 0} }},
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

// TestWhichMinimum: the escape studies of scenario 7. The occupations of
// the two basins sum to 1; with sharpness 1 the landscape and its noise are
// symmetric under x -> -x, so each basin holds 1/2 and the two escape
// times and barriers agree; with sharpness 10 the claims of the section's
// text hold on the quick grid: isotropic noise favours the flat minimum
// more than SGD noise, its barrier in Phi from the sharp minimum is below
// the barrier 1/4 in f, SGD noise's barriers in Phi are above it, and the
// barrier in f is 1/4 from both minima.
func TestWhichMinimum(t *testing.T) {
	ctx := context.Background()
	ts := []float64{0.05, 0.1}
	sym, err := whichMinimum(ctx, 1, 0, ts, 40)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range sym.Points {
		if math.Abs(p.PFlat+p.PSharp-1) > 1e-9 {
			t.Errorf("sharpness 1, T = %g: occupations %g + %g, want a sum of 1", p.T, p.PFlat, p.PSharp)
		}
		if math.Abs(p.PFlat-0.5) > 1e-3 || math.Abs(p.TauFlat/p.TauSharp-1) > 0.02 || math.Abs(p.PhiBarFlat-p.PhiBarSharp) > 0.01 {
			t.Errorf("sharpness 1, T = %g: occupation of the left basin %g, tau %g and %g, barriers in Phi %g and %g; want 1/2 and equal pairs",
				p.T, p.PFlat, p.TauFlat, p.TauSharp, p.PhiBarFlat, p.PhiBarSharp)
		}
	}
	s := Quick()
	var cs [2]*escapeCurve
	for k, nz := range escapeNoises {
		if cs[k], err = whichMinimum(ctx, 10, nz.Iso, s.EscapeTs, s.Grid/2); err != nil {
			t.Fatal(err)
		}
	}
	sgd, iso := cs[0], cs[1]
	for i := range sgd.Points {
		p, q := sgd.Points[i], iso.Points[i]
		for _, r := range []escapePoint{p, q} {
			if math.Abs(r.PFlat+r.PSharp-1) > 1e-9 || math.Abs(r.FBarFlat-0.25) > 0.02 || math.Abs(r.FBarSharp-0.25) > 0.02 {
				t.Errorf("T = %g: occupations %g + %g, barriers in f %g and %g; want a sum of 1 and 1/4", r.T, r.PFlat, r.PSharp, r.FBarFlat, r.FBarSharp)
			}
		}
		if !(q.PFlat > p.PFlat && p.PFlat > 0.5) {
			t.Errorf("T = %g: flat occupation %g (SGD noise), %g (isotropic); want 1/2 < SGD < isotropic", p.T, p.PFlat, q.PFlat)
		}
		if !(q.PhiBarSharp < 0.25 && p.PhiBarFlat > 0.25 && p.PhiBarSharp > 0.25) {
			t.Errorf("T = %g: barriers in Phi %g, %g (SGD noise), sharp %g (isotropic); want SGD's above 1/4, isotropic's from sharp below", p.T, p.PhiBarFlat, p.PhiBarSharp, q.PhiBarSharp)
		}
		if !(q.TauFlat/q.TauSharp > 3*p.TauFlat/p.TauSharp) {
			t.Errorf("T = %g: tau flat/sharp %g (SGD noise), %g (isotropic); want the isotropic ratio far larger", p.T, p.TauFlat/p.TauSharp, q.TauFlat/q.TauSharp)
		}
	}
}
