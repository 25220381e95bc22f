"""Named parameters with units and shapes ⇄ one flat float vector.

A :class:`ParamSpace` is built once from ``x0`` (one Quantity, or a dict of Quantities with
mixed units and shapes; plain numbers are dimensionless). Each parameter keeps *working units*
— the units its magnitudes have in the float vector the engine iterates on (``x0``'s own units,
or the units a fast-path objective declares). Converting to and from the vector is the only
place units are stripped and put back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pint

from .errors import InputError
from .units import (as_quantity, as_unit, check_multiplicative, is_quantity, real_array,
                    registry_of)


@dataclass(frozen=True)
class ParamSpec:
    """One named parameter: its shape, working units and slice in the flat vector."""

    name: str
    shape: tuple
    unit: pint.Unit
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start

    @property
    def slice(self) -> slice:
        return slice(self.start, self.stop)


class ParamSpace:
    """The parameters of a problem ⇄ a flat float vector in working units.

    ``single`` is True when ``x0`` was one Quantity (``fun(x)`` is called); otherwise
    ``fun(**params)`` is called with the parameters by name.
    """

    SINGLE = "x"

    def __init__(self, specs: list[ParamSpec], single: bool, registry: pint.UnitRegistry):
        self.specs = list(specs)
        self.single = single
        self.registry = registry
        self.size = specs[-1].stop if specs else 0
        self.by_name = {s.name: s for s in self.specs}
        self.names = [s.name for s in self.specs]

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_x0(cls, x0, working_units=None, registry=None, *, name="x0"):
        """Build the space and the starting vector from ``x0``.

        ``working_units`` (a unit, or dict name -> unit) overrides the units the vector holds
        (the fast path declares them); ``name`` is how messages call the start ("p0" for a
        fit). Returns ``(space, x0_vector)``.
        """
        start_name = name
        registry = registry or registry_of(x0)
        single = not isinstance(x0, dict)
        items = {cls.SINGLE: x0} if single else dict(x0)
        if not items:
            raise InputError("x0 is an empty dict: give at least one parameter")
        if single and isinstance(working_units, dict):
            raise InputError("x0 is one value but the objective declares named parameters "
                             f"({', '.join(working_units)}); pass x0 as a dict with those names, "
                             "or declare params as one unit")
        if not single and working_units is not None:
            if not isinstance(working_units, dict):
                raise InputError("x0 is a dict but the objective declares one parameter unit; "
                                 "declare params as a dict name -> unit")
            missing = set(working_units) - set(items)
            extra = set(items) - set(working_units)
            if missing or extra:
                raise InputError(
                    "x0 and the objective's declared parameters differ: "
                    + (f"missing in x0: {sorted(missing)}. " if missing else "")
                    + (f"not declared by the objective: {sorted(extra)}." if extra else "")
                )
        specs, parts, start = [], [], 0
        for name, value in items.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise InputError(f"parameter names must be Python identifiers, got {name!r}")
            label = start_name if single else f"{start_name}[{name!r}]"
            q = as_quantity(value, registry, what=label)
            if is_quantity(q):
                unit, mag = q.units, q.magnitude
            else:
                unit, mag = registry.dimensionless, q
            arr = real_array(mag, label)
            if arr.size == 0:
                raise InputError(f"{label} is empty (shape {arr.shape}); every parameter needs at "
                                 f"least one value")
            check_multiplicative(unit, label)
            if working_units is not None:
                wu = working_units if single else working_units[name]
                wu = as_unit(wu, registry, what=f"declared units of {name}")
                arr = np.asarray(_convert(q, arr, unit, wu, label), dtype=float)
                unit = wu
            with np.errstate(over="ignore", invalid="ignore"):
                total = arr.sum()  # one pass; locate the culprit only when it is not finite
            bad = ~np.isfinite(arr) if not np.isfinite(total) else None
            if bad is not None and bad.any():
                where = tuple(int(i) for i in np.argwhere(bad)[0]) if arr.ndim else ()
                raise InputError(f"{label} is not finite at index {where}: "
                                 f"{arr[where] if arr.ndim else arr}. Start from finite values.")
            stop = start + arr.size
            specs.append(ParamSpec(name, arr.shape, unit, start, stop))
            parts.append(arr.ravel())
            start = stop
        return cls(specs, single, registry), np.concatenate(parts) if parts else np.zeros(0)

    # -- vector -> values --------------------------------------------------------------
    def magnitudes(self, vec: np.ndarray) -> dict:
        """Dict name -> array (or float for a scalar) in working units; views, no copies."""
        out = {}
        for s in self.specs:
            part = vec[s.slice]
            out[s.name] = part[0] if s.shape == () else part.reshape(s.shape)
        return out

    def quantities(self, vec: np.ndarray, units=None, copy: bool = True):
        """``x0``'s structure with Quantities: one Quantity, or a dict of them.

        ``units`` (dict name -> unit) converts to other units (e.g. the user's own);
        ``copy=False`` lets the Quantities share ``vec``'s memory (for a vector nobody else uses).
        """
        mags = self.magnitudes(vec)
        out = {}
        for s in self.specs:
            q = self.registry.Quantity(np.array(mags[s.name], dtype=float, copy=copy or None), s.unit)
            if units is not None and units[s.name] != s.unit:
                q = q.to(units[s.name])
            out[s.name] = q
        return out[self.SINGLE] if self.single else out

    def vector_to_structure(self, vec: np.ndarray, unit_of) -> object:
        """A flat vector (e.g. a gradient) as ``x0``'s structure; entry units ``unit_of(spec)``."""
        out = {}
        for s in self.specs:
            block = np.asarray(vec[s.slice], dtype=float)
            mag = float(block[0]) if s.shape == () else block.reshape(s.shape).copy()
            out[s.name] = self.registry.Quantity(mag, unit_of(s))
        return out[self.SINGLE] if self.single else out

    def label(self, name: str) -> str:
        """How messages name a parameter: 'x' for a single one, "parameter 'a'" otherwise."""
        return "x" if self.single else f"parameter {name!r}"

    def __repr__(self) -> str:
        inner = ", ".join(f"{s.name}{list(s.shape) if s.shape else ''} [{s.unit}]" for s in self.specs)
        return f"ParamSpace({inner})"


def _convert(q, arr, unit, target, label):
    if unit == target:
        return arr
    if unit.dimensionality != target.dimensionality:
        from .errors import UnitsError

        raise UnitsError(
            what=label,
            expected=target,
            got=unit,
            fix=f"the Objective or Model declares this parameter in {target}; give "
                f"{label} in units convertible to {target}",
        )
    return q.m_as(target) if is_quantity(q) else arr
