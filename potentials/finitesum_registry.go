package potentials

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
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
	// DataDir is the default directory of the files the model reads its
	// data from, empty for a model whose data are generated.
	DataDir string
	// Build returns the model for a full set of parameter values (every name
	// in Params is present) and, for a model with a DataDir, the directory
	// of its data files (never empty).
	Build func(p map[string]float64, dir string) (FiniteSum, error)
	// Size returns, for a full set of parameter values and the data
	// directory (as Build) and without allocating the data, the dimension,
	// the number of samples and the bytes of the model's data, or the error
	// Build would give for invalid values.
	Size func(p map[string]float64, dir string) (FiniteSumSize, error)
}

// NoDataDirError is a data directory given to a finite-sum model whose
// data are generated, not read from files.
type NoDataDirError struct {
	// Model is the model's name, Dir the directory given.
	Model, Dir string
}

func (e *NoDataDirError) Error() string {
	return fmt.Sprintf("finite-sum model %q generates its data and reads no data directory (got %s)", e.Model, e.Dir)
}

// FiniteSumSize is the shape of a finite-sum model and the memory its data
// take, known before it is built.
type FiniteSumSize struct {
	// Dim is the dimension d of x; Samples the number N of samples.
	Dim, Samples int
	// Bytes is the memory of the model's data (inputs, targets and
	// precomputed per-sample values).
	Bytes int64
}

// ErrTooLarge reports sizes whose arrays cannot be allocated at all: an
// array longer than an int indexes or larger than 2^47 bytes (128 TiB,
// below the Go runtime's limit for one allocation), so that such sizes give
// an error instead of a panic.
var ErrTooLarge = errors.New("too large to allocate")

// maxArrayBytes is the largest array the constructors allocate.
const maxArrayBytes = 1 << 47

// arrayBytes returns the bytes of an array of elemBytes-byte elements with
// the given dimensions (at least 0 each), or an error wrapping ErrTooLarge
// that names the array (what) and its sizes.
func arrayBytes(what string, elemBytes int64, dims ...int) (int64, error) {
	n := int64(1)
	over := false
	for _, v := range dims {
		switch {
		case v <= 0:
			return 0, nil
		case !over && n > math.MaxInt64/int64(v):
			over = true
		case !over:
			n *= int64(v)
		}
	}
	if over || n > math.MaxInt || n > maxArrayBytes/elemBytes {
		parts := make([]string, len(dims))
		for i, v := range dims {
			parts[i] = strconv.Itoa(v)
		}
		return 0, fmt.Errorf("%w: %s of %s values, more than one array can hold (%d bytes)",
			ErrTooLarge, what, strings.Join(parts, " x "), int64(maxArrayBytes))
	}
	return n * elemBytes, nil
}

