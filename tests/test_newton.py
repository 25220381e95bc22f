"""Newton's method: one step on quadratics, invariance under units and affine maps, narrow
valleys, and the documented behaviour on indefinite, singular and non-finite Hessians."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import unitdescent as ud
from unitdescent.errors import InputError, UnitsError
from unitdescent.result import Status

Q_ = ud.ureg.Quantity


# -- a positive-definite quadratic in any units --------------------------------------------------
def quadratic(units):
    """½(x−c)ᵀA(x−c) + 7 J over three parameters with mixed dimensions (base units inside)."""
    A = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])  # J/(base_i·base_j)
    c = np.array([1.0, -2.0, 0.5])
    base = {"a": "m", "b": "s", "c": "kg"}

    def vec(a, b, c_):
        return np.array([a.m_as("m"), b.m_as("s"), c_.m_as("kg")])

    def fun(a, b, c):
        d = vec(a, b, c) - c_
        return Q_(0.5 * d @ A @ d + 7.0, "J")

    def jac(a, b, c):
        g = A @ (vec(a, b, c) - c_)
        return {n: Q_(g[i], f"J/{base[n]}") for i, n in enumerate(base)}

    def hess(a, b, c):
        names = list(base)
        return {(p, q): Q_(A[i, j], f"J/({base[p]}*{base[q]})")
                for i, p in enumerate(names) for j, q in enumerate(names)}

    c_ = c
    x0 = {"a": Q_(3.0, "m").to(units[0]), "b": Q_(0.5, "s").to(units[1]),
          "c": Q_(-1.0, "kg").to(units[2])}
    return fun, jac, hess, x0, c


@pytest.mark.parametrize("units", [("m", "s", "kg"), ("mm", "h", "g"), ("km", "ms", "mg")])
def test_newton_one_step_on_positive_definite_quadratic(units):
    fun, jac, hess, x0, c = quadratic(units)
    res = ud.minimize(fun, x0, method="newton", jac=jac, hess=hess)
    assert res.success and res.nit == 1, res.message
    assert "decrement" in res.message
    got = [res.x["a"].m_as("m"), res.x["b"].m_as("s"), res.x["c"].m_as("kg")]
    np.testing.assert_allclose(got, c, rtol=1e-12, atol=1e-12)
    assert res.fun.m_as("J") == pytest.approx(7.0, rel=1e-14)
    assert res.x["a"].units == ud.ureg.Unit(units[0])


@pytest.mark.parametrize("units", [("m", "s", "kg"), ("mm", "h", "g")])
def test_newton_fd_hessian_on_quadratic_converges_in_few_steps(units):
    fun, jac, _, x0, c = quadratic(units)
    res = ud.minimize(fun, x0, method="newton", jac=jac)
    assert res.success and res.nit <= 3
    got = [res.x["a"].m_as("m"), res.x["b"].m_as("s"), res.x["c"].m_as("kg")]
    np.testing.assert_allclose(got, c, rtol=1e-9, atol=1e-9)


# -- invariance (hypothesis) ------------------------------------------------------------------
W = np.array([[1.0, -0.5, 0.3], [-0.7, 0.2, 0.9], [0.4, 1.1, -0.6], [0.0, 0.3, 0.2]])
Qm = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 0.5]])


def lse_parts(u):
    """f(u) = log Σ exp(W u) + ½ uᵀ Q u: smooth, strictly convex, not quadratic."""
    z = W @ u
    zmax = z.max()
    e = np.exp(z - zmax)
    p = e / e.sum()
    f = zmax + np.log(e.sum()) + 0.5 * u @ Qm @ u
    g = W.T @ p + Qm @ u
    H = W.T @ (np.diag(p) - np.outer(p, p)) @ W + Qm
    return f, g, H


BASE = {"a": "m", "b": "s", "c": "kg"}
NAMES = list(BASE)


def lse_quantity_problem():
    def u_of(a, b, c):
        return np.array([a.m_as("m"), b.m_as("s"), c.m_as("kg")])

    def fun(a, b, c):
        return Q_(lse_parts(u_of(a, b, c))[0], "J")

    def jac(a, b, c):
        g = lse_parts(u_of(a, b, c))[1]
        return {n: Q_(g[i], f"J/{BASE[n]}") for i, n in enumerate(NAMES)}

    def hess(a, b, c):
        H = lse_parts(u_of(a, b, c))[2]
        return {(p, q): Q_(H[i, j], f"J/({BASE[p]}*{BASE[q]})")
                for i, p in enumerate(NAMES) for j, q in enumerate(NAMES)}

    return fun, jac, hess


X0_BASE = np.array([2.5, -1.5, 3.0])
UNIT_CHOICES = {"a": ["m", "mm", "km", "cm", "inch", "nm"], "b": ["s", "ms", "h", "min", "us", "day"],
                "c": ["kg", "g", "mg", "lb", "t"]}


def _path(res):
    hx = res.history.x
    return np.stack([hx["a"].m_as("m"), hx["b"].m_as("s"), hx["c"].m_as("kg")], axis=1)


def _reference():
    fun, jac, hess = lse_quantity_problem()
    x0 = {n: Q_(X0_BASE[i], BASE[n]) for i, n in enumerate(NAMES)}
    return ud.minimize(fun, x0, method="newton", jac=jac, hess=hess)


REFERENCE = {}


@settings(max_examples=20, derandomize=True, deadline=None)
@given(st.sampled_from(UNIT_CHOICES["a"]), st.sampled_from(UNIT_CHOICES["b"]),
       st.sampled_from(UNIT_CHOICES["c"]))
def test_newton_iterates_invariant_under_unit_changes(ua, ub, uc):
    if "ref" not in REFERENCE:
        REFERENCE["ref"] = _reference()
    ref = REFERENCE["ref"]
    assert ref.success and ref.nit >= 3  # a real multi-step run
    fun, jac, hess = lse_quantity_problem()
    units = {"a": ua, "b": ub, "c": uc}
    x0 = {n: Q_(X0_BASE[i], BASE[n]).to(units[n]) for i, n in enumerate(NAMES)}
    res = ud.minimize(fun, x0, method="newton", jac=jac, hess=hess)
    assert res.nit == ref.nit
    assert res.x["a"].units == ud.ureg.Unit(ua)
    a, b = _path(res), _path(ref)
    assert np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)) <= 1e-8


def test_newton_with_fd_hessian_nearly_invariant_under_units():
    """Finite differences take the same physical steps in any units (relative steps), so even
    without a hess the paths agree to the finite-difference noise level."""
    fun, jac, _ = lse_quantity_problem()
    runs = []
    for units in ({"a": "m", "b": "s", "c": "kg"}, {"a": "nm", "b": "day", "c": "mg"}):
        x0 = {n: Q_(X0_BASE[i], BASE[n]).to(units[n]) for i, n in enumerate(NAMES)}
        runs.append(ud.minimize(fun, x0, method="newton", jac=jac))
    assert runs[0].nit == runs[1].nit
    np.testing.assert_allclose(_path(runs[0]), _path(runs[1]), rtol=1e-6)


def _affine_problem(A, b):
    """The same loss in coordinates y with x = A y + b (x, y and b in m; A dimensionless)."""

    def fun(y):
        return lse_parts(A @ y + b)[0]

    def jac(y):
        return A.T @ lse_parts(A @ y + b)[1]

    def hess(y):
        return A.T @ lse_parts(A @ y + b)[2] @ A

    return ud.Objective(fun, params="m", loss="J", jac=jac, hess=hess)


matrices = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=9, max_size=9).map(
    lambda v: np.array(v).reshape(3, 3)).filter(
    lambda A: np.isfinite(np.linalg.cond(A)) and np.linalg.cond(A) < 50.0)
offsets = st.lists(st.floats(-3.0, 3.0, allow_nan=False), min_size=3, max_size=3).map(np.array)


@settings(max_examples=25, derandomize=True, deadline=None)
@given(matrices, offsets)
def test_newton_iterates_invariant_under_affine_change_of_coordinates(A, b):
    ident = ud.minimize(_affine_problem(np.eye(3), np.zeros(3)), Q_(X0_BASE, "m"),
                        method="newton", xtol_rel=0.0)
    y0 = np.linalg.solve(A, X0_BASE - b)
    res = ud.minimize(_affine_problem(A, b), Q_(y0, "m"), method="newton", xtol_rel=0.0)
    assert ident.success and res.success
    assert res.nit == ident.nit
    xs = res.history.x.m_as("m") @ A.T + b  # back to the x coordinates
    ref = ident.history.x.m_as("m")
    scale = np.max(np.abs(ref), axis=1, keepdims=True)
    assert np.max(np.abs(xs - ref) / scale) <= 1e-8


# -- the narrow valley ----------------------------------------------------------------------
A_MM, B_KM = Q_(1.0, "mm"), Q_(1.0, "km")


def rosen(x, y):
    u, v = (x / A_MM).m_as(""), (y / B_KM).m_as("")
    return (1 - u) ** 2 + 100 * (v - u * u) ** 2


def rosen_jac(x, y):
    u, v = (x / A_MM).m_as(""), (y / B_KM).m_as("")
    return {"x": Q_(-2 * (1 - u) - 400 * u * (v - u * u), "") / A_MM,
            "y": Q_(200 * (v - u * u), "") / B_KM}


X0_VALLEY = {"x": Q_(-1.2, "mm"), "y": Q_(1.0, "km")}


def test_newton_narrow_valley_mm_km():
    res = ud.minimize(rosen, X0_VALLEY, method="newton", jac=rosen_jac)
    assert res.success, res.message
    assert res.nit <= 50
    assert abs(res.x["x"].m_as("mm") - 1.0) <= 1e-8
    assert abs(res.x["y"].m_as("km") - 1.0) <= 1e-8
    assert res.x["x"].units == ud.ureg.mm and res.x["y"].units == ud.ureg.km


def test_narrow_valley_same_path_in_other_units():
    res = ud.minimize(rosen, X0_VALLEY, method="newton", jac=rosen_jac)
    x0 = {"x": X0_VALLEY["x"].to("m"), "y": X0_VALLEY["y"].to("mm")}
    other = ud.minimize(rosen, x0, method="newton", jac=rosen_jac)
    assert other.nit == res.nit
    np.testing.assert_allclose(other.history.x["x"].m_as("mm"), res.history.x["x"].m_as("mm"),
                               rtol=1e-8)


def test_narrow_valley_gd_bare_lr_rejected():
    with pytest.raises(ud.BareNumberError, match=r"millimeter \*\* 2"):
        ud.minimize(rosen, X0_VALLEY, method="gd", lr=1e-3)


def test_narrow_valley_gd_with_suggested_lr_makes_monotone_progress():
    lr = ud.suggest_lr(rosen, X0_VALLEY, jac=rosen_jac)
    assert lr["x"].units == ud.ureg.Unit("mm**2") and lr["y"].units == ud.ureg.Unit("km**2")
    res = ud.minimize(rosen, X0_VALLEY, method="gd", lr=lr, jac=rosen_jac, maxiter=2000)
    loss = res.history.loss.m
    assert np.all(np.diff(loss) <= 0)
    assert loss[-1] < 0.1 * loss[0]


# -- documented behaviour on bad Hessians -------------------------------------------------------
def saddle(x, y):
    u, v = x.m_as("m"), y.m_as("s")
    return Q_(u * u - v * v + v ** 4, "J")


def saddle_jac(x, y):
    u, v = x.m_as("m"), y.m_as("s")
    return {"x": Q_(2 * u, "J/m"), "y": Q_(-2 * v + 4 * v ** 3, "J/s")}


def saddle_hess(x, y):
    u, v = x.m_as("m"), y.m_as("s")
    return {("x", "x"): Q_(2.0, "J/m**2"), ("y", "y"): Q_(-2 + 12 * v * v, "J/s**2"),
            ("x", "y"): Q_(0.0, "J/(m*s)")}


def test_indefinite_hessian_is_modified_and_reaches_a_minimum():
    res = ud.minimize(saddle, {"x": Q_(1.0, "m"), "y": Q_(0.1, "s")}, method="newton",
                      jac=saddle_jac, hess=saddle_hess)
    assert res.success
    assert res.x["x"].m_as("m") == pytest.approx(0.0, abs=1e-10)
    assert res.x["y"].m_as("s") == pytest.approx(np.sqrt(0.5), rel=1e-10)
    assert np.all(np.diff(res.history.loss.m) <= 0)


def test_newton_leaves_a_saddle_point_along_negative_curvature():
    # y = 0 exactly: the gradient never has a y component; plain Newton would stop at (0, 0)
    res = ud.minimize(saddle, {"x": Q_(1.0, "m"), "y": Q_(0.0, "s")}, method="newton",
                      jac=saddle_jac, hess=saddle_hess)
    assert res.success, res.message
    assert abs(res.x["y"].m_as("s")) == pytest.approx(np.sqrt(0.5), rel=1e-10)
    assert res.fun.m_as("J") == pytest.approx(-0.25, rel=1e-12)


def test_singular_hessian_is_floored():
    def fun(x, t):
        return Q_((x.m_as("m") + t.m_as("s") - 1.0) ** 2, "J")  # a valley floor: rank-1 Hessian

    res = ud.minimize(fun, {"x": Q_(3.0, "m"), "t": Q_(2.0, "s")}, method="newton")
    assert res.success, res.message
    assert res.fun.m_as("J") <= 1e-12
    assert res.x["x"].m_as("m") + res.x["t"].m_as("s") == pytest.approx(1.0, abs=1e-6)


def test_nan_hessian_at_x0_is_an_input_error():
    def hess(x):
        return Q_(np.array([[np.nan]]), "J/m**2")

    with pytest.raises(InputError, match=r"hess block \('x', 'x'\) is not finite"):
        ud.minimize(lambda x: Q_(np.sum(x.m_as("m") ** 2), "J"), Q_([1.0], "m"),
                    method="newton", hess=hess)


def test_nan_hessian_during_the_run_stops_with_a_clear_message():
    def fun(x):
        return Q_((x.m_as("m") - 2.0) ** 4, "J")

    def hess(x):
        u = x.m_as("m")
        return Q_(12 * (u - 2.0) ** 2 if u < 0.5 else np.nan, "J/m**2")

    res = ud.minimize(fun, Q_(0.0, "m"), method="newton", hess=hess, scales=Q_(1.0, "m"))
    assert not res.success
    assert res.status == Status.STEP_FAILED
    assert "the Hessian could not be used" in res.message
    assert "hess block ('x', 'x') is not finite" in res.message
    assert res.x.m_as("m") >= 0.5 and np.isfinite(res.fun.m)


def test_hess_with_wrong_units_is_rejected_before_the_first_step():
    def hess(x):
        return Q_(2.0, "J/m")

    with pytest.raises(UnitsError, match=r"hess block \('x', 'x'\): expected units joule / meter \*\* 2"):
        ud.minimize(lambda x: Q_(x.m_as("m") ** 2, "J"), Q_(1.0, "m"), method="newton", hess=hess)


def test_newton_options_are_checked():
    with pytest.raises(ud.BareNumberError):
        ud.minimize(lambda x: Q_(x.m_as("m") ** 2, "J"), Q_(1.0, "m"), method="newton", gtol=1e-3)
    with pytest.raises(InputError, match="hessian must be one of"):
        ud.minimize(lambda x: x.m_as("m") ** 2, Q_(1.0, "m"), method="newton", hessian="exact")
    res = ud.minimize(lambda x: Q_((x.m_as("m") - 1) ** 4, "J"), Q_(3.0, "m"), method="newton",
                      gtol=Q_(1.0, "mJ"))
    assert res.success and "gtol" in res.message and res.nit < 10


def test_newton_is_the_metric_rule_with_the_hessian():
    fun, jac, hess = lse_quantity_problem()
    x0 = {n: Q_(X0_BASE[i], BASE[n]) for i, n in enumerate(NAMES)}
    a = ud.minimize(fun, x0, method="newton", jac=jac, hess=hess)
    b = ud.minimize(fun, x0, method="metric", metric=hess, jac=jac)
    assert a.nit == b.nit
    np.testing.assert_allclose(_path(a), _path(b), rtol=1e-13)


def test_newton_is_registered():
    assert ud.METHODS["newton"] is ud.rules.Newton
    assert ud.METHODS["metric"] is ud.rules.Metric
    assert str(ud.rules.signature_of("newton")["lr"]) == "dimensionless"
