"""Newton's method: metric descent with the Hessian as the metric, G = ∇²L.

The direction −H⁻¹g has the units of the parameters whatever units they are written in, so the
step length α is dimensionless and the iterates are the same physical points in any units, and
under any invertible affine change of coordinates (while the Hessian is positive definite).
The direction is computed in scaled coordinates; an indefinite or singular Hessian is handled
by *eigenvalue modification* (negative eigenvalues flipped, tiny ones floored — see
:mod:`unitdescent.rules.metric`), never by adding a multiple of an identity matrix, which
would have no consistent units. At a stationary point with negative curvature the step
leaves along the most negative eigen-direction. A backtracking Armijo search picks α (first
trial 1). The run stops on the Newton decrement gᵀH⁻¹g ([L]) or the engine's step and loss
tolerances.

Hessian source: the ``hess`` given to ``minimize`` (units checked at x0), else finite
differences with relative steps — of the gradient when a ``jac`` was given, of the loss
otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..derivatives import hessian_values
from ..dims import DIMENSIONLESS, LOSS
from ..errors import InputError
from .base import Rule, register
from .metric import GTOL_REL, CurvatureStepper, Metric

HESSIAN_METHODS = ("auto", "hess", "fd", "fd-grad", "fd-loss", "hvp")


@register
@dataclass(frozen=True)
class Newton(Rule):
    """Newton's method with eigenvalue modification and a backtracking Armijo line search.

    lr : the first trial step length α₀ (dimensionless, default 1)
    gtol : Quantity [L]; stop when the Newton decrement gᵀH⁻¹g ≤ gtol
    gtol_rel : dimensionless; stop when gᵀH⁻¹g ≤ gtol_rel·max(|f(x0)|, |f|) (default 1e-20)
    line_search : bool; False takes full Newton steps (α = lr)
    hessian : where the Hessian comes from: "auto" (the given hess, else finite
        differences), "hess", "fd", "fd-grad", "fd-loss", "hvp"
    """

    lr: Any = 1.0
    gtol: Any = None
    gtol_rel: Any = GTOL_REL
    line_search: bool = True
    hessian: str = "auto"
    name = "newton"
    signature = {"lr": DIMENSIONLESS, "gtol": LOSS, "gtol_rel": DIMENSIONLESS}

    def bind(self, problem, *, bare="error"):
        if self.hessian not in HESSIAN_METHODS:
            raise InputError(f"newton hessian must be one of {HESSIAN_METHODS}, got {self.hessian!r}")
        if self.hessian == "hess" and not problem.has_hess:
            raise InputError("newton hessian='hess' needs minimize(..., hess=...)")
        opts = Metric.options(self, problem, bare)
        method = self.hessian
        return _NewtonStepper(problem, lambda v: hessian_values(problem, v, method), **opts)


class _NewtonStepper(CurvatureStepper):
    what = "the Hessian"
    dec_name = "gᵀH⁻¹g (Newton decrement)"
