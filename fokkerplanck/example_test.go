package fokkerplanck_test

import (
	"context"
	"fmt"
	"math"

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

// The mean first-passage time from one well of a 1-D double well to the
// other, f = (x^2 - 1)^2 / 4 with the state-dependent D = 1 + 0.5 sin(2x)
// at T = 0.5 (validation case 2), against the exact quadrature of the
// backward equation T D tau” - f' tau' = -1 with a reflecting wall at
// l = -2.5 and tau(1) = 0:
//
//	tau(x) = int_x^1 psi(y) int_l^y dz / (T D(z) psi(z)) dy,  psi = exp(int f'/(T D)).
//
// On 395 nodes the target's first node lies at x = 1 exactly.
func ExampleOperator_MeanFirstPassage() {
	const T = 0.5
	m, err := potentials.FromFormulas(potentials.Formulas{Dim: 1, Loss: "(x^2-1)^2/4", Diffusion: "1 + 0.5*sin(2*x)"})
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := fokkerplanck.NewGrid(potentials.NewBox(-2.5, 2.5), []int{395}, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	op, err := fokkerplanck.NewOperator(context.Background(), m, T, g)
	if err != nil {
		fmt.Println(err)
		return
	}
	mask := make([]bool, g.Len())
	for i := range mask {
		mask[i] = g.Coord(0, i) >= 1-1e-9
	}
	target, err := g.NodeSet(mask, "x >= 1")
	if err != nil {
		fmt.Println(err)
		return
	}
	mf, err := op.MeanFirstPassage(context.Background(), target, fokkerplanck.BackwardOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	tau, err := mf.At([]float64{-1})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The quadrature by the trapezoid rule on 210,000 panels of [-2.5, 1]:
	// log psi, then I(y) = int_l^y dz / (T D psi), then tau(-1) =
	// int_-1^1 psi I.
	const k = 210000
	h := 3.5 / k
	x := func(i int) float64 { return -2.5 + float64(i)*h }
	d := func(x float64) float64 { return 1 + 0.5*math.Sin(2*x) }
	logPsi := func(x float64) float64 { return x * (x*x - 1) / (T * d(x)) } // (log psi)'
	psi, in := make([]float64, k+1), make([]float64, k+1)
	lp := 0.0
	for i := range psi {
		if i > 0 {
			lp += h / 2 * (logPsi(x(i-1)) + logPsi(x(i)))
		}
		psi[i] = math.Exp(lp)
		if i > 0 {
			in[i] = in[i-1] + h/2*(1/(T*d(x(i-1))*psi[i-1])+1/(T*d(x(i))*psi[i]))
		}
	}
	exact := 0.0
	for i := k * 3 / 7; i < k; i++ { // from x = -1 to 1
		exact += h / 2 * (psi[i]*in[i] + psi[i+1]*in[i+1])
	}
	fmt.Printf("grid %.3f, quadrature %.3f\n", tau, exact)
	// Output: grid 12.376, quadrature 12.376
}
