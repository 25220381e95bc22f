"""BFGS with honest units: a dense inverse Hessian seeded by per-parameter scales.

Entry (i, j) of H has units [θ_i][θ_j]/[L]; it starts as γ·D² (see
:mod:`unitdescent.rules.quasinewton`) instead of scipy's H₀ = I, the direction p = −H·g has
the units of θ, and the strong-Wolfe step length is dimensionless. The update is the usual
rank-two BFGS formula, done in O(n²) per iteration with in-place BLAS rank-one updates. The
same physical problem written in other units gives the same iterates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import register
from .quasinewton import QuasiNewtonRule, QuasiNewtonStepper


@register
@dataclass(frozen=True)
class BFGS(QuasiNewtonRule):
    """Dense BFGS (the default method of ``minimize``); no hyperparameter needs units.

    Options (all optional): gtol [L], gtol_rel, H0 [θ]²/[L], c1, c2, maxls — see
    :class:`~unitdescent.rules.quasinewton.QuasiNewtonRule`. Memory O(n²): for many
    parameters use ``"lbfgs"``.
    """

    name = "bfgs"

    def bind(self, problem, *, bare="error"):
        return _BFGSStepper(problem, self._common(problem, bare))


class BFGSState:
    """Mutable state: ``H`` (None while it is still the diagonal seed γ·d²), the next
    direction ``p`` [θ], the seed ``d2`` [θ]² (or H0 [θ]²/[L]) and ``gamma`` [1/L], counters."""

    def __init__(self):
        self.H = None
        self.p = self.d2 = self.pending = None
        self.gamma = 1.0
        self.user = False
        self.npairs = self.skipped = self.damped = self.resets = 0


class _BFGSStepper(QuasiNewtonStepper):
    def new_state(self):
        return BFGSState()

    def reset(self, st):
        st.H = None
        st.npairs = 0
        st.resets += 1

    def apply(self, v, st):
        if st.H is None:
            return st.gamma * st.d2 * v
        return st.H @ v

    def pair(self, st, s, y, sy):
        if st.H is None:
            if not st.user:
                yDy = float(y @ (st.d2 * y))
                if yDy > 0:
                    st.gamma = sy / yDy  # Nocedal & Wright (6.20) in z = θ/d
            seed = st.gamma * st.d2
            st.H = np.asfortranarray(np.diag(seed))
        H = st.H
        rho = 1.0 / sy
        Hy = H @ y
        c = rho * rho * float(y @ Hy) + rho
        if not np.isfinite(c):
            st.skipped += 1
            return
        # H ← H + s(c·s − ρ·Hy)ᵀ − ρ·Hy·sᵀ  (the BFGS inverse update, symmetric)
        from scipy.linalg.blas import dger  # imported here: scipy.linalg costs ~0.3 s to import

        st.H = dger(1.0, s, c * s - rho * Hy, a=H, overwrite_a=1)
        st.H = dger(-rho, Hy, s, a=st.H, overwrite_a=1)
        st.npairs += 1

    def activated(self, st, idx):
        if st.H is not None:
            st.H[idx, idx] = st.gamma * st.d2[idx]
