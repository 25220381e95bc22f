"""The unit registry and the small unit algebra used everywhere.

unitdescent never creates a registry of its own: it uses pint's application registry
(``ud.ureg``) unless the caller's Quantities come from another registry, in which case that
registry is used for the whole problem. Unit strings ("m**2/s") are accepted wherever units
are; an unknown unit is an :class:`~unitdescent.errors.UnknownUnitError` that names it.
"""

from __future__ import annotations

import numbers

import numpy as np
import pint

from .errors import InputError, RegistryError, UnknownUnitError

#: pint's application registry; ``ud.ureg.Quantity`` builds Quantities.
ureg = pint.get_application_registry()


def default_registry() -> pint.UnitRegistry:
    """The registry behind ``ud.ureg`` (it follows ``pint.set_application_registry``)."""
    return ureg.get()


def is_quantity(value) -> bool:
    """True for a pint Quantity of any registry."""
    return isinstance(value, pint.Quantity)


def is_unit(value) -> bool:
    """True for a pint Unit of any registry."""
    return isinstance(value, pint.Unit)


def registry_of(*values) -> pint.UnitRegistry:
    """The one registry that ``values`` (Quantities, Units, nested dicts) come from.

    Values without a registry (floats, strings) do not count; with none at all the default
    registry is returned. Two different registries are a :class:`RegistryError`.
    """
    found = []
    stack = list(values)
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
        elif is_quantity(v) or is_unit(v):
            reg = v._REGISTRY
            if all(reg is not r for r in found):
                found.append(reg)
    if not found:
        return default_registry()
    if len(found) > 1:
        raise RegistryError(
            "values come from different pint unit registries; Quantities from two "
            "registries cannot be combined. Build all of them with one registry "
            "(ud.ureg, or your own registry everywhere)."
        )
    return found[0]


def as_unit(spec, registry: pint.UnitRegistry | None = None, *, what: str = "unit") -> pint.Unit:
    """A pint Unit from a Unit, a Quantity's units, a unit string, or ``None``/``1`` (dimensionless).

    Raises :class:`UnknownUnitError` naming the unknown unit and ``what`` it was for.
    """
    registry = registry or default_registry()
    if spec is None:
        return registry.dimensionless
    if is_unit(spec):
        return _same_registry(spec, registry, what)
    if is_quantity(spec):
        return _same_registry(spec.units, registry, what)
    if isinstance(spec, numbers.Number) and not isinstance(spec, bool) and spec == 1:
        return registry.dimensionless
    if isinstance(spec, str):
        try:
            parsed = registry.parse_units(spec) if spec.strip() else registry.dimensionless
        except pint.UndefinedUnitError as exc:
            raise UnknownUnitError(what, spec, _undefined_name(exc)) from None
        except Exception as exc:  # pint's parser raises several kinds for malformed text
            raise UnknownUnitError(what, spec, None, detail=str(exc)) from None
        return registry.Unit(parsed)
    raise InputError(f"{what}: expected a unit (a pint Unit or a string such as 'm**2'), got {spec!r}")


def as_quantity(value, registry: pint.UnitRegistry | None = None, *, what: str = "value"):
    """A pint Quantity from a Quantity, a string such as ``"1e-3 m**2"``, or a bare number.

    Bare numbers (and arrays) are returned as they are: callers decide whether a bare number
    is acceptable (it means dimensionless, or a teaching opt-in).
    """
    registry = registry or default_registry()
    if is_quantity(value):
        _same_registry(value.units, registry, what)
        return value
    if isinstance(value, str):
        try:
            q = registry.Quantity(value)
        except pint.UndefinedUnitError as exc:
            raise UnknownUnitError(what, value, _undefined_name(exc)) from None
        except Exception as exc:
            raise UnknownUnitError(what, value, None, detail=str(exc)) from None
        if not is_quantity(q):
            q = registry.Quantity(q, registry.dimensionless)
        return q
    return value


def check_multiplicative(unit: pint.Unit, what: str) -> None:
    """Reject offset units (degC, degF): their zero is not zero, so scaling them is wrong."""
    if not is_multiplicative(unit):
        raise InputError(
            f"{what} is in {unit}, a unit with an offset (its zero is not a physical zero). "
            f"Give it in an absolute unit instead, e.g. kelvin for temperatures "
            f"(Q_(x, 'degC').to('kelvin'))."
        )


def is_multiplicative(unit) -> bool:
    """False for units with an offset (degC, degF), whose zero is not a physical zero."""
    return bool(unit._REGISTRY.Quantity(1.0, unit)._is_multiplicative)


def fmt(unit) -> str:
    """A unit as text for messages: ``meter ** 2 / second``; dimensionless stays a word."""
    if unit is None:
        return "dimensionless"
    return str(unit) if str(unit) else "dimensionless"


def _same_registry(unit, registry, what):
    if unit._REGISTRY is not registry:
        raise RegistryError(
            f"{what}: its units come from a different pint registry than the rest of the "
            f"problem. Build every Quantity with one registry."
        )
    return unit


def _undefined_name(exc: pint.UndefinedUnitError):
    names = getattr(exc, "unit_names", None)
    if isinstance(names, (tuple, list)) and names:
        return ", ".join(str(n) for n in names)
    return names if names else None


def real_array(value, what: str, *, returned: bool = False) -> np.ndarray:
    """``value`` (a number, a numeric array or nested list) as a float array.

    Anything else — ``None``, text, complex numbers, a list or object array of Quantities, a
    ragged list — is an :class:`InputError` naming ``what``; ``returned=True`` says it was a
    function's return value. Unit-free: callers strip (and check) units first.
    """
    said = "returned" if returned else "is"
    if value is None:
        hint = " (does the function end with a return statement?)" if returned else ""
        raise InputError(f"{what} {said} None; expected a number or an array of numbers{hint}")
    if isinstance(value, (str, bytes)):
        raise InputError(f"{what} {said} the text {value!r}; expected a number or an array of "
                         f"numbers (a Quantity for a value with units)")
    if _holds_quantities(value):
        raise InputError(
            f"{what} {said} a {_kind(value)} of Quantities; numpy cannot hold units per "
            f"entry. Build one Quantity instead: ureg.Quantity([1.0, 2.0], 'm'), or "
            f"ureg.Quantity.from_list(values) to convert a list of Quantities")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} must be numeric, {'it returned' if returned else 'got'} a "
                         f"{type(value).__name__} that is not an array of numbers ({exc})") from None
    if arr.dtype.kind == "b":
        raise InputError(f"{what} {said} {_peek(arr)}, a bool; expected a number or an array "
                         f"of numbers")
    if arr.dtype.kind == "c":
        raise InputError(f"{what} {said} complex ({_peek(arr)}); unitdescent works with real "
                         f"numbers. Write a complex value as two real ones (real and imaginary "
                         f"parts, or magnitude and phase)")
    if arr.dtype.kind not in "biuf":
        try:
            return arr.astype(float)
        except (TypeError, ValueError):
            shown = repr(value)
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            raise InputError(f"{what} must be numeric, {'it returned' if returned else 'got'} "
                             f"{shown}") from None
    return arr.astype(float, copy=False)


def _holds_quantities(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(is_quantity(v) or _holds_quantities(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype == object:
        return any(is_quantity(v) for v in value.flat)
    return False


def _kind(value) -> str:
    return "NumPy array" if isinstance(value, np.ndarray) else type(value).__name__


def _peek(arr):
    return repr(arr.item()) if arr.size == 1 else f"an array of shape {arr.shape}"
