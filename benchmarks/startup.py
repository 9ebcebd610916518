"""Start-up time of dlquiz against a minimal typer + rich app doing the same amount of work.

Times, in one run and interleaved so both share the machine's noise:

- ``dlquiz --help``            vs the minimal app's ``--help``                      target <= 1.1x
- ``dlquiz show bn-backward``  vs the minimal app printing one rich Panel          target <= 1.3x
- ``dlquiz study`` to the first card (stdin "q\\n") vs the same minimal Panel app   target <= 2.5x

Each command runs as a subprocess of this interpreter with DLQUIZ_HOME in a temporary folder, the bank
cache warmed and the bytecode written first (as pip writes it when it installs a wheel). Prints the
median of N runs, the ratios and PASS/FAIL; exits 0 either way (a benchmark, not a test).

    python benchmarks/startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MINIMAL_APP = '''
import typer

app = typer.Typer(help="A minimal app with the same libraries.", add_completion=True, rich_markup_mode="rich")


@app.command()
def show(card_id: str, lang: str = "en") -> None:
    """Print one rich panel."""
    from rich.console import Console
    from rich.panel import Panel

    Console().print(Panel("Derive the backward pass of batch normalization.", title=card_id))


@app.command()
def other() -> None:
    """A second command, so typer builds a group as dlquiz does."""


if __name__ == "__main__":
    app()
'''

TARGETS = {"--help": 1.1, "show": 1.3, "study": 2.5}  # issue 10 tightened --help and show


def run(argv: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (median reported; >= 15)")
    args = parser.parse_args()
    runs = max(args.runs, 15)

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update({"DLQUIZ_HOME": str(Path(tmp) / "home"), "COLUMNS": "100", "TZ": "UTC"})
        # PYTHONDONTWRITEBYTECODE would make every run compile dlquiz from source: pip compiles an
        # installed wheel, so a user never pays that, and the warm-up below writes the bytecode here.
        for name in ("DLQUIZ_BANKS", "DLQUIZ_LANG", "DLQUIZ_DB", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        minimal = Path(tmp) / "minimal_app.py"
        minimal.write_text(MINIMAL_APP, encoding="utf-8")
        py = sys.executable
        dlquiz = [py, "-m", "dlquiz"]
        base = [py, str(minimal)]
        cases = {
            "--help": ((dlquiz + ["--help"], None), (base + ["--help"], None)),
            "show": ((dlquiz + ["show", "bn-backward"], None), (base + ["show", "bn-backward"], None)),
            "study": ((dlquiz + ["study"], "q\n"), (base + ["show", "bn-backward"], None)),
        }
        # Warm up: build the bank cache and the database, and fill the OS file cache for both apps.
        for (ours, ours_in), (theirs, theirs_in) in cases.values():
            run(ours, env, ours_in)
            run(theirs, env, theirs_in)

        times: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in cases}
        for _ in range(runs):
            for key, ((ours, ours_in), (theirs, theirs_in)) in cases.items():
                times[key][0].append(run(ours, env, ours_in))
                times[key][1].append(run(theirs, env, theirs_in))

    print(f"median of {runs} runs each, interleaved (python {sys.version.split()[0]})\n")
    print(f"{'command':<26}{'dlquiz':>10}{'minimal':>10}{'ratio':>8}{'target':>8}  result")
    for key, (ours, theirs) in times.items():
        a, b = statistics.median(ours), statistics.median(theirs)
        ratio = a / b
        label = {
            "--help": "dlquiz --help",
            "show": "dlquiz show bn-backward",
            "study": "dlquiz study (1st card)",
        }[key]
        verdict = "PASS" if ratio <= TARGETS[key] else "FAIL"
        print(
            f"{label:<26}{a * 1000:>8.0f}ms{b * 1000:>8.0f}ms{ratio:>7.2f}x{TARGETS[key]:>7.1f}x  {verdict}"
        )


if __name__ == "__main__":
    main()
