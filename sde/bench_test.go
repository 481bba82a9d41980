package sde

import (
	"context"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// benchEnsemble reports trajectory-steps per second ("steps/s") for an
// ensemble of 2000 trajectories of 1000 steps of the model.
func benchEnsemble(b *testing.B, m potentials.Model, workers int) {
	p := &Problem{Model: m, Temperature: 0.5, X0: []float64{1, 0}, Dt: 1e-3, Steps: 1000}
	e := &Ensemble{N: 2000, Seed: 1, Workers: workers}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Run(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
	steps := float64(b.N) * float64(e.N) * float64(p.Steps)
	b.ReportMetric(steps/b.Elapsed().Seconds()/1e6, "Msteps/s")
	b.ReportMetric(b.Elapsed().Seconds()/steps*1e9, "ns/step")
}

// doubleWellFormulas is the benchmark model of bench/numpy_em.py
// written as formulas.
var doubleWellFormulas = potentials.Formulas{
	Dim:       2,
	Loss:      "(x^2-1)^2/4 + y^2/2",
	Diffusion: "1+0.5*x^2, 0.3; 0.3, 1+0.5*y^2",
}

func BenchmarkEnsemble(b *testing.B) {
	goModel, err := potentials.New("double-well", nil)
	if err != nil {
		b.Fatal(err)
	}
	formula, err := potentials.FromFormulas(doubleWellFormulas)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		m       potentials.Model
		workers int
	}{
		{"go/workers=1", goModel, 1},
		{"go/workers=2", goModel, 2},
		{"formula/workers=1", formula, 1},
		{"formula/workers=2", formula, 2},
	} {
		b.Run(bc.name, func(b *testing.B) { benchEnsemble(b, bc.m, bc.workers) })
	}
}

// benchSGD reports chain-steps per second ("steps/s") and the time per
// chain-step of SGD (batch 32) or of the exact-noise SDE on the default mlp
// (H = 200, d = 1002 weights, N = 1000 samples): 4 chains of 200 steps.
func benchSGD(b *testing.B, sde bool, workers int) {
	fs, err := potentials.NewFiniteSum("mlp", nil)
	if err != nil {
		b.Fatal(err)
	}
	x0 := make([]float64, fs.Dim())
	fs.(*potentials.MLP).Init(x0, 1)
	p := &SGDProblem{Model: fs, LR: 0.1, Batch: 32, X0: x0, Steps: 200}
	r := &SGDRun{N: 4, Seed: 1, Workers: workers}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if sde {
			_, err = r.SDE(context.Background(), p, NoiseExact)
		} else {
			_, err = r.SGD(context.Background(), p)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	steps := float64(b.N) * float64(r.N) * float64(p.Steps)
	b.ReportMetric(steps/b.Elapsed().Seconds(), "steps/s")
	b.ReportMetric(b.Elapsed().Seconds()/steps*1e6, "µs/step")
}

func BenchmarkSGD(b *testing.B) {
	for _, bc := range []struct {
		name    string
		sde     bool
		workers int
	}{
		{"mlp/sgd-batch32/workers=1", false, 1},
		{"mlp/sgd-batch32/workers=2", false, 2},
		{"mlp/sde-exact/workers=1", true, 1},
		{"mlp/sde-exact/workers=2", true, 2},
	} {
		b.Run(bc.name, func(b *testing.B) { benchSGD(b, bc.sde, bc.workers) })
	}
}

// benchFirstPassage reports the trajectory-steps per second ("Msteps/s")
// of first-passage runs on the built-in double well (its default,
// state-dependent D) at T = 0.25, from the minimum (-1, 0) to the disc of
// radius 0.25 around the other minimum (1, 0): 200 trajectories with
// dt = 1e-3 and censoring at 200 (the MFPT is about 13, so about 13000
// steps per trajectory and none censored). Only the steps taken count.
func benchFirstPassage(b *testing.B, c Correction, workers int) {
	m, err := potentials.New("double-well", nil)
	if err != nil {
		b.Fatal(err)
	}
	p := &Problem{Model: m, Temperature: 0.25, X0: []float64{-1, 0}, Dt: 1e-3}
	target := Disc{Centre: []float64{1, 0}, Radius: 0.25}
	fp := &FirstPassage{N: 200, Seed: 1, Workers: workers, MaxTime: 200, Correction: c}
	var steps int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := fp.Run(context.Background(), p, target)
		if err != nil {
			b.Fatal(err)
		}
		steps += res.TrajectorySteps
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds()/1e6, "Msteps/s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(steps)*1e9, "ns/step")
}

func BenchmarkFirstPassage(b *testing.B) {
	for _, bc := range []struct {
		name    string
		c       Correction
		workers int
	}{
		{"double-well/bridge/workers=1", CorrectionBridge, 1},
		{"double-well/bridge/workers=2", CorrectionBridge, 2},
		{"double-well/none/workers=1", CorrectionNone, 1},
		{"double-well/none/workers=2", CorrectionNone, 2},
	} {
		b.Run(bc.name, func(b *testing.B) { benchFirstPassage(b, bc.c, bc.workers) })
	}
}
