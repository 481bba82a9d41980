package fokkerplanck

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/sgdsde/sgdsde/internal/sparse"
)

// Committor is a committor function of the transition from a set A to a set
// B of nodes.
type Committor struct {
	// Q is the committor at every node (node order): for the forward
	// committor q+ the probability that the chain started at the node
	// reaches B before A (0 on A, 1 on B); for the backward committor q- the
	// probability that it came from A rather than from B, i.e. that the
	// time-reversed chain reaches A before B (1 on A, 0 on B).
	Q []float64
	// Backward tells which of the two Q is.
	Backward bool
	// A and B are the sets.
	A, B NodeSet
	// Residual and Imbalance measure how well the backward equation is
	// solved (as those of MFPT, with the source 0 and the boundary values
	// moved to the right-hand side), Iterations counts the Krylov
	// iterations, Passes the refinement passes and SolveSeconds the wall
	// time.
	Residual, Imbalance float64
	Iterations, Passes  int
	SolveSeconds        float64
}

// checkPair checks the two sets of a transition: non-empty sets of the
// grid's nodes that share none (an *OverlapError otherwise).
func (g *Grid) checkPair(a, b NodeSet) error {
	if err := g.checkSet(a, "set A,"); err != nil {
		return err
	}
	if err := g.checkSet(b, "set B,"); err != nil {
		return err
	}
	shared, first := 0, -1
	for i, in := range a.Mask {
		if in && b.Mask[i] {
			if first < 0 {
				first = i
			}
			shared++
		}
	}
	if shared > 0 {
		x := make([]float64, g.Dim)
		g.Point(x, first)
		return &OverlapError{A: a.Name, B: b.Name, Nodes: shared, X: x}
	}
	return nil
}

// Committor returns the forward committor q+ of the transition from A to B:
// the probability that the chain started at a node reaches B before A, the
// solution of
//
//	(Q q)_i = 0  off A and B,   q = 0 on A,   q = 1 on B,
//
// with Q = L^T the rate matrix of the chain of the steady state (Q_ij the
// rate of the jump i -> j); in the continuum b . grad q + T D : Hess q = 0
// with reflecting walls (E, Ren & Vanden-Eijnden, J. Stat. Phys. 123, 2006;
// Metzner, Schütte & Vanden-Eijnden, Multiscale Model. Simul. 7, 2009,
// Sec. 2). A and B must be non-empty disjoint sets of the grid's nodes
// (*EmptySetError, *OverlapError); nodes that can reach neither are an
// *UnreachableError; a solve that misses opt.Tol is a
// *BackwardNotConvergedError. It is solved like MeanFirstPassage.
func (op *Operator) Committor(ctx context.Context, a, b NodeSet, opt BackwardOptions) (*Committor, error) {
	opt = opt.withDefaults()
	if err := opt.check(); err != nil {
		return nil, err
	}
	if err := op.Grid.checkPair(a, b); err != nil {
		return nil, err
	}
	return op.committor(ctx, op.backward(), op.gen, a, b, false, opt)
}

// BackwardCommittor returns the backward committor q- of the transition
// from A to B: the probability that the chain at a node came from A rather
// than from B, i.e. the committor of the time-reversed chain towards A,
//
//	(Q~ q)_i = 0  off A and B,   q = 1 on A,   q = 0 on B,
//	Q~_ij = pi_j Q_ji / pi_i,
//
// with pi the steady state st of op (Metzner, Schütte & Vanden-Eijnden
// 2009). For a chain in detailed balance Q~ = Q and q- = 1 - q+.
// Q~ is the generator of the steady-state solver's scaled system; its
// diagonal is set to minus the sum of its rates, so that it is a generator
// also where pi underflows (there pi is floored at 1e-290 of its maximum).
// Errors are those of Committor, and one for a st that is not a steady
// state of op's grid.
func (op *Operator) BackwardCommittor(ctx context.Context, st *Steady, a, b NodeSet, opt BackwardOptions) (*Committor, error) {
	opt = opt.withDefaults()
	if err := opt.check(); err != nil {
		return nil, err
	}
	if err := op.Grid.checkPair(a, b); err != nil {
		return nil, err
	}
	pi, err := op.stationary(st)
	if err != nil {
		return nil, err
	}
	rev := op.reversed(pi)
	return op.committor(ctx, rev, rev.Transpose(), a, b, true, opt)
}

