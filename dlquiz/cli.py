"""The command line: each command parses options, makes one call into the core, and renders the result.

Only typer and the standard library are imported at module level, so ``dlquiz --help`` and shell
completion stay fast; NumPy, PyYAML, sqlite-utils and fsrs are imported inside the commands that use them.

No ``from __future__ import annotations`` here or in ``cli_code``: typer reads every command's signature
twice when it builds the app, and with postponed annotations it would evaluate each one from its string
every time (about 10 ms for 25 commands on each run, ``--help`` included).
"""

import contextlib
import copy
import errno
import functools
import inspect
import os
import sys
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup, _TyperParameter

from dlquiz import i18n
from dlquiz.errors import DlquizError
from dlquiz.i18n import N_, _

# --- global options anywhere: ``dlquiz show X --db f`` as well as ``dlquiz --db f show X`` ----------------

GLOBAL_OPTIONS = {"--db": True, "--bank": True, "-b": True}  # option -> takes a value


def hoist_global_options(args: list[str]) -> list[str]:
    """Move --db and --bank found after the command name in front of it, where click expects them."""
    head: list[str] = []
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":  # options before the command
        head.append(args[i])
        takes_value = GLOBAL_OPTIONS.get(args[i], False)
        i += 1
        if takes_value and i < len(args):
            head.append(args[i])
            i += 1
    moved: list[str] = []
    rest: list[str] = []
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS and (name.startswith("--") or "=" not in arg):
            moved.append(arg)
            if "=" not in arg and i + 1 < len(args):
                moved.append(args[i + 1])
                i += 1
        else:
            rest.append(arg)
        i += 1
    return head + moved + rest


# --- help in the user's language (issue 10): see dlquiz/helptext.py -------------------------------------


class _Formatter(typer.Context.formatter_class):  # type: ignore[name-defined,misc]
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:  # click's own "Usage: ", which it does not offer for translation
            word = _("Usage:")
            prefix = word if word.endswith("：") else word + " "
        super().write_usage(prog, args, prefix)


class HelpContext(typer.Context):
    """The context of every dlquiz command: click calls make_formatter only to draw help or a usage line,
    never to run a command, so that is when the help is put in the user's language."""

    formatter_class = _Formatter
    command_line: list[str] = []  # on the root context: the arguments, for the help's --lang and --db

    def make_formatter(self) -> Any:
        from dlquiz import helptext

        helptext.prepare(self)
        return super().make_formatter()


def _use_help_context(command: Any) -> Any:
    """``command`` and the subcommands typer has built for it draw their help through HelpContext."""
    command.context_class = HelpContext
    if isinstance(getattr(command, "commands", None), dict):
        for sub in command.commands.values():
            _use_help_context(sub)
    return command


class LanguageGroup(TyperGroup):
    """A group that says "No such command" in the user's language (typer says it in English only)."""

    context_class = HelpContext

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if (
            args
            and args[0] not in self.commands
            and not args[0].startswith("-")
            and not ctx.resilient_parsing
        ):
            from dlquiz import helptext

            if helptext.prepare(ctx) != "en":  # only on this error's path: English needs nothing
                ctx.fail(helptext.no_such_command(args[0], list(self.commands)))
        return super().resolve_command(ctx, args)


class DlquizGroup(LanguageGroup):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _use_help_context(self)  # the eager app's commands (lazy_app's are set when converted)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.command_line = list(args)
        return super().parse_args(ctx, hoist_global_options(list(args)))

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        finally:
            helptext = sys.modules.get("dlquiz.helptext")
            if helptext is not None:  # typer's words back in English for the next run in this process
                helptext.restore()


# --- start-up: typer converts only the subcommand that is used (issue 10) ---------------------------------
# typer turns every registered command into a click command on every run, reading each signature and its
# type hints (about 4 ms for the 25 commands here). ``dlquiz show X`` needs ``show`` alone, and the
# top-level --help only the name, help and panel of each command. So main() runs lazy_app(): typer
# converts the root callback as usual, and each subcommand when click looks it up by name, with typer's
# own get_command_from_info / get_group_from_info, so that it is exactly the command typer would build.
# Those are public functions of typer.main but not documented API: when one is missing or takes other
# arguments (an older or newer typer), lazy_app() is just ``app``, converted eagerly as before.


