import numpy as np
import pint
import pytest

import unitdescent as ud
from core_problems import LR_SGD, X0, Q_, quadratic, quadratic_fast, quadratic_jac
from unitdescent.objective import FD_REL_STEP


def test_loss_units_come_from_the_first_evaluation_and_can_be_checked():
    def energy(x):
        return Q_(2.0, "N/m") * x**2

    p = ud.Objective(energy).compile(Q_(3.0, "m"))
    assert p.loss_unit == ud.ureg.Unit("N*m") and p.f0 == pytest.approx(18.0)
    p = ud.Objective(energy).compile(Q_(3.0, "m"), loss_units="mJ")
    assert p.loss_unit == ud.ureg.mJ and p.f0 == pytest.approx(18000.0)
    with pytest.raises(ud.LossUnitsError, match="expected units second, got meter \\* newton"):
        ud.Objective(energy).compile(Q_(3.0, "m"), loss_units="s")


def test_dimensional_error_in_loss_names_function_and_operation():
    def bad_model(x, t):
        return np.exp(x) + t / Q_(1, "s")

    with pytest.raises(ud.UnitsError) as exc:
        ud.minimize(bad_model, {"x": Q_(1.0, "m"), "t": Q_(1.0, "s")}, method="gd",
                    lr={"x": Q_(1, "m**2"), "t": Q_(1, "s**2")})
    msg = str(exc.value)
    assert "'bad_model'" in msg and "exp" in msg and "meter" in msg
    assert isinstance(exc.value, pint.DimensionalityError)

    def adds_m_to_s(x, t):
        return ((x + t) / Q_(1, "m")) ** 2

    with pytest.raises(ud.LossUnitsError, match="adds_m_to_s"):
        ud.Objective(adds_m_to_s).compile({"x": Q_(1.0, "m"), "t": Q_(1.0, "s")})


def test_loss_must_be_scalar_and_finite():
    with pytest.raises(ud.InputError, match="must return a scalar"):
        ud.minimize(lambda x: x**2, Q_(np.ones(3), ""), method="gd", lr=0.1)
    with pytest.raises(ud.InputError, match="at x0"):
        ud.minimize(lambda x: x * np.inf, Q_(1.0, ""), method="gd", lr=0.1)


def test_fast_path_calls_with_plain_floats_and_declares_units():
    seen = set()

    @ud.objective(params={"x": "m", "t": "s"}, loss="J")
    def energy(x, t):
        seen.add(type(x)), seen.add(type(t))
        return 3.0 * x * x + 2.0 * t * t

    res = ud.minimize(energy, {"x": Q_(50.0, "cm"), "t": Q_(1.0, "s")}, method="gd",
                      lr={"x": Q_(0.1, "m**2/J"), "t": Q_(0.1, "s**2/J")}, maxiter=200)
    assert not any(issubclass(t, pint.Quantity) for t in seen)
    assert res.fun.units == ud.ureg.J and res.x["x"].units == ud.ureg.cm
    assert res.x["x"].m == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ud.UnitsError, match="declares"):
        ud.minimize(energy, {"x": Q_(1.0, "s"), "t": Q_(1.0, "s")}, method="gd", lr=Q_(1, "s**2/J"))
    with pytest.raises(ud.InputError, match="missing in x0"):
        ud.minimize(energy, {"x": Q_(1.0, "m")}, method="gd", lr=Q_(1, "m**2/J"))


def test_fast_path_arguments_are_read_only():
    def mutating(x):
        x[0] = 0.0
        return float(np.sum(x**2))

    obj = ud.Objective(mutating, params="m", loss="")
    with pytest.raises(ValueError, match="read-only"):
        ud.minimize(obj, Q_(np.ones(2), "m"), method="gd", lr=Q_(0.1, "m**2"))


def test_jac_units_checked_on_first_call():
    def wrong_jac(x, t):
        g = quadratic_jac(x, t)
        return {"x": g["x"].m * ud.ureg.s, "t": g["t"]}

    with pytest.raises(ud.UnitsError) as exc:
        ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, jac=wrong_jac)
    assert "jac for parameter 'x'" in str(exc.value) and "1 / centimeter" in str(exc.value)

    def short_jac(x, t):
        return {"x": Q_(np.zeros(2), "1/m"), "t": quadratic_jac(x, t)["t"]}

    with pytest.raises(ud.InputError, match="shape"):
        ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, jac=short_jac)
    with pytest.raises(ud.InputError, match="one entry per parameter"):
        ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, jac=lambda x, t: {"x": Q_(0, "1/m")})


