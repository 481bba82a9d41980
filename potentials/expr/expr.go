package expr

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// op is the kind of an expression node.
type op uint8

const (
	opConst op = iota // constant val, named name if name != ""
	opVar             // variable name with index idx
	opParam           // parameter name with value val
	opNeg             // -a
	opAdd             // a + b
	opSub             // a - b
	opMul             // a * b
	opDiv             // a / b
	opPow             // a ^ b
	opFunc            // fn(a)
)

// fn identifies a function of one argument.
type fn uint8

const (
	fnExp fn = iota
	fnLog
	fnSqrt
	fnSin
	fnCos
	fnTan
	fnSinh
	fnCosh
	fnTanh
	fnAbs
	fnSign
	numFuncs
)

var fnNames = [numFuncs]string{"exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "abs", "sign"}

// lookupFunc returns the function with the given name.
func lookupFunc(name string) (fn, bool) {
	for i, n := range fnNames {
		if n == name {
			return fn(i), true
		}
	}
	return 0, false
}

// constants are the named constants of the language.
var constants = map[string]float64{"pi": math.Pi, "e": math.E}

// Reserved reports whether name is a function or constant of the language,
// and so cannot name a variable or parameter.
func Reserved(name string) bool {
	_, isFunc := lookupFunc(name)
	_, isConst := constants[name]
	return isFunc || isConst
}

// maxPowInt is the largest exponent magnitude for which integer powers are
// computed by repeated multiplication rather than math.Pow.
const maxPowInt = 64

// Expr is a node of an expression tree: a formula in at most two variables.
// Expressions are immutable and may share subtrees. The zero value is not a
// valid expression; expressions come from Parse, Deriv, Simplify and the
// constructors Const, Add, Mul and Neg.
type Expr struct {
	op   op
	fn   fn
	vars uint8   // bit i is set if variable i occurs in the subtree
	idx  int     // index of a variable
	col  int     // 1-based source column, 0 if synthesised
	val  float64 // value of a constant or parameter
	name string  // name of a variable, parameter or named constant
	size int     // number of nodes when the subtree is written out as a tree (saturating)
	a, b *Expr
}

// maxSize is the saturation value of Expr.size.
const maxSize = math.MaxInt32

func addSize(s ...int) int {
	t := 1
	for _, v := range s {
		t += v
		if t > maxSize {
			return maxSize
		}
	}
	return t
}

func newConst(v float64) *Expr { return &Expr{op: opConst, val: v, size: 1} }

func newNode(o op, a, b *Expr) *Expr {
	e := &Expr{op: o, a: a, b: b, vars: a.vars}
	if b != nil {
		e.vars |= b.vars
		e.size = addSize(a.size, b.size)
	} else {
		e.size = addSize(a.size)
	}
	return e
}

func newFuncNode(f fn, a *Expr) *Expr {
	e := newNode(opFunc, a, nil)
	e.fn = f
	return e
}

var (
	zero = newConst(0)
	one  = newConst(1)
)

// isConst reports whether e is a constant node with value v.
func (e *Expr) isConst(v float64) bool { return e.op == opConst && e.val == v }

// Constant reports whether e depends on none of its variables and, if so,
// returns its value.
func (e *Expr) Constant() (v float64, ok bool) {
	if e.vars != 0 {
		return 0, false
	}
	return e.Eval(0, 0), true
}

// Size returns the number of nodes of e written out as a tree, saturating at
// math.MaxInt32. Shared subtrees count once per use, so Size measures the
// cost of String, Eval and a compiled Func.
func (e *Expr) Size() int { return e.size }

// Params returns the sorted names of the parameters that e uses.
func (e *Expr) Params() []string {
	set := map[string]bool{}
	seen := map[*Expr]bool{}
	var walk func(*Expr)
	walk = func(e *Expr) {
		if e == nil || seen[e] {
			return
		}
		seen[e] = true
		if e.op == opParam {
			set[e.name] = true
		}
		walk(e.a)
		walk(e.b)
	}
	walk(e)
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Eval returns the value of e at the point (x, y). For expressions in one
// variable y is ignored. Eval is the reference implementation; a Func from
// Compile returns the same values.
func (e *Expr) Eval(x, y float64) float64 {
	switch e.op {
	case opConst, opParam:
		return e.val
	case opVar:
		if e.idx == 0 {
			return x
		}
		return y
	case opNeg:
		return -e.a.Eval(x, y)
	case opAdd, opSub, opMul, opDiv, opPow:
		return binop(e.op, e.a.Eval(x, y), e.b.Eval(x, y))
	case opFunc:
		return apply(e.fn, e.a.Eval(x, y))
	}
	panic("expr: invalid node")
}

// binop returns a o b for a binary operation o.
func binop(o op, a, b float64) float64 {
	switch o {
	case opAdd:
		return a + b
	case opSub:
		return a - b
	case opMul:
		return a * b
	case opDiv:
		return a / b
	case opPow:
		return pow(a, b)
	}
	panic("expr: invalid binary operation")
}

// pow returns a^b: by repeated multiplication for integer b with |b| at
// most maxPowInt, by math.Pow otherwise.
func pow(a, b float64) float64 {
	if b == math.Trunc(b) && math.Abs(b) <= maxPowInt {
		return intPow(a, int(b))
	}
	return math.Pow(a, b)
}

// intPow returns v^n by binary exponentiation. The compiled special cases
// for small n perform the same operations in the same order.
func intPow(v float64, n int) float64 {
	if n < 0 {
		return 1 / intPow(v, -n)
	}
	r := 1.0
	for n > 0 {
		if n&1 == 1 {
			r *= v
		}
		n >>= 1
		if n > 0 {
			v *= v
		}
	}
	return r
}

// sign returns -1, 0 or +1 with the sign of v, and NaN for NaN.
func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return v * 0 // 0 for ±0, NaN for NaN
}

// apply returns f(v).
func apply(f fn, v float64) float64 {
	switch f {
	case fnExp:
		return math.Exp(v)
	case fnLog:
		return math.Log(v)
	case fnSqrt:
		return math.Sqrt(v)
	case fnSin:
		return math.Sin(v)
	case fnCos:
		return math.Cos(v)
	case fnTan:
		return math.Tan(v)
	case fnSinh:
		return math.Sinh(v)
	case fnCosh:
		return math.Cosh(v)
	case fnTanh:
		return math.Tanh(v)
	case fnAbs:
		return math.Abs(v)
	case fnSign:
		return sign(v)
	}
	panic("expr: invalid function")
}

// Precedence levels for printing.
const (
	precAdd     = 1 // + -
	precMul     = 2 // * /
	precUnary   = 3 // unary minus, negative constants
	precPow     = 4 // ^
	precPrimary = 5 // numbers, names, calls, parenthesised expressions
)

func (e *Expr) prec() int {
	switch e.op {
	case opConst:
		if e.name == "" && (e.val < 0 || (e.val == 0 && math.Signbit(e.val))) {
			return precUnary
		}
		return precPrimary
	case opNeg:
		return precUnary
	case opAdd, opSub:
		return precAdd
	case opMul, opDiv:
		return precMul
	case opPow:
		return precPow
	}
	return precPrimary
}

// String returns e written as a formula that Parse reads back to an
// expression with the same values. Binary + and - are set off by spaces.
func (e *Expr) String() string {
	var b strings.Builder
	e.write(&b)
	return b.String()
}

func (e *Expr) write(b *strings.Builder) {
	switch e.op {
	case opConst:
		if e.name != "" {
			b.WriteString(e.name)
			return
		}
		writeNumber(b, e.val)
	case opVar, opParam:
		b.WriteString(e.name)
	case opNeg:
		b.WriteByte('-')
		// The operand of unary minus is a unary expression; a nested
		// minus is parenthesised for readability.
		e.a.writeParen(b, e.a.prec() <= precUnary)
	case opAdd, opSub, opMul, opDiv:
		p := e.prec()
		e.a.writeParen(b, e.a.prec() < p)
		b.WriteString([...]string{opAdd: " + ", opSub: " - ", opMul: "*", opDiv: "/"}[e.op])
		// Left-associative: an operand of the same precedence on the
		// right keeps its parentheses; so does a unary minus.
		bp := e.b.prec()
		e.b.writeParen(b, bp <= p || bp == precUnary)
	case opPow:
		// The base is a primary, the exponent a unary expression.
		e.a.writeParen(b, e.a.prec() < precPrimary)
		b.WriteByte('^')
		e.b.writeParen(b, e.b.prec() <= precUnary)
	case opFunc:
		b.WriteString(fnNames[e.fn])
		b.WriteByte('(')
		e.a.write(b)
		b.WriteByte(')')
	}
}

func (e *Expr) writeParen(b *strings.Builder, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	e.write(b)
	if paren {
		b.WriteByte(')')
	}
}

// writeNumber writes v so that it parses back to v exactly. Non-finite
// values, which parsed formulas never contain, are written as quotients.
func writeNumber(b *strings.Builder, v float64) {
	switch {
	case math.IsNaN(v):
		b.WriteString("(0/0)")
	case math.IsInf(v, 1):
		b.WriteString("(1/0)")
	case math.IsInf(v, -1):
		b.WriteString("(-1/0)")
	case v == 0 && math.Signbit(v):
		b.WriteString("-0")
	default:
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	}
}
