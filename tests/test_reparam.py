"""Reparametrisation: log and affine coordinates, pulled-back metrics, and the law
"gradient descent in new coordinates = metric descent with the pulled-back metric"."""

import numpy as np
import pytest

import unitdescent as ud
from unitdescent import reparam as rp
from unitdescent.errors import InputError

Q_ = ud.ureg.Quantity

TS = np.linspace(0.0, 5.0, 20)
DATA = 2.0 * np.exp(-0.7 * TS)


def decay_loss(k, A):
    """Squared misfit of A·exp(−k·t) to data (dimensionless loss), k in 1/s, A in V."""
    model = A.m_as("V") * np.exp(-k.m_as("1/s") * TS)
    return float(np.sum((model - DATA) ** 2))


def decay_jac(k, A):
    kk, aa = k.m_as("1/s"), A.m_as("V")
    e = np.exp(-kk * TS)
    r = aa * e - DATA
    return {"k": Q_(float(np.sum(2 * r * aa * e * -TS)), "s"), "A": Q_(float(np.sum(2 * r * e)), "1/V")}


X0 = {"k": Q_(0.2, "1/s"), "A": Q_(1.0, "V")}


def test_log_map_round_trip_and_derivative():
    R = rp.Reparam({"k": rp.log(), "A": rp.log("mV")})
    y = R.to_new(X0)
    assert y["k"].units == ud.ureg.dimensionless
    assert y["k"].m == pytest.approx(np.log(0.2))
    assert y["A"].m == pytest.approx(np.log(1000.0))
    back = R.to_old(y)
    assert back["k"].m_as("1/s") == pytest.approx(0.2, rel=1e-15)
    assert back["A"].m_as("V") == pytest.approx(1.0, rel=1e-15)
    d = R.jacobian(X0)
    assert d["k"].m_as("s") == pytest.approx(5.0)
    lg = rp.log()
    phi = lg.forward(Q_(2.0, "mm"))
    lg.forward(Q_(1.0, "m"))  # the reference stays 1 mm: φ does not shift between calls
    assert lg.inverse(phi).m_as("mm") == pytest.approx(2.0, rel=1e-15)
    with pytest.raises(InputError, match="positive"):
        R.to_new({"k": Q_(-1.0, "1/s"), "A": Q_(1.0, "V")})


def test_custom_map_derivative_by_finite_differences():
    m = rp.Map(forward=lambda q: (q / Q_(1, "s")).to("") ** 3,
               inverse=lambda p: Q_(1, "s") * np.cbrt(p.m_as("")))
    R = rp.Reparam(m)
    d = R.jacobian(Q_(2.0, "s"))
    assert d.to("1/s").m == pytest.approx(12.0, rel=1e-9)
    assert R.to_old(R.to_new(Q_(2.0, "s"))).m_as("s") == pytest.approx(2.0, rel=1e-14)


def test_minimize_in_log_coordinates_reports_old_coordinates():
    R = rp.Reparam({"k": rp.log(), "A": rp.log()})
    res = R.minimize(decay_loss, X0, method="newton", jac=decay_jac)
    assert res.success
    assert res.x["k"].units == ud.ureg.Unit("1/s")
    assert res.x["k"].m_as("1/s") == pytest.approx(0.7, rel=1e-9)
    assert res.x["A"].m_as("V") == pytest.approx(2.0, rel=1e-9)
    assert res.jac["k"].units == ud.ureg.s  # gradient in the old coordinates: [L]/[k]
    assert res.history.x["A"].units == ud.ureg.V


