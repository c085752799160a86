"""Other institutions' IIIF (issue 13, item 7): `vitrine ingest iiif`, catalogue/ingest/iiif.py.

The shared corpus is served from 127.0.0.1 by the test (tests/iiif_corpus.py); nothing is fetched from
the internet (the documents' own ids, kept as the objects' sources, are never dereferenced).
"""
from __future__ import annotations

import copy
import json
import re
import socket
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from iiif_corpus import CORPUS, Corpus, corpus_files
from support import COLLECTION, assert_valid_presentation, dripping_server, import_file, local_fetcher, serving

from catalogue.cli import main
from catalogue.iiif.upgrade import upgrade
from catalogue.ingest import IngestError
from catalogue.ingest.iiif import read_iiif
from catalogue.model import is_language
from catalogue.services.imports import run_import

# Why a corpus document is refused: a part of the problem's text.
NO_IMAGE = "paints nothing (no image)"
COMPOSITION = "(a composition)"  # several images painted on one canvas
NOT_AN_IMAGE = "Vitrine imports images only"  # sound, video, text (PDF) or 3D on a canvas
NO_SIZE = "gives no width and height"  # a canvas without its size (3.0 requires it)
LABEL_NOT_A_MAP = "must be a language map"  # a 3.0 label that is a bare string
MEMBER_404 = "answered HTTP 404"  # a collection's member that is not in the corpus (served here as a 404)
NO_LABEL = "needs a label"  # a 2.x document without the label 3.0 requires (the upgrader says so)
EMPTY = "no manifest in it"
SERVICE_OBJECT = "lists services (an array)"  # a 3.0 image whose service is an object, not a list
RIGHTS = "is not a Creative Commons or RightsStatements.org URI"
NO_CANVAS = "has no canvas to show"
NO_URL = "has no http(s) URL"  # an image known only by a relative or non-web id
NOT_UTF8 = "is not UTF-8 text"
NOT_IIIF = "is not a IIIF Presentation document"
NO_VERSION = "names no version"  # a template's "{{ page.major }}" left in the @context
P4 = "is a Presentation 4 document"

