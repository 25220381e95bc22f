"""The one-time hyperparameter check: rejection cases with their messages, and lr_units."""

import warnings

import numpy as np
import pytest

import unitdescent as ud
from core_problems import LR_SGD, X0, Q_, quadratic, quadratic_jac


def run(method="gd", x0=X0, **opts):
    return ud.minimize(quadratic, x0, method=method, jac=quadratic_jac, maxiter=3, **opts)


def test_wrong_lr_units_names_parameter_expected_got_and_fix():
    with pytest.raises(ud.UnitsError) as exc:
        run(lr={"x": Q_(0.1, "m"), "t": Q_(0.1, "s**2")})
    e = exc.value
    assert e.what == "gd lr for parameter 'x'"
    assert e.expected == ud.ureg.Unit("cm**2") and e.got == ud.ureg.m
    assert str(e) == ("gd lr for parameter 'x': expected units centimeter ** 2, got meter. "
                      "Fix: give lr in centimeter ** 2, e.g. lr=0.001 * ureg('centimeter ** 2') "
                      "(for parameter in centimeter, loss in dimensionless)")


def test_scalar_lr_over_mixed_units_suggests_a_dict():
    with pytest.raises(ud.SharedHyperparameterError) as exc:
        run(lr=Q_(0.1, "m**2"))
    msg = str(exc.value)
    assert "'x' needs centimeter ** 2" in msg and "'t' needs minute ** 2" in msg
    assert "lr={'x':" in msg


def test_bare_lr_rejected_unless_as_given_with_a_warning():
    with pytest.raises(ud.BareNumberError, match="bare number"):
        run(lr={"x": 0.1, "t": 0.1})
    with pytest.warns(ud.UnitsWarning, match="depends on that choice of units"):
        res = run(lr=0.1, bare="as-given")
    assert res.nit == 3
    with pytest.raises(ud.InputError, match="bare must be"):
        run(lr=LR_SGD, bare="yes")


def test_as_given_depends_on_units_and_units_do_not():
    """The teaching point: a bare lr gives different paths in m and cm; an lr with units does not."""

    def loss(x):
        return ((x - Q_(1.0, "m")) / Q_(1.0, "m")) ** 2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ud.UnitsWarning)
        in_m = ud.minimize(loss, Q_(0.0, "m"), method="gd", lr=0.1, bare="as-given", maxiter=5,
                           scales=Q_(1, "m"))
        in_cm = ud.minimize(loss, Q_(0.0, "cm"), method="gd", lr=0.1, bare="as-given", maxiter=5,
                            scales=Q_(1, "m"))
    assert abs(in_m.x.m_as("m") - in_cm.x.m_as("m")) > 0.5
    a = ud.minimize(loss, Q_(0.0, "m"), method="gd", lr=Q_(0.1, "m**2"), maxiter=5, scales=Q_(1, "m"))
    b = ud.minimize(loss, Q_(0.0, "cm"), method="gd", lr=Q_(0.1, "m**2"), maxiter=5, scales=Q_(1, "m"))
    assert a.x.m_as("m") == pytest.approx(b.x.m_as("m"), rel=1e-9)


def test_unit_strings_and_dimensionless_ratios_are_accepted():
    res = run(lr={"x": "1e-5 m**2", "t": "0.4 s**2"})
    assert res.nit == 3
    res = ud.minimize(lambda x: (x / Q_(1, "m")) ** 2, Q_(1.0, "m"), method="gd", lr="0.5 m**2")
    assert res.x.m == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ud.UnknownUnitError, match="'meters2'"):
        run(lr={"x": "1e-5 meters2", "t": "0.4 s**2"})


def test_nan_and_inf_are_rejected_before_any_work():
    with pytest.raises(ud.InputError, match="lr for parameter 't' is not finite"):
        run(lr={"x": Q_(0.1, "m**2"), "t": Q_(np.nan, "s**2")})
    with pytest.raises(ud.InputError, match=r"x0\['x'\] is not finite"):
        run(x0={"x": Q_(np.inf, "m"), "t": Q_(1.0, "s")}, lr=LR_SGD)


