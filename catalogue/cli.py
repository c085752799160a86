"""The ``vitrine`` command: load, index, tile and serve a catalogue."""
from __future__ import annotations

import os
import sys
import time
from typing import Any, NoReturn

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo

from .config import ensure_secret_key
from .services import services


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False)
@click.version_option(package_name="vitrine-catalogue", prog_name="vitrine")
def main() -> None:
    """Vitrine: a IIIF collection catalogue.

    Every command works on the catalogue named by VITRINE_INSTANCE (a folder),
    or on the project's own instance/ and media/ folders without it.
    """
    click.get_current_context().call_on_close(_close)


def _close() -> None:
    """At the end of every command: close the index and store it opened."""
    info = click.get_current_context().find_object(ScriptInfo)
    if info is not None:
        info.load_app().extensions["vitrine"].close()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=None, type=int, help="Worker processes [default: 2 x cores].")
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
@click.option("--access-log", is_flag=True, help="Log every request to stdout (costs about a third of a tile's CPU).")
def serve(host: str, port: int, workers: int | None, threads: int, access_log: bool) -> None:
    """Serve Vitrine with the production server (gunicorn)."""
    from pathlib import Path

    from gunicorn.app.base import BaseApplication

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # the app, not its proxy
    workers = workers or 2 * (os.cpu_count() or 1)
    # gunicorn's control socket lives with this catalogue, not under the home folder, so a second
    # instance never takes over the first one's (a Unix socket path has at most 107 bytes).
    control = Path(app.config["STORE_PATH"]).parent / "gunicorn.ctl"

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            if access_log:
                self.cfg.set("accesslog", "-")
            # Viewers fetch tiles in bursts on a few connections: keep them open longer than
            # nginx's upstream keepalive_timeout (4 s, deploy/nginx.conf) so nginx never reuses
            # a connection gunicorn is closing.
            self.cfg.set("keepalive", 5)
            self.cfg.set("timeout", 60)
            if "control_socket" in self.cfg.settings:
                if len(os.fsencode(control)) < 108:
                    control.parent.mkdir(parents=True, exist_ok=True)
                    self.cfg.set("control_socket", str(control))
                else:
                    self.cfg.set("control_socket_disable", True)

        def load(self):
            return app

    ensure_secret_key(app)  # before the workers fork: one key for all of them
    services().serve()
    click.echo(f"Vitrine at http://{host}:{port}/  ({workers} workers x {threads} threads; Ctrl-C stops)")
    keeper = _catch_up_beside()
    try:
        Server().run()
    finally:
        if keeper.poll() is None:
            keeper.kill()


