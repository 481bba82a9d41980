package experiment

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/internal/datafile"
	"github.com/sgdsde/sgdsde/potentials"
)

// steadyFieldFiles are the grid field files of a steady state, in the
// order of summary.json's files list.
var steadyFieldFiles = []string{
	"x.npy", "y.npy", "loss.npy", "rho.npy", "phi.npy",
	"current_x.npy", "current_y.npy", "force_x.npy", "force_y.npy",
}

// SteadySummary is summary.json of a steady state: the inputs, then the
// results under the names listed in the README.
type SteadySummary struct {
	Command string `json:"command"`
	// Version is the writer's version; the caller sets it.
	Version string `json:"version"`
	ModelInfo
	TemperatureInfo
	GridInfo

	Mass   float64 `json:"mass"`
	MinRho float64 `json:"min_rho"`
	// Converged is always true: a solve that does not reach the tolerance
	// is an error.
	Converged bool `json:"converged"`
	// RelativeResidual is ||L p||_1 / sum_i |L_ii| p_i, the probability
	// flux out of balance as a fraction of the total flux out of the nodes:
	// the quantity GridSpec.Tol bounds. Residual is ||L p||_1 itself
	// (1/time) for the node probabilities p (sum 1).
	RelativeResidual float64 `json:"relative_residual"`
	Residual         float64 `json:"residual"`
	// CellPeclet is the largest cell Peclet number where rho > 1e-6 max
	// rho: above fokkerplanck.PecletLimit the grid does not resolve the
	// drift.
	CellPeclet float64 `json:"cell_peclet"`
	// MaxNodeImbalance is the largest |(L p)_i| / (|L_ii| p_i) over the
	// nodes with rho above 1e-20 of its maximum.
	MaxNodeImbalance float64 `json:"max_node_imbalance"`
	Iterations       int     `json:"iterations"`
	SolveSeconds     float64 `json:"solve_seconds"`
	AssembleSeconds  float64 `json:"assemble_seconds"`

	// EntropyProduction is Pi = (1/T) integral j^T D^-1 j rho dx.
	EntropyProduction float64 `json:"entropy_production"`
	// AngularMomentum is L = integral (x J_y - y J_x) dx, set in 2-D only.
	AngularMomentum *float64 `json:"angular_momentum,omitempty"`
	// MaxAbsPhiMinusLoss is set only for a model with a loss.
	MaxAbsPhiMinusLoss *float64 `json:"max_abs_phi_minus_loss,omitempty"`
	// MinimaLoss is set only for a model with a loss.
	MinimaLoss *[]fokkerplanck.Minimum `json:"minima_loss,omitempty"`
	MinimaPhi  []fokkerplanck.Minimum  `json:"minima_phi"`
	// DivForce and ForceDotGradPhi are max and mean |div j| and
	// |j . grad Phi| on the grid (the paper's Assumption 4 asks both to
	// vanish); DivForceError and ForceDotGradPhiError their two-grid error
	// estimates, and Assumption4 the verdict ("holds", "violated", or
	// Assumption4Undetermined when the coarse grid could not be solved;
	// the errors are then absent). See fokkerplanck.Operator.CheckAssumption4.
	DivForce             fokkerplanck.Spread `json:"div_force"`
	DivForceError        *float64            `json:"div_force_error,omitempty"`
	ForceDotGradPhi      fokkerplanck.Spread `json:"force_dot_grad_phi"`
	ForceDotGradPhiError *float64            `json:"force_dot_grad_phi_error,omitempty"`
	Assumption4          string              `json:"assumption4"`
	Assumption4Check     Assumption4Detail   `json:"assumption4_check"`
	WallRho              float64             `json:"wall_rho"`
	UnderflowNodes       int                 `json:"underflow_nodes"`
	RegionFraction       float64             `json:"region_fraction"`
	Files                []string            `json:"files"`
}

// Assumption4Undetermined is the verdict of an Assumption-4 check whose
// coarse grid could not be solved (besides fokkerplanck.Assumption4Holds
// and fokkerplanck.Assumption4Violated).
const Assumption4Undetermined = "undetermined"

// Assumption4Rule states the rule of the Assumption-4 verdict.
const Assumption4Rule = "a field is zero within the error iff max <= 2 error (error = max |q_h - q_2h| over the coarse nodes, " +
	"about 3 times the fine grid's error for a second-order scheme) or max <= round_off; assumption4 holds iff both fields are zero within the error, " +
	"and is violated only when one exceeds 2 error"

