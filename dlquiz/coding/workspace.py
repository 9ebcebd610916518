"""The user's side of a code drill: the file ``start`` writes, finding the drill from a file, running
the judge in a subprocess, and the record of attempts that suggests a grade."""

from __future__ import annotations

import difflib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dlquiz.errors import DlquizError
from dlquiz.i18n import _

HEADER = "# dlquiz code drill: {id}"
HEADER_RE = re.compile(r"^# dlquiz code drill: ([a-z0-9-]+)\s*$", re.MULTILINE)
TIMEOUT_S = 10.0
MEMORY_MB = 1024


def drill_ids() -> list[str]:
    from dlquiz.coding.registry import all_drills

    return list(all_drills())


def resolve(drill_or_card: str, catalog: Any) -> tuple[Any, Any]:
    """(CodeDrill, bank Drill card) for a code drill id or its card id (``bn-backward.code``)."""
    from dlquiz.coding.registry import all_drills
    from dlquiz.errors import unknown

    drills = all_drills()
    key = drill_or_card.strip().lower()
    card = catalog.get(key)
    if card is not None and getattr(card, "judge", None):
        return drills[card.judge], card
    if key in drills:
        return drills[key], card_for(drills[key].id, catalog)
    raise unknown("code drill", drill_or_card, {d: None for d in drills})


def card_for(drill_id: str, catalog: Any) -> Any:
    """The bank's ``code`` drill card that is judged by this code drill (its texts and schedule)."""
    for question in catalog.questions:
        for d in question.drills:
            if getattr(d, "judge", None) == drill_id:
                return d
    return None


def file_text(drill: Any, card: Any) -> str:
    """The starter file: the drill header, the task in English and Chinese, then the code template.

    Both languages, whatever the interface language: the file is read in an editor, next to the code.
    """
    lines = [HEADER.format(id=drill.id), f"# check it:  dlquiz code check {drill.file_name}"]
    if card is not None:
        # Chinese has no spaces to break at: wrap it by characters, each about two columns wide.
        for code, width in (("en", 96), ("zh", 46)):
            lines.append("#")
            text = card.prompt.get(code).replace("`", "")
            lines.extend(f"# {line}" for line in textwrap.wrap(text, width, break_on_hyphens=False))
    return "\n".join(lines) + "\n" + drill.template


def start(drill: Any, card: Any, folder: Path, force: bool = False) -> Path:
    path = folder / drill.file_name
    if path.exists() and not force:
        raise DlquizError(
            _("{path} already exists").format(path=path),
            hint=_("check it with: dlquiz code check {path}  (or --force to start over)").format(path=path),
        )
    try:
        path.write_text(file_text(drill, card), encoding="utf-8")
    except OSError as error:
        raise DlquizError(
            _("cannot write {path}: {reason}").format(path=path, reason=error.strerror)
        ) from None
    return path


MAX_FILE_BYTES = 1_000_000  # a solution is a few hundred lines; anything larger is not one


def identify(path: Path) -> str:
    """The drill a file is for: its header line, else its file name (bn_backward.py -> bn-backward)."""
    ids = drill_ids()
    head = read_head(path)
    found = HEADER_RE.search(head)
    if found and found.group(1) in ids:
        return found.group(1)
    stem = path.stem.replace("_", "-").lower()
    if stem in ids:
        return stem
    close = difflib.get_close_matches(stem, ids, n=3, cutoff=0.5)
    hint = _("did you mean: {ids}? ").format(ids=", ".join(close)) if close else ""
    raise DlquizError(
        _("{name} matches no code drill").format(name=path.name),
        hint=hint + _("name the drill with --drill ID, or start from a template: dlquiz code start ID"),
    )


