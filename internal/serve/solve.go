package serve

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/sgdsde/sgdsde/fokkerplanck"
	"github.com/sgdsde/sgdsde/plots"
	"github.com/sgdsde/sgdsde/potentials"
	"github.com/sgdsde/sgdsde/sde"
)

// solveRequest is the body of POST /api/solve.
type solveRequest struct {
	modelSpec
	// Grid is the number of nodes along the longer side of the box.
	Grid int `json:"grid"`
	// Particles is the size of the initial particle cloud, drawn from rho.
	Particles int `json:"particles"`
	// Seed selects the particles; 0 means 1.
	Seed uint64 `json:"seed"`
}

// gridJSON describes the cell-centred grid: node (i, j) is at
// (xmin + (i + 1/2) hx, ymin + (j + 1/2) hy), hx = (xmax - xmin) / nx.
type gridJSON struct {
	NX   int     `json:"nx"`
	NY   int     `json:"ny"`
	XMin float64 `json:"xmin"`
	XMax float64 `json:"xmax"`
	YMin float64 `json:"ymin"`
	YMax float64 `json:"ymax"`
}

// modelJSON echoes the model.
type modelJSON struct {
	Name    string             `json:"name"`
	Formula string             `json:"formula"`
	Params  map[string]float64 `json:"params"`
	// Diffusion is (D11, D12, D22) when D is constant, else nil.
	Diffusion floats `json:"diffusion"`
}

// contourJSON holds the contour lines of one level, each flattened to
// x0, y0, x1, y1, ...
type contourJSON struct {
	Level float64  `json:"level"`
	Lines []floats `json:"lines"`
}

// streamJSON is one streamline: points flattened, and the speed at each
// relative to the largest speed of the field.
type streamJSON struct {
	XY    floats `json:"xy"`
	Speed floats `json:"speed"`
}

// orbitJSON is one orbit of x' = j(x).
type orbitJSON struct {
	Class  string  `json:"class"`
	Period float64 `json:"period"`
	XY     floats  `json:"xy"`
}

// minimumJSON is a local minimum.
type minimumJSON struct {
	X     floats  `json:"x"`
	Value float64 `json:"value"`
}

// diagnosticsJSON are the scalar results shown beside the figures.
type diagnosticsJSON struct {
	EntropyProduction    float64       `json:"entropy_production"`
	AngularMomentum      float64       `json:"angular_momentum"`
	AngularMomentumExact *float64      `json:"angular_momentum_exact"`
	MaxPhiMinusLoss      *float64      `json:"max_phi_minus_f"`
	MinimaLoss           []minimumJSON `json:"minima_f"`
	MinimaPhi            []minimumJSON `json:"minima_phi"`
	MaxForce             float64       `json:"max_force"`
	ForceError           float64       `json:"force_error"`
	WallRho              float64       `json:"wall_rho"`
}

// timingJSON is where the time of a solve went, in milliseconds.
type timingJSON struct {
	Assemble   float64 `json:"assemble"`
	Solve      float64 `json:"solve"`
	ForceCheck float64 `json:"force_check"`
	Orbits     float64 `json:"orbits"`
	Geometry   float64 `json:"geometry"`
	Total      float64 `json:"total"`
}

// solveResponse is the body of a successful POST /api/solve.
type solveResponse struct {
	Model       modelJSON       `json:"model"`
	Temperature float64         `json:"temperature"`
	Grid        gridJSON        `json:"grid"`
	F           floats          `json:"f"`
	Phi         floats          `json:"phi"`
	Cap         float64         `json:"cap"`
	Levels      floats          `json:"levels"`
	FContours   []contourJSON   `json:"f_contours"`
	PhiContours []contourJSON   `json:"phi_contours"`
	Streamlines []streamJSON    `json:"streamlines"`
	Orbits      []orbitJSON     `json:"orbits"`
	Vanishes    bool            `json:"force_vanishes"`
	Diagnostics diagnosticsJSON `json:"diagnostics"`
	Particles   floats          `json:"particles"`
	Dt          float64         `json:"dt"`
	Steps       int             `json:"steps"`
	Timing      timingJSON      `json:"timing_ms"`

	// Converged is always true: a steady state that does not reach the
	// tolerance Tol is an error (422), never an answer. RelativeResidual
	// is ||L p||_1 / sum_i |L_ii| p_i, the quantity Tol bounds; Residual
	// is ||L p||_1; CellPeclet the largest cell Peclet number where rho is
	// not negligible; Iterations those of the steady-state solve.
	Converged        bool    `json:"converged"`
	RelativeResidual float64 `json:"relative_residual"`
	Residual         float64 `json:"residual"`
	Tol              float64 `json:"tol"`
	Iterations       int     `json:"iterations"`
	CellPeclet       float64 `json:"cell_peclet"`
}

