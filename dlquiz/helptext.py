"""The help in the user's language: with zh, ``dlquiz --help`` and every command's help are Chinese.

The English help in the code is the msgid (``help=N_(...)`` where a command or option is declared), so the
English help is the text typer builds; in any language, typer's text is drawn as ``Prose``, which folds
a long option name in a narrow terminal instead of cutting it with "…". For zh,
a command that typer has built is translated in place (its help, short help, epilog and each parameter's
help) just before it is drawn; typer's help option and completion options carry plain help strings, so
they are translated the same way. typer's own words (panel titles, "[default: …]", "[required]", the
error box) are ``typer.rich_utils`` module attributes that it reads each time it draws help: they are
swapped for the run and put back by ``restore()`` (a typer that renames one keeps its English), as are
its highlighters and its ``Text``, so that Chinese lines break by Unicode's rules (see
``_prose_highlighter``). click's "Usage:" goes through cli's formatter, and "No such command" through
cli's ``LanguageGroup``: typer offers neither for translation. Other click errors ("Missing argument")
stay English inside the translated box.

When: at ``Context.make_formatter()`` (``HelpContext`` in cli.py), which click calls only to draw help or
a usage line (the help screen, a usage error's box), never for a command that just runs. So a command
pays nothing, and an English ``--help`` pays only for working out the language.

The language is a command's own (cli.py ``_content_language``): --lang/-l anywhere on the command line,
else $DLQUIZ_LANG, else the database's lang setting (``dlquiz config lang zh``), read through
``prefs.remembered_lang`` because ``import sqlite3`` and a connection cost more than the help's whole
start-up budget. ``both`` keeps the interface in English.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from rich.highlighter import RegexHighlighter
from rich.text import Text

from dlquiz import i18n
from dlquiz.i18n import N_, _

LANGUAGE = "dlquiz.help_language"  # ctx.meta: the help's interface language, once worked out

# Help strings typer and click write themselves (the help option, shell completion), as they spell them:
# translated where they are drawn, like ours. A test checks that each still appears in the English help.
TYPER_HELP = (
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("Install completion for the specified shell."),
    N_("Show completion for the specified shell, to copy it or customize the installation."),
)

_saved: dict[str, Any] = {}  # typer.rich_utils constants replaced while the help is in another language
_active = False  # help is being drawn in another language than English
_swapped = False  # typer's words or text classes are replaced (in any language): restore() puts them back


def _typer_words() -> dict[str, str]:
    """typer.rich_utils's constants in the current language."""
    return {
        "ARGUMENTS_PANEL_TITLE": _("Arguments"),
        "OPTIONS_PANEL_TITLE": _("Options"),
        "COMMANDS_PANEL_TITLE": _("Commands"),
        "DEFAULT_STRING": _("[default: {}]"),
        "ENVVAR_STRING": _("[env var: {}]"),
        # "[required]" would read as a markup tag to the catalog's checks: the word alone is the msgid.
        "REQUIRED_LONG_STRING": "[{}]".format(_("required")),
        "DEPRECATED_STRING": _("(deprecated) "),
        "ERRORS_PANEL_TITLE": _("Error"),
        "ABORTED_TEXT": _("Aborted."),
        "RICH_HELP": _("Try [blue]'{command_path} {help_option}'[/] for help."),
    }


def prepare(ctx: Any) -> str:
    """Put ``ctx``'s command, and typer's words, in the help's language; returns that language."""
    language = ctx.meta.get(LANGUAGE)
    if language is None:
        language = ctx.meta[LANGUAGE] = help_language(getattr(ctx.find_root(), "command_line", []))
        global _active, _swapped
        _swapped = True
        if language != "en":
            _active = True
            i18n.set_language(language)
        _swap_typer_words(translate=language != "en")
    if language != "en":
        translate(ctx.command, ctx)
    return language


def active() -> bool:
    """Whether help is being drawn in another language than English (commands converted now follow)."""
    return _active


