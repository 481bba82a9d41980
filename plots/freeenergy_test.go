package plots

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestFreeEnergyCurveImage(t *testing.T) {
	n := 200
	ts, fs := make([]float64, n), make([]float64, n)
	for i := range ts {
		ts[i] = 0.1 * float64(i)
		fs[i] = 0.8 * math.Exp(-1.3*ts[i])
	}
	fs[n-1] = 0      // the round-off floor: left out on a log axis
	fs[n-2] = -1e-18 // likewise
	dir := t.TempDir()
	for k, logY := range []bool{true, false} {
		fig, err := FreeEnergyCurve(ts, fs, FreeEnergyOptions{LogY: logY, Label: "double well", Marks: []float64{0, 1, 5.03}})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, []string{"log.png", "lin.png"}[k])
		if err := Save(fig, path, Size{WidthCM: 7.62, HeightCM: 5.08, DPI: 100}); err != nil {
			t.Fatal(err)
		}
		checkImage(t, path, 300, 200)
	}
	if _, err := FreeEnergyCurve(ts, fs, FreeEnergyOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		t, f []float64
		log  bool
	}{
		"lengths":     {ts, fs[:3], false},
		"decreasing":  {[]float64{0, 2, 1}, []float64{1, 1, 1}, false},
		"no positive": {[]float64{0, 1, 2}, []float64{0, -1, 0}, true},
		"nan time":    {[]float64{0, math.NaN()}, []float64{1, 1}, false},
	} {
		if _, err := FreeEnergyCurve(c.t, c.f, FreeEnergyOptions{LogY: c.log}); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line", name, err)
		}
	}
}

func TestDecadeTicks(t *testing.T) {
	var labels []string
	for _, tk := range (decadeTicks{}).Ticks(math.Log10(3e-9), math.Log10(1.7)) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "1e-08 1e-06 1e-04 1e-02 1e+00" {
		t.Errorf("labels of [3e-9, 1.7]: %q", got)
	}
	labels = nil
	for _, tk := range (decadeTicks{}).Ticks(math.Log10(0.05), math.Log10(20)) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "0.1 1 10" {
		t.Errorf("labels of [0.05, 20]: %q", got)
	}
}