// Figure settings.
const (
	// capRho: the colour scale of f and Phi ends where rho = capRho max rho,
	// that is at Phi - min Phi = T log(1/capRho).
	capRho = 1e-4
	// nLevels contour levels divide [0, cap] evenly.
	nLevels = 10
	// streamRho: streamlines of j are drawn where rho > streamRho max rho
	// (elsewhere j is the quotient of two tiny numbers).
	streamRho = 1e-4
	// streamSep is the streamline spacing as a fraction of the larger side.
	streamSep = 1.0 / 28
	// orbitMinima: orbits start from the lowest orbitMinima minima of Phi.
	orbitMinima = 3
	// orbitPoints is the number of points kept per orbit.
	orbitPoints = 400
	// frameTime is the model time a particle frame advances by (with the
	// suggested steps): at 30 frames a second, 0.6 time units a second.
	frameTime = 0.02
)

// orbitSigmas: orbits start where Phi - Phi_min = k^2 T / 2 for these k
// (fokkerplanck.SigmaLevels), on a ray from each of the lowest
// orbitMinima minima of Phi.
var orbitSigmas = [...]float64{1, 2, 3}

// particleStream is the second word of the PCG seed of the initial
// particles.
const particleStream = 0x73676473646531

// defaultTol is the tolerance of a steady state (its relative residual)
// when Config.Tol is 0: fokkerplanck's default.
const defaultTol = 1e-10

// msSince returns the milliseconds since t.
func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// errSolve marks an error of the computation rather than of the input.
type errSolve struct{ err error }

func (e errSolve) Error() string { return e.err.Error() }
func (e errSolve) Unwrap() error { return e.err }

// solve computes the response of a solve request whose model m is built,
// its steady state to the relative residual tol (0: the default).
func solve(ctx context.Context, req *solveRequest, m potentials.Model, tol float64) (*solveResponse, error) {
	t0 := time.Now()
	T := req.Temperature
	g, err := fokkerplanck.NewGrid(m.Box, fokkerplanck.SquareCells(m.Box, req.Grid), false)
	if err != nil {
		return nil, err
	}
	op, err := fokkerplanck.NewOperator(ctx, m, T, g)
	if err != nil {
		return nil, err
	}
	res := &solveResponse{Temperature: T, Streamlines: []streamJSON{}, Orbits: []orbitJSON{}}
	res.Timing.Assemble = msSince(t0)
	t := time.Now()
	if tol == 0 {
		tol = defaultTol
	}
	opt := fokkerplanck.SteadyOptions{Tol: tol, TwoGrid: true}
	st, err := op.SteadyState(ctx, opt)
	if err == nil && !st.Converged {
		// SteadyState returns only accepted solves; never answer another.
		err = fmt.Errorf("steady state not marked converged (relative residual %.3g)", st.Residual)
	}
	if err != nil {
		return nil, errSolve{err}
	}
	res.Converged, res.RelativeResidual, res.Residual = st.Converged, st.Residual, st.AbsResidual
	res.Tol, res.Iterations, res.CellPeclet = tol, st.Iterations, st.CellPeclet
	res.Timing.Solve = msSince(t)
	t = time.Now()
	fc, err := op.CheckForce(ctx, st, opt)
	if err != nil {
		return nil, errSolve{err}
	}
	res.Timing.ForceCheck = msSince(t)
	res.Vanishes = fc.Vanishes

	t = time.Now()
	if !fc.Vanishes {
		orbits, err := op.Orbits(st, fokkerplanck.FieldForce, fokkerplanck.OrbitOptions{
			Seeds: fokkerplanck.LevelSeeds(g, st, fokkerplanck.SigmaLevels(T, orbitSigmas[:]...), orbitMinima), MaxPoints: orbitPoints, Check: &fc,
		})
		if err != nil && !errors.Is(err, fokkerplanck.ErrForceVanishes) {
			return nil, errSolve{err}
		}
		for _, o := range orbits {
			res.Orbits = append(res.Orbits, orbitJSON{Class: o.Class.String(), Period: o.Period, XY: interleave(o.X, o.Y)})
		}
	}
	res.Timing.Orbits = msSince(t)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	t = time.Now()
	res.Model = modelJSON{Name: m.Name, Formula: m.Formula, Params: m.Params}
	if m.Params == nil {
		res.Model.Params = map[string]float64{}
	}
	if d, ok := constantDiffusion(m, g); ok {
		res.Model.Diffusion = d
	}
	res.Grid = gridJSON{NX: g.N[0], NY: g.N[1], XMin: g.Min[0], XMax: g.Max[0], YMin: g.Min[1], YMax: g.Max[1]}
	phi := fokkerplanck.ShiftMin(st.Phi)
	var loss []float64
	if st.Loss != nil {
		loss = fokkerplanck.ShiftMin(st.Loss)
	}
	res.Phi = phi
	res.F = loss
	res.Cap = colourCap(T, phi, loss)
	res.Levels = make(floats, nLevels-1)
	for k := range res.Levels {
		res.Levels[k] = res.Cap * float64(k+1) / nLevels
	}
	xs, ys := g.Axis(0), g.Axis(1)
	res.PhiContours = contours(plots.Field{Xs: xs, Ys: ys, Zs: phi}, res.Levels)
	if loss != nil {
		res.FContours = contours(plots.Field{Xs: xs, Ys: ys, Zs: loss}, res.Levels)
	}
	if !fc.Vanishes {
		res.Streamlines, err = streamlines(g, st)
		if err != nil {
			return nil, errSolve{err}
		}
	}
	res.Diagnostics = diagnostics(m, T, st, fc)
	res.Particles = fokkerplanck.SampleDensity(g, st.Rho, req.Particles, rand.New(rand.NewPCG(req.Seed, particleStream)))
	res.Dt = fokkerplanck.SuggestStep(m, g, st.Rho, streamRho)
	res.Steps = min(maxSteps, int(math.Ceil(frameTime/res.Dt)))
	res.Timing.Geometry = msSince(t)
	res.Timing.Total = msSince(t0)
	return res, ctx.Err()
}

