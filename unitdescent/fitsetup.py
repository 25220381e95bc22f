"""The one-time set-up of a fit: data, model and parameters checked, then float residuals.

:class:`FitProblem` (for :func:`unitdescent.fit`) and :class:`ResidualProblem` (for
:func:`unitdescent.least_squares`) check every unit once — model output against ``y``, ``sigma``
against ``y``, shapes, finiteness, offset units — and turn the problem into plain functions of
the scaled parameter vector z = θ/scale: the dimensionless residuals r(z) and, when the user
gives one, their Jacobian. :class:`Model` declares a float-valued model's units (fast path).
"""

from __future__ import annotations

import numpy as np
import pint

from .dims import PARAM
from .errors import BareNumberError, InputError, UnitsError, add_note
from .fitresult import delta_unit
from .objective import binds
from .space import ParamSpace
from .units import (_holds_quantities, as_quantity, as_unit, fmt, is_multiplicative, is_quantity,
                    real_array, registry_of)

class ModelUnitsError(UnitsError):
    """The model (or residual function) is dimensionally inconsistent with the data or p0."""

    def __str__(self) -> str:
        if self.expected is None and self.got is None:
            msg = f"{self.what}: {self.detail}"
            return msg + (f" Fix: {self.fix}" if self.fix else "")
        return super().__str__()


