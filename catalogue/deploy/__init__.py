"""Deployment files shipped with Vitrine, filled in with one catalogue's real paths."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent


def nginx_config(tile_dir: str, listen: str = "80", upstream: str = "127.0.0.1:5000", server_name: str = "_") -> str:
    """deploy/nginx.conf for this catalogue: tiles from ``tile_dir``, the rest proxied to ``upstream``.

    The upstream is named after the catalogue's tile folder, so the configurations of two
    catalogues can be included in one nginx.
    """
    text = (HERE / "nginx.conf").read_text()
    tiles = str(Path(tile_dir).resolve())
    for key, value in {
        "UPSTREAM_NAME": "vitrine_" + hashlib.sha1(tiles.encode()).hexdigest()[:10],
        "TILE_DIR": tiles,
        "LISTEN": listen,
        "UPSTREAM": upstream,
        "SERVER_NAME": server_name,
    }.items():
        text = text.replace(f"@{key}@", value)
    return text


def standalone_nginx(prefix: Path, servers: str) -> Path:
    """A whole nginx.conf around ``servers`` with every path inside ``prefix``.

    For running nginx as a child process, without root or a system service
    (the tests and the tile benchmark): ``nginx -p PREFIX -c`` the returned file.
    """
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes auto;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n  access_log off;\n  sendfile on;\n  keepalive_requests 100000;\n"
        f"  client_body_temp_path {prefix}/body;\n  proxy_temp_path {prefix}/proxy;\n"
        f"  fastcgi_temp_path {prefix}/fastcgi;\n  uwsgi_temp_path {prefix}/uwsgi;\n  scgi_temp_path {prefix}/scgi;\n"
        f"{servers}\n}}\n"
    )
    return conf
