package fokkerplanck_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
)

var nan = math.NaN()

// sameFloats reports whether a and b hold the same values, NaN equal to NaN.
func sameFloats(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool {
		return x == y || math.IsNaN(x) && math.IsNaN(y)
	})
}

func TestRegionMasks(t *testing.T) {
	for _, c := range []struct {
		name string
		rho  []float64
		frac float64
		want []bool
	}{
		{"half", []float64{1, 0.6, 0.5, 0.4, 0}, 0.5, []bool{true, true, false, false, false}},
		{"all zero", []float64{0, 0}, 0.5, []bool{false, false}},
		{"tiny fraction", []float64{1, 1e-7, 1e-5}, 1e-6, []bool{true, false, true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := fokkerplanck.RegionMask(c.rho, c.frac); !slices.Equal(got, c.want) {
				t.Errorf("RegionMask = %v, want %v", got, c.want)
			}
		})
	}
	for _, c := range []struct {
		name string
		phi  []float64
		T    float64
		want []bool
	}{
		// T ln 2 = 0.693: Phi - min Phi up to that is in.
		{"T = 1", []float64{0.5, 1, 1.1, nan, math.Inf(1)}, 1, []bool{true, true, true, false, false}},
		{"T = 0.5", []float64{0.5, 1, 1.2}, 0.5, []bool{true, false, false}},
		{"no temperature", []float64{7, nan, 1e9}, 0, []bool{true, false, true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := fokkerplanck.PhiRegionMask(c.phi, c.T, 0.5); !slices.Equal(got, c.want) {
				t.Errorf("PhiRegionMask = %v, want %v", got, c.want)
			}
		})
	}
}