# Every file of p2/ and p3/: how many objects it imports (a collection: its manifests), or why it is refused.
EXPECTED = {
    "p2/cookbook__0057-publishing-v2-and-v3__manifest-v2.json": 1,
    "p2/iiifapi__10__manifest.json": 1,
    "p2/iiifapi__11__manifest.json": 1,
    "p2/iiifapi__12__manifest.json": 1,
    "p2/iiifapi__13__manifest.json": 1,
    "p2/iiifapi__14__manifest.json": 1,
    "p2/iiifapi__15__manifest.json": 1,
    "p2/iiifapi__16__manifest.json": 1,
    "p2/iiifapi__17__manifest.json": 1,
    "p2/iiifapi__18__manifest.json": 1,
    "p2/iiifapi__19__manifest.json": 1,
    "p2/iiifapi__1__manifest.json": 1,
    "p2/iiifapi__20__manifest.json": 1,
    "p2/iiifapi__21__manifest.json": 1,
    "p2/iiifapi__22__manifest.json": 1,
    "p2/iiifapi__23__manifest.json": 1,
    "p2/iiifapi__24__manifest.json": 1,
    "p2/iiifapi__25__manifest.json": 1,
    "p2/iiifapi__26__manifest.json": 1,
    "p2/iiifapi__27__manifest.json": NO_IMAGE,
    "p2/iiifapi__28__manifest.json": 1,
    "p2/iiifapi__29__manifest.json": 1,
    "p2/iiifapi__2__manifest.json": 1,
    "p2/iiifapi__30__manifest.json": COMPOSITION,
    "p2/iiifapi__31__manifest.json": COMPOSITION,
    "p2/iiifapi__32__manifest.json": COMPOSITION,
    "p2/iiifapi__33__manifest.json": COMPOSITION,
    "p2/iiifapi__34__manifest.json": COMPOSITION,
    "p2/iiifapi__35__manifest.json": 1,
    "p2/iiifapi__36__manifest.json": 1,
    "p2/iiifapi__37__manifest.json": COMPOSITION,
    "p2/iiifapi__38__manifest.json": COMPOSITION,
    "p2/iiifapi__39__manifest.json": 1,
    "p2/iiifapi__3__manifest.json": 1,
    "p2/iiifapi__40__manifest.json": 1,
    "p2/iiifapi__41__manifest.json": 1,
    "p2/iiifapi__43__manifest.json": 1,
    "p2/iiifapi__44__manifest.json": 1,
    "p2/iiifapi__45__manifest.json": 1,
    "p2/iiifapi__46__manifest.json": 1,
    "p2/iiifapi__47__manifest.json": 1,
    "p2/iiifapi__48__manifest.json": 1,
    "p2/iiifapi__4__manifest.json": 1,
    "p2/iiifapi__51__manifest.json": 1,
    "p2/iiifapi__52__manifest.json": 1,
    "p2/iiifapi__54__manifest.json": 1,
    "p2/iiifapi__5__manifest.json": 1,
    "p2/iiifapi__61__manifest.json": 1,
    "p2/iiifapi__62__manifest.json": 1,
    "p2/iiifapi__63__manifest.json": 1,
    "p2/iiifapi__64__manifest.json": 1,
    "p2/iiifapi__65__manifest.json": 1,
    "p2/iiifapi__6__manifest.json": 1,
    "p2/iiifapi__7__manifest.json": 1,
    "p2/iiifapi__8__manifest.json": 1,
    "p2/iiifapi__9__manifest.json": 1,
    "p2/iiifapi__collection.json": NO_IMAGE,
    "p2/manifesto__aarau.json": 1,
    "p2/manifesto__anzacbulletin.json": 1,
    "p2/manifesto__attribution-without-label.json": 1,
    "p2/manifesto__audio.json": 1,
    "p2/manifesto__auth-all-acceptterms-with-svc-and-thumbs.json": 1,
    "p2/manifesto__auth-all-acceptterms.json": 1,
    "p2/manifesto__auth-all-caslogin-with-svc-and-thumbs.json": 1,
    "p2/manifesto__auth-all-caslogin.json": 1,
    "p2/manifesto__auth-clickthrough-and-cas.json": 1,
    "p2/manifesto__auth-clinical.json": 1,
    "p2/manifesto__auth-iiif-open-and-degraded.json": 1,
    "p2/manifesto__auth-iiif-singledegraded.json": 1,
    "p2/manifesto__auth-megamix.json": 1,
    "p2/manifesto__auth-open-and-clickthrough-and-cas.json": 1,
    "p2/manifesto__auth-open-and-clickthrough.json": 1,
    "p2/manifesto__auth-restricted-test.json": NO_IMAGE,
    "p2/manifesto__biocrats.json": 1,
    "p2/manifesto__correspondance.json": 1,
    "p2/manifesto__deephierarchytop.json": MEMBER_404,
    "p2/manifesto__empty-collection.json": EMPTY,
    "p2/manifesto__get-resource.json": 1,
    "p2/manifesto__herbal.json": 1,
    "p2/manifesto__horriblemurders.json": 1,
    "p2/manifesto__illustrationsofchina.json": 1,
    "p2/manifesto__manifest-with-thumbnail.json": NO_LABEL,
    "p2/manifesto__members-collection.json": MEMBER_404,
    "p2/manifesto__members-ranges.json": 1,
    "p2/manifesto__nested-bottom.json": MEMBER_404,
    "p2/manifesto__nested-middle.json": MEMBER_404,
    "p2/manifesto__nga-highlights.json": 1,
    "p2/manifesto__plato.json": 1,
    "p2/manifesto__presentation2-paging.json": 1,
    "p2/manifesto__pseudoalbert.json": 1,
    "p2/manifesto__sctagracilis.json": 1,
    "p2/manifesto__tankeryshouse.json": 1,
    "p2/manifesto__translations.json": NO_URL,
    "p2/manifesto__wellcomeapocalypse.json": 1,
    "p2/manifesto__wellcomecollection-firstmanifest.json": 1,
    "p2/manifesto__witnesstopeter.json": 1,
    "p2/manifesto__wunder.json": 1,
    "p2/mirador__001.json": 1,
    "p2/mirador__002.json": 1,
    "p2/mirador__015.json": 1,
    "p2/mirador__019.json": 1,
    "p2/mirador__024.json": 1,
    "p2/mirador__299843.json": 1,
    "p2/mirador__BibliographicResource_3000126341277.json": 1,
    "p2/mirador__Osbornfa1.json": 1,
    "p2/mirador__canvasService.json": 1,
    "p2/mirador__collection.json": NO_IMAGE,
    "p2/mirador__emptyCanvas.json": NO_IMAGE,
    "p2/mirador__fg165hz3589.json": 1,
    "p2/mirador__gau.json": COMPOSITION,
    "p2/mirador__iiifauth.json": NO_LABEL,
    "p2/mirador__minimumRequired.json": 1,
    "p2/mirador__multipleSequences.json": 1,
    "p2/mirador__sn904cj3429.json": 1,
    "p2/uv__iiif-collection.json": NO_LABEL,
    "p2/validator__1__manifest.json": 1,
    "p2/validator__2__manifest.json": 1,
    "p3/cookbook__0000_template__manifest.json": NO_CANVAS,
    "p3/cookbook__0001-mvm-image__manifest.json": 1,
    "p3/cookbook__0002-mvm-audio__manifest.json": NOT_AN_IMAGE,
    "p3/cookbook__0003-mvm-video__manifest.json": NOT_AN_IMAGE,
    "p3/cookbook__0004-canvas-size__manifest.json": 1,
    "p3/cookbook__0005-image-service__manifest.json": 1,
    "p3/cookbook__0006-text-language__manifest.json": 1,
    "p3/cookbook__0007-string-formats__manifest.json": 1,
    "p3/cookbook__0008-rights__manifest.json": 1,
    "p3/cookbook__0009-book-1__manifest.json": 1,
    "p3/cookbook__0010-book-2-viewing-direction__manifest-rtl.json": 1,
    "p3/cookbook__0010-book-2-viewing-direction__manifest-ttb.json": 1,
    "p3/cookbook__0011-book-3-behavior__manifest-continuous.json": 1,
    "p3/cookbook__0011-book-3-behavior__manifest-individuals.json": 1,
    "p3/cookbook__0013-placeholderCanvas__manifest.json": NOT_AN_IMAGE,
    "p3/cookbook__0014-accompanyingcanvas__manifest.json": NOT_AN_IMAGE,
    "p3/cookbook__0015-start__manifest.json": NOT_AN_IMAGE,
    "p3/cookbook__0017-transcription-av__manifest.json": NOT_AN_IMAGE,
    "p3/cookbook__0019-html-in-annotations__manifest.json": 1,
    "p3/cookbook__0021-tagging__manifest.json": 1,
    "p3/cookbook__0022-linking-with-a-hotspot__manifest.json": 1,
    "p3/cookbook__0024-book-4-toc__manifest.json": 1,
    "p3/cookbook__0025-newspaper-article-index__manifest.json": 1,
    "p3/cookbook__0026-toc-opera__manifest.json": NOT_AN_IMAGE,
    "p3/cookbook__0027-alternative-page-order__manifest.json": 1,
    "p3/cookbook__0029-metadata-anywhere__manifest.json": 1,
    "p3/cookbook__0030-multi-volume__collection.json": 2,
    "p3/cookbook__0030-multi-volume__manifest_v1.json": 1,
    "p3/cookbook__0030-multi-volume__manifest_v2.json": 1,
    "p3/cookbook__0031-bound-multivolume__manifest.json": 1,
    "p3/cookbook__0032-collection__collection.json": 2,
    "p3/cookbook__0032-collection__manifest-01.json": 1,
    "p3/cookbook__0032-collection__manifest-02.json": 1,
    "p3/cookbook__0033-choice__manifest.json": 1,
    "p3/cookbook__0035-foldouts__manifest.json": 1,
    "p3/cookbook__0036-composition-from-multiple-images__manifest.json": COMPOSITION,
    "p3/cookbook__0040-image-rotation-service__manifest-css.json": 1,
    "p3/cookbook__0040-image-rotation-service__manifest-service.json": 1,
    "p3/cookbook__0045-css__manifest.json": 1,
    "p3/cookbook__0046-rendering__manifest.json": 1,
    "p3/cookbook__0047-homepage__manifest.json": 1,
    "p3/cookbook__0053-seeAlso__manifest.json": 1,
    "p3/cookbook__0057-publishing-v2-and-v3__manifest-v3.json": 1,
    "p3/cookbook__0064-opera-one-canvas__manifest.json": COMPOSITION,
    "p3/cookbook__0065-opera-multiple-canvases__manifest.json": NOT_AN_IMAGE,
    "p3/cookbook__0068-newspaper__newspaper_issue_1-manifest.json": 1,
    "p3/cookbook__0068-newspaper__newspaper_issue_2-manifest.json": 1,
    "p3/cookbook__0068-newspaper__newspaper_title-collection.json": 2,
    "p3/cookbook__0074-multiple-language-captions__manifest.json": NOT_AN_IMAGE,
    "p3/cookbook__0103-poetry-reading-annotations__manifest.json": NOT_AN_IMAGE,
    "p3/cookbook__0117-add-image-thumbnail__manifest.json": 1,
    "p3/cookbook__0118-multivalue__manifest.json": 1,
    "p3/cookbook__0135-annotating-point-in-canvas__manifest.json": 1,
    "p3/cookbook__0139-geolocate-canvas-fragment__manifest.json": 1,
    "p3/cookbook__0154-geo-extension__manifest.json": 1,
    "p3/cookbook__0202-start-canvas__manifest.json": 1,
    "p3/cookbook__0219-using-caption-file__manifest.json": NOT_AN_IMAGE,
    "p3/cookbook__0229-behavior-ranges__manifest.json": NOT_AN_IMAGE,
    "p3/cookbook__0230-navdate__navdate-collection.json": 2,
    "p3/cookbook__0230-navdate__navdate_map_1-manifest.json": 1,
    "p3/cookbook__0230-navdate__navdate_map_2-manifest.json": 1,
    "p3/cookbook__0232-image-thumbnail-canvas__manifest-av.json": NOT_AN_IMAGE,
    "p3/cookbook__0232-image-thumbnail-canvas__manifest-image.json": 1,
    "p3/cookbook__0234-provider__manifest.json": 1,
    "p3/cookbook__0240-navPlace-on-canvases__manifest.json": 1,
    "p3/cookbook__0258-tagging-external-resource__manifest.json": 1,
    "p3/cookbook__0261-non-rectangular-commenting__manifest.json": 1,
    "p3/cookbook__0266-full-canvas-annotation__manifest.json": 1,
    "p3/cookbook__0269-embedded-or-referenced-annotations__manifest.json": 1,
    "p3/cookbook__0283-missing-image__manifest.json": NO_IMAGE,
    "p3/cookbook__0299-region__manifest.json": 1,
    "p3/cookbook__0306-linking-annotations-to-manifests__manifest.json": 1,
    "p3/cookbook__0309-annotation-collection__manifest.json": 1,
    "p3/cookbook__0318-navPlace-navDate__collection.json": 5,
    "p3/cookbook__0318-navPlace-navDate__manifest-1.json": 1,
    "p3/cookbook__0318-navPlace-navDate__manifest-2.json": 1,
    "p3/cookbook__0318-navPlace-navDate__manifest-3.json": 1,
    "p3/cookbook__0318-navPlace-navDate__manifest-4.json": 1,
    "p3/cookbook__0318-navPlace-navDate__manifest-5.json": 1,
    "p3/cookbook__0326-annotating-image-layer__manifest.json": 1,
    "p3/cookbook__0346-multilingual-annotation-body__manifest.json": 1,
    "p3/cookbook__0377-image-in-annotation__manifest.json": 1,
    "p3/cookbook__0434-choice-av__manifest.json": NOT_AN_IMAGE,
    "p3/cookbook__0464-reuse-manifest__manifest.json": 1,
    "p3/cookbook__0489-multimedia-canvas__manifest.json": COMPOSITION,
    "p3/cookbook__0540-link-for-opening-multiple-canvases__manifest-2.json": 1,
    "p3/cookbook__0540-link-for-opening-multiple-canvases__manifest.json": 1,
    "p3/cookbook__0560-resources-on-a-timeline__manifest.json": COMPOSITION,
    "p3/cookbook__0561-text-on-image__manifest.json": COMPOSITION,
    "p3/manifesto__RHUL.json": NOT_AN_IMAGE,
    "p3/manifesto__YaleCanterburyTalesV3ProviderNoLogo.json": 1,
    "p3/manifesto__cats.json": NO_SIZE,
    "p3/manifesto__choice.json": 1,
    "p3/manifesto__default-label.json": NO_SIZE,
    "p3/manifesto__logo.json": NOT_AN_IMAGE,
    "p3/manifesto__lunchroom-manners.json": LABEL_NOT_A_MAP,
    "p3/manifesto__max-width-image-api-3.json": 1,
    "p3/manifesto__pres3-annotations-embedded.json": 1,
    "p3/manifesto__pres3-av-basic.json": LABEL_NOT_A_MAP,
    "p3/manifesto__pres3-collection2.json": EMPTY,
    "p3/manifesto__pres3-collection4.json": MEMBER_404,
    "p3/manifesto__pres3-pdf.json": LABEL_NOT_A_MAP,
    "p3/manifesto__pres3.json": RIGHTS,
    "p3/manifesto__presentation3-paging.json": 1,
    "p3/manifesto__required-statement.json": NOT_AN_IMAGE,
    "p3/manifesto__riksmuseum-image-api-v3-thumbnails.json": 1,
    "p3/mirador__0001-mvm-image.json": 1,
    "p3/mirador__0002-mvm-audio.json": NOT_AN_IMAGE,
    "p3/mirador__001.json": SERVICE_OBJECT,
    "p3/mirador__0015-start.json": COMPOSITION,
    "p3/mirador__fallback-image.json": 1,
    "p3/mirador__hamilton.json": COMPOSITION,
    "p3/mirador__text-pdf.json": NOT_AN_IMAGE,
    "p3/mirador__with_a_provider.json": LABEL_NOT_A_MAP,
    "p3/prezi3__0003-mvm-video.json": NOT_AN_IMAGE,
    "p3/prezi3__mcinnis-39-v3.json": 1,
    "p3/validator__3__accompanyingCanvas.json": NOT_AN_IMAGE,
    "p3/validator__3__anno_source.json": 1,
    "p3/validator__3__choice.json": NOT_AN_IMAGE,
    "p3/validator__3__collection.json": MEMBER_404,
    "p3/validator__3__collection_of_collections.json": MEMBER_404,
    "p3/validator__3__extension_anno.json": 1,
    "p3/validator__3__full_example.json": 1,
    "p3/validator__3__multi_bodies.json": COMPOSITION,
    "p3/validator__3__navPlace.json": 1,
    "p3/validator__3__old_cc_license.json": 1,
    "p3/validator__3__placeholderCanvas.json": NOT_AN_IMAGE,
    "p3/validator__3__point_selector.json": 1,
    "p3/validator__3__publicdomain.json": 1,
    "p3/validator__3__range_range.json": 1,
    "p3/validator__3__rightsstatement_license.json": 1,
    "p3/validator__3__simple_video.json": NOT_AN_IMAGE,
    "p3/validator__3__version2image.json": 1,
}

