package gallery_test

import (
	"fmt"

	"github.com/sgdsde/sgdsde/gallery"
)

// The scenarios of the gallery, in the order Run computes them: the ID is
// the anchor of each section of index.html.
func ExampleScenarios() {
	for i, sc := range gallery.Scenarios() {
		fmt.Printf("%d %-16s %s\n", i+1, sc.ID, sc.Name)
	}
	// Output:
	// 1 isotropic        isotropic noise
	// 2 gyrator          constant anisotropic noise
	// 3 state-dependent  state-dependent noise
	// 4 paper-fig4       paper Fig. 4
	// 5 free-energy      free energy
	// 6 sweep            parameter sweep
	// 7 which-minimum    which minimum
	// 8 fashion-mnist    Fashion-MNIST
}
