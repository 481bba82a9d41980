package sweep

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// TestParseVary checks ranges, lists and the full one-line error of every
// bad spec. The range values were confirmed independently with NumPy
// (/usr/bin/python3): repr(float('%.12g' % v)) for v in
// np.linspace(0.1, 0.8, 16), np.logspace(-2, 0, 3), and round() of
// np.logspace(log10(8), log10(64), 4) and np.linspace(32, 64, 3).
func TestParseVary(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind Kind
		want []string
		err  string // the full error; "" for none
	}{
		{"temperature=0.1:0.5:5", Real, []string{"0.1", "0.2", "0.3", "0.4", "0.5"}, ""},
		{"temperature=0.1:0.8:16", Real, []string{"0.1", "0.146666666667", "0.193333333333", "0.24", "0.286666666667", "0.333333333333", "0.38", "0.426666666667", "0.473333333333", "0.52", "0.566666666667", "0.613333333333", "0.66", "0.706666666667", "0.753333333333", "0.8"}, ""},
		{"lr=0.01:1:3:log", Real, []string{"0.01", "0.1", "1"}, ""},
		{"lr=1:2:3:lin", Real, []string{"1", "1.5", "2"}, ""},
		{"batch=8:64:4:log", Integer, []string{"8", "16", "32", "64"}, ""},
		{"x=2:1:2", Real, []string{"2", "1"}, ""},
		{"x=1:1:1", Real, []string{"1"}, ""},
		{"grid=32:64:3", Integer, []string{"32", "48", "64"}, ""},
		{"d12=0,0.4, 0.8", Real, []string{"0", "0.4", "0.8"}, ""},
		{"landscape=gyrator,double-well", Text, []string{"gyrator", "double-well"}, ""},
		{"box=-3:3,-2:2;-4:4,-2:2", Text, []string{"-3:3,-2:2", "-4:4,-2:2"}, ""},
		{"temperature=0.5", Real, []string{"0.5"}, ""},
		{"temperature", Real, nil, `axis "temperature": want NAME=START:STOP:COUNT[:log] or NAME=a,b,c, e.g. temperature=0.1:0.5:5`},
		{"=1,2", Real, nil, `axis "=1,2": want NAME=START:STOP:COUNT[:log] or NAME=a,b,c, e.g. temperature=0.1:0.5:5`},
		{"t=", Real, nil, `axis "t=": want NAME=START:STOP:COUNT[:log] or NAME=a,b,c, e.g. temperature=0.1:0.5:5`},
		{"t x=1", Real, nil, `axis "t x=1": name "t x" may hold only letters, digits, '_', '-' and '.'`},
		{"t=1:2:0", Real, nil, `axis "t=1:2:0": COUNT "0" is not a whole number >= 1`},
		{"t=1:2:x", Real, nil, `axis "t=1:2:x": COUNT "x" is not a whole number >= 1`},
		{"t=1:2:2000000", Real, nil, `axis "t=1:2:2000000": COUNT 2000000 exceeds 1000000 points`},
		{"t=a:2:3", Real, nil, `axis "t=a:2:3": START "a" is not a finite number`},
		{"t=1:inf:3", Real, nil, `axis "t=1:inf:3": STOP "inf" is not a finite number`},
		{"t=0:1:3:log", Real, nil, `axis "t=0:1:3:log": a log range needs START > 0 and STOP > 0`},
		{"t=1:2:3:cubic", Real, nil, `axis "t=1:2:3:cubic": the fourth field "cubic" must be log (or lin)`},
		{"t=1:2:1", Real, nil, `axis "t=1:2:1": COUNT 1 needs START = STOP (or give a list)`},
		{"t=1,,2", Real, nil, `axis "t=1,,2": empty item in the list`},
		{"t=1,2,1", Real, nil, `axis "t=1,2,1": "1" is listed twice`},
		{"t=1,abc", Real, nil, `axis t=1,abc: "abc" is not a finite number`},
		{"n=1,2.5", Integer, nil, `axis n=1,2.5: "2.5" is not a whole number (n takes integers)`},
		// 1, 1.5, 2, 2.5, 3 round (half away from zero) to 1, 2, 2, 3, 3.
		{"n=1:3:5", Integer, nil, `axis n=1:3:5: the value 2 comes twice (n takes integers): lower COUNT or widen the range`},
		{"landscape=1:3:3", Text, nil, `axis landscape=1:3:3: landscape takes text, not numbers: give a list a,b,c`},
	} {
		v, err := ParseVary(tc.in)
		var got []string
		if err == nil {
			got, err = v.Values(tc.kind)
		}
		switch {
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("%q: error %v\nwant  %s", tc.in, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.err == "" && !reflect.DeepEqual(got, tc.want):
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
	// A leading -- is dropped from the name; Spec keeps the text after '='.
	if v, err := ParseVary("--lr= 0.1,0.2 "); err != nil || v.Name != "lr" || v.Spec != "0.1,0.2" || v.IsRange {
		t.Errorf("--lr= 0.1,0.2: %+v, %v; want the list axis lr with spec 0.1,0.2", v, err)
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
	if n := g.Len(); n != 6 {
		t.Errorf("Len = %d, want 6", n)
	}
	if names := g.Names(); !reflect.DeepEqual(names, []string{"a", "b"}) {
		t.Errorf("Names = %q, want [a b]", names)
	}
	long := make([]string, 1001)
	for i := range long {
		long[i] = strconv.Itoa(i)
	}
	for _, tc := range []struct {
		name string
		g    Grid
		want string
	}{
		{"an axis given twice", Grid{{Name: "a", Values: []string{"1"}}, {Name: "a", Values: []string{"2"}}}, "axis a is given twice: give its values in one axis"},
		{"no axes", Grid{}, "no axes: give at least one, e.g. temperature=0.1:0.5:5"},
		{"an axis without values", Grid{{Name: "a", Values: []string{"1"}}, {Name: "b"}}, "axis b has no values"},
		// 1001^2 = 1002001 points, one axis more than MaxPoints allows.
		{"too many points", Grid{{Name: "a", Values: long}, {Name: "b", Values: long}}, "the sweep has more than 1000000 points: use fewer or shorter axes"},
	} {
		if err := tc.g.Check(); err == nil || err.Error() != tc.want {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	for _, tc := range []struct {
		i, n int
		want string
	}{{3, 10, "0003"}, {0, 1, "0000"}, {9999, 10000, "9999"}, {3, 10001, "00003"}, {3, 100001, "000003"}} {
		if got := PointName(tc.i, tc.n); got != tc.want {
			t.Errorf("PointName(%d, %d) = %q, want %q", tc.i, tc.n, got, tc.want)
		}
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
		{" 0 / 1 ", 0, env(), Shard{0, 1}, ""},
		{"4/4", 0, env(), Shard{}, "shard 4 of 4: want 0 <= i < n"},
		{"1-4", 0, env(), Shard{}, `shard "1-4": want i/n (e.g. 0/4) or auto`},
		{"auto", 0, env("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_COUNT", "3"), Shard{2, 3}, ""},
		{"auto", 0, env("SLURM_ARRAY_TASK_ID", "5", "SLURM_ARRAY_TASK_MIN", "4", "SLURM_ARRAY_TASK_COUNT", "3"), Shard{1, 3}, ""},
		// A single task of an array 0..3 resubmitted alone (sbatch
		// --array=2) with the count given keeps its shard.
		{"auto", 4, env("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_MIN", "2", "SLURM_ARRAY_TASK_COUNT", "1"), Shard{2, 4}, ""},
		{"auto", 0, env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT", "3"), Shard{},
			"shard 3 of 3 (from the Slurm job array; the array must be contiguous with step 1): want 0 <= i < n"},
		{"auto", 0, env("SLURM_ARRAY_TASK_ID", "x", "SLURM_ARRAY_TASK_COUNT", "3"), Shard{}, `automatic shard: SLURM_ARRAY_TASK_ID="x" is not a whole number`},
		{"auto", 0, env("SLURM_ARRAY_TASK_ID", "1"), Shard{}, `automatic shard: SLURM_ARRAY_TASK_COUNT="" is not a whole number (run inside a Slurm job array)`},
		{"auto", 0, env("JOB_COMPLETION_INDEX", "1", "SGDSDE_SHARDS", "2"), Shard{1, 2}, ""},
		{"auto", 4, env("JOB_COMPLETION_INDEX", "3", "SGDSDE_SHARDS", "2"), Shard{3, 4}, ""},
		{"auto", 0, env("JOB_COMPLETION_INDEX", "1"), Shard{},
			"automatic shard: JOB_COMPLETION_INDEX is set but not the shard count: give the count or set SGDSDE_SHARDS to the Job's completions"},
		{"auto", 0, env("JOB_COMPLETION_INDEX", "1", "SGDSDE_SHARDS", "two"), Shard{}, `automatic shard: SGDSDE_SHARDS="two" is not a whole number`},
		{"auto", 0, env(), Shard{},
			"automatic shard: neither SLURM_ARRAY_TASK_ID (Slurm job array) nor JOB_COMPLETION_INDEX (Kubernetes Indexed Job) is set: give the shard as i/n"},
	} {
		got, err := ParseShard(tc.s, tc.count, tc.env)
		switch {
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("%q: error %v\nwant  %s", tc.s, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%q: %v, %v; want %v", tc.s, got, err, tc.want)
		}
	}
	// Round robin: shard 1 of 3 has the points 1, 4, 7, ...
	var has []int
	for i := 0; i < 10; i++ {
		if (Shard{1, 3}).Has(i) {
			has = append(has, i)
		}
	}
	if want := []int{1, 4, 7}; !reflect.DeepEqual(has, want) {
		t.Errorf("shard 1/3 holds %v of 0..9, want %v", has, want)
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
	// A list of 16 objects of 17 scalars each has 272 > MaxListScalars
	// scalars: skipped whole, while one of 16 objects of 16 scalars (256)
	// is flattened.
	obj := func(n int) string { return "{" + strings.Repeat(`"k": 1, `, n-1) + `"k": 1}` }
	list := func(n int) string { return "[" + strings.Repeat(obj(n)+",", MaxListLen-1) + obj(n) + "]" }
	got, err = Flatten([]byte(`{"a": `+list(17)+`, "b": `+list(16)+`}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 256 || got[0].Key != "b.0.k" || got[255].Key != "b.15.k" {
		t.Errorf("lists at the scalar limit: %d fields from %v to %v, want the 256 of b", len(got), got[0], got[len(got)-1])
	}
	for _, tc := range []struct{ in, want string }{
		{"[1]", "summary: not a JSON object"},
		{`"x"`, "summary: not a JSON object"},
		{"", "summary: unexpected EOF"},
	} {
		if _, err := Flatten([]byte(tc.in), nil); err == nil || err.Error() != tc.want {
			t.Errorf("Flatten(%q): error %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestVolatile(t *testing.T) {
	for key, want := range map[string]bool{
		"solve_seconds": true, "seconds": true, "steps_per_second": true, "nested.wall_seconds": true,
		"workers": true, "a.workers_requested": true, "files": true,
		"second": false, "seconds_total": false, "workers_used": false, "temperature": false, "files.0": false,
	} {
		if got := Volatile(key); got != want {
			t.Errorf("Volatile(%q) = %v, want %v", key, got, want)
		}
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
// resumes it, and checks the markers, the pruning, the whole results table
// and the refusal of a different sweep in the same directory.
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
		for name, body := range map[string]string{
			"summary.json": `{"t2": ` + p.Values[0] + `0, "elapsed_seconds": 1}`,
			"rho.npy":      "x",
		} {
			if err := os.WriteFile(filepath.Join(p.Dir, name), []byte(body), 0o644); err != nil {
				t.Errorf("point %d: %v", p.Index, err)
			}
		}
		return Outcome{Args: []string{"fake", "--x", "--t", p.Values[0]}}
	}
	// A cancelled run leaves the point in flight unfinished.
	ctx, cancel := context.WithCancel(context.Background())
	st, err := d.Run(ctx, func(ctx context.Context, p Point) Outcome {
		if p.Index == 1 {
			cancel()
		}
		return fake(ctx, p)
	}, Options{})
	if !errors.Is(err, context.Canceled) || st != (Stats{Shard: 4, Ran: 1, OK: 1}) {
		t.Fatalf("cancelled run: %+v, %v; want 1 point ran and context.Canceled", st, err)
	}
	if miss := d.Missing(All); !reflect.DeepEqual(miss, []int{1, 2, 3}) {
		t.Fatalf("missing after cancel %v", miss)
	}
	calls.Store(0)
	st, err = d.Run(context.Background(), fake, Options{Workers: 2})
	if err != nil || st != (Stats{Shard: 4, Finished: 1, Ran: 3, OK: 2, Failed: 1}) || calls.Load() != 3 {
		t.Fatalf("resume: %+v, %v, %d calls; want 3 run, 2 ok and 1 failed", st, err, calls.Load())
	}
	for i := 0; i < 4; i++ {
		ents, err := os.ReadDir(d.PointDir(i))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		want := []string{"point.json", "summary.json"} // rho.npy pruned without KeepFields
		if i == 2 {
			want = []string{"point.json"} // a failed point keeps no summary
		}
		if !reflect.DeepEqual(names, want) {
			t.Errorf("point %d holds %q, want %q", i, names, want)
		}
	}
	m, ok := d.Finished(2)
	if want := (Marker{Point: 2, Values: []string{"3"}, Status: StatusFailed, Error: "bad t", ExitCode: 2}); !ok || !reflect.DeepEqual(m, want) {
		t.Errorf("marker of point 2: %+v, %v; want %+v", m, ok, want)
	}
	m, ok = d.Finished(3)
	if want := (Marker{Point: 3, Values: []string{"4"}, Status: StatusOK, Summary: "summary.json", Args: []string{"fake", "--x", "--t", "4"}}); !ok || !reflect.DeepEqual(m, want) {
		t.Errorf("marker of point 3: %+v, %v; want %+v", m, ok, want)
	}
	header, rows, missing, err := Table([]*Dir{d})
	if err != nil || missing != nil {
		t.Fatalf("Table: %v, missing %v", err, missing)
	}
	if want := []string{"point", "t", "status", "error", "t2"}; !reflect.DeepEqual(header, want) {
		t.Errorf("header %q, want %q", header, want)
	}
	want := [][]string{
		{"0", "1", "ok", "", "10"},
		{"1", "2", "ok", "", "20"},
		{"2", "3", "failed", "bad t", ""},
		{"3", "4", "ok", "", "40"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
	if _, err := Create(dir, def); err != nil {
		t.Errorf("same definition: %v", err)
	}
	def2 := def
	def2.Args = []string{"--y"}
	_, err = Create(dir, def2)
	var me *MismatchError
	if want := dir + ` holds a different sweep: its arguments are "--x", these "--y"`; err == nil || err.Error() != want || !errors.As(err, &me) ||
		*me != (MismatchError{Dir: dir, Part: MismatchArgs, Theirs: "--x", Ours: "--y"}) {
		t.Errorf("different definition: error %v, want the *MismatchError %q", err, want)
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
		Vary: Grid{{Name: "t", Spec: "1,2,3,4,5,6", Values: []string{"1", "2", "3", "4", "5", "6"}}}, Points: 6}
	d, err := Create(dir, def)
	if err != nil {
		t.Fatal(err)
	}
	st, err := d.Run(context.Background(), func(ctx context.Context, p Point) Outcome {
		if s, ok := summaries[p.Values[0]]; ok { // point 6 writes no summary
			if err := os.WriteFile(filepath.Join(p.Dir, "summary.json"), []byte(s), 0o644); err != nil {
				t.Errorf("point %d: %v", p.Index, err)
			}
		}
		return Outcome{}
	}, Options{})
	if err != nil || st.OK != 2 || st.Failed != 4 {
		t.Fatalf("run: %+v, %v; want 2 ok and 4 failed", st, err)
	}
	const tail = " is false in summary.json: a result that did not converge is not a result"
	for i, want := range []struct{ status, err string }{
		{StatusOK, ""},
		{StatusFailed, "fake: converged" + tail},
		{StatusFailed, "fake: steady_converged" + tail},
		{StatusFailed, "fake: inner.solver_converged" + tail},
		{StatusOK, ""},
		{StatusFailed, "fake wrote no summary.json"},
	} {
		m, ok := d.Finished(i)
		if !ok || m.Status != want.status || m.Error != want.err {
			t.Errorf("point %d: %+v, want status %s and error %q", i, m, want.status, want.err)
		}
		if _, err := os.Stat(filepath.Join(d.PointDir(i), "summary.json")); (err == nil) != (want.status == StatusOK) {
			t.Errorf("point %d (%s): summary.json kept: %v", i, want.status, err == nil)
		}
	}
	if got := Unconverged(filepath.Join(dir, "no such file")); got != "" {
		t.Errorf("missing file: %q", got)
	}
}

// TestVaryEdgeCases: a name of dashes only names nothing, and a rounded
// integer axis never prints "-0".
func TestVaryEdgeCases(t *testing.T) {
	if _, err := ParseVary("--=1,2"); err == nil || err.Error() != `axis "--=1,2": name "--" names no parameter` {
		t.Errorf("--=1,2: %v", err)
	}
	v, err := ParseVary("n=-0.4:1:2")
	if err != nil {
		t.Fatal(err)
	}
	vals, err := v.Values(Integer)
	if err != nil {
		t.Fatal(err)
	}
	if len(vals) != 2 || vals[0] != "0" || vals[1] != "1" {
		t.Errorf("n=-0.4:1:2 as integers: %v, want [0 1]", vals)
	}
}