def test_gd_in_affine_coordinates_equals_metric_descent_with_pulled_back_metric():
    # φ_k = (k − 0.1/s)/(0.05/s), φ_A = A/(10 mV): dimensionless, exactly affine
    R = rp.Reparam({"k": rp.affine(Q_(0.05, "1/s"), Q_(0.1, "1/s")), "A": rp.affine(Q_(10, "mV"))})
    eta = {"k": Q_(2.0, ""), "A": Q_(100.0, "")}  # [φ]²/[L]: dimensionless here
    gd = R.minimize(decay_loss, X0, method="gd", lr=eta, jac=decay_jac, maxiter=40, xtol_rel=0.0)
    G = R.pullback({"k": 1 / eta["k"], "A": 1 / eta["A"]})  # Euclidean/η in φ, pulled back
    md = ud.minimize(decay_loss, X0, method="metric", metric=G, jac=decay_jac, line_search=False,
                     maxiter=40, xtol_rel=0.0, gtol_rel=0.0)
    assert gd.nit == md.nit == 40
    for name, unit in (("k", "1/s"), ("A", "V")):
        np.testing.assert_allclose(gd.history.x[name].m_as(unit), md.history.x[name].m_as(unit),
                                   rtol=1e-12)
    assert md.history.loss[-1] < 0.5 * md.history.loss[0]


def _one_step(R, eta):
    gd = R.minimize(decay_loss, X0, method="gd", lr={"k": eta, "A": eta}, jac=decay_jac,
                    maxiter=1, xtol_rel=0.0)
    G = R.pullback({"k": Q_(1 / eta, ""), "A": Q_(1 / eta, "")})
    md = ud.minimize(decay_loss, X0, method="metric", metric=G, jac=decay_jac, line_search=False,
                     maxiter=1, xtol_rel=0.0, gtol_rel=0.0)
    a = np.array([gd.x["k"].m_as("1/s"), gd.x["A"].m_as("V")])
    b = np.array([md.x["k"].m_as("1/s"), md.x["A"].m_as("V")])
    x0 = np.array([0.2, 1.0])
    return np.linalg.norm((a - b) / x0), np.linalg.norm((a - x0) / x0)


def test_gd_in_log_coordinates_equals_metric_descent_to_first_order():
    """For a curved map the two discretise the same gradient flow: one step agrees to O(η²)
    (the step itself is O(η)), so halving η quarters the difference."""
    R = rp.Reparam({"k": rp.log(), "A": rp.log()})
    d1, s1 = _one_step(R, 0.01)
    d2, s2 = _one_step(R, 0.005)
    assert d1 < 0.05 * s1  # the two steps agree far better than their size
    assert d1 / d2 == pytest.approx(4.0, rel=0.05)
    assert s1 / s2 == pytest.approx(2.0, rel=0.05)


def test_pullback_of_a_unit_matrix_and_a_callable_metric():
    R = rp.Reparam({"k": rp.log(), "A": rp.log()})
    space_metric = lambda k, A: {("k", "k"): Q_(3.0, ""), ("A", "A"): Q_(5.0, ""),  # noqa: E731
                                 ("k", "A"): Q_(1.0, "")}
    G = R.pullback(lambda y: space_metric(**y))
    M = G(**X0)
    assert isinstance(M, ud.UnitMatrix)
    assert M["k", "k"].to("s**2").m == pytest.approx(3.0 / 0.2 ** 2)
    assert M["k", "A"].to("s/V").m == pytest.approx(1.0 / (0.2 * 1.0))
    assert M["A", "A"].to("1/V**2").m == pytest.approx(5.0)
    res = ud.minimize(decay_loss, X0, method="metric", metric=G, jac=decay_jac, maxiter=200)
    assert res.history.loss[-1] < res.history.loss[0]
    with pytest.raises(InputError, match="maps given for unknown"):
        rp.Reparam({"z": rp.log()}).to_new(X0)


def test_reparam_minimize_defaults_to_bfgs_like_minimize():
    # was method="gd", so R.minimize(fun, x0) failed asking for an lr that ud.minimize never needs
    t = Q_(np.linspace(0.0, 10.0, 6), "s")
    y = Q_(2.0, "V") * np.exp(-Q_(0.5, "1/s") * t)

    def decay(k, A):
        return np.sum(((A * np.exp(-k * t) - y) / Q_(0.1, "V")) ** 2)

    R = rp.Reparam({"k": rp.log(), "A": rp.log()})
    res = R.minimize(decay, {"k": Q_(0.2, "1/s"), "A": Q_(1.0, "V")})
    assert res.success and res.method.name == "bfgs"
    assert res.x["k"].m_as("1/s") == pytest.approx(0.5, rel=1e-6)
    assert res.x["A"].m_as("V") == pytest.approx(2.0, rel=1e-6)
