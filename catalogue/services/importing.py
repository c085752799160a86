"""Imports started from the curator pages: uploads kept under the instance folder, a dry run, then on
confirmation the real import, each in a background thread of the web process, and a history.

An import job is a row of the store (:class:`~catalogue.store.ImportJob`); its worker writes where it
stands there about once a second (a heartbeat), from outside the import's own transaction. The
import itself is :meth:`Imports.run`, one transaction: a worker that dies leaves nothing half-written,
and its job, whose heartbeat stops, shows as interrupted and can be checked again.

A zip is read before anything of it is written: no member outside its folder, no links, at most
``IMPORT_ZIP_MAX_FILES`` members and ``IMPORT_ZIP_MAX_SIZE`` bytes once unpacked (counted as it is
unpacked, not taken from the zip's word). A job's files are removed when it ends or is abandoned.
"""
from __future__ import annotations

import logging
import re
import secrets
import shutil
import stat
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import urlsplit

from ..ingest import ImportResult, IngestError, Problem, Record
from ..ingest.csvfile import read_csv
from ..ingest.files import format_suffix
from ..ingest.iiif import read_iiif
from ..ingest.jsonfile import read_json
from ..ingest.mapping import read_mapped
from ..ingest.remote import FetchError, check_url
from ..model import User, is_id
from ..roles import is_admin, may_import, may_start_import, may_sync
from ..store import ImportJob, Store
from .imports import Imports

log = logging.getLogger(__name__)

KEPT = 24 * 3600  # seconds a checked job waits for its confirmation (or an interrupted one) before it is abandoned
STALE = 60  # seconds without a heartbeat after which a job's worker is taken for dead
TICK = 1.0  # seconds between two writes of a job's progress
PAGE_SIZE = 20
IDS_SHOWN = 500  # ids of each outcome (created, updated, unchanged, missing) a report keeps to show
MISSING = ("keep", "withdraw", "delete")
ACTIVE = ("queued", "checking", "running")
ENDED = ("done", "failed", "abandoned")
RECORDS = (".csv", ".json", ".jsonl", ".ndjson")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ImportRefused(Exception):
    """An import that cannot start (or go on) as asked; the message says why, for the page."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message, self.status = message, status


class Missing(Exception):
    """No such import job."""


class Forbidden(Exception):
    """The job is someone else's (only its own user and the admins act on it)."""


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the page hands it over: its name and its bytes."""

    name: str
    stream: IO[bytes]


@dataclass
class History:
    """One page of the import history, newest first."""

    jobs: list[ImportJob]
    page: int
    more: bool
    total: int


@dataclass
class _Progress:
    """What a worker has done so far (a keeper Progress); the ticker writes it to the job row."""

    job: ImportJob
    known_total: int | None = None  # the dry run's count of records, for the real run's checking phase
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, phase: str, total: int | None = None) -> None:
        with self.lock:
            self.job.phase, self.job.done = phase, 0
            self.job.total = self.known_total if total is None and phase == "checking" else total

    def advance(self, n: int = 1) -> None:
        with self.lock:
            self.job.done += n


def shown_status(job: ImportJob, now: float | None = None) -> str:
    """The job's status as people see it: an active job whose heartbeat stopped is interrupted."""
    if job.status in ACTIVE and (now or time.time()) - job.heartbeat > STALE:
        return "interrupted"
    return job.status


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _safe_name(name: str, default: str) -> str:
    """A file name of the upload's that cannot leave its folder."""
    base = _SAFE.sub("-", PurePosixPath(name.replace("\\", "/")).name).strip(".-")
    return base[:120] or default


