"""How long the code-drill judge takes, per drill, against the floor of starting its subprocess.

For every drill, interleaved in one run so both share the machine's noise:

- judge: ``judge_file`` on the drill's reference solution (a subprocess that imports NumPy, loads the
  file and runs every check, gradient check and mistake search included);
- floor: the same subprocess start with nothing judged (``python -c "import numpy, dlquiz.coding.spec"``).

Prints the median of N runs per drill, the overall median, the ratio judge/floor, and PASS/FAIL against
the issue's target of under 2 s for one drill. Exits 0 either way (a benchmark, not a test).

    python benchmarks/code_judge.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from dlquiz.coding.registry import all_drills
    from dlquiz.coding.workspace import judge_file

    floor_cmd = [sys.executable, "-c", "import numpy, dlquiz.coding.spec"]
    rows, floors, judged = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for drill in all_drills().values():
            path = Path(tmp) / drill.file_name
            path.write_text(f"import numpy as np\n\n{drill.solution}", encoding="utf-8")
            times, base = [], []
            for _ in range(args.runs):
                t = time.perf_counter()
                subprocess.run(floor_cmd, check=True)
                base.append(time.perf_counter() - t)
                t = time.perf_counter()
                result = judge_file(drill.id, path)
                times.append(time.perf_counter() - t)
                assert result["passed"], (drill.id, result)
            rows.append((drill.id, statistics.median(times), statistics.median(base)))
            judged += times
            floors += base
    print(f"{'drill':18} {'judge':>8} {'floor':>8} {'ratio':>6}")
    for drill_id, t, b in rows:
        print(f"{drill_id:18} {t * 1000:7.0f}ms {b * 1000:7.0f}ms {t / b:5.2f}x")
    median, floor = statistics.median(judged), statistics.median(floors)
    worst = max(t for _, t, _ in rows)
    verdict = "PASS" if worst < TARGET_S else "FAIL"
    ratio = median / floor
    print(f"\nmedian judge time {median * 1000:.0f} ms (floor {floor * 1000:.0f} ms, ratio {ratio:.2f}x)")
    print(f"slowest drill {worst * 1000:.0f} ms; target < {TARGET_S:.0f} s per drill: {verdict}")


if __name__ == "__main__":
    main()
