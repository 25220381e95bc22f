"""Unit signatures as data: the units of a quantity in terms of [θ] and [L].

Write [θ] for the units of a parameter (group) and [L] for the units of the loss. Every
hyperparameter of every update rule declares its units as a :class:`Dim` — exponents of [θ]
and [L] — and a full matrix (preconditioner, metric, Hessian) as a :class:`MatrixDim`, whose
entry (i, j) has units [θ_i]^row [θ_j]^col [L]^loss. The engine's set-up check, ``lr_units``,
the config linter and ``explain`` all read these declarations: one source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

_SUPERSCRIPT = str.maketrans("-0123456789/", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹ᐟ")


def _exp(value):
    value = Fraction(value)
    return int(value) if value.denominator == 1 else float(value)


def _product(like, *factors):
    """Π unit**exponent, skipping zero exponents (so J·cm⁰ does not stay a different unit
    from J·ms⁰); the empty product is ``like``'s dimensionless unit."""
    out = None
    for unit, exponent in factors:
        if exponent:
            term = unit ** _exp(exponent)
            out = term if out is None else out * term
    return out if out is not None else like._REGISTRY.dimensionless


def _power(symbol: str, exponent: Fraction) -> str:
    if exponent == 1:
        return symbol
    return symbol + str(exponent).translate(_SUPERSCRIPT)


@dataclass(frozen=True)
class Dim:
    """Units [θ]^theta · [L]^loss.

    >>> str(SGD_LR)
    '[θ]²/[L]'
    """

    theta: Fraction = Fraction(0)
    loss: Fraction = Fraction(0)

    def __post_init__(self):
        object.__setattr__(self, "theta", Fraction(self.theta))
        object.__setattr__(self, "loss", Fraction(self.loss))

    def unit(self, theta_unit, loss_unit):
        """The pint Unit this signature gives for parameter units ``theta_unit``, loss ``loss_unit``."""
        return _product(loss_unit, (theta_unit, self.theta), (loss_unit, self.loss))

    @property
    def dimensionless(self) -> bool:
        return self.theta == 0 and self.loss == 0

    def __mul__(self, other: Dim) -> Dim:
        return Dim(self.theta + other.theta, self.loss + other.loss)

    def __truediv__(self, other: Dim) -> Dim:
        return Dim(self.theta - other.theta, self.loss - other.loss)

    def __pow__(self, k) -> Dim:
        return Dim(self.theta * Fraction(k), self.loss * Fraction(k))

    def __str__(self) -> str:
        num = [_power(s, e) for s, e in (("[θ]", self.theta), ("[L]", self.loss)) if e > 0]
        den = [_power(s, -e) for s, e in (("[θ]", self.theta), ("[L]", self.loss)) if e < 0]
        if not num and not den:
            return "dimensionless"
        top = "·".join(num) if num else "1"
        return top + ("/" + "·".join(den) if den else "")


@dataclass(frozen=True)
class MatrixDim:
    """Entry (i, j) has units [θ_i]^row · [θ_j]^col · [L]^loss."""

    row: Fraction = Fraction(0)
    col: Fraction = Fraction(0)
    loss: Fraction = Fraction(0)

    def __post_init__(self):
        for name in ("row", "col", "loss"):
            object.__setattr__(self, name, Fraction(getattr(self, name)))

    def unit(self, row_unit, col_unit, loss_unit):
        """The pint Unit of the block for parameters with units ``row_unit``, ``col_unit``."""
        return _product(loss_unit, (row_unit, self.row), (col_unit, self.col), (loss_unit, self.loss))

    def diagonal(self) -> Dim:
        """The signature of a diagonal entry (i = j)."""
        return Dim(self.row + self.col, self.loss)

    def inverse(self) -> MatrixDim:
        return MatrixDim(-self.col, -self.row, -self.loss)

    def __str__(self) -> str:
        parts = []
        for sym, e in (("[θ_i]", self.row), ("[θ_j]", self.col)):
            if e:
                parts.append(_power(sym, e))
        text = "·".join(p for p in parts) or "1"
        return text + ("·" + _power("[L]", self.loss) if self.loss else "")


DIMENSIONLESS = Dim(0, 0)
PARAM = Dim(1, 0)  # [θ]: a step, an Adam-style lr, a characteristic scale
LOSS = Dim(0, 1)  # [L]: a loss change tolerance, a loss scale
GRADIENT = Dim(-1, 1)  # [L]/[θ]: a gradient, Adam's eps
CURVATURE = Dim(-2, 1)  # [L]/[θ]²: a Hessian diagonal, an L2 penalty
SGD_LR = Dim(2, -1)  # [θ]²/[L]: the learning rate of gradient descent
HESSIAN = MatrixDim(-1, -1, 1)  # [L]/([θ_i][θ_j]); a metric has the same units
PRECONDITIONER = MatrixDim(1, 1, -1)  # [θ_i][θ_j]/[L]: an inverse Hessian, BFGS's H₀
