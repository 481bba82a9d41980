package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sgdsde/sgdsde/internal/datafile"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// The command line's defaults of a simulation of a landscape or formula
// model (DefaultSimulate).
const (
	DefaultSimulateN      = 10000
	DefaultSimulateSteps  = 10000
	DefaultSimulateBurnIn = 2000
	DefaultSimulateRecord = 10
	DefaultSimulateEvery  = 10
	DefaultSimulateDt     = 1e-3
)

// DefaultSimulate returns the command line's simulation: the default
// model (ModelSpec's zero value) at the default temperature, with
// DefaultSimulateN trajectories and the other defaults above.
func DefaultSimulate() SimulateSpec {
	return SimulateSpec{Dt: DefaultSimulateDt, Chains: Chains{
		N: DefaultSimulateN, Steps: DefaultSimulateSteps, BurnIn: DefaultSimulateBurnIn,
		Record: DefaultSimulateRecord, Every: DefaultSimulateEvery, Seed: DefaultSeed, Bound: DefaultBound,
	}}
}

// SimulateSpec is an Euler–Maruyama ensemble of the Ito SDE
//
//	dX = b(X) dt + sqrt(2 T D(X)) dW
//
// (Chaudhari & Soatto, arXiv:1710.11029, eq. 3; Kloeden & Platen 1992,
// Sec. 10.2): N trajectories from X0 with step Dt, BurnIn discarded steps,
// then Steps steps averaged into the mean, the covariance and (2-D) the
// angular momentum L, the rate of x1 dx2 - x2 dx1.
//
// When FiniteSum is set, the SDE is that of mini-batch SGD on the finite
// sum, dX = -grad f dt + sqrt(2 T D(X)) dW with T = lr/(2 batch) (times
// (N - b)/(N - 1) for independent batches without replacement) and
// dt = lr, with the exact noise of the per-sample gradients or, with Noise
// sde.NoiseIsotropic, the equilibrium null sqrt(2 T c) dW of constant c
// (NoiseScale; 0 means tr D(x0)/d). Model, Temperature, X0 and Dt must
// then be zero.
type SimulateSpec struct {
	Model       ModelSpec
	Temperature TemperatureSpec
	// X0 is the initial state; nil means the model's DefaultStart.
	X0 []float64
	// Dt is the time step, positive.
	Dt float64
	Chains
	// FiniteSum selects the SDE of SGD on a finite-sum model.
	FiniteSum  *FiniteSumSpec
	Noise      sde.Noise
	NoiseScale float64
}

// SimulateSummary is summary.json of a simulation of a landscape or
// formula model: the inputs, then the statistics (names as in the README).
type SimulateSummary struct {
	Command string `json:"command"`
	// Version is the writer's version; the caller sets it.
	Version string `json:"version"`
	ModelInfo
	TemperatureInfo
	N       int       `json:"n"`
	Steps   int       `json:"steps"`
	BurnIn  int       `json:"burn_in"`
	Dt      float64   `json:"dt"`
	X0      []float64 `json:"x0"`
	Seed    uint64    `json:"seed"`
	Workers int       `json:"workers_requested"`
	Record  int       `json:"record"`
	Every   int       `json:"every"`
	Bound   float64   `json:"bound"`

	Mean                  []float64   `json:"mean"`
	MeanStderr            []float64   `json:"mean_stderr"`
	Cov                   [][]float64 `json:"cov"`
	AngularMomentum       *float64    `json:"angular_momentum,omitempty"`
	AngularMomentumStderr *float64    `json:"angular_momentum_stderr,omitempty"`
	Diverged              int         `json:"diverged"`
	Samples               int64       `json:"samples"`
	RecordLen             int         `json:"record_len"`
	WorkersUsed           int         `json:"workers"`
	ElapsedSeconds        float64     `json:"elapsed_seconds"`
	StepsPerSecond        float64     `json:"steps_per_second"`
	// Files lists the files Write writes, summary.json first.
	Files []string `json:"files"`
}

// SimulateResult is a simulation: exactly one of Summary (a landscape or
// formula model) and FiniteSum (the SDE of SGD on a finite sum) is set,
// with the states of the run.
type SimulateResult struct {
	Summary   *SimulateSummary
	FiniteSum *FiniteSumSummary
	Ensemble
}

// SimulatePlan is a validated SimulateSpec: the model is built, the
// problem checked and the run's memory found to fit; nothing has run.
type SimulatePlan struct {
	chains Chains
	// Landscape or formula model.
	model potentials.Model
	minfo ModelInfo
	tinfo TemperatureInfo
	prob  *sde.Problem
	// Finite sum.
	fs             *finiteSumPlan
	noise          sde.Noise
	scale          float64
	scaleFrom      string
	finiteSumModel bool
}

// Where the noise scale c of the isotropic null came from, as summaries
// record it (FiniteSumInputs.NoiseScaleFrom); the values are those of the
// files written since the first release.
const (
	NoiseScaleGiven   = "--noise-scale"
	NoiseScaleAtStart = "tr D(x0)/d at the initial state"
)

