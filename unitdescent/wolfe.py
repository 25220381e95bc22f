"""A strong-Wolfe line search on a dimensionless step length α.

Quasi-Newton directions p already have the units of the parameters ([θ_i]), so the step
x + α·p needs a *dimensionless* α, and both Wolfe conditions compare quantities in [L]:

* sufficient decrease  φ(α) ≤ φ(0) + c₁·α·φ'(0)      (φ in [L], φ' = gᵀp in [L])
* curvature            |φ'(α)| ≤ c₂·|φ'(0)|

The search is the bracketing-and-zoom algorithm of Nocedal & Wright (Algorithms 3.5 and 3.6,
with scipy's cubic/quadratic interpolation safeguards, except that a quadratic step too close
to an end of the bracket is moved to a tenth of the bracket from that end — as MINPACK's
safeguards do — instead of being replaced by bisection, which would discard what the
interpolation says: when the loss at α = 1 came out far above the model, the minimizer is
near 0, not at ½). Unlike scipy's it treats a
non-finite loss or gradient at a trial step as "too far" and backs off towards the last
finite point, so a loss that is undefined beyond some boundary (a log of a negative number,
an overflow) shortens the step instead of ending the run.
"""

from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import numpy as np

#: Back-off factor towards the last finite trial when a trial step gives NaN or ±inf.
NONFINITE_SHRINK = 0.2
#: Growth factor of the trial step while the loss keeps decreasing steeply (MINPACK uses 4).
EXTRAPOLATE = 4.0


class Trial(NamedTuple):
    """One evaluation of φ: the step length, φ(α) [L], φ'(α) [L] and whatever the caller
    attached (the iterate and its gradient)."""

    alpha: float
    phi: float
    dphi: float
    payload: Any = None

    @property
    def finite(self) -> bool:
        return math.isfinite(self.phi) and math.isfinite(self.dphi)


class Search(NamedTuple):
    """The outcome: ``trial`` is the accepted point (or None); ``wolfe`` tells whether both
    strong-Wolfe conditions hold there (False: only sufficient decrease holds); ``message``
    explains a failure; ``nonfinite`` counts trial steps whose loss or gradient was not finite.
    """

    trial: Trial | None
    wolfe: bool
    message: str
    nonfinite: int
    ntrials: int


def strong_wolfe(phi: Callable[[float], Trial], phi0: float, dphi0: float, alpha1: float = 1.0,
                 *, c1: float = 1e-4, c2: float = 0.9, maxiter: int = 40,
                 first: Trial | None = None) -> Search:
    """Find a step length α (dimensionless) meeting the strong Wolfe conditions.

    Parameters
    ----------
    phi : callable
        ``phi(alpha) -> Trial``: the loss [L] and its slope ``gᵀp`` [L] at ``x + alpha·p``.
        Return NaN (or ±inf) for a point where the loss is undefined, and None when the step
        is too small to change x in floating point (the search then stops).
    phi0, dphi0 : float
        φ(0) and φ'(0) [L]; ``dphi0 < 0`` (a descent direction).
    alpha1 : float
        The first trial step (dimensionless; 1 is the quasi-Newton step).
    c1, c2 : float
        Wolfe constants, 0 < c1 < c2 < 1 (dimensionless).
    maxiter : int
        Total number of trial evaluations allowed.
    first : Trial, optional
        φ at ``alpha1`` if the caller has already evaluated it (it counts as the first trial).

    Returns
    -------
    Search
        The accepted trial (with ``wolfe`` True), else the best trial that satisfies
        sufficient decrease (``wolfe`` False), else ``trial=None`` with a message.
    """
    if not (0 < c1 < c2 < 1):
        raise ValueError(f"need 0 < c1 < c2 < 1, got c1={c1}, c2={c2}")
    if not dphi0 < 0:
        return Search(None, False, f"not a descent direction (slope gᵀp = {dphi0:.3g})", 0, 0)
    state = _Counter(phi, phi0, dphi0, c1, maxiter, first)
    try:
        return _search(state, phi0, dphi0, alpha1, c2, maxiter)
    except _TooSmall:
        return state.done(None, False, "the trial step became too small to change x in "
                          "floating point")


class _TooSmall(Exception):
    """The trial step no longer changes x in floating point."""


def _search(state, phi0, dphi0, alpha1, c2, maxiter):
    prev = Trial(0.0, phi0, dphi0)
    bad = np.inf  # smallest step known to give a non-finite loss
    alpha = float(alpha1)
    first = True
    while state.left():
        cur = state.eval(alpha)
        if not cur.finite:
            bad = min(bad, alpha)
            alpha = prev.alpha + NONFINITE_SHRINK * (alpha - prev.alpha)
            continue
        if not state.armijo(cur) or (not first and cur.phi >= prev.phi):
            return state.zoom(prev, cur, c2)
        if abs(cur.dphi) <= -c2 * dphi0:
            return state.done(cur, True)
        if cur.dphi >= 0:
            return state.zoom(cur, prev, c2)
        first = False
        prev = cur
        grown = EXTRAPOLATE * cur.alpha
        alpha = grown if grown < bad else 0.5 * (cur.alpha + bad)
    return state.done(None, False, "no step satisfying the Wolfe conditions was found in "
                      f"{maxiter} trials")


