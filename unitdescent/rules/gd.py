"""Gradient descent: Δθ = −lr·g, with lr in [θ]²/[L] (per parameter when units differ)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..dims import SGD_LR
from .base import Rule, UpdateStepper, check_positive, register


@register
@dataclass(frozen=True)
class GD(Rule):
    """Plain gradient descent.

    lr : Quantity [θ]²/[L], or dict name -> Quantity (one per parameter)
    """

    lr: Any = None
    name = "gd"
    signature = {"lr": SGD_LR}
    required = ("lr",)

    def bind(self, problem, *, bare="error"):
        return _GDStepper(problem, check_positive("gd", "lr", self.resolve("lr", problem, bare)))


class _GDStepper(UpdateStepper):
    def __init__(self, problem, lr):
        super().__init__(problem)
        self.neg_lr = -lr

    def init(self, x, f, g):
        return None

    def update(self, g, state, x):
        return self.neg_lr * g, state
