package experiment

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
	"github.com/sgdsde/sgdsde/sweep"
)

// Param is a quantity of a study that a sweep can vary, named as the
// command line names its option ("temperature", "grid", "n"). Names that
// are not in the table are parameters of the model (ModelSpec.Params, or
// FiniteSumSpec.Params for a finite sum).
type Param struct {
	// Name is the parameter's name.
	Name string
	// Kind is the kind of its values.
	Kind sweep.Kind
	// Doc says which field of the spec it sets.
	Doc string
	// set sets the parameter of s to v; ok is false when s has no such
	// parameter.
	set func(s Study, v string) (ok bool, err error)
}

// ParamError reports a value a parameter cannot take, or a parameter that
// a study does not have.
type ParamError struct {
	// Study is the study's command, Name the parameter and Value the text
	// of the value.
	Study, Name, Value string
	// Err is the cause; nil when the study has no parameter Name.
	Err error
}

// Error words the error.
func (e *ParamError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("%s has no parameter %q", e.Study, e.Name)
	}
	return fmt.Sprintf("%s %q: %v", e.Name, e.Value, e.Err)
}

// Unwrap returns the cause.
func (e *ParamError) Unwrap() error { return e.Err }

// params is the one table that binds the names a sweep varies to the
// fields of the studies' specs.
var params = []Param{
	{"temperature", sweep.Real, "TemperatureSpec.T", setTemperature(func(t *TemperatureSpec, v string) error {
		T, err := parseReal(v)
		if err == nil && !(T > 0) {
			return &TemperatureError{T: T}
		}
		t.T = T
		return err
	})},
	{"lr", sweep.Real, "TemperatureSpec.LR, or FiniteSumSpec.LR", setSGD(
		func(t *TemperatureSpec, v string) (err error) { t.LR, err = parseReal(v); return },
		func(f *FiniteSumSpec, v string) (err error) { f.LR, err = parseReal(v); return })},
	{"batch", sweep.Integer, "TemperatureSpec.Batch, or FiniteSumSpec.Batch", setSGD(
		func(t *TemperatureSpec, v string) (err error) { t.Batch, err = strconv.Atoi(v); return },
		func(f *FiniteSumSpec, v string) (err error) { f.Batch, err = strconv.Atoi(v); return })},
	{"samples", sweep.Integer, "TemperatureSpec.Samples", setSGD(
		func(t *TemperatureSpec, v string) (err error) { t.Samples, err = strconv.Atoi(v); return }, nil)},
	{"without-replacement", sweep.Text, "TemperatureSpec.WithoutReplacement, or FiniteSumSpec.WithoutReplacement", setSGD(
		func(t *TemperatureSpec, v string) (err error) {
			t.WithoutReplacement, err = strconv.ParseBool(v)
			return
		},
		func(f *FiniteSumSpec, v string) (err error) { f.WithoutReplacement, err = strconv.ParseBool(v); return })},
	{"independent-batches", sweep.Text, "FiniteSumSpec.IndependentBatches (sgd)", setSGD(nil,
		func(f *FiniteSumSpec, v string) (err error) { f.IndependentBatches, err = strconv.ParseBool(v); return })},
	{"momentum", sweep.Real, "FiniteSumSpec.Momentum (sgd)", func(s Study, v string) (bool, error) {
		g, ok := s.(*SGDSpec)
		if !ok {
			return false, nil
		}
		var err error
		g.FiniteSum.Momentum, err = parseReal(v)
		return true, err
	}},
	{"model", sweep.Text, "FiniteSumSpec.Model", setSGD(nil, func(f *FiniteSumSpec, v string) error { f.Model = v; return nil })},
	{"data-dir", sweep.Text, "FiniteSumSpec.DataDir", setSGD(nil, func(f *FiniteSumSpec, v string) error { f.DataDir = v; return nil })},
	{"landscape", sweep.Text, "ModelSpec.Landscape", setModel(func(m *ModelSpec, v string) error { m.Landscape = v; return nil })},
	{"loss", sweep.Text, "ModelSpec.Loss", setModel(func(m *ModelSpec, v string) error { m.Loss = v; return nil })},
	{"drift", sweep.Text, "ModelSpec.Drift", setModel(func(m *ModelSpec, v string) error { m.Drift = v; return nil })},
	{"diffusion", sweep.Text, "ModelSpec.Diffusion", setModel(func(m *ModelSpec, v string) error { m.Diffusion = v; return nil })},
	{"dim", sweep.Integer, "ModelSpec.Dim", setModel(func(m *ModelSpec, v string) (err error) { m.Dim, err = strconv.Atoi(v); return })},
	{"drift-kind", sweep.Text, "ModelSpec.DriftKind", setModel(func(m *ModelSpec, v string) (err error) { m.DriftKind, err = ParseDriftKind(v); return })},
	{"grid", sweep.Integer, "GridSpec.Nodes (a square grid in 2-D)", setGrid(func(g *GridSpec, v string) error {
		n, err := strconv.Atoi(v)
		g.Nodes = []int{n}
		return err
	})},
	{"box", sweep.Text, "GridSpec.Box", setGrid(func(g *GridSpec, v string) (err error) { g.Box, err = ParseBox(v, 0); return })},
	{"periodic", sweep.Text, "GridSpec.Periodic", setGrid(func(g *GridSpec, v string) (err error) { g.Periodic, err = strconv.ParseBool(v); return })},
	{"scheme", sweep.Text, "GridSpec.Scheme", setGrid(func(g *GridSpec, v string) (err error) { g.Scheme, err = fokkerplanck.ParseScheme(v); return })},
	{"tol", sweep.Real, "GridSpec.Tol", setGrid(func(g *GridSpec, v string) (err error) { g.Tol, err = parseReal(v); return })},
	{"n", sweep.Integer, "Chains.N or CompareSpec.N", setRun(func(r runFields, v string) (err error) { *r.n, err = strconv.Atoi(v); return })},
	{"steps", sweep.Integer, "Chains.Steps or CompareSpec.Steps", notEscape(setRun(func(r runFields, v string) (err error) { *r.steps, err = strconv.Atoi(v); return }))},
	{"burn-in", sweep.Integer, "Chains.BurnIn or CompareSpec.BurnIn", notEscape(setRun(func(r runFields, v string) (err error) { *r.burnIn, err = strconv.Atoi(v); return }))},
	{"seed", sweep.Integer, "Chains.Seed or CompareSpec.Seed", setRun(func(r runFields, v string) (err error) { *r.seed, err = strconv.ParseUint(v, 10, 64); return })},
	{"workers", sweep.Integer, "Chains.Workers or CompareSpec.Workers", setRun(func(r runFields, v string) (err error) { *r.workers, err = strconv.Atoi(v); return })},
	{"bound", sweep.Real, "Chains.Bound or CompareSpec.Bound", setRun(func(r runFields, v string) (err error) { *r.bound, err = parseReal(v); return })},
	{"record", sweep.Integer, "Chains.Record", setChains(func(c *Chains, v string) (err error) { c.Record, err = strconv.Atoi(v); return })},
	{"every", sweep.Integer, "Chains.Every", setChains(func(c *Chains, v string) (err error) { c.Every, err = strconv.Atoi(v); return })},
	{"dt", sweep.Real, "SimulateSpec.Dt or CompareSpec.Dt", func(s Study, v string) (bool, error) {
		var err error
		switch s := s.(type) {
		case *SimulateSpec:
			if s.FiniteSum != nil {
				return false, nil
			}
			s.Dt, err = parseReal(v)
		case *CompareSpec:
			s.Dt, err = parseReal(v)
		case *EscapeSpec:
			s.Dt, err = parseReal(v)
		default:
			return false, nil
		}
		return true, err
	}},
	{"x0", sweep.Text, "the initial state (SimulateSpec.X0, CompareSpec.X0, FiniteSumSpec.X0)", func(s Study, v string) (bool, error) {
		switch s := s.(type) {
		case *SimulateSpec:
			if s.FiniteSum != nil {
				return true, setFiniteSumStart(s.FiniteSum, v)
			}
			x, err := ParsePoint(v, 0)
			s.X0 = x
			return true, err
		case *CompareSpec:
			x, err := ParsePoint(v, 0)
			s.X0 = x
			return true, err
		case *SGDSpec:
			return true, setFiniteSumStart(&s.FiniteSum, v)
		}
		return false, nil
	}},
	{"noise", sweep.Text, "SimulateSpec.Noise (finite sums)", func(s Study, v string) (bool, error) {
		m, ok := s.(*SimulateSpec)
		if !ok || m.FiniteSum == nil {
			return false, nil
		}
		var err error
		m.Noise, err = sde.ParseNoise(v)
		return true, err
	}},
	{"noise-scale", sweep.Real, "SimulateSpec.NoiseScale", func(s Study, v string) (bool, error) {
		m, ok := s.(*SimulateSpec)
		if !ok || m.FiniteSum == nil {
			return false, nil
		}
		var err error
		m.NoiseScale, err = parseReal(v)
		return true, err
	}},
	{"block", sweep.Integer, "CompareSpec.Block", func(s Study, v string) (bool, error) {
		c, ok := s.(*CompareSpec)
		if !ok {
			return false, nil
		}
		var err error
		c.Block, err = strconv.Atoi(v)
		return true, err
	}},
	{"min-count", sweep.Real, "CompareSpec.MinCount", func(s Study, v string) (bool, error) {
		c, ok := s.(*CompareSpec)
		if !ok {
			return false, nil
		}
		var err error
		c.MinCount, err = parseReal(v)
		return true, err
	}},
	{"field", sweep.Text, "CyclesSpec.Fields", func(s Study, v string) (bool, error) {
		c, ok := s.(*CyclesSpec)
		if !ok {
			return false, nil
		}
		var err error
		c.Fields, err = ParseOrbitSelection(v)
		return true, err
	}},
	{"max-time", sweep.Real, "CyclesSpec.MaxTime or EscapeSpec.MaxTime", func(s Study, v string) (bool, error) {
		var err error
		switch c := s.(type) {
		case *CyclesSpec:
			c.MaxTime, err = parseReal(v)
		case *EscapeSpec:
			c.MaxTime, err = parseReal(v)
		default:
			return false, nil
		}
		return true, err
	}},
	{"from", sweep.Text, "CyclesSpec.Seeds (one seed x,y) or EscapeSpec.From", func(s Study, v string) (bool, error) {
		switch c := s.(type) {
		case *CyclesSpec:
			x, err := ParsePoint(v, 2)
			if err == nil {
				c.Seeds = [][2]float64{{x[0], x[1]}}
			}
			return true, err
		case *EscapeSpec:
			x, err := ParsePoint(v, 0)
			c.From = x
			return true, err
		}
		return false, nil
	}},
	{"to", sweep.Text, "EscapeSpec.To (the target disc's centre)", setEscape(func(e *EscapeSpec, v string) (err error) {
		e.To, err = ParsePoint(v, 0)
		return
	})},
	{"radius", sweep.Real, "EscapeSpec.Radius", setEscape(func(e *EscapeSpec, v string) (err error) { e.Radius, err = parseReal(v); return })},
	{"to-basin", sweep.Integer, "EscapeSpec.ToBasin", setEscape(func(e *EscapeSpec, v string) (err error) {
		e.ToBasin, err = strconv.Atoi(v)
		e.UseBasin, e.To = true, nil
		return
	})},
	{"method", sweep.Text, "EscapeSpec.Method", setEscape(func(e *EscapeSpec, v string) (err error) { e.Method, err = ParseEscapeMethod(v); return })},
}

