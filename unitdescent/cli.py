"""The ``unitdescent`` command: ``demo`` (and the subcommands other modules register)."""

from __future__ import annotations

import argparse
import sys

#: subcommand name -> (help, add_arguments(parser), run(args) -> exit code)
COMMANDS: dict = {}


def command(name: str, help: str):
    """Register a subcommand: decorate ``run(args)``; its ``.arguments`` adds options."""

    def wrap(run):
        COMMANDS[name] = (help, getattr(run, "arguments", None), run)
        return run

    return wrap


@command("demo", "gradient descent in metres and centimetres, with and without units")
def _demo(args) -> int:
    from .demo import run

    run()
    return 0


def build_parser() -> argparse.ArgumentParser:
    _load_commands()
    parser = argparse.ArgumentParser(prog="unitdescent",
                                     description="Dimensionally honest optimization.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_, add_args, _run) in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        if add_args is not None:
            add_args(p)
    return parser


def _load_commands():
    """Import modules that register subcommands (kept lazy: the demo needs none of them)."""
    import importlib

    for mod in ("unitdescent.lint.cli",):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod and not mod.startswith(str(exc.name)):
                raise


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    return int(COMMANDS[args.command][2](args) or 0)


if __name__ == "__main__":
    sys.exit(main())
