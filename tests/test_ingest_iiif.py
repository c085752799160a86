"""Other institutions' IIIF (issue 13, item 7): `vitrine ingest iiif`, catalogue/ingest/iiif.py.

The shared corpus is served from 127.0.0.1 by the test (tests/iiif_corpus.py); nothing is fetched from
the internet (the documents' own ids, kept as the objects' sources, are never dereferenced).
"""
from __future__ import annotations

import copy
import json
import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from catalogue.iiif.upgrade import upgrade
from catalogue.ingest import IngestError
from catalogue.ingest.iiif import read_iiif
from catalogue.ingest.remote import Fetcher
from catalogue.model import is_language
from catalogue.services.imports import run_import
from iiif_corpus import CORPUS, Corpus, corpus_files
from support import COLLECTION, assert_valid_presentation, import_file, serving

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
    fetcher = options.pop("fetcher", Fetcher(timeout=10))
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
            read_iiif(corpus.url(name), fetcher=Fetcher(timeout=10)))
    assert any(INVALID[name] in p.message for p in refused.value.problems), refused.value.problems
    assert snapshot(collection) == before
