"""Quasi-Newton methods with honest units: the same problem in nm and km.

1. A small model with a gap in nanometres and a span in kilometres: `minimize` with its
   default method (BFGS) needs no hyperparameter with units and returns the answer in the
   units you gave.
2. Wood's function and Box's 3-D function from the Moré–Garbow–Hillstrom suite, written
   once in metres/seconds and once with their variables in nm, years, km and µs:
   unitdescent's BFGS takes the same steps in both (same evaluations, same answer); scipy's
   BFGS, which starts from H₀ = I, does not (on Box 3-D it stops far from the minimum).

Run: python examples/quasi_newton_units.py
"""

import numpy as np
from scipy.optimize import minimize as scipy_minimize

import unitdescent as ud
from unitdescent.testing import get

Q_ = ud.ureg.Quantity


def part1():
    # A gap g (set by a piezo, nm) and a span L (a cable, km): the loss is a dimensionless
    # misfit with a coupling between them.
    def misfit(gap, span):
        a = (gap - Q_(35.0, "nm")) / Q_(2.0, "nm")
        b = (span - Q_(2.5, "km")) / Q_(0.1, "km")
        return a ** 2 + b ** 2 + 0.5 * a * b + 0.1 * a ** 4

    x0 = {"gap": Q_(10.0, "nm"), "span": Q_(1.0, "km")}
    res = ud.minimize(misfit, x0)  # method="bfgs" is the default
    print("1. default method:", res.method.name)
    print(f"   gap = {res.x['gap']:.6f~P}, span = {res.x['span']:.6f~P}, "
          f"loss = {res.fun.m:.2e}, {res.nfev} loss evaluations (finite-difference gradient)")
    print(f"   {res.message}\n")
    return res


def part2(name="wood"):
    p = get(name)
    print(f"2. {name}: the same physical problem in two unit systems")
    print(f"   {'units':>6}  {'unitdescent BFGS':>28}  {'scipy BFGS':>28}")
    out = {}
    for which in ("well", "bad"):
        units = ", ".join(p.units(which))
        ours = ud.minimize(p.objective(which), p.x0_quantities(which), history=False)
        fun, jac, x0 = p.flat(which)
        theirs = scipy_minimize(fun, x0, jac=jac, method="BFGS")
        out[which] = (ours, theirs)
        print(f"   {which:>6}  f = {ours.fun.m:9.2e}, {ours.nfev:4d} evals      "
              f"f = {theirs.fun:9.2e}, {theirs.nfev:4d} evals   ({units})")
    good, bad = out["well"][0], out["bad"][0]
    same = all(np.isclose(bad.x[k].m_as(good.x[k].units), good.x[k].m, rtol=1e-9)
               for k in good.x)
    print(f"   unitdescent: same answer in both unit systems: {same}; "
          f"same number of evaluations: {good.nfev == bad.nfev}\n")
    return out


if __name__ == "__main__":
    part1()
    part2("wood")
    part2("box_3d")
