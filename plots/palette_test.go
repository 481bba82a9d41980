package plots

import (
	"fmt"
	"testing"

	"gonum.org/v1/plot"
)

// The curves of a sweep must be told apart by colour: 8 temperatures once
// shared a 7-colour palette (T = 0.1 and 0.8 the same blue).
func TestHueColoursDistinct(t *testing.T) {
	for _, ordered := range []bool{false, true} {
		for n := 1; n <= 16; n++ {
			cs := HueColours(n, ordered)
			if len(cs) != n {
				t.Fatalf("HueColours(%d, %v): %d colours", n, ordered, len(cs))
			}
			for i := range cs {
				for j := i + 1; j < n; j++ {
					if d := colourDistance(cs[i], cs[j]); d < 12 {
						t.Errorf("HueColours(%d, %v): colours %d and %d are %.1f apart in sRGB", n, ordered, i, j, d)
					}
				}
			}
		}
	}
}

// The gallery's sweep draws 8 curves of T: each its own colour.
func TestSweepCurvesEightHues(t *testing.T) {
	tab := &Table{Header: []string{"point", "temperature", "d12", "status", "error", "entropy_production"}}
	for i := 0; i < 8; i++ {
		for k, d := range []string{"0", "0.5"} {
			tab.Rows = append(tab.Rows, []string{fmt.Sprint(2*i + k), fmt.Sprintf("0.%d", i+1), d, "ok", "", fmt.Sprint(float64(k) * 1.5)})
		}
	}
	fig, st, err := SweepCurves(tab, SweepOptions{X: "d12", Y: "entropy_production", Hue: "temperature"})
	if err != nil || st.Curves != 8 {
		t.Fatalf("%v, %+v", err, st)
	}
	// The y range is padded: the top curve's value lies inside, not on
	// the frame.
	if !(fig.Plot.Y.Max > 1.5 && fig.Plot.Y.Min < 0) {
		t.Errorf("y range [%g, %g] not padded around [0, 1.5]", fig.Plot.Y.Min, fig.Plot.Y.Max)
	}
	labelled := false
	for _, tk := range (niceTicks{}).Ticks(fig.Plot.Y.Min, fig.Plot.Y.Max) {
		if tk.Value == 1.5 && tk.Label != "" || tk.Value == 1 && tk.Label != "" {
			labelled = true
		}
	}
	if !labelled {
		t.Errorf("no labelled tick near the top value in [%g, %g]", fig.Plot.Y.Min, fig.Plot.Y.Max)
	}
}

func TestPadRange(t *testing.T) {
	a := plot.Axis{Min: 0.63, Max: 1}
	padRange(&a, 0.06, false)
	if !(a.Max > 1.01 && a.Min < 0.62) {
		t.Errorf("padded [0.63, 1] to [%g, %g]", a.Min, a.Max)
	}
	a = plot.Axis{Min: 2, Max: 2}
	padRange(&a, 0.06, false)
	if !(a.Min < 2 && a.Max > 2) {
		t.Errorf("padded [2, 2] to [%g, %g]", a.Min, a.Max)
	}
	a = plot.Axis{Min: 1, Max: 100}
	padRange(&a, 0.05, true)
	if !(a.Min > 0 && a.Min < 1 && a.Max > 100) {
		t.Errorf("log-padded [1, 100] to [%g, %g]", a.Min, a.Max)
	}
}
