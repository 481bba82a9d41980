package sde

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestDivergedError checks that a run in which everything diverges
// returns a *DivergedError that errors.As finds, with what diverged, how
// many and the bound, and a message that names no command-line flag.
func TestDivergedError(t *testing.T) {
	l := smallLinReg(t, 20)
	sgd := &SGDProblem{Model: l, LR: 50, Batch: 4, X0: []float64{0, 0}, Steps: 2000}
	for _, tc := range []struct {
		name string
		run  func() error
		want DivergedError
		text string
	}{
		{"ensemble", func() error {
			p := &Problem{Model: cubic(true), Temperature: 0.5, X0: []float64{5, 0}, Dt: 0.1, Steps: 100}
			_, err := (&Ensemble{N: 20, Seed: 1, Bound: 1e3}).Run(context.Background(), p)
			return err
		}, DivergedError{Runs: "trajectories", N: 20, Bound: 1e3},
			"all 20 trajectories diverged (left the bound 1000 or became non-finite): try a smaller time step"},
		{"ensemble general kernel", func() error {
			p := &Problem{Model: cubic(false), Temperature: 0.5, X0: []float64{5, 0}, Dt: 0.1, Steps: 100}
			_, err := (&Ensemble{N: 7, Seed: 1}).Run(context.Background(), p)
			return err
		}, DivergedError{Runs: "trajectories", N: 7, Bound: 1e8},
			"all 7 trajectories diverged (left the bound 1e+08 or became non-finite): try a smaller time step"},
		{"sgd", func() error {
			_, err := (&SGDRun{N: 5}).SGD(context.Background(), sgd)
			return err
		}, DivergedError{Runs: "chains", N: 5, Bound: 1e8},
			"all 5 chains diverged (left the bound 1e+08 or became non-finite): try a smaller learning rate"},
		{"sgd sde", func() error {
			_, err := (&SGDRun{N: 3, Bound: 50}).SDE(context.Background(), sgd, NoiseExact)
			return err
		}, DivergedError{Runs: "chains", N: 3, Bound: 50},
			"all 3 chains diverged (left the bound 50 or became non-finite): try a smaller learning rate"},
	} {
		err := tc.run()
		var de *DivergedError
		if !errors.As(err, &de) {
			t.Errorf("%s: error %v (%T), want a *DivergedError", tc.name, err, err)
			continue
		}
		if *de != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, *de, tc.want)
		}
		if got := err.Error(); got != tc.text || strings.Contains(got, "--") {
			t.Errorf("%s: error %q, want %q (and no flag)", tc.name, got, tc.text)
		}
	}
}
