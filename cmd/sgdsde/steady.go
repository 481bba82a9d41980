package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/internal/output"
)

// defaultSteadyOut is the default --out of 'sgdsde steady'.
const defaultSteadyOut = "out/steady"

// steadyFieldFiles are the grid field files 'sgdsde steady' may write, in
// the order of summary.json's files list.
var steadyFieldFiles = []string{
	"x.npy", "y.npy", "loss.npy", "rho.npy", "phi.npy",
	"current_x.npy", "current_y.npy", "force_x.npy", "force_y.npy",
}

// steadySummary is summary.json of 'sgdsde steady': the inputs, then the
// results under the names of DESIGN.md.
type steadySummary struct {
	Command string `json:"command"`
	Version string `json:"version"`
	modelInfo
	temperatureInfo
	gridInfo

	Mass            float64 `json:"mass"`
	MinRho          float64 `json:"min_rho"`
	Residual        float64 `json:"residual"`
	Iterations      int     `json:"iterations"`
	SolveSeconds    float64 `json:"solve_seconds"`
	AssembleSeconds float64 `json:"assemble_seconds"`

	EntropyProduction float64 `json:"entropy_production"`
	// AngularMomentum is set in 2-D only.
	AngularMomentum *float64 `json:"angular_momentum,omitempty"`
	// MaxAbsPhiMinusLoss is set only for a model with a loss.
	MaxAbsPhiMinusLoss *float64 `json:"max_abs_phi_minus_loss,omitempty"`
	// MinimaLoss is set only for a model with a loss.
	MinimaLoss      *[]fokkerplanck.Minimum `json:"minima_loss,omitempty"`
	MinimaPhi       []fokkerplanck.Minimum  `json:"minima_phi"`
	DivForce        fokkerplanck.Spread     `json:"div_force"`
	ForceDotGradPhi fokkerplanck.Spread     `json:"force_dot_grad_phi"`
	WallRho         float64                 `json:"wall_rho"`
	UnderflowNodes  int                     `json:"underflow_nodes"`
	RegionFraction  float64                 `json:"region_fraction"`
	Files           []string                `json:"files"`
}

// newSteadyCmd builds 'sgdsde steady'.
func newSteadyCmd(a *app) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "steady",
		Short: "Steady state of the Fokker–Planck equation on a grid: rho, Phi, current, force, entropy production",
		Long: `Solve the steady Fokker–Planck equation 0 = -div J, J = b rho - T div(D rho), on a grid over a box
(zero-flux walls, or periodic) and derive the potential Phi = -T log rho (min 0), the current J and the
force j = J / rho (Chaudhari & Soatto, eq. 8). Reports the entropy production Pi (0 iff detailed balance),
the angular momentum L (2-D), max |Phi - f| up to a constant (Phi = f only in equilibrium), the minima of
f and Phi, and div j and j . grad Phi (Assumption 4 asks both to vanish), over the region where
rho > 1e-6 max rho. Needs D positive definite on the whole grid.
Writes into --out: summary.json (inputs and results) and the fields as .npy arrays of shape (ny, nx)
(1-D: (nx,)): x, y, loss, rho, phi (NaN where rho underflows to 0), current_x, current_y, force_x, force_y.`,
		Example: `  sgdsde steady --landscape gyrator
  sgdsde steady --landscape double-well --set noise=0 --grid 128
  sgdsde steady --loss "(x^2-1)^2/4" --dim 1 --diffusion "1 + x^2/2" --out out/steady1d`,
		Args: noArgs,
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	mf := addModelFlags(fs)
	tf := addTemperatureFlags(fs)
	gf := addGridFlags(fs)
	fs.StringVar(&out, "out", defaultSteadyOut, "output `directory` (created after a successful run; existing files of the same names are replaced)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return runSteady(cmd, a, mf, tf, gf, out)
	}
	return cmd
}

