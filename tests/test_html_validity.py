"""Every page type's HTML, as Vitrine sends it in each language, is valid: html-validate (npm) with
the recommended rules, zero errors.

.htmlvalidate.json is JSON (no comments): the rules it turns off are listed with their reasons in
OFF below, and a test fails when the two disagree.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from support import ROOT

CONFIG = ROOT / ".htmlvalidate.json"
VALIDATOR = ROOT / "node_modules" / "html-validate" / "bin" / "html-validate.mjs"
LANGUAGES = ("en", "nl", "fr", "de")
# Each page type of the demo, once (the browser's accessibility test walks the same pages).
PAGES = {
    "home": "/",
    "search with results": "/search?q=birth",
    "search without results": "/search?q=zzqxv",
    "institution": "/institution/nasa",
    "collection": "/collection/kde-plasma-wallpapers",
    "object: picture": "/object/nasa-hubble-extreme-deep-field",
    "object: book": "/object/nasa-hubble-extreme-deep-field-plates",
    "object: 3D": "/object/smithsonian-pilot-whale-cranium",
    "object: in copyright": "/object/vitrine-composition-2026",
    "exhibitions": "/exhibitions",
    "exhibition": "/exhibition/origins",
    "error 404": "/nothing/here",
}
OFF = {
    "doctype-style": "a lowercase <!doctype html> is valid HTML: the rule is about style only",
    "no-trailing-whitespace": "whitespace that Jinja blocks leave at the end of lines is style, not validity",
    "long-title": "an object's title names the work, its maker and its institution (issue 11, item 13); "
                  "search engines shorten a long title, nothing breaks",
}


def url(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"




def test_every_rule_turned_off_says_why():
    rules = json.loads(CONFIG.read_text())["rules"]
    assert {name for name, level in rules.items() if level == "off"} == set(OFF)


def test_every_page_type_is_valid_html_in_every_language(demo_app, tmp_path: Path):
    client = demo_app.test_client()
    files = {}
    for lang in LANGUAGES:
        for name, path in PAGES.items():
            response = client.get(url(path, lang))
            assert response.status_code == (404 if name == "error 404" else 200), (name, lang)
            file = tmp_path / f"{len(files):02d}.html"
            file.write_text(response.get_data(as_text=True), encoding="utf-8")
            files[str(file)] = (name, lang)
    report = tmp_path / "report.json"  # a file: node cuts a large JSON report short on a pipe
    run = subprocess.run(["node", str(VALIDATOR), "--config", str(CONFIG), "--formatter", f"json={report}", *files],
                         capture_output=True, text=True, timeout=300)
    assert report.exists(), run.stdout + run.stderr
    errors = []
    for result in json.loads(report.read_text() or "[]"):
        lines = Path(result["filePath"]).read_text(encoding="utf-8").splitlines()
        for m in result["messages"]:
            line = lines[m["line"] - 1] if m.get("line") else ""
            if m["severity"] == 2:
                name, lang = files[result["filePath"]]
                errors.append(f"{name} ({lang}) line {m['line']}: {m['ruleId']}: {m['message']} | {line.strip()[:120]}")
    assert not errors, "\n".join(errors)

