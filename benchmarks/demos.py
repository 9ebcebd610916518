"""Time every registered "prove it" demo: median wall time per demo over a few runs, and the total.

    python benchmarks/demos.py                  # all demos, 5 runs each
    python benchmarks/demos.py -n 10 saddle-escape optimizer-race
    python benchmarks/demos.py --blas-threads 1 # pin OpenBLAS/MKL/OpenMP threads before NumPy loads

Demos aim for well under 0.2 s each; slower ones are flagged. Timings depend on the machine and its
load: small matrix products in a multi-threaded BLAS can be much slower on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

BUDGET = 0.2  # seconds per demo run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="demo ids (default: all)")
    parser.add_argument("-n", "--repeat", type=int, default=5, help="runs per demo (default 5)")
    parser.add_argument("--seed", type=int, default=None, help="seed (default: each demo's own)")
    parser.add_argument("--blas-threads", type=int, default=None, help="set BLAS/OpenMP thread counts")
    args = parser.parse_args(argv)
    if args.blas_threads is not None:
        # must happen before NumPy is imported, which the registry does lazily below
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.blas_threads)

    from dlquiz.demos.registry import all_demos

    demos = all_demos()
    unknown = [i for i in args.ids if i not in demos]
    if unknown:
        print(f"unknown demo ids: {', '.join(unknown)}", file=sys.stderr)
        return 2
    chosen = args.ids or list(demos)
    width = max(len(i) for i in chosen)
    total = 0.0
    slow = []
    print(f"{'demo':<{width}}  median (ms)  min (ms)  checks")
    for demo_id in chosen:
        demo = demos[demo_id]
        times = []
        passed = True
        for _ in range(max(1, args.repeat)):
            start = time.perf_counter()
            result = demo.run(seed=args.seed)
            times.append(time.perf_counter() - start)
            passed = passed and result.passed
        median = statistics.median(times)
        total += median
        if median > BUDGET:
            slow.append(demo_id)
        status = "pass" if passed else "FAIL"
        print(f"{demo_id:<{width}}  {median * 1e3:11.1f}  {min(times) * 1e3:8.1f}  {status}")
    print(f"{'total (sum of medians)':<{width}}  {total * 1e3:11.1f}")
    if slow:
        print(f"over the {BUDGET:g} s budget: {', '.join(slow)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
