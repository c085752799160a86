"""Deployment files shipped with Vitrine, filled in with one catalogue's real paths."""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def nginx_config(tile_dir: str, listen: str = "80", upstream: str = "127.0.0.1:5000", server_name: str = "_") -> str:
    """deploy/nginx.conf for this catalogue: tiles from ``tile_dir``, the rest proxied to ``upstream``."""
    text = (HERE / "nginx.conf").read_text()
    for key, value in {
        "TILE_DIR": str(Path(tile_dir).resolve()),
        "LISTEN": listen,
        "UPSTREAM": upstream,
        "SERVER_NAME": server_name,
    }.items():
        text = text.replace(f"@{key}@", value)
    return text
