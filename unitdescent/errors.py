"""Errors and warnings of unitdescent.

Every dimensional error is a :class:`UnitsError`, a subclass of ``pint.DimensionalityError``
(itself a ``TypeError``), so existing ``except`` clauses keep working. Errors carry fields —
*what* (which parameter or hyperparameter), *expected* and *got* units, and *fix* (how to mend
it) — and build their message in ``__str__``. Bad input that is not about units is an
:class:`InputError` (a ``ValueError``).
"""

from __future__ import annotations

import difflib

import pint


def _u(unit) -> str:
    if unit is None:
        return "dimensionless"
    text = str(unit)
    return text if text else "dimensionless"


class UnitsError(pint.DimensionalityError):
    """A dimensional inconsistency, found before any work is done.

    Fields: ``what`` (the culprit), ``expected`` and ``got`` (units or text), ``fix`` (advice),
    ``detail`` (extra context, e.g. pint's own message).
    """

    def __init__(self, what: str, expected=None, got=None, fix: str = "", detail: str = ""):
        super().__init__(got, expected)
        self.what = what
        self.expected = expected
        self.got = got
        self.fix = fix
        self.detail = detail

    def __str__(self) -> str:
        parts = [f"{self.what}: expected units {_u(self.expected)}, got {_u(self.got)}."]
        if self.detail:
            parts.append(self.detail)
        if self.fix:
            parts.append(f"Fix: {self.fix}")
        return " ".join(parts)

    def __reduce__(self):
        return self.__class__, (self.what, self.expected, self.got, self.fix, self.detail)


class BareNumberError(UnitsError):
    """A bare number was given where units are needed."""

    def __str__(self) -> str:
        msg = (
            f"{self.what}: a bare number ({self.got}) was given where units "
            f"{_u(self.expected)} are needed."
        )
        if self.detail:
            msg += " " + self.detail
        if self.fix:
            msg += f" Fix: {self.fix}"
        return msg


class SharedHyperparameterError(UnitsError):
    """One scalar hyperparameter shared by parameters that need different units."""

    def __str__(self) -> str:
        msg = f"{self.what}: {self.detail}"
        if self.fix:
            msg += f" Fix: {self.fix}"
        return msg


class LossUnitsError(UnitsError):
    """The loss raised a dimensional error, has the wrong units, or changed units."""

    def __str__(self) -> str:
        if self.expected is None and self.got is None:
            msg = f"{self.what}: {self.detail}"
            return msg + (f" Fix: {self.fix}" if self.fix else "")
        return super().__str__()


class InputError(ValueError):
    """Bad input that is not about units: NaN, wrong shapes, unknown options, malformed config."""


class UnknownUnitError(InputError):
    """A unit string that pint cannot parse; names the unit and what it was for."""

    def __init__(self, what: str, text: str, name=None, detail: str = ""):
        self.what = what
        self.text = text
        self.name = name
        self.detail = detail
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.name:
            msg = f"{self.what}: unknown unit {self.name!r} in {self.text!r}."
        else:
            msg = f"{self.what}: cannot parse {self.text!r} as units"
            msg += f" ({self.detail})." if self.detail else "."
        return msg + " Use pint's unit names, e.g. 'm', 'mm', 's', 'J/mol', 'm**2/s'."

    def __reduce__(self):
        return self.__class__, (self.what, self.text, self.name, self.detail)


class RegistryError(InputError):
    """Quantities from two different pint registries were mixed."""


class UnknownOptionError(InputError, TypeError):
    """An option that the method does not know; suggests the nearest valid names."""

    def __init__(self, name: str, valid, where: str):
        self.name = name
        self.valid = sorted(valid)
        self.where = where
        super().__init__(str(self))

    def __str__(self) -> str:
        close = difflib.get_close_matches(self.name, self.valid, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return (
            f"unknown option {self.name!r} for {self.where}.{hint} "
            f"Valid options: {', '.join(self.valid)}."
        )


class OptimizationError(RuntimeError):
    """Raised by ``minimize(..., throw=True)`` when the run does not succeed; holds ``result``."""

    def __init__(self, result):
        self.result = result
        super().__init__(result.message)


class UnitsWarning(UserWarning):
    """The result depends on the choice of units (e.g. bare hyperparameters were allowed)."""


def add_note(exc: BaseException, text: str) -> None:
    """Attach ``text`` to ``exc`` (shown under its traceback) where Python supports notes (3.11+)."""
    if hasattr(exc, "add_note"):
        exc.add_note(text)
