"""Search benchmark on the Tate collection (69,202 objects), and on N times that.

    .venv/bin/python benchmarks/search.py                 # 1x and 5x
    .venv/bin/python benchmarks/search.py --scales 1      # 1x only

For each scale: the store import (timed on its own), the index rebuild
(objects/s), the index size, and the latency of a fixed set of realistic
queries (words, phrases, artists, misspellings, facets, year ranges, deep
cursor pages), each run once cold and once warm, as p50/p95 per kind. The
larger scale replicates every record under new ids. Targets (issue 3):
indexing >= 1,000 objects/s; p95 <= 50 ms at 69k; p95 at 5x <= 3x p95 at 1x.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalogue.model import (  # noqa: E402
    CollectionInfo,
    Concept,
    Creator,
    DigitalObject,
    Institution,
    MediaFile,
    MetadataEntry,
)
from catalogue.search import SearchRequest  # noqa: E402
from catalogue.search.whoosh import WhooshSearch as SearchIndex  # noqa: E402
from catalogue.store import Batch, Store  # noqa: E402
from catalogue.store.sqlite import SqliteStore  # noqa: E402

TATE = ROOT.parent / "shared" / "data" / "tate" / "artworks.jsonl.gz"
IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"
PUBLIC_DOMAIN = "http://creativecommons.org/publicdomain/mark/1.0/"
SUBJECT = "https://www.tate.org.uk/art/subjects/{}"
CHUNK = 20_000


# -- the Tate records as Vitrine objects ----------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unclassified"


def _leaves(node: dict, parent: dict | None = None):
    for child in node.get("children", []):
        if "children" in child:
            yield from _leaves(child, child)
        else:
            yield child, parent


def _pixels(mm: str | None) -> int:
    try:
        return max(400, int(float(mm) * 5))
    except (TypeError, ValueError):
        return 2000


def _year(value) -> int | None:
    """Tate's years are ints, digit strings, or text like "no date"."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def tate_object(rec: dict, copy: int) -> DigitalObject:
    """One Tate artwork record as a digital object (``copy`` > 0 gives it a new id)."""
    oid = rec["acno"] if copy == 0 else f"{rec['acno']}-{copy}"
    classification = rec.get("classification") or "unclassified"
    metadata = [
        MetadataEntry({"en": [label]}, value)
        for label, value in (
            ("Medium", {"en": [rec.get("medium")]} if rec.get("medium") else None),
            ("Dimensions", {"en": [rec.get("dimensions")]} if rec.get("dimensions") else None),
            ("Credit line", {"en": [" ".join(rec["creditLine"].split())]} if rec.get("creditLine") else None),
            ("Original title", {"none": [rec["foreignTitle"]]} if rec.get("foreignTitle") else None),
        )
        if value
    ]
    dates = rec.get("dateRange") or {}
    start, end = _year(dates.get("startYear")), _year(dates.get("endYear"))
    start, end = (start, end or start) if start is not None else (end, end)
    if start is not None and end < start:
        start, end = end, start  # a few records have them the wrong way round
    media = []
    if rec.get("thumbnailUrl"):
        media.append(MediaFile(f"{oid}-img", f"tate/{oid}.jpg", "image/jpeg",
                               _pixels(rec.get("width")), _pixels(rec.get("height"))))
    return DigitalObject(
        id=oid,
        type="3d" if classification == "sculpture" else "image",
        label={"en": [rec.get("title") or oid]},
        institution="tate",
        metadata=metadata,
        creators=[
            Creator(c["fc"], c.get("role"), None, [c["mda"]] if c.get("mda") and c["mda"] != c["fc"] else [])
            for c in rec.get("contributors", [])
            if c.get("fc")
        ],
        date=rec.get("dateText"),
        earliest=start,
        latest=end,
        collections=[_slug(classification)],
        subjects=[SUBJECT.format(leaf["id"]) for leaf, _ in _leaves(rec.get("subjects") or {})],
        rights=IN_COPYRIGHT if rec.get("thumbnailCopyright") else PUBLIC_DOMAIN,
        media=media,
        homepage=rec.get("url"),
    )


