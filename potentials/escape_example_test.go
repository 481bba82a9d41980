package potentials_test

import (
	"fmt"
	"log"

	"github.com/sgdsde/sgdsde/potentials"
)

// The transition between the flat and the sharp minimum of the sharp-flat
// landscape, and the Eyring–Kramers times of the escapes from each under
// the isotropic constant noise D = I (stationary density exp(-f/T)): with
// equal barriers, the flat minimum is left kappa times more slowly, as
// sqrt(det Hess f) of the minimum enters the prefactor. (The landscape's
// own SGD noise is not constant, so the formula does not apply to it.)
func ExampleEyringKramers() {
	w, err := potentials.NewSharpFlat(10, 1, 0.1, 0)
	if err != nil {
		log.Fatal(err)
	}
	tr, err := potentials.FindTransition(w.Potential(), []float64{-1.2, 0.3}, []float64{0.9, -0.2}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("flat minimum (%.4f, %.4f), sharp minimum (%.4f, %.4f), saddle (%.4f, %.4f)\n",
		tr.From.X[0], tr.From.X[1], tr.To.X[0], tr.To.X[1], tr.Saddle.X[0], tr.Saddle.X[1])
	fmt.Printf("Hessian eigenvalues: flat %.4f, sharp %.4f, saddle %.4f; barrier %.4f\n",
		tr.From.Eigenvalues, tr.To.Eigenvalues, tr.Saddle.Eigenvalues, tr.Barrier())
	flat, err := potentials.EyringKramers(tr.From, tr.Saddle, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	sharp, err := potentials.EyringKramers(tr.To, tr.Saddle, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	const T = 0.05
	fmt.Printf("T = %g: tau(flat -> sharp) = %.1f, tau(sharp -> flat) = %.2f, ratio %.4f\n",
		T, flat.Time(T), sharp.Time(T), flat.Time(T)/sharp.Time(T))
	// Output:
	// flat minimum (-1.0000, 0.0000), sharp minimum (1.0000, 0.0000), saddle (0.0000, 0.0000)
	// Hessian eigenvalues: flat [0.3162 0.6325], sharp [3.1623 6.3246], saddle [-1.0000 1.0000]; barrier 0.2500
	// T = 0.05: tau(flat -> sharp) = 2085.1, tau(sharp -> flat) = 208.51, ratio 10.0000
}

// The exact mean first-passage time of the 1-D double well U = (x^2 - 1)^2
// with D = 1, from the minimum -1 to the other minimum +1 (reflecting at
// -2.5, where exp(-U/T) is negligible), against the Eyring–Kramers time
// (2 pi / sqrt(8 * 4)) exp(1/T). From the saddle the time is about half:
// the process goes either way.
func ExampleFirstPassage1D() {
	U := potentials.Potential{
		Dim:  1,
		U:    func(x []float64) float64 { return (x[0]*x[0] - 1) * (x[0]*x[0] - 1) },
		Grad: func(dst, x []float64) { dst[0] = 4 * x[0] * (x[0]*x[0] - 1) },
	}
	m := potentials.Model{
		Name:      "quartic double well",
		Dim:       1,
		Drift:     func(dst, x []float64) { U.Grad(dst, x); dst[0] = -dst[0] },
		Diffusion: func(dst, x []float64) { dst[0] = 1 },
	}
	const T = 0.1
	f, err := potentials.FirstPassage1D(m, T, -2.5, 1, nil)
	if err != nil {
		log.Fatal(err)
	}
	tr, err := potentials.FindTransition(U, []float64{-1.2}, []float64{1.3}, nil)
	if err != nil {
		log.Fatal(err)
	}
	k, err := potentials.EyringKramers(tr.From, tr.Saddle, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("tau(-1) = %.2f, tau(0) = %.2f; Kramers %.2f (lambda_s = %.4f), ratio %.4f\n",
		f.At(-1), f.At(0), k.Time(T), k.Lambda, f.At(-1)/k.Time(T))
	// Output:
	// tau(-1) = 25527.09, tau(0) = 12764.42; Kramers 24465.25 (lambda_s = -4.0000), ratio 1.0434
}
