package gallery

// The first five scenarios: steady states and an evolution on a grid,
// their figures and the text around their numbers.

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/plots"
	"github.com/sgdsde/sgdsde/potentials"
)

// solve assembles the operator of m at temperature T on a grid of n
// nodes along the longer side of the model's box and solves its steady
// state. A solve that does not converge is an error naming the model and
// T (the gallery draws no unconverged point).
func solve(ctx context.Context, m potentials.Model, T float64, n int) (*fokkerplanck.Operator, *fokkerplanck.Steady, error) {
	g, err := fokkerplanck.NewGrid(m.Box, fokkerplanck.SquareCells(m.Box, n), false)
	if err != nil {
		return nil, nil, err
	}
	op, err := fokkerplanck.NewOperator(ctx, m, T, g)
	if err != nil {
		return nil, nil, err
	}
	st, err := op.SteadyState(ctx, fokkerplanck.SteadyOptions{})
	if err == nil && !st.Converged {
		err = fmt.Errorf("steady state not marked converged (relative residual %.3g)", st.Residual)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("%s at T = %g on %d x %d nodes: %w", m.Name, T, g.N[0], g.N[1], err)
	}
	return op, st, nil
}

// wellLevels are contour levels of the double wells: the barrier at 0.25
// draws the figure eight through the saddle.
var wellLevels = []float64{0.05, 0.15, 0.25, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 1.75}

// wellWindow is the part of the double-well box the figures show.
var wellWindow = fokkerplanck.Window{X0: -2, X1: 2, Y0: -1.5, Y1: 1.5}

// Scenario 1: isotropic noise.
func isotropic(ctx context.Context, s Settings, g *figures) (Section, string, error) {
	const T = 0.5
	op, st, err := steady(ctx, "double-well", map[string]float64{"noise": 0}, T, s.Grid)
	if err != nil {
		return Section{}, "", err
	}
	gr := op.Grid
	f, phi, d := plots.FieldOf(gr.Crop(st.Loss, wellWindow)), plots.FieldOf(gr.Crop(st.Phi, wellWindow)), plots.FieldOf(gr.Crop(fokkerplanck.PhiMinusLoss(st.Phi, st.Loss, nil, fokkerplanck.AnchorMinLoss), wellWindow))
	mk := []plots.Markers{{Label: "minima of f", Points: points(st.MinimaLoss)}, {Label: "minima of Φ", Points: points(st.MinimaPhi)}}
	lo := fieldMin(f, phi, d)
	fig, err := plots.FieldPanels([]plots.Field{f, phi, d}, []plots.PanelOptions{
		{Title: "loss f", ColourLabel: "f, Φ, Φ − f", Min: lo, Max: 2, Levels: wellLevels, Markers: mk},
		{Title: "potential Φ = −T log ρ", Markers: mk},
		{Title: "Φ − f", Markers: mk},
	})
	if err != nil {
		return Section{}, "", err
	}
	const file = "s1-isotropic-phi-f.png"
	if err := g.save(fig, file, 24, 6.4); err != nil {
		return Section{}, "", err
	}
	pi, dmax := st.EntropyProduction, st.MaxAbsPhiMinusLoss
	sec := Section{
		ID: "isotropic", Title: "1. Isotropic noise: Φ = f and nothing circulates",
		Text: []string{
			"The double well f = (x² − 1)²/4 + y²/2 with the same noise in every direction, D = I, at temperature T = " + g3(T) + ".",
			"When the gradient noise is isotropic, the drift −∇f and the noise balance each other edge by edge (detailed balance), so the steady density is the Gibbs density ρ ∝ exp(−f/T) and its potential Φ = −T log ρ is the loss itself.",
			fmt.Sprintf("The grid solution agrees: the largest deviation |Φ − f| over the region where the density lives is %s, round-off, and the right panel is flat.", g3(dmax)),
			fmt.Sprintf("The entropy production Π, which measures the circulating probability current, is %s: nothing flows round, SGD with isotropic noise is an equilibrium sampler of exp(−f/T).", g3(pi)),
			"The minima of Φ (crosses) sit on those of f (discs).",
		},
		Facts: []string{
			"grid " + gridDesc(gr),
			"entropy production Π = " + g3(pi),
			"max |Φ − f| = " + g3(dmax),
			"minima of f: " + fmtPoints(st.MinimaLoss) + "; minima of Φ: " + fmtPoints(st.MinimaPhi),
		},
		Figures: []Figure{{File: file, Alt: "heat maps of f, Phi and Phi - f for the isotropic double well",
			Caption: "f, Φ and Φ − f on one colour scale (values above 2 drawn in the top colour), with the contours of f and Φ; Φ − f vanishes."}},
	}
	return sec, fmt.Sprintf("Pi = %s, max|Phi - f| = %s", g3(pi), g3(dmax)), nil
}

