package fokkerplanck

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sgdsde/sgdsde/potentials"
)

// stressFull runs the whole stress suite (make stress): every case on every
// grid from 32^2 to 1024^2. Without it, `go test` runs the grids 32^2 to
// 128^2 (and fewer temperatures under -short).
var stressFull = flag.Bool("stress", false, "run the full steady-state stress suite (grids up to 1024^2)")

// stressMax bounds the grids of the full stress suite (-stress-max 512 stops
// at 512^2).
var stressMax = flag.Int("stress-max", 1024, "largest grid (nodes per axis) of the full stress suite")

// stressCase is one model and temperature of the stress suite.
type stressCase struct {
	name  string
	model potentials.Model
	T     float64
	// a, d are the Hessian and the constant diffusion of a linear drift
	// b = -A x (zero when the model is not one); its stationary law is
	// N(0, S) with A S + S A^T = 2 T D.
	a, d [3]float64
}

// rotatedD returns D = R diag(2r/(1+r), 2/(1+r)) R^T (trace 2, anisotropy
// ratio r, main axis at angle deg) as (D11, D12, D22).
func rotatedD(r, deg float64) [3]float64 {
	l1, l2 := 2*r/(1+r), 2/(1+r)
	c, s := math.Cos(deg*math.Pi/180), math.Sin(deg*math.Pi/180)
	return [3]float64{l1*c*c + l2*s*s, (l1 - l2) * c * s, l1*s*s + l2*c*c}
}

// lyapunov2 solves A S + S A^T = 2 T D for symmetric 2x2 A and D, given as
// (11, 12, 22); it returns S as (11, 12, 22).
func lyapunov2(a, d [3]float64, T float64) [3]float64 {
	a11, a12, a22 := a[0], a[1], a[2]
	// Unknowns (s11, s12, s22):
	//   2 a11 s11 + 2 a12 s12             = 2 T d11
	//   a12 s11 + (a11 + a22) s12 + a12 s22 = 2 T d12
	//   2 a12 s12 + 2 a22 s22             = 2 T d22
	m := [3][4]float64{
		{2 * a11, 2 * a12, 0, 2 * T * d[0]},
		{a12, a11 + a22, a12, 2 * T * d[1]},
		{0, 2 * a12, 2 * a22, 2 * T * d[2]},
	}
	for c := 0; c < 3; c++ {
		p := c
		for r := c + 1; r < 3; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		for r := 0; r < 3; r++ {
			if r != c {
				f := m[r][c] / m[c][c]
				for k := c; k < 4; k++ {
					m[r][k] -= f * m[c][k]
				}
			}
		}
	}
	return [3]float64{m[0][3] / m[0][0], m[1][3] / m[1][1], m[2][3] / m[2][2]}
}

// stressCases returns the suite: every built-in landscape, constant D with
// anisotropy ratios up to 20 at several angles on a quadratic bowl, the
// strongly anisotropic gyrator, formula models with rotating steady
// currents (a quartic double well with a constant anisotropic D, and a
// drift with a rotational part), at temperatures from 0.05 to 2.
func stressCases(t testing.TB, temps []float64) []stressCase {
	var out []stressCase
	add := func(name string, m potentials.Model, err error, T float64, a, d [3]float64) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, stressCase{name: name, model: m, T: T, a: a, d: d})
	}
	for _, T := range temps {
		for _, l := range potentials.Landscapes() {
			m, err := potentials.New(l.Name, nil)
			var a, d [3]float64
			if l.Name == "quadratic" || l.Name == "gyrator" {
				p := m.Params
				a = [3]float64{p["a11"], p["a12"], p["a22"]}
				d = [3]float64{p["d11"], p["d12"], p["d22"]}
			}
			add(l.Name, m, err, T, a, d)
		}
		for _, r := range []float64{4, 20} {
			for _, deg := range []float64{0, 30, 60} {
				d := rotatedD(r, deg)
				m, err := potentials.New("quadratic", map[string]float64{"d11": d[0], "d12": d[1], "d22": d[2]})
				add(fmt.Sprintf("quadratic D ratio %g at %g deg", r, deg), m, err, T, [3]float64{1, 0, 4}, d)
			}
		}
		m, err := potentials.New("gyrator", map[string]float64{"d12": 0.9})
		add("gyrator d12=0.9 (ratio 19)", m, err, T, [3]float64{1, 0, 4}, [3]float64{1, 0.9, 1})
		m, err = potentials.FromFormulas(potentials.Formulas{Dim: 2, Loss: "(x^2-1)^2/4 + y^2/2", Diffusion: "1.5, 1.2; 1.2, 1.5"})
		add("quartic double well, D ratio 9", m, err, T, [3]float64{}, [3]float64{})
		m, err = potentials.FromFormulas(potentials.Formulas{Dim: 2, Drift: "x - x^3 - 2*y; -y + 2*x"})
		add("double well + rotation 2(-y, x)", m, err, T, [3]float64{}, [3]float64{})
	}
	return out
}

