import pint
import pytest

import unitdescent as ud
from unitdescent.units import as_quantity, as_unit, registry_of

Q_ = ud.ureg.Quantity


def test_ureg_is_pints_application_registry():
    assert ud.ureg is pint.get_application_registry()
    assert Q_(1, "m")._REGISTRY is ud.ureg.get()


def test_unit_strings_parse():
    assert as_unit("m**2/s") == ud.ureg.Unit("meter**2/second")
    assert as_unit(None) == ud.ureg.dimensionless
    assert as_unit(Q_(3, "J")) == ud.ureg.J
    q = as_quantity("1e-3 m**2")
    assert q.m == pytest.approx(1e-3) and q.units == ud.ureg.Unit("m**2")


def test_unknown_unit_is_named():
    with pytest.raises(ud.UnknownUnitError) as exc:
        as_unit("blorps/s", what="lr")
    msg = str(exc.value)
    assert "blorps" in msg and "lr" in msg
    assert isinstance(exc.value, ValueError)


def test_malformed_unit_string():
    with pytest.raises(ud.UnknownUnitError, match="cannot parse"):
        as_unit("m**", what="x0")


def test_user_registry_is_respected_and_mixing_is_a_clear_error():
    reg = pint.UnitRegistry()
    x0 = reg.Quantity(2.0, "m")
    assert registry_of(x0) is reg

    def loss(x):
        return (x / reg.Quantity(1.0, "m")) ** 2

    res = ud.minimize(loss, x0, method="gd", lr=reg.Quantity(0.25, "m**2"), maxiter=50)
    assert res.x._REGISTRY is reg
    assert res.x.m_as("m") == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ud.RegistryError, match="different pint"):
        ud.minimize(loss, x0, method="gd", lr=Q_(0.25, "m**2"))
    with pytest.raises(ud.RegistryError):
        registry_of({"a": x0, "b": Q_(1, "s")})
