package sweep

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/sgdsde/sgdsde/internal/datafile"
)

// File names of a sweep directory.
const (
	DefinitionFile = "sweep.json"
	ResultsFile    = "results.csv"
	PointsDir      = "points"
	MarkerFile     = "point.json"
)

// Point statuses.
const (
	StatusOK     = "ok"
	StatusFailed = "failed"
)

// Definition is sweep.json: what a sweep runs. Two runs belong to the same
// sweep when their definitions are equal.
type Definition struct {
	// Command is the sgdsde command run at each point (steady, ...).
	Command string `json:"command"`
	// Args are the command's own arguments, the same at every point.
	Args []string `json:"args"`
	// Vary are the axes, in the order given.
	Vary Grid `json:"vary"`
	// Summary is the name of the file in which the command writes its
	// scalar results (summary.json; compare.json for compare).
	Summary string `json:"summary"`
	// Points is the number of points.
	Points int `json:"points"`
}

// normal returns def with empty lists in place of nil ones.
func (def Definition) normal() Definition {
	if def.Args == nil {
		def.Args = []string{}
	}
	if def.Vary == nil {
		def.Vary = Grid{}
	}
	return def
}

// MismatchPart is the first part of their definitions in which two sweeps
// differ.
type MismatchPart int

const (
	// MismatchCommand: the command run at each point.
	MismatchCommand MismatchPart = iota + 1
	// MismatchArgs: the command's arguments.
	MismatchArgs
	// MismatchAxes: the axes.
	MismatchAxes
	// MismatchSize: the summary file or the number of points.
	MismatchSize
)

// MismatchError reports a sweep directory Dir that holds another sweep
// than the one being run (Other is "") or than the sweep directory Other.
type MismatchError struct {
	// Dir is the directory that holds another sweep; Other is the
	// directory whose sweep it differs from, or "" for the sweep run.
	Dir, Other string
	// Part is the first part of the definitions that differs.
	Part MismatchPart
	// Theirs is that part in the sweep checked against: Dir's when a run
	// is checked (Other is ""), Other's when Dir is. Ours is that part in
	// the run, or in Dir's sweep. Each is the command, the arguments
	// joined by spaces, or the axes as "name=spec name=spec"; empty for
	// MismatchSize.
	Theirs, Ours string
}

// Error names the directories and the first part that differs, for example
// "out holds a different sweep: its axes are t=0.5, these t=0.6".
func (e *MismatchError) Error() string {
	var what string
	switch e.Part {
	case MismatchCommand:
		what = fmt.Sprintf("its command is %s, this one %s", e.Theirs, e.Ours)
	case MismatchArgs:
		what = fmt.Sprintf("its arguments are %q, these %q", e.Theirs, e.Ours)
	case MismatchAxes:
		what = fmt.Sprintf("its axes are %s, these %s", e.Theirs, e.Ours)
	default:
		what = "its summary file or number of points differ"
	}
	if e.Other != "" {
		return fmt.Sprintf("%s holds a different sweep from %s: %s", e.Dir, e.Other, what)
	}
	return fmt.Sprintf("%s holds a different sweep: %s", e.Dir, what)
}

// Mismatch returns a *MismatchError naming the first part in which the
// definitions here (the run's, or dir's) and there (the sweep checked
// against: in dir, or in other) differ, or nil when they are equal.
func Mismatch(dir, other string, here, there Definition) error {
	return mismatch(dir, other, here, there)
}

// mismatch returns the *MismatchError of the directory dir and other (see
// MismatchError) for the definition here checked against there, or nil if
// they are equal.
func mismatch(dir, other string, here, there Definition) error {
	a, b := here.normal(), there.normal()
	e := &MismatchError{Dir: dir, Other: other}
	switch {
	case a.Command != b.Command:
		e.Part, e.Theirs, e.Ours = MismatchCommand, b.Command, a.Command
	case !reflect.DeepEqual(a.Args, b.Args):
		e.Part, e.Theirs, e.Ours = MismatchArgs, strings.Join(b.Args, " "), strings.Join(a.Args, " ")
	case !reflect.DeepEqual(a.Vary, b.Vary):
		e.Part, e.Theirs, e.Ours = MismatchAxes, axesSpec(b.Vary), axesSpec(a.Vary)
	case a.Summary != b.Summary || a.Points != b.Points:
		e.Part = MismatchSize
	default:
		return nil
	}
	return e
}

// axesSpec formats axes as "name=spec name=spec".
func axesSpec(g Grid) string {
	parts := make([]string, len(g))
	for i, a := range g {
		parts[i] = a.Name + "=" + a.Spec
	}
	return strings.Join(parts, " ")
}

// Dir is a sweep directory.
type Dir struct {
	Path string
	Def  Definition
}

// Create makes path a sweep directory of def: it creates path/points and
// writes sweep.json, or, when sweep.json exists, checks that it holds def
// (a *MismatchError otherwise). Shards writing into one directory write the
// same sweep.json, atomically.
func Create(path string, def Definition) (*Dir, error) {
	def = def.normal()
	old, err := readDefinition(path)
	switch {
	case err == nil:
		if err := mismatch(path, "", def, old); err != nil {
			return nil, err
		}
	case errors.Is(err, os.ErrNotExist):
	default:
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(path, PointsDir), 0o755); err != nil {
		return nil, err
	}
	if old.Command == "" {
		if err := datafile.WriteJSON(filepath.Join(path, DefinitionFile), def); err != nil {
			return nil, err
		}
	}
	return &Dir{Path: path, Def: def}, nil
}

