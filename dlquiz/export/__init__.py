"""Exporters: the catalog (or part of it) as an Anki package, Anki text, a Markdown guide or a JSON bank.

One module per format; each has ``write(catalog, path, lang, now) -> dict`` of what it wrote. This module
holds what they share: choosing sections, checking the output path, and the ``export`` entry point.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
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


STDOUT = "-"  # ``-o -``: text formats go to standard output
_written: dict[str, int] = {}  # the size of the last output, read from its temporary file (a stream has none)


def check_target(path: Path, force: bool) -> None:
    """Refuse to overwrite without ``force``; report a missing or unwritable folder before any work.

    A device or FIFO (``/dev/stdout``, a named pipe) is a stream, not a file that could be lost: it is
    written in place without ``--force``. A symbolic link to a file is written through only with
    ``--force``, since the file it points at may be anything."""
    if str(path) == STDOUT:
        return
    _check_name(path)
    try:
        link = path.is_symlink()
        info = path.stat() if path.exists() else None
    except OSError as error:
        raise DlquizError(
            _("cannot write {path}: {reason}").format(path=path, reason=error.strerror or error)
        ) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise DlquizError(
            _("{path} is a folder; give a file name").format(path=path),
            hint=_("for example {example}").format(example=path / "dlquiz.apkg"),
        )
    stream = _is_stream(path, info)
    if link and not stream and not force:
        raise DlquizError(
            _("{path} is a symbolic link to {target}").format(path=path, target=os.path.realpath(path)),
            hint=_("add --force to write the file it points at"),
        )
    if info is not None and not stream and not force:
        raise DlquizError(_("{path} already exists").format(path=path), hint=_("add --force to overwrite it"))
    if stream:
        return
    parent = Path(os.path.realpath(path)).parent if link else (path.parent if str(path.parent) else Path("."))
    if not parent.is_dir():
        raise DlquizError(
            _("the folder {folder} does not exist").format(folder=parent),
            hint=_("create it first: mkdir -p '{folder}'").format(folder=parent),
        )
    if not os.access(parent, os.W_OK) or (info is not None and not os.access(path, os.W_OK)):
        raise DlquizError(_("cannot write to {path}: permission denied").format(path=path))


def _is_stream(path: Path, info: os.stat_result | None) -> bool:
    """A device, FIFO or socket, or a name under /dev or /proc (``/dev/stdout`` may point at a regular file
    the shell opened: replacing that file would lose the output, so it is written in place as well)."""
    if info is not None and not stat.S_ISREG(info.st_mode):
        return True
    return info is not None and str(Path(os.path.abspath(path))).startswith(("/dev/", "/proc/"))


def _check_name(path: Path) -> None:
    try:
        limit = os.pathconf(path.parent if str(path.parent) else ".", "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    size = len(os.fsencode(path.name))
    if size > limit:
        raise DlquizError(
            _("the file name is too long ({size} bytes; this file system allows {limit})").format(
                size=size, limit=limit
            ),
            hint=_("choose a shorter name"),
        )


def _tmp_name(path: Path) -> Path:
    """``.NAME.PID.tmp`` beside ``path``; a short fixed name when that would be too long for the folder."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if len(os.fsencode(tmp.name)) > 255:
        tmp = path.with_name(f".dlquiz-export.{os.getpid()}.tmp")
    return tmp


def clean_stale(folder: Path, name: str) -> int:
    """Remove ``.NAME.PID.tmp`` files a killed export left in ``folder`` (their process is gone)."""
    removed = 0
    for prefix in (f".{name}.", ".dlquiz-export."):
        try:
            candidates = list(folder.glob(glob_escape(prefix) + "*.tmp"))
        except OSError:
            return removed
        for tmp in candidates:
            pid = tmp.name[len(prefix) : -len(".tmp")]
            if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
                continue
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed += 1
    return removed


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def write_atomic(path: Path, write: Any) -> None:
    """Write through a temporary file beside ``path``, so a failure never leaves half a file behind.

    A device or FIFO is written in place (a rename would replace ``/dev/stdout`` itself, and a FIFO's
    reader would never see the data); a symbolic link (allowed by ``check_target``) is written through;
    ``-`` goes to standard output."""
    if str(path) == STDOUT:
        _write_stream(path, write, None)
        return
    try:
        if path.exists() and _is_stream(path, path.stat()):
            _write_stream(path, write, path)  # opened by its own name: /dev/stdout resolves to "pipe:[…]"
            return
    except OSError as error:
        raise DlquizError(
            _("cannot write {path}: {reason}").format(path=path, reason=error.strerror or error),
            exit_code=1,
        ) from None
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    clean_stale(target.parent if str(target.parent) else Path("."), target.name)
    tmp = _tmp_name(target)
    try:
        write(tmp)
        _written["bytes"] = tmp.stat().st_size
        os.replace(tmp, target)
    except OSError as error:
        raise DlquizError(
            _("cannot write {path}: {reason}").format(path=path, reason=error.strerror or error), exit_code=1
        ) from None
    finally:
        with contextlib.suppress(OSError):
            if tmp.exists():
                tmp.unlink()


def _write_stream(path: Path, write: Any, target: Path | None) -> None:
    """Build the output in a private temporary folder, then copy it to a stream: stdout or a device."""
    with tempfile.TemporaryDirectory(prefix="dlquiz-export-") as folder:
        tmp = Path(folder) / "out"
        try:
            write(tmp)
            _written["bytes"] = tmp.stat().st_size
        except OSError as error:
            raise DlquizError(
                _("cannot write {path}: {reason}").format(path=path, reason=error.strerror or error),
                exit_code=1,
            ) from None
        with tmp.open("rb") as source:
            if target is None:
                sys.stdout.flush()
                shutil.copyfileobj(source, sys.stdout.buffer)  # an error here is the output stream's
                sys.stdout.buffer.flush()
                return
            try:
                with target.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
            except OSError as error:
                raise DlquizError(
                    _("cannot write {path}: {reason}").format(path=path, reason=error.strerror or error),
                    exit_code=1,
                ) from None


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
    if str(path) == STDOUT and fmt == "apkg" and sys.stdout.isatty():
        raise DlquizError(
            _("an Anki package is binary: it is not written to a terminal"),
            hint=_("give a file name with -o, or redirect: dlquiz export apkg -o - > deck.apkg"),
        )
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
    _written.clear()
    counts = module.write(chosen, path, lang=lang, fmt=fmt, now=now)
    return ExportResult(
        fmt,
        path,
        tuple(s.id for s in chosen.sections),
        _written.get("bytes", 0),
        time.perf_counter() - started,
        counts,
    )
