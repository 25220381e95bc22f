"""unitdescent: dimensionally honest optimization with pint."""

from . import lint, reparam, rules
from .curvature import CurvatureWarning, characteristic_scales, hessian, hvp, suggest_lr
from .dims import Dim, MatrixDim
from .engine import minimize
from .errors import (
    BareNumberError,
    InputError,
    LossUnitsError,
    OptimizationError,
    RegistryError,
    SharedHyperparameterError,
    UnitsError,
    UnitsWarning,
    UnknownOptionError,
    UnknownUnitError,
)
from .fit import FitResult, Model, ModelUnitsError, fit, least_squares
from .matrix import UnitMatrix
from .objective import Objective, objective
from .result import History, Result, Status
from .rules import METHODS
from .signatures import lr_units
from .units import ureg

__version__ = "0.1.0"

__all__ = [
    "BareNumberError", "Dim", "History", "InputError", "LossUnitsError", "METHODS", "MatrixDim",
    "Objective", "OptimizationError", "RegistryError", "Result", "SharedHyperparameterError",
    "Status", "UnitMatrix", "UnitsError", "UnitsWarning", "UnknownOptionError",
    "UnknownUnitError", "lint", "lr_units", "minimize", "objective", "rules", "ureg",
    "CurvatureWarning", "characteristic_scales", "hessian", "hvp", "reparam", "suggest_lr",
    "FitResult", "Model", "ModelUnitsError", "fit", "least_squares",
]
