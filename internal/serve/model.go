package serve

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/potentials"
)

// formulaSpec is a formula model: the loss, the drift and the diffusion as
// formulas in x and y (see 'sgdsde landscapes'), and an optional box.
type formulaSpec struct {
	Loss      string    `json:"loss"`
	Drift     string    `json:"drift"`
	Diffusion string    `json:"diffusion"`
	Box       []float64 `json:"box"`
}

// anisotropy is a constant diffusion given by the ratio of its eigenvalues
// and the angle of its main axis.
type anisotropy struct {
	// Ratio is lambda_max / lambda_min >= 1.
	Ratio float64 `json:"ratio"`
	// Angle is the angle of the eigenvector of lambda_max with the x axis,
	// in degrees.
	Angle float64 `json:"angle"`
}

// modelSpec selects a model at a temperature: the part of a request that
// /api/solve and /api/particles share.
type modelSpec struct {
	// Client identifies the browser tab: a newer request of the same
	// client and kind cancels an older one still running.
	Client string `json:"client"`
	// Seq, if not 0, orders the requests of a client: one that arrives
	// after a request of the same client and kind with a larger Seq (an
	// aborted fetch can arrive late) is refused instead of cancelling it.
	Seq         uint64             `json:"seq"`
	Landscape   string             `json:"landscape"`
	Formula     *formulaSpec       `json:"formula"`
	Params      map[string]float64 `json:"params"`
	Temperature float64            `json:"temperature"`
	Anisotropy  *anisotropy        `json:"anisotropy"`
}

// Limits bound what one request may ask for.
type Limits struct {
	// GridMin and GridMax bound the nodes along the longer side of the box.
	GridMin int `json:"grid_min"`
	GridMax int `json:"grid_max"`
	// ParticlesMax bounds the particle cloud.
	ParticlesMax int `json:"particles_max"`
	// FormulaMax bounds the length of each formula, in bytes.
	FormulaMax int `json:"formula_max"`
	// TemperatureMin and TemperatureMax bound T.
	TemperatureMin float64 `json:"temperature_min"`
	TemperatureMax float64 `json:"temperature_max"`
	// RatioMax bounds the anisotropy ratio.
	RatioMax float64 `json:"ratio_max"`
}

// DefaultLimits are the limits of 'sgdsde serve' unless its flags change
// them.
var DefaultLimits = Limits{
	GridMin: 16, GridMax: 256, ParticlesMax: 2000, FormulaMax: 300,
	TemperatureMin: 0.01, TemperatureMax: 10, RatioMax: 20,
}

// Other bounds on a request.
const (
	maxParams    = 16         // parameters per request
	maxNameLen   = 32         // length of a parameter or landscape name
	maxClientLen = 64         // length of a client id
	maxBoxSide   = 1000       // side of a formula model's box
	maxBodyBytes = 256 << 10  // request body
	maxFrames    = 120        // frames per particle chunk
	maxSteps     = 200        // EM steps per frame
	maxDt        = 0.05       // EM step
	maxWork      = 10_000_000 // particle-steps per particle chunk
	defaultSteps = 10         // EM steps per frame
	defaultFrame = 30         // frames per particle chunk
	defaultSeed  = uint64(1)  // seed when a request gives none
	paramAbsMax  = 1e6        // magnitude of a parameter value
)

// hasConstantDiffusion reports whether a landscape's D is the constant
// matrix of its parameters d11, d12 and d22, which the anisotropy sliders
// set.
func hasConstantDiffusion(l potentials.Landscape) bool {
	n := 0
	for _, p := range l.Params {
		if p.Name == "d11" || p.Name == "d12" || p.Name == "d22" {
			n++
		}
	}
	return n == 3
}

// diffusionOf returns the constant D = R diag(l1, l2) R^T with
// l1 = 2 r / (1 + r), l2 = 2 / (1 + r) (trace 2, like the identity, so
// that T keeps its meaning) and R the rotation by the angle.
func (a anisotropy) diffusion() (d11, d12, d22 float64) {
	l1, l2 := 2*a.Ratio/(1+a.Ratio), 2/(1+a.Ratio)
	s, c := math.Sincos(a.Angle * math.Pi / 180)
	return l1*c*c + l2*s*s, (l1 - l2) * c * s, l1*s*s + l2*c*c
}

