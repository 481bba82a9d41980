package potentials

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// MLPMaxClasses is the largest number of classes an MLP accepts; the output
// layer's activations live on the stack, which keeps SampleGrad free of
// allocation.
const MLPMaxClasses = 16

// MLP is a one-hidden-layer tanh network with a softmax cross-entropy loss on
// N labelled points (u_k, c_k) in the plane, u_k in R^2, c_k in {0, ..., C-1}:
//
//	h = tanh(W1 u + b1),   o = W2 h + b2,
//	f_k(x) = log sum_c exp(o_c) - o_{c_k}    (computed as logsumexp shifted by max o),
//
// with H hidden units. The d = 3H + C(H + 1) weights are flattened into x in
// the order
//
//	x = [ W1 (H x 2, row-major) | b1 (H) | W2 (C x H, row-major) | b2 (C) ],
//
// so W1[j][i] = x[2j + i], b1[j] = x[2H + j], W2[c][j] = x[3H + cH + j] and
// b2[c] = x[3H + CH + c]. SampleGrad computes the exact per-sample gradient by
// backpropagation,
//
//	dL/do_c = p_c - [c = c_k],  p = softmax(o),
//	dL/dW2[c][j] = dL/do_c h_j,  dL/dh_j = sum_c dL/do_c W2[c][j],
//	dL/dz_j = dL/dh_j (1 - h_j^2),  dL/dW1[j][i] = dL/dz_j u_i,
//
// keeping the hidden activations in the b1 block of dst until they are
// replaced by dL/dz_j: it needs no scratch and does not allocate. With C = 2
// the softmax is the logistic loss on o_1 - o_0.
//
// NewMLP generates C interleaved spirals ("two spirals" for C = 2): a point
// of class c has t ~ U(0, 1) and
//
//	u = t (cos theta, sin theta) + noise * z,  theta = 2 pi (turns t + c / C),
//
// z ~ N(0, I). The default H = 200, C = 2 gives d = 1002 weights.
//
// An MLP is safe for concurrent use.
//
// References:
//   - K. J. Lang and M. J. Witbrock, Learning to tell two spirals apart,
//     Proc. 1988 Connectionist Models Summer School, 52-59 (the data set).
//   - Y. LeCun, L. Bottou, G. B. Orr and K.-R. Müller, Efficient BackProp, in
//     Neural Networks: Tricks of the Trade, Springer (1998) (tanh units and
//     the initialisation of Init).
//   - P. Chaudhari and S. Soatto, ICLR 2018, arXiv:1710.11029 (the low rank
//     of D for deep networks).
type MLP struct {
	// U holds the inputs row-major: u_k = (U[2k], U[2k+1]).
	U []float64
	// Class holds the labels c_k in {0, ..., Classes-1}; N = len(Class).
	Class []int
	// Hidden is the number H of hidden units.
	Hidden int
	// Classes is the number C of classes, 2 <= C <= MLPMaxClasses.
	Classes int
}

// NewMLP generates the spiral data set with n points and the given number of
// classes, spiral turns and input noise, for a network of hidden tanh units
// (see MLP), from a PCG generator seeded with seed.
func NewMLP(n, hidden, classes int, turns, noise float64, seed uint64) (*MLP, error) {
	if _, err := mlpDim(hidden, classes); err != nil {
		return nil, err
	}
	switch {
	case n < 2:
		return nil, fmt.Errorf("n = %d samples, want at least 2", n)
	case !(turns >= 0) || math.IsInf(turns, 0):
		return nil, fmt.Errorf("turns = %g, want a finite number >= 0", turns)
	case !(noise >= 0) || math.IsInf(noise, 0):
		return nil, fmt.Errorf("noise = %g, want a finite number >= 0", noise)
	}
	if _, err := mlpBytes(n); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x5b1_7a15))
	m := &MLP{U: make([]float64, 2*n), Class: make([]int, n), Hidden: hidden, Classes: classes}
	for k := 0; k < n; k++ {
		c := k % classes
		t := rng.Float64()
		th := 2 * math.Pi * (turns*t + float64(c)/float64(classes))
		s, co := math.Sincos(th)
		m.Class[k] = c
		m.U[2*k] = t*co + noise*rng.NormFloat64()
		m.U[2*k+1] = t*s + noise*rng.NormFloat64()
	}
	return m, nil
}

