"""An exhibition of 200 items: its manifest's build time, save and publish latency, and curators
saving it at once.

1. Build time, cold (a new document cache each run), medians: the exhibition's Manifest (200 canvases,
   captions in four languages as summaries and commenting annotations, a Range per section), beside
   one demo object's manifest built the same way (the baseline, same run). Target: <= 50 ms.
2. Save and publish latency through the service layer (``services().exhibitions``: a curator's save
   with the version it read), medians.
3. N curators (real accounts; threads, each with its own store connection) for a fixed time, each
   reading the exhibition and saving it with the version it read: saves accepted, refused as stale, lost updates
   (an accepted save whose base was not the latest: two accepted saves from one base, or a version
   the final record does not account for) and errors. Targets: 0 lost, 0 errors.
4. With ``--http``: the same curators against `vitrine serve` (gunicorn) on 127.0.0.1, through the JSON
   API: GET /api/exhibitions/<slug> (its ETag), PUT it back with ``If-Match`` and the curator's
   ``Authorization: Bearer`` token; 200 accepted, 412 stale, 5xx and anything else counted apart.
   Targets: 0 lost, 0 5xx.

    .venv/bin/python benchmarks/exhibition.py [--items 200] [--editors 20] [--seconds 60] [--http]

Every loop is bounded in count and time.
"""
from __future__ import annotations

import argparse
import dataclasses
import http.client
import itertools
import json
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _load import free_port, start_vitrine, stop  # noqa: E402

SLUG = "bench-route"
LANGS = ("en", "nl", "fr", "de")
MAX_SAVES_PER_EDITOR = 5_000  # a bound besides the clock


def timed(fn, runs: int) -> float:
    """Median milliseconds of ``runs`` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def demo(work: Path) -> Path:
    """A fresh instance with the demo catalogue, as `vitrine demo` loads it."""
    from click.testing import CliRunner

    from catalogue.cli import main

    instance = work / "instance"
    result = CliRunner().invoke(main, ["demo"], env={"VITRINE_INSTANCE": str(instance)})
    assert result.exit_code == 0, result.output
    return instance


def open_services(instance: Path):
    """One catalogue's services with their own store connection (an editor's, or the bench's)."""
    from catalogue import create_app

    return create_app({"INSTANCE": str(instance)}).extensions["vitrine"]


