package plots

// Reading the files the commands save, for 'sgdsde plot KIND DIR' and
// --plot: one thin function per kind that reads a directory into the
// typed data of its figures and draws them (DrawSteady, DrawEnsemble, ...).
// Meant to give way to the readers of the output contract.

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/sgdsde/sgdsde/internal/datafile"
)

// StandardFigures draws the standard figures of the results of command
// kind (one of FigureKinds) saved in dir, writes them into dir and returns
// their paths. Errors about the saved results match ErrInput.
func StandardFigures(kind, dir string, o FigureOptions) ([]string, error) {
	switch kind {
	case "steady":
		return SteadyFigures(dir, o)
	case "simulate":
		return SimulateFigures(dir, o)
	case "cycles":
		return CyclesFigures(dir, o)
	case "compare":
		return CompareFigures(dir, o)
	case "evolve":
		return EvolveFigures(dir, o)
	case "observe":
		return ObserveFigures(dir, o)
	case "escape":
		return EscapeFigures(dir, o)
	}
	return nil, inputErrorf("unknown figure kind %q: want one of %v", kind, FigureKinds)
}

// minimumJS is a minimum as summary.json writes it.
type minimumJS struct {
	X     []float64 `json:"x"`
	Value float64   `json:"value"`
}

// points returns the (x, y) of 2-D minima.
func points(ms []minimumJS) [][2]float64 {
	var out [][2]float64
	for _, m := range ms {
		if len(m.X) >= 2 {
			out = append(out, [2]float64{m.X[0], m.X[1]})
		}
	}
	return out
}

// runSummary holds the fields of summary.json the figures use.
type runSummary struct {
	Command           string        `json:"command"`
	Dim               int           `json:"dim"`
	Temperature       float64       `json:"temperature"`
	Box               [][2]float64  `json:"box"`
	MinimaLoss        *[]minimumJS  `json:"minima_loss"`
	MinimaPhi         []minimumJS   `json:"minima_phi"`
	EntropyProduction *float64      `json:"entropy_production"`
	N                 int           `json:"n"`
	Every             int           `json:"every"`
	Dt                float64       `json:"dt"`
	Field             string        `json:"field"`
	ForceVanishes     bool          `json:"force_vanishes"`
	Orbits            []orbitSeedJS `json:"orbits"`
}

// orbitSeedJS is an orbit of cycles' summary.json.
type orbitSeedJS struct {
	Orbit int        `json:"orbit"`
	Field string     `json:"field"`
	Seed  [2]float64 `json:"seed"`
	Class string     `json:"class"`
}

// perTemperature draws the figures of each temperature's subdirectory when
// dir holds the summary of a list of temperatures (steady, compare).
func perTemperature(dir string, dirs []string, one func(string, FigureOptions) ([]string, error), o FigureOptions) ([]string, error) {
	var out []string
	for _, d := range dirs {
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		files, err := one(d, o)
		if err != nil {
			return out, err
		}
		out = append(out, files...)
	}
	return out, nil
}

// temperatureDirs returns the subdirectories listed by the summary.json of
// a list of temperatures of command in dir, nil if there is none.
func temperatureDirs(dir, command string) []string {
	var s struct {
		Command string   `json:"command"`
		Dirs    []string `json:"dirs"`
	}
	if readJSON(filepath.Join(dir, "summary.json"), &s) != nil || s.Command != command {
		return nil
	}
	return s.Dirs
}

// readNPY reads a .npy array with datafile.ReadNPY, the one decoder; its
// errors match ErrInput, and fs.ErrNotExist for a missing file.
func readNPY(path string) (shape []int, data []float64, err error) {
	shape, data, err = datafile.ReadNPY(path)
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
	_, x, err := readNPY(filepath.Join(dir, "x.npy"))
	if err != nil {
		return Field{}, err
	}
	_, y, err := readNPY(filepath.Join(dir, "y.npy"))
	if err != nil {
		return Field{}, err
	}
	shape, z, err := readNPY(filepath.Join(dir, name+".npy"))
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

// readFreeEnergy reads the time and free_energy columns of an evolve run's
// free_energy.csv.
func readFreeEnergy(path string) (t, fe []float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		return nil, nil, inputErrorf("%s: not a free-energy table (%v)", path, err)
	}
	ti, fi := slices.Index(rows[0], "time"), slices.Index(rows[0], "free_energy")
	if ti < 0 || fi < 0 {
		return nil, nil, inputErrorf("%s: no time or free_energy column in %v", path, rows[0])
	}
	for _, r := range rows[1:] {
		a, err1 := strconv.ParseFloat(r[ti], 64)
		b, err2 := strconv.ParseFloat(r[fi], 64)
		if err1 != nil || err2 != nil {
			return nil, nil, inputErrorf("%s: row %v is not numeric", path, r)
		}
		t, fe = append(t, a), append(fe, b)
	}
	return t, fe, nil
}

