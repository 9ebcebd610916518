"""The hostile corpus: banks a stranger could share (``banks/``), and the checks their output must pass."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).parent
BANKS = HERE / "banks"

# What must never reach a terminal raw: C0 controls but \t \n (rich may print \r? it strips it), DEL, C1,
# bidi controls. ESC alone would do; the rest catches a sanitizer that only handles ESC.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def corpus() -> list[Path]:
    return sorted(BANKS.glob("*.yaml"))


def expectation(path: Path) -> tuple[str, str]:
    """("ok", "") or ("error", the words the check message must contain), from the file's first line."""
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    verdict = first.removeprefix("# expect: ").strip()
    kind, _, words = verdict.partition(":")
    return kind.strip(), words.strip()


# --- HTML that may go into Anki --------------------------------------------------------------------------

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "caption", "code", "del", "details", "div", "em", "h1", "h2", "h3", "h4",
    "hr", "i", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "background", "poster"}


class HtmlAudit(HTMLParser):
    """Collects what would make a note's HTML run code: on* handlers, script URLs, tags off the list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.findings.append(f"tag <{tag}> is not on the allow-list")
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"event handler {name}={value!r} on <{tag}>")
            if name == "style" and value and re.search(r"url\s*\(|expression\s*\(", value, re.I):
                self.findings.append(f"style with url()/expression() on <{tag}>")
            if name in URL_ATTRS:
                target = re.sub(r"[\x00-\x20]", "", value or "").lower()
                if not target.startswith(("http://", "https://", "#")):
                    self.findings.append(f"{name}={value!r} on <{tag}> is not an http(s) URL")

    handle_startendtag = handle_starttag


def audit_html(html: str) -> list[str]:
    parser = HtmlAudit()
    parser.feed(html)
    parser.close()
    return parser.findings


# --- a real process, measured -----------------------------------------------------------------------------


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    cpu_seconds: float  # user + system, so a busy machine does not make it look slow
    max_rss_mb: float
    hung: bool


# A small Python in between starts dlquiz and reports its usage: Linux carries the forking process's peak
# RSS into the child's ru_maxrss (it is recorded at exec), so measured straight from pytest, which grows
# to hundreds of MB over a run, every child would look that big.
_MEASURE = (
    "import json, resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[2:]).returncode\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "open(sys.argv[1], 'w').write(json.dumps([code, u.ru_utime + u.ru_stime, u.ru_maxrss]))\n"
)


def run_measured(args: list[str], env: dict[str, str], timeout: float = 60.0) -> Run:
    """``python -m dlquiz ARGS`` in a child process; its own CPU time and peak memory."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        report = os.path.join(tmp, "usage.json")
        proc = subprocess.Popen(
            [sys.executable, "-c", _MEASURE, report, sys.executable, "-m", "dlquiz", *args],
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=timeout)
            hung = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            hung = True
        code, cpu, maxrss_kib = (-9, float(timeout), 0) if hung else json.loads(Path(report).read_text())
        out.seek(0)
        err.seek(0)
        return Run(
            code,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            cpu,
            maxrss_kib / 1024,  # KiB on Linux
            hung,
        )
