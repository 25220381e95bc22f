import pickle

import pint
import pytest

import unitdescent as ud


def test_units_error_is_a_dimensionality_error_with_fields():
    err = ud.UnitsError(what="gd lr for x", expected=ud.ureg.Unit("m**2"), got=ud.ureg.Unit("s"),
                        fix="give lr in meter ** 2")
    assert isinstance(err, pint.DimensionalityError) and isinstance(err, TypeError)
    assert str(err) == ("gd lr for x: expected units meter ** 2, got second. "
                        "Fix: give lr in meter ** 2")
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err)


def test_every_dimensional_error_subclasses_pint():
    for cls in (ud.BareNumberError, ud.SharedHyperparameterError, ud.LossUnitsError):
        assert issubclass(cls, pint.DimensionalityError)


def test_unknown_option_suggests():
    err = ud.UnknownOptionError("maxiters", ["maxiter", "lr"], "method 'gd'")
    assert "Did you mean 'maxiter'?" in str(err)
    assert isinstance(err, ValueError) and isinstance(err, TypeError)
