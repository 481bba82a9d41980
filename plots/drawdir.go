package plots

// Drawing the figures of a saved run from its directory, the entry points
// of 'sgdsde plot KIND DIR' and --plot: DrawDir for the standard figures
// of a kind, DrawSweepDir for the curves of a sweep's results.csv. Both
// check their options first and return typed errors (*OptionError,
// *DirError, *SweepDataError, ErrInput) that a caller words.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sgdsde/sgdsde/internal/datafile"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sweep"
)

// Limits of the figure options of DrawDir and DrawSweepDir.
const (
	// MaxSizeCM is the largest width or height of a figure in cm.
	MaxSizeCM = 200
	// MinDPI and MaxDPI bound the PNG resolution in dots per inch.
	MinDPI, MaxDPI = 10, 2400
)

// DirKinds are the kinds of DrawDir: the FigureKinds and "sgd", whose run
// saves the files of an ensemble and gets the figure of "simulate".
var DirKinds = []string{"steady", "simulate", "sgd", "cycles", "compare", "evolve", "observe", "escape"}

// OptionIssue tells what is wrong with a figure option.
type OptionIssue int

const (
	// BadFormat is a format other than png, svg and pdf.
	BadFormat OptionIssue = iota + 1
	// BadSize is a width or height outside (0, MaxSizeCM] cm (for
	// DrawDir, which allows both to be 0, also only one of them 0).
	BadSize
	// BadDPI is a resolution outside [MinDPI, MaxDPI].
	BadDPI
	// OutExtension is an output file whose extension is not a format,
	// with no format given.
	OutExtension
	// OutFormat is an output file whose extension is not the given format.
	OutFormat
	// OutNoDir is an output file whose directory does not exist.
	OutNoDir
	// OutNotWritable is an output file in a directory where no file can be
	// created; Err says why.
	OutNotWritable
)

// OptionError is a figure option out of range: the format, the size, the
// resolution or the output file. It does not match ErrInput.
type OptionError struct {
	Issue  OptionIssue
	Format string
	Size   Size
	// Out is the output file and Dir its directory (the Out issues).
	Out, Dir string
	// Err is the system's reason (OutNotWritable).
	Err error
}

// Error describes the option and what is wanted.
func (e *OptionError) Error() string {
	switch e.Issue {
	case BadFormat:
		return fmt.Sprintf("figure format %q: want png, svg or pdf", e.Format)
	case BadSize:
		return fmt.Sprintf("figure size %g x %g cm: want sizes in cm between 0 and %d", e.Size.WidthCM, e.Size.HeightCM, MaxSizeCM)
	case BadDPI:
		return fmt.Sprintf("resolution %d dpi: want %d to %d", e.Size.DPI, MinDPI, MaxDPI)
	case OutExtension:
		return fmt.Sprintf("figure file %s: want .png, .svg or .pdf", e.Out)
	case OutFormat:
		return fmt.Sprintf("figure file %s does not end in .%s", e.Out, e.Format)
	case OutNoDir:
		return fmt.Sprintf("figure file %s: directory %s does not exist", e.Out, e.Dir)
	}
	return fmt.Sprintf("figure file %s: cannot create files in %s: %v", e.Out, e.Dir, e.Err)
}

// Unwrap returns the system's reason, if any.
func (e *OptionError) Unwrap() error { return e.Err }

// DirError is a results directory that is not a directory (Err nil) or
// that figures cannot be written into (Err says why). It does not match
// ErrInput.
type DirError struct {
	Dir string
	Err error
}

// Error names the directory and the reason.
func (e *DirError) Error() string {
	if e.Err == nil {
		return e.Dir + " is not a directory"
	}
	return fmt.Sprintf("cannot write figures into %s: %v", e.Dir, e.Err)
}

// Unwrap returns the system's reason, if any.
func (e *DirError) Unwrap() error { return e.Err }