// observeTable reads name.csv of dir and the named columns; optional
// columns that are missing come back nil.
func observeTable(dir, name string, need []string, optional []string) (map[string][]float64, error) {
	path := filepath.Join(dir, name+".csv")
	t, err := readTable(path)
	if err != nil {
		return nil, err
	}
	out := map[string][]float64{}
	for _, c := range need {
		if out[c], err = column(t, path, c); err != nil {
			return nil, err
		}
	}
	for _, c := range optional {
		if t.Column(c) >= 0 {
			if out[c], err = column(t, path, c); err != nil {
				return nil, err
			}
		}
	}
	if len(t.Rows) == 0 {
		return nil, inputErrorf("%s has no rows", path)
	}
	return out, nil
}

// SteadyFigures draws the standard figures of a steady state saved by
// 'sgdsde steady' in dir (summary.json and the .npy fields) into dir with
// DrawSteady. A directory of a list of temperatures gives the figures of
// each temperature in its subdirectory. Errors about the saved results
// match ErrInput.
func SteadyFigures(dir string, o FigureOptions) ([]string, error) {
	if dirs := temperatureDirs(dir, "steady"); dirs != nil && !exists(filepath.Join(dir, "phi.npy")) {
		return perTemperature(dir, dirs, SteadyFigures, o)
	}
	s, err := readSteady(dir)
	if err != nil {
		return nil, err
	}
	return DrawSteady(s, dir, o)
}

// readSteady reads the steady state saved in dir.
func readSteady(dir string) (*SteadyState, error) {
	var sum runSummary
	if err := readJSON(filepath.Join(dir, "summary.json"), &sum); err != nil {
		return nil, err
	}
	s := &SteadyState{Temperature: sum.Temperature, MinimaPhi: points(sum.MinimaPhi), EntropyProduction: sum.EntropyProduction}
	if sum.MinimaLoss != nil {
		s.MinimaLoss = points(*sum.MinimaLoss)
	}
	hasLoss := exists(filepath.Join(dir, "loss.npy"))
	if sum.Dim == 1 {
		var err error
		if _, s.X, err = readNPY(filepath.Join(dir, "x.npy")); err != nil {
			return nil, err
		}
		if _, s.Phi, err = readNPY(filepath.Join(dir, "phi.npy")); err != nil {
			return nil, err
		}
		if hasLoss {
			if _, s.Loss, err = readNPY(filepath.Join(dir, "loss.npy")); err != nil {
				return nil, err
			}
		}
		return s, nil
	}
	phi, err := readGridField(dir, "phi")
	if err != nil {
		return nil, err
	}
	s.X, s.Y, s.Phi = phi.Xs, phi.Ys, phi.Zs
	fields := []struct {
		name string
		dst  *[]float64
	}{
		{"loss", &s.Loss}, {"force_x", &s.ForceX}, {"force_y", &s.ForceY},
		{"current_x", &s.CurrentX}, {"current_y", &s.CurrentY}, {"rho", &s.Rho},
	}
	for _, f := range fields {
		if f.name == "loss" && !hasLoss {
			continue
		}
		g, err := readGridField(dir, f.name)
		if err != nil {
			return nil, err
		}
		*f.dst = g.Zs
	}
	return s, nil
}

