package plots

import (
	"errors"
	"fmt"
)

// ErrInput marks errors about the results a figure is drawn from: a
// missing file (the error also matches fs.ErrNotExist), an unreadable or
// malformed one, arrays whose shapes do not fit, data a figure cannot
// draw. Errors that do not match it are failures to write a figure.
var ErrInput = errors.New("bad input")

// inputError wraps an error about the input so that it matches ErrInput
// (and keeps matching what err matched).
type inputError struct{ err error }

func (e *inputError) Error() string        { return e.err.Error() }
func (e *inputError) Unwrap() []error      { return []error{e.err, ErrInput} }
func inputErrorf(f string, a ...any) error { return &inputError{fmt.Errorf(f, a...)} }