// Params lists the parameters that a sweep of the study command
// ("simulate", "steady", "cycles", "compare" or "sgd") can vary besides
// the model's parameters. A simulation of a finite sum is "simulate" with
// FiniteSum set: give its spec to ParamOf instead.
func Params(command string) []Param {
	var s Study
	switch command {
	case "simulate":
		s = &SimulateSpec{}
	case "steady":
		s = &SteadySpec{}
	case "cycles":
		s = &CyclesSpec{}
	case "compare":
		s = &CompareSpec{}
	case "sgd":
		s = &SGDSpec{}
	case "escape":
		s = &EscapeSpec{}
	default:
		return nil
	}
	var out []Param
	for _, p := range params {
		if _, ok := ParamOf(s, p.Name); ok {
			out = append(out, p)
		}
	}
	return out
}

// LookupParam returns the parameter of the table named name, whatever
// study has it; ok is false for a name that is not in the table (a
// parameter of the model).
func LookupParam(name string) (p Param, ok bool) {
	for _, p := range params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// ParamOf returns the parameter name of study s; ok is false when name is
// not in the table for s (a model parameter).
func ParamOf(s Study, name string) (p Param, ok bool) {
	for _, p := range params {
		if p.Name == name {
			ok, _ = p.set(s.Clone(), zeroValue(p.Kind))
			return p, ok
		}
	}
	return Param{}, false
}

// zeroValue is a value of kind k that every setter parses.
func zeroValue(k sweep.Kind) string {
	if k == sweep.Text {
		return ""
	}
	return "1"
}

// SetParam sets the parameter name of s to the text value: a field of
// the spec through the table (Params), or else a parameter of the model.
// Its errors are *ParamError, or *TemperatureError for a temperature that
// is not positive.
func SetParam(s Study, name, value string) error {
	for _, p := range params {
		if p.Name != name {
			continue
		}
		ok, err := p.set(s, strings.TrimSpace(value))
		switch {
		case !ok:
			return &ParamError{Study: s.Command(), Name: name, Value: value}
		case err != nil:
			if _, isT := err.(*TemperatureError); isT {
				return err
			}
			return &ParamError{Study: s.Command(), Name: name, Value: value, Err: err}
		}
		return nil
	}
	v, err := parseReal(value)
	if err != nil {
		return &ParamError{Study: s.Command(), Name: name, Value: value, Err: err}
	}
	params := modelParams(s)
	if *params == nil {
		*params = make(map[string]float64)
	}
	(*params)[name] = v
	return nil
}

// modelParams returns the parameter map of s's model.
func modelParams(s Study) *map[string]float64 {
	switch s := s.(type) {
	case *SimulateSpec:
		if s.FiniteSum != nil {
			return &s.FiniteSum.Params
		}
		return &s.Model.Params
	case *SGDSpec:
		return &s.FiniteSum.Params
	}
	return &modelOf(s).Params
}

// modelOf returns the model of a study on a landscape or formulas, or
// nil.
func modelOf(s Study) *ModelSpec {
	switch s := s.(type) {
	case *SimulateSpec:
		if s.FiniteSum == nil {
			return &s.Model
		}
	case *SteadySpec:
		return &s.Model
	case *CyclesSpec:
		return &s.Model
	case *CompareSpec:
		return &s.Model
	case *EscapeSpec:
		return &s.Model
	}
	return nil
}

// notEscape returns set for every study but an escape study, which runs
// its ensemble to a censoring time instead of a number of steps.
func notEscape(set func(Study, string) (bool, error)) func(Study, string) (bool, error) {
	return func(s Study, v string) (bool, error) {
		if _, ok := s.(*EscapeSpec); ok {
			return false, nil
		}
		return set(s, v)
	}
}

// setEscape returns the setter of a field of an escape study.
func setEscape(f func(e *EscapeSpec, v string) error) func(Study, string) (bool, error) {
	return func(s Study, v string) (bool, error) {
		e, ok := s.(*EscapeSpec)
		if !ok {
			return false, nil
		}
		return true, f(e, v)
	}
}

// setModel returns the setter of a model field.
func setModel(f func(m *ModelSpec, v string) error) func(Study, string) (bool, error) {
	return func(s Study, v string) (bool, error) {
		m := modelOf(s)
		if m == nil {
			return false, nil
		}
		return true, f(m, v)
	}
}

// setTemperature returns the setter of a temperature field.
func setTemperature(f func(t *TemperatureSpec, v string) error) func(Study, string) (bool, error) {
	return setSGD(f, nil)
}

// setSGD returns the setter of a field of the temperature (studies on a
// landscape or formulas) or of the finite sum (sgd, and simulate of a
// finite sum); a nil function means no such field.
func setSGD(t func(t *TemperatureSpec, v string) error, f func(f *FiniteSumSpec, v string) error) func(Study, string) (bool, error) {
	return func(s Study, v string) (bool, error) {
		var fs *FiniteSumSpec
		var ts *TemperatureSpec
		switch s := s.(type) {
		case *SimulateSpec:
			if fs = s.FiniteSum; fs == nil {
				ts = &s.Temperature
			}
		case *SGDSpec:
			fs = &s.FiniteSum
		case *SteadySpec:
			ts = &s.Temperature
		case *CyclesSpec:
			ts = &s.Temperature
		case *CompareSpec:
			ts = &s.Temperature
		case *EscapeSpec:
			ts = &s.Temperature
		}
		switch {
		case ts != nil && t != nil:
			return true, t(ts, v)
		case fs != nil && f != nil:
			return true, f(fs, v)
		}
		return false, nil
	}
}

// setGrid returns the setter of a grid field.
func setGrid(f func(g *GridSpec, v string) error) func(Study, string) (bool, error) {
	return func(s Study, v string) (bool, error) {
		switch s := s.(type) {
		case *SteadySpec:
			return true, f(&s.Grid, v)
		case *CyclesSpec:
			return true, f(&s.Grid, v)
		case *CompareSpec:
			return true, f(&s.Grid, v)
		case *EscapeSpec:
			return true, f(&s.Grid, v)
		}
		return false, nil
	}
}

// setChains returns the setter of a field of Chains.
func setChains(f func(c *Chains, v string) error) func(Study, string) (bool, error) {
	return func(s Study, v string) (bool, error) {
		switch s := s.(type) {
		case *SimulateSpec:
			return true, f(&s.Chains, v)
		case *SGDSpec:
			return true, f(&s.Chains, v)
		}
		return false, nil
	}
}

// runFields points at the ensemble settings shared by Chains and
// CompareSpec.
type runFields struct {
	n, steps, burnIn, workers *int
	seed                      *uint64
	bound                     *float64
}

// setRun returns the setter of an ensemble setting.
func setRun(f func(r runFields, v string) error) func(Study, string) (bool, error) {
	return func(s Study, v string) (bool, error) {
		var c *Chains
		switch s := s.(type) {
		case *SimulateSpec:
			c = &s.Chains
		case *SGDSpec:
			c = &s.Chains
		case *CompareSpec:
			return true, f(runFields{&s.N, &s.Steps, &s.BurnIn, &s.Workers, &s.Seed, &s.Bound}, v)
		case *EscapeSpec:
			// Its steps and burn-in are not parameters (notEscape).
			var steps, burnIn int
			return true, f(runFields{&s.N, &steps, &burnIn, &s.Workers, &s.Seed, &s.Bound}, v)
		default:
			return false, nil
		}
		return true, f(runFields{&c.N, &c.Steps, &c.BurnIn, &c.Workers, &c.Seed, &c.Bound}, v)
	}
}

// setFiniteSumStart sets the start of a finite-sum run: "init" (the
// model's initialisation), "zeros", or coordinates.
func setFiniteSumStart(f *FiniteSumSpec, v string) error {
	f.X0, f.ZeroStart = nil, false
	switch v {
	case "", "init":
		return nil
	case "zeros":
		f.ZeroStart = true
		return nil
	}
	x, err := ParsePoint(v, 0)
	f.X0 = x
	return err
}

// ParseNumberError is text that is not a finite number.
type ParseNumberError struct{ Text string }

// Error words the error.
func (e *ParseNumberError) Error() string { return fmt.Sprintf("%q is not a finite number", e.Text) }

// parseReal parses a finite number; its error is *ParseNumberError.
func parseReal(v string) (float64, error) {
	v = strings.TrimSpace(v)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, &ParseNumberError{Text: v}
	}
	return f, nil
}

