package potentials

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
)

// FashionClasses is the number of classes of Fashion-MNIST, the width of
// the output layer of a FashionMLP.
const FashionClasses = 10

// FashionMLP is a fully connected tanh network with a softmax cross-entropy
// loss on the first N training images of Fashion-MNIST (see FashionMNIST).
// Its input u in [0, 1]^P is the image's P = 784 pixels divided by 255, not
// standardised (pixel 0, the background, is 0). With L = 1 or 2 hidden
// layers of width H,
//
//	h1 = tanh(W1 u + b1),   h2 = tanh(W2 h1 + b2) (L = 2),
//	o = Wo h_L + bo,   f_k(x) = log sum_c exp(o_c) - o_{c_k},
//
// over the C = 10 classes, the logsumexp shifted by max o. The weights are
// flattened into x in the order
//
//	x = [ W1 (H x P) | b1 (H) | W2 (H x H) | b2 (H) | Wo (C x H) | bo (C) ],
//
// matrices row-major (W1[j][i] = x[P j + i] multiplies pixel i into unit j),
// the block W2, b2 present only for L = 2, so that
//
//	d = P H + H + (L - 1)(H^2 + H) + C (H + 1),
//
// 25,450 weights for the default H = 32, L = 1. SampleGrad computes the
// exact per-sample gradient by backpropagation,
//
//	dL/do_c = p_c - [c = c_k],  p = softmax(o),
//	dL/dWo[c][j] = dL/do_c h_L,j,  dL/dh_L = Wo^T dL/do,
//	dL/dz_l = dL/dh_l (1 - h_l^2),  dL/dW_l = dL/dz_l h_(l-1)^T,
//	dL/dh_(l-1) = W_l^T dL/dz_l   (h_0 = u),
//
// keeping the activations h_l in the blocks of b_l in dst until they are
// replaced by dL/dz_l, and dL/dh_l in the first H entries of dW1 before it
// is written: it needs no other scratch than a 10-entry array on the stack
// and does not allocate. The dot products and the rows of the outer
// products use gonum's floats package (assembly kernels on amd64 and
// arm64).
//
// The model also holds the first M test images, on which Evaluate measures
// the test loss and accuracy; they take no part in the finite sum. A
// FashionMLP is safe for concurrent use.
//
// References:
//   - H. Xiao, K. Rasul and R. Vollgraf, Fashion-MNIST: a novel image
//     dataset for benchmarking machine learning algorithms,
//     arXiv:1708.07747 (2017) (the data).
//   - Y. LeCun, L. Bottou, G. B. Orr and K.-R. Müller, Efficient BackProp, in
//     Neural Networks: Tricks of the Trade, Springer (1998) (tanh units and
//     the initialisation of Init).
type FashionMLP struct {
	// Inputs holds the training inputs row-major, Pixels values in [0, 1]
	// per image; N = len(Class).
	Inputs []float64
	// Class holds the training labels, 0 to 9.
	Class []uint8
	// TestInputs and TestClass hold the test images and labels, laid out
	// like Inputs and Class; they may be empty.
	TestInputs []float64
	TestClass  []uint8
	// Pixels is the number P of inputs per image (784 for Fashion-MNIST).
	Pixels int
	// Width is the number H of units of each hidden layer.
	Width int
	// Layers is the number L of hidden layers, 1 or 2.
	Layers int
}

// NewFashionMLP reads the first n training images and the first test test
// images of Fashion-MNIST from dir (see LoadFashionMNIST; DefaultFashionMNISTDir
// for Debian's files) and returns the network with layers hidden layers of
// width units on them. n must be at least 2 and test may be 0.
func NewFashionMLP(dir string, n, test, width, layers int) (*FashionMLP, error) {
	train, err := fashionShape(dir, n, test, width, layers)
	if err != nil {
		return nil, err
	}
	if _, err := fashionBytes(n, test, train.Rows*train.Cols); err != nil {
		return nil, err
	}
	tr, err := LoadFashionMNIST(dir, FashionTrain, n)
	if err != nil {
		return nil, err
	}
	te, err := LoadFashionMNIST(dir, FashionTest, test)
	if err != nil {
		return nil, err
	}
	return NewFashionMLPFrom(tr, te, width, layers)
}

