// Package potentials defines the drift–diffusion models that sgdsde simulates
// and solves: the built-in landscapes, the models typed as formulas
// (package potentials/expr) and the Gibbs control drift.
//
// A model is the pair (b, D) of the Ito stochastic differential equation
//
//	dX = b(X) dt + sqrt(2 T D(X)) dW,
//
// where b is the drift, D(x) a symmetric positive semi-definite d x d matrix
// (for SGD, the covariance of the per-sample gradients) and T the
// temperature, which belongs to the problem, not to the model. For SGD the
// drift is b = -grad f for the loss f (Chaudhari & Soatto, "Stochastic
// gradient descent performs variational inference, converges to limit cycles
// for deep networks", ICLR 2018, arXiv:1710.11029).
//
// Models are plain values of type Model: a struct of functions, in the manner
// of gonum's optimize.Problem. The built-in landscapes are small types with a
// Model method, in the manner of gonum's optimize/functions, and are listed
// by Landscapes and built by name with New.
//
// Escape times have closed forms here too: FirstPassage1D, the exact mean
// first-passage time of a 1-D model with state-dependent D; FindMinimum,
// FindCritical and FindTransition, the critical points of a Potential and
// the index-1 saddle between two minima; and EyringKramers, the asymptotic
// mean transition time for a drift -(D + A) grad U with constant D and
// antisymmetric A, reversible or not. The sharp-flat landscape (SharpFlat)
// has a flat and a sharp minimum of equal depth and the noise of SGD.
package potentials
