// Package gallery writes the teaching gallery of 'sgdsde demo': eight
// scenarios, the first seven solved on a grid (package fokkerplanck),
// drawn (package plots) and explained in an index.html that opens offline. The numbers
// quoted in the text are those of the runs just made.
//
// Run computes the scenarios in order, saves their figures as PNG files in
// a directory and writes index.html there last. Scenario 6 is a parameter
// sweep (package sweep) written into the sub-directory sweep/, in the
// layout and with the bytes that 'sgdsde sweep steady' writes. Scenario 7
// asks which minimum SGD ends up in, through escape studies
// (experiment.EscapeSpec) of a sharp and a flat minimum. Scenario 8 trains
// a network on Fashion-MNIST (experiment.SGD) and measures the paper's
// observables of deep networks on it (experiment.Observe); it is skipped,
// with a note on the page, when the data (Debian's package
// dataset-fashion-mnist) are not installed.
package gallery

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/plots"
	"github.com/sgdsde/sgdsde/sweep"
)

// Settings are the sizes of a gallery run (Full or Quick) and how its
// files are made.
type Settings struct {
	// Grid is the number of nodes along the longer side of a box; the
	// shorter side gets as many as keep the cells about square. The sweep
	// of scenario 6 uses square grids of Grid/2 nodes per axis.
	Grid int
	// EvolveGrid is the same for the evolution of scenario 5, EvolveSteps
	// its number of implicit steps of EvolveDt.
	EvolveGrid  int
	EvolveSteps int
	EvolveDt    float64
	// CurveTs are the temperatures of the curve of scenario 3 (the
	// temperatures of its panels, 0.1, 0.3 and 0.5, are added).
	CurveTs []float64
	// EscapeTs are the temperatures of the escape studies of scenario 7
	// (at least two, distinct, for the Arrhenius fits); its grids have
	// Grid/2 nodes per axis.
	EscapeTs []float64
	// Fashion are the sizes of scenario 8 (Fashion-MNIST) and the
	// directory of its data; without the data the scenario is skipped
	// with a note.
	Fashion FashionSettings
	// DPI is the resolution of the PNG figures in dots per inch.
	DPI int
	// Label names the settings in the footer of index.html ("default" or
	// "--quick", as the command line calls them).
	Label string
	// Version is the program version written into the footer of
	// index.html and into the summaries of the sweep's points.
	Version string
	// SweepRecord returns what point.json records of a point of the sweep
	// of scenario 6, given the point and the record out with the point's
	// command line: the error's words and exit code of a failed point,
	// the warnings of a solved one. Nil records p.Outcome() (the error's
	// text on one line, no warnings). The command line passes the record
	// of 'sgdsde sweep steady'.
	SweepRecord func(ctx context.Context, p *experiment.SweepPoint, out sweep.Outcome) sweep.Outcome
}

// Full returns the settings of the default gallery: grids of 192 nodes
// along the longer side of each box, figures at 150 dots per inch.
func Full() Settings {
	return Settings{Grid: 192, EvolveGrid: 160, EvolveSteps: 300, EvolveDt: 0.05,
		CurveTs:  []float64{0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6},
		EscapeTs: []float64{0.05, 0.07, 0.1},
		Fashion:  fashionFull(),
		DPI:      150, Label: "default"}
}

// Quick returns the settings of the quick gallery: grids of 96 nodes, a
// shorter evolution with a larger step and fewer temperatures in the curve
// of scenario 3 and the escape studies of scenario 7, figures at 150
// dots per inch.
func Quick() Settings {
	return Settings{Grid: 96, EvolveGrid: 80, EvolveSteps: 150, EvolveDt: 0.1,
		CurveTs:  []float64{0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6},
		EscapeTs: []float64{0.05, 0.1},
		Fashion:  fashionQuick(),
		DPI:      150, Label: "--quick"}
}

// Figure is a figure of the gallery: its file (relative to the gallery's
// directory), its alternative text and its caption.
type Figure struct {
	File, Alt, Caption string
	// Small figures are drawn several to a row.
	Small bool
}

// Section is one scenario of the gallery, as index.html shows it.
type Section struct {
	// ID is the anchor of the section, Title its heading.
	ID, Title string
	// Text is the explanation, Facts the numbers of the run.
	Text    []string
	Facts   []string
	Figures []Figure
	// Seconds is the time the scenario took to compute and draw.
	Seconds float64
}

// Scenario names one scenario of the gallery.
type Scenario struct {
	// ID is the anchor of its section in index.html.
	ID string
	// Name is a short name for progress lines and errors.
	Name string
	run  func(ctx context.Context, s Settings, f *figures) (Section, string, error)
}

// scenarios are the scenarios of the gallery, in order.
var scenarios = []Scenario{
	{"isotropic", "isotropic noise", isotropic},
	{"gyrator", "constant anisotropic noise", gyrator},
	{"state-dependent", "state-dependent noise", stateDependent},
	{"paper-fig4", "paper Fig. 4", paperFig4},
	{"free-energy", "free energy", freeEnergy},
	{"sweep", "parameter sweep", parameterSweep},
	{"which-minimum", "which minimum", whichMinimumScenario},
	{"fashion-mnist", "Fashion-MNIST", fashionScenario},
}

// Scenarios returns the scenarios of the gallery in the order Run computes
// them.
func Scenarios() []Scenario { return slices.Clone(scenarios) }

