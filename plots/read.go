package plots

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sgdsde/sgdsde/internal/output"
)

// ErrInput marks errors about the saved results a figure is drawn from: a
// missing file (the error also matches fs.ErrNotExist), an unreadable or
// malformed one, arrays whose shapes do not fit. Errors that do not match
// it are failures to write a figure.
var ErrInput = errors.New("bad input")

// inputError wraps an error about the input so that it matches ErrInput
// (and keeps matching what err matched).
type inputError struct{ err error }

func (e *inputError) Error() string        { return e.err.Error() }
func (e *inputError) Unwrap() []error      { return []error{e.err, ErrInput} }
func inputErrorf(f string, a ...any) error { return &inputError{fmt.Errorf(f, a...)} }

// ReadNPY reads a NumPy .npy array of floating-point numbers (float64,
// dtype '<f8', or float32) and returns its shape and its values in C
// (row-major) order; a Fortran-ordered array is transposed into C order. A
// file whose data do not hold exactly the values of its header's shape
// (truncated, header only, or longer) is refused (see output.ReadNPY).
// Errors match ErrInput, and fs.ErrNotExist for a missing file.
func ReadNPY(path string) (shape []int, data []float64, err error) {
	shape, data, err = output.ReadNPY(path)
	if err != nil {
		return nil, nil, &inputError{err}
	}
	return shape, data, nil
}

// readJSON decodes the JSON file path into v.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return &inputError{err}
	}
	if err := json.Unmarshal(b, v); err != nil {
		return inputErrorf("%s: not the expected JSON: %v", path, err)
	}
	return nil
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readGridField reads the axes x.npy, y.npy and the field name.npy of shape
// (ny, nx) from dir.
func readGridField(dir, name string) (Field, error) {
	_, x, err := ReadNPY(filepath.Join(dir, "x.npy"))
	if err != nil {
		return Field{}, err
	}
	_, y, err := ReadNPY(filepath.Join(dir, "y.npy"))
	if err != nil {
		return Field{}, err
	}
	shape, z, err := ReadNPY(filepath.Join(dir, name+".npy"))
	if err != nil {
		return Field{}, err
	}
	if len(shape) != 2 || shape[0] != len(y) || shape[1] != len(x) {
		return Field{}, inputErrorf("%s.npy in %s has shape %v; x.npy and y.npy need (%d, %d)", name, dir, shape, len(y), len(x))
	}
	f := Field{Xs: x, Ys: y, Zs: z}
	if err := f.check(name + ".npy"); err != nil {
		return Field{}, &inputError{err}
	}
	return f, nil
}

// column returns the values of the named numeric column of t; empty cells
// are NaN. A missing column or a cell that is not a number is an input
// error naming path.
func column(t *Table, path, name string) ([]float64, error) {
	j := t.Column(name)
	if j < 0 {
		return nil, inputErrorf("%s has no column %q", path, name)
	}
	out := make([]float64, len(t.Rows))
	for i, r := range t.Rows {
		if j >= len(r) || r[j] == "" {
			out[i] = nan
			continue
		}
		v, err := strconv.ParseFloat(r[j], 64)
		if err != nil {
			return nil, inputErrorf("%s: row %d, column %s: %q is not a number", path, i+1, name, r[j])
		}
		out[i] = v
	}
	return out, nil
}

// readTable reads a CSV table as an input (errors match ErrInput).
func readTable(path string) (*Table, error) {
	t, err := ReadTable(path)
	if err != nil {
		return nil, &inputError{err} // matches fs.ErrNotExist when missing
	}
	return t, nil
}
