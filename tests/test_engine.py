import numpy as np
import pytest

import unitdescent as ud
from core_problems import CONFORMANCE, LR_SGD, X0, Q_, method_of, quadratic, quadratic_fast, \
    quadratic_jac, valley


# -- conformance: every rule converges on the quadratic, with and without a jac -----------------
@pytest.mark.parametrize("name", sorted(CONFORMANCE))
@pytest.mark.parametrize("with_jac", [True, False])
def test_rules_converge_on_coupled_quadratic(name, with_jac):
    opts = dict(CONFORMANCE[name])
    opts.setdefault("maxiter", 2000)
    if with_jac:  # Quantity path with the user's gradient
        fun, jac = quadratic, quadratic_jac
    else:  # fast path with finite differences (on floats, so the 4000 Adam steps stay quick)
        fast = quadratic_fast()
        fun, jac = ud.Objective(fast.fun, params=fast.params, loss=fast.loss), None
    res = ud.minimize(fun, X0, method=method_of(name), jac=jac, xtol_rel=1e-12, **opts)
    assert res.success, res.message
    assert res.x["x"].m_as("m") == pytest.approx(3.0, rel=1e-6)
    assert res.x["t"].m_as("s") == pytest.approx(2.0, rel=1e-6)
    assert res.x["x"].units == ud.ureg.cm and res.x["t"].units == ud.ureg.min  # x0's units
    assert res.fun.m == pytest.approx(0.0, abs=1e-10)
    assert np.all(np.isfinite(res.history.loss.m))


@pytest.mark.parametrize("name", sorted(CONFORMANCE))
def test_fast_path_gives_the_same_iterates(name):
    opts = dict(CONFORMANCE[name], maxiter=50, xtol_rel=0.0)
    slow = ud.minimize(quadratic, X0, method=method_of(name), jac=quadratic_jac, **opts)
    fast = ud.minimize(quadratic_fast(), X0, method=method_of(name), **opts)
    assert fast.nit == slow.nit == 50
    np.testing.assert_allclose(fast.history.x["x"].m_as("m"), slow.history.x["x"].m_as("m"),
                               rtol=1e-12)
    np.testing.assert_allclose(fast.history.loss.m, slow.history.loss.m, rtol=1e-10, atol=1e-14)


def test_valley_with_per_parameter_lr():
    x0 = {"x": Q_(2.0, "km"), "y": Q_(3.0, "mm")}
    lr = {"x": Q_(0.5, "km**2"), "y": Q_(0.005, "mm**2")}  # 1/H_ii: one step each
    res = ud.minimize(valley, x0, method="gd", lr=lr, maxiter=10)
    assert res.success and res.nit <= 3
    assert res.x["x"].m_as("m") == pytest.approx(0.0, abs=1e-9)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_shared_lr_of_one_dimension_is_consistent_but_can_diverge():
    """km² and mm² are both lengths²: one lr is dimensionally fine, and still far too big for y."""
    x0 = {"x": Q_(2.0, "km"), "y": Q_(3.0, "mm")}
    res = ud.minimize(valley, x0, method="gd", lr=Q_(0.1, "km**2"), maxiter=100)
    assert not res.success and res.status == ud.Status.NONFINITE
    assert "last finite iterate is kept" in res.message and "too large" in res.message
    assert np.isfinite(res.x["y"].m) and np.isfinite(res.fun.m)


def test_single_quantity_array_and_scalar():
    target = Q_(np.array([1.0, -2.0, 0.5]), "m")

    def loss(x):
        return np.sum(((x - target) / Q_(1.0, "m")) ** 2)

    res = ud.minimize(loss, Q_(np.zeros(3), "mm"), method="gd", lr=Q_(0.25, "m**2"),
                      scales=Q_(1.0, "m"))
    assert res.x.units == ud.ureg.mm
    np.testing.assert_allclose(res.x.m_as("m"), target.m, rtol=1e-7)
    assert res.jac.units == ud.ureg.Unit("1/mm")

    res = ud.minimize(lambda v: (v - 2.0) ** 2, 5.0, method="gd", lr=0.25)  # plain floats
    assert res.x.m == pytest.approx(2.0) and res.x.units == ud.ureg.dimensionless


def test_dict_of_mixed_shapes():
    def loss(w, b):
        return np.sum((w / Q_(1.0, "N")) ** 2) + (b / Q_(2.0, "s") - 1.0) ** 2

    res = ud.minimize(loss, {"w": Q_(np.ones((2, 2)), "N"), "b": Q_(1.0, "s")}, method="gd",
                      lr={"w": Q_(0.5, "N**2"), "b": Q_(2.0, "s**2")})
    assert res.x["w"].shape == (2, 2)
    assert res.x["b"].m_as("s") == pytest.approx(2.0, rel=1e-8)


# -- results, stopping, callbacks, history ----------------------------------------------------
def test_result_fields_and_history():
    res = ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, jac=quadratic_jac, maxiter=5)
    assert not res.success and res.status == ud.Status.MAXITER
    assert "maxiter (5) reached" in res.message and "increase maxiter" in res.message
    assert res.nit == 5 and res.nfev == 6 and res.njev == 6
    assert len(res.history) == 6
    assert res.history.x["x"].shape == (6,) and res.history.x["x"].units == ud.ureg.cm
    assert res.history.loss[0].m == pytest.approx(quadratic(**X0).m_as(""))
    assert np.all(np.diff(res.history.loss.m) < 0)
    assert res.jac["x"].dimensionality == (1 / ud.ureg.m).dimensionality
    for hist in ("loss", False):
        r = ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, maxiter=3, history=hist)
        assert (r.history is None) == (hist is False)
        if hist == "loss":
            assert r.history.x is None and len(r.history.loss) == 4


