"""Loading lint configs (TOML, ``[tool.unitdescent]`` in pyproject.toml, YAML, JSON, a dict),
with the ``file:line:col`` of every key and the ``# noqa: UDxxx`` comments.

Parsing is left to the standard parsers (tomllib/tomli, PyYAML's safe loader, json); a light
scanner over the already validated text records where each key starts. Input is bounded in size,
nesting depth and number of nodes; anything malformed is a :class:`ConfigError` that names the
file and line (the command exits with status 2), never a traceback.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os
import re
from dataclasses import dataclass, field

from ..errors import InputError

MAX_BYTES = 1_000_000
MAX_DEPTH = 24
MAX_NODES = 50_000
FORMATS = ("toml", "yaml", "json")
NOQA = re.compile(r"#\s*noqa\b(?:\s*:\s*(?P<codes>[A-Za-z]+\d+(?:[\s,]+[A-Za-z]+\d+)*))?",
                  re.IGNORECASE)


class ConfigError(InputError):
    """A config that cannot be read: malformed, too large, too deep, or of the wrong shape."""

    def __init__(self, message: str, file: str = "<config>", line=None, col=None):
        self.message, self.file, self.line, self.col = message, file, line, col
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}" + (f":{self.col}" if self.col else "")
        return f"{where}: {self.message}"

    def __reduce__(self):
        return self.__class__, (self.message, self.file, self.line, self.col)


@dataclass
class Noqa:
    codes: frozenset | None  # None: every code on the line
    col: int
    text: str


@dataclass
class Config:
    """A loaded config: the ``unitdescent`` table, key positions, and noqa comments."""

    data: dict
    file: str = "<config>"
    format: str = "dict"
    positions: dict = field(default_factory=dict)  # key path tuple -> (line, col), 1-based
    noqa: dict = field(default_factory=dict)  # line -> Noqa
    text: str = ""

    def position(self, path) -> tuple:
        """(line, col) of key ``path``, or of its nearest ancestor with a position."""
        path = tuple(path)
        while True:
            if path in self.positions:
                return self.positions[path]
            if not path:
                return (None, None)
            path = path[:-1]


# ---------------------------------------------------------------- entry points
def load(path) -> Config:
    """Load a config file; the format follows the extension (pyproject.toml: its tool table)."""
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise ConfigError(f"file too large ({size} bytes; the limit is {MAX_BYTES})", path)
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", path) from None
    return loads(text, format_of(path), file=path,
                 pyproject=os.path.basename(path) == "pyproject.toml")


def format_of(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    return {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}.get(ext, "toml")


def loads(text: str, format: str = "toml", *, file: str = "<string>", pyproject: bool = False
          ) -> Config:
    """Parse config ``text`` in ``format`` ("toml", "yaml" or "json")."""
    if not isinstance(text, str):
        raise ConfigError(f"expected text, got {type(text).__name__}", file)
    if len(text) > MAX_BYTES:
        raise ConfigError(f"config too large ({len(text)} characters; the limit is {MAX_BYTES})",
                          file)
    if format not in FORMATS:
        raise ConfigError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}", file)
    try:
        if format == "toml":
            data, positions = _parse_toml(text, file)
        elif format == "yaml":
            data, positions = _parse_yaml(text, file)
        else:
            data, positions = _parse_json(text, file)
    except RecursionError:
        raise ConfigError(f"nested too deeply (the limit is {MAX_DEPTH} levels)", file) from None
    if data is None:
        data = {}
    data = plain(data, file)
    prefix = ()
    if pyproject:
        tool = data.get("tool")
        if not isinstance(tool, dict) or "unitdescent" not in tool:
            raise ConfigError("no [tool.unitdescent] table", file)
        data, prefix = tool["unitdescent"], ("tool", "unitdescent")
        if not isinstance(data, dict):
            raise ConfigError("[tool.unitdescent] must be a table", file,
                              *positions.get(prefix, (None, None)))
    if not isinstance(data, dict):
        raise ConfigError(f"the config must be a table of keys, got {type(data).__name__}", file)
    if prefix:
        n = len(prefix)
        positions = {k[n:]: v for k, v in positions.items() if k[:n] == prefix}
    noqa = scan_noqa(text) if format in ("toml", "yaml") else {}
    return Config(data, file, format, positions, noqa, text)


def from_dict(data, file: str = "<dict>") -> Config:
    """A config from a Python dict (no positions, no noqa)."""
    data = plain(data, file)
    if not isinstance(data, dict):
        raise ConfigError(f"the config must be a dict, got {type(data).__name__}", file)
    return Config(data, file, "dict")


def coerce(config, format: str | None = None) -> Config:
    """A :class:`Config` from a Config, a dict, a path, or config text."""
    if isinstance(config, Config):
        return config
    if isinstance(config, dict):
        return from_dict(config)
    if isinstance(config, os.PathLike):
        return load(config)
    if isinstance(config, str):
        if "\n" not in config and len(config) < 4096 and os.path.isfile(config):
            return load(config)
        if "\n" not in config and not re.search(r"=|:\s|^\s*[{\[]", config):
            raise ConfigError(f"no such file: {config!r} (give the path of an existing config "
                              f"file, config text, or a dict)")
        return loads(config, format or guess_format(config))
    raise ConfigError(f"expected a path, config text or a dict, got {type(config).__name__}")


def guess_format(text: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[{")):
        return "json"
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") or re.match(r"^[\w.\"'-]+\s*=", line):
            return "toml"
        return "yaml"
    return "toml"


def plain(obj, file="<config>"):
    """Plain dicts (string keys) and lists, bounded in depth and size."""
    count = [0]

    def walk(o, depth):
        count[0] += 1
        if count[0] > MAX_NODES:
            raise ConfigError(f"too many values (the limit is {MAX_NODES})", file)
        if depth > MAX_DEPTH:
            raise ConfigError(f"nested too deeply (the limit is {MAX_DEPTH} levels)", file)
        if isinstance(o, dict):
            return {str(k): walk(v, depth + 1) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [walk(v, depth + 1) for v in o]
        return o

    return walk(obj, 0)


def scan_noqa(text: str) -> dict:
    """line -> :class:`Noqa` for every ``# noqa`` / ``# noqa: UD101, UD102`` comment."""
    out = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        if "noqa" not in line.lower():
            continue
        m = NOQA.search(line)
        if m:
            codes = m.group("codes")
            parsed = None
            if codes:
                parsed = frozenset(c.upper() for c in re.split(r"[\s,]+", codes) if c)
            out[lineno] = Noqa(parsed, m.start() + 1, m.group(0))
    return out


