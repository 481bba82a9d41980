package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/internal/datafile"
)

// observeRunDir makes a small finite-sum run (linreg, d = 3, 2 chains of
// 200 recorded states) for observe and returns its directory.
func observeRunDir(t *testing.T, extra ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	args := append([]string{"sgd", "--model", "linreg", "--set", "d=3,n=200", "--lr", "0.1", "--batch", "8",
		"--n", "2", "--steps", "400", "--burn-in", "50", "--record", "2", "--every", "2", "--out", dir}, extra...)
	if r := sgdsde(t, args...); r.code != 0 {
		t.Fatalf("%v: code %d, stderr %q", args, r.code, r.stderr)
	}
	return dir
}

// observeCSV reads a CSV table.
func observeCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

func TestObserve(t *testing.T) {
	dir := observeRunDir(t)
	r := sgdsde(t, "observe", dir, "--max-lag", "20", "--times", "0,199")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("code %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"rank 3/3", "autocorrelation", "flatness", "null", "area"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout does not mention %q:\n%s", want, r.stdout)
		}
	}
	ents := dirEntries(t, dir)
	for _, f := range []string{"observables.json", "acf.csv", "spectrum.csv", "gradnorm.csv", "d_spectrum.csv"} {
		if !slices.Contains(ents, f) {
			t.Errorf("%s not written (dir holds %v)", f, ents)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "observables.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"acf", "spectrum", "d_spectrum", "gradnorm", "area"} {
		pair, _ := s[k].(map[string]any)
		if pair["run"] == nil || pair["null"] == nil {
			t.Errorf("observables.json: %s = %v, want run and null", k, s[k])
		}
		checkFinite(t, k, s[k])
	}
	null, _ := s["null"].(map[string]any)
	gn, _ := at(t, s, "gradnorm", "run").(map[string]any)
	if null["noise"] != "isotropic" || null["n"] != 2.0 || null["stationary_law"] != "exp(-f/(T c))/Z" ||
		null["noise_scale_states"] != 200.0 || null["noise_scale"] != gn["mean_trace_d"] || !(gn["mean_trace_d"].(float64) > 0) {
		t.Errorf("null = %v, run gradnorm = %v: want c = the run's mean tr D/d over 2 chains x 100 times", s["null"], gn)
	}
	for _, want := range []string{"constant isotropic noise with c = ", "stationary law exp(-f/(T c))/Z", "eigenvalues > ", "gap lambda_r/|lambda_r+1|"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout does not say %q:\n%s", want, r.stdout)
		}
	}
	if opt, _ := s["options"].(map[string]any); opt["max_lag"] != 20.0 || !reflect.DeepEqual(opt["d_times"], []any{0.0, 199.0}) {
		t.Errorf("options = %v", s["options"])
	}
	ds, _ := at(t, s, "d_spectrum", "run").([]any)
	if len(ds) != 2 || at(t, ds, 1, "rank") != 3.0 || at(t, ds, 1, "time") != 199.0 {
		t.Errorf("d_spectrum = %v", ds)
	}
	tables := map[string]struct {
		header []string
		rows   int
	}{
		"acf.csv":      {[]string{"lag", "time", "mean", "spread", "band", "null_mean", "null_spread", "null_band"}, 21},
		"spectrum.csv": {[]string{"frequency", "frequency_time", "mean", "spread", "null_mean", "null_spread"}, 25},
		"gradnorm.csv": {[]string{"index", "step", "time", "value", "spread", "loss", "trace_d", "null", "null_spread", "null_loss", "null_trace_d"}, 100},
		"d_spectrum.csv": {[]string{"time", "index", "eigenvalue", "in_rank", "threshold", "rank", "gap",
			"null_eigenvalue", "null_in_rank", "null_threshold", "null_rank", "null_gap"}, 6},
	}
	for name, want := range tables {
		rows := observeCSV(t, filepath.Join(dir, name))
		if !reflect.DeepEqual(rows[0], want.header) || len(rows)-1 != want.rows {
			t.Errorf("%s: header %v and %d rows, want %v and %d", name, rows[0], len(rows)-1, want.header, want.rows)
		}
	}
}

func TestObserveNoNullOut(t *testing.T) {
	dir := observeRunDir(t)
	before := dirEntries(t, dir)
	out := filepath.Join(t.TempDir(), "obs")
	r := sgdsde(t, "observe", dir, "--no-null", "--out", out, "--workers", "1")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("code %d, stderr %q", r.code, r.stderr)
	}
	if after := dirEntries(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("DIR changed with --out elsewhere: %v -> %v", before, after)
	}
	rows := observeCSV(t, filepath.Join(out, "acf.csv"))
	if !reflect.DeepEqual(rows[0], []string{"lag", "time", "mean", "spread", "band"}) || len(rows) != 52 {
		t.Errorf("acf.csv without null: header %v, %d rows", rows[0], len(rows))
	}
	b, err := os.ReadFile(filepath.Join(out, "observables.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"null"`) {
		t.Error("observables.json has a null with --no-null")
	}
}

