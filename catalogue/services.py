"""The services one application (or one CLI run) uses, built once by the factory."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from .iiif.documents import Documents
from .search import SearchBackend
from .store import Store


@dataclass
class Services:
    store: Store
    media_dir: Path
    documents: Documents
    search: SearchBackend


def services() -> Services:
    """The running application's services."""
    return current_app.extensions["vitrine"]
