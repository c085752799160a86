"""Configuration: defaults, the instance folder's vitrine.cfg, then VITRINE_* variables."""
from __future__ import annotations

from pathlib import Path

from catalogue import create_app


def test_zero_config_puts_runtime_files_in_the_instance(instance: Path):
    app = create_app({"INSTANCE": str(instance)})
    assert Path(app.config["STORE_PATH"]) == instance.resolve() / "vitrine.db"
    assert Path(app.config["MEDIA_DIR"]) == instance.resolve() / "media"
    assert app.config["COPYRIGHT_MAX_WIDTH"] == 800
    assert not (instance / "vitrine.db").exists()  # the factory opens nothing; the first use creates it


def test_instance_file_then_environment_override_defaults(instance: Path, monkeypatch):
    instance.mkdir(parents=True)
    (instance / "vitrine.cfg").write_text("COPYRIGHT_MAX_WIDTH = 640\nBASE_URL = 'https://a.example'\n")
    monkeypatch.setenv("VITRINE_INSTANCE", str(instance))
    monkeypatch.setenv("VITRINE_BASE_URL", "https://b.example")
    app = create_app()
    assert app.config["COPYRIGHT_MAX_WIDTH"] == 640
    assert app.config["BASE_URL"] == "https://b.example"


def test_two_instances_live_side_by_side(tmp_path: Path):
    from support import COLLECTION, import_file

    one = create_app({"INSTANCE": str(tmp_path / "one")})
    two = create_app({"INSTANCE": str(tmp_path / "two")})
    import_file(one, COLLECTION)
    assert one.extensions["vitrine"].store.count_objects() == 5
    assert two.extensions["vitrine"].store.count_objects() == 0
    assert not (tmp_path / "two" / "media" / "objects").exists()


def test_every_setting_is_read_by_the_code():
    """A default nobody reads is a promise the catalogue does not keep (BROWSE_PAGE_SIZE was one)."""
    from flask import Flask

    from catalogue.config import DEFAULTS, PROJECT_DIR

    code = "\n".join(p.read_text() for p in (PROJECT_DIR / "catalogue").rglob("*.py") if p.name != "config.py")
    unread = [key for key in DEFAULTS if key not in Flask.default_config and f'"{key}"' not in code]
    assert unread == []
