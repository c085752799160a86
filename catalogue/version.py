"""Vitrine's version, in a module of its own so any layer may read it without importing the factory.

It salts the IIIF documents' ETags: a new release never answers 304 for a document an older one built.
Keep it equal to ``version`` in pyproject.toml.
"""
__version__ = "0.1.0"
