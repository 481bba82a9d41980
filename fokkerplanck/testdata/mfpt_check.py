"""Independent check of the 1-D first-passage and committor quadratures of
fokkerplanck/backward_test.go (NumPy and SciPy only).

Model (validation case 2): f = (x^2 - 1)^2 / 4, b = -f', D = 1 + 0.5 sin(2x),
T = 0.5, reflecting wall at l = -2.5.

MFPT to a (target x >= a), from x < a: the backward equation
    T D tau'' + b tau' = -1,  tau'(l) = 0,  tau(a) = 0
has, with psi(y) = exp(-int_0^y b / (T D) ds), the solution
    tau(x) = int_x^a psi(y) int_l^y dz / (T D(z) psi(z)) dy.
Committor between A = {x <= a} and B = {x >= c}: T D q'' + b q' = 0,
q(a) = 0, q(c) = 1, so q(x) = int_a^x psi / int_a^c psi, and the reactive
flux (the rate k_AB) is T / (Z int_a^c psi), Z = int_l^r dz / (D psi).

The script checks the quadrature formula against a direct solution of the
boundary value problem (scipy.integrate.solve_bvp) and prints the values the
Go test reproduces (TestMFPT1DQuadrature prints the same numbers).
"""
import numpy as np
from scipy.integrate import quad, solve_bvp

T, l, r = 0.5, -2.5, 2.5
f1 = lambda x: x * (x * x - 1)          # f'
b = lambda x: -f1(x)
D = lambda x: 1 + 0.5 * np.sin(2 * x)
D1 = lambda x: np.cos(2 * x)            # D'


def logpsi(y):
    return quad(lambda s: -b(s) / (T * D(s)), 0, y, epsabs=1e-13, epsrel=1e-13)[0]


def psi(y):
    return np.exp(logpsi(y))


def inner(y):
    return quad(lambda z: 1 / (T * D(z) * psi(z)), l, y, epsabs=1e-14, epsrel=1e-13, limit=200)[0]


def tau(x, a):
    return quad(lambda y: psi(y) * inner(y), x, a, epsabs=1e-12, epsrel=1e-12, limit=200)[0]


a = 1.0
# Direct BVP: y0 = tau, y1 = tau'.
def rhs(x, y):
    return np.vstack([y[1], (-1 - b(x) * y[1]) / (T * D(x))])


def bc(ya, yb):
    return np.array([ya[1], yb[0]])


xs = np.linspace(l, a, 2001)
sol = solve_bvp(rhs, bc, xs, np.zeros((2, xs.size)), tol=1e-10, max_nodes=200000)
assert sol.success, sol.message
worst = 0.0
for x in (-2.0, -1.0, 0.0, 0.5):
    q, d = tau(x, a), sol.sol(x)[0]
    worst = max(worst, abs(q - d) / q)
    print(f"tau({x:+.1f} -> {a}) quadrature {q:.10f}  solve_bvp {d:.10f}")
print(f"largest relative difference {worst:.2e}")
assert worst < 1e-6

# Committor between x <= -1 and x >= 1, and the rate.
c0, c1 = -1.0, 1.0
den = quad(psi, c0, c1, epsabs=1e-14, epsrel=1e-13)[0]
z = quad(lambda s: 1 / (D(s) * psi(s)), l, r, epsabs=1e-14, epsrel=1e-13, limit=200)[0]
print(f"q(0) = {quad(psi, c0, 0)[0] / den:.10f}")
print(f"k_AB = {T / (z * den):.10e}")
qsol = solve_bvp(lambda x, y: np.vstack([y[1], -b(x) * y[1] / (T * D(x))]),
                 lambda ya, yb: np.array([ya[0], yb[0] - 1]),
                 np.linspace(c0, c1, 2001), np.vstack([np.linspace(0, 1, 2001), np.ones(2001) / 2]),
                 tol=1e-10, max_nodes=200000)
assert qsol.success, qsol.message
print(f"q(0) by solve_bvp = {qsol.sol(0.0)[0]:.10f}")
assert abs(qsol.sol(0.0)[0] - quad(psi, c0, 0)[0] / den) < 1e-7
