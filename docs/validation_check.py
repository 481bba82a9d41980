"""Independent NumPy/SciPy check of the closed forms quoted in docs/validation.md.

Nothing here calls sgdsde: every number is recomputed from the formulas, so a
disagreement with the Go tests points at one side or the other.

Run with Debian's Python:  /usr/bin/python3 docs/validation_check.py
(needs python3-numpy and python3-scipy; takes a few seconds). Each line prints
a quantity, its value and the value the documentation states; the script
exits with status 1 if any check fails.
"""

import itertools
import math
import sys

import numpy as np
from scipy import integrate, linalg, optimize

failures = []


def check(name, got, want, tol):
    ok = abs(got - want) <= tol
    print(f"{'ok  ' if ok else 'FAIL'} {name:58s} {got: .7g}   (doc: {want:g}, tol {tol:g})")
    if not ok:
        failures.append(name)


def current(b, D, divD, logrho, x, T, eps=1e-5):
    """J / rho = b - T div D - T D grad log rho at x, grad by central differences."""
    g = np.array([(logrho(x + eps * e) - logrho(x - eps * e)) / (2 * eps) for e in np.eye(len(x))])
    return b(x) - T * divD(x) - T * D(x) @ g


def div_matrix(D, x, eps=1e-5):
    """(div D)_i = sum_j d_j D_ij by central differences (to check the closed forms of div D)."""
    out = np.zeros(len(x))
    for j, e in enumerate(np.eye(len(x))):
        out += (D(x + eps * e)[:, j] - D(x - eps * e)[:, j]) / (2 * eps)
    return out


rng = np.random.default_rng(0)
pts = rng.uniform(-2, 2, size=(20, 2))

# ---------------------------------------------------------------- cases 3-5
T = 0.5
models = {
    "case 3: D = (1 + r^2) I, a = 2": (
        lambda x: -2 * x,
        lambda x: (1 + x @ x) * np.eye(2),
        lambda x: 2 * x,
        lambda x: -(2 / (2 * T) + 1) * np.log(1 + x @ x)),
    "case 4: D = (1 + r^2) I - x x^T, a = 1": (
        lambda x: -x,
        lambda x: (1 + x @ x) * np.eye(2) - np.outer(x, x),
        lambda x: -x,
        lambda x: -(1 / T - 1) * (x @ x) / 2),
    "case 5: D = I + x x^T, a = 4": (
        lambda x: -4 * x,
        lambda x: np.eye(2) + np.outer(x, x),
        lambda x: 3 * x,
        lambda x: -(4 / T + 3) / 2 * np.log(1 + x @ x)),
}
for name, (b, D, divD, logrho) in models.items():
    jmax = max(np.abs(current(b, D, divD, logrho, x, T)).max() for x in pts)
    dmax = max(np.abs(div_matrix(D, x) - divD(x)).max() for x in pts)
    check(name + ": max |J/rho|", jmax, 0, 1e-7)
    check(name + ": div D closed form", dmax, 0, 1e-7)

# ---------------------------------------------------------------- case 2
f1 = lambda x: (x * x - 1) ** 2 / 4
fp1 = lambda x: x * (x * x - 1)
D1 = lambda x: 1 + 0.5 * np.sin(2 * x)
Dp1 = lambda x: np.cos(2 * x)
phi2 = lambda x: integrate.quad(lambda s: fp1(s) / D1(s), 0, x, epsabs=1e-13)[0] + T * np.log(D1(x))
# J / rho = -f' - T D' + D Phi' must vanish (Phi' by a central difference of the quadrature)
worst = 0.0
for x in np.linspace(-2, 2, 17):
    e = 1e-4
    dphi = (phi2(x + e) - phi2(x - e)) / (2 * e)
    worst = max(worst, abs(-fp1(x) - T * Dp1(x) + D1(x) * dphi))
