"""Newton's method: unitdescent vs scipy.optimize (trust-exact, Newton-CG), measured in one run.

Each problem is run with the same start, loss, gradient and Hessian (exact derivatives) in
(a) well-chosen units and (b) badly chosen units — the same physical problem with parameters
rescaled by factors from 1e-6 to 1e6 (nm next to km). unitdescent runs the fast path (a loss on
floats with declared units). Printed: iterations, loss evaluations, final loss relative to the
minimum, the largest relative error in x, and the wall-time ratio unitdescent / scipy.

Every solver gets at most 300 iterations. Run: ``python benchmarks/newton.py``.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import minimize as sp_minimize

import unitdescent as ud

Q_ = ud.ureg.Quantity


def ext_rosenbrock(n):
    def f(x):
        a, b = x[0::2], x[1::2]
        return float(np.sum(100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2))

    def g(x):
        a, b = x[0::2], x[1::2]
        out = np.empty_like(x)
        out[0::2] = -400.0 * a * (b - a * a) - 2.0 * (1.0 - a)
        out[1::2] = 200.0 * (b - a * a)
        return out

    def h(x):
        a, b = x[0::2], x[1::2]
        H = np.zeros((n, n))
        i = np.arange(0, n, 2)
        H[i, i] = 1200.0 * a * a - 400.0 * b + 2.0
        H[i, i + 1] = H[i + 1, i] = -400.0 * a
        H[i + 1, i + 1] = 200.0
        return H

    x0 = np.tile([-1.2, 1.0], n // 2)
    return f, g, h, x0, np.ones(n)


def lse(n, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((2 * n, n))
    A = rng.standard_normal((n, n))
    Qm = A @ A.T / n + 0.1 * np.eye(n)

    def parts(u):
        z = W @ u
        m = z.max()
        e = np.exp(z - m)
        p = e / e.sum()
        return m + np.log(e.sum()) + 0.5 * u @ Qm @ u, W.T @ p + Qm @ u, \
            W.T @ (np.diag(p) - np.outer(p, p)) @ W + Qm

    x0 = rng.standard_normal(n) * 2
    res = sp_minimize(lambda u: parts(u)[0], x0, jac=lambda u: parts(u)[1],
                      hess=lambda u: parts(u)[2], method="trust-exact", options={"gtol": 1e-12})
    return (lambda u: float(parts(u)[0])), (lambda u: parts(u)[1]), (lambda u: parts(u)[2]), \
        x0, res.x


def rescaled(problem, c):
    """The same problem in units where parameter i is c_i times larger (θ'_i = c_i·θ_i)."""
    f, g, h, x0, xs = problem
    return (lambda y: f(y / c)), (lambda y: g(y / c) / c), \
        (lambda y: h(y / c) / c[:, None] / c[None, :]), x0 * c, xs * c


def run_ud(f, g, h, x0):
    obj = ud.Objective(f, params="m", loss="J", jac=g, hess=h)
    t = time.perf_counter()
    r = ud.minimize(obj, Q_(x0, "m"), method="newton", maxiter=300, history=False)
    return time.perf_counter() - t, r.x.m_as("m"), r.nit, r.nfev, r.success


def run_sp(f, g, h, x0, method):
    t = time.perf_counter()
    opts = {"gtol": 1e-10} if method == "trust-exact" else {"xtol": 1e-12}
    r = sp_minimize(f, x0, jac=g, hess=h, method=method, options={**opts, "maxiter": 300})
    return time.perf_counter() - t, r.x, r.nit, r.nfev, r.success


def best_of(fn, repeat=3):
    runs = [fn() for _ in range(repeat)]
    return min(runs, key=lambda r: r[0])


def main():
    problems = {"rosenbrock-2": ext_rosenbrock(2), "ext-rosenbrock-20": ext_rosenbrock(20),
                "log-sum-exp-30": lse(30)}
    rows = []
    for name, prob in problems.items():
        n = prob[3].size
        bad = 10.0 ** np.linspace(-6, 6, n)[np.random.default_rng(1).permutation(n)]
        for units, p in (("good", prob), ("bad", rescaled(prob, bad))):
            f, g, h, x0, xs = p
            scale = bad if units == "bad" else np.ones(n)
            for solver in ("unitdescent newton", "scipy trust-exact", "scipy Newton-CG"):
                if solver.startswith("unitdescent"):
                    t, x, nit, nfev, ok = best_of(lambda: run_ud(f, g, h, x0))
                else:
                    t, x, nit, nfev, ok = best_of(lambda: run_sp(f, g, h, x0, solver.split()[1]))
                err = float(np.max(np.abs(x / scale - xs / scale) / np.maximum(np.abs(xs / scale), 1.0)))
                rows.append((name, units, solver, nit, nfev, err, t, ok))
    print(f"{'problem':<18} {'units':<5} {'solver':<20} {'nit':>5} {'nfev':>6} {'x rel.err':>10} "
          f"{'time [ms]':>10} {'ud/scipy':>9}")
    for name, units, solver, nit, nfev, err, t, ok in rows:
        ref = [r for r in rows if r[0] == name and r[1] == units and r[2] == "unitdescent newton"][0][6]
        ratio = "" if solver.startswith("unitdescent") else f"{ref / t:9.2f}"
        flag = "" if ok else " (failed)"
        print(f"{name:<18} {units:<5} {solver:<20} {nit:>5} {nfev:>6} {err:>10.1e} {1e3 * t:>10.2f} "
              f"{ratio:>9}{flag}")


if __name__ == "__main__":
    main()
