package plots

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSweepCurvesAndSave(t *testing.T) {
	tab := &Table{
		Header: []string{"point", "temperature", "d12", "status", "error", "model", "entropy_production"},
		Rows: [][]string{
			{"0", "0.2", "0", "ok", "", "gyrator", "0"},
			{"1", "0.2", "0.5", "ok", "", "gyrator", "1.5"},
			{"2", "0.1", "0", "ok", "", "gyrator", "0"},
			{"3", "0.1", "0.5", "failed", "boom", "", ""},
			{"4", "0.3", "0.5", "ok", "", "gyrator", "1.7"},
		},
	}
	fig, st, err := SweepCurves(tab, SweepOptions{X: "temperature", Y: "entropy_production", Hue: "d12"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Points != 4 || st.Curves != 2 || st.Failed != 1 || st.Missing != 0 {
		t.Errorf("stats %+v, want 4 points, 2 curves, 1 failed", st)
	}
	out := filepath.Join(t.TempDir(), "f.png")
	if err := Save(fig, out, Size{WidthCM: 5.08, HeightCM: 2.54, DPI: 100}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 100 {
		t.Errorf("size %v, want 200 x 100", b)
	}
	for _, o := range []SweepOptions{
		{X: "temperature", Y: "model"},
		{X: "nope", Y: "entropy_production"},
		{X: "temperature", Y: "entropy_production", LogY: true},
	} {
		if _, _, err := SweepCurves(tab, o); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: error %v, want one line", o, err)
		}
	}
	if err := Save(fig, filepath.Join(t.TempDir(), "f.gif"), DefaultSize); err == nil {
		t.Error("gif: no error")
	}
}

func TestNiceTicks(t *testing.T) {
	var labels []string
	for _, tk := range (niceTicks{}).Ticks(0, 3.1) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "0 1 2 3" {
		t.Errorf("ticks of [0, 3.1]: %q", got)
	}
}