def _catch_up_beside():
    """`vitrine index --catch-up` in a child process: an index left behind by a killed import or
    rebuild catches up while the server already answers (searches see the old index meanwhile)."""
    import subprocess

    from .processes import die_with_parent

    parent = os.getpid()
    return subprocess.Popen(
        [sys.executable, "-c", "from catalogue.cli import main; main()", "index", "--catch-up"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, preexec_fn=lambda: die_with_parent(parent),
    )


def fail(message: str) -> NoReturn:
    """Stop a command with a message and exit status 1, no traceback."""
    click.secho(message, fg="red", err=True)
    sys.exit(1)


# -- ingest ------------------------------------------------------------------

class _Lines:
    """Progress for a log, not a terminal: a line every PROGRESS_INTERVAL seconds and one at the end,
    with the phase, the count (of the total, when known) and the rate."""

    def __init__(self, desc: str, unit: str, total: int | None, interval: float):
        self.desc, self.unit, self.total, self.interval = desc, unit, total, interval
        self.n = 0
        self.started = self.said = time.monotonic()

    def update(self, n: int = 1) -> None:
        self.n += n
        if time.monotonic() - self.said >= self.interval:
            self._say()

    def _say(self) -> None:
        now = time.monotonic()
        self.said, elapsed = now, now - self.started
        of = f" of {self.total:,}" if self.total else ""
        share = f", {100 * self.n // self.total}%" if self.total else ""
        minutes, seconds = divmod(int(elapsed), 60)
        rate = self.n / elapsed if elapsed > 0 else 0.0
        click.echo(f"{self.desc}: {self.n:,}{of}{self.unit} ({rate:,.1f}/s{share}, {minutes}:{seconds:02d})",
                   err=True)

    def close(self) -> None:
        self._say()

    def __enter__(self) -> _Lines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _progress(desc: str, unit: str, total: int | None = None):
    """A tqdm bar on a terminal; elsewhere (a log, a pipe, cron) progress lines at a steady interval."""
    from tqdm import tqdm

    if sys.stderr.isatty():
        return tqdm(total=total, desc=desc, unit=unit, dynamic_ncols=True)
    return _Lines(desc, unit, total, float(current_app.config["PROGRESS_INTERVAL"]))


class _Bars:
    """A service's progress, one bar (or series of lines) per phase (checking, indexing, cutting tiles)."""

    def __init__(self, what: str):
        self.what = what
        self.bar: Any = None

    def start(self, phase: str, total: int | None = None) -> None:
        self.close()
        checking = phase == "checking"
        self.bar = _progress(f"{phase} {self.what}" if checking else phase,
                             " records" if checking else " objects", total)

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _waiting(who: str) -> None:
    from tqdm import tqdm

    tqdm.write(f"waiting for another import or edit to finish ({who} is writing to this catalogue)...", sys.stderr)


SHOWN_IDS = 10  # ids the command prints per outcome; --report has them all


def _import(records, *, what: str, skip_invalid: bool = False, dry_run: bool = False, report: str | None = None,
            prune: bool = False, delete_missing: bool = False, scope: str = "institution",
            allow_unknown_fields: bool = False) -> None:
    """Run an import with progress bars and print what it did; problems exit with status 1."""
    from .ingest import IngestError

    if prune and delete_missing:
        raise click.UsageError("--prune or --delete-missing: choose one (withdraw the missing objects, or delete them)")
    missing = "delete" if delete_missing else "withdraw" if prune else "keep"
    bars = _Bars(what)
    try:
        result = services().imports.run(records, skip_invalid=skip_invalid, dry_run=dry_run, missing=missing,
                                        scope=scope, progress=bars, waiting=_waiting,
                                        unknown_fields="warn" if allow_unknown_fields else "error")
    except IngestError as exc:
        fail(str(exc))
    finally:
        bars.close()
    if result.skipped or report:
        _write_report(result, report)
    _say_import(result)
    for warning in result.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    if result.tiles:
        _say_tiles(result.tiles)


def _ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN_IDS])
    return shown + (f", and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else "")


def _counted(what: str, created: int, updated: int, unchanged: int) -> str:
    return f"{what}: {created} created, {updated} updated, {unchanged} unchanged"


def _say_import(result) -> None:
    """What the import did (a dry run: would do), object by object, and what became of the missing ones."""
    counts = ", ".join(f"{n} {kind}" for kind, n in result.counts.items() if n)
    objects = _counted("objects", len(result.created), len(result.updated), len(result.unchanged))
    if result.dry_run:
        click.secho(f"dry run: {counts or 'nothing'} would be imported ({objects}); nothing was written", fg="green")
    else:
        written = result.written
        exhibitions = "; " + _counted("exhibitions", written.created - len(result.created),
                                      written.updated - len(result.updated),
                                      written.unchanged - len(result.unchanged)) if result.counts["exhibitions"] else ""
        click.secho(f"imported {counts or 'nothing'}; {objects}{exhibitions}", fg="green")
    for outcome in ("created", "updated"):
        if getattr(result, outcome):
            click.echo(f"  {outcome}: {_ids(getattr(result, outcome))}")
    if result.missing:
        n = len(result.missing)
        objects, are = (f"{n} object", "is") if n == 1 else (f"{n} objects", "are")
        of = (f"of {', '.join(result.scope_of)}" if result.scope == "institution"
              else f"of collection {', '.join(result.scope_of)}" if result.scope == "collection"
              else f"whose source starts with {result.scope_of[0]}")
        if result.missing_action == "keep":
            said = f"{objects} {of} {are} not in this file (--prune withdraws them, --delete-missing deletes them)"
        else:
            done = {"withdraw": ("would withdraw", "withdrew"), "delete": ("would delete", "deleted")}
            said = f"{done[result.missing_action][not result.dry_run]} {objects} {of} that {are} not in this file"
        click.secho(f"{said}: {_ids(result.missing)}", fg="yellow")


def _write_report(result, report: str | None) -> None:
    """Every id with what happened to it (a dry run: would happen), and every skipped record, as TSV."""
    from datetime import datetime
    from pathlib import Path

    path = Path(report) if report else (
        Path(current_app.config["CACHE_DIR"]).parent / "reports" / f"ingest-{datetime.now():%Y%m%dT%H%M%S}.tsv"
    )
    gone = {"keep": "missing", "withdraw": "withdrawn", "delete": "deleted"}[result.missing_action]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write("outcome\tid\tfile\trow\tfield\tproblem\n")
        for p in result.skipped:
            out.write(f"skipped\t\t{p.file}\t{p.row or ''}\t{p.field}\t{p.message}\n")
        for outcome, ids in (("created", result.created), ("updated", result.updated),
                             ("unchanged", result.unchanged), (gone, result.missing)):
            out.writelines(f"{outcome}\t{i}\t\t\t\t\n" for i in ids)
    if result.skipped:
        records = len({(p.file, p.row) for p in result.skipped})
        click.secho(f"skipped {records} invalid record(s) ({len(result.skipped)} problems); report: {path}",
                    fg="yellow")
        for p in result.skipped[:10]:
            click.echo(f"  {p}")
    else:
        click.echo(f"report: {path}")


def _import_options(command):
    """The options every ingest command takes, handed on to :func:`_import` as they are."""
    command = click.option("--scope", type=click.Choice(["institution", "collection", "source"]),
                           default="institution", show_default=True,
                           help="Which objects of the catalogue this import stands for: those of the institutions "
                                "or collections of its objects, or those whose source URL shares its objects' "
                                "source prefix.")(command)
    command = click.option("--delete-missing", is_flag=True,
                           help="Delete for good the objects of the scope that are not in this import.")(command)
    command = click.option("--prune", is_flag=True,
                           help="Withdraw (restorably) the objects of the scope that are not in this import.")(command)
    command = click.option("--report", type=click.Path(dir_okay=False),
                           help="Write every id with its outcome, and every skipped record, to this TSV file.")(command)
    command = click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")(command)
    command = click.option("--skip-invalid", is_flag=True,
                           help="Import the valid records and report the others (default: all or nothing).")(command)
    command = click.option("--allow-unknown-fields", is_flag=True,
                           help="Import records without the fields the schema does not know, "
                                "and list those (default: an unknown field is a problem).")(command)
    return command


@main.group()
def ingest() -> None:
    """Import objects, exhibitions and concepts; re-importing an id updates it."""


@ingest.command("csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", required=True, type=click.Path(exists=True, dir_okay=False),
              help="JSON mapping of columns to fields (catalogue/mappings/tate.json for the Tate data).")
@_import_options
def ingest_csv(file: str, mapping: str, **options) -> None:
    """Import a CSV file (or a gzip-compressed .csv.gz, read as it is) through a mapping file."""
    from pathlib import Path

    from .ingest.csvfile import read_csv

    _import(read_csv(Path(file), Path(mapping)), what=file, **options)


@ingest.command("json")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False),
              help="JSON mapping of another institution's records to fields, by path "
                   "(catalogue/mappings/tate-artworks.json for the Tate JSON); without it, Vitrine's own records.")
