"""The command line: each command parses options, makes one call into the core, and renders the result.

Only typer and the standard library are imported at module level, so ``dlquiz --help`` and shell
completion stay fast; NumPy, PyYAML, sqlite-utils and fsrs are imported inside the commands that use them.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from dlquiz.errors import DlquizError

app = typer.Typer(
    name="dlquiz",
    help="Deep-learning interview questions in the terminal: study with spaced repetition, "
    "read bilingual answers, and run NumPy proofs of the claims.",
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


LangOption = Annotated[
    Lang,
    typer.Option("--lang", "-l", envvar="DLQUIZ_LANG", show_envvar=True,
                 help="Language of the text: en, zh or both."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


class Options:
    """Global options, set by the callback and read by the commands."""

    banks: list[str] = []
    db: str | None = None


def friendly(fn: F) -> F:
    """Turn a DlquizError into a message on stderr and its exit code: no traceback for user mistakes."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DlquizError as error:
            _report(error)
            raise typer.Exit(error.exit_code) from None

    return wrapper  # type: ignore[return-value]


def _report(error: DlquizError) -> None:
    from dlquiz.render import console

    err = console(stderr=True)
    err.print(f"[bold red]error:[/] {error.message}", markup=True, highlight=False)
    if error.hint:
        err.print(f"[dim]hint:[/] {error.hint}", markup=True, highlight=False)


def complete_card_id(incomplete: str) -> list[str]:
    """Shell completion for card ids, from the bank cache only (no YAML, no validation)."""
    from dlquiz.catalog import card_ids

    return [i for i in card_ids() if i.startswith(incomplete)]


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    bank: Annotated[list[str] | None, typer.Option(
        "--bank", "-b", metavar="PATH",
        help="An extra bank file or folder of *.yaml banks (repeatable) \\[env: DLQUIZ_BANKS].")] = None,
    db: Annotated[str | None, typer.Option(
        "--db", metavar="FILE", help="The database file \\[env: DLQUIZ_DB; default: DLQUIZ_HOME/dlquiz.db].")] = None,
) -> None:
    Options.banks = list(bank or [])
    Options.db = db
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())


def _load(strict: bool = False) -> Any:
    """The catalog; problems in skipped files are summarized on stderr (``dlquiz check`` has details)."""
    from dlquiz import catalog, paths

    result = catalog.load(paths.user_banks(Options.banks))
    blocking = [p for p in result.errors if p.blocking]
    if blocking and not strict:
        from dlquiz.render import console

        bad = sorted({p.file for p in blocking})
        console(stderr=True).print(
            f"[yellow]warning:[/] skipped {len(bad)} bank file(s) with errors: {', '.join(bad)} "
            "(run [bold]dlquiz check[/] for details)", markup=True, highlight=False)
    return result


@app.command("list")
@friendly
def list_cards(
    section: Annotated[list[str] | None, typer.Option("--section", "-s", help="Only this section (repeatable).")] = None,
    questions_only: Annotated[bool, typer.Option("--questions", "-q", help="Questions only, no drill cards.")] = False,
    lang: LangOption = Lang.en,
    as_json: JsonOption = False,
) -> None:
    """The questions and drill cards, grouped by section."""
    from dlquiz.model import Catalog
    from dlquiz.render import cards, console

    result = _load()
    catalog = result.catalog
    if section:
        known = [s.id for s in catalog.sections]
        for s in section:
            if s not in known:
                from dlquiz.errors import unknown

                raise unknown("section", s, known)
        catalog = Catalog(tuple(s for s in catalog.sections if s.id in section),
                          tuple(q for q in catalog.questions if q.section in section))
    if as_json:
        rows = cards.list_json(catalog)
        if questions_only:
            rows = [r for r in rows if r["kind"] == "question"]
        typer.echo(cards.dumps(rows))
        return
    cards.render_list(console(), catalog, lang.value, drills=not questions_only)


@app.command()
@friendly
def show(
    card_id: Annotated[str, typer.Argument(metavar="ID", help="A question or drill card id.",
                                           autocompletion=complete_card_id)],
    lang: LangOption = Lang.en,
    as_json: JsonOption = False,
) -> None:
    """A question with its answer, key points, formulas, pitfalls and references; or one drill card."""
    from dlquiz.errors import unknown
    from dlquiz.model import Question
    from dlquiz.render import cards, console

    catalog = _load().catalog
    card = catalog.get(card_id)
    if card is None:
        raise unknown("card id", card_id, catalog.index)
    if as_json:
        typer.echo(cards.dumps(cards.card_json(catalog, card)))
        return
    out = console()
    if isinstance(card, Question):
        cards.render_question(out, catalog, card, lang.value, _demo_titles(card.demos, lang.value))
    else:
        cards.render_drill(out, catalog, card, lang.value)


def _demo_titles(demo_ids: tuple[str, ...], lang: str) -> dict[str, str]:
    # Titles come from the registry, which imports NumPy: only worth it when the question has demos.
    if not demo_ids:
        return {}
    from dlquiz.demos import all_demos

    demos = all_demos()
    code = "zh" if lang == "zh" else "en"
    return {d: demos[d].title[code] for d in demo_ids if d in demos}


@app.command()
@friendly
def check(
    files: Annotated[list[Path] | None, typer.Argument(
        metavar="[BANK]...", help="Bank files or folders to check with the shipped banks (default: all loaded).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Validate the question banks; every problem is reported with file, line and field. Exit 2 on errors."""
    from dlquiz import bank, paths
    from dlquiz.demos import all_demos
    from dlquiz.render import cards, console

    user = list(files) if files else paths.user_banks(Options.banks)
    result = bank.load([paths.shipped_content()], user, known_demos=lambda: set(all_demos()))
    catalog = result.catalog
    n_drills = sum(len(q.drills) for q in catalog.questions)
    if as_json:
        typer.echo(cards.dumps({"files": result.files, "questions": len(catalog.questions), "drills": n_drills,
                                "problems": [p.to_dict() for p in result.problems]}))
    else:
        cards.render_problems(console(), result.problems, result.files, len(catalog.questions), n_drills)
    if result.errors:
        raise typer.Exit(2)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # outside the study screen, Ctrl-C just ends quietly
        sys.exit(130)


if __name__ == "__main__":
    main()
