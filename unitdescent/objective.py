"""A loss with its units and derivative providers, checked once and compiled to floats.

Two ways to write a loss:

* **Quantity path** — ``fun(x)`` / ``fun(**params)`` takes and returns pint Quantities. It is
  evaluated once at ``x0`` to learn (or check) the loss units; a ``DimensionalityError`` it
  raises is reported as a :class:`~unitdescent.errors.LossUnitsError`. Each later call builds
  Quantities: that costs time, and it is the user's choice.
* **Fast path** — the loss works on plain floats and declares its units:
  ``Objective(fun, params={"x": "m"}, loss="J")`` or the :func:`objective` decorator. The
  engine then calls it with magnitudes in the declared units; no pint object is made while
  iterating.

:meth:`Objective.compile` returns a :class:`Problem`: the loss, gradient and (when given)
Hessian as functions of one float vector, with evaluation counters.
"""

from __future__ import annotations

import numpy as np
import pint

from .dims import HESSIAN
from .errors import InputError, LossUnitsError, UnitsError, add_note
from .space import ParamSpace
from .units import (as_quantity, as_unit, fmt, is_multiplicative, is_quantity, real_array,
                    registry_of)

#: Central differences: h_i = FD_REL_STEP · max(|θ_i|, scale_i) (relative, never absolute).
FD_REL_STEP = float(np.finfo(float).eps) ** (1.0 / 3.0)


class Objective:
    """A loss function with its units and optional derivatives.

    Parameters
    ----------
    fun : callable
        The loss. Quantity path: takes Quantities, returns a scalar Quantity (a bare number
        means dimensionless). Fast path (``params`` given): takes floats/arrays in the declared
        units, returns a float in ``loss`` units.
    params : unit or dict name -> unit, optional
        Declares the fast path: the units ``fun`` expects its arguments in.
    loss : unit, optional
        The loss units (required meaning on the fast path; a check on the Quantity path).
    jac : callable, optional
        The gradient, same calling convention as ``fun``. Quantity path: returns a Quantity
        (or dict of them) in [L]/[θ_i]; fast path: an array (or dict of arrays) in the declared
        units. Checked on the first call.
    hess : callable, optional
        The Hessian, entry (i, j) in [L]/([θ_i][θ_j]) (used by curvature methods).
    name : str, optional
        How messages name the loss (default: ``fun.__name__``).
    """

    def __init__(self, fun, params=None, loss=None, jac=None, hess=None, name=None):
        if not callable(fun):
            raise InputError(f"the loss must be callable, got {fun!r}")
        for label, f in (("jac", jac), ("hess", hess)):
            if f is not None and not callable(f):
                raise InputError(f"{label} must be callable or None, got {f!r}")
        self.fun = fun
        self.params = params
        self.loss = loss
        self.jac = jac
        self.hess = hess
        self.name = name or getattr(fun, "__name__", "loss")

    @property
    def fast(self) -> bool:
        """True when the loss works on plain floats with declared units."""
        return self.params is not None

    def __call__(self, *args, **kwargs):
        return self.fun(*args, **kwargs)

    def __repr__(self) -> str:
        kind = f"fast path, params={self.params!r}, loss={self.loss!r}" if self.fast else "Quantity path"
        return f"Objective({self.name}, {kind})"

    def compile(self, x0, *, loss_units=None, scales=None) -> Problem:
        """Check units once at ``x0`` and return the float :class:`Problem`.

        Parameters
        ----------
        x0 : Quantity or dict of Quantities
            The point [θ] where the loss (and ``jac``/``hess``) are first called and checked.
        loss_units : unit, optional
            The units [L] the loss must have (Quantity path; the fast path declares ``loss``).
        scales : Quantity or dict name -> Quantity, optional
            Typical sizes [θ] per parameter, for relative finite-difference steps.

        Returns
        -------
        Problem
            Loss, gradient and Hessian as functions of one float vector in working units.
        """
        registry = registry_of(x0, scales)
        space, vec = ParamSpace.from_x0(x0, self.params if self.fast else None, registry)
        user_units = _user_units(x0, space)
        return Problem(self, space, vec, user_units, loss_units=loss_units, scales=scales)


