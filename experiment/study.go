package experiment

import (
	"context"
	"io"
	"maps"
	"math"
	"slices"
)

// Study is a study that a sweep runs at each point of a parameter grid:
// *SimulateSpec, *SteadySpec, *CyclesSpec, *CompareSpec and *SGDSpec. A
// sweep copies a template with Clone, sets the point's values with
// SetParam (the parameter table, Params) and runs it with Start and
// Runner.Run, then writes the result.
type Study interface {
	// Command names the study as the command that runs it ("steady").
	Command() string
	// Clone returns a deep copy: setting a parameter of the copy leaves
	// the original unchanged.
	Clone() Study
	// Start validates the study (Plan) without doing any work.
	Start() (Runner, error)
}

// Runner runs a validated study.
type Runner interface {
	// Run runs the study, reporting its stages to p (nil: none).
	Run(ctx context.Context, p Progress) (StudyResult, error)
	// Cost is an estimate of the work in elementary steps (trajectory or
	// chain steps times the cost of one), 0 when not estimated: whether a
	// progress bar is worth showing.
	Cost() float64
}

// StudyResult is the result of a Study: what the sweep writes into a
// point's directory.
type StudyResult interface {
	// Write writes the result's files into dir (see each result's Write).
	Write(dir string) error
	// SetVersion sets the writer's version recorded in the summaries.
	SetVersion(v string)
	// Report writes the human-readable summary of the result, written
	// into dir, to w.
	Report(w io.Writer, dir string) error
}

// planRunner adapts a plan's Run, which returns a concrete result type,
// to Runner; a failed run gives a nil StudyResult.
type planRunner struct {
	run  func(context.Context, Progress) (StudyResult, error)
	cost float64
}

// Run runs the plan.
func (r planRunner) Run(ctx context.Context, p Progress) (StudyResult, error) { return r.run(ctx, p) }

// Cost returns the work estimate.
func (r planRunner) Cost() float64 { return r.cost }

// runner returns the Runner of a plan's Run with work estimate cost.
func runner[R StudyResult](run func(context.Context, Progress) (R, error), cost float64) Runner {
	return planRunner{cost: cost, run: func(ctx context.Context, p Progress) (StudyResult, error) {
		r, err := run(ctx, p)
		if err != nil {
			return nil, err
		}
		return r, nil
	}}
}

// Command returns "simulate".
func (s *SimulateSpec) Command() string { return "simulate" }

// Command returns "steady".
func (s *SteadySpec) Command() string { return "steady" }

// Command returns "cycles".
func (s *CyclesSpec) Command() string { return "cycles" }

// Command returns "compare".
func (s *CompareSpec) Command() string { return "compare" }

// Command returns "escape".
func (s *EscapeSpec) Command() string { return "escape" }

// Clone returns a deep copy of s.
func (s *EscapeSpec) Clone() Study {
	c := *s
	c.Model, c.Grid = s.Model.clone(), s.Grid.clone()
	c.Temperatures = slices.Clone(s.Temperatures)
	c.From, c.To = slices.Clone(s.From), slices.Clone(s.To)
	return &c
}

// Start validates s (Plan) and returns its runner.
func (s *EscapeSpec) Start() (Runner, error) {
	p, err := s.Plan()
	if err != nil {
		return nil, err
	}
	cost := 0.0
	if s.Method != EscapeGrid {
		w := s.withDefaults()
		cost = float64(w.N) * math.Max(w.MaxTime, DefaultEscapeMaxTime) / w.Dt
	}
	return runner(p.Run, cost), nil
}

// Command returns "sgd".
func (s *SGDSpec) Command() string { return "sgd" }

// clone returns a deep copy of m.
func (m ModelSpec) clone() ModelSpec {
	m.Params = maps.Clone(m.Params)
	return m
}

// clone returns a deep copy of g.
func (g GridSpec) clone() GridSpec {
	g.Nodes = slices.Clone(g.Nodes)
	return g
}

// clone returns a deep copy of f.
func (f FiniteSumSpec) clone() FiniteSumSpec {
	f.Params = maps.Clone(f.Params)
	f.X0 = slices.Clone(f.X0)
	return f
}

// Clone returns a deep copy of s.
func (s *SimulateSpec) Clone() Study {
	c := *s
	c.Model = s.Model.clone()
	c.X0 = slices.Clone(s.X0)
	if s.FiniteSum != nil {
		fs := s.FiniteSum.clone()
		c.FiniteSum = &fs
	}
	return &c
}

// Clone returns a deep copy of s.
func (s *SteadySpec) Clone() Study {
	c := *s
	c.Model, c.Grid = s.Model.clone(), s.Grid.clone()
	c.Temperatures = slices.Clone(s.Temperatures)
	return &c
}

// Clone returns a deep copy of s.
func (s *CyclesSpec) Clone() Study {
	c := *s
	c.Model, c.Grid = s.Model.clone(), s.Grid.clone()
	c.Seeds = slices.Clone(s.Seeds)
	return &c
}

// Clone returns a deep copy of s.
func (s *CompareSpec) Clone() Study {
	c := *s
	c.Model, c.Grid = s.Model.clone(), s.Grid.clone()
	c.Temperatures = slices.Clone(s.Temperatures)
	c.X0 = slices.Clone(s.X0)
	return &c
}

// Clone returns a deep copy of s.
func (s *SGDSpec) Clone() Study {
	c := *s
	c.FiniteSum = s.FiniteSum.clone()
	return &c
}

// Start validates s (Plan) and returns its runner.
func (s *SimulateSpec) Start() (Runner, error) {
	p, err := s.Plan()
	if err != nil {
		return nil, err
	}
	_, cost := p.Work()
	return runner(p.Run, cost), nil
}

// Start validates s (Plan) and returns its runner.
func (s *SteadySpec) Start() (Runner, error) {
	p, err := s.Plan()
	if err != nil {
		return nil, err
	}
	return runner(p.Run, 0), nil
}

// Start validates s (Plan) and returns its runner.
func (s *CyclesSpec) Start() (Runner, error) {
	p, err := s.Plan()
	if err != nil {
		return nil, err
	}
	return runner(p.Run, 0), nil
}

// Start validates s (Plan) and returns its runner.
func (s *CompareSpec) Start() (Runner, error) {
	p, err := s.Plan()
	if err != nil {
		return nil, err
	}
	return runner(p.Run, float64(s.N)*float64(s.Steps+s.BurnIn)), nil
}

// Start validates s (Plan) and returns its runner.
func (s *SGDSpec) Start() (Runner, error) {
	p, err := s.Plan()
	if err != nil {
		return nil, err
	}
	_, cost := p.Work()
	return runner(p.Run, cost), nil
}

// SetVersion sets the writer's version of the summary.
func (r *SimulateResult) SetVersion(v string) {
	if r.Summary != nil {
		r.Summary.Version = v
	}
	if r.FiniteSum != nil {
		r.FiniteSum.Version = v
	}
}

// SetVersion sets the writer's version of the summary.
func (r *CyclesResult) SetVersion(v string) { r.Summary.Version = v }

// SetVersion sets the writer's version of the summary.
func (r *FiniteSumResult) SetVersion(v string) { r.Summary.Version = v }
