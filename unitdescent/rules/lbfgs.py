"""Limited-memory BFGS with honest units, for many parameters.

The last ``memory`` curvature pairs (s, y) are kept in two (m, n) ring buffers — O(m·n)
memory — and H·g is computed by the two-loop recursion with H₀ᵏ = γ_k·D², where D holds
per-parameter scales [θ_i] and γ_k = sᵀy / (yᵀD²y) [1/L] comes from the newest pair (see
:mod:`unitdescent.rules.quasinewton`). The inner products sᵢᵀyⱼ between stored pairs are kept
in an m×m table, so each application of H is four (m, n) matrix–vector products plus O(m²)
scalar work, and each new pair costs one more; there is no Python loop over parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

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
    ``head`` (next slot), ``count``, ``order`` (the slots in use, newest first), ``SY``
    (sᵢᵀyⱼ [L] for slot i older than slot j), the next direction ``p``, the seed ``d2``,
    ``gamma`` and ``h0`` = γ·d2 (the diagonal of H₀ᵏ)."""

    def __init__(self, m, n):
        self.S = np.zeros((m, n))
        self.Y = np.zeros((m, n))
        self.rho = [0.0] * m  # 1/sᵀy per slot [1/L] (lists: read in Python loops over m)
        self.SY = [[0.0] * m for _ in range(m)]
        self.order = []
        self.head = self.count = 0
        self.p = self.d2 = self.pending = self.h0 = None
        self.gamma = 1.0
        self.user = False
        self.skipped = self.damped = self.resets = 0

    @property
    def npairs(self) -> int:
        return len(self.order)


class _LBFGSStepper(QuasiNewtonStepper):
    def __init__(self, problem, opts, memory):
        super().__init__(problem, opts)
        self.m = memory

    def new_state(self):
        return LBFGSState(self.m, self.problem.space.size)

    def reset(self, st):
        st.count = st.head = 0
        st.order = []
        st.resets += 1

    def apply(self, v, st):
        """H·v by the two-loop recursion (Nocedal & Wright, Algorithm 7.4).

        The inner products the recursion needs are expanded with the stored sᵢᵀyⱼ:
        sᵢᵀqᵢ = sᵢᵀv − Σⱼ aⱼ·sᵢᵀyⱼ over the newer pairs j, and likewise in the second loop,
        so each loop is one matrix–vector product over the (m, n) buffers plus O(m²) work
        on scalars — 4 BLAS calls per application instead of 4m.
        """
        h0 = st.h0
        if h0 is None:
            h0 = st.h0 = st.gamma * st.d2
        order = st.order
        if not order:
            return v * h0
        rho, SY, m = st.rho, st.SY, self.m
        sv = (st.S @ v).tolist()
        a = [0.0] * m
        newer = []
        for i in order:  # newest first
            t, row = sv[i], SY[i]
            for j in newer:
                t -= a[j] * row[j]
            a[i] = rho[i] * t
            newer.append(i)
        q = np.array(a) @ st.Y
        np.subtract(v, q, out=q)
        q *= h0
        yq = (st.Y @ q).tolist()
        c = [0.0] * m
        older = []
        for i in reversed(order):  # oldest first
            t = yq[i]
            for j in older:
                t += c[j] * SY[j][i]
            c[i] = a[i] - rho[i] * t
            older.append(i)
        q += np.array(c) @ st.S
        return q

    def pair(self, st, s, y, sy):
        h = st.head
        st.S[h] = s
        st.Y[h] = y
        st.rho[h] = 1.0 / float(sy)
        order = st.order
        if len(order) == self.m:
            order.pop()  # the oldest pair leaves slot h
        if order:
            col = (st.S @ y).tolist()  # sⱼᵀy for the older pairs j
            for j in order:
                st.SY[j][h] = col[j]
        order.insert(0, h)
        st.head = (h + 1) % self.m
        st.count += 1
        yDy = float(y @ (st.d2 * y))
        if yDy > 0:
            st.gamma = sy / yDy  # Nocedal & Wright (7.20) in z = θ/d
        st.h0 = None

    def activated(self, st, idx):
        st.h0 = None