class Model:
    """A model on plain floats with declared units — the fast path of :func:`fit`.

    ``fun(x, **params)`` receives magnitudes: ``x`` in ``x`` units (a tuple of units for a
    tuple ``x``), each parameter in ``params[name]`` units, and returns floats in ``y`` units.
    Data and ``p0`` are converted once; no pint object is made while iterating.

    Parameters
    ----------
    fun : callable
        ``fun(x, **params)`` on magnitudes in the declared units; returns an array of ``y``'s
        shape in ``y`` units.
    x : unit or tuple of units, optional
        Units ``fun`` expects ``x`` in (dimensionless when omitted).
    y : unit
        Units of what ``fun`` returns.
    params : dict name -> unit
        Units ``fun`` expects each parameter in.
    jac : callable, optional
        ``jac(x, **params)`` -> dict name -> array ∂model/∂θ, shape ``y.shape + θ.shape``, in
        [y]/[θ] with the declared units.
    name : str, optional
        How messages name the model (default: ``fun.__name__``).
    """

    def __init__(self, fun, *, params, y=None, x=None, jac=None, name=None):
        if not callable(fun):
            raise InputError(f"Model needs a callable, got {fun!r}")
        if not isinstance(params, dict) or not params:
            raise InputError("Model(params=...) must be a dict name -> unit, e.g. {'k': '1/s'}")
        self.fun = fun
        self.params = dict(params)
        self.y = y
        self.x = x
        self.jac = jac
        self.name = name or getattr(fun, "__name__", "model")

    def __call__(self, *args, **kwargs):
        return self.fun(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Model({self.name}, x={self.x!r}, y={self.y!r}, params={self.params!r})"


def _absolute(q, what):
    """Offset Quantity (degC) -> the same values in the absolute unit (kelvin)."""
    if is_quantity(q) and not is_multiplicative(q.units):
        return q.to_base_units()
    return q


class Problem:
    """Shared part: parameter space, scales, bounds and the float residuals r(z)."""

    single = False
    name = "model"
    _jac = None  # the user's Jacobian as a function of θ (floats), when one was given

    @property
    def has_jac(self):
        return self._jac is not None

    def jac_theta(self, theta):
        return self._jac(theta)

    def _make_space(self, x0, registry, working_units=None, name="x0"):
        if isinstance(x0, dict):
            user = {}
            conv = {}
            for n, v in x0.items():
                q = as_quantity(v, registry, what=f"p0[{n!r}]")
                user[n] = q.units if is_quantity(q) else _dimless(registry)
                conv[n] = _absolute(q, f"p0[{n!r}]")
            x0 = conv
        else:
            q = as_quantity(x0, registry, what="x0")
            user = {ParamSpace.SINGLE: q.units if is_quantity(q) else _dimless(registry)}
            x0 = _absolute(q, "x0")
        self.space, self.theta0 = ParamSpace.from_x0(x0, working_units, registry, name=name)
        self.user_units = user
        self.registry = registry

    def _make_scales(self, scales):
        sp = self.space
        typ = np.abs(self.theta0).copy()
        if scales is not None:
            from .hyper import resolve

            given = resolve("scales", scales, PARAM, sp, _dimless(self.registry), rule="fit")
            given = np.abs(np.broadcast_to(given, typ.shape)).astype(float)
            if np.any(~np.isfinite(given)) or np.any(given <= 0):
                raise InputError("scales must be positive and finite")
            typ = given
        for s in sp.specs:
            block = typ[s.slice]
            if np.any(block == 0):
                if block.max() > 0:
                    block[block == 0] = block.max()
                else:
                    raise InputError(
                        f"{sp.label(s.name)} starts at 0 and has no scale, so a relative step "
                        f"or a scaled coordinate is undefined. Pass scales={{{s.name!r}: <a typical "
                        f"size in {fmt(self.user_units[s.name])}>}} or start away from 0.")
        self.scale = typ

    def residuals_z(self, z):
        return self.residuals_theta(z * self.scale)

    def jac_z(self, z):
        return self.jac_theta(z * self.scale) * self.scale[None, :]

    def bounds_z(self, bounds):
        """Bounds (dict name -> (low, high) with units) -> scaled lb, ub arrays, or None."""
        if bounds is None:
            return None
        if not isinstance(bounds, dict):
            raise InputError("bounds must be a dict name -> (low, high) with units, e.g. "
                             "{'k': (ureg('0 1/s'), None)}")
        sp, reg = self.space, self.registry
        unknown = set(bounds) - set(sp.names)
        if unknown:
            raise InputError(f"bounds: no parameter named {sorted(unknown)}; the parameters are {sp.names}")
        lb = np.full(sp.size, -np.inf)
        ub = np.full(sp.size, np.inf)
        for name, pair in bounds.items():
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise InputError(f"bounds[{name!r}] must be a pair (low, high); use None for no bound")
            s = sp.by_name[name]
            for side, val, arr in (("low", pair[0], lb), ("high", pair[1], ub)):
                if val is None:
                    continue
                label = f"bounds[{name!r}] {side}"
                q = as_quantity(val, reg, what=label)
                if not is_quantity(q):
                    if s.unit.dimensionless:
                        q = reg.Quantity(q, _dimless(reg))
                    elif np.all(np.isinf(q)):
                        q = reg.Quantity(q, s.unit)
                    else:
                        raise BareNumberError(what=label, expected=s.unit, got=val,
                                              fix=f"give the bound with units, e.g. {val} * ureg('{s.unit}')")
                if q.units.dimensionality != s.unit.dimensionality:
                    raise UnitsError(what=label, expected=s.unit, got=q.units,
                                     fix=f"give the bound in units of {fmt(self.user_units[name])}")
                mag = real_array(q.m_as(s.unit), label)
                if np.any(np.isnan(mag)):
                    raise InputError(f"{label} is NaN; use None (or ±inf) for no bound")
                try:
                    arr[s.slice] = np.broadcast_to(mag, s.shape).ravel()
                except ValueError:
                    raise InputError(f"{label}: shape {mag.shape} does not match the parameter's "
                                     f"shape {s.shape}") from None
        if np.any(lb >= ub):
            i = int(np.argmax(lb >= ub))
            raise InputError(f"bounds for {self._name_of(i)}: the low bound must be below the high bound")
        outside = (self.theta0 < lb) | (self.theta0 > ub)
        if np.any(outside):
            i = int(np.argmax(outside))
            raise InputError(f"p0 for {self._name_of(i)} is outside its bounds; start inside them")
        return lb / self.scale, ub / self.scale

    def _name_of(self, i):
        for s in self.space.specs:
            if s.start <= i < s.stop:
                return repr(s.name)
        return "?"

    def _jac_factors(self, first, need_of, what):
        """Check a first jac result (dict name -> Quantity) once; return per-parameter factors."""
        sp, reg = self.space, self.registry
        if sp.single and not isinstance(first, dict):
            first = {sp.SINGLE: first}
        if not isinstance(first, dict) or set(first) != set(sp.names):
            got = sorted(first) if isinstance(first, dict) else type(first).__name__
            raise InputError(f"{what} must return a dict with one entry per parameter {sp.names}, got {got}")
        factors = {}
        for s in sp.specs:
            need = need_of(s)
            q = as_quantity(first[s.name], reg, what=f"{what} for {s.name}")
            real_array(q.magnitude if is_quantity(q) else q, f"{what} for {sp.label(s.name)}",
                       returned=True)
            units = q.units if is_quantity(q) else _dimless(reg)
            if units.dimensionality != need.dimensionality:
                raise UnitsError(what=f"{what} for {sp.label(s.name)}", expected=need, got=units,
                                 fix=f"return ∂/∂{s.name} in {fmt(need)}")
            factors[s.name] = (units, reg.Quantity(1.0, units).m_as(need))
        return factors

    def _jac_matrix(self, result, factors, m, shape):
        """dict name -> Quantity (or array) to an (m, n) float matrix in working units."""
        sp = self.space
        if sp.single and not isinstance(result, dict):
            result = {sp.SINGLE: result}
        out = np.empty((m, sp.size))
        for s in sp.specs:
            val = result[s.name]
            units, f = factors[s.name]
            if is_quantity(val):
                mag = val.magnitude * f if val.units == units else val.m_as(units) * f
            else:
                mag = np.asarray(val, dtype=float) * f
            mag = np.asarray(mag, dtype=float)
            if mag.size != m * s.size:
                raise InputError(f"jac for {sp.label(s.name)}: shape {mag.shape}; needs {shape + s.shape}")
            out[:, s.slice] = mag.reshape(m, s.size)
        return out


class FitProblem(Problem):
    """fit(): data, σ and the model, checked once; r(θ) = (y − model)/σ as floats."""

    def __init__(self, model, x, y, p0, sigma, jac, opts):
        if not callable(model):
            raise InputError(f"model must be callable, got {model!r}")
        if not isinstance(p0, dict) or not p0:
            raise InputError("p0 must be a dict name -> Quantity, one entry per model parameter, "
                             "e.g. p0={'k': ureg('0.1 1/s')}")
        fast = isinstance(model, Model)
        self.name = model.name if fast else getattr(model, "__name__", "model")
        if fast and jac is not None:
            raise InputError("give the jac to Model(...) for a Model; do not also pass jac= to fit")
        reg = registry_of(x, y, p0, sigma)
        if fast:
            for n, u in model.params.items():
                unit = as_unit(u, reg, what=f"Model's units for {n!r}")
                if not is_multiplicative(unit):
                    raise InputError(f"Model declares {n!r} in {unit}, a unit with an offset: scaled "
                                     f"coordinates and relative steps need a true zero. Declare an "
                                     f"absolute unit (kelvin) and convert inside the model")
        self._make_space(p0, reg, model.params if fast else None, name="p0")
        self._make_scales(opts["scales"])
        self._data(x, y, sigma, opts["nan_policy"], fast, model)
        self.model = model
        self.fast = fast
        self._setup_call()
        self._first_eval()
        user_jac = model.jac if fast else jac
        self._jac = self._setup_jac(user_jac) if user_jac is not None else None

    # -- data ----------------------------------------------------------------------------
    def _data(self, x, y, sigma, nan_policy, fast, model):
        reg = self.registry
        yq = as_quantity(y, reg, what="y")
        y_unit = yq.units if is_quantity(yq) else _dimless(reg)
        y_abs = _absolute(yq, "y") if is_quantity(yq) else reg.Quantity(real_array(yq, "y"))
        ymag = real_array(y_abs.magnitude, "y")
        if ymag.size == 0:
            raise InputError(f"y is empty (shape {ymag.shape}); a fit needs data points")
        if ymag.ndim == 0:
            raise InputError("y must be an array of data points, got a scalar")
        self.y_user_unit = y_unit
        self.y_unit = y_abs.units  # absolute (kelvin for degC)
        self.y_delta = delta_unit(y_unit)
        self.offset_y = not is_multiplicative(y_unit)
        # sigma: units of y (a difference for offset units), scalar or y's shape, > 0
        if sigma is None:
            smag = np.ones_like(ymag)
        else:
            sq = as_quantity(sigma, reg, what="sigma")
            if not is_quantity(sq):
                if not y_unit.dimensionless:
                    raise BareNumberError(what="sigma", expected=self.y_delta, got=_short(sigma),
                                          fix=f"give sigma with the units of y, e.g. sigma * ureg('{self.y_delta}')")
                sq = reg.Quantity(real_array(sq, "sigma"), _dimless(reg))
            if not is_multiplicative(sq.units):
                raise UnitsError(what="sigma", expected=self.y_delta, got=sq.units,
                                 detail="sigma is an uncertainty, a difference of two values, and a "
                                        "unit with an offset would convert it wrongly "
                                        f"(1 {sq.units} is not 1 {self.y_unit}).",
                                 fix=f"give sigma in {fmt(self.y_delta)} or {fmt(self.y_unit)}")
            if sq.units.dimensionality != self.y_unit.dimensionality:
                raise UnitsError(what="sigma", expected=self.y_delta, got=sq.units,
                                 fix="sigma is one standard deviation of y and has y's units")
            smag = real_array(sq.m_as(self.y_unit), "sigma")
            if smag.shape not in ((), ymag.shape):
                raise InputError(f"sigma has shape {smag.shape}; it must be a scalar or y's shape "
                                 f"{ymag.shape} (a full covariance of y is not supported)")
            smag = np.broadcast_to(smag, ymag.shape).astype(float)
        # x: passed to the model as given (converted once on the fast path)
        xs = x if isinstance(x, tuple) else None
        for i, part in enumerate(xs if xs is not None else (x,)):
            if _holds_quantities(part):  # a list of Quantities: say how to make one Quantity
                real_array(part, "x" if xs is None else f"x[{i}]")
        n_obs = ymag.shape[-1]

        def _xmag(part):
            return np.asarray(part.magnitude if is_quantity(part) else part)

        parts = list(xs) if xs is not None else [x]
        bad = ~np.isfinite(ymag) | ~np.isfinite(smag)
        bad_obs = bad.reshape(-1, n_obs).any(axis=0)
        for part in parts:
            try:
                mag = _xmag(part).astype(float)
            except (TypeError, ValueError):
                continue
            if mag.ndim and mag.shape[-1] == n_obs:
                bad_obs |= ~np.isfinite(mag.reshape(-1, n_obs)).all(axis=0)
        if bad_obs.any():
            rows = np.flatnonzero(bad_obs)
            if nan_policy == "raise":
                shown = ", ".join(str(r) for r in rows[:10]) + (", …" if rows.size > 10 else "")
                raise InputError(f"the data are not finite (NaN or inf) in {rows.size} row(s): "
                                 f"{shown}. Remove them, or pass nan_policy='omit' to leave them out.")
            keep = ~bad_obs
            ymag = ymag[..., keep]
            smag = smag[..., keep]
            parts = [p[..., keep] if np.ndim(_xmag(p)) and np.shape(_xmag(p))[-1] == n_obs else p
                     for p in parts]
            x = tuple(parts) if xs is not None else parts[0]
        if np.any(smag <= 0):
            i = int(np.argmax(smag.ravel() <= 0))
            raise InputError(f"sigma must be positive; it is {smag.ravel()[i]} at index {i}")
        self.x = x
        self.ymag = ymag
        self.smag = smag
        self.m = ymag.size
        self.omitted = int(bad_obs.sum()) if nan_policy == "omit" else 0
        if fast:
            self.x_fast = self._fast_x(x, model)

    def _fast_x(self, x, model):
        reg = self.registry
        units = model.x
        if isinstance(x, tuple):
            units = units if isinstance(units, tuple) else (units,) * len(x)
            if len(units) != len(x):
                raise InputError(f"Model declares {len(units)} x units for {len(x)} x arrays")
            return tuple(self._one_x(p, u, f"x[{i}]") for i, (p, u) in enumerate(zip(x, units)))
        if isinstance(units, tuple):
            raise InputError("Model declares several x units but x is one array; pass x as a tuple")
        return self._one_x(x, units, "x")

    def _one_x(self, part, unit, what):
        reg = self.registry
        unit = as_unit(unit, reg, what=f"Model's x units ({what})")
        if not is_quantity(part):
            if not unit.dimensionless:
                raise BareNumberError(what=what, expected=unit, got=_short(part),
                                      fix=f"give {what} as a Quantity in units compatible with {unit}")
            return np.asarray(part, dtype=float)
        if part.units.dimensionality != unit.dimensionality:
            raise UnitsError(what=what, expected=unit, got=part.units,
                             fix=f"the Model expects {what} in {fmt(unit)}")
        return np.asarray(part.m_as(unit), dtype=float)

    # -- the model ----------------------------------------------------------------------
    def _setup_call(self):
        sp, model, x = self.space, self.model, self.x
        if self.fast:
            xf = self.x_fast
            reg = self.registry
            declared = as_unit(self.model.y, reg, what="Model's y units")
            if not is_multiplicative(declared):
                raise InputError(f"Model declares y in {declared}, a unit with an offset; declare "
                                 f"an absolute unit (e.g. kelvin) and convert inside the model")
            if declared.dimensionality != self.y_unit.dimensionality:
                raise UnitsError(what=f"model {self.name!r}", expected=self.y_user_unit, got=declared,
                                 fix="declare the units the model returns, compatible with y")
            factor = reg.Quantity(1.0, declared).m_as(self.y_unit)
            unpack = _unpacker(sp)
            fun = model.fun
            self._call = lambda th: np.asarray(fun(xf, **unpack(th)), dtype=float) * factor
            self._first_call = lambda th: real_array(fun(xf, **unpack(th)), f"model {self.name!r}",
                                                     returned=True) * factor
            self._factor = None
            return
        self._call_q = lambda th: model(x, **sp.quantities(th))

    def _first_eval(self):
        reg, sp = self.registry, self.space
        label = f"model {self.name!r}"
        try:
            with np.errstate(all="ignore"):
                out = self._first_call(self.theta0) if self.fast else self._call_q(self.theta0)
        except pint.OffsetUnitCalculusError as exc:
            raise ModelUnitsError(what=label, detail=f"it did arithmetic with a unit that has an offset "
                                                f"at p0 — {exc}.",
                             fix="give x (and temperatures among p0) in absolute units, e.g. "
                                 "x.to('kelvin'); then differences and products are unambiguous") from exc
        except pint.DimensionalityError as exc:
            raise ModelUnitsError(what=label, detail=f"it raised a dimensional error at p0 — {exc}. "
                                                     f"Some sum in it mixes units, or an exp/log/sin "
                                                     f"argument is not dimensionless. "
                                                     + self._culprit(ratio=_error_ratio(exc, reg))
                                                     + self._bare_x_note(),
                             fix="make every sum consistent and every exp/log/sin argument "
                                 "dimensionless") from exc
        except TypeError as exc:
            fn = self.model.fun if self.fast else self.model
            if not binds(fn, None, **{n: None for n in sp.names}):
                raise InputError(f"{label} is called as model(x, {', '.join(n + '=…' for n in sp.names)}) with the "
                                 f"names of p0, which its signature does not accept ({exc}). Name "
                                 f"p0's keys after the model's arguments") from exc
            add_note(exc, f"(raised by {label}, evaluated at p0)")
            raise
        except Exception as exc:
            add_note(exc, f"(raised by {label}, evaluated at p0)")
            raise
        if self.fast:
            mag = out
            self._first_units = None
        else:
            real_array(out.magnitude if is_quantity(out) else out, label, returned=True)
            got = out.units if is_quantity(out) else _dimless(reg)
            if got.dimensionality != self.y_unit.dimensionality:
                raise ModelUnitsError(what=label, expected=self.y_user_unit, got=got,
                                      detail=self._culprit(ratio=self.y_unit / got),
                                 fix="make the model return the units of y")
            self._first_units = out.units if is_quantity(out) else None
            mag = np.asarray(self._to_y(out), dtype=float)
            mult = is_multiplicative(got)
            factor = reg.Quantity(1.0, got).m_as(self.y_unit) if mult else None
            first, y_unit, to_y = self._first_units, self.y_unit, self._to_y

            def call(th):
                q = self._call_q(th)
                if factor is not None and is_quantity(q) and q.units == first:
                    return np.asarray(q.magnitude, dtype=float) * factor
                return np.asarray(to_y(q), dtype=float)

            self._call = call
        if mag.shape != self.ymag.shape:
            raise InputError(f"{label} returns shape {mag.shape} at p0; y has shape {self.ymag.shape}. "
                             f"The model must give one value per data point"
                             + (" (rows with NaN were omitted from x and y)" if self.omitted else ""))
        if not np.all(np.isfinite(mag)):
            i = int(np.argmax(~np.isfinite(mag.ravel())))
            raise InputError(f"{label} is not finite at p0 (data point {i}); start where the model is finite")

    def _bare_x_note(self):
        parts = self.x if isinstance(self.x, tuple) else (self.x,)
        if self.fast or any(is_quantity(p) for p in parts):
            return ""
        return (" Note: x has no units (a bare array is dimensionless); if it is a time, a "
                "length, …, give it as a Quantity, e.g. ureg.Quantity(x, 's').")

    def _to_y(self, q):
        reg = self.registry
        if is_quantity(q):
            try:
                return q.m_as(self.y_unit)
            except pint.DimensionalityError:
                raise UnitsError(what=f"model {self.name!r}", expected=self.y_user_unit, got=q.units,
                                 detail="its units changed between calls.",
                                 fix="return the same units at every point") from None
        if not self.y_unit.dimensionless:
            raise UnitsError(what=f"model {self.name!r}", expected=self.y_user_unit,
                             got=_dimless(reg), detail="it returned a bare number.",
                             fix="return a Quantity with the units of y")
        return q

    def _p0_text(self):
        return ", ".join(f"{n} in {fmt(u)}" for n, u in self.user_units.items())

    def _culprit(self, ratio):
        """Name the parameter whose units, times ``ratio``^±1, make the model consistent."""
        reg, sp = self.registry, self.space
        if ratio is None:
            return f"The parameters are {self._p0_text()}."
        vals = sp.magnitudes(self.theta0)
        found = []
        for s in sp.specs:
            for power in (1, -1):
                trial = {n: reg.Quantity(v, sp.by_name[n].unit) for n, v in vals.items()}
                new_unit = s.unit * ratio ** power
                trial[s.name] = reg.Quantity(vals[s.name], new_unit)
                try:
                    with np.errstate(all="ignore"):
                        out = self.model(self.x, **trial)
                except Exception:  # any failure means this parameter is not the fix
                    continue
                u = out.units if is_quantity(out) else _dimless(reg)
                if u.dimensionality == self.y_unit.dimensionality:
                    found.append(f"parameter {s.name!r} is given in {fmt(self.user_units[s.name])}; "
                                 f"units like {fmt(_simplify(new_unit))} would make the model "
                                 f"return the units of y")
                    break
        if not found:
            return f"The parameters are {self._p0_text()}."
        return "Likely culprit: " + "; or ".join(found) + "."

    # -- residuals and Jacobian --------------------------------------------------------
    def residuals_theta(self, theta):
        return ((self.ymag - self._call(theta)) / self.smag).ravel()

    def _setup_jac(self, jac):
        sp, reg = self.space, self.registry
        m, shape = self.m, self.ymag.shape
        if self.fast:
            xf = self.x_fast

            def call(th):
                return jac(xf, **sp.magnitudes(th))

            first = call(self.theta0)
            if not isinstance(first, dict) or set(first) != set(sp.names):
                raise InputError(f"Model jac must return a dict with one array per parameter {sp.names}")
            factor = reg.Quantity(1.0, as_unit(self.model.y, reg)).m_as(self.y_unit)
            factors = {s.name: (None, factor) for s in sp.specs}
        else:
            def call(th):
                return jac(self.x, **sp.quantities(th))

            with np.errstate(all="ignore"):
                first = call(self.theta0)
            factors = self._jac_factors(first, lambda s: self.y_unit / s.unit, "jac")
            factors = {n: (u, reg.Quantity(1.0, u).m_as(self.y_unit / sp.by_name[n].unit))
                       for n, (u, _) in factors.items()}
        weight = (1.0 / self.smag).reshape(m, 1)
        self._jac_matrix(first, factors, m, shape)  # shapes checked once

        def jac_theta(th):
            return -self._jac_matrix(call(th), factors, m, shape) * weight

        return jac_theta

    def residuals_out(self, theta):
        """y − model in y's (difference) units."""
        diff = (self.ymag - self._call(theta))
        return self.registry.Quantity(diff, self.y_unit).to(self.y_delta) if self.y_delta != self.y_unit \
            else self.registry.Quantity(diff, self.y_unit)

    resid_unit = None  # weighted residuals are dimensionless

    @property
    def magnitude(self):
        """|y|/σ per residual: the size of what each residual is a difference of."""
        return (np.abs(self.ymag) / self.smag).ravel()


class ResidualProblem(Problem):
    """least_squares(): the user's residuals, their units checked once."""

    def __init__(self, residuals, x0, jac, opts):
        if not callable(residuals):
            raise InputError(f"residuals must be callable, got {residuals!r}")
        reg = registry_of(x0)
        self.name = getattr(residuals, "__name__", "residuals")
        self._make_space(x0, reg)
        self.single = self.space.single
        self._make_scales(opts["scales"])
        sp = self.space
        self._call_q = (lambda th: residuals(sp.quantities(th))) if sp.single else \
            (lambda th: residuals(**sp.quantities(th)))
        label = f"residual function {self.name!r}"
        try:
            with np.errstate(all="ignore"):
                first = self._call_q(self.theta0)
        except pint.DimensionalityError as exc:
            raise ModelUnitsError(what=label, detail=f"it raised a dimensional error at x0 — {exc}.",
                             fix="make every sum consistent and every exp/log/sin argument dimensionless") from exc
        real_array(first.magnitude if is_quantity(first) else first, label, returned=True)
        unit = first.units if is_quantity(first) else _dimless(reg)
        if not is_multiplicative(unit):
            raise UnitsError(what=label, expected=delta_unit(unit), got=unit,
                             detail="residuals are differences; a unit with an offset makes them ambiguous.",
                             fix=f"return them in {fmt(delta_unit(unit))} or an absolute unit")
        if unit.dimensionality == _dimless(reg).dimensionality:
            unit = _dimless(reg)
        self.resid_unit = unit
        mag = real_array(first.m_as(unit) if is_quantity(first) else first, label, returned=True)
        if mag.ndim == 0 or mag.size == 0:
            raise InputError(f"{label} must return an array of residuals, got shape {mag.shape}")
        if not np.all(np.isfinite(mag)):
            raise InputError(f"{label} is not finite at x0 (entry {int(np.argmax(~np.isfinite(mag.ravel())))})")
        self.m = mag.size
        self.shape = mag.shape
        first_units = first.units if is_quantity(first) else None
        factor = 1.0 if first_units is None else reg.Quantity(1.0, first_units).m_as(unit)

        m = self.m

        def call(th):
            r = self._call_q(th)
            if is_quantity(r):
                if r.units == first_units:
                    out = np.asarray(r.magnitude, dtype=float).ravel() * factor
                else:
                    try:
                        out = np.asarray(r.m_as(unit), dtype=float).ravel()
                    except pint.DimensionalityError:
                        raise UnitsError(what=label, expected=unit, got=r.units,
                                         detail="its units changed between calls.",
                                         fix="return the same units at every point") from None
            elif first_units is not None:
                raise UnitsError(what=label, expected=unit, got=_dimless(reg),
                                 detail="it returned a bare array after returning a Quantity at x0.",
                                 fix="return the same units at every point")
            else:
                out = np.asarray(r, dtype=float).ravel()
            if out.size != m:
                raise InputError(f"{label} returned {out.size} residuals here and {m} at x0; it "
                                 f"must return the same number at every point")
            return out

        self._call = call
        self._jac = None
        if jac is not None:
            jcall = (lambda th: jac(sp.quantities(th))) if sp.single else (lambda th: jac(**sp.quantities(th)))
            with np.errstate(all="ignore"):
                firstj = jcall(self.theta0)
            factors = self._jac_factors(firstj, lambda s: unit / s.unit, "jac")
            factors = {n: (u, reg.Quantity(1.0, u).m_as(unit / sp.by_name[n].unit)) for n, (u, _) in factors.items()}
            self._jac_matrix(firstj, factors, self.m, self.shape)
            self._jac = lambda th: self._jac_matrix(jcall(th), factors, self.m, self.shape)

    magnitude = None  # unknown: the user's residuals

    def residuals_theta(self, theta):
        return self._call(theta)

    def residuals_out(self, theta):
        return self.registry.Quantity(self._call(theta).reshape(self.shape), self.resid_unit)


_DIMLESS = {}


def _dimless(registry):
    """``registry.dimensionless``, cached: pint parses it anew on every attribute access."""
    unit = _DIMLESS.get(id(registry))
    if unit is None or unit._REGISTRY is not registry:
        unit = _DIMLESS[id(registry)] = registry.dimensionless
    return unit


def _unpacker(space):
    """Vector -> dict name -> float/array for the fast path (cheaper than space.magnitudes)."""
    names = space.names
    if all(s.shape == () for s in space.specs):
        return lambda th: dict(zip(names, th.tolist()))
    return space.magnitudes


def _error_ratio(exc, reg):
    """From pint's "cannot convert from A to B": the unit factor B/A that was missing, or None."""
    try:
        a = reg.Quantity(1.0, exc.units1).units
        b = reg.Quantity(1.0, exc.units2).units
    except Exception:  # pint's error did not carry parseable units
        return None
    return b / a


def _simplify(unit):
    reg = unit._REGISTRY
    try:
        return reg.Quantity(1.0, unit).to_reduced_units().units
    except Exception:  # pint cannot always reduce; the plain unit is still correct
        return unit


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 40 else text[:37] + "..."
