package experiment

import (
	"fmt"
	"strconv"
)

// ValueError is a value outside its allowed set, for example a drift kind
// or a scheme name.
type ValueError struct {
	What  string // what the value is, e.g. "drift kind"
	Value string // the value given
	Want  string // the allowed values in words
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("%s %q: want %s", e.What, e.Value, e.Want)
}

// SpecConflict names a combination of spec fields that does not make a
// model.
type SpecConflict int

const (
	// SpecLandscapeAndFormulas: a landscape name and formulas.
	SpecLandscapeAndFormulas SpecConflict = iota + 1
	// SpecFormulaDim: a formula model of a dimension other than 1 or 2.
	SpecFormulaDim
	// SpecLandscapeDim: a dimension given for a built-in landscape.
	SpecLandscapeDim
)

// SpecError is a ModelSpec whose fields contradict each other.
type SpecError struct {
	Conflict  SpecConflict
	Dim       int    // the dimension given (SpecFormulaDim, SpecLandscapeDim)
	Landscape string // the landscape (SpecLandscapeDim)
}

func (e *SpecError) Error() string {
	switch e.Conflict {
	case SpecLandscapeAndFormulas:
		return "a model is either a built-in landscape or formulas, not both"
	case SpecFormulaDim:
		return fmt.Sprintf("formula models have dimension 1 or 2, not %d", e.Dim)
	case SpecLandscapeDim:
		return fmt.Sprintf("landscape %q has a fixed dimension; a dimension (%d) applies to formula models only", e.Landscape, e.Dim)
	}
	return "inconsistent model specification"
}

// ModelError is a model that cannot be built: the error of potentials.New
// or potentials.FromFormulas.
type ModelError struct{ Err error }

func (e *ModelError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ModelError) Unwrap() error { return e.Err }

// GibbsError is a model whose Gibbs control drift cannot be built (it has
// no loss): the error of potentials.Gibbs.
type GibbsError struct{ Err error }

func (e *GibbsError) Error() string { return "Gibbs drift: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *GibbsError) Unwrap() error { return e.Err }

// TemperatureError is a temperature that is not positive and finite, or
// SGD hyper-parameters that give none (the error of sde.SGDTemperature).
type TemperatureError struct {
	T   float64 // the temperature given, when Err is nil
	Err error   // the SGD hyper-parameters' error
}

func (e *TemperatureError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return "temperature must be positive and finite, got " + strconv.FormatFloat(e.T, 'g', -1, 64)
}

// Unwrap returns the cause.
func (e *TemperatureError) Unwrap() error { return e.Err }

// GridSizeError is a grid with a number of nodes per axis that is not
// allowed: fewer than fokkerplanck.MinNodes, or as many axes as the model
// does not have.
type GridSizeError struct {
	Nodes []int // the sizes given
	Dim   int   // the model's dimension
	Min   int   // the smallest size allowed per axis
}

func (e *GridSizeError) Error() string {
	if len(e.Nodes) != e.Dim && !(e.Dim == 2 && len(e.Nodes) == 1) {
		return fmt.Sprintf("grid %v: want %d sizes for a %d-D model", e.Nodes, e.Dim, e.Dim)
	}
	return fmt.Sprintf("grid %v: at least %d nodes per axis", e.Nodes, e.Min)
}

// NoBoxError is a grid study of a model that has no default box, without a
// box in its GridSpec.
type NoBoxError struct{ Model string }

func (e *NoBoxError) Error() string {
	return fmt.Sprintf("model %q has no default box: give a box", e.Model)
}

// DimensionError is a model whose dimension a study cannot handle (grids
// are 1-D or 2-D).
type DimensionError struct {
	Model string
	Dim   int
}

func (e *DimensionError) Error() string {
	return fmt.Sprintf("grids are 1-D or 2-D; model %q is %d-D", e.Model, e.Dim)
}

// MemoryError is a computation that needs more memory than the machine has
// available, or a grid with more nodes than the operator can index (Avail
// 0, MaxNodes set).
type MemoryError struct {
	// What needs the memory, e.g. "grid 4096 x 4096".
	What string
	// Need and Avail are in bytes; Avail is 0 when the limit is the node
	// count instead.
	Need, Avail float64
	// Nodes and MaxNodes are set for a grid beyond the node limit.
	Nodes, MaxNodes float64
	// MaxPerAxis is the largest grid size per axis that fits (grids only).
	MaxPerAxis int
}

func (e *MemoryError) Error() string {
	if e.Avail == 0 && e.MaxNodes > 0 {
		return fmt.Sprintf("%s has %.3g nodes, more than the %.0f a grid can have", e.What, e.Nodes, e.MaxNodes)
	}
	return fmt.Sprintf("%s needs about %s of memory, more than the %s available", e.What, FormatBytes(e.Need), FormatBytes(e.Avail))
}

// FormatBytes formats a byte count with a decimal unit, e.g. "4.8 GB".
func FormatBytes(b float64) string {
	for _, u := range []struct {
		name string
		size float64
	}{{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}} {
		if b >= u.size {
			return fmt.Sprintf("%.3g %s", b/u.size, u.name)
		}
	}
	return fmt.Sprintf("%.0f bytes", b)
}