def test_per_parameter_dicts_must_name_every_parameter_and_match_shapes():
    with pytest.raises(ud.InputError, match="missing \\['t'\\]"):
        run(lr={"x": Q_(0.1, "m**2")})
    with pytest.raises(ud.InputError, match="no parameter named \\['y'\\]"):
        run(lr={"x": Q_(0.1, "m**2"), "t": Q_(0.1, "s**2"), "y": 1})
    with pytest.raises(ud.InputError, match="does not match the parameter's shape"):
        run(lr={"x": Q_(np.ones(3) * 0.1, "m**2"), "t": Q_(0.1, "s**2")})


def test_adam_signature():
    with pytest.raises(ud.UnitsError, match="adam lr for parameter 'x': expected units centimeter"):
        run("adam", lr={"x": Q_(0.1, "m**2"), "t": Q_(0.1, "s")})
    with pytest.raises(ud.UnitsError, match="adam eps for parameter 'x': expected units 1 / centimeter"):
        run("adam", lr={"x": Q_(0.1, "m"), "t": Q_(0.1, "s")}, eps={"x": Q_(1e-8, "m"), "t": Q_(1e-8, "1/s")})
    res = run("adam", lr={"x": Q_(0.1, "m"), "t": Q_(0.1, "s")}, eps={"x": "1e-8/m", "t": "1e-8/s"})
    assert res.nit == 3
    with pytest.raises(ud.InputError, match="beta1"):
        run("adam", lr={"x": Q_(0.1, "m"), "t": Q_(0.1, "s")}, beta1=1.5)
    with pytest.raises(ud.UnitsError, match="momentum beta for parameter 'x': expected units dimensionless, got meter"):
        run("momentum", lr=LR_SGD, beta=Q_(0.9, "m"))


def test_preconditioner_blocks_checked_one_by_one():
    good = {("x", "x"): Q_(0.1, "m**2"), ("t", "t"): Q_(0.4, "s**2"), ("x", "t"): Q_(0.0, "m*s")}
    assert run("preconditioned", P=good).nit == 3
    bad = dict(good)
    bad[("x", "t")] = Q_(0.01, "m**2")
    with pytest.raises(ud.UnitsError) as exc:
        run("preconditioned", P=bad)
    assert "block ('x', 't')" in str(exc.value) and "centimeter * minute" in str(exc.value)
    with pytest.raises(ud.InputError, match="pairs of parameter names"):
        run("preconditioned", P={("x", "y"): Q_(1, "m**2")})
    with pytest.raises(ud.InputError, match="symmetric"):
        run("preconditioned", P={**good, ("t", "x"): Q_(1.0, "m*s")})


@pytest.mark.parametrize("params, loss, rule, expected", [
    ("m", None, "sgd", "m**2"),
    ("m", "J", "sgd", "m**2/J"),
    ("s", "kg", "momentum", "s**2/kg"),
    ("mg/L", None, "adam", "mg/L"),
    ("N/m", "J", "rmsprop", "N/m"),
    ("K", "W", "preconditioned", ""),
])
def test_lr_units(params, loss, rule, expected):
    assert ud.lr_units(params, loss, rule) == ud.ureg.Unit(expected)


def test_lr_units_dict_and_hyperparameter_names():
    out = ud.lr_units({"a": "m", "k": "N/m"}, "J", "sgd")
    assert out == {"a": ud.ureg.Unit("m**2/J"), "k": ud.ureg.Unit("N**2/m**2/J")}
    assert ud.lr_units("m", "J", "adam", name="eps") == ud.ureg.Unit("J/m")
    with pytest.raises(ud.UnknownOptionError, match="rule"):
        ud.lr_units("m", None, "sdg")
    with pytest.raises(ud.UnknownUnitError):
        ud.lr_units("meterz", None)


def test_lr_units_and_engine_agree():
    """One source of truth: the units lr_units names are exactly what the engine accepts."""
    need = ud.lr_units({"x": "cm", "t": "min"}, None, "sgd")
    res = run(lr={k: Q_(0.1, u) for k, u in need.items()})
    assert res.nit == 3


def test_a_dimensionless_hyperparameter_with_units_is_told_to_be_a_plain_number():
    import numpy as np

    import unitdescent as ud

    Q_ = ud.ureg.Quantity
    with pytest.raises(ud.UnitsError, match=r"newton lr for x: expected units dimensionless, got "
                                            r"meter\. Fix: give lr as a plain number, e\.g\. lr=0\.5"):
        ud.minimize(lambda x: np.sum((x / Q_(1.0, "m")) ** 2), Q_(np.ones(2), "m"),
                    method="newton", lr=Q_(1.0, "m"))
