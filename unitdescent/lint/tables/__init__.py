"""Unit tables of optimizers: the units each hyperparameter needs, in terms of [θ] and [L].

Every entry is derived from the library's actual update rule (written in ``update``); [θ] is
the units of a parameter group and [L] the loss units, so a gradient has [L]/[θ]. Where the
engine of unitdescent runs the same rule (SGD → ``gd``/``momentum``, Adam), the entry *is* the
engine's declared signature (``METHODS[...].signature``): one source of truth for the engine's
set-up check, the linter and ``explain``. Known intrinsic inconsistencies of the algorithms are
recorded beside the entry (``issue``) and become warnings of the linter.
"""

from __future__ import annotations

import difflib

from ...dims import MatrixDim
from ...rules import METHODS
from .base import (ADAM_EPS, ADAM_LR, BETA, CURVATURE, DAMPENING, DIMENSIONLESS, EPS_CONVENTIONS,
                   GRADIENT, GRADIENT_SQ, INACTIVE, INV_PARAM, LOSS, LR, MOMENTUM, PARAM, PARAM_SQ,
                   RESIDUAL, SGD_LR_, WEIGHT_DECAY_CONVENTIONS, Hyper, Spec, anything, choice, core,
                   flag, integer, num, pair)
from .optax import OPTAX, OPTAX_TRANSFORMS
from .scipy import SCIPY
from .torch import TORCH, TORCH_SCHEDULERS, TORCH_TRANSFORMS

__all__ = ["ADAM_EPS", "ADAM_LR", "BETA", "CURVATURE", "DAMPENING", "DIMENSIONLESS",
           "EPS_CONVENTIONS", "GRADIENT", "GRADIENT_SQ", "INACTIVE", "INV_PARAM", "LOSS", "LR",
           "MOMENTUM", "PARAM", "PARAM_SQ", "RESIDUAL", "SGD_LR_", "TABLES",
           "WEIGHT_DECAY_CONVENTIONS", "Hyper", "Spec", "all_specs", "anything", "choice", "core",
           "flag", "integer", "lookup", "num", "pair", "suggest"]


def _engine_hypers():
    return (num("maxiter", None, 1000, kind="int"),
            num("ftol", LOSS, None, note="loss change, [L]"),
            num("xtol", PARAM, None, note="step per parameter, [θ]"),
            num("ftol_rel", DIMENSIONLESS, 0.0), num("xtol_rel", DIMENSIONLESS, 1e-10),
            choice("bare", "error", ("error", "as-given")))


def _unitdescent_spec(method: str, cls) -> Spec:
    hypers = []
    defaults = {}
    for f in getattr(cls, "__dataclass_fields__", {}).values():
        defaults[f.name] = f.default
    for name in cls.option_names():
        dim = cls.signature.get(name)
        default = defaults.get(name)
        default = default if isinstance(default, (int, float, bool, str, type(None))) else None
        if dim is None:
            kind = "bool" if isinstance(default, bool) else "any"
            hypers.append(Hyper(name, None, default, kind=kind))
            continue
        note = ""
        if isinstance(dim, MatrixDim):
            note = f"full matrix {dim}; a config gives its diagonal per group"
            dim = dim.diagonal()
        hypers.append(Hyper(name, dim, default, required=name in cls.required, note=note))
    return Spec(f"unitdescent.{method}", (cls.__doc__ or method).strip().splitlines()[0],
                tuple(hypers) + _engine_hypers(), lr="lr" if "lr" in cls.option_names() else "",
                notes=("the engine checks this signature",))


TABLES: dict[str, Spec] = {s.name: s for s in TORCH + TORCH_TRANSFORMS + TORCH_SCHEDULERS
                           + OPTAX + OPTAX_TRANSFORMS + SCIPY}


def all_specs() -> dict[str, Spec]:
    """Every table, including unitdescent's own rules (read from ``METHODS`` now)."""
    out = dict(TABLES)
    for method, cls in METHODS.items():
        out[f"unitdescent.{method}"] = _unitdescent_spec(method, cls)
    return out


def _normalise(name: str) -> str:
    name = name.strip()
    if name.startswith("unitdescent:"):
        name = "unitdescent." + name.split(":", 1)[1]
    if name.startswith("scipy.optimize.minimize:"):
        head, method = name.split(":", 1)
        for m in ("BFGS", "L-BFGS-B", "Newton-CG", "trust-ncg", "trust-krylov", "trust-exact",
                  "dogleg", "trust-constr", "Nelder-Mead"):
            if m.lower() == method.lower():
                return f"{head}:{m}"
    if name.startswith("unitdescent."):
        return name.lower()
    return name


def lookup(name: str) -> Spec | None:
    """The table of ``name`` (e.g. ``"torch.optim.Adam"``), or None."""
    if not isinstance(name, str):
        return None
    specs = all_specs()
    return specs.get(_normalise(name))


def suggest(name: str, role: str | None = None) -> str | None:
    """The closest known name, for a "did you mean"."""
    names = [n for n, s in all_specs().items() if role is None or s.role == role]
    text = str(name)
    lowered = {n.lower(): n for n in names}
    if _normalise(text).lower() in lowered:
        return lowered[_normalise(text).lower()]
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(text.lower(), list(lowered), n=1, cutoff=0.6)
        close = [lowered[c] for c in close]
    if not close:
        tail = text.rsplit(".", 1)[-1].rsplit(":", 1)[-1].lower()
        ends = [n for n in names if n.rsplit(".", 1)[-1].rsplit(":", 1)[-1].lower() == tail]
        close = ends[:1]
    return close[0] if close else None
