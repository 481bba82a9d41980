"""Grid steady state of a Fokker-Planck equation, written the way a SciPy user would.

Model: the double well f(x, y) = (x^2 - 1)^2 / 4 + y^2 / 2 with drift
b = -grad f and D = I at T = 0.5 on the box [-2.5, 2.5] x [-4, 4] with
zero-flux walls. Its steady state is the Gibbs density exp(-f/T)/Z.

Discretisation: N x N cell-centred nodes (node (i, j) at the centre of cell
(i, j), as in sgdsde), and a 5-point finite-volume generator of a jump
process. Each pair of neighbours x, y along an axis with spacing h is linked
by the Scharfetter-Gummel rates

    rate(x -> y) = T / h^2 * B((f(y) - f(x)) / T),   B(z) = z / (e^z - 1),

so that rate(x -> y) / rate(y -> x) = exp(-(f(y) - f(x)) / T): the discrete
chain satisfies detailed balance with exp(-f/T) at the nodes, and the
computed Phi = -T log rho must equal f up to a constant to round-off.

Solve: L p = 0 with the row of the node at the minimum of f replaced by
p_pin = 1, by scipy.sparse.linalg.spsolve (SuperLU, COLAMD ordering), then
normalised to total probability 1.

Usage:  /usr/bin/python3 bench/scipy_fp.py N      (default 256)

Prints the assembly and solve times and max |Phi - f| (after the best
constant shift) over the nodes where rho > 1e-6 max rho.
"""

import sys
import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

T = 0.5
BOX = ((-2.5, 2.5), (-4.0, 4.0))


def bernoulli(z):
    """B(z) = z / (e^z - 1), with B(0) = 1 and the series near 0."""
    out = np.empty_like(z)
    small = np.abs(z) < 1e-6
    zs = z[small]
    out[small] = 1.0 - zs / 2.0 + zs * zs / 12.0
    zl = z[~small]
    out[~small] = zl / np.expm1(zl)
    return out


def loss(x, y):
    return (x * x - 1.0) ** 2 / 4.0 + y * y / 2.0


def assemble(n):
    """The generator L (n^2 x n^2, CSC, columns sum to zero), the pinned system,
    the pinned node (the grid minimum of f), f at the nodes and the cell area."""
    (x0, x1), (y0, y1) = BOX
    hx, hy = (x1 - x0) / n, (y1 - y0) / n
    xs = x0 + (np.arange(n) + 0.5) * hx
    ys = y0 + (np.arange(n) + 0.5) * hy
    F = loss(xs[None, :], ys[:, None])  # shape (ny, nx), node index j * nx + i
    idx = np.arange(n * n).reshape(n, n)
    src, dst, rate = [], [], []
    for a, b, df, h in (
        (idx[:, :-1], idx[:, 1:], F[:, 1:] - F[:, :-1], hx),  # neighbours along x
        (idx[:-1, :], idx[1:, :], F[1:, :] - F[:-1, :], hy),  # neighbours along y
    ):
        a, b, z = a.ravel(), b.ravel(), df.ravel() / T
        src += [a, b]
        dst += [b, a]
        rate += [T / h**2 * bernoulli(z), T / h**2 * bernoulli(-z)]
    src, dst, rate = np.concatenate(src), np.concatenate(dst), np.concatenate(rate)
    out = np.bincount(src, weights=rate, minlength=n * n)  # total rate out of each node
    diag = np.arange(n * n)
    rows = np.concatenate([dst, diag])
    cols = np.concatenate([src, diag])
    vals = np.concatenate([rate, -out])
    L = sp.csc_matrix((vals, (rows, cols)), shape=(n * n, n * n))
    # The pinned system: row pin of L replaced by p[pin] = 1, built from the
    # same triplets.
    pin = int(np.argmin(F))
    keep = rows != pin
    A = sp.csc_matrix((np.append(vals[keep], 1.0), (np.append(rows[keep], pin), np.append(cols[keep], pin))),
                      shape=(n * n, n * n))
    return L, A, pin, F, hx * hy


def steady(A, pin):
    """Solve the pinned system A p = e_pin by SuperLU and normalise p to sum 1."""
    rhs = np.zeros(A.shape[0])
    rhs[pin] = 1.0
    p = spla.spsolve(A, rhs, permc_spec="COLAMD", use_umfpack=False)
    return p / p.sum()


def main():
    n = 256 if len(sys.argv) < 2 else int(sys.argv[1])
    if n < 4:
        sys.exit("usage: scipy_fp.py N (N >= 4)")
    t0 = time.perf_counter()
    L, A, pin, F, vol = assemble(n)
    t1 = time.perf_counter()
    p = steady(A, pin)
    t2 = time.perf_counter()
    rho = p.reshape(n, n) / vol
    region = rho > 1e-6 * rho.max()
    d = -T * np.log(rho[region]) - F[region]
    err = (d.max() - d.min()) / 2
    resid = np.abs(L @ p).sum() / np.abs(L.diagonal() * p).sum()
    print(f"scipy_fp: {n} x {n} nodes: assembly {t1 - t0:.3f} s, solve {t2 - t1:.3f} s, "
          f"total {t2 - t0:.3f} s; max |Phi - f| = {err:.2e} where rho > 1e-6 max rho; "
          f"relative residual {resid:.1e}")


if __name__ == "__main__":
    main()
