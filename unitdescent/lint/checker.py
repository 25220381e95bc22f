"""The checks: a loaded config against the unit tables → diagnostics.

The config declares the loss units, parameter groups with their units, an optimizer and
optionally schedulers and gradient transforms. Every hyperparameter's value is compared with
the units its table entry requires for every group it applies to (``Dim.unit(group units, loss
units)``); tables record what no value can fix (intrinsic inconsistencies) and the defaults that
silently assume a unit scale. ``check`` then applies ``# noqa`` comments and rule selection.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from ..units import is_multiplicative, ureg
from . import tables
from .config import Config, ConfigError
from .rules import RULES, Diagnostic, get, is_selected
from .tables import EPS_CONVENTIONS, INACTIVE, LR, WEIGHT_DECAY_CONVENTIONS
from .values import ValueProblem, parse_unit_text, read_number

TOP_KEYS = ("loss", "groups", "optimizer", "schedulers", "transforms", "lint")
GROUP_KEYS = ("name", "units", "params", "description")
LINT_KEYS = ("select", "ignore", "output-format")
ROLES = {"optimizer": "optimizer", "schedulers": "scheduler", "transforms": "transform"}
CONVENTIONS = {"weight_decay": ("UD103", WEIGHT_DECAY_CONVENTIONS),
               "eps": ("UD104", EPS_CONVENTIONS)}


@dataclass(frozen=True)
class Group:
    name: str
    unit: object  # pint Unit
    path: tuple


@lru_cache(maxsize=4096)
def need_unit(dim, theta_unit, loss_unit):
    """Units a hyperparameter with signature ``dim`` needs (cached: pint algebra is slow)."""
    unit = dim.unit(theta_unit, loss_unit)
    # Dim.unit keeps zero powers ('meter ** 0'); pint's division drops them
    return unit * unit / unit


@lru_cache(maxsize=4096)
def _dims(unit):
    return unit.dimensionality


def known_selector(text: str) -> bool:
    """True for 'ALL', a rule code or code prefix ('UD1'), or a rule name."""
    text = str(text).strip()
    return text.upper() == "ALL" or (len(text) >= 2 and any(
        c.startswith(text.upper()) for c in RULES)) or get(text) is not None


def _close(name, valid):
    close = difflib.get_close_matches(str(name), [str(v) for v in valid], n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def _num(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _example(value, unit) -> str:
    return f"'{_num(value)} {format(unit, '~')}'" if str(unit) != "dimensionless" else _num(value)


def fmt(unit) -> str:
    """Compact unit text for messages: 'J/m²'; dimensionless stays a word."""
    text = format(unit, "~P") if unit is not None else ""
    return text if text and str(unit) != "dimensionless" else "dimensionless"


class Checker:
    """Runs every check over one :class:`Config`; ``run()`` returns raw diagnostics."""

    def __init__(self, config: Config):
        self.cfg = config
        self.diags: list[Diagnostic] = []
        self.groups: list[Group] = []
        self.loss = None
        self.lr = None  # (spec, hyper, options) of the optimizer's learning rate

    # ------------------------------------------------------------ helpers
    def emit(self, code, message, path=(), fix=None):
        line, col = self.cfg.position(path)
        key = ".".join(str(p) for p in path)
        self.diags.append(Diagnostic(code, message, self.cfg.file, line, col, key, fix))

    def group(self, name):
        return next((g for g in self.groups if g.name == name), None)

    # ------------------------------------------------------------ top level
    def run(self) -> list[Diagnostic]:
        data = self.cfg.data
        for key in data:
            if key not in TOP_KEYS:
                self.emit("UD004", f"unknown key {key!r}.{_close(key, TOP_KEYS)} Known keys: "
                                   f"{', '.join(TOP_KEYS)}.", (key,))
        self.read_loss(data.get("loss"))
        self.read_groups(data.get("groups"))
        self.read_lint(data.get("lint"))
        if "optimizer" not in data:
            self.emit("UD007", "no optimizer: add an [optimizer] table with its name, e.g. "
                               "name = 'torch.optim.Adam'")
        else:
            self.component(data["optimizer"], ("optimizer",), "optimizer")
        for key in ("schedulers", "transforms"):
            if key not in data:
                continue
            items = data[key]
            if isinstance(items, (dict, str)):
                items = [items]
                paths = [(key,)]
            elif isinstance(items, list):
                paths = [(key, i) for i in range(len(items))]
            else:
                self.emit("UD006", f"{key} must be a list of tables (each with a name)", (key,))
                continue
            for item, path in zip(items, paths):
                self.component(item, path, ROLES[key])
        return self.diags

    def read_loss(self, loss):
        path = ("loss",)
        if isinstance(loss, dict):
            for k in loss:
                if k not in ("units", "description"):
                    self.emit("UD004", f"unknown key {k!r} in loss; give its units as "
                                       f"loss = {{units = 'J'}} or loss = 'J'", path + (k,))
            path, loss = path + ("units",), loss.get("units")
        if loss is None:
            self.emit("UD007", "the loss units are not declared: add loss = 'J' (or '1' for a "
                               "dimensionless loss)", path)
            return  # self.loss stays None: no unit checks that would only repeat this finding
        self.loss = self.read_unit(loss, path, "loss units")

    def read_unit(self, value, path, what):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 1:
            return ureg.dimensionless
        if not isinstance(value, str):
            self.emit("UD006", f"{what} must be a unit string such as 'm' or 'N/m', got "
                               f"{value!r}", path)
            return None
        try:
            unit = parse_unit_text(value)
        except ValueProblem as exc:
            self.emit(exc.code, f"{what}: {exc}", path)
            return None
        if not is_multiplicative(unit):
            self.emit("UD006", f"{what}: {value!r} has an offset (its zero is not zero); use an "
                               f"absolute unit such as kelvin", path)
            return None
        return unit

    def read_groups(self, groups):
        if groups is None:
            self.emit("UD007", "no parameter groups: declare [[groups]] with a name and units, "
                               "e.g. name = 'weights', units = 'm'")
            return
        if isinstance(groups, dict):
            items = [(name, table, ("groups", name)) for name, table in groups.items()]
        elif isinstance(groups, list):
            items = []
            for i, table in enumerate(groups):
                name = table.get("name") if isinstance(table, dict) else None
                if isinstance(table, dict) and name is None:
                    self.emit("UD007", f"group {i} has no name", ("groups", i))
                    continue
                items.append((name, table, ("groups", i)))
        else:
            self.emit("UD006", "groups must be a list of tables [[groups]] or a table of "
                               "tables [groups.NAME]", ("groups",))
            return
        globs = []
        for name, table, path in items:
            if isinstance(table, str):  # [groups] weights = "m"
                table = {"units": table}
                upath = path
            elif not isinstance(table, dict):
                self.emit("UD006", f"group {name!r} must be a table with units", path)
                continue
            else:
                upath = path + ("units",)
            if not isinstance(name, str) or not name:
                self.emit("UD006", f"a group name must be text, got {name!r}", path)
                continue
            if self.group(name) is not None:
                self.emit("UD006", f"group {name!r} is declared twice", path)
                continue
            for k in table:
                if k not in GROUP_KEYS:
                    self.emit("UD004", f"unknown key {k!r} in group {name!r}."
                                       f"{_close(k, GROUP_KEYS)} "
                                       f"A group has {', '.join(GROUP_KEYS)}.", path + (k,))
            params = table.get("params")
            if params is not None and not (isinstance(params, list)
                                           and all(isinstance(p, str) for p in params)):
                self.emit("UD006", f"group {name!r}: params must be a list of name globs",
                          path + ("params",))
            elif params:
                self.check_globs(name, params, path + ("params",), globs)
            if "units" not in table:
                self.emit("UD007", f"group {name!r} has no units (use '1' for dimensionless)",
                          path)
                continue
            unit = self.read_unit(table["units"], upath, f"units of group {name!r}")
            if unit is not None:
                self.groups.append(Group(name, unit, path))

    def check_globs(self, name, params, path, seen):
        """A parameter matched by two groups' globs would be in two groups (torch refuses)."""
        for i, glob in enumerate(params):
            for other, other_glob in seen:
                if other != name and (fnmatch.fnmatchcase(glob, other_glob)
                                      or fnmatch.fnmatchcase(other_glob, glob)):
                    self.emit("UD006", f"group {name!r}: params glob {glob!r} overlaps "
                                       f"{other_glob!r} of group {other!r}; a parameter in two "
                                       f"groups has two units", path + (i,))
                    break
        seen.extend((name, g) for g in params)

    def read_lint(self, table):
        if table is None:
            return
        if not isinstance(table, dict):
            self.emit("UD006", "lint must be a table", ("lint",))
            return
        for k, v in table.items():
            path = ("lint", k)
            if k not in LINT_KEYS and k != "output_format":
                self.emit("UD004", f"unknown key {k!r} in lint.{_close(k, LINT_KEYS)}", path)
            elif k in ("select", "ignore"):
                if not (isinstance(v, list) and all(isinstance(c, str) for c in v)):
                    self.emit("UD006", f"lint.{k} must be a list of rule codes", path)
                    continue
                for i, c in enumerate(v):
                    if not known_selector(c):
                        self.emit("UD006", f"lint.{k}: {c!r} is not a rule code, prefix or "
                                           f"name (see `unitdescent rule --list`)", path + (i,))
            elif not isinstance(v, str):
                self.emit("UD006", f"lint.{k} must be text", path)

    # ------------------------------------------------------------ optimizer, schedulers, transforms
    def component(self, table, path, role):
        if isinstance(table, str):
            table = {"name": table}
            name_path = path
        else:
            name_path = path + ("name",)
        if not isinstance(table, dict):
            self.emit("UD006", f"the {role} must be a table with a name", path)
            return
        name = table.get("name")
        if name is None:
            self.emit("UD007", f"the {role} has no name", path)
            return
        spec = tables.lookup(name)
        if spec is None:
            hint = tables.suggest(name, role)
            hint = f" Did you mean {hint!r}?" if hint else ""
            self.emit("UD002", f"unknown {role} {str(name)[:80]!r}.{hint} "
                               f"`unitdescent explain --list` shows the known names.", name_path)
            return
        if spec.role != role:
            self.emit("UD002", f"{spec.name} is a {spec.role}, not an {role}"
                      if role[0] in "aeiou" else f"{spec.name} is a {spec.role}, not a {role}",
                      name_path)
            return
        given = {k: v for k, v in table.items() if k != "name"}
        options = {h.name: h.default for h in spec.hypers}
        options.update({k: v for k, v in given.items() if not isinstance(v, (dict, list))})
        if role == "optimizer":
            h = spec.hyper(spec.lr)
            self.lr = (spec, h, options) if h is not None else None
        for key, value in given.items():
            h = spec.hyper(key)
            if h is None:
                valid = [x.name for x in spec.hypers]
                self.emit("UD003", f"{spec.name} has no hyperparameter {key!r}."
                                   f"{_close(key, valid)}", path + (key,))
                continue
            self.hyper(spec, h, value, path + (key,), options)
        for h in spec.hypers:
            if h.name not in given:
                self.missing(spec, h, path, name_path, options)
        self.intrinsic(spec, given, path, name_path, options)

    def resolve_dim(self, h, options):
        dim = h.dim_for(options)
        if dim == LR:
            if self.lr is None:
                return None
            spec, lr, opts = self.lr
            dim = lr.dim_for(opts)
        return dim

    def hyper(self, spec, h, value, path, options):
        where = f"{spec.name} {h.name}"
        if h.kind == "bool":
            if not isinstance(value, bool):
                self.emit("UD006", f"{where} must be true or false, got {value!r}", path)
            return
        if h.kind == "int":
            ok = value is None or (isinstance(value, int) and not isinstance(value, bool)) or (
                isinstance(value, float) and value.is_integer())
            if not ok:
                self.emit("UD006", f"{where} must be an integer, got {value!r}", path)
            return
        if h.kind == "choice":
            if value not in h.choices:
                shown = ", ".join(repr(c) for c in h.choices if c is not None)
                self.emit("UD006", f"{where} must be one of {shown}, got {value!r}", path)
            return
        if h.kind == "any":
            return
        dim = self.resolve_dim(h, options)
        if dim == INACTIVE:
            return
        if h.kind == "pair":
            if isinstance(value, dict) and h.scope == "group":
                self.per_group(spec, h, dim, value, path, pair=True)
                return
            self.pair(spec, h, dim, value, path, self.groups)
            return
        if isinstance(value, dict):
            if h.scope == "global":
                self.emit("UD006", f"{where} is one value for all parameters in {spec.name}; "
                                   f"it cannot be given per group", path)
                return
            self.per_group(spec, h, dim, value, path)
            return
        self.scalar(spec, h, dim, value, path, self.groups)

    def pair(self, spec, h, dim, value, path, groups):
        if not isinstance(value, list) or len(value) != 2:
            self.emit("UD006", f"{spec.name} {h.name} must be a list of two values, got "
                               f"{str(value)[:60]!r}", path)
            return
        for i, v in enumerate(value):
            self.scalar(spec, h, dim, v, path + (i,), groups)

    def per_group(self, spec, h, dim, table, path, pair=False):
        for gname, v in table.items():
            g = self.group(gname)
            if g is None:
                self.emit("UD005", f"{spec.name} {h.name}: no group named {gname!r}."
                                   f"{_close(gname, [x.name for x in self.groups])}",
                          path + (gname,))
                continue
            if pair:
                self.pair(spec, h, dim, v, path + (gname,), [g])
            else:
                self.scalar(spec, h, dim, v, path + (gname,), [g])
        rest = [g for g in self.groups if g.name not in table]
        if rest:
            self.default_for(spec, h, dim, path, rest)

    def scalar(self, spec, h, dim, value, path, groups, default=False):
        where = f"{spec.name} {h.name}"
        try:
            mag, unit, text = read_number(value)
        except ValueProblem as exc:
            self.emit(exc.code, f"{where}: {exc}", path)
            return
        if mag == 0 or dim is None or not groups or self.loss is None:
            return  # a literal zero fits any units
        needs = [(g, need_unit(dim, g.unit, self.loss)) for g in groups]
        if len({_dims(u) for _, u in needs}) > 1:
            self.mixed(spec, h, needs, path, default, mag)
            return
        need = needs[0][1]
        if unit is None:
            if _dims(need) == _dims(ureg.dimensionless):
                return
            if default:
                self.emit("UD301", f"{where} is left at its default {_num(value)}, a number in "
                                   f"{fmt(need)} ({dim}): it assumes your units are of the right "
                                   f"scale. Set it explicitly, e.g. {h.name} = "
                                   f"{_example(value, need)}.", path)
            else:
                self.emit("UD101", f"{where}: a bare number ({_num(value)}) where units "
                                   f"{fmt(need)} ({dim}) are needed; write e.g. "
                                   f"{_example(value, need)}.", path)
            return
        if _dims(unit) == _dims(need):
            self.non_working(where, mag, unit, text, needs, path)
            return
        if h.family in CONVENTIONS:
            code, conventions = CONVENTIONS[h.family]
            for alt, desc in conventions.items():
                if alt != dim and all(_dims(need_unit(alt, g.unit, self.loss)) == _dims(unit)
                                      for g in groups):
                    mine = conventions.get(dim, str(dim))
                    self.emit(code, f"{where}: {fmt(unit)} matches the convention "
                                    f"'{desc}'; here it is {mine}: {fmt(need)}. The same number "
                                    f"is a different quantity.", path)
                    return
        self.emit("UD102", f"{where}: expected units {fmt(need)} ({dim}), got {fmt(unit)}.",
                  path)

    def non_working(self, where, mag, unit, text, needs, path):
        if text is None or any(u != needs[0][1] for _, u in needs):
            return
        need = needs[0][1]
        if unit == need:
            return
        try:
            factor = float(ureg.Quantity(1.0, unit).m_as(need))
        except Exception:
            return
        if abs(factor - 1) < 1e-12:
            return  # the same units written otherwise (m² for J·m/N): nothing to convert
        new_mag = mag * factor
        new = f"{new_mag:.12g} {format(need, '~')}" if str(need) != "dimensionless" else \
            f"{new_mag:.12g}"
        self.emit("UD303", f"{where}: {text!r} is in {fmt(unit)}; the group's units give "
                           f"{fmt(need)}: {new!r}.", path, fix={"old": text, "new": new})

    def mixed(self, spec, h, needs, path, default, value):
        where = f"{spec.name} {h.name}"
        listing = ", ".join(f"{g.name!r} needs {fmt(u)}" for g, u in needs)
        what = f"its default {_num(value)}" if default else "one value"
        if h.norm == "gradient":
            self.emit("UD106", f"{where}: {what} is compared with a gradient norm over groups "
                               f"whose gradients have different units ({listing}). Clip or test "
                               f"per group, or make the parameters dimensionless.", path)
        elif h.norm == "step":
            self.emit("UD107", f"{where}: {what} bounds a step norm over groups of different "
                               f"units ({listing}). Scale the parameters by characteristic "
                               f"scales first.", path)
        else:
            fix = (f"give one value per group: {h.name} = {{ "
                   + ", ".join(f"{g.name} = {_example(value, u)}" for g, u in needs) + " }"
                   if h.scope == "group" else
                   f"{spec.name} takes one {h.name} for all parameters: make the groups' "
                   f"units agree (scale the parameters)"
                   + (" or set it to 0" if spec.role == "scheduler" else ""))
            self.emit("UD105", f"{where}: {what} is shared by groups that need different units "
                               f"({listing}); {fix}.", path)

    # ------------------------------------------------------------ defaults and intrinsic issues
    def missing(self, spec, h, path, name_path, options):
        if h.kind not in ("number", "pair"):
            if h.required:
                self.emit("UD007", f"{spec.name} needs {h.name}", name_path)
            return
        dim = self.resolve_dim(h, options)
        if dim == INACTIVE:
            return
        if h.required:
            unit = ""
            if dim is not None and self.groups and self.loss is not None:
                units = {fmt(need_unit(dim, g.unit, self.loss)) for g in self.groups}
                unit = f" (units {dim}: {', '.join(sorted(units))})"
            self.emit("UD007", f"{spec.name} needs {h.name}{unit}; the library has no default",
                      name_path)
            return
        self.default_for(spec, h, dim, name_path, self.groups)

    def default_for(self, spec, h, dim, path, groups):
        default = h.default
        if default is None or dim is None or h.issue:
            return
        values = list(default) if isinstance(default, (tuple, list)) else [default]
        for v in values:
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v != 0:
                before = len(self.diags)
                self.scalar(spec, h, dim, v, path, groups, default=True)
                if len(self.diags) > before:
                    return

    def intrinsic(self, spec, given, path, name_path, options):
        for h in spec.hypers:
            if not h.issue or self.resolve_dim(h, options) == INACTIVE:
                continue
            if h.name not in given and h.default is None:
                continue  # not used unless given (e.g. scipy's tol)
            if h.name in given and isinstance(given[h.name], (int, float)) \
                    and not isinstance(given[h.name], bool) and given[h.name] == 0:
                continue
            at = path + (h.name,) if h.name in given else name_path
            dims = ([] if h.dim in (None, LR) else [h.dim]) + list(h.also)
            units = ", ".join(str(d) for d in dims[:-1]) + " and " + str(dims[-1]) \
                if len(dims) > 1 else str(dims[0])
            self.emit(h.issue, f"{spec.name} {h.name} enters the algorithm in {units}: "
                               f"{h.note}.", at)
        grad = {_dims(need_unit(tables.GRADIENT, g.unit, self.loss)) for g in self.groups} \
            if self.loss is not None else set()
        step = {_dims(g.unit) for g in self.groups}
        for kind, code, n in (("gradient", "UD106", len(grad)), ("step", "UD107", len(step))):
            notes = [note for k, note in spec.mixed if k == kind]
            if notes and n > 1:
                self.emit(code, f"{spec.name}: {'; '.join(notes)} — and the groups' {kind}s have "
                                f"different units. Use one group of dimensionless (scaled) "
                                f"parameters.", name_path)
        for note in spec.hidden:
            note, unless = (note, None) if isinstance(note, str) else note
            if unless is None or unless not in given:
                self.emit("UD302", f"{spec.name}: {note}.", name_path)


