// Package fokkerplanck solves the Fokker–Planck equation of the SGD SDE
//
//	d rho/dt = -div J,   J = b rho - T div(D rho),   (div(D rho))_i = sum_j d_j (D_ij rho),
//
// on uniform grids in one and two dimensions: the steady state rho_ss, the
// potential Phi = -T log rho_ss, the probability current J and the force
// j = J / rho_ss (Chaudhari & Soatto, arXiv:1710.11029, eq. 8), and the
// evolution of a density towards the steady state.
//
// The discretisation is the generator of a Markov jump process on the grid
// nodes (a finite-volume scheme): at each node the diffusion matrix is split
// by Selling's decomposition, D = sum_k lambda_k v_k v_k^T with lambda_k >= 0
// and integer offsets v_k (Selling 1874; Fehrenbach & Mirebeau, J. Math.
// Imaging Vis. 49, 2014), and the jump from x to x + s h v_k has the rate
// w_k T / h^2 B(s z_k) with z_k = -h v_k . D^-1 c / T at the edge
// midpoint and the Bernoulli function B(z) = z / (e^z - 1) of the
// Scharfetter–Gummel (Chang–Cooper) scheme. In the default Symmetric scheme
// the weight w_k is the mean of the offset's Selling weights at the edge's
// two ends and c = b - T div D is the effective drift of the divergence form
// J = (b - T div D) rho - T D grad rho, so every jump has its reverse; the
// Source scheme takes w_k = lambda_k at the source node and c = b (the Ito
// form). For a gradient drift the part of z_k along grad f is taken from
// the difference f(y) - f(x), which makes the scheme exact for a constant
// D = c I. The matrix has non-negative off-diagonal entries and zero column
// sums: mass is conserved and densities stay positive. The split is grid -> operator -> solution, as in py-pde.
//
// The same chain answers the questions of escape and occupation through
// its backward equations, with the rate matrix Q = L^T acting on functions
// of the nodes: the mean first-passage time to a set of nodes
// (Operator.MeanFirstPassage; sets from Grid.Disc, Grid.NodeSet or
// Basins.Set), the committors of a transition and its reactive flux in
// transition-path theory (Operator.Committor, Operator.BackwardCommittor,
// Operator.ReactiveFlux), and the slowest relaxation rate, the eigenvalue
// of -L nearest 0 (Operator.RelaxationRate). They are solved by GMRES with
// the multigrid preconditioner of the steady state, for the chain whose
// steady state SteadyState returns, so the two answers belong together. The basins
// of the minima of Phi and of the attractors of the drift, with their
// steady probabilities, are Operator.PhiBasins and Operator.DriftBasins.
package fokkerplanck