def route(services, items: int):
    """An exhibition of ``items`` stops: the demo's images repeated, ten sections, every fifth a detail,
    each caption in four languages with a little HTML."""
    from catalogue.model import Exhibition, ExhibitionItem, Section

    works = [o for o in services.store.iter_objects() if o.images]
    stops = []
    for n, obj in zip(range(items), itertools.cycle(works)):
        image = obj.images[0]
        region = [0, 0, max(1, image.width // 2), max(1, image.height // 2)] if n % 5 == 4 else None
        caption = {lang: [f"Stop {n + 1} ({lang}): <b>{obj.id}</b>, <i>seen again</i>."] for lang in LANGS}
        stops.append(ExhibitionItem(object=obj.id, caption=caption, media=obj.media.index(image), region=region))
    per = -(-items // 10)
    sections = [Section(title={lang: [f"Section {s + 1} ({lang})"] for lang in LANGS},
                        introduction={lang: [f"Introduction {s + 1} ({lang})."] for lang in LANGS},
                        items=stops[s * per:(s + 1) * per]) for s in range(10) if stops[s * per:(s + 1) * per]]
    return Exhibition(slug=SLUG, title={lang: [f"Benchmark ({lang})"] for lang in LANGS},
                      summary={"en": ["Two hundred stops."]}, curators=["Bench"], status="published",
                      sections=sections)


# -- saving, with the version it started from ---------------------------------------------------

def curators(services, count: int) -> list:
    """``count`` curators (real accounts, curator role), each a curator of the exhibition."""
    users = [services.accounts.add(f"curator-{i}", roles=["curator"]) for i in range(count)]
    current = services.store.get_exhibition(SLUG)
    current.curators = [u.name for u in users]
    services.exhibitions.save(current, None, current.version)  # as the command line (an admin's act)
    return users


def latencies(services, user, runs: int) -> tuple[float, float]:
    """Median ms of a save (a caption changed) and of a publish or unpublish, each as ``user`` from the
    version it read (the read is part of the time: a save starts from one)."""
    n = itertools.count()

    def one_save() -> None:
        current = services.exhibitions.get(SLUG, user)
        current.sections[0].items[0].caption["en"] = [f"Edited {next(n)}"]
        services.exhibitions.save(current, user, current.version)

    def one_publish(published: bool) -> None:
        services.exhibitions.publish(SLUG, published, user, services.exhibitions.get(SLUG, user).version)

    flip = itertools.cycle([False, True])
    return timed(one_save, runs), timed(lambda: one_publish(next(flip)), runs)


# -- editors at once -----------------------------------------------------------------------------

@dataclasses.dataclass
class Tally:
    accepted_bases: list[int] = dataclasses.field(default_factory=list)
    stale: int = 0
    resent: int = 0  # requests sent again on a new connection: the server had closed the kept-alive one
    errors: Counter = dataclasses.field(default_factory=Counter)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


def editor(instance: Path, name: str, seconds: float, tally: Tally, ready: threading.Barrier) -> None:
    from catalogue.store import StaleVersion

    services = open_services(instance)
    user = services.accounts.get(name)  # the connection open before the clock starts
    ready.wait(timeout=120)
    deadline = time.monotonic() + seconds
    try:
        for n in range(MAX_SAVES_PER_EDITOR):
            if time.monotonic() > deadline:
                break
            try:
                current = services.exhibitions.get(SLUG, user)
                base = current.version
                current.summary = {"none": [f"{name} edit {n}"]}  # always a change: a new version
                services.exhibitions.save(current, user, base)
            except StaleVersion:
                with tally.lock:
                    tally.stale += 1
                continue
            except Exception as exc:  # noqa: BLE001 - a benchmark counts what went wrong
                with tally.lock:
                    tally.errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
                continue
            with tally.lock:
                tally.accepted_bases.append(base)
    finally:
        services.store.close()


def concurrent(instance: Path, users: list, seconds: float) -> dict:
    editors = len(users)
    services = open_services(instance)
    first = services.store.get_exhibition(SLUG).version
    tally = Tally()
    ready = threading.Barrier(editors + 1)
    threads = [threading.Thread(target=editor, args=(instance, user.name, seconds, tally, ready))
               for user in users]
    for t in threads:
        t.start()
    ready.wait(timeout=120)
    started = time.monotonic()
    for t in threads:
        t.join(timeout=seconds + 120)
    elapsed = time.monotonic() - started
    last = services.store.get_exhibition(SLUG).version
    services.store.close()
    accepted = len(tally.accepted_bases)
    twice = accepted - len(set(tally.accepted_bases))  # two saves accepted from one base: one overwrote
    unaccounted = max(0, accepted - (last - first))  # accepted saves the version history has no room for
    return {"accepted": accepted, "stale": tally.stale, "lost": max(twice, unaccounted),
            "errors": sum(tally.errors.values()), "kinds": dict(tally.errors), "seconds": elapsed}


# -- the same through the JSON API -------------------------------------------------------------

def http_editor(port: int, token: str, name: str, seconds: float, tally: Tally, ready: threading.Barrier,
                statuses: Counter) -> None:
    path = f"/api/exhibitions/{SLUG}"
    auth = {"Authorization": f"Bearer {token}"}
    client = {"conn": http.client.HTTPConnection("127.0.0.1", port, timeout=30)}

    def send(method: str, body: str | None = None, headers: dict | None = None):
        """One request; sent once more on a new connection when the server had closed the kept-alive
        one before reading it (RFC 9112 9.3.1: what HTTP clients do; gunicorn's gthread workers close
        idle keep-alive connections while every thread is busy, even one with a request waiting).
        A GET, and a PUT with If-Match, may be sent again: a second PUT of one base is refused (412)."""
        for attempt in (1, 2):
            try:
                client["conn"].request(method, path, body=body, headers={**auth, **(headers or {})})
                answer = client["conn"].getresponse()
                return answer, answer.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                client["conn"].close()
                client["conn"] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                if attempt == 2:
                    raise
                with tally.lock:
                    tally.resent += 1
        raise AssertionError("unreachable")

    ready.wait(timeout=120)
    deadline = time.monotonic() + seconds
    for n in range(MAX_SAVES_PER_EDITOR):
        if time.monotonic() > deadline:
            break
        try:
            read, raw = send("GET")
            if read.status != 200:
                raise RuntimeError(f"GET {read.status}")
            data, etag = json.loads(raw), read.getheader("ETag") or ""
            base = etag_version(etag)
            data["summary"] = {"none": [f"{name} edit {n}"]}
            saved, _ = send("PUT", json.dumps(data), {"If-Match": etag, "Content-Type": "application/json"})
        except Exception as exc:  # noqa: BLE001 - a benchmark counts what went wrong
            with tally.lock:
                tally.errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
            client["conn"].close()
            client["conn"] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        with tally.lock:
            statuses[saved.status] += 1
            if saved.status == 200:
                tally.accepted_bases.append(base)
            elif saved.status == 412:
                tally.stale += 1
            else:
                tally.errors[f"PUT {saved.status}"] += 1
    client["conn"].close()


def etag_version(etag: str) -> int:
    """The version an ETag of the API names (``"<slug>-<version>"``)."""
    found = re.search(r"-(\d+)\"?$", etag)
    if not found:
        raise ValueError(f"no version in ETag {etag!r}")
    return int(found.group(1))


def concurrent_http(instance: Path, users: list, seconds: float) -> dict:
    services = open_services(instance)
    tokens = {u.name: services.accounts.create_token(u.name, "benchmark")[1] for u in users}
    first = services.store.get_exhibition(SLUG).version
    services.store.close()
    port = free_port()
    server = start_vitrine(instance, port)
    try:
        tally, statuses = Tally(), Counter()
        ready = threading.Barrier(len(users) + 1)
        threads = [threading.Thread(target=http_editor,
                                    args=(port, tokens[u.name], u.name, seconds, tally, ready, statuses))
                   for u in users]
        for t in threads:
            t.start()
        ready.wait(timeout=120)
        started = time.monotonic()
        for t in threads:
            t.join(timeout=seconds + 120)
        elapsed = time.monotonic() - started
    finally:
        stop(server)
    services = open_services(instance)
    last = services.store.get_exhibition(SLUG).version
    services.store.close()
    accepted = len(tally.accepted_bases)
    return {"accepted": accepted, "stale": tally.stale,
            "lost": max(accepted - len(set(tally.accepted_bases)), max(0, accepted - (last - first))),
            "errors": sum(tally.errors.values()), "kinds": dict(tally.errors), "seconds": elapsed,
            "resent": tally.resent,
            "5xx": sum(c for status, c in statuses.items() if status >= 500)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--editors", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--http", action="store_true", help="also through the JSON API of `vitrine serve`")
    args = parser.parse_args()

    from catalogue.iiif.documents import Documents
    from catalogue.urls import Urls

    work = Path(tempfile.mkdtemp(prefix="vitrine-exhibition-"))
    try:
        instance = demo(work)
        services = open_services(instance)
        exhibition = route(services, args.items)
        services.exhibitions.save(exhibition)  # as the command line saves (no user)
        users = curators(services, args.editors)
        exhibition = services.store.get_exhibition(SLUG)
        urls = Urls("https://collections.example.org")
        baseline_id = exhibition.items[0].object

        def fresh() -> Documents:
            return Documents(services.store, services.access, 1000)

        obj_ms = timed(lambda: fresh().object_manifest(baseline_id, urls), args.runs)
        ex_ms = timed(lambda: fresh().exhibition_manifest(SLUG, urls), args.runs)
        body = fresh().exhibition_manifest(SLUG, urls).body
        print(f"Exhibition of {len(exhibition.items)} items in {len(exhibition.sections)} sections "
              f"({len(body) / 1024:,.0f} KiB manifest)")
        print("\nManifest build time, cold (ms, medians)")
        print(f"{'baseline: one object manifest':40}{obj_ms:>9.2f}")
        print(f"{'exhibition manifest (target <= 50)':40}{ex_ms:>9.2f}{ex_ms / obj_ms:>9.1f}x baseline")

        save_ms, publish_ms = latencies(services, users[0], args.runs)
        print("\nThrough services().exhibitions (ms, medians)")
        print(f"{'save (a caption changed)':40}{save_ms:>9.2f}{save_ms / obj_ms:>9.1f}x baseline")
        print(f"{'publish / unpublish':40}{publish_ms:>9.2f}{publish_ms / obj_ms:>9.1f}x baseline")
        services.store.close()

        r = concurrent(instance, users, args.seconds)
        print(f"\n{args.editors} curators saving at once for {r['seconds']:.0f} s, each from the version it read")
        print(f"{'accepted':>10}{'stale (refused)':>17}{'lost updates':>14}{'errors':>8}{'saves/s':>9}")
        print(f"{r['accepted']:>10}{r['stale']:>17}{r['lost']:>14}{r['errors']:>8}"
              f"{(r['accepted'] + r['stale']) / r['seconds']:>9.1f}")
        for kind, count in r["kinds"].items():
            print(f"  {count} x {kind}")
        if args.http:
            r = concurrent_http(instance, users, args.seconds)
            print(f"\nThe same through PUT /api/exhibitions/{SLUG} with If-Match and Bearer tokens "
                  f"(`vitrine serve`), {r['seconds']:.0f} s")
            print(f"{'accepted':>10}{'412 (stale)':>17}{'lost updates':>14}{'5xx':>8}{'errors':>8}{'saves/s':>9}")
            print(f"{r['accepted']:>10}{r['stale']:>17}{r['lost']:>14}{r['5xx']:>8}{r['errors']:>8}"
                  f"{(r['accepted'] + r['stale']) / r['seconds']:>9.1f}")
            print(f"  {r['resent']} requests sent again on a new connection (the server had closed the kept-alive one)")
            for kind, count in r["kinds"].items():
                print(f"  {count} x {kind}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
