// Package observables computes observables of recorded SGD and SDE trajectories
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
// same run as the SDE with constant isotropic noise,
//
//	dX = -grad f(X) dt + sqrt(2 T c) dW,   c constant,
//
// with c fixed before the null is run (for 'sgdsde observe', the mean of
// tr D(x)/d over the run's recorded states, GradNorm.MeanTraceD), so that
// its noise has on average the trace of SGD's but no direction and no state
// dependence. It is in detailed balance: its stationary law is exactly
// exp(-f/(T c))/Z with no probability current (in continuous time), so its
// stochastic area vanishes and its increment spectrum is that of a
// reversible diffusion. (Isotropic noise sqrt(2 T tr D(x)/d) at the current
// state would not be an equilibrium: a state-dependent scalar diffusion has
// a stationary law other than exp(-f/(T c)), and a current unless its
// gradient is parallel to grad f.) The difference SGD minus null is what
// the anisotropy and state dependence of D and the broken detailed balance
// add.
//
// Trajectories are held in a Traj: K chains of L recorded states in R^d,
// row-major, the layout of traj.npy (record, steps/every, d). Functions that
// loop over coordinates, chains or times share the work among goroutines
// (workers <= 0 means runtime.GOMAXPROCS(0)); results do not depend on the
// number of workers. Frequencies are in cycles per recorded step (0 to 1/2)
// and lags in recorded steps; multiply by every*dt to convert to time.
package observables