@_import_options
def ingest_json(file: str, mapping: str | None, **options) -> None:
    """Import Vitrine JSON (.json: an array of records) or JSON Lines (.jsonl), or either gzip-compressed (.gz)."""
    from pathlib import Path

    from .ingest.jsonfile import read_json
    from .ingest.mapping import read_mapped

    records = read_mapped(Path(file), Path(mapping)) if mapping else read_json(Path(file))
    _import(records, what=file, **options)


@ingest.command("folder")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--institution", required=True,
              help="Id of the institution the objects belong to (must exist: vitrine institutions add).")
@click.option("--rights", default=None, help="Rights URI for every object (Creative Commons or RightsStatements.org).")
@click.option("--id-prefix", default="", help="Prefix for the object ids made from file names.")
@_import_options
def ingest_folder(folder: str, institution: str, rights: str | None, id_prefix: str, **options) -> None:
    """Import a folder of media: one object per file, one book per sub-folder."""
    from pathlib import Path

    from .ingest.folder import read_folder

    records = read_folder(Path(folder), institution, rights, id_prefix)
    _import(records, what=folder, **options)


@ingest.command("iiif")
@click.argument("source")
@click.option("--institution", default=None,
              help="Id of an existing institution for every object (default: each manifest's provider).")
@click.option("--max-depth", type=click.IntRange(0), default=None,
              help="How many collections deep to follow (default 5).")
