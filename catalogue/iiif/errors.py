"""The one error the image service raises: an HTTP status and a message a person can act on."""
from __future__ import annotations


class ImageError(Exception):
    """A request the image service refuses: 400 syntax, 404 unknown, 413 too large, 501 not offered..."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message
