package serve

import (
	"errors"
	"fmt"

	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/potentials/expr"
	"github.com/sgdsde/sgdsde/sde"
)

// pageError words an error of the library for the page, where the
// formulas, the parameters and the particles' step are fields of a form:
// a formula error names its box ("loss: column 5: ..."), a missing
// parameter is given in the parameters box, and particles that all
// diverged call for a smaller dt. Other errors, and nil, are returned as
// they are.
func pageError(err error) error {
	var (
		fe *potentials.FormulaError
		de *sde.DivergedError
	)
	switch {
	case errors.As(err, &fe):
		var se *expr.SyntaxError
		var pe *expr.ParamError
		if errors.As(fe.Err, &se) && errors.As(fe.Err, &pe) {
			return fmt.Errorf("%s: column %d: missing parameter %q (give it in the parameters box, e.g. %s=VALUE)", fe.Field, se.Column, pe.Name, pe.Name)
		}
		return fmt.Errorf("%s: %v", fe.Field, fe.Err)
	case errors.Is(err, potentials.ErrNoLossOrDrift):
		return errors.New("a formula model needs a loss or a drift")
	case errors.As(err, &de):
		return fmt.Errorf("all %d particles diverged (left the bound %g or became non-finite): try a smaller dt", de.N, de.Bound)
	}
	return err
}
