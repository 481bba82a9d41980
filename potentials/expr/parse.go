package expr

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// SyntaxError reports a formula that does not parse, or that uses a
// parameter whose value was not given (then Err is a *ParamError).
type SyntaxError struct {
	// Column is the 1-based column, counted in characters, of the
	// offending text in Input; the length of Input plus one for an
	// unexpected end.
	Column int
	// Msg describes the problem on one line.
	Msg string
	// Input is the formula as given.
	Input string
	// Err is the cause when it carries data of its own: a *ParamError
	// for a missing parameter, else nil.
	Err error
}

// Error returns the message prefixed by the column, for example
// `column 7: unexpected ")"`.
func (e *SyntaxError) Error() string { return fmt.Sprintf("column %d: %s", e.Column, e.Msg) }

// Unwrap returns the cause, or nil.
func (e *SyntaxError) Unwrap() error { return e.Err }

// ParamError is a parameter that a formula uses but whose value was not
// given. Parse reports it wrapped in a *SyntaxError, which holds its
// column.
type ParamError struct {
	// Name is the parameter's name.
	Name string
}

// Error returns `missing parameter "a"`.
func (e *ParamError) Error() string { return fmt.Sprintf("missing parameter %q", e.Name) }

// maxDepth bounds the nesting of parentheses and unary operators.
const maxDepth = 200

type tokKind uint8

const (
	tEOF     tokKind = iota
	tNum             // number
	tIdent           // identifier
	tPunct           // + - * / ^ ( ) , ;
	tBadNum          // malformed number
	tBadChar         // character outside the language
)

type token struct {
	kind tokKind
	text string // "^" for both ^ and **
	col  int    // 1-based column in characters
}

// lex splits src into tokens, ending with tEOF. Malformed input becomes a
// tBadNum or tBadChar token, reported when the parser reaches it.
func lex(src string) []token {
	var toks []token
	col := 1
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			col++
		case isDigit(c) || (c == '.' && i+1 < len(src) && isDigit(src[i+1])):
			j, ok := scanNumber(src, i)
			kind := tNum
			if !ok {
				kind = tBadNum
			}
			toks = append(toks, token{kind, src[i:j], col})
			col += j - i // numbers are ASCII
			i = j
		case isLetter(c):
			j := i + 1
			for j < len(src) && (isLetter(src[j]) || isDigit(src[j])) {
				j++
			}
			toks = append(toks, token{tIdent, src[i:j], col})
			col += j - i
			i = j
		case c == '*' && i+1 < len(src) && src[i+1] == '*':
			toks = append(toks, token{tPunct, "^", col})
			i += 2
			col += 2
		case c == '+' || c == '-' || c == '*' || c == '/' || c == '^' || c == '(' || c == ')' || c == ',' || c == ';':
			toks = append(toks, token{tPunct, src[i : i+1], col})
			i++
			col++
		default:
			r, n := utf8.DecodeRuneInString(src[i:])
			toks = append(toks, token{tBadChar, string(r), col})
			i += n
			col++
		}
	}
	return append(toks, token{tEOF, "", col})
}

// isIdent reports whether s is an identifier: a letter or underscore
// followed by letters, digits and underscores.
func isIdent(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }

// scanNumber scans digits [. digits] [(e|E) [+|-] digits] from src[i:] and
// returns the end. ok is false if an exponent marker has no digits or the
// number runs into letters.
func scanNumber(src string, i int) (end int, ok bool) {
	j := i
	for j < len(src) && isDigit(src[j]) {
		j++
	}
	if j < len(src) && src[j] == '.' {
		j++
		for j < len(src) && isDigit(src[j]) {
			j++
		}
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k == len(src) || !isDigit(src[k]) {
			return k, false
		}
		for k < len(src) && isDigit(src[k]) {
			k++
		}
		j = k
	}
	return j, true
}

// Parse parses src as a formula in the variables vars (at most two, for
// example "x" and "y"; variable i is argument i of Eval and of the compiled
// Func). Identifiers other than variables, functions and the constants pi
// and e are parameters and take their values from params.
//
// Syntax errors and identifiers missing from params are reported as a
// *SyntaxError holding src (a *ParamError wrapped in it for a missing
// parameter). The tree is kept as written; Simplify simplifies it.
func Parse(src string, vars []string, params map[string]float64) (*Expr, error) {
	if len(vars) > 2 {
		return nil, fmt.Errorf("expr: %d variables, at most 2 are supported", len(vars))
	}
	for i, v := range vars {
		if !isIdent(v) {
			return nil, fmt.Errorf("expr: invalid variable name %q", v)
		}
		if Reserved(v) {
			return nil, fmt.Errorf("expr: variable name %q is reserved", v)
		}
		for _, w := range vars[:i] {
			if w == v {
				return nil, fmt.Errorf("expr: variable %q given twice", v)
			}
		}
	}
	p := &parser{toks: lex(src), vars: vars, params: params}
	if p.peek().kind == tEOF {
		return nil, &SyntaxError{Column: 1, Msg: "empty formula", Input: src}
	}
	e, err := p.parseSum()
	if err == nil {
		if t := p.peek(); t.kind != tEOF {
			err = p.unexpected(t)
		}
	}
	if err != nil {
		if se, ok := err.(*SyntaxError); ok {
			se.Input = src
		}
		return nil, err
	}
	return e, nil
}

type parser struct {
	toks   []token
	i      int
	vars   []string
	params map[string]float64
	depth  int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tPunct && t.text == s
}