// stressRow is one solve of the suite.
type stressRow struct {
	c                 stressCase
	n                 int
	iters, fine       int
	seconds, residual float64
	peclet, covErr    float64
	imbalance         float64
	err               error
}

// solveStress solves case c on an n x n grid over the model's default box
// at c.T.
func solveStress(c stressCase, n int) stressRow {
	row := stressRow{c: c, n: n, covErr: math.NaN()}
	box := c.model.DefaultBox(c.T)
	g, err := NewGrid(box, []int{n, n}, false)
	if err != nil {
		row.err = err
		return row
	}
	start := time.Now()
	op, err := NewOperator(context.Background(), c.model, c.T, g)
	if err != nil {
		row.err = err
		return row
	}
	st, err := op.SteadyState(context.Background(), SteadyOptions{})
	row.seconds = time.Since(start).Seconds()
	if err != nil {
		row.err = err
		return row
	}
	row.iters, row.fine, row.residual, row.peclet = st.Iterations, st.FineIterations, st.Residual, st.CellPeclet
	row.imbalance = st.NodeImbalance
	if c.a != [3]float64{} {
		s := lyapunov2(c.a, c.d, c.T)
		var m [3]float64
		x := make([]float64, 2)
		vol := g.CellVolume()
		for i, r := range st.Rho {
			g.Point(x, i)
			m[0] += r * vol * x[0] * x[0]
			m[1] += r * vol * x[0] * x[1]
			m[2] += r * vol * x[1] * x[1]
		}
		num := math.Hypot(math.Hypot(m[0]-s[0], math.Sqrt2*(m[1]-s[1])), m[2]-s[2])
		den := math.Hypot(math.Hypot(s[0], math.Sqrt2*s[1]), s[2])
		row.covErr = num / den
	}
	return row
}

// minSD returns the smallest standard deviation of the stationary Gaussian
// of a linear case, in units of the largest grid spacing.
func minSDOverH(c stressCase, n int) float64 {
	s := lyapunov2(c.a, c.d, c.T)
	tr, det := s[0]+s[2], s[0]*s[2]-s[1]*s[1]
	lmin := tr/2 - math.Sqrt(tr*tr/4-det)
	box := c.model.DefaultBox(c.T)
	h := math.Max(box.Max[0]-box.Min[0], box.Max[1]-box.Min[1]) / float64(n)
	return math.Sqrt(lmin) / h
}

// stressKey names a case of the suite.
type stressKey struct {
	name string
	T    float64
}

// knownLimitGrid is the largest grid on which a case of knownLimits must
// meet every check but the growth of its iterations.
const knownLimitGrid = 256

// knownLimits are the cases that, beyond knownLimitGrid, the solver does
// not bring to the suite's standard; what it measured there is logged, not
// failed (make stress prints it). Each entry says why.
var knownLimits = map[stressKey]string{
	// The narrow, curved valley on the box that holds its density (y up to
	// 22 at T = 0.5 and 70 at T = 2): at T = 0.5, 432, 176, 183 and 962
	// fine-grid iterations at 64^2 to 512^2; at T = 2, 1,000 to 1,904; no
	// convergence at 1024^2 (2.3e-8 and 2.8e-7 after more than 4,000); the
	// far tails balanced only to 0.07 (T = 0.5) and 2 (T = 2) at 512^2.
	{"rosenbrock", 0.5}: "Rosenbrock valley on its large box",
	{"rosenbrock", 2}:   "Rosenbrock valley on its large box",
	// Closed streamlines (the drift's rotation 2 (-y, x)): the multigrid
	// smoother cannot follow them; 19, 36, 134 and 130 fine-grid
	// iterations at 64^2, 128^2, 512^2 and 1024^2.
	{"double well + rotation 2(-y, x)", 0.05}: "recirculating flow",
	// The default box at T = 2 is 12.6 x 370 (the power-law tail in y), so
	// square node counts give cells 30 times taller than wide, an
	// anisotropy that point smoothing does not handle: 47 fine-grid
	// iterations at 64^2, 267 at 1024^2.
	{"double-well", 2}: "cells 30 times taller than wide",
}