@functools.cache
def _typer_settings() -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The arguments typer passes to its converters for ``app`` (command, group); None if they differ."""
    main = typer.main
    needed = ("get_command_from_info", "get_group_from_info", "get_command_name", "solve_typer_info_defaults")
    if not all(hasattr(main, name) for name in needed):
        return None
    command = {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
    }
    group = dict(command)
    if "suggest_commands" in inspect.signature(main.get_group_from_info).parameters:  # newer typer
        group["suggest_commands"] = app.suggest_commands
    try:
        inspect.signature(main.get_command_from_info).bind(None, **command)
        inspect.signature(main.get_group_from_info).bind(None, **group)
    except TypeError:
        return None
    return command, group


class _LazyCommands(Mapping[str, Any]):
    """``app``'s subcommands by name, in registration order, converted when first looked up.

    While ``listing()`` (the group's own help, completion of command names) a lookup gives a copy converted
    without parameters: its name, help, panel, hidden and deprecated flags are the command's own.
    """

    def __init__(self) -> None:
        main = typer.main
        self._infos: dict[str, tuple[bool, Any]] = {}  # name -> (is a group, its CommandInfo or TyperInfo)
        for info in app.registered_commands:  # the same names, order and overriding as typer's
            self._infos[info.name or main.get_command_name(info.callback.__name__)] = (False, info)
        for info in app.registered_groups:  # each has a name (lazy_app)
            self._infos[main.solve_typer_info_defaults(info).name] = (True, info)
        self._commands: dict[str, Any] = {}
        self._copies: dict[str, Any] = {}
        self._listing = 0

    @contextlib.contextmanager
    def listing(self) -> Any:
        self._listing += 1
        try:
            yield
        finally:
            self._listing -= 1

    def __getitem__(self, name: str) -> Any:
        is_group, info = self._infos[name]
        if name in self._commands:
            return self._commands[name]
        if not self._listing:
            self._commands[name] = self._convert(is_group, info)
            return self._commands[name]
        if name not in self._copies:
            self._copies[name] = self._convert(is_group, self._without_parameters(is_group, info))
        return self._copies[name]

    @staticmethod
    def _without_parameters(is_group: bool, info: Any) -> Any:
        """``info`` copied with nothing to convert: a group without commands, a command without arguments."""
        info = copy.copy(info)
        if is_group:
            info.typer_instance = copy.copy(info.typer_instance)
            info.typer_instance.registered_commands, info.typer_instance.registered_groups = [], []
        else:
            info.name = info.name or typer.main.get_command_name(info.callback.__name__)
            info.help = inspect.getdoc(info.callback) if info.help is None else info.help
            info.callback = _no_parameters
        return info

    @staticmethod
    def _convert(is_group: bool, info: Any) -> Any:
        command, group = _typer_settings()  # type: ignore[misc]  # not None: lazy_app checked
        if is_group:
            converted = typer.main.get_group_from_info(info, **group)
        else:
            converted = typer.main.get_command_from_info(info, **command)
        helptext = sys.modules.get("dlquiz.helptext")
        if helptext is not None and helptext.active():  # listed in a help already in another language
            helptext.translate(converted)
        return _use_help_context(converted)

    def __contains__(self, name: object) -> bool:  # Mapping's own would convert the command
        return name in self._infos

    def __iter__(self) -> Any:
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)


def _no_parameters() -> None:  # the callback of a listing copy: never run
    raise AssertionError("a listing copy of a command was run")


class LazyGroup(DlquizGroup):
    """The root group of lazy_app(): its subcommands are ``app``'s, converted when looked up."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _LazyCommands()

    def list_commands(self, ctx: Any) -> list[str]:
        with self.commands.listing():  # typer's own order; its list_commands iterates .items()
            return super().list_commands(ctx)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        with self.commands.listing():
            super().format_help(ctx, formatter)

    def shell_complete(self, ctx: Any, incomplete: str) -> Any:
        with self.commands.listing():  # command names and their short help
            return super().shell_complete(ctx, incomplete)


def lazy_app() -> typer.Typer:
    """``app`` as main() runs it: typer converts the root alone, into a LazyGroup that converts the rest."""
    if _typer_settings() is None:
        return app
    if not all(typer.main.solve_typer_info_defaults(info).name for info in app.registered_groups):
        return app  # typer merges a nameless group's commands into the root: not done lazily
    lazy = copy.copy(app)
    lazy.registered_commands, lazy.registered_groups = [], []
    lazy.info = copy.copy(app.info)
    lazy.info.cls = LazyGroup
    return lazy


def _type_label(param: Any, ctx: Any) -> str:
    """The help's type column in words a user knows (N, en|zh|both), not typer's <int range> or <bool>.

    A flag and a named argument (whose name already shows) get none.
    """
    if getattr(param, "is_flag", False) or param.param_type_name == "argument":
        return ""
    desc = param.type_descriptor
    if desc.is_choice:
        return "|".join(str(getattr(c, "value", c)) for c in desc.choices or ())
    base = param._bare_type(desc.annotation)
    if "int" in base.split("[")[-1]:
        return "N"
    if "float" in base.split("[")[-1]:
        return "NUMBER"
    return (param.name or "value").upper()


_TyperParameter.display_type = _type_label  # type: ignore[method-assign]


app = typer.Typer(
    name="dlquiz",
    cls=DlquizGroup,
    help=N_(
        "Deep-learning interview questions in the terminal: study with spaced repetition, "
        "read bilingual answers, and run NumPy proofs of the claims."
    ),
    no_args_is_help=False,
    add_completion=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

F = TypeVar("F", bound=Callable[..., Any])


class Lang(str, Enum):
    en = "en"
    zh = "zh"
    both = "both"


# Every command's language: --lang, else $DLQUIZ_LANG, else the lang setting (dlquiz config lang zh),
# else en. With zh the interface is Chinese too (dlquiz/i18n.py).
LangOption = Annotated[
    Lang | None,
    typer.Option(
        "--lang",
        "-l",
        envvar="DLQUIZ_LANG",
        show_envvar=True,
        help=N_("Language: en, zh or both \\[default: the lang setting]."),
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help=N_("Print JSON for scripts."))]
SectionOption = Annotated[
    list[str] | None,
    typer.Option(
        "--section", "-s", metavar="SECTION", help=N_("Only this section: id, title or prefix (repeatable).")
    ),
]


class Options:
    """Global options, set by the callback and read by the commands."""

    banks: list[str] = []
    db: str | None = None
    lang: str | None = None  # the running command's language, resolved once by friendly()
    # What the command has already saved, for the message when its output then cannot be written
    # ("the review was recorded"): the user must not grade twice because the confirmation was lost.
    saved: str | None = None


def friendly(fn: F) -> F:
    """Turn a DlquizError into a message on stderr and its exit code: no traceback for user mistakes."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            # Before anything else, so that errors, too, are in the user's language.
            Options.lang = _content_language(kwargs.get("lang"))
            i18n.set_language(Options.lang)
            return fn(*args, **kwargs)
        except DlquizError as error:
            _report(error)
            raise typer.Exit(error.exit_code) from None
        except OSError as error:
            # Files the core writes report their own errors (with a path); an OSError without a file name
            # that gets here is the output stream: stdout full (/dev/full, a full disk) or closed (EPIPE).
            if error.filename is not None or error.errno not in _STREAM_ERRORS:
                raise
            _output_lost(error)
            raise typer.Exit(1) from None
        except Exception as error:
            sqlite3 = sys.modules.get("sqlite3")
            if sqlite3 is None or not isinstance(error, sqlite3.Error):
                raise
            from dlquiz import paths
            from dlquiz.store import fault

            found = fault(error, paths.database(Options.db))  # a fault met while reading, named truthfully
            _report(found)
            raise typer.Exit(found.exit_code) from None
        finally:
            # The language was this command's: the next call in this process (a test) starts afresh.
            Options.lang = None
            i18n.set_language(None)

    return wrapper  # type: ignore[return-value]


_STREAM_ERRORS = {errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EBADF, errno.EFBIG}


def _output_lost(error: OSError) -> None:
    """Say on stderr that the output could not be written, and what was saved all the same.

    A closed pipe with nothing saved is no fault: the reader has what it wanted.
    """
    try:  # later writes (and Python's own flush at exit) go nowhere instead of failing again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass
    if error.errno == errno.EPIPE and not Options.saved:
        return  # the reader stopped reading (dlquiz list | head): as git and ls, say nothing
    saved = f"; {Options.saved}" if Options.saved else ""
    with contextlib.suppress(OSError):
        message = _("cannot write to standard output ({reason})").format(reason=error.strerror or error)
        _report(DlquizError(message + saved, 1))


def _content_language(lang: Lang | None) -> str:
    """--lang (or $DLQUIZ_LANG) when given, else the lang setting, else en."""
    if lang is not None:
        return lang.value
    env = os.environ.get("DLQUIZ_LANG", "")  # commands without --lang still follow it
    if env in Lang.__members__:
        return env
    from dlquiz import paths
    from dlquiz.prefs import remembered_lang

    # The copy that --help reads too: no sqlite3 while the database is unchanged (about 2 ms).
    stored = remembered_lang(paths.database(Options.db), paths.cache_dir())
    return stored if stored in Lang.__members__ else Lang.en.value


def _report(error: DlquizError) -> None:
    from rich.markup import escape

    from dlquiz.render import console

    err = console(stderr=True)
    # soft_wrap: a long path in the message stays on one line, so it can be copied from the terminal.
    message = _("[bold red]error:[/] {message}").format(message=escape(error.message))
    err.print(message, markup=True, highlight=False, soft_wrap=True)
    if error.hint:
        hint = _("[dim]hint:[/] {hint}").format(hint=escape(error.hint))
        err.print(hint, markup=True, highlight=False, soft_wrap=True)


def safe(text: Any) -> str:
    """An untrusted id or path made harmless for a plain output line (imported here: 1 ms off --help)."""
    from dlquiz.sanitize import name

    return name(text)


def complete_card_id(incomplete: str) -> list[str]:
    """Shell completion for card ids, from the bank cache only (no YAML, no validation)."""
    from dlquiz.catalog import card_ids

    return [i for i in card_ids() if i.startswith(incomplete)]


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    bank: Annotated[
        list[str] | None,
        typer.Option(
            "--bank",
            "-b",
            metavar="PATH",
            help=N_("An extra bank file or folder of *.yaml banks (repeatable) \\[env: DLQUIZ_BANKS]."),
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="FILE",
            help=N_("The database file \\[env: DLQUIZ_DB; default: DLQUIZ_HOME/dlquiz.db]."),
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", is_eager=True, callback=lambda v: _version(v), help=N_("Print the version.")
        ),
    ] = False,
) -> None:
    """Deep-learning interview questions in the terminal.

    Examples: [bold]dlquiz[/] (today at a glance) · [bold]dlquiz study[/] · [bold]dlquiz search hessian[/]
    """
    Options.banks = list(bank or [])
    Options.db = db
    Options.saved = None
    if ctx.invoked_subcommand is None:
        _status()


def _version(value: bool) -> None:
    if value:
        from dlquiz import __version__

        typer.echo(f"dlquiz {__version__}")
        raise typer.Exit()


@friendly
def _status() -> None:
    from dlquiz.render import console
    from dlquiz.render.study import status as render_status
    from dlquiz.today import status

    catalog = _load().catalog
    with _store() as store:
        data = status(store, catalog, _now())
    console().print(render_status(data))
    console().print(_("[dim]dlquiz --help lists every command[/]"))


def _now() -> Any:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


class _store:
    """``with _store() as store:`` opens the user's database and always closes it."""

    def __enter__(self) -> Any:
        from dlquiz import paths
        from dlquiz.store import Store

        self.store = Store.open(paths.database(Options.db))
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.close()


def _load(strict: bool = False) -> Any:
    """The catalog; problems in skipped files are summarized on stderr (``dlquiz check`` has details)."""
    from dlquiz import catalog, paths

    result = catalog.load(paths.user_banks(Options.banks))
    blocking = [p for p in result.errors if p.blocking]
    if blocking and not strict:
        from rich.markup import escape

        from dlquiz.render import console

        bad = sorted({safe(p.file) for p in blocking})  # a newline in a file name must not forge a line
        console(stderr=True).print(
            _(
                "[yellow]warning:[/] skipped {n} bank file(s) with errors: {files} "
                "(run [bold]dlquiz check[/] for details)"
            ).format(n=len(bad), files=escape(", ".join(bad))),
            markup=True,
            highlight=False,
            soft_wrap=True,  # one record: whole in a pipe, with a path that can be copied
        )
    return result


@app.command(
    "list",
    help=N_(
        "One line per card: id, section, type, state or due date, prompt.\n\n"
        "In a pipe the fields are tab-separated and whole: [bold]dlquiz list | grep -i hessian[/].\n\n"
        "Examples: [bold]dlquiz list -s bn -q[/] · [bold]dlquiz list --json[/]"
    ),
)
@friendly
def list_cards(
    section: SectionOption = None,
    questions_only: Annotated[
        bool, typer.Option("--questions", "-q", help=N_("Questions only, no drill cards."))
    ] = False,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    _find_rows(None, section, questions_only, lang, as_json)


@app.command(
    help=N_(
        "Cards whose prompt, answer, key points, pitfalls or options contain TEXT (English or Chinese).\n\n"
        "Examples: [bold]dlquiz search hessian[/] · [bold]dlquiz search 方差 -s bn[/]"
    )
)
@friendly
def search(
    text: Annotated[str, typer.Argument(metavar="TEXT", help=N_("Words to look for, in any case."))],
    section: SectionOption = None,
    questions_only: Annotated[
        bool, typer.Option("--questions", "-q", help=N_("Questions only, no drill cards."))
    ] = False,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    _find_rows(text, section, questions_only, lang, as_json)


def _find_rows(
    query: str | None, section: list[str] | None, questions_only: bool, lang: Lang | None, as_json: bool
) -> None:
    from dlquiz import finder, paths
    from dlquiz.render import cards, console
    from dlquiz.render.find import render_rows

    catalog = _load().catalog
    chosen = finder.resolve_sections(catalog, section)
    states = {}
    if paths.database(Options.db).exists():  # reading the list never creates a database
        with _store() as store:
            states = store.card_states()
    if query is None:
        rows = finder.list_rows(catalog, states, chosen, questions_only)
    else:
        rows = finder.search(catalog, states, query, chosen, questions_only)
    if as_json:
        typer.echo(cards.dumps([r.to_dict() for r in rows]))
        return
    if not rows and query is not None:
        message = _("no card contains {text}").format(text=repr(query))
        console(stderr=True).print(message, markup=False, highlight=False)
        raise typer.Exit(1)  # as grep: nothing found is exit 1
    render_rows(console(), rows, _language(lang), _now())


@app.command(
    help=N_(
        "A question with its answer, key points, formulas, pitfalls and references; or one drill card.\n\n"
        "Examples: [bold]dlquiz show bn-backward --lang both[/] · "
        "[bold]dlquiz show bn-backward.paths --json[/]"
    )
)
@friendly
def show(
    card_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help=N_("A question or drill card id."), autocompletion=complete_card_id
        ),
    ],
    lang: LangOption = None,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help=N_("Print straight to the terminal, even when it is long."))
    ] = False,
    as_json: JsonOption = False,
) -> None:
    from dlquiz.finder import find_card
    from dlquiz.model import Question
    from dlquiz.render import cards, console

    catalog = _load().catalog
    card = find_card(catalog, card_id)
    if as_json:
        typer.echo(cards.dumps(cards.card_json(catalog, card)))
        return
    from dlquiz.render import pager

    language = _language(lang)

    def draw(out: Any) -> None:
        if isinstance(card, Question):
            cards.render_question(out, catalog, card, language, _demo_titles(card.demos, language))
        else:
            cards.render_drill(out, catalog, card, language)

    pager.show(console(), draw, use_pager=not no_pager)