// colourCap is the top of the shared colour scale: T log(1/capRho), the
// Phi where rho has fallen to capRho of its maximum, but no more than the
// largest finite value of Phi or of f.
func colourCap(T float64, phi, loss []float64) float64 {
	top := 0.0
	for _, u := range [][]float64{phi, loss} {
		for _, v := range u {
			if finite(v) && v > top {
				top = v
			}
		}
	}
	c := fokkerplanck.PhiLevel(T, capRho)
	if top > 0 && top < c {
		c = top
	}
	if !(c > 0) {
		c = 1
	}
	return c
}

// contours returns the contour lines of f at levels.
func contours(f plots.Field, levels []float64) []contourJSON {
	out := make([]contourJSON, 0, len(levels))
	for _, lv := range levels {
		c := contourJSON{Level: lv, Lines: []floats{}}
		for _, line := range plots.ContourLines(f, lv) {
			xy := make(floats, 0, 2*len(line))
			for _, p := range line {
				xy = append(xy, p[0], p[1])
			}
			c.Lines = append(c.Lines, xy)
		}
		out = append(out, c)
	}
	return out
}

// streamlines returns evenly spaced streamlines of the force j where
// rho > streamRho max rho.
func streamlines(g *fokkerplanck.Grid, st *fokkerplanck.Steady) ([]streamJSON, error) {
	n := g.Len()
	u, v := make([]float64, n), make([]float64, n)
	fast := 0.0
	for i, in := range fokkerplanck.RegionMask(st.Rho, streamRho) {
		if in {
			u[i], v[i] = st.ForceX[i], st.ForceY[i]
			fast = math.Max(fast, math.Hypot(u[i], v[i]))
		}
	}
	if fast == 0 {
		return []streamJSON{}, nil
	}
	side := math.Max(g.Max[0]-g.Min[0], g.Max[1]-g.Min[1])
	lines, err := plots.Streamlines(plots.VectorField{X: g.Axis(0), Y: g.Axis(1), U: u, V: v},
		plots.StreamOptions{Sep: streamSep * side, MinSpeed: 0.02})
	if err != nil {
		return nil, err
	}
	out := make([]streamJSON, 0, len(lines))
	for _, l := range lines {
		s := make(floats, len(l.Speed))
		for i, w := range l.Speed {
			s[i] = w / fast
		}
		out = append(out, streamJSON{XY: interleave(l.X, l.Y), Speed: s})
	}
	return out, nil
}

