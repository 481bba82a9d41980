package experiment

// The human-readable report of an evolution ('sgdsde evolve' prints it).

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// Report writes the human-readable summary of the evolution, written to
// dir, to w: the model, the grid, the initial density, the steady state's
// solve, the evolution, the free energy, the mass and the files.
func (r *EvolveResult) Report(w io.Writer, dir string) error {
	var b strings.Builder
	s := &r.Summary
	fmt.Fprintf(&b, "model              %s (%d-D), drift %s, T = %.6g (%s)\n", s.Name, s.Dim, s.DriftKind, s.Temperature, s.Source())
	fmt.Fprintf(&b, "grid               %s, %s, scheme %s\n", r.Grid, boundaryName(s.Periodic), s.Scheme)
	init := s.Init
	if s.Center != nil {
		init = fmt.Sprintf("Gaussian at %s, width %g", vec(s.Center), s.Width)
	}
	fmt.Fprintf(&b, "initial density    %s\n", init)
	fmt.Fprintf(&b, "steady state       relative residual %.2g (tolerance %g, ||L p||_1 = %.2g), %d iterations, %.3g s (assembly %.3g s)\n",
		s.SteadyRelativeResidual, s.Tol, s.SteadyResidual, s.SteadyIterations, s.SteadySolveSeconds, s.AssembleSeconds)
	fmt.Fprintf(&b, "evolution          %d steps of dt = %g (time %g), %d iterations, %.3g s\n",
		s.Steps, s.Dt, float64(s.Steps)*s.Dt, s.Iterations, s.SolveSeconds)
	fmt.Fprintf(&b, "free energy        %.6g -> %.6g (largest one-step change %+.3g)\n", s.FreeEnergyInitial, s.FreeEnergy, s.MaxFreeEnergyIncrease)
	fmt.Fprintf(&b, "mass               %.15g .. %.15g, min rho %.3g\n", s.MassMin, s.MassMax, s.MinRho)
	fmt.Fprintf(&b, "output             %s (%s)\n", dir, strings.Join(s.Files, ", "))
	_, err := io.WriteString(w, b.String())
	return err
}

// FreeEnergyRose reports whether the free energy increased in one step by
// more than round-off (1e-12 |F(0)| + 1e-15): it never increases in exact
// arithmetic, so a rise means the steady state or the steps were not
// solved accurately enough (a smaller tolerance or time step helps).
func (s *EvolveSummary) FreeEnergyRose() bool {
	return s.MaxFreeEnergyIncrease > 1e-12*math.Abs(s.FreeEnergyInitial)+1e-15
}
