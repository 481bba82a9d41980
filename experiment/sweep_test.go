package experiment_test

import (
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/sweep"
)

// list is the axis name over the listed values.
func list(name string, values ...string) sweep.Axis {
	return sweep.Axis{Name: name, Spec: strings.Join(values, ","), Values: values}
}

// gyrator is the steady state of the gyrator at T = 0.5 on an n x n grid.
func gyrator(n int) *experiment.SteadySpec {
	return &experiment.SteadySpec{
		Model:       experiment.ModelSpec{Landscape: "gyrator"},
		Temperature: experiment.TemperatureSpec{T: 0.5},
		Grid:        experiment.GridSpec{Nodes: []int{n}},
	}
}

// TestSweepSpecPoint checks the study of each point: the values set on a
// copy of the template, the record rule, the workers, and the typed errors
// of values that cannot be set.
func TestSweepSpecPoint(t *testing.T) {
	sim := experiment.DefaultSimulate()
	sim.Workers = 0
	chains := func(s experiment.Study) any {
		c := s.(*experiment.SimulateSpec).Chains
		return [3]int{c.N, c.Record, c.Workers}
	}
	for _, c := range []struct {
		name  string
		spec  experiment.SweepSpec
		point int
		get   func(s experiment.Study) any
		want  any
		stage experiment.SweepStage // 0: no error
		cause any                   // a pointer to the type of the cause
	}{
		{"values", experiment.SweepSpec{Template: gyrator(16), Vary: sweep.Grid{list("d12", "0", "0.4"), list("temperature", "0.2", "0.3")}}, 2,
			func(s experiment.Study) any {
				st := s.(*experiment.SteadySpec)
				return [2]float64{st.Model.Params["d12"], st.Temperature.T}
			}, [2]float64{0.4, 0.2}, 0, nil},
		{"record lowered to n", experiment.SweepSpec{Template: &sim, Vary: sweep.Grid{list("n", "5", "20")}, RecordDefault: 10}, 0,
			chains, [3]int{5, 5, 0}, 0, nil},
		{"record at its default", experiment.SweepSpec{Template: &sim, Vary: sweep.Grid{list("n", "5", "20")}, RecordDefault: 10}, 1,
			chains, [3]int{20, 10, 0}, 0, nil},
		{"record kept", experiment.SweepSpec{Template: &sim, Vary: sweep.Grid{list("n", "5", "20")}}, 0,
			chains, [3]int{5, experiment.DefaultSimulateRecord, 0}, 0, nil},
		{"workers", experiment.SweepSpec{Template: &sim, Vary: sweep.Grid{list("seed", "1")}, Workers: 3}, 0,
			chains, [3]int{sim.N, sim.Record, 3}, 0, nil},
		{"workers of a study without", experiment.SweepSpec{Template: gyrator(16), Vary: sweep.Grid{list("tol", "1e-6")}, Workers: 3}, 0,
			func(s experiment.Study) any { return s.(*experiment.SteadySpec).Grid.Tol }, 1e-6, 0, nil},
		{"temperature", experiment.SweepSpec{Template: gyrator(16), Vary: sweep.Grid{list("temperature", "-1")}}, 0,
			nil, nil, experiment.SweepValues, new(*experiment.TemperatureError)},
		{"scheme", experiment.SweepSpec{Template: gyrator(16), Vary: sweep.Grid{list("scheme", "bogus")}}, 0,
			nil, nil, experiment.SweepValues, new(*experiment.ParamError)},
		{"no such parameter", experiment.SweepSpec{Template: gyrator(16), Vary: sweep.Grid{list("record", "1")}}, 0,
			nil, nil, experiment.SweepValues, new(*experiment.ParamError)},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := c.spec.Template.Clone()
			s, err := c.spec.Point(c.point)
			if !reflect.DeepEqual(before, c.spec.Template) {
				t.Errorf("the template changed")
			}
			if c.stage == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if got := c.get(s); !reflect.DeepEqual(got, c.want) {
					t.Errorf("got %v, want %v", got, c.want)
				}
				return
			}
			var pe *experiment.SweepPointError
			if !errors.As(err, &pe) || pe.Stage != c.stage || !errors.As(err, c.cause) || err.Error() != pe.Err.Error() {
				t.Errorf("error %v (%T), want stage %d with a cause %T", err, err, c.stage, c.cause)
			}
		})
	}
	if _, err := (&experiment.SweepSpec{Vary: sweep.Grid{list("n", "1")}}).Point(0); !errors.Is(err, experiment.ErrNoTemplate) {
		t.Errorf("no template: %v", err)
	}
}

