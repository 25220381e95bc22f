"""Reading values of a config: bare numbers and unit strings, parsed by pint's parser only.

A unit string is first screened — bounded length and nesting, a small character set, no text
that looks like code, no huge powers — and then handed to pint (``parse_units`` for the units
after a leading number, pint's expression parser otherwise). Nothing is ever evaluated by
Python. Results are cached: configs repeat the same strings.
"""

from __future__ import annotations

import math
import numbers
import re
from functools import lru_cache

from ..units import ureg

MAX_CHARS = 120
MAX_PARENS = 6
_ALLOWED = re.compile(r"^[\w\s.+\-*/^()%°µμΩÅ]*$")
_CODE = re.compile(r"__|[\[\]{};=\"'`$@!&|<>\\]|\b(?:lambda|import|exec|eval|open|os|sys)\b")
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?:\*\s*)?(.*?)\s*$")
_POWER = re.compile(r"(\*\*|\^)\s*\(?\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?)")
_CHAINED_POWER = re.compile(r"(\*\*|\^)\s*[-+(]*\s*[\w.]+\s*\)?\s*(\*\*|\^)")


class ValueProblem(ValueError):
    """A value that cannot be read; ``code`` is the lint rule (UD001 units, UD006 value)."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def screen(text: str, what: str = "value") -> None:
    """Reject unit text that is too long, nested, code-like, or raises huge powers."""
    if len(text) > MAX_CHARS:
        raise ValueProblem("UD001", f"{what}: unit text of {len(text)} characters is too long "
                                    f"(the limit is {MAX_CHARS})")
    if _CODE.search(text) or not _ALLOWED.match(text):
        raise ValueProblem("UD001", f"{what}: {_short(text)} looks like code, not units; only "
                                    f"pint unit expressions such as '1e-3 m**2/J' are read")
    depth = 0
    for c in text:
        depth += c == "("
        depth -= c == ")"
        if depth > MAX_PARENS:
            raise ValueProblem("UD001", f"{what}: parentheses nested too deeply in "
                                        f"{_short(text)}")
    if _CHAINED_POWER.search(text):
        raise ValueProblem("UD001", f"{what}: chained powers in {_short(text)} are not read; "
                                    f"write one exponent")
    for m in _POWER.finditer(text):
        try:
            big = abs(float(m.group(2))) > 12
        except ValueError:
            big = True
        if big:
            raise ValueProblem("UD001", f"{what}: the exponent {m.group(2)} in {_short(text)} is "
                                        f"not a plausible unit power")


@lru_cache(maxsize=4096)
def parse_quantity(text: str):
    """``(magnitude, unit)`` of unit text; ``unit`` is None for a plain number.

    Raises :class:`ValueProblem` (UD001) when pint cannot read it.
    """
    screen(text)
    m = _NUMBER.match(text)
    try:
        if m and not m.group(2).startswith("/"):
            number, rest = float(m.group(1)), m.group(2)
            if not rest:
                return number, None
            return number, parse_unit_text(rest)
        q = ureg.Quantity(text)
    except ValueProblem:
        raise
    except Exception as exc:  # pint raises several kinds for malformed text
        raise ValueProblem("UD001", f"cannot read {_short(text)} as units ({_pint_reason(exc)})"
                           ) from None
    mag = q.magnitude if hasattr(q, "magnitude") else q
    if not isinstance(mag, numbers.Real):
        raise ValueProblem("UD001", f"{_short(text)} is not a number with units")
    unit = getattr(q, "units", None)
    if unit is not None and unit.dimensionless and str(unit) == "dimensionless":
        unit = None
    return float(mag), unit


@lru_cache(maxsize=1024)
def parse_unit_text(text: str):
    """A pint Unit from unit text (no number); raises :class:`ValueProblem`."""
    screen(text)
    text = text.strip()
    if text in ("", "1", "dimensionless"):
        return ureg.dimensionless
    try:
        return ureg.Unit(ureg.parse_units(text))
    except Exception as exc:
        raise ValueProblem("UD001", f"cannot read {_short(text)} as units ({_pint_reason(exc)})"
                           ) from None


def read_number(value):
    """``(magnitude, unit or None, text or None)`` of a config value; raises ValueProblem."""
    if isinstance(value, bool) or value is None:
        raise ValueProblem("UD006", f"expected a number or a unit string, got {value!r}")
    if isinstance(value, numbers.Real):
        mag, unit, text = float(value), None, None
    elif isinstance(value, str):
        mag, unit = parse_quantity(value)
        text = value
    else:
        raise ValueProblem("UD006", f"expected a number or a unit string, got "
                                    f"{type(value).__name__} {_short(repr(value))}")
    if not math.isfinite(mag):
        raise ValueProblem("UD006", f"{_short(str(value))} is not finite")
    return mag, unit, text


def _pint_reason(exc) -> str:
    names = getattr(exc, "unit_names", None)
    if names:
        names = names if isinstance(names, str) else ", ".join(map(str, names))
        return f"unknown unit {names!r}"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return _short(text, 80)


def _short(text: str, n: int = 40) -> str:
    text = str(text)
    return repr(text if len(text) <= n else text[:n] + "…")
