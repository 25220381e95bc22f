"""Bad input of every kind gets a clear error that names the culprit.

Never a traceback from deep inside numpy or pint, never a silently wrong result: each case
here once did one of those (found by probing the public API with wrong types, shapes and
values).
"""

import numpy as np
import pytest

import unitdescent as ud

Q_ = ud.ureg.Quantity
X0 = Q_(np.array([1.0, 2.0]), "m")


def loss(x):
    return np.sum((x / Q_(1.0, "m")) ** 2)


def joules(x):
    return np.sum((x / Q_(1.0, "m")) ** 2) * Q_(1.0, "J")


# -- x0 ----------------------------------------------------------------------------------
@pytest.mark.parametrize("x0, message", [
    (Q_(np.array([]), "m"), r"x0 is empty \(shape \(0,\)\); every parameter needs at least one"),
    (Q_(np.array([1 + 1j, 2.0]), "m"), r"x0 is complex .*works with real numbers"),
    (None, r"x0 is None"),
    (True, r"x0 is True, a bool; expected a number"),
    ([Q_(1.0, "m"), Q_(2.0, "m")], r"x0 is a list of Quantities.*Quantity.from_list"),
    (np.array([Q_(1.0, "m"), Q_(2.0, "m")], dtype=object),
     r"x0 is a NumPy array of Quantities.*ureg.Quantity\(\[1.0, 2.0\], 'm'\)"),
    (Q_(np.array([1.0, np.nan]), "m"), r"x0 is not finite at index \(1,\): nan"),
])
def test_bad_x0_is_named(x0, message):
    with pytest.raises(ud.InputError, match=message):
        ud.minimize(loss, x0)


def test_empty_and_complex_x0_for_the_curvature_functions():
    with pytest.raises(ud.InputError, match="x0 is empty"):
        ud.hessian(joules, Q_(np.array([]), "m"))
    with pytest.raises(ud.InputError, match="x0 is complex"):
        ud.characteristic_scales(joules, Q_(np.array([1j, 1.0]), "m"))


def test_integer_arrays_and_quantities_of_lists_are_fine():
    for x0 in (Q_(np.array([1, 2]), "m"), Q_([1.0, 2.0], "m")):
        res = ud.minimize(loss, x0)
        assert res.success and res.x.units == ud.ureg.m
        assert np.abs(res.x.m_as("m")).max() < 1e-8


# -- the loss, jac and hess ---------------------------------------------------------------
@pytest.mark.parametrize("value, message", [
    (None, r"loss function 'f' returned None.*return statement"),
    ("a", r"loss function 'f' returned the text 'a'"),
    (1 + 1j, r"loss function 'f' returned complex \(\(1\+1j\)\)"),
])
def test_a_loss_returning_a_non_number_is_named(value, message):
    def f(x):
        return value

    with pytest.raises(ud.InputError, match=message):
        ud.minimize(f, X0)


def test_a_loss_whose_arguments_do_not_match_x0():
    def f(y, t):
        return 1.0

    with pytest.raises(ud.InputError, match=r"loss function 'f' is called as f\(\*\*x0\) with "
                                            r"the arguments x, t, which its signature f\(y, t\)"
                                            r".*Fix: name its arguments after x0's keys"):
        ud.minimize(f, {"x": Q_(1.0, "m"), "t": Q_(1.0, "s")})
    with pytest.raises(ud.InputError, match=r"is called as f\(x\) with one argument, which its "
                                            r"signature f\(y, t\) does not accept.*pass x0 as a dict"):
        ud.minimize(f, Q_(1.0, "m"))
    with pytest.raises(ud.InputError, match=r"x0 is one value but the objective declares named "
                                            r"parameters \(x\); pass x0 as a dict"):
        ud.minimize(ud.Objective(lambda x: x ** 2, params={"x": "m"}), Q_(1.0, "m"))


