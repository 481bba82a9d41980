package plots_test

import (
	"fmt"
	"os"
	"path/filepath"

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

// The figure of a comparison drawn from values in memory, no files read:
// the marginal of x on four bins, ensemble against grid.
func ExampleDrawComparison() {
	dir, err := os.MkdirTemp("", "compare")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	c := &plots.Comparison{Temperature: 0.5, Marginals: []plots.Marginal{{
		Label:    "x",
		Edges:    []float64{-2, -1, 0, 1, 2},
		Ensemble: []float64{0.1, 0.42, 0.38, 0.1},
		Grid:     []float64{0.1, 0.4, 0.4, 0.1},
	}}}
	files, err := plots.DrawComparison(c, dir, plots.FigureOptions{Format: "svg"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	// Output: compare_marginals.svg
}
