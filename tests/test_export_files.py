"""Where exports go: stdout, devices and FIFOs in place, symlinks only with --force, no temporary file
left behind (ours or genanki's), too-long names refused."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import pytest

from dlquiz.errors import DlquizError


def test_dash_writes_text_formats_to_stdout(cli):
    result = cli("export", "md", "-o", "-", "-s", "batch-norm")
    assert result.exit_code == 0
    assert result.stdout.startswith("# dlquiz study guide")
    assert "wrote standard output" in result.stderr and "wrote" not in result.stdout.splitlines()[-1]
    as_json = cli("export", "json", "-o", "-", "-s", "batch-norm", "--json")
    assert as_json.stdout.lstrip().startswith("{") and '"format": "json"' in as_json.stderr


def test_an_apkg_refuses_a_terminal(monkeypatch, tmp_path: Path):
    import sys

    from dlquiz import catalog
    from dlquiz.export import export

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    with pytest.raises(DlquizError, match="not written to a terminal"):
        export(catalog.load().catalog, "apkg", Path("-"))


def test_a_fifo_is_written_in_place_not_replaced(cli, tmp_path: Path):
    fifo = tmp_path / "out.md"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = cli("export", "md", "-o", str(fifo), "-s", "cnn")
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert got and got[0].startswith(b"# dlquiz study guide")
    assert fifo.is_fifo()  # still the FIFO, not a regular file renamed over it
    assert [p.name for p in tmp_path.iterdir() if p.name != "dlquiz-home"] == ["out.md"]


def test_dev_stdout_is_written_in_place(dlquiz_cmd, subprocess_env, tmp_path: Path):
    import subprocess

    target = tmp_path / "shell-opened.md"
    with target.open("wb") as handle:  # the shell's "> file": /dev/stdout points at a regular file
        done = subprocess.run(
            [*dlquiz_cmd, "export", "md", "-s", "cnn", "-o", "/dev/stdout"],
            stdout=handle,
            stderr=subprocess.PIPE,
            env=subprocess_env,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    assert target.read_bytes().startswith(b"# dlquiz study guide")
    assert b"wrote" in done.stderr  # the summary does not land in the exported text
    assert [p.name for p in tmp_path.iterdir() if p.name != "dlquiz-home"] == ["shell-opened.md"]


def test_a_symlink_is_followed_only_with_force(cli, tmp_path: Path):
    real = tmp_path / "real.md"
    real.write_text("mine\n", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    refused = cli("export", "md", "-o", str(link), "-s", "cnn")
    assert refused.exit_code == 2 and "symbolic link" in refused.stderr and "--force" in refused.stderr
    assert real.read_text(encoding="utf-8") == "mine\n"
    forced = cli("export", "md", "-o", str(link), "-s", "cnn", "--force")
    assert forced.exit_code == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("# dlquiz study guide")


def test_no_temporary_file_is_left_and_stale_ones_are_cleaned(cli, tmp_path: Path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where genanki's mkstemp would leak
    out = tmp_path / "out"
    out.mkdir()
    dead = out / ".deck.apkg.999999999.tmp"  # left by a killed export (no such process)
    alive = out / f".deck.apkg.{os.getppid()}.tmp"  # another export still running: kept
    dead.write_bytes(b"half")
    alive.write_bytes(b"busy")
    result = cli("export", "apkg", "-o", str(out / "deck.apkg"), "-s", "cnn")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(["deck.apkg", alive.name])
    assert list(scratch.iterdir()) == []


def test_a_too_long_file_name_is_an_error(cli, tmp_path: Path):
    result = cli("export", "md", "-o", str(tmp_path / ("a" * 300 + ".md")))
    assert result.exit_code == 2 and "file name is too long" in result.stderr
    near = tmp_path / ("b" * 250 + ".md")  # fits, though its .NAME.PID.tmp would not
    assert cli("export", "md", "-o", str(near), "-s", "cnn").exit_code == 0
    assert [p.name for p in tmp_path.iterdir() if p.name != "dlquiz-home"] == [near.name]