// unexpected returns the error for token t found where it does not fit.
func (p *parser) unexpected(t token) error {
	switch t.kind {
	case tEOF:
		return &SyntaxError{Column: t.col, Msg: "unexpected end of formula"}
	case tBadNum:
		return &SyntaxError{Column: t.col, Msg: fmt.Sprintf("malformed number %q", t.text)}
	case tBadChar:
		return &SyntaxError{Column: t.col, Msg: fmt.Sprintf("unexpected character %q", t.text)}
	}
	msg := fmt.Sprintf("unexpected %q", t.text)
	if p.i > 0 && startsOperand(t) && endsOperand(p.toks[p.i-1]) {
		msg += " (missing operator?)"
	}
	return &SyntaxError{Column: t.col, Msg: msg}
}

func startsOperand(t token) bool {
	return t.kind == tNum || t.kind == tIdent || t.kind == tPunct && t.text == "("
}

func endsOperand(t token) bool {
	return t.kind == tNum || t.kind == tIdent || t.kind == tPunct && t.text == ")"
}

func (p *parser) enter(col int) error {
	p.depth++
	if p.depth > maxDepth {
		return &SyntaxError{Column: col, Msg: "formula nested too deeply"}
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// parseSum parses term {(+|-) term}.
func (p *parser) parseSum() (*Expr, error) {
	left, err := p.parseTerm()
	if err != nil {
		return nil, err
	}
	for p.isPunct("+") || p.isPunct("-") {
		o := opAdd
		if p.next().text == "-" {
			o = opSub
		}
		right, err := p.parseTerm()
		if err != nil {
			return nil, err
		}
		left = newNode(o, left, right)
	}
	return left, nil
}

// parseTerm parses unary {(*|/) unary}.
func (p *parser) parseTerm() (*Expr, error) {
	left, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.isPunct("*") || p.isPunct("/") {
		o := opMul
		if p.next().text == "/" {
			o = opDiv
		}
		right, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		left = newNode(o, left, right)
	}
	return left, nil
}

// parseUnary parses (-|+) unary | power.
func (p *parser) parseUnary() (*Expr, error) {
	if !p.isPunct("-") && !p.isPunct("+") {
		return p.parsePower()
	}
	t := p.next()
	if err := p.enter(t.col); err != nil {
		return nil, err
	}
	defer p.leave()
	a, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	if t.text == "+" {
		return a, nil
	}
	e := newNode(opNeg, a, nil)
	e.col = t.col
	return e, nil
}

// parsePower parses primary [^ unary].
func (p *parser) parsePower() (*Expr, error) {
	base, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	if !p.isPunct("^") {
		return base, nil
	}
	t := p.next()
	if err := p.enter(t.col); err != nil {
		return nil, err
	}
	defer p.leave()
	exp, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	e := newNode(opPow, base, exp)
	e.col = t.col
	return e, nil
}

// parsePrimary parses a number, a name, a call or a parenthesised formula.
func (p *parser) parsePrimary() (*Expr, error) {
	t := p.peek()
	switch {
	case t.kind == tNum:
		p.next()
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return nil, &SyntaxError{Column: t.col, Msg: fmt.Sprintf("number %q out of range", t.text)}
			}
			return nil, &SyntaxError{Column: t.col, Msg: fmt.Sprintf("malformed number %q", t.text)}
		}
		e := newConst(v)
		e.col = t.col
		return e, nil
	case t.kind == tIdent:
		p.next()
		return p.parseName(t)
	case t.kind == tPunct && t.text == "(":
		p.next()
		if err := p.enter(t.col); err != nil {
			return nil, err
		}
		defer p.leave()
		e, err := p.parseSum()
		if err != nil {
			return nil, err
		}
		if err := p.closing(t, ""); err != nil {
			return nil, err
		}
		return e, nil
	}
	return nil, p.unexpected(t)
}

// closing consumes the ")" that matches the "(" token open; fname is the
// name of the function called, if any.
func (p *parser) closing(open token, fname string) error {
	t := p.peek()
	switch {
	case t.kind == tPunct && t.text == ")":
		p.next()
		return nil
	case t.kind == tEOF:
		return &SyntaxError{Column: t.col, Msg: fmt.Sprintf(`missing ")" for "(" at column %d`, open.col)}
	case fname != "" && t.kind == tPunct && t.text == ",":
		return &SyntaxError{Column: t.col, Msg: fmt.Sprintf("function %q takes one argument", fname)}
	}
	return p.unexpected(t)
}

// parseName resolves the identifier t: a function call, variable, constant
// or parameter.
func (p *parser) parseName(t token) (*Expr, error) {
	name := t.text
	if f, ok := lookupFunc(name); ok {
		open := p.peek()
		if open.kind != tPunct || open.text != "(" {
			return nil, &SyntaxError{Column: t.col, Msg: fmt.Sprintf("function %q needs an argument in parentheses", name)}
		}
		p.next()
		if err := p.enter(open.col); err != nil {
			return nil, err
		}
		defer p.leave()
		a, err := p.parseSum()
		if err != nil {
			return nil, err
		}
		if err := p.closing(open, name); err != nil {
			return nil, err
		}
		e := newFuncNode(f, a)
		e.col = t.col
		return e, nil
	}
	for i, v := range p.vars {
		if v == name {
			return &Expr{op: opVar, name: name, idx: i, vars: 1 << i, col: t.col, size: 1}, nil
		}
	}
	if v, ok := constants[name]; ok {
		return &Expr{op: opConst, name: name, val: v, col: t.col, size: 1}, nil
	}
	if v, ok := p.params[name]; ok {
		return &Expr{op: opParam, name: name, val: v, col: t.col, size: 1}, nil
	}
	if p.isPunct("(") {
		return nil, &SyntaxError{Column: t.col, Msg: fmt.Sprintf("unknown function %q", name)}
	}
	pe := &ParamError{Name: name}
	return nil, &SyntaxError{Column: t.col, Msg: pe.Error(), Err: pe}
}