def objective(params=None, loss=None, jac=None, hess=None):
    """Decorator: declare a float-valued loss's units (the fast path).

    Parameters
    ----------
    params : unit or dict name -> unit
        The units the function expects its arguments in (it is called with magnitudes in
        these units, whatever units ``x0`` is given in).
    loss : unit, optional
        The units [L] of the float the function returns (default: dimensionless).
    jac : callable, optional
        The gradient on floats: an array (or dict name -> array), entry i in [L]/[θ_i] of
        the declared units.
    hess : callable, optional
        The Hessian on floats, entry (i, j) in [L]/([θ_i][θ_j]) of the declared units.

    Returns
    -------
    callable
        A decorator turning the function into an :class:`Objective`.

    >>> @objective(params={"x": "m"}, loss="J")
    ... def energy(x):
    ...     return 0.5 * 3.0 * x**2
    """

    def wrap(fun):
        return Objective(fun, params=params, loss=loss, jac=jac, hess=hess)

    return wrap


def as_objective(fun, jac=None, hess=None) -> Objective:
    """``fun`` as an :class:`Objective` (derivatives given here must not clash with its own)."""
    if isinstance(fun, Objective):
        if (jac is not None and fun.jac is not None) or (hess is not None and fun.hess is not None):
            raise InputError("jac/hess given both to the Objective and to minimize; give them once")
        return Objective(fun.fun, fun.params, fun.loss, jac or fun.jac, hess or fun.hess, fun.name)
    return Objective(fun, jac=jac, hess=hess)


