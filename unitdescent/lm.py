"""The least-squares solver on floats, in scaled (dimensionless) coordinates.

The caller has already divided every parameter by a characteristic scale, so the vector ``z``
this module sees is unit-free: the same physical problem written in other units gives the same
floats, the same steps and the same number of evaluations. ``method="lm"`` is the
Levenberg–Marquardt iteration of :func:`levenberg_marquardt` (Marquardt's diagonal scaling from
the columns of the Jacobian, updated as the fit proceeds; every decision robust to rounding, so
that a change of units cannot change the path); ``method="trf"`` is scipy's trust-region
reflective method with ``x_scale="jac"``, used for bounds.

The Jacobian is the caller's, or central differences with steps *relative to each parameter
and its scale*: h_i = FD_REL_STEP · max(|z_i|, 1), i.e. a fraction of max(|θ_i|, scale_i) in the
parameter's own units — never scipy's √eps·max(1, |θ_i|), whose "1" carries the units of
whatever the parameter happens to be written in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

EPS = float(np.finfo(float).eps)

#: Central differences: error ~ h² (truncation) + eps/h (rounding) is smallest near eps^(1/3).
FD_REL_STEP = EPS ** (1.0 / 3.0)

#: Default tolerances (dimensionless, relative). The step test ``xtol`` decides: a scaled step
#: below 1e-9 of the scaled parameter vector. It is tight enough for the NIST certified values
#: (LRE ≥ 6; see docs/fitting.md) yet far above rounding noise, so the same problem in other
#: units stops after the same number of evaluations. The χ² test is weak for large-residual
#: problems (a parameter error δ changes χ² only by O(δ²)), so ``ftol`` and ``gtol`` are at
#: machine epsilon: they act only when nothing more can be gained.
DEFAULT_FTOL = EPS
DEFAULT_XTOL = 1e-9
DEFAULT_GTOL = EPS

#: A non-finite residual (overflow in a trial step) is replaced by this value so that the
#: step is rejected instead of poisoning the iteration.
_HUGE = 1e100

METHODS = ("lm", "trf")

#: Rounding noise of χ² = Σ r_i², in units of eps·Σ|r_i|·(|y_i|/σ_i + |r_i|). Generous, because a
#: model such as exp(−E/RT) amplifies the rounding of its argument (by |E/RT| ≈ 30).
NOISE = 64.0


MESSAGES = {
    -1: "stopped: improper input to the solver",
    0: "stopped: the maximum number of steps (max_nfev) was reached — increase max_nfev "
       "or give a better start",
    1: "converged: the residuals are orthogonal to the Jacobian to within gtol",
    2: "converged: χ² cannot decrease by more than ftol (relative) or its rounding noise",
    3: "converged: the scaled Gauss–Newton step is smaller than xtol (relative)",
    4: "converged: χ² and the scaled step both stopped changing (ftol and xtol)",
}


@dataclass(frozen=True)
class Solution:
    """What :func:`solve` returns (all floats in scaled coordinates).

    z : solution; r : residuals there; J : the Jacobian dr/dz there; nfev : residual
    evaluations (finite differences included); njev : Jacobian evaluations; status, message,
    success as in scipy.
    """

    z: np.ndarray
    r: np.ndarray
    J: np.ndarray
    nfev: int
    njev: int
    status: int
    message: str
    success: bool


class _Counted:
    """Residuals r(z) with an evaluation counter and a guard against non-finite values."""

    def __init__(self, resid):
        self.resid = resid
        self.nfev = 0

    def __call__(self, z):
        self.nfev += 1
        r = np.asarray(self.resid(z), dtype=float).ravel()
        if not np.isfinite(r @ r):  # one dot product; NaN/inf anywhere (or overflow) shows here
            r = np.where(np.isfinite(r), r, _HUGE)
        return r


def central_jacobian(fun, z, lb=None, ub=None, rel_step=FD_REL_STEP):
    """Central-difference Jacobian of ``fun`` at ``z`` with relative steps rel·max(|z_i|, 1).

    A stencil that would cross a bound is clipped to it (the difference then becomes one-sided).
    """
    z = np.asarray(z, dtype=float)
    h = rel_step * np.maximum(np.abs(z), 1.0)
    cols = []
    zp = z.copy()
    for i in range(z.size):
        up, down = z[i] + h[i], z[i] - h[i]
        if ub is not None:
            up = min(up, ub[i])
        if lb is not None:
            down = max(down, lb[i])
        zp[i] = up
        up = zp[i]  # the representable point actually evaluated
        fp = fun(zp)
        zp[i] = down
        down = zp[i]
        fm = fun(zp)
        zp[i] = z[i]
        cols.append((fp - fm) / (up - down))
    return np.column_stack(cols) if cols else np.zeros((0, 0))


def solve(resid, z0, *, jac=None, method="lm", lb=None, ub=None, ftol=DEFAULT_FTOL,
          xtol=DEFAULT_XTOL, gtol=DEFAULT_GTOL, max_nfev=None, rel_step=FD_REL_STEP,
          magnitude=None) -> Solution:
    """Minimize ½‖r(z)‖² over the scaled vector ``z``.

    Parameters
    ----------
    resid : callable
        z (n,) -> r (m,), dimensionless floats.
    z0 : ndarray (n,)
        Start, scaled (typically ±1 per entry).
    jac : callable, optional
        z -> dr/dz (m, n); central differences with relative steps otherwise.
    method : "lm" or "trf"
        "trf" (scipy's trust-region reflective) is required with bounds.
    lb, ub : ndarray (n,), optional
        Bounds in scaled coordinates.
    ftol, xtol, gtol : float
        Relative tolerances (dimensionless): available χ² reduction, scaled step, and the
        cosine between the residuals and each Jacobian column.
    max_nfev : int, optional
        Maximum number of steps tried (residual evaluations outside the Jacobian).
    magnitude : ndarray (m,), optional
        Size of the terms each residual is the difference of (|y_i|/σ_i for a fit), to tell
        χ² changes from rounding noise.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    counted = _Counted(resid)
    state = {"njev": 0}
    z0 = np.asarray(z0, dtype=float)
    has_bounds = (lb is not None and np.any(np.isfinite(lb))) or (ub is not None and np.any(np.isfinite(ub)))
    if jac is None:
        lo = lb if has_bounds else None
        hi = ub if has_bounds else None

        def jacobian(z):
            state["njev"] += 1
            return central_jacobian(counted, z, lo, hi, rel_step)
    else:
        def jacobian(z):
            state["njev"] += 1
            return np.asarray(jac(z), dtype=float)

    with np.errstate(all="ignore"):  # overflow in a trial step is handled, not warned about
        return _dispatch(counted, jacobian, state, z0, method, has_bounds, lb, ub, ftol, xtol, gtol,
                         max_nfev, magnitude)


def _dispatch(counted, jacobian, state, z0, method, has_bounds, lb, ub, ftol, xtol, gtol, max_nfev,
              magnitude):
    if method == "lm":
        if has_bounds:
            raise ValueError("method 'lm' takes no bounds; use 'trf'")
        z, r, J, status = levenberg_marquardt(counted, jacobian, z0, ftol=ftol, xtol=xtol,
                                              gtol=gtol, max_nfev=max_nfev, magnitude=magnitude)
        message = MESSAGES[status]
    else:
        kwargs = dict(jac=jacobian, method=method, ftol=ftol, xtol=xtol, gtol=gtol,
                      max_nfev=max_nfev, x_scale="jac")
        if has_bounds:
            kwargs["bounds"] = (lb, ub)
        from scipy.optimize import least_squares as scipy_least_squares  # ~0.3 s: only here

        res = scipy_least_squares(counted, z0, **kwargs)
        z, r, J, status = res.x, res.fun, res.jac, int(res.status)
        message = MESSAGES.get(status, str(res.message))
    return Solution(z=np.asarray(z, dtype=float), r=np.asarray(r, dtype=float),
                    J=np.asarray(J, dtype=float), nfev=counted.nfev, njev=state["njev"],
                    status=status, message=message, success=status > 0)


def levenberg_marquardt(fun, jac, z0, *, ftol=DEFAULT_FTOL, xtol=DEFAULT_XTOL, gtol=DEFAULT_GTOL,
                        max_nfev=None, magnitude=None, factor=100.0):
    """Levenberg–Marquardt (Moré's trust-region form) with decisions rounding cannot flip.

    Each step minimizes ‖r + J δ‖² subject to ‖D δ‖ ≤ Δ, i.e. ‖r + J δ‖² + λ‖D δ‖² with λ
    chosen so the step has length Δ (or λ = 0 when the Gauss–Newton step is shorter). D_j is the
    largest norm column j of J has had (MINPACK's scaling, updated as the fit proceeds); the
    subproblem is solved through the SVD of J D⁻¹. Δ starts at ``factor``·‖D z0‖ and follows
    MINPACK's rules. Two things make the iteration *reproducible under a change of units*, where
    the residuals differ only by rounding:

    * a step whose predicted χ² reduction is below the rounding noise of χ² is accepted without
      comparing it with the actual reduction (a ratio of two noises); if χ² grew by more than
      that noise instead, no further progress is possible (status 2);
    * convergence is decided on the Gauss–Newton step and the reduction it predicts, both
      computed from J and r, never on a difference of two χ² values: stop when
      ‖D δ_GN‖ ≤ xtol‖D z‖ (status 3), when the reduction still available, ‖P_J r‖², is below
      ftol·χ² or its own rounding noise (status 2), or when every column of J is orthogonal to r
      to within gtol (status 1).

    Returns ``(z, r, J, status)`` with J the Jacobian at the returned z; status 0 when
    ``max_nfev`` steps were tried.
    """
    z = np.array(z0, dtype=float)
    n = z.size
    max_nfev = 100 * (n + 1) if max_nfev is None else int(max_nfev)
    r = fun(z)
    m = r.size
    w = np.zeros(m) if magnitude is None else np.asarray(magnitude, dtype=float).ravel()
    chi2 = float(r @ r)
    J = jac(z)
    D = np.zeros(n)
    radius = None
    tries = 0
    while True:
        colnorm = np.sqrt(np.einsum("ij,ij->j", J, J))
        D = np.maximum(D, colnorm)
        Dsafe = np.where(D > 0, D, 1.0)
        U, S, Vt = np.linalg.svd(J / Dsafe, full_matrices=False)
        g = U.T @ r
        size = w + np.abs(r)
        noise = NOISE * EPS * float(np.abs(r) @ size)  # rounding noise of χ² (generous)
        floor = (8.0 * EPS) ** 2 * float(size @ size) * n  # rounding noise of ‖P_J r‖²
        keep = S > EPS * max(m, n) * (S[0] if S.size else 0.0)
        # convergence, from quantities rounding cannot flip
        rnorm = math.sqrt(chi2)
        if not keep.any() or rnorm == 0:
            return z, r, J, 1
        cn = colnorm * rnorm
        if np.max(np.abs(J.T @ r) / np.where(cn > 0, cn, 1.0)) <= gtol:
            return z, r, J, 1
        gn = np.zeros_like(S)
        gn[keep] = g[keep] / S[keep]
        gn_norm = math.sqrt(float(gn @ gn))  # ‖D δ_GN‖
        Dz = D * z
        znorm = math.sqrt(float(Dz @ Dz))
        if gn_norm <= xtol * znorm:
            return z, r, J, 3
        if float(g[keep] @ g[keep]) <= max(floor, ftol * chi2):
            return z, r, J, 2
        if radius is None:
            radius = factor * znorm if znorm > 0 else factor
        # try steps until one is accepted
        while True:
            if tries >= max_nfev:
                return z, r, J, 0
            tries += 1
            lam, coef = _damping(S, g, keep, gn, gn_norm, radius)
            dzs = -(Vt.T @ coef)  # D δ
            step_norm = math.sqrt(float(dzs @ dzs))
            dz = dzs / Dsafe
            shrink = np.where(keep, lam / (S ** 2 + lam), 1.0) if lam > 0 else np.where(keep, 0.0, 1.0)
            predicted = float(g @ g - (shrink * g) @ (shrink * g))
            z_new = z + dz
            r_new = fun(z_new)
            chi2_new = float(r_new @ r_new)
            actual = chi2 - chi2_new
            if predicted <= noise:  # below rounding noise: χ² cannot judge this step
                if actual > -noise:
                    z, r, chi2 = z_new, r_new, chi2_new  # harmless, and the model says so
                    J = jac(z)
                    break
                return z, r, J, 2  # χ² grew beyond its noise: no further progress possible
            rho = actual / predicted
            accept = rho > 1e-4
            if rho < 0.25:
                radius = (0.5 if rho >= 0 else 0.1) * min(radius, 10.0 * step_norm)  # MINPACK
            elif rho > 0.75 or lam == 0:
                radius = max(radius, 2.0 * step_norm)
            if accept:
                z, r, chi2 = z_new, r_new, chi2_new
                J = jac(z)
                break
            if radius <= EPS * znorm:
                return z, r, J, 2


def _damping(S, g, keep, gn, gn_norm, radius):
    """λ ≥ 0 with ‖D δ(λ)‖ = radius (λ = 0 when the Gauss–Newton step fits), and the step.

    In the SVD basis the step is coef_k = S_k g_k / (S_k² + λ); its length falls with λ.
    Newton's method on 1/‖coef(λ)‖ − 1/radius (nearly linear in λ) from λ = 0 converges
    monotonically (Moré 1978).
    """
    if gn_norm <= radius:
        return 0.0, gn
    lam = 0.0
    S2 = S * S
    Sg = S * g
    for _ in range(50):
        coef = Sg / (S2 + lam)
        p = math.sqrt(float(coef @ coef))
        if p <= 1.1 * radius and (p >= 0.9 * radius or lam == 0.0 and p <= radius):
            break
        dp = -float(coef @ (coef / (S2 + lam))) / p  # d‖coef‖/dλ
        lam_new = lam + (1.0 / p - 1.0 / radius) * p ** 2 / dp
        lam = lam_new if lam_new > 0 else 0.5 * lam if lam > 0 else EPS * float(S2[0])
    return lam, Sg / (S2 + lam)
