package experiment_test

import (
	"os"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
)

// The report 'sgdsde evolve' prints, of an evolution of the double well
// on a 1-D grid from the uniform density.
func ExampleEvolveResult_Report() {
	g, err := fokkerplanck.NewGrid(potentials.NewBox(-2, 2), []int{64}, false)
	if err != nil {
		panic(err)
	}
	res := &experiment.EvolveResult{Grid: g, Summary: experiment.EvolveSummary{
		ModelInfo:       experiment.ModelInfo{Name: "formula", Dim: 1, DriftKind: "sgd"},
		TemperatureInfo: experiment.TemperatureInfo{Temperature: 0.5, From: experiment.TemperatureFromDefault},
		GridInfo:        experiment.GridInfo{Grid: []int{64}, Box: [][2]float64{{-2, 2}}, Scheme: "symmetric", Tol: 1e-10},
		Dt:              0.01, Steps: 10, Every: 5, Init: "uniform",
		FreeEnergyInitial: 0.31, FreeEnergy: 0.12, MaxFreeEnergyIncrease: -0.004,
		MassMin: 1, MassMax: 1, MinRho: 0.002,
		Iterations: 30, SolveSeconds: 0.002,
		SteadyRelativeResidual: 1e-12, SteadyResidual: 3e-11, SteadyIterations: 12, SteadySolveSeconds: 0.001, AssembleSeconds: 0.0001,
		Files: []string{"summary.json", "free_energy.csv", "snapshots.npy", "snapshot_times.npy", "rho.npy", "rho_ss.npy", "x.npy"},
	}}
	if err := res.Report(os.Stdout, "out/evolve1d"); err != nil {
		panic(err)
	}
	// Output:
	// model              formula (1-D), drift sgd, T = 0.5 (default)
	// grid               64 nodes on [-2, 2], zero-flux walls, scheme symmetric
	// initial density    uniform
	// steady state       relative residual 1e-12 (tolerance 1e-10, ||L p||_1 = 3e-11), 12 iterations, 0.001 s (assembly 0.0001 s)
	// evolution          10 steps of dt = 0.01 (time 0.1), 30 iterations, 0.002 s
	// free energy        0.31 -> 0.12 (largest one-step change -0.004)
	// mass               1 .. 1, min rho 0.002
	// output             out/evolve1d (summary.json, free_energy.csv, snapshots.npy, snapshot_times.npy, rho.npy, rho_ss.npy, x.npy)
}