def test_ftol_in_loss_units_and_xtol_per_parameter():
    def energy(x):
        return Q_(50.0, "N/m") * x**2 / 2

    loose = ud.minimize(energy, Q_(0.1, "m"), method="gd", lr=Q_(0.01, "m**2/J"),
                        ftol=Q_(1.0, "mJ"), xtol_rel=0)
    assert loose.success and "ftol" in loose.message
    assert abs(loose.history.loss[-1] - loose.history.loss[-2]) <= Q_(1.0, "mJ")
    tight = ud.minimize(energy, Q_(0.1, "m"), method="gd", lr=Q_(0.01, "m**2/J"),
                        xtol=Q_(1.0, "nm"), xtol_rel=0)
    assert tight.success and "xtol" in tight.message and tight.nit > loose.nit
    with pytest.raises(ud.UnitsError, match="ftol"):
        ud.minimize(energy, Q_(0.1, "m"), method="gd", lr=Q_(0.01, "m**2/J"), ftol=Q_(1, "m"))


def test_callback_stop_iteration():
    seen = []

    def cb(r):
        seen.append(r.fun)
        if r.nit == 3:
            raise StopIteration

    res = ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, callback=cb)
    assert res.nit == 3 and res.status == ud.Status.CALLBACK and not res.success
    assert len(seen) == 3 and seen[0].units == ud.ureg.dimensionless


def test_throw_raises_with_result():
    with pytest.raises(ud.OptimizationError) as exc:
        ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, maxiter=2, throw=True)
    assert exc.value.result.nit == 2


def test_unknown_options_are_errors():
    with pytest.raises(ud.UnknownOptionError, match="Did you mean 'maxiter'"):
        ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, maxiters=3)
    with pytest.raises(ud.UnknownOptionError, match="method"):
        ud.minimize(quadratic, X0, method="sgdd", lr=LR_SGD)
    with pytest.raises(ud.InputError, match="needs lr"):
        ud.minimize(quadratic, X0, method="gd")


def test_rule_objects_as_methods():
    rule = ud.rules.GD(lr=LR_SGD)
    assert "lr" in repr(rule)
    res = ud.minimize(quadratic, X0, method=rule, maxiter=3)
    assert res.method is rule and res.nit == 3


# -- bad input and failures mid-run -------------------------------------------------------------
def test_nan_mid_run_keeps_last_finite_iterate():
    def cliff(x):
        # finite for x < 5 m; NaN beyond (e.g. a model outside its domain)
        return (x / Q_(1, "m")) ** 2 * -1 if x < Q_(5, "m") else Q_(np.nan, "")

    res = ud.minimize(cliff, Q_(1.0, "m"), method="gd", lr=Q_(0.5, "m**2"),
                      jac=lambda x: -2 * x / Q_(1, "m**2"))
    assert not res.success and res.status == ud.Status.NONFINITE
    assert "the loss became nan at iteration 3" in res.message
    assert "last finite iterate is kept" in res.message
    assert res.x.m_as("m") == pytest.approx(4.0) and res.nit == 2
    assert res.fun.m == pytest.approx(-16.0)


def test_bad_x0():
    with pytest.raises(ud.InputError, match="empty dict"):
        ud.minimize(quadratic, {}, method="gd", lr=LR_SGD)
    with pytest.raises(ud.InputError, match="must be numeric"):
        ud.minimize(quadratic, {"x": [1.0, "a"], "t": Q_(1, "s")}, method="gd", lr=LR_SGD)
    with pytest.raises(ud.InputError, match="maxiter"):
        ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, maxiter=-1)
    with pytest.raises(ud.InputError, match="history"):
        ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, history="all")


def test_xtol_rel_checks_every_entry_whichever_failed_last():
    from unitdescent.engine import DEFAULTS, _Stopping

    obj = ud.Objective(lambda x: float(x @ x), params="m", loss="J", jac=lambda x: 2 * x)
    prob = obj.compile(ud.ureg.Quantity([1.0, 1.0, 1.0], "m"))
    stop = _Stopping(prob, {**DEFAULTS, "xtol_rel": 1e-3})
    x = np.ones(3)
    assert stop.check(x, x + [0.0, 0.0, 1e-2], 1.0, 0.5) == ""  # entry 2 fails
    assert stop.check(x, x + [1e-2, 0.0, 0.0], 1.0, 0.5) == ""  # entry 2 passes, 0 fails
    assert stop.check(x, x + [0.0, 1e-2, 0.0], 1.0, 0.5) == ""
    assert "xtol_rel" in stop.check(x, x + [1e-4, -1e-4, 1e-4], 1.0, 0.5)


def test_tolerances_are_checked():
    with pytest.raises(ud.InputError, match="ftol must be >= 0"):
        ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, ftol=Q_(-1.0, ""))
    with pytest.raises(ud.InputError, match="xtol must be >= 0"):
        ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, xtol={"x": Q_(-1, "m"), "t": Q_(1, "s")})
    with pytest.raises(ud.UnitsError, match="xtol_rel is relative"):
        ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, xtol_rel=Q_(1e-9, "m"))
    a = ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, xtol_rel=Q_(1e-6, "percent"))
    b = ud.minimize(quadratic, X0, method="gd", lr=LR_SGD, xtol_rel=1e-8)
    assert a.nit == b.nit and a.success