// NewFashionMLPFrom returns the network with layers hidden layers of width
// units trained on the images of train and evaluated on those of test (nil
// for none), whose images must have the same size.
func NewFashionMLPFrom(train, test *FashionMNIST, width, layers int) (*FashionMLP, error) {
	p := train.Rows * train.Cols
	if _, err := fashionDim(p, width, layers); err != nil {
		return nil, err
	}
	if train.Len() < 2 {
		return nil, fmt.Errorf("n = %d training images, want at least 2", train.Len())
	}
	m := &FashionMLP{Pixels: p, Width: width, Layers: layers}
	m.Inputs, m.Class = scaledPixels(train)
	if test != nil && test.Len() > 0 {
		if test.Rows != train.Rows || test.Cols != train.Cols {
			return nil, fmt.Errorf("test images of %d x %d pixels, training images of %d x %d", test.Rows, test.Cols, train.Rows, train.Cols)
		}
		m.TestInputs, m.TestClass = scaledPixels(test)
	}
	return m, nil
}

// scaledPixels returns the pixels of d divided by 255 and a copy of its
// labels.
func scaledPixels(d *FashionMNIST) ([]float64, []uint8) {
	u := make([]float64, len(d.Images))
	for i, b := range d.Images {
		u[i] = float64(b) / 255
	}
	return u, append([]uint8(nil), d.Labels...)
}

// fashionShape checks the sizes of a FashionMLP against the headers of the
// files in dir, without reading their data, and returns the training
// split's header (sizes and Count).
func fashionShape(dir string, n, test, width, layers int) (*FashionMNIST, error) {
	switch {
	case n < 2:
		return nil, fmt.Errorf("n = %d training images, want at least 2", n)
	case test < 0:
		return nil, fmt.Errorf("test = %d images, want at least 0", test)
	case layers != 1 && layers != 2:
		return nil, fmt.Errorf("layers = %d, want 1 or 2", layers)
	case width < 1:
		return nil, fmt.Errorf("width = %d units, want at least 1", width)
	}
	tr, err := LoadFashionMNIST(dir, FashionTrain, 0)
	if err != nil {
		return nil, err
	}
	te, err := LoadFashionMNIST(dir, FashionTest, 0)
	if err != nil {
		return nil, err
	}
	im, _ := FashionTrain.files()
	switch {
	case n > tr.Count:
		return nil, fmt.Errorf("n = %d training images, %s holds %d", n, im, tr.Count)
	case test > te.Count:
		im, _ = FashionTest.files()
		return nil, fmt.Errorf("test = %d images, %s holds %d", test, im, te.Count)
	case te.Rows != tr.Rows || te.Cols != tr.Cols:
		return nil, fmt.Errorf("test images of %d x %d pixels, training images of %d x %d", te.Rows, te.Cols, tr.Rows, tr.Cols)
	}
	if _, err := fashionDim(tr.Rows*tr.Cols, width, layers); err != nil {
		return nil, err
	}
	return tr, nil
}

// fashionDim returns d = P H + H + (L - 1)(H^2 + H) + C(H + 1) for P
// pixels, width H and layers L, or an error for invalid values or a d
// beyond 2^62.
func fashionDim(pixels, width, layers int) (int, error) {
	switch {
	case pixels < 1:
		return 0, fmt.Errorf("images of %d pixels, want at least 1", pixels)
	case layers != 1 && layers != 2:
		return 0, fmt.Errorf("layers = %d, want 1 or 2", layers)
	case width < 1:
		return 0, fmt.Errorf("width = %d units, want at least 1", width)
	case width > 1<<30 || pixels > 1<<30:
		return 0, fmt.Errorf("%w: width = %d units on %d pixels", ErrTooLarge, width, pixels)
	}
	return pixels*width + width + (layers-1)*(width*width+width) + FashionClasses*(width+1), nil
}

// fashionBytes returns the bytes of the data of a FashionMLP with n
// training and test test images of pixels pixels: the scaled inputs
// (8 bytes a pixel) and the labels (1 byte each). Building also holds, for
// a moment, the n + test images as read (1 byte a pixel).
func fashionBytes(n, test, pixels int) (int64, error) {
	return sumBytes(
		func() (int64, error) { return arrayBytes("training inputs", 8, n, pixels) },
		func() (int64, error) { return arrayBytes("test inputs", 8, test, pixels) },
		func() (int64, error) { return arrayBytes("labels", 1, n+test) },
	)
}

// Dim returns the number of weights d (see FashionMLP).
func (m *FashionMLP) Dim() int {
	H := m.Width
	return m.Pixels*H + H + (m.Layers-1)*(H*H+H) + FashionClasses*(H+1)
}

// Samples returns N, the number of training images.
func (m *FashionMLP) Samples() int { return len(m.Class) }

// fashionWeights is x cut into the blocks of FashionMLP's layout.
type fashionWeights struct {
	w1, b1, w2, b2, wo, bo []float64
}

