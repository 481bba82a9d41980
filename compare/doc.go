// Package compare measures how well the two methods of sgdsde agree: an
// Euler–Maruyama ensemble (package sde) and the grid Fokker–Planck steady
// state (package fokkerplanck) of the same model at the same temperature
// (validation case 15, with the references of cases 6 and 8).
//
// The samples are the final states of the n trajectories of an ensemble,
// which are independent and, after a burn-in longer than the relaxation
// time, distributed as the stationary law of the Euler–Maruyama chain.
// Compare reports
//
//   - histograms of the samples on bins that are blocks of k x k grid cells
//     (k cells in 1-D, and per axis for the marginals), the grid's node
//     probabilities summed over the same blocks, samples outside the box in
//     an extra "outside" bin whose grid probability is 0, the total
//     variation distance TV = (1/2) sum_i |p_ens,i - p_grid,i| and its Monte
//     Carlo floor E[TV] for n independent samples from the grid law itself;
//   - the mean and covariance of rho_ss on the grid against those of the
//     samples, with standard errors;
//   - the angular momentum L = integral (x_1 J_2 - x_2 J_1) dx of the grid,
//     of the ensemble (the rate of x_1 dx_2 - x_2 dx_1 per unit time) and in
//     closed form where the model provides one (potentials.Model's
//     AngularMomentum);
//   - the minima of Phi = -T log rho_ss on the grid against the minima of
//     the loss f and against the ensemble's estimate of them.
//
// # Bins
//
// The block size k is the smallest k >= 1 for which the expected count of
// the bin that holds a typical sample reaches MinCount,
//
//	c_bulk(k) = n sum_i q_i(k)^2 >= MinCount,
//
// where q_i(k) are the grid's bin probabilities (sum_i q_i^2 is the
// probability of the bin that a random sample falls in, averaged over the
// samples); for B bins of equal mass c_bulk = n / B. A bin with expected
// count c has relative sampling noise 1/sqrt(c), and the TV floor of B
// equal bins is about (1/2) B sqrt(2 c / pi) / n = sqrt(1 / (2 pi c)), so
// MinCount = 2500 (the default) keeps the floor near 0.011 whatever n is (measured on the default double well; tails add to the estimate):
// with more samples the bins get finer rather than the floor lower. To see
// TV fall with n, fix the block size (Options.Block).
//
// # TV floor
//
// With the grid law q (outside bin included, probability 0) and n samples,
// the count of bin i is Binomial(n, q_i), so by linearity the expected TV is
// exactly
//
//	E TV = (1 / (2 n)) sum_i E|X_i - n q_i|,   X_i ~ Binomial(n, q_i),
//
// and the mean absolute deviation of a binomial has de Moivre's closed form
//
//	E|X - n q| = 2 nu C(n, nu) q^nu (1 - q)^(n - nu + 1),   nu = floor(n q) + 1,
//
// evaluated with log-gamma functions. This is the floor reported: no
// simulation and no normal approximation (the normal approximation
// sqrt(2 n q (1 - q) / pi) overestimates the sparse bins of the tails,
// where E|X - n q| -> 2 n q). A TV well above its floor is a real
// disagreement: time-step bias of Euler–Maruyama, a burn-in shorter than the
// relaxation time, grid error or density cut off by the box.
//
// # Minima of Phi from the ensemble
//
// The ensemble's estimate of a minimum of Phi is a mode of the histogram of
// the samples: on blocks of km cells (km the smallest block whose fullest
// bin expects at least MinPeakCount samples), every bin with at least 5% of
// the largest count whose count exceeds that of every other bin within two
// bins is a candidate; the logarithm of the counts over its 5 x 5 (1-D: 5)
// window of bins is fitted by a cubic polynomial, weighted by the counts
// (the variance of log c is about 1/c; the cubic terms absorb the asymmetry
// of a well, which biases a quadratic fit towards the flatter side), and the
// maximum of the cubic (Newton's method from the bin centre) is the minimum
// of Phi_ens = -T log c + const, reported relative to the lowest one.
// Candidates whose estimates lie within two bins of a fuller one are
// dropped. When the fit has no strict maximum in the window, the bin centre
// is reported. On the default double well at T = 0.5 (flat wells,
// n = 100000) the estimates fall within about 0.03 of the grid's minima.
package compare
