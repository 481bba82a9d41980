// Package expr parses, differentiates and compiles the small formula
// language in which users type models: losses, drifts and diffusion matrices
// in one or two variables.
//
// # Grammar
//
// A formula is built from
//
//   - numbers: 123, 1.5, 1e-3, .5;
//   - variables, named by the caller (x for 1-D, x and y for 2-D);
//   - parameters: any other identifier, whose value the caller supplies;
//   - the constants pi and e;
//   - the binary operators + - * / and ^ (** is accepted for ^);
//   - unary minus and plus;
//   - parentheses;
//   - the functions exp, log, sqrt, sin, cos, tan, sinh, cosh, tanh, abs and
//     sign, each of one argument.
//
// Precedence, from loosest to tightest: + and - (left-associative); * and /
// (left-associative); unary minus and plus; ^ (right-associative). So
// -x^2 = -(x^2), 2^3^2 = 2^(3^2) = 512 and x^-2 = x^(-2).
//
// Integer powers with an exponent of magnitude at most 64 are computed by
// repeated multiplication, so (-2)^3 = -8; other powers use math.Pow.
//
// # Use
//
// Parse returns an *Expr, an immutable expression tree. Its Deriv method
// differentiates it symbolically with respect to a variable and simplifies
// the result; Compile turns it into a Func, a closure func(x, y float64)
// float64 that evaluates it without allocating, fast enough for the inner
// loop of an Euler–Maruyama integrator; Compile2 and Compile3 compile a
// 2-D drift or diffusion as one function of the point, evaluating its
// simple entries (constants, affine functions of x, y, x^2, y^2) without
// a call. Eval evaluates a tree directly and is the reference that
// compiled functions agree with, bit for bit.
//
// Syntax errors and missing parameters are reported as *SyntaxError values,
// which carry the formula and the 1-based column of the offending text; a
// missing parameter is also a *ParamError (errors.As), which names it.
package expr
