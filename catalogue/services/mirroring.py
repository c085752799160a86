"""Mirroring a loan's remote images into this catalogue's own files and tiles, where its rights allow.

A loan's images stay at its lender (by reference) unless a curator mirrors them: the whole image is
fetched through the import's one network door (ingest.remote), checked as an imported file is,
stored content-addressed under media/, and the media entry switches to that file in one update with
its change-log entry (so the index, the tiles and the manifests follow). The lender's address stays
in the media entry's ``source``. Only works anyone may copy are mirrored (access.may_mirror).
"""
from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..access import may_mirror
from ..ingest.media import MediaCopy, MediaError, inspect_media
from ..ingest.remote import Fetcher, FetchError
from ..model import DigitalObject, MediaFile
from ..store import Store
from .keeper import Keeper
from .objects import Objects, UnknownObjects

MIRROR_MAX_BYTES = 200 << 20  # a whole image, read into memory: a 20,000 px JPEG is tens of MB


@dataclass
class Mirrored:
    """What mirroring did to one object: ``mirrored`` (or, in a dry run, would), ``refused`` (its rights),
    ``failed`` (a fetch or a file that is no image), with the media ids and the reason."""

    object_id: str
    status: str
    media: list[str] = field(default_factory=list)
    reason: str = ""


class Mirroring:
    def __init__(self, store: Store, media_dir: Path, objects: Objects, keeper: Keeper,
                 fetcher: Callable[..., Fetcher] = Fetcher):
        self.store, self.media_dir, self.objects, self.keeper = store, media_dir, objects, keeper
        self.fetcher = fetcher  # a Fetcher under the catalogue's rule of what may be fetched

    def candidates(self) -> list[str]:
        """Every object with a remote image (``vitrine mirror --all``)."""
        return list(dict.fromkeys(object_id for media, object_id, _ in self.store.iter_media()
                                  if media.is_remote and media.is_image))

    def mirror(self, ids: Iterable[str], dry_run: bool = False) -> list[Mirrored]:
        """Mirror the remote images of these objects (UnknownObjects for an id not in the catalogue);
        objects without remote images are left out of the answer."""
        ids = list(dict.fromkeys(ids))
        found = {o.id: o for o in self.store.get_objects(ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise UnknownObjects(missing, "object in the catalogue")
        done, fetcher = [], self.fetcher(max_bytes=MIRROR_MAX_BYTES)
        try:
            for object_id in ids:
                obj = found[object_id]
                remote = [m.id for m in obj.media if m.is_remote and m.is_image]
                if not remote:
                    continue
                if not may_mirror(obj.rights):
                    done.append(Mirrored(object_id, "refused", remote,
                                         f"its rights ({obj.rights or 'none given'}) are no Creative Commons licence "
                                         "or public-domain mark: its images stay at its lender"))
                elif dry_run:
                    done.append(Mirrored(object_id, "mirrored", remote))
                else:
                    done.append(self._mirror(obj, fetcher))
        finally:
            fetcher.session.close()
        changed = [m.object_id for m in done if m.status == "mirrored" and not dry_run]
        if changed:
            self.keeper.catch_up()  # the index, now; then the tiles of the mirrored images
            self.keeper.tiles(changed)
        return done

    def _mirror(self, obj: DigitalObject, fetcher: Fetcher) -> Mirrored:
        """Fetch and check every remote image of ``obj``, then switch them all in one update; nothing
        changes when one fails."""
        copies: list[MediaCopy] = []
        media: list[MediaFile] = []
        with tempfile.TemporaryDirectory(prefix="vitrine-mirror-") as folder:
            try:
                for entry in obj.media:
                    if not (entry.is_remote and entry.is_image):
                        media.append(entry)
                        continue
                    copy = self._fetch(entry, Path(folder), obj.id, fetcher)
                    copies.append(copy)
                    media.append(dataclasses.replace(
                        entry, path=copy.path, format=copy.format, width=copy.width, height=copy.height,
                        size=copy.size, service=None, service_type=None, url=None, sizes=[],
                        source=entry.service or entry.url))
            except (FetchError, MediaError) as exc:
                return Mirrored(obj.id, "failed", [m.id for m in obj.media if m.is_remote], str(exc))
            made = [copy for copy in copies if copy.run()]
            try:
                self.objects.update(dataclasses.replace(obj, media=media))
            except BaseException:
                for copy in reversed(made):
                    copy.undo()
                raise
        return Mirrored(obj.id, "mirrored", [c.id for c, m in zip(media, obj.media, strict=True) if m.is_remote])

    def _fetch(self, media: MediaFile, folder: Path, object_id: str, fetcher: Fetcher) -> MediaCopy:
        """The whole remote image as a checked file ready to copy under media/; a lender that serves less
        than the image's full size (a capped derivative) has no image to mirror (exhibition details are
        stored in full-size pixels)."""
        url = media.remote_image()
        fetched = fetcher.get(url, accept="image/*")
        suffix = PurePosixPath(url).suffix.lower() if not media.service else ".jpg"
        name = f"{media.id}{suffix if suffix in ('.jpg', '.jpeg', '.png', '.tif', '.tiff', '.webp') else ''}"
        (folder / name).write_bytes(fetched.body)
        try:
            copy = inspect_media(name, folder, self.media_dir, object_id)
        except MediaError as exc:
            raise MediaError(exc.field, f"{url}: {exc.message}") from None
        if (copy.width, copy.height) != (media.width, media.height):
            raise MediaError("media", f"{url}: the lender serves {copy.width}×{copy.height} px, not the image's "
                                      f"full {media.width}×{media.height} px")
        return copy
