package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/potentials/expr"
	"github.com/sgdsde/sgdsde/sde"
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
// formula error, a run in which everything diverged) replaced by the command line's words for it. Other errors,
// and nil, are returned as they are.
func wordError(err error) error {
	if err == nil {
		return nil
	}
	lib, words := libraryWords(err)
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
// differently, and returns it with its words; nil if there is none.
func libraryWords(err error) (error, string) {
	var (
		fe *potentials.FormulaError
		de *sde.DivergedError
	)
	switch {
	case errors.As(err, &fe):
		return fe, "--" + fe.Field + ": " + formulaCauseWords(fe.Err)
	case errors.Is(err, potentials.ErrNoLossOrDrift):
		return potentials.ErrNoLossOrDrift, "formula model: give a loss (--loss) or a drift (--drift)"
	case errors.As(err, &de):
		return de, divergedWords(de)
	}
	return nil, ""
}

// divergedWords words a run in which everything diverged: the time step of
// trajectories is --dt, the step of SGD chains --lr.
func divergedWords(de *sde.DivergedError) string {
	flag := "--dt"
	if de.Runs == "chains" {
		flag = "--lr"
	}
	return fmt.Sprintf("all %d %s diverged (left the bound %g or became non-finite): try a smaller %s", de.N, de.Runs, de.Bound, flag)
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
