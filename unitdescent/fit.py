"""Least-squares fitting of models with units: ``fit`` and ``least_squares``.

Everything about units is settled once, before the first step: the model is evaluated at
``p0`` and must return the units of ``y``; ``sigma`` must have the units of ``y``; shapes must
agree and the data must be finite. The weighted residuals r = (y − model)/σ are then plain
dimensionless floats, every parameter is divided by a characteristic scale (|p0| or
``scales=``), and :mod:`unitdescent.lm` iterates on that unit-free vector. The same data in
other units therefore give the same physical parameters, uncertainties and evaluation count.
Results come back as Quantities: values, standard errors, and a covariance whose entry (i, j)
has units [θ_i][θ_j] (:class:`~unitdescent.fitresult.FitResult`).
"""

from __future__ import annotations

import numpy as np

from . import lm
from .errors import InputError, OptimizationError, UnitsError, UnknownOptionError
from .fitresult import COVARIANCE, CorrelationMatrix, FitResult, delta_unit
from .fitsetup import FitProblem, Model, ModelUnitsError, ResidualProblem, _dimless
from .matrix import UnitMatrix
from .units import is_quantity

__all__ = ["FitResult", "Model", "ModelUnitsError", "fit", "least_squares"]

#: Options of ``fit`` and ``least_squares`` (beyond the named arguments) and their defaults.
DEFAULTS = dict(ftol=lm.DEFAULT_FTOL, xtol=lm.DEFAULT_XTOL, gtol=lm.DEFAULT_GTOL, max_nfev=None,
                scales=None, nan_policy="raise", throw=False, fd_rel_step=lm.FD_REL_STEP)

NAN_POLICIES = ("raise", "omit")


# ---------------------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------------------
def fit(model, x, y, p0, sigma=None, *, absolute_sigma=False, bounds=None, jac=None,
        method=None, **options) -> FitResult:
    """Fit ``model(x, **params)`` to data ``y`` (with uncertainties ``sigma``), all with units.

    Parameters
    ----------
    model : callable or Model
        ``model(x, **params)`` returns a Quantity with the units of ``y`` (any compatible
        units) and ``y``'s shape. A :class:`Model` declares its units and runs on floats.
    x : Quantity, tuple of Quantities, or array
        The independent variable(s), passed to the model unchanged.
    y : Quantity (array)
        The data. Bare numbers mean dimensionless. An offset unit (degC) is allowed: values are
        converted to the absolute unit and residuals are differences (delta_degC).
    p0 : dict name -> Quantity
        The start, one entry per parameter; its units are the units of the results.
    sigma : Quantity, optional
        One standard deviation of ``y``: a scalar or ``y``'s shape, units of ``y`` (for an
        offset unit: a difference, e.g. delta_degC or K).
    absolute_sigma : bool
        False (default): the covariance is scaled by the reduced χ², as ``curve_fit`` does —
        only the relative sizes of ``sigma`` matter. True: ``sigma`` is taken as absolute.
    bounds : dict name -> (low, high), optional
        Bounds with units (a side may be None); uses the trust-region reflective method.
    jac : callable, optional
        ``jac(x, **params)`` -> dict name -> Quantity ∂model/∂θ in [y]/[θ], shape
        ``y.shape + θ.shape``. Central differences with steps relative to each parameter and
        its scale otherwise.
    method : "lm" or "trf", optional
        Levenberg–Marquardt (default without bounds) or trust-region reflective (with bounds).
    **options
        ``scales`` (dict name -> Quantity [θ]: characteristic sizes, needed for a parameter that
        starts at 0), ``nan_policy`` ("raise": non-finite data are an error naming the rows;
        "omit": drop those rows), ``ftol``, ``xtol``, ``gtol`` (dimensionless relative
        tolerances of χ², the scaled step and the gradient angle; defaults eps, 1e-9, eps),
        ``max_nfev`` (steps tried, finite differences not counted; default 1000 per
        parameter), ``fd_rel_step`` (relative finite-difference step),
        ``throw`` (raise :class:`~unitdescent.errors.OptimizationError` on failure).

    Returns
    -------
    FitResult
        ``params``, ``stderr`` (units of ``p0``), ``covariance`` ([θ_i][θ_j]), ``correlation``,
        ``chi2``, ``dof``, ``redchi``, ``residuals`` (units of ``y``), ``nfev``, ``success``, ...
    """
    opts = _options(options, "fit")
    problem = FitProblem(model, x, y, p0, sigma, jac, opts)
    return _run(problem, bounds, method, absolute_sigma, opts)


