package potentials_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/sgdsde/sgdsde/potentials"
)

// New builds a landscape by name; the map overrides default parameters.
func ExampleNew() {
	m, err := potentials.New("double-well", map[string]float64{"c": 0.2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Formula)
	bx, by := m.Drift2(2, 1)
	dxx, dxy, dyy := m.Diffusion2(2, 1)
	fmt.Printf("b(2, 1) = (%g, %g)\n", bx, by)
	fmt.Printf("D(2, 1) = [[%g, %g], [%g, %g]]\n", dxx, dxy, dxy, dyy)

	_, err = potentials.New("double-well", map[string]float64{"beta": 2})
	fmt.Println(err)
	// Output:
	// f = (x^2 - 1)^2/4 + y^2/2; b = -grad f; D = [[1 + 0.5 x^2, 0.2], [0.2, 1 + 0.5 y^2]]
	// b(2, 1) = (-6, -1)
	// D(2, 1) = [[3, 0.2], [0.2, 1.5]]
	// landscape "double-well" has no parameter "beta" (parameters: noise, c, s)
}

// Landscapes lists the built-in landscapes with their parameters and defaults.
func ExampleLandscapes() {
	for _, l := range potentials.Landscapes() {
		ps := make([]string, len(l.Params))
		for i, p := range l.Params {
			ps[i] = fmt.Sprintf("%s=%g", p.Name, p.Default)
		}
		fmt.Printf("%-13s %s\n", l.Name, strings.Join(ps, " "))
	}
	// Output:
	// double-well   noise=2 c=0.3 s=0.5
	// gyrator       a11=1 a12=0 a22=4 d11=1 d12=0.8 d22=1
	// muller-brown  scale=0.05 d11=1 d12=0.5 d22=1
	// paper-fig4    lambda=0.5
	// quadratic     a11=1 a12=0 a22=4 d11=1 d12=0 d22=1
	// rosenbrock    a=1 b=1 d11=1 d12=0.5 d22=1
	// sharp-flat    sharpness=10 c=1 eps=0.1 iso=0
	// three-hole    d11=1 d12=0.5 d22=1
}

// The stationary covariance of the Brownian gyrator (validation case 6).
func ExampleQuadratic_Covariance() {
	g := potentials.Quadratic{A11: 1, A22: 4, ConstDiffusion: potentials.ConstDiffusion{D11: 1, D12: 0.8, D22: 1}}
	s11, s12, s22, err := g.Covariance(0.5)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Sigma = [[%.4g, %.4g], [%.4g, %.4g]]\n", s11, s12, s12, s22)
	// Output:
	// Sigma = [[0.5, 0.16], [0.16, 0.125]]
}

// A landscape type can be used directly, without the registry.
func ExamplePaperFig4() {
	m := potentials.PaperFig4{Lambda: 1.5}.Model()
	bx, by := m.Drift2(1, 0)
	fmt.Printf("%s: b(1, 0) = (%.4f, %.4f), has loss: %v\n", m.Name, bx, by, m.Loss != nil)
	// Output:
	// paper-fig4: b(1, 0) = (0.0000, 1.1682), has loss: false
}
