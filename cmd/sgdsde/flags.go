package main

// Flag groups shared by the commands that build a model and a temperature
// (simulate now; steady, evolve and cycles later), and the parsers of
// structured flag values. Parsing and wiring only: the numerics live in
// potentials and sde.

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/internal/datafile"
	"github.com/sgdsde/sgdsde/potentials"
)

// Defaults shared by the commands.
const (
	defaultLandscape   = experiment.DefaultLandscape
	defaultTemperature = experiment.DefaultTemperature
	defaultFormulaDim  = experiment.DefaultFormulaDim
)

// modelFlags selects the model: a built-in landscape or formulas, parameter
// values, and the drift kind.
type modelFlags struct {
	fs        *pflag.FlagSet
	landscape string
	loss      string
	drift     string
	diffusion string
	dim       int
	set       []string
	driftKind string
}

// addModelFlags registers the model flags on fs.
func addModelFlags(fs *pflag.FlagSet) *modelFlags {
	mf := &modelFlags{fs: fs}
	fs.StringVar(&mf.landscape, "landscape", defaultLandscape,
		"built-in landscape `name`; 'sgdsde landscapes' lists them with their parameters")
	fs.StringVar(&mf.loss, "loss", "",
		"loss f(x) as a formula `expr` in x (1-D) or x, y (2-D), e.g. \"(x^2-1)^2/4 + y^2/2\"; without --drift the drift is b = -grad f. Any formula flag selects a formula model instead of --landscape")
	fs.StringVar(&mf.drift, "drift", "",
		"drift b(x) as `formulas` separated by ';', one per coordinate, e.g. \"x - x^3; -y\" (formula model)")
	fs.StringVar(&mf.diffusion, "diffusion", "",
		"diffusion D(x): one `formula` (D = formula times the identity), or the matrix by rows \"D11, D12; D21, D22\"; must be symmetric positive semi-definite (formula model; default the identity)")
	fs.IntVar(&mf.dim, "dim", defaultFormulaDim,
		"dimension `d` of a formula model: 1 (coordinate x) or 2 (coordinates x, y)")
	fs.StringSliceVar(&mf.set, "set", nil,
		"parameter value `name=value` of the landscape or of the formulas; repeatable or comma-separated, e.g. --set d12=0.5,d22=2 (defaults: see 'sgdsde landscapes')")
	fs.StringVar(&mf.driftKind, "drift-kind", "sgd",
		"`kind` of drift: sgd (the model's drift, b = -grad f for SGD) or gibbs (equilibrium control b = -D grad f + T div D, steady state exp(-f/T)/Z; needs a loss)")
	return mf
}

// isFormula reports whether a formula flag was given.
func (mf *modelFlags) isFormula() bool {
	return mf.fs.Changed("loss") || mf.fs.Changed("drift") || mf.fs.Changed("diffusion")
}

// spec returns the model specification of the flags. All errors are
// bad-input errors.
func (mf *modelFlags) spec() (experiment.ModelSpec, error) {
	kind, err := experiment.ParseDriftKind(mf.driftKind)
	if err != nil {
		return experiment.ModelSpec{}, usageErrorf("--drift-kind %q: want sgd or gibbs", mf.driftKind)
	}
	params, err := parseSet(mf.set)
	if err != nil {
		return experiment.ModelSpec{}, err
	}
	s := experiment.ModelSpec{Params: params, DriftKind: kind}
	if mf.isFormula() {
		if mf.fs.Changed("landscape") {
			return experiment.ModelSpec{}, usageErrorf("--landscape conflicts with --loss/--drift/--diffusion: give either a built-in landscape or formulas")
		}
		s.Loss, s.Drift, s.Diffusion, s.Dim = mf.loss, mf.drift, mf.diffusion, mf.dim
		if mf.dim != 1 && mf.dim != 2 {
			return experiment.ModelSpec{}, usageErrorf("--dim %d: formula models have dimension 1 or 2", mf.dim)
		}
	} else {
		if mf.fs.Changed("dim") {
			return experiment.ModelSpec{}, usageErrorf("--dim applies to formula models only (give --loss, --drift or --diffusion); landscape %q has a fixed dimension", mf.landscape)
		}
		s.Landscape = mf.landscape
	}
	return s, nil
}

// modelErrorText words an error of experiment.ModelSpec.Build for the
// command line.
func modelErrorText(err error) error {
	if err == nil {
		return nil
	}
	var ge *experiment.GibbsError
	if errors.As(err, &ge) {
		return usageErrorf("--drift-kind gibbs: %v (give the loss with --loss, or use --drift-kind sgd)", ge.Err)
	}
	return usageErrorf("%v", wordError(err))
}