// finite reports whether v is a finite number.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// check validates the bounds of a model spec that need no model.
func (s *modelSpec) check(lim Limits) error {
	if len(s.Client) > maxClientLen {
		return fmt.Errorf("client id longer than %d bytes", maxClientLen)
	}
	if !finite(s.Temperature) || s.Temperature < lim.TemperatureMin || s.Temperature > lim.TemperatureMax {
		return fmt.Errorf("temperature %g: want %g <= T <= %g", s.Temperature, lim.TemperatureMin, lim.TemperatureMax)
	}
	if len(s.Params) > maxParams {
		return fmt.Errorf("%d parameters: at most %d", len(s.Params), maxParams)
	}
	for k, v := range s.Params {
		if len(k) > maxNameLen {
			return fmt.Errorf("parameter name longer than %d bytes", maxNameLen)
		}
		if !finite(v) || math.Abs(v) > paramAbsMax {
			return fmt.Errorf("parameter %s = %g: want a finite value of magnitude at most %g", k, v, paramAbsMax)
		}
	}
	if a := s.Anisotropy; a != nil {
		if !finite(a.Ratio) || a.Ratio < 1 || a.Ratio > lim.RatioMax {
			return fmt.Errorf("anisotropy ratio %g: want 1 <= ratio <= %g", a.Ratio, lim.RatioMax)
		}
		if !finite(a.Angle) || math.Abs(a.Angle) > 360 {
			return fmt.Errorf("anisotropy angle %g: want degrees in [-360, 360]", a.Angle)
		}
	}
	if f := s.Formula; f != nil {
		for _, e := range []struct{ name, text string }{{"loss", f.Loss}, {"drift", f.Drift}, {"diffusion", f.Diffusion}} {
			if len(e.text) > lim.FormulaMax {
				return fmt.Errorf("%s formula is %d bytes long: at most %d", e.name, len(e.text), lim.FormulaMax)
			}
		}
		if f.Box != nil {
			if len(f.Box) != 4 {
				return fmt.Errorf("box has %d numbers: want [xmin, xmax, ymin, ymax]", len(f.Box))
			}
			for a := 0; a < 2; a++ {
				lo, hi := f.Box[2*a], f.Box[2*a+1]
				if !finite(lo) || !finite(hi) || lo >= hi || hi-lo > maxBoxSide {
					return fmt.Errorf("box side [%g, %g]: want finite min < max, at most %g apart", lo, hi, float64(maxBoxSide))
				}
			}
		}
	} else if len(s.Landscape) > maxNameLen {
		return fmt.Errorf("landscape name longer than %d bytes", maxNameLen)
	}
	return nil
}

// isFormula reports whether the spec is a formula model.
func (s *modelSpec) isFormula() bool {
	return s.Formula != nil && (s.Formula.Loss != "" || s.Formula.Drift != "")
}

// build returns the model of the spec, built by experiment.ModelSpec (a
// 2-D formula model or a landscape) with the browser's box and
// anisotropy. Its errors are one line, fit to show to the user.
func (s *modelSpec) build(lim Limits) (potentials.Model, error) {
	if err := s.check(lim); err != nil {
		return potentials.Model{}, err
	}
	var m potentials.Model
	var err error
	if s.isFormula() {
		f := s.Formula
		diff := f.Diffusion
		if strings.TrimSpace(diff) == "" && s.Anisotropy != nil {
			d11, d12, d22 := s.Anisotropy.diffusion()
			g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
			diff = g(d11) + ", " + g(d12) + "; " + g(d12) + ", " + g(d22)
		}
		m, _, err = experiment.ModelSpec{Loss: f.Loss, Drift: f.Drift, Diffusion: diff, Dim: 2, Params: s.Params}.Build(s.Temperature)
		if err != nil {
			return potentials.Model{}, pageError(err)
		}
		if f.Box != nil {
			m.Box = potentials.NewBox(f.Box...)
		}
	} else {
		if s.Formula != nil && s.Formula.Diffusion != "" {
			return potentials.Model{}, fmt.Errorf("a formula model needs a loss or a drift")
		}
		l, ok := potentials.Lookup(s.Landscape)
		if !ok {
			_, err := potentials.New(s.Landscape, nil)
			return potentials.Model{}, err
		}
		set := make(map[string]float64, len(s.Params)+3)
		for k, v := range s.Params {
			set[k] = v
		}
		if s.Anisotropy != nil {
			if !hasConstantDiffusion(l) {
				return potentials.Model{}, fmt.Errorf("landscape %q has no constant D: the anisotropy applies to %s", l.Name, constantLandscapes())
			}
			// The box of a landscape follows its D and T (the quadratic's
			// spans six standard deviations); the sliders must not move the
			// view, so the box is the one of D = I at this T. (D has trace 2,
			// so its largest eigenvalue is below 2: at ratio 20 a Gaussian
			// reaches exp(-18/1.9) = 8e-5 of its maximum at the walls.)
			set["d11"], set["d12"], set["d22"] = 1, 0, 1
			iso, _, err := experiment.ModelSpec{Landscape: l.Name, Params: set}.Build(s.Temperature)
			if err != nil {
				return potentials.Model{}, err
			}
			set["d11"], set["d12"], set["d22"] = s.Anisotropy.diffusion()
			if m, _, err = (experiment.ModelSpec{Landscape: l.Name, Params: set}).Build(s.Temperature); err != nil {
				return potentials.Model{}, err
			}
			m.Box = iso.DefaultBox(s.Temperature)
		} else {
			if m, _, err = (experiment.ModelSpec{Landscape: l.Name, Params: set}).Build(s.Temperature); err != nil {
				return potentials.Model{}, err
			}
			// The landscape's box at T, which holds the density (rho at the
			// walls below 1e-6 of its maximum), as the commands use.
			m.Box = m.DefaultBox(s.Temperature)
		}
	}
	if m.Dim != 2 {
		return potentials.Model{}, fmt.Errorf("model %q is %d-D: the browser shows 2-D models only", m.Name, m.Dim)
	}
	return m, nil
}

// constantLandscapes lists the landscapes with a constant D.
func constantLandscapes() string {
	var names []string
	for _, l := range potentials.Landscapes() {
		if hasConstantDiffusion(l) {
			names = append(names, l.Name)
		}
	}
	return strings.Join(names, ", ") + " and formula models without a diffusion"
}
