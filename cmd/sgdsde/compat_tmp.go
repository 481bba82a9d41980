package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/fokkerplanck"
)

type minimumTrack = experiment.MinimumTrack

var trackMinima = experiment.TrackMinima

func (r *modelRun) steadyState(ctx context.Context, scheme fokkerplanck.Scheme, tol float64, command, out string) (*fokkerplanck.Operator, *fokkerplanck.Steady, float64, error) {
	op, took, err := experiment.Assemble(ctx, r.model, r.tinfo.Temperature, r.g, scheme)
	if err != nil {
		return nil, nil, 0, gridFailure(ctx, err, command, out, false)
	}
	st, err := op.SteadyState(ctx, fokkerplanck.SteadyOptions{Tol: tol})
	if err != nil {
		return nil, nil, 0, steadyFailure(ctx.Err(), err, command, out)
	}
	return op, st, took.Seconds(), nil
}

func eachTemperature(a *app, runs []modelRun, out string, one func(i int, dir string) error) ([]string, error) {
	dirs := make([]string, 0, len(runs))
	for i := range runs {
		dir := experiment.TemperatureDir(runs[i].tinfo.Temperature)
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		if err := one(i, filepath.Join(out, dir)); err != nil {
			return nil, err
		}
		dirs = append(dirs, dir)
	}
	return dirs, nil
}

func warnSteadyOld(a *app, st *fokkerplanck.Steady, T float64) {
	warnSteady(a, st.WallRho, st.CellPeclet, T)
}

func gridShape(g *fokkerplanck.Grid) []int { return experiment.GridShape(g) }
