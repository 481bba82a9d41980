// Package sde integrates the stochastic differential equation of SGD,
//
//	dX = b(X) dt + sqrt(2 T D(X)) dW    (Ito),
//
// for a potentials.Model at temperature T, as large reproducible ensembles
// of Euler–Maruyama trajectories (Chaudhari & Soatto, arXiv:1710.11029,
// eq. 3; Kloeden & Platen 1992, Sec. 10.2).
//
// The split is problem -> method -> result: a Problem holds the model, the
// temperature, the start, the step and the number of steps; EulerMaruyama
// advances one trajectory; an Ensemble runs many trajectories on all cores
// and returns a Result with the final states, recorded trajectories and
// running statistics (mean, covariance and the angular momentum rate).
// FirstPassage runs the same trajectories until they enter a Target (a
// Disc, a HalfSpace, a SignedDistance or an Indicator) and returns their
// first-passage times with censoring, the mean first-passage time, the
// median and the survival curve; a Brownian-bridge test between steps
// removes the O(sqrt(dt)) delay of checking the target at the steps only.
//
// Reproducibility: trajectory i draws from its own PCG generator
// (math/rand/v2) seeded by splitmix64 hashes of (seed, i), and statistics
// are merged in trajectory order, so the same seed gives bit-identical
// results whatever the number of workers. The Euler–Maruyama integrators
// turn the generator's outputs into normals with this package's own
// ziggurat (normal.go: two normals per 64-bit output, called without
// interface dispatch); SGD and its SDE use rand.Rand.NormFloat64. The 2-D
// integrator advances four trajectories in lockstep so that the square
// roots and divisions of one overlap with the work of the others; each
// trajectory does the arithmetic it would do alone. (golang.org/x/exp/rand, which
// older designs name, is deprecated upstream; gonum 0.17 uses math/rand/v2.)
package sde
