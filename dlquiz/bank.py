"""YAML question banks: safe loading, validation with file:line:field errors, and the catalog.

Validation runs in two passes. The JSON Schema (``bank.schema.json``, also usable by editors) checks the
shape of each file; then cross-file rules run over everything loaded: unique ids, known sections,
follow-up and demo references, cloze numbering. Every problem is collected, none stops the others. A file
with an error is skipped as a whole, so a broken user bank never takes the shipped banks down with it.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlquiz.coding.registry import IDS as CODE_DRILL_IDS  # a plain tuple: no NumPy
from dlquiz.errors import closest
from dlquiz.model import CLOZE_RE, LANGS, Catalog, Section, Text, build_question
from dlquiz.problems import LoadResult, Problem  # noqa: F401  (bank.Problem, bank.LoadResult: public names)

if TYPE_CHECKING:
    import yaml

SCHEMA_PATH = Path(__file__).with_name("bank.schema.json")

# Limits on one bank file (documented in the README, "Limits"). A bank comes from strangers; each limit
# turns what would be minutes of CPU, gigabytes of memory or a RecursionError into a file:line error.
# The full JSON export of the shipped banks is about 0.7 MB, 13,700 nodes and 10 levels deep.
MAX_FILE_BYTES = 2_000_000
MAX_NODES = 40_000  # YAML nodes: mappings, lists and scalars (a YAML node costs ~20 µs to parse)
MAX_DEPTH = 32  # nested mappings and lists
MAX_INT_DIGITS = 15  # far above any year, order or answer; Python refuses to parse 4,300+ digits anyway
MAX_TEXT_PROBLEMS = 20  # control characters reported per file before "and N more"


class BankLimit(Exception):
    """A bank file breaks one of the limits above; raised while parsing, reported as a file:line error."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


# --- YAML with line numbers -------------------------------------------------------------------------


class _Map(dict):
    """A mapping that remembers the line of itself and of each key."""

    line = 0
    lines: dict[Any, int]


class _Seq(list):
    line = 0
    lines: list[int]


@cache
def _line_loader() -> Any:
    """SafeLoader (no arbitrary objects) that records where each mapping key and list item stands.

    Built on first use: the read commands import this module for ``Problem`` and must not pay for PyYAML.
    """
    import yaml

    class _LineLoader(yaml.SafeLoader):
        duplicate_keys: list[tuple[int, str]]
        depth = 0
        nodes = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            # Aliases are refused outright: banks never need them, and expanding shared nodes (an alias
            # bomb, "billion laughs") is exponential work for every pass that walks the data afterwards.
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise BankLimit(
                    mark.line + 1, "aliases (*name) are not allowed in a bank; write the value out"
                )
            self.nodes += 1
            if self.nodes > MAX_NODES:
                line = self.peek_event().start_mark.line + 1
                raise BankLimit(
                    line, f"more than {MAX_NODES:,} YAML nodes; split the bank into several files"
                )
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    line = self.peek_event().start_mark.line + 1
                    raise BankLimit(line, f"nested more than {MAX_DEPTH} levels deep")
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def construct_yaml_int(self, node: Any) -> int:
            digits = sum(c.isdigit() for c in str(node.value))
            if digits > MAX_INT_DIGITS:
                raise BankLimit(
                    node.start_mark.line + 1, f"a number with {digits} digits (at most {MAX_INT_DIGITS})"
                )
            return super().construct_yaml_int(node)

    _LineLoader.add_constructor("tag:yaml.org,2002:int", _LineLoader.construct_yaml_int)

    _LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    return _LineLoader


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            import yaml

            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in result:
            loader.duplicate_keys.append((key_node.start_mark.line + 1, str(key)))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: Any, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _parse_yaml(text: str) -> tuple[Any, list[tuple[int, str]]]:
    loader = _line_loader()(text)
    loader.duplicate_keys = []
    try:
        return loader.get_single_data(), loader.duplicate_keys
    finally:
        loader.dispose()


def _line_of(data: Any, path: Sequence[Any]) -> int:
    """The line of the deepest node on ``path`` that we know."""
    line = getattr(data, "line", 0) or 1
    node = data
    for step in path:
        if isinstance(node, _Map) and step in node:
            line = node.lines.get(step, line)
            node = node[step]
        elif isinstance(node, _Seq) and isinstance(step, int) and step < len(node):
            line = node.lines[step]
            node = node[step]
        else:
            break
        line = max(line, getattr(node, "line", 0) or line) if isinstance(node, _Map | _Seq) else line
    return line


