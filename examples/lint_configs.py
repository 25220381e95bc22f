"""Lint the optimizer configs in examples/lint/ and print an optimizer's unit table.

Run: python examples/lint_configs.py
Each broken config in examples/lint/ says in its first comment which finding it triggers; the
clean one has none. The same check runs on the command line: unitdescent lint examples/lint
"""

import pathlib

import unitdescent as ud
from unitdescent.lint.cli import explain_text
from unitdescent.lint.tables import lookup

HERE = pathlib.Path(__file__).resolve().parent / "lint"


def main():
    counts = {}
    for path in sorted(HERE.rglob("*")):
        is_config = ".unitdescent." in path.name or path.name == "pyproject.toml"
        if not path.is_file() or not is_config:
            continue
        diags = ud.lint(str(path))
        counts[path.name] = sorted({d.code for d in diags})
        print(f"{path.relative_to(HERE)}: {', '.join(counts[path.name]) or 'clean'}")
        for d in diags:
            print(f"    {d.line}:{d.col} {d.code} [{d.name}] {d.message}")
    print()
    # what units does Adam need for a spring model with a position and a stiffness?
    print(explain_text(lookup("torch.optim.Adam"),
                       [("position", ud.ureg.m), ("stiffness", ud.ureg("N/m").units)],
                       ud.ureg.J))
    return counts


if __name__ == "__main__":
    main()