def test_jac_in_compatible_units_is_converted():
    def jac_per_cm(x, t):
        g = quadratic_jac(x, t)
        return {"x": g["x"].to("1/cm"), "t": g["t"].to("1/min")}

    a = ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, jac=jac_per_cm, maxiter=20)
    b = ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, jac=quadratic_jac, maxiter=20)
    assert a.x["x"].m == pytest.approx(b.x["x"].m, rel=1e-12)


def test_finite_difference_gradient_is_accurate_and_unit_aware():
    p = ud.Objective(quadratic).compile(X0)
    g_fd = p.grad(p.x0)
    g_exact = p.grad0() if False else None
    exact = quadratic_jac(**X0)
    # working units are x0's: cm and min
    assert g_fd[0] == pytest.approx(exact["x"].m_as("1/cm"), rel=1e-6)
    assert g_fd[1] == pytest.approx(exact["t"].m_as("1/min"), rel=1e-8)
    # steps are relative: the same physical step whatever the units
    h_cm = p.fd_steps(p.x0)
    p_m = ud.Objective(quadratic).compile({"x": Q_(0.1, "m"), "t": Q_(60.0, "s")})
    h_m = p_m.fd_steps(p_m.x0)
    assert h_cm[0] / 100 == pytest.approx(h_m[0], rel=1e-12)
    assert h_cm[0] == pytest.approx(FD_REL_STEP * 10.0)
    assert g_exact is None


def test_finite_differences_need_a_scale_at_zero():
    def loss(x, t):
        return quadratic(x, t)

    x0 = {"x": Q_(0.0, "m"), "t": Q_(1.0, "s")}
    with pytest.raises(ud.InputError, match="scales=") as exc:
        ud.minimize(loss, x0, method="gd", lr=LR_SGD)
    assert "'x'" in str(exc.value)
    res = ud.minimize(loss, x0, method="gd", lr=LR_SGD, scales={"x": Q_(1, "m"), "t": Q_(1, "s")})
    assert res.x["x"].m_as("m") == pytest.approx(3.0, rel=1e-6)


def test_loss_whose_units_change_between_calls():
    calls = {"n": 0}

    def flaky(x):
        calls["n"] += 1
        unit = "J" if calls["n"] == 1 else "s"
        return Q_(float((x / Q_(1, "m")) ** 2), unit)

    with pytest.raises(ud.LossUnitsError, match="changed between calls"):
        ud.minimize(flaky, Q_(1.0, "m"), method="gd", lr=Q_(0.1, "m**2/J"))

    calls["n"] = 0

    def to_kj(x):
        calls["n"] += 1
        e = Q_(float((x / Q_(1, "m")) ** 2), "J")
        return e if calls["n"] == 1 else e.to("kJ")

    res = ud.minimize(to_kj, Q_(1.0, "m"), method="gd", lr=Q_(0.25, "m**2/J"), maxiter=5)
    assert res.fun.units == ud.ureg.J and res.x.m == pytest.approx(0.5**5)


def test_offset_units_are_rejected_with_advice():
    with pytest.raises(ud.InputError, match="kelvin"):
        ud.minimize(lambda T: (T / Q_(1, "K")) ** 2, Q_(20.0, "degC"), method="gd", lr=Q_(1, "K**2"))


def test_fast_and_quantity_paths_agree_on_the_objective():
    fast = quadratic_fast().compile(X0)
    slow = ud.Objective(quadratic, jac=quadratic_jac).compile(X0)
    assert fast.f0 == pytest.approx(slow.f0, rel=1e-14)
    # fast path works in declared units (m, s); the slow one in x0's (cm, min)
    np.testing.assert_allclose(fast.grad(fast.x0) * np.array([0.01, 60.0]), slow.grad(slow.x0),
                               rtol=1e-12)