// FiniteSumConflictError is a SimulateSpec with a finite sum and a field
// that only a landscape or formula model takes.
type FiniteSumConflictError struct{ Field string }

func (e *FiniteSumConflictError) Error() string {
	return fmt.Sprintf("%s applies to landscape and formula models, not to a finite sum", e.Field)
}

// NoiseScaleError is an isotropic null without noise: c = tr D(x0)/d is
// not positive (the error of sde.SGDProblem.IsotropicScale).
type NoiseScaleError struct{ Err error }

func (e *NoiseScaleError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *NoiseScaleError) Unwrap() error { return e.Err }

// Plan validates s and prepares its run without running it. Its errors
// are those of Chains (*SettingError, *ChainsError), of TemperatureSpec,
// ModelSpec and FiniteSumSpec, *ProblemError (a problem sde refuses),
// *SizeError and *MemoryError (the run does not fit), and for a finite sum
// *FiniteSumConflictError and *NoiseScaleError.
func (s SimulateSpec) Plan() (*SimulatePlan, error) {
	if s.FiniteSum != nil {
		return s.planFiniteSum()
	}
	if err := s.CheckRun(); err != nil {
		return nil, err
	}
	c, dt := s.Chains, s.Dt
	tinfo, err := s.Temperature.Resolve()
	if err != nil {
		return nil, err
	}
	m, minfo, err := s.Model.Build(tinfo.Temperature)
	if err != nil {
		return nil, err
	}
	x0 := s.X0
	if x0 == nil {
		x0 = m.DefaultStart()
	}
	prob := &sde.Problem{Model: m, Temperature: tinfo.Temperature, X0: x0, Dt: dt, Steps: c.Steps, BurnIn: c.BurnIn}
	if err := prob.Validate(); err != nil {
		return nil, &ProblemError{Err: err}
	}
	ens := &sde.Ensemble{N: c.N, Workers: c.Workers, Record: c.Record, Every: c.Every, Bound: c.Bound}
	need, err := ens.MemoryEstimate(m.Dim, c.Steps)
	if err != nil {
		return nil, &SizeError{Err: err}
	}
	what := fmt.Sprintf("an ensemble of %d trajectories in %d-D", c.N, m.Dim)
	if c.Record > 0 {
		what += fmt.Sprintf(" saving %d x %d states", c.Record, c.Steps/c.Every)
	}
	if err := CheckMemory(float64(need), what); err != nil {
		return nil, err
	}
	return &SimulatePlan{chains: c, model: m, minfo: minfo, tinfo: tinfo, prob: prob}, nil
}

// CheckRun checks the run settings of a landscape or formula simulation
// (Chains and Dt) alone, without building the model, in the order the
// command line reports them. Its errors are *SettingError and
// *ChainsError.
func (s SimulateSpec) CheckRun() error {
	dt := s.Dt
	return s.Chains.validate(&dt)
}

// planFiniteSum is Plan for the SDE of SGD on a finite sum.
func (s SimulateSpec) planFiniteSum() (*SimulatePlan, error) {
	switch {
	case s.Model.Landscape != "" || s.Model.IsFormula() || s.Model.Params != nil || s.Model.Dim != 0 || s.Model.DriftKind != DriftSGD:
		return nil, &FiniteSumConflictError{Field: "Model"}
	case s.Temperature != (TemperatureSpec{}):
		return nil, &FiniteSumConflictError{Field: "Temperature"}
	case s.X0 != nil:
		return nil, &FiniteSumConflictError{Field: "X0 (use FiniteSum.X0)"}
	case s.Dt != 0:
		return nil, &FiniteSumConflictError{Field: "Dt (the time step is the learning rate)"}
	case s.Noise != sde.NoiseExact && s.Noise != sde.NoiseIsotropic:
		return nil, &ValueError{What: "noise", Value: s.Noise.String(), Want: "exact or isotropic"}
	case !(s.NoiseScale >= 0) || s.NoiseScale > maxFloat:
		return nil, &SettingError{"NoiseScale", s.NoiseScale, "finite and non-negative (0 = tr D(x0)/d)"}
	}
	c := s.Chains
	fp, err := s.FiniteSum.plan(c, false)
	if err != nil {
		return nil, err
	}
	if fp.temp == 0 {
		return nil, &FiniteSumError{Issue: FiniteSumZeroTemperature, Batch: fp.prob.Batch, Samples: fp.prob.Model.Samples()}
	}
	pl := &SimulatePlan{chains: c, fs: fp, noise: s.Noise, finiteSumModel: true}
	if s.Noise == sde.NoiseIsotropic {
		fp.prob.NoiseScale = s.NoiseScale
		if pl.scale, err = fp.prob.IsotropicScale(); err != nil {
			return nil, &NoiseScaleError{Err: err}
		}
		pl.scaleFrom = NoiseScaleGiven
		if s.NoiseScale == 0 {
			pl.scaleFrom = NoiseScaleAtStart
		}
	}
	return pl, nil
}

// maxFloat is the largest finite float64.
const maxFloat = 1.7976931348623157e308

// Model returns the model of a landscape or formula simulation (the zero
// Model for a finite sum).
func (p *SimulatePlan) Model() potentials.Model { return p.model }

