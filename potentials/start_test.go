package potentials

import (
	"reflect"
	"testing"
)

func TestDefaultStart(t *testing.T) {
	cases := []struct {
		name string
		m    Model
		want []float64
	}{
		{"box containing (1, 0)", Model{Dim: 2, Box: NewBox(-2, 2, -1, 1)}, []float64{1, 0}},
		{"box not containing (1, 0): its centre", Model{Dim: 2, Box: NewBox(2, 4, -1, 3)}, []float64{3, 1}},
		{"1-D: the centre", Model{Dim: 1, Box: NewBox(-3, 1)}, []float64{-1}},
		{"2-D without a box", Model{Dim: 2}, []float64{1, 0}},
		{"1-D without a box: the origin", Model{Dim: 1}, []float64{0}},
	}
	for _, c := range cases {
		if x := c.m.DefaultStart(); !reflect.DeepEqual(x, c.want) {
			t.Errorf("%s: %v, want %v", c.name, x, c.want)
		}
	}
}

func TestFiniteSumStart(t *testing.T) {
	lin, err := NewFiniteSum("linreg", map[string]float64{"d": 3, "n": 10})
	if err != nil {
		t.Fatal(err)
	}
	if x := FiniteSumStart(lin, nil); !reflect.DeepEqual(x, []float64{0, 0, 0}) {
		t.Errorf("linreg: %v, want the origin", x)
	}
	params := map[string]float64{"hidden": 3, "n": 10, "seed": 4}
	mlp, err := NewFiniteSum("mlp", params)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, mlp.Dim())
	mlp.(*MLP).Init(want, 4)
	if x := FiniteSumStart(mlp, params); !reflect.DeepEqual(x, want) {
		t.Errorf("mlp: not its Init with seed 4")
	}
}