def test_an_error_inside_the_loss_is_the_users_own_with_a_note():
    def f(x):
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError, match="boom") as info:
        ud.minimize(f, X0)
    if hasattr(info.value, "__notes__"):
        assert info.value.__notes__ == ["(raised by loss function 'f', evaluated at x0)"]


@pytest.mark.parametrize("jac, message", [
    (lambda x: None, r"jac for x returned None"),
    (lambda x: Q_(np.array([1j, 1.0]), "1/m"), r"jac for x returned complex"),
])
def test_a_jac_returning_a_non_number_is_named(jac, message):
    with pytest.raises(ud.InputError, match=message):
        ud.minimize(loss, X0, jac=jac)


def test_a_hess_returning_none_is_named():
    with pytest.raises(ud.InputError, match=r"hess block \('x', 'x'\) is None"):
        ud.minimize(loss, X0, method="newton", hess=lambda x: None)


# -- hyperparameters and options -----------------------------------------------------------
@pytest.mark.parametrize("method, lr", [
    ("gd", Q_(-0.1, "m**2")), ("momentum", Q_(-0.1, "m**2")), ("adam", Q_(-0.1, "m")),
    ("gd", Q_(0.0, "m**2")),
])
def test_a_rate_that_is_not_positive_is_refused(method, lr):
    # before: gd and adam ran 1000 iterations uphill and returned a point 1e79 m away
    with pytest.raises(ud.InputError, match=rf"{method} lr must be > 0, got -?0\.?1?.*climbs"):
        ud.minimize(loss, X0, method=method, lr=lr)


def test_a_complex_rate_is_named():
    with pytest.raises(ud.InputError, match=r"gd lr for x is complex \(0.1j\)"):
        ud.minimize(loss, X0, method="gd", lr=Q_(0.1j, "m**2"))


def test_a_hyperparameter_given_as_none_is_named():
    with pytest.raises(ud.InputError, match=r"v for x is None"):
        ud.hvp(joules, X0, None)
    with pytest.raises(ud.InputError, match=r"newton lr \(the first trial step, dimensionless\) "
                                            r"must be > 0, got None"):
        ud.minimize(loss, X0, method="newton", lr=None)


@pytest.mark.parametrize("call, message", [
    (lambda: ud.minimize(loss, X0, throw="yes"), r"throw must be True or False, got 'yes'"),
    (lambda: ud.minimize(loss, X0, method="momentum", lr=Q_(0.1, "m**2"), nesterov="no"),
     r"momentum nesterov must be True or False, got 'no'"),
    (lambda: ud.minimize(loss, X0, method="newton", line_search="off"),
     r"newton line_search must be True or False, got 'off'"),
])
def test_a_flag_given_as_text_is_refused(call, message):
    # 'no' and 'off' are truthy strings: they used to switch the option on
    with pytest.raises(ud.InputError, match=message):
        call()


def test_lr_units_with_a_rule_that_is_not_a_name():
    with pytest.raises(ud.InputError, match=r"rule must be a method name such as 'sgd'"):
        ud.lr_units("m", "J", rule=3)


def test_a_large_finite_gradient_stops_the_run_without_a_numpy_warning():
    # g·g overflows while g is finite: the engine must not leak numpy's overflow warning
    def f(x):  # f ≈ 2e158, g ≈ 2e154 per entry: g·g ≈ 8e308 overflows
        return np.sum((x / Q_(1.0, "m")) ** 2) * 1e150

    res = ud.minimize(f, Q_(np.array([1e4, 1e4]), "m"), method="gd", lr=Q_(1e-160, "m**2"),
                      maxiter=3, xtol_rel=0.0)
    assert res.nit == 3 and np.all(np.isfinite(res.jac.m))


def test_an_error_in_the_callback_says_where_it_came_from():
    def callback(intermediate):
        raise KeyError("oops")

    with pytest.raises(KeyError, match="oops") as info:
        ud.minimize(loss, X0, callback=callback)
    if hasattr(info.value, "__notes__"):
        assert "raised by the callback at iteration 1" in info.value.__notes__[0]