// Assumption4Detail details the Assumption-4 check of a steady state.
type Assumption4Detail struct {
	// DivForce and ForceDotGradPhi are the verdicts on each field: "holds"
	// (zero within the error) or "violated"; empty when undetermined.
	DivForce        string `json:"div_force,omitempty"`
	ForceDotGradPhi string `json:"force_dot_grad_phi,omitempty"`
	// DivForceRoundOff and ForceDotGradPhiRoundOff are the round-off floors
	// below which a field holds whatever its two-grid difference.
	DivForceRoundOff        *float64 `json:"div_force_round_off,omitempty"`
	ForceDotGradPhiRoundOff *float64 `json:"force_dot_grad_phi_round_off,omitempty"`
	// CoarseGrid is the size of the coarse grid (nil when undetermined).
	CoarseGrid []int  `json:"coarse_grid,omitempty"`
	Rule       string `json:"rule"`
	// Note says why the check is undetermined.
	Note string `json:"note,omitempty"`
}

// SteadyRun is the steady state at one temperature: its summary, its grid
// and its fields (Rho, Phi, Loss, the current and the force).
type SteadyRun struct {
	Summary SteadySummary
	Grid    *fokkerplanck.Grid
	Fields  *fokkerplanck.Fields
}

// SteadyListSummary is the top-level summary.json of a temperature list.
type SteadyListSummary struct {
	Command string `json:"command"`
	// Version is the writer's version; the caller sets it.
	Version string `json:"version"`
	ModelInfo
	GridInfo
	// Temperatures are the temperatures in the order given; Dirs their
	// subdirectories (TemperatureDir), each with a single steady state.
	Temperatures []float64 `json:"temperatures"`
	Dirs         []string  `json:"dirs"`
	// MinimaLoss are the minima of f (independent of T; only with a loss).
	MinimaLoss *[]fokkerplanck.Minimum `json:"minima_loss,omitempty"`
	// MinimaPhi follows each minimum of Phi across the temperatures.
	MinimaPhi []MinimumTrack `json:"minima_phi"`
	Files     []string       `json:"files"`
}

// SteadyResult is the result of Steady: one run per temperature and, for
// a temperature list, the summary across them (nil for one temperature).
type SteadyResult struct {
	Runs []*SteadyRun
	List *SteadyListSummary
}

// SetVersion sets the writer's version of every summary of r.
func (r *SteadyResult) SetVersion(v string) {
	for _, run := range r.Runs {
		run.Summary.Version = v
	}
	if r.List != nil {
		r.List.Version = v
	}
}

// nonNilMinima returns m, or an empty list for nil so that JSON has [].
func nonNilMinima(m []fokkerplanck.Minimum) []fokkerplanck.Minimum {
	if m == nil {
		return []fokkerplanck.Minimum{}
	}
	return m
}

// newSteadySummary fills the summary of a steady state of r.
func newSteadySummary(r *gridRun, st *fokkerplanck.Steady, assembleSeconds float64) *SteadySummary {
	sum := &SteadySummary{
		Command: "steady", ModelInfo: r.minfo, TemperatureInfo: r.tinfo, GridInfo: r.ginfo,
		Mass: st.Mass, MinRho: st.MinRho, Converged: st.Converged,
		RelativeResidual: st.Residual, Residual: st.AbsResidual, CellPeclet: st.CellPeclet,
		MaxNodeImbalance: st.NodeImbalance, Iterations: st.Iterations, SolveSeconds: st.SolveSeconds,
		AssembleSeconds: assembleSeconds, EntropyProduction: st.EntropyProduction,
		MinimaPhi: nonNilMinima(st.MinimaPhi), DivForce: st.DivForce, ForceDotGradPhi: st.ForceDotGradPhi,
		WallRho: st.WallRho, UnderflowNodes: st.Underflow, RegionFraction: fokkerplanck.RegionFraction,
	}
	if r.g.Dim == 2 {
		L := st.AngularMomentum
		sum.AngularMomentum = &L
	}
	if st.Loss != nil {
		if d := st.MaxAbsPhiMinusLoss; !math.IsNaN(d) && !math.IsInf(d, 0) {
			sum.MaxAbsPhiMinusLoss = &d
		}
		ml := nonNilMinima(st.MinimaLoss)
		sum.MinimaLoss = &ml
	}
	return sum
}