def _field_path(data: Any, path: Sequence[Any]) -> str:
    """``questions/3/drills/1/options/0`` -> ``bn-backward.paths.options[0]`` (ids where known)."""
    parts: list[str] = []
    node = data
    steps = list(path)
    i = 0
    while i < len(steps):
        step = steps[i]
        child = node[step] if _has(node, step) else None
        if step in ("questions", "drills") and i + 1 < len(steps) and _has(child, steps[i + 1]):
            item = child[steps[i + 1]]
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, str) and ident:
                parts = [ident]  # a drill id already names its question
            else:
                parts.append(f"{step}[{steps[i + 1]}]")
            node = item
            i += 2
            continue
        parts.append(f"[{step}]" if isinstance(step, int) else str(step))
        node = child
        i += 1
    return ".".join(parts).replace(".[", "[")


def _has(node: Any, step: Any) -> bool:
    if isinstance(node, dict):
        return step in node
    if isinstance(node, list):
        return isinstance(step, int) and 0 <= step < len(node)
    return False


# --- schema pass ----------------------------------------------------------------------------------------


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _schema_message(error: Any) -> tuple[list[Any], str]:
    """A short message for a jsonschema error, and the path it belongs to."""
    path = list(error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return path, f"missing {missing!r}"
    if kind == "additionalProperties":
        notes = [_unknown_field_message(error, key) for key in _unknown_keys(error)]
        return path, "; ".join(notes) or error.message
    if kind == "type":
        expected = error.schema.get("type")
        got = type(error.instance).__name__
        return path, f"expected {_type_name(expected)}, got {got} {_short(error.instance)}"
    if kind == "pattern":
        if "\\S" in error.schema.get("pattern", ""):
            return path, "must not be empty"
        if error.schema.get("pattern", "").startswith("^https?"):
            return path, f"{_short(error.instance)} is not an http:// or https:// URL (no spaces or quotes)"
        return path, f"{error.instance!r} is not a valid id (lowercase letters, digits and hyphens" + (
            "; drill ids are <question-id>.<name>)" if "\\." in error.schema["pattern"] else ")"
        )
    if kind == "minLength":
        return path, "must not be empty"
    if kind == "minItems":
        return path, f"needs at least {error.schema['minItems']} item(s)"
    if kind == "maxItems":
        return path, f"has more than {error.schema['maxItems']} items"
    if kind == "enum":
        return path, f"{error.instance!r} is not one of {', '.join(map(str, error.schema['enum']))}"
    if kind == "oneOf":
        return path, "needs exactly one of 'question' (an id) or 'prompt' (a text)"
    if kind in ("minimum", "maximum"):
        return path, error.message
    return path, error.message


def _unknown_keys(error: Any) -> list[Any]:
    allowed = error.schema.get("properties", {})
    return [k for k in error.instance if k not in allowed] if isinstance(error.instance, dict) else []


def _unknown_field_message(error: Any, key: Any) -> str:
    near = closest(str(key), list(error.schema.get("properties", {})), n=1)
    return f"unknown field {key!r}" + (f" (did you mean {near[0]!r}?)" if near else "")


def _key_path(data: Any, key: Any, line: int, path: tuple[Any, ...] = ()) -> list[Any] | None:
    """The path of the mapping entry ``key`` written at ``line`` (the last of duplicate keys wins)."""
    if isinstance(data, _Map):
        if data.lines.get(key) == line:
            return [*path, key]
        children: Iterable[tuple[Any, Any]] = data.items()
    elif isinstance(data, _Seq):
        children = enumerate(data)
    else:
        return None
    for step, child in children:
        found = _key_path(child, key, line, (*path, step))
        if found:
            return found
    return None


def _type_name(expected: Any) -> str:
    names = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "number": "a number",
        "integer": "an integer",
        "boolean": "true or false",
    }
    if isinstance(expected, list):
        return " or ".join(names.get(e, e) for e in expected)
    return names.get(expected, str(expected))


def _short(value: Any) -> str:
    text = repr(value)
    return f"({text[:40]}…)" if len(text) > 40 else f"({text})"


# --- loading ---------------------------------------------------------------------------------------------


