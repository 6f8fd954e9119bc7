"""``posapp --help`` and every command's help: nothing unexplained, and the exit codes a script needs."""

import argparse
import re

from posapp.cli.parser import build_parser
from posapp.errors import ExitCode


def undocumented(parser: argparse.ArgumentParser, path: str) -> list[str]:
    """Every command and option under ``parser`` that has no help text."""
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            explained = {choice.dest: choice.help for choice in action._choices_actions}
            for name, command in action.choices.items():
                if not explained.get(name):
                    missing.append(f"{path} {name}")
                missing += undocumented(command, f"{path} {name}")
        elif not action.help:
            missing.append(f"{path} {'/'.join(action.option_strings) or action.metavar or action.dest}")
    return missing


def test_every_command_and_option_says_what_it_is_for():
    assert undocumented(build_parser(), "posapp") == []


def test_the_help_lists_every_exit_code_once_with_what_to_do():
    text = build_parser().format_help()
    listed = [int(code) for code in re.findall(r"^  (\d+) +\S", text.split("exit codes:")[1], re.MULTILINE)]
    assert listed == sorted(code.value for code in ExitCode)
