"""Update rules, one small module each; ``METHODS`` maps method names to rule classes."""

from .adam import Adam
from .bfgs import BFGS
from .base import METHODS, Rule, Stepper, StepResult, UpdateStepper, make_rule, signature_of
from .gd import GD
from .lbfgs import LBFGS
from .metric import Metric
from .momentum import Momentum
from .newton import Newton
from .preconditioned import Preconditioned

__all__ = ["Adam", "BFGS", "GD", "LBFGS", "METHODS", "Metric", "Momentum", "Newton",
           "Preconditioned", "Rule", "StepResult", "Stepper", "UpdateStepper", "make_rule",
           "signature_of"]
