"""How fast is `unitdescent lint`? 100 different configs, in TOML, YAML and JSON.

Prints the time to lint them (load + check) against the time just to parse them with the
standard parsers, measured in the same run. The acceptance target: 100 configs in under 2 s.

Run: python benchmarks/bench_lint.py
"""

import json
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

try:
    import tomllib  # Python >= 3.11
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib

import unitdescent as ud  # noqa: E402

OPTIMIZERS = [
    ("torch.optim.Adam", lambda i: {"lr": {"w": f"{i + 1}e-3 m", "k": f"{i + 2} N/m"},
                                     "eps": {"w": "1e-8 J/m", "k": "1e-8 m**2"}}),
    ("torch.optim.SGD", lambda i: {"lr": {"w": f"{i + 1}e-2 m**2/J", "k": "1e-2 N**2/(m**2*J)"},
                                    "momentum": 0.9}),
    ("optax.adamw", lambda i: {"learning_rate": {"w": f"{i + 1} mm", "k": "1 N/m"},
                               "weight_decay": f"{i + 1}e-4 1/m"}),
    ("optax.rmsprop", lambda i: {"learning_rate": f"{i + 1}e-3 m", "eps": f"{i + 1}e-8 J/m"}),
    ("scipy.optimize.minimize:L-BFGS-B", lambda i: {"gtol": f"{i + 1}e-5 J/m", "ftol": 0}),
]


def config(i):
    name, hyper = OPTIMIZERS[i % len(OPTIMIZERS)]
    return {"loss": "J", "groups": [{"name": "w", "units": "m"}, {"name": "k", "units": "N/m"}],
            "optimizer": {"name": name, **hyper(i)},
            "schedulers": [{"name": "torch.optim.lr_scheduler.StepLR", "step_size": i + 1,
                            "gamma": 0.5}]}


def to_toml(d):
    def val(o):
        if isinstance(o, dict):
            return "{ " + ", ".join(f"{k} = {val(v)}" for k, v in o.items()) + " }"
        if isinstance(o, list):
            return "[" + ", ".join(val(v) for v in o) + "]"
        return json.dumps(o)
    return "".join(f"{k} = {val(v)}\n" for k, v in d.items())


def clear_caches():
    from unitdescent.lint import checker, values

    for f in (values.parse_quantity, values.parse_unit_text, checker.need_unit, checker._dims):
        f.cache_clear()


def timed(fn, texts, repeat=3):
    """Best of ``repeat`` runs, each with the linter's caches emptied first."""
    best = float("inf")
    for _ in range(repeat):
        clear_caches()
        start = time.perf_counter()
        for t in texts:
            fn(t)
        best = min(best, time.perf_counter() - start)
    return best


def main(n=100):
    import yaml

    configs = [config(i) for i in range(n)]
    texts = {"toml": [to_toml(c) for c in configs], "json": [json.dumps(c) for c in configs],
             "yaml": [yaml.safe_dump(c) for c in configs]}
    parsers = {"toml": tomllib.loads, "json": json.loads, "yaml": yaml.safe_load}
    ud.lint(texts["toml"][0], format="toml")  # load pint's registry once
    print(f"{'format':<8}{'lint (s)':>10}{'parse only (s)':>16}{'ratio':>8}{'findings':>10}")
    rows = {}
    for fmt, items in texts.items():
        lint_s = timed(lambda t: ud.lint(t, format=fmt), items)
        parse_s = timed(parsers[fmt], items)
        findings = sum(len(ud.lint(t, format=fmt)) for t in items)
        rows[fmt] = lint_s
        print(f"{fmt:<8}{lint_s:>10.3f}{parse_s:>16.4f}{lint_s / parse_s:>8.1f}{findings:>10}")
    print(f"\n{n} configs: slowest format {max(rows.values()):.3f} s (target < 2 s)")
    return rows


if __name__ == "__main__":
    main()