def _demo_titles(demo_ids: tuple[str, ...], lang: str) -> dict[str, str]:
    # Titles come from the registry, which imports NumPy: read them from the cache when it is current.
    if not demo_ids:
        return {}
    from dlquiz.catalog import demo_titles

    titles = demo_titles()
    code = "zh" if lang == "zh" else "en"
    return {d: titles[d][code] for d in demo_ids if d in titles}


@app.command(
    help=N_(
        "Validate the question banks; every problem is reported with file, line and field. Exit 2 on errors."
        "\n\nExamples: [bold]dlquiz check[/] · [bold]dlquiz check my-bank.yaml[/] ·\n"
        "[bold]dlquiz check --alone banks.json[/]"
    )
)
@friendly
def check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="BANK",
            help=N_("Bank files or folders to check with the shipped banks (default: all loaded)."),
        ),
    ] = None,
    alone: Annotated[
        bool,
        typer.Option(
            "--alone", help=N_("Check the named files without the shipped banks (e.g. a full JSON export).")
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    from dlquiz import bank, paths
    from dlquiz.demos import all_demos
    from dlquiz.render import cards, console

    user = list(files) if files else paths.user_banks(Options.banks)
    if alone and not files:
        raise DlquizError(_("--alone needs the bank files to check"))
    shipped = [] if alone else [paths.shipped_content()]
    result = bank.load(shipped, user, known_demos=lambda: set(all_demos()))
    if shipped and files:
        named = {bank.display_path(bank._resolved(f)) for f in bank.bank_files(user)}
        result = result._replace(problems=bank.fold_shipped_duplicates(result.problems, sorted(named)))
    catalog = result.catalog
    n_drills = sum(len(q.drills) for q in catalog.questions)
    if as_json:
        typer.echo(
            cards.dumps(
                {
                    "files": result.files,
                    "questions": len(catalog.questions),
                    "drills": n_drills,
                    "problems": [p.to_dict() for p in result.problems],
                }
            )
        )
    else:
        cards.render_problems(console(), result.problems, result.files, len(catalog.questions), n_drills)
    if result.errors:
        raise typer.Exit(2)


MaybeLang = LangOption


def _language(lang: Lang | None, store: Any = None) -> str:
    """--lang when given, else $DLQUIZ_LANG, else the lang setting (as resolved for this command)."""
    return Options.lang or _content_language(lang)


def _seed(seed: int | None) -> int:
    """--seed when given, else a fresh one (shown in reports, so a set can be repeated)."""
    return int.from_bytes(os.urandom(3), "big") if seed is None else seed


def _sections(catalog: Any, sections: list[str] | None) -> list[str]:
    """Section ids from --section values: an id, a title or a prefix of either ("bn", "Batch norm")."""
    from dlquiz.finder import resolve_sections

    return resolve_sections(catalog, sections)


@app.command(
    help=N_(
        "Today's review session: reveal, grade 1-4, undo, bury, run the proof; q saves and quits.\n\n"
        "Examples: [bold]dlquiz study[/] · [bold]dlquiz study -s bn -n 10[/] · [bold]dlquiz study --cram[/]"
    )
)
@friendly
def study(
    section: SectionOption = None,
    new: Annotated[
        int | None,
        typer.Option("--new", min=0, help=N_("New cards to add today (beyond the daily limit).")),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help=N_("Stop after this many cards."))
    ] = None,
    lang: MaybeLang = None,
    cram: Annotated[
        bool,
        typer.Option(
            "--cram",
            help=N_(
                "Cram the cards with the lowest predicted recall on the "
                "interview day; logged, schedules left unchanged."
            ),
        ),
    ] = False,
) -> None:
    from dlquiz.render import console
    from dlquiz.screen import Keys, StudyScreen
    from dlquiz.session import StudySession

    catalog = _load().catalog
    chosen = _sections(catalog, section)
    with _store() as store:
        session = StudySession(store, catalog, _now(), chosen, new_limit=new, limit=limit, cram=cram)
        language = _language(lang, store)
        StudyScreen(session, catalog, console(), Keys(), language).run()


@app.command(
    "next",
    help=N_(
        "The card study would show next; changes nothing.\n\n"
        "Examples: [bold]dlquiz next[/] · [bold]dlquiz next --json[/]"
    ),
)
@friendly
def next_card(section: SectionOption = None, as_json: JsonOption = False) -> None:
    from dlquiz.render import cards, console
    from dlquiz.session import StudySession

    catalog = _load().catalog
    with _store() as store:
        now = _now()
        session = StudySession(store, catalog, now, _sections(catalog, section))
        card = session.next_card(now)
        state = session.states.get(card.id) if card else None
    if card is None:
        if as_json:
            typer.echo("null")
        else:
            console().print(_("Nothing is due. [dim]dlquiz shows when the next card is due.[/]"))
        return
    if as_json:
        data = cards.card_json(catalog, card)
        from dlquiz.finder import schedule_json

        data["schedule"] = schedule_json(state)
        typer.echo(cards.dumps(data))
        return
    typer.echo(card.id)


def _rating(text: str) -> int:
    """A grade as the study keys take it: 1-4, or again, hard, good, easy in any case."""
    from dlquiz.schedule import RATINGS

    word = text.strip().lower()
    if word in ("1", "2", "3", "4"):
        return int(word)
    if word in RATINGS:
        return RATINGS[word]
    raise DlquizError(
        _("unknown {kind} {word!r}").format(kind=_("grade"), word=text),
        hint=_("give 1-4 or again, hard, good, easy"),
    )


@app.command(
    help=N_(
        "Record a review of a card now and print its new due date.\n\n"
        "Examples: [bold]dlquiz grade bn-backward 3[/] · [bold]dlquiz grade bn-backward again --json[/]"
    )
)
@friendly
def grade(
    card_id: Annotated[str, typer.Argument(metavar="ID", autocompletion=complete_card_id)],
    rating: Annotated[
        str, typer.Argument(metavar="GRADE", help=N_("1-4, or again, hard, good, easy (any case)."))
    ],
    as_json: JsonOption = False,
) -> None:
    from dlquiz.finder import find_card, schedule_json
    from dlquiz.render import cards
    from dlquiz.schedule import RATING_NAMES, format_interval, parse_time, rating_name
    from dlquiz.session import StudySession

    value = _rating(rating)
    catalog = _load().catalog
    card = find_card(catalog, card_id)
    with _store() as store:
        now = _now()
        graded = StudySession(store, catalog, now).grade(card, value, now)
    name = RATING_NAMES[value].lower()
    Options.saved = _("the {rating} review of {card} was recorded").format(rating=name, card=card.id)
    due = parse_time(graded.state.due)
    if as_json:
        typer.echo(
            cards.dumps(
                {
                    "id": card.id,
                    "rating": name,
                    "review_id": graded.review_id,
                    "due": graded.state.due,
                    "schedule": schedule_json(graded.state),
                }
            )
        )
        return
    local = due.astimezone().strftime("%Y-%m-%d %H:%M")
    # English echoes the grade's word ("good"); another language names it as its study screen does.
    shown = name if i18n.language() == "en" else rating_name(value)
    typer.echo(
        _("recorded {rating} for {card}; next due {when} (in {interval})").format(
            rating=shown,
            card=safe(card.id),
            when=local,
            interval=format_interval(due - now),
        )
    )


@app.command(
    help=N_(
        "Undo the most recent review: its log entry and the card's state.\n\n"
        "Example: [bold]dlquiz grade bn-backward 1 && dlquiz undo --json[/]"
    )
)
@friendly
def undo(as_json: JsonOption = False) -> None:
    from dlquiz.finder import schedule_json
    from dlquiz.render import cards
    from dlquiz.session import undo_last

    with _store() as store:
        undone = undo_last(store)
    if undone is None:
        raise DlquizError(_("there is no review to undo"), exit_code=1)
    card_id, restored = undone
    if as_json:
        typer.echo(cards.dumps({"id": card_id, "schedule": schedule_json(restored)}))
        return
    typer.echo(_("undid the last review of {card}").format(card=safe(card_id)))


# ignore_unknown_options: the "-5" of ``config new_per_day -5`` is a value (refused: out of range)
@app.command(
    context_settings={"ignore_unknown_options": True},
    help=N_(
        "Show or change settings: new_per_day, reviews_per_day, desired_retention, lang.\n\n"
        "Examples: [bold]dlquiz config[/] · [bold]dlquiz config new_per_day 15[/]"
    ),
)
@friendly
def config(
    key: Annotated[
        str | None, typer.Argument(metavar="KEY", help=N_("A setting name; omit to list them all."))
    ] = None,
    value: Annotated[
        str | None, typer.Argument(metavar="VALUE", help=N_("A new value; omit to show the current one."))
    ] = None,
    as_json: JsonOption = False,
) -> None:
    from dlquiz.render import cards, console
    from dlquiz.session import SETTINGS, parse_setting, settings

    if key is not None and key not in SETTINGS:
        from dlquiz.errors import closest

        near = closest(key, SETTINGS)
        guess = _("did you mean {names}?").format(names=", ".join(near)) + " " if near else ""
        hint = guess + _("settings: {names}").format(names=", ".join(SETTINGS))
        raise DlquizError(_("unknown {kind} {word!r}").format(kind=_("setting"), word=key), hint=hint)
    with _store() as store:
        if key is not None and value is not None:
            store.set_setting(key, parse_setting(key, value))
        elif key is not None:
            parse_setting(key, str(SETTINGS[key][0])) if key in SETTINGS else parse_setting(key, "")
        values = settings(store)
    if key is not None:
        typer.echo(cards.dumps(values[key]) if as_json else str(values[key]))
        return
    if as_json:
        typer.echo(cards.dumps(values))
        return
    from rich.markup import escape
    from rich.padding import Padding
    from rich.table import Table

    from dlquiz.render.prose import prose

    out = console()
    rows = []
    for name, (default, meaning) in SETTINGS.items():
        shown = _("{meaning} (default {default})") if values[name] != default else "{meaning}"
        rows.append((name, str(values[name]), prose(shown.format(meaning=_(meaning), default=default))))
    names = max(len(r[0]) for r in rows) + max(len(r[1]) for r in rows) + 4
    if out.width - names >= 20:  # room for the meanings beside the names
        table = Table(box=None, pad_edge=False)
        table.add_column(_("setting"), style="bold", no_wrap=True)  # names are never squeezed into "…"
        table.add_column(_("value"), no_wrap=True)
        table.add_column(prose(_("meaning")), style="dim")
        for row in rows:
            table.add_row(*row)
        out.print(table)
    else:  # narrow: "name = value", its meaning below
        for name, value, meaning in rows:
            out.print(f"[bold]{name}[/] = {escape(value)}", soft_wrap=True)
            meaning.stylize("dim")
            out.print(Padding(meaning, (0, 0, 0, 2)))
    _say_database(out)


def _say_database(out: Any) -> None:
    """Where the progress lives, on one line (never wrapped), so it can be copied."""
    from rich.markup import escape

    from dlquiz import paths

    line = _("[dim]database:[/] {path}").format(path=escape(str(paths.database(Options.db))))
    out.print(line, soft_wrap=True)


@app.command(
    help=N_(
        "Check the database: integrity, card states against the review log, reviews of removed cards.\n\n"
        "Examples: [bold]dlquiz doctor[/] · [bold]dlquiz doctor --fix[/]"
    )
)
@friendly
def doctor(
    fix: Annotated[
        bool, typer.Option("--fix", help=N_("Rebuild mismatched card states from the log (after a backup)."))
    ] = False,
    as_json: JsonOption = False,
) -> None:
    from dlquiz import doctor as doc
    from dlquiz.render import cards, console

    catalog = _load().catalog
    with _store() as store:
        report = doc.check(store, set(catalog.ids()), fix=fix)
    if as_json:
        from dlquiz import paths

        typer.echo(cards.dumps({"database": str(paths.database(Options.db)), **report.to_dict()}))
    else:
        out = console()
        _say_database(out)
        say = functools.partial(out.print, soft_wrap=True)  # one finding per line, whole in a pipe
        mark = "[green]✓[/]" if report.integrity == "ok" else "[red]✗[/]"
        result = _("ok") if report.integrity == "ok" else report.integrity  # else SQLite's own words
        say(mark + " " + _("integrity: {result}").format(result=result))
        if report.mismatched:
            say(
                "[red]✗[/] "
                + _("{n} of {checked} card state(s) differ from the replay of their log: {cards}").format(
                    n=len(report.mismatched),
                    checked=report.cards_checked,
                    cards=", ".join(report.mismatched[:10]),
                )
            )
        else:
            say(
                "[green]✓[/] "
                + _("{n} card state(s) equal the replay of their log").format(n=report.cards_checked)
            )
        if report.orphans:
            say(
                "[yellow]![/] "
                + _(
                    "{n} reviewed card(s) are no longer in the banks (history kept, not studied): {cards}"
                ).format(n=len(report.orphans), cards=", ".join(report.orphans[:10]))
            )
        if report.bad_rows:
            from rich.markup import escape

            say(
                "[red]✗[/] "
                + _("{n} review row(s) cannot be replayed and are skipped (edited by hand?): {rows}").format(
                    n=len(report.bad_rows), rows=escape("; ".join(report.bad_rows[:5]))
                ),
                markup=True,
            )
        if report.fixed:
            say(
                "[green]✓[/] "
                + _("rebuilt {n} card state(s); backup at {backup}").format(
                    n=report.fixed, backup=report.backup
                )
            )
        elif report.mismatched:
            say(_("run [bold]dlquiz doctor --fix[/] to rebuild them from the log (a backup is made first)"))
    if not report.healthy and not report.fixed:
        raise typer.Exit(1)


@app.command(
    help=N_(
        'Run a "prove it" demo: NumPy code that checks an answer\'s claim. Exit 1 if a check fails.\n\n'
        "Examples: [bold]dlquiz prove bn-backward[/] ·\n"
        "[bold]dlquiz prove optimizer-race --set steps=800 --seed 1[/]"
    )
)
@friendly
def prove(
    target: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help=N_("A demo id, or a question id to run all of its demos."),
            autocompletion=lambda incomplete: _complete_demo(incomplete),
        ),
    ] = None,
    list_demos: Annotated[
        bool, typer.Option("--list", help=N_("List the demos: id, title, questions."))
    ] = False,
    seed: Annotated[
        int | None, typer.Option("--seed", help=N_("Random seed (same seed, same output)."))
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set", metavar="NAME=VALUE", help=N_("Change a demo parameter (repeatable); see --list.")
        ),
    ] = None,
    plots: Annotated[
        bool, typer.Option("--plots/--no-plots", help=N_("Draw curves in the terminal."))
    ] = True,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    from dlquiz.demos import all_demos, for_question
    from dlquiz.render import cards, console

    demos = all_demos()
    if list_demos or target is None:
        if as_json:
            typer.echo(
                cards.dumps(
                    [
                        {
                            "id": d.id,
                            "title": d.title,
                            "questions": list(d.questions),
                            "params": [
                                {
                                    "name": p.name,
                                    "default": p.default,
                                    "help": _(p.help),
                                    "min": p.min,
                                    "max": p.max,
                                    "choices": list(p.choices) if p.choices else None,
                                }
                                for p in d.params
                            ],
                        }
                        for d in demos.values()
                    ]
                )
            )
            return
        from dlquiz.render.demos import render_demo_list

        render_demo_list(console(), list(demos.values()), _language(lang))
        return
    chosen = [demos[target]] if target in demos else for_question(target)
    if not chosen:
        from dlquiz.errors import unknown

        questions = {q for d in demos.values() for q in d.questions}
        raise unknown("demo or question id", target, list(demos) + sorted(questions))
    overrides: dict[str, str] = {}
    for item in sets or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise DlquizError(_("--set needs NAME=VALUE, got {item!r}").format(item=item))
        overrides[name.strip()] = value.strip()
    if overrides and len(chosen) > 1:
        raise DlquizError(
            _("--set works with one demo at a time"),
            hint=_("demos of {target}: {demos}").format(target=target, demos=", ".join(d.id for d in chosen)),
        )
    results = []
    for demo in chosen:
        try:
            results.append(demo.run(seed=seed, overrides=overrides))
        except ValueError as error:
            raise DlquizError(str(error)) from None
    if as_json:
        payload = [r.to_dict() for r in results]
        typer.echo(cards.dumps(payload[0] if len(payload) == 1 else payload))
    else:
        from dlquiz.render.demos import render_demo_result

        out = console()
        for result in results:
            render_demo_result(out, result, lang=_language(lang), plots=plots)
    if not all(r.passed for r in results):
        raise typer.Exit(1)


