"""The Whoosh search backend: the only package of Vitrine that imports Whoosh.

Its index keeps numpy-readable arrays beside Whoosh's segments (arrays.py), so a
search, its facets and any page of it are array operations (engine.py).
"""
import warnings

with warnings.catch_warnings():
    # Whoosh 2.7.4 (unmaintained) has invalid escapes that newer Pythons warn
    # about when they first compile it; the code itself is fine.
    warnings.simplefilter("ignore", SyntaxWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    import whoosh.analysis, whoosh.codec.whoosh3, whoosh.highlight, whoosh.index  # noqa: E401,F401
    import whoosh.multiproc, whoosh.qparser, whoosh.query, whoosh.spelling, whoosh.writing  # noqa: E401,F401

from .backend import WhooshSearch  # noqa: E402

__all__ = ["WhooshSearch"]
