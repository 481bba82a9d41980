package plots_test

import (
	"fmt"

	"github.com/sgdsde/sgdsde/plots"
	"gonum.org/v1/plot/plotter"
)

// A Field of 3 x 2 nodes is a plotter.GridXYZ: columns run along x, rows
// along y, and Z(c, r) is the value at (X(c), Y(r)).
func ExampleField() {
	f := plots.Field{
		Xs: []float64{0, 0.5, 1},
		Ys: []float64{-1, 1},
		Zs: []float64{1, 2, 3, 4, 5, 6}, // row y = -1, then row y = 1
	}
	var g plotter.GridXYZ = f
	c, r := g.Dims()
	fmt.Println(c, r)
	fmt.Println(g.X(2), g.Y(1), g.Z(2, 1))
	// Output:
	// 3 2
	// 1 1 6
}
