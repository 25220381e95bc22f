"""Heavy-ball and Nesterov momentum (torch.optim.SGD's form).

v ← β·v + (1 − dampening)·g;  Δθ = −lr·v  (Nesterov: Δθ = −lr·(g + β·v)).
lr : [θ]²/[L]; β, dampening : dimensionless. v has gradient units, so lr's units are SGD's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ..dims import DIMENSIONLESS, SGD_LR
from ..errors import InputError
from .base import Rule, UpdateStepper, check_flag, check_positive, register


class MomentumState(NamedTuple):
    velocity: np.ndarray  # [L]/[θ]


@register
@dataclass(frozen=True)
class Momentum(Rule):
    """Gradient descent with momentum.

    lr : Quantity [θ]²/[L] (or dict per parameter); beta, dampening : dimensionless;
    nesterov : bool
    """

    lr: Any = None
    beta: Any = 0.9
    dampening: Any = 0.0
    nesterov: bool = False
    name = "momentum"
    signature = {"lr": SGD_LR, "beta": DIMENSIONLESS, "dampening": DIMENSIONLESS}
    required = ("lr",)

    def bind(self, problem, *, bare="error"):
        beta = self.resolve("beta", problem, bare, allow_array=False)
        damp = self.resolve("dampening", problem, bare, allow_array=False)
        if not (np.all(0 <= np.asarray(beta)) and np.all(np.asarray(beta) < 1)):
            raise InputError(f"momentum beta must be in [0, 1), got {beta}")
        check_flag("momentum", "nesterov", self.nesterov)
        if self.nesterov and np.any(np.asarray(damp) != 0):
            raise InputError("Nesterov momentum needs dampening = 0")
        lr = check_positive("momentum", "lr", self.resolve("lr", problem, bare))
        return _MomentumStepper(problem, lr, beta, 1.0 - damp,
                                bool(self.nesterov))


class _MomentumStepper(UpdateStepper):
    def __init__(self, problem, lr, beta, keep, nesterov):
        super().__init__(problem)
        self.neg_lr, self.beta, self.keep, self.nesterov = -lr, beta, keep, nesterov

    def init(self, x, f, g):
        return MomentumState(None)

    def update(self, g, state, x):
        v = g.copy() if state.velocity is None else self.beta * state.velocity + self.keep * g
        d = g + self.beta * v if self.nesterov else v
        return self.neg_lr * d, MomentumState(v)
