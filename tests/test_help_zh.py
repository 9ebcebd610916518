"""``dlquiz --help`` in Chinese (issue 10 §7): with --lang zh, $DLQUIZ_LANG=zh or ``config lang zh``, the
whole help is Chinese (ours and typer's words), whole at any width; the English help does not change."""

from __future__ import annotations

import os
import re

import pytest
import typer
from rich.text import Text

from dlquiz import helptext, i18n
from dlquiz.cli import MAX_MOCK_MINUTES, app

HAN = re.compile(r"[\u3400-\u9fff]")
BOX = re.compile(r"[\s│╭╮╰╯─]+")
ZH = {"DLQUIZ_LANG": "zh"}
WIDE = {"COLUMNS": "200"}  # where a test looks for a phrase, so that no line breaks inside it


def _tree() -> typer.core.TyperGroup:
    return typer.main.get_command(app)


def command_paths() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = [()]

    def walk(group, prefix: tuple[str, ...]) -> None:
        for name, command in group.commands.items():
            paths.append((*prefix, name))
            if hasattr(command, "commands"):
                walk(command, (*prefix, name))

    walk(_tree(), ())
    return paths


PATHS = command_paths()


def command_at(path: tuple[str, ...]):
    command = _tree()
    for name in path:
        command = command.commands[name]
    return command


def help_texts(path: tuple[str, ...]) -> list[tuple[str, bool]]:
    """The help texts a command's help screen shows, as (msgid, first paragraph only): its help, each
    option's (the help option's too), and the first paragraph of each subcommand's."""
    command = command_at(path)
    texts = [(command.help, False), (helptext.TYPER_HELP[0], False)]
    texts += [(p.help, False) for p in command.params if getattr(p, "help", None)]
    texts += [(sub.help, True) for sub in getattr(command, "commands", {}).values()]
    return [(text, first) for text, first in texts if text]


def shown(text: str, first: bool) -> str:
    return plain(text.split("\n\n")[0] if first else text)


def plain(markup: str) -> str:
    return BOX.sub("", Text.from_markup(markup).plain)


def in_order(needle: str, haystack: str) -> bool:
    """Every character of ``needle`` appears in ``haystack`` in order (lines may break anywhere)."""
    rest = iter(haystack)
    return all(c in rest for c in needle)


def rows(output: str) -> list[str]:
    """The rows of the help's panels: a row starts where a line's text starts at the panel's edge."""
    found: list[str] = []
    for line in output.splitlines():
        if not line.startswith("│"):
            continue
        inner = line.strip("│ ").rstrip()
        if line[2:3] not in (" ", ""):
            found.append(inner)
        elif found:
            found[-1] += " " + inner
    return found


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "dlquiz")
def test_every_row_of_the_help_is_chinese(cli, path):
    out = cli(*path, "--help", env={**ZH, "COLUMNS": "120"})
    assert out.exit_code == 0, out.stderr
    text = out.stdout
    assert rows(text) and all(HAN.search(row) for row in rows(text)), [
        r for r in rows(text) if not HAN.search(r)
    ]
    assert "用法：" in text and "选项" in text
    for word in ("Usage:", "Options", "Arguments", "Commands", "[default:", "[env var:", "[required]"):
        assert word not in text
    flat = BOX.sub("", text)
    english = [t for t, first in help_texts(path) if shown(t, True) in flat]
    assert not english, english


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "dlquiz")
def test_the_chinese_help_is_whole_at_40_columns(cli, path):
    out = cli(*path, "--help", env={**ZH, "COLUMNS": "40"})
    assert out.exit_code == 0, out.stderr
    assert "…" not in out.stdout
    assert max(len(line) for line in out.stdout.splitlines()) <= 40 or all(
        HAN.search(line) for line in out.stdout.splitlines() if len(line) > 40
    )
    flat = BOX.sub("", out.stdout)
    for english, first in help_texts(path):
        zh = shown(i18n.in_language("zh", english), first)
        assert HAN.search(zh), english  # translated
        assert in_order(zh, flat), (english, zh)


def test_lang_option_and_both(cli):
    zh = cli("show", "--help", "--lang", "zh", env=WIDE).stdout
    assert "题目或练习卡的 ID" in zh and "[必填]" in zh and "[默认：lang 设置]" in zh
    assert "显示此帮助并退出" in cli("code", "check", "-h", "-lzh", env=WIDE).stdout
    english = cli("show", "--help", env=WIDE).stdout
    assert cli("show", "--help", "--lang", "both", env=WIDE).stdout == english  # an English interface
    assert cli("show", "--help", env={**WIDE, "DLQUIZ_LANG": "both"}).stdout == english
    assert "Usage:" in english and "A question or drill card id." in english


