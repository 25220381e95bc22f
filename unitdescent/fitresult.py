"""The record a fit returns: parameters, uncertainties and covariance with units.

The covariance of parameters with mixed units cannot be one pint array: entry (i, j) has units
[θ_i][θ_j]. It is a :class:`~unitdescent.matrix.UnitMatrix` with signature ``MatrixDim(1, 1, 0)``
(``res.covariance["k", "E"]`` is a Quantity in 1/s·J/mol); the correlation matrix is
dimensionless (``MatrixDim(0, 0, 0)``). :meth:`FitResult.to_dict` / :meth:`FitResult.from_dict`
round-trip everything through JSON, units written as strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .dims import MatrixDim
from .errors import InputError
from .matrix import UnitMatrix
from .space import ParamSpace, ParamSpec
from .units import default_registry, fmt, is_multiplicative, is_quantity

#: Entry (i, j) of a covariance has units [θ_i][θ_j].
COVARIANCE = MatrixDim(1, 1, 0)
#: A correlation matrix is dimensionless.
CORRELATION = MatrixDim(0, 0, 0)


def delta_unit(unit):
    """The unit of a *difference* of two values in ``unit``: delta_degC for degC, else ``unit``.

    Uncertainties and residuals are differences; an offset unit's zero would make them wrong.
    """
    if is_multiplicative(unit):
        return unit
    q = unit._REGISTRY.Quantity
    return (q(1.0, unit) - q(0.0, unit)).units


class CorrelationMatrix(UnitMatrix):
    """A dimensionless :class:`UnitMatrix`: ``corr["a", "b"]`` is a plain-number Quantity."""

    def __init__(self, values, space, mdim=CORRELATION, loss_unit=None):
        super().__init__(values, space, CORRELATION, loss_unit or space.registry.dimensionless)

    def block_unit(self, a: str, b: str):
        return self.space.registry.dimensionless


@dataclass(frozen=True)
class FitResult:
    """The outcome of :func:`unitdescent.fit` or :func:`unitdescent.least_squares`.

    Attributes
    ----------
    params : dict name -> Quantity
        Best-fit values in the units of ``p0``.
    stderr : dict name -> Quantity
        Standard errors, same units (a temperature in degC gets its error in delta_degC).
    covariance : UnitMatrix
        Entry (i, j) in [θ_i][θ_j]; ``covariance["a", "b"]`` is a Quantity.
    correlation : CorrelationMatrix
        Dimensionless (a :class:`UnitMatrix`); ``correlation.values`` is the plain (n, n) array.
    chi2 : float or Quantity
        Σ r² of the (weighted) residuals; dimensionless for ``fit``.
    dof : int
        Degrees of freedom, data points − parameters.
    redchi : float or Quantity
        chi2 / dof.
    residuals : Quantity
        ``fit``: y − model, units of y. ``least_squares``: the residuals as returned.
    nfev, njev : int
        Model (residual) evaluations, finite differences included; Jacobian evaluations.
    success : bool
    status : int
        scipy's least-squares status (0: max_nfev reached, 1–4: converged).
    message : str
    method : str
        "lm" (Levenberg–Marquardt) or "trf" (trust-region reflective, with bounds).
    absolute_sigma : bool
        True: σ taken as absolute (covariance not rescaled); False: rescaled by redchi, as
        scipy's ``curve_fit`` does.
    name : str
        The model's (or residual function's) name.
    """

    params: dict
    stderr: dict
    covariance: UnitMatrix
    correlation: UnitMatrix
    chi2: Any
    dof: int
    redchi: Any
    residuals: Any
    nfev: int
    njev: int
    success: bool
    status: int
    message: str
    method: str = "lm"
    absolute_sigma: bool = False
    name: str = "model"
    extra: dict = field(default_factory=dict, repr=False, compare=False)

    # -- convenience ---------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return list(self.params)

    @property
    def x(self):
        """``x0``'s structure: one Quantity when ``least_squares`` got one, else the dict."""
        if self.extra.get("single"):
            return self.params[ParamSpace.SINGLE]
        return self.params

    def covariance_of(self, a: str, b: str):
        """Covariance of parameters ``a`` and ``b`` as a Quantity in [a][b]."""
        return self.covariance[a, b]

    # -- text ----------------------------------------------------------------------------
    def summary(self, min_correlation: float = 0.1) -> str:
        """A readable table: value ± stderr with units, χ², and correlations above ``min_correlation``."""
        state = "success" if self.success else "FAILED"
        method = {"lm": "Levenberg–Marquardt", "trf": "trust-region reflective"}.get(self.method, self.method)
        lines = [f"Fit of {self.name!r} ({method}): {state} — {self.message}",
                 f"  χ² = {_num(self.chi2)}   dof = {self.dof}   reduced χ² = {_num(self.redchi)}"
                 f"   nfev = {self.nfev}"]
        width = max([9] + [len(n) for n in self.params])
        lines.append(f"  {'parameter':<{width}}  {'value':>13}     {'stderr':<11} {'rel.':>9}  unit")
        for name, q in self.params.items():
            err = self.stderr[name]
            vals = np.atleast_1d(q.magnitude)
            errs = np.atleast_1d(err.magnitude)
            for k, (v, e) in enumerate(zip(vals.ravel(), errs.ravel())):
                label = name if vals.size == 1 else f"{name}[{k}]"
                rel = f"{abs(e / v) * 100:8.3g}%" if v != 0 and np.isfinite(e) else f"{'—':>9}"
                lines.append(f"  {label:<{width}}  {v:>13.7g}  ±  {e:<11.4g} {rel}  {fmt(q.units)}")
        corr = self.correlation.values
        labels = _labels(self.correlation.space)
        pairs = [(labels[i], labels[j], corr[i, j]) for i in range(len(labels))
                 for j in range(i + 1, len(labels)) if abs(corr[i, j]) >= min_correlation]
        if pairs:
            lines.append(f"  correlations (|r| ≥ {min_correlation:g}):")
            lines.extend(f"    {a}, {b}: {c:+.4f}" for a, b, c in pairs)
        lines.append("  covariance " + ("from absolute σ (absolute_sigma=True)" if self.absolute_sigma
                                        else "scaled by reduced χ² (absolute_sigma=False)"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "FitResult(\n" + self.summary() + "\n)"

    # -- JSON ----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain Python data for strict JSON: numbers, lists, units as strings.

        Non-finite numbers (an infinite reduced χ² with no degrees of freedom, say) are
        written as the strings "inf", "-inf", "nan", which :meth:`from_dict` reads back.
        """
        space = self.covariance.space
        return _strict({
            "name": self.name,
            "method": self.method,
            "params": {n: _qdict(q) for n, q in self.params.items()},
            "stderr": {n: _qdict(q) for n, q in self.stderr.items()},
            "working_units": {s.name: _ustr(s.unit) for s in space.specs},
            "covariance": self.covariance.values.tolist(),
            "correlation": self.correlation.values.tolist(),
            "chi2": _qdict(self.chi2) if is_quantity(self.chi2) else float(self.chi2),
            "redchi": _qdict(self.redchi) if is_quantity(self.redchi) else float(self.redchi),
            "dof": int(self.dof),
            "residuals": _qdict(self.residuals),
            "nfev": int(self.nfev),
            "njev": int(self.njev),
            "success": bool(self.success),
            "status": int(self.status),
            "message": self.message,
            "absolute_sigma": bool(self.absolute_sigma),
            "single": bool(self.extra.get("single", False)),
        })

    @classmethod
    def from_dict(cls, data: dict, registry=None) -> FitResult:
        """Rebuild a result written by :meth:`to_dict` (units parsed with ``registry``)."""
        reg = registry or default_registry()
        try:
            params = {n: _qload(d, reg) for n, d in data["params"].items()}
            stderr = {n: _qload(d, reg) for n, d in data["stderr"].items()}
            specs, start = [], 0
            for n, q in params.items():
                shape = tuple(np.shape(q.magnitude))
                size = int(np.prod(shape)) if shape else 1
                specs.append(ParamSpec(n, shape, reg.Unit(data["working_units"][n]), start, start + size))
                start += size
            space = ParamSpace(specs, bool(data.get("single", False)), reg)
            cov = UnitMatrix(np.array(data["covariance"], dtype=float).reshape(start, start), space,
                             COVARIANCE, reg.dimensionless)
            corr = CorrelationMatrix(np.array(data["correlation"], dtype=float).reshape(start, start),
                                     space)
            chi2 = _qload(data["chi2"], reg) if isinstance(data["chi2"], dict) else float(data["chi2"])
            redchi = _qload(data["redchi"], reg) if isinstance(data["redchi"], dict) else float(data["redchi"])
            return cls(params=params, stderr=stderr, covariance=cov, correlation=corr, chi2=chi2,
                       dof=int(data["dof"]), redchi=redchi, residuals=_qload(data["residuals"], reg),
                       nfev=int(data["nfev"]), njev=int(data["njev"]), success=bool(data["success"]),
                       status=int(data["status"]), message=str(data["message"]),
                       method=str(data["method"]), absolute_sigma=bool(data["absolute_sigma"]),
                       name=str(data["name"]), extra={"single": bool(data.get("single", False))})
        except KeyError as exc:
            raise InputError(f"FitResult.from_dict: missing field {exc.args[0]!r}; pass what "
                             f"FitResult.to_dict() wrote") from None


def _ustr(unit) -> str:
    return "{:D}".format(unit)


def _strict(data):
    """Replace non-finite floats, which strict JSON cannot hold, by their names."""
    if isinstance(data, dict):
        return {k: _strict(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_strict(v) for v in data]
    if isinstance(data, float) and not np.isfinite(data):
        return str(data)  # 'inf', '-inf', 'nan': float() and np.array(dtype=float) read them
    return data


def _qdict(q) -> dict:
    m = q.magnitude
    value = np.asarray(m, dtype=float).tolist() if np.ndim(m) else float(m)
    return {"value": value, "unit": _ustr(q.units)}


def _qload(d, reg):
    v = d["value"]
    return reg.Quantity(np.array(v, dtype=float) if isinstance(v, list) else float(v), d["unit"])


def _num(v) -> str:
    if is_quantity(v):
        return f"{v.magnitude:.6g} {fmt(v.units)}"
    return f"{v:.6g}"


def _labels(space) -> list[str]:
    out = []
    for s in space.specs:
        out.extend([s.name] if s.size == 1 and s.shape == () else [f"{s.name}[{k}]" for k in range(s.size)])
    return out
