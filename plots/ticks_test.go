package plots

import (
	"math"
	"testing"

	"gonum.org/v1/plot"
)

// A span of round-off (a swept quantity that does not depend on the swept
// parameter, equal to a few ulps) gets one tick and a padded axis, instead
// of a tick loop that never ends.
func TestTicksOfRoundOffSpan(t *testing.T) {
	lo := 2.5597
	hi := math.Nextafter(math.Nextafter(lo, 3), 3)
	ticks := niceTicks{}.Ticks(lo, hi)
	if len(ticks) != 1 || ticks[0].Label != "2.5597" {
		t.Errorf("ticks %v, want one labelled 2.5597", ticks)
	}
	a := plot.Axis{Min: lo, Max: hi}
	padRange(&a, 0.06, false)
	if !(a.Min < lo-0.1 && a.Max > hi+0.1) {
		t.Errorf("padded range [%g, %g], want about ±5%% around %g", a.Min, a.Max, lo)
	}
}
