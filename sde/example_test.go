package sde_test

import (
	"context"
	"fmt"

	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// The Brownian gyrator: f = x^T A x / 2 with A = diag(1, 4) and constant,
// anisotropic D. The stationary covariance solves A S + S A^T = 2 T D,
// S = [[0.5, 0.16], [0.16, 0.125]] at T = 0.5, and the probability current
// makes the ensemble rotate: L = -0.48.
func ExampleEnsemble_Run() {
	m, err := potentials.New("gyrator", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := &sde.Problem{Model: m, Temperature: 0.5, X0: []float64{0, 0}, Dt: 1e-3, BurnIn: 5000, Steps: 20000}
	e := &sde.Ensemble{N: 1000, Seed: 1}
	res, err := e.Run(context.Background(), p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("cov  = [[%.2f %.2f] [%.2f %.2f]]\n", res.Cov[0], res.Cov[1], res.Cov[2], res.Cov[3])
	fmt.Printf("L    = %.1f\n", res.AngularMomentum)
	fmt.Printf("diverged %d of %d\n", res.Diverged, res.N)
	// Output:
	// cov  = [[0.50 0.16] [0.16 0.13]]
	// L    = -0.5
	// diverged 0 of 1000
}
