"""Second derivatives of a compiled :class:`~unitdescent.objective.Problem`, on floats.

Finite-difference Hessians and Hessian-vector products with *unit-aware* steps: the step in
parameter i is relative, h_i = c·max(|θ_i|, scale_i) with units [θ_i], never an absolute 1e-8
in whatever units were typed — so the same physical problem in other units takes the same
physical steps. Entry (i, j) of a Hessian is in [L]/([θ_i][θ_j]) (working units of the
problem); a Hessian-vector product H·v for v in [θ] is in [L]/[θ_i].
"""

from __future__ import annotations

import numpy as np

from .errors import InputError

_EPS = float(np.finfo(float).eps)
#: relative step for second differences of the loss (optimal ∝ eps^(1/4))
REL_STEP_F = _EPS ** 0.25
#: relative step for central differences of a gradient (optimal ∝ eps^(1/3))
REL_STEP_G = _EPS ** (1.0 / 3.0)


def _base(problem, x):
    """max(|θ_i|, scale_i) in [θ_i]; Problem.fd_steps raises a teaching error for a 0 with no scale."""
    from .objective import FD_REL_STEP

    return problem.fd_steps(x) / FD_REL_STEP


def symmetrize(m: np.ndarray) -> np.ndarray:
    """(M + Mᵀ)/2."""
    return 0.5 * (m + m.T)


def hessian_values(problem, x, method: str = "auto") -> np.ndarray:
    """The Hessian at ``x`` as an (n, n) float matrix in working units, symmetrised.

    ``method``: "auto" (the user's ``hess`` if given, else "fd"), "hess" (the user's),
    "fd" (gradient differences when a ``jac`` was given, else second differences of the loss),
    "fd-grad" (central differences of the gradient), "fd-loss" (second differences of the
    loss), "hvp" (one Hessian-vector product per column).
    """
    if method == "auto":
        method = "hess" if problem.has_hess else "fd"
    if method == "fd":
        method = "fd-grad" if problem.objective.jac is not None else "fd-loss"
    if method == "hess":
        if not problem.has_hess:
            raise InputError("method='hess' needs a hess (a function returning the Hessian); "
                             "give hess=... or use method='fd'")
        return symmetrize(np.asarray(problem.hess(x), dtype=float))
    if method == "fd-grad":
        return _fd_grad_hessian(problem, x)
    if method == "fd-loss":
        return _fd_loss_hessian(problem, x)
    if method == "hvp":
        n = x.size
        cols = np.empty((n, n))
        base = _base(problem, x)
        for j in range(n):
            v = np.zeros(n)
            v[j] = base[j]  # a step of one scale in parameter j, [θ_j]
            cols[:, j] = hvp_values(problem, x, v) / base[j]
        return symmetrize(cols)
    raise InputError(f"unknown Hessian method {method!r}; use 'auto', 'hess', 'fd', 'fd-grad', "
                     f"'fd-loss' or 'hvp'")


def _fd_grad_hessian(problem, x):
    h = REL_STEP_G * _base(problem, x)
    n = x.size
    out = np.empty((n, n))
    xp = np.array(x, dtype=float, copy=True)
    for j in range(n):
        xj = xp[j]
        xp[j] = xj + h[j]
        up = xp[j]
        gp = problem.grad(xp)
        xp[j] = xj - h[j]
        down = xp[j]
        gm = problem.grad(xp)
        xp[j] = xj
        out[:, j] = (gp - gm) / (up - down)
    return symmetrize(out)


def _fd_loss_hessian(problem, x):
    h = REL_STEP_F * _base(problem, x)
    n = x.size
    xp = np.array(x, dtype=float, copy=True)
    # actual (representable) steps
    hp = (xp + h) - xp
    hm = xp - (xp - h)
    f0 = problem.fun(xp)
    fp = np.empty(n)
    fm = np.empty(n)
    for i in range(n):
        xi = xp[i]
        xp[i] = xi + hp[i]
        fp[i] = problem.fun(xp)
        xp[i] = xi - hm[i]
        fm[i] = problem.fun(xp)
        xp[i] = xi
    out = np.empty((n, n))
    # non-uniform second difference (exact for quadratics)
    out[np.diag_indices(n)] = 2.0 * (hm * fp + hp * fm - (hp + hm) * f0) / (hp * hm * (hp + hm))
    for i in range(n):
        for j in range(i + 1, n):
            vals = []
            for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                xi, xj = xp[i], xp[j]
                xp[i] = xi + (hp[i] if si > 0 else -hm[i])
                xp[j] = xj + (hp[j] if sj > 0 else -hm[j])
                vals.append(problem.fun(xp))
                xp[i], xp[j] = xi, xj
            out[i, j] = out[j, i] = (vals[0] - vals[1] - vals[2] + vals[3]) / (
                (hp[i] + hm[i]) * (hp[j] + hm[j]))
    return out