// parseSet parses --set values "name=value" into a map. A name given twice
// is an error.
func parseSet(items []string) (map[string]float64, error) {
	p := make(map[string]float64, len(items))
	for _, it := range items {
		name, val, ok := strings.Cut(it, "=")
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		if !ok || name == "" || val == "" {
			return nil, usageErrorf("--set %q: want name=value, e.g. --set d12=0.5", it)
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, usageErrorf("--set %q: value %q is not a finite number", it, val)
		}
		if _, dup := p[name]; dup {
			return nil, usageErrorf("--set: parameter %q given twice", name)
		}
		p[name] = v
	}
	return p, nil
}

// temperatureFlags gives the temperature T directly or as that of
// mini-batch SGD, T = lr/(2 batch) (times (samples - batch)/(samples - 1)
// without replacement, the factor of independent batches; see
// sde.SGDTemperature). Commands registered with addTemperatureListFlags accept a
// comma-separated list of temperatures, the others exactly one.
type temperatureFlags struct {
	fs                 *pflag.FlagSet
	temperature        temperatureValue
	list               bool
	lr                 float64
	batch              int
	samples            int
	withoutReplacement bool
}

// temperatureValue is the value of --temperature: one or more numbers
// separated by commas.
type temperatureValue []float64

// String formats the temperatures as "0.1,0.2".
func (t *temperatureValue) String() string {
	parts := make([]string, len(*t))
	for i, v := range *t {
		parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

// Set parses "T" or "T1,T2,...".
func (t *temperatureValue) Set(s string) error {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", p)
		}
		out = append(out, v)
	}
	*t = out
	return nil
}

// Type names the value in help texts.
func (t *temperatureValue) Type() string { return "float" }

// addTemperatureFlags registers the temperature flags on fs; --temperature
// takes one value.
func addTemperatureFlags(fs *pflag.FlagSet) *temperatureFlags {
	return newTemperatureFlags(fs, false,
		"temperature `T` of the SDE (units of the loss; the noise is sqrt(2 T D)); conflicts with --lr")
}

// addTemperatureListFlags registers the temperature flags on fs;
// --temperature takes one value or a comma-separated list.
func addTemperatureListFlags(fs *pflag.FlagSet) *temperatureFlags {
	return newTemperatureFlags(fs, true,
		"temperature `T` of the SDE (units of the loss; the noise is sqrt(2 T D)), or a comma-separated list T1,T2,... for one run per temperature in subdirectories T_<T> of --out plus a summary across temperatures; conflicts with --lr")
}

func newTemperatureFlags(fs *pflag.FlagSet, list bool, usage string) *temperatureFlags {
	tf := &temperatureFlags{fs: fs, list: list, temperature: temperatureValue{defaultTemperature}}
	fs.Var(&tf.temperature, "temperature", usage)
	fs.Float64Var(&tf.lr, "lr", 0,
		"SGD learning rate `eta`: sets T = eta/(2 batch) (Chaudhari & Soatto eq. 3) instead of --temperature; needs --batch")
	fs.IntVar(&tf.batch, "batch", 0, "SGD mini-batch size `b` (examples), with --lr")
	fs.IntVar(&tf.samples, "samples", 0,
		"training set size `N` (examples) for --without-replacement: T is multiplied by (N - b)/(N - 1), so T = eta (N - b)/(2 b (N - 1))")
	fs.BoolVar(&tf.withoutReplacement, "without-replacement", false,
		"mini-batches sampled without replacement as independent batches (b distinct samples drawn afresh every step, whose mean has covariance D (N - b)/(b (N - 1))); shuffled epochs are not described by this T. Needs --lr, --batch and --samples; default with replacement")
	return tf
}

// temperatureInfo is what a summary echoes about the temperature.
type temperatureInfo = experiment.TemperatureInfo

// resolveAll returns the temperatures selected by the flags: those of
// resolveList when --temperature takes a list (addTemperatureListFlags),
// otherwise the one of resolve. All errors are bad-input errors.
func (tf *temperatureFlags) resolveAll() ([]temperatureInfo, error) {
	if tf.list {
		return tf.resolveList()
	}
	t, err := tf.resolve()
	if err != nil {
		return nil, err
	}
	return []temperatureInfo{t}, nil
}

// resolve returns the temperature selected by the flags; a list of
// temperatures is an error. All errors are bad-input errors.
func (tf *temperatureFlags) resolve() (temperatureInfo, error) {
	if len(tf.temperature) > 1 {
		hint := "give one temperature; 'sgdsde steady' and 'sgdsde compare' accept a list"
		return temperatureInfo{}, usageErrorf("--temperature %s: %s takes one temperature, got %d (%s)",
			tf.temperature.String(), tf.fs.Name(), len(tf.temperature), hint)
	}
	return tf.resolveOne(tf.temperature[0])
}

