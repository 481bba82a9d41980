package experiment

import (
	"context"
	"strings"
	"testing"
)

// The report of a result read back is the report of the result written.
func TestObserveReportRoundTrip(t *testing.T) {
	run, err := SGD(context.Background(), smallSGD(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, noNull := range []bool{false, true} {
		res, err := Observe(context.Background(), ObserveSpec{Run: run, Dir: "run/", MaxLag: 3, GradTimes: 4, Components: 2, NoNull: noNull}, nil)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := res.Write(dir); err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		if err := res.Report(&want, dir); err != nil {
			t.Fatal(err)
		}
		back, err := ReadObserve(dir)
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		if err := back.Report(&got, dir); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("no null %v: report read back\n%s\nwant\n%s", noNull, got.String(), want.String())
		}
		lines := strings.Split(strings.TrimSuffix(want.String(), "\n"), "\n")
		wantLines := 5 + len(res.Summary.DSpectrum.Run) + 1 // run, D at each time, acf, increments, gradient, area, output
		if !noNull {
			wantLines++ // null
		}
		if len(lines) != wantLines || !strings.HasPrefix(lines[0], "run               run: sgd on ") ||
			!strings.HasPrefix(lines[len(lines)-1], "output            "+dir+" (observables.json, ") {
			t.Errorf("no null %v: report\n%s", noNull, want.String())
		}
		if nullCol := strings.Contains(lines[len(lines)-2], " null |A|/|S| "); nullCol == noNull {
			t.Errorf("no null %v: area line %q", noNull, lines[len(lines)-2])
		}
		if w := res.Warnings(); len(w) != 0 {
			t.Errorf("warnings %q of an SGD run", w)
		}
	}
}

func TestObserveWarnings(t *testing.T) {
	r := &ObserveResult{Summary: ObserveSummary{Dir: "null", Run: &FiniteSumInputs{Noise: "isotropic", NoiseScale: 0.25},
		Null: &NullInfo{Chains: 4, Diverged: 1}}}
	r.Summary.GradNorm.Run.MeanTraceD = 0.125
	want := []string{
		"the run in null is already an isotropic null (c = 0.25); its null here has c = 0.125, the mean of tr D/d over its recorded states",
		"1 of 4 chains of the null diverged; their recorded states repeat the last finite one",
	}
	if got := r.Warnings(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("warnings %q, want %q", got, want)
	}
	r.Summary.Null = nil
	if got := r.Warnings(); got != nil {
		t.Errorf("warnings without a null: %q", got)
	}
}