// CyclesFigures draws the standard figure of the orbits saved by 'sgdsde
// cycles' in dir (summary.json, orbits.csv; x.npy, y.npy and phi.npy,
// which cycles --plot writes, for the background) into dir with
// DrawCycles.
func CyclesFigures(dir string, o FigureOptions) ([]string, error) {
	var s runSummary
	if err := readJSON(filepath.Join(dir, "summary.json"), &s); err != nil {
		return nil, err
	}
	csvPath := filepath.Join(dir, "orbits.csv")
	t, err := readTable(csvPath)
	if err != nil {
		return nil, err
	}
	ids, err := column(t, csvPath, "orbit")
	if err != nil {
		return nil, err
	}
	xs, err := column(t, csvPath, "x")
	if err != nil {
		return nil, err
	}
	ys, err := column(t, csvPath, "y")
	if err != nil {
		return nil, err
	}
	type orbit struct{ x, y []float64 }
	orbits := map[int]*orbit{}
	for i, id := range ids {
		k := int(id)
		if orbits[k] == nil {
			orbits[k] = &orbit{}
		}
		orbits[k].x = append(orbits[k].x, xs[i])
		orbits[k].y = append(orbits[k].y, ys[i])
	}
	c := &Cycles{Temperature: s.Temperature, Field: s.Field, ForceVanishes: s.ForceVanishes, Box: s.Box}
	if exists(filepath.Join(dir, "phi.npy")) {
		phi, err := readGridField(dir, "phi")
		if err != nil {
			return nil, err
		}
		c.Phi = &phi
	}
	for _, ob := range s.Orbits {
		co := CycleOrbit{Field: ob.Field, Class: ob.Class, Seed: ob.Seed}
		if or := orbits[ob.Orbit]; or != nil {
			co.X, co.Y = or.x, or.y
		}
		c.Orbits = append(c.Orbits, co)
	}
	return DrawCycles(c, dir, o)
}

// SimulateFigures draws the standard figure of an ensemble saved by
// 'sgdsde simulate' or 'sgdsde sgd' in dir (summary.json, final.npy (n,
// d), traj.npy (K, L, d) if recorded) into dir with DrawEnsemble.
func SimulateFigures(dir string, o FigureOptions) ([]string, error) {
	var s runSummary
	if err := readJSON(filepath.Join(dir, "summary.json"), &s); err != nil {
		return nil, err
	}
	fshape, final, err := readNPY(filepath.Join(dir, "final.npy"))
	if err != nil {
		return nil, err
	}
	if len(fshape) != 2 || fshape[1] < 1 {
		return nil, inputErrorf("%s: final.npy has shape %v: want (n, d)", dir, fshape)
	}
	e := &Ensemble{Dim: fshape[1], Final: final, Every: s.Every, Dt: s.Dt}
	if p := filepath.Join(dir, "traj.npy"); exists(p) {
		shape, data, err := readNPY(p)
		if err != nil {
			return nil, err
		}
		if len(shape) != 3 || shape[2] != e.Dim {
			return nil, inputErrorf("%s has shape %v: want (record, steps/every, %d)", p, shape, e.Dim)
		}
		e.Traj, e.Record, e.RecordLen = data, shape[0], shape[1]
	}
	return DrawEnsemble(e, dir, o)
}

// compareJS holds the fields of compare.json the figures use.
type compareJS struct {
	Temperature float64 `json:"temperature"`
	Dirs        []string
	Marginals   []struct {
		Axes     []int       `json:"axes"`
		Edges    [][]float64 `json:"edges"`
		Ensemble []float64   `json:"ensemble"`
		Grid     []float64   `json:"grid"`
	} `json:"marginals"`
}

// CompareFigures draws the standard figure of a comparison saved by
// 'sgdsde compare' in dir (compare.json) into dir with DrawComparison. A
// directory of a list of temperatures gives the figures of each
// temperature in its subdirectory.
func CompareFigures(dir string, o FigureOptions) ([]string, error) {
	path := filepath.Join(dir, "compare.json")
	if dirs := temperatureDirs(dir, "compare"); dirs != nil && !exists(path) {
		return perTemperature(dir, dirs, CompareFigures, o)
	}
	var c compareJS
	if err := readJSON(path, &c); err != nil {
		return nil, err
	}
	cmp := &Comparison{Temperature: c.Temperature}
	for _, m := range c.Marginals {
		if len(m.Axes) != 1 || len(m.Edges) != 1 {
			return nil, inputErrorf("%s: a marginal with axes %v: want one axis", path, m.Axes)
		}
		cmp.Marginals = append(cmp.Marginals, Marginal{Label: string("xy"[min(m.Axes[0], 1)]), Edges: m.Edges[0], Ensemble: m.Ensemble, Grid: m.Grid})
	}
	return DrawComparison(cmp, dir, o)
}

