"""The bank cache: reads skip YAML when it is current; editing, touching or removing a bank rebuilds it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dlquiz import catalog, paths

from .test_bank import VALID

SHOW_AND_REPORT = """
import sys
from dlquiz.cli import main
sys.argv = ["dlquiz", "show", sys.argv[1]]
try:
    main()
except SystemExit as e:
    assert not e.code, e.code
print("@@" + " ".join(m for m in ("yaml", "numpy") if m in sys.modules))
"""


def show(card_id: str, env: dict[str, str]) -> tuple[str, bool]:
    """Run ``dlquiz show`` in a fresh interpreter: (its output, whether it imported PyYAML)."""
    proc = subprocess.run(
        [sys.executable, "-c", SHOW_AND_REPORT, card_id], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    out, _, flags = proc.stdout.rpartition("@@")
    return out, "yaml" in flags.split()


def user_bank(folder: Path, prompt: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = VALID.replace("  - id: bn-backward\n", "  - id: my-q\n").replace("id: bn-backward.", "id: my-q.")
    text = text.replace("en: Derive the backward pass of batch normalization.", f"en: {prompt}")
    path = folder / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_second_run_does_not_parse_yaml(subprocess_env):
    first, first_yaml = show("bn-backward", subprocess_env)
    second, second_yaml = show("bn-backward", subprocess_env)
    assert first_yaml, "the first run builds the cache from YAML"
    assert not second_yaml, "the second run must read the cache only"
    assert first == second and "Derive the backward pass" in second
    assert (paths.cache_dir() / "banks.json").is_file()


def test_editing_a_bank_shows_up(subprocess_env, tmp_path):
    bank = user_bank(tmp_path / "banks", "Original prompt?")
    env = {**subprocess_env, "DLQUIZ_BANKS": str(bank.parent)}
    out, _ = show("my-q", env)
    assert "Original prompt?" in out
    _, parsed = show("my-q", env)
    assert not parsed
    user_bank(tmp_path / "banks", "An edited, longer prompt?")
    out, parsed = show("my-q", env)
    assert parsed and "An edited, longer prompt?" in out and "Original prompt?" not in out


def test_same_size_edit_within_the_same_second_shows_up(subprocess_env, tmp_path):
    bank = user_bank(tmp_path / "banks", "Prompt AAAA?")
    env = {**subprocess_env, "DLQUIZ_BANKS": str(bank.parent)}
    stat = bank.stat()
    assert "Prompt AAAA?" in show("my-q", env)[0]
    user_bank(tmp_path / "banks", "Prompt BBBB?")
    os.utime(bank, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # 1 ns later, same size
    assert "Prompt BBBB?" in show("my-q", env)[0]


def test_touching_a_bank_rebuilds(subprocess_env, tmp_path):
    bank = user_bank(tmp_path / "banks", "Touch me?")
    env = {**subprocess_env, "DLQUIZ_BANKS": str(bank.parent)}
    show("my-q", env)
    assert not show("my-q", env)[1]
    stat = bank.stat()
    os.utime(bank, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert show("my-q", env)[1]


def test_adding_and_removing_a_bank(tmp_path):
    folder = tmp_path / "banks"
    folder.mkdir()
    assert catalog.load([folder]).catalog.get("my-q") is None
    bank = user_bank(folder, "Added?")
    assert catalog.load([folder]).catalog.get("my-q").prompt.en == "Added?"
    bank.unlink()
    assert catalog.load([folder]).catalog.get("my-q") is None


def test_cached_result_equals_a_fresh_load(tmp_path):
    user_bank(tmp_path / "banks", "Same?")
    fresh = catalog.load([tmp_path / "banks"], use_cache=False)
    catalog.load([tmp_path / "banks"])  # builds the cache
    cached = catalog.load([tmp_path / "banks"])
    assert [q.raw for q in cached.catalog.questions] == [q.raw for q in fresh.catalog.questions]
    assert cached.catalog.sections == fresh.catalog.sections
    assert cached.problems == fresh.problems
    assert cached.files == fresh.files


def test_cache_remembers_problems_of_skipped_files(tmp_path):
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "bad.yaml").write_text("section: [\n", encoding="utf-8")
    first = catalog.load([folder])
    second = catalog.load([folder])
    assert [p.file for p in first.errors] == [p.file for p in second.errors]
    assert any(p.file.endswith("bad.yaml") for p in second.errors)


@pytest.mark.parametrize("content", ["{not json", '{"key": "stale"}', "[]"])
def test_damaged_or_stale_cache_is_rebuilt(content):
    catalog.load([])
    cache_file = paths.cache_dir() / "banks.json"
    cache_file.write_text(content, encoding="utf-8")
    result = catalog.load([])
    assert result.catalog.get("bn-backward") is not None
    assert json.loads(cache_file.read_text(encoding="utf-8"))["key"] != "stale"


def test_cache_is_plain_json_with_rendered_math():
    catalog.load([])
    data = json.loads((paths.cache_dir() / "banks.json").read_text(encoding="utf-8"))
    assert {"key", "sections", "questions", "problems", "files", "math"} <= set(data)
    assert data["math"][r"y_i = \gamma \hat x_i + \beta"] == "yᵢ = γx̂ᵢ + β"
    assert all("\\" not in text for text in data["math"].values())


def test_demo_titles_come_from_the_cache(subprocess_env):
    runs = [
        subprocess.run(
            [sys.executable, "-c", SHOW_AND_REPORT, "bn-backward"],
            capture_output=True,
            text=True,
            env=subprocess_env,
            timeout=120,
        )
        for _ in range(2)
    ]
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr
    first, second = (r.stdout.rpartition("@@")[2].split() for r in runs)
    assert "numpy" in first  # the first run imports the demo registry for the titles
    assert "numpy" not in second, "the second run must read the demo titles from the cache"
    shown = " ".join(runs[1].stdout.split())  # the title may wrap at a narrow width
    assert "dlquiz prove bn-backward" in shown and "numeric gradient" in shown
    titles = catalog.demo_titles()
    assert titles["bn-backward"]["en"] and titles["bn-backward"]["zh"]


def test_a_card_is_found_without_building_the_other_questions():
    catalog.load([])
    cached = catalog.load([]).catalog
    assert isinstance(cached.questions, catalog.CachedQuestions)
    card = cached.get("bn-backward.paths")
    assert card is not None and card.question == "bn-backward"
    assert sum(q is not None for q in cached.questions._built) == 1  # only bn-backward's question
    assert cached.ids() == catalog.load([], use_cache=False).catalog.ids()


def test_the_cached_catalog_equals_the_one_built_from_yaml():
    catalog.load([])
    fresh = catalog.load([], use_cache=False).catalog
    cached = catalog.load([]).catalog
    assert [q.raw for q in cached.questions] == [q.raw for q in fresh.questions]
    assert [c.id for c in cached.cards()] == [c.id for c in fresh.cards()]
    assert cached.questions[-1].id == fresh.questions[-1].id and len(cached.questions[1:3]) == 2


@pytest.mark.parametrize("damage", ["{not json", '{"id": "someone-else"}', None])
def test_a_damaged_or_missing_question_file_loads_the_banks_again(damage):
    catalog.load([])
    data = json.loads((paths.cache_dir() / "banks.json").read_text(encoding="utf-8"))
    n = [q["id"] for q in data["questions"]].index("bn-backward")
    target = paths.cache_dir() / data["folder"] / f"q{n}.json"
    if damage is None:
        target.unlink()
    else:
        target.write_text(damage, encoding="utf-8")
    question = catalog.load([]).catalog.get("bn-backward")
    assert question is not None and question.answer_short.en.startswith("In training")
    assert json.loads(target.read_text(encoding="utf-8"))["id"] == "bn-backward"  # the cache is whole again


def test_an_index_without_its_folder_is_stale():
    catalog.load([])
    data = json.loads((paths.cache_dir() / "banks.json").read_text(encoding="utf-8"))
    shutil.rmtree(paths.cache_dir() / data["folder"])
    assert catalog.load([]).catalog.get("bn-backward") is not None
    assert (paths.cache_dir() / data["folder"]).is_dir()
