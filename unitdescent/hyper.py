"""The one-time check: hyperparameters with units → plain floats in working units.

A hyperparameter is given as a Quantity (or a string such as ``"1e-3 m**2"``), a dict of them
keyed by parameter name, or a bare number. Its required units come from a
:class:`~unitdescent.dims.Dim` and the parameter and loss units. Everything is checked and
converted here, once; the iteration then uses the returned floats.
"""

from __future__ import annotations

import warnings

import numpy as np

from .dims import Dim, MatrixDim
from .errors import (
    BareNumberError,
    InputError,
    SharedHyperparameterError,
    UnitsError,
    UnitsWarning,
)
from .units import as_quantity, fmt, is_quantity, real_array

BARE_POLICIES = ("error", "as-given")


def required_unit(dim: Dim, spec, loss_unit):
    """Units the hyperparameter needs for parameter ``spec`` (working units)."""
    return dim.unit(spec.unit, loss_unit)


def _example(unit, value=1e-3) -> str:
    plain = not str(unit) or unit == unit._REGISTRY.dimensionless
    return f"{value:g}" if plain else f"{value:g} * ureg('{unit}')"


def resolve(name: str, value, dim: Dim, space, loss_unit, *, bare: str = "error",
            rule: str = "", allow_array: bool = True):
    """Check ``value`` against ``dim`` for every parameter; return floats in working units.

    Returns a Python float when one number serves every entry, else a flat array of length
    ``space.size``. Raises :class:`UnitsError` (wrong units), :class:`BareNumberError`,
    :class:`SharedHyperparameterError` (one value for groups that need different units) or
    :class:`InputError` (NaN, shapes, unknown parameter names).
    """
    where = f"{rule} {name}".strip()
    if bare not in BARE_POLICIES:
        raise InputError(f"bare must be one of {BARE_POLICIES}, got {bare!r}")
    registry = space.registry
    if isinstance(value, dict):
        unknown = set(value) - set(space.names)
        if unknown:
            raise InputError(f"{where}: no parameter named {sorted(unknown)}; "
                             f"the parameters are {space.names}")
        missing = [n for n in space.names if n not in value]
        if missing:
            raise InputError(f"{where}: a dict of values needs one for every parameter; "
                             f"missing {missing}")
        per = {n: value[n] for n in space.names}
        shared = False
    else:
        per = {n: value for n in space.names}
        shared = len(space.names) > 1

    if shared and not (bare == "as-given" and not is_quantity(as_quantity(value, registry, what=where))):
        _check_shared(name, value, dim, space, loss_unit, where, registry)

    out = np.empty(space.size)
    warned = False
    for spec in space.specs:
        label = f"{where} for {space.label(spec.name)}"
        need = required_unit(dim, spec, loss_unit)
        v = as_quantity(per[spec.name], registry, what=label)
        if is_quantity(v):
            if v.units.dimensionality != need.dimensionality:
                raise UnitsError(
                    what=label, expected=need, got=v.units,
                    fix=(f"give {name} as a plain number, e.g. {name}={_example(need, 0.5)}"
                         if need == registry.dimensionless else
                         f"give {name} in {fmt(need)}, e.g. {name}={_example(need)}")
                        + (f" (for parameter in {spec.unit}, loss in {fmt(loss_unit)})"),
                )
            mag = real_array(v.m_as(need), label)
        else:
            mag = real_array(v, label)
            if not need.dimensionality == registry.dimensionless.dimensionality:
                if bare != "as-given":
                    raise BareNumberError(
                        what=label, expected=need, got=_short(mag),
                        fix=f"give {name}={_example(need, float(mag.ravel()[0]) if mag.size else 1e-3)}; "
                            f"or, to teach what goes wrong, pass bare='as-given' to read bare numbers "
                            f"in each parameter's own units",
                    )
                if not warned:
                    warnings.warn(
                        f"{where}: bare number read as {fmt(need)} (from the units the parameters "
                        f"were given in); the result depends on that choice of units",
                        UnitsWarning, stacklevel=4,
                    )
                    warned = True
            else:
                # a bare number is a pure ratio; working units may still be scaled (mm²/m²)
                mag = np.asarray(registry.Quantity(mag, registry.dimensionless).m_as(need), dtype=float)
        _check_finite(mag, label)
        if mag.ndim and not allow_array:
            raise InputError(f"{label}: expected one number, got an array of shape {mag.shape}")
        try:
            block = np.broadcast_to(mag, spec.shape) if mag.ndim else mag
        except ValueError:
            raise InputError(f"{label}: shape {mag.shape} does not match the parameter's "
                             f"shape {spec.shape}") from None
        out[spec.slice] = np.ravel(block)
    if out.size and np.all(out == out[0]):
        return float(out[0])
    return out


