package gallery

// Scenario 6: a parameter sweep of the Brownian gyrator's steady state,
// run through packages sweep and experiment into sweep/ under the gallery,
// with the files and bytes of 'sgdsde sweep steady', and its curves drawn
// from the results table.

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/plots"
	"github.com/sgdsde/sgdsde/sweep"
)

// steadySweep is a sweep of the steady state of a built-in landscape on a
// square grid over a grid of parameter values, recorded as the command
// line 'sgdsde sweep steady --landscape L --grid N --vary A --vary B ...'
// records it: the same sweep.json, point.json and results.csv.
type steadySweep struct {
	landscape string
	grid      int      // nodes per axis
	vary      []string // the axes NAME=SPEC (sweep.ParseVary)
}

// flagAxes are the axes that are flags of 'sgdsde steady'; any other axis
// is a parameter of the landscape (its --set).
var flagAxes = map[string]bool{"temperature": true, "tol": true}

// definition returns the sweep's definition, that of the command line.
func (w steadySweep) definition() (sweep.Definition, error) {
	def := sweep.Definition{Command: "steady", Args: []string{"--landscape", w.landscape, "--grid", strconv.Itoa(w.grid)},
		Summary: "summary.json"}
	for _, s := range w.vary {
		v, err := sweep.ParseVary(s)
		if err != nil {
			return sweep.Definition{}, err
		}
		// Every axis here takes real numbers: the temperature and the
		// tolerance are float flags, the others landscape parameters.
		vals, err := v.Values(sweep.Real)
		if err != nil {
			return sweep.Definition{}, err
		}
		def.Vary = append(def.Vary, sweep.Axis{Name: v.Name, Spec: v.Spec, Values: vals})
	}
	if err := def.Vary.Check(); err != nil {
		return sweep.Definition{}, err
	}
	def.Points = def.Vary.Len()
	return def, nil
}

// pointArgs is the command line recorded for a point with values, written
// into dir: the definition's arguments, a flag or a --set per axis, and
// --out.
func pointArgs(def sweep.Definition, values []string, dir string) []string {
	args := append([]string{}, def.Args...)
	for k, ax := range def.Vary {
		if flagAxes[ax.Name] {
			args = append(args, "--"+ax.Name+"="+values[k])
		} else {
			args = append(args, "--set="+ax.Name+"="+values[k])
		}
	}
	return append(args, "--out="+dir)
}

// run runs the sweep into dir, one point at a time, through
// experiment.SweepSpec, writes dir/results.csv and returns its table. A
// point that fails is recorded as failed (s.SweepRecord), and the sweep
// goes on.
func (w steadySweep) run(ctx context.Context, dir string, s Settings) (*plots.Table, error) {
	def, err := w.definition()
	if err != nil {
		return nil, err
	}
	sw := &experiment.SweepSpec{
		Template: &experiment.SteadySpec{
			Model: experiment.ModelSpec{Landscape: w.landscape},
			Grid:  experiment.GridSpec{Nodes: []int{w.grid, w.grid}},
		},
		Vary:    def.Vary,
		Version: s.Version,
	}
	d, err := sweep.Create(dir, def)
	if err != nil {
		return nil, err
	}
	record := func(ctx context.Context, p *experiment.SweepPoint) sweep.Outcome {
		out := p.Outcome()
		out.Args = pointArgs(def, p.Values, p.Dir)
		if s.SweepRecord != nil {
			out = s.SweepRecord(ctx, p, out)
		}
		return out
	}
	if _, err := sw.Run(ctx, d, sweep.Options{Workers: 1}, record); err != nil {
		return nil, err
	}
	if _, err := sweep.WriteResults([]*sweep.Dir{d}, dir); err != nil {
		return nil, err
	}
	header, rows, _, err := sweep.Table([]*sweep.Dir{d})
	if err != nil {
		return nil, err
	}
	return &plots.Table{Header: header, Rows: rows}, nil
}

// checkConverged returns an error naming the first point of a sweep's
// results table that failed or whose steady state is not marked converged:
// the gallery draws no such point as data.
func checkConverged(t *plots.Table) error {
	status, msg, conv, point := t.Column("status"), t.Column("error"), t.Column("converged"), t.Column("point")
	if status < 0 || conv < 0 || point < 0 {
		return fmt.Errorf("sweep results lack the columns point, status and converged (header %s)", strings.Join(t.Header, ","))
	}
	for _, r := range t.Rows {
		var vals []string
		for j := point + 1; j < status; j++ {
			vals = append(vals, t.Header[j]+"="+r[j])
		}
		where := "sweep point " + r[point] + " (" + strings.Join(vals, " ") + ")"
		switch {
		case r[status] != sweep.StatusOK:
			e := "no error recorded"
			if msg >= 0 && r[msg] != "" {
				e = r[msg]
			}
			return fmt.Errorf("%s failed: %s", where, e)
		case r[conv] != "true":
			return fmt.Errorf("%s: converged is %q, not true", where, r[conv])
		}
	}
	return nil
}