// Open opens an existing sweep directory.
func Open(path string) (*Dir, error) {
	def, err := readDefinition(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a sweep directory (no %s)", path, DefinitionFile)
	}
	if err != nil {
		return nil, err
	}
	return &Dir{Path: path, Def: def}, nil
}

func readDefinition(path string) (Definition, error) {
	b, err := os.ReadFile(filepath.Join(path, DefinitionFile))
	if err != nil {
		return Definition{}, err
	}
	var def Definition
	if err := json.Unmarshal(b, &def); err != nil || def.Command == "" {
		return Definition{}, fmt.Errorf("%s: not a sweep definition: %v", filepath.Join(path, DefinitionFile), err)
	}
	return def.normal(), nil
}

// PointName is the directory name of point i of an n-point sweep: the
// index zero-padded to at least 4 digits.
func PointName(i, n int) string {
	w := max(4, len(strconv.Itoa(n-1)))
	return fmt.Sprintf("%0*d", w, i)
}

// PointDir is the directory of point i.
func (d *Dir) PointDir(i int) string {
	return filepath.Join(d.Path, PointsDir, PointName(i, d.Def.Points))
}

// Marker is point.json, written last into a finished point's directory.
type Marker struct {
	Point  int      `json:"point"`
	Values []string `json:"values"`
	// Status is ok or failed.
	Status string `json:"status"`
	// Error is the one-line error of a failed point.
	Error string `json:"error,omitempty"`
	// ExitCode is the command's exit code (2 bad input, 1 failure).
	ExitCode int `json:"exit_code"`
	// Summary is the summary file of an ok point.
	Summary string `json:"summary,omitempty"`
	// Warnings are the command's warnings, one per line.
	Warnings []string `json:"warnings,omitempty"`
	// Args is the command line the point ran.
	Args []string `json:"args"`
}

// Finished returns the marker of point i if the point is finished: its
// point.json exists, parses and names point i with its axis values.
func (d *Dir) Finished(i int) (Marker, bool) {
	b, err := os.ReadFile(filepath.Join(d.PointDir(i), MarkerFile))
	if err != nil {
		return Marker{}, false
	}
	var m Marker
	if json.Unmarshal(b, &m) != nil || m.Point != i || !reflect.DeepEqual(m.Values, d.Def.Vary.Point(i)) ||
		(m.Status != StatusOK && m.Status != StatusFailed) {
		return Marker{}, false
	}
	return m, true
}

// Missing lists the points of shard that are not finished in d.
func (d *Dir) Missing(shard Shard) []int {
	var miss []int
	for i := 0; i < d.Def.Points; i++ {
		if shard.Has(i) {
			if _, ok := d.Finished(i); !ok {
				miss = append(miss, i)
			}
		}
	}
	return miss
}

// CheckSame returns a *MismatchError when the directories do not hold the
// same sweep.
func CheckSame(dirs []*Dir) error {
	for _, d := range dirs[1:] {
		if err := mismatch(d.Path, dirs[0].Path, d.Def, dirs[0].Def); err != nil {
			return err
		}
	}
	return nil
}

// Table builds results.csv from the finished points of dirs, which must
// hold the same sweep (CheckSame): each point is taken from the first
// directory in which it is finished. It returns the header and the rows
// sorted by point index, or the points finished in none of dirs.
func Table(dirs []*Dir) (header []string, rows [][]string, missing []int, err error) {
	def := dirs[0].Def
	axes := def.Vary.Names()
	reserved := map[string]bool{"point": true, "status": true, "error": true}
	for _, n := range axes {
		reserved[n] = true
	}
	type row struct {
		m      Marker
		fields map[string]string
	}
	all := make([]row, def.Points)
	var order []string
	index := map[string]int{}
	for i := 0; i < def.Points; i++ {
		var (
			m     Marker
			found *Dir
		)
		for _, d := range dirs {
			if mm, ok := d.Finished(i); ok {
				m, found = mm, d
				break
			}
		}
		if found == nil {
			missing = append(missing, i)
			continue
		}
		all[i].m = m
		if m.Status != StatusOK {
			continue
		}
		path := filepath.Join(found.PointDir(i), m.Summary)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, nil, err
		}
		fs, err := Flatten(b, Volatile)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %v", path, err)
		}
		all[i].fields = make(map[string]string, len(fs))
		keys := make([]string, 0, len(fs))
		for _, f := range fs {
			if reserved[f.Key] {
				continue
			}
			all[i].fields[f.Key] = f.Value
			keys = append(keys, f.Key)
		}
		order = mergeKeys(order, index, keys)
	}
	if missing != nil {
		return nil, nil, missing, nil
	}
	header = append(append(append([]string{"point"}, axes...), "status", "error"), order...)
	rows = make([][]string, def.Points)
	for i, r := range all {
		cells := make([]string, 0, len(header))
		cells = append(cells, strconv.Itoa(i))
		cells = append(cells, r.m.Values...)
		cells = append(cells, r.m.Status, r.m.Error)
		for _, k := range order {
			cells = append(cells, r.fields[k])
		}
		rows[i] = cells
	}
	return header, rows, nil, nil
}
