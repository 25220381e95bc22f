"""The ``lint``, ``rule`` and ``explain`` commands: exit codes, discovery, --fix, output."""

import os
import shutil
import subprocess
import sys
import pathlib

import pytest

from unitdescent.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "lint"
CLEAN = EXAMPLES / "clean.unitdescent.toml"
SHARED = EXAMPLES / "shared_lr.unitdescent.toml"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_codes(capsys, tmp_path):
    assert run(capsys, "lint", str(CLEAN))[0] == 0
    code, out, _ = run(capsys, "lint", str(SHARED))
    assert code == 1 and "UD105 [shared-value-mixed-units]" in out
    assert run(capsys, "lint", "--exit-zero", str(SHARED))[0] == 0
    assert run(capsys, "lint", "--ignore", "UD105", str(SHARED))[0] == 0
    code, out, err = run(capsys, "lint", str(tmp_path / "missing.toml"))
    assert code == 2 and "missing.toml: cannot read" in err and out == ""
    bad = tmp_path / "bad.unitdescent.toml"
    bad.write_text('loss = "J"\n[optimizer\n')
    code, _, err = run(capsys, "lint", str(bad))
    assert code == 2 and f"{bad}:2:" in err and "invalid TOML" in err
    # a config error wins over findings in other files
    assert run(capsys, "lint", str(SHARED), str(bad))[0] == 2
    code, _, err = run(capsys, "lint", "--select", "XX9", str(CLEAN))
    assert code == 2 and "unknown rule selector" in err
    with pytest.raises(SystemExit) as info:
        main(["lint", "--output-format", "xml", str(CLEAN)])
    assert info.value.code == 2
    capsys.readouterr()


def test_discovery_upward_and_directories(capsys, tmp_path, monkeypatch):
    shutil.copy(SHARED, tmp_path / "unitdescent.toml")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    code, out, _ = run(capsys, "lint")
    assert code == 1 and "unitdescent.toml:16:1: UD105" in out
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    (tmp_path / "unitdescent.toml").unlink()
    monkeypatch.chdir(empty)
    code, _, err = run(capsys, "lint")
    assert code == 2 and "no config found" in err
    # a pyproject.toml without [tool.unitdescent] is skipped (pre-commit passes all of them)
    (empty / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert run(capsys, "lint", str(empty / "pyproject.toml"))[0] == 0
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "lint", "--output-format", "concise", str(EXAMPLES))
    assert code == 1
    files = {line.split(":")[0] for line in out.splitlines() if ": UD" in line}
    assert len(files) == len(list(EXAMPLES.glob("*.unitdescent.*"))) - 1  # all but clean


def test_stdin_and_output_format_from_config(capsys, monkeypatch):
    import io

    text = SHARED.read_text() + '\n[lint]\noutput-format = "github"\n'
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code, out, _ = run(capsys, "lint", "-")
    assert code == 1 and out.startswith("::error file=<stdin>,line=16,col=1,")


def test_fix_converts_units_and_removes_unused_noqa(capsys, tmp_path):
    path = tmp_path / "fixme.unitdescent.toml"
    path.write_text('loss = "J"\n[[groups]]\nname = "w"\nunits = "m"\n[optimizer]\n'
                    'name = "torch.optim.Adam"\nlr = "1 mm"  # noqa: UD101\n'
                    'eps = { w = "1e-5 J/mm" }\n')
    code, out, _ = run(capsys, "lint", "--select", "ALL", str(path))
    assert code == 1 and out.count("UD303") == 2 and "UD008" in out
    code, out, err = run(capsys, "lint", "--select", "ALL", "--fix", str(path))
    assert code == 0 and "Fixed 3 findings." in err
    assert path.read_text().splitlines()[6:] == ['lr = "0.001 m"', 'eps = { w = "0.01 J / m" }']
    assert run(capsys, "lint", "--select", "ALL", str(path))[0] == 0


