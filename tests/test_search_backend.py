"""The search interface: a backend chosen by a setting, Vitrine's own query tree, facets declared once,
labels cached by store version, century labels from the catalogs, a backend that opens no file."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from test_search import INSTITUTIONS, RECORDS, fill

from catalogue.i18n import TRANSLATIONS
from catalogue.model import DigitalObject, Institution
from catalogue.search import (
    BACKENDS,
    FACETS,
    RequestError,
    SearchRequest,
    UnknownBackend,
    open_search,
    query,
)
from catalogue.search.null import NullSearch
from catalogue.search.parser import parse
from catalogue.search.whoosh import WhooshSearch
from catalogue.store import Batch
from catalogue.store.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[1]


class CountingStore(SqliteStore):
    """A real store that counts how often the institutions and collections are read."""

    def __init__(self, path):
        super().__init__(path)
        self.reads = {"institutions": 0, "collections": 0}

    def institutions(self):
        self.reads["institutions"] += 1
        return super().institutions()

    def collections(self, institution=None):
        self.reads["collections"] += 1
        return super().collections(institution)


@pytest.fixture
def counting(tmp_path):
    store = CountingStore(tmp_path / "vitrine.db")
    search = open_search({"INDEX_DIR": str(tmp_path / "index")}, store)
    store.subscribe(search.apply)
    fill(store)
    yield store, search
    search.close()
    store.close()


# -- the backend is chosen by a setting ------------------------------------------------------

def test_the_search_backend_is_whoosh_unless_the_setting_names_another(tmp_path):
    store = SqliteStore(tmp_path / "vitrine.db")
    assert isinstance(open_search({"INDEX_DIR": str(tmp_path / "index")}, store), WhooshSearch)
    assert isinstance(open_search({"SEARCH_BACKEND": "whoosh", "INDEX_DIR": str(tmp_path / "i")}, store), WhooshSearch)
    assert isinstance(open_search({"SEARCH_BACKEND": "null"}, store), NullSearch)


def test_an_unknown_search_backend_is_refused_naming_the_known_ones(tmp_path):
    with pytest.raises(UnknownBackend, match=r"'elastic' is not a search backend; known: whoosh, null"):
        open_search({"SEARCH_BACKEND": "elastic"}, SqliteStore(tmp_path / "vitrine.db"))
    assert set(BACKENDS) == {"whoosh", "null"}


def test_the_app_uses_the_backend_its_settings_name(tmp_path):
    from catalogue import create_app

    app = create_app({"INSTANCE": str(tmp_path / "i"), "SEARCH_BACKEND": "null"})
    assert isinstance(app.extensions["vitrine"].search, NullSearch)
    body = app.test_client().get("/api/search?q=zee").json
    assert body == {"total": 0, "hits": [], "facets": {}, "suggestion": None, "next": None, "timeline": [],
                    "exhibitions": []}
    assert app.test_client().get("/api/search?lang=xx").status_code == 400  # the request is still checked
    app.extensions["vitrine"].store.close()


def test_no_module_outside_the_whoosh_backend_imports_or_names_whoosh():
    package = ROOT / "catalogue"
    naming = set()
    for path in package.rglob("*.py"):
        if (package / "search" / "whoosh") in path.parents:
            continue
        source = path.read_text()
        assert not re.search(r"^\s*(from|import)\s+(\S*\.)?whoosh\b", source, re.MULTILINE), path
        if re.search("whoosh", source, re.IGNORECASE):
            naming.add(path.relative_to(ROOT).as_posix())
    # the backend table (and its docstring) is the one place that says the name
    assert naming == {"catalogue/search/__init__.py"}


# -- constructing a backend opens nothing ----------------------------------------------------

def test_constructing_the_search_backend_touches_no_file_and_the_first_write_makes_the_index(tmp_path):
    store = SqliteStore(tmp_path / "vitrine.db")
    folder = tmp_path / "index"
    search = open_search({"INDEX_DIR": str(folder)}, store)
    assert not folder.exists()
    # searching and asking before anything was indexed makes nothing either
    assert search.search(SearchRequest(q="zee")).total == 0
    assert search.count() == 0 and search.pending() == 0 and search.clean() == 0
    assert not folder.exists()
    store.subscribe(search.apply)
    fill(store)
    assert folder.is_dir()
    assert search.count() == len(RECORDS)
    assert {h.id for h in search.search(SearchRequest(q="zee", lang="nl")).hits} == {"o2", "o4", "o8"}
    search.close()
    store.close()


# -- Vitrine's own query tree ----------------------------------------------------------------

def test_a_parsed_query_is_vitrines_own_tree_of_frozen_nodes():
    tree = parse('zee -schilderijen OR "de zee" type:book relig* p?casso')

    def nodes(q):
        yield q
        for child in query.children(q):
            yield from nodes(child)

    found = list(nodes(tree))
    assert all(dataclasses.is_dataclass(n) and type(n).__module__ == "catalogue.search.query" for n in found)
    assert query.Phrase("text", ("de", "zee")) in found
    assert query.Term("type", "book") in found
    assert query.Prefix("text", "relig") in found
    assert query.Wildcard("text", "p?casso") in found
    with pytest.raises(dataclasses.FrozenInstanceError):
        tree.parts = ()  # type: ignore[misc]


@pytest.mark.parametrize("text, tree", [
    ("", query.Everything()),
    ("zee", query.Term("text", "zee")),
    ("Géricault", query.Term("text", "gericault")),
    ("zee -schilderijen", query.AndNot(query.Term("text", "zee"), query.Term("text", "schilderijen"))),
    ("religieux OR musicien", query.Or((query.Term("text", "religieux"), query.Term("text", "musicien")))),
    ('creator:"Brueghel de Oude"', query.Phrase("creator", ("brueghel", "de", "oude"))),
    ("-zee", query.AndNot(query.Everything(), query.Term("text", "zee"))),
    ("Schilderijen (van de zee", query.And(tuple(query.Term("text", w) for w in ("schilderijen", "van", "de", "zee")))),
])
def test_the_query_syntax_becomes_these_trees(text, tree):
    assert parse(text) == tree


def test_budgets_and_marked_words_are_read_from_the_tree():
    tree = parse('"de zee" relig* NOT schilderij type:book')
    assert query.size(tree) == (5, 1)  # two phrase words, a prefix, a word left out, a value
    assert query.words(tree) == ["de", "zee"]


# -- facets declared once ----------------------------------------------------------------------

def test_every_facet_is_one_declared_class_and_the_api_and_page_list_them_in_that_order(app, client):
    fill(app.extensions["vitrine"].store)
    assert list(FACETS) == ["institution", "collection", "type", "creator", "subject", "century", "classification",
                           "medium", "hasimage", "rights", "has3d"]
    assert list(client.get("/api/search").json["facets"]) == list(FACETS)
    page = client.get("/search?lang=nl").get_data(as_text=True)
    shown = re.findall(r'<section class="facet" data-facet="([^"]+)">\s*<h3>([^<]+)</h3>', page)
    dutch = _po("nl")
    offered = client.get("/api/search").json["facets"]  # medium: none of these records names one
    assert shown == [(name, dutch.get(facet.title).string) for name, facet in FACETS.items() if offered[name]]
    assert ("has3d", "3D") in shown and ("century", "Eeuw") in shown


def test_the_backend_counts_only_the_facets_a_request_names_and_refuses_an_unknown_one(counting):
    _, search = counting
    every = search.search(SearchRequest())
    assert list(every.facets) == list(FACETS)
    some = search.search(SearchRequest(facets=("type", "institution")))
    assert list(some.facets) == ["type", "institution"]
    assert some.facets == {name: every.facets[name] for name in ("type", "institution")}
    assert some.total == every.total and [h.id for h in some.hits] == [h.id for h in every.hits]
    assert search.search(SearchRequest(facets=())).facets == {}
    with pytest.raises(RequestError, match="no facet 'colour' to count"):
        search.search(SearchRequest(facets=("colour",)))


# -- labels: cached by the store's version -------------------------------------------------------

def test_a_search_does_not_read_the_institutions_again_while_the_store_is_unchanged(counting):
    store, search = counting
    search.search(SearchRequest())
    before = dict(store.reads)
    for lang in ("en", "nl", "fr", "de", "en"):
        assert search.search(SearchRequest(lang=lang)).facets["institution"]
    assert store.reads == before
    assert search.names.reads == 1


def test_a_renamed_institutions_new_label_appears_after_the_change(counting):
    store, search = counting

    def label(lang="en"):
        facet = search.search(SearchRequest(lang=lang)).facets["institution"]
        return {v.value: v.label for v in facet}["kbr"]

    assert label() == "Royal Library"
    renamed = Institution.from_dict({**INSTITUTIONS[1], "label": {"en": ["KBR, the Royal Library of Belgium"]}})
    # an import carries the institution with its records; the store's version moves with the records
    edited = DigitalObject.from_dict({**RECORDS[7], "label": {"en": ["A view of the North Sea"]}})
    store.write(Batch(institutions=[renamed], objects=[edited]))
    assert label() == label("nl") == "KBR, the Royal Library of Belgium"
    assert search.names.reads == 2


def test_an_institution_renamed_on_its_own_shows_its_new_label_and_an_unchanged_one_logs_nothing(counting):
    store, search = counting

    def label():
        return {v.value: v.label for v in search.search(SearchRequest()).facets["institution"]}["kbr"]

    assert label() == "Royal Library"
    renamed = Institution.from_dict({**INSTITUTIONS[1], "label": {"en": ["KBR"]}})
    store.write(Batch(institutions=[renamed]))  # `vitrine institutions add kbr --name en=KBR`
    assert label() == "KBR"
    assert [(c.kind, c.ref, c.action) for c in store.changes(store.last_seq() - 1)] == [("institution", "kbr", "update")]
    seq = store.last_seq()
    store.write(Batch(institutions=[renamed]))  # the same again: nothing changed, nothing logged
    assert store.last_seq() == seq


# -- century labels come from the catalogs --------------------------------------------------------

def _po(lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize("lang, ad, bc", [
    ("en", "19th century", "1st century BC"),
    ("nl", "19de eeuw", "1ste eeuw v.Chr."),
    ("fr", "XIXe siècle", "Ier siècle av. J.-C."),
    ("de", "19. Jahrhundert", "1. Jahrhundert v. Chr."),
])
def test_century_labels_are_the_catalogs_words_around_the_languages_ordinal(counting, lang, ad, bc):
    _, search = counting
    centuries = {v.value: v.label for v in search.search(SearchRequest(lang=lang)).facets["century"]}
    assert centuries["19"] == ad and centuries["-1"] == bc
    if lang != "en":
        po = _po(lang)
        ordinal = ad.split()[0]
        assert ad == po.get("%(ordinal)s century").string % {"ordinal": ordinal}
        assert centuries["unknown"] == po.get("Date unknown").string


def test_two_indexers_of_one_index_writing_at_once_both_keep_it(tmp_path):
    """Two gunicorn workers (here: two backends on one folder) apply the same commits: each
    writes the index's state after its own commit, and neither may fail on the other's file."""
    import threading

    store = SqliteStore(tmp_path / "vitrine.db")
    backends = [WhooshSearch(tmp_path / "index", store) for _ in range(2)]
    for backend in backends:
        store.subscribe(backend.apply)
    fill(store)
    failures: list[BaseException] = []

    def save(backend):
        try:
            for seq in range(300):
                backend._save_state(seq)
        except BaseException as exc:  # noqa: BLE001 - the failure is what the test reports
            failures.append(exc)

    threads = [threading.Thread(target=save, args=(b,)) for b in backends]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    assert [hit.id for hit in backends[0].search(SearchRequest(q="", size=50)).hits]
    for backend in backends:
        backend.close()
    store.close()