// split cuts x (length Dim) into its blocks; w2 and b2 are empty for one
// hidden layer.
func (m *FashionMLP) split(x []float64) fashionWeights {
	P, H := m.Pixels, m.Width
	var w fashionWeights
	w.w1, x = x[:P*H], x[P*H:]
	w.b1, x = x[:H], x[H:]
	if m.Layers == 2 {
		w.w2, x = x[:H*H], x[H*H:]
		w.b2, x = x[:H], x[H:]
	}
	w.wo, w.bo = x[:FashionClasses*H], x[FashionClasses*H:FashionClasses*(H+1)]
	return w
}

// dense writes h = tanh(W u + b) for W of len(h) rows of len(u) entries.
func dense(h, w, b, u []float64) {
	n := len(u)
	for j := range h {
		h[j] = math.Tanh(b[j] + floats.Dot(w[j*n:(j+1)*n], u))
	}
}

// logits writes o = Wo h + bo.
func logits(o *[FashionClasses]float64, wo, bo, h []float64) {
	H := len(h)
	for c := range o {
		o[c] = bo[c] + floats.Dot(wo[c*H:(c+1)*H], h)
	}
}

// softmaxLoss replaces o by p = softmax(o) and returns log sum exp(o) -
// o_c.
func softmaxLoss(o *[FashionClasses]float64, c int) float64 {
	omax := o[0]
	for _, v := range o[1:] {
		omax = math.Max(omax, v)
	}
	loss := omax - o[c]
	sum := 0.0
	for i, v := range o {
		o[i] = math.Exp(v - omax)
		sum += o[i]
	}
	for i := range o {
		o[i] /= sum
	}
	return loss + math.Log(sum)
}

// backTanh replaces the activations h = tanh(z) of a layer by dL/dz =
// (W^T delta) (1 - h^2), where W has len(delta) rows of len(h) weights and
// delta is dL/d(W h); acc (length len(h)) holds W^T delta.
func backTanh(h, acc, w, delta []float64) {
	n := len(h)
	clear(acc)
	for r, dr := range delta {
		floats.AddScaled(acc, dr, w[r*n:(r+1)*n])
	}
	for i, v := range h {
		h[i] = acc[i] * (1 - v*v)
	}
}

// SampleGrad writes the gradient of f_k by backpropagation into dst and
// returns f_k (see FashionMLP for the layout). It does not allocate.
func (m *FashionMLP) SampleGrad(dst, x []float64, k int) float64 {
	P, H := m.Pixels, m.Width
	d := m.Dim()
	w, g := m.split(x[:d]), m.split(dst[:d])
	u := m.Inputs[k*P : (k+1)*P]

	// Forward: h1 into g.b1, h2 into g.b2.
	dense(g.b1, w.w1, w.b1, u)
	hL := g.b1
	if m.Layers == 2 {
		dense(g.b2, w.w2, w.b2, g.b1)
		hL = g.b2
	}
	var o [FashionClasses]float64
	logits(&o, w.wo, w.bo, hL)
	ck := int(m.Class[k])
	loss := softmaxLoss(&o, ck)

	// Backward: dL/do = p - e_ck in o.
	o[ck] -= 1
	for c, dc := range o {
		g.bo[c] = dc
		floats.ScaleTo(g.wo[c*H:(c+1)*H], dc, hL)
	}
	// dL/dz_L = (Wo^T dL/do) (1 - h_L^2) in place of h_L, with dL/dh_L
	// accumulated in the first H entries of dW1 (written last).
	acc := g.w1[:H]
	backTanh(hL, acc, w.wo, o[:])
	if m.Layers == 2 {
		// dL/dW2 = dz2 h1^T; dz1 = (W2^T dz2) (1 - h1^2) in place of h1.
		for j, dz := range g.b2 {
			floats.ScaleTo(g.w2[j*H:(j+1)*H], dz, g.b1)
		}
		backTanh(g.b1, acc, w.w2, g.b2)
	}
	// dL/dW1 = dz1 u^T.
	for j, dz := range g.b1 {
		floats.ScaleTo(g.w1[j*P:(j+1)*P], dz, u)
	}
	return loss
}

// Init writes a standard random initialisation into dst (length Dim): the
// LeCun normal initialisation for tanh units, each weight matrix
// N(0, 1/fan-in) (W1: 1/P, W2 and Wo: 1/H), and zero biases, from a PCG
// generator seeded with seed. The matrices are drawn in the order of the
// layout.
func (m *FashionMLP) Init(dst []float64, seed uint64) {
	dst = dst[:m.Dim()]
	clear(dst)
	rng := rand.New(rand.NewPCG(seed, 0xfa5_4104))
	w := m.split(dst)
	for _, b := range []struct {
		w     []float64
		fanIn int
	}{{w.w1, m.Pixels}, {w.w2, m.Width}, {w.wo, m.Width}} {
		s := 1 / math.Sqrt(float64(b.fanIn))
		for i := range b.w {
			b.w[i] = s * rng.NormFloat64()
		}
	}
}