@click.option("--max-manifests", type=click.IntRange(1), default=None,
              help="How many manifests to read at most (default 10,000).")
@_import_options
def ingest_iiif(source: str, institution: str | None, max_depth: int | None, max_manifests: int | None,
                **options) -> None:
    """Import a IIIF Presentation 2 or 3 Manifest or Collection (an http(s) URL or a file); its images stay
    the lender's, painted by reference."""
    from tqdm import tqdm

    from .ingest import iiif

    def fetched(url: str) -> None:  # above the progress bar on a terminal, a line in a log
        tqdm.write(f"fetched {url}", sys.stderr)

    records = iiif.read_iiif(source, fetcher=services().fetcher(), institution=institution, fetched=fetched,
                             max_depth=iiif.MAX_DEPTH if max_depth is None else max_depth,
                             max_manifests=max_manifests or iiif.MAX_MANIFESTS)
    _import(records, what=source, **options)


@main.command()
def demo() -> None:
    """Load the shipped demo collection (safe to run again: unchanged records stay as they are)."""
    from pathlib import Path

    from .ingest.jsonfile import read_json

    path = Path(current_app.config["DEMO_DIR"]) / "catalogue.jsonl"
    if not path.exists():
        fail(f"the demo collection is missing: {path}")
    _import(read_json(path), what="demo collection")


@main.command()
@click.option("--base-url", default=None,
              help="Base URL the static files will be served from [default: config BASE_URL].")
@click.option("--site-url", default=None,
              help="The live Vitrine: media, object pages and records [default: config BASE_URL].")
@click.option("--image-service", default=None,
              help="Base URL of the image services, an image id is appended [default: SITE_URL/iiif/image].")
@click.option("--to", "target", default=None, type=click.Path(file_okay=False),
              help="Folder to write to [default: manifests/, or $VITRINE_INSTANCE/manifests].")
