"""Preconditioned gradient descent: Δθ = −lr·P·g.

P is a constant preconditioner (an inverse metric) with [P_ij] = [θ_i][θ_j]/[L]: either its
diagonal (per parameter, units [θ_i]²/[L]) or a full matrix checked block by block. Then P·g
has the units of θ and the step length lr is dimensionless.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dims import DIMENSIONLESS, PRECONDITIONER
from ..errors import InputError
from ..hyper import resolve, resolve_matrix
from ..matrix import UnitMatrix
from ..units import as_quantity, is_quantity
from .base import Rule, UpdateStepper, check_positive, register


@register
@dataclass(frozen=True)
class Preconditioned(Rule):
    """Gradient descent with a constant preconditioner.

    P : diagonal — Quantity [θ]²/[L] or dict per parameter (scalars or arrays) — or full —
        UnitMatrix, dict of blocks {("a", "b"): Quantity [θ_a][θ_b]/[L]}, or, for one
        parameter, an (n, n) Quantity;
    lr : dimensionless step length (default 1)
    """

    P: Any = None
    lr: Any = 1.0
    name = "preconditioned"
    signature = {"P": PRECONDITIONER, "lr": DIMENSIONLESS}
    required = ("P",)

    def is_full(self, space) -> bool:
        P = self.P
        if isinstance(P, UnitMatrix):
            return True
        if isinstance(P, dict):
            return any(isinstance(k, tuple) for k in P)
        if space.single:
            q = as_quantity(P, space.registry, what="preconditioned P")
            mag = np.asarray(q.magnitude if is_quantity(q) else q)
            n = space.size
            return mag.shape == (n, n) and space.specs[0].shape != (n, n)
        return False

    def bind(self, problem, *, bare="error"):
        sp, lu = problem.space, problem.loss_unit
        lr = check_positive(self.name, "lr", self.resolve("lr", problem, bare, allow_array=False))
        if self.is_full(sp):
            P = resolve_matrix("P", self.P, PRECONDITIONER, sp, lu, rule=self.name)
            if not np.allclose(P, P.T, rtol=1e-10, atol=0):
                raise InputError("preconditioned P must be symmetric")
            return _FullStepper(problem, -lr * P)
        diag = resolve("P", self.P, PRECONDITIONER.diagonal(), sp, lu, bare=bare, rule=self.name)
        if np.any(np.asarray(diag) < 0):
            raise InputError("preconditioned P must be positive (a negative entry climbs the loss)")
        return _DiagStepper(problem, -lr * diag)


class _DiagStepper(UpdateStepper):
    def __init__(self, problem, neg_p):
        super().__init__(problem)
        self.neg_p = neg_p

    def init(self, x, f, g):
        return None

    def update(self, g, state, x):
        return self.neg_p * g, state


class _FullStepper(_DiagStepper):
    def update(self, g, state, x):
        return self.neg_p @ g, state
