package sweep

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestVaryError checks that the errors of ParseVary, Vary.Values and
// Grid.Check are *VaryError values that errors.As finds, that their
// fields carry the data, and that their text names no command-line flag.
func TestVaryError(t *testing.T) {
	long := make([]string, 1001)
	for i := range long {
		long[i] = strconv.Itoa(i)
	}
	values := func(in string, k Kind) func() error {
		return func() error {
			v, err := ParseVary(in)
			if err == nil {
				_, err = v.Values(k)
			}
			return err
		}
	}
	for _, tc := range []struct {
		name string
		run  func() error
		want VaryError
	}{
		{"form", values("temperature", Real), VaryError{Issue: VaryForm, Arg: "temperature"}},
		{"name characters", values("t x=1", Real), VaryError{Issue: VaryNameChars, Arg: "t x=1", Value: "t x"}},
		{"name of dashes", values("--=1", Real), VaryError{Issue: VaryNameEmpty, Arg: "--=1", Value: "--"}},
		{"empty item", values("t=1,,2", Real), VaryError{Issue: VaryEmptyItem, Arg: "t=1,,2"}},
		{"repeated item", values("t=1,2,1", Real), VaryError{Issue: VaryRepeatedItem, Arg: "t=1,2,1", Value: "1"}},
		{"start", values("t=a:2:3", Real), VaryError{Issue: VaryRangeNumber, Arg: "t=a:2:3", Field: "START", Value: "a"}},
		{"stop", values("t=1:inf:3", Real), VaryError{Issue: VaryRangeNumber, Arg: "t=1:inf:3", Field: "STOP", Value: "inf"}},
		{"count", values("t=1:2:0", Real), VaryError{Issue: VaryCount, Arg: "t=1:2:0", Value: "0"}},
		{"count max", values("t=1:2:2000000", Real), VaryError{Issue: VaryCountMax, Arg: "t=1:2:2000000", Count: 2000000, Max: MaxPoints}},
		{"scale", values("t=1:2:3:cubic", Real), VaryError{Issue: VaryScale, Arg: "t=1:2:3:cubic", Value: "cubic"}},
		{"log sign", values("t=0:1:3:log", Real), VaryError{Issue: VaryLogSign, Arg: "t=0:1:3:log"}},
		{"count one", values("t=1:2:1", Real), VaryError{Issue: VaryCountOne, Arg: "t=1:2:1"}},
		{"item number", values("t=1,abc", Real), VaryError{Issue: VaryItemNumber, Name: "t", Spec: "1,abc", Value: "abc"}},
		{"item integer", values("n=1,2.5", Integer), VaryError{Issue: VaryItemInteger, Name: "n", Spec: "1,2.5", Value: "2.5"}},
		{"text range", values("landscape=1:3:3", Text), VaryError{Issue: VaryTextRange, Name: "landscape", Spec: "1:3:3"}},
		{"repeated value", values("n=1:3:5", Integer), VaryError{Issue: VaryRepeatedValue, Name: "n", Spec: "1:3:5", Value: "2"}},
		{"no axes", Grid{}.Check, VaryError{Issue: VaryNone}},
		{"twice", Grid{{Name: "a", Values: []string{"1"}}, {Name: "a", Values: []string{"2"}}}.Check, VaryError{Issue: VaryTwice, Name: "a"}},
		{"no values", Grid{{Name: "b"}}.Check, VaryError{Issue: VaryNoValues, Name: "b"}},
		{"too many", Grid{{Name: "a", Values: long}, {Name: "b", Values: long}}.Check, VaryError{Issue: VaryTooMany, Max: MaxPoints}},
	} {
		err := tc.run()
		var ve *VaryError
		if !errors.As(err, &ve) {
			t.Errorf("%s: error %v (%T), want a *VaryError", tc.name, err, err)
			continue
		}
		if *ve != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, *ve, tc.want)
		}
		if s := err.Error(); strings.Contains(s, "--vary") || strings.Contains(s, "invalid axis") {
			t.Errorf("%s: error %q names a flag or has no words", tc.name, s)
		}
	}
}

