"""The result record of ``minimize``: scipy's field names, holding Quantities."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Status(IntEnum):
    """One set of outcomes for every method."""

    CONVERGED = 0
    MAXITER = 1
    STEP_FAILED = 2  #: the rule could not take a step: line search failed, Hessian unusable
    LINE_SEARCH_FAILED = 2  #: the same status under its older, narrower name
    NONFINITE = 3  #: the loss or gradient became NaN/inf at a new iterate
    CALLBACK = 4

    @property
    def success(self) -> bool:
        return self is Status.CONVERGED


@dataclass(frozen=True)
class History:
    """Iterates and losses, one row per iteration (row 0 is x0).

    loss : Quantity array [L]; x : ``x0``'s structure with a leading iteration axis, or None
    when only losses were kept (``history="loss"``).
    """

    loss: Any
    x: Any = None

    def __len__(self) -> int:
        return len(self.loss)


@dataclass(frozen=True)
class Result:
    """What ``minimize`` returns.

    x : ``x0``'s structure in the user's units; fun : Quantity [L]; jac : gradient [L]/[θ];
    nit, nfev, njev, nhev : counts; success, status (:class:`Status`), message;
    history : :class:`History` or None; method : the rule used.
    """

    x: Any
    fun: Any
    jac: Any
    nit: int
    nfev: int
    njev: int
    nhev: int
    success: bool
    status: Status
    message: str
    history: History | None = None
    method: Any = None
    extra: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        lines = [f"{'success' if self.success else 'failure'}: {self.message}",
                 f"  fun: {self.fun}", f"  x: {self.x}",
                 f"  nit: {self.nit}  nfev: {self.nfev}  njev: {self.njev}  nhev: {self.nhev}"]
        return "Result(\n" + "\n".join(lines) + "\n)"