func TestPhiMinusLoss(t *testing.T) {
	phi := []float64{0, 1, 3, nan}
	loss := []float64{2, 1, 2, 5}
	// phi - loss = -2, 0, 1, NaN
	for _, c := range []struct {
		a    fokkerplanck.Anchor
		in   []bool
		want []float64
	}{
		{fokkerplanck.AnchorMinPhi, nil, []float64{0, 2, 3, nan}},
		{fokkerplanck.AnchorMinLoss, nil, []float64{-2, 0, 1, nan}},
		{fokkerplanck.AnchorBest, nil, []float64{-1.5, 0.5, 1.5, nan}},
		{fokkerplanck.AnchorMinPhi, []bool{false, true, true, true}, []float64{nan, 0, 1, nan}},
		{fokkerplanck.AnchorBest, []bool{false, true, true, false}, []float64{nan, -0.5, 0.5, nan}},
	} {
		t.Run(fmt.Sprint(c.a, c.in), func(t *testing.T) {
			if got := fokkerplanck.PhiMinusLoss(phi, loss, c.in, c.a); !sameFloats(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestShiftBlankCap(t *testing.T) {
	u := []float64{3, nan, 1, 2}
	for _, c := range []struct {
		name      string
		got, want []float64
	}{
		{"ShiftMin", fokkerplanck.ShiftMin(u), []float64{2, nan, 0, 1}},
		{"Blank", fokkerplanck.Blank(u, []bool{true, true, false, true}), []float64{3, nan, nan, 2}},
		{"Blank nil", fokkerplanck.Blank(u, nil), u},
		{"Cap", fokkerplanck.Cap(u, 2), []float64{nan, nan, 1, 2}},
	} {
		if !sameFloats(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if u[0] != 3 {
		t.Errorf("input changed: %v", u)
	}
	if got := fokkerplanck.ArgMin([]float64{nan, 2, 1, 1}); got != 2 {
		t.Errorf("ArgMin = %d, want 2", got)
	}
	if got := fokkerplanck.ArgMin([]float64{nan}); got != -1 {
		t.Errorf("ArgMin of no finite value = %d, want -1", got)
	}
}

func TestCropAndRegionWindow(t *testing.T) {
	g, err := fokkerplanck.NewGrid(potentials.NewBox(0, 8, 0, 8), []int{8, 8}, false)
	if err != nil {
		t.Fatal(err)
	}
	z := make([]float64, g.Len())
	for i := range z {
		z[i] = float64(i)
	}
	c := g.Crop(z, fokkerplanck.Window{X0: 2, X1: 4, Y0: 6, Y1: 7})
	if want := []float64{2.5, 3.5}; !slices.Equal(c.X, want) {
		t.Errorf("crop x = %v, want %v", c.X, want)
	}
	if want := []float64{6.5}; !slices.Equal(c.Y, want) {
		t.Errorf("crop y = %v, want %v", c.Y, want)
	}
	if want := []float64{50, 51}; !slices.Equal(c.Z, want) {
		t.Errorf("crop z = %v, want %v", c.Z, want)
	}
	rho := make([]float64, g.Len())
	rho[3*8+2], rho[4*8+5] = 1, 0.5 // nodes (2, 3) and (5, 4)
	w, ok := g.RegionWindow(rho, 0.1)
	if want := (fokkerplanck.Window{X0: 2, X1: 6, Y0: 3, Y1: 5}); !ok || w != want {
		t.Errorf("RegionWindow = %v %v, want %v", w, ok, want)
	}
	if _, ok := g.RegionWindow(make([]float64, g.Len()), 0.1); ok {
		t.Error("RegionWindow of rho = 0 is ok")
	}
}

func TestSampleDensity(t *testing.T) {
	g, err := fokkerplanck.NewGrid(potentials.NewBox(0, 8, 0, 4), []int{8, 8}, false)
	if err != nil {
		t.Fatal(err)
	}
	rho := make([]float64, g.Len())
	rho[1*8+3] = 1 // the cell [3, 4] x [0.5, 1] holds everything
	pts := fokkerplanck.SampleDensity(g, rho, 50, rand.New(rand.NewPCG(1, 2)))
	if len(pts) != 100 {
		t.Fatalf("%d values for 50 points in 2-D", len(pts))
	}
	for i := 0; i < len(pts); i += 2 {
		if pts[i] < 3 || pts[i] > 4 || pts[i+1] < 0.5 || pts[i+1] > 1 {
			t.Fatalf("point (%g, %g) outside the only cell with mass", pts[i], pts[i+1])
		}
	}
	if got := fokkerplanck.SampleDensity(g, rho, 0, rand.New(rand.NewPCG(1, 2))); got == nil || len(got) != 0 {
		t.Errorf("no points = %v, want an empty non-nil slice", got)
	}
}

func TestSuggestStepAndSeeds(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		set   map[string]float64
		T     float64
		seeds int
	}{
		{"quadratic", nil, 0.5, 3},
		{"double-well", nil, 0.3, 6},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := potentials.New(c.name, c.set)
			if err != nil {
				t.Fatal(err)
			}
			m.Box = m.DefaultBox(c.T)
			g, err := fokkerplanck.NewGrid(m.Box, fokkerplanck.SquareCells(m.Box, 48), false)
			if err != nil {
				t.Fatal(err)
			}
			op, err := fokkerplanck.NewOperator(ctx, m, c.T, g)
			if err != nil {
				t.Fatal(err)
			}
			st, err := op.SteadyState(ctx, fokkerplanck.SteadyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			h := fokkerplanck.SuggestStep(m, g, st.Rho, 1e-4)
			if !(h >= fokkerplanck.MinSuggestedStep && h <= fokkerplanck.MaxSuggestedStep) {
				t.Errorf("step %g outside [%g, %g]", h, fokkerplanck.MinSuggestedStep, fokkerplanck.MaxSuggestedStep)
			}
			levels := fokkerplanck.SigmaLevels(c.T, 1, 2, 3)
			seeds := fokkerplanck.LevelSeeds(g, st, levels, 0)
			if len(seeds) != c.seeds {
				t.Fatalf("%d seeds, want %d: %v", len(seeds), c.seeds, seeds)
			}
			for k, s := range seeds {
				p := st.Phi[g.Nearest(s[:])]
				// The first node at or above the level: above it by less
				// than a step of the ray.
				if lv := levels[k%3]; p < lv || p > lv+1 {
					t.Errorf("seed %d at %v: Phi = %g for the level %g", k, s, p, lv)
				}
			}
		})
	}
}
