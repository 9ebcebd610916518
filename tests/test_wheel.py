"""The wheel works on its own: built, installed into a new venv, run away from the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_runs_with_its_content(tmp_path: Path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    (wheel,) = dist.glob("dlquiz-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "dlquiz/content/batch-norm.yaml" in names
    assert "dlquiz/bank.schema.json" in names
    assert "dlquiz/locale/zh/LC_MESSAGES/dlquiz.po" in names  # the interface catalog, compiled at first use

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["DLQUIZ_HOME"] = str(tmp_path / "home")
    dlquiz = str(bindir / "dlquiz")
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import dlquiz, dlquiz.paths as p; print(dlquiz.__file__); print(p.shipped_content())",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    module_file, content = where.stdout.split()
    assert str(venv) in module_file and str(ROOT) not in module_file
    assert content.startswith(str(venv)) and content.endswith(os.path.join("dlquiz", "content"))

    check = subprocess.run(
        [dlquiz, "check", "--json"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300
    )
    report = json.loads(check.stdout)
    shipped = sorted(p.name for p in (ROOT / "content").glob("*.yaml"))
    assert sorted(Path(f).name for f in report["files"]) == shipped
    assert report["questions"] >= 20 and report["drills"] > 100
    # demos for some questions may not be registered yet; the banks themselves must be clean
    assert [p for p in report["problems"] if "no demo with id" not in p["message"]] == []
    assert check.returncode == (2 if report["problems"] else 0)

    show = subprocess.run(
        [dlquiz, "show", "bn-backward"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300
    )
    assert show.returncode == 0, show.stderr
    assert "Derive the backward pass" in show.stdout and "x̂ᵢ" in show.stdout
    assert "warning" not in show.stderr

    chinese = subprocess.run(
        [dlquiz, "show", "bn-backwrd", "--lang", "zh"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert chinese.returncode == 2 and "找不到卡片 ID" in chinese.stderr, chinese.stderr