// steady builds a landscape and solves its steady state.
func steady(ctx context.Context, name string, set map[string]float64, T float64, n int) (*fokkerplanck.Operator, *fokkerplanck.Steady, error) {
	m, err := potentials.New(name, set)
	if err != nil {
		return nil, nil, err
	}
	return solve(ctx, m, T, n)
}

// Scenario 2: constant anisotropic noise, the Brownian gyrator.
func gyrator(ctx context.Context, s Settings, g *figures) (Section, string, error) {
	const T = 0.5
	op, st, err := steady(ctx, "gyrator", nil, T, s.Grid)
	if err != nil {
		return Section{}, "", err
	}
	gr := op.Grid
	w := fokkerplanck.Window{X0: -2.5, X1: 2.5, Y0: -1.25, Y1: 1.25}
	f, phi, d := plots.FieldOf(gr.Crop(st.Loss, w)), plots.FieldOf(gr.Crop(st.Phi, w)), plots.FieldOf(gr.Crop(fokkerplanck.PhiMinusLoss(st.Phi, st.Loss, nil, fokkerplanck.AnchorMinLoss), w))
	mk := []plots.Markers{{Label: "minimum of f", Points: points(st.MinimaLoss)}, {Label: "minimum of Φ", Points: points(st.MinimaPhi)}}
	lo := fieldMin(f, phi, d)
	fig, err := plots.FieldPanels([]plots.Field{f, phi, d}, []plots.PanelOptions{
		{Title: "loss f", ColourLabel: "f, Φ, Φ − f", Min: lo, Max: 4, Levels: []float64{-2, -1.5, -1, -0.5, 0, 0.25, 0.5, 1, 1.5, 2, 3}, Markers: mk},
		{Title: "potential Φ = −T log ρ", Markers: mk},
		{Title: "Φ − f", Markers: mk},
	})
	if err != nil {
		return Section{}, "", err
	}
	const fields = "s2-gyrator-phi-f.png"
	if err := g.save(fig, fields, 24, 5.4); err != nil {
		return Section{}, "", err
	}
	force := plots.VectorFieldOf(gr.Crop(st.ForceX, w), gr.Crop(st.ForceY, w))
	loops, lines, err := plots.StreamPlot(force, plots.StreamPlotOptions{
		StreamOptions: plots.StreamOptions{Sep: 0.16},
		Title:         "force j = J/ρ over the contours of Φ",
		SpeedLabel:    "speed |j|",
		ColourLabel:   "Φ",
		Background:    phi.CapAt(3.6),
		Levels:        []float64{0.1, 0.25, 0.5, 1, 1.5, 2, 3},
		Markers:       []plots.Markers{{Label: "minimum of Φ", Points: points(st.MinimaPhi)}},
	})
	if err != nil {
		return Section{}, "", err
	}
	const loopsFile = "s2-gyrator-loops.png"
	if err := g.save(loops, loopsFile, 16, 7.6); err != nil {
		return Section{}, "", err
	}
	closed := 0
	for _, l := range lines {
		n := len(l.X)
		if n > 2 && math.Hypot(l.X[0]-l.X[n-1], l.Y[0]-l.Y[n-1]) < 0.16 {
			closed++
		}
	}
	pi, L := st.EntropyProduction, st.AngularMomentum
	exact := ""
	if op.Model.AngularMomentum != nil {
		if v, ok := op.Model.AngularMomentum(T); ok {
			exact = fmt.Sprintf(" (closed form %s)", g3(v))
		}
	}
	sec := Section{
		ID: "gyrator", Title: "2. Constant anisotropic noise: Φ ≠ f, and the gyrator's loops",
		Text: []string{
			"The quadratic bowl f = x²/2 + 2y² with a constant but anisotropic noise D = [[1, 0.8], [0.8, 1]] at T = " + g3(T) + ", known in physics as the Brownian gyrator.",
			"The noise is strongest along the diagonal x = y, which is not an axis of the bowl (A D ≠ D A), so the density is stretched along a tilted direction: Φ is still a quadratic bowl but a rotated one, and Φ − f has the saddle shape of the right panel.",
			fmt.Sprintf("Detailed balance fails: a probability current J circulates in the steady state, with entropy production Π = %s and angular momentum L = %s%s.", g3(pi), g3(L), exact),
			"The force j = J/ρ is drawn as streamlines over the contours of Φ: they close on themselves and run along the level sets of Φ (j · ∇Φ = 0), so trajectories keep looping around the minimum instead of settling into it.",
			"SGD behaves the same way when its gradient noise is anisotropic: its steady state is not exp(−f/T) and it keeps moving.",
		},
		Facts: []string{
			"grid " + gridDesc(gr),
			"entropy production Π = " + g3(pi),
			"angular momentum L = " + g3(L) + exact,
			"max |Φ − f| (best constant, over the region) = " + g3(st.MaxAbsPhiMinusLoss),
			fmt.Sprintf("%d streamlines of j, %d of them closed loops", len(lines), closed),
		},
		Figures: []Figure{
			{File: fields, Alt: "heat maps of f, Phi and Phi - f for the Brownian gyrator",
				Caption: "f, Φ and Φ − f on one colour scale (values above 4 drawn in the top colour): Φ is tilted against f."},
			{File: loopsFile, Alt: "closed streamlines of the force j over the contours of Phi",
				Caption: "Streamlines of j, evenly spaced, with arrows along j and line width proportional to |j|, over the contours of Φ."},
		},
	}
	return sec, fmt.Sprintf("Pi = %s, L = %s%s", g3(pi), g3(L), exact), nil
}

