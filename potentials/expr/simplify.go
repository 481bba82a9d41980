package expr

import "math"

// The simplifying constructors below build the trees of Deriv and Simplify.
// They fold constants (when the result is finite), drop neutral elements
// (a+0, a-0, 1*a, a/1, a^1), absorb zeros (0*a, 0/a, a^0), collect constant
// factors of products and quotients into one leading coefficient, remove
// double negation and turn additions of negative terms into subtractions.
//
// The rules assume that the subexpressions they drop are finite: 0*a is 0
// even where a is infinite or NaN. Collecting constant factors reassociates
// products, which may change the last bits of a result.

// Const returns the constant v.
func Const(v float64) *Expr { return newConst(v) }

// Add returns the simplified sum a + b.
func Add(a, b *Expr) *Expr { return add(a, b) }

// Mul returns the simplified product a * b.
func Mul(a, b *Expr) *Expr { return mul(a, b) }

// Neg returns the simplified negation -a.
func Neg(a *Expr) *Expr { return neg(a) }

// Simplify returns e simplified by the rules of Deriv: constant folding,
// neutral and absorbing elements, collection of constant factors. The result
// has the same values as e wherever e and its subexpressions are finite, up
// to rounding.
func (e *Expr) Simplify() *Expr {
	memo := map[*Expr]*Expr{}
	var s func(*Expr) *Expr
	s = func(e *Expr) *Expr {
		if r, ok := memo[e]; ok {
			return r
		}
		var r *Expr
		switch e.op {
		case opConst, opVar, opParam:
			r = e
		case opNeg:
			r = neg(s(e.a))
		case opAdd:
			r = add(s(e.a), s(e.b))
		case opSub:
			r = sub(s(e.a), s(e.b))
		case opMul:
			r = mul(s(e.a), s(e.b))
		case opDiv:
			r = div(s(e.a), s(e.b))
		case opPow:
			r = powe(s(e.a), s(e.b))
		case opFunc:
			r = call(e.fn, s(e.a))
		}
		memo[e] = r
		return r
	}
	return s(e)
}

// fold returns the constant v if it is finite.
func fold(v float64) (*Expr, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, false
	}
	return newConst(v), true
}

// bothConst reports whether a and b are constants.
func bothConst(a, b *Expr) bool { return a.op == opConst && b.op == opConst }

// split writes e as c*rest with a constant coefficient c; rest is nil if e is
// the constant c.
func split(e *Expr) (c float64, rest *Expr) {
	switch {
	case e.op == opConst:
		return e.val, nil
	case e.op == opMul && e.a.op == opConst:
		return e.a.val, e.b
	case e.op == opNeg:
		c, r := split(e.a)
		return -c, r
	}
	return 1, e
}

// scale returns c*r for a non-nil r.
func scale(c float64, r *Expr) *Expr {
	switch c {
	case 0:
		return zero
	case 1:
		return r
	case -1:
		if r.op == opNeg {
			return r.a
		}
		return newNode(opNeg, r, nil)
	}
	return newNode(opMul, newConst(c), r)
}

func neg(a *Expr) *Expr {
	if a.op == opSub {
		return newNode(opSub, a.b, a.a)
	}
	c, r := split(a)
	if r == nil {
		if v, ok := fold(-c); ok {
			return v
		}
		return newNode(opNeg, a, nil)
	}
	return scale(-c, r)
}

func add(a, b *Expr) *Expr {
	switch {
	case bothConst(a, b):
		if v, ok := fold(a.val + b.val); ok {
			return v
		}
	case a.isConst(0):
		return b
	case b.isConst(0):
		return a
	}
	if c, r := split(b); c < 0 && !math.IsInf(c, 0) {
		return sub(a, negTerm(c, r))
	}
	if a.op == opNeg {
		return sub(b, a.a)
	}
	return newNode(opAdd, a, b)
}

// negTerm returns -(c*r) for c < 0 and a possibly nil r.
func negTerm(c float64, r *Expr) *Expr {
	if r == nil {
		return newConst(-c)
	}
	return scale(-c, r)
}

func sub(a, b *Expr) *Expr {
	switch {
	case bothConst(a, b):
		if v, ok := fold(a.val - b.val); ok {
			return v
		}
	case b.isConst(0):
		return a
	case a.isConst(0):
		return neg(b)
	}
	if c, r := split(b); c < 0 && !math.IsInf(c, 0) {
		return add(a, negTerm(c, r))
	}
	return newNode(opSub, a, b)
}

