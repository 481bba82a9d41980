"""Independent reference values for the escape-time tests of package potentials.

Run with /usr/bin/python3 potentials/testdata/escape_check.py (NumPy and SciPy
only; it does not use sgdsde). It prints the numbers that
potentials/mfpt1d_test.go and potentials/kramers_test.go compare against:

1. The exact mean first-passage time of 1-D Ito SDEs dX = b dt + sqrt(2 T D) dW
   with state-dependent D, reflecting at a wall and absorbing at a target, two
   ways that share no code: the nested integrals (scipy.integrate.quad) and the
   backward equation T D tau'' + b tau' = -1 integrated as an initial-value
   problem from the wall (scipy.integrate.solve_ivp), which checks the
   derivation of the quadrature (the Ito stationary density
   p = exp(int b/(T D)) / D), not only its numerics.
2. The 1-D double well U = (x^2 - 1)^2 with D = 1: the exact time from -1 to
   +1 against the Kramers formula, at T = 0.2 ... 0.0125.
3. Two 2-D processes dX = -(D + A) grad U dt + sqrt(2 T D) dW with the constant
   anisotropic D = [[1, 0.6], [0.6, 1]] on U = (x^2 - 1)^2 + y^2 (A = 0,
   reversible; A = [[0, 1], [-1, 0]], not reversible): the mean first-passage
   time from (-1, 0) to the half-plane x >= 1 by a second-order finite
   difference solve of the backward equation on two grids, extrapolated.
"""
import sys
import warnings
import numpy as np
from scipy import integrate, sparse
from scipy.sparse.linalg import spsolve

# quad warns of round-off when it cannot reach relative 1e-13 on Psi; the two
# independent methods of part 1 agree to 1e-13 all the same.
warnings.simplefilter("ignore", integrate.IntegrationWarning)


def mfpt_quad(b, D, T, wall, target, x):
    """Nested quadrature of the closed form (target right of the wall)."""
    sgn = 1.0 if target > wall else -1.0
    # Work in s = sgn * x so that the target is to the right.
    bs = lambda s: sgn * b(sgn * s)
    Ds = lambda s: D(sgn * s)
    l, a, xs = sgn * wall, sgn * target, sgn * x
    psi = lambda z: integrate.quad(lambda u: bs(u) / (T * Ds(u)), xs, z, epsabs=0, epsrel=1e-13, limit=200)[0]

    def J(y):
        py = psi(y)
        return integrate.quad(lambda z: np.exp(psi(z) - py) / Ds(z), l, y, epsabs=0, epsrel=1e-12, limit=200)[0]

    return integrate.quad(lambda y: J(y) / T, xs, a, epsabs=0, epsrel=1e-11, limit=200)[0]


def mfpt_ode(b, D, T, wall, target, xs):
    """The backward equation T D tau'' + b tau' = -1 with tau'(wall) = 0 as
    an initial-value problem from the wall for (w, v) = (tau', tau - tau(wall)):
    T D w' = -1 - b w, v' = w (scipy.integrate.solve_ivp, Radau, rtol 1e-12);
    then tau(x) = v(x) - v(target)."""
    ts = sorted(set([target] + list(xs)), reverse=(target < wall))
    sol = integrate.solve_ivp(lambda x, y: [(-1 - b(x) * y[0]) / (T * D(x)), y[0]], (wall, target), [0.0, 0.0],
                              method="Radau", rtol=1e-12, atol=1e-14, dense_output=True)
    if not sol.success:
        raise RuntimeError(sol.message)
    vt = sol.sol(target)[1]
    return [float(sol.sol(x)[1] - vt) for x in xs]


def part1():
    print("1. 1-D, b = x - x^3, D = 1 + 0.5 sin(2x)")
    b = lambda x: x - x**3
    D = lambda x: 1 + 0.5 * np.sin(2 * x)
    for T, wall, target, xs in [
        (0.5, -2.5, 1.0, [-1.0, 0.0, 0.5]),
        (0.2, -2.5, 1.0, [-1.0, 0.0, 0.5]),
        (0.5, 2.5, -1.0, [1.0, 0.0, -0.5]),
    ]:
        bvp = mfpt_ode(b, D, T, wall, target, xs)
        for x, v in zip(xs, bvp):
            q = mfpt_quad(b, D, T, wall, target, x)
            print("  T=%g wall=%g target=%g x=%g: quad %.15g  ode %.15g  rel diff %.1e" % (T, wall, target, x, q, v, abs(q - v) / q))


