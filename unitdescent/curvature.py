"""Hessians with units, characteristic scales and learning rates suggested by curvature.

Entry (i, j) of a Hessian has units [L]/([θ_i][θ_j]). From its diagonal come the
*characteristic scales* L_i = √(ℓ/|H_ii|) — in the units of θ_i, the distance over which the
curvature changes the loss by about ℓ (a loss scale, [L]) — and the learning rates of gradient
descent, η_i ≈ 1/H_ii in [θ_i]²/[L]. Every function here compiles the loss exactly as
``minimize`` does (:meth:`Objective.compile`), so units are checked the same way, once.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np

from .derivatives import (
    check_finite_matrix,
    hessian_diagonal,
    hessian_values,
    hutchinson_diagonal,
    hvp_values,
    jacobi_radius,
)
from .dims import CURVATURE, HESSIAN, LOSS, PARAM, SGD_LR
from .errors import InputError
from .hyper import resolve
from .matrix import UnitMatrix
from .objective import as_objective
from .signatures import hyper_dim
from .units import fmt

#: a direction is *flat* when its curvature over one typical scale, |H_ii|·s_i², is below
#: FLAT_REL times the largest of max_j |H_jj|·s_j², the loss scale ℓ and |f(x)|
FLAT_REL = 1e-7
#: default safety factors of suggest_lr, per kind of learning rate
SAFETY = {"sgd": 0.5, "adam": 0.1}


class CurvatureWarning(UserWarning):
    """A note about curvature: a flat direction (infinite scale) or negative curvature."""


def _compile(fun, x, jac, hess, scales, loss_units):
    return as_objective(fun, jac, hess).compile(x, loss_units=loss_units, scales=scales)


def _out(problem, vec, dim):
    """A flat vector with entry units ``dim`` ([θ]^a[L]^b) as ``x``'s structure, user's units."""
    sp, lu = problem.space, problem.loss_unit
    q = sp.vector_to_structure(np.asarray(vec, dtype=float), lambda s: dim.unit(s.unit, lu))
    items = {sp.SINGLE: q} if sp.single else q
    out = {}
    for s in sp.specs:
        user = dim.unit(problem.user_units[s.name], lu)
        out[s.name] = items[s.name].to(user) if problem.user_units[s.name] != s.unit else items[s.name]
    return out[sp.SINGLE] if sp.single else out


# -- Hessians --------------------------------------------------------------------------------
def hessian(fun, x, jac=None, hess=None, method: str = "auto", *, scales=None,
            loss_units=None) -> UnitMatrix:
    """The Hessian of ``fun`` at ``x``, entry (i, j) in [L]/([θ_i][θ_j]), symmetrised.

    Parameters
    ----------
    fun : callable or Objective
        The loss, called like ``minimize`` calls it ([L]).
    x : Quantity or dict of Quantities
        The point ([θ]).
    jac, hess : callable, optional
        Gradient [L]/[θ_i] and Hessian [L]/([θ_i][θ_j]); ``hess``'s units are checked on the
        first call.
    method : str
        "auto" (``hess`` if given, else "fd"); "hess"; "fd" (central differences of the
        gradient when ``jac`` is given, second differences of the loss otherwise — relative
        steps, in each parameter's units); "fd-grad"; "fd-loss"; "hvp" (one Hessian-vector
        product per column).
    scales : Quantity or dict, optional
        Typical sizes [θ] for the relative finite-difference steps (needed where x is 0).
    loss_units : unit, optional
        Checked against the loss.

    Returns
    -------
    UnitMatrix
        ``H["a", "b"]`` is a Quantity block; ``H.magnitude(units=..., loss=...)`` a plain
        matrix in chosen units; for a single parameter ``H.quantity`` is one Quantity.

    Raises
    ------
    InputError
        When the Hessian has a non-finite entry (the message names the block).
    """
    problem = _compile(fun, x, jac, hess, scales, loss_units)
    values = hessian_values(problem, problem.x0, method)
    err = check_finite_matrix(values, problem.space)
    if err:
        raise InputError(err)
    return UnitMatrix(values, problem.space, HESSIAN, problem.loss_unit)


def hvp(fun, x, v, jac=None, hess=None, *, scales=None, loss_units=None):
    """The Hessian-vector product H·v at ``x``, without forming H.

    Parameters
    ----------
    fun, x, jac, hess, scales, loss_units
        As for :func:`hessian`.
    v : Quantity or dict of Quantities
        A displacement, with the units of the parameters ([θ_i]).

    Returns
    -------
    ``x``'s structure, entry i in [L]/[θ_i] (the units of a gradient). Exact with ``hess``;
    otherwise a central difference of the gradient along v with a relative step.
    """
    problem = _compile(fun, x, jac, hess, scales, loss_units)
    vec = resolve("v", v, PARAM, problem.space, problem.loss_unit)
    vec = np.broadcast_to(np.asarray(vec, dtype=float), (problem.space.size,))
    return problem.grad_out(hvp_values(problem, problem.x0, vec))


# -- characteristic scales ------------------------------------------------------------------
class CurvatureInfo(NamedTuple):
    """What :func:`characteristic_scales` measured (``full_output=True``).

    curvature : ``x``'s structure, H_ii in [L]/[θ_i]²; loss_scale : Quantity ℓ [L];
    negative, flat : ``x``'s structure of booleans; notes : list of str.
    """

    curvature: Any
    loss_scale: Any
    negative: Any
    flat: Any
    notes: list


class PrincipalAxes(NamedTuple):
    """The principal axes of the Hessian in scaled coordinates u_i = θ_i/s_i.

    lengths : ndarray, L_k = √(ℓ/|λ_k|) in units of the scales (dimensionless), sorted from the
        stiffest axis to the softest; axes : list of ``x``'s structure, the semi-axis vectors
        L_k·S·v_k with the units of the parameters (moving by axes[k] changes the loss by about
        ℓ/2 through curvature); eigenvalues : Quantity array λ_k [L] of Ĥ = S·H·S;
        negative, flat : boolean arrays; scales : ``x``'s structure, the s_i used; notes.
    """

    lengths: np.ndarray
    axes: list
    eigenvalues: Any
    negative: np.ndarray
    flat: np.ndarray
    scales: Any
    notes: list


def _loss_scale(problem, loss_scale, fx):
    reg, lu = problem.registry, problem.loss_unit
    if loss_scale is not None:
        ell = resolve("loss_scale", loss_scale, LOSS, problem.space, lu, allow_array=False)
        if not ell > 0:
            raise InputError(f"loss_scale must be positive, got {ell}")
        return float(ell), ""
    if lu.dimensionality == reg.dimensionless.dimensionality:
        return 1.0, ""
    ell = abs(fx)
    if ell == 0 or fx < 0:
        why = ("is 0, so every scale would be 0" if ell == 0 else
               "is negative, which suggests an arbitrary offset (an energy zero) that says "
               "nothing about how the loss varies")
        note = (f"loss_scale was not given and the loss has units ({fmt(lu)}); the default "
                f"ℓ = |f(x)| = {ell:.6g} {fmt(lu)}: the loss at x {why}. Pass loss_scale= a "
                f"loss change that matters to you, in {fmt(lu)}")
        if ell == 0:
            raise InputError(note)
        return ell, note
    return ell, ""


def _classify(curv, s, ell, fx):
    scaled = np.abs(curv) * s * s  # [L]: curvature over one typical scale
    ref = max(float(np.max(scaled)) if scaled.size else 0.0, ell, abs(fx))
    flat = scaled <= FLAT_REL * ref
    negative = (curv < 0) & ~flat
    return flat, negative


def characteristic_scales(fun, x, loss_scale=None, method: str = "diagonal", *, jac=None,
                          hess=None, scales=None, loss_units=None, probes: int = 8,
                          seed: int = 0, full_output: bool = False):
    """Characteristic scales L_i = √(ℓ/|H_ii|), in the units of each parameter.

    L_i is the distance in θ_i over which the curvature changes the loss by about ℓ:
    H_ii·L_i² = ℓ. For L = Σ((x_i − c_i)/s_i)² (dimensionless), H_ii = 2/s_i² and L_i = s_i/√2.

    Parameters
    ----------
    fun, x, jac, hess, scales, loss_units
        As for :func:`hessian`.
    loss_scale : Quantity [L], optional
        ℓ. Default: 1 for a dimensionless loss; for a loss with units, |f(x)| — right when the
        loss has a natural zero (sums of squares, χ²); poor when it has an arbitrary offset.
        A :class:`CurvatureWarning` is issued when f(x) < 0 (an offset is likely);
        f(x) = 0 is an :class:`InputError` (give ``loss_scale``).
    method : str
        "diagonal" — the Hessian's diagonal (``hess``, gradient differences with ``jac``, or
        2n + 1 loss evaluations); "principal" — the eigen-decomposition of the Hessian in
        scaled coordinates, returning a :class:`PrincipalAxes`; "hvp" — a cheap estimate for
        large problems from ``probes`` Hessian-vector products (Hutchinson's estimator in
        scaled coordinates, seeded by ``seed``; exact for separable losses).
    full_output : bool
        Also return a :class:`CurvatureInfo` (diagonal and hvp methods).

    Returns
    -------
    ``x``'s structure with entries in the units of the parameters (``inf`` for a flat
    direction), or a :class:`PrincipalAxes` for method="principal". Flat directions and
    negative curvature (reported as the length over which the loss *falls* by ℓ) give a
    :class:`CurvatureWarning` naming the parameter.
    """
    problem = _compile(fun, x, jac, hess, scales, loss_units)
    x0, fx, sp = problem.x0, problem.f0, problem.space
    ell, note = _loss_scale(problem, loss_scale, fx)
    notes = [note] if note else []
    s = problem.typical
    if method == "principal":
        return _principal(problem, ell, notes)
    if method == "diagonal":
        curv = hessian_diagonal(problem, x0)
    elif method == "hvp":
        curv = hutchinson_diagonal(problem, x0, probes=probes, seed=seed)
    else:
        raise InputError(f"unknown method {method!r} for characteristic_scales; use 'diagonal', "
                         f"'principal' or 'hvp'")
    if not np.all(np.isfinite(curv)):
        raise InputError(check_finite_matrix(np.diag(curv), sp, "the Hessian's diagonal"))
    flat, negative = _classify(curv, s, ell, fx)
    with np.errstate(divide="ignore"):
        length = np.where(flat, np.inf, np.sqrt(ell / np.where(flat, 1.0, np.abs(curv))))
    notes += _notes(sp, flat, negative)
    for n in notes:
        warnings.warn(n, CurvatureWarning, stacklevel=2)
    out = _out(problem, length, PARAM)
    if not full_output:
        return out
    bools = {spec.name: (flat[spec.slice], negative[spec.slice]) for spec in sp.specs}

    def shaped(k):
        d = {n: (b[k].reshape(sp.by_name[n].shape) if sp.by_name[n].shape else bool(b[k][0]))
             for n, b in bools.items()}
        return d[sp.SINGLE] if sp.single else d

    info = CurvatureInfo(curvature=_out(problem, curv, CURVATURE),
                         loss_scale=problem.registry.Quantity(ell, problem.loss_unit),
                         negative=shaped(1), flat=shaped(0), notes=notes)
    return out, info


def _notes(sp, flat, negative):
    notes = []
    for spec in sp.specs:
        where = sp.label(spec.name)
        if flat[spec.slice].any():
            notes.append(f"{where}: the loss is flat along it (no measurable curvature), so its "
                         f"characteristic scale is inf; curvature gives no length here — use a "
                         f"scale you know (scales=...)")
        if negative[spec.slice].any():
            notes.append(f"{where}: negative curvature (H_ii < 0) — the loss falls as it moves; "
                         f"the scale reported is the distance over which it falls by ℓ")
    return notes


def _principal(problem, ell, notes):
    sp, s = problem.space, problem.typical
    H = hessian_values(problem, problem.x0, "auto")
    err = check_finite_matrix(H, sp)
    if err:
        raise InputError(err)
    hs = s[:, None] * H * s[None, :]
    lam, vec = np.linalg.eigh(0.5 * (hs + hs.T))
    order = np.argsort(-np.abs(lam))
    lam, vec = lam[order], vec[:, order]
    ref = max(float(np.max(np.abs(lam))) if lam.size else 0.0, ell, abs(problem.f0))
    flat = np.abs(lam) <= FLAT_REL * ref
    negative = (lam < 0) & ~flat
    with np.errstate(divide="ignore"):
        lengths = np.where(flat, np.inf, np.sqrt(ell / np.where(flat, 1.0, np.abs(lam))))
    axes = []
    for k in range(lam.size):
        v = vec[:, k] * (-1.0 if vec[np.argmax(np.abs(vec[:, k])), k] < 0 else 1.0)
        axes.append(_out(problem, s * v * (lengths[k] if np.isfinite(lengths[k]) else 1.0), PARAM))
    if flat.any():
        notes.append(f"{int(flat.sum())} principal axis/axes are flat (no measurable curvature): "
                     f"length inf; the axis vector given is the direction, one scale long")
    if negative.any():
        notes.append(f"{int(negative.sum())} principal axis/axes have negative curvature: the "
                     f"loss falls along them (x is not at a minimum)")
    for n in notes:
        warnings.warn(n, CurvatureWarning, stacklevel=3)
    return PrincipalAxes(lengths=lengths, axes=axes,
                         eigenvalues=problem.registry.Quantity(lam, problem.loss_unit),
                         negative=negative, flat=flat, scales=_out(problem, s, PARAM), notes=notes)


# -- learning rates ---------------------------------------------------------------------------
def suggest_lr(fun, x, rule: str = "sgd", safety: float | None = None, *, method: str = "hessian",
               loss_scale=None, jac=None, hess=None, scales=None, loss_units=None,
               probes: int = 8, seed: int = 0):
    """Per-parameter learning rates from the curvature at ``x``, ready for ``minimize(lr=...)``.

    * SGD-type rules ("sgd", "gd", "momentum", "nesterov"; lr in [θ_i]²/[L]):
      η_i = safety / (|H_ii|·ρ), where ρ is the spectral radius of the Jacobi-scaled Hessian
      D^(-1/2)·H·D^(-1/2), D = diag|H_ii| (ρ = 1 when the parameters do not interact).
      On the local quadratic model every mode is then stable when safety < 2; the default 0.5
      leaves room for curvature that grows along the path.
    * Adam-type rules ("adam", "adamw", "rmsprop", …; lr in [θ_i]): η_i = safety·L_i, a fraction
      (default 0.1) of the characteristic scale (see :func:`characteristic_scales`, which
      ``loss_scale`` is passed to).

    Parameters
    ----------
    fun, x, jac, hess, scales, loss_units
        As for :func:`hessian`.
    rule : str
        The rule the rate is for (its lr units come from the rule's declared signature).
    safety : float, optional
        Dimensionless factor (defaults above).
    method : str
        "hessian" (full Hessian: exact ρ) or "hvp" (Hutchinson's diagonal and a power iteration
        for ρ, ``probes`` Hessian-vector products each — for large problems).
    loss_scale : Quantity [L], optional
        ℓ for the Adam-type rate safety·L_i, as in :func:`characteristic_scales`.
    probes, seed : int
        Hessian-vector products per estimate and the random seed (method "hvp").

    Returns
    -------
    A Quantity for a single ``x``, a dict name -> Quantity for a dict ``x`` (array-valued for
    array parameters), in the units ``lr_units`` gives for the user's units. Flat directions
    get the rate of the stiffest direction measured over one typical scale (with a
    :class:`CurvatureWarning`); negative curvature uses |H_ii| (warned as well).
    """
    dim = hyper_dim(rule, "lr")
    if dim == SGD_LR:
        kind = "sgd"
    elif dim == PARAM:
        kind = "adam"
    else:
        raise InputError(f"rule {rule!r} takes a dimensionless lr (a step length along a "
                         f"direction that already has units); it needs no suggestion — use 1 "
                         f"(with a line search)")
    safety = SAFETY[kind] if safety is None else safety
    if not (isinstance(safety, (int, float)) and np.isfinite(safety) and safety > 0):
        raise InputError(f"safety must be a positive number (dimensionless), got {safety!r}")
    if kind == "adam":
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            L = characteristic_scales(fun, x, loss_scale, "hvp" if method == "hvp" else "diagonal",
                                      jac=jac, hess=hess, scales=scales, loss_units=loss_units,
                                      probes=probes, seed=seed)
        problem = _compile(fun, x, jac, hess, scales, loss_units)
        lvec = resolve("L", L, PARAM, problem.space, problem.loss_unit)
        lvec = np.broadcast_to(np.asarray(lvec, dtype=float), (problem.space.size,)).copy()
        bad = ~np.isfinite(lvec)
        lvec[bad] = problem.typical[bad]
        for w in caught:
            warnings.warn(str(w.message), w.category, stacklevel=2)
        return _out(problem, safety * lvec, PARAM)
    problem = _compile(fun, x, jac, hess, scales, loss_units)
    x0, s = problem.x0, problem.typical
    if method == "hessian":
        H = hessian_values(problem, x0, "auto")
        err = check_finite_matrix(H, problem.space)
        if err:
            raise InputError(err)
        diag, full = np.diag(H).copy(), H
    elif method == "hvp":
        diag, full = hutchinson_diagonal(problem, x0, probes=probes, seed=seed), None
    else:
        raise InputError(f"unknown method {method!r} for suggest_lr; use 'hessian' or 'hvp'")
    flat, negative = _classify(diag, s, 1.0 if problem.loss_unit.dimensionless else abs(problem.f0),
                               problem.f0)
    stiff = float(np.max(np.abs(diag) * s * s)) if diag.size else 0.0
    if stiff == 0.0:
        raise InputError("the loss has no measurable curvature at x in any direction: curvature "
                         "cannot suggest a learning rate here; start elsewhere or choose lr from "
                         "known scales (ud.lr_units gives its units)")
    d = np.where(flat, stiff / (s * s), np.abs(diag))  # [L]/[θ_i]²
    rho = 1.0
    if (~flat).any():
        rho = jacobi_radius(problem, x0, np.where(flat, d, diag), full=full,
                            iters=max(probes, 10), seed=seed)
        rho = max(rho, 1e-300)
    for n in _notes(problem.space, flat, negative):
        warnings.warn(n.replace("its characteristic scale is inf; curvature gives no length "
                                "here — use a scale you know (scales=...)",
                                "its rate is that of the stiffest direction over one typical "
                                "scale"), CurvatureWarning, stacklevel=2)
    return _out(problem, safety / (d * rho), SGD_LR)
