package experiment

import (
	"errors"
	"reflect"
	"testing"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

func TestSetParam(t *testing.T) {
	fsum := func() *SimulateSpec { return &SimulateSpec{FiniteSum: &FiniteSumSpec{Model: "linreg"}} }
	for _, tc := range []struct {
		name        string
		study       Study
		param, val  string
		get         func(s Study) any
		want        any
		wantErr     bool
		notInStudy  bool
		temperature bool
	}{
		{"T", &SteadySpec{}, "temperature", "0.25", func(s Study) any { return s.(*SteadySpec).Temperature.T }, 0.25, false, false, false},
		{"T zero", &SteadySpec{}, "temperature", "0", nil, nil, true, false, true},
		{"T negative", &CompareSpec{}, "temperature", "-1", nil, nil, true, false, true},
		{"lr landscape", &SimulateSpec{}, "lr", "0.1", func(s Study) any { return s.(*SimulateSpec).Temperature.LR }, 0.1, false, false, false},
		{"lr finite sum", fsum(), "lr", "0.1", func(s Study) any { return s.(*SimulateSpec).FiniteSum.LR }, 0.1, false, false, false},
		{"batch sgd", &SGDSpec{}, "batch", "8", func(s Study) any { return s.(*SGDSpec).FiniteSum.Batch }, 8, false, false, false},
		{"grid", &SteadySpec{}, "grid", "48", func(s Study) any { return s.(*SteadySpec).Grid.Nodes }, []int{48}, false, false, false},
		{"box", &CyclesSpec{}, "box", "-1:1,-2:2", func(s Study) any { return s.(*CyclesSpec).Grid.Box }, potentials.NewBox(-1, 1, -2, 2), false, false, false},
		{"box empty range", &CyclesSpec{}, "box", "1:-1,-2:2", nil, nil, true, false, false},
		{"scheme", &CompareSpec{}, "scheme", "source", func(s Study) any { return s.(*CompareSpec).Grid.Scheme }, fokkerplanck.Source, false, false, false},
		{"seed compare", &CompareSpec{}, "seed", "7", func(s Study) any { return s.(*CompareSpec).Seed }, uint64(7), false, false, false},
		{"n simulate", &SimulateSpec{}, "n", "12", func(s Study) any { return s.(*SimulateSpec).N }, 12, false, false, false},
		{"dt finite sum", fsum(), "dt", "0.1", nil, nil, true, true, false},
		{"noise", fsum(), "noise", "isotropic", func(s Study) any { return s.(*SimulateSpec).Noise }, sde.NoiseIsotropic, false, false, false},
		{"noise landscape", &SimulateSpec{}, "noise", "isotropic", nil, nil, true, true, false},
		{"x0 sgd zeros", &SGDSpec{}, "x0", "zeros", func(s Study) any { return s.(*SGDSpec).FiniteSum.ZeroStart }, true, false, false, false},
		{"x0 compare", &CompareSpec{}, "x0", "1,-0.5", func(s Study) any { return s.(*CompareSpec).X0 }, []float64{1, -0.5}, false, false, false},
		{"field", &CyclesSpec{}, "field", "drift", func(s Study) any { return s.(*CyclesSpec).Fields }, OrbitsDrift, false, false, false},
		{"field bad", &CyclesSpec{}, "field", "spin", nil, nil, true, false, false},
		{"block steady", &SteadySpec{}, "block", "2", nil, nil, true, true, false},
		{"model param", &SteadySpec{}, "d12", "0.5", func(s Study) any { return s.(*SteadySpec).Model.Params["d12"] }, 0.5, false, false, false},
		{"finite-sum param", &SGDSpec{}, "hidden", "4", func(s Study) any { return s.(*SGDSpec).FiniteSum.Params["hidden"] }, 4.0, false, false, false},
		{"model param not a number", &SteadySpec{}, "d12", "x", nil, nil, true, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := SetParam(tc.study, tc.param, tc.val)
			if tc.wantErr {
				var pe *ParamError
				var te *TemperatureError
				switch {
				case err == nil:
					t.Fatalf("no error")
				case tc.temperature && !errors.As(err, &te):
					t.Errorf("error %v is not a *TemperatureError", err)
				case !tc.temperature && !errors.As(err, &pe):
					t.Errorf("error %v is not a *ParamError", err)
				case !tc.temperature && (pe.Name != tc.param || (pe.Err == nil) != tc.notInStudy):
					t.Errorf("error %#v: name %q, cause %v; want name %q, missing %v", pe, pe.Name, pe.Err, tc.param, tc.notInStudy)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.get(tc.study); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// A clone is deep: setting a parameter of the clone leaves the original
// as it was.
func TestStudyCloneIsDeep(t *testing.T) {
	orig := &SteadySpec{Model: ModelSpec{Landscape: "gyrator", Params: map[string]float64{"d12": 0.3}}, Grid: GridSpec{Nodes: []int{32}}}
	c := orig.Clone()
	for name, v := range map[string]string{"d12": "0.9", "grid": "64", "temperature": "2"} {
		if err := SetParam(c, name, v); err != nil {
			t.Fatal(err)
		}
	}
	if orig.Model.Params["d12"] != 0.3 || orig.Grid.Nodes[0] != 32 || orig.Temperature.T != 0 {
		t.Errorf("original changed: %+v", orig)
	}
	sgd := &SGDSpec{FiniteSum: FiniteSumSpec{Model: "linreg", Params: map[string]float64{"n": 20}, X0: []float64{1, 2}}}
	c = sgd.Clone()
	c.(*SGDSpec).FiniteSum.X0[0] = 9
	SetParam(c, "n", "50")
	if sgd.FiniteSum.X0[0] != 1 || sgd.FiniteSum.Params["n"] != 20 {
		t.Errorf("original changed: %+v", sgd.FiniteSum)
	}
}

// Params lists, per study, the parameters whose setters apply; every name
// of the table belongs to at least one study.
func TestParamsPerStudy(t *testing.T) {
	has := func(command, name string) bool {
		for _, p := range Params(command) {
			if p.Name == name {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		command, name string
		want          bool
	}{
		{"steady", "temperature", true}, {"steady", "grid", true}, {"steady", "n", false},
		{"simulate", "dt", true}, {"simulate", "grid", false}, {"compare", "block", true},
		{"cycles", "from", true}, {"sgd", "momentum", true}, {"sgd", "temperature", false},
		{"escape", "to", true}, {"escape", "method", true}, {"steady", "radius", false},
	} {
		if got := has(tc.command, tc.name); got != tc.want {
			t.Errorf("%s has %s: %v, want %v", tc.command, tc.name, got, tc.want)
		}
	}
	for _, p := range params {
		found := false
		for _, c := range StudyCommands() {
			found = found || has(c, p.Name)
		}
		if !found && p.Name != "noise" && p.Name != "noise-scale" && p.Name != "model" {
			t.Errorf("parameter %s belongs to no study", p.Name)
		}
	}
}