check("case 2: max |J/rho| for Phi = int f'/D + T log D", worst, 0, 1e-6)
# critical points of Phi solve f' + T D' = 0
for x0 in (-1.0, 1.0):
    xc = optimize.brentq(lambda x: fp1(x) + T * Dp1(x), x0 - 0.5, x0 + 0.4)
    dphi = (phi2(xc + 1e-5) - phi2(xc - 1e-5)) / 2e-5
    check(f"case 2: Phi'(x*) at the root x* = {xc:.4f} of f' + T D'", dphi, 0, 1e-6)

# ---------------------------------------------------------------- case 6
A = np.diag([1.0, 4.0])
Dg = np.array([[1.0, 0.8], [0.8, 1.0]])
S = linalg.solve_continuous_lyapunov(A, 2 * T * Dg)  # A S + S A^T = 2 T D
M = -A + T * Dg @ np.linalg.inv(S)
Pi = np.trace(M.T @ np.linalg.inv(Dg) @ M @ S) / T
L = (M @ S)[1, 0] - (M @ S)[0, 1]
period = 2 * math.pi / math.sqrt(np.linalg.det(M))
for (i, j), v in {(0, 0): 0.5, (0, 1): 0.16, (1, 1): 0.125}.items():
    check(f"case 6: Sigma[{i}{j}]", S[i, j], v, 1e-14)
for (i, j), v in {(0, 0): -1.04065, (0, 1): 3.252033, (1, 0): -0.813008, (1, 1): 1.04065}.items():
    check(f"case 6: M[{i}{j}]", M[i, j], v, 1e-6)
check("case 6: M Sigma + (M Sigma)^T = 0", np.abs(M @ S + (M @ S).T).max(), 0, 1e-14)
check("case 6: tr M = 0", np.trace(M), 0, 1e-14)
check("case 6: Pi", Pi, 3.2, 1e-12)
check("case 6: L = (M S)_21 - (M S)_12", L, -0.48, 1e-12)
check("case 6: L = (A S)_12 - (A S)_21", (A @ S)[0, 1] - (A @ S)[1, 0], -0.48, 1e-12)
check("case 6: period 2 pi / sqrt(det M)", period, 5.029002, 1e-6)
# the orbit of x' = M x from (0.7, 0) returns after one period
xT = linalg.expm(M * period) @ np.array([0.7, 0.0])
check("case 6: |exp(M period) x0 - x0|", np.abs(xT - [0.7, 0]).max(), 0, 1e-12)
# D = I commutes with A: M = 0
Mi = -A + T * np.linalg.inv(linalg.solve_continuous_lyapunov(A, 2 * T * np.eye(2)))
check("case 6: D = I gives M = 0", np.abs(Mi).max(), 0, 1e-14)
# a constant D that commutes with A: J = 0 but Phi = x^T D^-1 A x / 2
Dc = np.diag([2.0, 0.5])
Sc = linalg.solve_continuous_lyapunov(A, 2 * T * Dc)
Mc = -A + T * Dc @ np.linalg.inv(Sc)
check("commuting D = diag(2, .5): M = 0", np.abs(Mc).max(), 0, 1e-14)
check("commuting D: T Sigma^-1 = D^-1 A", np.abs(T * np.linalg.inv(Sc) - np.linalg.inv(Dc) @ A).max(), 0, 1e-14)
# the strongly anisotropic gyrator of the README's solver notes
S9 = linalg.solve_continuous_lyapunov(A, 2 * 0.15 * np.array([[1, 0.9], [0.9, 1]]))
D9 = np.array([[1, 0.9], [0.9, 1]])
M9 = -A + 0.15 * D9 @ np.linalg.inv(S9)
check("gyrator D12 = 0.9, T = 0.15: Pi", np.trace(M9.T @ np.linalg.inv(D9) @ M9 @ S9) / 0.15, 7.674, 5e-4)
check("gyrator D12 = 0.9, T = 0.15: L", (M9 @ S9)[1, 0] - (M9 @ S9)[0, 1], -0.162, 5e-4)

