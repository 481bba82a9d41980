package experiment

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// The report of an evolution read back is the report of the evolution.
func TestEvolveReportRoundTrip(t *testing.T) {
	res, err := Evolve(context.Background(), EvolveSpec{Grid: GridSpec{Nodes: []int{24}}, Steps: 4, Every: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := res.Write(dir); err != nil {
		t.Fatal(err)
	}
	back, err := ReadEvolve(dir)
	if err != nil {
		t.Fatal(err)
	}
	var want, got strings.Builder
	if err := res.Report(&want, dir); err != nil {
		t.Fatal(err)
	}
	if err := back.Report(&got, dir); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("report read back\n%s\nwant\n%s", got.String(), want.String())
	}
	if !strings.Contains(want.String(), "initial density    Gaussian at (1, 0), width 0.2\n") {
		t.Errorf("report\n%s", want.String())
	}
	if res.Summary.FreeEnergyRose() {
		t.Errorf("free energy rose by %g", res.Summary.MaxFreeEnergyIncrease)
	}
	s := EvolveSummary{FreeEnergyInitial: 1, MaxFreeEnergyIncrease: 1e-9}
	if !s.FreeEnergyRose() {
		t.Errorf("a rise of 1e-9 of F = 1 is not round-off")
	}
}

func TestNewInitialDensity(t *testing.T) {
	res, err := Evolve(context.Background(), EvolveSpec{Grid: GridSpec{Nodes: []int{16}}, Steps: 1, Every: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := res.Grid
	d, err := NewInitialDensity("gauss", nil, 0.3, g)
	if err != nil || d.Kind != InitGauss || d.Width != 0.3 {
		t.Errorf("gauss: %+v, %v", d, err)
	}
	if d, err := NewInitialDensity("uniform", nil, 0.2, g); err != nil || d.Kind != InitUniform {
		t.Errorf("uniform: %+v, %v", d, err)
	}
	var ob *OutsideBoxError
	if _, err := NewInitialDensity("gauss", []float64{1e9, 0}, 0.2, g); !errors.As(err, &ob) {
		t.Errorf("centre outside: %v", err)
	}
	var fe *InitFileError
	if _, err := NewInitialDensity(t.TempDir()+"/nope.npy", nil, 0.2, g); !errors.As(err, &fe) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	dir := t.TempDir()
	if err := res.Write(dir); err != nil {
		t.Fatal(err)
	}
	if d, err := NewInitialDensity(dir+"/rho.npy", nil, 0.2, g); err != nil || d.Kind != InitRho || len(d.Rho) != g.Len() {
		t.Errorf("file: %v", err)
	}
}