class Importing:
    """The import page's operations: start a job, confirm it, abandon it, start it again, list them."""

    def __init__(self, store: Store, imports: Imports, config: dict[str, Any]):
        self.store, self.imports = store, imports
        self.folder = Path(config["IMPORT_DIR"])
        self.max_upload = int(config["IMPORT_MAX_UPLOAD"])
        self.zip_max_size = int(config["IMPORT_ZIP_MAX_SIZE"])
        self.zip_max_files = int(config["IMPORT_ZIP_MAX_FILES"])
        self._workers: dict[str, threading.Thread] = {}

    # -- reads ---------------------------------------------------------------------------------

    def job(self, job_id: str) -> ImportJob:
        job = self.store.get_import(job_id) if re.fullmatch(r"[0-9a-f]{16}", job_id) else None
        if job is None:
            raise Missing(job_id)
        return job

    def history(self, page: int = 1) -> History:
        self.sweep()
        page = max(1, page)
        total = self.store.count_imports()
        jobs = self.store.imports((page - 1) * PAGE_SIZE, PAGE_SIZE)
        return History(jobs, page, page * PAGE_SIZE < total, total)

    def sweep(self) -> list[str]:
        """Abandon the jobs left waiting (checked, never confirmed) or interrupted for over a day, their
        files removed; returns their ids. The history page and every new import run it."""
        now, gone = time.time(), []
        for job in self.store.imports(0, 1000, statuses=("checked", *ACTIVE)):
            waiting = job.status == "checked" or shown_status(job, now) == "interrupted"
            if waiting and now - job.heartbeat > KEPT:  # its worker's last sign of life
                job.status, job.finished = "abandoned", _now()
                self.store.put_import(job)
                shutil.rmtree(self.folder / job.id, ignore_errors=True)
                gone.append(job.id)
        return gone

    def wait(self, job_id: str, timeout: float | None = None) -> ImportJob:
        """The job once its worker is done with it (for commands and tests)."""
        worker = self._workers.get(job_id)
        if worker is not None:
            worker.join(timeout)
        return self.job(job_id)

    # -- writes --------------------------------------------------------------------------------

    def start(self, user: User, *, records: Upload | None = None, mapping: Upload | None = None,
              media: Upload | None = None, url: str = "", institution: str = "") -> ImportJob:
        """Keep the uploads (or the URL) as a new job and run its dry run in the background;
        ``institution``: the one that holds a IIIF import's objects (empty: each manifest's provider)."""
        if not may_start_import(user):
            raise Forbidden(user.name)
        self.sweep()
        url = url.strip()
        if url and (records or media or mapping):
            raise ImportRefused("give either a IIIF URL or files, not both")
        if url:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ImportRefused(f"{url[:200]!r} is not an http(s) URL")
            try:  # said at once; the import checks again on every connection (each redirect, member, image)
                check_url(url, self.imports.fetcher().allowed)
            except FetchError as exc:
                raise ImportRefused(f"{url[:200]}: {exc.message}") from None
            institution = institution.strip()
            if institution and not is_id(institution):
                raise ImportRefused(f"{institution[:200]!r} is not an institution id")
            return self._begin(ImportJob(secrets.token_hex(8), user.name, _now(), url[:2000], "iiif",
                                         params={"url": url, "institution": institution}))
        if records is None and media is None:
            raise ImportRefused("choose a records file (CSV, JSON or JSON Lines), a zip of media, or give a IIIF URL")
        if records is not None and format_suffix(Path(records.name)) not in RECORDS:
            raise ImportRefused(f"{records.name!r} is not a CSV, JSON or JSON Lines file (.gz allowed)")
        if media is not None and not media.name.lower().endswith(".zip"):
            raise ImportRefused(f"{media.name!r} is not a zip file")
        job = ImportJob(secrets.token_hex(8), user.name, _now(), "", "zip" if media else "", params={})
        folder = self.folder / job.id
        try:
            (folder / "files").mkdir(parents=True)
            left = self.max_upload
            if records is not None:
                name = _safe_name(records.name, "records")
                left -= self._save(records, folder / "files" / name, left)
                job.params["records"] = name
            if mapping is not None:  # in a folder of its own: its name may be the records file's
                name = f"mapping/{_safe_name(mapping.name, 'mapping.json')}"
                (folder / "mapping").mkdir()
                left -= self._save(mapping, folder / name, left)
                job.params["mapping"] = name
            if media is not None:
                self._save(media, folder / "media.zip", left)
                job.params["zip"] = "media.zip"
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        job.source = ", ".join(n for n in (records and records.name, mapping and mapping.name,
                                           media and media.name) if n)[:2000]
        job.kind = job.kind or ("csv" if format_suffix(Path(job.params["records"])) == ".csv" else "json")
        return self._begin(job)

    def confirm(self, job_id: str, user: User, skip_invalid: bool = False, missing: str = "keep") -> ImportJob:
        """Run a checked job's import for real (in the background); ``missing``: what becomes of the
        objects of the file's institutions that it lacks (kept, withdrawn, deleted)."""
        job = self._own(job_id, user)
        if job.status != "checked":
            raise ImportRefused("only a checked import can be confirmed", 409)
        if missing not in MISSING:
            raise ImportRefused(f"{missing[:50]!r} is not one of {', '.join(MISSING)}")
        if not may_sync(user, missing, job.report.get("scope_of", [])):
            raise Forbidden(job_id)
        if job.report.get("problems") and not skip_invalid:
            raise ImportRefused("this import has problems: fix them and import again, or skip the invalid records")
        if job.report.get("error"):
            raise ImportRefused("this import cannot run: " + job.report["error"])
        job.params.update(skip_invalid=skip_invalid, missing=missing)
        job.status = "running"
        return self._launch(job, dry_run=False)

    def discard(self, job_id: str, user: User) -> ImportJob:
        """Abandon a job that waits (checked) or whose worker died: its files go, nothing is imported."""
        job = self._own(job_id, user)
        if job.status not in ("checked",) and shown_status(job) != "interrupted":
            raise ImportRefused("only a checked or interrupted import can be abandoned", 409)
        job.status, job.finished = "abandoned", _now()
        self.store.put_import(job)
        shutil.rmtree(self.folder / job.id, ignore_errors=True)
        return job

    def restart(self, job_id: str, user: User) -> ImportJob:
        """Check an interrupted job again from its kept files (its import wrote nothing)."""
        job = self._own(job_id, user)
        if shown_status(job) != "interrupted":
            raise ImportRefused("only an interrupted import can be started again", 409)
        job.report, job.done, job.total, job.phase = {}, 0, None, ""
        return self._begin(job)

    # -- the work ------------------------------------------------------------------------------

    def _own(self, job_id: str, user: User) -> ImportJob:
        job = self.job(job_id)
        if job.user != user.name and not is_admin(user):
            raise Forbidden(job_id)
        return job

    def _save(self, upload: Upload, path: Path, left: int) -> int:
        """Copy an upload to ``path``, refusing it (413) once the job's uploads pass the limit."""
        written = 0
        with path.open("wb") as out:
            while chunk := upload.stream.read(1 << 20):
                written += len(chunk)
                if written > left:
                    raise ImportRefused(f"the upload is larger than the limit of {self.max_upload:,} bytes", 413)
                out.write(chunk)
        return written

    def _begin(self, job: ImportJob) -> ImportJob:
        job.status = "checking"
        return self._launch(job, dry_run=True)

    def _launch(self, job: ImportJob, dry_run: bool) -> ImportJob:
        job.heartbeat = time.time()
        self.store.put_import(job)
        worker = threading.Thread(target=self._work, args=(job, dry_run), name=f"import-{job.id}", daemon=True)
        self._workers[job.id] = worker
        worker.start()
        return job

    def _work(self, job: ImportJob, dry_run: bool) -> None:
        """The worker: the dry run (status checked) or the import (done), or failed with its reason."""
        progress = _Progress(job, known_total=job.report.get("read"))
        stop = threading.Event()
        ticker = threading.Thread(target=self._tick, args=(progress, stop), daemon=True)
        ticker.start()
        skip = bool(job.params.get("skip_invalid"))
        refused: list[Problem] = []
        read = [0]
        try:
            records = self._allowed(self._records(job), job, refused, read, strict=not dry_run and not skip)
            result = self.imports.run(records, skip_invalid=dry_run or skip, dry_run=dry_run,
                                      missing="keep" if dry_run else job.params.get("missing", "keep"),
                                      progress=progress)
            report = self._report(job, result, refused, read[0])
            status = "checked" if dry_run else "done"
        except IngestError as exc:
            report = self._report(job, ImportResult(skipped=exc.problems), refused, read[0])
            report["error"] = "nothing was imported: the records have problems"
            status = "checked" if dry_run else "failed"
        except ImportRefused as exc:
            report, status = {"error": exc.message}, "failed"
        except Exception as exc:  # a worker must leave its job failed with a reason, whatever broke
            log.exception("import %s failed", job.id)
            report, status = {"error": f"the import stopped: {exc}"}, "failed"
        stop.set()
        ticker.join()
        with progress.lock:
            job.report, job.status = report, status
            if status in ENDED:
                job.finished = _now()
            self.store.put_import(job)
        if status in ENDED:
            shutil.rmtree(self.folder / job.id, ignore_errors=True)
        self.store.close()  # this thread's connections

    def _tick(self, progress: _Progress, stop: threading.Event) -> None:
        """Write the job's progress and heartbeat about once a second until the work stops."""
        while not stop.wait(TICK):
            with progress.lock:
                progress.job.heartbeat = time.time()
                self.store.put_import(progress.job)
        self.store.close()

    def _records(self, job: ImportJob) -> Iterator[Record]:
        if job.kind == "iiif":
            holder = job.params.get("institution") or None
            yield from read_iiif(job.params["url"], fetcher=self.imports.fetcher(), institution=holder)
            return
        folder = self.folder / job.id
        files = folder / "files"
        if job.params.get("zip"):  # unpacked afresh for each run: a run killed half-way left what it left
            for path in list(files.iterdir()):
                if path.name != job.params.get("records"):
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
            self._unzip(folder / job.params["zip"], files)
        name = job.params.get("records") or self._records_in(files)
        path = files / name
        mapping = folder / job.params["mapping"] if job.params.get("mapping") else None
        if format_suffix(path) == ".csv":
            if mapping is None:
                raise ImportRefused(f"{name}: a CSV file needs its mapping (a JSON file naming each field's column)")
            yield from read_csv(path, mapping)
        else:  # another institution's shape through its mapping, or Vitrine's own
            yield from read_mapped(path, mapping) if mapping is not None else read_json(path)

    def _records_in(self, files: Path) -> str:
        """The one records file at the top of an unpacked zip."""
        found = sorted(p.name for p in files.iterdir() if p.is_file() and format_suffix(p) in RECORDS)
        if not found:
            raise ImportRefused("the zip has no records file at its top (.jsonl, .json or .csv): upload one beside it")
        if len(found) > 1:
            raise ImportRefused(f"the zip has several records files ({', '.join(found)}): upload one beside it")
        return found[0]

    def _unzip(self, path: Path, into: Path) -> None:
        """Unpack a zip of media into ``into``, checking every member before anything is written."""
        if not zipfile.is_zipfile(path):
            raise ImportRefused("the media file is not a zip archive (its content was checked, not its name)")
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > self.zip_max_files:
                raise ImportRefused(f"the zip holds {len(members):,} files; the limit is {self.zip_max_files:,}")
            if sum(m.file_size for m in members) > self.zip_max_size:
                raise ImportRefused(f"the zip unpacks to more than {self.zip_max_size:,} bytes: refused (a zip bomb?)")
            root = into.resolve()
            for member in members:
                target = (root / member.filename).resolve()
                if member.filename.startswith(("/", "\\")) or ".." in PurePosixPath(member.filename).parts \
                        or not target.is_relative_to(root):
                    raise ImportRefused(f"the zip member {member.filename!r} lies outside its folder: refused")
                if stat.S_ISLNK(member.external_attr >> 16):
                    raise ImportRefused(f"the zip member {member.filename!r} is a link: refused")
                if target.exists():
                    raise ImportRefused(f"the zip member {member.filename!r} is also uploaded beside it")
            left = self.zip_max_size
            for member in members:
                target = root / member.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, target.open("wb") as out:
                    while chunk := source.read(1 << 20):
                        left -= len(chunk)
                        if left < 0:
                            raise ImportRefused(f"the zip unpacks to more than {self.zip_max_size:,} bytes: "
                                                "refused (a zip bomb?)")
                        out.write(chunk)

    def _allowed(self, records: Iterator[Record], job: ImportJob, refused: list[Problem], read: list[int],
                 strict: bool) -> Iterator[Record]:
        """The records the job's user may import; the others become problems (roles.may_import).
        ``strict``: one refused record stops the import (nothing is written)."""
        user = self.store.get_user(job.user)
        for record in records:
            read[0] += 1
            data = record.data if isinstance(record.data, dict) else {}
            kind = data.get("kind", "object")
            institution = data.get("id") if kind == "institution" else data.get("institution")
            held_by = institution if isinstance(institution, str) else None
            if isinstance(kind, str) and not may_import(user, kind, held_by, iiif=job.kind == "iiif"):
                field_name = "id" if kind == "institution" else "kind" if kind == "exhibition" else "institution"
                what = {"exhibition": "an exhibition", "institution": f"the institution {institution!r}"}.get(
                    kind, f"records of {institution!r} (an editor imports their own institutions' records)")
                refused.append(Problem(record.file, record.row, field_name, f"{job.user} may not import {what}"))
                continue
            yield record
        if strict and refused:
            raise IngestError(refused)

    def _report(self, job: ImportJob, result: ImportResult, refused: list[Problem], read: int) -> dict:
        """What the page shows of a run: counts, every problem (file, row, field), what changed."""
        folder = f"{(self.folder / job.id).resolve()}/"
        files, mappings = folder + "files/", folder + "mapping/"

        def where(name: str) -> str:  # a file as it was uploaded, never the server's folder
            name = str(Path(name).resolve()) if name.startswith("/") else name
            return name.removeprefix(files).removeprefix(mappings).removeprefix(folder)

        def listed(found: list[Problem]) -> list[dict]:
            rows = sorted({(where(p.file), p.row, p.field, p.message) for p in found},
                          key=lambda p: (p[0], p[1] or 0, p[2]))
            return [{"file": f, "row": r, "field": fd, "message": m} for f, r, fd, m in rows]

        report: dict[str, Any] = {
            "read": read,
            "counts": {kind: n for kind, n in result.counts.items() if n},
            "problems": listed([*refused, *result.skipped]),
            "warnings": listed(result.warnings),  # imported anyway: unknown fields left out, a lookup file's doubts
        }
        for name in ("created", "updated", "unchanged", "missing"):
            ids = getattr(result, name)
            report[name] = len(ids)
            report.setdefault("ids", {})[name] = ids[:IDS_SHOWN]
        report.update(missing_action=result.missing_action, scope_of=result.scope_of)
        return report