// mlpDim returns the number of weights d = 3H + C(H + 1) of a network with
// hidden units and classes, or the error of NewMLP for invalid values or a
// d beyond 2^62.
func mlpDim(hidden, classes int) (int, error) {
	switch {
	case hidden < 1:
		return 0, fmt.Errorf("hidden = %d units, want at least 1", hidden)
	case classes < 2 || classes > MLPMaxClasses:
		return 0, fmt.Errorf("classes = %d, want 2 to %d", classes, MLPMaxClasses)
	case hidden > (1<<62)/(3+MLPMaxClasses):
		return 0, fmt.Errorf("%w: hidden = %d units", ErrTooLarge, hidden)
	}
	return 3*hidden + classes*(hidden+1), nil
}

// mlpBytes returns the bytes of the data of an MLP with n samples: the
// inputs (n x 2) and the labels (n); an error wraps ErrTooLarge for arrays
// that cannot be allocated.
func mlpBytes(n int) (int64, error) {
	return arrayBytes("inputs and labels", 8, n, 3)
}

// Dim returns the number of weights d = 3H + C(H + 1).
func (m *MLP) Dim() int { return 3*m.Hidden + m.Classes*(m.Hidden+1) }

// Samples returns N.
func (m *MLP) Samples() int { return len(m.Class) }

// SampleGrad writes the gradient of f_k by backpropagation into dst and
// returns f_k (see MLP for the layout). It does not allocate.
func (m *MLP) SampleGrad(dst, x []float64, k int) float64 {
	H, C := m.Hidden, m.Classes
	d := m.Dim()
	x, dst = x[:d], dst[:d]
	w1, b1 := x[:2*H], x[2*H:3*H]
	w2, b2 := x[3*H:3*H+C*H], x[3*H+C*H:]
	dw1, db1 := dst[:2*H], dst[2*H:3*H]
	dw2, db2 := dst[3*H:3*H+C*H], dst[3*H+C*H:]
	u0, u1 := m.U[2*k], m.U[2*k+1]

	// Forward: hidden activations into db1.
	for j := range db1 {
		db1[j] = math.Tanh(w1[2*j]*u0 + w1[2*j+1]*u1 + b1[j])
	}
	var o [MLPMaxClasses]float64
	omax := math.Inf(-1)
	for c := 0; c < C; c++ {
		s := b2[c]
		for j, w := range w2[c*H : (c+1)*H] {
			s += w * db1[j]
		}
		o[c] = s
		omax = math.Max(omax, s)
	}
	ck := m.Class[k]
	loss := omax - o[ck] // f_k = log sum_c exp(o_c - omax) + omax - o_ck
	sum := 0.0
	for c := 0; c < C; c++ {
		o[c] = math.Exp(o[c] - omax) // shifted exponentials, in (0, 1]
		sum += o[c]
	}
	loss += math.Log(sum)
	// Backward: dL/do_c = p_c - [c = ck], stored in o.
	for c := 0; c < C; c++ {
		o[c] /= sum
	}
	o[ck] -= 1
	for c := 0; c < C; c++ {
		db2[c] = o[c]
		row := dw2[c*H : (c+1)*H]
		for j, h := range db1 {
			row[j] = o[c] * h
		}
	}
	for j, h := range db1 {
		s := 0.0
		for c := 0; c < C; c++ {
			s += o[c] * w2[c*H+j]
		}
		dz := s * (1 - h*h)
		db1[j] = dz
		dw1[2*j] = dz * u0
		dw1[2*j+1] = dz * u1
	}
	return loss
}

// Init writes a standard random initialisation into dst (length Dim): the
// LeCun normal initialisation for tanh units, W1 ~ N(0, 1/2) (fan-in 2),
// W2 ~ N(0, 1/H) (fan-in H), and zero biases, from a PCG generator seeded
// with seed.
func (m *MLP) Init(dst []float64, seed uint64) {
	H, C := m.Hidden, m.Classes
	dst = dst[:m.Dim()]
	rng := rand.New(rand.NewPCG(seed, 0x1_417))
	clear(dst)
	s1 := math.Sqrt(0.5)
	for i := range dst[:2*H] {
		dst[i] = s1 * rng.NormFloat64()
	}
	s2 := 1 / math.Sqrt(float64(H))
	for i := range dst[3*H : 3*H+C*H] {
		dst[3*H+i] = s2 * rng.NormFloat64()
	}
}
