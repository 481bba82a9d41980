package serve

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/potentials"
)

// escapeRequest is the body of POST /api/escape: the model, temperature
// and grid of the page, the point the user clicked and, optionally, one
// basin to reach.
type escapeRequest struct {
	modelSpec
	Grid int `json:"grid"`
	// From is the clicked point (x, y); nil means the minimum of the
	// deepest basin of Phi.
	From []float64 `json:"from"`
	// ToBasin, if not nil, is the basin to reach (0 the deepest); nil
	// means any basin other than the one of From.
	ToBasin *int `json:"to_basin"`
}

// basinJSON is one basin of Phi with its steady occupation and the
// barriers out of it.
type basinJSON struct {
	// X is its minimum of Phi and Phi the value there (min Phi = 0).
	X   floats  `json:"x"`
	Phi float64 `json:"phi"`
	// Probability is its steady occupation, sum of rho over its cells.
	Probability float64 `json:"probability"`
	Nodes       int     `json:"nodes"`
	// BarrierPhi is the height of the lowest pass in Phi from its minimum
	// to the other basins, minus Phi at the minimum; BarrierF the same in
	// the loss f from f's lowest node in the basin (null without a loss or
	// without another basin).
	BarrierPhi *float64 `json:"barrier_phi"`
	BarrierF   *float64 `json:"barrier_f"`
}

// escapeTiming is where the time of an escape request went, in ms.
type escapeTiming struct {
	Assemble float64 `json:"assemble"`
	Solve    float64 `json:"solve"`
	Basins   float64 `json:"basins"`
	MFPT     float64 `json:"mfpt"`
	Total    float64 `json:"total"`
}

// escapeResponse is the body of a successful POST /api/escape. Its fields
// are on the grid of /api/solve for the same model, temperature and grid
// (node order, x fastest; null where rho underflows for Phi and Basin).
type escapeResponse struct {
	Model       modelJSON `json:"model"`
	Temperature float64   `json:"temperature"`
	Grid        gridJSON  `json:"grid"`
	// Phi is Phi - min Phi; Tau the mean first-passage time tau(x) from
	// each node to the target (0 on it); Basin the basin of each node.
	Phi   floats `json:"phi"`
	Tau   floats `json:"tau"`
	Basin floats `json:"basin"`
	// Basins are the basins of Phi, deepest first; Unassigned the steady
	// probability of the nodes in none (rho underflows there).
	Basins     []basinJSON `json:"basins"`
	Unassigned float64     `json:"unassigned"`
	// From is the start, FromBasin its basin; Target names the target and
	// TargetBasins lists its basins.
	From         floats `json:"from"`
	FromBasin    int    `json:"from_basin"`
	Target       string `json:"target"`
	TargetBasins []int  `json:"target_basins"`
	// TauFrom is tau at From (interpolated); TauBasin the mean of tau over
	// the start's basin weighted by rho, the escape time from the basin
	// in the metastable limit; TauMax the largest tau, the top of the
	// colour scale.
	TauFrom  float64 `json:"tau_from"`
	TauBasin float64 `json:"tau_basin"`
	TauMax   float64 `json:"tau_max"`
	// RelativeResidual and Iterations are those of the steady state;
	// MFPTResidual and MFPTIterations those of the backward solve.
	RelativeResidual float64      `json:"relative_residual"`
	Iterations       int          `json:"iterations"`
	MFPTResidual     float64      `json:"mfpt_residual"`
	MFPTIterations   int          `json:"mfpt_iterations"`
	Timing           escapeTiming `json:"timing_ms"`
}

