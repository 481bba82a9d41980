package potentials

import (
	"fmt"
	"testing"
)

// benchFashionMLP returns a FashionMLP of the default shape (N = 1000
// images of 28 x 28 pixels) with width units in layers hidden layers, on
// synthetic images written to a temporary directory (the cost of a sample
// does not depend on the pixel values), and its initialisation.
func benchFashionMLP(b *testing.B, width, layers int) (*FashionMLP, []float64) {
	m := syntheticFashionMLP(b, 28, 28, 1000, 0, width, layers)
	x := make([]float64, m.Dim())
	m.Init(x, 1)
	return m, x
}

// BenchmarkFashionMLPSampleGrad times one per-sample gradient: ns/op is ns
// per sample. H = 32, L = 1 is the default (d = 25450).
func BenchmarkFashionMLPSampleGrad(b *testing.B) {
	for _, c := range []struct{ width, layers int }{{32, 1}, {32, 2}, {128, 1}} {
		m, x := benchFashionMLP(b, c.width, c.layers)
		g := make([]float64, m.Dim())
		b.Run(fmt.Sprintf("H=%d/L=%d/d=%d", c.width, c.layers, m.Dim()), func(b *testing.B) {
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				fsSink += m.SampleGrad(g, x, k)
				k++
				if k == m.Samples() {
					k = 0
				}
			}
		})
	}
}

// BenchmarkFashionMLPFullGrad times the full gradient of the default shape
// over its N = 1000 samples.
func BenchmarkFashionMLPFullGrad(b *testing.B) {
	m, x := benchFashionMLP(b, 32, 1)
	g, sc := make([]float64, m.Dim()), make([]float64, m.Dim())
	b.ReportAllocs()
	for b.Loop() {
		fsSink += FullGrad(m, g, sc, x)
	}
}
