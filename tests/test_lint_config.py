"""Loading configs: formats, key positions, noqa comments, bad input, and fuzzing."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unitdescent.lint import ConfigError, lint, load, loads
from unitdescent.lint.config import MAX_BYTES, MAX_DEPTH, from_dict, guess_format, scan_noqa
from unitdescent.lint.values import ValueProblem, parse_quantity

TOML = """\
# a comment
loss = "J"

[[groups]]
name = "w"
units = "m"

[[groups]]
name = "b"
units = "N/m"

[optimizer]
name = "torch.optim.Adam"
lr = { w = "1e-3 m", b = "2 N/m" }
betas = [
  0.9,
  0.999,
]
"eps" = { w = "1e-8 J/m", b = "1e-8 m**2" }
"""


def test_toml_key_positions():
    cfg = loads(TOML, "toml", file="u.toml")
    assert cfg.position(("loss",)) == (2, 1)
    assert cfg.position(("groups", 0)) == (4, 1)
    assert cfg.position(("groups", 1, "units")) == (10, 1)
    assert cfg.position(("optimizer", "lr", "b")) == (14, 22)
    assert cfg.position(("optimizer", "betas", 1)) == (17, 3)
    assert cfg.position(("optimizer", "eps", "w")) == (19, 11)
    assert cfg.position(("optimizer", "nothing", "here")) == (12, 1)  # nearest ancestor
    assert cfg.data["optimizer"]["lr"] == {"w": "1e-3 m", "b": "2 N/m"}


def test_diagnostics_point_at_the_offending_key():
    text = TOML.replace('b = "2 N/m"', 'b = "2 m"')
    (d,) = lint(text, format="toml")
    assert (d.code, d.line, d.col, d.key) == ("UD102", 14, 22, "optimizer.lr.b")


def test_yaml_and_json_positions():
    yaml_text = ("loss: J\ngroups:\n  - name: w\n    units: m\n"
                 "optimizer:\n  name: torch.optim.SGD\n  lr: 0.1\n")
    (d,) = lint(yaml_text, format="yaml")
    assert (d.code, d.line, d.col) == ("UD101", 7, 3)
    data = {"loss": "J", "groups": [{"name": "w", "units": "m"}],
            "optimizer": {"name": "torch.optim.SGD", "lr": 0.1}}
    text = json.dumps(data, indent=2)
    (d,) = lint(text, format="json")
    line = text.splitlines().index('    "lr": 0.1') + 1
    assert (d.code, d.line, d.col) == ("UD101", line, 5)
    (d,) = lint(data)
    assert d.line is None and d.key == "optimizer.lr" and "[optimizer.lr]" in d.location()


def test_pyproject_table(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n\n[tool.unitdescent]\nloss = "J"\n'
                    '[[tool.unitdescent.groups]]\nname = "w"\nunits = "m"\n'
                    '[tool.unitdescent.optimizer]\nname = "torch.optim.SGD"\nlr = 0.1\n')
    cfg = load(path)
    assert cfg.data["loss"] == "J" and cfg.position(("optimizer", "lr")) == (11, 1)
    (d,) = lint(str(path))
    assert (d.code, d.line) == ("UD101", 11)
    other = tmp_path / "sub" / "pyproject.toml"
    other.parent.mkdir()
    other.write_text('[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"no \[tool.unitdescent\] table"):
        load(other)


@pytest.mark.parametrize("fmt, text, line", [
    ("toml", 'loss = "J"\n[optimizer\nname = 1\n', 2),
    ("toml", 'loss = "J"\nloss = "m"\n', 2),
    ("yaml", "loss: J\ngroups: [a, b\noptimizer: x\n", 3),
    ("yaml", "loss: J\n  bad: indent\n", 2),
    ("json", '{"loss": "J",\n "groups": [}\n', 2),
])
def test_malformed_input_names_file_and_line(fmt, text, line):
    with pytest.raises(ConfigError) as info:
        loads(text, fmt, file=f"bad.{fmt}")
    assert info.value.line == line
    assert str(info.value).startswith(f"bad.{fmt}:{line}")


def test_limits_on_size_depth_and_shape():
    with pytest.raises(ConfigError, match="too large"):
        loads("a = 1\n" * (MAX_BYTES // 4), "toml")
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    for fmt, text in (("json", deep), ("toml", f"a = {deep}"), ("yaml", f"a: {deep}")):
        with pytest.raises(ConfigError, match="nested too deeply"):
            loads(text, fmt)
    with pytest.raises(ConfigError, match="nested too deeply"):
        loads("[" * 100_000 + "]" * 100_000, "json")
    with pytest.raises(ConfigError, match="must be a table"):
        loads("[1, 2]", "json")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi"))
    with pytest.raises(ConfigError, match="too many values"):
        loads(bomb, "yaml")
    with pytest.raises(ConfigError, match="nested too deeply"):
        loads("a: &a [*a]\n", "yaml")


def test_guess_format_and_noqa_scan():
    assert guess_format('{"a": 1}') == "json"
    assert guess_format("# c\n[optimizer]\n") == "toml"
    assert guess_format("a = 1\n") == "toml"
    assert guess_format("loss: J\n") == "yaml"
    noqa = scan_noqa('a = 1  # noqa: UD101,ud102\nb = 2 # NOQA\nc = 3 # not noqa-like: x\n')
    assert noqa[1].codes == {"UD101", "UD102"} and noqa[1].col == 8
    assert noqa[2].codes is None


@pytest.mark.parametrize("text", [
    "__import__('os').system('echo hacked')", "lambda: 1", "m; import os", "eval('1') m",
    "m**10000000", "9**9**9", "(" * 20 + "m" + ")" * 20, "x" * 500, "1e-3 m{}", "${HOME} m",
])
def test_unit_strings_that_try_to_be_code_are_rejected(text):
    with pytest.raises(ValueProblem) as info:
        parse_quantity(text)
    assert info.value.code == "UD001"


# ---------------------------------------------------------------- fuzzing: never a traceback
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=20),
                    st.sampled_from(["1e-3 m", "m", "J/m", "0", "torch.optim.Adam", "1 degC",
                                     "optax.rmsprop", "w", "N/m", "1e400 m"]))
keys = st.one_of(st.sampled_from(["loss", "groups", "optimizer", "schedulers", "transforms",
                                  "lint", "name", "units", "lr", "eps", "select", "ignore",
                                  "weight_decay", "max_norm", "w"]), st.text(max_size=8))
trees = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)), max_leaves=25)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, trees, max_size=6))
def test_fuzz_nested_structures_never_raise_unexpectedly(data):
    try:
        diags = lint(data, select=["ALL"])
    except ConfigError:
        return
    for d in diags:
        assert d.code.startswith("UD") and d.message


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300), st.sampled_from(["toml", "yaml", "json"]))
def test_fuzz_random_text_never_raises_unexpectedly(text, fmt):
    try:
        lint(text, format=fmt)
    except ConfigError as exc:
        assert str(exc)


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, trees, max_size=6), st.sampled_from(["toml", "yaml", "json"]))
def test_fuzz_serialised_structures(data, fmt):
    """Valid documents of any shape: lint them in each format without a traceback."""
    import math

    def clean(o):  # what each format can represent
        if isinstance(o, dict):
            return {str(k): clean(v) for k, v in o.items() if v is not None}
        if isinstance(o, list):
            return [clean(v) for v in o if v is not None]
        if isinstance(o, float) and not math.isfinite(o):
            return 0.0
        if isinstance(o, int) and not isinstance(o, bool):
            return max(min(o, 2 ** 62), -(2 ** 62))
        return o

    data = clean(data)
    if fmt == "json":
        text = json.dumps(data)
    elif fmt == "yaml":
        import yaml

        text = yaml.safe_dump(data)
    else:
        text = _toml_dump(data)
        if text is None:
            return
    try:
        lint(text, format=fmt, select=["ALL"])
    except ConfigError:
        pass


def _toml_dump(data):
    """A tiny TOML writer for fuzzing (inline tables); None when a value is not expressible."""
    def val(o):
        if isinstance(o, bool):
            return "true" if o else "false"
        if isinstance(o, (int, float)):
            return repr(o)
        if isinstance(o, str):
            return json.dumps(o)
        if isinstance(o, list):
            return "[" + ", ".join(val(v) for v in o) + "]"
        return "{" + ", ".join(f"{json.dumps(k)} = {val(v)}" for k, v in o.items()) + "}"

    return "".join(f"{json.dumps(k)} = {val(v)}\n" for k, v in data.items())


def test_from_dict_rejects_non_dicts():
    with pytest.raises(ConfigError):
        from_dict([1, 2])
    with pytest.raises(ConfigError):
        lint(42)


def test_a_path_that_does_not_exist_is_named_not_parsed_as_config_text(tmp_path):
    from unitdescent.lint.config import ConfigError, coerce

    with pytest.raises(ConfigError, match=r"no such file: 'missing/unitdescent.toml'"):
        coerce("missing/unitdescent.toml")
    # one-line config text is still config text
    assert coerce('loss = "J"').data == {"loss": "J"}
    assert coerce("loss: J").data == {"loss": "J"}


def test_select_and_ignore_from_python_are_checked():
    config = {"loss": "J", "groups": [{"name": "a", "units": "m"}, {"name": "b", "units": "s"}],
              "optimizer": {"name": "torch.optim.SGD", "lr": "1e-3 m**2/J"}}
    assert [d.code for d in lint(config, select="UD1")] == ["UD105"]  # a string is one selector
    assert [d.code for d in lint(config, select=["UD1"])] == ["UD105"]
    # an unknown selector used to select nothing, silently
    with pytest.raises(ConfigError, match=r"select: unknown rule selector 'XYZ'"):
        lint(config, select=["XYZ"])
    with pytest.raises(ConfigError, match=r"ignore: unknown rule selector 'UD9'"):
        lint(config, ignore="UD9")
