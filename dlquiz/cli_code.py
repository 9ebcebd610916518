"""``dlquiz code``: write BN backward, an optimizer step or a loss yourself, and have a local judge say
exactly what is wrong. Thin commands over ``dlquiz.coding``."""

from pathlib import Path
from typing import Annotated, Any

import typer

from dlquiz.cli import JsonOption, Lang, LanguageGroup, MaybeLang, _language, _load, _now, _store, friendly
from dlquiz.errors import DlquizError
from dlquiz.i18n import N_, _

code_app = typer.Typer(
    cls=LanguageGroup,
    help=N_(
        "Code drills: implement BN backward, Adam, softmax cross-entropy ... and get told exactly what is "
        "wrong. Example: dlquiz code start bn-backward, then dlquiz code check bn_backward.py"
    ),
    no_args_is_help=True,
)

DrillArg = Annotated[str, typer.Argument(metavar="ID", help=N_("A code drill id (dlquiz code list)."))]


def _lang(lang: Lang | None) -> str:
    return _language(lang)


def _resolve(drill_id: str) -> tuple[Any, Any]:
    from dlquiz.coding import workspace

    return workspace.resolve(drill_id, _load().catalog)


@code_app.command(
    "list",
    help=N_("Every code drill: its question, difficulty, the functions to write and your last result."),
)
@friendly
def code_list(lang: MaybeLang = None, as_json: JsonOption = False) -> None:
    from dlquiz.coding import workspace
    from dlquiz.coding.registry import all_drills
    from dlquiz.render import cards, console
    from dlquiz.render.code import drill_list

    tried = workspace.attempts()
    rows = [
        {
            "id": d.id,
            "question": d.question,
            "difficulty": d.difficulty,
            "functions": list(d.functions),
            "mistakes": len(d.mistakes),
            "last": tried.get(d.id, {}).get("last"),
        }
        for d in all_drills().values()
    ]
    if as_json:
        typer.echo(cards.dumps(rows))
        return
    _lang(lang)
    console().print(drill_list(rows))


@code_app.command(
    "show", help=N_("The task: what to write, the signatures, and the commands to start and check it.")
)
@friendly
def code_show(drill_id: DrillArg, lang: MaybeLang = None) -> None:
    from dlquiz.coding import workspace
    from dlquiz.render import console
    from dlquiz.render.code import task

    drill, card = _resolve(drill_id)
    shown = int(workspace.attempts().get(drill.id, {}).get("hints", 0))
    console().print(task(drill, card, _lang(lang), shown))


@code_app.command(
    "hint", help=N_("Reveal the next hint (each call shows one more; the last is nearly the answer).")
)
@friendly
def code_hint(drill_id: DrillArg, lang: MaybeLang = None) -> None:
    from dlquiz.coding import workspace
    from dlquiz.render import console
    from dlquiz.render.code import task

    drill, card = _resolve(drill_id)
    if card is None or not card.hints:
        raise DlquizError(_("{id} has no hints").format(id=drill.id))
    shown = min(workspace.reveal_hint(drill.id), len(card.hints))
    console().print(task(drill, card, _lang(lang), shown))
    if shown >= len(card.hints):
        typer.echo(_("that was the last hint"))


@code_app.command(
    "start",
    help=N_("Write ./ID.py: the task (en and zh) as a comment, the signatures with docstrings, and TODOs."),
)
@friendly
def code_start(
    drill_id: DrillArg,
    folder: Annotated[Path, typer.Option("--dir", metavar="DIR", help=N_("Where to write the file."))] = Path(
        "."
    ),
    force: Annotated[bool, typer.Option("--force", help=N_("Overwrite an existing file."))] = False,
) -> None:
    from dlquiz.coding import workspace

    drill, card = _resolve(drill_id)
    path = workspace.start(drill, card, folder, force)
    typer.echo(_("wrote {path}").format(path=path))
    typer.echo(_("edit it, then run: dlquiz code check {path}").format(path=path))


@code_app.command(
    "check",
    help=N_(
        "Run the judge on FILE: shapes, random cases against the reference, gradient checks, invariants,\n"
        "and the name of the mistake your output matches. Exit 1 when a check fails."
    ),
)
@friendly
def code_check(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help=N_("Your solution, as written by code start."))
    ],
    drill_id: Annotated[
        str | None, typer.Option("--drill", metavar="ID", help=N_("The drill, if the file does not say."))
    ] = None,
    record: Annotated[
        bool,
        typer.Option(
            "--record", help=N_("Also record a review (first-try pass: Good; later: Hard; fail: Again).")
        ),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option("--timeout", metavar="SECONDS", min=0.5, max=300, help=N_("Time limit for your code.")),
    ] = 10.0,
    lang: MaybeLang = None,
    as_json: JsonOption = False,
) -> None:
    from dlquiz.coding import workspace
    from dlquiz.render import cards, console
    from dlquiz.render.code import verdict

    workspace.read_head(file)  # a missing file, a FIFO or a huge file is refused before anything runs
    drill, card = _resolve(drill_id or workspace.identify(file))
    result = workspace.judge_file(drill.id, file, timeout=timeout)
    entry = workspace.note_attempt(drill.id, result)
    if record:
        result["recorded"] = _record(drill, card, entry, bool(result.get("passed")))
    if as_json:
        typer.echo(cards.dumps(result))
    else:
        out = console()
        out.print(verdict(result, _lang(lang), str(file)))
        if record:
            rec = result["recorded"]
            said = _("recorded {rating} for {card}; next due {when} (in {interval})")
            out.print(
                said.format(
                    rating=_(rec["rating"]), card=rec["id"], when=rec["due_local"], interval=rec["in"]
                )
            )
    if not result.get("passed"):
        raise typer.Exit(1)


def _record(drill: Any, card: Any, entry: dict[str, Any], passed: bool) -> dict[str, Any]:
    from dlquiz.coding import workspace
    from dlquiz.schedule import RATINGS, format_interval, parse_time
    from dlquiz.session import StudySession

    if card is None:
        raise DlquizError(_("no card in the banks is judged by {id}: nothing to record").format(id=drill.id))
    rating = workspace.suggested_rating(entry, passed)
    with _store() as store:
        now = _now()
        graded = StudySession(store, _load().catalog, now).grade(card, RATINGS[rating], now)
    workspace.reset_attempts(drill.id)
    due = parse_time(graded.state.due)
    return {
        "id": card.id,
        "rating": rating,
        "due": graded.state.due,
        "due_local": due.astimezone().strftime("%Y-%m-%d %H:%M"),
        "in": format_interval(due - now),
    }


@code_app.command(
    "solution",
    help=N_("Print the reference solution. Looking counts as Again when you next record this drill."),
)
@friendly
def code_solution(drill_id: DrillArg, lang: MaybeLang = None) -> None:
    from dlquiz.coding import workspace
    from dlquiz.render import console
    from dlquiz.render.code import solution

    drill, _ = _resolve(drill_id)
    workspace.note_attempt(drill.id, solution_seen=True)
    _lang(lang)
    console().print(solution(drill))