// checkFormat returns a BadFormat *OptionError unless format is one of
// Formats.
func checkFormat(format string) error {
	if !slices.Contains(Formats, format) {
		return &OptionError{Issue: BadFormat, Format: format}
	}
	return nil
}

// checkDPI returns a BadDPI *OptionError unless s.DPI is in [MinDPI,
// MaxDPI].
func checkDPI(s Size) error {
	if s.DPI < MinDPI || s.DPI > MaxDPI {
		return &OptionError{Issue: BadDPI, Size: s}
	}
	return nil
}

// sizeInRange reports whether a width or height in cm is in (0, MaxSizeCM].
func sizeInRange(cm float64) bool { return cm > 0 && cm <= MaxSizeCM }

// checkDir returns a *DirError unless dir is a directory (and, with
// writable, one in which files can be created).
func checkDir(dir string, writable bool) error {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return &DirError{Dir: dir}
	}
	if writable {
		if err := datafile.ProbeDir(dir); err != nil {
			return &DirError{Dir: dir, Err: err}
		}
	}
	return nil
}

// DrawDir draws the standard figures of the results of kind (one of
// DirKinds) saved in dir, writes them into dir and returns their paths,
// also those written before an error. It checks, in this order, o.Format
// (png, svg or pdf), o.Size (WidthCM and HeightCM both 0, each figure's
// own size, or both in (0, MaxSizeCM]; DPI in [MinDPI, MaxDPI]: set it,
// DefaultDPI for the usual) and that dir is a directory figures can be
// written into; those errors are *OptionError and *DirError. Errors about
// the saved results match ErrInput (and fs.ErrNotExist for a missing
// file); others are failures to write a figure. A simulate run of a
// built-in 2-D landscape is drawn on the landscape's box unless o.Box or
// o.Background is set.
func DrawDir(kind, dir string, o FigureOptions) ([]string, error) {
	if err := checkFormat(o.Format); err != nil {
		return nil, err
	}
	if s := o.Size; (s.WidthCM != 0 || s.HeightCM != 0) && (!sizeInRange(s.WidthCM) || !sizeInRange(s.HeightCM)) {
		return nil, &OptionError{Issue: BadSize, Size: s}
	}
	if err := checkDPI(o.Size); err != nil {
		return nil, err
	}
	if err := checkDir(dir, true); err != nil {
		return nil, err
	}
	switch kind {
	case "simulate":
		if o.Box == nil {
			o.Box = landscapeBox(dir)
		}
	case "sgd": // the same files as an ensemble: summary.json, final.npy, traj.npy
		kind = "simulate"
	}
	return StandardFigures(kind, dir, o)
}

