"""Full-text search: the one interface the rest of Vitrine uses.

``SearchIndex`` indexes objects, removes them, searches and rebuilds; the
store's commit hook (``SearchIndex.apply``) keeps it in step. Whoosh is an
implementation detail of this package: nothing outside it imports whoosh, so
another engine can take its place behind the same names.
"""
import warnings

with warnings.catch_warnings():
    # Whoosh 2.7.4 (unmaintained) has invalid escapes that newer Pythons warn
    # about when they first compile it; the code itself is fine.
    warnings.simplefilter("ignore", SyntaxWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    import whoosh.analysis, whoosh.codec.whoosh3, whoosh.highlight, whoosh.index  # noqa: E401,F401
    import whoosh.multiproc, whoosh.qparser, whoosh.query, whoosh.spelling, whoosh.writing  # noqa: E401,F401

from .budget import SearchTimeout  # noqa: E402
from .engine import Hit, RequestError, SearchRequest, SearchResult  # noqa: E402
from .facets import FACETS, FacetValue  # noqa: E402
from .index import SearchIndex  # noqa: E402
from .paging import SORTS, CursorError  # noqa: E402
from .analysis import LANGUAGES  # noqa: E402

__all__ = [
    "CursorError", "FACETS", "FacetValue", "Hit", "LANGUAGES", "RequestError", "SORTS",
    "SearchIndex", "SearchRequest", "SearchResult", "SearchTimeout",
]
