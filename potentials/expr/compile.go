package expr

import "math"

//go:generate go run gen.go

// Func is a compiled expression: it returns the value at the point (x, y).
// Functions of one variable ignore y.
type Func func(x, y float64) float64

// Operand kinds of the compiler (gen.go lists them in this order).
const (
	kConst uint8 = iota // constant c
	kX                  // variable 0
	kY                  // variable 1
	kX2                 // x*x
	kY2                 // y*y
	kAff                // s: c1*u + c0 for u = x, y, x^2 or y^2
	kFn                 // compiled subexpression f
)

// operand is a compiled subexpression. Constants, variables and their
// squares are kept as leaves so that the closure of the parent computes
// them inline instead of calling a closure.
type operand struct {
	kind uint8
	c    float64
	s    simple
	f    Func
}

// Compile returns a Func that evaluates e. It folds subexpressions that do
// not depend on the variables (parameters included), computes integer
// powers by multiplication, specialises each node on the kinds of its
// operands (constants, x, y, x^2, y^2 and compiled subexpressions) and
// fuses a negation with the product, quotient, sum or difference below
// it, so that evaluation neither allocates nor goes through interfaces.
// The Func returns the same values as Eval; it is safe for concurrent use.
func (e *Expr) Compile() Func {
	c := compiler{memo: map[*Expr]operand{}}
	return c.compile(e).fn()
}

type compiler struct {
	memo map[*Expr]operand
}

// fn returns the operand as a closure.
func (o operand) fn() Func {
	switch o.kind {
	case kConst:
		c := o.c
		return func(x, y float64) float64 { return c }
	case kX:
		return func(x, y float64) float64 { return x }
	case kY:
		return func(x, y float64) float64 { return y }
	case kX2:
		return func(x, y float64) float64 { return x * x }
	case kY2:
		return func(x, y float64) float64 { return y * y }
	case kAff:
		s := o.s
		return func(x, y float64) float64 { return s.at(x, y) }
	}
	return o.f
}

func fnOperand(f Func) operand { return operand{kind: kFn, f: f} }

func constOperand(c float64) operand { return operand{kind: kConst, c: c} }

func (c *compiler) compile(e *Expr) operand {
	if e.vars == 0 {
		return constOperand(e.Eval(0, 0))
	}
	if o, ok := c.memo[e]; ok {
		return o
	}
	var o operand
	switch e.op {
	case opVar:
		o.kind = kX + uint8(e.idx)
	case opNeg:
		o = c.neg(e)
	case opAdd, opSub:
		if f, ok := c.affine(e); ok {
			o = f
			break
		}
		o = c.binary(e)
	case opMul, opDiv:
		o = c.binary(e)
	case opPow:
		o = c.power(e)
	case opFunc:
		a := c.compile(e.a)
		if a.kind == kConst {
			o = constOperand(apply(e.fn, a.c))
			break
		}
		o = fnOperand(genCall(e.fn, a))
	default:
		panic("expr: invalid node")
	}
	c.memo[e] = o
	return o
}

// binary compiles e = a o b. Operands may be constant even if e depends on
// the variables (x^0 is 1); such nodes are folded here. The product of a
// variable with itself is the leaf x^2 or y^2.
func (c *compiler) binary(e *Expr) operand {
	a, b := c.compile(e.a), c.compile(e.b)
	if a.kind == kConst && b.kind == kConst {
		return constOperand(binop(e.op, a.c, b.c))
	}
	if e.op == opMul && a.kind == b.kind && (a.kind == kX || a.kind == kY) {
		return operand{kind: a.kind + kX2 - kX}
	}
	return fnOperand(genBinary(e.op, a, b))
}

