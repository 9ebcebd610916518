"""main() runs lazy_app(): typer converts a subcommand only when it is used, and nothing a user sees changes.

Each output is compared with what typer's normal, eager conversion of ``app`` prints for the same
arguments, so these tests follow typer rather than a copy of its output.
"""

from __future__ import annotations

import functools

import pytest
import typer.main
from typer.testing import CliRunner

from dlquiz import cli
from dlquiz.cli import app, lazy_app

ARGS = [
    ["--help"],
    ["-h"],
    ["code", "--help"],
    ["history", "--help"],
    ["show", "--help"],
    ["config", "--help"],
    ["shwo", "bn-backward"],  # No such command 'shwo'. Did you mean 'show'?
    ["code", "lst"],
    ["show"],  # Missing argument
    ["show", "bn-backward", "--bogus"],
    ["--bogus"],
    ["history"],  # no_args_is_help
    ["--version"],
]


def run(group, args, env=None):
    return CliRunner().invoke(group, args, prog_name="dlquiz", env={"COLUMNS": "100", **(env or {})})


def same(args, env=None):
    eager, lazy = run(app, args, env), run(lazy_app(), args, env)
    assert lazy.exit_code == eager.exit_code, args
    assert lazy.stdout == eager.stdout, args
    assert lazy.stderr == eager.stderr, args
    return lazy


@pytest.mark.parametrize("args", ARGS, ids=" ".join)
def test_output_is_typers_own(args):
    result = same(args)
    assert result.output.strip()  # something was compared


@pytest.mark.parametrize("columns", ["40", "200"])
def test_top_level_help_at_other_widths_and_in_chinese(columns):
    result = same(["--help"], {"COLUMNS": columns, "DLQUIZ_LANG": "zh"})
    assert "show" in result.stdout and "code" in result.stdout and "history" in result.stdout


def test_suggestion_for_a_mistyped_command():
    assert "Did you mean 'show'" in same(["shwo", "bn-backward"]).stderr


def completions(group, words, cword):
    env = {"_DLQUIZ_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    result = run(group, [], env)
    assert result.exit_code == 0, result.output
    return result.stdout.split()


@pytest.mark.parametrize(
    ("words", "cword"),
    [("dlquiz s", 1), ("dlquiz ", 1), ("dlquiz --", 1), ("dlquiz show --l", 2), ("dlquiz code s", 2)],
)
def test_completion_is_typers_own(words, cword):
    found = completions(lazy_app(), words, cword)
    assert found == completions(app, words, cword)
    assert found  # something was compared


def test_completion_of_command_names():
    assert {"show", "search", "study", "stats"} <= set(completions(lazy_app(), "dlquiz s", 1))


@pytest.fixture
def converted(monkeypatch):
    """The subcommands typer converts to click commands from now on; "(listing)": without parameters."""
    names: list[str] = []
    for function in ("get_command_from_info", "get_group_from_info"):
        original = getattr(typer.main, function)

        @functools.wraps(original)  # the same signature, which lazy_app() reads
        def counting(*args, _original=original, **kwargs):
            command = _original(*args, **kwargs)
            info = args[0] if args else kwargs.get("command_info", kwargs.get("group_info"))
            sub_app = getattr(info, "typer_instance", None)
            light = getattr(info, "callback", None) is cli._no_parameters or (
                sub_app is not None and not sub_app.registered_commands
            )
            if command.name != "dlquiz":  # the root: its options are converted on every run
                names.append(command.name + (" (listing)" if light else ""))
            return command

        monkeypatch.setattr(typer.main, function, counting)
    return names


def test_running_show_converts_show_alone(cli, converted):
    result = cli("show", "bn-backward", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "batch normalization" in " ".join(result.stdout.replace("│", " ").split())  # any width
    assert converted == ["show"]


def test_a_subgroup_is_converted_with_its_commands(cli, converted):
    assert cli("code", "--help").exit_code == 0
    from dlquiz.cli_code import code_app

    # code's own commands (typer converts a group whole), then code; no top-level command
    assert converted == [c.name for c in code_app.registered_commands] + ["code"]


def test_top_level_help_converts_no_parameters(cli, converted):
    assert cli("--help").exit_code == 0
    # every command listed, none with its parameters; and typer's eager conversion is not used at all
    assert len(converted) == len(app.registered_commands) + len(app.registered_groups)
    assert all(name.endswith(" (listing)") for name in converted)


@pytest.fixture
def other_typer(monkeypatch):
    """typer.main as another typer version may have it; lazy_app() reads it afresh."""
    cli._typer_settings.cache_clear()
    yield typer.main
    monkeypatch.undo()
    cli._typer_settings.cache_clear()


def test_a_typer_without_the_functions_gets_the_eager_app(monkeypatch, other_typer):
    monkeypatch.delattr(other_typer, "get_group_from_info")
    assert lazy_app() is app


def test_a_typer_whose_functions_take_other_arguments_gets_the_eager_app(monkeypatch, other_typer):
    def get_command_from_info(command_info, *, pretty_exceptions_short, markup_mode):
        raise AssertionError("not called")

    monkeypatch.setattr(other_typer, "get_command_from_info", get_command_from_info)
    assert lazy_app() is app


def test_this_typer_gets_the_lazy_app():
    assert isinstance(typer.main.get_command(lazy_app()), cli.LazyGroup)


SHOWN = ("name", "help", "short_help", "hidden", "deprecated", "rich_help_panel", "epilog")


def test_listing_copies_carry_what_the_listing_shows(monkeypatch):
    # Flags dlquiz does not use yet, so that the help table's panels and hidden rows are compared too.
    info = app.registered_commands
    monkeypatch.setattr(info[1], "hidden", True)
    monkeypatch.setattr(info[2], "rich_help_panel", "Reading")
    monkeypatch.setattr(info[3], "deprecated", True)
    monkeypatch.setattr(info[4], "short_help", "Short.")
    eager = typer.main.get_command(app).commands
    lazy = typer.main.get_command(lazy_app()).commands
    with lazy.listing():
        copies = {name: lazy[name] for name in lazy}
    assert list(copies) == list(eager)
    for name, copy in copies.items():
        assert [getattr(copy, a) for a in SHOWN] == [getattr(eager[name], a) for a in SHOWN], name
    result = same(["--help"])
    assert "Reading" in result.stdout and "deprecated" in result.stdout.lower()
