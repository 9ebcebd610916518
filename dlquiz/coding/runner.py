"""The judge's subprocess: ``python -m dlquiz.coding.runner DRILL FILE RESULT [MEMORY_MB]``.

The user's file runs here, never in the dlquiz process: an infinite loop is killed by the parent's
time limit, an allocation past the memory limit fails with MemoryError, and whatever it prints is
captured. The verdict is written as JSON to RESULT (stdout is the user's).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

OUTPUT_LIMIT = 4000  # characters of the user's own output kept in the verdict


def _limit_memory(megabytes: int) -> None:
    try:
        import resource
    except ImportError:  # not on Windows: the time limit still holds
        return
    # Counted on top of what the interpreter and NumPy already mapped, so the limit is the user's.
    mapped = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    limit = mapped + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run(drill_id: str, file: str, memory_mb: int) -> dict[str, Any]:
    import numpy  # noqa: F401  (imported before the memory limit: its own mappings are not the user's)

    from dlquiz.coding.judge import judge, user_traceback
    from dlquiz.coding.registry import all_drills

    drill = all_drills()[drill_id]
    path = str(Path(file).resolve())
    out = io.StringIO()
    started = time.perf_counter()
    result: dict[str, Any]
    _limit_memory(memory_mb)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            source = Path(path).read_text(encoding="utf-8")
            namespace: dict[str, Any] = {"__name__": "dlquiz_drill", "__file__": path}
            exec(compile(source, path, "exec"), namespace)  # the user's own file, in its own process
            result = judge(drill, namespace, path).to_dict()
        except SyntaxError as error:
            result = {"drill": drill_id, "passed": False, "checks": [], "mistake": None,
                      "error": f"SyntaxError: {error.msg} (line {error.lineno})"}  # fmt: skip
        except MemoryError:
            result = {"drill": drill_id, "passed": False, "checks": [], "mistake": None,
                      "error": f"MemoryError: ran out of memory (the limit is {memory_mb} MB)"}  # fmt: skip
        except Exception as error:  # raised while loading the file (top-level code)
            result = {"drill": drill_id, "passed": False, "checks": [], "mistake": None,
                      "error": user_traceback(error, path)}  # fmt: skip
    if result.get("error", "") and "MemoryError" in str(result["error"]):
        result["error"] = f"MemoryError: ran out of memory (the limit is {memory_mb} MB)"
    printed = out.getvalue()
    result["output"] = printed[:OUTPUT_LIMIT] + (
        "\n[output cut at 4000 characters]" if len(printed) > OUTPUT_LIMIT else ""
    )
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def main(argv: list[str]) -> int:
    drill_id, file, result_path = argv[:3]
    memory_mb = int(argv[3]) if len(argv) > 3 else 1024
    result = run(drill_id, file, memory_mb)
    Path(result_path).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
