package expr

import "math"

//go:generate go run gen.go

// Func is a compiled expression: it returns the value at the point (x, y).
// Functions of one variable ignore y.
type Func func(x, y float64) float64

// Operand kinds of the compiler.
const (
	kConst uint8 = iota // constant c
	kX                  // variable 0
	kY                  // variable 1
	kFn                 // compiled subexpression f
)

// operand is a compiled subexpression. Constants and variables are kept as
// leaves so that the closure of the parent reads them directly.
type operand struct {
	kind uint8
	c    float64
	f    Func
}

// Compile returns a Func that evaluates e. It folds subexpressions that do
// not depend on the variables (parameters included), computes integer
// powers by multiplication and specialises each node on the kinds of its
// operands, so that evaluation neither allocates nor goes through
// interfaces. The Func returns the same values as Eval; it is safe for
// concurrent use.
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
		a := c.compile(e.a)
		if a.kind == kConst {
			o = constOperand(-a.c)
			break
		}
		o = fnOperand(genNeg(a))
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
// the variables (x^0 is 1); such nodes are folded here.
func (c *compiler) binary(e *Expr) operand {
	a, b := c.compile(e.a), c.compile(e.b)
	if a.kind == kConst && b.kind == kConst {
		return constOperand(binop(e.op, a.c, b.c))
	}
	return fnOperand(genBinary(e.op, a, b))
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
	default:
		return fnOperand(genPowInt(n, a))
	}
}

// affine compiles e = a ± b as one closure c1*u + c0 if one operand is
// constant and the other a product with a constant factor. The rounding is
// that of Eval: c0 - c1*u = c0 + (-c1)*u and c1*u - c0 = c1*u + (-c0)
// exactly.
func (c *compiler) affine(e *Expr) (operand, bool) {
	var m *Expr
	var c0, s float64 = 0, 1
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
		return operand{}, false
	}
	if m.op != opMul {
		return operand{}, false
	}
	var c1 float64
	var u *Expr
	switch {
	case m.a.vars == 0:
		c1, u = m.a.Eval(0, 0), m.b
	case m.b.vars == 0:
		c1, u = m.b.Eval(0, 0), m.a
	default:
		return operand{}, false
	}
	uo := c.compile(u)
	if uo.kind == kConst {
		return constOperand(float64(s*c1*uo.c) + c0), true
	}
	return fnOperand(genAffine(s*c1, uo, c0)), true
}
