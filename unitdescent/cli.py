"""The ``unitdescent`` command: ``demo`` (and the subcommands other modules register)."""

from __future__ import annotations

import argparse
import os
import sys

#: subcommand name -> (help, add_arguments(parser), run(args) -> exit code)
COMMANDS: dict = {}


def command(name: str, help: str, arguments=None):
    """Register a subcommand: decorate ``run(args) -> exit code``.

    ``arguments(parser)``, when given, adds the subcommand's options.
    """

    def wrap(run):
        COMMANDS[name] = (help, arguments, run)
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
    """Import the modules that register subcommands."""
    from .lint import cli  # noqa: F401  (registers lint, rule, explain)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return int(COMMANDS[args.command][2](args) or 0)
    except BrokenPipeError:  # e.g. `unitdescent rule --list | head`: the reader left early
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