# -- fit and least_squares -----------------------------------------------------------------
T = Q_(np.linspace(0.0, 4.0, 9), "s")
Y = Q_(2.0, "V") * np.exp(-Q_(0.5, "1/s") * T)
P0 = {"A": Q_(1.0, "V"), "k": Q_(1.0, "1/s")}


def decay(t, A, k):
    return A * np.exp(-k * t)


@pytest.mark.parametrize("kwargs, message", [
    (dict(y=Y[:0], x=T[:0]), r"y is empty \(shape \(0,\)\); a fit needs data points"),
    (dict(y=Y * (1 + 1j)), r"y is complex"),
    (dict(y=np.array([Q_(v, "V") for v in Y.m], dtype=object)), r"y is a NumPy array of Quantities"),
    (dict(sigma=Q_(0.1j, "V")), r"sigma is complex \(0.1j\)"),
    (dict(model=lambda t, A, k: None), r"model '<lambda>' returned None"),
    (dict(model=lambda t, A, k: "x"), r"model '<lambda>' returned the text 'x'"),
    (dict(model=lambda t, A, k: decay(t, A, k) * (1 + 0j)), r"model '<lambda>' returned complex"),
    (dict(model=lambda t, A, b: A * np.exp(-b * t)),
     r"model '<lambda>' is called as model\(x, A=…, k=…\) with the names of p0"),
    (dict(jac=lambda t, A, k: {"A": np.exp(-k * t) * (1 + 0j), "k": -A * t * np.exp(-k * t)}),
     r"jac for parameter 'A' returned complex"),
    (dict(absolute_sigma="yes"), r"absolute_sigma must be True or False, got 'yes'"),
])
def test_bad_fit_input_is_named(kwargs, message):
    args = dict(model=decay, x=T, y=Y, p0=P0)
    args.update(kwargs)
    model, x, y, p0 = (args.pop(k) for k in ("model", "x", "y", "p0"))
    with pytest.raises(ud.InputError, match=message):
        ud.fit(model, x, y, p0, **args)


@pytest.mark.parametrize("residuals, message", [
    (lambda x: "a", r"residual function '<lambda>' returned the text 'a'"),
    (lambda x: np.array([1j * x.m]), r"residual function '<lambda>' returned complex"),
    (lambda x: np.ones(int(abs(x.m)) % 3 + 1) * x.m,
     r"returned \d residuals here and 1 at x0; it must return the same number at every point"),
])
def test_bad_residuals_are_named(residuals, message):
    with pytest.raises(ud.InputError, match=message):
        ud.least_squares(residuals, Q_(3.0, "m"))


def test_no_degrees_of_freedom_gives_infinite_errors_without_a_warning():
    # two residuals, two parameters: the scatter cannot be estimated (was: a numpy
    # 'invalid value' warning from 0·inf)
    res = ud.least_squares(lambda x: x - 1.0, [3.0, 2.0])
    assert np.allclose(res.params["x"].m, [1.0, 1.0])
    assert np.all(np.isinf(res.stderr["x"].m))


def test_a_rule_class_instead_of_a_name_or_a_configured_rule():
    with pytest.raises(ud.InputError, match=r"method=GD is the rule's class; give its name, "
                                            r"method='gd', or a configured rule"):
        ud.minimize(loss, X0, method=ud.rules.GD)


@pytest.mark.parametrize("option", ["maxiter", "xtol_rel", "ftol_rel"])
def test_a_bool_is_not_a_count_or_a_tolerance(option):
    # maxiter=True used to run one iteration, xtol_rel=True to stop at once
    with pytest.raises(ud.InputError, match=rf"{option} must be .*got True"):
        ud.minimize(loss, X0, **{option: True})