class _Counter:
    """Shared bookkeeping: the evaluation budget, the best sufficient-decrease point."""

    def __init__(self, phi, phi0, dphi0, c1, maxiter, first=None):
        self.phi, self.phi0, self.dphi0, self.c1 = phi, phi0, dphi0, c1
        self.maxiter, self.n, self.nonfinite = maxiter, 0, 0
        self.best: Trial | None = None
        self.first = first  # already evaluated at the first trial step

    def left(self) -> bool:
        return self.n < self.maxiter

    def eval(self, alpha: float) -> Trial:
        self.n += 1
        if self.first is not None:
            t, self.first = self.first, None
        else:
            t = self.phi(alpha)
        if t is None:
            raise _TooSmall
        if not t.finite:
            self.nonfinite += 1
        elif self.armijo(t) and (self.best is None or t.phi < self.best.phi):
            self.best = t
        return t

    def armijo(self, t: Trial) -> bool:
        return t.phi <= self.phi0 + self.c1 * t.alpha * self.dphi0

    def done(self, trial, wolfe, message=""):
        if trial is None and self.best is not None:
            return Search(self.best, False, message, self.nonfinite, self.n)
        if trial is None and self.nonfinite and not message.startswith("the loss"):
            message = (f"the loss or gradient was not finite at {self.nonfinite} of "
                       f"{self.n} trial steps; " + message)
        return Search(trial, wolfe, message, self.nonfinite, self.n)

    def zoom(self, lo: Trial, hi: Trial, c2: float) -> Search:
        """Nocedal & Wright Algorithm 3.6: ``lo`` satisfies sufficient decrease and has the
        lower loss; the bracket [lo, hi] (either order) contains a Wolfe point."""
        old = Trial(0.0, self.phi0, self.dphi0)  # third point for the cubic
        i = 0
        while self.left():
            a, b = sorted((lo.alpha, hi.alpha))
            width = b - a
            if width <= 1e-15 * max(b, 1e-300):
                break
            alpha = _cubicmin(lo, hi, old) if i else None
            i += 1
            if alpha is None or not (a + 0.2 * width < alpha < b - 0.2 * width):
                alpha = _quadmin(lo, hi)
                if alpha is None:
                    alpha = a + 0.5 * width
                else:  # safeguard: at least a tenth of the bracket from either end
                    alpha = min(max(alpha, a + 0.1 * width), b - 0.1 * width)
            cur = self.eval(alpha)
            if not cur.finite or not self.armijo(cur) or cur.phi >= lo.phi:
                old, hi = hi, cur if cur.finite else Trial(cur.alpha, np.inf, np.nan)
                continue
            if abs(cur.dphi) <= -c2 * self.dphi0:
                return self.done(cur, True)
            if cur.dphi * (hi.alpha - lo.alpha) >= 0:
                old, hi = hi, lo
            else:
                old = lo
            lo = cur
        return self.done(None, False, "the bracketing search could not meet the curvature "
                         "condition (the loss may be flat to rounding along the direction)")


def _cubicmin(lo: Trial, hi: Trial, old: Trial):
    """Minimizer of the cubic through φ(lo), φ'(lo), φ(hi), φ(old); None if undefined."""
    a, fa, fpa = lo.alpha, lo.phi, lo.dphi
    b, fb, c, fc = hi.alpha, hi.phi, old.alpha, old.phi
    if not (np.isfinite(fb) and np.isfinite(fc)):
        return None
    with np.errstate(all="ignore"):
        db, dc = b - a, c - a
        denom = (db * dc) ** 2 * (db - dc)
        if denom == 0 or not np.isfinite(denom):
            return None
        d1 = np.array([[dc ** 2, -db ** 2], [-dc ** 3, db ** 3]])
        A, B = d1 @ np.array([fb - fa - fpa * db, fc - fa - fpa * dc]) / denom
        radical = B * B - 3 * A * fpa
        if A == 0 or radical < 0:
            return None
        xmin = a + (-B + np.sqrt(radical)) / (3 * A)
    return float(xmin) if np.isfinite(xmin) else None


def _quadmin(lo: Trial, hi: Trial):
    """Minimizer of the quadratic through φ(lo), φ'(lo), φ(hi); None if undefined."""
    a, fa, fpa = lo.alpha, lo.phi, lo.dphi
    b, fb = hi.alpha, hi.phi
    if not np.isfinite(fb):
        return None
    with np.errstate(all="ignore"):
        db = b - a
        B = (fb - fa - fpa * db) / (db * db)
        if not B > 0:
            return None
        xmin = a - fpa / (2.0 * B)
    return float(xmin) if np.isfinite(xmin) else None
