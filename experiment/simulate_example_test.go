package experiment_test

import (
	"context"
	"fmt"

	"github.com/sgdsde/sgdsde/experiment"
)

// An ensemble of the gyrator, whose anisotropic noise drives a circulating
// current: its angular momentum L is far from 0 compared with its standard
// error.
// The same seed gives the same digits for any number of workers.
func ExampleSimulate() {
	spec := experiment.DefaultSimulate()
	spec.Model = experiment.ModelSpec{Landscape: "gyrator"}
	spec.Dt = 0.01
	spec.N, spec.Steps, spec.BurnIn, spec.Record = 200, 2000, 500, 0
	res, err := experiment.Simulate(context.Background(), spec, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := res.Summary
	fmt.Printf("%s at T = %g: L = %.2f ± %.2f\n", s.Name, s.Temperature, *s.AngularMomentum, *s.AngularMomentumStderr)
	// Output:
	// gyrator at T = 0.5: L = -0.48 ± 0.01
}

// SGD on a small linear regression, and the mean of its chains.
func ExampleSGD() {
	spec := experiment.DefaultSGD()
	spec.FiniteSum.Params = map[string]float64{"d": 2, "n": 100}
	spec.FiniteSum.LR, spec.FiniteSum.Batch = 0.1, 10
	spec.N, spec.Steps, spec.BurnIn, spec.Record = 8, 500, 100, 0
	res, err := experiment.SGD(context.Background(), spec, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := res.Summary
	fmt.Printf("%s (d = %d, N = %d): T = %.3g, mean (%.2f, %.2f)\n", s.Model, s.Dim, s.SampleCount, s.Temperature, s.Mean[0], s.Mean[1])
	// Output:
	// linreg (d = 2, N = 100): T = 0.005, mean (1.03, -0.21)
}
