package plots

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// FigureKinds are the kinds of saved results that have standard figures,
// the KIND of StandardFigures.
var FigureKinds = []string{"steady", "simulate", "cycles", "compare", "evolve", "observe", "escape"}

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

// SteadyState is a steady state on a grid as its figures need it: the
// fields at the nodes, row-major (ny, nx) as Field, and the minima.
type SteadyState struct {
	// Temperature is T; the region drawn is rho > RegionFraction max rho,
	// Phi - min Phi <= fokkerplanck.PhiLevel(T, RegionFraction). With T =
	// 0 every node where Phi is finite is in.
	Temperature float64
	// X and Y are the node coordinates; Y is nil for a 1-D steady state.
	X, Y []float64
	// Phi is the potential -T log rho; Loss the loss f (nil without one).
	Phi, Loss []float64
	// Rho, the force j = J/rho and the current J (2-D only).
	Rho                []float64
	ForceX, ForceY     []float64
	CurrentX, CurrentY []float64
	// MinimaPhi and MinimaLoss are the (x, y) of the minima of Phi and f.
	MinimaPhi, MinimaLoss [][2]float64
	// EntropyProduction is Pi, nil if unknown; |Pi| < 1e-9 (detailed
	// balance) draws no force and no current.
	EntropyProduction *float64
}

// field returns the named field z of s on its grid, checked.
func (s *SteadyState) field(name string, z []float64) (Field, error) {
	f := Field{Xs: s.X, Ys: s.Y, Zs: z}
	if err := f.check(name); err != nil {
		return Field{}, &inputError{err}
	}
	return f, nil
}

