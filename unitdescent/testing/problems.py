"""The Moré–Garbow–Hillstrom unconstrained test problems, in good and in bad units.

Each :class:`TestProblem` is the classic dimensionless function (J. J. Moré, B. S. Garbow,
K. E. Hillstrom, "Testing unconstrained optimization software", ACM TOMS 7, 1981) with its
analytic gradient, standard start and known minimum values. To test units, its variables are
split into parameter groups, each given a physical dimension (length or time):

* ``units="well"`` — every group in a unit where the values are O(1) (m, s);
* ``units="bad"`` — the *same physical problem* with groups in nm, years, km, µs.

:meth:`TestProblem.objective` returns a fast-path :class:`~unitdescent.Objective` (floats in,
float out) whose loss is the MGH function composed with the unit conversion factors, so both
versions cost the same to evaluate; :meth:`TestProblem.flat` gives the same function and
gradient of one flat vector for scipy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..objective import Objective
from ..units import ureg

#: (well-chosen unit, badly chosen unit) per group, cycled over a problem's groups.
UNIT_CYCLE = (("m", "nm"), ("s", "year"), ("m", "km"), ("s", "microsecond"))


@dataclass(frozen=True)
class TestProblem:
    """One MGH problem: ``fun(x) -> float`` and ``grad(x) -> array`` of the flat vector,
    ``x0``, the known local minimum values ``minima`` (the first is the global one) and the
    parameter ``groups`` (each an index or an index array into x)."""

    __test__ = False  # not a pytest class

    name: str
    fun: Callable
    grad: Callable
    x0: np.ndarray
    minima: tuple
    groups: tuple = field(default=())

    @property
    def n(self) -> int:
        return self.x0.size

    def group_indices(self):
        """The index (or index array) of each parameter group in the flat vector."""
        if self.groups:
            return self.groups
        return tuple(range(self.n))

    def units(self, which: str) -> list[str]:
        """The unit of each group for ``which`` = "well" or "bad"."""
        col = {"well": 0, "bad": 1}[which]
        return [UNIT_CYCLE[j % len(UNIT_CYCLE)][col] for j in range(len(self.group_indices()))]

    def factors(self, which: str) -> np.ndarray:
        """Per-entry factor c with x_well = c · x_in_`which`_units (1 for "well")."""
        c = np.ones(self.n)
        for ix, good, unit in zip(self.group_indices(), self.units("well"), self.units(which)):
            c[ix] = ureg.Quantity(1.0, unit).m_as(good)
        return c

    def names(self) -> list[str]:
        return [f"x{j + 1}" for j in range(len(self.group_indices()))]

    def x0_quantities(self, which: str = "well") -> dict:
        """The standard start as a dict of Quantities in the chosen units."""
        out = {}
        for name, ix, good, unit in zip(self.names(), self.group_indices(), self.units("well"),
                                        self.units(which)):
            out[name] = ureg.Quantity(self.x0[ix], good).to(unit)
        return out

    def objective(self, which: str = "well") -> Objective:
        """A fast-path Objective (dimensionless loss) with analytic gradient, in the chosen
        units; the "well" version multiplies by factors of 1.0 so both cost the same."""
        names, groups, n = self.names(), self.group_indices(), self.n
        c = self.factors(which)
        cg = [c[ix] for ix in groups]
        fun, grad = self.fun, self.grad

        def assemble(kw):
            x = np.empty(n)
            for name, ix, cj in zip(names, groups, cg):
                x[ix] = kw[name] * cj
            return x

        def loss(**kw):
            return fun(assemble(kw))

        def jac(**kw):
            g = grad(assemble(kw))
            return {name: g[ix] * cj for name, ix, cj in zip(names, groups, cg)}

        params = dict(zip(names, self.units(which)))
        return Objective(loss, params=params, loss="", jac=jac, name=f"{self.name}[{which}]")

    def flat(self, which: str = "well"):
        """``(fun, grad, x0)`` on one flat float vector in the chosen units (for scipy)."""
        c = self.factors(which)
        fun, grad = self.fun, self.grad
        return (lambda v: fun(v * c)), (lambda v: grad(v * c) * c), self.x0 / c

    def error(self, f: float) -> float:
        """f − f* for the nearest known minimum value (≥ 0 up to rounding)."""
        return float(min(abs(f - m) for m in self.minima))


# -- least-squares helpers ---------------------------------------------------------------
def _ls(residual, jacobian):
    """f = Σ r², g = 2·Jᵀr from a residual function and its Jacobian."""
    return (lambda x: float(residual(x) @ residual(x)),
            lambda x: 2.0 * jacobian(x).T @ residual(x))


def rosenbrock():
    r = lambda x: np.array([10.0 * (x[1] - x[0] ** 2), 1.0 - x[0]])
    J = lambda x: np.array([[-20.0 * x[0], 10.0], [-1.0, 0.0]])
    return TestProblem("rosenbrock", *_ls(r, J), np.array([-1.2, 1.0]), (0.0,))


def extended_rosenbrock(n=100):
    """Σ 100(x_{2i} − x_{2i−1}²)² + (1 − x_{2i−1})²; groups: odd and even entries."""
    if n % 2:
        raise ValueError("extended Rosenbrock needs an even n")

    def fun(x):
        a, b = x[0::2], x[1::2]
        t = b - a * a
        u = 1.0 - a
        return float(100.0 * (t @ t) + u @ u)

    def grad(x):
        a, b = x[0::2], x[1::2]
        t = b - a * a
        g = np.empty_like(x)
        g[0::2] = -400.0 * t * a - 2.0 * (1.0 - a)
        g[1::2] = 200.0 * t
        return g

    x0 = np.tile([-1.2, 1.0], n // 2)
    idx = np.arange(n)
    return TestProblem(f"ext_rosenbrock_{n}", fun, grad, x0, (0.0,),
                       groups=(idx[0::2], idx[1::2]))


def powell_badly_scaled():
    def r(x):
        return np.array([1e4 * x[0] * x[1] - 1.0, np.exp(-x[0]) + np.exp(-x[1]) - 1.0001])

    def J(x):
        return np.array([[1e4 * x[1], 1e4 * x[0]], [-np.exp(-x[0]), -np.exp(-x[1])]])

    return TestProblem("powell_badly_scaled", *_ls(r, J), np.array([0.0, 1.0]), (0.0,))


def brown_badly_scaled():
    r = lambda x: np.array([x[0] - 1e6, x[1] - 2e-6, x[0] * x[1] - 2.0])
    J = lambda x: np.array([[1.0, 0.0], [0.0, 1.0], [x[1], x[0]]])
    return TestProblem("brown_badly_scaled", *_ls(r, J), np.array([1.0, 1.0]), (0.0,))


def beale():
    y = np.array([1.5, 2.25, 2.625])
    k = np.arange(1, 4)
    r = lambda x: y - x[0] * (1.0 - x[1] ** k)
    J = lambda x: np.stack([-(1.0 - x[1] ** k), x[0] * k * x[1] ** (k - 1)], axis=1)
    return TestProblem("beale", *_ls(r, J), np.array([1.0, 1.0]), (0.0,))


def helical_valley():
    def theta(x):
        if x[0] == 0:
            return 0.25 * np.sign(x[1])
        return np.arctan(x[1] / x[0]) / (2 * np.pi) + (0.5 if x[0] < 0 else 0.0)

    def r(x):
        return np.array([10.0 * (x[2] - 10.0 * theta(x)),
                         10.0 * (np.hypot(x[0], x[1]) - 1.0), x[2]])

    def J(x):
        r2 = x[0] ** 2 + x[1] ** 2
        rr = np.sqrt(r2)
        dt = np.array([-x[1], x[0]]) / (2 * np.pi * r2)
        return np.array([[-100.0 * dt[0], -100.0 * dt[1], 10.0],
                         [10.0 * x[0] / rr, 10.0 * x[1] / rr, 0.0],
                         [0.0, 0.0, 1.0]])

    return TestProblem("helical_valley", *_ls(r, J), np.array([-1.0, 0.0, 0.0]), (0.0,))


def wood():
    def fun(x):
        x1, x2, x3, x4 = x
        return float(100 * (x2 - x1 ** 2) ** 2 + (1 - x1) ** 2 + 90 * (x4 - x3 ** 2) ** 2
                     + (1 - x3) ** 2 + 10.1 * ((x2 - 1) ** 2 + (x4 - 1) ** 2)
                     + 19.8 * (x2 - 1) * (x4 - 1))

    def grad(x):
        x1, x2, x3, x4 = x
        return np.array([
            -400 * x1 * (x2 - x1 ** 2) - 2 * (1 - x1),
            200 * (x2 - x1 ** 2) + 20.2 * (x2 - 1) + 19.8 * (x4 - 1),
            -360 * x3 * (x4 - x3 ** 2) - 2 * (1 - x3),
            180 * (x4 - x3 ** 2) + 20.2 * (x4 - 1) + 19.8 * (x2 - 1),
        ])

    return TestProblem("wood", fun, grad, np.array([-3.0, -1.0, -3.0, -1.0]), (0.0,))


def box3d(m=10):
    t = 0.1 * np.arange(1, m + 1)
    c = np.exp(-t) - np.exp(-10 * t)
    r = lambda x: np.exp(-t * x[0]) - np.exp(-t * x[1]) - x[2] * c
    J = lambda x: np.stack([-t * np.exp(-t * x[0]), t * np.exp(-t * x[1]), -c], axis=1)
    return TestProblem("box_3d", *_ls(r, J), np.array([0.0, 10.0, 20.0]), (0.0,))


def biggs_exp6(m=13):
    t = 0.1 * np.arange(1, m + 1)
    y = np.exp(-t) - 5 * np.exp(-10 * t) + 3 * np.exp(-4 * t)

    def r(x):
        return x[2] * np.exp(-t * x[0]) - x[3] * np.exp(-t * x[1]) + x[5] * np.exp(-t * x[4]) - y

    def J(x):
        e1, e2, e5 = np.exp(-t * x[0]), np.exp(-t * x[1]), np.exp(-t * x[4])
        return np.stack([-t * x[2] * e1, t * x[3] * e2, e1, -e2, -t * x[5] * e5, e5], axis=1)

    return TestProblem("biggs_exp6", *_ls(r, J), np.array([1.0, 2.0, 1.0, 1.0, 1.0, 1.0]),
                       (0.0, 5.65565e-3))


def watson(n=6):
    t = np.arange(1, 30) / 29.0
    j = np.arange(n)
    P = t[:, None] ** j[None, :]            # t^(j-1) for j = 1..n   (29, n)
    D = np.zeros_like(P)
    D[:, 1:] = j[1:] * t[:, None] ** (j[1:] - 1)  # (j-1) t^(j-2)

    def r(x):
        s2 = P @ x
        return np.concatenate([D @ x - s2 ** 2 - 1.0, [x[0], x[1] - x[0] ** 2 - 1.0]])

    def J(x):
        s2 = P @ x
        top = D - 2.0 * s2[:, None] * P
        extra = np.zeros((2, n))
        extra[0, 0] = 1.0
        extra[1, 0], extra[1, 1] = -2.0 * x[0], 1.0
        return np.vstack([top, extra])

    minima = {6: 2.28767005355e-3, 9: 1.39976e-6}
    return TestProblem(f"watson_{n}", *_ls(r, J), np.zeros(n), (minima[n],))


def extended_powell(n=100):
    """Σ over blocks of four: (x1+10x2)² + 5(x3−x4)² + (x2−2x3)⁴ + 10(x1−x4)⁴;
    groups: the four positions in a block."""
    if n % 4:
        raise ValueError("extended Powell needs n divisible by 4")

    def fun(x):
        a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
        return float(np.sum((a + 10 * b) ** 2 + 5 * (c - d) ** 2 + (b - 2 * c) ** 4
                            + 10 * (a - d) ** 4))

    def grad(x):
        a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
        u, v, w, z = a + 10 * b, c - d, (b - 2 * c) ** 3, (a - d) ** 3
        g = np.empty_like(x)
        g[0::4] = 2 * u + 40 * z
        g[1::4] = 20 * u + 4 * w
        g[2::4] = 10 * v - 8 * w
        g[3::4] = -10 * v - 40 * z
        return g

    idx = np.arange(n)
    name = "powell_singular" if n == 4 else f"ext_powell_{n}"
    groups = () if n == 4 else tuple(idx[k::4] for k in range(4))
    return TestProblem(name, fun, grad, np.tile([3.0, -1.0, 0.0, 1.0], n // 4), (0.0,),
                       groups=groups)


def powell_singular():
    return extended_powell(4)


#: name -> constructor of the benchmark suite (Moré–Garbow–Hillstrom numbering order)
PROBLEMS = {
    "rosenbrock": rosenbrock,
    "powell_badly_scaled": powell_badly_scaled,
    "brown_badly_scaled": brown_badly_scaled,
    "beale": beale,
    "helical_valley": helical_valley,
    "wood": wood,
    "box_3d": box3d,
    "biggs_exp6": biggs_exp6,
    "watson_6": watson,
    "powell_singular": powell_singular,
    "ext_rosenbrock_100": extended_rosenbrock,
    "ext_powell_100": extended_powell,
}


def get(name: str) -> TestProblem:
    """A suite problem by name (see :data:`PROBLEMS`)."""
    return PROBLEMS[name]()
