package main

// The commands that run one experiment.Study (simulate, steady, cycles,
// compare, sgd): the study is built from the flags, started, run and
// written by one function, which 'sgdsde sweep' calls at every point with
// the point's values set through experiment.SetParam.

import (
	"context"

	"github.com/sgdsde/sgdsde/experiment"
)

// studyCommand is a command that runs an experiment.Study.
type studyCommand struct {
	// build returns the study of the parsed flags. Its errors are bad
	// input, worded for the command line.
	build func() (experiment.Study, error)
	// planError words an error of the study's Start (bad input).
	planError func(err error) error
	// runError words an error of the study's Run for a run into out.
	runError func(ctx context.Context, err error, out string) error
	// warnings lists the warnings of a result, one line each.
	warnings func(res experiment.StudyResult) []string
}

// start validates s: its Start, then that out can be written.
func (c *studyCommand) start(s experiment.Study, out string) (experiment.Runner, error) {
	r, err := s.Start()
	if err != nil {
		return nil, c.planError(err)
	}
	if err := checkOutDir(out); err != nil {
		return nil, err
	}
	return r, nil
}

// execute runs the validated study r and writes its result into out; it
// returns the result and its warnings. Progress goes to a's stderr when
// it is a terminal and the work is large.
func (c *studyCommand) execute(ctx context.Context, a *app, r experiment.Runner, out string) (experiment.StudyResult, []string, error) {
	res, err := r.Run(ctx, progressFor(a, r.Cost(), ""))
	if err != nil {
		return nil, nil, c.runError(ctx, err, out)
	}
	res.SetVersion(version)
	if err := writeResult(res.Write, out); err != nil {
		return nil, nil, err
	}
	return res, c.warnings(res), nil
}

// run is the whole command: build, start, execute, warn and report.
func (c *studyCommand) run(ctx context.Context, a *app, out string) error {
	s, err := c.build()
	if err != nil {
		return err
	}
	r, err := c.start(s, out)
	if err != nil {
		return err
	}
	res, warnings, err := c.execute(ctx, a, r, out)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		a.warnf("%s", w)
	}
	_ = res.Report(a.stdout, out) // the results are written: a failed print does not fail the command
	return nil
}
