import os
import pathlib
import resource
import subprocess
import sys
import time

import unitdescent as ud
from unitdescent.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_demo_in_process(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "BareNumberError" in out and "meter ** 2 / joule" in out
    assert "same physical answer: True" in out


def test_demo_as_a_command_under_two_seconds():
    """Timed as CPU time of the child (user + sys): robust to a busy machine."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "unitdescent", "demo"], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=60)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert proc.returncode == 0, proc.stderr
    assert "x0 in cm" in proc.stdout
    assert cpu < 2.0, f"demo used {cpu:.2f} s of CPU ({wall:.2f} s wall)"


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out


def test_demo_results_agree():
    from unitdescent.demo import run

    results = run(print_=lambda *a: None)
    assert abs(results["m"].x.m_as("m") - 0.3924) < 1e-9
    assert abs(results["cm"].x.m_as("m") - results["m"].x.m_as("m")) < 1e-12
    assert results["m"].fun.units == ud.ureg.J
