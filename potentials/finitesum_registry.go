package potentials

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// FiniteSumSpec describes a built-in finite-sum model: its name, formulas,
// parameters with defaults, and a constructor. It is the finite-sum
// counterpart of Landscape.
type FiniteSumSpec struct {
	// Name is the name a command is given, for example "mlp".
	Name string
	// Summary is a one-line description.
	Summary string
	// Formula gives the per-sample loss, the data and the layout of x.
	Formula string
	// Params lists the parameters with their defaults.
	Params []Param
	// Build returns the model for a full set of parameter values (every name
	// in Params is present).
	Build func(p map[string]float64) (FiniteSum, error)
}

var finiteSums = map[string]FiniteSumSpec{}

// registerFiniteSum adds a finite-sum model; it is called from init.
func registerFiniteSum(s FiniteSumSpec) {
	if _, dup := finiteSums[s.Name]; dup {
		panic("potentials: duplicate finite-sum model " + s.Name)
	}
	finiteSums[s.Name] = s
}

// FiniteSums returns the built-in finite-sum models sorted by name.
func FiniteSums() []FiniteSumSpec {
	out := make([]FiniteSumSpec, 0, len(finiteSums))
	for _, s := range finiteSums {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LookupFiniteSum returns the finite-sum model with the given name.
func LookupFiniteSum(name string) (FiniteSumSpec, bool) {
	s, ok := finiteSums[name]
	return s, ok
}

// NewFiniteSum builds the named finite-sum model with its default parameters
// overridden by set. Unknown models, unknown parameter names and invalid
// values are errors that say what is available or allowed.
func NewFiniteSum(name string, set map[string]float64) (FiniteSum, error) {
	s, ok := finiteSums[name]
	if !ok {
		names := make([]string, 0, len(finiteSums))
		for _, s := range FiniteSums() {
			names = append(names, s.Name)
		}
		return nil, fmt.Errorf("unknown finite-sum model %q (known: %s)", name, strings.Join(names, ", "))
	}
	p := make(map[string]float64, len(s.Params))
	for _, q := range s.Params {
		p[q.Name] = q.Default
	}
	for k, v := range set {
		if _, ok := p[k]; !ok {
			return nil, fmt.Errorf("finite-sum model %q has no parameter %q (parameters: %s)", name, k, paramNames(s.Params))
		}
		p[k] = v
	}
	fs, err := s.Build(p)
	if err != nil {
		return nil, fmt.Errorf("finite-sum model %q: %w", name, err)
	}
	return fs, nil
}

// maxExactInt is 2^53, the end of the exactly representable integers.
const maxExactInt = 1 << 53

// intParams converts the named parameters to integers, with an error naming
// the first that is not a whole number in [min, 2^53].
func intParams(p map[string]float64, min float64, names ...string) ([]int, error) {
	out := make([]int, len(names))
	for i, n := range names {
		v := p[n]
		if !(v >= min && v <= maxExactInt) || v != math.Trunc(v) {
			return nil, fmt.Errorf("parameter %s = %g must be a whole number >= %g", n, v, min)
		}
		out[i] = int(v)
	}
	return out, nil
}

// sizesAndSeed converts the named parameters to whole numbers >= 1 (see
// intParams) and returns them with the parameter "seed" as a uint64: the
// shape and the data seed of a finite-sum model.
func sizesAndSeed(p map[string]float64, names ...string) ([]int, uint64, error) {
	iv, err := intParams(p, 1, names...)
	if err != nil {
		return nil, 0, err
	}
	s, err := intParams(p, 0, "seed")
	if err != nil {
		return nil, 0, err
	}
	return iv, uint64(s[0]), nil
}

var seedDoc = Param{Name: "seed", Default: 1, Doc: "seed of the PCG generator that makes the data (whole number >= 0)"}

func init() {
	registerFiniteSum(FiniteSumSpec{
		Name:    "linreg",
		Summary: "least squares on Gaussian inputs with anisotropic covariance; D(x) state dependent and anisotropic (d = 2 can be solved on grids)",
		Formula: "f_k = (a_k . x - y_k)^2 / 2, g_k = r_k a_k, r_k = a_k . x - y_k; a_k ~ N(0, Q diag(s) Q), " +
			"s_i = cond^(-i/(d-1)), Q a random Householder reflection; y_k = a_k . x* + noise eps_k, x* ~ N(0, I)",
		Params: []Param{
			{Name: "n", Default: 1000, Doc: "number of samples N"},
			{Name: "d", Default: 2, Doc: "dimension of x"},
			{Name: "cond", Default: 10, Doc: "condition number of the input covariance Sigma_a (>= 1)"},
			{Name: "noise", Default: 0.5, Doc: "standard deviation of the target noise"},
			seedDoc,
		},
		Build: func(p map[string]float64) (FiniteSum, error) {
			iv, seed, err := sizesAndSeed(p, "n", "d")
			if err != nil {
				return nil, err
			}
			return NewLinReg(iv[0], iv[1], p["cond"], p["noise"], seed)
		},
	})
	registerFiniteSum(FiniteSumSpec{
		Name:    "logreg",
		Summary: "logistic regression with ridge on a two-class Gaussian mixture, labels ±1",
		Formula: "f_k = log(1 + exp(-y_k a_k . x)) + (lambda/2) |x|^2; y_k = ±1, a_k = y_k (sep/2) 1/sqrt(d) + N(0, I)",
		Params: []Param{
			{Name: "n", Default: 1000, Doc: "number of samples N"},
			{Name: "d", Default: 2, Doc: "dimension of x"},
			{Name: "sep", Default: 2, Doc: "distance between the class means"},
			{Name: "lambda", Default: 1e-3, Doc: "ridge coefficient (>= 0)"},
			seedDoc,
		},
		Build: func(p map[string]float64) (FiniteSum, error) {
			iv, seed, err := sizesAndSeed(p, "n", "d")
			if err != nil {
				return nil, err
			}
			return NewLogReg(iv[0], iv[1], p["sep"], p["lambda"], seed)
		},
	})
	registerFiniteSum(FiniteSumSpec{
		Name:    "mlp",
		Summary: "one-hidden-layer tanh network, softmax cross-entropy, on interleaved spirals in the plane (default d = 1002 weights)",
		Formula: "h = tanh(W1 u + b1), o = W2 h + b2, f_k = logsumexp(o) - o_{c_k}; " +
			"x = [W1 (H x 2) | b1 (H) | W2 (C x H) | b2 (C)], d = 3H + C(H + 1); " +
			"class c: u = t (cos, sin)(2 pi (turns t + c/C)) + noise N(0, I), t ~ U(0, 1)",
		Params: []Param{
			{Name: "n", Default: 1000, Doc: "number of samples N"},
			{Name: "hidden", Default: 200, Doc: "hidden units H (d = 3H + C(H + 1))"},
			{Name: "classes", Default: 2, Doc: "number of classes C (spiral arms), 2 to 16"},
			{Name: "turns", Default: 1.5, Doc: "turns of each spiral"},
			{Name: "noise", Default: 0.05, Doc: "standard deviation of the input noise"},
			seedDoc,
		},
		Build: func(p map[string]float64) (FiniteSum, error) {
			iv, seed, err := sizesAndSeed(p, "n", "hidden", "classes")
			if err != nil {
				return nil, err
			}
			return NewMLP(iv[0], iv[1], iv[2], p["turns"], p["noise"], seed)
		},
	})
}
