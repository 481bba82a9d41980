package compare_test

import (
	"fmt"
	"math"

	"github.com/sgdsde/sgdsde/compare"
	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
)

// An ensemble of 1000 points against a grid density: the grid holds the
// standard normal density on 16 cells of [-4, 4], and the points are the
// normal quantiles x_k = F^-1((k + 1/2)/1000), F the normal CDF: the most
// even sample there is. On bins of two cells (width 1) their total
// variation distance is a quarter of the floor 0.025 that 1000 independent
// draws would reach on average; what is left is mostly the grid's midpoint
// rule (0.344 in each centre bin against the normal law's 0.341).
func ExampleNewHistogram() {
	g, err := fokkerplanck.NewGrid(potentials.NewBox(-4, 4), []int{16}, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	rho := make([]float64, g.Len())
	for i := range rho {
		x := g.Coord(0, i)
		rho[i] = math.Exp(-x*x/2) / math.Sqrt(2*math.Pi)
	}
	p := compare.NodeProbabilities(g, rho)
	n := 1000
	samples := make([]float64, n)
	for k := range samples {
		u := (float64(k) + 0.5) / float64(n)
		samples[k] = math.Sqrt2 * math.Erfinv(2*u-1)
	}
	h := compare.NewHistogram(g, p, samples, []int{0}, 2, 0)
	fmt.Printf("%d bins of %d cells, edges %g to %g\n", h.Bins[0], h.Block, h.Edges[0][0], h.Edges[0][h.Bins[0]])
	fmt.Printf("centre bins: ensemble %.3f %.3f, grid %.3f %.3f\n", h.Ensemble[3], h.Ensemble[4], h.Grid[3], h.Grid[4])
	fmt.Printf("TV %.4f, floor %.4f\n", h.TV, h.TVFloor)
	// Output:
	// 8 bins of 2 cells, edges -4 to 4
	// centre bins: ensemble 0.341 0.341, grid 0.344 0.344
	// TV 0.0062, floor 0.0250
}

// The floor of the total variation distance in closed form: with two
// equally likely bins and n = 2 samples, the count of the first bin is 1
// with probability 1/2 (TV 0) and 0 or 2 otherwise (TV 1/2), so E TV =
// 1/4; the count's mean absolute deviation E|X - 1| is 1/2.
func ExampleTVFloor() {
	fmt.Printf("E|X - nq| = %.3f\n", compare.BinomialMAD(2, 0.5))
	fmt.Printf("E TV = %.3f\n", compare.TVFloor([]float64{0.5, 0.5}, 2))
	// Output:
	// E|X - nq| = 0.500
	// E TV = 0.250
}
