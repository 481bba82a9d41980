package plots

import (
	"strconv"
	"strings"
	"testing"
)

// TestLogTicksLabels checks that every labelled tick of logTicks is short
// and parses back to the tick's value within 1e-12 (plot.LogTicks builds
// its powers of ten by repeated products and labelled 1e-4 as
// 9.999999999999999e-05), and that exponents read 1e5, not 1e+05.
func TestLogTicksLabels(t *testing.T) {
	for _, c := range []struct{ lo, hi float64 }{
		{1e-8, 2}, {3e-7, 4e3}, {0.2, 0.9}, {1e-300, 1e-290}, {5, 5e12},
	} {
		labelled := 0
		for _, tk := range (logTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label == "" {
				continue
			}
			labelled++
			if strings.ContainsAny(tk.Label, "+") || strings.Contains(tk.Label, "e0") || strings.Contains(tk.Label, "e-0") {
				t.Errorf("[%g, %g]: tick %g labelled %q: want no plus sign or leading zeros in the exponent", c.lo, c.hi, tk.Value, tk.Label)
			}
			v, err := strconv.ParseFloat(tk.Label, 64)
			if err != nil || v <= 0 || (v-tk.Value)/tk.Value > 1e-12 || (tk.Value-v)/tk.Value > 1e-12 {
				t.Errorf("[%g, %g]: label %q of tick %g: %v", c.lo, c.hi, tk.Label, tk.Value, err)
			}
			if len(tk.Label) > 6 {
				t.Errorf("[%g, %g]: label %q longer than a power of ten needs", c.lo, c.hi, tk.Label)
			}
		}
		if labelled < 2 {
			t.Errorf("[%g, %g]: %d labelled ticks", c.lo, c.hi, labelled)
		}
	}
}

func TestLogTickLabel(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{1e-4 * (1 - 1e-16), "0.0001"}, {0.001, "0.001"}, {1, "1"}, {20, "20"}, {5000, "5000"},
		{99999, "1e5"}, {1e5, "1e5"}, {2e-7, "2e-7"}, {1e-300, "1e-300"}, {5e12, "5e12"}, {1.2345e-6, "1.23e-6"},
	} {
		if got := logTickLabel(c.v); got != c.want {
			t.Errorf("logTickLabel(%g) = %q, want %q", c.v, got, c.want)
		}
	}
}