func (s *Server) handleEscape(w http.ResponseWriter, r *http.Request) {
	var req escapeRequest
	if code, err := decode(w, r, &req); err != nil {
		writeError(w, code, err)
		return
	}
	if req.Grid == 0 {
		req.Grid = min(defaultGrid, s.lim.GridMax)
	}
	var err error
	switch {
	case req.Grid < s.lim.GridMin || req.Grid > s.lim.GridMax:
		err = fmt.Errorf("grid %d: want %d to %d nodes along the longer side", req.Grid, s.lim.GridMin, s.lim.GridMax)
	case req.From != nil && len(req.From) != 2:
		err = fmt.Errorf("start: %d numbers, want a point x, y", len(req.From))
	case req.From != nil && (!finite(req.From[0]) || !finite(req.From[1])):
		err = errors.New("start: the point must be finite")
	case req.ToBasin != nil && *req.ToBasin < 0:
		err = fmt.Errorf("target basin %d does not exist: basins are numbered from 0, the deepest", *req.ToBasin)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	m, err := req.build(s.lim)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	s.compute(w, r, "escape", req.Client, req.Seq, func(ctx context.Context) (any, error) {
		return escape(ctx, &req, m, s.cfg.Tol)
	})
}

// escape computes the response of an escape request whose model m is
// built: the steady state on the grid of /api/solve, the basins of Phi
// (fokkerplanck.Operator.PhiBasins) with their occupations and barriers
// (fokkerplanck.SaddleHeight), and the mean first-passage time from the
// basin of From to the other basins, or to basin ToBasin
// (fokkerplanck.Operator.MeanFirstPassage), all from the same generator.
func escape(ctx context.Context, req *escapeRequest, m potentials.Model, tol float64) (*escapeResponse, error) {
	t0 := time.Now()
	T := req.Temperature
	g, err := fokkerplanck.NewGrid(m.Box, fokkerplanck.SquareCells(m.Box, req.Grid), false)
	if err != nil {
		return nil, err
	}
	if req.From != nil {
		if x, y := req.From[0], req.From[1]; !(x >= g.Min[0] && x <= g.Max[0] && y >= g.Min[1] && y <= g.Max[1]) {
			return nil, fmt.Errorf("the start (%.4g, %.4g) is outside the box [%.4g, %.4g] x [%.4g, %.4g]: click inside the figure",
				x, y, g.Min[0], g.Max[0], g.Min[1], g.Max[1])
		}
	}
	op, err := fokkerplanck.NewOperator(ctx, m, T, g)
	if err != nil {
		return nil, err
	}
	res := &escapeResponse{Temperature: T, Basins: []basinJSON{}}
	res.Timing.Assemble = msSince(t0)
	t := time.Now()
	if tol == 0 {
		tol = defaultTol
	}
	st, err := op.SteadyState(ctx, fokkerplanck.SteadyOptions{Tol: tol})
	if err == nil && !st.Converged {
		err = fmt.Errorf("steady state not marked converged (relative residual %.3g)", st.Residual)
	}
	if err != nil {
		return nil, errSolve{err}
	}
	res.RelativeResidual, res.Iterations = st.Residual, st.Iterations
	res.Timing.Solve = msSince(t)

	t = time.Now()
	basins, err := op.PhiBasins(st)
	if err != nil {
		return nil, errSolve{err}
	}
	nb := len(basins.Basins)
	phi := fokkerplanck.ShiftMin(st.Phi)
	var loss []float64
	if st.Loss != nil {
		loss = fokkerplanck.ShiftMin(st.Loss)
	}
	for k, b := range basins.Basins {
		bj := basinJSON{X: b.X, Phi: phi[b.Node], Probability: b.Probability, Nodes: b.Nodes}
		others := basinNodes(basins.Label, func(l int) bool { return l >= 0 && l != k })
		if len(others) > 0 {
			if h, _, err := fokkerplanck.SaddleHeight(g, phi, []int{b.Node}, others); err == nil {
				bj.BarrierPhi = finitePtr(h - phi[b.Node])
			}
			if loss != nil {
				mf := b.Node
				for i, l := range basins.Label {
					if l == k && loss[i] < loss[mf] {
						mf = i
					}
				}
				if h, _, err := fokkerplanck.SaddleHeight(g, loss, []int{mf}, others); err == nil {
					bj.BarrierF = finitePtr(h - loss[mf])
				}
			}
		}
		res.Basins = append(res.Basins, bj)
	}
	res.Unassigned = basins.UnassignedProbability
	label := make(floats, len(basins.Label))
	for i, l := range basins.Label {
		label[i] = float64(l)
		if l < 0 {
			label[i] = math.NaN()
		}
	}
	res.Basin = label
	res.Timing.Basins = msSince(t)

	// The start and its basin.
	if nb == 0 {
		//lint:ignore ST1005 Phi is the name of the potential
		return nil, errors.New("Phi has no basin at these settings (rho underflows everywhere): raise the temperature or refine the grid")
	}
	from := req.From
	if from == nil {
		from = basins.Basins[0].X
	}
	start, err := basins.Of(from)
	if err != nil {
		return nil, fmt.Errorf("the start (%.4g, %.4g) is outside the box: click inside the figure", from[0], from[1])
	}
	if start < 0 {
		return nil, fmt.Errorf("the start (%.4g, %.4g) is where rho underflows, in no basin of Phi: click nearer a minimum", from[0], from[1])
	}
	// The target.
	var target fokkerplanck.NodeSet
	switch {
	case req.ToBasin != nil:
		k := *req.ToBasin
		if k >= nb {
			return nil, fmt.Errorf("target basin %d does not exist: Phi has %d basins at these settings (0 to %d)", k, nb, nb-1)
		}
		if k == start {
			return nil, fmt.Errorf("the start (%.4g, %.4g) lies in the target basin %d: click in another basin or choose another target", from[0], from[1], k)
		}
		if target, err = basins.Set(k); err != nil {
			return nil, err
		}
		res.TargetBasins = []int{k}
	default:
		if nb < 2 {
			//lint:ignore ST1005 Phi is the name of the potential
			return nil, errors.New("Phi has a single basin at these settings: there is no other minimum to escape to (lower the temperature or pick a landscape with two minima)")
		}
		mask := make([]bool, len(basins.Label))
		for i, l := range basins.Label {
			mask[i] = l >= 0 && l != start
		}
		res.TargetBasins = []int{}
		for k := range nb {
			if k != start {
				res.TargetBasins = append(res.TargetBasins, k)
			}
		}
		target = fokkerplanck.NodeSet{Mask: mask, Name: fmt.Sprintf("the basins of Phi other than basin %d", start)}
	}
	res.Target = target.Name

	t = time.Now()
	mfpt, err := op.MeanFirstPassage(ctx, target, fokkerplanck.BackwardOptions{})
	if err != nil {
		return nil, escapeError(err)
	}
	res.Timing.MFPT = msSince(t)
	res.TauFrom, err = mfpt.At(from)
	if err != nil {
		return nil, escapeError(err)
	}
	startSet, _ := basins.Set(start)
	res.TauBasin = mfpt.Average(st.Rho, startSet)
	res.MFPTResidual, res.MFPTIterations = mfpt.Residual, mfpt.Iterations
	for _, v := range mfpt.Tau {
		res.TauMax = math.Max(res.TauMax, v)
	}
	res.Tau = mfpt.Tau
	res.Phi = phi
	res.From, res.FromBasin = from, start
	res.Model = modelJSON{Name: m.Name, Formula: m.Formula, Params: m.Params}
	if m.Params == nil {
		res.Model.Params = map[string]float64{}
	}
	res.Grid = gridJSON{NX: g.N[0], NY: g.N[1], XMin: g.Min[0], XMax: g.Max[0], YMin: g.Min[1], YMax: g.Max[1]}
	res.Timing.Total = msSince(t0)
	return res, ctx.Err()
}

// basinNodes lists the nodes whose label satisfies keep.
func basinNodes(label []int, keep func(int) bool) []int {
	var out []int
	for i, l := range label {
		if keep(l) {
			out = append(out, i)
		}
	}
	return out
}

// finitePtr returns a pointer to v, or nil when v is not finite.
func finitePtr(v float64) *float64 {
	if !finite(v) {
		return nil
	}
	return &v
}
