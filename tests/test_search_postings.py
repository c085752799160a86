"""The search index's writing shortcuts give what Whoosh itself would: the compact posting pool
yields Whoosh's pool's postings, and words analysed line by line (cached) are the words Whoosh
finds in the joined text. Checked against Whoosh's own classes, on real records."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import PostingPool

from catalogue.ingest.csvfile import read_csv
from catalogue.ingest.mapping import read_mapped
from catalogue.model import DigitalObject
from catalogue.search.request import LANGUAGES
from catalogue.search.whoosh.backend import _CODEC
from catalogue.search.whoosh.document import document, schema, terms, values
from catalogue.search.whoosh.postings import MAX_RUNS, Postings, add_document, add_postings, compact

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"


def _objects() -> list[DigitalObject]:
    """The Tate sample (CSV) and the museum-API sample (JSON, several languages), as objects (their
    text: the media, which an import would fetch, left out)."""
    records = [*read_csv(DATA / "tate" / "sample.csv", ROOT / "catalogue" / "mappings" / "tate.json"),
               *read_mapped(DATA / "museum-api" / "things.json", DATA / "museum-api" / "mapping.json")]
    return [DigitalObject.from_dict({k: v for k, v in r.data.items() if k != "media"})
            for r in records if "kind" not in r.data]


def _random_postings(seed: int, documents: int, decreasing: bool = False) -> list[tuple]:
    """Postings as a writer adds them: a document's terms together, documents in order (or, like a
    merged segment's after later documents, a second half numbered before the first)."""
    rnd = random.Random(seed)
    order = list(range(documents))
    if decreasing:
        order = order[documents // 2:] + order[: documents // 2]
    postings = []
    for doc in order:
        for field in rnd.sample(["creator", "f_subject", "phrase", "text", "text_nl"], 3):
            for word in rnd.sample(range(400), rnd.randint(1, 12)):
                value = rnd.choice([b"", (rnd.randint(1, 4)).to_bytes(4, "big")])
                postings.append((field, f"w{word}é".encode(), doc, float(rnd.randint(1, 4)), value))
    return postings


def _whooshs_pool(tmp_path: Path, postings: list[tuple]) -> list[tuple]:
    pool = PostingPool(FileStorage(str(tmp_path)).create(), None, limitmb=1)
    for posting in postings:
        pool.add(posting)
    return list(pool.iter_postings())


@pytest.mark.parametrize("limit_mb, runs", [(64, 0), (0.05, 6), (0.0015, MAX_RUNS + 1)],
                         ids=["in memory", "a few runs", f"over {MAX_RUNS} runs"])
def test_thecompact_pool_yields_the_postings_whooshs_own_pool_yields_in_its_order(tmp_path, limit_mb, runs):
    postings = _random_postings(seed=7, documents=150)
    storage = FileStorage(str(tmp_path / "runs")).create()
    pool = Postings(storage, limit_mb)
    for posting in postings:
        pool.add(posting)
    assert len(storage.list()) >= runs
    assert list(pool.iter_postings()) == _whooshs_pool(tmp_path / "whoosh", postings)
    pool.cleanup()
    assert storage.list() == []  # no run left behind


def test_a_term_whose_later_run_holds_earlier_documents_comes_out_in_document_order(tmp_path):
    postings = _random_postings(seed=11, documents=400, decreasing=True)
    pool = Postings(FileStorage(str(tmp_path / "runs")).create(), 0.02)
    for posting in postings:
        pool.add(posting)
    assert list(pool.iter_postings()) == _whooshs_pool(tmp_path / "whoosh", postings)


def test_an_index_written_through_the_compact_pool_holds_what_whooshs_pool_writes(tmp_path):
    objects = _objects()
    readers = []
    for name, pool in (("whoosh", lambda writer: writer), ("compact", compact)):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), schema())
        writer = pool(ix.writer(codec=_CODEC, limitmb=0.2))  # a small budget: several runs each
        for obj in objects:
            writer.add_document(**document(obj, {}))
        writer.commit()
        readers.append(ix.reader())
    whooshs, compacts = ([(field, text, _postings(reader, field, text)) for field, text in reader.all_terms()]
                        for reader in readers)
    assert len(whooshs) > 2_000
    assert compacts == whooshs
    assert [stored for _, stored in readers[1].iter_docs()] == [stored for _, stored in readers[0].iter_docs()]


def _small_blocks() -> W3Codec:
    codec = W3Codec(blocklimit=3)  # most terms in several blocks, some filling their last one exactly
    codec.length_stats = False
    return codec


def _length_stats() -> W3Codec:
    return W3Codec(blocklimit=3)  # lengths read per posting: Whoosh's own writing, not the terms whole


@pytest.mark.parametrize("codec", [lambda: _CODEC, _small_blocks, _length_stats],
                         ids=["the index's codec", "small blocks", "length statistics"])
def test_postings_added_a_field_at_a_time_and_written_a_term_at_a_time_are_the_bytes_whoosh_writes(tmp_path, codec):
    objects = _objects()
    files = []
    for name, whole in (("whoosh", False), ("whole", True)):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), schema())
        writer = compact(ix.writer(codec=codec(), limitmb=0.2, compound=False))
        assert writer.fieldwriter.add_postings.func is add_postings and writer.add_document.func is add_document
        if not whole:  # Whoosh's own, a posting at a time, into the compact pool
            del writer.fieldwriter.add_postings, writer.add_document
        for obj in objects:
            writer.add_document(**document(obj, {}))
        writer.commit()
        with ix.reader() as reader:
            segment = reader.segment().segment_id()
        files.append({path.name.replace(segment, "*"): path.read_bytes()
                      for path in (tmp_path / name).iterdir() if segment in path.name})
    whooshs, whole = files
    assert {"*.pst", "*.trm"} <= set(whooshs) and len(whooshs["*.pst"]) > 100_000
    assert whole == whooshs


def _postings(reader, field: str, text: bytes) -> list[tuple]:
    matcher, found = reader.postings(field, text), []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return found


def test_words_read_line_by_line_are_the_words_and_postings_whoosh_makes_of_the_joined_text():
    fields = schema()
    texts = []
    for obj in _objects():
        texts += [t for lmap in (obj.label, obj.summary, obj.medium, obj.credit_line, obj.provenance)
                  for values_ in lmap.values() for t in values_]
        texts += [t for entry in obj.metadata for values_ in entry.value.values() for t in values_]
        texts += [n for c in obj.creators for n in (c.name, *c.variants)]
    assert any("\n" in t for t in texts) and any(re.search(r"[^\x00-\x7f]", t) for t in texts)
    for start in range(0, len(texts), 7):  # texts several at a time, as a document's field holds them
        some = texts[start: start + 7]
        joined = "\n".join(some)
        for name, lang in (("text", None), *((f"text_{lang}", lang) for lang in LANGUAGES)):
            expected = [t.text for t in fields[name].analyzer(joined, mode="index")]
            assert terms(lang, some) == expected, (name, some)
            # and the field makes of the words the postings Whoosh makes of the text
            assert sorted(fields[name].index(terms(lang, some))) == sorted(fields[name].index(joined))
        assert sorted(values(some)) == sorted({t.text for t in fields["f_subject"].analyzer(joined)})
        assert sorted(fields["f_subject"].index(values(some))) == sorted(fields["f_subject"].index(joined))
