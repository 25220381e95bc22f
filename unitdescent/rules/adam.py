"""Adam: Δθ = −lr·m̂/(√v̂ + eps).

m has gradient units, √v too, so m̂/(√v̂ + eps) is dimensionless: lr has the units of the
parameter [θ] and eps has gradient units [L]/[θ]. The default eps is not 1e-8 in whatever units
were typed: it is 1e-8 times the root-mean-square gradient of each parameter at x0, which has
the right units and makes the rule invariant under changes of units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ..dims import DIMENSIONLESS, GRADIENT, PARAM
from ..errors import InputError
from .base import Rule, UpdateStepper, check_positive, register

#: the default eps relative to the RMS gradient of each parameter at x0
EPS_REL = 1e-8


class AdamState(NamedTuple):
    m: np.ndarray  # first moment, [L]/[θ]
    v: np.ndarray  # second moment, ([L]/[θ])²
    t: int
    bc1: float
    bc2: float


@register
@dataclass(frozen=True)
class Adam(Rule):
    """Adam (Kingma & Ba).

    lr : Quantity [θ] (or dict per parameter); beta1, beta2 : dimensionless;
    eps : Quantity [L]/[θ] (default: EPS_REL × RMS gradient of each parameter at x0)
    """

    lr: Any = None
    beta1: Any = 0.9
    beta2: Any = 0.999
    eps: Any = None
    name = "adam"
    signature = {"lr": PARAM, "beta1": DIMENSIONLESS, "beta2": DIMENSIONLESS, "eps": GRADIENT}
    required = ("lr",)

    def bind(self, problem, *, bare="error"):
        b1 = self.resolve("beta1", problem, bare, allow_array=False)
        b2 = self.resolve("beta2", problem, bare, allow_array=False)
        for label, b in (("beta1", b1), ("beta2", b2)):
            if not 0 <= b < 1:
                raise InputError(f"adam {label} must be in [0, 1), got {b}")
        eps = self.resolve("eps", problem, bare)
        if eps is not None and np.any(np.asarray(eps) < 0):
            raise InputError("adam eps must be >= 0")
        lr = check_positive("adam", "lr", self.resolve("lr", problem, bare))
        return _AdamStepper(problem, lr, b1, b2, eps)


class _AdamStepper(UpdateStepper):
    def __init__(self, problem, lr, b1, b2, eps):
        super().__init__(problem)
        self.neg_lr, self.b1, self.b2, self.eps = -lr, b1, b2, eps

    def init(self, x, f, g):
        if self.eps is None:
            eps = np.empty_like(g)
            for s in self.problem.space.specs:
                block = g[s.slice]
                rms = float(np.sqrt(np.mean(block * block))) if block.size else 0.0
                eps[s.slice] = EPS_REL * rms if rms > 0 else np.finfo(float).tiny
            self.eps = float(eps[0]) if np.all(eps == eps[0]) else eps
        z = np.zeros_like(g)
        return AdamState(z, z.copy(), 0, 1.0, 1.0)

    def update(self, g, state, x):
        b1, b2 = self.b1, self.b2
        m = b1 * state.m + (1.0 - b1) * g
        v = b2 * state.v + (1.0 - b2) * (g * g)
        bc1, bc2 = state.bc1 * b1, state.bc2 * b2
        # lr·m̂/(√v̂ + eps) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
        denom = np.sqrt(v / (1.0 - bc2))
        denom += self.eps
        delta = m * (self.neg_lr / (1.0 - bc1))
        delta /= denom
        return delta, AdamState(m, v, state.t + 1, bc1, bc2)