def bank_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named by ``paths``: files as given, directories for their *.yaml / *.yml, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            # Every *.yaml entry, regular or not: a FIFO or a symlink loop is reported by read_file, not
            # silently skipped; only sub-folders are left out.
            files.extend(
                sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and not p.is_dir())
            )
        else:
            files.append(path)
    return files


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (read_file reports it)
        return path


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, as a user would type it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _read_text(path: Path, name: str) -> tuple[str | None, Problem | None]:
    """The text of a bank file, read within the limits: a regular file only, at most MAX_FILE_BYTES.

    The type and size are checked on ``stat`` before opening, so a FIFO (which would block), a device
    (/dev/zero never ends) or a symlink loop is refused without reading a byte. The file is opened
    non-blocking and checked again, in case it was swapped for something else in between.
    """
    import errno
    import stat

    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None, Problem(name, 0, "", "no such file")
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None, Problem(name, 0, "", "symlink loop: the link points back to itself")
        return None, Problem(name, 0, "", f"cannot read: {error.strerror or error}")
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a folder"
            if stat.S_ISDIR(info.st_mode)
            else "a FIFO"
            if stat.S_ISFIFO(info.st_mode)
            else "a device"
        )
        if stat.S_ISSOCK(info.st_mode):
            kind = "a socket"
        return None, Problem(name, 0, "", f"not a regular file ({kind}); a bank must be a .yaml file")
    if info.st_size > MAX_FILE_BYTES:
        return None, Problem(name, 0, "", _too_big(info.st_size))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None, Problem(name, 0, "", "not a regular file; a bank must be a .yaml file")
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return None, Problem(name, 0, "", f"cannot read: {error.strerror or error}")
    if len(raw) > MAX_FILE_BYTES:
        return None, Problem(name, 0, "", _too_big(len(raw)))
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return None, Problem(name, line, "", f"not UTF-8 text (byte {raw[error.start]:#04x})")


def _too_big(size: int) -> str:
    return f"{size:,} bytes; a bank file may hold at most {MAX_FILE_BYTES:,} (split it into several files)"


