"""Backtracking (Armijo) line search with a dimensionless step length.

The search direction ``p`` already has the units of the parameters (a Newton or metric
direction, entry i in [θ_i]), so the step length α is a pure number and the sufficient-decrease
test f(x + αp) ≤ f(x) + c₁·α·gᵀp compares losses with losses ([L]): gᵀp is a sum of
[L]/[θ_i]·[θ_i] terms. Nothing here depends on the units the floats are in, so the search
picks the same α for the same physical problem in any units.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: Armijo's sufficient-decrease constant (dimensionless)
C1 = 1e-4
#: factor the step is multiplied by after each rejected trial (dimensionless)
SHRINK = 0.5
#: trials before giving up (α = SHRINK**MAXITER ≈ 1e-15 after 50 halvings)
MAXITER = 50


class LineSearchResult(NamedTuple):
    """The outcome of a search: step α (dimensionless), new point, its loss, loss evaluations.

    ``failed`` is empty on success, otherwise says why no acceptable step was found.
    """

    alpha: float
    x: np.ndarray
    f: float
    nfev: int
    failed: str = ""


def backtracking(fun, x, f, g, p, *, alpha0: float = 1.0, c1: float = C1, shrink: float = SHRINK,
                 maxiter: int = MAXITER, curvature: float = 0.0) -> LineSearchResult:
    """Find α with f(x + αp) ≤ f + c₁·(α·gᵀp + ½α²·κ) by trying α0, α0·shrink, α0·shrink², …

    κ = ``curvature`` is 0 for ordinary directions; for a direction of negative curvature
    (κ = pᵀHp < 0, e.g. leaving a saddle point where gᵀp = 0) it is the second-order Armijo
    condition of Moré and Sorensen.

    Parameters
    ----------
    fun : callable
        The loss of a float vector (working units), returns a float [L].
    x : ndarray
        The current point, entry i in [θ_i].
    f : float
        The loss at ``x`` [L].
    g : ndarray
        The gradient at ``x``, entry i in [L]/[θ_i].
    p : ndarray
        The search direction, entry i in [θ_i]; must be a descent direction (gᵀp < 0).
    alpha0 : float
        The first trial step (dimensionless; 1 for Newton-type directions).
    c1, shrink : float
        Armijo's constant and the backtracking factor, both dimensionless, in (0, 1).
    maxiter : int
        The number of trials before giving up.
    curvature : float
        pᵀHp [L] along a direction of negative curvature (≤ 0), else 0.

    Returns
    -------
    LineSearchResult
        A non-finite trial loss (NaN, inf) counts as a rejected trial: the search backs off.
    """
    slope = float(np.dot(g, p))  # [L]: the directional derivative times the unit step
    curv = min(float(curvature), 0.0)
    if not (slope < 0 or (slope <= 0 and curv < 0)):
        return LineSearchResult(0.0, x, f, 0,
                                failed=f"the search direction is not a descent direction "
                                       f"(gᵀp = {slope:.3g} ≥ 0)")
    alpha, nfev, seen_finite = float(alpha0), 0, False
    for _ in range(maxiter):
        x_new = x + alpha * p
        f_new = fun(x_new)
        nfev += 1
        if np.isfinite(f_new):
            seen_finite = True
            if f_new <= f + c1 * alpha * (slope + 0.5 * alpha * curv):
                return LineSearchResult(alpha, x_new, float(f_new), nfev)
        alpha *= shrink
    why = ("the loss was not finite at any trial point" if not seen_finite
           else "no trial step decreased the loss enough (Armijo condition)")
    return LineSearchResult(0.0, x, f, nfev,
                            failed=f"line search failed after {nfev} trials: {why}; the smallest "
                                   f"step tried was {alpha / shrink:.3g} of the full step")
