package experiment

import (
	"errors"
	"math"
	"testing"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
)

func TestModelSpecBuild(t *testing.T) {
	cases := []struct {
		name    string
		spec    ModelSpec
		model   string
		dim     int
		errType any
	}{
		{"zero value", ModelSpec{}, DefaultLandscape, 2, nil},
		{"landscape", ModelSpec{Landscape: "gyrator", Params: map[string]float64{"d12": 0.5}}, "gyrator", 2, nil},
		{"formula 1-D", ModelSpec{Loss: "x^2", Dim: 1}, "formula", 1, nil},
		{"formula default dim", ModelSpec{Loss: "x^2 + y^2"}, "formula", 2, nil},
		{"gibbs", ModelSpec{Loss: "x^2 + y^2", Diffusion: "1 + x^2", DriftKind: DriftGibbs}, "", 2, nil},
		{"landscape and formula", ModelSpec{Landscape: "gyrator", Loss: "x^2"}, "", 0, &SpecError{}},
		{"formula dim 3", ModelSpec{Loss: "x^2", Dim: 3}, "", 0, &SpecError{}},
		{"landscape dim", ModelSpec{Landscape: "gyrator", Dim: 1}, "", 0, &SpecError{}},
		{"unknown landscape", ModelSpec{Landscape: "nope"}, "", 0, &ModelError{}},
		{"unknown parameter", ModelSpec{Params: map[string]float64{"zz": 1}}, "", 0, &ModelError{}},
		{"gibbs without loss", ModelSpec{Drift: "-x; -y", DriftKind: DriftGibbs}, "", 0, &GibbsError{}},
		{"bad drift kind", ModelSpec{DriftKind: 7}, "", 0, &ValueError{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, info, err := c.spec.Build(0.5)
			if c.errType != nil {
				if err == nil {
					t.Fatalf("no error, want %T", c.errType)
				}
				ok := false
				switch c.errType.(type) {
				case *SpecError:
					var e *SpecError
					ok = errors.As(err, &e)
				case *ModelError:
					var e *ModelError
					ok = errors.As(err, &e)
				case *GibbsError:
					var e *GibbsError
					ok = errors.As(err, &e)
				case *ValueError:
					var e *ValueError
					ok = errors.As(err, &e)
				}
				if !ok {
					t.Fatalf("error %T (%v), want %T", err, err, c.errType)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Dim != c.dim || info.Dim != c.dim || (c.model != "" && info.Name != c.model) {
				t.Errorf("model %q dim %d (info %+v), want %q dim %d", m.Name, m.Dim, info, c.model, c.dim)
			}
			if info.DriftKind != c.spec.DriftKind.String() {
				t.Errorf("drift kind %q, want %q", info.DriftKind, c.spec.DriftKind)
			}
		})
	}
}

func TestTemperatureSpecResolve(t *testing.T) {
	cases := []struct {
		spec TemperatureSpec
		T    float64
		from string
		err  bool
	}{
		{TemperatureSpec{}, DefaultTemperature, TemperatureFromDefault, false},
		{TemperatureSpec{T: 0.2}, 0.2, TemperatureFromT, false},
		{TemperatureSpec{T: -1}, 0, "", true},
		{TemperatureSpec{T: math.Inf(1)}, 0, "", true},
		{TemperatureSpec{LR: 0.1, Batch: 10}, 0.005, TemperatureFromSGD, false},
		// Batches of b distinct samples: covariance D (N - b)/(b (N - 1)).
		{TemperatureSpec{LR: 0.1, Batch: 10, Samples: 20, WithoutReplacement: true}, 0.1 * 10 / (2 * 10 * 19), TemperatureFromSGD, false},
		{TemperatureSpec{LR: 0.1, Batch: 0}, 0, "", true},
		{TemperatureSpec{LR: 0.1, Batch: 10, Samples: 5, WithoutReplacement: true}, 0, "", true},
		{TemperatureSpec{T: 0.2, LR: 0.1, Batch: 10}, 0, "", true},
	}
	for _, c := range cases {
		info, err := c.spec.Resolve()
		if c.err {
			var te *TemperatureError
			if !errors.As(err, &te) {
				t.Errorf("%+v: error %v, want a *TemperatureError", c.spec, err)
			}
			continue
		}
		if err != nil || info.Temperature != c.T || info.From != c.from {
			t.Errorf("%+v: %+v, %v; want T = %v from %q", c.spec, info, err, c.T, c.from)
		}
	}
}

func TestGridSpecBuild(t *testing.T) {
	gyr, err := potentials.New("gyrator", nil)
	if err != nil {
		t.Fatal(err)
	}
	f1, err := potentials.FromFormulas(potentials.Formulas{Dim: 1, Loss: "x^2"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		spec  GridSpec
		m     potentials.Model
		nodes []int
		err   bool
	}{
		{"default 2-D", GridSpec{}, gyr, []int{DefaultGrid2D, DefaultGrid2D}, false},
		{"square", GridSpec{Nodes: []int{64}}, gyr, []int{64, 64}, false},
		{"rectangle", GridSpec{Nodes: []int{64, 32}, Box: potentials.NewBox(-1, 1, -2, 2)}, gyr, []int{64, 32}, false},
		{"default 1-D", GridSpec{Box: potentials.NewBox(-3, 3)}, f1, []int{DefaultGrid1D}, false},
		{"too small", GridSpec{Nodes: []int{fokkerplanck.MinNodes - 1}}, gyr, nil, true},
		{"too many axes", GridSpec{Nodes: []int{64, 64}, Box: potentials.NewBox(-3, 3)}, f1, nil, true},
		{"tolerance", GridSpec{Tol: 2}, gyr, nil, true},
	}
	for _, c := range cases {
		g, info, err := c.spec.Build(c.m, 0.5)
		if c.err {
			if err == nil {
				t.Errorf("%s: no error", c.name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(info.Grid) != len(c.nodes) || info.Grid[0] != c.nodes[0] || info.Grid[len(c.nodes)-1] != c.nodes[len(c.nodes)-1] || g.Len() != prod(c.nodes) {
			t.Errorf("%s: grid %v (%d nodes), want %v", c.name, info.Grid, g.Len(), c.nodes)
		}
		if info.Tol != DefaultTol || info.Scheme != "symmetric" {
			t.Errorf("%s: info %+v", c.name, info)
		}
	}
	// The default box is the model's box at T: the gyrator's scales as
	// sqrt(T) (6 standard deviations).
	_, a, _ := GridSpec{}.Build(gyr, 0.5)
	_, b, _ := GridSpec{}.Build(gyr, 2)
	if r := b.Box[0][1] / a.Box[0][1]; math.Abs(r-2) > 1e-12 {
		t.Errorf("box at T = 2 over box at T = 0.5: %v, want 2", r)
	}
}

func TestCheckGridMemory(t *testing.T) {
	saved := AvailableMemory
	defer func() { AvailableMemory = saved }()
	AvailableMemory = func() (int64, bool) { return 1e9, true }
	var me *MemoryError
	if err := CheckGridMemory([]int{4000, 4000}); !errors.As(err, &me) || me.Avail != 1e9 || me.MaxPerAxis < 100 {
		t.Errorf("4000^2 with 1 GB: %v", err)
	}
	if err := CheckGridMemory([]int{64, 64}); err != nil {
		t.Errorf("64^2 with 1 GB: %v", err)
	}
	AvailableMemory = func() (int64, bool) { return 0, false }
	if err := CheckGridMemory([]int{100000, 100000}); !errors.As(err, &me) || me.MaxNodes != MaxGridNodes {
		t.Errorf("1e10 nodes: %v", err)
	}
}

func prod(n []int) int {
	p := 1
	for _, v := range n {
		p *= v
	}
	return p
}
