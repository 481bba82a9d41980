package potentials

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

var fsSink float64

// BenchmarkMLPSampleGrad times one per-sample gradient of the default MLP
// (H = 200, d = 1002 weights): ns/op is ns per sample.
func BenchmarkMLPSampleGrad(b *testing.B) {
	fs, _ := NewFiniteSum("mlp", nil)
	m := fs.(*MLP)
	x, g := make([]float64, m.Dim()), make([]float64, m.Dim())
	m.Init(x, 1)
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		fsSink += m.SampleGrad(g, x, k)
		k++
		if k == m.Samples() {
			k = 0
		}
	}
}

// BenchmarkMLPFullGrad times the full gradient of the default MLP over its
// N = 1000 samples.
func BenchmarkMLPFullGrad(b *testing.B) {
	fs, _ := NewFiniteSum("mlp", nil)
	m := fs.(*MLP)
	x, g, sc := make([]float64, m.Dim()), make([]float64, m.Dim()), make([]float64, m.Dim())
	m.Init(x, 1)
	b.ReportAllocs()
	for b.Loop() {
		fsSink += FullGrad(m, g, sc, x)
	}
}

// BenchmarkNoiseSampler times one draw of the SGD noise (and the full
// gradient) for the default MLP, without forming D.
func BenchmarkNoiseSampler(b *testing.B) {
	fs, _ := NewFiniteSum("mlp", nil)
	m := fs.(*MLP)
	d := m.Dim()
	x, g, xi := make([]float64, d), make([]float64, d), make([]float64, d)
	m.Init(x, 1)
	zeta := make([]float64, m.Samples())
	rng := rand.New(rand.NewPCG(1, 1))
	for k := range zeta {
		zeta[k] = rng.NormFloat64()
	}
	s := NewNoiseSampler(m)
	b.ReportAllocs()
	for b.Loop() {
		fsSink += s.Sample(xi, g, x, zeta, 0.01)
	}
}

// BenchmarkDiffusion1000 times D (Diffusion, N = 1000 samples), the Gram
// matrix of the centred gradients (DiffusionGram, when N < d) and the
// eigenvalues of D (mat.EigenSym, values only) at d about 1000: the default
// MLP (d = 1002) and LinReg with d = 1000.
func BenchmarkDiffusion1000(b *testing.B) {
	mlp, _ := NewFiniteSum("mlp", nil)
	lr, _ := NewFiniteSum("linreg", map[string]float64{"d": 1000})
	for _, c := range []struct {
		name string
		fs   FiniteSum
	}{{"mlp", mlp}, {"linreg", lr}} {
		d := c.fs.Dim()
		x := make([]float64, d)
		if m, ok := c.fs.(*MLP); ok {
			m.Init(x, 1)
		}
		D := make([]float64, d*d)
		b.Run(fmt.Sprintf("%s/d=%d/D", c.name, d), func(b *testing.B) {
			for b.Loop() {
				Diffusion(c.fs, D, x)
			}
		})
		if n := c.fs.Samples(); n < d {
			K := make([]float64, n*n)
			b.Run(fmt.Sprintf("%s/d=%d/Gram", c.name, d), func(b *testing.B) {
				for b.Loop() {
					DiffusionGram(c.fs, K, x)
				}
			})
		}
		Diffusion(c.fs, D, x)
		b.Run(fmt.Sprintf("%s/d=%d/EigenSym", c.name, d), func(b *testing.B) {
			var eig mat.EigenSym
			for b.Loop() {
				if !eig.Factorize(mat.NewSymDense(d, append([]float64(nil), D...)), false) {
					b.Fatal("EigenSym failed")
				}
			}
		})
	}
}
