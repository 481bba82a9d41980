package experiment_test

import (
	"context"
	"fmt"

	"github.com/sgdsde/sgdsde/experiment"
)

// The gyrator's steady state at T = 0.5 on a 32 x 32 grid: a current
// circulates (L != 0) and produces entropy (Pi > 0), though the density is
// Gaussian.
func ExampleSteady() {
	spec := experiment.SteadySpec{
		Model:       experiment.ModelSpec{Landscape: "gyrator"},
		Temperature: experiment.TemperatureSpec{T: 0.5},
		Grid:        experiment.GridSpec{Nodes: []int{32}},
	}
	res, err := experiment.Steady(context.Background(), spec, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := res.Runs[0].Summary
	fmt.Printf("Pi = %.2g, L = %.2g, assumption 4 %s\n", s.EntropyProduction, *s.AngularMomentum, s.Assumption4)
	// Output:
	// Pi = 3, L = -0.47, assumption 4 holds
}

// The minima of Phi of the double well followed across three
// temperatures, with the line fitted to each coordinate.
func ExampleTrackMinima() {
	spec := experiment.SteadySpec{
		Temperatures: []float64{0.1, 0.2, 0.3},
		Grid:         experiment.GridSpec{Nodes: []int{48}},
	}
	res, err := experiment.Steady(context.Background(), spec, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for k, tr := range res.List.MinimaPhi {
		fmt.Printf("minimum %d: x(T) = %.2f %+.2f T\n", k+1, tr.Intercept[0], tr.Slope[0])
	}
	// Output:
	// minimum 1: x(T) = -1.00 +0.57 T
	// minimum 2: x(T) = 1.00 -0.57 T
}

// The Euler–Maruyama ensemble of the gyrator against its grid steady
// state: the histograms' total variation distance lies near its Monte
// Carlo floor.
func ExampleCompare() {
	spec := experiment.DefaultCompare()
	spec.Model = experiment.ModelSpec{Landscape: "gyrator"}
	spec.Grid = experiment.GridSpec{Nodes: []int{32}}
	spec.N, spec.BurnIn, spec.Steps = 4000, 2000, 100
	res, err := experiment.Compare(context.Background(), spec, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	h := res.Runs[0].Summary.Hist
	fmt.Printf("TV within 1.5 floors: %v\n", h.TV < 1.5*h.TVFloor)
	// Output:
	// TV within 1.5 floors: true
}