def least_squares(residuals, x0, *, jac=None, bounds=None, method=None, absolute_sigma=False,
                  **options) -> FitResult:
    """Minimize Σ r² for residuals you write yourself, with units checked once.

    Parameters
    ----------
    residuals : callable
        ``residuals(x)`` for one Quantity ``x0``, ``residuals(**params)`` for a dict; returns a
        Quantity array (or a bare array: dimensionless). Weighted residuals (divided by σ) are
        dimensionless; with units, χ² has the residuals' units squared.
    x0 : Quantity or dict of Quantities
        The start [θ]; its units are the units of the results (a plain number or array is
        dimensionless).
    jac : callable, optional
        Same call; returns dict name -> Quantity ∂r/∂θ in [r]/[θ], shape ``r.shape + θ.shape``
        (one Quantity for a single ``x0``).
    bounds, method, absolute_sigma, **options
        As in :func:`fit`. ``absolute_sigma=True`` needs dimensionless residuals.

    Returns
    -------
    FitResult
        ``.x`` has ``x0``'s structure; ``.residuals`` the residuals' units.
    """
    opts = _options(options, "least_squares")
    if opts["nan_policy"] != "raise":
        raise InputError("least_squares has no data to omit rows from; nan_policy is for fit")
    problem = ResidualProblem(residuals, x0, jac, opts)
    return _run(problem, bounds, method, absolute_sigma, opts)


# ---------------------------------------------------------------------------------------
# the one-time set-up
# ---------------------------------------------------------------------------------------


def _options(options, where):
    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise UnknownOptionError(sorted(unknown)[0], DEFAULTS, where)
    opts = {**DEFAULTS, **options}
    if opts["nan_policy"] not in NAN_POLICIES:
        raise InputError(f"nan_policy must be one of {NAN_POLICIES}, got {opts['nan_policy']!r}")
    for k in ("ftol", "xtol", "gtol", "fd_rel_step"):
        v = opts[k]
        if is_quantity(v) or not np.isscalar(v) or not (0 <= float(v) < 1) or (k == "fd_rel_step" and v == 0):
            raise InputError(f"{k} is a dimensionless relative tolerance between 0 and 1, got {v!r}")
        if k == "xtol" and float(v) < lm.EPS:
            raise InputError(f"{k}={v!r} is below machine epsilon ({lm.EPS:.3g}); the default "
                             f"already stops only when no further progress is possible")
    return opts


