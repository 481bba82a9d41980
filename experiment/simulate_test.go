package experiment

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sgdsde/sgdsde/sde"
)

// smallSimulate is a fast simulation of the default model.
func smallSimulate() SimulateSpec {
	s := DefaultSimulate()
	s.N, s.Steps, s.BurnIn, s.Record, s.Every = 20, 40, 10, 3, 5
	return s
}

// smallSGD is a fast SGD run on a small linear regression.
func smallSGD() SGDSpec {
	s := DefaultSGD()
	s.FiniteSum.Params = map[string]float64{"d": 3, "n": 50}
	s.FiniteSum.Batch = 5
	s.N, s.Steps, s.BurnIn, s.Record, s.Every = 4, 40, 10, 2, 4
	return s
}

func TestSimulateRoundTrip(t *testing.T) {
	fs := smallSGD()
	cases := []struct {
		name string
		spec SimulateSpec
	}{
		{"landscape", smallSimulate()},
		{"no record", func() SimulateSpec { s := smallSimulate(); s.Record = 0; return s }()},
		{"finite sum exact", SimulateSpec{Chains: fs.Chains, FiniteSum: &fs.FiniteSum}},
		{"finite sum null", SimulateSpec{Chains: fs.Chains, FiniteSum: &fs.FiniteSum, Noise: sde.NoiseIsotropic}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Simulate(context.Background(), c.spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := res.Write(dir); err != nil {
				t.Fatal(err)
			}
			got, err := ReadSimulate(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, res) {
				t.Errorf("read back %+v\nwrote %+v", got, res)
			}
		})
	}
}