def part2():
    print("2. 1-D double well U = (x^2 - 1)^2, D = 1, wall -2.5, from -1 to +1")
    U = lambda x: (x * x - 1) ** 2
    for T in [0.2, 0.1, 0.05, 0.025, 0.0125]:
        inner = lambda y: integrate.quad(lambda z: np.exp(-(U(z) - U(y)) / T), -2.5, y, epsabs=0, epsrel=1e-13,
                                         limit=500, points=[-1] if y > -1 else None)[0]
        tau = integrate.quad(lambda y: inner(y) / T, -1, 1, epsabs=0, epsrel=1e-12, limit=500, points=[0])[0]
        k = 2 * np.pi / np.sqrt(8 * 4) * np.exp(1 / T)
        print("  T=%g tau=%.15g kramers=%.15g ratio=%.12f (ratio-1)/T=%.6f" % (T, tau, k, tau / k, (tau / k - 1) / T))


def grid_mfpt(T, D, A, h, xlo=-2.0, xhi=1.3, ylim=None):
    """Mean first-passage time from (-1, 0) to the half-plane x >= 1 of
    dX = -(D + A) grad U dt + sqrt(2 T D) dW, U = (x^2 - 1)^2 + y^2, on a
    grid in the coordinates z = Q^T x of the eigenvectors of D (there D is
    diagonal, Lambda), spacing h, over the bounding box of the rectangle
    [xlo, xhi] x [-ylim, ylim].

    The discrete generator is a Markov chain that keeps pi = exp(-U/T)
    stationary exactly, so that the exponent of tau is exact and only its
    prefactor carries the O(h^2) error:
    - along each axis k, Scharfetter-Gummel rates T Lambda_k / h^2 B((U_j - U_i)/T),
      B(z) = z / (e^z - 1), in detailed balance with pi;
    - the transverse drift -A_z grad U (A_z = Q^T A Q = [[0, a], [-a, 0]])
      carries the divergence-free current J = pi b_A = (d2 psi, -d1 psi),
      psi = a T pi; its flux across the dual segment of an edge is the
      difference of psi at the segment's ends (cell corners), so the
      fluxes F_ij sum to zero around every node, and the added rate
      F_ij / (2 pi_i h^2) (a central difference of b_A . grad tau) keeps
      pi stationary.
    tau = 0 on nodes with x >= 1; no flux through the box walls (the
    density there is below exp(-30) of its maximum)."""
    if ylim is None:
        ylim = np.sqrt(30 * T)
    Dm, Am = np.array(D, float), np.array(A, float)
    lam, Q = np.linalg.eigh(Dm)
    a = (Q.T @ Am @ Q)[0, 1]
    # bounding box in z of the rectangle's corners
    corners = np.array([[x, y] for x in (xlo, xhi) for y in (-ylim, ylim)])
    zc = corners @ Q  # rows: z = Q^T x
    # put x = (-1, 0) on a node: shift the z grid
    z0 = np.array([-1.0, 0.0]) @ Q
    lo = z0 + h * np.floor((zc.min(axis=0) - z0) / h)
    hi = z0 + h * np.ceil((zc.max(axis=0) - z0) / h)
    n1, n2 = int(round((hi[0] - lo[0]) / h)) + 1, int(round((hi[1] - lo[1]) / h)) + 1
    z1 = lo[0] + h * np.arange(n1)
    z2 = lo[1] + h * np.arange(n2)

    def U_at(Z1, Z2):
        X = Q[0, 0] * Z1 + Q[0, 1] * Z2
        Y = Q[1, 0] * Z1 + Q[1, 1] * Z2
        return (X * X - 1) ** 2 + Y * Y, X

    Z1, Z2 = np.meshgrid(z1, z2, indexing="ij")
    Un, Xn = U_at(Z1, Z2)
    # psi / pi_node needs U at the cell corners (i +- 1/2, j +- 1/2)
    C1, C2 = np.meshgrid(np.append(z1 - h / 2, z1[-1] + h / 2), np.append(z2 - h / 2, z2[-1] + h / 2), indexing="ij")
    Uc, _ = U_at(C1, C2)  # corner (i - 1/2, j - 1/2) is Uc[i, j]
    target = Xn >= 1
    free = ~target
    num = -np.ones(Un.shape, dtype=np.int64)
    num[free] = np.arange(free.sum())
    N = int(free.sum())

    def B(z):
        out = np.empty_like(z)
        small = np.abs(z) < 1e-8
        out[small] = 1 - z[small] / 2
        zz = z[~small]
        out[~small] = zz / np.expm1(zz)
        return out

    rows, cols, vals = [], [], []
    diag = np.zeros(Un.shape)
    I, J = np.meshgrid(np.arange(n1), np.arange(n2), indexing="ij")
    for (di, dj, k) in [(1, 0, 0), (-1, 0, 0), (0, 1, 1), (0, -1, 1)]:
        ok = (I + di >= 0) & (I + di < n1) & (J + dj >= 0) & (J + dj < n2) & free
        i, j = I[ok], J[ok]
        ni, nj = i + di, j + dj
        dU = Un[ni, nj] - Un[i, j]
        rate = T * lam[k] / h**2 * B(dU / T)
        # corners of the dual segment, as psi / pi_i = a T exp(-(U_c - U_i)/T)
        e = lambda ci, cj: a * T * np.exp(-(Uc[ci, cj] - Un[i, j]) / T)
        if (di, dj) == (1, 0):
            F = e(i + 1, j + 1) - e(i + 1, j)
        elif (di, dj) == (-1, 0):
            F = -(e(i, j + 1) - e(i, j))
        elif (di, dj) == (0, 1):
            F = -(e(i + 1, j + 1) - e(i, j + 1))
        else:
            F = e(i + 1, j) - e(i, j)
        rate = rate + F / (2 * h * h)
        np.add.at(diag, (i, j), -rate)
        into = free[ni, nj]
        rows.append(num[i, j][into])
        cols.append(num[ni, nj][into])
        vals.append(rate[into])
    rows.append(num[free])
    cols.append(num[free])
    vals.append(diag[free])
    Lm = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(N, N))
    tau = spsolve(Lm.tocsc(), -np.ones(N))
    i0 = int(round((z0[0] - lo[0]) / h))
    j0 = int(round((z0[1] - lo[1]) / h))
    assert abs(z1[i0] - z0[0]) < 1e-9 and abs(z2[j0] - z0[1]) < 1e-9
    return tau[num[i0, j0]]


