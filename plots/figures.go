package plots

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// FigureKinds are the kinds of saved results that have standard figures,
// the KIND of StandardFigures.
var FigureKinds = []string{"steady", "simulate", "cycles", "compare", "evolve", "observe"}

// FigureOptions selects the format and size of the standard figures.
type FigureOptions struct {
	// Format is png (the default when empty), svg or pdf.
	Format string
	// Size, when WidthCM and HeightCM are set, is the size of every
	// figure; otherwise each figure has its own default size (wider for
	// rows of panels). Size.DPI sets the PNG resolution (DefaultDPI if 0).
	Size Size
	// Background (SimulateFigures only) is Phi, drawn below the
	// trajectories; Box (SimulateFigures only, without Background) fixes
	// the axes to [Box[0], Box[1]] x [Box[2], Box[3]], the model's box.
	Background *Field
	Box        *[4]float64
}

// save writes fig into dir/base.FORMAT at the options' size, or def when
// the options give none, and returns the path.
func (o FigureOptions) save(fig Drawer, dir, base string, def Size) (string, error) {
	format := cmp.Or(o.Format, "png")
	if !slices.Contains(Formats, format) {
		return "", fmt.Errorf("figure format %q: want png, svg or pdf", format)
	}
	size := def
	if o.Size.WidthCM > 0 && o.Size.HeightCM > 0 {
		size.WidthCM, size.HeightCM = o.Size.WidthCM, o.Size.HeightCM
	}
	size.DPI = cmp.Or(o.Size.DPI, DefaultDPI)
	path := filepath.Join(dir, base+"."+format)
	if err := Save(fig, path, size); err != nil {
		return "", err
	}
	return path, nil
}

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

// blank returns f with NaN at the nodes outside in.
func blank(f Field, in []bool) Field {
	return Field{Xs: f.Xs, Ys: f.Ys, Zs: fokkerplanck.Blank(f.Zs, in)}
}