def hvp_values(problem, x, v) -> np.ndarray:
    """H·v at ``x`` for a direction ``v`` (entry i in [θ_i]); returns entries in [L]/[θ_i].

    With a user ``hess`` this is exact. Otherwise it is a central difference of the gradient
    along ``v``: (g(x + εv) − g(x − εv))/(2ε) with a dimensionless ε chosen so that the largest
    step entry is a relative step, ε·|v_i| ≤ c·max(|θ_i|, scale_i).
    """
    v = np.asarray(v, dtype=float)
    if problem.has_hess:
        return problem.hess(x) @ v
    base = _base(problem, x)
    ratio = float(np.max(np.abs(v) / base)) if v.size else 0.0
    if ratio == 0.0:
        return np.zeros_like(v)
    rel = REL_STEP_G if problem.objective.jac is not None else REL_STEP_F
    eps = rel / ratio
    return (problem.grad(x + eps * v) - problem.grad(x - eps * v)) / (2.0 * eps)


def check_finite_matrix(m: np.ndarray, space, what: str = "the Hessian") -> str:
    """'' when ``m`` is finite, else a message naming the first bad block (a, b)."""
    bad = ~np.isfinite(m)
    if not bad.any():
        return ""
    i, j = (int(k) for k in np.argwhere(bad)[0])
    a, b = param_name(space, i), param_name(space, j)
    return (f"{what} is not finite ({m[i, j]}) in block ({a!r}, {b!r}) at entry ({i}, {j}): the "
            f"loss is not twice differentiable there, or overflows; check the loss (and hess) "
            f"near this point")


def param_name(space, i):
    for s in space.specs:
        if s.start <= i < s.stop:
            return s.name
    return "?"


def hessian_diagonal(problem, x, method: str = "auto") -> np.ndarray:
    """The Hessian's diagonal H_ii at ``x``, [L]/[θ_i]², as cheaply as the sources allow.

    The user's ``hess`` (its diagonal); with a ``jac``, the full gradient-difference Hessian;
    otherwise second differences of the loss along each axis (2n + 1 loss evaluations).
    """
    if method == "auto":
        method = "hess" if problem.has_hess else "fd"
    if method == "fd":
        method = "fd-grad" if problem.objective.jac is not None else "fd-loss"
    if method != "fd-loss":
        return np.diag(hessian_values(problem, x, method)).copy()
    h = REL_STEP_F * _base(problem, x)
    xp = np.array(x, dtype=float, copy=True)
    hp = (xp + h) - xp
    hm = xp - (xp - h)
    f0 = problem.fun(xp)
    out = np.empty(x.size)
    for i in range(x.size):
        xi = xp[i]
        xp[i] = xi + hp[i]
        fp = problem.fun(xp)
        xp[i] = xi - hm[i]
        fm = problem.fun(xp)
        xp[i] = xi
        out[i] = 2.0 * (hm[i] * fp + hp[i] * fm - (hp[i] + hm[i]) * f0) / (hp[i] * hm[i] * (hp[i] + hm[i]))
    return out


def hutchinson_diagonal(problem, x, probes: int = 8, seed: int = 0) -> np.ndarray:
    """An estimate of the Hessian's diagonal from ``probes`` Hessian-vector products.

    Works in scaled coordinates (θ_i/s_i): with Rademacher vectors z, diag(Ĥ) ≈ mean(z ⊙ Ĥz),
    Ĥ = S·H·S. Exact (with one probe) when the Hessian is diagonal; an unbiased, noisy estimate
    otherwise. Cost: ``probes`` Hessian-vector products (2 gradients each). Returns [L]/[θ_i]².
    """
    if not (isinstance(probes, (int, np.integer)) and probes >= 1):
        raise InputError(f"probes must be a positive integer, got {probes!r}")
    rng = np.random.default_rng(seed)
    s = problem.typical
    acc = np.zeros(x.size)
    for _ in range(int(probes)):
        z = rng.choice((-1.0, 1.0), size=x.size)
        acc += z * (s * hvp_values(problem, x, s * z))
    return acc / probes / (s * s)


def jacobi_radius(problem, x, diag, *, full=None, iters: int = 20, seed: int = 0) -> float:
    """The spectral radius ρ of D^(-1/2)·H·D^(-1/2) with D = diag(|H_ii|) (dimensionless).

    From the full Hessian ``full`` when given, else by power iteration with ``iters``
    Hessian-vector products. ρ = 1 for a diagonal Hessian; ρ ≤ n for a positive one.
    """
    d = np.sqrt(np.abs(diag))
    d[d == 0] = 1.0
    if full is not None:
        j = full / d[:, None] / d[None, :]
        return float(np.max(np.abs(np.linalg.eigvalsh(symmetrize(j)))))
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(x.size)
    v /= np.linalg.norm(v)
    rho = 0.0
    for _ in range(int(iters)):
        w = hvp_values(problem, x, v / d) / d
        rho = float(np.linalg.norm(w))
        if rho == 0.0:
            return 0.0
        v = w / rho
    return rho
