"""Tests of ud.fit / ud.least_squares: unit checks, results with units, scipy agreement, invariance."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import curve_fit

import unitdescent as ud
from unitdescent.fit import ModelUnitsError

Q_ = ud.ureg.Quantity


# -- a shared problem: exponential decay with a background, in volts and seconds -------------
def decay(t, A, k, c):
    return A * np.exp(-k * t) + c


def decay_data(seed=1, n=30, noise=0.05):
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 10.0, n)
    y = 5.0 * np.exp(-0.3 * t) + 0.5 + rng.normal(0.0, noise, n)
    sigma = noise * (1.0 + 0.5 * rng.random(n))
    return t, y, sigma


def fit_decay(t_unit="s", y_unit="V", **kw):
    t, y, sigma = decay_data()
    tq = Q_(t, "s").to(t_unit)
    yq = Q_(y, "V").to(y_unit)
    sq = Q_(sigma, "V").to(y_unit)
    p0 = {"A": Q_(4.0, "V").to(y_unit), "k": Q_(0.2, "1/s").to(1 / ud.ureg(t_unit)),
          "c": Q_(0.1, "V").to(y_unit)}
    return ud.fit(decay, tq, yq, p0, sigma=sq, **kw)


def _analytic_jac(t, A, k, c):
    e = np.exp(-k * t)
    return np.column_stack([e, -A * t * e, np.ones_like(t)])


@pytest.mark.parametrize("absolute_sigma", [False, True])
def test_agrees_with_curve_fit(absolute_sigma):
    t, y, sigma = decay_data()
    popt, pcov = curve_fit(lambda t, A, k, c: A * np.exp(-k * t) + c, t, y, p0=[4.0, 0.2, 0.1],
                           sigma=sigma, absolute_sigma=absolute_sigma, jac=_analytic_jac,
                           ftol=1e-15, xtol=1e-15, gtol=1e-15)
    res = fit_decay(absolute_sigma=absolute_sigma)
    got = [res.params["A"].m_as("V"), res.params["k"].m_as("1/s"), res.params["c"].m_as("V")]
    np.testing.assert_allclose(got, popt, rtol=1e-6)
    err = [res.stderr["A"].m_as("V"), res.stderr["k"].m_as("1/s"), res.stderr["c"].m_as("V")]
    np.testing.assert_allclose(err, np.sqrt(np.diag(pcov)), rtol=1e-6)
    cov = res.covariance.magnitude({"A": "V", "k": "1/s", "c": "V"})
    np.testing.assert_allclose(cov, pcov, rtol=1e-6, atol=1e-12 * np.abs(pcov).max())
    assert res.success and res.dof == 27
    assert res.chi2 == pytest.approx(np.sum(((y - decay(t, *popt)) / sigma) ** 2), rel=1e-9)
    assert res.redchi == pytest.approx(res.chi2 / 27)


def test_results_carry_units():
    res = fit_decay(t_unit="ms", y_unit="mV")
    assert res.params["k"].units == ud.ureg.Unit("1/ms")
    assert res.stderr["A"].units == ud.ureg.Unit("mV")
    cov_ak = res.covariance["A", "k"]
    assert cov_ak.units == ud.ureg.Unit("mV/ms")
    assert cov_ak.m == pytest.approx(res.covariance.values[0, 1])
    assert res.covariance["k", "k"].m == pytest.approx(res.stderr["k"].m ** 2)
    corr = res.correlation["A", "k"]
    assert corr.units == ud.ureg.dimensionless
    assert corr.m == pytest.approx(res.covariance["A", "k"].m
                                   / (res.stderr["A"].m * res.stderr["k"].m))
    assert np.allclose(np.diag(res.correlation.values), 1.0)
    assert res.residuals.units == ud.ureg.Unit("mV")
    assert res.residuals.shape == (30,)


def test_unit_invariance_of_decay():
    a = fit_decay("s", "V")
    b = fit_decay("ms", "mV")
    assert a.nfev == b.nfev
    for n in "Akc":
        assert b.params[n].m_as(a.params[n].units) == pytest.approx(a.params[n].m, rel=1e-8)
        assert b.stderr[n].m_as(a.stderr[n].units) == pytest.approx(a.stderr[n].m, rel=1e-8)
    units = {"A": "V", "k": "1/s", "c": "V"}
    np.testing.assert_allclose(b.covariance.magnitude(units), a.covariance.magnitude(units), rtol=1e-8)


LENGTH = ["m", "cm", "mm", "km", "inch", "ft"]
TIME = ["s", "ms", "min", "h", "us"]
VOLT = ["V", "mV", "kV", "uV"]


@settings(max_examples=12, deadline=None, derandomize=True)
@given(tu=st.sampled_from(TIME), yu=st.sampled_from(VOLT), seed=st.integers(0, 50))
def test_unit_invariance_property(tu, yu, seed):
    t, y, sigma = decay_data(seed=seed)

    def run(t_unit, y_unit):
        p0 = {"A": Q_(4.0, "V").to(y_unit), "k": Q_(0.2, "1/s").to(1 / ud.ureg(t_unit)),
              "c": Q_(0.1, "V").to(y_unit)}
        return ud.fit(decay, Q_(t, "s").to(t_unit), Q_(y, "V").to(y_unit), p0,
                      sigma=Q_(sigma, "V").to(y_unit))

    ref, other = run("s", "V"), run(tu, yu)
    assert other.nfev == ref.nfev
    units = {"A": "V", "k": "1/s", "c": "V"}
    for n, u in units.items():
        assert other.params[n].m_as(u) == pytest.approx(ref.params[n].m_as(u), rel=1e-8)
        assert other.stderr[n].m_as(u) == pytest.approx(ref.stderr[n].m_as(u), rel=1e-8)
    np.testing.assert_allclose(other.covariance.magnitude(units), ref.covariance.magnitude(units),
                               rtol=1e-8)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(lu=st.sampled_from(LENGTH), tu=st.sampled_from(TIME))
def test_pendulum_invariance_property(lu, tu):
    """Period vs length: the same g from data in any length and time units."""
    rng = np.random.default_rng(3)
    L = np.linspace(0.2, 1.5, 12)
    T = 2 * np.pi * np.sqrt(L / 9.81) * (1 + rng.normal(0, 2e-3, L.size))

    def period(L, g):
        return 2 * np.pi * np.sqrt(L / g)

    def run(lu, tu):
        return ud.fit(period, Q_(L, "m").to(lu), Q_(T, "s").to(tu),
                      {"g": Q_(9.0, "m/s**2").to(f"{lu}/{tu}**2")})

    ref, other = run("m", "s"), run(lu, tu)
    assert other.nfev == ref.nfev
    assert other.params["g"].m_as("m/s**2") == pytest.approx(ref.params["g"].m_as("m/s**2"), rel=1e-8)
    assert other.stderr["g"].m_as("m/s**2") == pytest.approx(ref.stderr["g"].m_as("m/s**2"), rel=1e-8)
    assert ref.params["g"].m_as("m/s**2") == pytest.approx(9.81, rel=5e-3)


# -- the one-time checks ------------------------------------------------------------------
def test_model_with_wrong_units_names_culprit():
    t, y, _ = decay_data()
    with pytest.raises(ModelUnitsError) as info:
        ud.fit(decay, Q_(t, "s"), Q_(y, "V"), {"A": Q_(4, "V"), "k": Q_(0.2, "1/m"), "c": Q_(0.1, "V")})
    msg = str(info.value)
    assert "model 'decay'" in msg and "parameter 'k'" in msg and "1 / second" in msg
    assert isinstance(info.value, ud.UnitsError)


def test_model_returning_other_units_is_an_error():
    t, y, _ = decay_data()

    def amplitude(t, A, k):
        return A * np.exp(-k * t)

    with pytest.raises(ModelUnitsError) as info:
        ud.fit(amplitude, Q_(t, "s"), Q_(y, "V"), {"A": Q_(1, "V*s"), "k": Q_(1, "1/s")})
    msg = str(info.value)
    assert "model 'amplitude': expected units volt, got second * volt" in msg
    assert "Likely culprit: parameter 'A' is given in second * volt" in msg

    def line(t, a, b):
        return a * t + b

    with pytest.raises(ModelUnitsError, match="parameters are a in volt, b in second"):
        ud.fit(line, Q_(t, "s"), Q_(y, "V"), {"a": Q_(1, "V"), "b": Q_(1, "V*s")})


def test_sigma_units_checked():
    t, y, s = decay_data()
    p0 = {"A": Q_(4, "V"), "k": Q_(0.2, "1/s"), "c": Q_(0.1, "V")}
    with pytest.raises(ud.UnitsError, match="sigma: expected units volt, got second"):
        ud.fit(decay, Q_(t, "s"), Q_(y, "V"), p0, sigma=Q_(s, "s"))
    with pytest.raises(ud.BareNumberError, match="sigma"):
        ud.fit(decay, Q_(t, "s"), Q_(y, "V"), p0, sigma=s)
    with pytest.raises(ud.InputError, match="sigma must be positive"):
        ud.fit(decay, Q_(t, "s"), Q_(y, "V"), p0, sigma=Q_(np.zeros_like(s), "V"))
    with pytest.raises(ud.InputError, match="sigma has shape"):
        ud.fit(decay, Q_(t, "s"), Q_(y, "V"), p0, sigma=Q_(s[:5], "V"))


def test_shape_mismatch_and_bad_p0():
    t, y, _ = decay_data()
    with pytest.raises(ud.InputError, match="returns shape"):
        ud.fit(lambda t, A: A * np.ones(3), Q_(t, "s"), Q_(y, "V"), {"A": Q_(1, "V")})
    with pytest.raises(ud.InputError, match="p0 must be a dict"):
        ud.fit(decay, Q_(t, "s"), Q_(y, "V"), [1, 2, 3])
    with pytest.raises(ud.InputError, match="starts at 0 and has no scale"):
        ud.fit(decay, Q_(t, "s"), Q_(y, "V"), {"A": Q_(4, "V"), "k": Q_(0.2, "1/s"), "c": Q_(0, "V")})
    with pytest.raises(ud.UnknownOptionError, match="Did you mean 'xtol'"):
        ud.fit(decay, Q_(t, "s"), Q_(y, "V"), {"A": Q_(4, "V"), "k": Q_(0.2, "1/s"), "c": Q_(1, "V")},
               xtoll=1e-3)


def test_zero_start_with_scales():
    t, y, s = decay_data()
    res = ud.fit(decay, Q_(t, "s"), Q_(y, "V"), {"A": Q_(4, "V"), "k": Q_(0.2, "1/s"), "c": Q_(0, "V")},
                 sigma=Q_(s, "V"), scales={"A": Q_(1, "V"), "k": Q_(0.1, "1/s"), "c": Q_(100, "mV")})
    ref = fit_decay()
    assert res.params["c"].m_as("V") == pytest.approx(ref.params["c"].m_as("V"), rel=1e-7)


def test_nan_rows_named_or_omitted():
    t, y, s = decay_data()
    y = y.copy()
    y[[3, 17]] = np.nan
    p0 = {"A": Q_(4, "V"), "k": Q_(0.2, "1/s"), "c": Q_(0.1, "V")}
    with pytest.raises(ud.InputError, match=r"2 row\(s\): 3, 17.*nan_policy='omit'"):
        ud.fit(decay, Q_(t, "s"), Q_(y, "V"), p0, sigma=Q_(s, "V"))
    res = ud.fit(decay, Q_(t, "s"), Q_(y, "V"), p0, sigma=Q_(s, "V"), nan_policy="omit")
    keep = np.isfinite(y)
    ref = ud.fit(decay, Q_(t[keep], "s"), Q_(y[keep], "V"), p0, sigma=Q_(s[keep], "V"))
    assert res.dof == 25 and res.residuals.shape == (28,)
    for n in "Akc":
        assert res.params[n].m == pytest.approx(ref.params[n].m, rel=1e-12)
    t2 = t.copy()
    t2[5] = np.inf
    with pytest.raises(ud.InputError, match=r"1 row\(s\): 5\."):
        ud.fit(decay, Q_(t2, "s"), Q_(decay_data()[1], "V"), p0)


def _cooling(offset=True):
    rng = np.random.default_rng(7)
    t = np.linspace(0, 60, 25)
    T = 293.15 + 60 * np.exp(-t / 15) + rng.normal(0, 0.2, t.size)

    def newton(t, Tenv, dT, tau):
        return Tenv + dT * np.exp(-t / tau)

    return Q_(t, "min"), Q_(T, "K"), newton


def test_offset_units_handled():
    t, TK, newton = _cooling()
    ref = ud.fit(newton, t, TK, {"Tenv": Q_(290, "K"), "dT": Q_(50, "K"), "tau": Q_(10, "min")},
                 sigma=Q_(0.2, "K"))
    TC = TK.to("degC")
    res = ud.fit(newton, t, TC, {"Tenv": Q_(17, "degC"), "dT": Q_(50, "K"), "tau": Q_(10, "min")},
                 sigma=Q_(0.2, "delta_degC"))
    assert res.params["Tenv"].units == ud.ureg.Unit("degC")
    assert res.params["Tenv"].to("K").m == pytest.approx(ref.params["Tenv"].m, rel=1e-9)
    assert res.stderr["Tenv"].units == ud.ureg.Unit("delta_degC")
    assert res.stderr["Tenv"].m == pytest.approx(ref.stderr["Tenv"].m, rel=1e-7)
    assert res.residuals.units == ud.ureg.Unit("delta_degC")
    np.testing.assert_allclose(res.residuals.m, ref.residuals.m, atol=1e-9)
    assert res.params["Tenv"].m == pytest.approx(20.0, abs=0.5)


def test_offset_sigma_rejected():
    t, TK, newton = _cooling()
    with pytest.raises(ud.UnitsError, match="a difference of two values"):
        ud.fit(newton, t, TK.to("degC"), {"Tenv": Q_(17, "degC"), "dT": Q_(50, "K"), "tau": Q_(10, "min")},
               sigma=Q_(0.2, "degC"))


def test_offset_x_arithmetic_is_a_clear_error():
    t, TK, _ = _cooling()

    def linear(T, a, b):
        return a * T + b

    with pytest.raises(ModelUnitsError, match="offset"):
        ud.fit(linear, TK.to("degC"), Q_(np.ones(25), "m"), {"a": Q_(1, "m/K"), "b": Q_(1, "m")})


def test_user_jac_matches_finite_differences():
    t, y, s = decay_data()

    def jac(t, A, k, c):
        e = np.exp(-k * t)
        return {"A": e, "k": -A * t * e, "c": np.ones(t.shape) * Q_(1.0, "")}

    p0 = {"A": Q_(4, "V"), "k": Q_(0.2, "1/s"), "c": Q_(0.1, "V")}
    res = ud.fit(decay, Q_(t, "s"), Q_(y, "V"), p0, sigma=Q_(s, "V"), jac=jac)
    ref = fit_decay()
    for n in "Akc":
        assert res.params[n].m_as(ref.params[n].units) == pytest.approx(ref.params[n].m, rel=1e-8)
        assert res.stderr[n].m_as(ref.stderr[n].units) == pytest.approx(ref.stderr[n].m, rel=1e-6)
    assert res.njev <= res.nfev < ref.nfev

    def bad_jac(t, A, k, c):
        return {"A": np.exp(-k * t), "k": A / t[1:].mean(), "c": np.ones(t.shape) * Q_(1.0, "")}

    with pytest.raises(ud.UnitsError, match="jac for parameter 'k'"):
        ud.fit(decay, Q_(t, "s"), Q_(y, "V"), p0, jac=bad_jac)


def test_fast_model_matches_quantity_path():
    t, y, s = decay_data()
    m = ud.Model(lambda t, A, k, c: A * np.exp(-k * t) + c, x="ms", y="mV",
                 params={"A": "mV", "k": "1/ms", "c": "mV"})
    res = ud.fit(m, Q_(t, "s"), Q_(y, "V"), {"A": Q_(4, "V"), "k": Q_(0.2, "1/s"), "c": Q_(0.1, "V")},
                 sigma=Q_(s, "V"))
    ref = fit_decay()
    assert res.nfev == ref.nfev
    for n in "Akc":
        assert res.params[n].m_as(ref.params[n].units) == pytest.approx(ref.params[n].m, rel=1e-8)
        assert res.params[n].units == ref.params[n].units  # results in the units of p0
    with pytest.raises(ud.UnitsError, match="x: expected units millisecond, got meter"):
        ud.fit(m, Q_(t, "m"), Q_(y, "V"), {"A": Q_(4, "V"), "k": Q_(0.2, "1/s"), "c": Q_(0.1, "V")})


def test_bounds_with_units():
    t, y, s = decay_data()
    p0 = {"A": Q_(4, "V"), "k": Q_(0.2, "1/s"), "c": Q_(0.1, "V")}
    res = ud.fit(decay, Q_(t, "s"), Q_(y, "V"), p0, sigma=Q_(s, "V"),
                 bounds={"k": (Q_(0.05, "1/s"), Q_(250, "1/ks"))})
    assert res.method == "trf" and res.success
    assert res.params["k"].m_as("1/s") == pytest.approx(0.25, abs=1e-9)
    free = fit_decay(bounds={"k": (Q_(0, "1/s"), None)})
    ref = fit_decay()
    assert free.params["k"].m == pytest.approx(ref.params["k"].m, rel=1e-7)
    with pytest.raises(ud.UnitsError, match=r"bounds\['k'\] low"):
        ud.fit(decay, Q_(t, "s"), Q_(y, "V"), p0, bounds={"k": (Q_(0, "m"), None)})
    with pytest.raises(ud.InputError, match="outside its bounds"):
        ud.fit(decay, Q_(t, "s"), Q_(y, "V"), p0, bounds={"k": (Q_(1, "1/s"), None)})
    with pytest.raises(ud.InputError, match="cannot take bounds"):
        ud.fit(decay, Q_(t, "s"), Q_(y, "V"), p0, bounds={"k": (Q_(0, "1/s"), None)}, method="lm")


def test_several_independent_variables():
    rng = np.random.default_rng(5)
    V = Q_(rng.uniform(1, 5, 20), "L")
    n = Q_(rng.uniform(0.1, 1, 20), "mol")
    T = 300.0 * 8.314 * n.m / V.m * (1 + rng.normal(0, 1e-3, 20))
    p = Q_(T, "kPa")

    def ideal_gas(x, R, T):
        V, n = x
        return n * R * T / V

    res = ud.fit(ideal_gas, (V, n), p, {"R": Q_(8, "J/mol/K"), "T": Q_(280, "K")})
    assert res.covariance["R", "T"].units == ud.ureg.Unit("J/mol")
    # R and T are not separately identifiable: only R·T is; the covariance says so
    assert abs(res.correlation["R", "T"].m) > 0.99
    rt = (res.params["R"] * res.params["T"]).m_as("J/mol")
    assert rt == pytest.approx(300 * 8.314, rel=1e-3)


def test_least_squares_with_units():
    def resid(a, b):
        return Q_([1.0, 2.0, 3.0], "s") * a + b - Q_([2.0, 4.1, 5.9], "m")

    res = ud.least_squares(resid, {"a": Q_(1, "m/s"), "b": Q_(1, "cm")})
    A = np.column_stack([[1.0, 2, 3], np.ones(3)])
    sol, rss, *_ = np.linalg.lstsq(A, [2.0, 4.1, 5.9], rcond=None)
    assert res.params["a"].m_as("m/s") == pytest.approx(sol[0], rel=1e-8)
    assert res.params["b"].m_as("m") == pytest.approx(sol[1], rel=1e-6)
    assert res.chi2.units == ud.ureg.Unit("m**2")
    assert res.chi2.m_as("m**2") == pytest.approx(rss[0], rel=1e-8)
    cov = np.linalg.inv(A.T @ A) * rss[0] / 1
    assert res.covariance["a", "b"].m_as("m**2/s") == pytest.approx(cov[0, 1], rel=1e-6)
    with pytest.raises(ud.UnitsError, match="absolute_sigma=True"):
        ud.least_squares(resid, {"a": Q_(1, "m/s"), "b": Q_(1, "cm")}, absolute_sigma=True)

    single = ud.least_squares(lambda x: x - Q_([1.0, 2.0, 3.0], "m"), Q_(10.0, "cm"))
    assert single.x.units == ud.ureg.Unit("cm")
    assert single.x.m_as("m") == pytest.approx(2.0, rel=1e-8)


def test_least_squares_dimension_error():
    with pytest.raises(ModelUnitsError, match="residual function"):
        ud.least_squares(lambda x: x - Q_([1.0, 2.0], "s"), Q_(1.0, "m"))


def test_json_round_trip():
    res = fit_decay(t_unit="ms", y_unit="mV")
    text = json.dumps(res.to_dict())
    back = ud.FitResult.from_dict(json.loads(text))
    for n in "Akc":
        assert back.params[n] == res.params[n]
        assert back.stderr[n] == res.stderr[n]
    assert back.covariance["A", "k"] == res.covariance["A", "k"]
    assert back.correlation["k", "c"].m == res.correlation["k", "c"].m
    assert back.chi2 == res.chi2 and back.dof == res.dof and back.nfev == res.nfev
    assert back.residuals.units == res.residuals.units
    np.testing.assert_array_equal(back.residuals.m, res.residuals.m)
    assert back.summary() == res.summary()
    with pytest.raises(ud.InputError, match="missing field 'params'"):
        ud.FitResult.from_dict({})


def test_json_round_trip_is_strict_json_with_no_degrees_of_freedom():
    t = Q_([0.0, 1.0], "s")
    res = ud.fit(lambda t, a, b: a + b * t, t, Q_([1.0, 3.0], "m"),
                 {"a": Q_(0.5, "m"), "b": Q_(1.0, "m/s")})
    assert res.dof == 0
    text = json.dumps(res.to_dict(), allow_nan=False)  # strict JSON: no Infinity/NaN tokens
    back = ud.FitResult.from_dict(json.loads(text))
    assert back.params["b"].m_as("m/s") == pytest.approx(2.0)
    assert np.isnan(back.redchi) or np.isinf(back.redchi)


def test_summary_text():
    res = fit_decay(t_unit="ms")
    text = res.summary()
    assert "Fit of 'decay' (Levenberg–Marquardt): success" in text
    assert "1 / millisecond" in text and "volt" in text
    assert "±" in text and "reduced χ²" in text and "correlations" in text
    assert "k, c:" in text
    assert repr(res).startswith("FitResult(\n")


def test_throw_and_max_nfev():
    with pytest.raises(ud.OptimizationError, match="max_nfev"):
        fit_decay(max_nfev=2, throw=True)
    res = fit_decay(max_nfev=2)
    assert not res.success and res.status == 0


# -- more shapes of problems --------------------------------------------------------------
def test_agrees_with_curve_fit_on_a_peak():
    rng = np.random.default_rng(9)
    x = np.linspace(-5, 5, 80)

    def peak(x, h, mu, w, b):
        return h * np.exp(-0.5 * ((x - mu) / w) ** 2) + b

    y = peak(x, 3.0, 0.4, 1.2, 0.5) + rng.normal(0, 0.05, x.size)
    popt, pcov = curve_fit(peak, x, y, p0=[2.0, 0.0, 1.0, 0.1], ftol=1e-15, xtol=1e-15, gtol=1e-15)
    res = ud.fit(lambda x, h, mu, w, b: peak(x, h, mu, w, b), Q_(x, "nm"), Q_(y, "mW"),
                 {"h": Q_(2.0, "mW"), "mu": Q_(0.1, "nm"), "w": Q_(1.0, "nm"), "b": Q_(0.1, "mW")})
    units = {"h": "mW", "mu": "nm", "w": "nm", "b": "mW"}
    got = [res.params[k].m_as(u) for k, u in units.items()]
    np.testing.assert_allclose(got, popt, rtol=1e-6)
    err = [res.stderr[k].m_as(u) for k, u in units.items()]
    np.testing.assert_allclose(err, np.sqrt(np.diag(pcov)), rtol=1e-6)


def test_vector_parameter_matches_linear_least_squares():
    rng = np.random.default_rng(4)
    x = np.linspace(0, 2, 25)
    y = 1.0 - 2.0 * x + 0.7 * x ** 2 + rng.normal(0, 0.02, x.size)

    def poly(x, c):
        return c[0] + c[1] * x + c[2] * x ** 2

    res = ud.fit(poly, Q_(x), Q_(y), {"c": Q_(np.array([0.5, -1.0, 1.0]))})
    coef, cov = np.polyfit(x, y, 2, cov="unscaled")
    rss = np.sum((np.polyval(coef, x) - y) ** 2)
    np.testing.assert_allclose(res.params["c"].m, coef[::-1], rtol=1e-7)
    np.testing.assert_allclose(res.stderr["c"].m, np.sqrt(np.diag(cov) * rss / 22)[::-1], rtol=1e-6)
    assert res.covariance["c", "c"].shape == (3, 3)
    assert "c[2]" in res.summary()


def test_two_dimensional_x_array():
    rng = np.random.default_rng(8)
    xy = Q_(rng.uniform(0, 1, (2, 40)), "m")
    z = 3.0 * xy[0].m - 1.5 * xy[1].m + 0.2 + rng.normal(0, 0.01, 40)

    def plane(p, a, b, c):
        return a * p[0] + b * p[1] + c

    res = ud.fit(plane, xy, Q_(z, "K"), {"a": Q_(1, "K/m"), "b": Q_(-1, "K/cm"), "c": Q_(1, "K")})
    assert res.params["a"].m_as("K/m") == pytest.approx(3.0, abs=0.02)
    assert res.params["b"].m_as("K/m") == pytest.approx(-1.5, abs=0.02)
    bad = xy.m.copy()
    bad[1, 6] = np.nan
    with pytest.raises(ud.InputError, match=r"1 row\(s\): 6\."):
        ud.fit(plane, Q_(bad, "m"), Q_(z, "K"), {"a": Q_(1, "K/m"), "b": Q_(-1, "K/m"), "c": Q_(1, "K")})


ENERGY = ["kJ/mol", "kcal/mol", "J/mol", "eV", "meV", "zJ"]


@settings(max_examples=6, deadline=None, derandomize=True)
@given(unit=st.sampled_from(ENERGY))
def test_arrhenius_energy_units_invariance(unit):
    """Ea per mole (with R) or per molecule (with k_B): same physics, same fit, same nfev."""
    rng = np.random.default_rng(12)
    T = Q_(np.linspace(290.0, 370.0, 9), "K")
    R = Q_(8.314462618, "J/(mol*K)")
    NA = Q_(6.02214076e23, "1/mol")
    k = Q_(2e11 * np.exp(-80e3 / (8.314462618 * T.m)) * (1 + 0.03 * rng.normal(size=9)), "1/s")

    def per_mole(T, A, Ea):
        return A * np.exp(-Ea / (R * T))

    def per_molecule(T, A, Ea):
        return A * np.exp(-Ea / (R / NA * T))

    ref = ud.fit(per_mole, T, k, {"A": Q_(1e10, "1/s"), "Ea": Q_(60.0, "kJ/mol")}, sigma=0.03 * k)
    start = Q_(60.0, "kJ/mol")
    if ud.ureg(unit).dimensionality == start.dimensionality:
        model, ea0, to_ref = per_mole, start.to(unit), 1.0
    else:
        model, ea0, to_ref = per_molecule, (start / NA).to(unit), NA
    res = ud.fit(model, T, k, {"A": Q_(1e10, "1/s"), "Ea": ea0}, sigma=0.03 * k)
    assert res.nfev == ref.nfev
    assert (res.params["Ea"] * to_ref).m_as("kJ/mol") == pytest.approx(ref.params["Ea"].m_as("kJ/mol"), rel=1e-8)
    assert (res.stderr["Ea"] * to_ref).m_as("kJ/mol") == pytest.approx(ref.stderr["Ea"].m_as("kJ/mol"), rel=1e-8)
    assert res.params["Ea"].units == ud.ureg.Unit(unit)


def test_least_squares_with_jac_and_bounds():
    data = Q_([1.0, 2.0, 3.5], "m")

    def resid(x):
        return x - data

    def jac(x):
        return Q_(np.ones((3, 1)), "")

    res = ud.least_squares(resid, Q_(50.0, "cm"), jac=jac)
    assert res.x.m_as("m") == pytest.approx(6.5 / 3, rel=1e-10)
    bounded = ud.least_squares(resid, Q_(50.0, "cm"), bounds={"x": (None, Q_(1.5, "m"))})
    assert bounded.x.m_as("m") == pytest.approx(1.5, rel=1e-9)
    assert bounded.method == "trf"


def test_offset_units_in_a_model_declaration_rejected():
    m = ud.Model(lambda t, T0: T0 + 0 * t, x="s", y="K", params={"T0": "degC"})
    with pytest.raises(ud.InputError, match="declares 'T0' in degree_Celsius"):
        ud.fit(m, Q_([1.0, 2.0, 3.0], "s"), Q_([300.0, 301.0, 299.0], "K"), {"T0": Q_(20.0, "degC")})
