"""Euler-Maruyama for the 2-D SGD SDE, written the way a NumPy user would.

    dX = -grad f(X) dt + sqrt(2 T D(X)) dW,
    f(x, y) = (x^2 - 1)^2 / 4 + y^2 / 2,
    D(x, y) = [[1 + 0.5 x^2, 0.3], [0.3, 1 + 0.5 y^2]],   T = 0.5,   dt = 0.001.

This is sgdsde's default `double-well` landscape (noise 2, s = 0.5, c = 0.3),
the model of the Go benchmark `BenchmarkEnsemble` in sde/bench_test.go. All
trajectories start at (1, 0), as there, and advance together: one array
operation per term and step, with the noise factor L (L L^T = 2 T dt D) taken
from the closed-form 2 x 2 Cholesky decomposition

    L11 = sqrt(s a),   L21 = s c / L11,   L22 = sqrt(s d - L21^2),   s = 2 T dt,

of D = [[a, c], [c, d]]. Work arrays are allocated once and updated in place.

Usage:  /usr/bin/python3 bench/numpy_em.py NTRAJ NSTEPS    (defaults 100000 200)

Prints the throughput in million trajectory-steps per second and, as a sanity
check, the mean of |x| and of y^2 over the final states.
"""

import sys
import time

import numpy as np

T = 0.5
DT = 1e-3
S_DIAG = 0.5  # state dependence of the diagonal of D
C_OFF = 0.3   # off-diagonal of D


def run(ntraj, nsteps, seed=1):
    rng = np.random.default_rng(seed)
    x = np.ones(ntraj)
    y = np.zeros(ntraj)
    scale = 2.0 * T * DT
    # scratch arrays, reused every step
    l11 = np.empty(ntraj)
    l21 = np.empty(ntraj)
    l22 = np.empty(ntraj)
    bx = np.empty(ntraj)
    tmp = np.empty(ntraj)
    z = np.empty((2, ntraj))
    start = time.perf_counter()
    for _ in range(nsteps):
        # drift b = -grad f = (x (1 - x^2), -y), times dt
        np.multiply(x, x, out=tmp)
        np.subtract(1.0, tmp, out=bx)
        np.multiply(bx, x, out=bx)
        # Cholesky factor of 2 T dt D(x, y); tmp still holds x^2
        np.multiply(tmp, S_DIAG * scale, out=l11)
        l11 += scale
        np.sqrt(l11, out=l11)
        np.divide(C_OFF * scale, l11, out=l21)
        np.multiply(y, y, out=l22)
        l22 *= S_DIAG * scale
        l22 += scale
        np.multiply(l21, l21, out=tmp)
        l22 -= tmp
        np.sqrt(l22, out=l22)
        rng.standard_normal(out=z)
        z0, z1 = z
        # y first: its update needs the old x only through z0 and L21
        np.multiply(l21, z0, out=tmp)
        y -= DT * y
        y += tmp
        np.multiply(l22, z1, out=tmp)
        y += tmp
        bx *= DT
        x += bx
        np.multiply(l11, z0, out=tmp)
        x += tmp
    elapsed = time.perf_counter() - start
    return x, y, elapsed


def main():
    args = [int(a) for a in sys.argv[1:3]]
    ntraj, nsteps = (args + [100000, 200][len(args):])[:2]
    if ntraj < 1 or nsteps < 1:
        sys.exit("usage: numpy_em.py NTRAJ NSTEPS (both positive)")
    x, y, elapsed = run(ntraj, nsteps)
    rate = ntraj * nsteps / elapsed / 1e6
    print(f"numpy_em: {ntraj} trajectories x {nsteps} steps in {elapsed:.3f} s: "
          f"{rate:.1f} M trajectory-steps/s (mean |x| {np.abs(x).mean():.4f}, mean y^2 {np.mean(y * y):.4f})")


if __name__ == "__main__":
    main()