// neg compiles e = -a. The negation of a product, quotient, sum or
// difference is one closure, -(u o v), when a is not compiled otherwise
// (an affine form or a leaf): the same operations in the same order as
// Eval.
func (c *compiler) neg(e *Expr) operand {
	a := c.compile(e.a)
	switch {
	case a.kind == kConst:
		return constOperand(-a.c)
	case a.kind != kFn:
		return fnOperand(genNeg(a))
	}
	switch e.a.op {
	case opAdd, opSub:
		if _, _, _, ok := c.affineParts(e.a); ok {
			break
		}
		fallthrough
	case opMul, opDiv:
		u, v := c.compile(e.a.a), c.compile(e.a.b)
		return fnOperand(genNegBinary(e.a.op, u, v))
	}
	return fnOperand(genNeg(a))
}

// power compiles e = a^b.
func (c *compiler) power(e *Expr) operand {
	if e.b.vars != 0 {
		return c.binary(e)
	}
	a := c.compile(e.a)
	p := e.b.Eval(0, 0)
	if a.kind == kConst {
		return constOperand(pow(a.c, p))
	}
	if p != math.Trunc(p) || math.Abs(p) > maxPowInt {
		return fnOperand(genPowConst(p, a))
	}
	switch n := int(p); n {
	case 0:
		return constOperand(1)
	case 1:
		return a
	case 2:
		if a.kind == kX || a.kind == kY {
			return operand{kind: a.kind + kX2 - kX}
		}
		return fnOperand(genPowInt(n, a))
	default:
		return fnOperand(genPowInt(n, a))
	}
}

// affine compiles e = a ± b as c1*u + c0 if one operand is constant
// (affineParts): a leaf kAff
// if u is x, y, x^2 or y^2, evaluated inline by the parent, otherwise one
// closure.
func (c *compiler) affine(e *Expr) (operand, bool) {
	c1, uo, c0, ok := c.affineParts(e)
	if !ok {
		return operand{}, false
	}
	if uo.kind == kConst {
		return constOperand(float64(c1*uo.c) + c0), true
	}
	if k, ok := leafIndex(uo.kind); ok {
		return operand{kind: kAff, s: simple{c1: c1, c0: c0, k: k}}, true
	}
	return fnOperand(genAffine(c1, uo, c0)), true
}

// affineParts returns e = a ± b as c1*u + c0, with u compiled, if one
// operand is constant: u is the other operand, or its non-constant factor
// if it is a product with a constant factor c1 (otherwise c1 = 1). The
// rounding is that of Eval: c0 - c1*u = c0 + (-c1)*u, c1*u - c0 =
// c1*u + (-c0), and 1*u = u, exactly.
func (c *compiler) affineParts(e *Expr) (c1 float64, uo operand, c0 float64, ok bool) {
	var m *Expr
	var s float64 = 1
	switch {
	case e.b.vars == 0:
		m, c0 = e.a, e.b.Eval(0, 0)
		if e.op == opSub {
			c0 = -c0
		}
	case e.a.vars == 0:
		m, c0 = e.b, e.a.Eval(0, 0)
		if e.op == opSub {
			s = -1
		}
	default:
		return 0, operand{}, 0, false
	}
	c1, u := 1.0, m
	if m.op == opMul {
		switch {
		case m.a.vars == 0:
			c1, u = m.a.Eval(0, 0), m.b
		case m.b.vars == 0:
			c1, u = m.b.Eval(0, 0), m.a
		}
	}
	return s * c1, c.compile(u), c0, true
}

// simple is an output of Compile2 or Compile3 evaluated inline, without a
// call: c1*u + c0 for u = x, y, x^2, y^2 or 1 (selected by k), rounded as
// float64(c1*u) + c0, which is exact for a constant c (c*1 + (-0)), a
// leaf u (1*u + (-0)) and its negation ((-1)*u + (-0)), and the rounding
// of Eval for an affine form (affineParts).
type simple struct {
	c1, c0 float64
	k      int
}

// Values of simple.k.
const (
	vX = iota
	vY
	vX2
	vY2
	vOne
)

// at returns the value of s at (x, y). Inlined at each output of a tuple,
// its switch is a branch of its own there, taken the same way at every
// call of the tuple's function.
func (s *simple) at(x, y float64) float64 {
	u := 1.0
	switch s.k {
	case vX:
		u = x
	case vY:
		u = y
	case vX2:
		u = x * x
	case vY2:
		u = y * y
	}
	return float64(s.c1*u) + s.c0
}

