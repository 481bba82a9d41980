package experiment

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

func TestCyclesRoundTrip(t *testing.T) {
	for _, withPhi := range []bool{true, false} {
		spec := CyclesSpec{Model: ModelSpec{Landscape: "gyrator"}, Grid: GridSpec{Nodes: []int{32}}, Fields: OrbitsForce,
			Seeds: [][2]float64{{0.5, 0}}, WithPhi: withPhi}
		res, err := Cycles(context.Background(), spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Paths) != 1 || res.Summary.Seeds != SeedsGiven || res.Summary.Field != "force" {
			t.Fatalf("%d orbits, seeds %q, field %q", len(res.Paths), res.Summary.Seeds, res.Summary.Field)
		}
		dir := t.TempDir()
		if err := res.Write(dir); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCycles(dir)
		if err != nil {
			t.Fatal(err)
		}
		back.Summary.SteadyWallRho = res.Summary.SteadyWallRho
		if !reflect.DeepEqual(back.Summary, res.Summary) || !reflect.DeepEqual(back.Phi, res.Phi) || back.Grid.String() != res.Grid.String() {
			t.Errorf("withPhi %v: summary, Phi or grid differ after the round trip", withPhi)
		}
		// orbits.csv keeps 10 significant digits.
		for k, o := range res.Paths {
			b := back.Paths[k]
			if b.Field != o.Field || len(b.X) != len(o.X) {
				t.Fatalf("orbit %d: field %q with %d points, want %q with %d", k, b.Field, len(b.X), o.Field, len(o.X))
			}
			for i := range o.X {
				for _, p := range [][2]float64{{b.T[i], o.T[i]}, {b.X[i], o.X[i]}, {b.Y[i], o.Y[i]}, {b.Phi[i], o.Phi[i]}} {
					if math.Abs(p[0]-p[1]) > 1e-9*math.Max(1, math.Abs(p[1])) {
						t.Fatalf("orbit %d point %d: %v, want %v", k, i, p[0], p[1])
					}
				}
			}
		}
	}
}

func TestCyclesPlanErrors(t *testing.T) {
	cases := []struct {
		name string
		spec CyclesSpec
		want any
	}{
		{"1-D", CyclesSpec{Model: ModelSpec{Loss: "x^2", Dim: 1}, Grid: GridSpec{Box: potentialsBox(-3, 3)}}, &PlanarError{}},
		{"seed outside", CyclesSpec{Grid: GridSpec{Nodes: []int{16}}, Seeds: [][2]float64{{40, 0}}}, &OutsideBoxError{}},
		{"max time", CyclesSpec{MaxTime: -1}, &ValueError{}},
		{"selection", CyclesSpec{Fields: 9}, &ValueError{}},
	}
	for _, c := range cases {
		_, err := c.spec.Plan()
		if err == nil || reflect.TypeOf(err) != reflect.TypeOf(c.want) {
			t.Errorf("%s: error %T (%v), want %T", c.name, err, err, c.want)
		}
	}
}

func potentialsBox(b ...float64) potentials.Box { return potentials.NewBox(b...) }
