package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/sgdsde/sgdsde/internal/output"
	"os"
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

// writeFields writes, in the order of names, each name found in axes (a
// 1-D array) or in fields (an array of the given shape), and removes the
// names found in neither. It returns the names written.
func writeFields(dir string, names []string, axes, fields map[string][]float64, shape []int) ([]string, error) {
	var written []string
	for _, name := range names {
		path := filepath.Join(dir, name)
		var err error
		if v, ok := axes[name]; ok {
			err = output.WriteNPY(path, v)
		} else if v, ok := fields[name]; ok {
			err = output.WriteNPY(path, v, shape...)
		} else {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, failureErrorf("remove stale %s: %v", path, err)
			}
			continue
		}
		if err != nil {
			return nil, failureErrorf("%v", err)
		}
		written = append(written, name)
	}
	return written, nil
}
