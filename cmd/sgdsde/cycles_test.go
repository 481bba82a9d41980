package main

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readOrbitsCSV reads orbits.csv in dir.
func readOrbitsCSV(t *testing.T, dir string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "orbits.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCycles(t *testing.T) {
	cases := []struct {
		name string
		args []string
		// vanishes is the expected force_vanishes; closedPeriod, if > 0,
		// the period every closed force orbit must have within 1%.
		vanishes     bool
		closedPeriod float64
		minOrbits    int
		stdout       []string
	}{
		{name: "gyrator", args: []string{"--landscape", "gyrator", "--grid", "96", "--from", "0.7,0", "--from", "0,0.5"},
			closedPeriod: 5.029002, minOrbits: 4, stdout: []string{"closed", "fixed-point", "max |j|"}},
		{name: "gyrator automatic seeds, force only", args: []string{"--landscape", "gyrator", "--grid", "96", "--field", "force"},
			minOrbits: 12, stdout: []string{"closed"}},
		{name: "quadratic D = I", args: []string{"--landscape", "quadratic", "--grid", "48"},
			vanishes: true, minOrbits: 12, stdout: []string{"no orbits: j vanishes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			r := runOK(t, append([]string{"cycles", "--out", dir}, c.args...)...)
			for _, want := range append(c.stdout, "orbit", dir, "steady   relative residual ") {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout does not mention %q:\n%s", want, r.stdout)
				}
			}
			if got, want := dirEntries(t, dir), []string{"orbits.csv", "summary.json"}; !reflect.DeepEqual(got, want) {
				t.Errorf("--out holds %v, want %v", got, want)
			}
			s := readSummary(t, dir)
			for _, k := range []string{"command", "version", "model", "params", "temperature", "grid", "box", "scheme",
				"field", "seeds", "max_time", "steady_converged", "steady_relative_residual", "steady_residual", "steady_cell_peclet",
				"force_vanishes", "force_check", "orbits", "files"} {
				if _, ok := s[k]; !ok {
					t.Errorf("summary.json has no key %q", k)
				}
			}
			if s["command"] != "cycles" {
				t.Errorf("command = %v", s["command"])
			}
			if rel := jsonFloat(t, s, "steady_relative_residual"); s["steady_converged"] != true || !(rel <= jsonFloat(t, s, "tol")) {
				t.Errorf("steady_converged %v, steady_relative_residual %v, tol %v", s["steady_converged"], s["steady_relative_residual"], s["tol"])
			}
			if v, _ := s["force_vanishes"].(bool); v != c.vanishes {
				t.Errorf("force_vanishes = %v, want %v (force_check %v)", s["force_vanishes"], c.vanishes, s["force_check"])
			}
			orbits, _ := s["orbits"].([]any)
			if len(orbits) < c.minOrbits {
				t.Fatalf("%d orbits, want at least %d", len(orbits), c.minOrbits)
			}
			closed := 0
			for _, e := range orbits {
				o, ok := e.(map[string]any)
				if !ok {
					t.Fatalf("orbit entry %v is not an object", e)
				}
				for _, k := range []string{"orbit", "field", "seed", "class", "phi_variation"} {
					if _, ok := o[k]; !ok {
						t.Errorf("orbit %v has no %q", o["orbit"], k)
					}
				}
				if c.vanishes && o["field"] == "force" {
					t.Errorf("force orbit %v although j vanishes", o["orbit"])
				}
				if o["field"] == "force" {
					if o["class"] != "closed" {
						t.Errorf("force orbit %v: class %v, want closed", o["orbit"], o["class"])
						continue
					}
					closed++
					p, _ := o["period"].(float64)
					if c.closedPeriod > 0 && math.Abs(p/c.closedPeriod-1) > 0.01 {
						t.Errorf("force orbit %v: period %v, want %v within 1%%", o["orbit"], p, c.closedPeriod)
					}
				}
			}
			if !c.vanishes && closed == 0 {
				t.Error("no closed force orbit")
			}
			rows := readOrbitsCSV(t, dir)
			if !reflect.DeepEqual(rows[0], []string{"orbit", "field", "t", "x", "y", "phi"}) {
				t.Errorf("orbits.csv header %v", rows[0])
			}
			if len(rows) < 1+2*len(orbits) {
				t.Errorf("orbits.csv has %d rows for %d orbits", len(rows), len(orbits))
			}
		})
	}
}

func TestCyclesBadInput(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"malformed --from", []string{"--from", "1;2"}, "--from"},
		{"--from with one coordinate", []string{"--from", "1"}, "2 comma-separated numbers"},
		{"--from not a number", []string{"--from", "a,0"}, "not a finite number"},
		{"seed outside the box", []string{"--landscape", "gyrator", "--from", "50,0"}, "outside the box"},
		{"unknown field", []string{"--field", "curl"}, "--field"},
		{"negative max time", []string{"--max-time", "-1"}, "--max-time"},
		{"1-D model", []string{"--loss", "x^2", "--dim", "1"}, "2-D model"},
		{"bad temperature", []string{"--temperature", "0"}, "--temperature"},
		{"unknown landscape", []string{"--landscape", "nope"}, "unknown landscape"},
		{"bad grid", []string{"--grid", "4"}, "too small"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkBadInput(t, append([]string{"cycles", "--grid", "32"}, c.args...), c.want)
		})
	}
}

// TestCyclesContraction checks the contraction per turn that the command
// reports against the independent figure of the README's Validation row
// "orbits" (paper-fig4, lambda = 1.5, T = 1, the drift from (0.1, 0)): the
// return map about the fixed point 0 is 0.99342085 by SciPy's DOP853 on
// the exact drift (fokkerplanck's paperFig4Contraction); RK4 at the
// default step is within 1.7e-6 of it (TestContractionPerTurn). The
// summary, stdout and --help define the quantity.
func TestCyclesContraction(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := runOK(t, "cycles", "--landscape", "paper-fig4", "--set", "lambda=1.5", "--temperature", "1", "--box", "-3:3,-3:3",
		"--grid", "96", "--field", "drift", "--from", "0.1,0", "--out", dir)
	s := readSummary(t, dir)
	if cls := jsonAt(t, s, "orbits", 0, "class"); cls != "inward-spiral" {
		t.Fatalf("class %v, want inward-spiral", cls)
	}
	c := jsonFloat(t, s, "orbits", 0, "contraction")
	if math.Abs(c-0.99342085) > 3e-6 {
		t.Errorf("contraction %.9f, independent 0.99342085", c)
	}
	if fx, fy := jsonFloat(t, s, "orbits", 0, "fixed_point", 0), jsonFloat(t, s, "orbits", 0, "fixed_point", 1); math.Hypot(fx, fy) > 1e-12 {
		t.Errorf("fixed point (%v, %v), want the origin", fx, fy)
	}
	def, _ := s["contraction_definition"].(string)
	if !strings.Contains(def, "half-line") || !strings.Contains(r.stdout, def) || !strings.Contains(r.stdout, "0.993419") {
		t.Errorf("contraction_definition %q; stdout:\n%s", def, r.stdout)
	}
	h := runOK(t, "cycles", "--help")
	for _, want := range []string{"return map about the fixed point", "half-line from c through x0", "Newton"} {
		if !strings.Contains(h.stdout, want) {
			t.Errorf("cycles --help does not mention %q", want)
		}
	}
}