def read_file(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse and schema-check one bank file. Returns (data, problems); data is None when unusable."""
    import yaml

    name = display_path(path)
    text, unreadable = _read_text(path, name)
    if text is None:
        return None, [unreadable] if unreadable else []
    try:
        data, duplicate_keys = _parse_yaml(text)
    except BankLimit as error:
        return None, [Problem(name, error.line, "", error.message)]
    except yaml.reader.ReaderError as error:  # a raw control character: the position is a character index
        line = text.count("\n", 0, max(error.position, 0)) + 1
        return None, [
            Problem(name, line, "", f"not valid YAML: control character {_notation(error.character)}")
        ]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        return None, [Problem(name, line, "", f"not valid YAML: {error.problem or error.context}")]
    except yaml.YAMLError as error:
        return None, [Problem(name, 0, "", f"not valid YAML: {error}")]
    if not isinstance(data, dict):
        return None, [Problem(name, 1, "", "a bank must be a mapping with 'section' and 'questions'")]
    problems = []
    for line, key in duplicate_keys:
        steps = _key_path(data, key, line)
        field = _field_path(data, steps) if steps else ""
        problems.append(Problem(name, line, field, f"duplicate key {key!r}"))
    parts = bank_parts(data)
    if not parts or (len(parts) > 1 or parts[0] is not data) and set(data) != {"sections"}:
        problems.append(
            Problem(
                name,
                getattr(data, "line", 1) or 1,
                "sections",
                "a bundle holds one key, 'sections': a non-empty list of banks",
            )
        )
    for part in parts:
        problems.extend(_schema_problems(name, part))
        problems.extend(_text_problems(name, part))
    problems.sort(key=lambda p: (p.line, p.path))
    return data, problems


def _notation(char: Any) -> str:
    from dlquiz import sanitize

    text = chr(char) if isinstance(char, int) else str(char)
    return sanitize.find(text) or sanitize.name(text)


def _text_problems(name: str, data: Any) -> list[Problem]:
    """Control characters and bidi overrides anywhere (keys too), and formulas the renderer cannot handle.

    Every string that ``show`` will render as math (a formula's ``latex``, each ``$...$`` in prose) goes
    through ``mathtext.problem``, the same renderer's own verdict.
    """
    from dlquiz import mathtext, sanitize

    out: list[Problem] = []
    control = 0

    def report(steps: list[Any], message: str) -> None:
        out.append(Problem(name, _line_of(data, steps), _field_path(data, steps), message))

    def walk(value: Any, steps: list[Any]) -> None:
        nonlocal control
        if isinstance(value, dict):
            items: Iterable[tuple[Any, Any]] = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            items = ()
        for key, child in items:
            if isinstance(key, str) and (found := sanitize.find(key)):
                control += 1
                if control <= MAX_TEXT_PROBLEMS:
                    report([*steps, key], f"key contains a control character ({found})")
            walk(child, [*steps, key])
        if not isinstance(value, str):
            return
        found = sanitize.find(value)
        if found:
            control += 1
            if control <= MAX_TEXT_PROBLEMS:
                report(steps, f"contains a control character ({found}); terminals and Anki would obey it")
            return
        formulas = [value] if steps[-1:] == ["latex"] else mathtext.math_segments(value)
        for latex in formulas:
            message = mathtext.problem(latex)
            if message:
                report(steps, message)
                break

    walk(data, [])
    if control > MAX_TEXT_PROBLEMS:
        out.append(
            Problem(name, 0, "", f"{control - MAX_TEXT_PROBLEMS} more string(s) with control characters")
        )
    return out


def bank_parts(data: dict[str, Any]) -> list[Any]:
    """The banks in one file: the file itself, or each item of a bundle ``{"sections": [bank, ...]}``.

    A bundle is what ``dlquiz export json`` writes: several sections in one file (JSON is YAML too). Each
    item is checked against the schema of a single bank, with its own lines.
    """
    if "sections" in data and "section" not in data:
        items = data["sections"]
        return list(items) if isinstance(items, list) else []
    return [data]


def _schema_problems(name: str, data: Any) -> list[Problem]:
    problems = []
    for error in _validator().iter_errors(data):
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            # One problem per unknown field, on its own line, so a typo is found where it was made.
            base = list(error.absolute_path)
            lines = getattr(error.instance, "lines", {})
            for key in _unknown_keys(error):
                steps = [*base, key]
                problems.append(
                    Problem(
                        name,
                        lines.get(key) or _line_of(data, steps),
                        _field_path(data, steps),
                        _unknown_field_message(error, key),
                    )
                )
            continue
        path_steps, message = _schema_message(error)
        problems.append(Problem(name, _line_of(data, path_steps), _field_path(data, path_steps), message))
    problems.extend(_numeric_problems(name, data) if isinstance(data, dict) else [])
    return problems


def _numeric_problems(name: str, data: dict[str, Any]) -> list[Problem]:
    out = []
    questions = data.get("questions")
    for qi, q in enumerate(questions if isinstance(questions, list) else []):
        drills = q.get("drills") if isinstance(q, dict) else None
        for di, d in enumerate(drills if isinstance(drills, list) else []):
            if isinstance(d, dict) and d.get("type") == "numeric":
                for key in ("answer", "tolerance"):
                    value = d.get(key)
                    if isinstance(value, float) and not math.isfinite(value):
                        steps = ["questions", qi, "drills", di, key]
                        out.append(
                            Problem(name, _line_of(data, steps), _field_path(data, steps), "must be finite")
                        )
    return out


def load(
    shipped: Sequence[Path],
    user: Sequence[Path] = (),
    known_demos: Callable[[], set[str]] | None = None,
) -> LoadResult:
    """Load the shipped banks, then the user's, and run every check.

    ``known_demos`` returns the registered demo ids; when given, unknown demo references are errors.
    """
    problems: list[Problem] = []
    files = list(
        dict.fromkeys(_resolved(f) for f in bank_files(shipped) + bank_files(user))
    )  # each file once
    parsed: list[tuple[Path, dict[str, Any]]] = []
    bad_files: set[str] = set()
    invalid: list[tuple[Path, Any]] = []
    for path in files:
        from dlquiz import sanitize

        if found := sanitize.find(path.name, one_line=True):
            # Reported under a name with the character as notation; the file is not read at all.
            problems.append(
                Problem(display_path(path), 0, "", f"file name contains a control character ({found})")
            )
            bad_files.add(display_path(path))
            continue
        data, file_problems = read_file(path)
        problems.extend(file_problems)
        if data is None or any(p.severity == "error" for p in file_problems):
            bad_files.add(display_path(path))
            if data is not None:
                invalid.extend((path, part) for part in bank_parts(data))
        else:
            parsed.extend((path, part) for part in bank_parts(data))

    # Cross-file rules, in load order: the first definition of an id wins.
    sections: dict[str, Section] = {}
    for _path, data in parsed:
        s = data["section"]
        sections.setdefault(s["id"], Section(s["id"], Text.of(s["title"]), s.get("order", 1000)))
    question_ids = {q["id"] for _, data in parsed for q in data["questions"]}
    demo_ids = known_demos() if known_demos else None

    # A file that failed the schema is still searched for broken references, so one run of check
    # reports every problem instead of revealing them one fix at a time.
    for path, data in invalid:
        problems.extend(_reference_problems(display_path(path), data, question_ids, demo_ids))

    seen: dict[str, str] = {}
    questions = []
    for path, data in parsed:
        name = display_path(path)
        file_problems = _cross_checks(name, data, sections, question_ids, demo_ids, seen)
        problems.extend(file_problems)
        if any(p.severity == "error" and p.blocking for p in file_problems):
            bad_files.add(name)
            continue
        questions.extend(build_question(_plain(q), name) for q in data["questions"])

    order = {s.id: (s.order, i) for i, s in enumerate(sections.values())}
    used_sections = {q.section for q in questions}
    catalog = Catalog(
        sections=tuple(
            sorted((s for s in sections.values() if s.id in used_sections), key=lambda s: order[s.id])
        ),
        questions=tuple(sorted(questions, key=lambda q: order[q.section])),
    )
    return LoadResult(catalog, problems, [display_path(p) for p in files])


def _reference_problems(
    name: str, data: Any, question_ids: set[str], demo_ids: set[str] | None
) -> list[Problem]:
    """Demo and follow-up references of a bank that failed the schema: every shape is checked first."""
    out: list[Problem] = []
    questions = data.get("questions") if isinstance(data, dict) else None
    questions = questions if isinstance(questions, list) else []
    question_ids = question_ids | {q.get("id") for q in questions if isinstance(q, dict)}
    for qi, q in enumerate(questions):
        if not isinstance(q, dict):
            continue
        refs: list[tuple[list[Any], str, set[str] | None, str]] = []
        demos = q.get("demos")
        for di, demo_id in enumerate(demos if isinstance(demos, list) else []):
            refs.append((["demos", di], demo_id, demo_ids, "demo"))
        follow = q.get("follow_ups")
        for fi, f in enumerate(follow if isinstance(follow, list) else []):
            target = f.get("question") if isinstance(f, dict) else None
            refs.append((["follow_ups", fi, "question"], target, question_ids, "question"))
        for tail, ident, known, kind in refs:
            if not isinstance(ident, str) or known is None or ident in known:
                continue
            steps = ["questions", qi, *tail]
            near = closest(ident, known)
            message = f"no {kind} with id {ident!r}" + (f" (did you mean {', '.join(near)}?)" if near else "")
            out.append(
                Problem(name, _line_of(data, steps), _field_path(data, steps), message, "error", False)
            )
    return out


def _cross_checks(
    name: str,
    data: dict[str, Any],
    sections: dict[str, Section],
    question_ids: set[str],
    demo_ids: set[str] | None,
    seen: dict[str, str],
) -> list[Problem]:
    out: list[Problem] = []

    def report(steps: list[Any], message: str, blocking: bool = True) -> None:
        out.append(Problem(name, _line_of(data, steps), _field_path(data, steps), message, "error", blocking))

    local: dict[str, str] = {}
    for qi, q in enumerate(data["questions"]):
        qsteps: list[Any] = ["questions", qi]
        ids = [(q["id"], qsteps + ["id"])] + [
            (d["id"], qsteps + ["drills", di, "id"]) for di, d in enumerate(q["drills"])
        ]
        for ident, steps in ids:
            where = f"{name}:{_line_of(data, steps)}"
            if ident in seen or ident in local:
                report(steps, f"duplicate id {ident!r} (first defined at {seen.get(ident) or local[ident]})")
            else:
                local[ident] = where
        if q["section"] not in sections:
            near = closest(q["section"], sections)
            report(
                qsteps + ["section"],
                f"unknown section {q['section']!r}"
                + (f" (did you mean {near[0]!r}?)" if near else f"; known: {', '.join(sections)}"),
            )
        for fi, f in enumerate(q["follow_ups"]):
            target = f.get("question")
            if target is not None and target not in question_ids:
                near = closest(target, question_ids)
                report(
                    qsteps + ["follow_ups", fi, "question"],
                    f"no question with id {target!r}"
                    + (f" (did you mean {', '.join(near)}?)" if near else ""),
                    blocking=False,
                )
        if demo_ids is not None:
            for di, demo_id in enumerate(q["demos"]):
                if demo_id not in demo_ids:
                    near = closest(demo_id, demo_ids)
                    report(
                        qsteps + ["demos", di],
                        f"no demo with id {demo_id!r}"
                        + (f" (did you mean {', '.join(near)}?)" if near else ""),
                        blocking=False,
                    )
        for di, d in enumerate(q["drills"]):
            dsteps = qsteps + ["drills", di]
            if not d["id"].startswith(q["id"] + "."):
                report(dsteps + ["id"], f"drill id must start with its question's id: {q['id']}.<name>")
            if d["type"] == "cloze":
                out.extend(_cloze_problems(name, data, dsteps, d))
            elif d["type"] == "choice" and not any(o["correct"] for o in d["options"]):
                report(dsteps + ["options"], "no option is marked correct")
            elif d["type"] == "choice" and all(o["correct"] for o in d["options"]):
                report(dsteps + ["options"], "every option is marked correct")
            elif d["type"] == "code" and d["judge"] not in CODE_DRILL_IDS:
                near = closest(d["judge"], set(CODE_DRILL_IDS))
                report(
                    dsteps + ["judge"],
                    f"no code drill with id {d['judge']!r}"
                    + (f" (did you mean {', '.join(near)}?)" if near else ""),
                )
    seen.update(local)
    return out


def _cloze_problems(
    name: str, data: dict[str, Any], steps: list[Any], drill: dict[str, Any]
) -> list[Problem]:
    out = []
    numbers: dict[str, set[int]] = {}
    for lang in LANGS:
        text = drill["prompt"][lang]
        lsteps = steps + ["prompt", lang]
        found = {int(m.group(1)) for m in CLOZE_RE.finditer(text)}
        numbers[lang] = found
        stripped = CLOZE_RE.sub("", text)
        if "{{c" in stripped or ("{{" in stripped and "::" in stripped):
            out.append(
                Problem(
                    name,
                    _line_of(data, lsteps),
                    _field_path(data, lsteps),
                    "malformed cloze: write {{c1::answer}} or {{c1::answer::hint}}",
                )
            )
        elif not found:
            out.append(
                Problem(
                    name,
                    _line_of(data, lsteps),
                    _field_path(data, lsteps),
                    "a cloze card needs at least one {{c1::...}} deletion",
                )
            )
        elif any(not m.group(2).strip() for m in CLOZE_RE.finditer(text)):
            out.append(
                Problem(name, _line_of(data, lsteps), _field_path(data, lsteps), "empty cloze deletion")
            )
    if numbers["en"] and numbers["zh"] and numbers["en"] != numbers["zh"]:
        out.append(
            Problem(
                name,
                _line_of(data, steps + ["prompt"]),
                _field_path(data, steps + ["prompt"]),
                f"cloze numbers differ: en has {sorted(numbers['en'])}, zh has {sorted(numbers['zh'])}",
            )
        )
    return out


# A line break inside Chinese prose (YAML folds it to a space) must not leave a space between characters.
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}])[ \t]*\n?[ \t]*(?=[{_CJK}])")


def join_cjk_lines(text: str) -> str:
    """Remove the whitespace a wrapped line leaves between Chinese characters (paragraph breaks stay)."""
    return _CJK_GAP.sub("", text)


def _plain(value: Any, key: str = "") -> Any:
    """Drop the line bookkeeping: plain dicts and lists, as JSON would give them back."""
    if isinstance(value, dict):
        return {k: _plain(v, k) for k, v in value.items()}
    if key == "zh" and isinstance(value, str):
        return join_cjk_lines(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def fold_shipped_duplicates(problems: list[Problem], user_files: Sequence[str]) -> list[Problem]:
    """A user file that repeats most of the shipped ids is a copy of them (an export): one problem that
    says so, with the way to check it, instead of one "duplicate id" per card."""
    out = list(problems)
    for name in user_files:
        dups = [p for p in out if p.file == name and p.message.startswith("duplicate id ")]
        if len(dups) < 10:
            continue
        rest = [p for p in out if p not in dups]
        first = min(dups, key=lambda p: p.line)
        message = (
            f"repeats {len(dups)} ids already in the shipped banks (an export of them?); "
            f"check it on its own with: dlquiz check --alone {name}"
        )
        out = [*rest, Problem(name, first.line, "", message)]
    return out
