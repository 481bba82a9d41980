package experiment_test

import (
	"fmt"

	"github.com/sgdsde/sgdsde/experiment"
)

// A study's inputs: the gyrator at the temperature of SGD with learning
// rate 0.1 and batch 10, on a 64 x 64 grid over the gyrator's default box.
func ExampleModelSpec_Build() {
	tinfo, err := experiment.TemperatureSpec{LR: 0.1, Batch: 10}.Resolve()
	if err != nil {
		fmt.Println(err)
		return
	}
	m, info, err := experiment.ModelSpec{Landscape: "gyrator"}.Build(tinfo.Temperature)
	if err != nil {
		fmt.Println(err)
		return
	}
	g, ginfo, err := experiment.GridSpec{Nodes: []int{64}}.Build(m, tinfo.Temperature)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s (%d-D) at T = %g (%s) on %v nodes, %d in all\n", info.Name, info.Dim, tinfo.Temperature, tinfo.Source(), ginfo.Grid, g.Len())
	// Output:
	// gyrator (2-D) at T = 0.005 (lr 0.1, batch 10) on [64 64] nodes, 4096 in all
}