// TestShardError checks that the errors of ParseShard are *ShardError
// values with their data and that their text names no command-line flag.
func TestShardError(t *testing.T) {
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
		want  ShardError
	}{
		{"1-4", 0, env(), ShardError{Issue: ShardForm, Spec: "1-4"}},
		{" 2/2 ", 0, env(), ShardError{Issue: ShardRange, Spec: "2/2", Source: ShardGiven, Index: 2, Count: 2}},
		{"-1/2", 0, env(), ShardError{Issue: ShardRange, Spec: "-1/2", Source: ShardGiven, Index: -1, Count: 2}},
		{"auto", 0, env(EnvSlurmID, "3", EnvSlurmCount, "3"), ShardError{Issue: ShardRange, Spec: "auto", Source: ShardSlurm, Index: 3, Count: 3}},
		{"auto", 0, env(EnvSlurmID, "x"), ShardError{Issue: ShardEnvNumber, Spec: "auto", Var: EnvSlurmID, Value: "x"}},
		{"auto", 0, env(EnvSlurmID, "1", EnvSlurmMin, "y"), ShardError{Issue: ShardEnvNumber, Spec: "auto", Var: EnvSlurmMin, Value: "y"}},
		{"auto", 0, env(EnvSlurmID, "1"), ShardError{Issue: ShardEnvNumber, Spec: "auto", Var: EnvSlurmCount, Value: ""}},
		{"auto", 0, env(EnvK8sIndex, "z"), ShardError{Issue: ShardEnvNumber, Spec: "auto", Var: EnvK8sIndex, Value: "z"}},
		{"auto", 0, env(EnvK8sIndex, "1"), ShardError{Issue: ShardNoCount, Spec: "auto"}},
		{"auto", 0, env(EnvK8sIndex, "1", EnvShards, "two"), ShardError{Issue: ShardEnvNumber, Spec: "auto", Var: EnvShards, Value: "two"}},
		{"auto", 3, env(EnvK8sIndex, "5"), ShardError{Issue: ShardRange, Spec: "auto", Source: ShardKubernetes, Index: 5, Count: 3}},
		{"auto", 0, env(), ShardError{Issue: ShardNoEnv, Spec: "auto"}},
	} {
		_, err := ParseShard(tc.s, tc.count, tc.env)
		var se *ShardError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v (%T), want a *ShardError", tc.s, err, err)
			continue
		}
		if *se != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.s, *se, tc.want)
		}
		if s := err.Error(); strings.Contains(s, "--") || strings.Contains(s, "invalid shard") {
			t.Errorf("%q: error %q names a flag or has no words", tc.s, s)
		}
	}
}

// TestMismatchError checks the parts in which two sweeps differ, and that
// the text names no command-line flag.
func TestMismatchError(t *testing.T) {
	def := Definition{Command: "steady", Args: []string{"--grid", "16"}, Vary: Grid{{Name: "temperature", Spec: "0.5", Values: []string{"0.5"}}}, Summary: "summary.json", Points: 1}
	other := func(f func(*Definition)) Definition {
		d := def
		f(&d)
		return d
	}
	for _, tc := range []struct {
		name  string
		other Definition
		want  MismatchError
		text  string
	}{
		{"command", other(func(d *Definition) { d.Command = "cycles" }), MismatchError{Part: MismatchCommand, Theirs: "steady", Ours: "cycles"},
			"its command is steady, this one cycles"},
		{"arguments", other(func(d *Definition) { d.Args = []string{"--grid", "24"} }), MismatchError{Part: MismatchArgs, Theirs: "--grid 16", Ours: "--grid 24"},
			`its arguments are "--grid 16", these "--grid 24"`},
		{"axes", other(func(d *Definition) { d.Vary = Grid{{Name: "temperature", Spec: "0.6", Values: []string{"0.6"}}} }), MismatchError{Part: MismatchAxes, Theirs: "temperature=0.5", Ours: "temperature=0.6"},
			"its axes are temperature=0.5, these temperature=0.6"},
		{"size", other(func(d *Definition) { d.Summary = "compare.json" }), MismatchError{Part: MismatchSize},
			"its summary file or number of points differ"},
	} {
		dir := t.TempDir()
		if _, err := Create(dir, def); err != nil {
			t.Fatal(err)
		}
		_, err := Create(dir, tc.other)
		var me *MismatchError
		want := tc.want
		want.Dir = dir
		if !errors.As(err, &me) || *me != want {
			t.Errorf("%s: error %#v, want %+v", tc.name, err, want)
			continue
		}
		if s := err.Error(); s != dir+" holds a different sweep: "+tc.text {
			t.Errorf("%s: error %q, want %q", tc.name, s, tc.text)
		}
		if strings.Contains(tc.text, "--vary") {
			t.Errorf("%s: %q names a flag", tc.name, tc.text)
		}
		// The same difference between two directories: Theirs is the
		// first directory's.
		dir2 := t.TempDir()
		if _, err := Create(dir2, tc.other); err != nil {
			t.Fatal(err)
		}
		err = CheckSame([]*Dir{{Path: dir, Def: def}, {Path: dir2, Def: tc.other}})
		want.Dir, want.Other = dir2, dir
		if !errors.As(err, &me) || *me != want {
			t.Errorf("%s: CheckSame error %#v, want %+v", tc.name, err, want)
		}
	}
}
