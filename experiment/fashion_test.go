package experiment

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// TestSGDFashionAccuracy runs SGD on fashion-mlp over synthetic IDX files
// through the Study interface: summary.json records the data directory and
// the train and test scores of the final states, the same as evaluating
// final.npy's states directly; the report prints them; the same seed gives
// the same bytes on 1 and 2 workers; observe rebuilds the model from the
// recorded directory (or from DataDir); a missing directory is an error
// that names it and the package.
func TestSGDFashionAccuracy(t *testing.T) {
	dir := t.TempDir()
	if err := potentials.WriteSyntheticFashionMNIST(dir, 4, 4, 60, 20, 1); err != nil {
		t.Fatal(err)
	}
	spec := func(workers int) *SGDSpec {
		return &SGDSpec{
			FiniteSum: FiniteSumSpec{Model: "fashion-mlp", Params: map[string]float64{"n": 60, "test": 20, "width": 6}, DataDir: dir, LR: 0.5, Batch: 8},
			Chains:    Chains{N: 3, Steps: 200, BurnIn: 100, Record: 2, Every: 4, Seed: 2, Workers: workers, Bound: 1e6},
		}
	}
	var sums []*FiniteSumSummary
	for _, w := range []int{1, 2} {
		var st Study = spec(w)
		runner, err := st.Start()
		if err != nil {
			t.Fatal(err)
		}
		res, err := runner.Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		r := res.(*FiniteSumResult)
		out := t.TempDir()
		if err := r.Write(out); err != nil {
			t.Fatal(err)
		}
		back, err := ReadSGD(out)
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, &back.Summary)
		e := back.Summary.FinalEvaluation
		if back.Summary.DataDir != dir || e == nil || e.TestAccuracy == nil || e.Evaluated != 3 || e.TestSamples != 20 {
			t.Fatalf("summary: data_dir %q, evaluation %+v", back.Summary.DataDir, e)
		}
		m, err := potentials.NewFiniteSumIn("fashion-mlp", r.Summary.Params, dir)
		if err != nil {
			t.Fatal(err)
		}
		acc, test := 0.0, 0.0
		for c := 0; c < 3; c++ {
			ev := m.(potentials.Evaluator).Evaluate(back.Final[c*back.Dim : (c+1)*back.Dim])
			acc += ev.TrainAccuracy / 3
			test += ev.TestAccuracy / 3
		}
		if math.Abs(acc-e.TrainAccuracy) > 1e-12 || math.Abs(test-*e.TestAccuracy) > 1e-12 {
			t.Errorf("accuracies %g, %g in the summary; %g, %g from final.npy", e.TrainAccuracy, *e.TestAccuracy, acc, test)
		}
		if !(e.TrainAccuracy > 0.5) {
			t.Errorf("train accuracy %g after 300 steps on a separable set, want above 0.5", e.TrainAccuracy)
		}
		var rep strings.Builder
		if err := r.Report(&rep, out); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"train             accuracy", "test              accuracy", "(20 held-out samples)", "data              " + dir} {
			if !strings.Contains(rep.String(), want) {
				t.Errorf("report lacks %q:\n%s", want, rep.String())
			}
		}
		if w == 1 {
			for _, dd := range []string{"", dir} {
				obs, err := Observe(context.Background(), ObserveSpec{Run: back, Dir: out, DataDir: dd, MaxLag: 3, GradTimes: 3, Components: 2, NoNull: true}, nil)
				if err != nil {
					t.Fatalf("observe (DataDir %q): %v", dd, err)
				}
				if !obs.Summary.Area.Run.Projected {
					t.Errorf("area not projected at d = %d", back.Dim)
				}
			}
		}
	}
	a, b := sums[0], sums[1]
	if *a.TestAccuracy != *b.TestAccuracy || a.TrainLoss != b.TrainLoss || a.Mean[0] != b.Mean[0] {
		t.Errorf("1 and 2 workers differ: %+v, %+v", a.FinalEvaluation, b.FinalEvaluation)
	}

	missing := filepath.Join(t.TempDir(), "nowhere")
	s := spec(1)
	s.FiniteSum.DataDir = missing
	_, err := s.Plan()
	var me *potentials.FashionMNISTMissingError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), potentials.FashionMNISTPackage) {
		t.Errorf("missing data: %v, want a *FashionMNISTMissingError naming %s and the package", err, missing)
	}
	s = spec(1)
	s.FiniteSum.Model, s.FiniteSum.Params = "linreg", nil
	var nd *potentials.NoDataDirError
	if _, err := s.Plan(); !errors.As(err, &nd) {
		t.Errorf("a data directory for linreg: %v, want a *NoDataDirError", err)
	}
	if err := SetParam(s, "data-dir", "/x"); err != nil || s.FiniteSum.DataDir != "/x" {
		t.Errorf("SetParam data-dir: %v, %q", err, s.FiniteSum.DataDir)
	}
}
