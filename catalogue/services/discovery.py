"""Ways from one work to others: related works, a results list walked one work at a time, the
pages of a maker and of a subject.

Everything here asks the search backend (which holds public objects only, so a draft or a
withdrawn object is never offered) and reads from the store only the few objects it names.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..model import Concept, Creator, DigitalObject
from ..search import Hit, SearchBackend, SearchRequest
from ..search.request import MAX_OFFSET, MAX_SIZE
from ..store import Store
from .catalogue import NotFound

RELATED = 6  # works in a "more like this" strip
CANDIDATES = 24  # hits read per search to choose them from
NEARBY_YEARS = 25  # dates this close count as "nearby"
FARTHEST = 1000  # hits walked past where a results list starts (10 searches of 100 at most)


@dataclass
class Neighbours:
    """A work's place in a results list: the hits before and after it, and how many there are."""

    previous: Hit | None
    current: Hit
    next: Hit | None
    position: int  # 1 = the first hit
    total: int


@dataclass
class Maker:
    """A creator as the records name them: the name, the authority link and roles when a record gives them."""

    name: str
    uri: str | None
    roles: list[str]
    variants: list[str]


@dataclass
class Subject:
    """A concept with the concepts around it in the thesaurus tree."""

    concept: Concept
    broader: Concept | None
    narrower: list[Concept]


class Discovery:
    def __init__(self, store: Store, search: SearchBackend):
        self.store, self.search = store, search

    def related(self, obj: DigitalObject, lang: str, size: int = RELATED) -> list[DigitalObject]:
        """Works like this one: by its makers, then about its subjects (or in its collections), in at most
        two searches; ranked by what they share (maker, subject, collection) and nearby dates."""
        asks = []
        if obj.creators:
            asks.append({"creator": [c.name for c in obj.creators]})
        if obj.subjects:
            asks.append({"subject": list(obj.subjects)})
        elif obj.collections:
            asks.append({"collection": list(obj.collections)})
        ids: dict[str, None] = {}
        for filters in asks:
            result = self.search.search(SearchRequest(lang=lang, filters=filters, size=CANDIDATES, facets=()))
            ids.update((h.id, None) for h in result.hits if h.id != obj.id)
        candidates = self.store.get_objects(ids)
        return sorted(candidates, key=lambda o: -_likeness(obj, o))[:size]

    def neighbours(self, asked: SearchRequest, position: int, offset: int = 0) -> Neighbours | None:
        """The hits around ``position`` of a search; None past the end, or FARTHEST hits past where it starts.

        A list paged by number asks the three hits around ``position`` by offset: one search. A list paged
        by cursor starts where ``asked.cursor`` does, whose first hit is number ``offset + 1`` (the page
        the visitor saw), so walking on from there costs one search a step; before it, by offset.
        """
        if asked.cursor is None or position <= offset + 1:  # pages by number: the three hits, asked by offset
            start = max(0, position - 2)
            if position < 1 or start > MAX_OFFSET:
                return None
            found = self.search.search(replace(asked, cursor=None, offset=start, size=3, facets=()))
            at = position - 1 - start
            if len(found.hits) <= at:
                return None
            return Neighbours(previous=found.hits[at - 1] if at else None, current=found.hits[at],
                              next=found.hits[at + 1] if len(found.hits) > at + 1 else None,
                              position=position, total=found.total)
        ahead = position - offset  # the work's place counted from where the search starts
        if not 1 <= ahead <= FARTHEST:
            return None
        hits: list[Hit] = []
        cursor = asked.cursor
        while True:
            size = min(MAX_SIZE, ahead + 1 - len(hits))
            result = self.search.search(replace(asked, cursor=cursor, size=size, facets=()))
            hits += result.hits
            if len(hits) > ahead or not result.next:
                break
            cursor = result.next
        if len(hits) < ahead:
            return None
        return Neighbours(
            previous=hits[ahead - 2] if ahead > 1 else None,
            current=hits[ahead - 1],
            next=hits[ahead] if len(hits) > ahead else None,
            position=position,
            total=result.total,
        )

    def maker(self, name: str, lang: str) -> Maker:
        """A creator named so in public records (NotFound when none is): what the first few records say of them."""
        result = self.search.search(SearchRequest(lang=lang, filters={"creator": [name]}, size=10, facets=()))
        named: list[Creator] = [c for o in self.store.get_objects(h.id for h in result.hits)
                                for c in o.creators if c.name == name]
        if not named:
            raise NotFound(name)
        roles = list(dict.fromkeys(c.role for c in named if c.role))
        variants = list(dict.fromkeys(v for c in named for v in c.variants))
        return Maker(name, next((c.uri for c in named if c.uri), None), roles, variants)

    def subject(self, uri: str) -> Subject:
        """A concept of the thesaurus with its broader and narrower concepts; NotFound when there is none."""
        found = self.store.concepts([uri])
        if not found:
            raise NotFound(uri)
        concept = found[0]
        broader = self.store.concepts([concept.broader]) if concept.broader else []
        narrower = self.store.narrower(concept.uri)
        return Subject(concept, broader[0] if broader else None, narrower)


def _likeness(obj: DigitalObject, other: DigitalObject) -> int:
    makers = {c.name for c in obj.creators} & {c.name for c in other.creators}
    score = 3 * len(makers) + 2 * len(set(obj.subjects) & set(other.subjects))
    score += bool(set(obj.collections) & set(other.collections))
    if obj.earliest is not None and other.earliest is not None:
        score += abs(obj.earliest - other.earliest) <= NEARBY_YEARS
    return score
