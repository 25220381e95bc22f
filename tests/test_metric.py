"""The metric rule (−G⁻¹g with G in [L]/([θ_i][θ_j])) and the Armijo line search."""

import numpy as np
import pytest

import unitdescent as ud
from unitdescent.errors import InputError, UnitsError
from unitdescent.linesearch import backtracking

Q_ = ud.ureg.Quantity


def bowl(x, t):
    """(x/1 cm)² + 4(t/1 ms)² + (x/1 cm)(t/1 ms): dimensionless, minimum at 0."""
    u, v = x.m_as("cm"), t.m_as("ms")
    return u * u + 4 * v * v + u * v


def bowl_jac(x, t):
    u, v = x.m_as("cm"), t.m_as("ms")
    return {"x": Q_(2 * u + v, "1/cm"), "t": Q_(8 * v + u, "1/ms")}


H_BOWL = {("x", "x"): Q_(2.0, "1/cm**2"), ("t", "t"): Q_(8.0, "1/ms**2"),
          ("x", "t"): Q_(1.0, "1/(cm*ms)")}
X0 = {"x": Q_(3.0, "m"), "t": Q_(2.0, "s")}


def test_metric_equal_to_the_hessian_solves_a_quadratic_in_one_step():
    res = ud.minimize(bowl, X0, method="metric", metric=H_BOWL, jac=bowl_jac)
    assert res.success and res.nit == 1
    assert abs(res.x["x"].m_as("cm")) < 1e-6 and abs(res.x["t"].m_as("ms")) < 1e-6


def test_diagonal_metric_per_parameter_and_unit_matrix():
    diag = {"x": Q_(2.0, "1/cm**2"), "t": Q_(8.0, "1/ms**2")}
    res = ud.minimize(bowl, X0, method="metric", metric=diag, maxiter=200)
    assert res.success
    assert abs(res.x["x"].m_as("cm")) < 1e-4
    H = ud.hessian(bowl, X0, hess=lambda x, t: H_BOWL)
    res2 = ud.minimize(bowl, X0, method="metric", metric=H, jac=bowl_jac)
    assert res2.nit == 1


def test_metric_with_wrong_units_is_rejected():
    bad = dict(H_BOWL)
    bad[("x", "t")] = Q_(1.0, "1/cm**2")
    with pytest.raises(UnitsError, match=r"metric G block \('x', 't'\)"):
        ud.minimize(bowl, X0, method="metric", metric=bad)
    with pytest.raises(ud.BareNumberError):
        ud.minimize(bowl, X0, method="metric", metric={"x": 2.0, "t": 8.0})


def test_callable_metric_units_checked_at_x0():
    with pytest.raises(UnitsError, match=r"metric G\(x0\)"):
        ud.minimize(bowl, X0, method="metric", metric=lambda x, t: {"x": Q_(1, "1/s**2"),
                                                                    "t": Q_(1, "1/s**2")})
    res = ud.minimize(bowl, X0, method="metric", metric=lambda x, t: H_BOWL, jac=bowl_jac)
    assert res.nit == 1


def test_constant_metric_must_be_positive_definite_and_symmetric():
    indefinite = {("x", "x"): Q_(1.0, "1/cm**2"), ("t", "t"): Q_(-1.0, "1/ms**2")}
    with pytest.raises(InputError, match="positive definite"):
        ud.minimize(bowl, X0, method="metric", metric=indefinite)
    asym = {("x", "x"): Q_(1.0, "1/cm**2"), ("t", "t"): Q_(1.0, "1/ms**2"),
            ("x", "t"): Q_(0.5, "1/(cm*ms)"), ("t", "x"): Q_(0.1, "1/(cm*ms)")}
    with pytest.raises(InputError, match="symmetric"):
        ud.minimize(bowl, X0, method="metric", metric=asym)
    with pytest.raises(InputError, match="metric needs metric"):
        ud.minimize(bowl, X0, method="metric")


def test_metric_single_parameter_matrix_quantity():
    def loss(x):
        u = x.m_as("m")
        return Q_(u[0] ** 2 + 3 * u[1] ** 2, "J")

    res = ud.minimize(loss, Q_([1.0, 2.0], "m"), method="metric",
                      metric=Q_(np.diag([2.0, 6.0]), "J/m**2"))
    assert res.nit == 1 and np.allclose(res.x.m_as("m"), 0.0, atol=1e-7)


def test_engine_loss_tolerance_with_mixed_units_is_not_shared_error():
    # dims fix: [L] for parameters in cm and ms is the same unit (J), not 'J·cm⁰' vs 'J·ms⁰'
    res = ud.minimize(bowl, X0, method="metric", metric=H_BOWL, ftol=1e-30)
    assert res.success


# -- line search ---------------------------------------------------------------------------------
def test_backtracking_armijo():
    f = lambda v: float(v @ v)  # noqa: E731
    x = np.array([1.0, 1.0])
    g = 2 * x
    ls = backtracking(f, x, f(x), g, -g)  # full step overshoots to (−1, −1): same loss
    assert not ls.failed and ls.alpha == 0.5 and ls.f == 0.0 and ls.nfev == 2
    bad = backtracking(f, x, f(x), g, g)
    assert bad.failed.startswith("the search direction is not a descent direction")


def test_backtracking_backs_off_nan_and_reports_failure():
    def f(v):
        return np.nan if v[0] < 0.5 else (v[0] - 0.6) ** 2

    x = np.array([1.0])
    ls = backtracking(f, x, f(x), np.array([0.8]), np.array([-1.0]))
    assert not ls.failed and ls.x[0] >= 0.5 and ls.f < f(x)
    never = backtracking(lambda v: np.nan, x, 1.0, np.array([1.0]), np.array([-1.0]), maxiter=5)
    assert "not finite at any trial point" in never.failed and never.nfev == 5


def test_backtracking_negative_curvature_direction():
    f = lambda v: float(-v[0] ** 2)  # noqa: E731  (a saddle-like ridge at 0: g = 0)
    ls = backtracking(f, np.array([0.0]), 0.0, np.array([0.0]), np.array([1.0]), curvature=-2.0)
    assert not ls.failed and ls.alpha == 1.0 and ls.f == -1.0