// resolveList returns the temperatures selected by the flags: one, or each
// of a list given to --temperature (distinct, each positive and finite).
// All errors are bad-input errors.
func (tf *temperatureFlags) resolveList() ([]temperatureInfo, error) {
	if len(tf.temperature) == 1 {
		t, err := tf.resolveOne(tf.temperature[0])
		if err != nil {
			return nil, err
		}
		return []temperatureInfo{t}, nil
	}
	if tf.fs.Changed("lr") {
		return nil, usageErrorf("--temperature conflicts with --lr: give T directly or as lr/(2 batch), not both")
	}
	seen := make(map[float64]bool)
	var out []temperatureInfo
	for _, T := range tf.temperature {
		if seen[T] {
			return nil, usageErrorf("--temperature %s: %g is given twice", tf.temperature.String(), T)
		}
		seen[T] = true
		t, err := tf.resolveOne(T)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// resolveOne resolves the flags with --temperature T.
func (tf *temperatureFlags) resolveOne(T float64) (temperatureInfo, error) {
	fs := tf.fs
	sgd := fs.Changed("lr")
	if sgd && fs.Changed("temperature") {
		return temperatureInfo{}, usageErrorf("--temperature conflicts with --lr: give T directly or as lr/(2 batch), not both")
	}
	if !sgd {
		for _, name := range []string{"batch", "samples", "without-replacement"} {
			if fs.Changed(name) {
				return temperatureInfo{}, usageErrorf("--%s needs --lr (it sets T = lr/(2 batch))", name)
			}
		}
		if !(T > 0) || math.IsInf(T, 0) {
			return temperatureInfo{}, usageErrorf("--temperature must be positive and finite, got %g", T)
		}
		spec := experiment.TemperatureSpec{}
		if fs.Changed("temperature") {
			spec.T = T
		}
		info, err := spec.Resolve()
		if err != nil {
			return temperatureInfo{}, usageErrorf("--temperature: %v", err)
		}
		return info, nil
	}
	if !fs.Changed("batch") {
		return temperatureInfo{}, usageErrorf("--lr needs --batch (T = lr/(2 batch))")
	}
	if fs.Changed("samples") && !tf.withoutReplacement {
		return temperatureInfo{}, usageErrorf("--samples applies only with --without-replacement")
	}
	if tf.withoutReplacement && !fs.Changed("samples") {
		return temperatureInfo{}, usageErrorf("--without-replacement needs --samples (the training set size)")
	}
	info, err := experiment.TemperatureSpec{LR: tf.lr, Batch: tf.batch, Samples: tf.samples, WithoutReplacement: tf.withoutReplacement}.Resolve()
	if err != nil {
		return temperatureInfo{}, usageErrorf("%v (check --lr, --batch, --samples)", errors.Unwrap(err))
	}
	return info, nil
}

// parsePoint parses a comma-separated list of d finite numbers given to
// flag, e.g. "1,0".
func parsePoint(flag, s string, d int) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != d {
		return nil, usageErrorf("--%s %q: want %d comma-separated numbers for a %d-D model", flag, s, d, d)
	}
	x := make([]float64, d)
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, usageErrorf("--%s %q: coordinate %d (%q) is not a finite number", flag, s, i+1, strings.TrimSpace(p))
		}
		x[i] = v
	}
	return x, nil
}

// defaultX0 returns the default initial state of a model
// (potentials.Model.DefaultStart).
func defaultX0(m potentials.Model) []float64 { return m.DefaultStart() }

// temperatureSpec returns the specification of a resolved temperature.
func temperatureSpec(t temperatureInfo) experiment.TemperatureSpec {
	switch {
	case t.SGD != nil:
		return experiment.TemperatureSpec{LR: t.SGD.LR, Batch: t.SGD.Batch, Samples: t.SGD.Samples, WithoutReplacement: t.SGD.WithoutReplacement}
	case t.From == experiment.TemperatureFromDefault:
		return experiment.TemperatureSpec{}
	}
	return experiment.TemperatureSpec{T: t.Temperature}
}

// checkOutDir verifies, before any work, that dir can be created as (or
// already is) a directory the command can write into (datafile.CheckDir).
func checkOutDir(dir string) error {
	if dir == "" {
		return usageErrorf("--out must name a directory")
	}
	if err := datafile.CheckDir(dir); err != nil {
		return usageErrorf("--out %v", err)
	}
	return nil
}