# ---------------------------------------------------------------- parsers
def _parse_toml(text, file):
    try:
        import tomllib  # Python >= 3.11
    except ModuleNotFoundError:  # pragma: no cover - exercised on Python 3.10 only
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise ConfigError("reading TOML needs Python >= 3.11 or the 'tomli' package "
                              "(pip install tomli)", file) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg) or "malformed TOML"
        raise ConfigError(f"invalid TOML: {msg}", file, line, col) from None
    return data, _positions(text, "toml")


def _parse_json(text, file):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"invalid JSON: {exc.msg}", file, exc.lineno, exc.colno) from None
    return data, _positions(text, "json")


def _parse_yaml(text, file):
    try:
        import yaml
    except ModuleNotFoundError:
        raise ConfigError("reading YAML needs PyYAML: pip install 'unitdescent[yaml]'",
                          file) from None
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        raise ConfigError(f"invalid YAML: {problem}", file, line, col) from None
    except (ValueError, TypeError, OverflowError) as exc:  # constructors of odd scalars
        raise ConfigError(f"invalid YAML value: {exc}", file) from None
    finally:
        if loader is not None:
            loader.dispose()
    positions = {}
    if node is not None:
        _yaml_positions(node, (), positions, [0], file)
    return data, positions


def _yaml_positions(node, path, out, count, file, depth=0):
    import yaml

    count[0] += 1
    if count[0] > MAX_NODES:
        raise ConfigError(f"too many values (the limit is {MAX_NODES})", file)
    if depth > MAX_DEPTH:
        raise ConfigError(f"nested too deeply (the limit is {MAX_DEPTH} levels)", file)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else repr(k.value)
            p = path + (str(key),)
            out.setdefault(p, (k.start_mark.line + 1, k.start_mark.column + 1))
            _yaml_positions(v, p, out, count, file, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            p = path + (i,)
            out.setdefault(p, (v.start_mark.line + 1, v.start_mark.column + 1))
            _yaml_positions(v, p, out, count, file, depth + 1)


# ---------------------------------------------------------------- key positions (TOML, JSON)
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class _Scanner:
    """Where keys start in valid TOML or JSON text (the text was parsed before)."""

    def __init__(self, text, mode):
        self.t, self.i, self.mode, self.pos = text, 0, mode, {}
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def loc(self, i):
        line = bisect.bisect_right(self.starts, i)
        return line, i - self.starts[line - 1] + 1

    def mark(self, path, i):
        self.pos.setdefault(path, self.loc(i))

    def peek(self, k=1):
        return self.t[self.i:self.i + k]

    def skip(self, newlines=True):
        t = self.t
        while self.i < len(t):
            c = t[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.i += 1
            elif c == "#" and self.mode == "toml":
                while self.i < len(t) and t[self.i] != "\n":
                    self.i += 1
            else:
                break

    def guard(self):
        if self.i >= len(self.t):
            raise ValueError("unexpected end of text")

    def string(self):
        t, i = self.t, self.i
        if self.mode == "json" or t[i] == '"' and not t.startswith('"""', i):
            if t[i] == '"':
                value, self.i = json.decoder.scanstring(t, i + 1, False)
                return value
        for q in ('"""', "'''"):
            if t.startswith(q, i):
                end = t.index(q, i + 3)
                while t.startswith(q[0], end + 3):
                    end += 1
                self.i = end + 3
                return t[i + 3:end]
        end = t.index("'", i + 1)
        self.i = end + 1
        return t[i + 1:end]

    def key(self):
        c = self.t[self.i]
        if c in "\"'":
            return self.string()
        m = _BARE_KEY.match(self.t, self.i)
        if not m:
            raise ValueError("key expected")
        self.i = m.end()
        return m.group(0)

    def dotted(self):
        keys = [self.key()]
        while True:
            self.skip(newlines=False)
            if self.peek() != ".":
                return tuple(keys)
            self.i += 1
            self.skip(newlines=False)
            keys.append(self.key())

    def value(self, path):
        self.skip()
        c = self.peek()
        if c in "\"'":
            self.string()
        elif c == "{":
            self.i += 1
            while True:
                self.skip()
                self.guard()
                if self.peek() == "}":
                    self.i += 1
                    return
                start = self.i
                keys = (self.string(),) if self.mode == "json" else self.dotted()
                for k in range(1, len(keys) + 1):
                    self.mark(path + keys[:k], start)
                self.skip()
                self.i += 1  # '=' or ':'
                self.value(path + keys)
                self.skip()
                if self.peek() == ",":
                    self.i += 1
        elif c == "[":
            self.i += 1
            index = 0
            while True:
                self.skip()
                self.guard()
                if self.peek() == "]":
                    self.i += 1
                    return
                self.mark(path + (index,), self.i)
                self.value(path + (index,))
                self.skip()
                if self.peek() == ",":
                    self.i += 1
                    index += 1
        else:
            m = re.compile(r"[^,\]}\n#]*" if self.mode == "toml" else r"[^,\]}\s]*").match(
                self.t, self.i)
            self.i = max(m.end(), self.i + 1)

    def toml(self):
        table, arrays = (), {}
        while True:
            self.skip()
            if self.i >= len(self.t):
                return
            start = self.i
            if self.t.startswith("[[", self.i):
                self.i += 2
                self.skip(newlines=False)
                keys = self.dotted()
                path = self.resolve(keys[:-1], arrays) + keys[-1:]
                self.i = self.t.index("]]", self.i) + 2
                arrays[path] = arrays.get(path, -1) + 1
                self.mark(path, start)
                table = path + (arrays[path],)
                self.mark(table, start)
            elif self.peek() == "[":
                self.i += 1
                self.skip(newlines=False)
                table = self.resolve(self.dotted(), arrays)
                self.i = self.t.index("]", self.i) + 1
                self.mark(table, start)
            else:
                keys = self.dotted()
                for k in range(1, len(keys) + 1):
                    self.mark(table + keys[:k], start)
                self.skip(newlines=False)
                self.i += 1  # '='
                self.value(table + keys)

    @staticmethod
    def resolve(keys, arrays):
        path = ()
        for k in keys:
            path += (k,)
            if path in arrays:
                path += (arrays[path],)
        return path


def _positions(text, mode) -> dict:
    scanner = _Scanner(text, mode)
    # positions are a convenience: on text the scanner cannot follow, keep what was found
    with contextlib.suppress(ValueError, IndexError, RecursionError):
        if mode == "toml":
            scanner.toml()
        else:
            scanner.value(())
    return scanner.pos
