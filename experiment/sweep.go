package experiment

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/sgdsde/sgdsde/sweep"
)

// SweepSpec is a sweep of a study over a grid of parameter values: every
// point runs a copy of Template (Clone) with the point's values set
// through the parameter table (SetParam). Run it into a sweep directory:
//
//	dir, err := sweep.Create(path, spec.Definition(nil))
//	st, err := spec.Run(ctx, dir, sweep.Options{Workers: 2}, nil)
//	rs, err := sweep.WriteResults([]*sweep.Dir{dir}, path)
//
// A point whose values or study are rejected, or whose run fails, is
// recorded as failed and the sweep goes on (package sweep).
type SweepSpec struct {
	// Template is the study of every point before its values are set:
	// *SimulateSpec, *SteadySpec, *CyclesSpec, *CompareSpec or *SGDSpec.
	Template Study
	// Vary are the axes: names of the parameter table (Params) or of the
	// model's parameters, with their values as text.
	Vary sweep.Grid
	// Workers, when positive, sets the parameter "workers" of every
	// point's study that has it (the ensembles' goroutines, see
	// WorkersPerPoint); 0 keeps the template's.
	Workers int
	// RecordDefault, when positive and the axis "n" is varied, sets the
	// parameter "record" of every point to min(RecordDefault, n): the
	// default number of saved trajectories lowered to the point's
	// ensemble size (DefaultRecord gives the commands' default). 0 keeps
	// the template's record.
	RecordDefault int
	// Version is the writer's version recorded in every point's summary
	// (StudyResult.SetVersion).
	Version string
}

// ErrNoTemplate reports a SweepSpec without a template study.
var ErrNoTemplate = errors.New("the sweep has no template study")

// SweepStage is the step of a sweep point's study that failed.
type SweepStage int

const (
	// SweepValues is setting the point's values (SetParam): the cause is a
	// *ParamError or a *TemperatureError.
	SweepValues SweepStage = iota + 1
	// SweepStart is the study's validation (Study.Start): the cause is the
	// study's own input error (ModelError, GridSizeError, MemoryError, ...).
	SweepStart
	// SweepRun is Runner.Run (SolveError, EnsembleRunError, ...).
	SweepRun
	// SweepWrite is StudyResult.Write into the point's directory.
	SweepWrite
)

// SweepPointError is the error of a sweep point: the step that failed and
// its error. Its text is that of Err, which errors.As finds (a
// *ParamError, a *SolveError, ...).
type SweepPointError struct {
	Stage SweepStage
	Err   error
}

// Error returns the text of the step's error.
func (e *SweepPointError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *SweepPointError) Unwrap() error { return e.Err }

// NoValidPointError reports a sweep none of whose points is a valid study
// (FirstValid): Err is the error of the first point, Point, whose axes
// Names take the Values.
type NoValidPointError struct {
	Point         int
	Names, Values []string
	Err           error
}

// Error names the first point, its values and its error.
func (e *NoValidPointError) Error() string {
	parts := make([]string, len(e.Names))
	for k, name := range e.Names {
		parts[k] = name + "=" + e.Values[k]
	}
	return fmt.Sprintf("no point of the sweep is a valid study; point %d (%s): %v", e.Point, strings.Join(parts, " "), e.Err)
}

// Unwrap returns the first point's error.
func (e *NoValidPointError) Unwrap() error { return e.Err }

// SweepPoint is a point of a sweep that Run ran, handed to its report
// function.
type SweepPoint struct {
	// Point is the index, the values and the directory of the point.
	sweep.Point
	// Study is the point's study; nil when its values could not be set.
	Study Study
	// Result is the result of a run that succeeded (also when writing it
	// then failed); nil otherwise.
	Result StudyResult
	// Err is nil for a point written in full, else a *SweepPointError.
	Err error
}