// Work returns the units of progress of the run (trajectory-steps) and
// its cost in gradient evaluations times dimension for a finite sum (the
// units for other models), by which a caller may decide to show progress.
func (p *SimulatePlan) Work() (units int64, cost float64) {
	units = work(p.chains.N, p.chains.Steps+p.chains.BurnIn)
	if p.fs == nil {
		return units, float64(units)
	}
	m := p.fs.prob.Model
	return units, float64(units) * float64(m.Samples()) * float64(m.Dim())
}

// Run runs the planned simulation, reporting trajectory-steps to pr under
// the stage "simulate". Its errors are those of sde (a cancelled ctx gives
// one wrapping ctx's error; every trajectory diverged).
func (p *SimulatePlan) Run(ctx context.Context, pr Progress) (*SimulateResult, error) {
	units, _ := p.Work()
	begin(pr, "simulate", units)
	defer end(pr)
	if p.fs != nil {
		r := p.fs.run(adder(pr))
		res, err := r.SDE(ctx, p.fs.prob, p.noise)
		if err != nil {
			return nil, err
		}
		sum := p.fs.summary("simulate", r, res)
		sum.Noise = p.noise.String()
		sum.NoiseScale, sum.NoiseScaleFrom = p.scale, p.scaleFrom
		return &SimulateResult{FiniteSum: sum, Ensemble: ensembleOf(res)}, nil
	}
	c := p.chains
	ens := &sde.Ensemble{N: c.N, Seed: c.Seed, Workers: c.Workers, Record: c.Record, Every: c.Every, Bound: c.Bound, Progress: adder(pr)}
	res, err := ens.Run(ctx, p.prob)
	if err != nil {
		return nil, err
	}
	sum := &SimulateSummary{
		Command:         "simulate",
		ModelInfo:       p.minfo,
		TemperatureInfo: p.tinfo,
		N:               c.N, Steps: c.Steps, BurnIn: c.BurnIn, Dt: p.prob.Dt, X0: p.prob.X0,
		Seed: c.Seed, Workers: c.Workers, Record: c.Record, Every: c.Every, Bound: c.Bound,
		Mean: res.Mean, MeanStderr: res.MeanStderr, Cov: rows(res.Cov, res.Dim),
		Diverged: res.Diverged, Samples: res.Samples, RecordLen: res.RecordLen, WorkersUsed: res.Workers,
		ElapsedSeconds: res.Elapsed.Seconds(), StepsPerSecond: res.StepsPerSecond,
	}
	if res.Dim == 2 {
		L, Lse := res.AngularMomentum, res.AngularMomentumStderr
		sum.AngularMomentum, sum.AngularMomentumStderr = &L, &Lse
	}
	return &SimulateResult{Summary: sum, Ensemble: ensembleOf(res)}, nil
}

// Simulate plans and runs s (SimulateSpec.Plan, SimulatePlan.Run).
func Simulate(ctx context.Context, s SimulateSpec, pr Progress) (*SimulateResult, error) {
	p, err := s.Plan()
	if err != nil {
		return nil, err
	}
	return p.Run(ctx, pr)
}

// Write writes the run into dir (created if needed): final.npy (n, d),
// traj.npy (record, steps/every, d) when trajectories were recorded (a
// stale one is removed) and, last, summary.json, each atomically. It sets
// the summary's Files.
func (r *SimulateResult) Write(dir string) error {
	if r.FiniteSum != nil {
		return writeRun(dir, &r.Ensemble, r.FiniteSum, &r.FiniteSum.Files)
	}
	return writeRun(dir, &r.Ensemble, r.Summary, &r.Summary.Files)
}

// writeRun writes the states of a run and, last, its summary sum, after
// setting *files.
func writeRun(dir string, e *Ensemble, sum any, files *[]string) error {
	f, err := e.write(dir)
	if err != nil {
		return err
	}
	*files = f
	return datafile.WriteJSON(filepath.Join(dir, "summary.json"), sum)
}

// ReadSimulate reads a simulation that Write wrote into dir: a landscape
// or formula run, or the SDE of SGD on a finite sum (see ReadSGD). A
// missing final.npy or traj.npy leaves its fields nil.
func ReadSimulate(dir string) (*SimulateResult, error) {
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return nil, err
	}
	var probe struct {
		FiniteSum bool `json:"finite_sum"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, err
	}
	if probe.FiniteSum {
		fr, err := ReadSGD(dir)
		if err != nil {
			return nil, err
		}
		return &SimulateResult{FiniteSum: &fr.Summary, Ensemble: fr.Ensemble}, nil
	}
	var sum SimulateSummary
	if err := json.Unmarshal(b, &sum); err != nil {
		return nil, err
	}
	if sum.Command != "simulate" {
		return nil, errors.New(filepath.Join(dir, "summary.json") + ": not the summary of a simulation")
	}
	e, err := readEnsemble(dir, sum.N, sum.Dim, sum.Record, sum.RecordLen)
	if err != nil {
		return nil, err
	}
	return &SimulateResult{Summary: &sum, Ensemble: e}, nil
}
