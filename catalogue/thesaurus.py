"""The shipped thesaurus (KBR's Belgian Bibliography classification, FR/NL/EN, with German labels
written for Vitrine, so a German reader's subjects are in German)."""
from __future__ import annotations

import json
from pathlib import Path

from .model import Concept

KBR = Path(__file__).resolve().parent / "data" / "kbr-thesaurus.jsonl"
KBR_DE = KBR.with_name("kbr-thesaurus-de.json")  # concept URI -> German label


def load_kbr() -> list[Concept]:
    german = json.loads(KBR_DE.read_text(encoding="utf-8"))
    with KBR.open(encoding="utf-8") as f:
        records = [{k: v for k, v in json.loads(line).items() if k != "kind"} for line in f]
    for record in records:
        if record["uri"] in german:
            record["label"]["de"] = [german[record["uri"]]]
    return [Concept.from_dict(record) for record in records]
