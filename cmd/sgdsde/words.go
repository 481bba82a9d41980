package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/potentials/expr"
	"github.com/sgdsde/sgdsde/sde"
	"github.com/sgdsde/sgdsde/sweep"
)

// The command line's words for the library's errors. The library's errors
// carry data and name no flags; wordError words them for the command line,
// naming the flags that set what they are about.

// wordedError is an error of the library worded for the command line; it
// wraps the library's error.
type wordedError struct {
	text string
	err  error
}

func (e *wordedError) Error() string { return e.text }
func (e *wordedError) Unwrap() error { return e.err }

// wordError returns err with the text of the library error it holds (a
// formula error, a run in which everything diverged, a --vary axis, a
// --shard, a sweep directory that holds another sweep) replaced by the
// command line's words for it. Other errors, and nil, are returned as
// they are.
func wordError(err error) error {
	if err == nil {
		return nil
	}
	words, lib := libraryWords(err)
	if lib == nil {
		return err
	}
	text := err.Error()
	if t := lib.Error(); text != t {
		// The library's error is wrapped with context: keep it.
		words = strings.Replace(text, t, words, 1)
	}
	return &wordedError{text: words, err: err}
}

// libraryWords finds the library error in err that the command line words
// differently, and returns its words and it; nil if there is none.
func libraryWords(err error) (string, error) {
	var (
		fe *potentials.FormulaError
		de *sde.DivergedError
		ve *sweep.VaryError
		se *sweep.ShardError
		me *sweep.MismatchError
	)
	switch {
	case errors.As(err, &fe):
		return "--" + fe.Field + ": " + formulaCauseWords(fe.Err), fe
	case errors.Is(err, potentials.ErrNoLossOrDrift):
		return "formula model: give a loss (--loss) or a drift (--drift)", potentials.ErrNoLossOrDrift
	case errors.As(err, &de):
		return divergedWords(de), de
	case errors.As(err, &ve):
		return varyWords(ve), ve
	case errors.As(err, &se):
		return shardWords(se), se
	case errors.As(err, &me):
		return mismatchWords(me), me
	}
	return "", nil
}

// formulaCauseWords words the cause of a formula error: a missing
// parameter is given with --set.
func formulaCauseWords(err error) string {
	var se *expr.SyntaxError
	var pe *expr.ParamError
	if errors.As(err, &se) && errors.As(err, &pe) {
		return fmt.Sprintf("column %d: missing parameter %q (give it with --set %s=VALUE)", se.Column, pe.Name, pe.Name)
	}
	return err.Error()
}

// divergedWords words a run in which everything diverged: the time step of
// trajectories is --dt, the step of SGD chains --lr.
func divergedWords(e *sde.DivergedError) string {
	flag := "--dt"
	if e.Runs == "chains" {
		flag = "--lr"
	}
	return fmt.Sprintf("all %d %s diverged (left the bound %g or became non-finite): try a smaller %s", e.N, e.Runs, e.Bound, flag)
}