// runSteady validates everything, solves and writes the outputs.
func runSteady(cmd *cobra.Command, a *app, mf *modelFlags, tf *temperatureFlags, gf *gridFlags, out string) error {
	// Validation, before any work and before --out is touched.
	scheme, err := gf.validate()
	if err != nil {
		return err
	}
	tinfo, err := tf.resolve()
	if err != nil {
		return err
	}
	model, minfo, err := mf.build(tinfo.Temperature)
	if err != nil {
		return err
	}
	g, ginfo, err := gf.build(model)
	if err != nil {
		return err
	}
	if err := checkOutDir(out); err != nil {
		return err
	}

	ctx := cmd.Context()
	op, assembleSeconds, err := assemble(ctx, model, tinfo.Temperature, g, scheme, "steady", out)
	if err != nil {
		return err
	}
	st, err := op.SteadyState(ctx, fokkerplanck.SteadyOptions{Tol: gf.tol})
	if err != nil {
		return steadyFailure(ctx.Err(), err, "steady", out)
	}

	sum := steadySummary{
		Command:           "steady",
		Version:           version,
		modelInfo:         minfo,
		temperatureInfo:   tinfo,
		gridInfo:          ginfo,
		Mass:              st.Mass,
		MinRho:            st.MinRho,
		Residual:          st.Residual,
		Iterations:        st.Iterations,
		SolveSeconds:      st.SolveSeconds,
		AssembleSeconds:   assembleSeconds,
		EntropyProduction: st.EntropyProduction,
		MinimaPhi:         nonNil(st.MinimaPhi),
		DivForce:          st.DivForce,
		ForceDotGradPhi:   st.ForceDotGradPhi,
		WallRho:           st.WallRho,
		UnderflowNodes:    st.Underflow,
		RegionFraction:    fokkerplanck.RegionFraction,
	}
	if g.Dim == 2 {
		L := st.AngularMomentum
		sum.AngularMomentum = &L
	}
	if st.Loss != nil {
		if d := st.MaxAbsPhiMinusLoss; !math.IsNaN(d) && !math.IsInf(d, 0) {
			sum.MaxAbsPhiMinusLoss = &d
		}
		ml := nonNil(st.MinimaLoss)
		sum.MinimaLoss = &ml
	}
	if err := writeSteady(out, g, st, &sum); err != nil {
		return err
	}
	warnWallRho(a, st.WallRho)
	printSteady(a.stdout, &sum, g, out)
	return nil
}

// steadyFailure turns an error of a steady-state solve into a run failure.
func steadyFailure(ctxErr, err error, command, out string) error {
	if ctxErr != nil && errors.Is(err, ctxErr) {
		return failureErrorf("%s interrupted (%v); nothing was written to %s", command, ctxErr, out)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "steady state") {
		msg = "steady state: " + msg
	}
	return failureErrorf("%s: %s; a finer --grid, a higher --temperature or a looser --tol may help", command, msg)
}

// warnWallRho warns when the density at the walls is not negligible.
func warnWallRho(a *app, wallRho float64) {
	if wallRho > fokkerplanck.RegionFraction {
		a.warnf("rho at the walls reaches %.3g of its maximum: the box cuts off density; widen --box", wallRho)
	}
}

// nonNil returns m, or an empty list for nil so that JSON has [] not null.
func nonNil(m []fokkerplanck.Minimum) []fokkerplanck.Minimum {
	if m == nil {
		return []fokkerplanck.Minimum{}
	}
	return m
}

// gridShape is the shape of a grid field: (ny, nx), or (nx,) in 1-D.
func gridShape(g *fokkerplanck.Grid) []int {
	if g.Dim == 1 {
		return []int{g.N[0]}
	}
	return []int{g.N[1], g.N[0]}
}

