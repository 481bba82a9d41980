package experiment

import (
	"fmt"

	"github.com/sgdsde/sgdsde/potentials"
)

// Defaults of a zero ModelSpec and TemperatureSpec.
const (
	// DefaultLandscape is the landscape of a ModelSpec without formulas
	// and without a Landscape.
	DefaultLandscape = "double-well"
	// DefaultFormulaDim is the dimension of a formula model with Dim 0.
	DefaultFormulaDim = 2
	// DefaultTemperature is the temperature of a zero TemperatureSpec.
	DefaultTemperature = 0.5
)

// DriftKind selects the drift of a model.
type DriftKind int

const (
	// DriftSGD is the model's own drift, b = -grad f for SGD.
	DriftSGD DriftKind = iota
	// DriftGibbs is the equilibrium control b = -D grad f + T div D,
	// whose steady state is exp(-f/T)/Z for every D (potentials.Gibbs).
	DriftGibbs
)

// String returns "sgd" or "gibbs".
func (k DriftKind) String() string {
	switch k {
	case DriftSGD:
		return "sgd"
	case DriftGibbs:
		return "gibbs"
	}
	return fmt.Sprintf("DriftKind(%d)", int(k))
}

// ParseDriftKind parses "sgd" or "gibbs".
func ParseDriftKind(s string) (DriftKind, error) {
	switch s {
	case "sgd":
		return DriftSGD, nil
	case "gibbs":
		return DriftGibbs, nil
	}
	return 0, &ValueError{What: "drift kind", Value: s, Want: "sgd or gibbs"}
}

// ModelSpec selects a model: a built-in landscape (Landscape, by default
// DefaultLandscape) or, when any of Loss, Drift and Diffusion is set, a
// formula model of dimension Dim (potentials.FromFormulas). Params sets
// parameter values of either.
type ModelSpec struct {
	// Landscape is the name of a built-in landscape (potentials.New); it
	// must be empty for a formula model.
	Landscape string
	// Loss, Drift and Diffusion are the formulas of a formula model
	// (potentials.Formulas).
	Loss, Drift, Diffusion string
	// Dim is the dimension of a formula model, 1 or 2 (0 means
	// DefaultFormulaDim); it must be 0 for a landscape.
	Dim int
	// Params holds parameter values by name.
	Params map[string]float64
	// DriftKind selects the model's drift or the Gibbs control.
	DriftKind DriftKind
}

// IsFormula reports whether s selects a formula model.
func (s ModelSpec) IsFormula() bool {
	return s.Loss != "" || s.Drift != "" || s.Diffusion != ""
}

// FormulaText is the text of a formula model's formulas, as a summary
// echoes it.
type FormulaText struct {
	Loss      string `json:"loss,omitempty"`
	Drift     string `json:"drift,omitempty"`
	Diffusion string `json:"diffusion,omitempty"`
}

// ModelInfo is what a summary echoes about the model.
type ModelInfo struct {
	// Name is the landscape name or the name of the formula model.
	Name string `json:"model"`
	// Formula describes the model in words and formulas.
	Formula string `json:"formula"`
	// Formulas holds the formulas of a formula model.
	Formulas *FormulaText `json:"formulas,omitempty"`
	// Params holds every parameter value the model was built with.
	Params map[string]float64 `json:"params"`
	// Dim is the dimension d.
	Dim int `json:"dim"`
	// DriftKind is "sgd" or "gibbs".
	DriftKind string `json:"drift_kind"`
}

// Build returns the model that s selects at temperature T (T is used only
// by the Gibbs drift, which depends on it) and what a summary echoes about
// it. Its errors are *SpecError (a landscape with formulas, a dimension
// other than 1 or 2), *ModelError (the model cannot be built: an unknown
// landscape or parameter, a formula that does not parse) and *GibbsError.
func (s ModelSpec) Build(T float64) (potentials.Model, ModelInfo, error) {
	params := s.Params
	if params == nil {
		params = map[string]float64{}
	}
	var m potentials.Model
	var err error
	info := ModelInfo{DriftKind: s.DriftKind.String()}
	if s.DriftKind != DriftSGD && s.DriftKind != DriftGibbs {
		return potentials.Model{}, ModelInfo{}, &ValueError{What: "drift kind", Value: s.DriftKind.String(), Want: "sgd or gibbs"}
	}
	if s.IsFormula() {
		if s.Landscape != "" {
			return potentials.Model{}, ModelInfo{}, &SpecError{Conflict: SpecLandscapeAndFormulas}
		}
		dim := s.Dim
		if dim == 0 {
			dim = DefaultFormulaDim
		}
		if dim != 1 && dim != 2 {
			return potentials.Model{}, ModelInfo{}, &SpecError{Conflict: SpecFormulaDim, Dim: dim}
		}
		m, err = potentials.FromFormulas(potentials.Formulas{
			Dim: dim, Loss: s.Loss, Drift: s.Drift, Diffusion: s.Diffusion, Params: params,
		})
		if err != nil {
			return potentials.Model{}, ModelInfo{}, &ModelError{Err: err}
		}
		info.Formulas = &FormulaText{Loss: s.Loss, Drift: s.Drift, Diffusion: s.Diffusion}
	} else {
		name := s.Landscape
		if name == "" {
			name = DefaultLandscape
		}
		if s.Dim != 0 {
			return potentials.Model{}, ModelInfo{}, &SpecError{Conflict: SpecLandscapeDim, Dim: s.Dim, Landscape: name}
		}
		m, err = potentials.New(name, params)
		if err != nil {
			return potentials.Model{}, ModelInfo{}, &ModelError{Err: err}
		}
	}
	if s.DriftKind == DriftGibbs {
		if m, err = potentials.Gibbs(m, T); err != nil {
			return potentials.Model{}, ModelInfo{}, &GibbsError{Err: err}
		}
	}
	info.Name = m.Name
	info.Formula = m.Formula
	info.Dim = m.Dim
	info.Params = m.Params
	if info.Params == nil {
		info.Params = params
	}
	return m, info, nil
}
