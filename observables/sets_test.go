package observables

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// TestObserveSets checks that ObserveSets gives, for each set, what
// Observe gives on it alone, whatever the number of workers and whether the
// gradient norms are given, and that an error names its set.
func TestObserveSets(t *testing.T) {
	fs, err := potentials.NewMLP(30, 20, 2, 1.5, 0.1, 3) // d = 102 > MaxFullArea, d > N: the Gram route
	if err != nil {
		t.Fatal(err)
	}
	d := fs.Dim()
	rng := rand.New(rand.NewPCG(5, 6))
	walk := func(K, L int) *Traj {
		data := make([]float64, K*L*d)
		for c := 0; c < K; c++ {
			for i := 0; i < L*d; i++ {
				v := 0.05 * rng.NormFloat64()
				if i >= d {
					v += 0.9 * data[c*L*d+i-d]
				}
				data[c*L*d+i] = v
			}
		}
		return &Traj{Chains: K, Len: L, Dim: d, Data: data}
	}
	trs := []*Traj{walk(3, 40), walk(2, 60)}
	o := Options{GradTimes: 7, Components: 4}
	want := make([]*Observables, len(trs))
	for i, tr := range trs {
		if want[i], err = Observe(fs, tr, o); err != nil {
			t.Fatal(err)
		}
	}
	gn0, err := GradientNorms(fs, trs[0], 7, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		workers int
		norms   []*GradNorm
	}{
		{"workers=1", 1, nil},
		{"workers=3", 3, nil},
		{"given norms", 2, []*GradNorm{gn0, nil}},
	} {
		t.Run(c.name, func(t *testing.T) {
			oc := o
			oc.Workers = c.workers
			got, err := ObserveSets(fs, trs, oc, c.norms)
			if err != nil {
				t.Fatal(err)
			}
			for i := range trs {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("set %d differs from Observe on it alone", i)
				}
			}
		})
	}
	bad := Options{DTimes: []int{0, 59}} // time 59 is beyond the first set's 40 states
	_, err = ObserveSets(fs, trs, bad, nil)
	var se *SetError
	if !errors.As(err, &se) || se.Set != 0 {
		t.Errorf("error %v, want a *SetError of set 0", err)
	}
}
