"""The loaded banks, served from a compiled JSON cache so read commands skip YAML and LaTeX parsing.

The cache is keyed by the path, size and modification time of every bank file (and dlquiz's version), so
editing, adding or removing a bank rebuilds it on the next run. It holds validated data only (plain
JSON, never code), the problems found, the Unicode rendering of every formula, and the parsed Markdown of
every field that has any (``dlquiz.markup``), so showing a card imports neither a LaTeX nor a Markdown
parser.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dlquiz import __version__, markup, mathtext, paths
from dlquiz.errors import DlquizError
from dlquiz.i18n import _
from dlquiz.model import Catalog, Question, Section, Text, build_question

CACHE_FORMAT = 2  # 2: parsed Markdown


def _fingerprint(files: Sequence[Path]) -> str:
    parts = [__version__, str(CACHE_FORMAT)]
    # The code that builds the cache is part of its key, so an upgrade (or a developer's edit) rebuilds it.
    builders = [
        paths.PACKAGE_DIR / name
        for name in (
            "bank.schema.json",
            "bank.py",
            "model.py",
            "catalog.py",
            "mathtext.py",
            "markup.py",
            "sanitize.py",
            "coding/registry.py",
        )
    ]
    for path in [*builders, *files]:
        try:
            st = path.stat()
            parts.append(f"{path.resolve()}:{st.st_size}:{st.st_mtime_ns}")
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop
            parts.append(f"{path}:missing")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _list_files(sources: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in sources:
        if path.is_dir():
            with os.scandir(path) as entries:
                files.extend(sorted(Path(e.path) for e in entries if e.name.endswith((".yaml", ".yml"))))
        else:
            files.append(path)
    return files


def load(user_banks: Sequence[Path] = (), use_cache: bool = True) -> Any:
    """The catalog and its problems (a ``problems.LoadResult``), from the cache when it is current."""
    shipped = [paths.shipped_content()]
    key = _fingerprint(_list_files(shipped) + _list_files(user_banks))
    cache_file = paths.cache_dir() / "banks.json"

    def from_banks() -> Any:
        from dlquiz import bank  # imports PyYAML and jsonschema: only when the cache is stale

        result = bank.load(shipped, user_banks)
        if use_cache:
            _write_cache(cache_file, key, result)
        return result

    if use_cache:
        cached = _read_cache(cache_file, key, from_banks)
        if cached is not None:
            return cached
    return from_banks()


class CachedQuestions(Sequence):
    """The questions of the bank cache: each is read from its own file and built when first used.

    ``places`` (card id -> question, drill) comes from the cache's index, so ``Catalog.get`` finds a
    card without building the others. A question file that cannot be read (removed, damaged) makes
    the banks load from YAML again, once.
    """

    def __init__(self, folder: Path, entries: list[dict[str, Any]], from_banks: Any) -> None:
        self._folder, self._entries, self._from_banks = folder, entries, from_banks
        self._built: list[Question | None] = [None] * len(entries)
        self._fallback: Any = None
        self.places: dict[str, tuple[int, int]] = {}
        for n, entry in enumerate(entries):
            self.places[entry["id"]] = (n, -1)
            for k, drill_id in enumerate(entry["drills"]):
                self.places[drill_id] = (n, k)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        n = range(len(self))[i]  # IndexError as a tuple raises it, which also ends iteration
        question = self._built[n]
        if question is None:
            question = self._built[n] = self._read(n)
        return question

    def _read(self, n: int) -> Question:
        entry = self._entries[n]
        try:
            data = json.loads((self._folder / f"q{n}.json").read_text(encoding="utf-8"))
            question = build_question(data, entry["file"])
            if question.id == entry["id"]:
                return question
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
        if self._fallback is None:
            self._fallback = self._from_banks().catalog
        question = self._fallback.get(entry["id"])
        if not isinstance(question, Question):
            raise DlquizError(
                _("the banks changed while dlquiz was reading them"), hint=_("run the command again")
            )
        return question


def _read_cache(cache_file: Path, key: str, from_banks: Any) -> Any:
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    folder = data.get("folder")
    if not (isinstance(folder, str) and folder.startswith("banks-") and os.sep not in folder):
        return None
    folder_path = cache_file.parent / folder
    if not folder_path.is_dir():
        return None
    from dlquiz.problems import LoadResult, Problem

    mathtext.prime(data["math"])
    markup.use_cache(folder_path)
    catalog = Catalog(
        sections=tuple(Section(s["id"], Text.of(s["title"]), s["order"]) for s in data["sections"]),
        questions=CachedQuestions(folder_path, data["questions"], from_banks),
    )
    problems = [Problem(**p) for p in data["problems"]]
    return LoadResult(catalog, problems, data["files"])


def _write_cache(cache_file: Path, key: str, result: Any) -> None:
    catalog: Catalog = result.catalog
    formulas = {f.latex for q in catalog.questions for f in q.formulas}
    texts = {text for q in catalog.questions for text in _strings(q.raw)}
    for text in texts:
        formulas.update(mathtext.math_segments(text))
    folder = f"banks-{key[:16]}"
    data = {
        "key": key,
        "sections": [{"id": s.id, "title": s.title.to_dict(), "order": s.order} for s in catalog.sections],
        # The index: each question's data is in folder/q<n>.json, read when the question is first used.
        "questions": [
            {"id": q.id, "file": q.file, "drills": [d.id for d in q.drills], "demos": list(q.demos)}
            for q in catalog.questions
        ],
        "problems": [p.to_dict() for p in result.problems],
        "files": result.files,
        "math": {latex: mathtext.latex_to_text(latex) for latex in sorted(formulas)},
        "folder": folder,
    }
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        target = cache_file.parent / folder
        tmp = target.with_name(f"{folder}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for n, q in enumerate(catalog.questions):
            (tmp / f"q{n}.json").write_text(json.dumps(q.raw, ensure_ascii=False), encoding="utf-8")
        markup.write_cache(tmp, {markup.source(text) for text in texts})
        shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)  # a reader sees the old folder, none, or the new one: never half of one
        for old in [*cache_file.parent.glob("banks-*"), *cache_file.parent.glob("markup-*")]:
            if old != target and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        tmp_index = cache_file.with_suffix(f".{os.getpid()}.tmp")
        tmp_index.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp_index, cache_file)  # atomic: a reader never sees half an index
    except OSError:
        pass  # a read-only home only costs speed


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def demo_titles() -> dict[str, dict[str, str]]:
    """Every registered demo's title ({id: {en, zh}}), cached: the registry imports NumPy (~0.3 s)."""
    demos_dir = paths.PACKAGE_DIR / "demos"
    key = _fingerprint(sorted(demos_dir.glob("*.py")))
    cache_file = paths.cache_dir() / "demos.json"
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("key") == key:
            return data["titles"]
    except (OSError, ValueError):
        pass
    from dlquiz.demos import all_demos

    titles = {demo_id: dict(d.title) for demo_id, d in all_demos().items()}
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": key, "titles": titles}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cache_file)
    except OSError:
        pass
    return titles


def _cached_index() -> list[dict[str, Any]]:
    """The cache's index of questions (id, drills, demos), for shell completion: no YAML, no validation,
    stale is fine; an unreadable cache, or one of another format, gives nothing."""
    try:
        data = json.loads((paths.cache_dir() / "banks.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    entries = data.get("questions", []) if isinstance(data, dict) else []
    return [q for q in entries if isinstance(q, dict) and isinstance(q.get("id"), str)]


def card_ids() -> list[str]:
    """Every card id in the cache."""
    ids = []
    for q in _cached_index():
        ids.append(q["id"])
        ids.extend(q.get("drills", []))
    return ids


def demo_ids() -> list[str]:
    """The demo ids named by the cached banks."""
    return sorted({d for q in _cached_index() for d in q.get("demos", [])})