// writeSteady writes the fields and, last, summary.json into dir, each
// atomically. Field files of an earlier run that this run does not produce
// (y.npy of a 2-D run in a 1-D run, loss.npy without a loss) are removed so
// that the directory describes one run.
func writeSteady(dir string, g *fokkerplanck.Grid, st *fokkerplanck.Steady, sum *steadySummary) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return failureErrorf("cannot create --out directory: %v", err)
	}
	shape := gridShape(g)
	fields := map[string][]float64{
		"rho.npy":       st.Rho,
		"phi.npy":       st.Phi,
		"current_x.npy": st.CurrentX,
		"force_x.npy":   st.ForceX,
	}
	if st.Loss != nil {
		fields["loss.npy"] = st.Loss
	}
	if g.Dim == 2 {
		fields["current_y.npy"] = st.CurrentY
		fields["force_y.npy"] = st.ForceY
	}
	axes := map[string][]float64{"x.npy": g.Axis(0)}
	if g.Dim == 2 {
		axes["y.npy"] = g.Axis(1)
	}
	files, err := writeFields(dir, steadyFieldFiles, axes, fields, shape)
	if err != nil {
		return err
	}
	sum.Files = append([]string{"summary.json"}, files...)
	if err := output.WriteJSON(filepath.Join(dir, "summary.json"), sum); err != nil {
		return failureErrorf("%v", err)
	}
	return nil
}

// writeFields writes, in the order of names, each name found in axes (a
// 1-D array) or in fields (an array of the given shape), and removes the
// names found in neither. It returns the names written.
func writeFields(dir string, names []string, axes, fields map[string][]float64, shape []int) ([]string, error) {
	var written []string
	for _, name := range names {
		path := filepath.Join(dir, name)
		var err error
		if v, ok := axes[name]; ok {
			err = output.WriteNPY(path, v)
		} else if v, ok := fields[name]; ok {
			err = output.WriteNPY(path, v, shape...)
		} else {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, failureErrorf("remove stale %s: %v", path, err)
			}
			continue
		}
		if err != nil {
			return nil, failureErrorf("%v", err)
		}
		written = append(written, name)
	}
	return written, nil
}

// printSteady writes the human summary of a steady state to w.
func printSteady(w io.Writer, s *steadySummary, g *fokkerplanck.Grid, dir string) {
	fmt.Fprintf(w, "model              %s (%d-D), drift %s, T = %.6g (%s)\n", s.Name, s.Dim, s.DriftKind, s.Temperature, temperatureSource(s.temperatureInfo))
	fmt.Fprintf(w, "grid               %s, %s, scheme %s\n", g, boundaryName(s.Periodic), s.Scheme)
	fmt.Fprintf(w, "solve              residual %.2g (tol %g), %d iterations, %.3g s (assembly %.3g s)\n",
		s.Residual, s.Tol, s.Iterations, s.SolveSeconds, s.AssembleSeconds)
	fmt.Fprintf(w, "mass               %.12g, min rho %.3g, %d nodes underflow\n", s.Mass, s.MinRho, s.UnderflowNodes)
	fmt.Fprintf(w, "entropy production Pi = %.6g\n", s.EntropyProduction)
	if s.AngularMomentum != nil {
		fmt.Fprintf(w, "angular momentum   L = %.6g\n", *s.AngularMomentum)
	}
	if s.MaxAbsPhiMinusLoss != nil {
		fmt.Fprintf(w, "max|Phi - f|       %.4g (up to a constant, where rho > %g max rho)\n", *s.MaxAbsPhiMinusLoss, s.RegionFraction)
	}
	if s.MinimaLoss != nil {
		fmt.Fprintf(w, "minima of f        %s\n", minimaList(*s.MinimaLoss))
	}
	fmt.Fprintf(w, "minima of Phi      %s\n", minimaList(s.MinimaPhi))
	fmt.Fprintf(w, "output             %s (%s)\n", dir, strings.Join(s.Files, ", "))
}

// minimaList formats minima as "(x, y) value; ...", at most 6 of them.
func minimaList(ms []fokkerplanck.Minimum) string {
	if len(ms) == 0 {
		return "none in the interior"
	}
	const show = 6
	parts := make([]string, 0, show+1)
	for i, m := range ms {
		if i == show {
			parts = append(parts, fmt.Sprintf("... (%d in all)", len(ms)))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %.4g", vec(m.X), m.Value))
	}
	return strings.Join(parts, "; ")
}
