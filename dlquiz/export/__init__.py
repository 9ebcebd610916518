"""Exporters: the catalog (or part of it) as an Anki package, Anki text, a Markdown guide or a JSON bank.

One module per format; each has ``write(catalog, path, lang, now) -> dict`` of what it wrote. This module
holds what they share: choosing sections, checking the output path, and the ``export`` entry point.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dlquiz.errors import DlquizError, unknown
from dlquiz.i18n import N_, _
from dlquiz.model import Catalog

FORMATS = ("apkg", "csv", "tsv", "md", "json")
# What the exporters count, as shown after "wrote FILE (...)"; the keys stay English in --json.
COUNT_NAMES = {
    "questions": N_("{n} questions"),
    "drills": N_("{n} drills"),
    "notes": N_("{n} notes"),
    "cards": N_("{n} cards"),
    "decks": N_("{n} decks"),
    "failed demos": N_("{n} failed demos"),
}


@dataclass(frozen=True)
class ExportResult:
    format: str
    path: Path
    sections: tuple[str, ...]
    bytes: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "path": str(self.path),
            "sections": list(self.sections),
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            **self.counts,
        }


def select(catalog: Catalog, sections: list[str] | None) -> Catalog:
    """The catalog restricted to ``sections`` (all when empty); an unknown one suggests the closest."""
    if not sections:
        return catalog
    known = [s.id for s in catalog.sections]
    for s in sections:
        if s not in known:
            raise unknown("section", s, known)
    return Catalog(
        tuple(s for s in catalog.sections if s.id in sections),
        tuple(q for q in catalog.questions if q.section in sections),
    )


def check_target(path: Path, force: bool) -> None:
    """Refuse to overwrite without ``force``; report a missing or unwritable folder before any work."""
    if path.is_dir():
        raise DlquizError(
            _("{path} is a folder; give a file name").format(path=path),
            hint=_("for example {example}").format(example=path / "dlquiz.apkg"),
        )
    if path.exists() and not force:
        raise DlquizError(_("{path} already exists").format(path=path), hint=_("add --force to overwrite it"))
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise DlquizError(
            _("the folder {folder} does not exist").format(folder=parent),
            hint=_("create it first: mkdir -p '{folder}'").format(folder=parent),
        )
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise DlquizError(_("cannot write to {path}: permission denied").format(path=path))


def write_atomic(path: Path, write: Any) -> None:
    """Write through a temporary file beside ``path``, so a failure never leaves half a file behind."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as error:
        raise DlquizError(
            _("cannot write {path}: {reason}").format(path=path, reason=error.strerror or error), exit_code=1
        ) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def export(
    catalog: Catalog,
    fmt: str,
    path: Path,
    sections: list[str] | None = None,
    lang: str = "en",
    force: bool = False,
    now: datetime | None = None,
) -> ExportResult:
    """Write ``catalog`` (restricted to ``sections``) to ``path`` in format ``fmt``."""
    if fmt not in FORMATS:
        raise unknown("format", fmt, FORMATS)
    chosen = select(catalog, sections)
    check_target(path, force)
    started = time.perf_counter()
    if fmt == "apkg":
        from dlquiz.export import apkg as module
    elif fmt in ("csv", "tsv"):
        from dlquiz.export import text as module  # type: ignore[no-redef]
    elif fmt == "md":
        from dlquiz.export import markdown as module  # type: ignore[no-redef]
    else:
        from dlquiz.export import jsonbank as module  # type: ignore[no-redef]
    counts = module.write(chosen, path, lang=lang, fmt=fmt, now=now)
    return ExportResult(
        fmt,
        path,
        tuple(s.id for s in chosen.sections),
        path.stat().st_size,
        time.perf_counter() - started,
        counts,
    )
