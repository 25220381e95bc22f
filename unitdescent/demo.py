"""``unitdescent demo``: the idea of the library in one screen, in well under 2 seconds."""

from __future__ import annotations

import numpy as np

from .engine import minimize
from .errors import UnitsError
from .objective import Objective
from .signatures import lr_units
from .units import ureg


def spring_problem():
    """A mass on a spring pulled by gravity: minimize E(x) = ½·k·x² − m·g·x (J) over x (m).

    Returns the fast-path objective (x in m, E in J) and the exact answer x* = m·g/k.
    """
    k, mass, g = 50.0, 2.0, 9.81  # N/m, kg, m/s²

    def energy(x):
        return 0.5 * k * x * x - mass * g * x

    def force(x):
        return k * x - mass * g

    obj = Objective(energy, params="m", loss="J", jac=force, name="spring_energy")
    return obj, ureg.Quantity(mass * g / k, "m"), ureg.Quantity(1.0 / k, "m**2/J")


def run(print_=print) -> dict:
    Q = ureg.Quantity
    obj, exact, natural_lr = spring_problem()
    print_("unitdescent demo — gradient descent with honest units\n")
    print_("Problem: a 2 kg mass on a 50 N/m spring under gravity;")
    print_("minimize E(x) = ½·k·x² − m·g·x  [J]  over the stretch x  [m].\n")

    need = lr_units("m", "J", rule="sgd")
    print_(f"1. Inferred units: SGD's lr needs {need} (= [θ]²/[L]); Adam's lr needs "
           f"{lr_units('m', 'J', rule='adam')}.\n")

    print_("2. A bare learning rate is rejected before the first step:")
    try:
        minimize(obj, Q(0.0, "m"), method="gd", lr=0.01)
    except UnitsError as exc:
        print_(f"   {type(exc).__name__}: {exc}\n")

    lr = 0.5 * natural_lr  # half of 1/k, the inverse curvature
    print_(f"3. With lr = {lr:~P} the same problem, started at 10 cm, in metres and in centimetres:")
    results = {}
    for unit in ("m", "cm"):
        res = minimize(obj, Q(0.1, "m").to(unit), method="gd", lr=lr, maxiter=200)
        results[unit] = res
        print_(f"   x0 in {unit:>2}: x* = {res.x:.10f~P}  ({res.x.to('m'):.10f~P}), "
               f"E = {res.fun:.6f~P}, {res.nit} iterations")
    same = np.isclose(results["m"].x.m_as("m"), results["cm"].x.m_as("m"), rtol=1e-12)
    print_(f"   same physical answer: {bool(same)}; exact m·g/k = {exact:.10f~P}")
    return results
