"""Rendering speed: CPU time to lay out every shipped question (``show``) in en, zh and both at 80 columns.

Line breaking got smarter (UAX #14 for Chinese, nothing cropped); this checks that it did not get slower.
Prints the best of N runs in ms per question (CPU time, so other processes on the machine matter less).
Run it against another checkout to compare: ``PYTHONPATH=/other/checkout python benchmarks/render.py``.

    python benchmarks/render.py [--runs 7] [--width 80]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from io import StringIO


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--width", type=int, default=80)
    args = parser.parse_args()
    os.environ["DLQUIZ_HOME"] = tempfile.mkdtemp(prefix="dlquiz-bench-")

    from rich.console import Console

    from dlquiz import catalog
    from dlquiz.render.cards import render_question

    questions = catalog.load([]).catalog
    for lang in ("en", "zh", "both"):
        times = []
        for _ in range(args.runs + 1):  # the first run warms caches (formulas, ICU) and is dropped
            start = time.process_time()
            for q in questions.questions:
                console = Console(file=StringIO(), width=args.width, color_system=None)
                render_question(console, questions, q, lang, {})
            times.append(time.process_time() - start)
        best = min(times[1:]) / len(questions.questions)
        print(f"{lang:5} {best * 1000:6.1f} ms per question (best of {args.runs}, {args.width} columns)")


if __name__ == "__main__":
    main()