// Progress reports a scenario that has been computed and drawn.
type Progress struct {
	// Index is the 1-based number of the scenario, Count the number of
	// scenarios.
	Index, Count int
	Scenario     Scenario
	// Summary is a one-line summary of its numbers.
	Summary string
	// Figures is the number of its figures, Seconds the time it took.
	Figures int
	Seconds float64
}

// Result is a written gallery.
type Result struct {
	// Index is the path of index.html.
	Index string
	// Sections are the scenarios, in order.
	Sections []Section
	// Files are the figure files, relative to the gallery's directory, in
	// the order they were written.
	Files []string
	// Seconds is the time of the whole run.
	Seconds float64
}

// ScenarioError is a scenario that failed; nothing after it was computed
// and index.html was not written.
type ScenarioError struct {
	// Index is the 1-based number of the scenario.
	Index    int
	Scenario Scenario
	Err      error
}

// Error names the scenario and its error.
func (e *ScenarioError) Error() string {
	return fmt.Sprintf("scenario %d (%s): %v", e.Index, e.Scenario.Name, e.Err)
}

// Unwrap returns the cause.
func (e *ScenarioError) Unwrap() error { return e.Err }

// SettingsError is a Settings field outside its allowed range.
type SettingsError struct {
	Field string // the name of the field
	Value string // the value given
	Want  string // the allowed values in words
}

// Error names the field, its value and the values allowed.
func (e *SettingsError) Error() string {
	return fmt.Sprintf("gallery settings: %s %s: want %s", e.Field, e.Value, e.Want)
}

// MinDPI and MaxDPI bound Settings.DPI.
const (
	MinDPI = 30
	MaxDPI = 600
)

// check validates s.
func (s Settings) check() error {
	bad := func(field string, v any, want string) error {
		return &SettingsError{Field: field, Value: fmt.Sprint(v), Want: want}
	}
	switch {
	case s.Grid/2 < fokkerplanck.MinNodes:
		return bad("Grid", s.Grid, fmt.Sprintf("at least %d nodes (the sweep uses half as many)", 2*fokkerplanck.MinNodes))
	case s.EvolveGrid < fokkerplanck.MinNodes:
		return bad("EvolveGrid", s.EvolveGrid, fmt.Sprintf("at least %d nodes", fokkerplanck.MinNodes))
	case s.EvolveSteps < 1:
		return bad("EvolveSteps", s.EvolveSteps, "at least 1")
	case !(s.EvolveDt > 0):
		return bad("EvolveDt", s.EvolveDt, "a positive time step")
	case s.DPI < MinDPI || s.DPI > MaxDPI:
		return bad("DPI", s.DPI, fmt.Sprintf("%d to %d dots per inch", MinDPI, MaxDPI))
	}
	if err := s.Fashion.check(); err != nil {
		return err
	}
	for _, T := range s.CurveTs {
		if !(T > 0) {
			return bad("CurveTs", s.CurveTs, "positive temperatures")
		}
	}
	if len(s.EscapeTs) < 2 {
		return bad("EscapeTs", s.EscapeTs, "at least two temperatures")
	}
	for i, T := range s.EscapeTs {
		if !(T > 0) || math.IsInf(T, 0) || slices.Contains(s.EscapeTs[:i], T) {
			return bad("EscapeTs", s.EscapeTs, "distinct positive temperatures")
		}
	}
	return nil
}

// Run computes and draws the scenarios in order into dir, which it
// creates if needed (files of the same names are replaced), calling
// progress (if not nil) after each, and writes dir/index.html last. Every
// file is written atomically. Its errors are a *SettingsError, an
// *experiment.DirError when dir cannot be created, a *ScenarioError, or
// the error of writing index.html.
func Run(ctx context.Context, dir string, s Settings, progress func(Progress)) (*Result, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &experiment.DirError{Dir: dir, Err: err}
	}
	f := &figures{dir: dir, dpi: s.DPI}
	start := time.Now()
	var sections []Section
	for k, sc := range scenarios {
		t0 := time.Now()
		sec, summary, err := sc.run(ctx, s, f)
		if err != nil {
			return nil, &ScenarioError{Index: k + 1, Scenario: sc, Err: err}
		}
		sec.Seconds = time.Since(t0).Seconds()
		sections = append(sections, sec)
		if progress != nil {
			progress(Progress{Index: k + 1, Count: len(scenarios), Scenario: sc, Summary: summary,
				Figures: len(sec.Figures), Seconds: sec.Seconds})
		}
	}
	index := filepath.Join(dir, IndexFile)
	if err := writeIndex(index, sections, s, time.Since(start).Seconds()); err != nil {
		return nil, err
	}
	return &Result{Index: index, Sections: sections, Files: f.files, Seconds: time.Since(start).Seconds()}, nil
}

// IndexFile is the name of the gallery's page.
const IndexFile = "index.html"

// figures saves figures into its directory and remembers them.
type figures struct {
	dir   string
	dpi   int
	files []string
}

// save draws fig into dir/name at w x h cm.
func (f *figures) save(fig plots.Drawer, name string, w, h float64) error {
	if err := plots.Save(fig, filepath.Join(f.dir, name), plots.Size{WidthCM: w, HeightCM: h, DPI: f.dpi}); err != nil {
		return err
	}
	f.files = append(f.files, name)
	return nil
}
