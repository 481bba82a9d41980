package experiment

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sgdsde/sgdsde/internal/datafile"
)

func TestEvolveRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		spec EvolveSpec
	}{
		{"gauss 2-D", EvolveSpec{Grid: GridSpec{Nodes: []int{24}}, Steps: 6, Every: 2}},
		{"uniform 1-D", EvolveSpec{Model: ModelSpec{Loss: "(x^2-1)^2/4", Dim: 1}, Grid: GridSpec{Nodes: []int{40}}, Steps: 5, Every: 3, Init: InitialDensity{Kind: InitUniform}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Evolve(context.Background(), c.spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Summary.MaxFreeEnergyIncrease > 1e-12 || !(res.Summary.FreeEnergy < res.Summary.FreeEnergyInitial) {
				t.Errorf("free energy %g -> %g, largest increase %g", res.Summary.FreeEnergyInitial, res.Summary.FreeEnergy, res.Summary.MaxFreeEnergyIncrease)
			}
			dir := t.TempDir()
			if err := res.Write(dir); err != nil {
				t.Fatal(err)
			}
			back, err := ReadEvolve(dir)
			if err != nil {
				t.Fatal(err)
			}
			if back.Grid.String() != res.Grid.String() {
				t.Errorf("grid %v, want %v", back.Grid, res.Grid)
			}
			back.Grid = res.Grid
			if !reflect.DeepEqual(back.Summary.Files, res.Summary.Files) {
				t.Errorf("files %v, want %v", back.Summary.Files, res.Summary.Files)
			}
			// The wall density and Peclet number are not written.
			back.Summary.SteadyWallRho, back.Summary.SteadyCellPeclet = res.Summary.SteadyWallRho, res.Summary.SteadyCellPeclet
			if !reflect.DeepEqual(back, res) {
				t.Errorf("read back differs:\n%+v\nwant\n%+v", back.Summary, res.Summary)
			}
			// The final density is an initial density of the same grid.
			spec := c.spec
			spec.Init = InitialDensity{Kind: InitRho, Name: "rho.npy"}
			if spec.Init.Rho, err = ReadGridField(filepath.Join(dir, "rho.npy"), GridShape(res.Grid)); err != nil {
				t.Fatal(err)
			}
			if _, err := spec.Plan(); err != nil {
				t.Errorf("rho.npy as the initial density: %v", err)
			}
		})
	}
}

func TestEvolvePlanErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.npy")
	if err := datafile.WriteNPY(bad, []float64{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadGridField(bad, []int{8, 8}); !errors.As(err, new(*FieldShapeError)) {
		t.Errorf("a file of another shape: %v, want a *FieldShapeError", err)
	}
	if _, err := ReadGridField(filepath.Join(dir, "none.npy"), []int{8}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no file: %v, want os.ErrNotExist", err)
	}
	cases := []struct {
		name string
		spec EvolveSpec
		want any
	}{
		{"dt", EvolveSpec{Dt: -1}, &ValueError{}},
		{"centre outside", EvolveSpec{Grid: GridSpec{Nodes: []int{16}}, Init: InitialDensity{Center: []float64{50, 0}}}, &OutsideBoxError{}},
		{"density of another size", EvolveSpec{Grid: GridSpec{Nodes: []int{16}}, Init: InitialDensity{Kind: InitRho, Rho: []float64{1}}}, nil},
	}
	for _, c := range cases {
		_, err := c.spec.Plan()
		if err == nil || (c.want != nil && reflect.TypeOf(err) != reflect.TypeOf(c.want)) {
			t.Errorf("%s: error %T (%v), want %T", c.name, err, err, c.want)
		}
	}
}
