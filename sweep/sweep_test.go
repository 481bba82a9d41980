package sweep

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
)

func TestParseVary(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind Kind
		want []string
		err  string // substring of the error; "" for none
	}{
		{"temperature=0.1:0.5:5", Real, []string{"0.1", "0.2", "0.3", "0.4", "0.5"}, ""},
		{"temperature=0.1:0.8:16", Real, []string{"0.1", "0.146666666667", "0.193333333333", "0.24", "0.286666666667", "0.333333333333", "0.38", "0.426666666667", "0.473333333333", "0.52", "0.566666666667", "0.613333333333", "0.66", "0.706666666667", "0.753333333333", "0.8"}, ""},
		{"lr=0.01:1:3:log", Real, []string{"0.01", "0.1", "1"}, ""},
		{"batch=8:64:4:log", Integer, []string{"8", "16", "32", "64"}, ""},
		{"x=2:1:2", Real, []string{"2", "1"}, ""},
		{"x=1:1:1", Real, []string{"1"}, ""},
		{"grid=32:64:3", Integer, []string{"32", "48", "64"}, ""},
		{"d12=0,0.4, 0.8", Real, []string{"0", "0.4", "0.8"}, ""},
		{"landscape=gyrator,double-well", Text, []string{"gyrator", "double-well"}, ""},
		{"box=-3:3,-2:2;-4:4,-2:2", Text, []string{"-3:3,-2:2", "-4:4,-2:2"}, ""},
		{"temperature=0.5", Real, []string{"0.5"}, ""},
		{"temperature", Real, nil, "want NAME=START:STOP:COUNT"},
		{"=1,2", Real, nil, "want NAME="},
		{"t=", Real, nil, "want NAME="},
		{"t x=1", Real, nil, "may hold only"},
		{"t=1:2:0", Real, nil, "COUNT"},
		{"t=1:2:x", Real, nil, "COUNT"},
		{"t=a:2:3", Real, nil, "START"},
		{"t=1:inf:3", Real, nil, "STOP"},
		{"t=0:1:3:log", Real, nil, "START > 0"},
		{"t=1:2:3:cubic", Real, nil, "log"},
		{"t=1:2:1", Real, nil, "COUNT 1"},
		{"t=1,,2", Real, nil, "empty item"},
		{"t=1,2,1", Real, nil, "twice"},
		{"t=1,abc", Real, nil, "not a finite number"},
		{"n=1,2.5", Integer, nil, "not a whole number"},
		{"n=1:3:5", Integer, nil, "comes twice"},
		{"landscape=1:3:3", Text, nil, "takes text"},
	} {
		v, err := ParseVary(tc.in)
		var got []string
		if err == nil {
			got, err = v.Values(tc.kind)
		}
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one with %q", tc.in, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.err == "" && !reflect.DeepEqual(got, tc.want):
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestGridOrder(t *testing.T) {
	g := Grid{{Name: "a", Values: []string{"1", "2"}}, {Name: "b", Values: []string{"x", "y", "z"}}}
	if err := g.Check(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := 0; i < g.Len(); i++ {
		got = append(got, strings.Join(g.Point(i), ""))
	}
	if want := []string{"1x", "1y", "1z", "2x", "2y", "2z"}; !reflect.DeepEqual(got, want) {
		t.Errorf("order %q, want %q (first axis slowest)", got, want)
	}
	if err := (Grid{{Name: "a", Values: []string{"1"}}, {Name: "a", Values: []string{"2"}}}).Check(); err == nil {
		t.Error("an axis given twice: no error")
	}
	if err := (Grid{}).Check(); err == nil {
		t.Error("no axes: no error")
	}
	if PointName(3, 10) != "0003" || PointName(3, 100001) != "000003" {
		t.Errorf("PointName: %s %s", PointName(3, 10), PointName(3, 100001))
	}
}

func TestParseShard(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		s     string
		count int
		env   func(string) string
		want  Shard
		err   string
	}{
		{"", 0, env(), All, ""},
		{"1/4", 0, env(), Shard{1, 4}, ""},
		{"4/4", 0, env(), Shard{}, "0 <= i < n"},
		{"1-4", 0, env(), Shard{}, "want i/n"},
		{"auto", 0, env("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_COUNT", "3"), Shard{2, 3}, ""},
		{"auto", 0, env("SLURM_ARRAY_TASK_ID", "5", "SLURM_ARRAY_TASK_MIN", "4", "SLURM_ARRAY_TASK_COUNT", "3"), Shard{1, 3}, ""},
		{"auto", 0, env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT", "3"), Shard{}, "contiguous"},
		{"auto", 0, env("JOB_COMPLETION_INDEX", "1", "SGDSDE_SHARDS", "2"), Shard{1, 2}, ""},
		{"auto", 4, env("JOB_COMPLETION_INDEX", "3", "SGDSDE_SHARDS", "2"), Shard{3, 4}, ""},
		{"auto", 0, env("JOB_COMPLETION_INDEX", "1"), Shard{}, "--shards"},
		{"auto", 0, env(), Shard{}, "neither"},
	} {
		got, err := ParseShard(tc.s, tc.count, tc.env)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one with %q", tc.s, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%q: %v, %v; want %v", tc.s, got, err, tc.want)
		}
	}
}