// PointError reports text that is not a point.
type PointError struct {
	// Text is the text; Dim the number of coordinates wanted (0: any);
	// Coord the 1-based coordinate that is not a finite number (0 when the
	// count is wrong).
	Text       string
	Dim, Coord int
}

// Error words the error.
func (e *PointError) Error() string {
	if e.Coord == 0 {
		return fmt.Sprintf("%q: want %d comma-separated numbers", e.Text, e.Dim)
	}
	return fmt.Sprintf("%q: coordinate %d is not a finite number", e.Text, e.Coord)
}

// ParsePoint parses comma-separated finite coordinates "x1,x2,...";
// d > 0 requires exactly d of them. Its errors are *PointError.
func ParsePoint(s string, d int) ([]float64, error) {
	parts := strings.Split(s, ",")
	if d > 0 && len(parts) != d {
		return nil, &PointError{Text: s, Dim: d}
	}
	x := make([]float64, len(parts))
	for i, p := range parts {
		v, err := parseReal(p)
		if err != nil {
			return nil, &PointError{Text: s, Dim: d, Coord: i + 1}
		}
		x[i] = v
	}
	return x, nil
}

// BoxError reports text that is not a box.
type BoxError struct {
	// Text is the text, Dim the dimension wanted (0: any); Axis the axis
	// (0 x, 1 y) of a bad range, or -1 when the count of ranges is wrong;
	// Range the bad range's text and Err what is wrong with it.
	Text  string
	Dim   int
	Axis  int
	Range string
	Err   error
}

