"""``minimize``: check units once, iterate a rule on floats, put units back on the result."""

from __future__ import annotations

import math

import numpy as np

from .dims import LOSS, PARAM
from .errors import InputError, OptimizationError, UnitsError, add_note
from .hyper import resolve
from .objective import as_objective
from .result import History, Result, Status
from .units import is_quantity
from .rules.base import make_rule

DEFAULTS = dict(maxiter=1000, ftol=None, ftol_rel=0.0, xtol=None, xtol_rel=1e-10,
                callback=None, history=True, throw=False, bare="error", scales=None,
                loss_units=None)

MESSAGES = {
    Status.CONVERGED: "converged: {detail}",
    Status.MAXITER: "stopped: maxiter ({maxiter}) reached — increase maxiter or loosen the tolerances",
    Status.STEP_FAILED: "stopped: {detail}",
    Status.NONFINITE: "stopped: {detail}; the last finite iterate is kept",
    Status.CALLBACK: "stopped: the callback raised StopIteration",
}


def minimize(fun, x0, method="bfgs", jac=None, hess=None, **options) -> Result:
    """Minimize ``fun`` from ``x0``, with every unit checked before the first step.

    Parameters
    ----------
    fun : callable or Objective
        ``fun(x)`` for one Quantity ``x0``, ``fun(**params)`` for a dict ``x0``; returns the
        loss (a Quantity, [L]). An :class:`~unitdescent.Objective` with declared units runs on
        floats (fast path).
    x0 : Quantity or dict of Quantities
        The start; plain numbers are dimensionless.
    method : str or Rule
        ``"bfgs"`` (the default: it needs no hyperparameter with units), ``"lbfgs"`` (many
        parameters; option ``memory``), ``"gd"``, ``"momentum"``, ``"adam"``,
        ``"preconditioned"`` … (see ``ud.METHODS``) or a configured rule such as
        ``ud.rules.GD(lr=...)``. The quasi-Newton methods seed their inverse Hessian from
        per-parameter scales, search a dimensionless step length (strong Wolfe) and also
        stop when the predicted decrease ½gᵀHg [L] is at most ``gtol`` [L] or
        ``gtol_rel``·(f₀ − f) (the decrease so far).
    jac, hess : callable, optional
        Gradient [L]/[θ_i] and Hessian [L]/([θ_i][θ_j]); finite differences otherwise.
    **options
        The rule's hyperparameters (``lr=``, ``beta=``, …, with units) and the engine's:
        ``maxiter`` (int); ``ftol`` (Quantity [L]: stop when the loss changes less);
        ``ftol_rel`` (dimensionless, relative loss change); ``xtol`` (Quantity [θ] or dict per
        parameter: stop when every step entry is smaller); ``xtol_rel`` (dimensionless: steps
        relative to max(|θ_i|, scale_i)); ``scales`` (typical sizes [θ] per parameter, for
        relative steps); ``loss_units`` (check the loss units); ``callback(intermediate_result)``
        (raise StopIteration to stop); ``history`` (True, "loss" or False); ``throw`` (raise
        :class:`~unitdescent.errors.OptimizationError` on failure); ``bare`` ("error", or
        "as-given" to read bare hyperparameters in each parameter's own units — for teaching).

    Returns
    -------
    Result
        ``x`` (units of ``x0``), ``fun`` [L], ``jac`` [L]/[θ], ``nit``, ``nfev``, ``njev``,
        ``nhev``, ``success``, ``status``, ``message``, ``history``.
    """
    engine = {k: options.pop(k) for k in list(options) if k in DEFAULTS}
    opts = {**DEFAULTS, **engine}
    rule = make_rule(method, options)
    _check_engine_options(opts)
    objective = as_objective(fun, jac, hess)
    problem = objective.compile(x0, loss_units=opts["loss_units"], scales=opts["scales"])
    stepper = rule.bind(problem, bare=opts["bare"])
    stop = _Stopping(problem, opts)
    return _run(problem, rule, stepper, stop, opts)


def _check_engine_options(opts):
    if not (isinstance(opts["maxiter"], (int, np.integer)) and opts["maxiter"] >= 0) \
            or isinstance(opts["maxiter"], bool):
        raise InputError(f"maxiter must be a non-negative integer, got {opts['maxiter']!r}")
    for k in ("ftol_rel", "xtol_rel"):
        v = opts[k]
        if is_quantity(v):  # a dimensionless Quantity is a plain ratio; anything else is wrong
            if not v.dimensionless:
                raise UnitsError(what=k, expected=v._REGISTRY.dimensionless, got=v.units,
                                 fix=f"{k} is relative: give a plain number such as 1e-10")
            v = opts[k] = float(v.m_as(v._REGISTRY.dimensionless))
        if not (isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)
                and v >= 0):
            raise InputError(f"{k} must be a finite number >= 0 (dimensionless), got {v!r}")
    if opts["history"] not in (True, False, "loss"):
        raise InputError(f"history must be True, 'loss' or False, got {opts['history']!r}")
    if opts["callback"] is not None and not callable(opts["callback"]):
        raise InputError(f"callback must be callable, got {opts['callback']!r}")
    if not isinstance(opts["throw"], (bool, np.bool_)):
        raise InputError(f"throw must be True or False, got {opts['throw']!r}")


