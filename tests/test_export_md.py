"""``dlquiz export md``: a snapshot of the fixture guide, and the shape of the shipped banks' guide.

The snapshot changes only on purpose: regenerate it with
``DLQUIZ_UPDATE_SNAPSHOTS=1 pytest tests/test_export_md.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.anki_helpers import FIXTURE_BANK

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.mark.parametrize("lang", ["en", "both"])
def test_fixture_guide_matches_snapshot(cli, tmp_path: Path, lang: str):
    out = tmp_path / "guide.md"
    result = cli("-b", str(FIXTURE_BANK), "export", "md", "-s", "fixture", "--lang", lang, "-o", str(out))
    assert result.exit_code == 0, result.output
    got = out.read_text(encoding="utf-8")
    snapshot = SNAPSHOTS / f"export_fixture_{lang}.md"
    if os.environ.get("DLQUIZ_UPDATE_SNAPSHOTS"):
        snapshot.write_text(got, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot {snapshot.name}: run with DLQUIZ_UPDATE_SNAPSHOTS=1 and review it"
    assert got == snapshot.read_text(encoding="utf-8"), f"{snapshot.name} differs (DLQUIZ_UPDATE_SNAPSHOTS=1)"


def test_guide_of_shipped_banks_has_every_question_and_working_contents(cli, tmp_path: Path):
    from dlquiz import catalog as cat_module
    from dlquiz.export.markdown import anchor

    catalog = cat_module.load().catalog
    out = tmp_path / "guide.md"
    assert cli("export", "md", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    headings = re.findall(r"^### \d+\. (.*)$", text, flags=re.M)
    assert len(headings) == len(catalog.questions)
    for q in catalog.questions:
        assert f"`{q.id}`" in text
    sections = re.findall(r"^## (.*)$", text, flags=re.M)
    assert sections == [s.title.en for s in catalog.sections]
    for title in sections:
        assert f"](#{anchor(title)})" in text
    # Formulas as display math blocks; each $$ opens and closes.
    assert text.count("\n$$\n") % 2 == 0 and text.count("\n$$\n") >= 2 * sum(
        len(q.formulas) for q in catalog.questions
    )
    assert "<div" not in text  # plain Markdown, no HTML scaffolding


def test_chinese_guide_uses_chinese_text(cli, tmp_path: Path):
    out = tmp_path / "zh.md"
    assert (
        cli("-b", str(FIXTURE_BANK), "export", "md", "-s", "fixture", "-l", "zh", "-o", str(out)).exit_code
        == 0
    )
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# dlquiz 复习手册") and "## 测试章节" in text and "为什么 softmax" in text
    assert "Why subtract" not in text