def tate_records() -> list[dict]:
    with gzip.open(TATE, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def import_tate(store: Store, records: list[dict], copies: int) -> float:
    """Write every record ``copies`` times; returns the seconds the store took."""
    concepts, collections = {}, {}
    for rec in records:
        for leaf, parent in _leaves(rec.get("subjects") or {}):
            concepts[leaf["id"]] = Concept(SUBJECT.format(leaf["id"]), {"en": [leaf["name"]]},
                                           SUBJECT.format(parent["id"]) if parent else None, "Tate")
        name = rec.get("classification") or "unclassified"
        collections[_slug(name)] = CollectionInfo(_slug(name), {"en": [name]}, "tate")
    elapsed = 0.0
    first = Batch(institutions=[Institution("tate", {"en": ["Tate"]})], collections=list(collections.values()),
                  concepts=list(concepts.values()))
    t = time.perf_counter()
    store.write(first)
    elapsed += time.perf_counter() - t
    for copy in range(copies):
        for start in range(0, len(records), CHUNK):
            batch = Batch(objects=[tate_object(r, copy) for r in records[start : start + CHUNK]])
            t = time.perf_counter()
            store.write(batch)
            elapsed += time.perf_counter() - t
    return elapsed


# -- the queries -------------------------------------------------------------------------

WORDS = [
    "landscape", "portrait", "sea", "church", "river", "horse", "woman", "flowers", "venice", "london", "mountain",
    "castle", "bridge", "tree", "boat", "abstract", "figure", "head", "study", "sketch", "cathedral", "sunset", "storm",
    "ship", "harbour", "cloud", "garden", "dog", "cow", "interior", "nude", "rome", "scotland", "wales", "lake",
    "waterfall", "mill", "windmill", "moon", "snow",
]
PHRASES = ['"oil paint"', '"river thames"', '"self portrait"', '"study for"', '"screenprint on paper"',
           '"graphite on paper"', '"watercolour on paper"', '"turner bequest"', '"the sea"', '"view of"',
           '"presented by"', '"bronze"', '"st paul"', '"isle of wight"', '"lake district"',
           '"etching on paper"', '"the artist"', '"crucifixion"', '"lithograph on paper"', '"mother and child"']
ARTISTS = ["turner", "constable", "blake", "hockney", "picasso", "henry moore", "gainsborough", "hogarth",
           "rothko", "francis bacon", "hepworth", "warhol", "rossetti", "millais", "whistler", "sargent",
           "stubbs", "reynolds", "lucian freud", "bridget riley", "paolozzi", "beuys", "matisse", "degas",
           "cezanne", "munch", "dali", "magritte", "kandinsky", "richard hamilton"]
MISSPELT = ["picaso", "constabel", "gainsborogh", "landscpe", "turnr", "rembrant", "hokney", "portait",
            "catedral", "watrcolour", "scupture", "mountian", "rosetti", "wistler", "stubs", "goge",
            "monet", "vangogh", "kandinski", "maggritte"]
FACETED = [
    ("landscape", {"collection": ["painting"]}), ("portrait", {"rights": ["open"]}),
    ("sea", {"type": ["image"]}), ("figure", {"type": ["3d"]}), ("head", {"type": ["3d"], "rights": ["in-copyright"]}),
    ("turner", {"creator": ["Joseph Mallord William Turner"]}), ("river", {"century": ["19"]}),
    ("abstract", {"century": ["20"]}), ("church", {"century": ["18", "19"]}), ("", {"collection": ["painting"]}),
    ("", {"type": ["3d"]}), ("", {"rights": ["in-copyright"], "century": ["20"]}), ("woman", {"has3d": ["yes"]}),
    ("study", {"collection": ["on-paper-unique"], "century": ["19"]}), ("", {"creator": ["Henry Moore OM, CH"]}),
    ("tree", {"subject": [SUBJECT.format(1050)]}), ("", {"century": ["unknown"]}),
    ("boat", {"rights": ["open"], "type": ["image"]}),
    ("london", {"collection": ["on-paper-print"]}),
    ("venice", {"creator": ["Joseph Mallord William Turner"], "century": ["19"]}),
    ("sketch", {"institution": ["tate"]}), ("flowers", {"collection": ["painting", "sculpture"]}),
    ("", {"subject": [SUBJECT.format(195)]}), ("nude", {"century": ["20", "21"]}),
    ("horse", {"collection": ["painting"], "rights": ["open"]}),
    ("mountain", {"century": ["19"], "type": ["image"]}), ("castle", {"collection": ["on-paper-unique"]}),
    ("moon", {"rights": ["in-copyright"]}), ("", {"has3d": ["yes"], "century": ["20"]}), ("cloud", {"century": ["19"]}),
    ("sea", {"hasimage": ["yes"]}), ("", {"medium": ["Oil paint on canvas"]}),
    ("", {"hasimage": ["no"], "century": ["19"]}),
]
PREFIXES = [("", "creator", "tur"), ("landscape", "creator", "c"), ("", "medium", "oil"), ("", "subject", "sea"),
            ("sea", "creator", ""), ("", "creator", "j"), ("portrait", "medium", "graph"), ("", "collection", "p")]
RANGES = [("landscape", 1800, 1850), ("", 1900, 1950), ("portrait", 1700, 1800), ("sea", 1820, 1830),
          ("", 1821, 1821), ("turner", 1790, 1800), ("abstract", 1950, 2000), ("", 1500, 1700),
          ("church", 1800, 1899), ("figure", 1960, 1970), ("", 1960, 1969), ("river", 1800, 1810),
          ("head", 1900, 2014), ("", 1800, 1900), ("study", 1830, 1840), ("boat", 1600, 1900),
          ("", 2000, 2014), ("woman", 1850, 1950), ("london", 1700, 1900), ("tree", 1750, 1850),
          ("", 1066, 1600), ("venice", 1819, 1845), ("storm", 1800, 1900), ("", 1914, 1918), ("garden", 1900, 2000)]
SORTED = [("landscape", "date"), ("turner", "-date"), ("", "title"), ("portrait", "title"), ("sea", "date"),
          ("", "date"), ("", "-date"), ("abstract", "title"), ("figure", "-date"), ("river", "title")]
DEEP = [("turner", "relevance"), ("", "title"), ("paper", "relevance"), ("landscape", "date"),
        ("sketchbook", "relevance"), ("graphite", "-date"), ("", "date"), ("study", "title"), ("figure", "relevance"),
        ("watercolour", "relevance")]
DEEP_PAGE = 50


def queries() -> list[tuple[str, SearchRequest]]:
    out = [("word", SearchRequest(q=w)) for w in WORDS]
    out += [("phrase", SearchRequest(q=p)) for p in PHRASES]
    out += [("artist", SearchRequest(q=a)) for a in ARTISTS]
    out += [("misspelt", SearchRequest(q=m)) for m in MISSPELT]
    out += [("facets", SearchRequest(q=q, filters=f)) for q, f in FACETED]
    out += [("years", SearchRequest(q=q, start=a, end=b)) for q, a, b in RANGES]
    out += [("sorted", SearchRequest(q=q, sort=s)) for q, s in SORTED]
    out += [("multi-word", SearchRequest(q=f"{a} {b}")) for a, b in zip(WORDS[::2], WORDS[1::2], strict=False)]
    return out


def _timed(index: SearchIndex, request: SearchRequest) -> tuple[tuple[float, float], object]:
    """(wall ms, CPU ms) of one search: on a shared machine the CPU time is the steadier figure."""
    t, c = time.perf_counter(), time.process_time()
    result = index.search(request)
    return ((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000), result


def run_queries(index: SearchIndex) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) ms per kind of query; deep pages timed at page DEEP_PAGE only."""
    times: dict[str, list[tuple[float, float]]] = {}
    for kind, request in queries():
        times.setdefault(kind, []).append(_timed(index, request)[0])
    for q, name, prefix in PREFIXES:
        t, c = time.perf_counter(), time.process_time()
        index.facet_values(SearchRequest(q=q), name, prefix, 50)
        times.setdefault("facet values", []).append(
            ((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000))
    for q, sort in DEEP:
        request = SearchRequest(q=q, sort=sort)
        first, result = _timed(index, request)
        times.setdefault("page 1 (of deep)", []).append(first)
        for _ in range(DEEP_PAGE - 2):
            request.cursor = result.next
            result = index.search(request)
        request.cursor = result.next
        times.setdefault(f"page {DEEP_PAGE}", []).append(_timed(index, request)[0])
    return times


def whoosh_native(directory: Path) -> dict[str, list[float]]:
    """The peer in the same run: Whoosh's own search (top 20 + exact total, no facets) of the plain queries."""
    from whoosh import index as whoosh_index
    from whoosh.qparser import AndGroup, MultifieldParser

    ix = whoosh_index.open_dir(str(directory))
    parser = MultifieldParser(["text", "text_en", "text_nl", "text_fr", "text_de"], ix.schema, group=AndGroup)
    times: dict[str, list[float]] = {}
    with ix.searcher() as searcher:
        for kind, request in queries():
            if kind in NATIVE_KINDS:
                t, c = time.perf_counter(), time.process_time()
                len(searcher.search(parser.parse(request.q), limit=20))
                times.setdefault(kind, []).append(((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000))
    return times


NATIVE_KINDS = ("word", "artist", "misspelt", "multi-word")


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# -- one scale ----------------------------------------------------------------------------

def bench(records: list[dict], copies: int, workdir: Path, procs: int) -> dict:
    folder = workdir / f"x{copies}"
    shutil.rmtree(folder, ignore_errors=True)
    store = SqliteStore(folder / "vitrine.db")
    count = len(records) * copies
    store_seconds = import_tate(store, records, copies)
    index = SearchIndex(folder / "index", store)
    cpu = _cpu()
    t = time.perf_counter()
    indexed = index.rebuild(procs=procs)
    index_seconds = time.perf_counter() - t
    index_cpu = _cpu() - cpu
    assert indexed == count, (indexed, count)
    size = sum(p.stat().st_size for p in (folder / "index").iterdir() if p.is_file())
    t = time.perf_counter()
    index.search(SearchRequest(q="warm"))
    open_seconds = time.perf_counter() - t
    cold = run_queries(index)
    warm = run_queries(index)
    native = whoosh_native(folder / "index")
    index.close()
    store.close()
    return dict(objects=count, store_rate=count / store_seconds, index_rate=count / index_seconds,
                index_seconds=index_seconds, index_cpu=index_cpu * 1000 / count, size=size, open=open_seconds,
                cold=cold, warm=warm, native=native)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the rebuild's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _p(pairs: list[tuple[float, float]], which: int) -> str:
    values = [pair[which] for pair in pairs]
    return f"{percentile(values, 50):.1f} / {percentile(values, 95):.1f}"


def table(results: dict[int, dict]) -> str:
    scales = sorted(results)
    lines = []
    head = ["", *[f"{results[s]['objects']:,} objects" for s in scales]]
    rows = [
        ("store import (objects/s)", lambda r: f"{r['store_rate']:,.0f}"),
        ("index rebuild (objects/s, wall)", lambda r: f"{r['index_rate']:,.0f}"),
        ("index rebuild CPU per object (ms, all processes)", lambda r: f"{r['index_cpu']:.2f}"),
        ("index rebuild (s)", lambda r: f"{r['index_seconds']:.1f}"),
        ("index size (MB)", lambda r: f"{r['size'] / 1e6:.0f}"),
        ("first search after opening (ms)", lambda r: f"{r['open'] * 1000:.0f}"),
    ]
    for label, fmt in rows:
        lines.append([label, *[fmt(results[s]) for s in scales]])
    kinds = list(results[scales[0]]["cold"])
    for run in ("cold", "warm"):
        every = {s: [t for k in kinds for t in results[s][run][k]] for s in scales}
        for which, unit in ((0, "wall"), (1, "CPU")):
            lines.append([f"{run}: all {len(every[scales[0]])} queries, {unit} p50 / p95 (ms)",
                          *[_p(every[s], which) for s in scales]])
        for kind in kinds:
            lines.append([f"{run}:   {kind} ({len(results[scales[0]][run][kind])}), wall p50 / p95",
                          *[_p(results[s][run][kind], 0) for s in scales]])
    for run in ("warm", "native"):
        same = {s: [t for k in NATIVE_KINDS for t in results[s][run][k]] for s in scales}
        label = "Vitrine (with facets)" if run == "warm" else "Whoosh's own search (no facets)"
        for which, unit in ((0, "wall"), (1, "CPU")):
            lines.append([f"{label}: {len(same[scales[0]])} plain queries, {unit} p50 / p95",
                          *[_p(same[s], which) for s in scales]])
    widths = [max(len(row[i]) for row in [head, *lines]) for i in range(len(head))]
    out = ["  ".join(c.ljust(w) for c, w in zip(head, widths, strict=True))]
    out += ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
            for row in lines]
    if len(scales) > 1:
        base, top = scales[0], scales[-1]
        for run in ("cold", "warm"):
            for which, unit in ((0, "wall"), (1, "CPU")):
                p95 = [percentile([t[which] for k in kinds for t in results[s][run][k]], 95) for s in (base, top)]
                out.append(f"{run}, {unit}: p95 at {top}x / p95 at {base}x = {p95[1] / p95[0]:.2f}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--procs", type=int, default=2, help="indexing processes for the rebuild")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N records (a quick trial)")
    args = parser.parse_args()
    records = tate_records()[: args.limit]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="vitrine-search-bench-"))
    results = {}
    for scale in args.scales:
        results[scale] = bench(records, scale, workdir, args.procs)
        print(f"done {scale}x: {results[scale]['objects']:,} objects", file=sys.stderr, flush=True)
    print(table(results))
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
