"""Every script in examples/ runs (CI runs the examples through this test)."""

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))


#: run a script with matplotlib hidden, as on a machine without the optional 'plot' extra
NO_MATPLOTLIB = ("import runpy, sys; sys.modules['matplotlib'] = None; "
                 "sys.argv = [sys.argv[1]]; runpy.run_path(sys.argv[0], run_name='__main__')")


@pytest.mark.parametrize("with_matplotlib", [True, False], ids=["plot", "no-plot"])
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script, with_matplotlib):
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    if with_matplotlib:
        pytest.importorskip("matplotlib")
        cmd = [sys.executable, str(script)]
    else:
        cmd = [sys.executable, "-c", NO_MATPLOTLIB, str(script)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip()
