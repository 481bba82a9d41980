package sde

import (
	"fmt"
	"math"
)

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

// StartInTargetError is a FirstPassage run whose start already lies in the
// target, so that every first-passage time would be 0.
type StartInTargetError struct {
	// X0 is the start.
	X0 []float64
	// Distance is the target's signed distance at X0 (<= 0), NaN for a
	// target without a distance.
	Distance float64
}

// Error names the start and its distance to the target.
func (e *StartInTargetError) Error() string {
	if math.IsNaN(e.Distance) {
		return fmt.Sprintf("the start x0 = %v lies in the target", e.X0)
	}
	return fmt.Sprintf("the start x0 = %v lies in the target (signed distance %.6g)", e.X0, e.Distance)
}