def test_config_lang_zh_gives_chinese_help(cli, isolated_home):
    english = cli("--help", env=WIDE).stdout
    assert cli("config", "lang", "zh").exit_code == 0
    top = cli("--help", env=WIDE).stdout
    assert "终端里的深度学习面试题" in top and "显示版本号" in top
    assert "显示一道题及其解答" in cli("show", "-h", env=WIDE).stdout
    assert "编程练习" in cli("code", env=WIDE).stdout  # a group without a command prints its help
    # A command's own choice wins over the setting, as for its output.
    assert cli("--help", env={**WIDE, "DLQUIZ_LANG": "en"}).stdout == english
    assert "A question or drill card id." in cli("show", "-h", "--lang", "en", env=WIDE).stdout
    # Back to English: the remembered setting follows the database at once.
    db = isolated_home / "dlquiz.db"
    for file in (db, db.with_name("dlquiz.db-wal")):
        if file.exists():  # settled, so that the zh setting is remembered
            os.utime(file, (file.stat().st_atime - 60, file.stat().st_mtime - 60))
    assert "终端里的深度学习面试题" in cli("--help", env=WIDE).stdout
    assert (isolated_home / "cache" / "lang").read_text(encoding="utf-8").endswith("\nzh\n")
    assert cli("config", "lang", "en").exit_code == 0
    assert cli("--help", env=WIDE).stdout == english


def test_usage_errors_in_chinese(cli):
    wrong = cli("shw", env={**ZH, **WIDE})
    assert wrong.exit_code == 2
    assert "用法：dlquiz" in wrong.stderr and "错误" in wrong.stderr and "查看帮助" in wrong.stderr
    assert "没有 'shw' 这个命令。是不是想找 'show'？" in wrong.stderr
    assert "没有 'chek' 这个命令。是不是想找 'check'？" in cli("code", "chek", env={**ZH, **WIDE}).stderr
    english = cli("shw", env=WIDE)
    assert "Usage: dlquiz" in english.stderr and "Error" in english.stderr and "for help" in english.stderr
    assert "No such command 'shw'. Did you mean 'show'?" in english.stderr  # typer's own


def test_typer_words_are_english_again_after_a_chinese_help(cli):
    assert "选项" in cli("--help", env=ZH).stdout
    after = cli("--help", env=WIDE).stdout
    assert "Options" in after and "Commands" in after and "Show this message and exit." in after
    assert i18n.language() == "en"


def test_typers_own_help_strings_are_still_spelled_as_the_catalog_has_them(cli):
    # If typer rewords its help option or completion options, the catalog's entries would no longer match.
    out = " ".join(cli("--help", env=WIDE).stdout.split())
    shown = [text for text in helptext.TYPER_HELP if text in out]
    assert helptext.TYPER_HELP[0] in shown and len(shown) == 3, shown


def test_the_minutes_help_names_the_limit():
    minutes = next(p for p in command_at(("mock",)).params if p.name == "minutes")
    assert f"to {MAX_MOCK_MINUTES}." in minutes.help


def test_the_help_language_reads_the_command_line():
    assert helptext.option_value(["show", "x", "--lang", "zh"], ("--lang", "-l")) == "zh"
    assert helptext.option_value(["--lang=zh"], ("--lang", "-l")) == "zh"
    assert helptext.option_value(["-lzh"], ("--lang", "-l")) == "zh"
    assert helptext.option_value(["search", "--", "--lang", "zh"], ("--lang", "-l")) is None
    assert helptext.option_value(["--db", "f.db", "show"], ("--db",)) == "f.db"


@pytest.mark.parametrize("xdg", [None, "", "relative/data", "/srv/data", "/srv/data/"])
@pytest.mark.parametrize("user_home", ["/home/someone", "/home/someone/", "relative"])
def test_the_quick_home_is_platformdirs_answer(monkeypatch, xdg, user_home):
    # --help finds the database without importing platformdirs: it must be the folder platformdirs gives.
    from dlquiz import paths

    monkeypatch.delenv("DLQUIZ_HOME", raising=False)
    monkeypatch.setenv("HOME", user_home)
    if xdg is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg)
    assert paths.quick_home() == paths.home()
