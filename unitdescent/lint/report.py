"""Reporters: diagnostics as concise lines, full text with source, JSON, SARIF 2.1.0, or GitHub
workflow annotations.
"""

from __future__ import annotations

import json
import os
import pathlib
import urllib.parse

from .rules import RULES, Diagnostic

FORMATS = ("concise", "full", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def render(diags: list[Diagnostic], format: str = "concise", sources: dict | None = None) -> str:
    """The report text. ``sources`` maps file → text (for the source lines of ``full``)."""
    if format == "concise":
        return _concise(diags)
    if format == "full":
        return _full(diags, sources or {})
    if format == "json":
        return json.dumps([d.to_dict() for d in diags], indent=2, ensure_ascii=False) + "\n"
    if format == "sarif":
        return json.dumps(sarif(diags), indent=2, ensure_ascii=False) + "\n"
    if format == "github":
        return "".join(github_line(d) + "\n" for d in diags)
    raise ValueError(f"unknown output format {format!r}; use one of {', '.join(FORMATS)}")


def summary(diags) -> str:
    if not diags:
        return "All checks passed."
    counts = {s: sum(d.severity == s for d in diags) for s in ("error", "warning", "info")}
    parts = [f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items() if n]
    fixable = sum(d.fix is not None for d in diags)
    tail = f" {fixable} fixable with --fix." if fixable else ""
    return f"Found {len(diags)} finding{'s' if len(diags) != 1 else ''} ({', '.join(parts)}).{tail}"


def _concise(diags):
    lines = [str(d) for d in diags]
    lines.append(summary(diags))
    return "\n".join(lines) + "\n"


def _full(diags, sources):
    out = []
    for d in diags:
        out.append(f"{d.location()}: {d.code} [{d.name}] ({d.severity})")
        out.append(f"  {d.message}")
        text = sources.get(d.file)
        if text is not None and d.line:
            lines = text.splitlines()
            if d.line <= len(lines):
                src = lines[d.line - 1]
                out.append(f"  {d.line:>4} | {src}")
                out.append(f"       | {' ' * max((d.col or 1) - 1, 0)}^")
        out.append(f"  = rule: {RULES[d.code].summary} (`unitdescent rule {d.code}`)")
        if d.fix is not None:
            out.append("  = fixable with --fix")
        out.append("")
    out.append(summary(diags))
    return "\n".join(out) + "\n"


def sarif(diags: list[Diagnostic]) -> dict:
    """A SARIF 2.1.0 log with one run; every rule is listed in the driver."""
    from .. import __version__

    codes = list(RULES)
    rules = [{
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.explanation},
        "defaultConfiguration": {"level": SARIF_LEVEL[r.severity]},
        "help": {"text": r.explanation},
    } for r in RULES.values()]
    results = []
    for d in diags:
        region = {"startLine": d.line or 1, "startColumn": d.col or 1}
        results.append({
            "ruleId": d.code,
            "ruleIndex": codes.index(d.code),
            "level": SARIF_LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(d.file)},
                "region": region,
            }}],
        })
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "unitdescent",
                "version": __version__,
                "informationUri": "https://github.com/unitdescent/unitdescent",
                "rules": rules,
            }},
            "results": results,
        }],
    }


def _uri(path: str) -> str:
    """A URI reference for SARIF: file:// for absolute paths, percent-encoded relative ones."""
    if os.path.isabs(path):
        return pathlib.Path(path).as_uri()
    return urllib.parse.quote(path.replace("\\", "/"))


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(d: Diagnostic) -> str:
    """A GitHub Actions workflow command: ``::error file=…,line=…,col=…,title=…::message``."""
    props = [f"file={_escape_property(d.file)}"]
    if d.line:
        props += [f"line={d.line}", f"col={d.col or 1}"]
    props.append(f"title={_escape_property(f'{d.code} {d.name}')}")
    return f"::{GITHUB_LEVEL[d.severity]} {','.join(props)}::{_escape_data(d.message)}"