def _complete_demo(incomplete: str) -> list[str]:
    # The registry would import NumPy; completion reads demo ids from the bank cache instead.
    from dlquiz.catalog import card_ids, demo_ids

    return [
        i
        for i in sorted(set(demo_ids()) | {c for c in card_ids() if "." not in c})
        if i.startswith(incomplete)
    ]


@app.command(
    help=N_(
        "Reviews per day, streak, time spent, true retention, due forecast, mastery per section, mock scores."
        "\n\nExamples: [bold]dlquiz stats[/] · [bold]dlquiz stats --json[/]"
    )
)
@friendly
def stats(lang: MaybeLang = None, as_json: JsonOption = False) -> None:
    from dlquiz.render import cards, console
    from dlquiz.render.stats import render
    from dlquiz.stats import compute

    catalog = _load().catalog
    with _store() as store:
        result = compute(store, catalog, _now())
        language = _language(lang, store)
    if as_json:
        typer.echo(cards.dumps(result.to_dict()))
        return
    console().print(render(result, language))


MAX_MOCK_MINUTES = 120  # a real interview question never takes longer; inf and 1e300 overflow the clock


@app.command(
    help=N_(
        "A mock interview: random main questions against a countdown, then tick the key points you covered."
        "\n\nExamples: [bold]dlquiz mock[/] · [bold]dlquiz mock -n 3 --minutes 5 -s cnn[/]"
    )
)
@friendly
def mock(
    section: SectionOption = None,
    n: Annotated[int, typer.Option("-n", "--questions", min=1, help=N_("How many questions."))] = 5,
    minutes: Annotated[
        float,
        # The literal is the msgid; a test checks that it names MAX_MOCK_MINUTES.
        typer.Option("--minutes", "-m", help=N_("Minutes per question, 0.1 to 120.")),
    ] = 2.0,
    seed: Annotated[int | None, typer.Option("--seed", help=N_("Repeat a question set."))] = None,
    lang: MaybeLang = None,
) -> None:
    from dlquiz.mock import MockScreen, pick_questions
    from dlquiz.render import console
    from dlquiz.screen import Keys

    if not 0.1 <= minutes <= MAX_MOCK_MINUTES:  # also refuses nan, which passes any min/max check
        raise DlquizError(
            _("--minutes must be between 0.1 and {limit}, got {minutes}").format(
                limit=MAX_MOCK_MINUTES, minutes=minutes
            )
        )
    catalog = _load().catalog
    chosen = _sections(catalog, section)
    seed = _seed(seed)
    questions = pick_questions(catalog, chosen, n, seed)
    with _store() as store:
        language = _language(lang, store)
        MockScreen(
            store, catalog, console(), Keys(), language, questions, seed, max(1, round(minutes * 60)), chosen
        ).run()


