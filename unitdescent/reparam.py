"""Reparametrisation: optimise in other coordinates, and pull a metric back through the map.

A :class:`Reparam` holds one smooth invertible map per parameter, φ_i = m_i(θ_i), applied
elementwise: :func:`log` (φ = log(θ/ref), for positive parameters), :func:`affine`
(φ = (θ − offset)/scale) or any user-given pair of functions (:class:`Map`). It can

* run ``minimize`` in the new coordinates and report the result in the old ones
  (:meth:`Reparam.minimize`);
* pull a metric on the new coordinates back to the old ones (:meth:`Reparam.pullback`):
  G_θ = Dᵀ·G_φ·D with D = dφ/dθ, entry (i, j) in [L]/([θ_i][θ_j]).

Gradient descent with rate η in the new coordinates and metric descent (``method="metric"``)
in the old ones with the pulled-back metric G_φ = I/η take the same first-order step,
θ ← θ − η·D⁻²·g; they agree exactly for affine maps and to O(η²) per step otherwise (the same
gradient flow, discretised in two coordinate systems).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from .derivatives import REL_STEP_G
from .dims import HESSIAN
from .engine import minimize as _minimize
from .errors import InputError, UnitsError
from .matrix import UnitMatrix
from .space import ParamSpace
from .units import as_quantity, as_unit, is_quantity, registry_of


@dataclass(frozen=True)
class Map:
    """One elementwise smooth invertible map φ = forward(θ), on Quantities.

    forward : θ ([θ]) -> φ ([φ]); inverse : φ -> θ; derivative : θ -> dφ/dθ ([φ]/[θ]),
    optional (central differences with a relative step otherwise); name : for messages.
    """

    forward: Callable
    inverse: Callable
    derivative: Callable | None = None
    name: str = "map"

    def d(self, theta):
        """dφ/dθ at θ ([φ]/[θ])."""
        if self.derivative is not None:
            return self.derivative(theta)
        mag = np.asarray(theta.magnitude, dtype=float)
        h = REL_STEP_G * np.where(mag != 0, np.abs(mag), 1.0)
        step = theta._REGISTRY.Quantity(h, theta.units)
        return (self.forward(theta + step) - self.forward(theta - step)) / (2 * step)


def log(ref=None) -> Map:
    """φ = log(θ/ref) (dimensionless) for a positive parameter; θ = ref·exp(φ).

    ``ref`` (a Quantity, or a unit such as "mm" meaning one of it) only shifts φ by a constant,
    which changes nothing for gradient-based steps; by default it is one unit of θ as first
    given to ``forward`` (so use one ``log()`` per parameter).
    """

    def _ref(q):
        if ref is None:
            return q._REGISTRY.Quantity(1.0, q.units)
        return as_quantity(ref, q._REGISTRY, what="log ref")

    state = {}

    def forward(q):
        if np.any(np.asarray(q.magnitude) <= 0):
            raise InputError(f"log coordinates need a positive parameter, got {q}")
        r = state.get("ref")
        if r is None:
            r = state["ref"] = _ref(q)  # fixed at the first call: φ must not shift later
        return q._REGISTRY.Quantity(np.log((q / r).m_as("")), "")

    def inverse(phi):
        r = state.get("ref")
        if r is None:
            if ref is None:
                raise InputError("log map: call forward (to_new) once before inverse, or give ref=")
            r = _ref(phi)
        return r * np.exp(phi.m_as(""))

    def derivative(q):
        return 1.0 / q

    return Map(forward, inverse, derivative, name="log")


def affine(scale, offset=None) -> Map:
    """φ = (θ − offset)/scale; ``scale`` a Quantity (φ has units [θ]/[scale]), offset [θ]."""

    def forward(q):
        return (q - offset) / scale if offset is not None else q / scale

    def inverse(phi):
        return phi * scale + offset if offset is not None else phi * scale

    def derivative(q):
        return np.ones(np.shape(q.magnitude)) / scale

    return Map(forward, inverse, derivative, name="affine")


class Reparam:
    """Elementwise maps per parameter: old coordinates θ ⇄ new coordinates φ.

    Parameters
    ----------
    maps : Map, or dict name -> Map or None
        One map for a single parameter, or one per named parameter (None: identity).
    """

    def __init__(self, maps):
        self.maps = maps
        self.single = not isinstance(maps, dict)

    def _items(self, x):
        if self.single:
            if isinstance(x, dict):
                raise InputError("this Reparam has one map, for a single parameter; x is a dict")
            return {ParamSpace.SINGLE: x}, {ParamSpace.SINGLE: self.maps}
        if not isinstance(x, dict):
            raise InputError("this Reparam maps named parameters; give x as a dict")
        unknown = set(self.maps) - set(x)
        if unknown:
            raise InputError(f"maps given for unknown parameters {sorted(unknown)}")
        return x, {k: self.maps.get(k) for k in x}

    def _apply(self, x, how):
        items, maps = self._items(x)
        reg = registry_of(x)
        out = {}
        for k, v in items.items():
            q = as_quantity(v, reg, what=k)
            if not is_quantity(q):
                q = reg.Quantity(np.asarray(q, dtype=float), "")
            m = maps[k]
            out[k] = q if m is None else getattr(m, how)(q)
        return out[ParamSpace.SINGLE] if self.single else out

    def to_new(self, x):
        """θ → φ (same structure as ``x``)."""
        return self._apply(x, "forward")

    def to_old(self, y):
        """φ → θ."""
        return self._apply(y, "inverse")

    def jacobian(self, x):
        """dφ/dθ per parameter at θ = ``x`` ([φ_i]/[θ_i], elementwise; ``x``'s structure)."""
        items, maps = self._items(x)
        reg = registry_of(x)
        out = {}
        for k, v in items.items():
            q = as_quantity(v, reg, what=k)
            m = maps[k]
            out[k] = reg.Quantity(np.ones(np.shape(q.magnitude)), "") if m is None else m.d(q)
        return out[ParamSpace.SINGLE] if self.single else out

    def scales(self, x, scales=None):
        """Typical sizes in the new coordinates: |dφ/dθ|·s_θ, with s_θ = ``scales`` (old
        coordinates, [θ]) or |θ| at ``x`` (1 for log coordinates, whatever θ is). Entries that
        come out 0 fall back to |φ| or one unit of φ."""
        items, _ = self._items(x)
        given = None
        if scales is not None:
            given = {ParamSpace.SINGLE: scales} if self.single else scales
        d = self.jacobian(x)
        d = {ParamSpace.SINGLE: d} if self.single else d
        y = self.to_new(x)
        y = {ParamSpace.SINGLE: y} if self.single else y
        out = {}
        for k, v in items.items():
            base = abs(given[k]) if given is not None and k in given else abs(v)
            sk = abs(d[k]) * base
            reg = sk._REGISTRY
            mag = np.array(sk.m_as(y[k].units), dtype=float)
            yabs = np.abs(np.asarray(y[k].magnitude, dtype=float))
            mag = np.where(mag > 0, mag, np.where(yabs > 0, yabs, 1.0))
            out[k] = reg.Quantity(mag if mag.ndim else float(mag), y[k].units)
        return out[ParamSpace.SINGLE] if self.single else out

    # -- optimisation in the new coordinates --------------------------------------------
    def wrap(self, fun, jac=None):
        """``fun`` (and ``jac``) as functions of the new coordinates.

        Returns ``fun_new`` or ``(fun_new, jac_new)``; jac_new = jac·dθ/dφ = jac / (dφ/dθ).
        """
        to_old, single = self.to_old, self.single

        def fun_new(*args, **kw):
            x = to_old(args[0] if single else kw)
            return fun(x) if single else fun(**x)

        if jac is None:
            return fun_new

        def jac_new(*args, **kw):
            x = to_old(args[0] if single else kw)
            g = jac(x) if single else jac(**x)
            d = self.jacobian(x)
            if single:
                return g / d
            return {k: g[k] / d[k] for k in g}

        return fun_new, jac_new

    def minimize(self, fun, x0, method="bfgs", jac=None, **options):
        """``minimize`` in the new coordinates; the result reported in the old ones.

        ``method`` defaults to "bfgs", as for :func:`unitdescent.minimize`.

        Hyperparameters refer to the new coordinates (e.g. gd's lr in [φ]²/[L]: for log
        coordinates, plain loss⁻¹ units); ``scales`` may be given in the old ones (they are
        mapped, see :meth:`scales`). ``x``, ``history.x`` and ``jac`` of the result are
        mapped back to θ (jac_θ = jac_φ·dφ/dθ).
        """
        wrapped = self.wrap(fun, jac)
        f, j = (wrapped, None) if jac is None else wrapped
        options["scales"] = self.scales(x0, options.get("scales"))
        res = _minimize(f, self.to_new(x0), method=method, jac=j, **options)
        x = self.to_old(res.x)
        d = self.jacobian(x)
        g = res.jac * d if self.single else {k: res.jac[k] * d[k] for k in res.jac}
        hist = res.history
        if hist is not None and hist.x is not None:
            hist = replace(hist, x=self.to_old(hist.x))
        return replace(res, x=x, jac=g, history=hist)

    # -- metrics ---------------------------------------------------------------------------
    def pullback(self, metric, loss_units=None):
        """Pull a metric on the new coordinates back to the old: G_θ = Dᵀ·G_φ·D, D = dφ/dθ.

        Parameters
        ----------
        metric : UnitMatrix over the new coordinates, blocks ``{("a", "b"): Quantity}``, a
            diagonal (Quantity, or dict name -> Quantity in [L]/[φ_i]²), or a callable of the
            new coordinates returning one of those.
        loss_units : unit, optional
            The loss units; read from ``metric`` when it is a UnitMatrix or has units.

        Returns
        -------
        callable
            ``G(x)`` / ``G(**x)`` → :class:`UnitMatrix` over the old coordinates, entry (i, j)
            in [L]/([θ_i][θ_j]) — pass it as ``minimize(..., method="metric", metric=G)``.
        """
        from .rules.metric import metric_values

        single = self.single

        def G(*args, **kw):
            x = args[0] if single else kw
            y = self.to_new(x)
            reg = registry_of(x)
            space_y, _ = ParamSpace.from_x0(y, registry=reg)
            gy = metric(y) if callable(metric) and not isinstance(metric, UnitMatrix) else metric
            lu = _loss_unit(gy, space_y, loss_units, reg)
            values = metric_values(gy, space_y, lu, where="metric in the new coordinates")
            space_x, _ = ParamSpace.from_x0(x, registry=reg)
            d = self.jacobian(x)
            dvec = np.empty(space_x.size)
            items = {ParamSpace.SINGLE: d} if single else d
            for sx, sy in zip(space_x.specs, space_y.specs):
                dq = items[sx.name]
                unit = sy.unit / sx.unit
                try:
                    dvec[sx.slice] = np.ravel(np.broadcast_to(dq.m_as(unit), sx.shape))
                except Exception:
                    raise UnitsError(what=f"derivative of the map of {sx.name}", expected=unit,
                                     got=getattr(dq, "units", None),
                                     fix="dφ/dθ must have units [φ]/[θ]") from None
            return UnitMatrix(dvec[:, None] * values * dvec[None, :], space_x, HESSIAN, lu)

        return G


def _loss_unit(gy, space_y, loss_units, reg):
    if loss_units is not None:
        return as_unit(loss_units, reg, what="loss_units")
    if isinstance(gy, UnitMatrix):
        return gy.loss_unit
    first: Any
    if isinstance(gy, dict):
        key, first = next(iter(gy.items()))
        a, b = key if isinstance(key, tuple) else (key, key)
    else:
        first, a, b = gy, space_y.SINGLE, space_y.SINGLE
    q = as_quantity(first, reg, what="metric")
    units = q.units if is_quantity(q) else reg.dimensionless
    sa, sb = space_y.by_name[a], space_y.by_name[b]
    return units * sa.unit * sb.unit