// committor solves for the committor of gen (adj: the transpose of gen,
// for the reachability search) between a and b; backward selects the
// boundary values (1 on A instead of 1 on B).
func (op *Operator) committor(ctx context.Context, gen, adj *sparse.CSR, a, b NodeSet, backward bool, opt BackwardOptions) (*Committor, error) {
	g := op.Grid
	n := g.Len()
	fixed := make([]bool, n)
	val := make([]float64, n)
	for i := range fixed {
		fixed[i] = a.Mask[i] || b.Mask[i]
		if (backward && a.Mask[i]) || (!backward && b.Mask[i]) {
			val[i] = 1
		}
	}
	kind := "forward"
	if backward {
		kind = "backward"
	}
	problem := fmt.Sprintf("%s committor from %s to %s", kind, a.Name, b.Name)
	if err := g.unreachableError(a.Name+" and "+b.Name, unreachable(adj, fixed)); err != nil {
		return nil, err
	}
	start := time.Now()
	s, err := newBackwardSolver(g, gen, fixed, opt)
	if err != nil {
		return nil, err
	}
	q := make([]float64, n)
	info, err := s.solve(ctx, problem, make([]float64, n), val, q, 0, 1)
	if err != nil {
		return nil, err
	}
	return &Committor{Q: q, Backward: backward, A: a, B: b, Residual: info.residual, Imbalance: info.imbalance, Iterations: info.iterations,
		Passes: info.passes, SolveSeconds: time.Since(start).Seconds()}, nil
}

// piFloor is the fraction of the largest steady node probability at which
// the time-reversed chain floors pi (BackwardCommittor): its rates hold
// ratios pi_j / pi_i of neighbours, which must stay finite.
const piFloor = 1e-290

// stationary returns the steady node probabilities of st (which must be a
// steady state on op's grid), floored at piFloor of the largest.
func (op *Operator) stationary(st *Steady) ([]float64, error) {
	g := op.Grid
	if st == nil || st.Fields == nil || len(st.Rho) != g.Len() {
		return nil, errNoSteady
	}
	vol := g.CellVolume()
	p := make([]float64, g.Len())
	pmax := 0.0
	for i, r := range st.Rho {
		p[i] = r * vol
		pmax = math.Max(pmax, p[i])
	}
	if !(pmax > 0) || math.IsInf(pmax, 0) {
		return nil, errNoSteady
	}
	for i := range p {
		p[i] = math.Max(p[i], piFloor*pmax)
	}
	return p, nil
}

// reversed returns the rate matrix of the time-reversed chain,
// Q~_ij = pi_j Q_ji / pi_i = L_ij pi_j / pi_i (the pattern of L), with the
// diagonal minus the sum of the rates of the row.
func (op *Operator) reversed(pi []float64) *sparse.CSR {
	l := op.gen
	r := &sparse.CSR{Rows: l.Rows, Cols: l.Cols, RowPtr: l.RowPtr, Col: l.Col, Val: make([]float64, len(l.Val))}
	for i := 0; i < l.Rows; i++ {
		out, diag := 0.0, -1
		for q := l.RowPtr[i]; q < l.RowPtr[i+1]; q++ {
			j := int(l.Col[q])
			if j == i {
				diag = q
				continue
			}
			v := l.Val[q] * (pi[j] / pi[i])
			r.Val[q] = v
			out += v
		}
		if diag >= 0 {
			r.Val[diag] = -out
		}
	}
	return r
}

// EdgeFlow is the net reactive flow of one edge of the chain.
type EdgeFlow struct {
	// From and To are the nodes, oriented so that Flow > 0: the net
	// probability per unit time that reactive trajectories carry from From
	// to To.
	From, To int
	Flow     float64
}