@app.command(
    help=N_(
        "A quick typed quiz of choice, numeric and cloze cards (due and new first); each answer is a review."
        "\n\nExamples: [bold]dlquiz quiz[/] · [bold]dlquiz quiz -n 5 -s loss[/]"
    )
)
@friendly
def quiz(
    section: SectionOption = None,
    n: Annotated[int, typer.Option("-n", "--cards", min=1, help=N_("How many cards."))] = 10,
    seed: Annotated[int | None, typer.Option("--seed", help=N_("Choose the same cards again."))] = None,
    lang: MaybeLang = None,
) -> None:
    from dlquiz.quiz import QuizScreen, pick_cards
    from dlquiz.render import console
    from dlquiz.screen import Keys

    catalog = _load().catalog
    chosen = _sections(catalog, section)
    seed = _seed(seed)
    with _store() as store:
        now = _now()
        cards = pick_cards(catalog, store.card_states(), chosen, n, seed, now)
        language = _language(lang, store)
        QuizScreen(store, catalog, console(), Keys(), language, cards).run()


@app.command(
    help=N_(
        "Fit FSRS parameters to your own study reviews; kept only if they predict your log better.\n\n"
        "Examples: [bold]dlquiz optimize --dry-run[/] · [bold]dlquiz optimize[/]"
    )
)
@friendly
def optimize(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=N_("Fit and report, but store nothing."))
    ] = False,
    as_json: JsonOption = False,
) -> None:
    from dlquiz import optimize as opt
    from dlquiz.render import cards, console
    from dlquiz.render.plan import optimized
    from dlquiz.session import scheduler_config

    with _store() as store:
        result = opt.optimize(opt.study_reviews(store), scheduler_config(store).parameters)
        if result.accepted and not dry_run:
            store.set_setting("fsrs_parameters", list(result.fitted))
    if as_json:
        typer.echo(cards.dumps({**result.to_dict(), "stored": result.accepted and not dry_run}))
        return
    console().print(optimized(result, stored=result.accepted and not dry_run))