// setAssumption4 fills the Assumption-4 keys of sum from the check a4, or
// marks them undetermined with note when a4 is nil.
func (sum *SteadySummary) setAssumption4(a4 *fokkerplanck.Assumption4Check, note string) {
	sum.Assumption4Check = Assumption4Detail{Rule: Assumption4Rule}
	if a4 == nil {
		sum.Assumption4, sum.Assumption4Check.Note = Assumption4Undetermined, note
		return
	}
	verdict := func(f fokkerplanck.Assumption4Field) string {
		if f.Holds {
			return fmt.Sprint(fokkerplanck.Assumption4Holds)
		}
		return fmt.Sprint(fokkerplanck.Assumption4Violated)
	}
	de, pe := a4.DivForce.Error, a4.ForceDotGradPhi.Error
	dr, pr := a4.DivForce.RoundOff, a4.ForceDotGradPhi.RoundOff
	sum.DivForceError, sum.ForceDotGradPhiError = &de, &pe
	sum.Assumption4 = fmt.Sprint(a4.Verdict)
	c := &sum.Assumption4Check
	c.DivForce, c.ForceDotGradPhi = verdict(a4.DivForce), verdict(a4.ForceDotGradPhi)
	c.DivForceRoundOff, c.ForceDotGradPhiRoundOff = &dr, &pr
	c.CoarseGrid = append([]int(nil), a4.CoarseGrid[:sum.Dim]...)
}

// steadyFiles lists the files of a steady state of a dim-D model, with or
// without a loss, summary.json first.
func steadyFiles(dim int, loss bool) []string {
	files := []string{"summary.json"}
	for _, name := range steadyFieldFiles {
		if _, ok := steadyFieldOf(nil, dim, loss, name); ok {
			files = append(files, name)
		}
	}
	return files
}

// steadyFieldOf returns the field that file name holds in run r (nil r:
// only whether a dim-D run with or without a loss has it).
func steadyFieldOf(r *SteadyRun, dim int, loss bool, name string) (data []float64, ok bool) {
	var f fokkerplanck.Fields
	if r != nil {
		f = *r.Fields
	}
	switch name {
	case "x.npy":
		if r != nil {
			data = r.Grid.Axis(0)
		}
		return data, true
	case "y.npy":
		if r != nil && dim == 2 {
			data = r.Grid.Axis(1)
		}
		return data, dim == 2
	case "loss.npy":
		return f.Loss, loss
	case "rho.npy":
		return f.Rho, true
	case "phi.npy":
		return f.Phi, true
	case "current_x.npy":
		return f.CurrentX, true
	case "current_y.npy":
		return f.CurrentY, dim == 2
	case "force_x.npy":
		return f.ForceX, true
	case "force_y.npy":
		return f.ForceY, dim == 2
	}
	return nil, false
}

// GridShape is the shape of a field of g in the files: (ny, nx), or (nx,)
// in 1-D.
func GridShape(g *fokkerplanck.Grid) []int {
	if g.Dim == 1 {
		return []int{g.N[0]}
	}
	return []int{g.N[1], g.N[0]}
}

// removeStale removes the file dir/name left by an earlier run, so that a
// directory describes one run.
func removeStale(dir, name string) error {
	path := filepath.Join(dir, name)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove stale %s: %w", path, err)
	}
	return nil
}

// mkdirOut creates the output directory dir.
func mkdirOut(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &DirError{Dir: dir, Err: err}
	}
	return nil
}

// Write writes r into dir: for one temperature the run's files (Write of
// SteadyRun), for a list each run into dir/T_<T> (TemperatureDir) and,
// last, the summary across temperatures into dir/summary.json. Every file
// is written atomically; nothing is written before dir is created.
func (r *SteadyResult) Write(dir string) error {
	if r.List == nil {
		return r.Runs[0].Write(dir)
	}
	for i, run := range r.Runs {
		if err := run.Write(filepath.Join(dir, r.List.Dirs[i])); err != nil {
			return err
		}
	}
	return datafile.WriteJSON(filepath.Join(dir, "summary.json"), r.List)
}