def publish(base_url: str | None, site_url: str | None, image_service: str | None, target: str | None) -> None:
    """Write every IIIF collection and manifest as static .json files (for any static host or a CDN).

    Each document is the file its id names (iiif/collection.json, iiif/object/<id>/manifest.json,
    ...), so a plain static server needs no rewrite rule. A static host has no image server: the
    documents name the image services, media and pages of the live Vitrine (--site-url) or an image
    server (--image-service). Files are replaced atomically.
    """
    from pathlib import Path


    configured = current_app.config.get("BASE_URL")
    base = base_url or configured
    if not base:
        fail("give --base-url (or set VITRINE_BASE_URL): static files need absolute ids")
    site = site_url or configured
    if not site:
        fail("give --site-url (or set VITRINE_BASE_URL): the live Vitrine that serves the images and media "
             "(a static host has no image server)")
    folder = Path(target or current_app.config["MANIFEST_DIR"])
    with _progress("publishing", " documents") as bar:
        done = services().publishing.publish(folder, base, site, image_service, progress=bar.update)
    removed = f"; removed {done.removed} no longer published" if done.removed else ""
    click.secho(f"wrote {done.written} IIIF documents under {folder}{removed}", fg="green")
    click.echo(f"entry point: {done.entry_point}; image services at {done.images}")


# -- image tiles ---------------------------------------------------------------

@main.command()
@click.argument("ids", nargs=-1)
@click.option("--all", "everything", is_flag=True,
              help="Every object with images; also removes tiles of images gone from the store.")
@click.option("--force", is_flag=True, help="Cut again even where the tiles are current.")
def tiles(ids: tuple[str, ...], everything: bool, force: bool) -> None:
    """Cut the IIIF tile pyramids of objects (ID ...) or of the whole catalogue (--all)."""
    if everything == bool(ids):
        fail("give object ids, or --all")
    bars = _Bars("")
    try:
        results = services().keeper.tiles(None if everything else list(ids), force, progress=bars)
    finally:
        bars.close()
    _say_tiles(results)