@app.command(
    help=N_(
        "Set an interview date: until then, cards are brought forward so recall on the day reaches a target."
        "\n\nExamples: [bold]dlquiz plan --interview 2026-12-17[/] · [bold]dlquiz plan[/] ·\n"
        "[bold]dlquiz plan --clear[/]"
    )
)
@friendly
def plan(
    interview: Annotated[
        str | None,
        typer.Option(
            "--interview", metavar="YYYY-MM-DD", help=N_("The interview date (your local calendar day).")
        ),
    ] = None,
    target: Annotated[
        float | None,
        typer.Option(
            "--target", help=N_("Predicted recall to reach on the day, 0.70-0.99 \\[default: 0.95].")
        ),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help=N_("Remove the interview date."))] = False,
    as_json: JsonOption = False,
) -> None:
    from dlquiz import plan as pl
    from dlquiz.render import cards, console
    from dlquiz.render.plan import forecast

    if clear and (interview or target is not None):
        raise DlquizError(_("--clear takes no --interview or --target"))
    catalog = _load().catalog
    with _store() as store:
        now = _now()
        if clear:
            if not pl.clear_plan(store):
                raise DlquizError(_("there is no interview date to clear"), exit_code=1)
            if not as_json:
                typer.echo(_("interview date cleared; scheduling is plain FSRS again"))
            else:
                typer.echo(cards.dumps({"plan": None}))
            return
        if interview is None and target is not None:
            current = pl.get_plan(store)
            if current is None:
                raise DlquizError(
                    _("--target needs an interview date"), hint="dlquiz plan --interview YYYY-MM-DD"
                )
            interview = current.date
        if interview is not None:
            pl.set_plan(store, pl.parse_plan(interview, pl.DEFAULT_TARGET if target is None else target, now))
        data = pl.interview_forecast(store, catalog, now)
    if as_json:
        typer.echo(cards.dumps(data))
        return
    console().print(forecast(data))