def _selectors(value, what):
    """``select``/``ignore`` from Python: one string or a list of them, each a known selector."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple, set, frozenset)):
        raise ConfigError(f"{what} must be a rule code, prefix or name, or a list of them, "
                          f"got {value!r}")
    for item in items:
        if not isinstance(item, str) or not known_selector(item):
            raise ConfigError(f"{what}: unknown rule selector {item!r} (see `unitdescent rule "
                              f"--list`)")
    return list(items)


def check(config: Config, select=None, ignore=None) -> list[Diagnostic]:
    """All diagnostics for ``config``, after ``# noqa`` comments and rule selection.

    ``select``/``ignore`` (lists of codes, prefixes such as "UD1", or names) override and
    extend the config's own ``[lint]`` table.
    """
    select, ignore = _selectors(select, "select"), _selectors(ignore, "ignore")
    raw = Checker(config).run()
    settings = config.data.get("lint") if isinstance(config.data.get("lint"), dict) else {}
    sel = select if select else _codes(settings.get("select"))
    ign = list(ignore or ()) + _codes(settings.get("ignore"))
    on_line = defaultdict(set)
    for d in raw:
        if d.line is not None:
            on_line[d.line].add(d.code)
    kept = []
    for d in raw:
        entry = config.noqa.get(d.line) if d.line is not None else None
        if entry is not None and (entry.codes is None or d.code in entry.codes):
            continue
        if is_selected(d.code, sel, ign):
            kept.append(d)
    for line, entry in sorted(config.noqa.items()):
        codes = on_line.get(line, set())
        if entry.codes is None:
            unused = set() if codes else {"*"}
        else:
            unused = {c for c in entry.codes if c not in codes}
        if unused and is_selected("UD008", sel, ign):
            shown = "every code" if "*" in unused else ", ".join(sorted(unused))
            unknown = [c for c in unused if c != "*" and c not in RULES]
            extra = f" ({', '.join(sorted(unknown))} is not a rule code)" if unknown else ""
            kept.append(Diagnostic(
                "UD008", f"unused noqa: nothing to suppress for {shown} on this line{extra}.",
                config.file, line, entry.col, "",
                fix={"noqa": sorted(unused), "text": entry.text}))
    kept.sort(key=lambda d: (d.line or 0, d.col or 0, d.code))
    return kept


def _codes(value):
    return [str(v) for v in value] if isinstance(value, list) else []
