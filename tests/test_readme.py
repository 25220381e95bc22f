"""The README's quickstart runs and says what it shows."""

import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_has_the_two_commands():
    text = README.read_text()
    assert "pip install . && unitdescent demo" in text
    assert "pip install -e '.[test]' && python3 -m pytest" in text


def test_quickstart_runs(capsys):
    code = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)[0]
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "'x' needs centimeter ** 2, 't' needs minute ** 2" in out
    last = out.strip().splitlines()[-1].split()
    assert float(last[0]) == pytest.approx(300.0, rel=1e-6) and last[1] == "centimeter"
    assert float(last[2]) == pytest.approx(2.0, rel=1e-6) and last[3] == "second"
