// Package sparse provides the sparse linear algebra needed to solve the
// discrete Fokker–Planck equations of package fokkerplanck on uniform grids:
// a compressed-sparse-row matrix type ([CSR]) with parallel matrix–vector
// products, transpose and sparse matrix–matrix products; the Krylov solvers
// [BiCGStab] (van der Vorst 1992) and restarted [GMRES] (Saad & Schultz 1986)
// with right preconditioning; and the preconditioners [ILU0] (incomplete LU
// with zero fill, Saad 2003, §10.3) and [Multigrid], a geometric multigrid
// cycle for matrices on 1-D and 2-D structured grids (Trottenberg,
// Oosterlee & Schüller 2001).
//
// The typical use is the steady state of a Markov generator L (non-negative
// off-diagonals, zero column sums): build L with a [Builder], pin one node
// with [CSR.PinRow], build the preconditioner with [NewGridMultigrid] and solve
// with [BiCGStab]. Implicit time steps solve (I - dt L) p = p_old with the
// matrix from [CSR.ShiftScale].
//
// Parallelism: products and smoothers split work over row blocks run on a
// small package-wide pool of goroutines (GOMAXPROCS workers). Matrix–vector
// products and preconditioner applications perform no heap allocation in
// steady state.
//
// References:
//   - H. A. van der Vorst, Bi-CGSTAB: a fast and smoothly converging variant of
//     Bi-CG for the solution of nonsymmetric linear systems, SIAM J. Sci. Stat.
//     Comput. 13 (1992) 631–644.
//   - Y. Saad and M. H. Schultz, GMRES: a generalized minimal residual
//     algorithm for solving nonsymmetric linear systems, SIAM J. Sci. Stat.
//     Comput. 7 (1986) 856–869.
//   - Y. Saad, Iterative Methods for Sparse Linear Systems, 2nd ed., SIAM 2003.
//   - U. Trottenberg, C. W. Oosterlee and A. Schüller, Multigrid, Academic
//     Press 2001.
//   - P. Wesseling, An Introduction to Multigrid Methods, Wiley 1992 (cell-
//     centred transfer operators, §5.3).
package sparse