// TestSweepSpecFirstValid finds the first valid point with a fixed
// template and with one built per point, and reports a sweep without one.
func TestSweepSpecFirstValid(t *testing.T) {
	// d12 = 1.5 makes D indefinite: the study's Start rejects it.
	spec := experiment.SweepSpec{Template: gyrator(16), Vary: sweep.Grid{list("d12", "1.5", "2", "0.5")}}
	if err := spec.Check(0); !isStage(err, experiment.SweepStart) {
		t.Errorf("Check(0) = %v, want a SweepStart error", err)
	}
	if i, err := spec.Validate(); i != 2 || err != nil {
		t.Errorf("Validate = %d, %v; want 2", i, err)
	}
	bad := experiment.SweepSpec{Template: gyrator(16), Vary: sweep.Grid{list("d12", "1.5", "2")}}
	i, err := bad.Validate()
	var ne *experiment.NoValidPointError
	if i != -1 || !errors.As(err, &ne) || ne.Point != 0 || !reflect.DeepEqual(ne.Values, []string{"1.5"}) || !isStage(ne.Err, experiment.SweepStart) ||
		!strings.HasPrefix(err.Error(), "no point of the sweep is a valid study; point 0 (d12=1.5): landscape \"gyrator\": diffusion is not") {
		t.Errorf("no valid point: %d, %v", i, err)
	}
	// A template per point: the first point's build fails, the second's
	// is kept.
	built := experiment.SweepSpec{Vary: sweep.Grid{list("grid", "0", "16", "24")}}
	errBuild := errors.New("no grid")
	i, err = built.FirstValid(func(values []string) (experiment.Study, error) {
		if values[0] == "0" {
			return nil, errBuild
		}
		n, _ := strconv.Atoi(values[0])
		return gyrator(n), nil
	})
	if i != 1 || err != nil || built.Template.(*experiment.SteadySpec).Grid.Nodes[0] != 16 {
		t.Errorf("FirstValid with build = %d, %v, template %+v", i, err, built.Template)
	}
	i, err = (&experiment.SweepSpec{Vary: sweep.Grid{list("grid", "0")}}).FirstValid(func([]string) (experiment.Study, error) { return nil, errBuild })
	if i != -1 || !errors.As(err, &ne) || !errors.Is(err, errBuild) {
		t.Errorf("no build succeeds: %d, %v", i, err)
	}
	if _, err := (&experiment.SweepSpec{Vary: sweep.Grid{list("n", "1")}}).Validate(); !errors.Is(err, experiment.ErrNoTemplate) {
		t.Errorf("no template: %v", err)
	}
	if _, err := (&experiment.SweepSpec{Template: gyrator(16)}).Validate(); err == nil {
		t.Errorf("no axes: no error")
	}
}

// isStage reports whether err is a *SweepPointError of stage.
func isStage(err error, stage experiment.SweepStage) bool {
	var pe *experiment.SweepPointError
	return errors.As(err, &pe) && pe.Stage == stage
}

