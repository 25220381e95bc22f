"""The data types of the unit tables (:class:`Hyper`, :class:`Spec`) and the units they
share; the entries that the engine also declares are read from ``METHODS`` here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...dims import CURVATURE, DIMENSIONLESS, GRADIENT, LOSS, PARAM, Dim  # noqa: F401 (vocabulary)
from ...rules import METHODS

#: the units of a squared gradient ([L]/[θ])², e.g. an eps added *inside* a square root
GRADIENT_SQ = GRADIENT ** 2
#: 1/[θ]: a decoupled weight decay multiplied by an Adam-style lr [θ]
INV_PARAM = Dim(-1, 0)
#: [θ]²: the units of a squared step
PARAM_SQ = Dim(2, 0)
#: a residual of a least-squares loss L = ½Σr² has units [L]^½
RESIDUAL = Dim(0, "1/2")
#: placeholder dim: "the units of the optimizer's learning rate" (schedulers)
LR = "lr"
#: placeholder dim: the hyperparameter has no effect with the current options
INACTIVE = "inactive"


def core(method: str, name: str) -> Dim:
    """The engine's declared units of hyperparameter ``name`` of rule ``method``."""
    return METHODS[method].signature[name]


#: the convention families used to explain a mismatch (weight decay, eps)
WEIGHT_DECAY_CONVENTIONS = {
    CURVATURE: "coupled: added to the gradient (torch.optim.SGD/Adam/…, optax.add_decayed_weights "
               "before the optimizer, optax.lars), units [L]/[θ]²",
    INV_PARAM: "decoupled and multiplied by an Adam-style lr (torch.optim.AdamW, optax.adamw, "
               "optax.lion, optax.lamb, optax.novograd), units 1/[θ]",
    DIMENSIONLESS: "decoupled after the learning rate (optax.adafactor's weight_decay_rate), "
                   "dimensionless",
}
EPS_CONVENTIONS = {
    GRADIENT: "added to √v, outside the square root (torch.optim.*, optax.adam, "
              "optax.rmsprop with eps_in_sqrt=False), units [L]/[θ]",
    GRADIENT_SQ: "added to v, inside the square root (optax.rmsprop, optax.adagrad, "
                 "optax.adafactor, eps_root), units [L]²/[θ]²",
}


@dataclass(frozen=True)
class Hyper:
    """One hyperparameter: its units and what the linter must know about it.

    kind : "number" | "pair" (a sequence of numbers with the same units) | "bool" | "int" |
        "choice" | "any"
    dim : Dim, ``LR`` (the optimizer's lr units), or None (no single units: see ``also``)
    scope : "group" (one value per parameter group is possible) or "global" (one value for
        all parameters)
    norm : "" or "gradient"/"step": the value is compared with a norm (or max) taken over all
        parameters of its scope, so parameters of different units cannot share it
    when : ((option, values, dim), ...): other units (or ``INACTIVE``) when ``option`` takes
        one of ``values``
    family : "weight_decay" or "eps" — conventions that differ between libraries
    issue : code of the warning rule for an intrinsic inconsistency ("UD201", ...)
    also : further units the value enters in (for ``issue``)
    """

    name: str
    dim: Any = None
    default: Any = None
    kind: str = "number"
    scope: str = "group"
    norm: str = ""
    when: tuple = ()
    family: str = ""
    issue: str = ""
    also: tuple = ()
    required: bool = False
    choices: tuple = ()
    note: str = ""

    def dim_for(self, options: dict):
        """The units this hyperparameter needs given the other options' values."""
        for option, values, dim in self.when:
            if options.get(option) in values:
                return dim
        return self.dim


@dataclass(frozen=True)
class Spec:
    """The unit table of one optimizer, scheduler or gradient transform."""

    name: str
    update: str
    hypers: tuple
    role: str = "optimizer"  # "optimizer" | "scheduler" | "transform"
    lr: str = "lr"  # the name of the learning-rate hyperparameter ("" if there is none)
    notes: tuple = ()
    #: norms the algorithm takes over *all* parameters internally: ((kind, note), ...)
    mixed: tuple = ()
    #: dimensional constants hard-coded in the library (not options): text, or
    #: (text, option) when giving ``option`` replaces the constant
    hidden: tuple = ()
    by_name: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self.by_name.update({h.name: h for h in self.hypers})

    def hyper(self, name: str):
        return self.by_name.get(name)


def num(name, dim, default=None, **kw):
    return Hyper(name, dim, default, **kw)


def pair(name, dim, default, **kw):
    return Hyper(name, dim, default, kind="pair", **kw)


def flag(name, default=False, **kw):
    return Hyper(name, None, default, kind="bool", **kw)


def integer(name, default=None, **kw):
    return Hyper(name, None, default, kind="int", **kw)


def choice(name, default, choices, **kw):
    return Hyper(name, None, default, kind="choice", choices=tuple(choices), **kw)


def anything(name, default=None, **kw):
    return Hyper(name, None, default, kind="any", **kw)


# ---------------------------------------------------------------- shared entries
SGD_LR_ = core("gd", "lr")  # [θ]²/[L]
ADAM_LR = core("adam", "lr")  # [θ]
ADAM_EPS = core("adam", "eps")  # [L]/[θ]
BETA = core("adam", "beta1")  # dimensionless
MOMENTUM = core("momentum", "beta")
DAMPENING = core("momentum", "dampening")

