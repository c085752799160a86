"""What changed between two versions of a record: the revision list, the conflict page and the
audit trail all say it the same way.

Records are compared as their plain JSON (``to_dict``): a change is a dotted path (the same
field paths a ValidationError names, ``sections[0].items[2].caption.fr``) with the value before
and after. Lists of records (sections, items, metadata) are compared position by position.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_STAMPS = frozenset({"version", "created", "updated"})


@dataclass(frozen=True)
class FieldChange:
    path: str
    before: Any  # None: the field was not there
    after: Any  # None: the field is gone


def diff(before: dict, after: dict) -> list[FieldChange]:
    """The fields that differ between two records, in document order; stamps are not changes."""
    out: list[FieldChange] = []
    _walk("", {k: v for k, v in before.items() if k not in _STAMPS},
          {k: v for k, v in after.items() if k not in _STAMPS}, out)
    return out


def _walk(path: str, a: Any, b: Any, out: list[FieldChange]) -> None:
    if a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in dict.fromkeys([*a, *b]):
            _walk(f"{path}.{key}" if path else key, a.get(key), b.get(key), out)
    elif isinstance(a, list) and isinstance(b, list) and any(isinstance(v, dict) for v in a + b):
        for i in range(max(len(a), len(b))):
            _walk(f"{path}[{i}]", a[i] if i < len(a) else None, b[i] if i < len(b) else None, out)
    else:
        out.append(FieldChange(path, a, b))
