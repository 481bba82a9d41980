// Package analysis computes observables of recorded SGD and SDE trajectories
// that tell limit cycles and low-rank, anisotropic gradient noise apart from
// equilibrium Brownian motion in a well: the autocorrelation of each
// coordinate, the power spectrum of the increments, the eigenvalues of the
// diffusion matrix D along a trajectory, the gradient norm against time and
// the stochastic area (the antisymmetric part of the lagged covariance).
//
// These are the trajectory observables with which Chaudhari & Soatto study
// deep networks (section on deep networks of "Stochastic gradient descent
// performs variational inference, converges to limit cycles for deep
// networks", ICLR 2018, arXiv:1710.11029): D has a rank of a few percent of
// d, the increments are not white (Brownian motion has a flat increment
// spectrum; peaks mean loops), and the weights keep moving with a gradient
// norm that does not go to zero.
//
// Every observable is meant to be read against the equilibrium null: the
// same run with isotropic noise of the same trace, sqrt(2 T tr(D)/d) xi,
// whose steady state is exp(-f/(T tr(D)/d)) with no current, so that its
// stochastic area vanishes and its increment spectrum is that of a reversible
// diffusion. The difference SGD minus null is what the anisotropy of D and
// the broken detailed balance add.
//
// Trajectories are held in a Traj: K chains of L recorded states in R^d,
// row-major, the layout of traj.npy (record, steps/every, d). Functions that
// loop over coordinates, chains or times share the work among goroutines
// (workers <= 0 means runtime.GOMAXPROCS(0)); results do not depend on the
// number of workers. Frequencies are in cycles per recorded step (0 to 1/2)
// and lags in recorded steps; multiply by every*dt to convert to time.
package analysis