# Every file of invalid/: why it is refused.
INVALID = {
    "invalid/manifesto__potterselectric.json": NOT_UTF8,
    "invalid/mirador__broken.json": NOT_IIIF,
    "invalid/validator__3__broken_choice.json": NOT_AN_IMAGE,
    "invalid/validator__3__broken_collection.json": MEMBER_404,
    "invalid/validator__3__broken_embedded_annos.json": NOT_AN_IMAGE,
    "invalid/validator__3__broken_service.json": SERVICE_OBJECT,
    "invalid/validator__3__broken_simple_image.json": NO_VERSION,
    "invalid/validator__3__collection_of_canvases.json": EMPTY,
    "invalid/validator__3__non_cc_license.json": RIGHTS,
    "invalid/validator__3__old_format_label.json": LABEL_NOT_A_MAP,
    "invalid/validator__3__rights_lang_issues.json": NO_SIZE,
    "invalid/validator__4__bad__dup_id.json": P4,
}

# Language tags of real manifests that are no BCP 47 tag, and what the import reads them as.
RENAMED_TAGS = {"@none": "none", "English": "en", "jp": "ja"}


@pytest.fixture(scope="module")
def corpus():
    served = Corpus()
    with serving(served) as base:
        served.base = base
        yield served


def imported(app, source: str, **options):
    """``source`` read by read_iiif and committed as `vitrine ingest iiif` commits it (run_import)."""
    svc = app.extensions["vitrine"]
    reading = {k: options.pop(k) for k in ("institution", "max_depth", "max_manifests") if k in options}
    fetcher = options.pop("fetcher", local_fetcher(timeout=10))
    return run_import(svc.store, read_iiif(source, fetcher=fetcher, **reading), svc.media_dir, **options)