func TestObserveMLP(t *testing.T) {
	// d = 3*20 + 2*21 = 102 > 50: the area on principal components.
	dir := filepath.Join(t.TempDir(), "run")
	if r := sgdsde(t, "sgd", "--model", "mlp", "--set", "hidden=20,n=64", "--lr", "0.1", "--batch", "8",
		"--n", "2", "--steps", "200", "--burn-in", "20", "--every", "2", "--out", dir); r.code != 0 {
		t.Fatalf("sgd: code %d, stderr %q", r.code, r.stderr)
	}
	r := sgdsde(t, "observe", dir, "--components", "4")
	if r.code != 0 {
		t.Fatalf("code %d, stderr %q", r.code, r.stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "observables.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Area struct {
			Run struct {
				Components int  `json:"components"`
				Projected  bool `json:"projected"`
			} `json:"run"`
		} `json:"area"`
		D struct {
			Run []struct {
				Rank int `json:"rank"`
			} `json:"run"`
		} `json:"d_spectrum"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if !s.Area.Run.Projected || s.Area.Run.Components != 4 || len(s.D.Run) != 3 || s.D.Run[0].Rank > 63 {
		t.Errorf("mlp: area %+v, D %+v (rank at most N - 1 = 63)", s.Area, s.D)
	}
}

func TestObserveBadInput(t *testing.T) {
	good := observeRunDir(t)
	base := t.TempDir()
	mk := func(name string, files map[string]func(string) error) string {
		d := filepath.Join(base, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for f, write := range files {
			if err := write(filepath.Join(d, f)); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	copyFrom := func(src string) func(string) error {
		return func(dst string) error {
			b, err := os.ReadFile(filepath.Join(good, src))
			if err != nil {
				return err
			}
			return os.WriteFile(dst, b, 0o644)
		}
	}
	landscape := filepath.Join(base, "landscape")
	if r := sgdsde(t, "simulate", "--n", "2", "--steps", "20", "--burn-in", "0", "--every", "2", "--out", landscape); r.code != 0 {
		t.Fatalf("simulate: %q", r.stderr)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no dir", []string{filepath.Join(base, "nope")}, "not a directory"},
		{"no summary", []string{mk("empty", nil)}, "no summary.json"},
		{"no traj", []string{mk("notraj", map[string]func(string) error{"summary.json": copyFrom("summary.json")})}, "no traj.npy"},
		{"landscape run", []string{landscape}, "finite-sum"},
		{"bad json", []string{mk("badjson", map[string]func(string) error{"summary.json": func(p string) error {
			return os.WriteFile(p, []byte("{"), 0o644)
		}})}, "JSON"},
		{"traj shape 2-D", []string{mk("shape2", map[string]func(string) error{"summary.json": copyFrom("summary.json"),
			"traj.npy": func(p string) error { return datafile.WriteNPY(p, make([]float64, 600), 200, 3) }})}, "shape"},
		{"traj wrong d", []string{mk("shaped", map[string]func(string) error{"summary.json": copyFrom("summary.json"),
			"traj.npy": func(p string) error { return datafile.WriteNPY(p, make([]float64, 800), 2, 200, 2) }})}, "shape"},
		{"traj not npy", []string{mk("notnpy", map[string]func(string) error{"summary.json": copyFrom("summary.json"),
			"traj.npy": func(p string) error { return os.WriteFile(p, []byte("hello"), 0o644) }})}, "npy"},
		{"max lag too large", []string{good, "--max-lag", "200"}, "lag"},
		{"times out of range", []string{good, "--times", "0,200"}, "--times"},
		{"times not a number", []string{good, "--times", "a"}, "--times"},
		{"no argument", nil, "one directory"},
		{"two arguments", []string{good, good}, "one directory"},
		{"negative max lag", []string{good, "--max-lag", "-1"}, "--max-lag"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before []string
			if len(c.args) > 0 {
				before = dirEntries(t, c.args[0])
			}
			r := sgdsde(t, append([]string{"observe"}, c.args...)...)
			lines := r.stderrLines()
			if r.code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "sgdsde: ") || !strings.Contains(lines[0], c.want) {
				t.Errorf("code %d, stderr %q; want exit 2 and one line containing %q", r.code, r.stderr, c.want)
			}
			if len(c.args) > 0 {
				if after := dirEntries(t, c.args[0]); !reflect.DeepEqual(before, after) {
					t.Errorf("files written: %v -> %v", before, after)
				}
			}
		})
	}
}