// EvolveFigures draws the standard figures of an evolution saved by
// 'sgdsde evolve' in dir (snapshots.npy, snapshot_times.npy, x.npy, y.npy,
// rho_ss.npy, free_energy.csv) into dir with DrawEvolution.
func EvolveFigures(dir string, o FigureOptions) ([]string, error) {
	sshape, snaps, err := readNPY(filepath.Join(dir, "snapshots.npy"))
	if err != nil {
		return nil, err
	}
	_, times, err := readNPY(filepath.Join(dir, "snapshot_times.npy"))
	if err != nil {
		return nil, err
	}
	_, x, err := readNPY(filepath.Join(dir, "x.npy"))
	if err != nil {
		return nil, err
	}
	_, rss, err := readNPY(filepath.Join(dir, "rho_ss.npy"))
	if err != nil {
		return nil, err
	}
	if len(sshape) < 2 || sshape[0] != len(times) || sshape[0] < 1 {
		return nil, inputErrorf("%s: snapshots.npy has shape %v for %d times", dir, sshape, len(times))
	}
	k := sshape[0]
	n := len(snaps) / k
	if len(rss) != n {
		return nil, inputErrorf("%s: rho_ss.npy has %d values, a snapshot %d", dir, len(rss), n)
	}
	e := &Evolution{X: x, Times: times, RhoSS: rss}
	if len(sshape) == 2 {
		if sshape[1] != len(x) {
			return nil, inputErrorf("%s: snapshots.npy has shape %v for %d nodes", dir, sshape, len(x))
		}
	} else {
		if _, e.Y, err = readNPY(filepath.Join(dir, "y.npy")); err != nil {
			return nil, err
		}
		if len(sshape) != 3 || sshape[1] != len(e.Y) || sshape[2] != len(x) {
			return nil, inputErrorf("%s: snapshots.npy has shape %v for a %d x %d grid", dir, sshape, len(x), len(e.Y))
		}
	}
	for i := range k {
		e.Snapshots = append(e.Snapshots, snaps[i*n:(i+1)*n])
	}
	if e.FreeEnergyTime, e.FreeEnergy, err = readFreeEnergy(filepath.Join(dir, "free_energy.csv")); err != nil {
		return nil, err
	}
	return DrawEvolution(e, dir, o)
}

// ObserveFigures draws the standard figures of the trajectory observables
// saved by 'sgdsde observe' in dir (acf.csv, spectrum.csv,
// d_spectrum.csv, gradnorm.csv) into dir with DrawObservables; the null
// is drawn when the tables have its columns (not after --no-null).
func ObserveFigures(dir string, o FigureOptions) ([]string, error) {
	var ob Observables
	for _, t := range []struct {
		name     string
		need     []string
		optional []string
		dst      []*[]float64
	}{
		{"acf", []string{"lag", "mean", "spread", "band"}, []string{"null_mean"}, nil},
		{"spectrum", []string{"frequency", "mean", "spread"}, []string{"null_mean"},
			[]*[]float64{&ob.Spectrum.Frequency, &ob.Spectrum.Mean, &ob.Spectrum.Spread, &ob.Spectrum.NullMean}},
		{"d_spectrum", []string{"time", "index", "eigenvalue"}, []string{"null_eigenvalue"},
			[]*[]float64{&ob.D.Time, &ob.D.Index, &ob.D.Eigenvalue, &ob.D.NullEigenvalue}},
		{"gradnorm", []string{"time", "value", "spread"}, []string{"null"},
			[]*[]float64{&ob.GradNorm.Time, &ob.GradNorm.Value, &ob.GradNorm.Spread, &ob.GradNorm.Null}},
	} {
		c, err := observeTable(dir, t.name, t.need, t.optional)
		if err != nil {
			return nil, err
		}
		if t.name == "acf" {
			ob.ACF = ACFCurve{Lag: c["lag"], Mean: c["mean"], Spread: c["spread"], Band: c["band"][0], NullMean: c["null_mean"]}
			continue
		}
		for k, name := range append(slices.Clone(t.need), t.optional...) {
			*t.dst[k] = c[name]
		}
	}
	return DrawObservables(&ob, dir, o)
}

// escapeJS holds the fields of escape.json the figures use.
type escapeJS struct {
	Command     string    `json:"command"`
	Dim         int       `json:"dim"`
	Temperature float64   `json:"temperature"`
	From        []float64 `json:"from"`
	Target      struct {
		Centre []float64 `json:"centre"`
		Radius float64   `json:"radius"`
		Basin  int       `json:"basin"`
	} `json:"target"`
	Basins []struct {
		X []float64 `json:"x"`
	} `json:"basins"`
	MFPTGrid     *float64 `json:"mfpt_grid"`
	MFPTEM       *float64 `json:"mfpt_em"`
	MFPTEMStderr *float64 `json:"mfpt_em_se"`
	Censored     *int     `json:"censored"`
	Ensemble     *struct {
		N int `json:"n"`
	} `json:"ensemble"`
	Files []string `json:"files"`
}