func TestFlatten(t *testing.T) {
	long := "[" + strings.Repeat("1,", MaxListLen) + "1]"
	js := `{"command": "steady", "params": {"b": 2, "a": 1.50}, "grid": [64, 32], "ok": true, "none": null,
		"solve_seconds": 0.1, "files": ["a"], "minima": [{"x": [1, 0], "value": 0}], "mean": ` + long + `,
		"workers": 8, "nested": {"steps_per_second": 5, "v": "x,y"}}`
	got, err := Flatten([]byte(js), Volatile)
	if err != nil {
		t.Fatal(err)
	}
	want := []Field{{"command", "steady"}, {"params.b", "2"}, {"params.a", "1.50"}, {"grid.0", "64"}, {"grid.1", "32"},
		{"ok", "true"}, {"none", ""}, {"minima.0.x.0", "1"}, {"minima.0.x.1", "0"}, {"minima.0.value", "0"}, {"nested.v", "x,y"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Flatten:\n got %v\nwant %v", got, want)
	}
	if _, err := Flatten([]byte("[1]"), nil); err == nil {
		t.Error("a list: no error")
	}
}

func TestMergeKeys(t *testing.T) {
	var order []string
	index := map[string]int{}
	order = mergeKeys(order, index, []string{"a", "m.0.x", "z"})
	order = mergeKeys(order, index, []string{"a", "m.0.x", "m.1.x", "z", "w"})
	order = mergeKeys(order, index, []string{"first", "a"})
	if want := []string{"first", "a", "m.0.x", "m.1.x", "z", "w"}; !reflect.DeepEqual(order, want) {
		t.Errorf("order %q, want %q", order, want)
	}
}

// TestRunResumeAndMismatch runs a sweep of a fake command, interrupts it,
// resumes it, and checks the markers, the pruning and results.csv.
func TestRunResumeAndMismatch(t *testing.T) {
	dir := t.TempDir()
	def := Definition{Command: "fake", Args: []string{"--x"}, Summary: "summary.json",
		Vary: Grid{{Name: "t", Spec: "1,2,3,4", Values: []string{"1", "2", "3", "4"}}}, Points: 4}
	d, err := Create(dir, def)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	fake := func(ctx context.Context, p Point) Outcome {
		calls.Add(1)
		if p.Values[0] == "3" {
			return Outcome{Err: "bad t", ExitCode: 2}
		}
		os.WriteFile(filepath.Join(p.Dir, "summary.json"), []byte(`{"t2": `+p.Values[0]+`0, "elapsed_seconds": 1}`), 0o644)
		os.WriteFile(filepath.Join(p.Dir, "rho.npy"), []byte("x"), 0o644)
		return Outcome{}
	}
	// A cancelled run leaves the point in flight unfinished.
	ctx, cancel := context.WithCancel(context.Background())
	st, err := d.Run(ctx, func(ctx context.Context, p Point) Outcome {
		if p.Index == 1 {
			cancel()
		}
		return fake(ctx, p)
	}, Options{})
	if err == nil || st.Ran != 1 {
		t.Fatalf("cancelled run: %+v, %v", st, err)
	}
	if miss := d.Missing(All); !reflect.DeepEqual(miss, []int{1, 2, 3}) {
		t.Fatalf("missing after cancel %v", miss)
	}
	calls.Store(0)
	st, err = d.Run(context.Background(), fake, Options{Workers: 2})
	if err != nil || st.Finished != 1 || st.Ran != 3 || st.Failed != 1 || calls.Load() != 3 {
		t.Fatalf("resume: %+v, %v, %d calls", st, err, calls.Load())
	}
	if _, err := os.Stat(filepath.Join(d.PointDir(0), "rho.npy")); err == nil {
		t.Error("rho.npy kept without KeepFields")
	}
	header, rows, missing, err := Table([]*Dir{d})
	if err != nil || missing != nil {
		t.Fatal(err, missing)
	}
	if want := []string{"point", "t", "status", "error", "t2"}; !reflect.DeepEqual(header, want) {
		t.Errorf("header %q, want %q", header, want)
	}
	if want := []string{"2", "3", "failed", "bad t", ""}; !reflect.DeepEqual(rows[2], want) {
		t.Errorf("row 2 %q, want %q", rows[2], want)
	}
	if _, err := Create(dir, def); err != nil {
		t.Errorf("same definition: %v", err)
	}
	def2 := def
	def2.Args = []string{"--y"}
	if _, err := Create(dir, def2); err == nil || !strings.Contains(err.Error(), "different sweep") {
		t.Errorf("different definition: %v", err)
	}
}

// TestRunUnconverged: a point whose command exits 0 but whose summary says
// that its result did not converge is recorded as failed with that line,
// never as ok; converged summaries are ok.
func TestRunUnconverged(t *testing.T) {
	summaries := map[string]string{
		"1": `{"converged": true, "relative_residual": 1e-12}`,
		"2": `{"converged": false, "relative_residual": 3.5}`,
		"3": `{"steady_converged": false}`,
		"4": `{"inner": {"solver_converged": false}}`,
		"5": `{"converged": true, "orbits": [{"class": "closed"}]}`,
	}
	dir := t.TempDir()
	def := Definition{Command: "fake", Summary: "summary.json",
		Vary: Grid{{Name: "t", Spec: "1,2,3,4,5", Values: []string{"1", "2", "3", "4", "5"}}}, Points: 5}
	d, err := Create(dir, def)
	if err != nil {
		t.Fatal(err)
	}
	st, err := d.Run(context.Background(), func(ctx context.Context, p Point) Outcome {
		os.WriteFile(filepath.Join(p.Dir, "summary.json"), []byte(summaries[p.Values[0]]), 0o644)
		return Outcome{}
	}, Options{})
	if err != nil || st.OK != 2 || st.Failed != 3 {
		t.Fatalf("run: %+v, %v; want 2 ok and 3 failed", st, err)
	}
	for i, want := range []struct{ status, key string }{
		{StatusOK, ""}, {StatusFailed, "converged"}, {StatusFailed, "steady_converged"}, {StatusFailed, "inner.solver_converged"}, {StatusOK, ""},
	} {
		m, ok := d.Finished(i)
		if !ok || m.Status != want.status || (want.key != "" && !strings.Contains(m.Error, "fake: "+want.key+" is false in summary.json")) {
			t.Errorf("point %d: %+v, want status %s naming %q", i, m, want.status, want.key)
		}
		if _, err := os.Stat(filepath.Join(d.PointDir(i), "summary.json")); (err == nil) != (want.status == StatusOK) {
			t.Errorf("point %d (%s): summary.json kept: %v", i, want.status, err == nil)
		}
	}
	if got := Unconverged(filepath.Join(dir, "no such file")); got != "" {
		t.Errorf("missing file: %q", got)
	}
}