// number parses a number of the results table (NaN if it is none).
func number(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// parameterSweep is scenario 6: a parameter sweep of the Brownian gyrator
// into sweep/ under the gallery, and its curves drawn from the results.
func parameterSweep(ctx context.Context, s Settings, g *figures) (Section, string, error) {
	dir := filepath.Join(g.dir, "sweep")
	// A gallery rewritten with other sizes must not meet the old sweep.
	if err := os.RemoveAll(dir); err != nil {
		return Section{}, "", err
	}
	w := steadySweep{landscape: "gyrator", grid: s.Grid / 2, vary: []string{"temperature=0.1:0.8:8", "d12=0,0.3,0.6,0.9"}}
	t, err := w.run(ctx, dir, s)
	if err != nil {
		return Section{}, "", err
	}
	if err := checkConverged(t); err != nil {
		return Section{}, "", err
	}
	figT, _, err := plots.SweepCurves(t, plots.SweepOptions{X: "temperature", Y: "entropy_production", Hue: "d12",
		Title: "entropy production against T"})
	if err != nil {
		return Section{}, "", err
	}
	figD, _, err := plots.SweepCurves(t, plots.SweepOptions{X: "d12", Y: "entropy_production", Hue: "temperature",
		Title: "entropy production against the anisotropy D12"})
	if err != nil {
		return Section{}, "", err
	}
	const fileT, fileD = "s6-sweep-pi-against-T.png", "s6-sweep-pi-against-d12.png"
	if err := g.save(figT, fileT, 13, 9); err != nil {
		return Section{}, "", err
	}
	if err := g.save(figD, fileD, 13, 9); err != nil {
		return Section{}, "", err
	}
	// Pi at T = 0.5 for each D12, from the rows whose temperature is 0.5.
	const factT = 0.5
	ti, di, pj := t.Column("temperature"), t.Column("d12"), t.Column("entropy_production")
	var facts, summary []string
	for _, r := range t.Rows {
		if number(r[ti]) == factT {
			pi := g3(number(r[pj]))
			facts = append(facts, "T = "+g3(factT)+", D12 = "+r[di]+": Π = "+pi)
			summary = append(summary, "D12 = "+r[di]+": Pi = "+pi)
		}
	}
	grid := strconv.Itoa(w.grid)
	sec := Section{
		ID: "sweep", Title: "6. A parameter sweep: how much circulates, against T and against the anisotropy",
		Text: []string{
			"The Brownian gyrator of scenario 2 solved for 8 temperatures and 4 off-diagonal entries D12 of the noise: 32 steady states, run by 'sgdsde sweep steady --vary temperature=0.1:0.8:8 --vary d12=0,0.3,0.6,0.9' into sweep/, whose results.csv holds one row per point.",
			"For a linear drift the steady covariance grows in proportion to T while the force j = M x does not change, so the entropy production Π = tr(Mᵀ D⁻¹ M Σ)/T is the same at every temperature: the curves against T are flat (at the lowest temperatures the narrow density is resolved by fewer grid cells).",
			"Against the anisotropy the picture is the opposite: with D12 = 0 the noise commutes with the Hessian A = diag(1, 4), detailed balance holds and Π = 0; Π grows steeply as D12 approaches 1, where D becomes singular.",
			"The same sweep can be sharded over a cluster (--shard), resumed after a crash, and redrawn with 'sgdsde plot sweep'.",
		},
		Facts: append([]string{"grid " + grid + " nodes along x; 32 points"}, facts...),
		Figures: []Figure{
			{File: fileT, Alt: "entropy production against temperature for four anisotropies", Small: true,
				Caption: "Π against T, one curve per D12: flat, as for every linear drift."},
			{File: fileD, Alt: "entropy production against the anisotropy for eight temperatures", Small: true,
				Caption: "Π against D12, one curve per T: zero at D12 = 0 (detailed balance), growing with the anisotropy."},
		},
	}
	return sec, "T = " + g3(factT) + ", " + strings.Join(summary, "; "), nil
}