// EscapeFigures draws the standard figures of an escape study saved by
// 'sgdsde escape' in dir (escape.json; x.npy, y.npy, phi.npy, and those of
// mfpt.npy, committor.npy, reactive_current_x.npy, reactive_current_y.npy,
// reactive_density.npy and survival.csv that escape.json lists) into dir
// with DrawEscape. A directory of a list of temperatures gives the figures
// of each temperature in its subdirectory. Errors about the saved results
// match ErrInput.
func EscapeFigures(dir string, o FigureOptions) ([]string, error) {
	path := filepath.Join(dir, "escape.json")
	if dirs := temperatureDirs(dir, "escape"); dirs != nil && !exists(path) {
		return perTemperature(dir, dirs, EscapeFigures, o)
	}
	e, err := readEscape(dir)
	if err != nil {
		return nil, err
	}
	return DrawEscape(e, dir, o)
}

// readEscape reads the escape study saved in dir.
func readEscape(dir string) (*Escape, error) {
	path := filepath.Join(dir, "escape.json")
	var s escapeJS
	if err := readJSON(path, &s); err != nil {
		return nil, err
	}
	if s.Command != "escape" || (s.Dim != 1 && s.Dim != 2) {
		return nil, inputErrorf("%s: not the summary of a 1-D or 2-D escape run (command %q, dimension %d)", path, s.Command, s.Dim)
	}
	e := &Escape{Temperature: s.Temperature, From: s.From, MFPTGrid: s.MFPTGrid, MFPTEM: s.MFPTEM, MFPTEMStderr: s.MFPTEMStderr,
		Target: EscapeTarget{Centre: s.Target.Centre, Radius: s.Target.Radius, Basin: s.Target.Basin}}
	if s.Target.Centre == nil && s.Target.Basin >= 0 && s.Target.Basin < len(s.Basins) {
		e.Target.Minimum = s.Basins[s.Target.Basin].X
	}
	if s.Censored != nil {
		e.Censored = *s.Censored
	}
	if s.Ensemble != nil {
		e.Trajectories = s.Ensemble.N
	}
	// A file escape.json lists must be there (a missing one is an input
	// error that matches fs.ErrNotExist); without the list, those present.
	has := func(name string) bool {
		if s.Files != nil {
			return slices.Contains(s.Files, name)
		}
		return exists(filepath.Join(dir, name))
	}
	fields := []struct {
		name string
		dst  *[]float64
	}{
		{"phi", &e.Phi}, {"mfpt", &e.Tau}, {"committor", &e.Committor},
		{"reactive_current_x", &e.ReactiveX}, {"reactive_current_y", &e.ReactiveY}, {"reactive_density", &e.ReactiveDensity},
	}
	if s.Dim == 1 {
		var err error
		if _, e.X, err = readNPY(filepath.Join(dir, "x.npy")); err != nil {
			return nil, err
		}
		for _, f := range fields[:3] {
			if f.name != "phi" && !has(f.name+".npy") {
				continue
			}
			p := filepath.Join(dir, f.name+".npy")
			shape, z, err := readNPY(p)
			if err != nil {
				return nil, err
			}
			if len(shape) != 1 || shape[0] != len(e.X) {
				return nil, inputErrorf("%s has shape %v; x.npy needs (%d,)", p, shape, len(e.X))
			}
			*f.dst = z
		}
	} else {
		for _, f := range fields {
			if f.name != "phi" && !has(f.name+".npy") {
				continue
			}
			g, err := readGridField(dir, f.name)
			if err != nil {
				return nil, err
			}
			e.X, e.Y, *f.dst = g.Xs, g.Ys, g.Zs
		}
	}
	if has("survival.csv") {
		p := filepath.Join(dir, "survival.csv")
		t, err := readTable(p)
		if err != nil {
			return nil, err
		}
		for _, c := range []struct {
			name string
			dst  *[]float64
		}{{"t", &e.SurvivalTime}, {"survival", &e.Survival}, {"survival_se", &e.SurvivalStderr}} {
			if *c.dst, err = column(t, p, c.name); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}
