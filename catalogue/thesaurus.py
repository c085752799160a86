"""The shipped thesaurus (KBR's Belgian Bibliography classification, FR/NL/EN)."""
from __future__ import annotations

import json
from pathlib import Path

from .model import Concept
from .store import Batch, Store

KBR = Path(__file__).resolve().parent / "data" / "kbr-thesaurus.jsonl"


def load_kbr() -> list[Concept]:
    with KBR.open(encoding="utf-8") as f:
        return [Concept.from_dict({k: v for k, v in json.loads(line).items() if k != "kind"}) for line in f]


def seed(store: Store) -> None:
    """Give a new catalogue the shipped thesaurus, so imports can use its subjects at once."""
    if not store.concepts_count():
        store.write(Batch(concepts=load_kbr()))