// TestStress solves the stress suite and requires every solve to converge
// (relative residual of L p = 0 at most 1e-10, checked by SteadyState), the
// iterations on the finest grid to stay within a bounded growth over the
// coarsest, and the covariance of every linear case whose density the grid
// resolves to match the Lyapunov solution to second order in h / sd.
func TestStress(t *testing.T) {
	grids := []int{32, 64, 128}
	temps := []float64{0.05, 0.1, 0.5, 2}
	if *stressFull {
		grids = grids[:0]
		for _, n := range []int{32, 64, 128, 256, 512, 1024} {
			if n <= *stressMax {
				grids = append(grids, n)
			}
		}
	} else if testing.Short() {
		temps = []float64{0.05, 0.5}
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%-36s %5s %6s %6s %6s %8s %9s %9s %7s %9s %s\n", "case", "T", "grid", "iters", "fine", "seconds", "residual", "node imb", "Peclet", "cov err", "converged")
	for _, c := range stressCases(t, temps) {
		fine := map[int]int{}
		known := knownLimits[stressKey{c.name, c.T}]
		for _, n := range grids {
			r := solveStress(c, n)
			conv := r.err == nil
			// Beyond 256^2 a known limit is reported, not failed.
			errorf := t.Errorf
			if known != "" && n > knownLimitGrid {
				errorf = func(format string, args ...any) {
					t.Logf("known limit ("+known+"): "+format, args...)
				}
			}
			fmt.Fprintf(&table, "%-36s %5g %6d %6d %6d %8.3f %9.2g %9.2g %7.3g %9.2g %v\n", c.name, c.T, n, r.iters, r.fine, r.seconds, r.residual, r.imbalance, r.peclet, r.covErr, conv)
			if r.err != nil {
				errorf("%s, T = %g, %d^2: %v", c.name, c.T, n, r.err)
				continue
			}
			if r.residual > 1e-10 {
				errorf("%s, T = %g, %d^2: residual %.3g accepted above the tolerance", c.name, c.T, n, r.residual)
			}
			// Where the grid resolves the drift, every node above 1e-20 of
			// the maximum is balanced to 1e-4 of its own flux (measured at
			// most 2.4e-5, on 64^2 for the rotating double well at
			// T = 0.05); where it does not (cell Peclet number above
			// PecletLimit, which the commands warn about) far tails can be
			// off by more (0.03 for the Rosenbrock valley at T = 2 on 64^2).
			if r.peclet <= PecletLimit && !(r.imbalance <= 1e-4) {
				errorf("%s, T = %g, %d^2: node-wise imbalance %.3g above 1e-20 of the maximum", c.name, c.T, n, r.imbalance)
			}
			fine[n] = r.fine
			// Second-order scheme: the covariance error is about
			// C (h / sd)^2 with C below 0.5 on these cases (measured:
			// at most 0.12); where sd < 3 h the grid does not resolve
			// the density and only convergence is required.
			if !math.IsNaN(r.covErr) {
				if q := minSDOverH(c, n); q >= 3 && r.covErr > 0.5/(q*q) {
					t.Errorf("%s, T = %g, %d^2: covariance error %.3g, more than 0.5 (h/sd)^2 = %.3g", c.name, c.T, n, r.covErr, 0.5/(q*q))
				}
			}
		}
		// Grid independence: the fine-grid iterations may grow, but by no
		// more than a factor 3 plus 30 from the second-coarsest grid
		// (32^2 is solved densely below 600 nodes on some boxes).
		// (A known limit is logged: its iterations can be high from the
		// start, as for the Rosenbrock valley at T = 2.)
		lo, hi := grids[1], grids[len(grids)-1]
		growth := t.Errorf
		if known != "" {
			growth = func(format string, args ...any) {
				t.Logf("known limit ("+known+"): "+format, args...)
			}
		}
		if f0, ok0 := fine[lo]; ok0 {
			if f1, ok1 := fine[hi]; ok1 && f1 > 3*f0+30 {
				growth("%s, T = %g: %d fine-grid iterations at %d^2 against %d at %d^2", c.name, c.T, f1, hi, f0, lo)
			}
		}
	}
	if *stressFull || os.Getenv("SGDSDE_STRESS_TABLE") != "" {
		t.Logf("\n%s", table.String())
	}
}
