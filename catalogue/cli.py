"""The ``vitrine`` command: load, index, tile and serve a catalogue."""
from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

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


def register_commands(app: Flask) -> None:
    """Also offer the commands as ``flask --app wsgi ...``."""
    for command in main.commands.values():
        app.cli.add_command(command)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=None, type=int, help="Worker processes [default: 2 x cores].")
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
@click.option("--access-log", is_flag=True, help="Log every request to stdout (costs about a third of a tile's CPU).")
def serve(host: str, port: int, workers: int | None, threads: int, access_log: bool) -> None:
    """Serve Vitrine with the production server (gunicorn)."""
    from gunicorn.app.base import BaseApplication

    from pathlib import Path

    app = current_app._get_current_object()
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

    click.echo(f"Vitrine at http://{host}:{port}/  ({workers} workers x {threads} threads; Ctrl-C stops)")
    from .iiif.image import image_service

    image_service(app).catch_up()  # a killed writer's withdrawal, before nginx or a worker sends a tile
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


def fail(message: str) -> None:
    """Stop a command with a message and exit status 1, no traceback."""
    click.secho(message, fg="red", err=True)
    sys.exit(1)


# -- ingest ------------------------------------------------------------------

def _import(records, *, skip_invalid: bool, dry_run: bool, report: str | None, what: str) -> None:
    """Run an import with a progress bar and print what it did; problems exit with status 1."""
    from datetime import datetime
    from pathlib import Path

    from tqdm import tqdm

    from .ingest import IngestError, run_import

    svc = services()
    bar = tqdm(desc=f"checking {what}", unit=" records", dynamic_ncols=True, disable=None)
    def waiting(who: str) -> None:
        tqdm.write(f"waiting for another import or edit to finish ({who} is writing to this catalogue)...", sys.stderr)

    try:
        with svc.store.exclusive(waiting):
            result = run_import(
                svc.store, records, svc.media_dir,
                skip_invalid=skip_invalid, dry_run=dry_run, progress=bar.update, notify=False,
            )
    except IngestError as exc:
        bar.close()
        fail(str(exc))
    bar.close()
    if not dry_run:
        from .iiif.image import image_service

        image_service().withdraw()  # a work now in copyright: its full-size tiles go before we report success
    counts = ", ".join(f"{n} {kind}" for kind, n in result.counts.items() if n)
    if result.skipped:
        path = Path(report) if report else (
            Path(current_app.config["CACHE_DIR"]).parent / "reports" / f"ingest-{datetime.now():%Y%m%dT%H%M%S}.tsv"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            out.write("file\trow\tfield\tproblem\n")
            for p in result.skipped:
                out.write(f"{p.file}\t{p.row or ''}\t{p.field}\t{p.message}\n")
        click.secho(f"skipped {len(result.skipped)} invalid record(s); report: {path}", fg="yellow")
        for p in result.skipped[:10]:
            click.echo(f"  {p}")
    if dry_run:
        click.secho(f"dry run: {counts or 'nothing'} would be imported; nothing was written", fg="green")
        return
    written = result.written
    click.secho(
        f"imported {counts or 'nothing'}; objects and exhibitions: {written.created} created, "
        f"{written.updated} updated, {written.unchanged} unchanged",
        fg="green",
    )
    changed = {c.ref for c in written.changes if c.kind == "object"}
    if changed:
        # The search index and the tiles follow the store; here with progress bars.
        from .keeper import catch_up_index

        with tqdm(desc="indexing", unit=" objects", dynamic_ncols=True, disable=None) as bar:
            catch_up_index(svc.search, svc.store, progress=bar.update, total=lambda n: setattr(bar, "total", n))
        from .iiif.image import image_service

        with_images = dict.fromkeys(oid for media, oid, _ in svc.store.iter_media() if media.is_image and oid in changed)
        had_tiles = [oid for oid in image_service().tiles.object_ids() if oid in changed and oid not in with_images]
        if with_images or had_tiles:
            _cut_tiles([*with_images, *had_tiles])


def _import_options(command):
    command = click.option("--report", type=click.Path(dir_okay=False), help="Where --skip-invalid writes its report (TSV).")(command)
    command = click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")(command)
    command = click.option("--skip-invalid", is_flag=True, help="Import the valid records and report the others (default: all or nothing).")(command)
    return command


@main.group()
def ingest() -> None:
    """Import objects, exhibitions and concepts; re-importing an id updates it."""


@ingest.command("csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", required=True, type=click.Path(exists=True, dir_okay=False),
              help="JSON mapping of columns to fields (catalogue/mappings/tate.json for the Tate data).")
@_import_options
def ingest_csv(file: str, mapping: str, skip_invalid: bool, dry_run: bool, report: str | None) -> None:
    """Import a CSV file through a mapping file."""
    from pathlib import Path

    from .ingest.csvfile import read_csv

    _import(read_csv(Path(file), Path(mapping)), skip_invalid=skip_invalid, dry_run=dry_run, report=report, what=file)


@ingest.command("json")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_import_options
def ingest_json(file: str, skip_invalid: bool, dry_run: bool, report: str | None) -> None:
    """Import Vitrine JSON (.json: an array of records) or JSON Lines (.jsonl)."""
    from pathlib import Path

    from .ingest.jsonfile import read_json

    _import(read_json(Path(file)), skip_invalid=skip_invalid, dry_run=dry_run, report=report, what=file)


@ingest.command("folder")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--institution", required=True, help="Id of the institution the objects belong to (must exist).")
@click.option("--rights", default=None, help="Rights URI for every object (Creative Commons or RightsStatements.org).")
@click.option("--id-prefix", default="", help="Prefix for the object ids made from file names.")
@_import_options
def ingest_folder(folder: str, institution: str, rights: str | None, id_prefix: str,
                  skip_invalid: bool, dry_run: bool, report: str | None) -> None:
    """Import a folder of media: one object per file, one book per sub-folder."""
    from pathlib import Path

    from .ingest.folder import read_folder

    records = read_folder(Path(folder), institution, rights, id_prefix)
    _import(records, skip_invalid=skip_invalid, dry_run=dry_run, report=report, what=folder)


@main.command()
def demo() -> None:
    """Load the shipped demo collection (safe to run again: unchanged records stay as they are)."""
    from pathlib import Path

    from .ingest.jsonfile import read_json

    path = Path(current_app.config["DEMO_DIR"]) / "catalogue.jsonl"
    if not path.exists():
        fail(f"the demo collection is missing: {path}")
    _import(read_json(path), skip_invalid=False, dry_run=False, report=None, what="demo collection")


@main.command()
@click.option("--base-url", default=None, help="Base URL the static files will be served from [default: config BASE_URL].")
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

    from tqdm import tqdm

    from .iiif.publish import publish_all, static_urls

    configured = current_app.config.get("BASE_URL")
    base = base_url or configured
    if not base:
        fail("give --base-url (or set VITRINE_BASE_URL): static files need absolute ids")
    site = site_url or configured
    if not site:
        fail("give --site-url (or set VITRINE_BASE_URL): the live Vitrine that serves the images and media "
             "(a static host has no image server)")
    urls = static_urls(base, site, image_service)
    folder = Path(target or current_app.config["MANIFEST_DIR"])
    with tqdm(desc="publishing", unit=" documents", disable=None) as bar:
        done = publish_all(services(), urls, folder, progress=bar.update)
    removed = f"; removed {done.removed} no longer published" if done.removed else ""
    click.secho(f"wrote {done.written} IIIF documents under {folder}{removed}", fg="green")
    click.echo(f"entry point: {urls.collection()}; image services at {urls.images}")


# -- image tiles ---------------------------------------------------------------

@main.command()
@click.argument("ids", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every object with images; also removes tiles of images gone from the store.")
@click.option("--force", is_flag=True, help="Cut again even where the tiles are current.")
def tiles(ids: tuple[str, ...], everything: bool, force: bool) -> None:
    """Cut the IIIF tile pyramids of objects (ID ...) or of the whole catalogue (--all)."""
    from .iiif.image import image_service

    images = image_service()
    if everything == bool(ids):
        fail("give object ids, or --all")
    results = images.prune() if everything else []
    if everything:
        ids = tuple(dict.fromkeys(object_id for media, object_id, _ in images.store.iter_media() if media.is_image))
    _cut_tiles(ids, force, results)


def _cut_tiles(ids, force: bool = False, results: list | None = None) -> None:
    """Cut the pyramids of these objects with a progress bar, and say what happened."""
    from concurrent.futures import ThreadPoolExecutor

    from tqdm import tqdm

    from .iiif.image import image_service

    images = image_service()
    results = results if results is not None else []
    # Pillow decodes and encodes without the GIL: one thread per core cuts in parallel.
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool, \
            tqdm(total=len(ids), desc="cutting tiles", unit=" objects", disable=None) as bar:
        for done in pool.map(lambda object_id: images.cut_object(object_id, force), ids):
            results += done
            bar.update()
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
              help="Apply what the index has not seen yet (rebuilding when most of it changed) and remove "
                   "files a killed indexer left; `vitrine serve` runs this by itself when it starts.")
@click.option("--procs", default=min(2, os.cpu_count() or 1), show_default=True, type=int,
              help="Indexing processes for --rebuild.")
def index_command(rebuild: bool, catch_up: bool, procs: int) -> None:
    """Show the search index, or bring it up to the store (searches go on meanwhile)."""
    from tqdm import tqdm

    from .keeper import catch_up_index

    search, store = services().search, services().store
    if rebuild:
        with tqdm(total=store.count_objects(), desc="indexing", unit=" objects", disable=None) as bar:
            count = search.rebuild(progress=bar.update, procs=procs)
        search.clean()
        click.echo(f"{count} objects indexed")
    elif catch_up:
        with tqdm(desc="catching up", unit=" objects", disable=None) as bar:
            count = catch_up_index(search, store, progress=bar.update, total=lambda n: setattr(bar, "total", n))
        click.echo(f"{count} objects indexed")
    click.echo(f"{search.count()} objects in the search index, {store.count_objects()} in the store, "
               f"{search.pending()} changed since the index last caught up")


@main.command()
def rebuild() -> None:
    """Recreate every derived thing from the store and media/ alone: the search index, then the tiles.

    Manifests need no step: they are built on request and cached by object version.
    """
    from tqdm import tqdm

    from .iiif.image import image_service

    search, store = services().search, services().store
    with tqdm(total=store.count_objects(), desc="indexing", unit=" objects", disable=None) as bar:
        count = search.rebuild(progress=bar.update, procs=min(2, os.cpu_count() or 1))
    click.echo(f"search: {count} objects indexed")
    images = image_service()
    results = images.prune()
    ids = tuple(dict.fromkeys(object_id for media, object_id, _ in store.iter_media() if media.is_image))
    _cut_tiles(ids, force=True, results=results)
