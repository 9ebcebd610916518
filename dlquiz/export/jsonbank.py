"""The banks as JSON that ``dlquiz check`` and ``--bank`` read back (JSON is YAML, so the loader takes it).

One section gives a plain bank, valid against ``bank.schema.json`` on its own. Several sections give a
bundle, ``{"sections": [bank, ...]}``, each item a plain bank: the loader accepts this one extra form
(``bank.bank_parts``). The questions are written as loaded, so nothing is lost in the round trip.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from dlquiz import sanitize
from dlquiz.export import write_atomic
from dlquiz.model import Catalog


def banks(catalog: Catalog) -> dict[str, Any]:
    parts = []
    for s in catalog.sections:
        parts.append(
            {
                "section": {"id": s.id, "title": s.title.to_dict(), "order": s.order},
                "questions": [q.raw for q in catalog.questions if q.section == s.id],
            }
        )
    return parts[0] if len(parts) == 1 else {"sections": parts}


def write(
    catalog: Catalog, path: Path, lang: str = "en", fmt: str = "json", now: datetime | None = None
) -> dict[str, int]:
    text = sanitize.json_safe(json.dumps(banks(catalog), ensure_ascii=False, indent=1)) + "\n"
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return {"questions": len(catalog.questions), "drills": sum(len(q.drills) for q in catalog.questions)}
