"""Limited-memory BFGS with honest units, for many parameters.

The last ``memory`` curvature pairs (s, y) are kept in two (m, n) ring buffers — O(m·n)
memory — and H·g is computed by the two-loop recursion with H₀ᵏ = γ_k·D², where D holds
per-parameter scales [θ_i] and γ_k = sᵀy / (yᵀD²y) [1/L] comes from the newest pair (see
:mod:`unitdescent.rules.quasinewton`). Each iteration is 4m in-place BLAS passes over n floats
plus the loss and gradient; there is no Python loop over parameters. (The passes call scipy's
BLAS ``ddot``/``daxpy`` directly: in place, no temporaries, one BLAS thread pool.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.linalg.blas import daxpy, ddot

from ..errors import InputError
from .base import register
from .quasinewton import QuasiNewtonRule, QuasiNewtonStepper


@register
@dataclass(frozen=True)
class LBFGS(QuasiNewtonRule):
    """L-BFGS; no hyperparameter needs units.

    memory : int — curvature pairs kept (default 10); plus the options of
    :class:`~unitdescent.rules.quasinewton.QuasiNewtonRule` (gtol [L], gtol_rel, H0 [θ]²/[L],
    c1, c2, maxls). A user ``H0`` is rescaled by γ_k every iteration, like the default seed.
    """

    memory: Any = 10
    name = "lbfgs"
    signature = {**QuasiNewtonRule.signature, "memory": QuasiNewtonRule.signature["maxls"]}

    def bind(self, problem, *, bare="error"):
        if not (isinstance(self.memory, (int, np.integer)) and self.memory >= 1):
            raise InputError(f"lbfgs: memory must be a positive integer (pairs kept), got "
                             f"{self.memory!r}")
        return _LBFGSStepper(problem, self._common(problem, bare), int(self.memory))


class LBFGSState:
    """Mutable state: ring buffers ``S``, ``Y`` (m, n) [θ] and [L]/[θ], ``rho`` [1/L],
    ``head`` (next slot), ``count``, the next direction ``p``, the seed ``d2``, ``gamma``."""

    def __init__(self, m, n):
        self.S = np.empty((m, n))
        self.Y = np.empty((m, n))
        self.rho = [0.0] * m  # 1/sᵀy per slot [1/L] (a list: read in a Python loop)
        self.srow = list(self.S)  # row views, made once
        self.yrow = list(self.Y)
        self.head = self.count = 0
        self.p = self.d2 = self.pending = None
        self.gamma = 1.0
        self.user = False
        self.skipped = self.damped = self.resets = 0

    @property
    def npairs(self) -> int:
        return min(self.count, len(self.rho))


class _LBFGSStepper(QuasiNewtonStepper):
    def __init__(self, problem, opts, memory):
        super().__init__(problem, opts)
        self.m = memory

    def new_state(self):
        return LBFGSState(self.m, self.problem.space.size)

    def reset(self, st):
        st.count = st.head = 0
        st.resets += 1

    def apply(self, v, st):
        k = st.npairs
        if k == 0:
            r = v * st.d2
            r *= st.gamma
            return r
        m, srow, yrow, rho = self.m, st.srow, st.yrow, st.rho
        order = [(st.head - 1 - j) % m for j in range(k)]
        a = []
        q = v.copy()
        for i in order:
            ai = rho[i] * ddot(srow[i], q)
            daxpy(yrow[i], q, a=-ai)
            a.append(ai)
        q *= st.d2
        q *= st.gamma
        for j in range(k - 1, -1, -1):
            i = order[j]
            daxpy(srow[i], q, a=a[j] - rho[i] * ddot(yrow[i], q))
        return q

    def pair(self, st, s, y, sy):
        h = st.head
        st.S[h] = s
        st.Y[h] = y
        st.rho[h] = 1.0 / float(sy)
        st.head = (h + 1) % self.m
        st.count += 1
        yDy = float(y @ (st.d2 * y))
        if yDy > 0:
            st.gamma = sy / yDy  # Nocedal & Wright (7.20) in z = θ/d