// leafIndex returns the index of a leaf operand's value.
func leafIndex(kind uint8) (int, bool) {
	switch kind {
	case kX:
		return vX, true
	case kY:
		return vY, true
	case kX2:
		return vX2, true
	case kY2:
		return vY2, true
	}
	return 0, false
}

// output compiles e as an output of Compile2 or Compile3: a simple form
// if it is one, otherwise its Func.
func (c *compiler) output(e *Expr) (simple, Func, bool) {
	negZero := math.Copysign(0, -1)
	if e.vars == 0 {
		return simple{c1: e.Eval(0, 0), k: vOne, c0: negZero}, nil, true
	}
	if e.op == opNeg {
		if k, ok := leafIndex(c.compile(e.a).kind); ok {
			return simple{c1: -1, k: k, c0: negZero}, nil, true
		}
	}
	o := c.compile(e)
	if o.kind == kAff {
		return o.s, nil, true
	}
	if k, ok := leafIndex(o.kind); ok {
		return simple{c1: 1, k: k, c0: negZero}, nil, true
	}
	if o.kind == kConst {
		return simple{c1: o.c, k: vOne, c0: negZero}, nil, true
	}
	return simple{}, o.f, false
}

// Compile2 returns a function that evaluates a and b at one point, as
// their Funcs would (the same values as Eval), compiled together so that
// common subexpressions are compiled once. An output that is a constant,
// x, y, x^2 or y^2, the negation of one of these or an affine function of
// one of these is evaluated inline; the others call their compiled Func.
// It is the form of a 2-D drift, (b1, b2), and is safe for concurrent use.
func Compile2(a, b *Expr) func(x, y float64) (float64, float64) {
	c := compiler{memo: map[*Expr]operand{}}
	sa, fa, ia := c.output(a)
	sb, fb, ib := c.output(b)
	switch {
	case ia && ib:
		return func(x, y float64) (float64, float64) {
			return sa.at(x, y), sb.at(x, y)
		}
	case ia:
		return func(x, y float64) (float64, float64) {
			return sa.at(x, y), fb(x, y)
		}
	case ib:
		return func(x, y float64) (float64, float64) {
			return fa(x, y), sb.at(x, y)
		}
	}
	return func(x, y float64) (float64, float64) { return fa(x, y), fb(x, y) }
}

// Compile3 is Compile2 for three expressions: the form of a 2-D diffusion,
// (D11, D12, D22).
func Compile3(a, b, d *Expr) func(x, y float64) (float64, float64, float64) {
	c := compiler{memo: map[*Expr]operand{}}
	sa, fa, ia := c.output(a)
	sb, fb, ib := c.output(b)
	sd, fd, id := c.output(d)
	switch {
	case ia && ib && id:
		return func(x, y float64) (float64, float64, float64) {
			return sa.at(x, y), sb.at(x, y), sd.at(x, y)
		}
	case ia && ib:
		return func(x, y float64) (float64, float64, float64) {
			return sa.at(x, y), sb.at(x, y), fd(x, y)
		}
	case ia && id:
		return func(x, y float64) (float64, float64, float64) {
			return sa.at(x, y), fb(x, y), sd.at(x, y)
		}
	case ib && id:
		return func(x, y float64) (float64, float64, float64) {
			return fa(x, y), sb.at(x, y), sd.at(x, y)
		}
	case ia:
		return func(x, y float64) (float64, float64, float64) {
			return sa.at(x, y), fb(x, y), fd(x, y)
		}
	case ib:
		return func(x, y float64) (float64, float64, float64) {
			return fa(x, y), sb.at(x, y), fd(x, y)
		}
	case id:
		return func(x, y float64) (float64, float64, float64) {
			return fa(x, y), fb(x, y), sd.at(x, y)
		}
	}
	return func(x, y float64) (float64, float64, float64) { return fa(x, y), fb(x, y), fd(x, y) }
}
