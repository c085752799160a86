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
def serve(host: str, port: int, workers: int | None, threads: int) -> None:
    """Serve Vitrine with the production server (gunicorn)."""
    from gunicorn.app.base import BaseApplication

    app = current_app._get_current_object()
    workers = workers or 2 * (os.cpu_count() or 1)

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 60)

        def load(self):
            return app

    click.echo(f"Vitrine at http://{host}:{port}/  ({workers} workers x {threads} threads; Ctrl-C stops)")
    Server().run()


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
    try:
        result = run_import(
            svc.store, records, svc.media_dir,
            skip_invalid=skip_invalid, dry_run=dry_run, progress=bar.update,
        )
    except IngestError as exc:
        bar.close()
        fail(str(exc))
    bar.close()
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
