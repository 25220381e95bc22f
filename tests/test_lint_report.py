"""Output formats: concise, full, JSON (parsed), SARIF 2.1.0 (validated), GitHub annotations."""

import json
import pathlib
import re

import pytest

from unitdescent.lint import lint
from unitdescent.lint.report import github_line, render, sarif, summary
from unitdescent.lint.rules import RULES, Diagnostic

TEXT = """\
loss = "J"
[[groups]]
name = "w"
units = "m"
[[groups]]
name = "t"
units = "s"
[optimizer]
name = "torch.optim.SGD"
lr = 0.1
momentum = 0.9
[[transforms]]
name = "torch.nn.utils.clip_grad_norm_"
max_norm = 1.0
"""


@pytest.fixture
def diags():
    found = lint(TEXT.replace("\n", "\n", 1), format="toml")
    for d in found:
        d.file = "configs/unit descent.toml"
    return found


def test_concise_and_full(diags):
    assert {d.code for d in diags} == {"UD105", "UD106", "UD302"}
    out = render(diags, "concise")
    first = out.splitlines()[0]
    assert re.fullmatch(r"configs/unit descent\.toml:10:1: UD105 \[shared-value-mixed-units\] .+",
                        first)
    assert out.splitlines()[-1] == "Found 3 findings (2 errors, 1 info)."
    full = render(diags, "full", {"configs/unit descent.toml": TEXT})
    assert "    10 | lr = 0.1\n       | ^" in full
    assert "(`unitdescent rule UD106`)" in full
    assert render([], "concise") == "All checks passed.\n"


def test_json_output_parses(diags):
    data = json.loads(render(diags, "json"))
    assert [d["code"] for d in data] == [d.code for d in diags]
    first = data[0]
    assert set(first) == {"code", "name", "severity", "message", "file", "line", "col", "key",
                          "fixable"}
    assert (first["line"], first["col"], first["key"], first["severity"]) == \
        (10, 1, "optimizer.lr", "error")


def test_sarif_validates_against_the_schema(diags):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((pathlib.Path(__file__).parent / "data" /
                         "sarif-2.1.0-subset.schema.json").read_text())
    log = json.loads(render(diags, "sarif"))
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.validate(log, schema, cls=jsonschema.Draft7Validator)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "unitdescent"
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    for res in run["results"]:
        rule = driver["rules"][res["ruleIndex"]]
        assert rule["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        assert res["message"]["text"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == "configs/unit%20descent.toml"
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"UD105": "error", "UD106": "error", "UD302": "note"}
    # a log that breaks the schema is caught (the test can fail)
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema, cls=jsonschema.Draft7Validator)
    empty = sarif([])
    jsonschema.validate(empty, schema, cls=jsonschema.Draft7Validator)
    assert empty["runs"][0]["results"] == []


GITHUB = re.compile(r"::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,"
                    r"title=UD\d{3} [a-z-]+::[^\n\r]+")


def test_github_annotations(diags):
    lines = render(diags, "github").splitlines()
    assert len(lines) == 3
    for line in lines:
        assert GITHUB.fullmatch(line), line
    assert lines[0].startswith("::error file=configs/unit descent.toml,line=10,col=1,"
                               "title=UD105 shared-value-mixed-units::")
    assert any(line.startswith("::notice ") for line in lines)
    d = Diagnostic("UD102", "50% off\nsecond line", "a,b:c.toml", 3, 7)
    assert github_line(d) == ("::error file=a%2Cb%3Ac.toml,line=3,col=7,"
                              "title=UD102 wrong-units::50%25 off%0Asecond line")


def test_summary_and_unknown_format(diags):
    assert summary(diags[:1]) == "Found 1 finding (1 error)."
    with pytest.raises(ValueError, match="unknown output format"):
        render(diags, "xml")
