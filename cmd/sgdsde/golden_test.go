package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden.json from the current outputs")

// goldenRuns is the fixed set of runs whose output files must keep their
// bytes (apart from timing fields) across refactorings: every command, small
// enough to run in a few seconds together. Runs later in the list may read
// the output of earlier ones ("@name" is replaced by that run's directory).
var goldenRuns = []struct {
	name string
	args []string
}{
	{"simulate", []string{"simulate", "--landscape", "gyrator", "--n", "200", "--steps", "200", "--burn-in", "100", "--record", "3", "--every", "20", "--plot"}},
	{"simulate-formula", []string{"simulate", "--loss", "(x^2-1)^2/4 + k*y^2/2", "--set", "k=2", "--diffusion", "1+0.5*x^2, 0.3; 0.3, 1+0.5*y^2", "--temperature", "0.5", "--n", "100", "--steps", "100", "--burn-in", "50"}},
	{"simulate-lr", []string{"simulate", "--landscape", "double-well", "--set", "s=1", "--lr", "0.1", "--batch", "10", "--n", "100", "--steps", "100", "--burn-in", "50"}},
	{"steady", []string{"steady", "--landscape", "gyrator", "--grid", "64", "--plot"}},
	{"steady-T", []string{"steady", "--temperature", "0.1,0.2,0.4", "--grid", "48"}},
	{"steady-1d", []string{"steady", "--loss", "(x^2-1)^2/4", "--dim", "1", "--diffusion", "1 + 0.5*sin(2*x)", "--grid", "200"}},
	{"evolve", []string{"evolve", "--landscape", "double-well", "--grid", "48", "--steps", "20", "--plot"}},
	{"cycles", []string{"cycles", "--landscape", "gyrator", "--grid", "64", "--plot"}},
	{"compare", []string{"compare", "--grid", "48", "--n", "500", "--dt", "4e-3", "--burn-in", "500", "--steps", "50", "--plot"}},
	{"sgd", []string{"sgd", "--model", "linreg", "--n", "8", "--steps", "200", "--burn-in", "50", "--record", "2", "--every", "2", "--plot"}},
	{"simulate-model", []string{"simulate", "--model", "linreg", "--lr", "0.1", "--batch", "10", "--n", "8", "--steps", "200", "--burn-in", "50", "--record", "2", "--every", "2"}},
	{"simulate-null", []string{"simulate", "--model", "linreg", "--lr", "0.1", "--batch", "10", "--noise", "isotropic", "--n", "8", "--steps", "200", "--burn-in", "50"}},
	{"observe", []string{"observe", "@sgd", "--grad-times", "5", "--max-lag", "10", "--plot"}},
	{"sweep", []string{"sweep", "steady", "--vary", "temperature=0.2:0.4:2", "--vary", "d12=0,0.5", "--landscape", "gyrator", "--grid", "32", "--workers", "2", "--plot"}},
	{"demo", []string{"demo", "--quick", "--dpi", "40"}},
}

// timingKeys are the JSON keys whose values are wall-clock measurements.
var timingKeys = map[string]bool{
	"assemble_seconds": true, "elapsed_seconds": true, "ensemble_seconds": true, "grid_seconds": true,
	"seconds": true, "solve_seconds": true, "steady_solve_seconds": true, "steps_per_second": true,
}

// dropTimings removes the timing keys from decoded JSON.
func dropTimings(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if timingKeys[k] {
				delete(x, k)
				continue
			}
			x[k] = dropTimings(e)
		}
	case []any:
		for i, e := range x {
			x[i] = dropTimings(e)
		}
	}
	return v
}

// timingText matches the run times that the gallery's page states
// ("computed and drawn in 0.1 s", "... in 1.7 s.").
var timingText = regexp.MustCompile(` in [0-9.]+ s\b`)

// fileDigest is the SHA-256 of a file's bytes, or for JSON of its content
// without timing fields (re-encoded with sorted keys). In text files the
// temporary directory root of the runs is replaced by "ROOT".
func fileDigest(t *testing.T, path, root string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch filepath.Ext(path) {
	case ".json", ".csv", ".html", ".txt":
		b = bytes.ReplaceAll(b, []byte(root), []byte("ROOT"))
	}
	if strings.HasSuffix(path, ".json") {
		var v any
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if b, err = json.Marshal(dropTimings(v)); err != nil {
			t.Fatal(err)
		}
	}
	if strings.HasSuffix(path, ".html") {
		// The gallery's page states how long the run took.
		b = timingText.ReplaceAll(b, []byte("TIME"))
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestGoldenOutputs runs goldenRuns and compares the digest of every file
// they write with testdata/golden.json, recorded before the library-first
// restructuring: the commands' outputs must not change. -update-golden
// rewrites the record.
func TestGoldenOutputs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every command")
	}
	root := t.TempDir()
	dirs := map[string]string{}
	got := map[string]map[string]string{}
	for _, r := range goldenRuns {
		dir := filepath.Join(root, r.name)
		args := make([]string, 0, len(r.args)+2)
		for _, a := range r.args {
			if strings.HasPrefix(a, "@") {
				a = dirs[a[1:]]
			}
			args = append(args, a)
		}
		args = append(args, "--out", dir)
		res := sgdsde(t, args...)
		if res.code != 0 {
			t.Fatalf("%s: exit %d: %s", r.name, res.code, res.stderr)
		}
		dirs[r.name] = dir
	}
	for _, r := range goldenRuns {
		dir := dirs[r.name]
		files := map[string]string{}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			// observe writes into the directory of its run; those files
			// belong to the earlier run's record.
			files[filepath.ToSlash(rel)] = fileDigest(t, p, root)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got[r.name] = files
	}
	path := filepath.Join("testdata", "golden.json")
	if *updateGolden {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]map[string]string
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	// The gallery's Fashion-MNIST page reads Debian's dataset-fashion-mnist
	// (.ci/run installs it); without it the page is a skip line and the
	// demo's record cannot match.
	_, dataErr := os.Stat(filepath.Join(potentials.DefaultFashionMNISTDir, "train-labels-idx1-ubyte.gz"))
	for _, r := range goldenRuns {
		if r.name == "demo" && dataErr != nil {
			t.Logf("demo not compared: %v (apt-get install dataset-fashion-mnist)", dataErr)
			continue
		}
		w, g := want[r.name], got[r.name]
		names := map[string]bool{}
		for n := range w {
			names[n] = true
		}
		for n := range g {
			names[n] = true
		}
		sorted := make([]string, 0, len(names))
		for n := range names {
			sorted = append(sorted, n)
		}
		sort.Strings(sorted)
		for _, n := range sorted {
			switch {
			case w[n] == "":
				t.Errorf("%s: new file %s", r.name, n)
			case g[n] == "":
				t.Errorf("%s: file %s no longer written", r.name, n)
			case w[n] != g[n]:
				t.Errorf("%s: %s changed", r.name, n)
			}
		}
	}
}