# ---------------------------------------------------------------- case 7
U0, F, P = 0.5, 1.0, 1.0
U = lambda x: U0 * math.cos(2 * math.pi * x / P) - F * x
inner = lambda x: integrate.quad(lambda y: math.exp(U(y) / T), x, x + P, epsabs=1e-14, epsrel=1e-13)[0]
den = integrate.quad(lambda x: math.exp(-U(x) / T) * inner(x), 0, P, epsabs=1e-14, epsrel=1e-12)[0]
J7 = T * (1 - math.exp(-F * P / T)) / den
# independent: the periodic 1-D Fokker-Planck equation by a fine finite-volume scheme (Richardson-extrapolated)
def fv_current(n):
    h = P / n
    xm = (np.arange(n) + 1.0) * h  # right faces
    # exact Scharfetter-Gummel flux for D = 1 with the potential difference across each face
    xs = (np.arange(n) + 0.5) * h
    du = np.array([U(x + h) - U(x) for x in xs]) / T
    B = lambda z: np.where(np.abs(z) < 1e-12, 1.0, z / np.expm1(np.where(np.abs(z) < 1e-12, 1.0, z)))
    r_right = T / h**2 * B(du)       # rate i -> i+1
    r_left = T / h**2 * B(-du)       # rate i+1 -> i
    Q = np.zeros((n, n))
    for i in range(n):
        k = (i + 1) % n
        Q[k, i] += r_right[i]; Q[i, i] -= r_right[i]
        Q[i, k] += r_left[i]; Q[k, k] -= r_left[i]
    Q[0, :] = 1.0
    rhs = np.zeros(n); rhs[0] = 1.0
    p = np.linalg.solve(Q, rhs)
    return r_right[0] * p[0] - r_left[0] * p[1]  # probability per unit time through a face: J
j1, j2 = fv_current(400), fv_current(800)
check("case 7: Stratonovich J vs periodic FV solve (800, Richardson)", J7, (4 * j2 - j1) / 3, 1e-7)
print(f"     case 7: J = {J7:.10f}")

# ---------------------------------------------------------------- case 8
Z = integrate.quad(lambda x: math.exp(-(x * x - 1) ** 2 / 4), -np.inf, np.inf, epsabs=1e-14)[0] * math.sqrt(2 * math.pi)
check("case 8: Z = int exp(-Phi0)", Z, 7.623468444672765, 1e-10)
check("case 8: L = 2 pi lambda / Z at lambda = 0.5", 2 * math.pi * 0.5 / Z, 0.41210, 1e-5)
Lq = integrate.dblquad(lambda y, x: 0.5 * math.exp(-((x * x + y * y) ** 2) / 4) * (x * x + y * y) / Z, -6, 6, -6, 6, epsabs=1e-12)[0]
check("case 8: L by 2-D quadrature of x1 J2 - x2 J1", Lq, 2 * math.pi * 0.5 / Z, 1e-9)

def drift8(v, lam):
    x, y = v
    phi0 = (x * x - 1) ** 2 / 4 + y * y / 2
    s = lam * math.exp(phi0 - (x * x + y * y) ** 2 / 4)
    return [-x * (x * x - 1) - s * y, -y + s * x]

z = optimize.fsolve(drift8, [0.95, 0.35], args=(0.5,), xtol=1e-14)
check("case 8: zero at lambda = 0.5, x", z[0], 0.9024, 5e-5)
check("case 8: zero at lambda = 0.5, y", z[1], 0.3888, 5e-5)
roots = set()
for x0, y0 in itertools.product(np.linspace(-2.5, 2.5, 15), repeat=2):
    sol, info, ier, _ = optimize.fsolve(drift8, [x0, y0], args=(1.5,), full_output=True, xtol=1e-13)
    if ier == 1 and np.abs(drift8(sol, 1.5)).max() < 1e-10:
        roots.add((round(sol[0], 6) + 0.0, round(sol[1], 6) + 0.0))
