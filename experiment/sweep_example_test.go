package experiment_test

import (
	"context"
	"fmt"
	"os"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/sweep"
)

// A resumable sweep of the gyrator's steady state over the off-diagonal
// entry D12 of its noise, on a 16 x 16 grid, into a sweep directory. With
// D12 = 0 the noise commutes with the Hessian A = diag(1, 4): detailed
// balance, no current, Pi = 0. With D12 = 0.8 a current circulates; the
// closed form is Pi = 3.2 (docs/validation.md, case 6), which 16 x 16
// nodes underestimate (128 x 128 give 3.185).
func ExampleSweepSpec() {
	path, err := os.MkdirTemp("", "sweep")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(path)
	spec := experiment.SweepSpec{
		Template: &experiment.SteadySpec{
			Model:       experiment.ModelSpec{Landscape: "gyrator"},
			Temperature: experiment.TemperatureSpec{T: 0.5},
			Grid:        experiment.GridSpec{Nodes: []int{16}},
		},
		Vary: sweep.Grid{{Name: "d12", Spec: "0,0.8", Values: []string{"0", "0.8"}}},
	}
	dir, err := sweep.Create(path, spec.Definition(nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	// One point at a time, each reported as it finishes.
	_, err = spec.Run(context.Background(), dir, sweep.Options{Workers: 1}, func(_ context.Context, p *experiment.SweepPoint) sweep.Outcome {
		out := p.Outcome()
		if p.Err != nil {
			fmt.Printf("D12 = %s: failed: %s\n", p.Values[0], out.Err)
			return out
		}
		pi := p.Result.(*experiment.SteadyResult).Runs[0].Summary.EntropyProduction
		fmt.Printf("D12 = %s: ok, Pi = %.2f\n", p.Values[0], pi)
		return out
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rs, err := sweep.WriteResults([]*sweep.Dir{dir}, path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("results.csv: %d points, %d ok, %d failed\n", rs.Points, rs.OK, rs.Failed)
	// Output:
	// D12 = 0: ok, Pi = 0.00
	// D12 = 0.8: ok, Pi = 2.56
	// results.csv: 2 points, 2 ok, 0 failed
}
