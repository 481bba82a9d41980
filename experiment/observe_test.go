package experiment

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestObserveRoundTrip(t *testing.T) {
	run, err := SGD(context.Background(), smallSGD(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, noNull := range []bool{false, true} {
		res, err := Observe(context.Background(), ObserveSpec{Run: run, Dir: "run", MaxLag: 3, GradTimes: 4, Components: 2, NoNull: noNull}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if (res.Summary.Null == nil) != noNull || (res.Null == nil) != noNull {
			t.Errorf("no null %v: summary null %v", noNull, res.Summary.Null)
		}
		if n := res.Summary.Null; n != nil && (n.NoiseScale != res.Summary.GradNorm.Run.MeanTraceD || n.Chains != run.Record) {
			t.Errorf("null %+v: want c = the run's mean tr D/d over its %d recorded chains", n, run.Record)
		}
		dir := t.TempDir()
		if err := res.Write(dir); err != nil {
			t.Fatal(err)
		}
		got, err := ReadObserve(dir)
		if err != nil {
			t.Fatal(err)
		}
		res.Run, res.Null = nil, nil
		if !reflect.DeepEqual(got.Tables, res.Tables) {
			t.Errorf("tables read back differ")
		}
		if !reflect.DeepEqual(got.Summary.Options, res.Summary.Options) || !reflect.DeepEqual(got.Summary.ACF, res.Summary.ACF) ||
			!reflect.DeepEqual(got.Summary.Files, res.Summary.Files) || !reflect.DeepEqual(got.Summary.Null, res.Summary.Null) {
			t.Errorf("summary read back %+v\nwrote %+v", got.Summary, res.Summary)
		}
	}
}

func TestObservePlanErrors(t *testing.T) {
	run, err := SGD(context.Background(), smallSGD(), nil)
	if err != nil {
		t.Fatal(err)
	}
	noTraj := *run
	noTraj.Traj = nil
	noRecord := *run
	noRecord.Summary.Record = 0
	badX0 := *run
	badX0.Summary.X0 = []byte(`"ones"`)
	cases := []struct {
		name  string
		spec  ObserveSpec
		issue ObserveIssue
	}{
		{"no record", ObserveSpec{Run: &noRecord, GradTimes: 1, Components: 1}, ObserveNoRecord},
		{"no traj", ObserveSpec{Run: &noTraj, GradTimes: 1, Components: 1}, ObserveNoTraj},
		{"lag too large", ObserveSpec{Run: run, MaxLag: 100, GradTimes: 1, Components: 1}, ObserveBadOptions},
		{"bad x0", ObserveSpec{Run: &badX0, GradTimes: 1, Components: 1}, ObserveX0Name},
	}
	for _, c := range cases {
		_, err := c.spec.Plan()
		var oe *ObserveError
		if !errors.As(err, &oe) || oe.Issue != c.issue {
			t.Errorf("%s: %v, want issue %d", c.name, err, c.issue)
		}
	}
	var se *SettingError
	if _, err := (ObserveSpec{Run: run}).Plan(); !errors.As(err, &se) || se.Setting != "GradTimes" {
		t.Errorf("zero GradTimes: %v", err)
	}
}