// DrawSteady draws the standard figures of a steady state into dir and
// returns their paths:
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
// Errors about the data match ErrInput.
func DrawSteady(s *SteadyState, dir string, o FigureOptions) ([]string, error) {
	if s.Y == nil {
		return steady1D(s, dir, o)
	}
	phi, err := s.field("phi", s.Phi)
	if err != nil {
		return nil, err
	}
	in := fokkerplanck.PhiRegionMask(phi.Zs, s.Temperature, fokkerplanck.RegionFraction)
	var loss *Field
	if s.Loss != nil {
		f, err := s.field("loss", s.Loss)
		if err != nil {
			return nil, err
		}
		loss = &f
	}
	phiMin := &Markers{Label: "minima of Φ", Points: s.MinimaPhi}
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
		markers = []Markers{*phiMin, {Label: "minima of f", Points: s.MinimaLoss}} // Φ's as in the other figures
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
		base, title, speed string
		x, y               []float64
		xname, yname       string
		bg                 string
	}{
		{"steady_force", "force j = J/ρ over contours of Φ", "speed |j|", s.ForceX, s.ForceY, "force_x", "force_y", "phi"},
		{"steady_current", "current J over contours of ρ", "|J|", s.CurrentX, s.CurrentY, "current_x", "current_y", "rho"},
	} {
		u, err := s.field(v.xname, v.x)
		if err != nil {
			return files, err
		}
		w, err := s.field(v.yname, v.y)
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
			rho, err := s.field("rho", s.Rho)
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
func steady1D(s *SteadyState, dir string, o FigureOptions) ([]string, error) {
	x, phi := s.X, s.Phi
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
	if f := s.Loss; f != nil {
		if len(f) != len(x) {
			return nil, inputErrorf("%s: loss.npy has %d values for %d nodes", dir, len(f), len(x))
		}
		curves = append([]struct {
			label string
			y     []float64
			col   color.Color
			dash  bool
		}{{"loss f − min f", fokkerplanck.ShiftMin(f), palette[1], true}}, curves...)
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

// Cycles are the orbits of the force j and of the drift b of a steady
// state, classified, as their figure needs them.
type Cycles struct {
	// Temperature is T, for the colour scale of Phi (its region).
	Temperature float64
	// Field is the field whose orbits were traced: "force", "drift", or
	// anything else for both.
	Field string
	// ForceVanishes reports that j = 0 (detailed balance): no orbits of j.
	ForceVanishes bool
	// Box is the model's box [x0, x1] x [y0, y1], {{x0, x1}, {y0, y1}}:
	// the axes when there is no Phi.
	Box [][2]float64
	// Phi, if not nil, is drawn below the orbits.
	Phi *Field
	// Orbits are the orbits in order.
	Orbits []CycleOrbit
}

// CycleOrbit is one orbit: its field ("force" or "drift"), its class
// ("closed", "inward-spiral", ...; fokkerplanck.Orbit), its seed and its
// points (none if it was not recorded).
type CycleOrbit struct {
	Field, Class string
	Seed         [2]float64
	X, Y         []float64
}

// DrawCycles draws the standard figure of orbits into dir:
// cycles_orbits, the orbits coloured by class (closed, spirals, fixed
// point, ...) with their seeds, one panel per field (the force j, the
// drift b), over a heat map of c.Phi when it is set, over the box
// otherwise.
func DrawCycles(c *Cycles, dir string, o FigureOptions) ([]string, error) {
	var err error
	var fields []string
	switch c.Field {
	case "force", "drift":
		fields = []string{c.Field}
	default:
		fields = []string{"force", "drift"}
	}
	bg := c.Phi
	var fs []Field
	var ps []PanelOptions
	for _, f := range fields {
		title := "orbits of the force j"
		if f == "drift" {
			title = "orbits of the drift b"
		} else if c.ForceVanishes {
			title = "force j vanishes: no orbits"
		}
		ps = append(ps, PanelOptions{Title: title, ColourLabel: "Φ"})
		if bg != nil {
			fs = append(fs, *bg)
		}
	}
	var fig *Panel
	if bg != nil {
		lo, hi := rangeOver(fokkerplanck.PhiRegionMask(bg.Zs, c.Temperature, fokkerplanck.RegionFraction), *bg)
		ps[0].Min, ps[0].Max = lo, hi
		if fig, err = FieldPanels(fs, ps); err != nil {
			return nil, &inputError{err}
		}
	} else {
		if len(c.Box) != 2 {
			return nil, inputErrorf("%s: summary.json has no 2-D box", dir)
		}
		fig = &Panel{Legend: newLegend()}
		for _, po := range ps {
			p := newFieldPlot(po)
			p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = c.Box[0][0], c.Box[0][1], c.Box[1][0], c.Box[1][1]
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
		for _, ob := range c.Orbits {
			if ob.Field != f {
				continue
			}
			seeds = append(seeds, plotter.XY{X: ob.Seed[0], Y: ob.Seed[1]})
			xys := make(plotter.XYs, 0, len(ob.X))
			for i := range min(len(ob.X), len(ob.Y)) {
				if finite(ob.X[i]) && finite(ob.Y[i]) {
					xys = append(xys, plotter.XY{X: ob.X[i], Y: ob.Y[i]})
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
	for _, cl := range append(append([]string(nil), classOrder...), "seed") {
		if th := present[cl]; th != nil {
			fig.Legend.Add(cl, th)
		}
	}
	for _, ob := range c.Orbits { // classes this version does not know
		if !slices.Contains(classOrder, ob.Class) && present[ob.Class] != nil {
			fig.Legend.Add(ob.Class, present[ob.Class])
			delete(present, ob.Class)
		}
	}
	ar := 1.0
	if b := c.Box; len(b) == 2 && b[0][1] > b[0][0] {
		ar = (b[1][1] - b[1][0]) / (b[0][1] - b[0][0])
	}
	p, err := o.save(fig, dir, "cycles_orbits", panelSize(len(fields), ar, 3.4, 6.5))
	if err != nil {
		return nil, err
	}
	return []string{p}, nil
}

// Ensemble is an ensemble run (sgdsde simulate, sgd) as its figure
// needs it: the final states and the recorded trajectories.
type Ensemble struct {
	// Dim is the dimension d of a state.
	Dim int
	// Final holds the final states, n x Dim values row-major.
	Final []float64
	// Traj holds the recorded trajectories, Record x RecordLen x Dim
	// values row-major (nil: none recorded); state i of a trajectory is
	// the state at time (i+1) Every Dt.
	Traj              []float64
	Record, RecordLen int
	Every             int
	Dt                float64
}

// DrawEnsemble draws the standard figure of an ensemble into dir:
// simulate_trajectories, the recorded trajectories (start marked) beside
// the final states of the whole ensemble. In 2-D and more the plane of
// the first two coordinates is drawn, over o.Background (Phi) if given,
// on o.Box otherwise (on the data's range without either); in 1-D x
// against time beside the histogram of the final states.
func DrawEnsemble(e *Ensemble, dir string, o FigureOptions) ([]string, error) {
	d := e.Dim
	if d < 1 || len(e.Final)%d != 0 {
		return nil, inputErrorf("%s: %d final values in dimension %d", dir, len(e.Final), d)
	}
	if len(e.Traj) != e.Record*e.RecordLen*d {
		return nil, inputErrorf("%s: %d trajectory values for %d x %d states in dimension %d", dir, len(e.Traj), e.Record, e.RecordLen, d)
	}
	n := len(e.Final) / d
	var trs []Trajectory
	for k := 0; k < e.Record; k++ {
		var t Trajectory
		for i := 0; i < e.RecordLen; i++ {
			row := e.Traj[(k*e.RecordLen+i)*d:]
			if d == 1 {
				t.X = append(t.X, float64(i+1)*float64(max(e.Every, 1))*e.Dt)
				t.Y = append(t.Y, row[0])
			} else {
				t.X, t.Y = append(t.X, row[0]), append(t.Y, row[1])
			}
		}
		trs = append(trs, t)
	}
	final := e.Final
	var err error
	var fig Drawer
	def := Size{WidthCM: 22, HeightCM: 9.5}
	if d == 1 {
		fig, err = simulate1D(trs, final)
		if err != nil {
			return nil, &inputError{err}
		}
	} else {
		fin := make([][2]float64, 0, n)
		for i := 0; i < n; i++ {
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

// Comparison is a comparison of an ensemble with the grid steady state
// (sgdsde compare) as its figure needs it.
type Comparison struct {
	// Temperature is T, drawn as the legend's title when positive.
	Temperature float64
	// Marginals are the marginals on their bins, one panel each.
	Marginals []Marginal
}

// DrawComparison draws the standard figure of a comparison into dir:
// compare_marginals, the marginal histograms of the ensemble against the
// marginals of the grid steady state on the same bins, one panel per
// axis.
func DrawComparison(c *Comparison, dir string, o FigureOptions) ([]string, error) {
	ms := c.Marginals
	if len(ms) == 0 {
		return nil, inputErrorf("%s has no marginals", filepath.Join(dir, "compare.json"))
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

// Evolution is the evolution of a density (sgdsde evolve) as its figures
// need it.
type Evolution struct {
	// X and Y are the node coordinates; Y is nil in 1-D.
	X, Y []float64
	// Times are the times of the snapshots; Snapshots[k] is the density
	// at the nodes at Times[k] (row-major (ny, nx) in 2-D).
	Times     []float64
	Snapshots [][]float64
	// RhoSS is the steady state the density evolves to.
	RhoSS []float64
	// FreeEnergyTime and FreeEnergy are the free energy T KL(ρ‖ρ_ss)
	// against time.
	FreeEnergyTime, FreeEnergy []float64
}

// DrawEvolution draws the standard figures of an evolution into dir:
// evolve_snapshots, up to four snapshots of ρ (the first, the last and
// evenly spaced ones between) and the steady state ρ_ss in a row of
// panels on one colour scale (in 1-D curves against x, coloured by time,
// with ρ_ss dashed); and evolve_free_energy, the free energy against time
// on a log axis with the snapshots' times marked.
func DrawEvolution(e *Evolution, dir string, o FigureOptions) ([]string, error) {
	x, y, times, rss := e.X, e.Y, e.Times, e.RhoSS
	k := len(e.Snapshots)
	if k < 1 || k != len(times) {
		return nil, inputErrorf("%s: %d snapshots for %d times", dir, k, len(times))
	}
	n := len(x) * max(len(y), 1)
	for i, sn := range e.Snapshots {
		if len(sn) != n {
			return nil, inputErrorf("%s: snapshot %d has %d values for %d nodes", dir, i, len(sn), n)
		}
	}
	if len(rss) != n {
		return nil, inputErrorf("%s: rho_ss.npy has %d values, a snapshot %d", dir, len(rss), n)
	}
	pick := evenPick(k, 4)
	tlabel := func(i int) string { return "t = " + strconv.FormatFloat(times[i], 'g', 3, 64) }
	var fig Drawer
	var def Size
	if y == nil {
		p := newCurvePlot("density ρ(x, t)", "x", "ρ")
		f := &Figure{Plot: p, Legend: newLegend()}
		f.LegendTitle = "time"
		for j, i := range pick {
			xys := make(plotter.XYs, len(x))
			for a := range x {
				xys[a] = plotter.XY{X: x[a], Y: e.Snapshots[i][a]}
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
		var fs []Field
		var ps []PanelOptions
		for _, i := range pick {
			fs = append(fs, Field{Xs: x, Ys: y, Zs: e.Snapshots[i]})
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
	marks := make([]float64, 0, len(times))
	for _, i := range pick {
		marks = append(marks, times[i])
	}
	ff, err := FreeEnergyCurve(e.FreeEnergyTime, e.FreeEnergy, FreeEnergyOptions{LogY: true, YLabel: "free energy F = T KL(ρ‖ρ_ss)", Marks: marks})
	if err != nil {
		return nil, &inputError{err}
	}
	if p, err = o.save(ff, dir, "evolve_free_energy", DefaultSize); err != nil {
		return nil, err
	}
	return append(out, p), nil
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

// Observables are the trajectory observables of a run (sgdsde observe)
// as their figures need them; the null's columns are nil when it was not
// computed.
type Observables struct {
	ACF      ACFCurve
	Spectrum SpectrumCurve
	D        DSpectrum
	GradNorm GradNormCurve
}

// ACFCurve is the autocorrelation of the coordinates against the lag (in
// recorded steps): the mean over the coordinates, its spread, the 99%
// white-noise band ± Band, and the equilibrium null's mean.
type ACFCurve struct {
	Lag, Mean, Spread []float64
	Band              float64
	NullMean          []float64
}

// SpectrumCurve is the power spectrum of the increments (mean 1) against
// frequency (cycles per recorded step), its spread and the null's mean.
type SpectrumCurve struct {
	Frequency, Mean, Spread, NullMean []float64
}

// DSpectrum holds the eigenvalues of the diffusion D, one row per (time,
// index), and the null's eigenvalues.
type DSpectrum struct {
	Time, Index, Eigenvalue, NullEigenvalue []float64
}

// GradNormCurve is |grad f|/√d against time, its spread and the null.
type GradNormCurve struct {
	Time, Value, Spread, Null []float64
}

// DrawObservables draws the standard figures of trajectory observables
// into dir:
//
//   - observe_acf: the autocorrelation against the lag (mean over the
//     coordinates, shaded ± spread), the 99% white-noise band and the
//     equilibrium null;
//   - observe_spectrum: the power spectrum of the increments against
//     frequency with the null;
//   - observe_d: the eigenvalues of D by index at each chosen time, the
//     null's dashed, on a log scale;
//   - observe_gradnorm: |grad f|/√d against time with the null.
//
// The null is drawn when its columns are set.
func DrawObservables(ob *Observables, dir string, o FigureOptions) ([]string, error) {
	var files []string
	build := []struct {
		name string
		fn   func() (Drawer, error)
	}{
		{"acf", func() (Drawer, error) { return observeACF(ob.ACF) }},
		{"spectrum", func() (Drawer, error) { return observeSpectrum(ob.Spectrum) }},
		{"d", func() (Drawer, error) { return observeD(ob.D, dir) }},
		{"gradnorm", func() (Drawer, error) { return observeGrad(ob.GradNorm) }},
	}
	for _, b := range build {
		fig, err := b.fn()
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

func grid(p *plot.Plot) {
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 0xE6}
	g.Horizontal.Color = color.Gray{Y: 0xE6}
	p.Add(g)
}

func observeACF(c ACFCurve) (Drawer, error) {
	if len(c.Lag) == 0 {
		return nil, inputErrorf("autocorrelation: no lags")
	}
	p := newCurvePlot("autocorrelation of the coordinates", "lag (recorded steps)", "autocorrelation")
	grid(p)
	f := &Figure{Plot: p, Legend: newLegend()}
	lag := c.Lag
	band := c.Band
	x0, x1 := lag[0], lag[len(lag)-1]
	for _, s := range []float64{band, -band} {
		l, _ := plotter.NewLine(plotter.XYs{{X: x0, Y: s}, {X: x1, Y: s}})
		l.Color, l.Width, l.Dashes = color.Gray{Y: 0x60}, vg.Points(0.9), []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(l)
		if s > 0 {
			f.Legend.Add("99% white-noise band", l)
		}
	}
	l := curve(p, lag, c.Mean, c.Spread, runColour, false)
	f.Legend.Add("run (mean ± spread)", l)
	if nm := c.NullMean; nm != nil {
		f.Legend.Add("equilibrium null", curve(p, lag, nm, nil, nullColour, true))
	}
	p.X.Min, p.X.Max = x0, x1
	pad := 0.03 * (p.Y.Max - p.Y.Min)
	p.Y.Min, p.Y.Max = p.Y.Min-pad, p.Y.Max+pad
	return f, nil
}

func observeSpectrum(c SpectrumCurve) (Drawer, error) {
	if len(c.Frequency) == 0 {
		return nil, inputErrorf("spectrum: no frequencies")
	}
	p := newCurvePlot("spectrum of the increments", "frequency (cycles per recorded step)", "power (mean 1)")
	grid(p)
	f := &Figure{Plot: p, Legend: newLegend()}
	fr := c.Frequency
	// White (Brownian) increments have a flat spectrum at 1.
	if x0, x1, ok := finiteRange(fr); ok && x1 > x0 {
		l, _ := plotter.NewLine(plotter.XYs{{X: x0, Y: 1}, {X: x1, Y: 1}})
		l.Color, l.Width, l.Dashes = color.Gray{Y: 0x60}, vg.Points(0.9), []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(l)
		f.Legend.Add("white noise (Brownian)", l)
	}
	f.Legend.Add("run (mean ± spread)", curve(p, fr, c.Mean, c.Spread, runColour, false))
	if nm := c.NullMean; nm != nil {
		f.Legend.Add("equilibrium null", curve(p, fr, nm, nil, nullColour, true))
	}
	// From 0 to above the top of the band, which the axis must not clip.
	p.Y.Min = 0
	p.Y.Max += 0.06 * p.Y.Max
	return f, nil
}

func observeGrad(c GradNormCurve) (Drawer, error) {
	if len(c.Time) == 0 {
		return nil, inputErrorf("gradient norm: no times")
	}
	p := newCurvePlot("gradient norm", "time t", "|grad f| / √d")
	grid(p)
	f := &Figure{Plot: p, Legend: newLegend()}
	f.Legend.Add("run (mean ± spread)", curve(p, c.Time, c.Value, c.Spread, runColour, false))
	if nm := c.Null; nm != nil {
		f.Legend.Add("equilibrium null", curve(p, c.Time, nm, nil, nullColour, true))
	}
	p.Y.Max += 0.04 * (p.Y.Max - p.Y.Min) // the band's top off the frame
	return f, nil
}

func observeD(c DSpectrum, dir string) (Drawer, error) {
	p := newCurvePlot("eigenvalues of the diffusion D", "index i", "eigenvalue λi")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	p.X.Tick.Marker = intTicks{}
	grid(p)
	f := &Figure{Plot: p, Legend: newLegend()}
	f.LegendTitle = "recorded time"
	var times []float64
	for _, t := range c.Time {
		if !slices.Contains(times, t) {
			times = append(times, t)
		}
	}
	positive := func(v float64) bool { return finite(v) && v > 0 }
	drawn := 0
	for j, t := range times {
		var run, null plotter.XYs
		for i := range c.Time {
			if c.Time[i] != t {
				continue
			}
			if v := c.Eigenvalue[i]; positive(v) {
				run = append(run, plotter.XY{X: c.Index[i], Y: v})
			}
			if ne := c.NullEigenvalue; ne != nil && positive(ne[i]) {
				null = append(null, plotter.XY{X: c.Index[i], Y: ne[i]})
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
	if c.NullEigenvalue != nil {
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

// logTickLabel writes a tick value of a log axis to three significant
// digits: plainly from 1e-4 to below 1e5 (0.001, 20, 5000), otherwise as
// a power of ten without a plus sign or leading zeros (1e5, 2e-7).
func logTickLabel(v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	if a := math.Abs(r); a >= 1e-4 && a < 1e5 {
		return strconv.FormatFloat(r, 'f', -1, 64)
	}
	m, e, _ := strings.Cut(strconv.FormatFloat(r, 'e', -1, 64), "e")
	sign := ""
	if e[0] == '-' {
		sign = "-"
	}
	return m + "e" + sign + strings.TrimLeft(e[1:], "0")
}

// logTicks are plot.LogTicks, labelled with three significant digits (its
// powers of ten come from repeated products, so 1e-4 would read
// 9.999999999999999e-05), with 2 and 5 times the powers of ten labelled
// too when the range holds fewer than two powers.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	labelled := 0
	for i, t := range ts {
		if t.Label != "" {
			ts[i].Label = logTickLabel(t.Value)
		}
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
				t.Label = logTickLabel(v)
			}
			out = append(out, t)
		}
	}
	return out
}
