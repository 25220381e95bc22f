"""Lint optimizer configs for units: ``ud.lint(config)`` → a list of :class:`Diagnostic`.

A config declares the loss units, parameter groups with their units, the optimizer by its
library name (``torch.optim.Adam``, ``optax.adamw``, ``scipy.optimize.minimize:L-BFGS-B``,
``unitdescent.adam``) with its hyperparameters, and optional schedulers and gradient transforms.
The unit tables live in :mod:`unitdescent.lint.tables`, the rules in
:mod:`unitdescent.lint.rules`.
"""

from __future__ import annotations

import sys
import types

from .checker import check
from .config import Config, ConfigError, coerce, load, loads
from .rules import RULES, Diagnostic, LintRule
from .tables import Hyper, Spec, all_specs, lookup

__all__ = ["Config", "ConfigError", "Diagnostic", "Hyper", "LintRule", "RULES", "Spec",
           "all_specs", "check", "lint", "load", "loads", "lookup"]


def lint(config, *, format: str | None = None, select=None, ignore=None) -> list[Diagnostic]:
    """Lint an optimizer config.

    Parameters
    ----------
    config : path (str or PathLike), config text (TOML, YAML or JSON), or dict
    format : "toml", "yaml" or "json" for config text (default: guessed)
    select, ignore : rule codes, prefixes ("UD1") or names; they override / extend the
        config's ``[lint]`` table

    Returns
    -------
    list of Diagnostic (code, message, file, line, col, key), sorted by position.

    Raises
    ------
    ConfigError
        The config cannot be read (malformed, too large or deep, not a table).
    """
    return check(coerce(config, format), select=select, ignore=ignore)


class _CallableModule(types.ModuleType):
    """``ud.lint`` is this package *and* the function: ``ud.lint(config)``, ``ud.lint.lookup``.

    (Binding the function to the name ``lint`` in ``unitdescent`` would shadow the package, and
    ``import unitdescent.lint as L`` would then return the function.)
    """

    def __call__(self, config, *, format: str | None = None, select=None, ignore=None):
        return lint(config, format=format, select=select, ignore=ignore)


sys.modules[__name__].__class__ = _CallableModule
