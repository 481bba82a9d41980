package potentials

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// syntheticFashionMLP writes a random synthetic data set of rows x cols
// images (nTrain training, nTest test) to a temporary directory and builds
// the network on it.
func syntheticFashionMLP(t testing.TB, rows, cols, nTrain, nTest, width, layers int) *FashionMLP {
	t.Helper()
	dir := t.TempDir()
	randomFashion(rows, cols, nTrain, nTest, uint64(7*rows+cols)).write(t, dir, true)
	m, err := NewFashionMLP(dir, nTrain, nTest, width, layers)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// perturbedInit returns the initialisation of m plus N(0, s^2) on every
// weight, biases included, so that no block is zero.
func perturbedInit(m *FashionMLP, seed uint64, s float64) []float64 {
	x := make([]float64, m.Dim())
	m.Init(x, seed)
	rng := rand.New(rand.NewPCG(seed, 99))
	for i := range x {
		x[i] += s * rng.NormFloat64()
	}
	return x
}

// fashionCases are small networks on synthetic data: 1 and 2 hidden
// layers, widths 1 to 5, images of 1 x 1 to 28 x 28 pixels.
func fashionCases(t testing.TB) []fsCase {
	var cases []fsCase
	for _, c := range []struct {
		rows, cols, width, layers int
		s                         float64
	}{
		{3, 4, 3, 1, 0.3},
		{3, 4, 4, 2, 0.3},
		{2, 2, 1, 2, 0.5},
		{1, 1, 2, 1, 1},
		{5, 3, 2, 2, 1},
		{28, 28, 3, 1, 0.1},
		{28, 28, 2, 2, 0.1},
	} {
		m := syntheticFashionMLP(t, c.rows, c.cols, 12, 3, c.width, c.layers)
		name := fmt.Sprintf("P=%d H=%d L=%d", c.rows*c.cols, c.width, c.layers)
		cases = append(cases, fsCase{name, m, perturbedInit(m, uint64(len(cases)+1), c.s)})
	}
	return cases
}

// TestFashionMLPDim checks d against the layout and the registry's
// formula.
func TestFashionMLPDim(t *testing.T) {
	for _, c := range []struct{ p, h, l, d int }{
		{784, 32, 1, 784*32 + 32 + 10*33},
		{784, 32, 2, 784*32 + 32 + 32*32 + 32 + 10*33},
		{12, 1, 2, 12 + 1 + 2 + 20},
	} {
		m := &FashionMLP{Pixels: c.p, Width: c.h, Layers: c.l}
		d, err := fashionDim(c.p, c.h, c.l)
		if err != nil || m.Dim() != c.d || d != c.d {
			t.Errorf("P = %d, H = %d, L = %d: Dim %d, fashionDim %d (%v), want %d", c.p, c.h, c.l, m.Dim(), d, err, c.d)
		}
	}
	if got := (&FashionMLP{Pixels: 784, Width: 32, Layers: 1}).Dim(); got != 25450 {
		t.Errorf("default d = %d, want 25450 (the registry's summary)", got)
	}
}

// TestFashionMLPFullGradFD compares FullGrad (the mean of the per-sample
// gradients) with central differences of the full loss f it returns, with
// the tolerance of TestFashionMLPSampleGradFD.
func TestFashionMLPFullGradFD(t *testing.T) {
	for _, c := range fashionCases(t)[:5] {
		t.Run(c.name, func(t *testing.T) {
			d := c.fs.Dim()
			g, sc := make([]float64, d), make([]float64, d)
			f := FullGrad(c.fs, g, sc, c.x)
			gmax := 0.0
			for _, v := range g {
				gmax = math.Max(gmax, math.Abs(v))
			}
			xp, tmp := append([]float64(nil), c.x...), make([]float64, d)
			worst := 0.0
			for i := 0; i < d; i++ {
				h := 1e-5 * math.Max(1, math.Abs(c.x[i]))
				xp[i] = c.x[i] + h
				fp := FullGrad(c.fs, tmp, sc, xp)
				xp[i] = c.x[i] - h
				fm := FullGrad(c.fs, tmp, sc, xp)
				xp[i] = c.x[i]
				err := math.Abs((fp-fm)/(2*h) - g[i])
				worst = math.Max(worst, err/(1+gmax))
				if !(err <= 1e-6*(1+gmax)) {
					t.Errorf("i = %d: g = %.12g, central difference %.12g", i, g[i], (fp-fm)/(2*h))
				}
			}
			if e := c.fs.(*FashionMLP).Evaluate(c.x); math.Abs(e.TrainLoss-f) > 1e-12*f {
				t.Errorf("Evaluate's training loss %.15g, FullGrad's %.15g", e.TrainLoss, f)
			}
			t.Logf("f = %.6g, largest |FD - g| / (1 + |g|_inf) = %.2g", f, worst)
		})
	}
}

// TestFashionMLPInit checks the initialisation: zero biases, weight blocks
// of mean 0 and variance 1/fan-in (within 5 standard errors: the sample
// variance of m normals has relative standard deviation sqrt(2/m)), the
// same bytes for the same seed and different ones for another seed.
func TestFashionMLPInit(t *testing.T) {
	for _, c := range []struct{ width, layers int }{{32, 1}, {64, 2}} {
		m := &FashionMLP{Pixels: 784, Width: c.width, Layers: c.layers}
		x := make([]float64, m.Dim())
		for i := range x {
			x[i] = math.NaN() // Init must write every entry
		}
		m.Init(x, 3)
		w := m.split(x)
		for name, b := range map[string][]float64{"b1": w.b1, "b2": w.b2, "bo": w.bo} {
			for _, v := range b {
				if v != 0 {
					t.Fatalf("L = %d: bias %s not zero", c.layers, name)
				}
			}
		}
		for _, b := range []struct {
			name  string
			w     []float64
			fanIn int
		}{{"W1", w.w1, 784}, {"W2", w.w2, c.width}, {"Wo", w.wo, c.width}} {
			if len(b.w) == 0 {
				continue
			}
			n := float64(len(b.w))
			mean, sq := 0.0, 0.0
			for _, v := range b.w {
				mean += v
				sq += v * v
			}
			mean /= n
			variance := sq/n - mean*mean
			want := 1 / float64(b.fanIn)
			t.Logf("H = %d, L = %d, %s: %d weights, mean %.3g, variance %.4g (want %.4g)", c.width, c.layers, b.name, len(b.w), mean, variance, want)
			if math.Abs(mean) > 5*math.Sqrt(want/n) || math.Abs(variance/want-1) > 5*math.Sqrt(2/n) {
				t.Errorf("%s: mean %.3g, variance %.4g, want 0 and %.4g", b.name, mean, variance, want)
			}
		}
		y, z := make([]float64, m.Dim()), make([]float64, m.Dim())
		m.Init(y, 3)
		m.Init(z, 4)
		if !equalFloats(x, y) || equalFloats(x, z) {
			t.Errorf("L = %d: same seed gives other weights, or another seed the same", c.layers)
		}
	}
}

// separableFashion writes a data set whose class c images are blank but
// for pixel c (255): classes 0 to 9 in turn, nTrain training and nTest
// test images of 4 x 4 pixels.
func separableFashion(t testing.TB, dir string, nTrain, nTest int) {
	t.Helper()
	gen := func(n int) ([]byte, []byte) {
		img, lab := make([]byte, 16*n), make([]byte, n)
		for k := range lab {
			c := k % FashionClasses
			lab[k] = byte(c)
			img[16*k+c] = 255
		}
		return img, lab
	}
	s := fashionSet{rows: 4, cols: 4}
	s.trainImages, s.trainLabels = gen(nTrain)
	s.testImages, s.testLabels = gen(nTest)
	s.write(t, dir, false)
}

// TestFashionMLPEvaluate checks Evaluate on a separable data set (pixel c
// lit for class c) with hand-set weights: W1 = a on the diagonal (unit j
// reads pixel j), Wo = b on the diagonal, so o = b tanh(a) e_c, the
// accuracy is 1 and the loss log(1 + 9 exp(-b tanh a)); with zero weights
// every output ties, the loss is log 10 and the accuracy the fraction of
// class 0 (ties go to the lowest index). Then full-batch gradient descent
// from Init must reach accuracy 1 on both sets.
func TestFashionMLPEvaluate(t *testing.T) {
	dir := t.TempDir()
	separableFashion(t, dir, 40, 20)
	for _, layers := range []int{1, 2} {
		m, err := NewFashionMLP(dir, 40, 20, FashionClasses, layers)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float64, m.Dim())
		e := m.Evaluate(x)
		if math.Abs(e.TrainLoss-math.Log(10)) > 1e-15 || math.Abs(e.TestLoss-math.Log(10)) > 1e-15 ||
			e.TrainAccuracy != 0.1 || e.TestAccuracy != 0.1 || e.Test != 20 {
			t.Errorf("L = %d, zero weights: %+v, want loss log 10 and accuracy 0.1", layers, e)
		}
		const a, b = 3.0, 4.0
		w := m.split(x)
		for j := 0; j < FashionClasses; j++ {
			w.w1[j*16+j] = a
			w.wo[j*FashionClasses+j] = b
		}
		o := b * math.Tanh(a)
		if layers == 2 {
			for j := 0; j < FashionClasses; j++ {
				w.w2[j*FashionClasses+j] = a
			}
			o = b * math.Tanh(a*math.Tanh(a))
		}
		want := math.Log(1 + 9*math.Exp(-o))
		e = m.Evaluate(x)
		if e.TrainAccuracy != 1 || e.TestAccuracy != 1 || math.Abs(e.TrainLoss-want) > 1e-14 || math.Abs(e.TestLoss-want) > 1e-14 {
			t.Errorf("L = %d, hand-set weights: %+v, want accuracy 1 and loss %.15g", layers, e, want)
		}

		m.Init(x, 1)
		g, sc := make([]float64, m.Dim()), make([]float64, m.Dim())
		f0 := FullGrad(m, g, sc, x)
		for range 300 {
			FullGrad(m, g, sc, x)
			for i := range x {
				x[i] -= 0.5 * g[i]
			}
		}
		e = m.Evaluate(x)
		t.Logf("L = %d: gradient descent, loss %.3g -> %.3g, accuracy train %.2f test %.2f", layers, f0, e.TrainLoss, e.TrainAccuracy, e.TestAccuracy)
		if e.TrainAccuracy != 1 || e.TestAccuracy != 1 || !(e.TrainLoss < f0/10) {
			t.Errorf("L = %d: after gradient descent %+v (initial loss %.3g)", layers, e, f0)
		}
	}
	m, err := NewFashionMLP(dir, 40, 0, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if e := m.Evaluate(make([]float64, m.Dim())); e.Test != 0 || !math.IsNaN(e.TestLoss) || !math.IsNaN(e.TestAccuracy) {
		t.Errorf("no test images: %+v, want NaN test loss and accuracy", e)
	}
}

// TestFashionMLPNoAllocs checks that SampleGrad does not allocate and that
// concurrent calls on one model give the serial results (run with -race).
func TestFashionMLPNoAllocs(t *testing.T) {
	for _, c := range fashionCases(t) {
		d, n := c.fs.Dim(), c.fs.Samples()
		g := make([]float64, d)
		if a := testing.AllocsPerRun(50, func() { c.fs.SampleGrad(g, c.x, 1) }); a != 0 {
			t.Errorf("%s: SampleGrad allocates %v times", c.name, a)
		}
		want := make([]float64, n*d)
		for k := 0; k < n; k++ {
			c.fs.SampleGrad(want[k*d:(k+1)*d], c.x, k)
		}
		var wg sync.WaitGroup
		errs := make(chan string, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g := make([]float64, d)
				for k := 0; k < n; k++ {
					c.fs.SampleGrad(g, c.x, k)
					if !equalFloats(g, want[k*d:(k+1)*d]) {
						errs <- fmt.Sprintf("%s: sample %d differs", c.name, k)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	}
}

// TestFashionMLPRegistry builds "fashion-mlp" through the registry on a
// synthetic data set: the size known before building matches the model
// (d, N and the bytes of the data), the default start is Init with the
// seed, and invalid parameters, too few images and missing files are
// errors that name what is wrong and no flag.
func TestFashionMLPRegistry(t *testing.T) {
	dir := t.TempDir()
	randomFashion(5, 4, 30, 8, 3).write(t, dir, true)
	for _, set := range []map[string]float64{
		{"n": 30, "test": 8, "width": 3},
		{"n": 2, "test": 0, "width": 1, "layers": 2, "seed": 5},
	} {
		z, err := SizeOfFiniteSumIn("fashion-mlp", set, dir)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := NewFiniteSumIn("fashion-mlp", set, dir)
		if err != nil {
			t.Fatal(err)
		}
		m := fs.(*FashionMLP)
		n, test := int(set["n"]), int(set["test"])
		if z.Dim != m.Dim() || z.Samples != n || m.Samples() != n || len(m.TestClass) != test ||
			z.Bytes != int64(8*20*(n+test)+n+test) {
			t.Errorf("%v: size %+v, model d = %d, N = %d, %d test images", set, z, m.Dim(), m.Samples(), len(m.TestClass))
		}
		x := FiniteSumStart(fs, map[string]float64{"seed": set["seed"]})
		y := make([]float64, m.Dim())
		m.Init(y, uint64(set["seed"]))
		if !equalFloats(x, y) {
			t.Errorf("%v: FiniteSumStart is not Init(seed)", set)
		}
	}
	for _, c := range []struct {
		set  map[string]float64
		want string
	}{
		{map[string]float64{"n": 1}, "n = 1 training images, want at least 2"},
		{map[string]float64{"n": 31}, "n = 31 training images, train-images-idx3-ubyte holds 30"},
		{map[string]float64{"test": 9}, "test = 9 images, t10k-images-idx3-ubyte holds 8"},
		{map[string]float64{"test": -1}, "test = -1 must be a whole number >= 0"},
		{map[string]float64{"layers": 3}, "layers = 3, want 1 or 2"},
		{map[string]float64{"width": 0}, "width = 0 must be a whole number >= 1"},
		{map[string]float64{"width": 1 << 40}, "too large to allocate: width = 1099511627776 units on 20 pixels"},
		{map[string]float64{"n": 1.5}, "n = 1.5 must be a whole number"},
		{map[string]float64{"seed": -1}, "seed = -1"},
		{map[string]float64{"hidden": 4}, `"fashion-mlp" has no parameter "hidden" (parameters: n, test, width, layers, seed)`},
	} {
		set := map[string]float64{"n": 30, "test": 8}
		for k, v := range c.set {
			set[k] = v
		}
		_, err1 := SizeOfFiniteSumIn("fashion-mlp", set, dir)
		fs, err2 := NewFiniteSumIn("fashion-mlp", set, dir)
		if err1 == nil || err2 == nil || fs != nil || err1.Error() != err2.Error() {
			t.Errorf("%v: SizeOfFiniteSum %v, NewFiniteSum %v, want the same error", c.set, err1, err2)
			continue
		}
		if !strings.Contains(err1.Error(), c.want) || strings.Contains(err1.Error(), "--") {
			t.Errorf("%v: error %q, want %q", c.set, err1, c.want)
		}
	}
	missing := t.TempDir()
	for _, f := range []func() error{
		func() error { _, err := NewFiniteSumIn("fashion-mlp", nil, missing); return err },
		func() error { _, err := SizeOfFiniteSumIn("fashion-mlp", nil, missing); return err },
	} {
		err := f()
		var e *FashionMNISTMissingError
		if !errors.As(err, &e) || e.Dir != missing || !strings.Contains(err.Error(), missing) ||
			!strings.Contains(err.Error(), "dataset-fashion-mnist") || strings.Contains(err.Error(), "--") {
			t.Errorf("missing data: %v, want a *FashionMNISTMissingError naming %s and the package", err, missing)
		}
	}
	for _, f := range []func() error{
		func() error { _, err := NewFiniteSumIn("mlp", nil, dir); return err },
		func() error { _, err := SizeOfFiniteSumIn("linreg", nil, dir); return err },
	} {
		var e *NoDataDirError
		if err := f(); !errors.As(err, &e) || e.Dir != dir {
			t.Errorf("a data directory for a generated model: %v, want a *NoDataDirError", err)
		}
	}
}

// TestFashionMLPDebian builds the default "fashion-mlp" on Debian's files,
// when installed, and reports its size, the loss and the accuracies at the
// initialisation: about log 10 = 2.30 and 0.1 for an untrained network.
func TestFashionMLPDebian(t *testing.T) {
	debianFashion(t)
	z, err := SizeOfFiniteSum("fashion-mlp", nil)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := NewFiniteSum("fashion-mlp", nil)
	if err != nil {
		t.Fatal(err)
	}
	m := fs.(*FashionMLP)
	if z.Dim != 25450 || m.Dim() != 25450 || m.Samples() != 1000 || len(m.TestClass) != 1000 || z.Bytes != 8*784*2000+2000 {
		t.Fatalf("default model: size %+v, d = %d, N = %d, %d test images", z, m.Dim(), m.Samples(), len(m.TestClass))
	}
	for _, u := range m.Inputs {
		if !(u >= 0 && u <= 1) {
			t.Fatalf("input %g outside [0, 1]", u)
		}
	}
	x := FiniteSumStart(fs, map[string]float64{"seed": 1})
	g, sc := make([]float64, m.Dim()), make([]float64, m.Dim())
	f := FullGrad(m, g, sc, x)
	e := m.Evaluate(x)
	gn := 0.0
	for _, v := range g {
		gn += v * v
	}
	t.Logf("default fashion-mlp at Init(1): f = %.4f, |grad f| = %.4f; train accuracy %.3f; test loss %.4f, accuracy %.3f",
		f, math.Sqrt(gn), e.TrainAccuracy, e.TestLoss, e.TestAccuracy)
	if math.Abs(f-e.TrainLoss) > 1e-12*f || !(f > 1.5 && f < 4) || !(e.TestAccuracy < 0.5) {
		t.Errorf("at Init: f = %g, evaluation %+v", f, e)
	}
}
