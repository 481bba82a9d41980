package sde

import (
	"fmt"
	"math"

	"github.com/sgdsde/sgdsde/potentials"
)

// Problem is the Ito SDE dX = b(X) dt + sqrt(2 T D(X)) dW of a model at
// temperature T, started at X0 and integrated with step Dt for BurnIn
// steps that are discarded and then Steps steps that are recorded and
// averaged.
type Problem struct {
	Model       potentials.Model
	Temperature float64
	X0          []float64
	Dt          float64
	Steps       int
	BurnIn      int
}

// Validate checks the problem before any work is done: a valid model, T > 0,
// dt > 0, steps > 0, burn-in >= 0 (steps + burn-in within an int), x0 of
// the model's dimension and finite, the model finite at x0 (loss, gradient,
// drift, diffusion and its divergence: see potentials.Model.CheckFinite) and
// D(x0) symmetric positive semi-definite.
func (p *Problem) Validate() error {
	if err := p.Model.Validate(); err != nil {
		return err
	}
	if !(p.Temperature > 0) || math.IsInf(p.Temperature, 0) {
		return fmt.Errorf("temperature must be positive and finite, got %g", p.Temperature)
	}
	if !(p.Dt > 0) || math.IsInf(p.Dt, 0) {
		return fmt.Errorf("time step dt must be positive and finite, got %g", p.Dt)
	}
	if p.Steps < 1 {
		return fmt.Errorf("steps must be at least 1, got %d", p.Steps)
	}
	if p.BurnIn < 0 {
		return fmt.Errorf("burn-in must be non-negative, got %d", p.BurnIn)
	}
	if p.BurnIn > math.MaxInt-p.Steps {
		return fmt.Errorf("%d steps plus %d burn-in steps overflow an int", p.Steps, p.BurnIn)
	}
	if len(p.X0) != p.Model.Dim {
		return fmt.Errorf("x0 has %d coordinates, the model has dimension %d", len(p.X0), p.Model.Dim)
	}
	for _, v := range p.X0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("x0 must be finite, got %v", p.X0)
		}
	}
	if err := p.Model.CheckFinite(p.X0); err != nil {
		return fmt.Errorf("at x0: %w", err)
	}
	if err := p.Model.CheckDiffusion(p.X0); err != nil {
		return fmt.Errorf("at x0: %w", err)
	}
	return nil
}
