package main

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
	"github.com/sgdsde/sgdsde/sweep"
)

// TestWordFormulaErrors checks the command line's words for the errors of
// formula models: the messages of the command line before the library's
// errors were typed, each naming the flag of its formula.
func TestWordFormulaErrors(t *testing.T) {
	for _, tc := range []struct {
		f    potentials.Formulas
		want string
	}{
		{potentials.Formulas{Dim: 2}, "formula model: give a loss (--loss) or a drift (--drift)"},
		{potentials.Formulas{Dim: 2, Loss: "  "}, "formula model: give a loss (--loss) or a drift (--drift)"},
		{potentials.Formulas{Dim: 2, Loss: "x^2 + (y"}, `--loss: column 9: missing ")" for "(" at column 7`},
		{potentials.Formulas{Dim: 2, Loss: "x^2 + y)"}, `--loss: column 8: unexpected ")"`},
		{potentials.Formulas{Dim: 2, Loss: "x*k"}, `--loss: column 3: missing parameter "k" (give it with --set k=VALUE)`},
		{potentials.Formulas{Dim: 1, Loss: "x^2 + y"}, `--loss: column 7: missing parameter "y" (give it with --set y=VALUE)`},
		{potentials.Formulas{Dim: 2, Drift: "-x; -b*y"}, `--drift: column 6: missing parameter "b" (give it with --set b=VALUE)`},
		{potentials.Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0; 0, c"}, `--diffusion: column 10: missing parameter "c" (give it with --set c=VALUE)`},
		{potentials.Formulas{Dim: 2, Drift: "-x"}, `--drift: 1 components separated by ";", want 2 ("B1; B2")`},
		{potentials.Formulas{Dim: 2, Drift: "-x; -y; 0"}, `--drift: 3 components separated by ";", want 2 ("B1; B2")`},
		{potentials.Formulas{Dim: 1, Drift: "-x; -y"}, `--drift: 2 components separated by ";", want 1 ("B1")`},
		{potentials.Formulas{Dim: 2, Drift: "-x; -foo(y)"}, `--drift: column 6: unknown function "foo"`},
		{potentials.Formulas{Dim: 2, Drift: "-x;"}, `--drift: column 4: empty formula`},
		{potentials.Formulas{Dim: 2, Drift: "-x, -y"}, `--drift: 1 components separated by ";", want 2 ("B1; B2"); separate components with ";", not ","`},
		{potentials.Formulas{Dim: 2, Drift: "-x, -y; 1"}, `--drift: column 3: unexpected ","`},
		{potentials.Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0; 0"}, `--diffusion: 3 entries in 2 rows, want "EXPR" or "D11, D12; D21, D22"`},
		{potentials.Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0, 0, 1"}, `--diffusion: 4 entries in 1 rows, want "EXPR" or "D11, D12; D21, D22"`},
		{potentials.Formulas{Dim: 1, Loss: "x", Diffusion: "1, 0; 0, 1"}, `--diffusion: 4 entries in 2 rows, want "D11"`},
		{potentials.Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0; 0, 1 +* y"}, `--diffusion: column 13: unexpected "*"`},
		{potentials.Formulas{Dim: 2, Loss: "x", Diffusion: "1, 0; 0, é"}, `--diffusion: column 10: unexpected character "é"`},
		{potentials.Formulas{Dim: 2, Loss: "x^2 + y^2", Diffusion: "1, 0.5; 0, 1"}, "--diffusion: D must be symmetric, but D12 = 0.5 and D21 = 0 differ at (x, y) = (-4, -4): 0.5 and 0"},
		{potentials.Formulas{Dim: 2, Loss: "x", Params: map[string]float64{"k": 1}}, `unknown parameter "k": no formula uses it`},
	} {
		_, err := potentials.FromFormulas(tc.f)
		if err == nil {
			t.Errorf("%+v: no error", tc.f)
			continue
		}
		// As FromFormulas returns it, and as experiment.ModelSpec.Build
		// wraps it.
		for _, e := range []error{err, &experiment.ModelError{Err: err}} {
			got := wordError(e)
			if got.Error() != tc.want {
				t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
			}
			if !errors.Is(got, err) {
				t.Errorf("%+v: the worded error does not wrap the library's", tc.f)
			}
		}
	}
}

// TestWordDivergedError checks the command line's words for a run in
// which everything diverged, alone and wrapped with context.
func TestWordDivergedError(t *testing.T) {
	traj := &sde.DivergedError{Runs: "trajectories", N: 10, Bound: 0.5}
	chains := &sde.DivergedError{Runs: "chains", N: 3, Bound: 1e8}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{traj, "all 10 trajectories diverged (left the bound 0.5 or became non-finite): try a smaller --dt"},
		{chains, "all 3 chains diverged (left the bound 1e+08 or became non-finite): try a smaller --lr"},
		{fmt.Errorf("gyrator at T = 0.5: %w", traj), "gyrator at T = 0.5: all 10 trajectories diverged (left the bound 0.5 or became non-finite): try a smaller --dt"},
	} {
		if got := wordError(tc.err).Error(); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
	if err := errors.New("other"); wordError(err) != err || wordError(nil) != nil {
		t.Error("wordError changed an error it does not word")
	}
}

// TestWordSweepErrors checks the command line's words for the errors of
// --vary, --shard and a sweep directory that holds another sweep: the
// messages of the command line before the library's errors were typed.
func TestWordSweepErrors(t *testing.T) {
	check := func(what string, err error, want string) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error, want %q", what, want)
			return
		}
		if got := wordError(err); got.Error() != want || !errors.Is(got, err) {
			t.Errorf("%s: %q, want %q", what, got, want)
		}
	}
	for _, tc := range []struct {
		in   string
		kind sweep.Kind
		want string
	}{
		{"temperature", sweep.Real, `--vary "temperature": want NAME=START:STOP:COUNT[:log] or NAME=a,b,c, e.g. --vary temperature=0.1:0.5:5`},
		{"=1,2", sweep.Real, `--vary "=1,2": want NAME=START:STOP:COUNT[:log] or NAME=a,b,c, e.g. --vary temperature=0.1:0.5:5`},
		{"t x=1", sweep.Real, `--vary "t x=1": name "t x" may hold only letters, digits, '_', '-' and '.'`},
		{"--=1,2", sweep.Real, `--vary "--=1,2": name "--" names no parameter`},
		{"t=1:2:0", sweep.Real, `--vary "t=1:2:0": COUNT "0" is not a whole number >= 1`},
		{"t=1:2:2000000", sweep.Real, `--vary "t=1:2:2000000": COUNT 2000000 exceeds 1000000 points`},
		{"t=a:2:3", sweep.Real, `--vary "t=a:2:3": START "a" is not a finite number`},
		{"t=1:inf:3", sweep.Real, `--vary "t=1:inf:3": STOP "inf" is not a finite number`},
		{"t=0:1:3:log", sweep.Real, `--vary "t=0:1:3:log": a log range needs START > 0 and STOP > 0`},
		{"t=1:2:3:cubic", sweep.Real, `--vary "t=1:2:3:cubic": the fourth field "cubic" must be log (or lin)`},
		{"t=1:2:1", sweep.Real, `--vary "t=1:2:1": COUNT 1 needs START = STOP (or give a list)`},
		{"t=1,,2", sweep.Real, `--vary "t=1,,2": empty item in the list`},
		{"t=1,2,1", sweep.Real, `--vary "t=1,2,1": "1" is listed twice`},
		{"t=1,abc", sweep.Real, `--vary t=1,abc: "abc" is not a finite number`},
		{"n=1,2.5", sweep.Integer, `--vary n=1,2.5: "2.5" is not a whole number (n takes integers)`},
		{"n=1:3:5", sweep.Integer, `--vary n=1:3:5: the value 2 comes twice (n takes integers): lower COUNT or widen the range`},
		{"landscape=1:3:3", sweep.Text, `--vary landscape=1:3:3: landscape takes text, not numbers: give a list a,b,c`},
	} {
		v, err := sweep.ParseVary(tc.in)
		if err == nil {
			_, err = v.Values(tc.kind)
		}
		check(tc.in, err, tc.want)
	}
	long := make([]string, 1001)
	for i := range long {
		long[i] = strconv.Itoa(i)
	}
	for _, tc := range []struct {
		g    sweep.Grid
		want string
	}{
		{sweep.Grid{{Name: "a", Values: []string{"1"}}, {Name: "a", Values: []string{"2"}}}, "--vary a is given twice: give its values in one --vary"},
		{sweep.Grid{}, "no --vary: give at least one, e.g. --vary temperature=0.1:0.5:5"},
		{sweep.Grid{{Name: "a", Values: []string{"1"}}, {Name: "b"}}, "--vary b has no values"},
		{sweep.Grid{{Name: "a", Values: long}, {Name: "b", Values: long}}, "the sweep has more than 1000000 points: use fewer or shorter --vary"},
	} {
		check(fmt.Sprint(tc.g.Names()), tc.g.Check(), tc.want)
	}

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
		want  string
	}{
		{"4/4", 0, env(), "--shard 4/4: shard 4 of 4: want 0 <= i < n"},
		{"1-4", 0, env(), `--shard "1-4": want i/n (e.g. 0/4) or auto`},
		{"auto", 0, env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT", "3"),
			"--shard auto (Slurm job array; the array must be contiguous with step 1): shard 3 of 3: want 0 <= i < n"},
		{"auto", 0, env("SLURM_ARRAY_TASK_ID", "x", "SLURM_ARRAY_TASK_COUNT", "3"), `--shard auto: SLURM_ARRAY_TASK_ID="x" is not a whole number`},
		{"auto", 0, env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_MIN", "y"), `--shard auto: SLURM_ARRAY_TASK_MIN="y" is not a whole number`},
		{"auto", 0, env("SLURM_ARRAY_TASK_ID", "1"), `--shard auto: SLURM_ARRAY_TASK_COUNT="" is not a whole number (run inside sbatch --array)`},
		{"auto", 0, env("JOB_COMPLETION_INDEX", "z"), `--shard auto: JOB_COMPLETION_INDEX="z" is not a whole number`},
		{"auto", 0, env("JOB_COMPLETION_INDEX", "1"),
			"--shard auto: JOB_COMPLETION_INDEX is set but not the shard count: give --shards N or set SGDSDE_SHARDS to the Job's completions"},
		{"auto", 0, env("JOB_COMPLETION_INDEX", "1", "SGDSDE_SHARDS", "two"), `--shard auto: SGDSDE_SHARDS="two" is not a whole number`},
		{"auto", 3, env("JOB_COMPLETION_INDEX", "5"), "--shard auto (Kubernetes Indexed Job): shard 5 of 3: want 0 <= i < n"},
		{"auto", 0, env(),
			"--shard auto: neither SLURM_ARRAY_TASK_ID (Slurm job array) nor JOB_COMPLETION_INDEX (Kubernetes Indexed Job) is set: give --shard i/n"},
	} {
		_, err := sweep.ParseShard(tc.s, tc.count, tc.env)
		check(tc.s, err, tc.want)
	}

	def := sweep.Definition{Command: "steady", Args: []string{"--grid", "16"}, Vary: sweep.Grid{{Name: "temperature", Spec: "0.5", Values: []string{"0.5"}}}, Summary: "summary.json", Points: 1}
	axes := def
	axes.Vary = sweep.Grid{{Name: "temperature", Spec: "0.6", Values: []string{"0.6"}}}
	args := def
	args.Args = []string{"--grid", "24"}
	dir := t.TempDir()
	if _, err := sweep.Create(dir, def); err != nil {
		t.Fatal(err)
	}
	_, err := sweep.Create(dir, axes)
	check("axes", err, dir+" holds a different sweep: its --vary axes are temperature=0.5, these temperature=0.6")
	_, err = sweep.Create(dir, args)
	check("arguments", err, dir+` holds a different sweep: its arguments are "--grid 16", these "--grid 24"`)
	err = sweep.CheckSame([]*sweep.Dir{{Path: "a", Def: def}, {Path: "b", Def: axes}})
	check("merge", err, "b holds a different sweep from a: its --vary axes are temperature=0.5, these temperature=0.6")
}
