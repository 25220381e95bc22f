import runpy
from pathlib import Path

import unitdescent as ud

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "quasi_newton_units.py"


def test_quasi_newton_example_runs_and_is_invariant(capsys):
    ns = runpy.run_path(str(EXAMPLE), run_name="example")
    res = ns["part1"]()
    assert res.success
    assert res.x["gap"].units == ud.ureg.nm and res.x["span"].units == ud.ureg.km
    assert abs(res.x["gap"].m_as("nm") - 35.0) < 0.05  # 0.1·a⁴ moves the optimum slightly
    assert abs(res.x["span"].m_as("km") - 2.5) < 0.01
    for name in ("wood", "box_3d"):
        out = ns["part2"](name)
        good, bad = out["well"][0], out["bad"][0]
        assert good.success and bad.success and good.nfev == bad.nfev
    text = capsys.readouterr().out
    assert "same answer in both unit systems: True" in text
