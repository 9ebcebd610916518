"""``dlquiz export json``: banks that ``dlquiz check`` and ``--bank`` read back unchanged."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.anki_helpers import FIXTURE_BANK


def _second_bank(tmp_path: Path) -> Path:
    """The fixture again under other ids and another section, so two sections are not shipped ones."""
    text = FIXTURE_BANK.read_text(encoding="utf-8")
    text = text.replace("fixture", "fixture-two").replace("fix-", "two-").replace("Fixture section", "Second")
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_banks_round_trip_through_the_loader(cli, tmp_path: Path):
    from dlquiz import bank
    from dlquiz import catalog as cat_module

    catalog = cat_module.load().catalog
    out = tmp_path / "all.json"
    assert cli("export", "json", "-o", str(out)).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [p["section"]["id"] for p in data["sections"]] == [s.id for s in catalog.sections]
    loaded = bank.load([], [out])
    assert loaded.errors == []
    assert loaded.catalog.sections == catalog.sections
    assert [q.raw for q in loaded.catalog.questions] == [q.raw for q in catalog.questions]


def test_one_section_is_a_plain_bank_that_check_accepts(cli, tmp_path: Path):
    out = tmp_path / "fixture.json"
    assert cli("-b", str(FIXTURE_BANK), "export", "json", "-s", "fixture", "-o", str(out)).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"section", "questions"} and data["section"]["id"] == "fixture"
    result = cli("check", str(out), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["problems"] == [] and str(out) in " ".join(report["files"])


def test_several_sections_make_a_bundle_that_check_accepts_and_reports_by_line(cli, tmp_path: Path):
    two = _second_bank(tmp_path)
    out = tmp_path / "bundle.json"
    args = ["-b", str(FIXTURE_BANK), "-b", str(two), "export", "json", "-s", "fixture", "-s", "fixture-two"]
    assert cli(*args, "-o", str(out)).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [p["section"]["id"] for p in data["sections"]] == ["fixture", "fixture-two"]
    good = cli("check", str(out), "--json")
    assert good.exit_code == 0, good.output
    shipped = json.loads(cli("check", "--json").stdout)["questions"]
    assert json.loads(good.stdout)["questions"] == shipped + 4

    # A mistake inside the second bank of the bundle is reported at its own line.
    lines = out.read_text(encoding="utf-8").splitlines()
    target = next(i for i, line in enumerate(lines) if '"source": "test 2"' in line and i > len(lines) // 2)
    lines[target] = lines[target].replace('"source"', '"sourse"')
    out.write_text("\n".join(lines), encoding="utf-8")
    bad = cli("check", str(out), "--json")
    assert bad.exit_code == 2
    problems = json.loads(bad.stdout)["problems"]
    assert any(p["line"] == target + 1 and "sourse" in p["message"] for p in problems), problems


def test_an_empty_bundle_is_an_error(cli, tmp_path: Path):
    out = tmp_path / "empty.json"
    out.write_text('{"sections": []}', encoding="utf-8")
    result = cli("check", str(out), "--json")
    assert result.exit_code == 2
    assert any("sections" in p["message"] for p in json.loads(result.stdout)["problems"])


def test_output_errors_are_clear(cli, tmp_path: Path):
    out = tmp_path / "x.json"
    out.write_text("{}", encoding="utf-8")
    exists = cli("export", "json", "-o", str(out))
    assert exists.exit_code == 2 and "already exists" in exists.stderr and "--force" in exists.stderr
    assert out.read_text(encoding="utf-8") == "{}"
    missing = cli("export", "json", "-o", str(tmp_path / "nope" / "x.json"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    folder = cli("export", "json", "-o", str(tmp_path))
    assert folder.exit_code == 2 and "is a folder" in folder.stderr
    section = cli("export", "json", "-s", "batch-nrom", "-o", str(tmp_path / "y.json"))
    assert section.exit_code == 2 and "batch-norm" in section.stderr
    fmt = cli("export", "pdf", "-o", str(tmp_path / "z.pdf"))
    assert fmt.exit_code == 2


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unwritable_folder_is_a_clear_error(cli, tmp_path: Path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = cli("export", "json", "-o", str(locked / "x.json"))
        assert result.exit_code == 2 and "permission denied" in result.stderr
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(
    not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs, which refuses new files even to root"
)
def test_a_failed_write_is_reported_and_leaves_nothing(cli):
    result = cli("export", "json", "-s", "loss", "-o", "/sys/kernel/dlquiz-export.json")
    assert result.exit_code == 1 and "cannot write /sys/kernel/dlquiz-export.json" in result.stderr
    assert not list(Path("/sys/kernel").glob(".dlquiz-export.json.*"))
