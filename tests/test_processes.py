"""How Vitrine's processes run: the cyclic garbage collector held back during bulk work, and given
back its thresholds when the last bulk work of the process ends, whatever stopped it."""
from __future__ import annotations

import gc
import threading

import pytest

from catalogue.ingest import IngestError, Record
from catalogue.processes import BULK_THRESHOLDS, bulk_work
from catalogue.services.imports import run_import


def test_bulk_work_holds_the_collector_back_until_the_last_bulk_work_running_ends():
    before = gc.get_threshold()
    entered, release = threading.Event(), threading.Event()
    seen = []

    def other_import():
        with bulk_work():
            entered.set()
            release.wait(10)
            seen.append(gc.get_threshold())

    thread = threading.Thread(target=other_import)
    with bulk_work():
        assert gc.get_threshold() == BULK_THRESHOLDS
        thread.start()
        assert entered.wait(10)
    assert gc.get_threshold() == BULK_THRESHOLDS  # the other import still runs
    release.set()
    thread.join(10)
    assert seen == [BULK_THRESHOLDS] and gc.get_threshold() == before


def _records(tmp_path, seen: list, bad: bool = False):
    """An institution and three of its objects (the last without a title when ``bad``), noting the
    collector's thresholds as the import reads each object."""
    yield Record({"kind": "institution", "id": "tides", "label": {"en": ["Tide museum"]}}, "tides.jsonl", 0, tmp_path)
    for n in range(3):
        seen.append(gc.get_threshold())
        label = {} if bad and n == 2 else {"en": [f"Tide table {n}"]}
        yield Record({"id": f"tide-{n}", "type": "image", "institution": "tides", "label": label},
                     "tides.jsonl", n + 1, tmp_path)


def test_an_import_runs_with_the_collector_held_back_and_gives_it_back_after(app, store, tmp_path):
    before, seen = gc.get_threshold(), []
    svc = app.extensions["vitrine"]
    run_import(svc.store, _records(tmp_path, seen), svc.media_dir)
    assert seen == [BULK_THRESHOLDS] * 3 and gc.get_threshold() == before
    assert store.get_object("tide-2").label == {"en": ["Tide table 2"]}


def test_an_import_that_fails_gives_the_collector_back_its_thresholds(app, tmp_path):
    before, seen = gc.get_threshold(), []
    svc = app.extensions["vitrine"]
    with pytest.raises(IngestError):
        run_import(svc.store, _records(tmp_path, seen, bad=True), svc.media_dir)
    assert seen == [BULK_THRESHOLDS] * 3 and gc.get_threshold() == before
    assert svc.store.get_object("tide-0") is None