// Error words the error.
func (e *BoxError) Error() string {
	if e.Axis < 0 {
		return fmt.Sprintf("box %q: want %d comma-separated ranges min:max", e.Text, e.Dim)
	}
	return fmt.Sprintf("box %q: range %q of %s: %v", e.Text, e.Range, "xy"[e.Axis:e.Axis+1], e.Err)
}

// Unwrap returns the cause.
func (e *BoxError) Unwrap() error { return e.Err }

// ParseBox parses "xmin:xmax[,ymin:ymax]"; d > 0 requires d ranges. Its
// errors are *BoxError.
func ParseBox(s string, d int) (potentials.Box, error) {
	parts := strings.Split(s, ",")
	if (d > 0 && len(parts) != d) || len(parts) > 2 {
		return potentials.Box{}, &BoxError{Text: s, Dim: d, Axis: -1}
	}
	bounds := make([]float64, 0, 2*len(parts))
	for i, p := range parts {
		bad := func(err error) error {
			return &BoxError{Text: s, Dim: d, Axis: i, Range: strings.TrimSpace(p), Err: err}
		}
		lo, hi, ok := strings.Cut(p, ":")
		if !ok {
			return potentials.Box{}, bad(ErrNotRange)
		}
		a, err := parseReal(lo)
		if err != nil {
			return potentials.Box{}, bad(err)
		}
		b, err := parseReal(hi)
		if err != nil {
			return potentials.Box{}, bad(err)
		}
		if !(a < b) {
			return potentials.Box{}, bad(ErrEmptyRange)
		}
		bounds = append(bounds, a, b)
	}
	return potentials.NewBox(bounds...), nil
}

// Causes of a BoxError besides a *ParseNumberError.
var (
	// ErrNotRange is a range that is not min:max.
	ErrNotRange = errors.New("not min:max")
	// ErrEmptyRange is a range with min >= max.
	ErrEmptyRange = errors.New("needs min < max")
)

// ParseOrbitSelection parses "force", "drift" or "both".
func ParseOrbitSelection(s string) (OrbitSelection, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "force":
		return OrbitsForce, nil
	case "drift":
		return OrbitsDrift, nil
	case "both":
		return OrbitsBoth, nil
	}
	return 0, fmt.Errorf("%q: want force, drift or both", s)
}
