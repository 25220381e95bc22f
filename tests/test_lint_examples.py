"""The example configs, the example script, the docs page, the pre-commit hook, and speed."""

import json
import pathlib
import re
import runpy
import subprocess
import sys
import time

import pytest

import unitdescent as ud

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "lint"
CONFIGS = sorted(p for p in EXAMPLES.rglob("*")
                 if p.is_file() and (".unitdescent." in p.name or p.name == "pyproject.toml"))


def expected_codes(path):
    """The codes an example documents: '# expect: UD105 name, ...' (JSON: in "_comment")."""
    text = path.read_text()
    if path.suffix == ".json":
        line = json.loads(text)["_comment"]
    else:
        line = next(x for x in text.splitlines() if x.startswith("# expect:"))
    if "clean" in line.split(":", 1)[1].split()[0]:
        return set()
    return set(re.findall(r"UD\d{3}", line.split("—")[0]))


def test_there_is_a_clean_config_and_several_broken_ones():
    kinds = [bool(expected_codes(p)) for p in CONFIGS]
    assert kinds.count(False) >= 2 and kinds.count(True) >= 10


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_each_example_gives_its_documented_findings(path):
    found = {d.code for d in ud.lint(str(path))}
    assert found == expected_codes(path)
    if path.name == "clean.unitdescent.toml":
        assert ud.lint(str(path), select=["ALL"]) == []


def test_exit_codes_on_the_examples(capsys):
    from unitdescent.cli import main

    assert main(["lint", str(EXAMPLES / "clean.unitdescent.toml"),
                 str(EXAMPLES / "pyproject" / "pyproject.toml")]) == 0
    assert main(["lint", str(EXAMPLES)]) == 1
    assert main(["lint", "--exit-zero", str(EXAMPLES)]) == 0
    capsys.readouterr()


def test_example_script_runs(capsys):
    script = runpy.run_path(str(ROOT / "examples" / "lint_configs.py"), run_name="lint_ex")
    counts = script["main"]()
    out = capsys.readouterr().out
    assert counts["clean.unitdescent.toml"] == []
    assert counts["shared_lr.unitdescent.toml"] == ["UD105"]
    assert "eps             [L]/[θ]" in out


def test_docs_page_matches_the_code():
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "gen_rules.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    page = (ROOT / "docs" / "lint.md").read_text()
    for code, rule in ud.lint.RULES.items():
        assert f"| {code} | `{rule.name}` |" in page


def test_pre_commit_hook_definition():
    yaml = pytest.importorskip("yaml")
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "unitdescent-lint" and hook["entry"] == "unitdescent lint"
    pattern = re.compile(hook["files"])
    for name in ("unitdescent.toml", "cfg/unitdescent.yml", "a/b.unitdescent.json",
                 "pyproject.toml"):
        assert pattern.search(name), name
    assert not pattern.search("setup.toml")


def _configs(n):
    """n different configs over several optimizers, groups and formats of values."""
    optimizers = [
        ('torch.optim.Adam', 'lr = {{ w = "{a}e-3 m", k = "{b} N/m" }}\n'
                             'eps = {{ w = "1e-8 J/m", k = "1e-8 m**2" }}\n'),
        ('torch.optim.SGD', 'lr = {{ w = "{a}e-2 m**2/J", k = "{b}e-2 N**2/(m**2*J)" }}\n'
                            'momentum = 0.9\n'),
        ('optax.adamw', 'learning_rate = {{ w = "{a} mm", k = "{b} N/m" }}\n'
                        'weight_decay = "{a}e-4 1/m"\n'),
        ('optax.rmsprop', 'learning_rate = "{a}e-3 m"\neps = "{b}e-8 J/m"\n'),
        ('scipy.optimize.minimize:L-BFGS-B', 'gtol = "{a}e-5 J/m"\nftol = 0\n'),
    ]
    out = []
    for i in range(n):
        name, body = optimizers[i % len(optimizers)]
        out.append(f'loss = "J"\n[[groups]]\nname = "w"\nunits = "m"\n'
                   f'[[groups]]\nname = "k"\nunits = "N/m"\n'
                   f'[optimizer]\nname = "{name}"\n' + body.format(a=i + 1, b=2 * i + 1) +
                   f'[[schedulers]]\nname = "torch.optim.lr_scheduler.StepLR"\n'
                   f'step_size = {i + 1}\ngamma = 0.{i % 9 + 1}\n')
    return out


def test_linting_100_configs_takes_under_2_seconds():
    texts = _configs(100)
    ud.lint(texts[0])  # warm up pint's registry once
    from unitdescent.lint import checker, values

    for cached in (values.parse_quantity, values.parse_unit_text, checker.need_unit,
                   checker._dims):
        cached.cache_clear()  # measure the parsing of units too
    start = time.perf_counter()
    results = [ud.lint(t, format="toml") for t in texts]
    elapsed = time.perf_counter() - start
    assert sum(len(r) for r in results) > 0  # the configs are really checked
    assert elapsed < 2.0, f"{elapsed:.2f} s"
