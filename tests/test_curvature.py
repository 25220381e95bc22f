"""Hessians with units, Hessian-vector products, characteristic scales and suggested rates."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import unitdescent as ud
from unitdescent.errors import InputError, UnitsError

Q_ = ud.ureg.Quantity


def mixed(x, t):
    """3(x/m)² + 2(x/m)(t/s) + 5(t/s)² + (x/m)³ J: Hessian at (1 m, 2 s) is [[12, 2], [2, 10]]."""
    u, v = x.m_as("m"), t.m_as("s")
    return Q_(3 * u * u + 2 * u * v + 5 * v * v + u ** 3, "J")


def mixed_jac(x, t):
    u, v = x.m_as("m"), t.m_as("s")
    return {"x": Q_(6 * u + 2 * v + 3 * u * u, "J/m"), "t": Q_(2 * u + 10 * v, "J/s")}


def mixed_hess(x, t):
    u = x.m_as("m")
    return {("x", "x"): Q_(6 + 6 * u, "J/m**2"), ("x", "t"): Q_(2.0, "J/(m*s)"),
            ("t", "t"): Q_(10.0, "J/s**2")}


X = {"x": Q_(100.0, "cm"), "t": Q_(2000.0, "ms")}
EXACT = np.array([[12.0, 2.0], [2.0, 10.0]])  # J/m², J/(m·s), J/s²


@pytest.mark.parametrize("kw,rtol", [
    (dict(hess=mixed_hess), 1e-14),
    (dict(jac=mixed_jac), 1e-8),
    (dict(), 1e-6),
    (dict(jac=mixed_jac, method="hvp"), 1e-8),
    (dict(method="fd-loss", jac=mixed_jac), 1e-6),
])
def test_hessian_units_and_values(kw, rtol):
    H = ud.hessian(mixed, X, **kw)
    assert isinstance(H, ud.UnitMatrix)
    assert H["x", "t"].units == ud.ureg.Unit("J/(cm*ms)")
    assert H["x", "x"].to("J/m**2").m == pytest.approx(12.0, rel=rtol)
    assert H["t", "x"].to("J/(m*s)").m == pytest.approx(2.0, rel=rtol)
    assert H["t", "t"].to("J/s**2").m == pytest.approx(10.0, rel=rtol)
    np.testing.assert_allclose(H.magnitude(units={"x": "m", "t": "s"}), EXACT, rtol=rtol)
    np.testing.assert_array_equal(H.values, H.values.T)  # symmetrised


def test_hessian_of_single_quantity_and_fast_path():
    H = ud.hessian(lambda x: Q_(np.sum(x.m_as("m") ** 4), "J"), Q_([1.0, 2.0], "m"))
    np.testing.assert_allclose(H.quantity.m_as("J/m**2"), np.diag([12.0, 48.0]), rtol=1e-6)
    obj = ud.Objective(lambda x: 0.5 * 3.0 * x * x, params="mm", loss="J")
    Hf = ud.hessian(obj, Q_(2.0, "m"))
    assert Hf.quantity.to("J/m**2").m[0, 0] == pytest.approx(3e6, rel=1e-7)


def test_hessian_user_hess_wrong_units_is_a_units_error():
    def hess(x, t):
        return {("x", "x"): Q_(1.0, "J/m"), ("t", "t"): Q_(1.0, "J/s**2")}

    with pytest.raises(UnitsError, match=r"hess block \('x', 'x'\): expected units joule / centimeter \*\* 2, got joule / meter"):
        ud.hessian(mixed, X, hess=hess)


def test_hessian_nan_is_an_input_error_naming_the_block():
    def fun(x, t):
        return Q_(np.sqrt(-1.0 + 0 * x.m_as("m")) if x.m_as("m") > 1.5 else x.m_as("m") ** 2
                  + t.m_as("s") ** 2, "J")

    with pytest.raises(InputError, match=r"not finite .* block \('x', 'x'\)"):
        with np.errstate(invalid="ignore"):
            ud.hessian(fun, {"x": Q_(1.5, "m"), "t": Q_(1.0, "s")})


def test_hessian_unknown_method():
    with pytest.raises(InputError, match="unknown Hessian method"):
        ud.hessian(mixed, X, method="exact")
    with pytest.raises(InputError, match="needs a hess"):
        ud.hessian(mixed, X, method="hess")


def test_hvp_matches_hessian_times_vector():
    v = {"x": Q_(3.0, "mm"), "t": Q_(-1.0, "ms")}
    hv = ud.hvp(mixed, X, v, jac=mixed_jac)
    exact = EXACT @ np.array([3e-3, -1e-3])
    assert hv["x"].to("J/m").m == pytest.approx(exact[0], rel=1e-8)
    assert hv["t"].to("J/s").m == pytest.approx(exact[1], rel=1e-8)
    assert hv["x"].units == ud.ureg.Unit("J/cm")
    exact_hv = ud.hvp(mixed, X, v, hess=mixed_hess)
    assert exact_hv["t"].to("J/s").m == pytest.approx(exact[1], rel=1e-14)
    with pytest.raises(UnitsError):
        ud.hvp(mixed, X, {"x": Q_(1.0, "s"), "t": Q_(1.0, "s")})


# -- characteristic scales ------------------------------------------------------------------------
UNITS = ["m", "mm", "km", "s", "ms", "h", "kg", "g", "K", "V"]


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(UNITS), st.floats(1e-3, 1e3), st.floats(-10, 10)),
                min_size=1, max_size=4))
def test_scales_proportional_to_s_i(params):
    names = [f"p{i}" for i in range(len(params))]
    s = {n: Q_(sv, u) for n, (u, sv, _) in zip(names, params)}
    c = {n: Q_(cv, u) for n, (u, _, cv) in zip(names, params)}

    def loss(**p):
        return sum(((p[n] - c[n]) / s[n]).to("") ** 2 for n in names)

    x = {n: c[n] + 0.5 * s[n] for n in names}
    # By design a parameter is "flat" when its curvature over one typical scale (|x_i|) is
    # below FLAT_REL (1e-7) of the largest: H_ii·x_i² = 2(x_i/s_i)² here. Keep the examples
    # where no parameter is flat in that documented sense (with a margin of 10).
    scaled = [2.0 * (x[n] / s[n]).to("").m ** 2 for n in names]
    assume(min(scaled) >= 1e-6 * max(max(scaled), 1.0))
    for kw in (dict(), dict(method="hvp")):
        L = ud.characteristic_scales(loss, x, **kw)
        for n in names:
            assert L[n].units == x[n].units
            assert L[n].m_as(s[n].units) == pytest.approx(s[n].m / np.sqrt(2), rel=1e-5)


def test_scales_with_loss_units_and_loss_scale():
    E0 = Q_(3.0, "J")

    def loss(x, t):
        return E0 * (((x - Q_(1, "m")) / Q_(2, "cm")) ** 2 + ((t - Q_(1, "s")) / Q_(5, "ms")) ** 2)

    x = {"x": Q_(1.01, "m"), "t": Q_(1.002, "s")}
    L = ud.characteristic_scales(loss, x, loss_scale=Q_(3000.0, "mJ"))
    assert L["x"].units == ud.ureg.m and L["t"].units == ud.ureg.s
    assert L["x"].m_as("cm") == pytest.approx(2 / np.sqrt(2), rel=1e-6)
    assert L["t"].m_as("ms") == pytest.approx(5 / np.sqrt(2), rel=1e-6)
    # a 4× larger loss scale doubles every length
    L4 = ud.characteristic_scales(loss, x, loss_scale=Q_(12.0, "J"))
    assert L4["x"].m_as("cm") == pytest.approx(2 * np.sqrt(2), rel=1e-6)
    with pytest.raises(UnitsError):
        ud.characteristic_scales(loss, x, loss_scale=Q_(1.0, "m"))
    with pytest.raises(ud.BareNumberError):
        ud.characteristic_scales(loss, x, loss_scale=1.0)


def test_scales_default_loss_scale_for_loss_with_units():
    def loss(x):
        return Q_(2.0, "J") * ((x / Q_(1, "m")).to("") ** 2 + 1.0)

    x = Q_(1.0, "m")  # f = 4 J, H = 4 J/m² → L = √(4/4) m
    L, info = ud.characteristic_scales(loss, x, hess=lambda x: Q_(4.0, "J/m**2"), full_output=True)
    assert L.m_as("m") == pytest.approx(1.0, rel=1e-12)
    assert info.loss_scale.m_as("J") == pytest.approx(4.0)
    assert info.curvature.m_as("J/m**2") == pytest.approx(4.0)
    assert info.notes == [] and info.flat is False and info.negative is False


def test_scales_default_loss_scale_poor_cases():
    def energy(x):  # an energy with an arbitrary negative zero
        return Q_(2.0, "J") * (x / Q_(1, "m")).to("") ** 2 - Q_(10.0, "J")

    with pytest.warns(ud.CurvatureWarning, match="arbitrary offset"):
        ud.characteristic_scales(energy, Q_(1.0, "m"))

    def zero_at_min(x):
        return Q_(2.0, "J") * (x / Q_(1, "m") - 1).to("") ** 2

    with pytest.raises(InputError, match="loss_scale"):
        ud.characteristic_scales(zero_at_min, Q_(1.0, "m"))


def test_scales_flat_direction_is_inf_with_a_note():
    def loss(x, t):
        return ((x / Q_(1, "m")).to("") ** 2) + 0.0 * (t / Q_(1, "s")).to("")

    x = {"x": Q_(1.0, "m"), "t": Q_(1.0, "s")}
    with pytest.warns(ud.CurvatureWarning, match="parameter 't': the loss is flat"):
        L = ud.characteristic_scales(loss, x)
    assert np.isinf(L["t"].m) and L["t"].units == ud.ureg.s
    assert L["x"].m_as("m") == pytest.approx(1 / np.sqrt(2), rel=1e-6)


def test_scales_negative_curvature_is_reported():
    def loss(x, t):
        return (x / Q_(1, "m")).to("") ** 2 - 4 * (t / Q_(1, "s")).to("") ** 2

    x = {"x": Q_(1.0, "m"), "t": Q_(1.0, "s")}
    with pytest.warns(ud.CurvatureWarning, match="parameter 't': negative curvature"):
        L, info = ud.characteristic_scales(loss, x, full_output=True)
    assert info.negative == {"x": False, "t": True}
    assert L["t"].m_as("s") == pytest.approx(np.sqrt(1 / 8), rel=1e-6)


def test_scales_principal_axes_with_units():
    # rotated valley in scaled coordinates: H = [[12, 2], [2, 10]] at (1 m, 2 s)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pa = ud.characteristic_scales(mixed, X, loss_scale=Q_(1.0, "J"), method="principal",
                                      hess=mixed_hess)
    s = np.array([1.0, 2.0])  # typical sizes: |x| in m, |t| in s
    lam = np.linalg.eigvalsh(s[:, None] * EXACT * s[None, :])[::-1]
    np.testing.assert_allclose(pa.eigenvalues.m_as("J"), lam, rtol=1e-12)
    np.testing.assert_allclose(pa.lengths, np.sqrt(1.0 / lam), rtol=1e-12)
    # each axis vector a has aᵀHa = ℓ = 1 J
    for a in pa.axes:
        v = np.array([a["x"].m_as("m"), a["t"].m_as("s")])
        assert v @ EXACT @ v == pytest.approx(1.0, rel=1e-12)
        assert a["x"].units == ud.ureg.cm and a["t"].units == ud.ureg.ms
    assert not pa.negative.any() and not pa.flat.any()


def test_scales_unknown_method():
    with pytest.raises(InputError, match="unknown method"):
        ud.characteristic_scales(mixed, X, method="eigen")


# -- suggested learning rates -----------------------------------------------------------------------
def test_suggest_lr_units_values_and_straight_into_minimize():
    def loss(x, t):
        return ((x - Q_(3, "m")) / Q_(2, "cm")).to("") ** 2 + ((t - Q_(1, "s")) / Q_(5, "ms")).to("") ** 2

    x = {"x": Q_(2.9, "m"), "t": Q_(1.1, "s")}
    lr = ud.suggest_lr(loss, x)
    assert lr["x"].units == ud.ureg.Unit("m**2") and lr["t"].units == ud.ureg.Unit("s**2")
    # separable: ρ = 1, η_i = 0.5/H_ii = 0.5·s_i²/2
    assert lr["x"].m_as("cm**2") == pytest.approx(0.25 * 4, rel=1e-6)
    assert lr["t"].m_as("ms**2") == pytest.approx(0.25 * 25, rel=1e-6)
    res = ud.minimize(loss, x, method="gd", lr=lr, maxiter=200)
    assert res.success
    assert res.x["x"].m_as("m") == pytest.approx(3.0, rel=1e-9)
    assert res.x["t"].m_as("s") == pytest.approx(1.0, rel=1e-9)


def test_suggest_lr_coupled_uses_jacobi_radius():
    lr = ud.suggest_lr(mixed, X, hess=mixed_hess, safety=1.0)
    J = EXACT / np.sqrt(np.outer(np.diag(EXACT), np.diag(EXACT)))
    rho = np.max(np.linalg.eigvalsh(J))
    assert lr["x"].to("m**2/J").m == pytest.approx(1 / (12 * rho), rel=1e-12)
    assert lr["t"].to("s**2/J").m == pytest.approx(1 / (10 * rho), rel=1e-12)
    lr_hvp = ud.suggest_lr(mixed, X, jac=mixed_jac, method="hvp", safety=1.0, probes=64)
    assert lr_hvp["t"].to("s**2/J").m == pytest.approx(1 / (10 * rho), rel=0.2)


def test_suggest_lr_single_quantity_and_adam():
    def loss(x):
        return ((x - Q_(1.0, "mm")) / Q_(10.0, "um")).to("") ** 2

    lr = ud.suggest_lr(loss, Q_(2.0, "mm"))
    assert lr.units == ud.ureg.Unit("mm**2")
    assert lr.m_as("um**2") == pytest.approx(0.5 * 100 / 2, rel=1e-6)
    res = ud.minimize(loss, Q_(2.0, "mm"), method="gd", lr=lr, maxiter=100)
    assert res.x.m_as("mm") == pytest.approx(1.0, rel=1e-9)
    lr_adam = ud.suggest_lr(loss, Q_(2.0, "mm"), rule="adam")
    assert lr_adam.units == ud.ureg.mm
    assert lr_adam.m_as("um") == pytest.approx(0.1 * 10 / np.sqrt(2), rel=1e-6)


def test_suggest_lr_rejects_rules_with_dimensionless_lr_and_bad_safety():
    with pytest.raises(InputError, match="dimensionless lr"):
        ud.suggest_lr(mixed, X, rule="newton")
    with pytest.raises(InputError, match="safety"):
        ud.suggest_lr(mixed, X, safety=-1)
    with pytest.raises(ud.UnknownOptionError):
        ud.suggest_lr(mixed, X, rule="sgdd")


def test_suggest_lr_flat_direction_gets_a_finite_rate_and_a_warning():
    def loss(x, t):
        return (x / Q_(1, "m")).to("") ** 2 + 0.0 * (t / Q_(1, "s")).to("")

    with pytest.warns(ud.CurvatureWarning, match="flat"):
        lr = ud.suggest_lr(loss, {"x": Q_(1.0, "m"), "t": Q_(2.0, "s")})
    assert np.isfinite(lr["t"].m) and lr["t"].units == ud.ureg.Unit("s**2")
    # the stiffest direction over one typical scale: 2·(1 m)² = 2 → η_t = 0.5·(2 s)²/2
    assert lr["t"].m_as("s**2") == pytest.approx(1.0, rel=1e-6)
