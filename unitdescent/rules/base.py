"""The update-rule protocol: a unit signature declared as data, plus a stepper on floats.

A :class:`Rule` is a frozen dataclass whose fields are its hyperparameters (visible to
``repr``, the linter and ``explain``) and whose class attribute ``signature`` declares the
units of each, as a :class:`~unitdescent.dims.Dim` or :class:`~unitdescent.dims.MatrixDim`.
``rule.bind(problem)`` checks every hyperparameter against the problem's parameter and loss
units — once, before the first step — and returns a :class:`Stepper` that works on plain
floats.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, fields
from typing import Any, ClassVar, NamedTuple

import numpy as np

from ..dims import Dim
from ..errors import InputError, UnknownOptionError
from ..hyper import resolve


class StepResult(NamedTuple):
    """One step: the new iterate with its loss and gradient, the new state, and a note."""

    x: np.ndarray
    f: float
    g: np.ndarray
    state: Any
    failed: str = ""  # non-empty: the step could not be taken (e.g. line search failed)
    converged: str = ""  # non-empty: the stepper's own convergence test passed at the new x


class Stepper(ABC):
    """A rule bound to a problem: hyperparameters are floats in working units."""

    def __init__(self, problem):
        self.problem = problem

    @abstractmethod
    def init(self, x, f, g):
        """The initial state."""

    @abstractmethod
    def step(self, x, f, g, state) -> StepResult:
        """Take one step from ``x`` (loss ``f``, gradient ``g``)."""


class UpdateStepper(Stepper):
    """A rule that proposes an update Δθ from the gradient; the loss is evaluated after."""

    @abstractmethod
    def update(self, g, state, x):
        """Return ``(delta, state)``; ``delta`` has units [θ]."""

    def step(self, x, f, g, state) -> StepResult:
        delta, state = self.update(g, state, x)
        x_new = x + delta
        f_new = self.problem.fun(x_new)
        if not math.isfinite(f_new):
            return StepResult(x_new, f_new, g, state)
        return StepResult(x_new, f_new, self.problem.grad(x_new), state)


@dataclass(frozen=True)
class Rule(ABC):
    """Base of update rules. Subclasses are frozen dataclasses and declare ``signature``."""

    name: ClassVar[str] = ""
    signature: ClassVar[dict[str, Any]] = {}
    #: hyperparameters that must be given (no default makes sense in every unit system)
    required: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self):
        for r in self.required:
            if getattr(self, r) is None:
                dim = self.signature[r]
                raise InputError(
                    f"{self.name} needs {r} (units {dim}); no default is right in every unit "
                    f"system. See ud.lr_units(...) or ud.suggest_lr(...) for what to give."
                )

    @abstractmethod
    def bind(self, problem, *, bare: str = "error") -> Stepper:
        """Check hyperparameters against ``problem``'s units; return the float stepper."""

    def resolve(self, name: str, problem, bare: str, **kw):
        """Hyperparameter ``name`` in working units (float or flat array); ``None`` stays None."""
        value = getattr(self, name)
        if value is None:
            return None
        return resolve(name, value, self.signature[name], problem.space, problem.loss_unit,
                       bare=bare, rule=self.name, **kw)

    @classmethod
    def option_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def check_positive(rule: str, name: str, value):
    """A resolved rate (float or per-entry array, working units) must be finite and > 0."""
    if value is None or not np.all(np.asarray(value) > 0):
        shown = value if np.ndim(value) == 0 else f"{np.min(value):g} (smallest entry)"
        raise InputError(f"{rule} {name} must be > 0, got {shown}: a negative rate climbs the "
                         f"loss and a zero rate never moves")
    return value


def check_flag(rule: str, name: str, value) -> bool:
    """A True/False option: a string such as 'yes' or 'false' is an error, not truthy."""
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(f"{rule} {name} must be True or False, got {value!r}")
    return bool(value)


#: method name -> Rule class (filled by the rule modules)
METHODS: dict[str, type[Rule]] = {}


def register(cls):
    """Class decorator: make ``cls`` available as ``minimize(method=cls.name)``."""
    METHODS[cls.name] = cls
    return cls


def make_rule(method, options: dict) -> Rule:
    """A Rule from a method name and its options (unknown options are an error)."""
    if isinstance(method, Rule):
        if options:
            raise InputError(f"method is already a configured rule ({method!r}); options "
                             f"{sorted(options)} cannot be added to it")
        return method
    if isinstance(method, type) and issubclass(method, Rule):
        raise InputError(f"method={method.__name__} is the rule's class; give its name, "
                         f"method={method.name!r}, or a configured rule, "
                         f"method=ud.rules.{method.__name__}(...)")
    if not isinstance(method, str):
        raise InputError(f"method must be a name or a Rule, got {method!r}")
    key = method.lower()
    if key not in METHODS:
        raise UnknownOptionError(method, METHODS, "minimize's method")
    cls = METHODS[key]
    valid = cls.option_names()
    for k in options:
        if k not in valid:
            raise UnknownOptionError(k, valid + ENGINE_OPTION_NAMES, f"method {key!r}")
    return cls(**options)


ENGINE_OPTION_NAMES = ["maxiter", "ftol", "ftol_rel", "xtol", "xtol_rel", "callback", "history",
                       "throw", "bare", "scales", "loss_units"]


def signature_of(rule) -> dict[str, Dim]:
    """The declared unit signature of a rule (class, instance or method name)."""
    if isinstance(rule, str):
        rule = METHODS[rule.lower()]
    return dict(rule.signature)
