"""The least-squares solver on floats, in scaled (dimensionless) coordinates.

The caller has already divided every parameter by a characteristic scale, so the vector ``z``
this module sees is unit-free: the same physical problem written in other units gives the same
floats, the same steps and the same number of evaluations. The iteration itself is MINPACK's
Levenberg–Marquardt (``method="lm"``) or scipy's trust-region reflective method
(``method="trf"``, needed for bounds), both with Marquardt's diagonal scaling from the columns
of the Jacobian, updated as the fit proceeds (``x_scale="jac"``).

The Jacobian is the caller's, or central differences with steps *relative to each parameter
and its scale*: h_i = FD_REL_STEP · max(|z_i|, 1), i.e. a fraction of max(|θ_i|, scale_i) in the
parameter's own units — never scipy's √eps·max(1, |θ_i|), whose "1" carries the units of
whatever the parameter happens to be written in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares as _scipy_least_squares

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

MESSAGES = {
    -1: "stopped: improper input to the solver",
    0: "stopped: the maximum number of evaluations (max_nfev) was reached — increase max_nfev "
       "or give a better start",
    1: "converged: the gradient is zero to within gtol",
    2: "converged: χ² changes less than ftol (relative)",
    3: "converged: the scaled step is smaller than xtol (relative)",
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
        with np.errstate(all="ignore"):
            r = np.asarray(self.resid(z), dtype=float).ravel()
        if not np.all(np.isfinite(r)):
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
          xtol=DEFAULT_XTOL, gtol=DEFAULT_GTOL, max_nfev=None, rel_step=FD_REL_STEP) -> Solution:
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
        "trf" is required with bounds.
    lb, ub : ndarray (n,), optional
        Bounds in scaled coordinates.
    ftol, xtol, gtol : float
        scipy's relative tolerances (dimensionless).
    max_nfev : int, optional
        Maximum number of residual evaluations outside the Jacobian (scipy's meaning).
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
            with np.errstate(all="ignore"):
                return np.asarray(jac(z), dtype=float)

    kwargs = dict(jac=jacobian, method=method, ftol=ftol, xtol=xtol, gtol=gtol,
                  max_nfev=max_nfev, x_scale="jac")
    if has_bounds:
        kwargs["bounds"] = (lb, ub)
    res = _scipy_least_squares(counted, z0, **kwargs)
    status = int(res.status)
    return Solution(
        z=np.asarray(res.x, dtype=float),
        r=np.asarray(res.fun, dtype=float),
        J=np.asarray(res.jac, dtype=float),
        nfev=counted.nfev,
        njev=state["njev"],
        status=status,
        message=MESSAGES.get(status, str(res.message)),
        success=status > 0,
    )
