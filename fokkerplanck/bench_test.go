package fokkerplanck

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// BenchmarkSteadyState times assembly plus solve of the steady state of the
// default double well (full, state-dependent D) at 256^2, 512^2, 1024^2 and
// 2048^2 nodes (time should grow like the number of nodes), and reports the Krylov iterations, the solve's own seconds
// (Steady.SolveSeconds) and the bytes allocated per node (an upper bound on
// the peak memory, which sets MemoryEstimate).
func BenchmarkSteadyState(b *testing.B) {
	m, err := potentials.New("double-well", nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{256, 512, 1024, 2048} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			g, _ := NewGrid(m.Box, []int{n, n}, false)
			var ms0, ms1 runtime.MemStats
			iters, fine := 0, 0
			solve := 0.0
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			for i := 0; i < b.N; i++ {
				op, err := NewOperator(context.Background(), m, 0.5, g)
				if err != nil {
					b.Fatal(err)
				}
				st, err := op.SteadyState(context.Background(), SteadyOptions{})
				if err != nil {
					b.Fatal(err)
				}
				iters, fine = st.Iterations, st.FineIterations
				solve += st.SolveSeconds
			}
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(iters), "iters")
			b.ReportMetric(float64(fine), "fine-iters")
			b.ReportMetric(solve/float64(b.N), "solve-s")
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(b.N)/float64(g.Len()), "B/node")
		})
	}
}

// BenchmarkAssemble times the assembly of the generator of the default
// double well at 512^2 nodes.
func BenchmarkAssemble(b *testing.B) {
	m, err := potentials.New("double-well", nil)
	if err != nil {
		b.Fatal(err)
	}
	g, _ := NewGrid(m.Box, []int{512, 512}, false)
	for i := 0; i < b.N; i++ {
		if _, err := NewOperator(context.Background(), m, 0.5, g); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMFPT times assembly plus the mean first-passage time solve of
// the default double well at T = 0.5 to the disc of radius 0.25 about its
// right minimum (1, 0), on the grids of BenchmarkSteadyState, and reports
// the Krylov iterations, the solve's own seconds (MFPT.SolveSeconds) and the
// bytes allocated per node as that benchmark does.
func BenchmarkMFPT(b *testing.B) {
	m, err := potentials.New("double-well", nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{256, 512, 1024} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			g, _ := NewGrid(m.Box, []int{n, n}, false)
			target, err := g.Disc([]float64{1, 0}, 0.25)
			if err != nil {
				b.Fatal(err)
			}
			var ms0, ms1 runtime.MemStats
			iters := 0
			solve := 0.0
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			for i := 0; i < b.N; i++ {
				op, err := NewOperator(context.Background(), m, 0.5, g)
				if err != nil {
					b.Fatal(err)
				}
				mf, err := op.MeanFirstPassage(context.Background(), target, BackwardOptions{})
				if err != nil {
					b.Fatal(err)
				}
				iters = mf.Iterations
				solve += mf.SolveSeconds
			}
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(iters), "iters")
			b.ReportMetric(solve/float64(b.N), "solve-s")
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(b.N)/float64(g.Len()), "B/node")
		})
	}
}
