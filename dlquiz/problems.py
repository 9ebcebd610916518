"""What loading the banks found: the catalog and the problems of each file.

Apart from ``bank`` (which validates YAML) so that reading the bank cache needs neither the validator
nor its imports. Named tuples, not dataclasses: every command builds these two classes on start-up, and
a frozen dataclass costs about ten times as much to define.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from dlquiz.model import Catalog


class Problem(NamedTuple):
    file: str
    line: int
    path: str
    message: str
    severity: str = "error"  # or "warning"
    blocking: bool = True  # False: a dangling reference; check fails, but the question still loads

    def __str__(self) -> str:
        from dlquiz import sanitize

        # One record per line, whatever the file name or message holds (a newline would forge a record).
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.path}:" if self.path else ""
        tag = "" if self.severity == "error" else " warning:"
        return sanitize.name(f"{where}:{tag}{field} {self.message}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "path": self.path,
            "message": self.message,
            "severity": self.severity,
            "blocking": self.blocking,
        }


class LoadResult(NamedTuple):
    catalog: Catalog
    problems: list[Problem]
    files: list[str]  # every bank file looked at, valid or not

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]