class Problem:
    """The compiled objective: loss, gradient and Hessian of one float vector.

    Attributes: ``space`` (:class:`ParamSpace`), ``x0`` (vector, working units), ``f0``,
    ``loss_unit``, ``typical`` (per-entry magnitudes used for relative steps and scaled
    coordinates), counters ``nfev``, ``njev``, ``nhev``.
    """

    def __init__(self, objective: Objective, space: ParamSpace, x0: np.ndarray, user_units,
                 *, loss_units=None, scales=None):
        self.objective = objective
        self.space = space
        self.x0 = x0
        self.user_units = user_units
        self.nfev = self.njev = self.nhev = 0
        self.registry = space.registry
        self._call = self._make_call()
        self.loss_unit, self.f0 = self._first_loss(loss_units)
        self._to_float = self._make_to_float()
        self.typical = self._typical(scales)
        self._jac = self._make_jac() if objective.jac is not None else None
        self._hess = self._make_hess() if objective.hess is not None else None

    # -- the loss ------------------------------------------------------------------------
    def _adapter(self, fn):
        """Call a user function (loss, jac or hess) of one float vector, by the objective's convention.

        Fast path: floats/read-only arrays in working units; Quantity path: Quantities. One
        parameter: ``fn(x)``; several: ``fn(**params)``.
        """
        space = self.space
        if self.objective.fast:
            if space.single:
                shape = space.specs[0].shape
                if shape == ():
                    return lambda v: fn(v[0])
                return lambda v: fn(_readonly(v, shape))
            return lambda v: fn(**space.magnitudes(_readonly(v)))
        if space.single:
            return lambda v: fn(space.quantities(v))
        return lambda v: fn(**space.quantities(v))

    def _make_call(self):
        return self._adapter(self.objective.fun)

    def _first_loss(self, loss_units):
        obj = self.objective
        declared = obj.loss if obj.fast else loss_units
        if obj.fast and loss_units is not None:
            raise InputError("the loss units are declared by the Objective; do not also pass loss_units")
        try:
            value = _call_at_x0(obj.fun, self._call, self.x0, f"loss function {obj.name!r}",
                                self.space)
        except pint.DimensionalityError as exc:
            raise LossUnitsError(
                what=f"loss function {obj.name!r}",
                detail=f"it raised a dimensional error when evaluated at x0 — {exc}. "
                       f"Some operation in it combines quantities whose units do not match "
                       f"(adding metres to seconds, or exp/log/sin of a quantity with units).",
                fix="make every sum consistent and every exp/log/sin argument dimensionless",
            ) from exc
        self.nfev += 1
        reg = self.registry
        if is_quantity(value):
            got = value.units
            mag = value.magnitude
        else:
            got = reg.dimensionless
            mag = value
        want = as_unit(declared, reg, what="loss units") if declared is not None else None
        if obj.fast:
            want = want if want is not None else reg.dimensionless
            if is_quantity(value):
                raise InputError(f"loss function {obj.name!r} declares its units (fast path) but "
                                 f"returned a Quantity; return a plain float in {fmt(want)}")
            got = want
        mag = real_array(mag, f"loss function {obj.name!r}", returned=True)
        if mag.size != 1 or np.ndim(mag) != 0:
            raise InputError(f"loss function {obj.name!r} must return a scalar, got shape "
                             f"{np.shape(mag)}; sum or average it into one number")
        mag = float(mag)
        if want is not None and not obj.fast:
            if got.dimensionality != want.dimensionality:
                raise LossUnitsError(what=f"loss function {obj.name!r}", expected=want, got=got,
                                     fix=f"return the loss in units of {fmt(want)} or drop loss_units")
            mag = reg.Quantity(mag, got).m_as(want)
            got = want
        if got.dimensionality == reg.dimensionless.dimensionality and got != reg.dimensionless:
            mag = reg.Quantity(mag, got).m_as(reg.dimensionless)  # cm²/m² -> a plain ratio
            got = reg.dimensionless
        if not np.isfinite(mag):
            raise InputError(f"loss function {obj.name!r} is {mag} at x0; start where it is finite")
        if not is_multiplicative(got):
            raise InputError(f"loss function {obj.name!r} returns {got}, a unit with an offset; "
                             f"return it in an absolute unit (e.g. kelvin)")
        self._first_units = value.units if is_quantity(value) else None
        return got, mag

    def _make_to_float(self):
        obj, reg = self.objective, self.registry
        if obj.fast:
            return float
        first, loss_unit = self._first_units, self.loss_unit
        factor = 1.0 if first is None else reg.Quantity(1.0, first).m_as(loss_unit)
        name = obj.name

        def to_float(value):
            if is_quantity(value):
                if value.units != first:
                    if first is None or value.units.dimensionality != first.dimensionality:
                        raise LossUnitsError(
                            what=f"loss function {name!r}", expected=first or reg.dimensionless,
                            got=value.units,
                            detail="its units changed between calls.",
                            fix="return the same units at every point",
                        )
                    return float(value.m_as(loss_unit))
                return float(value.magnitude) * factor
            if first is not None:
                raise LossUnitsError(what=f"loss function {name!r}", expected=first,
                                     got=reg.dimensionless,
                                     detail="it returned a bare number after returning a Quantity at x0.",
                                     fix="return the same units at every point")
            return float(value)

        return to_float

    def fun(self, vec: np.ndarray) -> float:
        """The loss at ``vec`` (working units) as a float in ``loss_unit``."""
        self.nfev += 1
        return self._to_float(self._call(vec))

    # -- the gradient --------------------------------------------------------------------
    def _typical(self, scales):
        typ = np.abs(self.x0)
        sp = self.space
        for s in sp.specs:
            block = typ[s.slice]
            if block.size and block.max() > 0:
                block[block == 0] = block.max()
        if scales is not None:
            from .dims import PARAM
            from .hyper import resolve

            given = resolve("scales", scales, PARAM, sp, self.loss_unit, rule="")
            given = np.broadcast_to(np.abs(given), typ.shape)
            if np.any(given <= 0):
                raise InputError("scales must be positive")
            typ = np.array(given, dtype=float)
        return typ

    def fd_steps(self, vec: np.ndarray) -> np.ndarray:
        """Central-difference steps h_i = FD_REL_STEP·max(|θ_i|, scale_i), in [θ_i]."""
        base = np.maximum(np.abs(vec), self.typical)
        if np.any(base == 0):
            i = int(np.argmax(base == 0))
            name = self._name_of(i)
            unit = fmt(self.user_units.get(name, self.space.by_name[name].unit))
            how = (f"scales=<a typical size in {unit}>" if self.space.single else
                   f"scales={{{name!r}: <a typical size in {unit}>}}")
            raise InputError(
                f"finite differences need a scale for {name}: it is 0 at x0 and no scale was "
                f"given, and a relative step of 0 is no step. Pass {how} (or a jac)."
            )
        return FD_REL_STEP * base

    def _name_of(self, i: int) -> str:
        for s in self.space.specs:
            if s.start <= i < s.stop:
                return s.name
        return "?"

    def grad(self, vec: np.ndarray) -> np.ndarray:
        """The gradient at ``vec``, entry i in [L]/[θ_i] (working units)."""
        if self._jac is not None:
            self.njev += 1
            return self._jac(vec)
        return self._fd_grad(vec)

    def grad0(self) -> np.ndarray:
        """The gradient at ``x0`` (the user's jac was already called there by the unit check)."""
        g0 = getattr(self, "_g0", None)
        if g0 is not None:
            self._g0 = None
            return g0
        return self.grad(self.x0)

    def _fd_grad(self, vec):
        h = self.fd_steps(vec)
        xp = np.array(vec, dtype=float, copy=True)
        g = np.empty_like(xp)
        for i in range(xp.size):
            xi = xp[i]
            xp[i] = xi + h[i]
            fp = self.fun(xp)
            up = xp[i]
            xp[i] = xi - h[i]
            fm = self.fun(xp)
            down = xp[i]
            xp[i] = xi
            g[i] = (fp - fm) / (up - down)
        return g

    def fun_and_grad(self, vec):
        return self.fun(vec), self.grad(vec)

    def _make_jac(self):
        """Check the user's jac at x0 (units [L]/[θ_i], shapes); return vector -> flat gradient."""
        obj, sp, reg = self.objective, self.space, self.registry
        call = self._adapter(obj.jac)
        first = _call_at_x0(obj.jac, call, self.x0, "jac", sp)
        self.njev += 1
        if obj.fast and not isinstance(first, dict):  # one flat array in the declared units
            arr = real_array(first, "jac", returned=True).reshape(-1)
            if arr.size != sp.size:
                raise InputError(f"jac returned {arr.size} values; the parameters have {sp.size}")
            self._g0 = arr.copy()
            return lambda v: np.asarray(call(v), dtype=float).reshape(-1)
        parts = {sp.SINGLE: first} if (sp.single and not isinstance(first, dict)) else first
        if not isinstance(parts, dict) or set(parts) != set(sp.names):
            raise InputError(f"jac must return one entry per parameter {sp.names}, got "
                             f"{sorted(parts) if isinstance(parts, dict) else type(parts).__name__}")
        need = {s.name: self.loss_unit / s.unit for s in sp.specs}
        first_units = {}  # the units jac returned at x0, per parameter (None on the fast path)
        for s in sp.specs:
            label = f"jac for {sp.label(s.name)}"
            val = parts[s.name]
            if obj.fast:
                if is_quantity(val):
                    raise InputError(f"{label}: a fast-path jac returns plain arrays in {need[s.name]}")
                first_units[s.name] = None
                mag = real_array(val, label, returned=True)
            else:
                q = as_quantity(val, reg, what=label)
                mag = real_array(q.magnitude if is_quantity(q) else q, label, returned=True)
                units = q.units if is_quantity(q) else reg.dimensionless
                if units.dimensionality != need[s.name].dimensionality:
                    raise UnitsError(what=label, expected=need[s.name], got=units,
                                     fix="a gradient has units [loss]/[parameter]; return "
                                         f"d(loss)/d({s.name}) in {fmt(need[s.name])}")
                first_units[s.name] = units
            if mag.size != s.size:
                raise InputError(f"{label}: shape {mag.shape} does not match the parameter's shape "
                                 f"{s.shape}")
        factor = {n: 1.0 if u is None else reg.Quantity(1.0, u).m_as(need[n])
                  for n, u in first_units.items()}

        def flatten(result):
            if sp.single and not isinstance(result, dict):
                result = {sp.SINGLE: result}
            out = np.empty(sp.size)
            for s in sp.specs:
                val, units = result[s.name], first_units[s.name]
                if units is None:  # fast path: plain floats in working units
                    out[s.slice] = np.ravel(val)
                elif is_quantity(val) and val.units == units:  # the usual case: one multiply
                    out[s.slice] = np.ravel(val.magnitude) * factor[s.name]
                else:
                    q = as_quantity(val, reg, what=f"jac for {s.name}")
                    if not is_quantity(q) or q.units.dimensionality != need[s.name].dimensionality:
                        raise UnitsError(what=f"jac for {sp.label(s.name)}", expected=need[s.name],
                                         got=getattr(q, "units", None),
                                         detail="its units changed between calls.",
                                         fix=f"return d(loss)/d({s.name}) in units compatible "
                                             f"with {fmt(need[s.name])} at every point")
                    out[s.slice] = np.ravel(q.m_as(need[s.name]))
            return out

        self._g0 = flatten(first)
        return lambda v: flatten(call(v))

    # -- the Hessian ---------------------------------------------------------------------
    @property
    def has_hess(self) -> bool:
        return self._hess is not None

    def hess(self, vec: np.ndarray) -> np.ndarray:
        """The user's Hessian at ``vec`` as an (n, n) float matrix in working units."""
        if self._hess is None:
            raise InputError("no hess was given")
        self.nhev += 1
        return self._hess(vec)

    def _make_hess(self):
        from .hyper import resolve_matrix

        obj, sp = self.objective, self.space
        call = self._adapter(obj.hess)
        if obj.fast:
            def conv(value):
                if isinstance(value, dict):
                    return resolve_matrix("hess", value, HESSIAN, sp, self.loss_unit, rule="")
                arr = np.asarray(value, dtype=float)
                if arr.size != sp.size ** 2:
                    raise InputError(f"hess returned shape {arr.shape}; needs {(sp.size, sp.size)}")
                return arr.reshape(sp.size, sp.size)
        else:
            def conv(value):
                return resolve_matrix("hess", value, HESSIAN, sp, self.loss_unit, rule="")

        conv(_call_at_x0(obj.hess, call, self.x0, "hess", sp))  # checked once at x0 (units, shapes)
        self.nhev += 1
        return lambda v: conv(call(v))

    # -- results -------------------------------------------------------------------------
    def x_out(self, vec, copy: bool = True):
        """``x0``'s structure, in the user's own units (``copy=False``: share ``vec``)."""
        return self.space.quantities(vec, self.user_units, copy=copy)

    def loss_out(self, value):
        return self.registry.Quantity(float(value), self.loss_unit)

    def grad_out(self, vec):
        """A gradient vector as ``x0``'s structure, in [L]/[θ] with the user's units."""
        reg = self.registry
        out = {}
        for s in self.space.specs:
            block = vec[s.slice]
            mag = float(block[0]) if s.shape == () else block.reshape(s.shape).copy()
            q = reg.Quantity(mag, self.loss_unit / s.unit)
            user = self.user_units[s.name]
            out[s.name] = q.to(self.loss_unit / user) if user != s.unit else q
        return out[self.space.SINGLE] if self.space.single else out