def test_unit_matrix_units_for_an_unknown_parameter_are_refused():
    H = ud.hessian(joules, X0)
    assert H.magnitude(units={"x": "cm"}) == pytest.approx(np.eye(2) * 2e-4)
    with pytest.raises(ud.InputError, match=r"units: no parameter named 'y'; the parameters are \['x'\]"):
        H.magnitude(units={"y": "cm"})  # a typo was silently ignored


def test_units_that_change_between_calls_say_how_to_fix_it():
    calls = []

    def jac(x):
        calls.append(1)
        return 2 * x / Q_(1.0, "m**2") if len(calls) < 2 else 2 * x.m  # units dropped later

    with pytest.raises(ud.UnitsError, match=r"jac for x: expected units 1 / meter, got "
                                            r"dimensionless\. its units changed between calls\. "
                                            r"Fix: return d\(loss\)/d\(x\) in units compatible"):
        ud.minimize(loss, X0, jac=jac)


def test_a_fast_path_model_returning_complex_is_named():
    model = ud.Model(lambda t, A, k: A * np.exp(-k * t) * (1 + 0j), x="s", y="V",
                     params={"A": "V", "k": "1/s"})
    with pytest.raises(ud.InputError, match=r"model '<lambda>' returned complex"):
        ud.fit(model, T, Y, P0)


def test_a_negative_step_length_for_the_preconditioned_rule_is_refused():
    with pytest.raises(ud.InputError, match=r"preconditioned lr must be > 0, got -1"):
        ud.minimize(loss, X0, method="preconditioned", P=Q_(0.1, "m**2"), lr=-1.0)


def test_fit_names_the_start_p0_not_x0():
    with pytest.raises(ud.InputError, match=r"p0\['A'\] is not finite"):
        ud.fit(decay, T, Y, {"A": Q_(np.nan, "V"), "k": Q_(1.0, "1/s")})
    model = ud.Model(decay, x="s", y="V", params={"A": "V", "k": "1/s"})
    with pytest.raises(ud.UnitsError, match=r"p0\['A'\]: expected units volt, got second\. Fix: "
                                            r".* give p0\['A'\] in units convertible to volt"):
        ud.fit(model, T, Y, {"A": Q_(1.0, "s"), "k": Q_(1.0, "1/s")})


def test_fit_x_as_a_list_of_quantities_or_without_units():
    with pytest.raises(ud.InputError, match=r"x is a list of Quantities"):
        ud.fit(decay, [Q_(v, "s") for v in T.m], Y, P0)  # was a TypeError inside the model
    with pytest.raises(ud.ModelUnitsError, match=r"Note: x has no units \(a bare array is "
                                                 r"dimensionless\)"):
        ud.fit(decay, list(T.m), Y, P0)
    res = ud.fit(lambda x, a: a * x, [1.0, 2.0, 3.0], [2.0, 4.0, 6.0], {"a": 1.0})
    assert res.params["a"].m == pytest.approx(2.0, rel=1e-9)


@pytest.mark.parametrize("low, message", [
    (Q_(np.nan, "V"), r"bounds\['A'\] low is NaN; use None \(or ±inf\) for no bound"),
    (Q_(1j, "V"), r"bounds\['A'\] low is complex"),
])
def test_bad_fit_bounds_are_named(low, message):
    # a NaN bound was read as no bound at all
    with pytest.raises(ud.InputError, match=message):
        ud.fit(decay, T, Y, P0, bounds={"A": (low, None)})


def test_a_parameter_at_zero_is_told_which_scale_to_give():
    def f(x):
        return ((x - Q_(1.0, "m")) / Q_(1.0, "m")) ** 2

    with pytest.raises(ud.InputError, match=r"need a scale for x: it is 0 at x0.*Pass "
                                            r"scales=<a typical size in centimeter>"):
        ud.minimize(f, Q_(0.0, "cm"))
    res = ud.minimize(f, Q_(0.0, "cm"), scales=Q_(1.0, "cm"))
    assert res.x.m_as("m") == pytest.approx(1.0, rel=1e-8)
