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
	ck := m.Class[k]
	loss := mlpOutput(&o, db1, w2, b2, C, ck)
	// Backward: dL/do_c = p_c - [c = ck], stored in o.
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

// SumGrad writes sum_{k in batch} g_k (every sample when batch is nil) into
// dst and returns sum_{k in batch} f_k, bit for bit what adding the
// SampleGrad results in the order of batch gives, without writing a d-vector
// per sample: the backward pass adds into dst directly. With two classes it
// takes the samples four at a time, so that each weight's sum is loaded and
// stored once per four samples and the four output dot products run side by
// side (each sum still in sample order). scratch[:4H] holds the hidden
// activations. It does not allocate.
func (m *MLP) SumGrad(dst, scratch, x []float64, batch []int) float64 {
	H, C := m.Hidden, m.Classes
	d := m.Dim()
	x, dst = x[:d], dst[:d]
	clear(dst)
	n := len(batch)
	if batch == nil {
		n = len(m.Class)
	}
	sample := func(i int) int {
		if batch == nil {
			return i
		}
		return batch[i]
	}
	f := 0.0
	i := 0
	if C == 2 {
		for ; i+4 <= n; i += 4 {
			f = m.addGrad2x4(f, dst, scratch[:4*H], x, sample(i), sample(i+1), sample(i+2), sample(i+3))
		}
	}
	for ; i < n; i++ {
		f += m.addGrad(dst, scratch[:H], x, sample(i))
	}
	return f
}

// addGrad adds g_k into dst and returns f_k, by the operations of
// SampleGrad in its order; h (length H) is scratch.
func (m *MLP) addGrad(dst, h, x []float64, k int) float64 {
	H, C := m.Hidden, m.Classes
	w1, b1 := x[:2*H], x[2*H:3*H]
	w2, b2 := x[3*H:3*H+C*H], x[3*H+C*H:]
	dw1, db1 := dst[:2*H], dst[2*H:3*H]
	dw2, db2 := dst[3*H:3*H+C*H], dst[3*H+C*H:]
	u0, u1 := m.U[2*k], m.U[2*k+1]
	for j := range h {
		h[j] = math.Tanh(w1[2*j]*u0 + w1[2*j+1]*u1 + b1[j])
	}
	var o [MLPMaxClasses]float64
	loss := mlpOutput(&o, h, w2, b2, C, m.Class[k])
	for c := 0; c < C; c++ {
		oc := o[c]
		db2[c] += oc
		row := dw2[c*H : (c+1)*H]
		for j, hj := range h {
			row[j] += oc * hj
		}
	}
	for j, hj := range h {
		s := 0.0
		for c := 0; c < C; c++ {
			s += o[c] * w2[c*H+j]
		}
		dz := s * (1 - hj*hj)
		db1[j] += dz
		dw1[2*j] += dz * u0
		dw1[2*j+1] += dz * u1
	}
	return loss
}