func TestSGDRoundTrip(t *testing.T) {
	res, err := SGD(context.Background(), smallSGD(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := res.Write(dir); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSGD(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, res) {
		t.Errorf("read back %+v\nwrote %+v", got, res)
	}
	// A later run without recorded chains leaves no stale traj.npy.
	res.Record, res.RecordLen, res.Traj, res.Summary.Record = 0, 0, nil, 0
	if err := res.Write(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "traj.npy")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale traj.npy: %v", err)
	}
}

func TestSimulateWorkersIdentical(t *testing.T) {
	a, b := smallSimulate(), smallSimulate()
	a.Workers, b.Workers = 1, 3
	ra, err := Simulate(context.Background(), a, nil)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := Simulate(context.Background(), b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ra.Final, rb.Final) || !reflect.DeepEqual(ra.Summary.Mean, rb.Summary.Mean) {
		t.Error("results depend on the number of workers")
	}
}

func TestSimulatePlanErrors(t *testing.T) {
	fs := smallSGD()
	with := func(f func(*SimulateSpec)) SimulateSpec {
		s := smallSimulate()
		f(&s)
		return s
	}
	withFS := func(f func(*SimulateSpec, *FiniteSumSpec)) SimulateSpec {
		fsum := fs.FiniteSum
		s := SimulateSpec{Chains: fs.Chains, FiniteSum: &fsum}
		f(&s, &fsum)
		return s
	}
	cases := []struct {
		name string
		spec SimulateSpec
		want any
	}{
		{"zero N", with(func(s *SimulateSpec) { s.N = 0 }), &SettingError{}},
		{"zero dt", with(func(s *SimulateSpec) { s.Dt = 0 }), &SettingError{}},
		{"negative burn-in", with(func(s *SimulateSpec) { s.BurnIn = -1 }), &SettingError{}},
		{"record beyond n", with(func(s *SimulateSpec) { s.Record = 21 }), &ChainsError{}},
		{"every beyond steps", with(func(s *SimulateSpec) { s.Every = 41 }), &ChainsError{}},
		{"bad temperature", with(func(s *SimulateSpec) { s.Temperature.T = -1 }), &TemperatureError{}},
		{"unknown landscape", with(func(s *SimulateSpec) { s.Model.Landscape = "nope" }), &ModelError{}},
		{"x0 of another dimension", with(func(s *SimulateSpec) { s.X0 = []float64{1} }), &ProblemError{}},
		{"finite sum with dt", withFS(func(s *SimulateSpec, _ *FiniteSumSpec) { s.Dt = 0.1 }), &FiniteSumConflictError{}},
		{"negative noise scale", withFS(func(s *SimulateSpec, _ *FiniteSumSpec) { s.NoiseScale = -1 }), &SettingError{}},
		{"full batch without replacement", withFS(func(_ *SimulateSpec, f *FiniteSumSpec) {
			f.Batch, f.WithoutReplacement = 50, true
		}), &FiniteSumError{}},
		{"batch beyond samples", withFS(func(_ *SimulateSpec, f *FiniteSumSpec) { f.Batch = 51 }), &FiniteSumError{}},
		{"unknown finite sum", withFS(func(_ *SimulateSpec, f *FiniteSumSpec) { f.Model = "nope" }), &FiniteSumError{}},
		{"x0 of another dimension (finite sum)", withFS(func(_ *SimulateSpec, f *FiniteSumSpec) { f.X0 = []float64{1} }), &FiniteSumError{}},
		{"zero learning rate", withFS(func(_ *SimulateSpec, f *FiniteSumSpec) { f.LR = 0 }), &SettingError{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.spec.Plan()
			if err == nil {
				t.Fatalf("no error, want %T", c.want)
			}
			target := reflect.New(reflect.TypeOf(c.want)).Interface()
			if !errors.As(err, target) {
				t.Errorf("error %T (%v), want %T", err, err, c.want)
			}
		})
	}
}

func TestSGDPlanErrors(t *testing.T) {
	cases := []struct {
		name string
		f    func(*SGDSpec)
		want any
	}{
		{"momentum 1", func(s *SGDSpec) { s.FiniteSum.Momentum = 1 }, &SettingError{}},
		{"independent batches with replacement", func(s *SGDSpec) { s.FiniteSum.IndependentBatches = true }, &FiniteSumError{}},
		{"model too large", func(s *SGDSpec) { s.FiniteSum.Params = map[string]float64{"d": 1e12, "n": 1e12} }, &SizeError{}},
		{"zero workers allowed, negative not", func(s *SGDSpec) { s.Workers = -1 }, &SettingError{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := smallSGD()
			c.f(&s)
			_, err := s.Plan()
			target := reflect.New(reflect.TypeOf(c.want)).Interface()
			if err == nil || !errors.As(err, target) {
				t.Errorf("error %T (%v), want %T", err, err, c.want)
			}
		})
	}
	// Full-batch gradient descent without replacement runs, with T = 0.
	s := smallSGD()
	s.FiniteSum.Batch, s.FiniteSum.WithoutReplacement = 50, true
	res, err := SGD(context.Background(), s, nil)
	if err != nil || res.Summary.Temperature != 0 {
		t.Errorf("full batch: %v, T = %v", err, res.Summary.Temperature)
	}
}

func TestReadSGDErrors(t *testing.T) {
	base := t.TempDir()
	landscape := filepath.Join(base, "landscape")
	res, err := Simulate(context.Background(), smallSimulate(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Write(landscape); err != nil {
		t.Fatal(err)
	}
	mk := func(name, summary string) string {
		d := filepath.Join(base, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if summary != "" {
			if err := os.WriteFile(filepath.Join(d, "summary.json"), []byte(summary), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	cases := []struct {
		name string
		dir  string
		want ReadIssue
	}{
		{"no directory", filepath.Join(base, "nope"), ReadNotDir},
		{"no summary", mk("empty", ""), ReadNoSummary},
		{"bad JSON", mk("bad", "{"), ReadBadJSON},
		{"landscape run", landscape, ReadNotFiniteSum},
		{"missing key", mk("key", `{"finite_sum": true, "model": "linreg"}`), ReadMissingKey},
	}
	for _, c := range cases {
		_, err := ReadSGD(c.dir)
		var re *ReadError
		if !errors.As(err, &re) || re.Issue != c.want {
			t.Errorf("%s: %v, want issue %d", c.name, err, c.want)
		}
	}
}