def _check_shared(name, value, dim, space, loss_unit, where, registry):
    needs = {s.name: required_unit(dim, s, loss_unit) for s in space.specs}
    dims = {n: u.dimensionality for n, u in needs.items()}
    if len(set(map(str, dims.values()))) <= 1:
        return
    v = as_quantity(value, registry, what=where)
    if not is_quantity(v) and np.all(real_array(v, where) == 0):
        return  # zero fits any units
    listing = ", ".join(f"{n!r} needs {fmt(u)}" for n, u in needs.items())
    example = ", ".join(f"{n!r}: {_example(u)}" for n, u in needs.items())
    raise SharedHyperparameterError(
        what=where, expected=None, got=getattr(v, "units", None),
        detail=f"one value is shared by parameters that need different units ({listing}).",
        fix=f"give one value per parameter: {name}={{{example}}}",
    )


def resolve_matrix(name: str, value, mdim: MatrixDim, space, loss_unit, *, rule: str = ""):
    """Check a full matrix (e.g. a preconditioner) block by block; return an (n, n) float array.

    ``value`` is a :class:`~unitdescent.matrix.UnitMatrix`, a dict ``{(a, b): Quantity}`` of
    blocks (a missing block is zero; (b, a) defaults to the transpose of (a, b)), or — for a
    single parameter — one Quantity matrix.
    """
    from .matrix import UnitMatrix

    where = f"{rule} {name}".strip()
    n = space.size
    if isinstance(value, UnitMatrix):
        return value.to_working(space, mdim, loss_unit, what=where)
    if not isinstance(value, dict):
        if not space.single:
            raise InputError(f"{where}: with several parameters give the matrix as a dict of "
                             f"blocks {{('a', 'b'): Quantity}} or a UnitMatrix")
        value = {(space.SINGLE, space.SINGLE): value}
    out = np.zeros((n, n))
    seen = set()
    for key, block in value.items():
        if not (isinstance(key, tuple) and len(key) == 2 and all(k in space.by_name for k in key)):
            raise InputError(f"{where}: block keys must be pairs of parameter names from "
                             f"{space.names}, got {key!r}")
        a, b = (space.by_name[k] for k in key)
        need = mdim.unit(a.unit, b.unit, loss_unit)
        label = f"{where} block ({a.name!r}, {b.name!r})"
        q = as_quantity(block, space.registry, what=label)
        if not is_quantity(q):
            mag = real_array(q, label)
            if need.dimensionality != space.registry.dimensionless.dimensionality:
                raise BareNumberError(what=label, expected=need, got=_short(mag),
                                      fix=f"give this block in {fmt(need)}")
        else:
            if q.units.dimensionality != need.dimensionality:
                raise UnitsError(what=label, expected=need, got=q.units,
                                 fix=f"entry (i, j) of {name} needs [θ_i][θ_j]/[L]; give this "
                                     f"block in {fmt(need)}")
            mag = real_array(q.m_as(need), label)
        _check_finite(mag, label)
        shape = (a.size, b.size)
        if mag.size == 1 and a.size == b.size:
            mag = np.eye(a.size) * float(mag.ravel()[0]) if a is b else np.full(shape, float(mag.ravel()[0]))
        if mag.size != a.size * b.size:
            raise InputError(f"{label}: needs {a.size}×{b.size} entries, got shape {mag.shape}")
        out[a.slice, b.slice] = mag.reshape(shape)
        seen.add((a.name, b.name))
    for a, b in list(seen):
        if (b, a) not in seen:
            sa, sb = space.by_name[a], space.by_name[b]
            out[sb.slice, sa.slice] = out[sa.slice, sb.slice].T
    return out


def _check_finite(mag, label):
    if not np.all(np.isfinite(mag)):
        raise InputError(f"{label} is not finite ({_short(mag)}); give a finite value")


def _short(arr):
    arr = np.asarray(arr)
    return arr.item() if arr.size == 1 else f"array of shape {arr.shape}"
