"""The lint rules: stable codes (``UD`` + three digits), kebab-case names, severities, and the
explanation ``unitdescent rule CODE`` prints; plus the :class:`Diagnostic` record.

Severities: *error* — the declared units cannot be consistent; *warning* — the algorithm itself
is inconsistent in units; *info* — a default silently assumes a unit scale. Codes group by
hundreds: UD0xx the config itself, UD1xx unit errors, UD2xx algorithm warnings, UD3xx info.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class LintRule:
    code: str
    name: str
    severity: str
    summary: str
    explanation: str
    default: bool = True  # selected unless the user selects explicitly
    fixable: bool = False


_RULES = [
    LintRule("UD001", "unparseable-unit", "error", "a unit string pint cannot parse",
             "Units are read by pint's unit parser only: names such as 'm', 'mm', 'J/mol', "
             "'m**2/s', optionally after a number ('1e-3 m**2'). Anything else — unknown unit "
             "names, text that looks like code, very long or deeply nested expressions — is "
             "rejected without evaluating it."),
    LintRule("UD002", "unknown-optimizer", "error", "an optimizer, scheduler or transform "
             "without a unit table",
             "The name must be a library name with a unit table, e.g. 'torch.optim.Adam', "
             "'optax.adamw', 'scipy.optimize.minimize:L-BFGS-B', 'unitdescent.adam'. "
             "`unitdescent explain NAME` prints a table; the message suggests the nearest name."),
    LintRule("UD003", "unknown-hyperparameter", "error", "a hyperparameter the optimizer does "
             "not have",
             "Each optimizer accepts the hyperparameters of its library's signature; a typo "
             "would silently keep the library default, whose units are probably wrong."),
    LintRule("UD004", "unknown-key", "error", "a key the config format does not define",
             "Top level: loss, groups, optimizer, schedulers, transforms, lint. A group: name, "
             "units, params. The lint table: select, ignore, output-format."),
    LintRule("UD005", "unknown-group", "error", "a per-group table names a group that is not "
             "declared",
             "Hyperparameters given as tables are keyed by the names of the declared parameter "
             "groups."),
    LintRule("UD006", "invalid-value", "error", "a value of the wrong type or shape",
             "Hyperparameters are numbers (dimensionless), unit strings ('1e-3 m'), or tables "
             "keyed by group; pairs are lists of two; options are booleans, integers or one of "
             "their choices. A global option (one value for all parameters) cannot be a table. Two "
             "groups' params globs must not overlap: a parameter in two groups has two units."),
    LintRule("UD007", "missing-value", "error", "a required key or hyperparameter is missing",
             "The config must declare the loss units, the parameter groups with their units, "
             "and the optimizer's name; hyperparameters without a default in the library (e.g. "
             "optax's learning_rate, clip_grad_norm_'s max_norm) must be given."),
    LintRule("UD008", "unused-noqa", "warning", "a noqa comment that suppresses nothing",
             "A '# noqa: UDxxx' comment whose codes do not occur on its line hides nothing and "
             "will hide the next real finding there. `--fix` removes it.", fixable=True),
    LintRule("UD101", "bare-number", "error", "a bare number where units are needed",
             "A bare number is dimensionless. Where the hyperparameter needs units (an lr in "
             "[θ]²/[L], an eps in [L]/[θ]) write them: '1e-3 m**2/J'. A literal 0 fits any "
             "units."),
    LintRule("UD102", "wrong-units", "error", "a value whose units differ from the required ones",
             "The required units follow from the update rule (see `unitdescent explain`): e.g. "
             "SGD's lr has [θ]²/[L] because the step lr·g must have the units of θ, Adam's lr has "
             "[θ] because m̂/√v̂ is dimensionless."),
    LintRule("UD103", "weight-decay-coupling", "error", "a weight decay in the units of another "
             "coupling convention",
             "weight_decay has three unit signatures across libraries: coupled (added to the "
             "gradient, like an L2 penalty: [L]/[θ]²), decoupled and multiplied by an Adam-style "
             "lr (θ ← θ − lr·wd·θ: 1/[θ]), and decoupled after the lr (adafactor: "
             "dimensionless). A value copied from a library with the other convention is a "
             "different quantity."),
    LintRule("UD104", "eps-convention", "error", "an eps in the units of another library's "
             "convention",
             "torch adds eps to √v (units [L]/[θ]); optax's rmsprop, adagrad and adafactor add it "
             "to v inside the square root ([L]²/[θ]²). The same number is a different quantity; "
             "convert it (eps_inside ≈ eps_outside²) rather than copy it."),
    LintRule("UD105", "shared-value-mixed-units", "error", "one value shared by groups that "
             "need different units",
             "A learning rate, eps, or scheduler eta_min/max_lr shared by parameter groups in "
             "different units cannot be right for all of them: give one value per group (a "
             "table keyed by group)."),
    LintRule("UD106", "mixed-units-gradient-norm", "error", "a gradient norm or gradient "
             "tolerance over parameters of different units",
             "‖g‖ over gradients in [L]/m and [L]/s adds quantities of different units: global-"
             "norm clipping, a gradient tolerance, or a curvature scalar like sᵀy/yᵀy is then "
             "meaningless. Clip per group, or scale the parameters to be dimensionless first."),
    LintRule("UD107", "mixed-units-step-norm", "error", "a step norm, trust radius or step "
             "tolerance over parameters of different units",
             "‖Δθ‖ or a trust radius over parameters in metres and seconds depends on the choice "
             "of units. Scale the parameters by characteristic scales so they are dimensionless, "
             "then a radius or tolerance has a meaning."),
    LintRule("UD201", "constant-in-two-units", "warning", "one constant enters the algorithm in "
             "two different units",
             "E.g. Adadelta's eps is added to the mean squared gradient ([L]²/[θ]²) and to the "
             "mean squared step ([θ]²); least_squares' xtol is a relative tolerance added to "
             "‖θ‖. No units make both uses right; the algorithm's behaviour depends on the units "
             "you chose."),
    LintRule("UD202", "regime-dependent-units", "warning", "a hyperparameter whose units change "
             "with the algorithm's regime",
             "RAdam's lr multiplies m̂ ([L]/[θ]) in the first steps and m̂/√v̂ (dimensionless) "
             "later; torch LBFGS's first step divides by ‖g‖₁ only when it exceeds 1; "
             "L-BFGS-B's ftol is relative only while |f| > 1. The value is right in at most one "
             "regime."),
    LintRule("UD203", "tolerance-in-two-units", "warning", "one tolerance compared with "
             "quantities of two units",
             "E.g. torch LBFGS's tolerance_change is compared with both the step (units [θ]) and "
             "the loss change ([L]); scipy's tol sets two tolerances of different units at once. "
             "Set the tolerances separately where the library allows it."),
    LintRule("UD301", "implicit-dimensional-default", "info", "a dimensional hyperparameter "
             "left at its library default",
             "A default such as eps=1e-8 or weight_decay=1e-2 is a number in whatever units "
             "your parameters and loss happen to have: it silently assumes a unit scale. Set it "
             "explicitly, with units."),
    LintRule("UD302", "hidden-dimensional-constant", "info", "the library hard-codes a "
             "dimensional constant",
             "Some algorithms contain constants that are not options but have units, e.g. "
             "torch LBFGS keeps a curvature pair only if sᵀy > 1e-10 (units [L]). Choose units "
             "in which the parameters and the loss are of order one."),
    LintRule("UD303", "non-working-units", "info", "a value in units of another scale than "
             "the group's own",
             "The value is correct but written in other units than the group's (e.g. '1e-3 m' "
             "for a group in mm). `--fix` rewrites it in the group's units. Not selected by "
             "default.", default=False, fixable=True),
]

RULES: dict[str, LintRule] = {r.code: r for r in _RULES}
BY_NAME: dict[str, LintRule] = {r.name: r for r in _RULES}


def get(code_or_name: str) -> LintRule | None:
    """A rule by code ('UD102', case-insensitive) or name ('wrong-units')."""
    key = str(code_or_name).strip()
    return RULES.get(key.upper()) or BY_NAME.get(key.lower())


def matches(code: str, patterns) -> bool:
    """True when ``code`` matches one of ``patterns`` (codes, prefixes like 'UD1', 'ALL', names)."""
    for p in patterns:
        p = str(p).strip()
        if p.upper() == "ALL" or code.startswith(p.upper()):
            return True
        rule = BY_NAME.get(p.lower())
        if rule is not None and rule.code == code:
            return True
    return False


def is_selected(code: str, select=None, ignore=()) -> bool:
    """ruff-like selection: explicit ``select`` replaces the default set; ``ignore`` removes."""
    if select:
        chosen = matches(code, select)
    else:
        chosen = RULES[code].default
    return chosen and not matches(code, ignore)


@dataclass
class Diagnostic:
    """One finding: rule, message, and where (file, 1-based line and column, key path)."""

    code: str
    message: str
    file: str = "<config>"
    line: int | None = None
    col: int | None = None
    key: str = ""
    fix: dict | None = field(default=None, repr=False)

    @property
    def rule(self) -> LintRule:
        return RULES[self.code]

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def severity(self) -> str:
        return self.rule.severity

    def location(self) -> str:
        if self.line is None:
            return f"{self.file}" + (f" [{self.key}]" if self.key else "")
        return f"{self.file}:{self.line}:{self.col or 1}"

    def __str__(self) -> str:
        return f"{self.location()}: {self.code} [{self.name}] {self.message}"

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("fix")
        d.update(name=self.name, severity=self.severity, fixable=self.fix is not None)
        return d


def markdown_table() -> str:
    """The rule list as Markdown (the docs page embeds it)."""
    out = ["| code | name | severity | what it finds |", "|---|---|---|---|"]
    for r in _RULES:
        flags = "" if r.default else " (not selected by default)"
        flags += " (fixable)" if r.fixable else ""
        out.append(f"| {r.code} | `{r.name}` | {r.severity} | {r.summary}{flags} |")
    out.append("")
    for r in _RULES:
        out += [f"### {r.code} `{r.name}` ({r.severity})", "", r.explanation, ""]
    return "\n".join(out)
