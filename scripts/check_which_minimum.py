#!/usr/bin/env python3
# Usage: python3 scripts/check_which_minimum.py ISO T NX NY (e.g. 0 0.05 600 400):
# the occupation of the flat basin of the sharp-flat landscape (sharpness 10, c = 1, eps = 0.1)
# on the box of T = 0.05, for gallery scenario 7. Measured: iso 0: 0.5495 (300 x 200), 0.5559
# (600 x 400); iso 1: 0.9787, 0.9785. The grid of sgdsde gives 0.558 and 0.9785 (384^2).
# Independent check of scenario 7's occupations: the sharp-flat landscape's
# Fokker-Planck equation p_t = -div(b p) + T d_i d_j (D_ij p) on its own
# finite-volume grid (central drift, second order, own formulas), steady state by a sparse
# direct solve, occupation of x < x_saddle of Phi along y = 0.
import sys, numpy as np, scipy.sparse as sp, scipy.sparse.linalg as sla
kappa, C, eps, g = 10.0, 1.0, 0.1, 0.25
iso, T, nx, ny = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
x0, x1, y0, y1 = -3.03, 2.88, -1.83, 1.83
t1 = np.tanh(1.0); l = np.log(kappa)
def parts(x):
    u = x**3; th = np.tanh(u); sech2 = 1/np.cosh(u)**2
    S = th/t1; S1 = 3*x*x*sech2/t1
    E = np.exp(l*S/4); E1 = E*l/4*S1
    return E, E1, l/2*S1
def drift(x, y):
    E, E1, k = parts(x); u = x*x-1; q = u*u/4+y*y/2; P = E*E
    return -P*(k*q+x*u), -(P+g*y*y)*y
def diff(x, y):
    E, E1, _ = parts(x); a = E1*(x*x-1)+2*x*E
    g11 = a*a/2+E1*E1*y*y; g12 = E*E1*y; g22 = E*E+2*g*y*y
    tr = C*(g11+g22)/2; v = 1-iso
    return v*C*g11+iso*tr+eps, v*C*g12, v*C*g22+iso*tr+eps
xs = np.linspace(x0, x1, nx); ys = np.linspace(y0, y1, ny); hx = xs[1]-xs[0]; hy = ys[1]-ys[0]
X, Y = np.meshgrid(xs, ys, indexing='ij'); D11, D12, D22 = diff(X, Y)
idx = np.arange(nx*ny).reshape(nx, ny)
rows, cols, vals = [], [], []
def add(r, c, v): rows.append(r.ravel()); cols.append(c.ravel()); vals.append(v.ravel())
# x faces: rates between (i,j) and (i+1,j) -> chain generator Q (from -> to)
bxf, _ = drift((X[1:]+X[:-1])/2, Y[1:])
r_fw = T*D11[:-1]/hx**2 + bxf/(2*hx)
r_bw = T*D11[1:]/hx**2 - bxf/(2*hx)
_, byf = drift(X[:, 1:], (Y[:, 1:]+Y[:, :-1])/2)
s_fw = T*D22[:, :-1]/hy**2 + byf/(2*hy)
s_bw = T*D22[:, 1:]/hy**2 - byf/(2*hy)
# forward operator M[to, from] += rate, M[from, from] -= rate
for a, b, r in [(idx[:-1], idx[1:], r_fw), (idx[1:], idx[:-1], r_bw), (idx[:, :-1], idx[:, 1:], s_fw), (idx[:, 1:], idx[:, :-1], s_bw)]:
    add(b, a, r); add(a, a, -r)
# cross term 2 T d_x d_y (D12 p), central, interior nodes only (D12 ~ 0 near walls)
if iso < 1:
    c = 2*T*D12/(4*hx*hy)  # the (1,2) and (2,1) terms
    for di, dj, sg in [(1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)]:
        ti = idx[1:-1, 1:-1]; si = idx[1+di:nx-1+di, 1+dj:ny-1+dj]
        add(ti, si, sg*c[1+di:nx-1+di, 1+dj:ny-1+dj])
M = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(nx*ny, nx*ny)).tolil()
M[0, :] = 1.0
rhs = np.zeros(nx*ny); rhs[0] = 1.0
p = sla.spsolve(M.tocsc(), rhs).reshape(nx, ny)
j0 = np.argmin(abs(ys)); mid = (xs > -0.6) & (xs < 0.6)
xs_s = xs[mid][np.argmin(p[mid, j0])]
print(f"iso={iso} T={T} grid {nx}x{ny}: min p {p.min():.2e}; saddle of Phi along y=0 at x={xs_s:.3f}; flat occupation {p[xs < xs_s].sum()/p.sum():.4f}")
