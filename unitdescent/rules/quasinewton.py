"""What BFGS and L-BFGS share: scales, the line search, curvature pairs, stopping with units.

The inverse-Hessian approximation H has entries [θ_i][θ_j]/[L]. Its seed is the diagonal
H₀ = γ·D², where D = diag(d_i) holds one characteristic scale per parameter entry (units
[θ_i]) and γ (units 1/[L]) is fixed from curvature measured along the first step,
γ = sᵀy / (yᵀD²y) — Nocedal & Wright's scaling (6.20) computed in the scaled coordinates
z_i = θ_i/d_i, where it is dimensionally consistent. (scipy, torch and optax start from
H₀ = I, which is only consistent when every parameter and the loss are dimensionless.)

The scales d_i come, in order of preference, from ``H0`` (a user's diagonal, [θ_i]²/[L]),
from ``scales=`` or |θ_i| at x₀ (``problem.typical``), or, for an entry that starts at 0 with
no scale, from the gradient: d_i = |f|/|g_i| ([L]/([L]/[θ_i]) = [θ_i]). An entry whose
gradient is also 0 keeps a zero seed (it cannot move) until its gradient becomes nonzero.
Every choice scales like θ_i under a change of units, so the iterates are the same physical
points in any units (up to rounding).

Stopping adds one test to the engine's loss/step tests: the quasi-Newton decrement
½·gᵀHg (units [L], the loss decrease the quadratic model predicts) at most ``gtol`` [L], or at
most ``gtol_rel`` times the decrease achieved so far, f₀ − f (a ratio of two losses: it does
not depend on the loss units or on a constant added to the loss; by default 4 ulps, the
rounding level of f₀ − f). When it passes, one last quasi-Newton step is taken without a line
search and the run ends: near a minimum that step removes most of the predicted decrease (the
convergence is superlinear), for one evaluation. The same last step is taken — and the run
ends — when the predicted decrease is below the rounding noise of the loss (``NOISE_REL``·|f|),
where comparing losses could not judge a step and would decide differently in other units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dims import DIMENSIONLESS, LOSS, PRECONDITIONER
from ..errors import InputError
from ..wolfe import Search, Trial, strong_wolfe
from .base import Rule, Stepper, StepResult

#: When the line search cannot decrease the loss any more, the run counts as converged if the
#: predicted decrease ½gᵀHg is below this fraction of |f| (the loss is flat to rounding).
ROUNDING_REL = 1e-8
#: Default ``gtol_rel``: stop when the predicted decrease is at the rounding level (4 ulps) of
#: the decrease achieved so far, f₀ − f — after one last quasi-Newton step (see ``step``).
GTOL_REL = 4 * float(np.finfo(float).eps)
#: Loss differences up to this fraction of |f| are treated as rounding noise (10⁴ ulps; the
#: rounding noise of a computed loss is often 10–100 ulps where its terms cancel). A step
#: whose predicted decrease is below it is not judged by the loss at all (see ``step``).
NOISE_REL = 1e4 * float(np.finfo(float).eps)


@dataclass(frozen=True)
class QuasiNewtonRule(Rule):
    """Options shared by the quasi-Newton rules.

    gtol : Quantity [L], optional — stop when the decrement ½gᵀHg is at most gtol
    gtol_rel : dimensionless — stop when ½gᵀHg ≤ gtol_rel·(f₀ − f) (default 4·eps ≈ 8.9e-16)
    H0 : Quantity [θ]²/[L] or dict per parameter, optional — the diagonal seed of the inverse
        Hessian (default: γ·d_i² from the scales and the first step)
    c1, c2 : dimensionless Wolfe constants (defaults 1e-4, 0.9)
    maxls : int — trial steps per line search (default 40)
    """

    gtol: Any = None
    gtol_rel: Any = GTOL_REL
    H0: Any = None
    c1: Any = 1e-4
    c2: Any = 0.9
    maxls: Any = 40
    signature = {"gtol": LOSS, "gtol_rel": DIMENSIONLESS, "H0": PRECONDITIONER.diagonal(),
                 "c1": DIMENSIONLESS, "c2": DIMENSIONLESS, "maxls": DIMENSIONLESS}

    def _common(self, problem, bare):
        gtol = self.resolve("gtol", problem, bare, allow_array=False)
        gtol_rel = self._ratio("gtol_rel", problem, bare)
        c1 = self._ratio("c1", problem, bare)
        c2 = self._ratio("c2", problem, bare)
        if not 0 < c1 < c2 < 1:
            raise InputError(f"{self.name}: the Wolfe constants need 0 < c1 < c2 < 1, got "
                             f"c1={c1}, c2={c2}")
        for label, v in (("gtol", gtol), ("gtol_rel", gtol_rel)):
            if v is not None and v < 0:
                raise InputError(f"{self.name}: {label} must be >= 0, got {v}")
        if not (isinstance(self.maxls, (int, np.integer)) and self.maxls >= 1):
            raise InputError(f"{self.name}: maxls must be a positive integer, got {self.maxls!r}")
        H0 = self.resolve("H0", problem, bare)
        if H0 is not None:
            H0 = np.broadcast_to(np.asarray(H0, dtype=float), (problem.space.size,)).copy()
            if np.any(H0 <= 0):
                raise InputError(f"{self.name}: H0 must be positive (it is the diagonal of an "
                                 f"inverse Hessian, [θ]²/[L])")
        return dict(gtol=0.0 if gtol is None else gtol, gtol_rel=gtol_rel, c1=c1, c2=c2,
                    maxls=int(self.maxls), H0=H0, name=self.name)


    def _ratio(self, name, problem, bare):
        """A dimensionless option as a float: a finite plain number is taken as it is (what
        ``resolve`` would return, without its per-parameter pint work); anything else —
        a Quantity, a string, a dict, NaN — goes through ``resolve`` and its checks."""
        value = getattr(self, name)
        if type(value) in (float, int) and math.isfinite(value):
            return float(value)
        return self.resolve(name, problem, bare, allow_array=False)


def seed_scales(problem, f, g) -> np.ndarray:
    """Squared scales d_i² [θ_i]² per entry (0 where no scale exists yet).

    d_i is, in order: ``problem.typical`` (|θ_i| at x₀ — or the largest |θ| of the same
    parameter — or ``scales=``) where positive; else the largest typical size among the
    other parameters of the same dimension (a length scale for a length), converted to this
    parameter's units; else |f|/|g_i|.
    """
    d = np.array(problem.typical, dtype=float)
    space = problem.space
    if not np.all(d > 0):
        sizes = {}  # dimensionality -> largest typical size, as a Quantity
        for spec in space.specs:
            block = d[spec.slice]
            if block.size and block.max() > 0:
                q = space.registry.Quantity(float(block.max()), spec.unit)
                key = str(spec.unit.dimensionality)
                if key not in sizes or q > sizes[key]:
                    sizes[key] = q
        for spec in space.specs:
            block = d[spec.slice]
            key = str(spec.unit.dimensionality)
            if key in sizes and not np.all(block > 0):
                block[~(block > 0)] = sizes[key].m_as(spec.unit)
    missing = ~(d > 0)
    if missing.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            alt = np.abs(f) / np.abs(g[missing])
        d[missing] = np.where(np.isfinite(alt), alt, 0.0)
    return d * d


class QuasiNewtonStepper(Stepper):
    """The loop body of a quasi-Newton method; subclasses hold H (dense or limited memory).

    Subclasses implement ``reset(state)`` (forget the pairs), ``apply(v, state)`` (H·v),
    ``pair(state, s, y)`` (add a curvature pair with sᵀy > 0) and ``new_state()``.
    """

    def __init__(self, problem, opts):
        super().__init__(problem)
        self.gtol, self.gtol_rel = opts["gtol"], opts["gtol_rel"]
        self.c1, self.c2, self.maxls = opts["c1"], opts["c2"], opts["maxls"]
        self.user_h0 = opts["H0"]
        self.name_for_errors = opts.get("name", "quasi-Newton")
        self.damp = 0.2

    # -- state ----------------------------------------------------------------------------
    def init(self, x, f, g):
        st = self.new_state()
        if self.user_h0 is not None:
            st.d2, st.gamma, st.user = self.user_h0, 1.0, True
        else:
            st.d2 = seed_scales(self.problem, f, g)
            dg = np.sqrt(st.d2) * g  # entries in [L]
            norm = float(np.sqrt(dg @ dg))
            # first step: unit length in the scaled coordinates z = θ/d
            st.gamma = 1.0 / norm if norm > 0 else 1.0
        st.pending = ~(st.d2 > 0)
        st.any_pending = bool(st.pending.any())
        if st.any_pending and np.any(g[st.pending] != 0):
            i = int(np.flatnonzero(st.pending & (g != 0))[0])
            name = self.problem._name_of(i)
            raise InputError(
                f"{self.name_for_errors}: no scale for parameter {name!r}: it starts at 0, the "
                f"loss is 0 there too, and no other parameter of the same dimension has a "
                f"nonzero size — so no step length in its units can be derived. Pass "
                f"scales={{{name!r}: <typical size with units>}} or "
                f"H0={{{name!r}: <inverse curvature, [θ]²/[L]>, ...}}")
        st.f0 = f
        st.p = self._direction(g, st)
        return st

    # -- one iteration -------------------------------------------------------------------
    def step(self, x, f, g, st) -> StepResult:
        p = st.p
        slope = float(g @ p)
        if not slope < 0 and st.npairs:
            self.reset(st)
            p = st.p = self._direction(g, st)
            slope = float(g @ p)
        if not slope < 0:
            if slope == 0:
                return StepResult(x, f, g, st, converged="the gradient is zero")
            return StepResult(x, f, g, st, failed=f"{self.problem.objective.name}: the "
                              f"quasi-Newton direction is not a descent direction (gᵀp = "
                              f"{slope:.3g}); the gradient may be wrong")
        if -0.5 * slope <= NOISE_REL * abs(f):
            return self._final_step(x, f, g, p, slope, st)
        search = self._search(x, f, p, slope)
        if search.trial is None and st.npairs:
            # H may have drifted: restart from the diagonal seed and try once more
            self.reset(st)
            p = st.p = self._direction(g, st)
            slope = float(g @ p)
            search = self._search(x, f, p, slope)
        if search.trial is None:
            dec = -0.5 * slope
            if dec <= max(self.gtol, ROUNDING_REL * abs(f)):
                return StepResult(x, f, g, st, converged=(
                    f"no further decrease within rounding (predicted decrease ½gᵀHg = "
                    f"{dec:.3g} ≤ {ROUNDING_REL:g}·|f|)"))
            return StepResult(x, f, g, st, failed=self._failure(search))
        t = search.trial
        x_new, g_new = t.payload
        s = x_new - x
        y = g_new - g
        self._add_pair(st, s, y, g, t.alpha, slope, search.wolfe)
        self._activate(st, t.phi, g_new)
        st.p = self._direction(g_new, st)
        dec = -0.5 * float(g_new @ st.p)
        conv = ""
        if dec <= self.gtol:
            conv = f"the predicted decrease ½gᵀHg = {dec:.3g} ≤ gtol"
        elif dec <= self.gtol_rel * (st.f0 - t.phi):
            conv = (f"the predicted decrease ½gᵀHg = {dec:.3g} ≤ gtol_rel × the decrease so far "
                    f"(f₀ − f = {st.f0 - t.phi:.3g})")
        if conv:  # take the last quasi-Newton step, in this iteration, and stop
            return self._final_step(x_new, t.phi, g_new, st.p, -2.0 * dec, st, conv)
        return StepResult(x_new, t.phi, g_new, st)

    def _final_step(self, x, f, g, p, slope, st, reason="") -> StepResult:
        """The last quasi-Newton step: after a stopping test on ½gᵀHg passed (``reason``),
        or when the predicted decrease ½gᵀHg is below the rounding noise of the loss.

        The full step is taken without a line search (the model, built from gradients, is
        still informative where loss differences are not), kept unless the loss grew by more
        than its rounding noise, and the run ends. Below the noise a sufficient-decrease test
        would compare two rounding errors and could decide differently for the same problem
        in other units; this decision cannot flip (cf. the fitting module's
        Levenberg–Marquardt).
        """
        dec = -0.5 * slope
        noise = NOISE_REL * abs(f)
        reason = reason or (f"the predicted decrease ½gᵀHg = {dec:.3g} is below the "
                            f"rounding noise of the loss ({NOISE_REL:.2g}·|f|)")
        if not dec > 0:  # nothing left to gain (a zero gradient)
            return StepResult(x, f, g, st, converged=reason)
        x_new = x + p
        f_new = self.problem.fun(x_new)
        if not (f_new <= f + noise):  # grew beyond the noise, or not finite: keep x
            return StepResult(x, f, g, st, converged=(
                f"{reason}; the last quasi-Newton step did not lower the loss, the previous "
                f"point is kept"))
        return StepResult(x_new, f_new, self.problem.grad(x_new), st, converged=(
            f"{reason}; the last quasi-Newton step was taken without a line search"))

    def _direction(self, g, st):
        """p = −H·g [θ] (``apply`` returns a fresh array, negated in place)."""
        p = self.apply(g, st)
        np.negative(p, out=p)
        return p

    def _search(self, x, f, p, slope):
        problem = self.problem

        def phi(alpha):
            xt = x + p if alpha == 1.0 else x + alpha * p  # 1.0·p is p exactly
            if alpha < 1e-4 and np.array_equal(xt, x):
                return None  # below rounding: x cannot change, no decrease to find
            ft = problem.fun(xt)
            if not math.isfinite(ft):
                return Trial(alpha, np.nan, np.nan)
            gt = problem.grad(xt)
            return Trial(alpha, ft, float(gt @ p), (xt, gt))

        # The quasi-Newton step α = 1 usually meets both conditions at once: test it here
        # exactly as the search's first trial would, and only start the search otherwise.
        first = phi(1.0)
        if (first.finite and first.phi <= f + self.c1 * 1.0 * slope
                and abs(first.dphi) <= -self.c2 * slope):
            return Search(first, True, "", 0, 1)
        return strong_wolfe(phi, f, slope, 1.0, c1=self.c1, c2=self.c2, maxiter=self.maxls,
                            first=first)

    def _failure(self, search) -> str:
        if not search.nonfinite:
            return f"line search failed: {search.message}"
        return (f"line search failed: the loss (or its gradient) was NaN or infinite at "
                f"{search.nonfinite} of {search.ntrials} trial steps, and no finite trial lowered "
                f"it; the loss is undefined next to the current point along the search direction "
                f"(e.g. a log or sqrt of a negative number) — reformulate it (e.g. a log-"
                f"parametrization) or start elsewhere")

    def _add_pair(self, st, s, y, g, alpha, slope, wolfe=False):
        """Add (s, y) with Powell's damping so that sᵀy ≥ damp·sᵀBs > 0 (B = H⁻¹).

        Since s = α·p = −α·H·g, B·s = −α·g exactly and sᵀBs = −α²·gᵀp (units [L]).
        """
        sy = float(s @ y)
        sBs = -alpha * alpha * slope
        if not (math.isfinite(sy) and sBs > 0 and math.isfinite(sBs)):
            st.skipped += 1
            return
        if not wolfe and sy < self.damp * sBs:
            theta = (1.0 - self.damp) * sBs / (sBs - sy)
            y = theta * y - (1.0 - theta) * alpha * g
            sy = float(s @ y)
            st.damped += 1
        if not (sy > 0 and math.isfinite(1.0 / sy)):
            st.skipped += 1  # a pair too small to carry curvature information
            return
        self.pair(st, s, y, sy)

    def _activate(self, st, f, g):
        """Entries that had no scale get d_i = |f|/|g_i| once their gradient is nonzero."""
        if not st.any_pending:
            return
        idx = np.flatnonzero(st.pending & (g != 0))
        if idx.size and f != 0:
            st.d2[idx] = (f / g[idx]) ** 2
            st.pending[idx] = False
            st.any_pending = bool(st.pending.any())
            self.activated(st, idx)

    def activated(self, st, idx):
        """Hook: entries ``idx`` just got a scale."""
