package potentials

import (
	"fmt"
	"sort"
	"strings"
)

// Param describes one parameter of a landscape.
type Param struct {
	Name    string  `json:"name"`
	Default float64 `json:"default"`
	Doc     string  `json:"doc"`
}

// Landscape describes a built-in model: its name, formulas, parameters with
// defaults, and a constructor.
type Landscape struct {
	// Name is the name given to --landscape.
	Name string
	// Summary is a one-line description.
	Summary string
	// Formula gives the loss, drift and diffusion as formulas.
	Formula string
	// Params lists the parameters with their defaults.
	Params []Param
	// BoxRule states in words and formulas how the default grid box
	// depends on the temperature and the parameters (Model.BoxAt).
	BoxRule string
	// Build returns the model for a full set of parameter values (every name
	// in Params is present).
	Build func(p map[string]float64) (Model, error)
}

var registry = map[string]Landscape{}

// register adds a landscape; it is called from init functions.
func register(l Landscape) {
	if _, dup := registry[l.Name]; dup {
		panic("potentials: duplicate landscape " + l.Name)
	}
	registry[l.Name] = l
}

// Landscapes returns the built-in landscapes sorted by name.
func Landscapes() []Landscape {
	out := make([]Landscape, 0, len(registry))
	for _, l := range registry {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the landscape with the given name.
func Lookup(name string) (Landscape, bool) {
	l, ok := registry[name]
	return l, ok
}

// New builds the named landscape with its default parameters overridden by
// set. Unknown landscapes and unknown parameter names are errors that list
// what is available.
func New(name string, set map[string]float64) (Model, error) {
	l, ok := registry[name]
	if !ok {
		names := make([]string, 0, len(registry))
		for _, l := range Landscapes() {
			names = append(names, l.Name)
		}
		return Model{}, fmt.Errorf("unknown landscape %q (known: %s; see 'sgdsde landscapes')", name, strings.Join(names, ", "))
	}
	p := make(map[string]float64, len(l.Params))
	for _, q := range l.Params {
		p[q.Name] = q.Default
	}
	for k, v := range set {
		if _, ok := p[k]; !ok {
			return Model{}, fmt.Errorf("landscape %q has no parameter %q (parameters: %s)", name, k, paramNames(l.Params))
		}
		p[k] = v
	}
	m, err := l.Build(p)
	if err != nil {
		return Model{}, fmt.Errorf("landscape %q: %w", name, err)
	}
	if m.Name == "" {
		m.Name = name
	}
	if m.Formula == "" {
		m.Formula = l.Formula
	}
	m.Params = p
	if err := m.Validate(); err != nil {
		return Model{}, err
	}
	return m, nil
}

func paramNames(ps []Param) string {
	if len(ps) == 0 {
		return "none"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.Name
	}
	return strings.Join(s, ", ")
}