# ---------------------------------------------------------------------------------------
# solve and build the result
# ---------------------------------------------------------------------------------------
def _run(problem, bounds, method, absolute_sigma, opts) -> FitResult:
    sp = problem.space
    if not isinstance(absolute_sigma, (bool, np.bool_)):
        raise InputError(f"absolute_sigma must be True or False, got {absolute_sigma!r}")
    zb = problem.bounds_z(bounds)
    if method is None:
        method = "trf" if zb is not None else "lm"
    if method not in lm.METHODS:
        raise InputError(f"method must be 'lm' (Levenberg–Marquardt) or 'trf' (trust-region "
                         f"reflective, for bounds), got {method!r}")
    if method == "lm" and zb is not None:
        raise InputError("method='lm' cannot take bounds; use method='trf' (the default with bounds)")
    if problem.m < sp.size and method == "lm":
        raise InputError(f"{problem.m} data points cannot determine {sp.size} parameters with "
                         f"Levenberg–Marquardt; give more data (or method='trf')")
    if absolute_sigma and problem.resid_unit is not None and not problem.resid_unit.dimensionless:
        raise UnitsError(what="absolute_sigma=True", expected=_dimless(problem.registry),
                         got=problem.resid_unit,
                         detail="absolute σ means the residuals are already divided by σ, so they "
                                "are dimensionless.",
                         fix="divide the residuals by their uncertainties, or use absolute_sigma=False")
    z0 = problem.theta0 / problem.scale
    max_nfev = opts["max_nfev"] if opts["max_nfev"] is not None else 1000 * sp.size
    sol = lm.solve(problem.residuals_z, z0, jac=problem.jac_z if problem.has_jac else None,
                   method=method, lb=None if zb is None else zb[0], ub=None if zb is None else zb[1],
                   ftol=opts["ftol"], xtol=opts["xtol"], gtol=opts["gtol"], max_nfev=max_nfev,
                   rel_step=opts["fd_rel_step"], magnitude=problem.magnitude)
    theta = sol.z * problem.scale
    result = _result(problem, sol, theta, method, absolute_sigma)
    if opts["throw"] and not result.success:
        raise OptimizationError(result)
    return result


def _result(problem, sol, theta, method, absolute_sigma) -> FitResult:
    sp, reg = problem.space, problem.registry
    n, m = sp.size, problem.m
    r = sol.r
    chi2 = float(r @ r)
    dof = m - n
    # covariance in scaled coordinates (unit-free, well conditioned), pseudo-inverse as curve_fit
    J = sol.J
    _, s, vt = np.linalg.svd(J, full_matrices=False)
    keep = s > lm.EPS * max(J.shape) * (s[0] if s.size else 0.0)
    s, vt = s[keep], vt[keep]
    cov_z = (vt.T / s ** 2) @ vt
    if not absolute_sigma:  # no degrees of freedom left: the scatter, hence σ, is unknown
        cov_z = cov_z * (chi2 / dof) if dof > 0 else np.full_like(cov_z, np.inf)
    cov = cov_z * np.outer(problem.scale, problem.scale)
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(sd, sd)
    space = sp
    user = problem.user_units
    params, stderr = {}, {}
    mags = sp.magnitudes(theta)
    sds = sp.magnitudes(sd)
    for spec in sp.specs:
        q = reg.Quantity(np.array(mags[spec.name], dtype=float) if spec.shape else float(mags[spec.name]),
                         spec.unit)
        e = reg.Quantity(np.array(sds[spec.name], dtype=float) if spec.shape else float(sds[spec.name]),
                         spec.unit)
        u = user[spec.name]
        params[spec.name] = q.to(u) if u != spec.unit else q
        du = delta_unit(u)
        stderr[spec.name] = e.to(du) if du != spec.unit else e
    resid_unit = problem.resid_unit
    if resid_unit is not None and not resid_unit.dimensionless:
        chi2_out = reg.Quantity(chi2, resid_unit ** 2)
        redchi = reg.Quantity(chi2 / dof if dof > 0 else np.inf, resid_unit ** 2)
    else:
        chi2_out = chi2
        redchi = chi2 / dof if dof > 0 else np.inf
    with np.errstate(all="ignore"):
        residuals = problem.residuals_out(theta)
    return FitResult(
        params=params, stderr=stderr,
        covariance=UnitMatrix(cov, space, COVARIANCE, _dimless(reg)),
        correlation=CorrelationMatrix(corr, space),
        chi2=chi2_out, dof=dof, redchi=redchi, residuals=residuals,
        nfev=sol.nfev, njev=sol.njev, success=sol.success, status=sol.status, message=sol.message,
        method=method, absolute_sigma=bool(absolute_sigma), name=problem.name,
        extra={"single": problem.single, "scale": problem.scale.copy(), "theta": theta},
    )
