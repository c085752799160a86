"""A bounded disk cache of rendered images, shared by every worker process.

Renders that no pre-cut tile answers are kept under CACHE_DIR/renders/{media id}/
so a repeat costs a file send; when the folder outgrows its budget the least
recently used files go first.
"""
from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from contextlib import suppress
from pathlib import Path

_TOUCH_AFTER = 3600  # refresh a hit's time at most hourly: recency, not a write per request


class RenderCache:
    def __init__(self, root: Path, max_bytes: int):
        self.root = Path(root)
        self.max_bytes = max_bytes
        self._written = 0
        self._lock = threading.Lock()

    def get(self, media_id: str, key: str, fmt: str) -> Path | None:
        path = self.root / media_id / f"{key}.{fmt}"
        try:
            st = path.stat()
        except OSError:
            return None
        if time.time() - st.st_mtime > _TOUCH_AFTER:
            with suppress(OSError):
                os.utime(path)
        return path

    def put(self, media_id: str, key: str, fmt: str, data: bytes) -> Path | None:
        """Keep a render; None when its folder vanished meanwhile (the image's pyramid was just cut, or
        its work withdrawn, by this or another process): the caller sends the render unkept."""
        path = self.root / media_id / f"{key}.{fmt}"
        tmp = path.with_name(f".{uuid.uuid4().hex}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except (FileNotFoundError, FileExistsError):
            # FileExistsError: mkdir found the folder, which was removed before it could check it is one.
            tmp.unlink(missing_ok=True)
            return None
        with self._lock:
            self._written += len(data)
            prune = self._written > self.max_bytes // 8
            if prune:
                self._written = 0
        if prune:
            self.prune()
        return path

    def remove(self, media_id: str) -> None:
        shutil.rmtree(self.root / media_id, ignore_errors=True)

    def prune(self) -> None:
        """Delete the least recently used renders until the cache is back under 80% of its budget."""
        files = []
        for dirpath, _, names in os.walk(self.root):
            for name in names:
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                files.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.max_bytes * 0.8:
                break
            try:
                os.unlink(path)
                total -= size
            except OSError:
                pass