// TestSweepSpecRun runs a steady sweep of the gyrator through the library
// into a sweep directory, with points that fail at each stage, resumes it
// and checks results.csv row by row: the entropy production is 0 where
// D12 = 0 (D commutes with A: detailed balance) and the same at every
// temperature where D12 = 0.8 (a linear drift), below its continuum value
// 3.2 (docs/validation.md, case 6) on 16 x 16 nodes.
func TestSweepSpecRun(t *testing.T) {
	path := t.TempDir()
	spec := experiment.SweepSpec{Template: gyrator(16), Version: "test",
		Vary: sweep.Grid{list("d12", "0", "0.8", "1.5"), list("temperature", "0.25", "0.5", "-1")}}
	if i, err := spec.Validate(); i != 0 || err != nil {
		t.Fatalf("Validate = %d, %v", i, err)
	}
	def := spec.Definition(nil)
	if def.Command != "steady" || def.Summary != "summary.json" || def.Points != 9 {
		t.Errorf("definition %+v", def)
	}
	dir, err := sweep.Create(path, def)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	stages := map[int]experiment.SweepStage{}
	report := func(ctx context.Context, p *experiment.SweepPoint) sweep.Outcome {
		mu.Lock()
		defer mu.Unlock()
		var pe *experiment.SweepPointError
		switch {
		case errors.As(p.Err, &pe):
			stages[p.Index] = pe.Stage
		case p.Err != nil || p.Result == nil || p.Study == nil:
			t.Errorf("point %d: %+v", p.Index, p)
		}
		return p.Outcome()
	}
	st, err := spec.Run(context.Background(), dir, sweep.Options{Workers: 2}, report)
	if err != nil || st != (sweep.Stats{Shard: 9, Ran: 9, OK: 4, Failed: 5}) {
		t.Fatalf("run: %+v, %v", st, err)
	}
	want := map[int]experiment.SweepStage{2: experiment.SweepValues, 5: experiment.SweepValues, 6: experiment.SweepStart, 7: experiment.SweepStart, 8: experiment.SweepValues}
	if !reflect.DeepEqual(stages, want) {
		t.Errorf("failed stages %v, want %v", stages, want)
	}
	// Resumed: nothing to run.
	if st, err := spec.Run(context.Background(), dir, sweep.Options{}, nil); err != nil || st != (sweep.Stats{Shard: 9, Finished: 9}) {
		t.Errorf("resume: %+v, %v", st, err)
	}
	rs, err := sweep.WriteResults([]*sweep.Dir{dir}, path)
	if err != nil || rs.Points != 9 || rs.OK != 4 || rs.Failed != 5 {
		t.Fatalf("results: %+v, %v", rs, err)
	}
	rows := readCSV(t, rs.Path)
	col := func(name string) int {
		for j, h := range rows[0] {
			if h == name {
				return j
			}
		}
		t.Fatalf("no column %s in %q", name, rows[0])
		return -1
	}
	status, msg, pi, version := col("status"), col("error"), col("entropy_production"), col("version")
	if got := rows[0][:5]; !reflect.DeepEqual(got, []string{"point", "d12", "temperature", "status", "error"}) {
		t.Errorf("header starts %q", got)
	}
	const notPSD = `landscape "gyrator": diffusion is not symmetric positive semi-definite`
	for i, w := range []struct {
		status, err string
		pi          float64 // NaN: a failed point
	}{
		{"ok", "", 0}, {"ok", "", 0}, {"failed", "temperature must be positive", math.NaN()},
		{"ok", "", 2.5597}, {"ok", "", 2.5597}, {"failed", "temperature must be positive", math.NaN()},
		{"failed", notPSD, math.NaN()}, {"failed", notPSD, math.NaN()}, {"failed", "temperature must be positive", math.NaN()},
	} {
		r := rows[i+1]
		if r[0] != strconv.Itoa(i) || r[status] != w.status || !strings.Contains(r[msg], w.err) {
			t.Errorf("row %d: point %s, %s, %q; want %s, %q", i, r[0], r[status], r[msg], w.status, w.err)
		}
		if math.IsNaN(w.pi) {
			if r[pi] != "" {
				t.Errorf("row %d: a failed point with Pi %s", i, r[pi])
			}
			continue
		}
		got, err := strconv.ParseFloat(r[pi], 64)
		// 2.5597: 'sgdsde sweep steady' of the starting commit on 16 x 16
		// gave 2.5596596344498774; 0 to round-off where D12 = 0.
		tol := 1e-4
		if w.pi == 0 {
			tol = 1e-20
		}
		if err != nil || math.Abs(got-w.pi) > tol || got >= 3.2 || r[version] != "test" {
			t.Errorf("row %d: Pi %s, version %s; want %g and test", i, r[pi], r[version], w.pi)
		}
	}
	if a, b := parse(rows[4][pi]), parse(rows[5][pi]); math.Abs(a-b) > 1e-12*a {
		t.Errorf("Pi depends on T for a linear drift: %s, %s", rows[4][pi], rows[5][pi])
	}
	m, ok := dir.Finished(6)
	if !ok || m.ExitCode != 2 || m.Args != nil || m.Warnings != nil {
		t.Errorf("point 6 recorded %+v: want exit code 2 (input) and neither command line nor warnings", m)
	}

	// A dir of another sweep, a sweep without template.
	if _, err := (&experiment.SweepSpec{Template: gyrator(16), Vary: sweep.Grid{list("d12", "0")}}).Run(context.Background(), dir, sweep.Options{}, nil); err == nil {
		t.Errorf("a different sweep ran in %s", path)
	} else if me := new(sweep.MismatchError); !errors.As(err, &me) {
		t.Errorf("a different sweep: %v (%T), want a *sweep.MismatchError", err, err)
	}
	if _, err := (&experiment.SweepSpec{Vary: spec.Vary}).Run(context.Background(), dir, sweep.Options{}, nil); !errors.Is(err, experiment.ErrNoTemplate) {
		t.Errorf("no template: %v", err)
	}
}

