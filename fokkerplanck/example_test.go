package fokkerplanck_test

import (
	"context"
	"fmt"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
)

// The Brownian gyrator (validation case 6): anisotropic constant noise
// that does not commute with the Hessian gives a steady state with a
// circulating current, entropy production Pi = 3.2 and angular momentum
// L = -0.48 in the continuum.
func ExampleOperator_SteadyState() {
	m, err := potentials.New("gyrator", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := fokkerplanck.NewGrid(m.Box, []int{128, 128}, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	op, err := fokkerplanck.NewOperator(context.Background(), m, 0.5, g)
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := op.SteadyState(context.Background(), fokkerplanck.SteadyOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mass %.6f\n", st.Mass)
	fmt.Printf("Pi   %.2f\n", st.EntropyProduction)
	fmt.Printf("L    %.3f\n", st.AngularMomentum)
	// Output:
	// mass 1.000000
	// Pi   3.18
	// L    -0.479
}

// ParseScheme reads a scheme by the name that Scheme.String writes, as a
// command line or a configuration file gives it.
func ExampleParseScheme() {
	for _, name := range []string{"source", "Symmetric", "ito"} {
		s, err := fokkerplanck.ParseScheme(name)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(s)
	}
	// Output:
	// source
	// symmetric
	// unknown scheme "ito": want symmetric or source
}