class ExportFormat(str, Enum):
    apkg = "apkg"
    csv = "csv"
    tsv = "tsv"
    md = "md"
    json = "json"


ForceOption = Annotated[bool, typer.Option("--force", "-f", help=N_("Overwrite FILE if it exists."))]


@app.command(
    "export",
    help=N_(
        "Export the banks: an Anki package (apkg), Anki text (csv, tsv), a Markdown guide (md) or JSON banks."
        "\n\nExamples: [bold]dlquiz export apkg -o dlquiz.apkg[/] · "
        "[bold]dlquiz export md -o guide.md -s bn[/]"
    ),
)
@friendly
def export_cmd(
    fmt: Annotated[ExportFormat, typer.Argument(metavar="FORMAT", help=N_("apkg, csv, tsv, md or json."))],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help=N_("The file to write; - for standard output (not apkg to a terminal)."),
        ),
    ],
    section: SectionOption = None,
    lang: LangOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    from dlquiz.export import export
    from dlquiz.render import cards

    result = export(_load().catalog, fmt.value, output, section, _language(lang), force, _now())
    to_stdout = str(output) in ("-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")  # summary: stderr
    if as_json:
        typer.echo(cards.dumps(result.to_dict()), err=to_stdout)
        return
    from dlquiz.export import COUNT_NAMES

    counts = ", ".join(
        _(COUNT_NAMES[k]).format(n=v) if k in COUNT_NAMES else f"{v} {k}"
        for k, v in result.counts.items()
        if k != "timestamp"
    )
    typer.echo(
        _("wrote {path} ({counts}; {sections} section(s), {kb:.0f} KB, {seconds:.1f} s)").format(
            path=_("standard output") if str(output) == "-" else safe(result.path),
            counts=counts,
            sections=len(result.sections),
            kb=result.bytes / 1024,
            seconds=result.seconds,
        ),
        err=to_stdout,  # the summary never mixes into the exported text
    )


