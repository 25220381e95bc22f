"""The ``lint``, ``rule`` and ``explain`` subcommands of ``unitdescent``.

Exit codes as ruff, flake8 and mypy: 0 clean, 1 findings, 2 usage or config error.
"""

from __future__ import annotations

import json
import os
import re
import sys

from ..cli import command
from . import report, tables
from .checker import check, fmt, known_selector, need_unit
from .config import ConfigError, load, loads, guess_format
from .rules import RULES, get, markdown_table
from .values import ValueProblem, parse_unit_text

CONFIG_NAMES = tuple(f"unitdescent.{ext}" for ext in ("toml", "yaml", "yml", "json"))
CONFIG_SUFFIXES = tuple(f".unitdescent.{ext}" for ext in ("toml", "yaml", "yml", "json"))
SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", "build",
             "dist"}


def _err(message: str) -> None:
    print(f"unitdescent: error: {message}", file=sys.stderr)


def _split(values):
    out = []
    for v in values or ():
        out += [p.strip() for p in v.split(",") if p.strip()]
    return out


_TOOL_TABLE = re.compile(r"^\s*\[\[?\s*tool\s*\.\s*unitdescent\b|^\s*tool\s*\.\s*unitdescent\b",
                         re.MULTILINE)


def has_tool_table(path: str) -> bool:
    """True when the pyproject.toml at ``path`` has a [tool.unitdescent] table."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return bool(_TOOL_TABLE.search(fh.read(1_000_000)))
    except OSError:
        return False


def is_config_name(path: str) -> bool:
    base = os.path.basename(path)
    return base in CONFIG_NAMES or base.endswith(CONFIG_SUFFIXES) or (
        base == "pyproject.toml" and has_tool_table(path))


def discover(start: str | None = None) -> str | None:
    """The nearest config upward from ``start``: unitdescent.* or pyproject.toml with the table."""
    d = os.path.abspath(start or os.getcwd())
    while True:
        for name in CONFIG_NAMES:
            if os.path.isfile(os.path.join(d, name)):
                return os.path.join(d, name)
        py = os.path.join(d, "pyproject.toml")
        if os.path.isfile(py) and has_tool_table(py):
            return py
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def expand(paths) -> list[str]:
    """Files to lint: files as given; directories searched for config names."""
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith("."))
                out += [os.path.join(root, f) for f in sorted(files)
                        if is_config_name(os.path.join(root, f))]
        else:
            out.append(p)
    return out


def _lint_args(p):
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="config files or directories ('-' reads stdin); default: the nearest "
                        "unitdescent.toml or pyproject.toml with [tool.unitdescent]")
    p.add_argument("--select", action="append", metavar="CODES",
                   help="rule codes or prefixes to enable (comma-separated), e.g. UD1,UD301")
    p.add_argument("--ignore", action="append", metavar="CODES", help="rule codes to disable")
    p.add_argument("--output-format", choices=report.FORMATS, default=None,
                   help="concise (default), full, json, sarif or github")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    p.add_argument("--fix", action="store_true",
                   help="apply safe fixes (unit conversions, unused noqa) in place")
    p.add_argument("--stdin-format", choices=("toml", "yaml", "json"), default=None,
                   help="format of the config read from stdin")


@command("lint", "check optimizer configs for unit-inconsistent hyperparameters",
         arguments=_lint_args)
def run_lint(args) -> int:
    paths = list(args.paths)
    if not paths:
        found = discover()
        if found is None:
            _err("no config found: no unitdescent.toml/.yaml/.json or pyproject.toml with "
                 "[tool.unitdescent] here or in any parent directory")
            return 2
        paths = [found]
    select, ignore = _split(args.select), _split(args.ignore)
    for code in select + ignore:
        if not known_selector(code):
            _err(f"unknown rule selector {code!r} (see `unitdescent rule --list`)")
            return 2
    status, diags, sources, out_format, fixed = 0, [], {}, args.output_format, 0
    for path in expand(paths):
        try:
            if path == "-":
                text = sys.stdin.read()
                cfg = loads(text, args.stdin_format or guess_format(text), file="<stdin>")
            elif os.path.basename(path) == "pyproject.toml" and not has_tool_table(path):
                continue  # no [tool.unitdescent]: nothing to lint (pre-commit passes every one)
            else:
                cfg = load(path)
        except ConfigError as exc:
            _err(str(exc))
            status = 2
            continue
        found = check(cfg, select=select, ignore=ignore)
        if args.fix and path != "-" and any(d.fix for d in found):
            from .fix import fix_file

            fixed += fix_file(path, found)
            cfg = load(path)
            found = check(cfg, select=select, ignore=ignore)
        sources[cfg.file] = cfg.text
        diags += found
        lint_table = cfg.data.get("lint")
        if out_format is None and isinstance(lint_table, dict):
            fmt_ = lint_table.get("output-format", lint_table.get("output_format"))
            out_format = fmt_ if fmt_ in report.FORMATS else None
    if diags or not status:
        sys.stdout.write(report.render(diags, out_format or "concise", sources))
    if fixed:
        print(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}.", file=sys.stderr)
    if status:
        return status
    return 1 if diags and not args.exit_zero else 0



def _rule_args(p):
    p.add_argument("code", nargs="?", help="a rule code (UD102) or name (wrong-units)")
    p.add_argument("--list", action="store_true", help="list every rule")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")


@command("rule", "explain a lint rule (unitdescent rule UD105) or list them all",
         arguments=_rule_args)
def run_rule(args) -> int:
    if args.list or not args.code:
        if args.format == "markdown":
            print(markdown_table())
        elif args.format == "json":
            print(json.dumps([vars(r) for r in RULES.values()], indent=2, ensure_ascii=False))
        else:
            for r in RULES.values():
                extra = "" if r.default else "  (not selected by default)"
                print(f"{r.code}  {r.name:<30} {r.severity:<8} {r.summary}{extra}")
        return 0
    rule = get(args.code)
    if rule is None:
        _err(f"no rule {args.code!r} (see `unitdescent rule --list`)")
        return 2
    if args.format == "json":
        print(json.dumps(vars(rule), indent=2, ensure_ascii=False))
        return 0
    print(f"{rule.code} {rule.name} ({rule.severity})\n\n{rule.summary}.\n\n{rule.explanation}")
    flags = [] if rule.default else ["not selected by default"]
    flags += ["fixable with --fix"] if rule.fixable else []
    if flags:
        print("\n" + "; ".join(flags).capitalize() + ".")
    return 0



def _explain_args(p):
    p.add_argument("name", nargs="?", help="e.g. torch.optim.Adam, optax.rmsprop, "
                                           "scipy.optimize.minimize:L-BFGS-B, unitdescent.adam")
    p.add_argument("--param", action="append", metavar="[GROUP=]UNITS",
                   help="parameter units, once per group (e.g. --param w=m --param b=N/m)")
    p.add_argument("--loss", default=None, metavar="UNITS", help="loss units (default: none)")
    p.add_argument("--list", action="store_true", help="list every optimizer with a table")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")


@command("explain", "print an optimizer's unit table, for given parameter and loss units",
         arguments=_explain_args)
def run_explain(args) -> int:
    specs = tables.all_specs()
    if args.list or not args.name:
        for role in ("optimizer", "scheduler", "transform"):
            names = [n for n, s in specs.items() if s.role == role]
            print(f"{role}s:\n  " + "\n  ".join(names))
        return 0
    spec = tables.lookup(args.name)
    if spec is None:
        hint = tables.suggest(args.name)
        _err(f"no unit table for {args.name!r}" + (f"; did you mean {hint!r}?" if hint else "")
             + " (see `unitdescent explain --list`)")
        return 2
    try:
        groups = _groups(args.param or [])
    except ValueProblem as exc:
        _err(f"--param: {exc}")
        return 2
    try:
        loss = parse_unit_text(args.loss) if args.loss else None
    except ValueProblem as exc:
        _err(f"--loss: {exc}")
        return 2
    print(explain_text(spec, groups, loss, args.format), end="")
    return 0



def _groups(params):
    out = []
    for i, p in enumerate(params):
        name, _, units = p.rpartition("=") if "=" in p else (f"θ{i + 1}" if len(params) > 1
                                                               else "θ", "", p)
        if any(name == seen for seen, _ in out):
            raise ValueProblem("UD006", f"group {name!r} is given twice; give each group once "
                               f"(--param {name}=UNITS)")
        out.append((name, parse_unit_text(units)))
    return out


def _dim_text(h):
    if h.dim is None:
        return " and ".join(str(d) for d in h.also) if h.also else "—"
    if h.dim == tables.LR:
        return "units of lr"
    return str(h.dim)


def _when_text(h):
    parts = []
    for option, values, dim in h.when:
        shown = "/".join(json.dumps(v) for v in values)
        parts.append(f"{'no effect' if dim == tables.INACTIVE else dim} when {option} = {shown}")
    return "; ".join(parts)


def explain_rows(spec, groups, loss):
    """Rows (name, units, concrete units per group, default, note) of the table."""
    from ..units import ureg

    lu = loss if loss is not None else ureg.dimensionless
    rows = []
    for h in spec.hypers:
        if h.kind == "any" and not h.note:
            continue
        here = []
        for _, unit in groups:
            dim = h.dim
            if dim in (None, tables.LR, tables.INACTIVE) or h.kind not in ("number", "pair"):
                here.append("")
            else:
                here.append(fmt(need_unit(dim, unit, lu)))
        units = _dim_text(h) if h.kind in ("number", "pair") else h.kind
        note = "; ".join(x for x in (h.note, _when_text(h)) if x)
        if h.issue:
            note = f"{h.issue} {RULES[h.issue].name}: {note}"
        default = "required" if h.required else ("" if h.default is None else repr(h.default))
        rows.append((h.name, units, here, default, note))
    return rows


def explain_text(spec, groups, loss, format="text") -> str:
    rows = explain_rows(spec, groups, loss)
    if format == "json":
        return json.dumps({"name": spec.name, "update": spec.update, "hyperparameters": [
            {"name": n, "units": u, "here": dict(zip([g for g, _ in groups], h)),
             "default": d, "note": note} for n, u, h, d, note in rows],
            "notes": list(spec.notes), "mixed": [n for _, n in spec.mixed],
            "hidden": [n if isinstance(n, str) else n[0] for n in spec.hidden]},
            indent=2, ensure_ascii=False) + "\n"
    gnames = [f"{g} in {fmt(u)}" if g not in ("θ",) else f"θ in {fmt(u)}" for g, u in groups]
    header = ["hyperparameter", "units"] + gnames + ["default", "note"]
    body = [[n, u, *h, d, note] for n, u, h, d, note in rows]
    lines = [f"{spec.name} — {spec.update}"]
    if groups:
        loss_text = fmt(loss) if loss is not None else "dimensionless"
        lines.append(f"[θ]: {', '.join(gnames)}; [L]: {loss_text}")
    lines.append("")
    if format == "markdown":
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in body]
    else:
        widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header) - 1)]
        for r in [header] + body:
            cells = [c.ljust(w) for c, w in zip(r[:-1], widths)] + [r[-1]]
            lines.append("  ".join(cells).rstrip())
    extra = list(spec.notes) + [f"over all parameters: {n}" for _, n in spec.mixed] + [
        f"hard-coded: {n if isinstance(n, str) else n[0]}" for n in spec.hidden]
    if extra:
        lines.append("")
        lines += [f"- {x}" for x in extra]
    return "\n".join(lines) + "\n"
