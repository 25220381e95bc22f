"""Safe fixes: rewrite a value in the group's own units (UD303), remove unused noqa (UD008).

A fix edits one line of the file: the quoted (or, in YAML, plain) value text after the key,
or the noqa comment. Nothing else in the file changes.
"""

from __future__ import annotations

import re

from .rules import Diagnostic


def apply(text: str, diags: list[Diagnostic]) -> tuple[str, int]:
    """``text`` with every fixable diagnostic fixed, and the number of fixes applied."""
    lines = text.splitlines(keepends=True)
    applied = 0
    for d in sorted(diags, key=lambda d: (d.line or 0, -(d.col or 0))):
        if d.fix is None or not d.line or d.line > len(lines):
            continue
        line = lines[d.line - 1]
        if "noqa" in d.fix:
            new = _drop_noqa(line, d.fix["noqa"], d.fix["text"])
        else:
            new = _replace_value(line, d.fix["old"], d.fix["new"], (d.col or 1) - 1)
        if new is not None and new != line:
            lines[d.line - 1] = new
            applied += 1
    return "".join(lines), applied


def fix_file(path: str, diags: list[Diagnostic]) -> int:
    """Apply the fixes of ``diags`` (which belong to ``path``) in place; returns the count."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    new, n = apply(text, [d for d in diags if d.file == path])
    if n:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(new)
    return n


def _replace_value(line, old, new, start):
    for q in ('"', "'"):
        token = q + old + q
        j = line.find(token, start)
        if j >= 0:
            return line[:j] + q + new + q + line[j + len(token):]
    j = line.find(old, start)
    if j >= 0:
        return line[:j] + new + line[j + len(old):]
    return None


def _drop_noqa(line, unused, text):
    j = line.find(text)
    if j < 0:
        return None
    m = re.match(r"#\s*noqa\s*:?\s*(.*)", text, re.IGNORECASE)
    codes = [c for c in re.split(r"[\s,]+", m.group(1) if m else "") if c]
    keep = [c for c in codes if c.upper() not in unused]
    if "*" in unused or not keep:
        end = "\n" if line.endswith("\n") else ""
        return (line[:j].rstrip() + line[j + len(text):].rstrip("\n")).rstrip() + end \
            if line[:j].strip() else line[:j] + line[j + len(text):]
    return line[:j] + "# noqa: " + ", ".join(keep) + line[j + len(text):]
