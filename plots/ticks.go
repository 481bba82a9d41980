package plots

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// niceTicks places major ticks at round steps (1, 2 or 5 times a power of
// ten), about five over the range, labelled with as many digits as the step
// needs, and a minor tick between each two.
type niceTicks struct{}

// Ticks implements plot.Ticker.
func (niceTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(max-min, 0) {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	if max-min <= flatSpan*math.Max(math.Abs(min), math.Abs(max)) {
		// A span of round-off: one tick in the middle, in full.
		v := min + (max-min)/2
		return []plot.Tick{{Value: v, Label: strconv.FormatFloat(v, 'g', 6, 64)}}
	}
	step := niceStep((max - min) / 5)
	eps := step * 1e-9
	digits := max0(-int(math.Floor(math.Log10(step))))
	useG := math.Max(math.Abs(min), math.Abs(max)) >= 1e5 || step < 1e-4
	var ticks []plot.Tick
	for k := math.Ceil((min - eps) / (step / 2)); k*(step/2) <= max+eps; k++ {
		v := k * step / 2
		if math.Abs(v) < eps {
			v = 0
		}
		t := plot.Tick{Value: v}
		if math.Mod(k, 2) == 0 {
			if useG {
				t.Label = strconv.FormatFloat(v, 'g', 4, 64)
			} else {
				t.Label = strconv.FormatFloat(v, 'f', digits, 64)
			}
		}
		ticks = append(ticks, t)
	}
	if len(ticks) < 2 {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	return ticks
}

// niceStep rounds raw up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / p; {
	case f <= 1:
		return p
	case f <= 2:
		return 2 * p
	case f <= 5:
		return 5 * p
	default:
		return 10 * p
	}
}

// max0 returns n, or 0 when n is negative.
func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}