def expected_map(lmap) -> dict:
    """A source's language map as the import keeps it: the renamed tags, tags of no language as none."""
    result: dict = {}
    for tag, texts in (lmap or {}).items():
        tag = RENAMED_TAGS.get(tag, tag)
        tag = tag if is_language(tag) else "none"
        result.setdefault(tag, []).extend(t.strip() for t in texts if t.strip())
    return {tag: texts for tag, texts in result.items() if texts}


def source_of(corpus: Corpus, name: str, obj) -> dict:
    """The corpus document (as Presentation 3) an object was imported from: the file, or a member by its id."""
    document = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    if "ollection" in str(document.get("type") or document.get("@type")):
        document = json.loads((CORPUS / corpus.ids[obj.source]).read_text(encoding="utf-8"))
    return upgrade(document)


def snapshot(app) -> tuple:
    """What an import could change: the store's records, the files under media/ and the index."""
    svc = app.extensions["vitrine"]
    files = [sorted((p.relative_to(root).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
                    for p in root.rglob("*") if p.is_file())
             for root in (Path(svc.media_dir), Path(app.config["INDEX_DIR"])) if root.exists()]
    records = [obj.to_dict() for obj in svc.store.iter_objects()]
    return records, [i.to_dict() for i in svc.store.institutions()], svc.store.last_seq(), files


def test_the_expected_outcomes_list_every_corpus_file():
    assert sorted(EXPECTED) == corpus_files("p2", "p3")
    assert sorted(INVALID) == corpus_files("invalid")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_corpus_document_imports_or_is_refused_with_its_reason(name, app, client, corpus):
    expected = EXPECTED[name]
    store = app.extensions["vitrine"].store
    if isinstance(expected, str):
        with pytest.raises(IngestError) as refused:
            imported(app, corpus.url(name))
        assert any(expected in p.message for p in refused.value.problems), refused.value.problems
        assert all(p.file.startswith(corpus.base) for p in refused.value.problems)  # each names its URL
        assert store.count_objects() == 0
        return
    result = imported(app, corpus.url(name))
    assert result.counts["objects"] == expected == store.count_objects()
    for obj in store.iter_objects():
        source = source_of(corpus, name, obj)
        manifest = client.get(f"/iiif/object/{obj.id}/manifest").get_json()
        assert_valid_presentation(manifest)
        assert manifest["label"] == expected_map(source["label"])
        canvases = [c for c in source["items"] if c.get("type") == "Canvas"]
        assert len(manifest["items"]) == len(canvases)
        for ours, theirs in zip(manifest["items"], canvases, strict=True):
            if expected_map(theirs.get("label")):  # else Vitrine's own: the object's label, or "p. N" in a book
                assert ours["label"] == expected_map(theirs["label"])
        assert {"id": source["id"], "type": "Dataset"}.items() <= manifest["seeAlso"][-1].items()


@pytest.mark.parametrize("name", sorted(INVALID))
def test_every_invalid_document_is_refused_and_changes_nothing(name, collection, corpus):
    before = snapshot(collection)
    with pytest.raises(IngestError) as refused:
        collection.extensions["vitrine"].imports.run(
            read_iiif(corpus.url(name), fetcher=local_fetcher(timeout=10)))
    assert any(INVALID[name] in p.message for p in refused.value.problems), refused.value.problems
    assert snapshot(collection) == before


# -- collections, re-imports, failures ----------------------------------------------

P3_IMAGE = "p3/cookbook__0001-mvm-image__manifest.json"  # one canvas, one image
P2_BOOK = "p2/iiifapi__19__manifest.json"  # Presentation 2, several canvases


def manifest(corpus: Corpus, name: str, label: str, source: str = P3_IMAGE) -> str:
    """A copy of a corpus manifest with an id and label of its own, served at /doc/<name>: its URL."""
    document = copy.deepcopy(json.loads((CORPUS / source).read_text(encoding="utf-8")))
    document["id" if "id" in document else "@id"] = f"https://lender.example/iiif/{name}/manifest"
    document["label"] = {"en": [label]} if "id" in document else label
    corpus.documents[name] = document
    return corpus.doc(name)


def collection(corpus: Corpus, name: str, members: list[tuple[str, str]], **extra) -> str:
    """A Presentation 3 collection of (type, url) members, served at /doc/<name>: its URL."""
    corpus.documents[name] = {
        "@context": "http://iiif.io/api/presentation/3/context.json", "id": corpus.doc(name), "type": "Collection",
        "label": {"en": [name]}, "items": [{"id": url, "type": kind, "label": {"en": [url]}} for kind, url in members],
        **extra}
    return corpus.doc(name)


def labels(app) -> list[str]:
    return sorted(next(iter(obj.label.values()))[0] for obj in app.extensions["vitrine"].store.iter_objects())


def test_a_reimport_of_the_same_manifest_updates_its_object_rather_than_adding_one(app, corpus):
    url = manifest(corpus, "reimported", "First title")
    imported(app, url)
    store = app.extensions["vitrine"].store
    [first] = store.iter_objects()
    manifest(corpus, "reimported", "Second title")
    result = imported(app, url)
    assert result.written.updated == 1 and result.written.created == 0
    assert store.count_objects() == 1
    [again] = store.iter_objects()
    assert again.id == first.id and again.label == {"en": ["Second title"]}
    assert again.source == "https://lender.example/iiif/reimported/manifest"


def test_an_object_id_is_made_from_the_manifest_id_within_the_id_rule(app, corpus):
    long_path = "/".join(["volume"] * 30)
    url = manifest(corpus, "long", "Long")
    corpus.documents["long"]["id"] = f"https://lender.example/{long_path}/manifest.json?part=1"
    imported(app, url)
    [obj] = app.extensions["vitrine"].store.iter_objects()
    assert len(obj.id) <= 128 and obj.id.startswith("lender.example-volume-volume")
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{10}", obj.id)  # cut, with a hash of the whole id


def test_two_manifests_whose_ids_make_the_same_slug_become_two_objects(app, corpus):
    first, second = manifest(corpus, "slug-a", "A"), manifest(corpus, "slug-b", "B")
    corpus.documents["slug-a"]["id"] = "https://lender.example/iiif/a b/manifest"
    corpus.documents["slug-b"]["id"] = "https://lender.example/iiif/a-b/manifest"
    imported(app, collection(corpus, "slugs", [("Manifest", first), ("Manifest", second)]))
    assert labels(app) == ["A", "B"]


def test_a_three_level_collection_is_followed_to_its_manifests(app, corpus):
    bottom = collection(corpus, "bottom", [("Manifest", manifest(corpus, "deep-1", "Deep one")),
                                           ("Manifest", manifest(corpus, "deep-2", "Deep two", P2_BOOK))])
    middle = collection(corpus, "middle", [("Collection", bottom), ("Manifest", manifest(corpus, "mid", "Middle"))])
    top = collection(corpus, "top", [("Collection", middle)])
    result = imported(app, top)
    assert labels(app) == ["Deep one", "Deep two", "Middle"]
    assert result.counts["objects"] == 3


def test_a_collection_deeper_than_the_limit_is_refused_naming_the_collection(app, corpus):
    bottom = collection(corpus, "too-deep", [("Manifest", manifest(corpus, "deeper", "Deeper"))])
    top = collection(corpus, "shallow", [("Collection", collection(corpus, "mid-2", [("Collection", bottom)]))])
    with pytest.raises(IngestError) as refused:
        imported(app, top, max_depth=1)
    [problem] = refused.value.problems
    assert problem.file == bottom and "2 collections deep; the limit is 1 (--max-depth)" in problem.message
    assert app.extensions["vitrine"].store.count_objects() == 0


def test_more_manifests_than_the_limit_refuse_the_import_or_with_skip_invalid_import_the_first(app, corpus):
    members = [("Manifest", manifest(corpus, f"many-{n}", f"Many {n}")) for n in range(5)]
    many = collection(corpus, "many", members)
    with pytest.raises(IngestError, match=r"more than 3 manifests; the limit is 3 \(--max-manifests\)"):
        imported(app, many, max_manifests=3)
    assert app.extensions["vitrine"].store.count_objects() == 0
    result = imported(app, many, max_manifests=3, skip_invalid=True)
    assert labels(app) == ["Many 0", "Many 1", "Many 2"] and len(result.skipped) == 1


def test_a_paged_presentation_3_collection_is_read_page_by_page(app, corpus):
    pages = [[manifest(corpus, f"paged3-{p}-{n}", f"Page {p} item {n}") for n in range(2)] for p in range(3)]
    for p, urls in enumerate(pages):
        corpus.documents[f"page3-{p}"] = {
            "@context": "http://iiif.io/api/presentation/3/context.json", "id": corpus.doc(f"page3-{p}"),
            "type": "CollectionPage", "items": [{"id": u, "type": "Manifest"} for u in urls],
            **({"next": {"id": corpus.doc(f"page3-{p + 1}"), "type": "CollectionPage"}} if p < 2 else {})}
    top = collection(corpus, "paged3", [], first={"id": corpus.doc("page3-0"), "type": "CollectionPage"}, total=6)
    imported(app, top)
    assert labels(app) == sorted(f"Page {p} item {n}" for p in range(3) for n in range(2))


def test_a_paged_presentation_2_collection_is_read_page_by_page(app, corpus):
    context = "http://iiif.io/api/presentation/2/context.json"
    for p in range(2):
        corpus.documents[f"page2-{p}"] = {
            "@context": context, "@id": corpus.doc(f"page2-{p}"), "@type": "sc:Collection",
            "manifests": [{"@id": manifest(corpus, f"paged2-{p}-{n}", f"P2 page {p} item {n}", P2_BOOK),
                           "@type": "sc:Manifest", "label": "a manifest"} for n in range(2)],
            **({"next": corpus.doc(f"page2-{p + 1}")} if p < 1 else {})}
    corpus.documents["paged2"] = {"@context": context, "@id": corpus.doc("paged2"), "@type": "sc:Collection",
                                  "label": "Paged", "total": 4, "first": corpus.doc("page2-0")}
    imported(app, corpus.doc("paged2"))
    assert labels(app) == sorted(f"P2 page {p} item {n}" for p in range(2) for n in range(2))


def test_a_collection_that_loops_back_on_itself_ends_and_imports_each_manifest_once(app, corpus):
    looped = manifest(corpus, "looped", "Looped")
    corpus.documents["loop-b"] = {}
    a = collection(corpus, "loop-a", [("Collection", corpus.doc("loop-b")), ("Manifest", looped)])
    collection(corpus, "loop-b", [("Collection", a), ("Manifest", looped)])
    before = len(corpus.requests)
    imported(app, a)
    assert labels(app) == ["Looped"]
    assert len(corpus.requests) - before == 3  # a, b and the manifest, each once


def test_a_provider_becomes_the_institution_and_institution_puts_everything_under_an_existing_one(app, corpus):
    imported(app, corpus.url("p3/cookbook__0234-provider__manifest.json"))
    store = app.extensions["vitrine"].store
    [provider] = store.institutions()
    assert provider.label == {"en": ["UCLA Library"]}
    assert provider.homepage == "https://digital.library.ucla.edu/"
    assert provider.id == "id.loc.gov-authorities-n79055331"
    [obj] = store.iter_objects()
    assert obj.institution == provider.id
    import_file(app, COLLECTION)
    imported(app, manifest(corpus, "placed", "Placed"), institution="brooklyn")
    assert store.get_object("lender.example-iiif-placed-manifest").institution == "brooklyn"


def test_an_unknown_institution_is_refused(app, corpus):
    with pytest.raises(IngestError, match="unknown institution 'nowhere'"):
        imported(app, manifest(corpus, "nowhere", "Nowhere"), institution="nowhere")


def test_a_member_that_fails_is_named_and_with_skip_invalid_the_others_are_imported(app, corpus):
    gone = f"{corpus.base}/status/404"
    mixed = collection(corpus, "mixed", [("Manifest", manifest(corpus, "kept", "Kept")), ("Manifest", gone)])
    with pytest.raises(IngestError) as refused:
        imported(app, mixed)
    assert [(p.file, p.message) for p in refused.value.problems] == [(gone, "answered HTTP 404 Whatever")]
    assert app.extensions["vitrine"].store.count_objects() == 0
    result = imported(app, mixed, skip_invalid=True)
    assert labels(app) == ["Kept"] and [p.file for p in result.skipped] == [gone]


@pytest.mark.parametrize(("path", "fetcher", "reason"), [
    ("/status/404", local_fetcher(timeout=10), "answered HTTP 404"),
    ("/text", local_fetcher(timeout=10), "is not JSON (Expecting value), so not a IIIF document"),
    ("/bytes/50000", local_fetcher(timeout=10, max_bytes=20_000), "the limit is 20,000"),
    ("/corpus/p4-3d/iiifapi__09_manifest.json", local_fetcher(timeout=10), P4),
])
def test_a_source_that_fails_is_refused_naming_its_url_and_why(app, corpus, path, fetcher, reason):
    url = f"{corpus.base}{path}"
    with pytest.raises(IngestError) as refused:
        imported(app, url, fetcher=fetcher)
    [problem] = refused.value.problems
    assert problem.file == url and reason in problem.message


def test_a_server_that_never_answers_is_refused_after_the_timeout():
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/manifest.json"
        with pytest.raises(IngestError) as refused:
            list(read_iiif(url, fetcher=local_fetcher(timeout=0.5)))
    [problem] = refused.value.problems
    assert problem.file == url and problem.message == "did not answer within 0.5 s"


def test_a_server_that_drips_its_answer_is_refused_after_the_timeout():
    """A byte every 0.3 s never trips the per-read timeout: the whole document has the timeout."""
    with dripping_server() as base:
        url = f"{base}/manifest.json"
        started = time.monotonic()
        with pytest.raises(IngestError) as refused:
            list(read_iiif(url, fetcher=local_fetcher(timeout=1)))
        assert time.monotonic() - started < 10
    [problem] = refused.value.problems
    assert problem.file == url and problem.message == "took longer than 1 s to read"


def test_a_server_that_breaks_off_its_answer_is_refused_naming_why():
    """It promises 1,000 bytes and closes after 10: a clear problem, never an exception from inside the reader."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Short(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"id": "x"')
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Short)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/manifest.json"
    try:
        with pytest.raises(IngestError) as refused:
            list(read_iiif(url, fetcher=local_fetcher(timeout=10)))
    finally:
        server.shutdown()
        server.server_close()
    [problem] = refused.value.problems
    assert problem.file == url and problem.message.startswith("broke off while being read")


def test_a_local_file_is_read_like_a_url(app):
    imported(app, str(CORPUS / P3_IMAGE))
    [obj] = app.extensions["vitrine"].store.iter_objects()
    assert obj.source == "https://iiif.io/api/cookbook/recipe/0001-mvm-image/manifest.json"
    assert obj.media[0].url == "https://iiif.io/api/presentation/2.1/example/fixtures/resources/page1-full.png"


def test_what_a_manifest_says_is_kept(app, corpus):
    imported(app, corpus.url("p3/cookbook__0024-book-4-toc__manifest.json"))
    [toc] = app.extensions["vitrine"].store.iter_objects()
    assert [(e.label, e.pages) for e in toc.toc] == [  # the chapters inside its one "Table of Contents" range
        ({"gez": ["Tabiba Tabiban [ጠቢበ ጠቢባን]"]}, [1, 2]), ({"gez": ["Arede'et [አርድዕት]"]}, [3, 4, 5, 6])]
    imported(app, corpus.url("p3/cookbook__0009-book-1__manifest.json"))
    book = app.extensions["vitrine"].store.get_object("iiif.io-api-cookbook-recipe-0009-book-1-manifest.json")
    assert book.type == "book"
    assert [m.label for m in book.media][:2] == [{"en": ["Blank page"]}, {"en": ["Frontispiece"]}]
    imported(app, corpus.url("p3/cookbook__0230-navdate__navdate_map_1-manifest.json"))
    dated = app.extensions["vitrine"].store.get_object(
        "iiif.io-api-cookbook-recipe-0230-navdate-navdate_map_1-manifest.json")
    assert (dated.earliest, dated.latest) == (1987, 1987)  # navDate "1987-01-01T00:00:00Z"
    imported(app, corpus.url("p3/cookbook__0008-rights__manifest.json"))
    rights = app.extensions["vitrine"].store.get_object("iiif.io-api-cookbook-recipe-0008-rights-manifest.json")
    assert rights.rights == "http://creativecommons.org/licenses/by-sa/3.0/"
    assert rights.required_statement.label == {"en": ["Attribution"]}
    assert rights.summary["en"][0].startswith("<p>Picture taken by the <a href=\"https://github.com/glenrobson\">")
    imported(app, corpus.url("p3/cookbook__0005-image-service__manifest.json"))
    served = app.extensions["vitrine"].store.get_object("iiif.io-api-cookbook-recipe-0005-image-service-manifest.json")
    [image] = served.media
    assert (image.service, image.service_type, image.width, image.height) == (
        "https://iiif.io/api/image/3.0/example/reference/918ecd18c2592080851777620de9bcb5-gottingen",
        "ImageService3", 4032, 3024)


def test_html_in_a_manifest_is_cut_to_what_iiif_allows(app, corpus):
    url = manifest(corpus, "scripted", "Scripted")
    corpus.documents["scripted"]["summary"] = {"en": ['<p onclick="x()">Hi<script>alert(1)</script></p>']}
    corpus.documents["scripted"]["metadata"] = [{"label": {"en": ["<b>Made</b>"]},
                                                 "value": {"en": ['<a href="javascript:x()">then</a>']}}]
    imported(app, url)
    [obj] = app.extensions["vitrine"].store.iter_objects()
    assert obj.summary == {"en": ["<p>Hi</p>"]}
    assert obj.metadata[0].label == {"en": ["Made"]} and obj.metadata[0].value == {"en": ["<a>then</a>"]}


def test_vitrine_ingest_iiif_imports_with_progress_per_manifest(tmp_path, corpus):
    url = collection(corpus, "cli", [("Manifest", manifest(corpus, "cli-1", "CLI one")),
                                     ("Manifest", manifest(corpus, "cli-2", "CLI two"))])
    env = {"VITRINE_INSTANCE": str(tmp_path / "cli")}
    dry = CliRunner().invoke(main, ["ingest", "iiif", url, "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "dry run: 1 institutions, 2 objects would be imported" in dry.output
    done = CliRunner().invoke(main, ["ingest", "iiif", url, "--max-depth", "1", "--max-manifests", "5"], env=env)
    assert done.exit_code == 0, done.output
    assert f"fetched {corpus.doc('cli-1')}" in done.output and f"fetched {corpus.doc('cli-2')}" in done.output
    assert "imported 1 institutions, 2 objects; objects: 2 created" in done.output
    refused = CliRunner().invoke(main, ["ingest", "iiif", f"{corpus.base}/status/404"], env=env)
    assert refused.exit_code == 1 and f"{corpus.base}/status/404: answered HTTP 404" in refused.output
