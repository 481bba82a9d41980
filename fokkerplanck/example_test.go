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

// Phi - f on a grid of four nodes, zero where Phi is smallest, and the
// region where rho is above half its maximum.
func ExamplePhiMinusLoss() {
	phi := []float64{0, 1, 3, 4}
	loss := []float64{2, 1, 2, 3}
	fmt.Println(fokkerplanck.PhiMinusLoss(phi, loss, nil, fokkerplanck.AnchorMinPhi))
	fmt.Println(fokkerplanck.PhiMinusLoss(phi, loss, nil, fokkerplanck.AnchorBest))
	// rho = exp(-Phi/T) at T = 1: above half its maximum up to Phi = ln 2.
	fmt.Println(fokkerplanck.PhiRegionMask(phi, 1, 0.5))
	// Output:
	// [0 2 3 3]
	// [-1.5 0.5 1.5 1.5]
	// [true false false false]
}

// The levels of Phi where the server starts its orbits at T = 0.5: the
// one-, two- and three-sigma ellipses of a Gaussian.
func ExampleSigmaLevels() {
	fmt.Println(fokkerplanck.SigmaLevels(0.5, 1, 2, 3))
	// Output: [0.25 1 2.25]
}

// A crop of an 8 x 8 grid on [0, 8]²: the nodes with 2 <= x <= 4 and
// 1 <= y <= 2; the field is the node index j*8 + i.
func ExampleGrid_Crop() {
	g, err := fokkerplanck.NewGrid(potentials.NewBox(0, 8, 0, 8), []int{8, 8}, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	z := make([]float64, g.Len())
	for i := range z {
		z[i] = float64(i)
	}
	c := g.Crop(z, fokkerplanck.Window{X0: 2, X1: 4, Y0: 1, Y1: 2})
	fmt.Println(c.X, c.Y, c.Z)
	// Output: [2.5 3.5] [1.5] [10 11]
}