// diagnostics gathers the scalar results.
func diagnostics(m potentials.Model, T float64, st *fokkerplanck.Steady, fc fokkerplanck.ForceCheck) diagnosticsJSON {
	d := diagnosticsJSON{
		EntropyProduction: st.EntropyProduction,
		AngularMomentum:   st.AngularMomentum,
		MinimaLoss:        minima(st.MinimaLoss),
		MinimaPhi:         minima(st.MinimaPhi),
		MaxForce:          fc.MaxForce,
		ForceError:        fc.ForceError,
		WallRho:           st.WallRho,
	}
	if m.AngularMomentum != nil {
		if l, ok := m.AngularMomentum(T); ok {
			d.AngularMomentumExact = &l
		}
	}
	if v := st.MaxAbsPhiMinusLoss; finite(v) {
		d.MaxPhiMinusLoss = &v
	}
	return d
}

// minima converts minima for JSON.
func minima(ms []fokkerplanck.Minimum) []minimumJSON {
	out := make([]minimumJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, minimumJSON{X: m.X, Value: m.Value})
	}
	return out
}

// constantDiffusion returns (D11, D12, D22) if D takes the same value at
// the corners and the centre of the grid's box.
func constantDiffusion(m potentials.Model, g *fokkerplanck.Grid) ([]float64, bool) {
	pts := [][2]float64{{g.Min[0], g.Min[1]}, {g.Max[0], g.Max[1]}, {g.Min[0], g.Max[1]}, {g.Max[0], g.Min[1]},
		{(g.Min[0] + g.Max[0]) / 2, (g.Min[1] + g.Max[1]) / 2}}
	d := make([]float64, 4)
	var first []float64
	for _, p := range pts {
		m.Diffusion(d, p[:])
		if first == nil {
			first = []float64{d[0], d[1], d[3]}
			continue
		}
		if d[0] != first[0] || d[1] != first[1] || d[3] != first[2] {
			return nil, false
		}
	}
	return first, true
}

// interleave returns x0, y0, x1, y1, ...
func interleave(x, y []float64) floats {
	out := make(floats, 0, 2*len(x))
	for i := range x {
		out = append(out, x[i], y[i])
	}
	return out
}

// particlesRequest is the body of POST /api/particles.
type particlesRequest struct {
	modelSpec
	// Positions holds the particles' current positions x0, y0, x1, y1, ...
	Positions []float64 `json:"positions"`
	// Seed selects the noise of this chunk; a client advances it per chunk.
	Seed uint64 `json:"seed"`
	// Frames is the number of frames returned; Steps the EM steps per frame;
	// Dt the EM step.
	Frames int     `json:"frames"`
	Steps  int     `json:"steps"`
	Dt     float64 `json:"dt"`
}

// particlesResponse is the body of a successful POST /api/particles.
type particlesResponse struct {
	// Frames[k] holds every particle's position after (k+1) Steps steps.
	Frames       []floats `json:"frames"`
	TimePerFrame float64  `json:"time_per_frame"`
	ElapsedMs    float64  `json:"elapsed_ms"`
}

// particles advances the cloud by Frames * Steps Euler–Maruyama steps of
// the model, recording every Steps steps: one sde.Ensemble run with a
// trajectory per particle started at its position.
func particles(ctx context.Context, req *particlesRequest, m potentials.Model) (*particlesResponse, error) {
	t0 := time.Now()
	n := len(req.Positions) / 2
	res := &particlesResponse{Frames: make([]floats, req.Frames), TimePerFrame: req.Dt * float64(req.Steps)}
	if n == 0 {
		for k := range res.Frames {
			res.Frames[k] = floats{}
		}
		return res, nil
	}
	x0 := []float64{0, 0}
	for i := range n {
		x0[0] += req.Positions[2*i] / float64(n)
		x0[1] += req.Positions[2*i+1] / float64(n)
	}
	if err := m.CheckDiffusion(x0); err != nil {
		// The mean is only the reference point of the running sums; any
		// point where D is valid will do.
		x0 = append(x0[:0], req.Positions[0], req.Positions[1])
	}
	e := &sde.Ensemble{N: n, Seed: req.Seed, Record: n, Every: req.Steps, Starts: req.Positions, Bound: 1e6}
	p := &sde.Problem{Model: m, Temperature: req.Temperature, X0: x0, Dt: req.Dt, Steps: req.Frames * req.Steps}
	run, err := e.Run(ctx, p)
	if err != nil {
		return nil, pageError(err)
	}
	for k := range res.Frames {
		f := make(floats, 2*n)
		for i := range n {
			copy(f[2*i:2*i+2], run.Traj[(i*run.RecordLen+k)*2:])
		}
		res.Frames[k] = f
	}
	res.ElapsedMs = msSince(t0)
	return res, nil
}