// Scenario 3: state-dependent noise; the minima of Phi move with T.
func stateDependent(ctx context.Context, s Settings, g *figures) (Section, string, error) {
	panelTs := []float64{0.1, 0.3, 0.5}
	m, err := potentials.New("double-well", map[string]float64{"noise": 2})
	if err != nil {
		return Section{}, "", err
	}
	ts := slices.Clone(s.CurveTs)
	for _, T := range panelTs {
		if !slices.Contains(ts, T) {
			ts = append(ts, T)
		}
	}
	slices.Sort(ts)
	type res struct {
		T   float64
		op  *fokkerplanck.Operator
		st  *fokkerplanck.Steady
		pos float64 // x of the right minimum of Phi, NaN if none
	}
	var rs []res
	for _, T := range ts {
		op, st, err := solve(ctx, m, T, s.Grid)
		if err != nil {
			return Section{}, "", err
		}
		pos := math.NaN()
		for _, q := range st.MinimaPhi {
			if q.X[0] >= 0 && (math.IsNaN(pos) || q.Value < st.MinimaPhi[0].Value+1e-12) {
				pos = q.X[0]
				break
			}
		}
		rs = append(rs, res{T, op, st, pos})
	}
	var fs []plots.Field
	var os []plots.PanelOptions
	var panelRes []res
	for _, r := range rs {
		if !slices.Contains(panelTs, r.T) {
			continue
		}
		panelRes = append(panelRes, r)
		fs = append(fs, plots.FieldOf(r.op.Grid.Crop(r.st.Phi, wellWindow)))
		os = append(os, plots.PanelOptions{Title: "Φ at T = " + g3(r.T), Markers: []plots.Markers{
			{Label: "minima of f", Points: points(r.st.MinimaLoss)}, {Label: "minima of Φ", Points: points(r.st.MinimaPhi)}}})
	}
	os[0].ColourLabel, os[0].Min, os[0].Max, os[0].Levels = "Φ", 0, 2, wellLevels
	fig, err := plots.FieldPanels(fs, os)
	if err != nil {
		return Section{}, "", err
	}
	const panels = "s3-state-dependent-phi.png"
	if err := g.save(fig, panels, 24, 6.4); err != nil {
		return Section{}, "", err
	}
	fx := 1.0
	if ml := rs[0].st.MinimaLoss; len(ml) > 0 {
		fx = math.Abs(ml[0].X[0])
	}
	tab := &plots.Table{Header: []string{"temperature", "x", "minimum of"}}
	for _, r := range rs {
		if !math.IsNaN(r.pos) {
			tab.Rows = append(tab.Rows, []string{g3(r.T), strconv.FormatFloat(r.pos, 'g', 6, 64), "Φ"})
		}
		tab.Rows = append(tab.Rows, []string{g3(r.T), strconv.FormatFloat(fx, 'g', 6, 64), "f"})
	}
	curve, _, err := plots.SweepCurves(tab, plots.SweepOptions{X: "temperature", Y: "x", Hue: "minimum of",
		YLabel: "x of the right-hand minimum"})
	if err != nil {
		return Section{}, "", err
	}
	const curveFile = "s3-minima-against-T.png"
	if err := g.save(curve, curveFile, 13, 7.5); err != nil {
		return Section{}, "", err
	}
	var facts, moves []string
	facts = append(facts, "grid "+gridDesc(rs[0].op.Grid))
	for _, r := range panelRes {
		facts = append(facts, fmt.Sprintf("T = %s: minima of Φ %s; Π = %s", g3(r.T), fmtPoints(r.st.MinimaPhi), g3(r.st.EntropyProduction)))
		moves = append(moves, fixed(r.pos, 3)+" at T = "+g3(r.T))
	}
	first, last := panelRes[0], panelRes[len(panelRes)-1]
	var lx, ly []float64
	for _, r := range rs {
		if r.T <= 0.3+1e-12 && !math.IsNaN(r.pos) {
			lx, ly = append(lx, r.T), append(ly, r.pos)
		}
	}
	c0, c1 := fitLine(lx, ly)
	facts = append(facts, fmt.Sprintf("line through the minima for T ≤ 0.3: x = %s %s %s T", fixed(c0, 4), sign(c1), fixed(math.Abs(c1), 4)))
	sec := Section{
		ID: "state-dependent", Title: "3. State-dependent noise: the minima of Φ move as T grows",
		Text: []string{
			"The same double well, now with noise that grows away from the origin, D = [[1 + 0.5x², 0.3], [0.3, 1 + 0.5y²]], as the variance of mini-batch gradients grows away from a minimum.",
			"Where the noise is stronger the walker is kicked harder and spends less time, so the density leaks out of the noisy outer flanks of each well and piles up towards the quieter middle: the minima of Φ (crosses) drift away from those of f (discs) towards the barrier.",
			fmt.Sprintf("The effect grows with the temperature: the right-hand minimum of Φ sits at x = %s, while f's stays at x = %s.", strings.Join(moves, ", "), fixed(fx, 3)),
			fmt.Sprintf("At small T the shift is close to linear in T, as Chaudhari & Soatto predict: a line through the runs with T ≤ 0.3 gives x ≈ %s %s %s T. SGD at a larger learning rate or a smaller batch (a higher T) therefore settles somewhere that is not a minimum of the loss it is trained on.", fixed(c0, 3), sign(c1), fixed(math.Abs(c1), 3)),
			fmt.Sprintf("A current circulates here too (Π = %s at T = %s, %s at T = %s).", g3(first.st.EntropyProduction), g3(first.T), g3(last.st.EntropyProduction), g3(last.T)),
		},
		Facts: facts,
		Figures: []Figure{
			{File: panels, Alt: "Phi of the state-dependent double well at three temperatures with the minima of f and Phi",
				Caption: "Φ at T = 0.1, 0.3 and 0.5 on one colour scale (values above 2 in the top colour), minima of f and of Φ marked."},
			{File: curveFile, Alt: "x of the right minimum of Phi against T, against that of f", Small: true,
				Caption: "x of the right-hand minimum of Φ against T, and that of f."},
		},
	}
	return sec, fmt.Sprintf("right minimum of Phi at x = %s", strings.Join(moves, ", ")), nil
}

