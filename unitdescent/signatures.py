"""Which units a rule's hyperparameters need, for given parameter and loss units.

Reads the rules' declared signatures (``Rule.signature``): the same data the engine checks
against, so ``lr_units`` and the engine cannot disagree.
"""

from __future__ import annotations

from .dims import Dim
from .errors import InputError, UnknownOptionError
from .rules import METHODS
from .units import as_unit, registry_of

#: other names for rules whose learning rate has the same units as an engine rule's
LR_ALIASES = {
    "sgd": "gd", "nesterov": "momentum", "heavy-ball": "momentum",
    "adamw": "adam", "adamax": "adam", "nadam": "adam", "rmsprop": "adam", "adagrad": "adam",
}


def hyper_dim(rule: str, name: str = "lr") -> Dim:
    """The declared signature of hyperparameter ``name`` of ``rule``."""
    if not isinstance(rule, str):
        raise InputError(f"rule must be a method name such as 'sgd' or 'adam', got {rule!r}")
    key = LR_ALIASES.get(rule.lower(), rule.lower())
    if key not in METHODS:
        raise UnknownOptionError(rule, list(METHODS) + list(LR_ALIASES), "lr_units' rule")
    sig = METHODS[key].signature
    if name not in sig:
        raise UnknownOptionError(name, sig, f"rule {rule!r}")
    return sig[name]


def lr_units(param_units, loss_units=None, rule: str = "sgd", name: str = "lr"):
    """The pint Unit a rule's learning rate (or hyperparameter ``name``) needs.

    Parameters
    ----------
    param_units : unit, unit string, Quantity, or dict name -> any of those
        The units [θ] of the parameter (group); a Quantity contributes only its units.
    loss_units : unit or string, optional
        The units [L] of the loss (default: dimensionless).
    rule : str
        "sgd"/"gd", "momentum", "adam"/"adamw"/"rmsprop"/"adagrad", "preconditioned", … (a
        method of ``ud.METHODS`` or an alias).
    name : str
        The hyperparameter (default "lr"; e.g. "eps" for Adam's [L]/[θ]).

    Returns
    -------
    pint Unit, or dict name -> Unit
        One Unit, or one per parameter when ``param_units`` is a dict. SGD's lr: [θ]²/[L];
        Adam-style lr: [θ].

    Raises
    ------
    UnknownOptionError
        An unknown rule or hyperparameter name (with the nearest valid name).
    UnknownUnitError
        A unit string pint cannot parse.

    >>> str(lr_units("m", None, "sgd"))
    'meter ** 2'
    """
    dim = hyper_dim(rule, name)
    registry = registry_of(param_units, loss_units)
    lu = as_unit(loss_units, registry, what="loss_units")
    if isinstance(param_units, dict):
        return {k: dim.unit(as_unit(v, registry, what=f"units of {k}"), lu)
                for k, v in param_units.items()}
    return dim.unit(as_unit(param_units, registry, what="param_units"), lu)
