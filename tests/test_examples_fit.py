"""Run every fitting example (with and without matplotlib) and check the physics it recovers."""

import importlib.util
import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(name):
    return runpy.run_path(str(EXAMPLES / name), run_name="__main__")


def test_pendulum(capsys):
    ns = run("fit_pendulum.py")
    res = ns["result"]
    g, dg = res.params["g"], res.stderr["g"]
    assert str(g.units) == "meter / second ** 2"
    assert abs(g.m_as("m/s**2") - 9.81) < 3 * dg.m_as("m/s**2")
    assert 0.005 < dg.m_as("m/s**2") < 0.05
    assert "g = " in capsys.readouterr().out
    if importlib.util.find_spec("matplotlib") is not None:
        assert (EXAMPLES / "out" / "fit_pendulum.png").exists()


def test_decay():
    res = run("fit_decay.py")["result"]
    t_half = res.params["t_half"]
    assert str(t_half.units) == "hour"
    assert abs(t_half.m_as("day") - 8.02) < 3 * res.stderr["t_half"].m_as("day")
    assert res.stderr["t_half"].m_as("day") < 0.2
    assert res.success


def test_arrhenius():
    res = run("fit_arrhenius.py")["result"]
    Ea, dEa = res.params["Ea"], res.stderr["Ea"]
    assert str(Ea.units) == "kilojoule / mole"
    assert abs(Ea.m_as("kJ/mol") - 80.0) < 3 * dEa.m_as("kJ/mol")
    assert res.correlation["A", "Ea"].m > 0.99


def test_planck():
    res = run("fit_planck.py")["result"]
    T, dT = res.params["T"], res.stderr["T"]
    assert abs(T.m_as("K") - 5778.0) < 3 * dT.m_as("K")
    assert 5 < dT.m_as("K") < 100
    assert abs(res.params["eps"].m - 0.93) < 3 * res.stderr["eps"].m


def test_damped_oscillator():
    res = run("fit_damped_oscillator.py")["result"]
    f, df = res.params["f"], res.stderr["f"]
    assert abs(f.m_as("Hz") - 21.0) < 3 * df.m_as("Hz")
    assert abs(res.params["tau"].m_as("ms") - 150.0) < 3 * res.stderr["tau"].m_as("ms")
    assert str(res.params["phi"].units) == "radian"


def test_examples_run_without_matplotlib(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    res = run("fit_pendulum.py")["result"]
    assert res.success
    assert "matplotlib is not installed" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["fit_pendulum.py", "fit_decay.py", "fit_arrhenius.py",
                                  "fit_planck.py", "fit_damped_oscillator.py"])
def test_example_is_documented(name):
    text = (EXAMPLES / name).read_text()
    assert text.startswith('"""') and "ud.fit(" in text