// ReactiveFlux is the transition-path theory of the transition from A to B
// in the steady state (Metzner, Schütte & Vanden-Eijnden, Multiscale Model.
// Simul. 7, 2009): the committors, the density and current of reactive
// trajectories, and the reaction rate.
type ReactiveFlux struct {
	// Forward and Backward are the committors q+ and q-.
	Forward, Backward *Committor
	// Density is the density of reactive trajectories, m_i / V with
	// m_i = pi_i q+_i q-_i (the probability to be at node i on the way from
	// A to B) and V the cell volume.
	Density []float64
	// CurrentX and CurrentY (2-D) are the reactive current at the nodes:
	// each edge's net reactive flow F times its displacement, shared
	// between its two ends and divided by twice the cell volume, as
	// Fields.Current is built from the probability flows.
	CurrentX, CurrentY []float64
	// Flows lists the net reactive flow of every edge that carries one,
	//
	//	F_ij = f_ij - f_ji,   f_ij = pi_i q-_i Q_ij q+_j,
	//
	// oriented from its source to its sink. Off A and B the flows are
	// conserved: they add up to zero at every node.
	Flows []EdgeFlow
	// Rate is the reaction rate k_AB, the net reactive flow out of A (the
	// number of transitions from A to B per unit time), and RateIntoB the
	// net reactive flow into B; they agree up to the solves' residuals.
	Rate, RateIntoB float64
	// Reactive is Z_AB = sum_i m_i, the probability that the chain is on a
	// reactive trajectory; Rate / Reactive is the inverse mean duration of
	// a transition.
	Reactive float64
}

// ReactiveFlux returns the transition-path theory of the transition from A
// to B for the steady state st of op: the forward committor q+ (Committor),
// the backward committor q- (BackwardCommittor), and from them the reactive
// flows of the edges,
//
//	f_ij = pi_i q-_i Q_ij q+_j,   F_ij = f_ij - f_ji,
//
// with pi the steady node probabilities and Q_ij the rate of the jump
// i -> j; the reaction rate k_AB = sum over the edges out of A of F; the
// density of reactive trajectories pi q+ q-; and the reactive current at
// the nodes (Metzner, Schütte & Vanden-Eijnden 2009).
// The errors are those of Committor and BackwardCommittor.
func (op *Operator) ReactiveFlux(ctx context.Context, st *Steady, a, b NodeSet, opt BackwardOptions) (*ReactiveFlux, error) {
	if _, err := op.stationary(st); err != nil {
		return nil, err
	}
	fw, err := op.Committor(ctx, a, b, opt)
	if err != nil {
		return nil, err
	}
	bw, err := op.BackwardCommittor(ctx, st, a, b, opt)
	if err != nil {
		return nil, err
	}
	g := op.Grid
	n := g.Len()
	vol := g.CellVolume()
	pi := make([]float64, n)
	for i, r := range st.Rho {
		pi[i] = r * vol
	}
	qp, qm := fw.Q, bw.Q
	rf := &ReactiveFlux{Forward: fw, Backward: bw, Density: make([]float64, n), CurrentX: make([]float64, n)}
	if g.Dim == 2 {
		rf.CurrentY = make([]float64, n)
	}
	for i := range pi {
		m := pi[i] * qp[i] * qm[i]
		rf.Density[i] = m / vol
		rf.Reactive += m
	}
	hx, hy := g.H[0], g.H[1]
	for e := range op.edgeA {
		x, y := int(op.edgeA[e]), int(op.edgeB[e])
		f := pi[x]*qm[x]*op.rateAB[e]*qp[y] - pi[y]*qm[y]*op.rateBA[e]*qp[x]
		if f == 0 {
			continue
		}
		if f > 0 {
			rf.Flows = append(rf.Flows, EdgeFlow{From: x, To: y, Flow: f})
		} else {
			rf.Flows = append(rf.Flows, EdgeFlow{From: y, To: x, Flow: -f})
		}
		inA, inB := [2]bool{a.Mask[x], a.Mask[y]}, [2]bool{b.Mask[x], b.Mask[y]}
		switch {
		case inA[0] && !inA[1]:
			rf.Rate += f
		case inA[1] && !inA[0]:
			rf.Rate -= f
		}
		switch {
		case inB[1] && !inB[0]:
			rf.RateIntoB += f
		case inB[0] && !inB[1]:
			rf.RateIntoB -= f
		}
		c := f / (2 * vol)
		dx := float64(op.edgeOffset[e][0]) * hx * c
		rf.CurrentX[x] += dx
		rf.CurrentX[y] += dx
		if g.Dim == 2 {
			dy := float64(op.edgeOffset[e][1]) * hy * c
			rf.CurrentY[x] += dy
			rf.CurrentY[y] += dy
		}
	}
	return rf, nil
}