// Scenario 4: the paper's Fig. 4 (Example 19).
func paperFig4(ctx context.Context, s Settings, g *figures) (Section, string, error) {
	const T = 1
	lambdas := []float64{0, 0.5, 1.5}
	sec := Section{ID: "paper-fig4", Title: "4. The paper's Fig. 4: a drift that rotates, over the same Φ"}
	var summary []string
	var facts []string
	var Ls, bAtMin []string
	for _, lam := range lambdas {
		m, err := potentials.New("paper-fig4", map[string]float64{"lambda": lam})
		if err != nil {
			return Section{}, "", err
		}
		op, st, err := solve(ctx, m, T, s.Grid)
		if err != nil {
			return Section{}, "", fmt.Errorf("lambda = %g: %w", lam, err)
		}
		gr := op.Grid
		// The drift b is the model's input, evaluated at the nodes.
		b := plots.VectorField{X: gr.Axis(0), Y: gr.Axis(1), U: make([]float64, gr.Len()), V: make([]float64, gr.Len())}
		xy := make([]float64, 2)
		for i := range b.U {
			gr.Point(xy, i)
			b.U[i], b.V[i] = m.Drift2(xy[0], xy[1])
		}
		phi := plots.Field{Xs: b.X, Ys: b.Y, Zs: st.Phi}
		fig, _, err := plots.StreamPlot(b, plots.StreamPlotOptions{
			StreamOptions: plots.StreamOptions{Sep: 0.2},
			Title:         "drift b over Φ, λ = " + g3(lam),
			SpeedLabel:    "speed |b|",
			ColourLabel:   "Φ",
			Background:    phi.CapAt(3.6),
			Levels:        []float64{0.05, 0.15, 0.25, 0.5, 1, 1.5, 2, 3},
			Markers:       []plots.Markers{{Label: "minima of Φ", Points: points(st.MinimaPhi)}},
		})
		if err != nil {
			return Section{}, "", err
		}
		file := "s4-paper-fig4-lambda-" + strconv.FormatFloat(lam, 'f', -1, 64) + ".png"
		if err := g.save(fig, file, 12, 9); err != nil {
			return Section{}, "", err
		}
		L := st.AngularMomentum
		exact := ""
		if v, ok := m.AngularMomentum(T); ok {
			exact = " (closed form " + g3(v) + ")"
		}
		Ls = append(Ls, fmt.Sprintf("L = %s at λ = %s", g3(L), g3(lam)))
		if len(st.MinimaPhi) > 0 && lam != 0 {
			q := st.MinimaPhi[0].X
			bx, by := m.Drift2(q[0], q[1])
			bAtMin = append(bAtMin, fmt.Sprintf("|b| = %s at λ = %s", g3(math.Hypot(bx, by)), g3(lam)))
		}
		facts = append(facts, fmt.Sprintf("λ = %s: minima of Φ %s; Π = %s; L = %s%s", g3(lam), fmtPoints(st.MinimaPhi), g3(st.EntropyProduction), g3(L), exact))
		summary = append(summary, fmt.Sprintf("L(%s) = %s", g3(lam), g3(L)))
		sec.Figures = append(sec.Figures, Figure{File: file, Small: true,
			Alt:     "streamlines of the drift over the contours of Phi, lambda = " + g3(lam),
			Caption: "λ = " + g3(lam) + ": streamlines of b, width proportional to |b|, over the contours of Φ; minima of Φ marked."})
	}
	facts = append([]string{fmt.Sprintf("T = %d; grid of %d x %d nodes on [-2.5, 2.5]²", T, s.Grid, s.Grid)}, facts...)
	sec.Facts = facts
	sec.Text = []string{
		"Example 19 of Chaudhari & Soatto: the drift b = −∇Φ₀ + λ exp(Φ₀ − r⁴/4) (−y, x) with Φ₀ = (x² − 1)²/4 + y²/2 and D = I, at T = 1. The drift is the model's input, drawn straight from its formula; Φ is solved on the grid.",
		"The rotational term adds a current J = λ exp(−r⁴/4) (−y, x)/Z that has no divergence, so it leaves the steady state alone: for every λ the density is exp(−Φ₀)/Z, and the contours and minima of Φ are the same in all three panels.",
		"What changes is the motion: at λ = 0 the streamlines run straight down into the two wells, at λ = 0.5 they swirl around them, and at λ = 1.5 the swirl dominates. For λ > 0 the drift does not even vanish at the minima of Φ (" + strings.Join(bAtMin, ", ") + "): the walker is pushed through the places where it spends most of its time.",
		"The circulation shows in the angular momentum of the current, " + strings.Join(Ls, ", ") + ", which grows in proportion to λ while the density stays put.",
		"So the drift alone does not tell where SGD spends its time; the potential Φ does, and the two can look completely different.",
	}
	return sec, strings.Join(summary, ", "), nil
}

