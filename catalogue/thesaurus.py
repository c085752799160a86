"""The shipped thesaurus (KBR's Belgian Bibliography classification, FR/NL/EN)."""
from __future__ import annotations

import json
from pathlib import Path

from .model import Concept

KBR = Path(__file__).resolve().parent / "data" / "kbr-thesaurus.jsonl"


def load_kbr() -> list[Concept]:
    with KBR.open(encoding="utf-8") as f:
        return [Concept.from_dict({k: v for k, v in json.loads(line).items() if k != "kind"}) for line in f]