// addGrad2x4 adds g_k for the samples k = ka, kb, kc, kd, in this order,
// into dst and returns f + f_ka + f_kb + f_kc + f_kd (added in this order), for
// a network with two classes: every sum is formed in the order of SampleGrad
// and of the per-sample loop, so the result is that of four addGrad calls
// bit for bit. h (length 4H) is scratch.
func (m *MLP) addGrad2x4(f float64, dst, h, x []float64, ka, kb, kc, kd int) float64 {
	H := m.Hidden
	w1, b1 := x[:2*H], x[2*H:3*H]
	w2a, w2b, b2 := x[3*H:4*H], x[4*H:5*H], x[5*H:5*H+2]
	dw1, db1 := dst[:2*H], dst[2*H:3*H]
	dw2a, dw2b, db2 := dst[3*H:4*H], dst[4*H:5*H], dst[5*H:5*H+2]
	ha, hb, hc, hd := h[:H], h[H:2*H], h[2*H:3*H], h[3*H:4*H]
	ua0, ua1 := m.U[2*ka], m.U[2*ka+1]
	ub0, ub1 := m.U[2*kb], m.U[2*kb+1]
	uc0, uc1 := m.U[2*kc], m.U[2*kc+1]
	ud0, ud1 := m.U[2*kd], m.U[2*kd+1]
	w1 = w1[:2*len(ha)]
	b1 = b1[:len(ha)]
	hb, hc, hd = hb[:len(ha)], hc[:len(ha)], hd[:len(ha)]
	for j := range ha {
		p, q, r := w1[2*j], w1[2*j+1], b1[j]
		ha[j] = math.Tanh(p*ua0 + q*ua1 + r)
		hb[j] = math.Tanh(p*ub0 + q*ub1 + r)
		hc[j] = math.Tanh(p*uc0 + q*uc1 + r)
		hd[j] = math.Tanh(p*ud0 + q*ud1 + r)
	}
	// Outputs o_c = b2[c] + sum_j W2[c][j] h_j, each sum in the order j.
	a0, a1, bb0, bb1 := b2[0], b2[1], b2[0], b2[1]
	c0, c1, d0, d1 := b2[0], b2[1], b2[0], b2[1]
	w2a, w2b = w2a[:len(ha)], w2b[:len(ha)]
	for j, p := range w2a {
		q := w2b[j]
		a0 += p * ha[j]
		a1 += q * ha[j]
		bb0 += p * hb[j]
		bb1 += q * hb[j]
		c0 += p * hc[j]
		c1 += q * hc[j]
		d0 += p * hd[j]
		d1 += q * hd[j]
	}
	var la, lb, lc, ld float64
	la, a0, a1 = softmax2(a0, a1, m.Class[ka])
	lb, bb0, bb1 = softmax2(bb0, bb1, m.Class[kb])
	lc, c0, c1 = softmax2(c0, c1, m.Class[kc])
	ld, d0, d1 = softmax2(d0, d1, m.Class[kd])
	f += la
	f += lb
	f += lc
	f += ld
	db2[0] += a0
	db2[1] += a1
	db2[0] += bb0
	db2[1] += bb1
	db2[0] += c0
	db2[1] += c1
	db2[0] += d0
	db2[1] += d1
	dw1 = dw1[:2*len(ha)]
	db1 = db1[:len(ha)]
	dw2a, dw2b = dw2a[:len(ha)], dw2b[:len(ha)]
	for j, p := range w2a {
		q := w2b[j]
		xa, xb, xc, xd := ha[j], hb[j], hc[j], hd[j]
		r := dw2a[j]
		r += a0 * xa
		r += bb0 * xb
		r += c0 * xc
		r += d0 * xd
		dw2a[j] = r
		r = dw2b[j]
		r += a1 * xa
		r += bb1 * xb
		r += c1 * xc
		r += d1 * xd
		dw2b[j] = r
		var s float64
		s = 0.0
		s += a0 * p
		s += a1 * q
		za := s * (1 - xa*xa)
		s = 0.0
		s += bb0 * p
		s += bb1 * q
		zb := s * (1 - xb*xb)
		s = 0.0
		s += c0 * p
		s += c1 * q
		zc := s * (1 - xc*xc)
		s = 0.0
		s += d0 * p
		s += d1 * q
		zd := s * (1 - xd*xd)
		r = db1[j]
		r += za
		r += zb
		r += zc
		r += zd
		db1[j] = r
		r = dw1[2*j]
		r += za * ua0
		r += zb * ub0
		r += zc * uc0
		r += zd * ud0
		dw1[2*j] = r
		r = dw1[2*j+1]
		r += za * ua1
		r += zb * ub1
		r += zc * uc1
		r += zd * ud1
		dw1[2*j+1] = r
	}
	return f
}

// softmax2 is mlpOutput for two classes given the outputs o0, o1: it returns
// the loss and dL/do_0, dL/do_1, by the same operations.
func softmax2(o0, o1 float64, ck int) (loss, d0, d1 float64) {
	omax := math.Max(math.Max(math.Inf(-1), o0), o1)
	if ck == 0 {
		loss = omax - o0
	} else {
		loss = omax - o1
	}
	e0, e1 := math.Exp(o0-omax), math.Exp(o1-omax)
	sum := 0.0
	sum += e0
	sum += e1
	loss += math.Log(sum)
	d0, d1 = e0/sum, e1/sum
	if ck == 0 {
		d0 -= 1
	} else {
		d1 -= 1
	}
	return loss, d0, d1
}

// mlpOutput computes the outputs o = W2 h + b2 of an MLP with C classes, the
// loss f_k = log sum_c exp(o_c) - o_ck (shifted by max o), and overwrites o
// with dL/do_c = p_c - [c = ck], p = softmax(o): the operations of
// SampleGrad, in its order.
func mlpOutput(o *[MLPMaxClasses]float64, h, w2, b2 []float64, C, ck int) float64 {
	H := len(h)
	if C == 2 {
		// The two sums side by side, each in the order j.
		s0, s1 := b2[0], b2[1]
		w0, w1 := w2[:H], w2[H:2*H]
		for j, hj := range h {
			s0 += w0[j] * hj
			s1 += w1[j] * hj
		}
		var loss float64
		loss, o[0], o[1] = softmax2(s0, s1, ck)
		return loss
	}
	omax := math.Inf(-1)
	for c := 0; c < C; c++ {
		s := b2[c]
		for j, w := range w2[c*H : (c+1)*H] {
			s += w * h[j]
		}
		o[c] = s
		omax = math.Max(omax, s)
	}
	loss := omax - o[ck]
	sum := 0.0
	for c := 0; c < C; c++ {
		o[c] = math.Exp(o[c] - omax)
		sum += o[c]
	}
	loss += math.Log(sum)
	for c := 0; c < C; c++ {
		o[c] /= sum
	}
	o[ck] -= 1
	return loss
}