class _Stopping:
    """Stopping tests in consistent units, converted to floats once."""

    def __init__(self, problem, opts):
        sp, lu = problem.space, problem.loss_unit
        self.ftol = None if opts["ftol"] is None else \
            resolve("ftol", opts["ftol"], LOSS, sp, lu, allow_array=False)
        self.ftol_rel = float(opts["ftol_rel"])
        self.xtol = None if opts["xtol"] is None else resolve("xtol", opts["xtol"], PARAM, sp, lu)
        for name, tol in (("ftol", self.ftol), ("xtol", self.xtol)):
            if tol is not None and np.any(np.asarray(tol) < 0):
                raise InputError(f"{name} must be >= 0 (a tolerance), got a negative value")
        self.xtol_rel = float(opts["xtol_rel"])
        self.typical = problem.typical
        self._witness = 0  # an entry whose step failed the xtol_rel test last time

    def check(self, x_old, x_new, f_old, f_new) -> str:
        df = abs(f_new - f_old)
        if self.ftol is not None and df <= self.ftol:
            return f"the loss changed by {df:.3g} ≤ ftol"
        if self.ftol_rel and df <= self.ftol_rel * max(abs(f_old), abs(f_new)):
            return "the relative loss change is below ftol_rel"
        if self.xtol is None and not self.xtol_rel:
            return ""
        if self.xtol is None and x_new.size:
            # Every entry must pass; test first, on scalars, the entry that failed last time
            # (usually still failing): the same answer without a pass over n entries.
            w = self._witness
            xw = float(x_new[w])
            if abs(xw - float(x_old[w])) > self.xtol_rel * max(abs(xw), float(self.typical[w])):
                return ""
        dx = np.abs(x_new - x_old)
        if self.xtol is not None and np.all(dx <= self.xtol):
            return "every step entry is below xtol"
        if self.xtol_rel:
            passed = dx <= self.xtol_rel * np.maximum(np.abs(x_new), self.typical)
            if passed.all():
                return "every step entry is below xtol_rel × max(|θ|, scale)"
            self._witness = int(np.argmin(passed))  # the first entry that failed
        return ""


def _run(problem, rule, stepper, stop, opts) -> Result:
    x = problem.x0.copy()
    f = problem.f0
    g = problem.grad0()
    maxiter, callback, keep = opts["maxiter"], opts["callback"], opts["history"]
    if not np.all(np.isfinite(g)):
        raise InputError("the gradient is not finite at x0 (entry "
                         f"{int(np.argmax(~np.isfinite(g)))}); start where the loss is smooth")
    xs = [x.copy()] if keep is True else None
    fs = [f] if keep else None
    state = stepper.init(x, f, g)
    status, detail, nit = Status.MAXITER, "", 0
    while nit < maxiter:
        try:
            sr = stepper.step(x, f, g, state)
        except ArithmeticError as exc:  # OverflowError, ZeroDivisionError in the user's loss
            status = Status.NONFINITE
            detail = (f"the loss raised {type(exc).__name__} ({exc}) at iteration {nit + 1}; "
                      f"the step may be too large")
            break
        if sr.failed:
            status, detail = Status.STEP_FAILED, sr.failed
            break
        if not (math.isfinite(sr.f) and _all_finite(sr.g)):
            what = "loss" if not math.isfinite(sr.f) else "gradient"
            status = Status.NONFINITE
            detail = (f"the {what} became {sr.f if what == 'loss' else 'non-finite'} at "
                      f"iteration {nit + 1} (a step from the last finite iterate); "
                      f"the step may be too large")
            break
        reason = sr.converged or stop.check(x, sr.x, f, sr.f)
        x, f, g, state = sr.x, sr.f, sr.g, sr.state
        nit += 1
        if keep:
            fs.append(f)
            if xs is not None:
                xs.append(x.copy())
        if callback is not None:
            try:
                callback(_intermediate(problem, rule, x, f, g, nit))
            except StopIteration:
                status = Status.CALLBACK
                break
            except Exception as exc:  # the user's error, with where it happened
                add_note(exc, f"(raised by the callback at iteration {nit}; raise "
                              f"StopIteration to stop a run early)")
                raise
        if reason:
            status, detail = Status.CONVERGED, reason
            break
    message = MESSAGES[status].format(detail=detail, maxiter=maxiter)
    hist = None
    if keep:
        hist = History(loss=problem.registry.Quantity(np.array(fs), problem.loss_unit),
                       x=_stack(problem, xs) if xs is not None else None)
    result = Result(
        x=problem.x_out(x, copy=False), fun=problem.loss_out(f), jac=problem.grad_out(g), nit=nit,
        nfev=problem.nfev, njev=problem.njev, nhev=problem.nhev, success=status.success,
        status=status, message=message, history=hist, method=rule,
    )
    if opts["throw"] and not result.success:
        raise OptimizationError(result)
    return result


def _all_finite(g) -> bool:
    """True when every entry of ``g`` is finite, in the cheapest way for its size."""
    if g.size < 4096:
        return bool(np.isfinite(g).all())
    with np.errstate(over="ignore"):  # g·g may overflow for a large, finite g
        gg = g @ g  # one BLAS pass, no temporary array
    return math.isfinite(gg) or bool(np.isfinite(g).all())


def _intermediate(problem, rule, x, f, g, nit):
    return Result(x=problem.x_out(x), fun=problem.loss_out(f), jac=problem.grad_out(g), nit=nit,
                  nfev=problem.nfev, njev=problem.njev, nhev=problem.nhev, success=False,
                  status=Status.MAXITER, message="running", method=rule)


def _stack(problem, xs):
    arr = np.stack(xs)
    sp = problem.space
    out = {}
    for s in sp.specs:
        q = problem.registry.Quantity(arr[:, s.slice].reshape((len(xs),) + s.shape), s.unit)
        user = problem.user_units[s.name]
        out[s.name] = q.to(user) if user != s.unit else q
    return out[sp.SINGLE] if sp.single else out