history_app = typer.Typer(
    cls=LanguageGroup,
    help=N_("Move the review history between machines: export it, or merge a file in."),
    no_args_is_help=True,
)
app.add_typer(history_app, name="history")


@history_app.command(
    "export",
    help=N_(
        "Write every review, with the scheduler settings it was graded under, to FILE (.csv or .json).\n\n"
        "Example: [bold]dlquiz history export reviews.json[/]"
    ),
)
@friendly
def history_export(
    file: Annotated[Path, typer.Argument(metavar="FILE", help=N_("A .csv or .json file to write."))],
    force: ForceOption = False,
) -> None:
    from dlquiz import history

    with _store() as store:
        count = history.export(store, file, force)
    typer.echo(_("wrote {n} review(s) to {file}").format(n=count, file=safe(file)))


@history_app.command(
    "import",
    help=N_(
        "Merge FILE's reviews into this database (none twice) and rebuild the affected cards' schedules.\n\n"
        "Example: [bold]dlquiz history import reviews.json[/]"
    ),
)
@friendly
def history_import(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help=N_("A .csv or .json file from history export."))
    ],
    as_json: JsonOption = False,
) -> None:
    from dlquiz import history
    from dlquiz.render import cards

    data = history.read(file, _now())  # every row checked before the database is even opened
    with _store() as store:
        result = history.merge(store, data)
    if as_json:
        typer.echo(cards.dumps(result.to_dict()))
        return
    typer.echo(
        _(
            "added {added} of {read} review(s) ({skipped} already here); rebuilt {rebuilt} card schedule(s)"
        ).format(added=result.added, read=result.read, skipped=result.skipped, rebuilt=result.cards_rebuilt)
    )


from dlquiz.cli_code import code_app  # noqa: E402  (its commands use the helpers above)

app.add_typer(code_app, name="code")


def main() -> None:
    if sys.stdout is None:  # started with stdout closed (">&-"): refuse before anything is changed
        sys.stderr and sys.stderr.write("error: standard output is closed; dlquiz needs it to report\n")
        sys.exit(1)
    from dlquiz.render import encoding_note, guard_encoding

    guard_encoding()
    try:
        lazy_app()()
    except KeyboardInterrupt:  # outside the study screen, Ctrl-C just ends quietly
        sys.exit(130)
    finally:
        encoding_note()


if __name__ == "__main__":
    main()
