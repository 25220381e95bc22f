"""Metric descent: Δθ = −α·G⁻¹g, with a metric G in [L]/([θ_i][θ_j]) and a dimensionless α.

A metric has the units of a Hessian, so G⁻¹g has the units of the parameters and the step
length α is a pure number (found by a backtracking Armijo line search). Newton's method is the
special case G = Hessian (:mod:`unitdescent.rules.newton`); natural gradient descent is
G = Fisher information; gradient descent in other coordinates is G = the pulled-back Euclidean
metric (:mod:`unitdescent.reparam`).

The linear algebra happens in *scaled coordinates* u_i = θ_i/s_i with curvature scales
s_i = √(ℓ/|G_ii|) in [θ_i] (the problem's typical size of θ_i where G_ii vanishes): Ĝ = S·G·S
has units [L] throughout and a constant diagonal, so its eigenvalues can be compared with each
other whatever units the parameters are written in. Eigenvalues that are negative are flipped
(|λ|) and those below ``EIG_FLOOR``·max|λ| are raised to that floor (*eigenvalue modification*): the direction is
then always a descent direction, and for a positive-definite G it is exactly −G⁻¹g. The run
takes the full step without a search once the predicted decrease ½gᵀG̃⁻¹g is below the
rounding level of the loss (``NOISE``·|f|: the loss can no longer judge the step, the model
can), and stops when the decrement gᵀG̃⁻¹g (units [L], G̃ the modified metric) falls below
max(gtol, gtol_rel·max(|f(x0)|, |f(x)|)); the engine's step tolerances (``xtol`` per
parameter, ``xtol_rel``) and loss tolerances apply as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ..derivatives import check_finite_matrix, param_name, symmetrize
from ..dims import CURVATURE, DIMENSIONLESS, HESSIAN, LOSS
from ..errors import InputError
from ..hyper import resolve, resolve_matrix
from ..linesearch import backtracking
from ..matrix import UnitMatrix
from ..units import as_quantity, is_quantity
from .base import Rule, Stepper, StepResult, check_flag, register

#: eigenvalues (of the scaled matrix) below EIG_FLOOR·max|λ| are raised to that floor
EIG_FLOOR = 1e-8
#: default relative tolerance of the decrement test (dimensionless)
GTOL_REL = 1e-20
#: a failed line search counts as convergence when the predicted decrease ½gᵀG̃⁻¹g is below
#: NOISE·|f|: the loss cannot resolve the decrease that is left
NOISE = 1e3 * float(np.finfo(float).eps)


class Direction(NamedTuple):
    """A modified-Newton direction at a point.

    p : the step, [θ_i]; decrement : gᵀG̃⁻¹g, [L]; modified : some eigenvalue was flipped or
    floored; negative : the matrix has an eigenvalue below −floor (negative curvature);
    neg_p : the scaled-unit step along the most negative curvature direction, [θ_i];
    neg_curv : pᵀG p along it, [L]; error : non-empty when the matrix was not finite.
    """

    p: Any
    decrement: float
    modified: bool = False
    negative: bool = False
    neg_p: Any = None
    neg_curv: float = 0.0
    error: str = ""


def modified_direction(m, g, scale, floor: float = EIG_FLOOR) -> Direction:
    """−M̃⁻¹g computed in scaled coordinates, with eigenvalue modification.

    Parameters
    ----------
    m : ndarray (n, n)
        The metric or Hessian, entry (i, j) in [L]/([θ_i][θ_j]).
    g : ndarray (n,)
        The gradient, [L]/[θ_i].
    scale : ndarray (n,)
        Typical sizes s_i, [θ_i], defining the scaled coordinates u_i = θ_i/s_i.
    floor : float
        Relative eigenvalue floor (dimensionless).
    """
    ms = symmetrize(scale[:, None] * m * scale[None, :])  # [L]
    gs = scale * g  # [L]
    lam, vec = np.linalg.eigh(ms)
    top = float(np.max(np.abs(lam))) if lam.size else 0.0
    if top == 0.0:
        # no curvature information at all: a step of one scale along −g (scaled coordinates)
        top = float(np.linalg.norm(gs)) or 1.0
        lam = np.zeros_like(lam)
    lo = floor * top
    mod = np.maximum(np.abs(lam), lo)
    c = vec.T @ gs
    ps = -(vec @ (c / mod))
    dec = float(np.sum(c * c / mod))
    negative = bool(lam.size and lam[0] < -lo)
    neg_p, neg_curv = None, 0.0
    if negative:
        v = vec[:, 0] * (-1.0 if c[0] > 0 else 1.0)
        neg_p, neg_curv = scale * v, float(lam[0])
    modified = bool(np.any(lam < lo))
    return Direction(scale * ps, dec, modified, negative, neg_p, neg_curv)


class CurvatureState(NamedTuple):
    """The direction prepared at the current point (computed at the end of the last step)."""

    direction: Direction


class CurvatureStepper(Stepper):
    """Line search along −M̃⁻¹g, for a matrix source ``matrix(x)`` ([L]/([θ_i][θ_j]))."""

    what = "the metric"
    dec_name = "gᵀG⁻¹g"

    def __init__(self, problem, matrix, *, alpha0=1.0, gtol=None, gtol_rel=GTOL_REL,
                 line_search=True):
        super().__init__(problem)
        self.matrix = matrix
        self.alpha0 = float(alpha0)
        self.gtol = 0.0 if gtol is None else float(gtol)
        self.gtol_rel = float(gtol_rel)
        self.line_search = bool(line_search)
        self.scale = problem.typical
        self.f0 = problem.f0

    def direction(self, x, g, m=None) -> Direction:
        if m is None:
            try:
                m = self.matrix(x)
            except InputError as exc:  # e.g. a hess or metric that returned NaN here
                return Direction(None, np.inf, error=f"{self.what} could not be used at this "
                                                     f"point: {exc}")
        err = check_finite_matrix(m, self.problem.space, self.what)
        if err:
            return Direction(None, np.inf, error=err)
        return modified_direction(m, g, self.curvature_scales(m))

    def curvature_scales(self, m):
        """s_i = √(ℓ/|M_ii|), ℓ = max_j |M_jj|·t_j² (t = typical sizes): in these coordinates
        the matrix has a constant diagonal, so the eigenvalue floor only catches matrices that
        are singular or indefinite, not parameters written in badly matched units. Entries with
        no measurable diagonal keep the typical size."""
        t = self.scale
        diag = np.abs(np.diag(m))
        ok = diag > 0
        ref = float(np.max(diag * t * t)) if diag.size else 0.0
        if ref == 0.0:
            return t
        return np.where(ok, np.sqrt(ref / np.where(ok, diag, 1.0)), t)

    def tol(self, f) -> float:
        return max(self.gtol, self.gtol_rel * max(abs(self.f0), abs(f)))

    def init(self, x, f, g):
        m = self.matrix(x)
        err = check_finite_matrix(m, self.problem.space, self.what)
        if err:
            raise InputError(err.replace(self.what, f"{self.what} at x0", 1))
        self.scale = self._fill_scales(m, f)
        return CurvatureState(self.direction(x, g, m))

    def _fill_scales(self, m, f):
        """Typical sizes s_i; a parameter that is 0 at x0 (with no ``scales=``) gets the
        curvature scale √(ℓ/|M_ii|), ℓ = the largest |M_jj|·s_j² of the others (or |f(x0)|)."""
        s = np.array(self.scale, dtype=float, copy=True)
        zero = s == 0
        if not zero.any():
            return s
        diag = np.abs(np.diag(m))
        known = diag[~zero] * s[~zero] ** 2
        ref = float(known.max()) if known.size and known.max() > 0 else abs(f)
        for i in np.flatnonzero(zero):
            if diag[i] > 0 and ref > 0:
                s[i] = np.sqrt(ref / diag[i])
            else:
                name = param_name(self.problem.space, i)
                raise InputError(
                    f"{self.what}'s scaled coordinates need a typical size for {name!r}: it is 0 "
                    f"at x0 and has no curvature there. Pass scales={{{name!r}: <typical size "
                    f"with units>}}")
        return s

    def converged(self, d: Direction, f) -> str:
        if d.error or d.negative:
            return ""
        tol = self.tol(f)
        if d.decrement <= tol:
            return (f"the decrement {self.dec_name} = {d.decrement:.3g} ≤ {tol:.3g} "
                    f"(max(gtol, gtol_rel·|f|), loss units)")
        return ""

    def step(self, x, f, g, state) -> StepResult:
        d = state.direction
        if d.error:
            return StepResult(x, f, g, state, failed=d.error)
        reason = self.converged(d, f)
        if reason:  # only possible at x0: later points are tested at the end of each step
            return StepResult(x, f, g, state, converged=reason)
        p, curv = d.p, 0.0
        if d.negative and d.decrement <= self.tol(f):
            # a stationary point with negative curvature: leave along the most negative
            # eigen-direction (one scale long) instead of stopping at a saddle
            p, curv = d.neg_p, d.neg_curv
        tiny = 0.5 * d.decrement <= NOISE * max(abs(f), np.finfo(float).tiny) and not d.negative
        if self.line_search and not tiny:
            ls = backtracking(self.problem.fun, x, f, g, p, alpha0=self.alpha0, curvature=curv)
            if ls.failed:
                if 0.5 * d.decrement <= NOISE * max(abs(f), np.finfo(float).tiny):
                    return StepResult(x, f, g, state,
                                      converged="no further decrease is measurable: the predicted "
                                                f"decrease ½·{self.dec_name} = {0.5 * d.decrement:.3g} "
                                                "is at the rounding level of the loss")
                return StepResult(x, f, g, state, failed=ls.failed)
            x_new, f_new = ls.x, ls.f
        else:
            x_new = x + self.alpha0 * p
            f_new = self.problem.fun(x_new)
            if not np.isfinite(f_new):
                return StepResult(x_new, f_new, g, state)
        g_new = self.problem.grad(x_new)
        if not np.all(np.isfinite(g_new)):
            return StepResult(x_new, f_new, g_new, state)
        d_new = self.direction(x_new, g_new)
        return StepResult(x_new, f_new, g_new, CurvatureState(d_new),
                          converged=self.converged(d_new, f_new))


# -- the metric rule --------------------------------------------------------------------------
def metric_values(value, space, loss_unit, where="metric G") -> np.ndarray:
    """A metric given as a UnitMatrix, blocks ``{("a", "b"): Q}``, a diagonal (Quantity or dict
    name -> Quantity, [L]/[θ_i]²) or, for one parameter, an (n, n) Quantity → (n, n) floats."""
    if isinstance(value, UnitMatrix) or (isinstance(value, dict) and value
                                         and all(isinstance(k, tuple) for k in value)):
        return resolve_matrix(where, value, HESSIAN, space, loss_unit)
    if space.single and not isinstance(value, dict):
        q = as_quantity(value, space.registry, what=where)
        mag = np.asarray(q.magnitude if is_quantity(q) else q)
        n = space.size
        if mag.shape == (n, n) and space.specs[0].shape != (n, n):  # a full matrix, not a diagonal
            return resolve_matrix(where, value, HESSIAN, space, loss_unit)
    diag = resolve(where, value, CURVATURE, space, loss_unit, rule="")
    return np.diag(np.broadcast_to(np.asarray(diag, dtype=float), (space.size,)).copy())


def _metric_caller(G, problem):
    sp = problem.space
    if sp.single:
        return lambda v: G(sp.quantities(v))
    return lambda v: G(**sp.quantities(v))


@register
@dataclass(frozen=True)
class Metric(Rule):
    """Descent along −G⁻¹g for a metric G, with a backtracking Armijo line search.

    metric : the metric G, entry (i, j) in [L]/([θ_i][θ_j]): a :class:`UnitMatrix`, blocks
        ``{("a", "b"): Quantity}``, a diagonal (Quantity or dict name -> Quantity in
        [L]/[θ_i]²), one (n, n) Quantity for a single parameter — or a callable ``G(x)``
        (``G(**params)`` for dict parameters) called with Quantities and returning one of
        those; its units are checked on every call (first at x0).
    lr : the first trial step length α₀ (dimensionless, default 1)
    gtol : Quantity [L]; stop when gᵀG⁻¹g ≤ gtol
    gtol_rel : dimensionless; stop when gᵀG⁻¹g ≤ gtol_rel·max(|f(x0)|, |f|) (default 1e-20)
    line_search : bool; False takes the step α₀ as it is (no search)
    """

    metric: Any = None
    lr: Any = 1.0
    gtol: Any = None
    gtol_rel: Any = GTOL_REL
    line_search: bool = True
    name = "metric"
    signature = {"metric": HESSIAN, "lr": DIMENSIONLESS, "gtol": LOSS, "gtol_rel": DIMENSIONLESS}
    required = ("metric",)

    def options(self, problem, bare):
        lr = self.resolve("lr", problem, bare, allow_array=False)
        gtol = self.resolve("gtol", problem, bare, allow_array=False)
        gtol_rel = self.resolve("gtol_rel", problem, bare, allow_array=False)
        if lr is None or not lr > 0:
            raise InputError(f"{self.name} lr (the first trial step, dimensionless) must be > 0, "
                             f"got {lr}")
        if (gtol is not None and gtol < 0) or gtol_rel is None or gtol_rel < 0:
            raise InputError(f"{self.name} gtol and gtol_rel must be >= 0")
        line_search = check_flag(self.name, "line_search", self.line_search)
        return dict(alpha0=lr, gtol=gtol, gtol_rel=gtol_rel, line_search=line_search)

    def bind(self, problem, *, bare="error"):
        opts = self.options(problem, bare)
        sp, lu = problem.space, problem.loss_unit
        G = self.metric
        if callable(G) and not isinstance(G, UnitMatrix):
            call = _metric_caller(G, problem)
            first = metric_values(call(problem.x0), sp, lu, where="metric G(x0)")
            _check_symmetric(first)

            def matrix(v):
                return metric_values(call(v), sp, lu, where="metric G(x)")

            return _MetricStepper(problem, matrix, **opts)
        values = metric_values(G, sp, lu)
        _check_symmetric(values)
        lam = np.linalg.eigvalsh(symmetrize(problem.typical[:, None] * values * problem.typical))
        if lam.size and lam[0] <= 0:
            raise InputError(
                f"metric G must be positive definite: its smallest eigenvalue in scaled "
                f"coordinates is {lam[0]:.3g} (loss units). A constant metric that is not "
                f"positive definite has no descent direction along some axis; use "
                f"method='newton' for Hessians that may be indefinite.")
        return _MetricStepper(problem, lambda v: values, **opts)


def _check_symmetric(values):
    if not np.allclose(values, values.T, rtol=1e-8, atol=0):
        raise InputError("metric G must be symmetric (G_ij = G_ji)")


class _MetricStepper(CurvatureStepper):
    what = "the metric G"
    dec_name = "gᵀG⁻¹g"
