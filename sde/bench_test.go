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
