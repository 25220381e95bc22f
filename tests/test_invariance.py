"""Property: a unit-consistent rule gives the same physical iterates in any units.

The same physical problem is written with random unit prefixes per parameter (m/mm/km/…,
s/ms/h/…) and a loss in J or kJ; hyperparameters are given once, as physical quantities.
Iterates must agree as physical quantities to 1e-9 relative, with the same iteration count.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import unitdescent as ud
from core_problems import A, B, C, CONFORMANCE, Q_, T_STAR, X_STAR, conformance, method_of

LENGTHS = ["m", "mm", "km", "cm", "um", "ft"]
TIMES = ["s", "ms", "h", "min", "us"]
ENERGY = Q_(2.5, "J")


def energy_loss(x, t):
    dx, dt = (x - X_STAR) / A, (t - T_STAR) / B
    return ENERGY * (dx**2 + dt**2 + C * dx * dt)


def energy_jac(x, t):
    dx, dt = (x - X_STAR) / A, (t - T_STAR) / B
    return {"x": ENERGY * (2 * dx + C * dt) / A, "t": ENERGY * (2 * dt + C * dx) / B}


def physical(hist):
    return np.concatenate([hist.x["x"].m_as("m")[:, None], hist.x["t"].m_as("s")[:, None]], axis=1)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(name=st.sampled_from(sorted(CONFORMANCE)),
       ux=st.sampled_from(LENGTHS), ut=st.sampled_from(TIMES),
       loss_unit=st.sampled_from(["J", "kJ", "eV"]),
       x0=st.floats(-5.0, 5.0), t0=st.floats(-5.0, 5.0))
def test_same_physical_iterates_in_any_units(name, ux, ut, loss_unit, x0, t0):
    opts = dict(conformance(ENERGY)[name])
    opts["maxiter"] = min(opts.get("maxiter", 150), 150)
    base = {"x": Q_(x0, "m"), "t": Q_(t0, "s")}
    other = {"x": base["x"].to(ux), "t": base["t"].to(ut)}
    ref = ud.minimize(energy_loss, base, method=method_of(name), jac=energy_jac, **opts)
    alt = ud.minimize(energy_loss, other, method=method_of(name), jac=energy_jac,
                      loss_units=loss_unit, **opts)
    assert ref.nit == alt.nit
    np.testing.assert_allclose(physical(alt.history), physical(ref.history),
                               rtol=1e-9, atol=1e-9 * np.max(np.abs(physical(ref.history))))
    assert abs(alt.fun.m_as("J") - ref.fun.m_as("J")) <= 1e-9 * max(1.0, abs(ref.fun.m_as("J")))
