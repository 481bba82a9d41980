package sparse

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"
)

// BenchmarkSteadyMultigrid measures the steady-state solve of the pinned
// anisotropic generator: assembly (test generator), multigrid setup and
// multigrid-preconditioned BiCGStab to relative residual 1e-10, pin row
// scaled by |L_kk|.
func BenchmarkSteadyMultigrid(b *testing.B) {
	for _, n := range []int{256, 512, 1024} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			benchSteady(b, n, true)
		})
	}
}

// BenchmarkSteadyILU0 is the ILU(0)-BiCGStab comparison.
func BenchmarkSteadyILU0(b *testing.B) {
	for _, n := range []int{256, 512} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			benchSteady(b, n, false)
		})
	}
}

func benchSteady(b *testing.B, n int, useMG bool) {
	var asm, setup, solve time.Duration
	var iters int
	var mem int64
	for b.Loop() {
		t0 := time.Now()
		p := genFP(fpOpts{nx: n, ny: n})
		a, rhs := p.pinned(math.Abs(p.L.At(p.pin, p.pin)))
		t1 := time.Now()
		var m Preconditioner
		mem = a.MemoryBytes()
		if useMG {
			mg, err := NewGridMultigrid(a, n, n, false, false, MultigridOptions{})
			if err != nil {
				b.Fatal(err)
			}
			mem += mg.MemoryBytes()
			m = mg
		} else {
			ilu, err := NewILU0(a)
			if err != nil {
				b.Fatal(err)
			}
			mem += ilu.MemoryBytes()
			m = ilu
		}
		t2 := time.Now()
		x := make([]float64, a.Rows)
		st, err := BiCGStab(context.Background(), a, rhs, x, m, Options{Tol: 1e-10, MaxIter: 5000})
		if err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		asm += t1.Sub(t0)
		setup += t2.Sub(t1)
		solve += t3.Sub(t2)
		iters = st.Iterations
	}
	k := float64(b.N)
	b.ReportMetric(float64(asm.Milliseconds())/k, "asm-ms")
	b.ReportMetric(float64(setup.Milliseconds())/k, "setup-ms")
	b.ReportMetric(float64(solve.Milliseconds())/k, "solve-ms")
	b.ReportMetric(float64(iters), "iters")
	b.ReportMetric(float64(mem)/1e6, "MB")
}

// BenchmarkImplicitStep measures one implicit Euler step (I - dt L) p = p_old
// with multigrid-preconditioned BiCGStab (tolerance 1e-10), after the setup,
// for a small and a large time step (dt in units of the diffusive time h²).
func BenchmarkImplicitStep(b *testing.B) {
	for _, n := range []int{512, 1024} {
		p := genFP(fpOpts{nx: n, ny: n})
		h2 := p.hx * p.hx
		for _, dtH := range []float64{1, 100, 1e4} {
			b.Run(fmt.Sprintf("n=%d/dt=%gh2", n, dtH), func(b *testing.B) {
				a, err := p.L.ShiftScale(1, -dtH*h2)
				if err != nil {
					b.Fatal(err)
				}
				mg, err := NewGridMultigrid(a, n, n, false, false, MultigridOptions{})
				if err != nil {
					b.Fatal(err)
				}
				old := make([]float64, a.Rows)
				for i := range old {
					old[i] = 1 / float64(a.Rows)
				}
				x := make([]float64, a.Rows)
				var ws Workspace
				var iters int
				for b.Loop() {
					copy(x, old)
					st, err := BiCGStab(context.Background(), a, old, x, mg, Options{Tol: 1e-10, Work: &ws})
					if err != nil {
						b.Fatal(err)
					}
					iters = st.Iterations
				}
				b.ReportMetric(float64(iters), "iters")
			})
		}
	}
}

// BenchmarkMulVec measures the parallel matrix–vector product at 1024².
func BenchmarkMulVec(b *testing.B) {
	p := genFP(fpOpts{nx: 1024, ny: 1024})
	x := make([]float64, p.L.Rows)
	y := make([]float64, p.L.Rows)
	for i := range x {
		x[i] = 1
	}
	for b.Loop() {
		p.L.MulVec(y, x)
	}
	b.SetBytes(p.L.MemoryBytes())
}