@main.command()
@click.argument("ids", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every object with remote images.")
@click.option("--dry-run", is_flag=True, help="Say which objects would be mirrored; fetch and write nothing.")
def mirror(ids: tuple[str, ...], everything: bool, dry_run: bool) -> None:
    """Copy loans' remote images (ID ... or --all) into this catalogue's own files and tiles, where their
    rights allow it (a Creative Commons licence or public-domain mark); the lender's URL stays recorded."""
    from .services.objects import UnknownObjects

    if everything == bool(ids):
        fail("give object ids, or --all")
    mirroring = services().mirroring
    try:
        done = mirroring.mirror(mirroring.candidates() if everything else ids, dry_run=dry_run)
    except UnknownObjects as exc:
        fail(str(exc))
    for m in done:
        word = "would mirror" if dry_run and m.status == "mirrored" else m.status
        click.echo(f"  {m.object_id}: {word} {', '.join(m.media)}" + (f": {m.reason}" if m.reason else ""))
    counts = {s: sum(m.status == s for m in done) for s in ("mirrored", "refused", "failed")}
    click.secho(("dry run: " if dry_run else "") + ", ".join(f"{n} {s}" for s, n in counts.items())
                + " (objects with remote images)", fg="yellow" if counts["refused"] or counts["failed"] else "green")
    if counts["failed"]:
        fail(f"{counts['failed']} object(s) could not be mirrored")


def _say_tiles(results) -> None:
    """Say what cutting tiles did; a failed image exits with status 1."""
    counts = {status: sum(r.status == status for r in results) for status in ("cut", "current", "removed", "failed")}
    click.echo("tiles: " + ", ".join(f"{n} {status}" for status, n in counts.items()) + " (images)")
    failed = [r for r in results if r.status == "failed"]
    if failed:
        fail("\n".join(f"  {r.media_id}: {r.message}" for r in failed))


@main.command("nginx-config")
@click.option("--listen", default="80", show_default=True, help="nginx listen address (port, or host:port).")
@click.option("--upstream", default="127.0.0.1:5000", show_default=True, help="Where `vitrine serve` listens.")
@click.option("--server-name", default="_", show_default=True)
def nginx_config(listen: str, upstream: str, server_name: str) -> None:
    """Print an nginx configuration for this catalogue: pre-cut tiles from disk, the rest from Vitrine.

    Include the output inside nginx's http { } block (e.g. /etc/nginx/conf.d/vitrine.conf).
    """
    from .deploy import nginx_config as render

    click.echo(render(current_app.config["TILE_DIR"], listen=listen, upstream=upstream, server_name=server_name))


@main.command("index")
@click.option("--rebuild", is_flag=True, help="Index every object of the store afresh.")
@click.option("--catch-up", "catch_up", is_flag=True,
              help="Apply what the index has not seen yet (rebuilding when most of it changed), remove "
                   "files a killed indexer left and tiles a killed import left; `vitrine serve` runs this "
                   "by itself when it starts.")
@click.option("--procs", default=min(2, os.cpu_count() or 1), show_default=True, type=int,
              help="Indexing processes for --rebuild.")
def index_command(rebuild: bool, catch_up: bool, procs: int) -> None:
    """Show the search index, or bring it up to the store (searches go on meanwhile)."""
    keeper = services().keeper
    bars = _Bars("")
    try:
        if rebuild:
            count = keeper.reindex(progress=bars, procs=procs)
        elif catch_up:
            count = keeper.catch_up(progress=bars).indexed
    finally:
        bars.close()
    if rebuild or catch_up:
        click.echo(f"{count} objects indexed")
    state = keeper.state()
    click.echo(f"{state.indexed} objects in the search index, {state.stored} in the store, "
               f"{state.pending} changed since the index last caught up")


@main.command()
def rebuild() -> None:
    """Recreate every derived thing from the store and media/ alone: the search index, then the tiles.

    Manifests need no step: they are built on request and cached by object version.
    """
    bars = _Bars("")
    try:
        kept = services().keeper.rebuild(progress=bars)
    finally:
        bars.close()
    click.echo(f"search: {kept.indexed} objects indexed")
    _say_tiles(kept.tiles)


# -- taking objects out --------------------------------------------------------

def _on_objects(operation: str, ids: tuple[str, ...], done_word: str) -> None:
    from .services.objects import UnknownObjects
    from .store import StoreError

    try:
        done = getattr(services().objects, operation)(ids)
    except (UnknownObjects, StoreError) as exc:
        fail(str(exc))
    click.secho(f"{done_word} {len(done)} object(s): {', '.join(done)}", fg="green")


@main.command()
@click.argument("ids", nargs=-1, required=True)
def withdraw(ids: tuple[str, ...]) -> None:
    """Take objects out of the public catalogue (pages, manifests and records answer 410 Gone);
    `vitrine restore` brings them back."""
    _on_objects("withdraw", ids, "withdrew")


@main.command()
@click.argument("ids", nargs=-1, required=True)
def restore(ids: tuple[str, ...]) -> None:
    """Bring withdrawn objects back into the catalogue."""
    _on_objects("restore", ids, "restored")


@main.command()
@click.argument("ids", nargs=-1, required=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(ids: tuple[str, ...], yes: bool) -> None:
    """Delete objects for good, withdrawn or not, with the media files imported for them."""
    if not yes:
        click.confirm(f"Delete {len(ids)} object(s) and their media files for good?", abort=True)
    _on_objects("delete", ids, "deleted")


# -- institutions and collections ------------------------------------------------

def _language_map(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    """--name LANG=TEXT options as a IIIF language map."""
    label: dict[str, list[str]] = {}
    for pair in pairs:
        lang, sep, text = pair.partition("=")
        if not sep or not lang.strip():
            raise click.BadParameter(f"{pair!r}: give LANG=TEXT (e.g. fr=Bibliothèque royale, none=KBR)",
                                     param_hint="--name")
        label.setdefault(lang.strip(), []).append(text.strip())
    return label


def _declare(add, *args) -> None:
    from .ingest import IngestError

    try:
        item = add(*args)
    except IngestError as exc:
        fail(str(exc))
    click.secho(f"{item.id}: {_name(item.label)}", fg="green")


def _name(label: dict[str, list[str]]) -> str:
    """The label in the catalogue's default language, else the first one it has."""
    default = current_app.config["DEFAULT_LANGUAGE"]
    values = label.get(default) or next(iter(label.values()), [""])
    return " / ".join(values)


_NAME = click.option("--name", "names", multiple=True, required=True, metavar="LANG=TEXT",
                     help="The name in one language (repeat for each language; 'none' for a name in no language).")


@main.group()
def institutions() -> None:
    """Declare and list the institutions that hold the works."""


@institutions.command("add")
@click.argument("institution_id", metavar="ID")
@_NAME
@click.option("--homepage", default=None, help="The institution's web site (an http or https URL).")
def institutions_add(institution_id: str, names: tuple[str, ...], homepage: str | None) -> None:
    """Declare an institution (adding an existing id renames it)."""
    _declare(services().institutions.add_institution, institution_id, _language_map(names), homepage)


@institutions.command("list")
def institutions_list() -> None:
    """Each institution: its id and name, tab-separated."""
    for institution in services().institutions.institutions():
        click.echo(f"{institution.id}\t{_name(institution.label)}")


@main.group()
def collections() -> None:
    """Declare and list the collections of the institutions."""


@collections.command("add")
@click.argument("collection_id", metavar="ID")
@_NAME
@click.option("--institution", required=True, help="Id of the institution it belongs to (must exist).")
def collections_add(collection_id: str, names: tuple[str, ...], institution: str) -> None:
    """Declare a collection of an institution (adding an existing id renames it)."""
    _declare(services().institutions.add_collection, collection_id, _language_map(names), institution)


@collections.command("list")
@click.option("--institution", default=None, help="Only this institution's collections.")
def collections_list(institution: str | None) -> None:
    """Each collection: its id, institution and name, tab-separated."""
    for collection in services().institutions.collections(institution):
        click.echo(f"{collection.id}\t{collection.institution}\t{_name(collection.label)}")


# -- users -----------------------------------------------------------------------

def _password(password_file: str | None) -> str:
    """The new password: the first line of ``password_file``, else asked twice without echo on the
    terminal. Never an option's value: a command line is seen by every user of the machine."""
    if password_file is not None:
        try:
            with open(password_file, encoding="utf-8") as f:
                return f.readline().rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read the password from {password_file}: {exc}")
    if not sys.stdin.isatty():
        fail("no terminal to ask the password on: give it in a file with --password-file FILE")
    return click.prompt("Password", hide_input=True, confirmation_prompt="Password again")


def _accounts(operation, *args, **kwargs):
    """An account operation, its refusal said as one line (exit status 1)."""
    from .model import ValidationError
    from .services.accounts import AccountError

    try:
        return operation(*args, **kwargs)
    except ValidationError as exc:
        fail(f"{exc.field}: {exc.message}" if exc.field else exc.message)
    except AccountError as exc:
        fail(str(exc))


def _sign_in_by(user) -> str:
    return ", ".join(way for way, has in (("password", user.password_hash), ("institutional", user.identity))
                     if has) or "none"


_PASSWORD_FILE = click.option("--password-file", type=click.Path(dir_okay=False), default=None,
                              help="Read the password from the first line of this file (else it is asked).")


@main.group()
def users() -> None:
    """The people who sign in to curate: accounts, roles, passwords, API tokens."""


@users.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, type=click.Choice(["admin", "editor", "curator"]),
              help="A role to hold (repeat for several).")
@click.option("--institution", "institutions", multiple=True, metavar="ID",
              help="An institution whose objects an editor edits (repeat for several).")
@click.option("--display-name", default="", help="The name shown on the pages.")
@click.option("--email", default=None)
@_PASSWORD_FILE
@click.option("--no-password", is_flag=True, help="No password: the user signs in institutionally only.")
def users_add(name: str, roles: tuple[str, ...], institutions: tuple[str, ...], display_name: str,
              email: str | None, password_file: str | None, no_password: bool) -> None:
    """Add a user who signs in with NAME."""
    if _accounts(services().accounts.get, name) is not None:
        fail(f"there is already a user {name!r}")
    password = None if no_password else _password(password_file)
    user = _accounts(services().accounts.add, name, password, roles=roles, institutions=institutions,
                     display_name=display_name, email=email)
    click.secho(f"added {user.name} ({', '.join(user.roles) or 'no role'})", fg="green")


@users.command("list")
def users_list() -> None:
    """Each user: name, display name, roles, institutions and how they sign in (tab separated)."""
    for user in services().accounts.users():
        click.echo("\t".join([user.name, user.display_name, ",".join(user.roles), ",".join(user.institutions),
                              _sign_in_by(user)]))


@users.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def users_remove(name: str, yes: bool) -> None:
    """Remove a user and their API tokens (what they changed keeps their name in the audit trail)."""
    if services().accounts.get(name) is None:
        fail(f"no user {name!r}")
    if not yes:
        click.confirm(f"Remove the user {name} and their API tokens?", abort=True)
    _accounts(services().accounts.remove, name)
    click.secho(f"removed {name}", fg="green")


@users.command("passwd")
@click.argument("name")
@_PASSWORD_FILE
def users_passwd(name: str, password_file: str | None) -> None:
    """Set a user's password; every session they have ends."""
    if services().accounts.get(name) is None:
        fail(f"no user {name!r}")
    _accounts(services().accounts.set_password, name, _password(password_file))
    click.secho(f"new password for {name}; their sessions have ended", fg="green")


@users.command("role")
@click.argument("name")
@click.option("--grant", "grants", multiple=True, type=click.Choice(["admin", "editor", "curator"]),
              help="A role to give.")
@click.option("--revoke", "revokes", multiple=True, type=click.Choice(["admin", "editor", "curator"]),
              help="A role to take away (with --institution: only those institutions).")
@click.option("--institution", "institutions", multiple=True, metavar="ID",
              help="An editor's institution to give (with --grant) or take away (with --revoke).")
def users_role(name: str, grants: tuple[str, ...], revokes: tuple[str, ...], institutions: tuple[str, ...]) -> None:
    """Grant or revoke a user's roles and an editor's institutions."""
    user = services().accounts.get(name)
    if user is None:
        fail(f"no user {name!r}")
    if not grants and not revokes:
        fail("say what to change: --grant ROLE or --revoke ROLE")
    roles, kept = list(user.roles), list(user.institutions)
    roles += [role for role in grants if role not in roles]
    if grants:
        kept += [i for i in institutions if i not in kept]
    if revokes and institutions:
        kept = [i for i in kept if i not in institutions]
    elif revokes:
        roles = [role for role in roles if role not in revokes]
    user = _accounts(services().accounts.set_roles, name, roles, kept)
    click.secho(f"{user.name}: {', '.join(user.roles) or 'no role'}"
                + (f" ({', '.join(user.institutions)})" if user.institutions else ""), fg="green")


@users.command("tokens")
@click.argument("name")
def users_tokens(name: str) -> None:
    """A user's API tokens: id, label, created and last used (tab separated)."""
    if services().accounts.get(name) is None:
        fail(f"no user {name!r}")
    for token in services().accounts.tokens(name):
        click.echo("\t".join([token.id, token.label, token.created, token.last_used or "never"]))


@users.command("revoke-token")
@click.argument("name")
@click.argument("token_id")
def users_revoke_token(name: str, token_id: str) -> None:
    """Revoke one of a user's API tokens (scripts using it are refused from now on)."""
    _accounts(services().accounts.revoke_token, name, token_id)
    click.secho(f"revoked token {token_id} of {name}", fg="green")