// varyWords words an error of a --vary axis or of the grid of axes.
func varyWords(e *sweep.VaryError) string {
	arg := fmt.Sprintf("--vary %q: ", e.Arg)
	axis := fmt.Sprintf("--vary %s=%s: ", e.Name, e.Spec)
	switch e.Issue {
	case sweep.VaryForm:
		return arg + "want NAME=START:STOP:COUNT[:log] or NAME=a,b,c, e.g. --vary temperature=0.1:0.5:5"
	case sweep.VaryNameChars:
		return arg + fmt.Sprintf("name %q may hold only letters, digits, '_', '-' and '.'", e.Value)
	case sweep.VaryNameEmpty:
		return arg + fmt.Sprintf("name %q names no parameter", e.Value)
	case sweep.VaryEmptyItem:
		return arg + "empty item in the list"
	case sweep.VaryRepeatedItem:
		return arg + fmt.Sprintf("%q is listed twice", e.Value)
	case sweep.VaryRangeNumber:
		return arg + fmt.Sprintf("%s %q is not a finite number", e.Field, e.Value)
	case sweep.VaryCount:
		return arg + fmt.Sprintf("COUNT %q is not a whole number >= 1", e.Value)
	case sweep.VaryCountMax:
		return arg + fmt.Sprintf("COUNT %d exceeds %d points", e.Count, e.Max)
	case sweep.VaryScale:
		return arg + fmt.Sprintf("the fourth field %q must be log (or lin)", e.Value)
	case sweep.VaryLogSign:
		return arg + "a log range needs START > 0 and STOP > 0"
	case sweep.VaryCountOne:
		return arg + "COUNT 1 needs START = STOP (or give a list)"
	case sweep.VaryItemNumber:
		return axis + fmt.Sprintf("%q is not a finite number", e.Value)
	case sweep.VaryItemInteger:
		return axis + fmt.Sprintf("%q is not a whole number (%s takes integers)", e.Value, e.Name)
	case sweep.VaryTextRange:
		return axis + fmt.Sprintf("%s takes text, not numbers: give a list a,b,c", e.Name)
	case sweep.VaryRepeatedValue:
		return axis + fmt.Sprintf("the value %s comes twice (%s takes integers): lower COUNT or widen the range", e.Value, e.Name)
	case sweep.VaryNone:
		return "no --vary: give at least one, e.g. --vary temperature=0.1:0.5:5"
	case sweep.VaryTwice:
		return fmt.Sprintf("--vary %s is given twice: give its values in one --vary", e.Name)
	case sweep.VaryNoValues:
		return fmt.Sprintf("--vary %s has no values", e.Name)
	case sweep.VaryTooMany:
		return fmt.Sprintf("the sweep has more than %d points: use fewer or shorter --vary", e.Max)
	}
	return e.Error()
}

// shardWords words an error of --shard (and --shards).
func shardWords(e *sweep.ShardError) string {
	switch e.Issue {
	case sweep.ShardForm:
		return fmt.Sprintf("--shard %q: want i/n (e.g. 0/4) or auto", e.Spec)
	case sweep.ShardRange:
		what := "--shard " + e.Spec
		switch e.Source {
		case sweep.ShardSlurm:
			what = "--shard auto (Slurm job array; the array must be contiguous with step 1)"
		case sweep.ShardKubernetes:
			what = "--shard auto (Kubernetes Indexed Job)"
		}
		return fmt.Sprintf("%s: shard %d of %d: want 0 <= i < n", what, e.Index, e.Count)
	case sweep.ShardEnvNumber:
		s := fmt.Sprintf("--shard auto: %s=%q is not a whole number", e.Var, e.Value)
		if e.Var == sweep.EnvSlurmCount {
			s += " (run inside sbatch --array)"
		}
		return s
	case sweep.ShardNoCount:
		return fmt.Sprintf("--shard auto: %s is set but not the shard count: give --shards N or set %s to the Job's completions", sweep.EnvK8sIndex, sweep.EnvShards)
	case sweep.ShardNoEnv:
		return fmt.Sprintf("--shard auto: neither %s (Slurm job array) nor %s (Kubernetes Indexed Job) is set: give --shard i/n", sweep.EnvSlurmID, sweep.EnvK8sIndex)
	}
	return e.Error()
}

// mismatchWords words a sweep directory that holds another sweep: its
// axes are those of --vary.
func mismatchWords(e *sweep.MismatchError) string {
	if e.Part != sweep.MismatchAxes {
		return e.Error()
	}
	what := fmt.Sprintf("its --vary axes are %s, these %s", e.Theirs, e.Ours)
	if e.Other != "" {
		return fmt.Sprintf("%s holds a different sweep from %s: %s", e.Dir, e.Other, what)
	}
	return fmt.Sprintf("%s holds a different sweep: %s", e.Dir, what)
}