def part3():
    print("3. 2-D, U = (x^2 - 1)^2 + y^2, D = [[1, 0.6], [0.6, 1]], from (-1, 0) to x >= 1")
    D = [[1.0, 0.6], [0.6, 1.0]]
    Hs = np.diag([-4.0, 2.0])
    Hm = np.diag([8.0, 2.0])
    for name, A in [("reversible A = 0", [[0, 0], [0, 0]]), ("A = [[0, 1], [-1, 0]]", [[0, 1.0], [-1.0, 0]])]:
        M = (np.array(D) + np.array(A)) @ Hs
        lam = min(np.linalg.eigvals(M).real)
        pref = 2 * np.pi / abs(lam) * np.sqrt(abs(np.linalg.det(Hs)) / np.linalg.det(Hm))
        print("  %s: lambda_s = %.12f, prefactor %.12f" % (name, lam, pref))
        # Below T = 0.05 the direct solve loses the digits: the matrix's
        # condition number grows as exp(barrier / T).
        for T in [0.2, 0.1, 0.05]:
            hs = [0.04, 0.02, 0.01]
            ts = [grid_mfpt(T, D, A, h) for h in hs]
            ext = (4 * ts[2] - ts[1]) / 3
            order = np.log2(abs(ts[0] - ts[1]) / abs(ts[1] - ts[2]))
            k = pref * np.exp(1 / T)
            print("    T=%g: grid h=0.04, 0.02, 0.01: %.10g %.10g %.10g (order %.2f), extrapolated %.10g (error at h=0.01 %.1e); kramers %.10g; ratio %.6f"
                  % (T, ts[0], ts[1], ts[2], order, ext, abs(ts[2] - ext) / ext, k, ext / k))
            sys.stdout.flush()


if __name__ == "__main__":
    parts = sys.argv[1:] or ["1", "2", "3"]
    if "1" in parts:
        part1()
    if "2" in parts:
        part2()
    if "3" in parts:
        part3()