// rangeOver returns the range of the finite values of fields over the
// nodes in in.
func rangeOver(in []bool, fs ...Field) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, f := range fs {
		for k, v := range f.Zs {
			if in[k] && finite(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	return lo, hi
}

// SteadyFigures draws the standard figures of a steady state saved by
// 'sgdsde steady' in dir (summary.json and the .npy fields) into dir:
//
//   - steady_potentials: f − min f, Φ and Φ − f (0 at the minimum of Φ)
//     side by side, with the minima of f and Φ (Φ alone for a model
//     without a loss). f − min f and Φ share a colour scale (bar "f − min
//     f, Φ") that spans Φ over the region where ρ > 1e-6 max ρ (Φ − min Φ
//     < T ln 1e6), above which the colours saturate; Φ − f, meaningless
//     outside that region and blank there, has a colour bar of its own.
//   - steady_force: evenly spaced streamlines of the force j = J/ρ, width
//     by speed, over contour lines of Φ, with the minima of Φ.
//   - steady_current: streamlines of the current J over contour lines of ρ.
//
// The force and current are drawn in the region only (where ρ is not
// negligible, j is a ratio of round-off), and not at all when the entropy
// production vanishes (detailed balance; the title says so). A 1-D steady
// state gives one figure, steady_potentials: f − min f and Φ against x.
// A directory of a list of temperatures gives the figures of each
// temperature in its subdirectory.
func SteadyFigures(dir string, o FigureOptions) ([]string, error) {
	if dirs := temperatureDirs(dir, "steady"); dirs != nil && !exists(filepath.Join(dir, "phi.npy")) {
		return perTemperature(dir, dirs, SteadyFigures, o)
	}
	var s runSummary
	if err := readJSON(filepath.Join(dir, "summary.json"), &s); err != nil {
		return nil, err
	}
	if s.Dim == 1 {
		return steady1D(dir, &s, o)
	}
	phi, err := readGridField(dir, "phi")
	if err != nil {
		return nil, err
	}
	in := fokkerplanck.PhiRegionMask(phi.Zs, s.Temperature, fokkerplanck.RegionFraction)
	var loss *Field
	if exists(filepath.Join(dir, "loss.npy")) {
		f, err := readGridField(dir, "loss")
		if err != nil {
			return nil, err
		}
		loss = &f
	}
	phiMin := &Markers{Label: "minima of Φ", Points: points(s.MinimaPhi)}
	var files []string

	// Potentials.
	fields := []Field{phi}
	opts := []PanelOptions{{Title: "Φ = −T log ρ"}}
	markers := []Markers{*phiMin}
	if loss != nil {
		shifted := Field{Xs: loss.Xs, Ys: loss.Ys, Zs: fokkerplanck.ShiftMin(loss.Zs)}
		diff := Field{Xs: loss.Xs, Ys: loss.Ys, Zs: fokkerplanck.PhiMinusLoss(phi.Zs, loss.Zs, in, fokkerplanck.AnchorMinPhi)}
		fields = []Field{shifted, phi, diff}
		opts = []PanelOptions{{Title: "loss f − min f"}, {Title: "Φ = −T log ρ"}, {Title: "Φ − f"}}
		ml := Markers{Label: "minima of f"}
		if s.MinimaLoss != nil {
			ml.Points = points(*s.MinimaLoss)
		}
		markers = []Markers{*phiMin, ml} // Φ's as in the other figures
	}
	// f − min f and Φ on one scale, from their smallest value to the
	// largest Φ of the region (the colours saturate above); Φ − f, a
	// difference of another range, on a scale and colour bar of its own.
	lo, _ := rangeOver(in, fields[:min(2, len(fields))]...)
	_, hi := rangeOver(in, phi)
	if !(lo < hi) {
		return nil, inputErrorf("%s: Φ has no finite values to draw", filepath.Join(dir, "phi.npy"))
	}
	for k := range opts {
		opts[k].Markers = markers
	}
	opts[0].Min, opts[0].Max = lo, hi
	opts[0].ColourLabel = "f − min f, Φ"
	colW := 3.2
	if loss == nil {
		opts[0].ColourLabel = "Φ"
	} else {
		opts[2].OwnScale = true
		opts[2].ColourLabel = "Φ − f"
		if dlo, dhi := rangeOver(in, fields[2]); dlo < dhi {
			opts[2].Min, opts[2].Max = dlo, dhi
		}
		colW = 4.6
	}
	fig, err := FieldPanels(fields, opts)
	if err != nil {
		return nil, &inputError{err}
	}
	p, err := o.save(fig, dir, "steady_potentials", panelSize(len(fields), aspect(phi), colW, 6))
	if err != nil {
		return nil, err
	}
	files = append(files, p)

	// Force and current.
	phiBg := blank(phi, in)
	detailed := s.EntropyProduction != nil && math.Abs(*s.EntropyProduction) < 1e-9
	for _, v := range []struct {
		base, x, y, title, speed string
		bg                       string
	}{
		{"steady_force", "force_x", "force_y", "force j = J/ρ over contours of Φ", "speed |j|", "phi"},
		{"steady_current", "current_x", "current_y", "current J over contours of ρ", "|J|", "rho"},
	} {
		u, err := readGridField(dir, v.x)
		if err != nil {
			return files, err
		}
		w, err := readGridField(dir, v.y)
		if err != nil {
			return files, err
		}
		vf := VectorField{X: u.Xs, Y: u.Ys, U: fokkerplanck.Blank(u.Zs, in), V: fokkerplanck.Blank(w.Zs, in)}
		title := v.title
		if detailed {
			title = "no " + v.title[:5] + " (Π ≈ 0: detailed balance)"
			vf.U, vf.V = make([]float64, len(vf.U)), make([]float64, len(vf.V))
		}
		bg, label := phiBg, "Φ"
		if v.bg == "rho" {
			rho, err := readGridField(dir, "rho")
			if err != nil {
				return files, err
			}
			bg, label = blank(rho, in), "ρ"
		}
		fig, _, err := StreamPlot(vf, StreamPlotOptions{Title: title, SpeedLabel: v.speed, Background: &bg, ColourLabel: label, Markers: []Markers{*phiMin}})
		if err != nil {
			return files, &inputError{err}
		}
		p, err := o.save(fig, dir, v.base, panelSize(1, aspect(phi), 3.8, 8.5))
		if err != nil {
			return files, err
		}
		files = append(files, p)
	}
	return files, nil
}

// aspect is the height over the width of a field's box.
func aspect(f Field) float64 {
	return (f.Ys[len(f.Ys)-1] - f.Ys[0]) / (f.Xs[len(f.Xs)-1] - f.Xs[0])
}

// steady1D draws f − min f and Φ against x of a 1-D steady state.
func steady1D(dir string, s *runSummary, o FigureOptions) ([]string, error) {
	_, x, err := ReadNPY(filepath.Join(dir, "x.npy"))
	if err != nil {
		return nil, err
	}
	_, phi, err := ReadNPY(filepath.Join(dir, "phi.npy"))
	if err != nil {
		return nil, err
	}
	if len(phi) != len(x) {
		return nil, inputErrorf("%s: phi.npy has %d values for %d nodes", dir, len(phi), len(x))
	}
	p := newCurvePlot("steady state", "x", "potential")
	fig := &Figure{Plot: p, Legend: newLegend()}
	curves := []struct {
		label string
		y     []float64
		col   color.Color
		dash  bool
	}{{"Φ = −T log ρ", phi, palette[0], false}}
	if exists(filepath.Join(dir, "loss.npy")) {
		_, f, err := ReadNPY(filepath.Join(dir, "loss.npy"))
		if err != nil {
			return nil, err
		}
		if len(f) != len(x) {
			return nil, inputErrorf("%s: loss.npy has %d values for %d nodes", dir, len(f), len(x))
		}
		lo, _, _ := finiteRange(f)
		g := make([]float64, len(f))
		for i, v := range f {
			g[i] = v - lo
		}
		curves = append([]struct {
			label string
			y     []float64
			col   color.Color
			dash  bool
		}{{"loss f − min f", g, palette[1], true}}, curves...)
	}
	// The y range: the region (Phi < T ln 1e6), so that huge walls do not
	// flatten the wells.
	cut := math.Inf(1)
	if s.Temperature > 0 {
		cut = fokkerplanck.PhiLevel(s.Temperature, fokkerplanck.RegionFraction) * 1.2
	}
	for _, c := range curves {
		xys := make(plotter.XYs, 0, len(x))
		for i := range x {
			if finite(c.y[i]) && c.y[i] <= cut {
				xys = append(xys, plotter.XY{X: x[i], Y: c.y[i]})
			}
		}
		if len(xys) < 2 {
			continue
		}
		l, _ := plotter.NewLine(xys)
		l.Color, l.Width = c.col, vg.Points(1.4)
		if c.dash {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		}
		p.Add(l)
		fig.Legend.Add(c.label, l)
	}
	path, err := o.save(fig, dir, "steady_potentials", DefaultSize)
	if err != nil {
		return nil, err
	}
	return []string{path}, nil
}

// classColours are the colours of the orbit classes of 'sgdsde cycles',
// on a heat map of Phi and (onWhite) without one.
var classOrder = []string{"closed", "inward-spiral", "outward-spiral", "fixed-point", "leaves-box", "unresolved"}

func classColour(class string, onWhite bool) color.Color {
	switch class {
	case "closed":
		return color.RGBA{0xE6, 0x9F, 0x00, 0xff}
	case "inward-spiral":
		return color.RGBA{0x56, 0xB4, 0xE9, 0xff}
	case "outward-spiral":
		return color.RGBA{0xD5, 0x5E, 0x00, 0xff}
	case "fixed-point":
		if onWhite {
			return color.Black
		}
		return color.White
	case "leaves-box":
		return color.RGBA{0xCC, 0x79, 0xA7, 0xff}
	}
	return color.Gray{Y: 0x90}
}

// CyclesFigures draws the standard figure of the orbits saved by 'sgdsde
// cycles' in dir (summary.json, orbits.csv) into dir: cycles_orbits, the
// orbits coloured by class (closed, spirals, fixed point, ...) with their
// seeds, one panel per field (the force j, the drift b), over a heat map
// of Φ when dir holds x.npy, y.npy and phi.npy (cycles --plot writes
// them), over the box otherwise.
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
	var fields []string
	switch s.Field {
	case "force", "drift":
		fields = []string{s.Field}
	default:
		fields = []string{"force", "drift"}
	}
	var bg *Field
	if exists(filepath.Join(dir, "phi.npy")) {
		phi, err := readGridField(dir, "phi")
		if err != nil {
			return nil, err
		}
		bg = &phi
	}
	var fs []Field
	var ps []PanelOptions
	for _, f := range fields {
		title := "orbits of the force j"
		if f == "drift" {
			title = "orbits of the drift b"
		} else if s.ForceVanishes {
			title = "force j vanishes: no orbits"
		}
		ps = append(ps, PanelOptions{Title: title, ColourLabel: "Φ"})
		if bg != nil {
			fs = append(fs, *bg)
		}
	}
	var fig *Panel
	if bg != nil {
		lo, hi := rangeOver(fokkerplanck.PhiRegionMask(bg.Zs, s.Temperature, fokkerplanck.RegionFraction), *bg)
		ps[0].Min, ps[0].Max = lo, hi
		if fig, err = FieldPanels(fs, ps); err != nil {
			return nil, &inputError{err}
		}
	} else {
		if len(s.Box) != 2 {
			return nil, inputErrorf("%s: summary.json has no 2-D box", dir)
		}
		fig = &Panel{Legend: newLegend()}
		for _, po := range ps {
			p := newFieldPlot(po)
			p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = s.Box[0][0], s.Box[0][1], s.Box[1][0], s.Box[1][1]
			fig.Plots = append(fig.Plots, p)
		}
	}
	fig.Legend = newLegend()
	fig.LegendTitle = "orbit class"
	onWhite := bg == nil
	present := map[string]plot.Thumbnailer{}
	for k, f := range fields {
		p := fig.Plots[k]
		x0, x1, y0, y1 := p.X.Min, p.X.Max, p.Y.Min, p.Y.Max
		var seeds plotter.XYs
		for _, ob := range s.Orbits {
			if ob.Field != f {
				continue
			}
			seeds = append(seeds, plotter.XY{X: ob.Seed[0], Y: ob.Seed[1]})
			or := orbits[ob.Orbit]
			if or == nil {
				continue
			}
			xys := make(plotter.XYs, 0, len(or.x))
			for i := range or.x {
				if finite(or.x[i]) && finite(or.y[i]) {
					xys = append(xys, plotter.XY{X: or.x[i], Y: or.y[i]})
				}
			}
			if len(xys) < 2 {
				continue
			}
			l, _ := plotter.NewLine(xys)
			l.Color = classColour(ob.Class, onWhite)
			l.Width = vg.Points(1.2)
			p.Add(l)
			if present[ob.Class] == nil {
				present[ob.Class] = l
				if ob.Class == "fixed-point" && !onWhite {
					present[ob.Class] = haloLine{l.Color}
				}
			}
		}
		if len(seeds) > 0 {
			sc, _ := plotter.NewScatter(seeds)
			sc.Shape, sc.Color, sc.Radius = ringDisc{}, color.White, vg.Points(2.6)
			p.Add(sc)
			if present["seed"] == nil {
				present["seed"] = sc
			}
		}
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = x0, x1, y0, y1
	}
	for _, c := range append(append([]string(nil), classOrder...), "seed") {
		if th := present[c]; th != nil {
			fig.Legend.Add(c, th)
		}
	}
	for _, ob := range s.Orbits { // classes this version does not know
		if !slices.Contains(classOrder, ob.Class) && present[ob.Class] != nil {
			fig.Legend.Add(ob.Class, present[ob.Class])
			delete(present, ob.Class)
		}
	}
	ar := 1.0
	if b := s.Box; len(b) == 2 && b[0][1] > b[0][0] {
		ar = (b[1][1] - b[1][0]) / (b[0][1] - b[0][0])
	}
	p, err := o.save(fig, dir, "cycles_orbits", panelSize(len(fields), ar, 3.4, 6.5))
	if err != nil {
		return nil, err
	}
	return []string{p}, nil
}

// SimulateFigures draws the standard figure of an ensemble saved by
// 'sgdsde simulate' in dir (summary.json, final.npy (n, d), traj.npy (K,
// L, d) if recorded) into dir: simulate_trajectories, the recorded
// trajectories (start marked) beside the final states of the whole
// ensemble. In 2-D and more the plane of the first two coordinates is
// drawn, over o.Background (Phi) if given, on o.Box otherwise (on the
// data's range without either); in 1-D x against time beside the
// histogram of the final states.
func SimulateFigures(dir string, o FigureOptions) ([]string, error) {
	var s runSummary
	if err := readJSON(filepath.Join(dir, "summary.json"), &s); err != nil {
		return nil, err
	}
	fshape, final, err := ReadNPY(filepath.Join(dir, "final.npy"))
	if err != nil {
		return nil, err
	}
	if len(fshape) != 2 || fshape[1] < 1 {
		return nil, inputErrorf("%s: final.npy has shape %v: want (n, d)", dir, fshape)
	}
	d := fshape[1]
	var trs []Trajectory
	if p := filepath.Join(dir, "traj.npy"); exists(p) {
		shape, data, err := ReadNPY(p)
		if err != nil {
			return nil, err
		}
		if len(shape) != 3 || shape[2] != d {
			return nil, inputErrorf("%s has shape %v: want (record, steps/every, %d)", p, shape, d)
		}
		K, L := shape[0], shape[1]
		for k := 0; k < K; k++ {
			var t Trajectory
			for i := 0; i < L; i++ {
				row := data[(k*L+i)*d:]
				if d == 1 {
					t.X = append(t.X, float64(i+1)*float64(max(s.Every, 1))*s.Dt)
					t.Y = append(t.Y, row[0])
				} else {
					t.X, t.Y = append(t.X, row[0]), append(t.Y, row[1])
				}
			}
			trs = append(trs, t)
		}
	}
	var fig Drawer
	def := Size{WidthCM: 22, HeightCM: 9.5}
	if d == 1 {
		fig, err = simulate1D(trs, final)
		if err != nil {
			return nil, &inputError{err}
		}
	} else {
		fin := make([][2]float64, 0, fshape[0])
		for i := 0; i < fshape[0]; i++ {
			fin = append(fin, [2]float64{final[i*d], final[i*d+1]})
		}
		xl, yl := "x", "y"
		if d > 2 {
			xl, yl = "x1", "x2"
		}
		to := TrajectoryOptions{Title: "recorded trajectories", XLabel: xl, YLabel: yl, Background: o.Background, Box: o.Box, Final: fin}
		if d > 2 {
			to.Title = "trajectories (first two coordinates)"
		}
		pf, err := Trajectories(trs, to)
		if err != nil {
			return nil, &inputError{err}
		}
		if pl := pf.Plots[0]; pl.X.Max > pl.X.Min {
			def = panelSize(len(pf.Plots), (pl.Y.Max-pl.Y.Min)/(pl.X.Max-pl.X.Min), 4.2, 6.5)
		}
		fig = pf
	}
	p, err := o.save(fig, dir, "simulate_trajectories", def)
	if err != nil {
		return nil, err
	}
	return []string{p}, nil
}

// simulate1D draws 1-D trajectories x(t) and the histogram of the final
// states.
func simulate1D(trs []Trajectory, final []float64) (*Row, error) {
	r := &Row{Legend: newLegend()}
	p := newCurvePlot("recorded trajectories", "time t", "x")
	for k, t := range trs {
		xys := make(plotter.XYs, len(t.X))
		for i := range t.X {
			xys[i] = plotter.XY{X: t.X[i], Y: t.Y[i]}
		}
		if len(xys) < 2 {
			continue
		}
		l, _ := plotter.NewLine(xys)
		l.Color, l.Width = trajColours[k%len(trajColours)], vg.Points(0.7)
		p.Add(l)
	}
	q := newCurvePlot("final states", "x", "count")
	var vals plotter.Values
	for _, v := range final {
		if finite(v) {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return nil, fmt.Errorf("final states: none finite")
	}
	h, err := plotter.NewHist(vals, max(10, min(60, int(math.Sqrt(float64(len(vals)))))))
	if err != nil {
		return nil, err
	}
	h.FillColor = color.NRGBA{0x56, 0xB4, 0xE9, 0xa0}
	h.LineStyle.Color = color.NRGBA{0x00, 0x72, 0xB2, 0xff}
	q.Add(h)
	r.Plots = []*plot.Plot{p, q}
	return r, nil
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
// 'sgdsde compare' in dir (compare.json) into dir: compare_marginals, the
// marginal histograms of the ensemble against the marginals of the grid
// steady state on the same bins, one panel per axis. A directory of a
// list of temperatures gives the figures of each temperature in its
// subdirectory.
func CompareFigures(dir string, o FigureOptions) ([]string, error) {
	path := filepath.Join(dir, "compare.json")
	if dirs := temperatureDirs(dir, "compare"); dirs != nil && !exists(path) {
		return perTemperature(dir, dirs, CompareFigures, o)
	}
	var c compareJS
	if err := readJSON(path, &c); err != nil {
		return nil, err
	}
	var ms []Marginal
	for _, m := range c.Marginals {
		if len(m.Axes) != 1 || len(m.Edges) != 1 {
			return nil, inputErrorf("%s: a marginal with axes %v: want one axis", path, m.Axes)
		}
		ms = append(ms, Marginal{Label: string("xy"[min(m.Axes[0], 1)]), Edges: m.Edges[0], Ensemble: m.Ensemble, Grid: m.Grid})
	}
	if len(ms) == 0 {
		return nil, inputErrorf("%s has no marginals", path)
	}
	title := ""
	if c.Temperature > 0 {
		title = "T = " + strconv.FormatFloat(c.Temperature, 'g', 4, 64)
	}
	fig, err := Marginals(ms, MarginalOptions{Title: title, GridLabel: "grid steady state ρ"})
	if err != nil {
		return nil, &inputError{err}
	}
	def := Size{WidthCM: 9 + 8*float64(len(ms)), HeightCM: 8}
	p, err := o.save(fig, dir, "compare_marginals", def)
	if err != nil {
		return nil, err
	}
	return []string{p}, nil
}

// EvolveFigures draws the standard figure of an evolution saved by
// 'sgdsde evolve' in dir (snapshots.npy, snapshot_times.npy, x.npy, y.npy,
// rho_ss.npy) into dir: evolve_snapshots, up to four snapshots of ρ
// (the first, the last and evenly spaced ones between) and the steady
// state ρ_ss in a row of panels on one colour scale. In 1-D the snapshots
// are curves against x, coloured by time, with ρ_ss dashed.
func EvolveFigures(dir string, o FigureOptions) ([]string, error) {
	sshape, snaps, err := ReadNPY(filepath.Join(dir, "snapshots.npy"))
	if err != nil {
		return nil, err
	}
	_, times, err := ReadNPY(filepath.Join(dir, "snapshot_times.npy"))
	if err != nil {
		return nil, err
	}
	_, x, err := ReadNPY(filepath.Join(dir, "x.npy"))
	if err != nil {
		return nil, err
	}
	_, rss, err := ReadNPY(filepath.Join(dir, "rho_ss.npy"))
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
	pick := evenPick(k, 4)
	tlabel := func(i int) string { return "t = " + strconv.FormatFloat(times[i], 'g', 3, 64) }
	var fig Drawer
	var def Size
	if len(sshape) == 2 {
		if sshape[1] != len(x) {
			return nil, inputErrorf("%s: snapshots.npy has shape %v for %d nodes", dir, sshape, len(x))
		}
		p := newCurvePlot("density ρ(x, t)", "x", "ρ")
		f := &Figure{Plot: p, Legend: newLegend()}
		f.LegendTitle = "time"
		for j, i := range pick {
			xys := make(plotter.XYs, len(x))
			for a := range x {
				xys[a] = plotter.XY{X: x[a], Y: snaps[i*n+a]}
			}
			l, _ := plotter.NewLine(xys)
			l.Color = Viridis.At(float64(j) / float64(max(len(pick)-1, 1)) * 0.9)
			l.Width = vg.Points(1.3)
			p.Add(l)
			f.Legend.Add(tlabel(i), l)
		}
		xys := make(plotter.XYs, len(x))
		for a := range x {
			xys[a] = plotter.XY{X: x[a], Y: rss[a]}
		}
		l, _ := plotter.NewLine(xys)
		l.Color, l.Width, l.Dashes = color.Black, vg.Points(1.2), []vg.Length{vg.Points(4), vg.Points(2)}
		p.Add(l)
		f.Legend.Add("steady ρ_ss", l)
		fig, def = f, DefaultSize
	} else {
		_, y, err := ReadNPY(filepath.Join(dir, "y.npy"))
		if err != nil {
			return nil, err
		}
		if len(sshape) != 3 || sshape[1] != len(y) || sshape[2] != len(x) {
			return nil, inputErrorf("%s: snapshots.npy has shape %v for a %d x %d grid", dir, sshape, len(x), len(y))
		}
		var fs []Field
		var ps []PanelOptions
		for _, i := range pick {
			fs = append(fs, Field{Xs: x, Ys: y, Zs: snaps[i*n : (i+1)*n]})
			ps = append(ps, PanelOptions{Title: tlabel(i)})
		}
		fs = append(fs, Field{Xs: x, Ys: y, Zs: rss})
		ps = append(ps, PanelOptions{Title: "steady ρ_ss"})
		ps[0].ColourLabel = "density ρ"
		for j := range ps {
			if j > 0 {
				ps[j].YLabel = " "
			}
		}
		pf, err := FieldPanels(fs, ps)
		if err != nil {
			return nil, &inputError{err}
		}
		fig, def = pf, panelSize(len(fs), aspect(fs[0]), 2.6, 4.5)
	}
	p, err := o.save(fig, dir, "evolve_snapshots", def)
	if err != nil {
		return nil, err
	}
	out := []string{p}
	// The free energy against time, from free_energy.csv (columns step,
	// time, free_energy, ...), on a log axis.
	t, fe, err := readFreeEnergy(filepath.Join(dir, "free_energy.csv"))
	if err != nil {
		return nil, err
	}
	marks := make([]float64, 0, len(times))
	for _, i := range pick {
		marks = append(marks, times[i])
	}
	ff, err := FreeEnergyCurve(t, fe, FreeEnergyOptions{LogY: true, YLabel: "free energy F = T KL(ρ‖ρ_ss)", Marks: marks})
	if err != nil {
		return nil, &inputError{err}
	}
	if p, err = o.save(ff, dir, "evolve_free_energy", DefaultSize); err != nil {
		return nil, err
	}
	return append(out, p), nil
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

// evenPick returns up to m indices of 0..k-1, evenly spread, the first and
// the last included.
func evenPick(k, m int) []int {
	if k <= m {
		out := make([]int, k)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, m)
	for j := range out {
		out[j] = int(math.Round(float64(j) * float64(k-1) / float64(m-1)))
	}
	return out
}

// ObserveFigures draws the standard figures of the trajectory observables
// saved by 'sgdsde observe' in dir into dir:
//
//   - observe_acf: the autocorrelation against the lag (mean over the
//     coordinates, shaded ± spread), the 99% white-noise band and the
//     equilibrium null (acf.csv);
//   - observe_spectrum: the power spectrum of the increments against
//     frequency with the null (spectrum.csv);
//   - observe_d: the eigenvalues of D by index at each chosen time, the
//     null's dashed (d_spectrum.csv), on a log scale;
//   - observe_gradnorm: |grad f|/√d against time with the null (gradnorm.csv).
//
// The null is drawn when the tables have its columns (not after
// --no-null).
func ObserveFigures(dir string, o FigureOptions) ([]string, error) {
	var files []string
	build := []struct {
		name string
		fn   func(string) (Drawer, error)
	}{
		{"acf", observeACF}, {"spectrum", observeSpectrum}, {"d", observeD}, {"gradnorm", observeGrad},
	}
	for _, b := range build {
		fig, err := b.fn(dir)
		if err != nil {
			return files, err
		}
		p, err := o.save(fig, dir, "observe_"+b.name, DefaultSize)
		if err != nil {
			return files, err
		}
		files = append(files, p)
	}
	return files, nil
}

var (
	runColour  = color.RGBA{0x00, 0x72, 0xB2, 0xff}
	nullColour = color.RGBA{0xD5, 0x5E, 0x00, 0xff}
	dashes     = []vg.Length{vg.Points(4), vg.Points(2.5)}
)

// curve adds y against x as a line to p (non-finite points dropped), with
// a shaded band y ± spread when spread is not nil, and returns the line.
func curve(p *plot.Plot, x, y, spread []float64, col color.Color, dashed bool) *plotter.Line {
	var xys, lo, hi plotter.XYs
	for i := range x {
		if !finite(x[i]) || !finite(y[i]) {
			continue
		}
		xys = append(xys, plotter.XY{X: x[i], Y: y[i]})
		if spread != nil && finite(spread[i]) {
			lo = append(lo, plotter.XY{X: x[i], Y: y[i] - spread[i]})
			hi = append(hi, plotter.XY{X: x[i], Y: y[i] + spread[i]})
		}
	}
	if len(lo) > 1 {
		ring := append(plotter.XYs{}, lo...)
		for i := len(hi) - 1; i >= 0; i-- {
			ring = append(ring, hi[i])
		}
		poly, err := plotter.NewPolygon(ring)
		if err == nil {
			r, g, b, _ := col.RGBA()
			poly.Color = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0x30}
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
	}
	if len(xys) == 0 {
		return nil
	}
	l, _ := plotter.NewLine(xys)
	l.Color, l.Width = col, vg.Points(1.3)
	if dashed {
		l.Dashes = dashes
	}
	p.Add(l)
	return l
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

func grid(p *plot.Plot) {
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 0xE6}
	g.Horizontal.Color = color.Gray{Y: 0xE6}
	p.Add(g)
}

func observeACF(dir string) (Drawer, error) {
	c, err := observeTable(dir, "acf", []string{"lag", "mean", "spread", "band"}, []string{"null_mean"})
	if err != nil {
		return nil, err
	}
	p := newCurvePlot("autocorrelation of the coordinates", "lag (recorded steps)", "autocorrelation")
	grid(p)
	f := &Figure{Plot: p, Legend: newLegend()}
	lag := c["lag"]
	band := c["band"][0]
	x0, x1 := lag[0], lag[len(lag)-1]
	for _, s := range []float64{band, -band} {
		l, _ := plotter.NewLine(plotter.XYs{{X: x0, Y: s}, {X: x1, Y: s}})
		l.Color, l.Width, l.Dashes = color.Gray{Y: 0x60}, vg.Points(0.9), []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(l)
		if s > 0 {
			f.Legend.Add("99% white-noise band", l)
		}
	}
	l := curve(p, lag, c["mean"], c["spread"], runColour, false)
	f.Legend.Add("run (mean ± spread)", l)
	if nm := c["null_mean"]; nm != nil {
		f.Legend.Add("equilibrium null", curve(p, lag, nm, nil, nullColour, true))
	}
	p.X.Min, p.X.Max = x0, x1
	pad := 0.03 * (p.Y.Max - p.Y.Min)
	p.Y.Min, p.Y.Max = p.Y.Min-pad, p.Y.Max+pad
	return f, nil
}

func observeSpectrum(dir string) (Drawer, error) {
	c, err := observeTable(dir, "spectrum", []string{"frequency", "mean", "spread"}, []string{"null_mean"})
	if err != nil {
		return nil, err
	}
	p := newCurvePlot("spectrum of the increments", "frequency (cycles per recorded step)", "power (mean 1)")
	grid(p)
	f := &Figure{Plot: p, Legend: newLegend()}
	fr := c["frequency"]
	// White (Brownian) increments have a flat spectrum at 1.
	if x0, x1, ok := finiteRange(fr); ok && x1 > x0 {
		l, _ := plotter.NewLine(plotter.XYs{{X: x0, Y: 1}, {X: x1, Y: 1}})
		l.Color, l.Width, l.Dashes = color.Gray{Y: 0x60}, vg.Points(0.9), []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(l)
		f.Legend.Add("white noise (Brownian)", l)
	}
	f.Legend.Add("run (mean ± spread)", curve(p, fr, c["mean"], c["spread"], runColour, false))
	if nm := c["null_mean"]; nm != nil {
		f.Legend.Add("equilibrium null", curve(p, fr, nm, nil, nullColour, true))
	}
	// From 0 to above the top of the band, which the axis must not clip.
	p.Y.Min = 0
	p.Y.Max += 0.06 * p.Y.Max
	return f, nil
}

func observeGrad(dir string) (Drawer, error) {
	c, err := observeTable(dir, "gradnorm", []string{"time", "value", "spread"}, []string{"null"})
	if err != nil {
		return nil, err
	}
	p := newCurvePlot("gradient norm", "time t", "|grad f| / √d")
	grid(p)
	f := &Figure{Plot: p, Legend: newLegend()}
	f.Legend.Add("run (mean ± spread)", curve(p, c["time"], c["value"], c["spread"], runColour, false))
	if nm := c["null"]; nm != nil {
		f.Legend.Add("equilibrium null", curve(p, c["time"], nm, nil, nullColour, true))
	}
	p.Y.Max += 0.04 * (p.Y.Max - p.Y.Min) // the band's top off the frame
	return f, nil
}

func observeD(dir string) (Drawer, error) {
	c, err := observeTable(dir, "d_spectrum", []string{"time", "index", "eigenvalue"}, []string{"null_eigenvalue"})
	if err != nil {
		return nil, err
	}
	p := newCurvePlot("eigenvalues of the diffusion D", "index i", "eigenvalue λi")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	p.X.Tick.Marker = intTicks{}
	grid(p)
	f := &Figure{Plot: p, Legend: newLegend()}
	f.LegendTitle = "recorded time"
	var times []float64
	for _, t := range c["time"] {
		if !slices.Contains(times, t) {
			times = append(times, t)
		}
	}
	positive := func(v float64) bool { return finite(v) && v > 0 }
	drawn := 0
	for j, t := range times {
		var run, null plotter.XYs
		for i := range c["time"] {
			if c["time"][i] != t {
				continue
			}
			if v := c["eigenvalue"][i]; positive(v) {
				run = append(run, plotter.XY{X: c["index"][i], Y: v})
			}
			if ne := c["null_eigenvalue"]; ne != nil && positive(ne[i]) {
				null = append(null, plotter.XY{X: c["index"][i], Y: ne[i]})
			}
		}
		col := palette[j%len(palette)]
		if len(run) > 0 {
			l, pts, _ := plotter.NewLinePoints(run)
			l.Color, l.Width = col, vg.Points(1.2)
			pts.Color, pts.Shape, pts.Radius = col, glyphs[j%len(glyphs)], vg.Points(2.2)
			p.Add(l, pts)
			f.Legend.Add(strconv.FormatFloat(t, 'g', -1, 64), l, pts)
			drawn++
		}
		if len(null) > 0 {
			l, _ := plotter.NewLine(null)
			l.Color, l.Width, l.Dashes = col, vg.Points(1), dashes
			p.Add(l)
		}
	}
	if drawn == 0 {
		return nil, inputErrorf("%s: no positive eigenvalue to draw", filepath.Join(dir, "d_spectrum.csv"))
	}
	p.X.Min, p.X.Max = p.X.Min-0.3, p.X.Max+0.3
	if c["null_eigenvalue"] != nil {
		l, _ := plotter.NewLine(plotter.XYs{{}})
		l.Color, l.Width, l.Dashes = color.Gray{Y: 0x40}, vg.Points(1), dashes
		f.Legend.Add("null (dashed)", l)
	}
	return f, nil
}

// panelSize returns a figure size for n equal-aspect panels side by side,
// each of data height over width ar, with a right column (colour bar,
// legends) of colW cm, so that the panels fill the figure: tall boxes get
// a narrower figure, wide ones a lower one (at least minH cm high).
func panelSize(n int, ar, colW, minH float64) Size {
	const frameX, frameY = 1.8, 2.4 // room of the axes in cm: tick labels and label; title and x axis
	nf := float64(n)
	if !(ar > 0) {
		return DefaultSize
	}
	if ar >= 0.75 {
		h := 10.0
		w := nf*((h-frameY)/ar+frameX) + colW
		return Size{WidthCM: min(max(w, 10), 34), HeightCM: h}
	}
	w := []float64{0, 15, 22, 28}[min(n, 3)]
	if n > 3 {
		w = min(34, 5.6*nf+colW)
	}
	h := frameY + ((w-colW)/nf-frameX)*ar
	if h < minH {
		// Too low for the right column: as high as that needs, and as
		// wide as the panels then are, so that no band of the figure
		// stays empty above and below them.
		h = minH
		w = min(nf*((h-frameY)/ar+frameX)+colW, 34)
	}
	return Size{WidthCM: w, HeightCM: min(h, 12)}
}

// haloLine is a legend thumbnail of a light line (white, say) drawn over a
// darker, wider one so that it shows on the legend's white background.
type haloLine struct{ col color.Color }

// Thumbnail implements plot.Thumbnailer.
func (h haloLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(draw.LineStyle{Color: color.Gray{Y: 0x30}, Width: vg.Points(2.8)}, c.Min.X, y, c.Max.X, y)
	c.StrokeLine2(draw.LineStyle{Color: h.col, Width: vg.Points(1.4)}, c.Min.X, y, c.Max.X, y)
}

// intTicks are niceTicks at integers only (indices).
type intTicks struct{}

// Ticks implements plot.Ticker.
func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (niceTicks{}).Ticks(lo, hi) {
		if t.Value == math.Trunc(t.Value) {
			if t.Label != "" {
				t.Label = strconv.FormatFloat(t.Value, 'f', 0, 64)
			}
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		for v := math.Ceil(lo); v <= hi; v++ {
			out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
		}
	}
	return out
}

// logTicks are plot.LogTicks, with 2 and 5 times the powers of ten
// labelled too when the range holds fewer than two powers.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	labelled := 0
	for _, t := range ts {
		if t.Label != "" && t.Value >= lo*(1-1e-9) && t.Value <= hi*(1+1e-9) {
			labelled++
		}
	}
	if labelled >= 2 || !(lo > 0) {
		return ts
	}
	var out []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for m := 1.0; m < 10; m++ {
			v := m * math.Pow(10, e)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', 3, 64)
			}
			out = append(out, t)
		}
	}
	return out
}
