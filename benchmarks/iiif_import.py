"""Import a 1,000-manifest IIIF collection served on 127.0.0.1 through `vitrine ingest iiif`.

The manifests are copies of shared-corpus manifests (Presentation 2 and 3, one to 65 canvases), each
with an id and a label of its own, listed by one Presentation 3 collection and served by a threaded
http.server. Each run imports them into a fresh temporary catalogue (the real command, in its own
process: store, index, tiles left to the lender) and, as the baseline measured in the same run, the
very same records from a JSON Lines file (`vitrine ingest json`): the ratio is what reading IIIF
over HTTP costs. Prints manifests/s, peak memory, store and index size, medians over --runs.
Targets: >= 50 manifests/s, peak memory <= 150 MB.

    .venv/bin/python benchmarks/iiif_import.py [--runs 3] [--manifests 1000]
"""
from __future__ import annotations

import argparse
import copy
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "data" / "iiif-manifests"
# Manifests of the corpus that import (tests/test_ingest_iiif.py), shaped like a museum's: most one to six
# canvases (paintings, prints, a few pages), some books of 20 to 36 pages; seven canvases a manifest on average.
SOURCES = [
    "p3/cookbook__0001-mvm-image__manifest.json",
    "p3/cookbook__0009-book-1__manifest.json",
    "p3/cookbook__0024-book-4-toc__manifest.json",
    "p3/cookbook__0234-provider__manifest.json",
    "p3/validator__3__full_example.json",
    "p3/cookbook__0005-image-service__manifest.json",
    "p3/cookbook__0008-rights__manifest.json",
    "p3/cookbook__0118-multivalue__manifest.json",
    "p3/cookbook__0029-metadata-anywhere__manifest.json",
    "p2/iiifapi__19__manifest.json",
    "p2/mirador__024.json",
    "p2/manifesto__anzacbulletin.json",
    "p2/manifesto__nga-highlights.json",
    "p2/mirador__BibliographicResource_3000126341277.json",
    "p2/manifesto__wunder.json",
    "p2/mirador__fg165hz3589.json",
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_port}"


def write_collection(folder: Path, base: str, count: int) -> tuple[str, int]:
    """``count`` manifests and the collection listing them: the collection's URL and the canvases in all."""
    sources = [json.loads((CORPUS / name).read_text(encoding="utf-8")) for name in SOURCES]
    (folder / "m").mkdir(parents=True)
    items, canvases = [], 0
    for n in range(count):
        document = copy.deepcopy(sources[n % len(sources)])
        url = f"{base}/m/{n}.json"
        if "@id" in document:  # Presentation 2
            document["@id"], document["label"] = url, f"Manifest {n}"
            canvases += sum(len(s.get("canvases", [])) for s in document.get("sequences", [])[:1])
        else:
            document["id"], document["label"] = url, {"en": [f"Manifest {n}"]}
            canvases += len(document.get("items", []))
        (folder / "m" / f"{n}.json").write_text(json.dumps(document), encoding="utf-8")
        items.append({"id": url, "type": "Manifest", "label": {"en": [f"Manifest {n}"]}})
    collection = {"@context": "http://iiif.io/api/presentation/3/context.json", "id": f"{base}/collection.json",
                  "type": "Collection", "label": {"en": ["Benchmark"]}, "items": items}
    (folder / "collection.json").write_text(json.dumps(collection), encoding="utf-8")
    return f"{base}/collection.json", canvases


def write_records(url: str, path: Path) -> int:
    """The records the IIIF import makes of ``url``, as a JSON Lines file (the baseline's input)."""
    from catalogue.ingest.iiif import read_iiif

    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in read_iiif(url):
            out.write(json.dumps(record.data, ensure_ascii=False) + "\n")
            count += 1
    return count


# The command, then its own peak memory on its last line of stderr (whatever it exits with).
_COMMAND = """import resource, sys
from catalogue.cli import main
try:
    main()
finally:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def vitrine(instance: Path, *args: str) -> dict:
    """One `vitrine` command in its own process: its time and its own peak memory."""
    env = dict(os.environ, VITRINE_INSTANCE=str(instance), PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _COMMAND, *args], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"vitrine {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return {"seconds": seconds, "peak_mb": int(done.stderr.strip().splitlines()[-1]) / 1024,
            "store_mb": sum(p.stat().st_size for p in instance.glob("vitrine.db*")) / 1e6,
            "index_mb": sum(p.stat().st_size for p in (instance / "index").rglob("*") if p.is_file()) / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--manifests", type=int, default=1000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vitrine-iiif-"))
    httpd = None
    try:
        httpd, base = serve(work / "site")
        url, canvases = write_collection(work / "site", base, args.manifests)
        records = work / "records.jsonl"
        write_records(url, records)
        imports, baselines = [], []
        for run in range(args.runs):
            imports.append(vitrine(work / f"iiif{run}", "ingest", "iiif", url))
            baselines.append(vitrine(work / f"json{run}", "ingest", "json", str(records)))
            shutil.rmtree(work / f"iiif{run}")
            shutil.rmtree(work / f"json{run}")
            print(f"run {run + 1}: {args.manifests / imports[-1]['seconds']:,.1f} manifests/s from IIIF, "
                  f"{args.manifests / baselines[-1]['seconds']:,.1f}/s from JSON Lines", file=sys.stderr)
        med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
        rate = args.manifests / med(imports, "seconds")
        base_rate = args.manifests / med(baselines, "seconds")
        print(json.dumps({"benchmark": "iiif_import", "runs": args.runs, "manifests": args.manifests,
                          "canvases": canvases}))
        print(f"{'':34}{'seconds':>9}{'manifests/s':>13}{'peak MB':>9}{'store MB':>10}{'index MB':>10}")
        for name, rows, r in (("vitrine ingest iiif (HTTP)", imports, rate),
                              ("baseline: ingest json (same records)", baselines, base_rate)):
            print(f"{name:34}{med(rows, 'seconds'):>9.1f}{r:>13,.1f}{med(rows, 'peak_mb'):>9.0f}"
                  f"{med(rows, 'store_mb'):>10.1f}{med(rows, 'index_mb'):>10.1f}")
        peak = med(imports, "peak_mb")
        print(f"IIIF rate / JSON Lines rate: {rate / base_rate:.3f}   target >= 50 manifests/s: "
              f"{'met' if rate >= 50 else 'NOT met'}; peak <= 150 MB: {'met' if peak <= 150 else 'NOT met'}")
    finally:
        if httpd:
            httpd.shutdown()
            httpd.server_close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
