"""The law: BFGS and L-BFGS give the same physical iterates in any units (property tests)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import unitdescent as ud

Q_ = ud.ureg.Quantity

LENGTHS = ["m", "cm", "mm", "km", "nm", "inch", "mile", "angstrom"]
TIMES = ["s", "ms", "min", "hour", "day", "year", "microsecond"]
MASSES = ["kg", "g", "mg", "lb", "tonne"]
ENERGIES = ["J", "eV", "kWh", "erg", "kcal"]


def loss(x, t, w):
    """A coupled, non-convex loss (a Rosenbrock valley plus a mass pair) in joules."""
    u = x.m_as("m")
    v = t.m_as("s")
    a, b = w.m_as("kg")
    value = (1.0 - u) ** 2 + 10.0 * (v - u * u) ** 2 + (a - 0.5 * v) ** 2 + 2.0 * (b + a * u) ** 2
    return Q_(value, "J")


def jac(x, t, w):
    u, v = x.m_as("m"), t.m_as("s")
    a, b = w.m_as("kg")
    r1, r2, r3, r4 = 1.0 - u, v - u * u, a - 0.5 * v, b + a * u
    gu = -2 * r1 - 40.0 * r2 * u + 4.0 * r4 * a
    gv = 20.0 * r2 - r3
    ga = 2 * r3 + 4.0 * r4 * u
    gb = 4.0 * r4
    return {"x": Q_(gu, "J/m"), "t": Q_(gv, "J/s"), "w": Q_([ga, gb], "J/kg")}


X0 = {"x": Q_(-0.8, "m"), "t": Q_(1.5, "s"), "w": Q_([0.3, -0.2], "kg")}


def run(method, units, loss_unit):
    x0 = {k: q.to(units[k]) for k, q in X0.items()}
    return ud.minimize(loss, x0, method=method, jac=jac, loss_units=loss_unit)


REFERENCE = {m: run(m, {"x": "m", "t": "s", "w": "kg"}, "J") for m in ("bfgs", "lbfgs")}


def as_base(history):
    return {k: history.x[k].m_as(u) for k, u in (("x", "m"), ("t", "s"), ("w", "kg"))}


@pytest.mark.parametrize("method", ["bfgs", "lbfgs"])
def test_reference_run_solves_it(method):
    ref = REFERENCE[method]
    assert ref.success
    assert ref.x["x"].m_as("m") == pytest.approx(1.0, abs=1e-5)
    assert ref.x["t"].m_as("s") == pytest.approx(1.0, abs=1e-5)
    assert ref.fun.m == pytest.approx(0.0, abs=1e-10)


@settings(max_examples=12, derandomize=True, deadline=None)
@given(method=st.sampled_from(["bfgs", "lbfgs"]), lx=st.sampled_from(LENGTHS),
       lt=st.sampled_from(TIMES), lw=st.sampled_from(MASSES), le=st.sampled_from(ENERGIES))
def test_same_iterates_in_any_units(method, lx, lt, lw, le):
    ref = REFERENCE[method]
    res = run(method, {"x": lx, "t": lt, "w": lw}, le)
    assert (res.nit, res.nfev, res.njev) == (ref.nit, ref.nfev, ref.njev)
    assert res.status == ref.status
    got, want = as_base(res.history), as_base(ref.history)
    for k in want:
        scale = np.max(np.abs(want[k]))
        np.testing.assert_allclose(got[k], want[k], rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(res.history.loss.m_as("J"), ref.history.loss.m_as("J"),
                               rtol=1e-9, atol=1e-12 * abs(ref.history.loss[0].m_as("J")))
    # results come back in the units the user chose
    assert res.x["x"].units == ud.ureg(lx).units and res.fun.units == ud.ureg(le).units


@settings(max_examples=8, derandomize=True, deadline=None)
@given(method=st.sampled_from(["bfgs", "lbfgs"]),
       exps=st.lists(st.integers(-9, 9), min_size=4, max_size=4))
def test_same_iterates_under_power_of_ten_rescaling(method, exps):
    """The fast path with per-entry factors 10^k (k in −9..9): the nm/km situation."""
    from unitdescent.testing import get

    p = get("wood")
    c = 10.0 ** np.array(exps, dtype=float)

    def run_scaled(c):
        obj = ud.Objective(lambda v: p.fun(v * c), params="m", loss="",
                           jac=lambda v: p.grad(v * c) * c)
        return ud.minimize(obj, Q_(p.x0 / c, "m"), method=method)

    ref, res = run_scaled(np.ones(4)), run_scaled(c)
    assert (res.nit, res.nfev) == (ref.nit, ref.nfev) and ref.success
    np.testing.assert_allclose(res.history.x.m * c, ref.history.x.m, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("method", ["bfgs", "lbfgs"])
@pytest.mark.parametrize("name", ["rosenbrock", "brown_badly_scaled", "beale", "wood",
                                  "biggs_exp6", "watson_6", "ext_rosenbrock_100"])
def test_power_of_two_unit_factors_give_bit_identical_iterates(name, method):
    """With factors 2^k every floating-point operation scales exactly, so an exactly
    invariant method must take bit-identical steps (no start entry is 0 here, or all are)."""
    from unitdescent.testing import get

    p = get(name)
    c = 2.0 ** np.random.default_rng(7).integers(-30, 31, p.n)

    def run_scaled(c):
        obj = ud.Objective(lambda v: p.fun(v * c), params="m", loss="",
                           jac=lambda v: p.grad(v * c) * c)
        return ud.minimize(obj, Q_(p.x0 / c, "m"), method=method)

    ref, res = run_scaled(np.ones(p.n)), run_scaled(c)
    assert ref.success and (res.nit, res.nfev) == (ref.nit, ref.nfev)
    assert np.array_equal(res.history.x.m * c, ref.history.x.m)
