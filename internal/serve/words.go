package serve

import (
	"errors"
	"fmt"

	"github.com/sgdsde/sgdsde/fokkerplanck"
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

// escapeError words an error of the escape computation for the page, where
// the start is a click on the figure, the target the other basins (or one
// chosen basin) and the remedies the temperature and grid sliders: a
// target the process cannot reach, a start in the target or outside the
// box get one line each; a backward solve that does not converge is a
// failure of the computation (errSolve, answered 422). Other errors are
// returned as they are.
func escapeError(err error) error {
	var (
		ue *fokkerplanck.UnreachableError
		se *fokkerplanck.StartInTargetError
		oe *fokkerplanck.OutsideBoxError
		ne *fokkerplanck.BackwardNotConvergedError
	)
	switch {
	case errors.As(err, &ue):
		return fmt.Errorf("%s cannot be reached from %d grid nodes (the first at (%.3g, %.3g)): the jump rates towards it underflow there; raise the temperature T or the grid", ue.Target, ue.Nodes, ue.X[0], ue.X[1])
	case errors.As(err, &se):
		return fmt.Errorf("the start (%.4g, %.4g) lies in the target (%s): click in another basin", se.X[0], se.X[1], se.Target)
	case errors.As(err, &oe):
		return fmt.Errorf("the start (%.4g, %.4g) is outside the box: click inside the figure", oe.X[0], oe.X[1])
	case errors.As(err, &ne):
		return errSolve{fmt.Errorf("the mean first-passage time did not converge (relative residual %.3g after %d iterations on %d x %d nodes): try another grid or a higher temperature T", ne.Residual, ne.Iterations, ne.Nodes[0], ne.Nodes[1])}
	}
	return err
}