// sumBytes adds the bytes of arrays given as (bytes, error) pairs computed by
// arrayBytes, returning the first error.
func sumBytes(parts ...func() (int64, error)) (int64, error) {
	total := int64(0)
	for _, p := range parts {
		b, err := p()
		if err != nil {
			return 0, err
		}
		total += b // each at most 2^47 bytes
	}
	return total, nil
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
//
// Sizes whose arrays cannot be allocated at all are an error wrapping
// ErrTooLarge, given before anything is allocated; to check the memory a
// model needs against what a machine has, call SizeOfFiniteSum first.
func NewFiniteSum(name string, set map[string]float64) (FiniteSum, error) {
	return NewFiniteSumIn(name, set, "")
}

// NewFiniteSumIn is NewFiniteSum for a model that reads its data from
// files (FiniteSumSpec.DataDir), reading them from dir; an empty dir means
// the model's DataDir. A non-empty dir for a model whose data are
// generated is a *NoDataDirError.
func NewFiniteSumIn(name string, set map[string]float64, dir string) (FiniteSum, error) {
	s, p, dir, err := finiteSumParamsIn(name, set, dir)
	if err != nil {
		return nil, err
	}
	if s.Size != nil {
		if _, err := s.Size(p, dir); err != nil {
			return nil, fmt.Errorf("finite-sum model %q: %w", name, err)
		}
	}
	fs, err := s.Build(p, dir)
	if err != nil {
		return nil, fmt.Errorf("finite-sum model %q: %w", name, err)
	}
	return fs, nil
}

// SizeOfFiniteSum returns the dimension, the number of samples and the
// bytes of the data of the named finite-sum model with its default
// parameters overridden by set, without building it: nothing large is
// allocated. Its errors are those of NewFiniteSum for the same arguments.
func SizeOfFiniteSum(name string, set map[string]float64) (FiniteSumSize, error) {
	return SizeOfFiniteSumIn(name, set, "")
}

// SizeOfFiniteSumIn is SizeOfFiniteSum with the data directory dir (see
// NewFiniteSumIn); it reads at most the headers of the data files.
func SizeOfFiniteSumIn(name string, set map[string]float64, dir string) (FiniteSumSize, error) {
	s, p, dir, err := finiteSumParamsIn(name, set, dir)
	if err != nil {
		return FiniteSumSize{}, err
	}
	if s.Size == nil {
		fs, err := s.Build(p, dir)
		if err != nil {
			return FiniteSumSize{}, fmt.Errorf("finite-sum model %q: %w", name, err)
		}
		return FiniteSumSize{Dim: fs.Dim(), Samples: fs.Samples()}, nil
	}
	z, err := s.Size(p, dir)
	if err != nil {
		return FiniteSumSize{}, fmt.Errorf("finite-sum model %q: %w", name, err)
	}
	return z, nil
}

// finiteSumParamsIn is finiteSumParams that also resolves the data
// directory: dir, or the model's DataDir when dir is empty; a dir for a
// model without data files is a *NoDataDirError.
func finiteSumParamsIn(name string, set map[string]float64, dir string) (FiniteSumSpec, map[string]float64, string, error) {
	s, p, err := finiteSumParams(name, set)
	if err != nil {
		return s, nil, "", err
	}
	switch {
	case s.DataDir == "" && dir != "":
		return s, nil, "", &NoDataDirError{Model: name, Dir: dir}
	case dir == "":
		dir = s.DataDir
	}
	return s, p, dir, nil
}

// finiteSumParams returns the named model's spec and its parameter values:
// the defaults overridden by set. Unknown models and parameter names are
// errors.
func finiteSumParams(name string, set map[string]float64) (FiniteSumSpec, map[string]float64, error) {
	s, ok := finiteSums[name]
	if !ok {
		names := make([]string, 0, len(finiteSums))
		for _, s := range FiniteSums() {
			names = append(names, s.Name)
		}
		return FiniteSumSpec{}, nil, fmt.Errorf("unknown finite-sum model %q (known: %s)", name, strings.Join(names, ", "))
	}
	p := make(map[string]float64, len(s.Params))
	for _, q := range s.Params {
		p[q.Name] = q.Default
	}
	for k, v := range set {
		if _, ok := p[k]; !ok {
			return FiniteSumSpec{}, nil, fmt.Errorf("finite-sum model %q has no parameter %q (parameters: %s)", name, k, paramNames(s.Params))
		}
		p[k] = v
	}
	return s, p, nil
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
		Build: func(p map[string]float64, _ string) (FiniteSum, error) {
			iv, seed, err := sizesAndSeed(p, "n", "d")
			if err != nil {
				return nil, err
			}
			return NewLinReg(iv[0], iv[1], p["cond"], p["noise"], seed)
		},
		Size: func(p map[string]float64, _ string) (FiniteSumSize, error) {
			iv, _, err := sizesAndSeed(p, "n", "d")
			if err != nil {
				return FiniteSumSize{}, err
			}
			n, d := iv[0], iv[1]
			b, err := linRegBytes(n, d)
			return FiniteSumSize{Dim: d, Samples: n, Bytes: b}, err
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
		Build: func(p map[string]float64, _ string) (FiniteSum, error) {
			iv, seed, err := sizesAndSeed(p, "n", "d")
			if err != nil {
				return nil, err
			}
			return NewLogReg(iv[0], iv[1], p["sep"], p["lambda"], seed)
		},
		Size: func(p map[string]float64, _ string) (FiniteSumSize, error) {
			iv, _, err := sizesAndSeed(p, "n", "d")
			if err != nil {
				return FiniteSumSize{}, err
			}
			n, d := iv[0], iv[1]
			b, err := logRegBytes(n, d)
			return FiniteSumSize{Dim: d, Samples: n, Bytes: b}, err
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
		Build: func(p map[string]float64, _ string) (FiniteSum, error) {
			iv, seed, err := sizesAndSeed(p, "n", "hidden", "classes")
			if err != nil {
				return nil, err
			}
			return NewMLP(iv[0], iv[1], iv[2], p["turns"], p["noise"], seed)
		},
		Size: func(p map[string]float64, _ string) (FiniteSumSize, error) {
			iv, _, err := sizesAndSeed(p, "n", "hidden", "classes")
			if err != nil {
				return FiniteSumSize{}, err
			}
			n, hidden, classes := iv[0], iv[1], iv[2]
			d, err := mlpDim(hidden, classes)
			if err != nil {
				return FiniteSumSize{}, err
			}
			b, err := mlpBytes(n)
			return FiniteSumSize{Dim: d, Samples: n, Bytes: b}, err
		},
	})
}