// landscapeBox returns the default box of the built-in landscape a
// simulate run in dir used (the axes of its figure), nil for other models
// and 1-D ones.
func landscapeBox(dir string) *[4]float64 {
	var s struct {
		Model  string             `json:"model"`
		Params map[string]float64 `json:"params"`
		Dim    int                `json:"dim"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil || json.Unmarshal(b, &s) != nil || s.Dim != 2 {
		return nil
	}
	for _, l := range potentials.Landscapes() {
		if l.Name != s.Model {
			continue
		}
		m, err := l.Build(s.Params)
		if err != nil || len(m.Box.Min) != 2 || len(m.Box.Max) != 2 {
			return nil
		}
		return &[4]float64{m.Box.Min[0], m.Box.Max[0], m.Box.Min[1], m.Box.Max[1]}
	}
	return nil
}

// SweepDirOptions selects the figure of DrawSweepDir: the curves
// (SweepOptions), the file and its format and size.
type SweepDirOptions struct {
	SweepOptions
	// Out is the figure file; empty means SweepFileName(X, Y) with the
	// format's extension in the sweep's directory.
	Out string
	// Format is png, svg or pdf; empty means the extension of Out (png
	// when Out is empty). With Out set, it must match Out's extension.
	Format string
	// Size is the figure's size: WidthCM and HeightCM in (0, MaxSizeCM],
	// DPI in [MinDPI, MaxDPI] (DefaultSize for the usual).
	Size Size
}

// SweepFileName is the default name of the figure of column y against
// column x, without extension: sweep_Y_vs_X, with the characters of the
// column names that do not belong in a file name replaced by _.
func SweepFileName(x, y string) string {
	return "sweep_" + fileSafe(y) + "_vs_" + fileSafe(x)
}

// fileSafe replaces the characters of a column name that do not belong in
// a file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ' ' || r == ':' {
			return '_'
		}
		return r
	}, s)
}

// SweepDataError is a sweep's table that SweepCurves cannot draw with the
// options given (a missing or non-numeric column, a log axis over values
// <= 0, nothing to draw). It matches ErrInput.
type SweepDataError struct {
	// Path is the table's file.
	Path string
	Err  error
}

// Error is the cause, after the table's path.
func (e *SweepDataError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the cause and ErrInput.
func (e *SweepDataError) Unwrap() []error { return []error{e.Err, ErrInput} }

// DrawSweepDir draws the curves of the results.csv of the sweep saved in
// dir (SweepCurves) into one figure file and returns its path and what
// was drawn. It checks, in this order: that dir is a directory (else
// *DirError); that it has a readable results.csv (errors match ErrInput,
// and fs.ErrNotExist when it is missing); o.Size, o.Format and the file
// (*OptionError: BadSize, BadDPI, BadFormat, then the Out issues); that
// the table can be drawn (*SweepDataError). Other errors are failures to
// write the figure.
func DrawSweepDir(dir string, o SweepDirOptions) (string, SweepStats, error) {
	var st SweepStats
	if err := checkDir(dir, false); err != nil {
		return "", st, err
	}
	csvPath := filepath.Join(dir, sweep.ResultsFile)
	t, err := ReadTable(csvPath)
	if err != nil {
		return "", st, &inputError{err} // matches fs.ErrNotExist when missing
	}
	out, err := o.file(dir)
	if err != nil {
		return "", st, err
	}
	fig, st, err := SweepCurves(t, o.SweepOptions)
	if err != nil {
		return "", st, &SweepDataError{Path: csvPath, Err: err}
	}
	if err := Save(fig, out, o.Size); err != nil {
		return "", st, err
	}
	return out, st, nil
}

// file checks the size and format and returns the figure file: Out, or
// dir/SweepFileName.FORMAT; its directory must exist and take new files.
func (o *SweepDirOptions) file(dir string) (string, error) {
	if !sizeInRange(o.Size.WidthCM) || !sizeInRange(o.Size.HeightCM) {
		return "", &OptionError{Issue: BadSize, Size: o.Size}
	}
	if err := checkDPI(o.Size); err != nil {
		return "", err
	}
	if o.Format != "" {
		if err := checkFormat(o.Format); err != nil {
			return "", err
		}
	}
	out := o.Out
	if out == "" {
		format := o.Format
		if format == "" {
			format = "png"
		}
		out = filepath.Join(dir, SweepFileName(o.X, o.Y)+"."+format)
	}
	format, err := FormatOf(out)
	switch {
	case err != nil && o.Format == "":
		return "", &OptionError{Issue: OutExtension, Out: out}
	case err != nil || (o.Format != "" && format != o.Format):
		return "", &OptionError{Issue: OutFormat, Out: out, Format: o.Format}
	}
	if st, err := os.Stat(filepath.Dir(out)); err != nil || !st.IsDir() {
		return "", &OptionError{Issue: OutNoDir, Out: out, Dir: filepath.Dir(out)}
	}
	if err := datafile.ProbeDir(filepath.Dir(out)); err != nil {
		return "", &OptionError{Issue: OutNotWritable, Out: out, Dir: filepath.Dir(out), Err: err}
	}
	return out, nil
}