// Evaluate returns the loss and the accuracy of the network with weights x
// on the training and on the test images (Evaluator). A tie between
// outputs counts as the class of lowest index. It allocates 2 H values per
// call.
func (m *FashionMLP) Evaluate(x []float64) Evaluation {
	w := m.split(x[:m.Dim()])
	h := make([]float64, 2*m.Width)
	e := Evaluation{Test: len(m.TestClass)}
	e.TrainLoss, e.TrainAccuracy = m.score(w, h, m.Inputs, m.Class)
	e.TestLoss, e.TestAccuracy = m.score(w, h, m.TestInputs, m.TestClass)
	return e
}

// score returns the mean loss and the accuracy on the given inputs and
// labels (NaN, NaN for none), with h (2 H values) for the activations.
func (m *FashionMLP) score(w fashionWeights, h, inputs []float64, class []uint8) (loss, acc float64) {
	if len(class) == 0 {
		return math.NaN(), math.NaN()
	}
	P, H := m.Pixels, m.Width
	right := 0
	for k, c := range class {
		hL := h[:H]
		dense(hL, w.w1, w.b1, inputs[k*P:(k+1)*P])
		if m.Layers == 2 {
			dense(h[H:], w.w2, w.b2, hL)
			hL = h[H:]
		}
		var o [FashionClasses]float64
		logits(&o, w.wo, w.bo, hL)
		best := 0
		for i, v := range o {
			if v > o[best] {
				best = i
			}
		}
		if best == int(c) {
			right++
		}
		loss += softmaxLoss(&o, int(c))
	}
	n := float64(len(class))
	return loss / n, float64(right) / n
}

func init() {
	registerFiniteSum(FiniteSumSpec{
		Name: "fashion-mlp",
		Summary: "tanh network (1 or 2 hidden layers), softmax cross-entropy, on the first n Fashion-MNIST training images " +
			"(Debian package " + FashionMNISTPackage + "; default d = 25450 weights)",
		Formula: "u = pixels / 255 (784 values in [0, 1]), h1 = tanh(W1 u + b1), h2 = tanh(W2 h1 + b2) if layers = 2, " +
			"o = Wo h_L + bo, f_k = logsumexp(o) - o_{c_k} over 10 classes; " +
			"x = [W1 (H x 784) | b1 (H) | W2 (H x H) | b2 (H) (layers = 2) | Wo (10 x H) | bo (10)], " +
			"d = 784 H + H + (L - 1)(H^2 + H) + 10(H + 1); data: the first n training and first test test images of Fashion-MNIST",
		Params: []Param{
			{Name: "n", Default: 1000, Doc: "number of training images N (the first n of the 60000)"},
			{Name: "test", Default: 1000, Doc: "number of test images for the test accuracy (the first of the 10000; 0 for none)"},
			{Name: "width", Default: 32, Doc: "units H of each hidden layer"},
			{Name: "layers", Default: 1, Doc: "hidden layers L, 1 or 2"},
			{Name: "seed", Default: 1, Doc: "seed of the PCG generator of the initial weights (the data are fixed; whole number >= 0)"},
		},
		DataDir: DefaultFashionMNISTDir,
		Build: func(p map[string]float64, dir string) (FiniteSum, error) {
			iv, err := fashionParams(p)
			if err != nil {
				return nil, err
			}
			return NewFashionMLP(dir, iv[0], iv[1], iv[2], iv[3])
		},
		Size: func(p map[string]float64, dir string) (FiniteSumSize, error) {
			iv, err := fashionParams(p)
			if err != nil {
				return FiniteSumSize{}, err
			}
			n, test, width, layers := iv[0], iv[1], iv[2], iv[3]
			tr, err := fashionShape(dir, n, test, width, layers)
			if err != nil {
				return FiniteSumSize{}, err
			}
			pixels := tr.Rows * tr.Cols
			d, _ := fashionDim(pixels, width, layers) // checked by fashionShape
			b, err := fashionBytes(n, test, pixels)
			return FiniteSumSize{Dim: d, Samples: n, Bytes: b}, err
		},
	})
}

// fashionParams returns n, test, width and layers of the parameters of
// "fashion-mlp" as integers, after checking that every parameter, seed
// included, is a whole number in range.
func fashionParams(p map[string]float64) ([]int, error) {
	iv, _, err := sizesAndSeed(p, "n", "width", "layers")
	if err != nil {
		return nil, err
	}
	test, err := intParams(p, 0, "test")
	if err != nil {
		return nil, err
	}
	return []int{iv[0], test[0], iv[1], iv[2]}, nil
}