check("case 8: lambda = 1.5, number of distinct zeros", len(roots), 1, 0)
# J = lam exp(-r^4/4) (-y, x)/Z is divergence free and J = b rho - grad rho for rho = exp(-Phi0)/Z (T = 1)
lam = 1.5
phi0 = lambda v: (v[0] ** 2 - 1) ** 2 / 4 + v[1] ** 2 / 2
worst = 0.0
for v in pts:
    Jn = current(lambda x: np.array(drift8(x, lam)), lambda x: np.eye(2), lambda x: np.zeros(2), lambda x: -phi0(x), v, 1.0)
    r4 = (v @ v) ** 2
    Jc = lam * math.exp(phi0(v) - r4 / 4) * np.array([-v[1], v[0]])  # J / rho
    worst = max(worst, np.abs(Jn - Jc).max())
check("case 8: J/rho = lam exp(Phi0 - r^4/4) (-y, x)", worst, 0, 1e-6)

# ---------------------------------------------------------------- case 11
def em_cov(h):
    B = np.eye(2) - h * A
    return linalg.solve_discrete_lyapunov(B, 2 * h * T * Dg)  # C = B C B^T + 2 h T D

C = em_cov(0.05)
check("case 11: C_h[22] at h = 0.05", C[1, 1], 0.1389, 5e-5)
se22 = math.sqrt(2 * C[1, 1] ** 2 / 100000)
print(f"     case 11: C_h = {C.round(5).tolist()}, (C_h - Sigma)_22 = {(C - S)[1, 1]:.4f} = {(C - S)[1, 1] / se22:.1f} s.e. at n = 1e5")
C01 = em_cov(0.01)
check("EM angular momentum (A C_h)_12 - (A C_h)_21 at h = 0.01", (A @ C01)[0, 1] - (A @ C01)[1, 0], -0.48, 0.02)
C2 = em_cov(2e-3)
print(f"     EM covariance bias at h = 2e-3: max |C_h - Sigma| = {np.abs(C2 - S).max():.4f}")

# ---------------------------------------------------------------- case 12
a12, c12 = -273 / 512, 17 / 256
check("case 12: d/dt E[X1^2] = (2a + c) E[X1^2]", 2 * a12 + c12, -1, 1e-15)
errs = []
for k in range(2, 6):
    n = 2 ** k
    h = 3 / n
    m = ((1 + a12 * h) ** 2 + c12 * h) ** n
    errs.append(abs(m - math.exp(-3)))
    print(f"     case 12: h = {h:<8g} EM E[X1^2] = {m:.6f}, bias {m - math.exp(-3):+.6f}")
ratios = [errs[i] / errs[i + 1] for i in range(3)]
print("     case 12: exact weak error ratios", [round(r, 3) for r in ratios])

# ---------------------------------------------------------------- case 16
# finite-population covariance by exact enumeration of every batch
rng = np.random.default_rng(3)
N, b = 7, 3
G = rng.normal(size=(N, 2))
g = G.mean(0)
Dfs = (G - g).T @ (G - g) / N
batches = [np.array(c) for c in itertools.combinations(range(N), b)]
cov_wo = sum(np.outer(G[c].mean(0) - g, G[c].mean(0) - g) for c in batches) / len(batches)
check("case 16: without replacement = D (N - b)/(b (N - 1))", np.abs(cov_wo - Dfs * (N - b) / (b * (N - 1))).max(), 0, 1e-14)
batches_w = [np.array(c) for c in itertools.product(range(N), repeat=b)]
cov_w = sum(np.outer(G[c].mean(0) - g, G[c].mean(0) - g) for c in batches_w) / len(batches_w)
check("case 16: with replacement = D / b", np.abs(cov_w - Dfs / b).max(), 0, 1e-14)

# ---------------------------------------------------------------- double well, 1-D analysis of the minima of Phi
Ts = np.array([0.1, 0.2, 0.4])
slope = np.polyfit(Ts, np.sqrt(1 - Ts), 1)[0]
print(f"     double well: least-squares slope of sqrt(1 - T) over T = 0.1, 0.2, 0.4: {slope:.3f}")
print(f"     double well: 1 - sqrt(1 - T) at T = 0.5 is {1 - math.sqrt(0.5):.3f}")

if failures:
    print(f"{len(failures)} check(s) failed: {failures}")
    sys.exit(1)
print("all checks passed")