// Outcome is the default record of the point in its point.json: the
// error's text on one line, exit code 2 for an input error (SweepValues,
// SweepStart) and 1 for a failed run or write; no warnings and no
// command line.
func (p *SweepPoint) Outcome() sweep.Outcome {
	var out sweep.Outcome
	if p.Err != nil {
		out.Err, out.ExitCode = strings.Join(strings.Fields(p.Err.Error()), " "), 1
		var pe *SweepPointError
		if errors.As(p.Err, &pe) && (pe.Stage == SweepValues || pe.Stage == SweepStart) {
			out.ExitCode = 2
		}
	}
	return out
}

// DefaultRecord is the commands' default number of saved trajectories of
// a study (Chains.Record): DefaultSimulateRecord for a simulation on a
// landscape or formulas, DefaultSGDRecord for SGD and the SDE of a finite
// sum, and 0 for studies that save none.
func DefaultRecord(s Study) int {
	switch s := s.(type) {
	case *SimulateSpec:
		if s.FiniteSum == nil {
			return DefaultSimulateRecord
		}
		return DefaultSGDRecord
	case *SGDSpec:
		return DefaultSGDRecord
	}
	return 0
}

// WorkersPerPoint is the ensemble workers of each of k points run at
// once: the CPU cores shared among them, at least 1. Each point's
// results do not depend on it.
func WorkersPerPoint(k int) int { return max(1, runtime.NumCPU()/max(k, 1)) }

// StudyCommands are the commands of the studies a sweep runs, in the
// order of the command line's help.
func StudyCommands() []string {
	return []string{"simulate", "steady", "cycles", "compare", "sgd", "escape"}
}

// SummaryFile is the file in which the study of command writes its
// scalar results: summary.json, compare.json for compare, escape.json for
// escape; "" for a
// command that is not one of StudyCommands.
func SummaryFile(command string) string {
	switch command {
	case "simulate", "steady", "cycles", "sgd":
		return "summary.json"
	case "compare":
		return "compare.json"
	case "escape":
		return "escape.json"
	}
	return ""
}

// Definition returns the definition of the sweep (sweep.json) with the
// command line's arguments args (nil for a sweep defined in Go).
func (w *SweepSpec) Definition(args []string) sweep.Definition {
	def := sweep.Definition{Args: args, Vary: w.Vary, Points: w.Vary.Len()}
	if w.Template != nil {
		def.Command = w.Template.Command()
		def.Summary = SummaryFile(def.Command)
	}
	return def
}

// Point returns the study of point i (the grid's order, sweep.Grid.Point).
// Its errors are *SweepPointError{Stage: SweepValues}.
func (w *SweepSpec) Point(i int) (Study, error) {
	if w.Template == nil {
		return nil, ErrNoTemplate
	}
	return w.study(w.Vary.Point(i))
}