// Scenario 5: the free energy of an evolving density.
func freeEnergy(ctx context.Context, s Settings, g *figures) (Section, string, error) {
	const T = 0.5
	op, st, err := steady(ctx, "double-well", nil, T, s.EvolveGrid)
	if err != nil {
		return Section{}, "", err
	}
	gr := op.Grid
	vol := gr.CellVolume()
	pss := make([]float64, len(st.Rho))
	for i, r := range st.Rho {
		pss[i] = r * vol
	}
	centre := []float64{0.4, 0.9}
	const width = 0.3
	p0, err := fokkerplanck.GaussianDensity(gr, centre, width)
	if err != nil {
		return Section{}, "", err
	}
	every := max(1, int(math.Round(0.5/s.EvolveDt)))
	ev, err := op.Evolve(ctx, p0, pss, fokkerplanck.EvolveOptions{Dt: s.EvolveDt, Steps: s.EvolveSteps, Every: every})
	if err != nil {
		return Section{}, "", err
	}
	ts, Fs := make([]float64, len(ev.Frames)), make([]float64, len(ev.Frames))
	for i, fr := range ev.Frames {
		ts[i], Fs[i] = fr.Time, fr.FreeEnergy
	}
	// Snapshots at about t = 0, 0.5, 2 and the end.
	want := []float64{0, 0.5, 2, ts[len(ts)-1]}
	var snaps []int
	for _, tw := range want {
		best := 0
		for k, step := range ev.SnapshotSteps {
			if math.Abs(float64(step)*s.EvolveDt-tw) < math.Abs(float64(ev.SnapshotSteps[best])*s.EvolveDt-tw) {
				best = k
			}
		}
		if !slices.Contains(snaps, best) {
			snaps = append(snaps, best)
		}
	}
	var marks []float64
	var fs []plots.Field
	var os []plots.PanelOptions
	hi := 0.0
	for _, k := range snaps {
		t := float64(ev.SnapshotSteps[k]) * s.EvolveDt
		marks = append(marks, t)
		f := plots.FieldOf(gr.Crop(ev.Snapshots[k], wellWindow))
		fs = append(fs, f)
		os = append(os, plots.PanelOptions{Title: "ρ at t = " + g3(t)})
		if k != snaps[0] {
			for _, v := range f.Zs {
				hi = max(hi, v)
			}
		}
	}
	os[0].ColourLabel, os[0].Min, os[0].Max = "ρ", 0, hi
	snapFig, err := plots.FieldPanels(fs, os)
	if err != nil {
		return Section{}, "", err
	}
	const snapFile = "s5-density-snapshots.png"
	if err := g.save(snapFig, snapFile, 26, 5.6); err != nil {
		return Section{}, "", err
	}
	curve, err := plots.FreeEnergyCurve(ts, Fs, plots.FreeEnergyOptions{LogY: true, Marks: marks, MarksLabel: "snapshots",
		YLabel: "free energy F = T KL(ρ‖ρss)"})
	if err != nil {
		return Section{}, "", err
	}
	const curveFile = "s5-free-energy.png"
	if err := g.save(curve, curveFile, 14, 8); err != nil {
		return Section{}, "", err
	}
	// The decay rate from the middle of the curve, where F falls
	// exponentially, for the text.
	F0, Fend := Fs[0], Fs[len(Fs)-1]
	monotone := true
	for i := 1; i < len(Fs); i++ {
		if Fs[i] > Fs[i-1]*(1+1e-9)+1e-300 {
			monotone = false
		}
	}
	tHalf := math.NaN()
	for i, v := range Fs {
		if v <= F0*1e-3 {
			tHalf = ts[i]
			break
		}
	}
	// The rate of the exponential tail: a least-squares line through
	// log F over the second half of the run.
	var lx, ly []float64
	for i := len(Fs) / 2; i < len(Fs); i++ {
		if Fs[i] > 0 {
			lx, ly = append(lx, ts[i]), append(ly, math.Log(Fs[i]))
		}
	}
	_, slope := fitLine(lx, ly)
	fall := "it never rose from one step to the next"
	if !monotone {
		fall = "it rose at some step (a solver tolerance effect)"
	}
	sec := Section{
		ID: "free-energy", Title: "5. The free energy falls to its minimum",
		Text: []string{
			fmt.Sprintf("The state-dependent double well of scenario 3 at T = %s, started from a narrow Gaussian at (%g, %g) of width %g and evolved by the Fokker–Planck equation (implicit steps of Δt = %g).", g3(T), centre[0], centre[1], width, s.EvolveDt),
			"The free energy F = T KL(ρ‖ρss) measures how far the density still is from its steady state ρss; it is zero only at ρss.",
			fmt.Sprintf("It fell from %s to %s over t = %s, and %s: F is a Lyapunov function of the Fokker–Planck flow, and up to a constant it is the functional E_ρ[Φ] − T H(ρ) that SGD minimises, the sense in which Chaudhari & Soatto say SGD performs variational inference.", g3(F0), g3(Fend), g3(ts[len(ts)-1]), fall),
			fmt.Sprintf("F drops a thousandfold by t = %s while the fast modes die out; then the log plot is a straight line, F ∝ exp(−%s t), set by the slowest relaxation of the density (F is quadratic in the distance from ρss, so its rate is twice that of ρ).", g3(tHalf), g3(-slope)),
			"Note that the minimum is the non-equilibrium steady state ρss ∝ exp(−Φ/T) of scenario 3, not the Gibbs density exp(−f/T).",
		},
		Facts: []string{
			"grid " + gridDesc(gr),
			fmt.Sprintf("%d steps of Δt = %g; %d Krylov iterations", s.EvolveSteps, s.EvolveDt, ev.Iterations),
			fmt.Sprintf("F(0) = %s, F(%s) = %s; tail rate %s", g3(F0), g3(ts[len(ts)-1]), g3(Fend), g3(-slope)),
		},
		Figures: []Figure{
			{File: curveFile, Alt: "free energy against time on a log axis", Small: true,
				Caption: "F(t) on a log axis; the dots are the times of the snapshots."},
			{File: snapFile, Alt: "density snapshots of the evolution",
				Caption: "ρ at the marked times, on one colour scale (the initial peak is above it and drawn in the top colour)."},
		},
	}
	return sec, fmt.Sprintf("F from %s to %s over t = %s", g3(F0), g3(Fend), g3(ts[len(ts)-1])), nil
}
