"""Importing our exports into a fresh Anki collection with the official ``anki`` package (test-only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

FIXTURE_BANK = Path(__file__).parent / "fixtures" / "export_bank.yaml"


@dataclass
class Imported:
    new: int
    updated: int
    duplicate: int
    conflicting: int


class AnkiCollection:
    """A throwaway collection; ``with AnkiCollection(path) as col:`` always closes it."""

    def __init__(self, path: Path):
        pytest.importorskip("anki")
        from anki.collection import Collection

        self.col = Collection(str(path))

    def __enter__(self) -> AnkiCollection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.col.close()

    def import_apkg(self, package: Path) -> Imported:
        from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

        options = ImportAnkiPackageOptions(merge_notetypes=True, with_scheduling=False)
        result = self.col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(package), options=options)
        )
        return _counts(result.log)

    def import_text(self, path: Path) -> Imported:
        from anki.collection import ImportCsvRequest

        meta = self.col.get_csv_metadata(path=str(path), delimiter=None)
        return _counts(self.col.import_csv(ImportCsvRequest(path=str(path), metadata=meta)).log)

    def notes(self) -> list[Any]:
        return [self.col.get_note(nid) for nid in self.col.find_notes("")]

    def note(self, guid: str) -> Any:
        found = [n for n in self.notes() if n.guid == guid]
        assert len(found) == 1, f"{len(found)} notes with guid {guid!r}"
        return found[0]

    def deck_names(self) -> set[str]:
        return {d.name for d in self.col.decks.all_names_and_ids()} - {"Default"}


def _counts(log: Any) -> Imported:
    return Imported(len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting))