def read_head(path: Path) -> str:
    """The start of the user's file, refusing what is not a regular file of sane size (a FIFO or
    /dev/zero would block or never end)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DlquizError(
            _("no such file: {path}").format(path=path), hint=_("start a drill with: dlquiz code start ID")
        ) from None
    except OSError as error:
        raise DlquizError(
            _("cannot read {path}: {reason}").format(path=path, reason=error.strerror)
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise DlquizError(_("{path} is not a regular file").format(path=path))
    if info.st_size > MAX_FILE_BYTES:
        raise DlquizError(
            _("{path} is {size} bytes; a solution file is at most {limit}").format(
                path=path, size=info.st_size, limit=MAX_FILE_BYTES
            )
        )
    try:
        with path.open("rb") as handle:
            return handle.read(4096).decode("utf-8", errors="replace")
    except OSError as error:
        raise DlquizError(
            _("cannot read {path}: {reason}").format(path=path, reason=error.strerror)
        ) from None


def judge_file(
    drill_id: str, path: Path, timeout: float = TIMEOUT_S, memory_mb: int = MEMORY_MB
) -> dict[str, Any]:
    """Run the judge on the user's file in a subprocess with a time and a memory limit."""
    env = dict(os.environ)
    # One BLAS thread: tiny matrices, and threads would only reserve memory against the limit.
    env.update(
        OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1"
    )
    with tempfile.TemporaryDirectory(prefix="dlquiz-judge-") as tmp:
        result_path = Path(tmp) / "verdict.json"
        cmd = [sys.executable, "-m", "dlquiz.coding.runner", drill_id, str(path.resolve()), str(result_path),
               str(memory_mb)]  # fmt: skip
        process = subprocess.Popen(
            cmd, cwd=str(path.resolve().parent), env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            return _failure(drill_id, f"timed out after {timeout:g} s (an infinite loop, or far too slow)")
        if result_path.exists():
            return json.loads(result_path.read_text(encoding="utf-8"))
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        if process.returncode and process.returncode < 0:
            return _failure(drill_id, f"the judge was stopped by signal {-process.returncode}")
        return _failure(drill_id, "the judge could not run your file: " + " / ".join(tail))


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.communicate()


def _failure(drill_id: str, message: str) -> dict[str, Any]:
    return {"drill": drill_id, "passed": False, "checks": [], "mistake": None, "error": message, "output": ""}


# --- attempts: what the user did since the drill's last recorded review ---------------------------------


def _attempts_path() -> Path:
    from dlquiz import paths

    return paths.home() / "code-attempts.json"


def attempts() -> dict[str, Any]:
    try:
        data = json.loads(_attempts_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def note_attempt(
    drill_id: str, result: dict[str, Any] | None = None, solution_seen: bool = False
) -> dict[str, Any]:
    data = attempts()
    entry = data.setdefault(drill_id, {"failures": 0, "solution_seen": False})
    if result is not None:
        entry["last"] = {
            "passed": bool(result.get("passed")),
            "mistake": (result.get("mistake") or {}).get("id"),
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        if not result.get("passed"):
            entry["failures"] = int(entry.get("failures", 0)) + 1
    if solution_seen:
        entry["solution_seen"] = True
    _save(data)
    return entry


def reveal_hint(drill_id: str) -> int:
    """One more hint shown: returns how many are shown now."""
    data = attempts()
    entry = data.setdefault(drill_id, {"failures": 0, "solution_seen": False})
    entry["hints"] = int(entry.get("hints", 0)) + 1
    _save(data)
    return entry["hints"]


def reset_attempts(drill_id: str) -> None:
    """After a recorded review: the next attempt starts fresh (failures, hints, solution)."""
    data = attempts()
    if drill_id in data:
        data[drill_id].update(failures=0, solution_seen=False, hints=0)
        _save(data)


def suggested_rating(entry: dict[str, Any], passed: bool) -> str:
    """Again if it fails or the solution was looked at; Good on the first try; Hard after failures."""
    if not passed or entry.get("solution_seen"):
        return "again"
    return "good" if int(entry.get("failures", 0)) == 0 else "hard"


def _save(data: dict[str, Any]) -> None:
    path = _attempts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