// study returns the study of the point with values: a copy of the
// template with each value set, then record and workers.
func (w *SweepSpec) study(values []string) (Study, error) {
	s := w.Template.Clone()
	set := func(name, value string) error {
		if err := SetParam(s, name, value); err != nil {
			return &SweepPointError{Stage: SweepValues, Err: err}
		}
		return nil
	}
	for k, ax := range w.Vary {
		if err := set(ax.Name, values[k]); err != nil {
			return nil, err
		}
		if ax.Name == "n" && w.RecordDefault > 0 {
			n, _ := strconv.Atoi(values[k])
			if err := set("record", strconv.Itoa(min(w.RecordDefault, max(n, 0)))); err != nil {
				return nil, err
			}
		}
	}
	if _, ok := ParamOf(s, "workers"); ok && w.Workers > 0 {
		if err := set("workers", strconv.Itoa(w.Workers)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Check validates point i without doing any work: its values (Point) and
// its study (Start). Its errors are *SweepPointError.
func (w *SweepSpec) Check(i int) error {
	s, err := w.Point(i)
	if err != nil {
		return err
	}
	if _, err := s.Start(); err != nil {
		return &SweepPointError{Stage: SweepStart, Err: err}
	}
	return nil
}

// Validate returns the first point that is a valid study (Check), or a
// *NoValidPointError with the error of the first point when none is:
// FirstValid(nil).
func (w *SweepSpec) Validate() (int, error) { return w.FirstValid(nil) }

// FirstValid returns the index of the first point, in the grid's order,
// that is a valid study. With build nil the points copy Template; else
// build returns the template for each point's values in turn (it may set
// w's other fields too), and Template is left at the first template that
// gives a valid point. An invalid grid is an error of sweep.Grid.Check; a
// sweep without a valid point a *NoValidPointError with the first point's
// error (of build, or a *SweepPointError).
func (w *SweepSpec) FirstValid(build func(values []string) (Study, error)) (int, error) {
	if err := w.Vary.Check(); err != nil {
		return -1, err
	}
	if build == nil && w.Template == nil {
		return -1, ErrNoTemplate
	}
	template := w.Template
	var first *NoValidPointError
	for i := 0; i < w.Vary.Len(); i++ {
		values := w.Vary.Point(i)
		err := error(nil)
		if build != nil {
			w.Template, err = build(values)
		}
		if err == nil {
			err = w.Check(i)
		}
		if err == nil {
			return i, nil
		}
		if first == nil {
			first = &NoValidPointError{Point: i, Names: w.Vary.Names(), Values: values, Err: err}
		}
	}
	w.Template = template
	return -1, first
}

// RunFunc returns the function that runs one point of the sweep for
// sweep.Dir.Run: its study (Point), Start, Runner.Run without progress,
// SetVersion and Write into the point's directory. report turns what
// happened into the point's record (point.json); nil takes
// SweepPoint.Outcome. It is called for every point, failed or not, from
// several goroutines at once when points run in parallel.
func (w *SweepSpec) RunFunc(report func(ctx context.Context, p *SweepPoint) sweep.Outcome) sweep.RunFunc {
	if report == nil {
		report = func(_ context.Context, p *SweepPoint) sweep.Outcome { return p.Outcome() }
	}
	return func(ctx context.Context, pt sweep.Point) sweep.Outcome {
		p := &SweepPoint{Point: pt}
		p.Study, p.Err = w.study(pt.Values)
		if p.Err == nil {
			p.Result, p.Err = runPoint(ctx, p.Study, w.Version, pt.Dir)
		}
		return report(ctx, p)
	}
}

// runPoint starts, runs and writes the study s into dir; the result is
// returned when the run succeeded, also when writing it failed.
func runPoint(ctx context.Context, s Study, version, dir string) (StudyResult, error) {
	r, err := s.Start()
	if err != nil {
		return nil, &SweepPointError{Stage: SweepStart, Err: err}
	}
	res, err := r.Run(ctx, nil)
	if err != nil {
		return nil, &SweepPointError{Stage: SweepRun, Err: err}
	}
	res.SetVersion(version)
	if err := res.Write(dir); err != nil {
		return res, &SweepPointError{Stage: SweepWrite, Err: err}
	}
	return res, nil
}

// Run runs the points of the sweep directory dir that opts selects
// (sweep.Dir.Run with RunFunc(report)) and returns their counts. dir must
// hold this sweep (Definition): another command or other axes are a
// *sweep.MismatchError before any point runs.
func (w *SweepSpec) Run(ctx context.Context, dir *sweep.Dir, opts sweep.Options, report func(ctx context.Context, p *SweepPoint) sweep.Outcome) (sweep.Stats, error) {
	if w.Template == nil {
		return sweep.Stats{}, ErrNoTemplate
	}
	// The directory's arguments are the command line's; the study is the
	// template, so only the command, the axes and the size are compared.
	def := w.Definition(dir.Def.Args)
	if err := sweep.Mismatch(dir.Path, "", def, dir.Def); err != nil {
		return sweep.Stats{}, err
	}
	return dir.Run(ctx, w.RunFunc(report), opts)
}
