package sde

import "fmt"

// DivergedError is a run in which every trajectory or chain diverged: left
// the bound or became non-finite.
type DivergedError struct {
	// Runs names what diverged: "trajectories" (Ensemble.Run) or "chains"
	// (SGDRun.SGD and SGDRun.SDE).
	Runs string
	// N is the number of trajectories or chains, all of which diverged.
	N int
	// Bound is the divergence bound.
	Bound float64
}

// Error words the error with what may help: a smaller time step for
// trajectories, a smaller learning rate for chains.
func (e *DivergedError) Error() string {
	advice := "a smaller time step"
	if e.Runs == "chains" {
		advice = "a smaller learning rate"
	}
	return fmt.Sprintf("all %d %s diverged (left the bound %g or became non-finite): try %s", e.N, e.Runs, e.Bound, advice)
}
