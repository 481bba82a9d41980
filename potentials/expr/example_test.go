package expr_test

import (
	"fmt"

	"github.com/sgdsde/sgdsde/potentials/expr"
)

func ExampleParse() {
	vars := []string{"x", "y"}
	f, err := expr.Parse("(x^2 - 1)^2/4 + a*y^2/2", vars, map[string]float64{"a": 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fx, fy := f.Deriv("x"), f.Deriv("y")
	fmt.Println("f     =", f)
	fmt.Println("df/dx =", fx)
	fmt.Println("df/dy =", fy)

	grad := fx.Compile()
	fmt.Println("df/dx(2, 0) =", grad(2, 0))

	_, err = expr.Parse("x*(1 + k)", vars, nil)
	fmt.Println(err)
	_, err = expr.Parse("sin(x))", vars, nil)
	fmt.Println(err)
	// Output:
	// f     = (x^2 - 1)^2/4 + a*y^2/2
	// df/dx = (x^2 - 1)*x
	// df/dy = a*y
	// df/dx(2, 0) = 6
	// column 8: missing parameter "k"
	// column 7: unexpected ")"
}
