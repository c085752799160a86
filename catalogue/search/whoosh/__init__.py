"""The Whoosh search backend: the only package of Vitrine that imports Whoosh.

Its index keeps numpy-readable arrays beside Whoosh's segments (arrays.py), so a
search, its facets and any page of it are array operations (engine.py).
"""
import importlib
import warnings

with warnings.catch_warnings():
    # Whoosh 2.7.4 (unmaintained) has invalid escapes that newer Pythons warn
    # about when they first compile it; the code itself is fine.
    warnings.simplefilter("ignore", SyntaxWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    for _module in ("analysis", "codec.whoosh3", "highlight", "index", "multiproc", "query",
                    "spelling", "writing"):
        importlib.import_module(f"whoosh.{_module}")

from .backend import WhooshSearch

__all__ = ["WhooshSearch"]