def test_rule_command(capsys):
    code, out, _ = run(capsys, "rule", "UD105")
    assert code == 0 and out.startswith("UD105 shared-value-mixed-units (error)")
    code, out, _ = run(capsys, "rule", "wrong-units")
    assert code == 0 and out.startswith("UD102")
    code, out, _ = run(capsys, "rule", "--list")
    assert code == 0 and len(out.splitlines()) == 21
    code, out, _ = run(capsys, "rule", "--list", "--format", "markdown")
    assert "| UD001 | `unparseable-unit` | error |" in out
    assert run(capsys, "rule", "UD999")[0] == 2


def test_explain_command(capsys):
    code, out, _ = run(capsys, "explain", "torch.optim.Adam", "--param", "m", "--loss", "J")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("torch.optim.Adam — θ ← θ − lr·m̂/(√v̂ + eps)")
    row = next(line for line in lines if line.startswith("eps "))
    assert row.split()[:4] == ["eps", "[L]/[θ]", "J/m", "1e-08"]
    row = next(line for line in lines if line.startswith("lr "))
    assert row.split()[:3] == ["lr", "[θ]", "m"]
    code, out, _ = run(capsys, "explain", "optax.rmsprop", "--param", "w=m", "--param",
                       "k=N/m", "--loss", "J")
    row = next(line for line in out.splitlines() if line.startswith("eps "))
    assert row.split()[:4] == ["eps", "[L]²/[θ]²", "J²/m²", "J²·m²/N²"]
    code, out, _ = run(capsys, "explain", "torch.optim.SGD", "--param", "cm", "--format", "json")
    import json

    data = json.loads(out)
    assert {h["name"]: h["here"]["θ"] for h in data["hyperparameters"]}["lr"] == "cm²"
    code, _, err = run(capsys, "explain", "torch.optim.Adamm")
    assert code == 2 and "did you mean 'torch.optim.Adam'" in err
    code, out, _ = run(capsys, "explain", "--list")
    assert code == 0 and "scipy.optimize.minimize:L-BFGS-B" in out and "optax.adamw" in out
    assert run(capsys, "explain", "torch.optim.SGD", "--param", "metre_ish")[0] == 2


def test_every_table_can_be_explained(capsys):
    from unitdescent.lint.cli import explain_text
    from unitdescent.lint.tables import all_specs
    from unitdescent.units import ureg

    for spec in all_specs().values():
        text = explain_text(spec, [("w", ureg.m), ("t", ureg.s)], ureg.J)
        assert text.startswith(spec.name)


def test_entry_point_in_a_subprocess():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "unitdescent", "lint", str(SHARED),
                           "--output-format", "json"], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert '"code": "UD105"' in proc.stdout


def test_fix_in_yaml_and_json(capsys, tmp_path):
    yml = tmp_path / "a.unitdescent.yaml"
    yml.write_text("loss: J\ngroups:\n  - name: w\n    units: m\noptimizer:\n"
                   "  name: torch.optim.Adam\n  lr: 1 mm   # noqa: UD102\n  eps: '1e-5 J/mm'\n")
    js = tmp_path / "b.unitdescent.json"
    js.write_text('{"loss": "J", "groups": [{"name": "w", "units": "m"}],\n'
                  ' "optimizer": {"name": "torch.optim.Adam", "lr": "1 mm", "eps": "1e-8 J/m"}}\n')
    code, _, err = run(capsys, "lint", "--select", "ALL", "--fix", str(yml), str(js))
    assert code == 0 and "Fixed 4 findings." in err
    assert yml.read_text().splitlines()[6:] == ["  lr: 0.001 m", "  eps: '0.01 J / m'"]
    assert '"lr": "0.001 m"' in js.read_text()


def test_explain_names_the_bad_option_and_refuses_a_group_given_twice(capsys):
    code, _, err = run(capsys, "explain", "torch.optim.Adam", "--param", "m", "--loss", "zz")
    assert code == 2 and "--loss: cannot read 'zz' as units" in err
    code, _, err = run(capsys, "explain", "torch.optim.Adam", "--param", "meterz")
    assert code == 2 and "--param: cannot read 'meterz' as units" in err
    # was: a table with two columns both named 'w'
    code, out, err = run(capsys, "explain", "torch.optim.Adam", "--param", "w=m", "--param", "w=s")
    assert code == 2 and out == ""
    assert "--param: group 'w' is given twice" in err