// Write writes the steady state into dir (created if needed): the axes
// x.npy (nx,) and y.npy (ny,), the fields loss, rho, phi, current_x,
// current_y, force_x, force_y as .npy arrays of shape (ny, nx) (1-D:
// (nx,)) and, last, summary.json. Files of an earlier run that this one
// does not have (y.npy in 1-D, loss.npy without a loss) are removed.
func (r *SteadyRun) Write(dir string) error {
	if err := mkdirOut(dir); err != nil {
		return err
	}
	hasLoss := r.Summary.MinimaLoss != nil
	shape := GridShape(r.Grid)
	for _, name := range steadyFieldFiles {
		data, ok := steadyFieldOf(r, r.Grid.Dim, hasLoss, name)
		var err error
		switch {
		case !ok:
			err = removeStale(dir, name)
		case name == "x.npy" || name == "y.npy":
			err = datafile.WriteNPY(filepath.Join(dir, name), data)
		default:
			err = datafile.WriteNPY(filepath.Join(dir, name), data, shape...)
		}
		if err != nil {
			return err
		}
	}
	return datafile.WriteJSON(filepath.Join(dir, "summary.json"), &r.Summary)
}

// readJSON decodes the JSON file path into v.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// readGridSummary decodes the JSON file path into sum and rebuilds the
// grid that info (a field of sum, filled by the decoding) describes.
func readGridSummary(path string, sum any, info *GridInfo) (*fokkerplanck.Grid, error) {
	if err := readJSON(path, sum); err != nil {
		return nil, err
	}
	g, err := gridOf(*info)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// gridOf rebuilds the grid a summary describes.
func gridOf(info GridInfo) (*fokkerplanck.Grid, error) {
	var b []float64
	for _, r := range info.Box {
		b = append(b, r[0], r[1])
	}
	return fokkerplanck.NewGrid(potentials.NewBox(b...), info.Grid, info.Periodic)
}

// FieldShapeError is a field file whose shape is not the one wanted (the
// one its summary.json describes, or a grid's).
type FieldShapeError struct {
	Path        string
	Shape, Want []int
}

func (e *FieldShapeError) Error() string {
	return fmt.Sprintf("%s has shape %s, want %s", e.Path, datafile.ShapeString(e.Shape), datafile.ShapeString(e.Want))
}

// readField reads the .npy file dir/name, which must have shape want.
func readField(dir, name string, want []int) ([]float64, error) {
	path := filepath.Join(dir, name)
	shape, data, err := datafile.ReadNPY(path)
	if err != nil {
		return nil, err
	}
	if !equalShape(shape, want) {
		return nil, &FieldShapeError{Path: path, Shape: shape, Want: want}
	}
	return data, nil
}

// equalShape reports whether a and b hold the same sizes.
func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ReadSteady reads what SteadyResult.Write wrote into dir: a single
// steady state, or a temperature list with its runs.
func ReadSteady(dir string) (*SteadyResult, error) {
	var probe struct {
		Temperatures []float64 `json:"temperatures"`
	}
	if err := readJSON(filepath.Join(dir, "summary.json"), &probe); err != nil {
		return nil, err
	}
	if probe.Temperatures == nil {
		run, err := ReadSteadyRun(dir)
		if err != nil {
			return nil, err
		}
		return &SteadyResult{Runs: []*SteadyRun{run}}, nil
	}
	res := &SteadyResult{List: &SteadyListSummary{}}
	if err := readJSON(filepath.Join(dir, "summary.json"), res.List); err != nil {
		return nil, err
	}
	for _, d := range res.List.Dirs {
		run, err := ReadSteadyRun(filepath.Join(dir, d))
		if err != nil {
			return nil, err
		}
		res.Runs = append(res.Runs, run)
	}
	return res, nil
}

// ReadSteadyRun reads the steady state that SteadyRun.Write wrote into
// dir: summary.json and the field files it lists.
func ReadSteadyRun(dir string) (*SteadyRun, error) {
	r := &SteadyRun{Fields: &fokkerplanck.Fields{}}
	g, err := readGridSummary(filepath.Join(dir, "summary.json"), &r.Summary, &r.Summary.GridInfo)
	if err != nil {
		return nil, err
	}
	r.Grid = g
	f := r.Fields
	targets := map[string]*[]float64{
		"loss.npy": &f.Loss, "rho.npy": &f.Rho, "phi.npy": &f.Phi,
		"current_x.npy": &f.CurrentX, "current_y.npy": &f.CurrentY, "force_x.npy": &f.ForceX, "force_y.npy": &f.ForceY,
	}
	for _, name := range r.Summary.Files {
		if p, ok := targets[name]; ok {
			if *p, err = readField(dir, name, GridShape(g)); err != nil {
				return nil, err
			}
		}
	}
	f.Underflow = r.Summary.UnderflowNodes
	return r, nil
}
