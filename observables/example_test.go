package observables_test

import (
	"fmt"
	"math"

	"github.com/sgdsde/sgdsde/observables"
)

// circle returns one chain of n states going counter-clockwise round the
// unit circle, one turn every period recorded steps: the simplest loop.
func circle(n, period int) *observables.Traj {
	data := make([]float64, 0, 2*n)
	for t := 0; t < n; t++ {
		a := 2 * math.Pi * float64(t) / float64(period)
		data = append(data, math.Cos(a), math.Sin(a))
	}
	tr, err := observables.NewTraj(data, 1, n, 2)
	if err != nil {
		panic(err)
	}
	return tr
}

// The autocorrelation of a loop of period 16 recorded steps, 256 steps
// long: rho(k) = (1 - k/256) cos(2 pi k/16) for the biased estimator, so
// -0.969 at half a period, and the first lag inside the 99% band of white
// noise (±2.576/16) is the quarter period, 4.
func ExampleAutocorrelation() {
	tr := circle(256, 16)
	acf, err := observables.Autocorrelation(tr, 8, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("rho(1) = %.3f, rho(8) = %.3f\n", acf.Mean[1], acf.Mean[8])
	fmt.Printf("band ±%.3f, decorrelated at lag %d\n", acf.Band, acf.DecorrelationLag)
	// Output:
	// rho(1) = 0.920, rho(8) = -0.969
	// band ±0.161, decorrelated at lag 4
}

// The increments of a loop of period 16 are not white: their spectrum
// has its peak at the loop's frequency, 1/16 cycles per recorded step.
func ExampleIncrementSpectrum() {
	tr := circle(257, 16) // 256 increments
	sp, err := observables.IncrementSpectrum(tr, 64, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := sp.Peaks[0]
	fmt.Printf("%d segments of %d; peak at f = %.4f (period %.0f steps)\n", sp.Segments, sp.Segment, p.Freq, p.Period)
	// Output:
	// 7 segments of 64; peak at f = 0.0625 (period 16 steps)
}

// The stochastic area of a counter-clockwise loop: at a lag of an eighth
// of a turn the lagged covariance is (1/2) R(pi/4), a rotation, so its
// antisymmetric part has A_21 = sin(pi/4)/2 = 0.354 and the ratio
// |A|_F / |S|_F is tan(pi/4) = 1. A reversible process would give 0.
func ExampleStochasticArea() {
	tr := circle(256, 16)
	ar, err := observables.StochasticArea(tr, []int{2}, 0, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	l := ar.Lags[0]
	fmt.Printf("lag %d: A_21 = %.3f, ratio %.3f\n", l.Lag, l.A[1*ar.Components+0], l.Ratio)
	// Output:
	// lag 2: A_21 = 0.354, ratio 1.000
}
