"""The curvature examples run, print what they claim, and draw their figures."""

import os
import runpy

import numpy as np
import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def _load(name):
    return runpy.run_path(os.path.join(EXAMPLES, name), run_name="example")


def test_narrow_valley_example(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    mod = _load("narrow_valley.py")
    res = mod["main"](out_dir=str(tmp_path))
    out = capsys.readouterr().out
    assert "BareNumberError" in out and "monotone: True" in out
    assert res["newton"].success and res["newton"].nit <= 50
    assert abs(res["newton"].x["x"].m_as("mm") - 1.0) < 1e-8
    assert np.all(np.diff(res["gd"].history.loss.m) <= 0)
    assert os.path.getsize(res["figure"]) > 10_000


def test_newton_invariance_example(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    mod = _load("newton_invariance.py")
    res = mod["main"](out_dir=str(tmp_path))
    assert set(res["nits"].values()) == {res["nits"]["mm, km"]}
    assert max(res["diffs"].values()) < 1e-8
    gd = res["gd"]
    assert abs(gd["mm, km"][2].fun.m - gd["um, m"][2].fun.m) > 1.0  # bare lr: not invariant
    assert os.path.getsize(res["figure"]) > 10_000
    assert "largest relative difference" in capsys.readouterr().out


def test_examples_run_without_drawing(capsys):
    # the computations alone (what runs when matplotlib is missing)
    res = _load("narrow_valley.py")["run"](print_=lambda *a: None, gd_iterations=50)
    assert res["newton"].success
    res = _load("newton_invariance.py")["run"](print_=lambda *a: None)
    assert max(res["diffs"].values()) < 1e-8