func mul(a, b *Expr) *Expr {
	ca, ra := split(a)
	cb, rb := split(b)
	c := ca * cb
	if math.IsNaN(c) || math.IsInf(c, 0) {
		return newNode(opMul, a, b)
	}
	switch {
	case c == 0:
		return zero
	case ra == nil && rb == nil:
		return newConst(c)
	case ra == nil:
		return scale(c, rb)
	case rb == nil:
		return scale(c, ra)
	}
	return scale(c, newNode(opMul, ra, rb))
}

func div(a, b *Expr) *Expr {
	ca, ra := split(a)
	cb, rb := split(b)
	c := ca / cb
	if math.IsNaN(c) || math.IsInf(c, 0) {
		return newNode(opDiv, a, b)
	}
	switch {
	case c == 0:
		return zero
	case ra == nil && rb == nil:
		return newConst(c)
	case rb == nil:
		return scale(c, ra)
	case ra == nil:
		return newNode(opDiv, newConst(c), rb)
	}
	return scale(c, newNode(opDiv, ra, rb))
}

func powe(a, b *Expr) *Expr {
	switch {
	case b.isConst(0):
		return one
	case b.isConst(1):
		return a
	case a.isConst(1):
		return one
	case bothConst(a, b):
		if v, ok := fold(pow(a.val, b.val)); ok {
			return v
		}
	case isInt(b) && a.op == opPow && isInt(a.b):
		if n := a.b.val * b.val; math.Abs(n) <= maxPowInt {
			return powe(a.a, newConst(n))
		}
	}
	return newNode(opPow, a, b)
}

// isInt reports whether e is a constant integer of magnitude at most maxPowInt.
func isInt(e *Expr) bool {
	return e.op == opConst && e.val == math.Trunc(e.val) && math.Abs(e.val) <= maxPowInt
}

func call(f fn, a *Expr) *Expr {
	if a.op == opConst {
		if v, ok := fold(apply(f, a.val)); ok {
			return v
		}
	}
	if (f == fnAbs || f == fnSign) && a.op == opFunc && a.fn == f {
		return a
	}
	return newFuncNode(f, a)
}

// Deriv returns the derivative of e with respect to the variable named v,
// simplified. Parameters are constants; the derivative of abs is sign and
// that of sign is 0. If v is not a variable of e the result is 0. The
// subexpressions of e that the derivative repeats are simplified first.
func (e *Expr) Deriv(v string) *Expr {
	e = e.Simplify()
	memo := map[*Expr]*Expr{}
	var d func(*Expr) *Expr
	d = func(e *Expr) *Expr {
		if e.vars == 0 {
			return zero
		}
		if r, ok := memo[e]; ok {
			return r
		}
		r := deriv(e, v, d)
		memo[e] = r
		return r
	}
	return d(e)
}

// deriv returns the derivative of e, using d for the derivatives of its
// operands.
func deriv(e *Expr, v string, d func(*Expr) *Expr) *Expr {
	switch e.op {
	case opVar:
		if e.name == v {
			return one
		}
		return zero
	case opNeg:
		return neg(d(e.a))
	case opAdd:
		return add(d(e.a), d(e.b))
	case opSub:
		return sub(d(e.a), d(e.b))
	case opMul:
		return add(mul(d(e.a), e.b), mul(e.a, d(e.b)))
	case opDiv:
		da, db := d(e.a), d(e.b)
		if db.isConst(0) {
			return div(da, e.b)
		}
		return div(sub(mul(da, e.b), mul(e.a, db)), powe(e.b, newConst(2)))
	case opPow:
		a, b := e.a, e.b
		da, db := d(a), d(b)
		if db.isConst(0) { // b a^(b-1) a'
			return mul(mul(b, powe(a, sub(b, one))), da)
		}
		if da.isConst(0) { // a^b log(a) b'
			return mul(mul(e, call(fnLog, a)), db)
		}
		// a^b (b' log a + b a'/a)
		return mul(e, add(mul(db, call(fnLog, a)), div(mul(b, da), a)))
	case opFunc:
		a := e.a
		da := d(a)
		switch e.fn {
		case fnExp:
			return mul(e, da)
		case fnLog:
			return div(da, a)
		case fnSqrt:
			return div(da, mul(newConst(2), e))
		case fnSin:
			return mul(call(fnCos, a), da)
		case fnCos:
			return neg(mul(call(fnSin, a), da))
		case fnTan:
			return div(da, powe(call(fnCos, a), newConst(2)))
		case fnSinh:
			return mul(call(fnCosh, a), da)
		case fnCosh:
			return mul(call(fnSinh, a), da)
		case fnTanh:
			return div(da, powe(call(fnCosh, a), newConst(2)))
		case fnAbs:
			return mul(call(fnSign, a), da)
		case fnSign:
			return zero
		}
	}
	return zero // constants and parameters
}