def translate(command: Any, ctx: Any = None) -> None:
    """A click command's help texts in the current language, in place (typer builds them for each run).

    With ``ctx``, the help option too (click makes it when first asked for it, with a context). A group's
    subcommands that are already built are translated too; translating twice changes nothing.
    """
    for attr in ("help", "short_help", "epilog"):
        text = getattr(command, attr, None)
        if text:  # never _(""): gettext gives the catalog's header for it
            setattr(command, attr, _(text))
    params = list(getattr(command, "params", ()))
    if ctx is not None and hasattr(command, "get_help_option"):
        params.append(command.get_help_option(ctx))
    for param in params:
        if param is not None and getattr(param, "help", None):
            param.help = _(param.help)
    commands = getattr(command, "commands", None)
    if isinstance(commands, dict):  # not cli's lazy mapping: those are translated when converted
        for sub in commands.values():
            translate(sub)


def _swap_typer_words(translate: bool) -> None:
    """typer's words in the current language (when ``translate``), and its text as Prose in any language:
    rich cuts a long option name or an environment variable with "…" in a narrow terminal."""
    from typer import rich_utils

    words: dict[str, Any] = _typer_words() if translate else {}
    for name in ("highlighter", "negative_highlighter", "types_highlighter"):
        if isinstance(getattr(rich_utils, name, None), RegexHighlighter):
            words[name] = _prose_highlighter(getattr(rich_utils, name))
    if getattr(rich_utils, "Text", None) is Text:  # "[默认：…]", "[必填]": rich_utils makes them Text(...)
        from dlquiz.render.prose import Prose

        words["Text"] = Prose
    for name, value in words.items():
        if hasattr(rich_utils, name):  # a typer without one of them just keeps its English
            _saved.setdefault(name, getattr(rich_utils, name))
            setattr(rich_utils, name, value)


def _prose_highlighter(english: Any) -> Any:
    """One of typer's highlighters, which every help text and option name passes through, also making
    the text Prose.

    rich breaks lines at spaces only: a run of Chinese would move to the next line whole, or be cut with
    "…" in the help's tables, as a long option name is in a narrow terminal. Prose
    (dlquiz/render/prose.py) breaks Chinese by Unicode's rules, as the rest of dlquiz's output does, and
    folds what does not fit instead of cutting it. The translated "Usage:" is highlighted as typer
    highlights its English.
    """
    import re

    from dlquiz.render.prose import prose

    class ProseHighlighter(type(english)):  # type: ignore[misc]
        highlights = [*type(english).highlights, rf"(?P<usage>{re.escape(_('Usage:'))})"]

        def __call__(self, text: Any) -> Any:
            return prose(super().__call__(text))

    return ProseHighlighter()


def restore() -> None:
    """English again, as typer left it: the next command in this process (a test) starts afresh."""
    global _active, _swapped
    if _swapped:
        from typer import rich_utils

        for name, text in _saved.items():
            setattr(rich_utils, name, text)
        _saved.clear()
        _swapped = False
    if _active:
        _active = False
        i18n.set_language(None)


def no_such_command(name: str, names: list[str]) -> str:
    """typer's "No such command" error, with its suggestions, in the current language."""
    from dlquiz.errors import closest

    near = ", ".join(repr(n) for n in closest(name, names))
    if not near:
        return _("No such command {name!r}.").format(name=name)
    return _("No such command {name!r}. Did you mean {names}?").format(name=name, names=near)


# --- the language -------------------------------------------------------------------------------------

LANGUAGES = ("en", "zh", "both")


def help_language(args: Sequence[str]) -> str:
    """The interface language of the command line ``args``: as the command itself would choose it."""
    chosen = option_value(args, ("--lang", "-l"))
    if chosen not in LANGUAGES:
        chosen = os.environ.get("DLQUIZ_LANG", "")
    if chosen not in LANGUAGES:
        from dlquiz import paths
        from dlquiz.prefs import remembered_lang

        home = paths.quick_home()
        chosen_db = option_value(args, ("--db",)) or os.environ.get("DLQUIZ_DB")
        database = paths.database(chosen_db) if chosen_db else home / "dlquiz.db"
        chosen = remembered_lang(database, home / "cache")
    return i18n.interface_language(chosen)


def option_value(args: Sequence[str], names: tuple[str, ...]) -> str | None:
    """The last value given to an option in ``args`` (``--lang zh``, ``--lang=zh``, ``-lzh``), if any."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        for name in names:
            if arg == name and i + 1 < len(args):
                found = args[i + 1]
            elif arg.startswith(name + "=") and name.startswith("--"):
                found = arg[len(name) + 1 :]
            elif len(name) == 2 and arg.startswith(name) and len(arg) > 2 and not arg.startswith("--"):
                found = arg[2:]
    return found