def _call_at_x0(fn, call, vec, what, space):
    """``call(vec)``, the first call of a user function, at x0.

    A ``TypeError`` because the function's arguments do not match x0 (``fun(**x0)`` with other
    names) becomes an :class:`InputError` that says how the function is called; any other
    exception from the user's code gets a note saying which function raised it, and where.
    """
    try:
        return call(vec)
    except pint.DimensionalityError:  # a TypeError too: reported by the caller as a units error
        raise
    except TypeError as exc:
        if not _accepts(fn, space):
            if space.single:
                how, fix = ("f(x) with one argument", "take one argument, or pass x0 as a dict "
                            "name -> Quantity to call it with named arguments")
            else:
                how = f"f(**x0) with the arguments {', '.join(space.names)}"
                fix = "name its arguments after x0's keys (or x0's keys after its arguments)"
            raise InputError(f"{what} is called as {how}, which its signature "
                             f"{_signature(fn)} does not accept ({exc}). Fix: {fix}") from exc
        add_note(exc, f"(raised by {what}, evaluated at x0)")
        raise
    except Exception as exc:
        add_note(exc, f"(raised by {what}, evaluated at x0)")
        raise


def binds(fn, *args, **kwargs) -> bool:
    """Whether ``fn(*args, **kwargs)`` would bind (True when the signature cannot be read)."""
    import inspect

    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # builtins without a signature: cannot tell
        return True
    try:
        sig.bind(*args, **kwargs)
    except TypeError:
        return False
    return True


def _accepts(fn, space) -> bool:
    return binds(fn, None) if space.single else binds(fn, **{n: None for n in space.names})


def _signature(fn) -> str:
    import inspect

    try:
        return f"{getattr(fn, '__name__', 'f')}{inspect.signature(fn)}"
    except (TypeError, ValueError):
        return repr(fn)


def _readonly(v, shape=None):
    """A read-only view of ``v`` (reshaped): the user's function cannot change our iterate."""
    view = v.view() if shape is None else v.reshape(shape)
    view.flags.writeable = False
    return view


def _user_units(x0, space):
    units = {}
    items = {space.SINGLE: x0} if space.single else x0
    for s in space.specs:
        q = as_quantity(items[s.name], space.registry)
        units[s.name] = q.units if is_quantity(q) else space.registry.dimensionless
    return units