// TestSweepSpecRunFailure: a steady state that does not reach its
// tolerance fails at the run, with exit code 1.
func TestSweepSpecRunFailure(t *testing.T) {
	spec := experiment.SweepSpec{Template: gyrator(16), Vary: sweep.Grid{list("tol", "1e-30")}}
	dir, err := sweep.Create(t.TempDir(), spec.Definition(nil))
	if err != nil {
		t.Fatal(err)
	}
	var cause *experiment.SolveError
	st, err := spec.Run(context.Background(), dir, sweep.Options{}, func(ctx context.Context, p *experiment.SweepPoint) sweep.Outcome {
		if !isStage(p.Err, experiment.SweepRun) || !errors.As(p.Err, &cause) || p.Result != nil {
			t.Errorf("error %v (%T), result %v; want a SweepRun *SolveError", p.Err, p.Err, p.Result)
		}
		return p.Outcome()
	})
	if err != nil || st.Failed != 1 {
		t.Fatalf("run: %+v, %v", st, err)
	}
	if m, _ := dir.Finished(0); m.ExitCode != 1 || !strings.Contains(m.Error, "did not converge") {
		t.Errorf("recorded %+v", m)
	}
}

// TestSweepHelpers checks the tables of the study commands.
func TestSweepHelpers(t *testing.T) {
	fsum := experiment.DefaultSimulate()
	fsum.FiniteSum = &experiment.FiniteSumSpec{Model: "linreg"}
	sgd := experiment.DefaultSGD()
	for _, c := range []struct {
		s    experiment.Study
		want int
	}{
		{&experiment.SimulateSpec{}, experiment.DefaultSimulateRecord},
		{&fsum, experiment.DefaultSGDRecord},
		{&sgd, experiment.DefaultSGDRecord},
		{gyrator(16), 0},
		{&experiment.CompareSpec{}, 0},
	} {
		if got := experiment.DefaultRecord(c.s); got != c.want {
			t.Errorf("DefaultRecord(%s) = %d, want %d", c.s.Command(), got, c.want)
		}
	}
	for _, cmd := range experiment.StudyCommands() {
		want := "summary.json"
		switch cmd {
		case "compare":
			want = "compare.json"
		case "escape":
			want = "escape.json"
		}
		if got := experiment.SummaryFile(cmd); got != want {
			t.Errorf("SummaryFile(%s) = %q, want %q", cmd, got, want)
		}
	}
	if got := experiment.SummaryFile("evolve"); got != "" {
		t.Errorf("SummaryFile(evolve) = %q", got)
	}
	if w := experiment.WorkersPerPoint(1 << 20); w != 1 {
		t.Errorf("WorkersPerPoint of many points = %d, want 1", w)
	}
}

// readCSV reads a CSV file.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), sweep.DefinitionFile)); err != nil {
		t.Error(err)
	}
	return rows
}

// parse parses a number of the table.
func parse(s string) float64 {
	v, _ := strconv.ParseFloat(s, 64)
	return v
}
