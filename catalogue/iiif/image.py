"""The IIIF Image API 3.0 service (level 2): info.json documents and image responses.

Each answer is, in order of cost: a pre-cut tile (a file), a cached render (a
file), or a render from the nearest pyramid level. Rights decide the image: a
requester is served what the access policy (``access.py``) decides: a work in copyright as its
capped derivative, in whose coordinates its info.json, tiles and every request are, or nothing.
Pyramids are cut for what everyone (the anonymous requester) may see; a requester allowed more
is rendered from the original, privately. An exhibition detail has a
service of its own (``/detail/x,y,w,h``), whose image is that region of the image served: one more
view of the source, an offset on top of the derivative's scale, answered by the same renders.
"""
from __future__ import annotations

import hashlib
import logging
import os
import queue
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from ..access import ANONYMOUS, Access, AccessPolicy, Requester, open_policy
from ..model import MediaFile
from ..store import Change, Store
from ..urls import Urls
from . import levels
from .cache import RenderCache
from .errors import ImageError
from .pyramid import Claim, Pyramid, TileStore, decode_for_cutting, signature
from .render import render
from .request import Limits, Plan, as_v2, moved, parse, parse_detail, parse_v2, resolve
from .source import image_size

log = logging.getLogger(__name__)

CONTEXT = "http://iiif.io/api/image/3/context.json"
PROFILE_URI = "http://iiif.io/api/image/3/level2.json"
EXTRA_FEATURES = ["mirroring", "profileLinkHeader", "rotationArbitrary", "sizeUpscaling"]
CONTEXT_V2 = "http://iiif.io/api/image/2/context.json"
PROFILE_URI_V2 = "http://iiif.io/api/image/2/level2.json"
# Image API 2.1 (at /iiif/image2/): level 2 and what 3.0's extraFeatures say, in 2.1's names.
SUPPORTS_V2 = [
    "baseUriRedirect", "cors", "jsonldMediaType", "mirroring", "profileLinkHeader", "regionByPct", "regionByPx",
    "regionSquare", "rotationArbitrary", "rotationBy90s", "sizeAboveFull", "sizeByConfinedWh", "sizeByDistortedWh",
    "sizeByH", "sizeByPct", "sizeByW", "sizeByWh",
]

DEFAULTS = {
    # Largest output of one request, in pixels (info.json maxArea; upscaling included).
    "IMAGE_MAX_AREA": 4096 * 4096,
    # Largest original the server will decode (decompression-bomb guard).
    "IMAGE_MAX_SOURCE_PIXELS": 100_000_000,
    # Seconds one render may take before it is abandoned with a 503.
    "IMAGE_RENDER_SECONDS": 10,
    # Disk budget for rendered images that no pre-cut tile answers.
    "IMAGE_RENDER_CACHE_MB": 256,
    # Renders running at once per process (each holds a decoded region in memory).
    "IMAGE_RENDERS_AT_ONCE": 2,
}
# A request that decodes at most this many source pixels is rendered at once even before the pyramid exists.
CHEAP_DECODE = 4_000_000


@dataclass(frozen=True)
class Located:
    """A media file resolved to an image on disk, with what the service needs to know about it."""

    media: MediaFile
    object_id: str
    rights: str | None
    path: Path
    width: int
    height: int
    colour: bool
    signature: dict  # what its pyramid is cut from: the source file, and the public's cap
    public: Access  # what everyone may see of it, the pyramid's image


@dataclass
class Served:
    """An image response: an open file and what the HTTP layer needs to describe it."""

    file: BinaryIO
    size: int
    mtime: float
    mimetype: str
    private: bool


@dataclass(frozen=True)
class CutResult:
    media_id: str
    status: str  # cut | current | removed | failed
    message: str = ""


class ImageService:
    """One catalogue's image service; safe to share between threads."""

    def __init__(self, store: Store, config: dict, policy: AccessPolicy | None = None):
        def setting(key):
            return config.get(key, DEFAULTS.get(key))

        self.store = store
        self.media_dir = Path(config["MEDIA_DIR"]).resolve()
        self.tiles = TileStore(Path(config["TILE_DIR"]))
        self.cache = RenderCache(Path(config["CACHE_DIR"]) / "renders", int(setting("IMAGE_RENDER_CACHE_MB")) << 20)
        self.policy = policy or open_policy(config)
        self.max_area = int(setting("IMAGE_MAX_AREA"))
        self.max_source_pixels = int(setting("IMAGE_MAX_SOURCE_PIXELS"))
        self.render_seconds = float(setting("IMAGE_RENDER_SECONDS"))
        self._renders = threading.BoundedSemaphore(int(setting("IMAGE_RENDERS_AT_ONCE")))
        self._geometry: dict[tuple, tuple[int, int, bool]] = {}
        self._cutter = _BackgroundCutter(self)
        self._withdrawing = threading.Lock()
        self._caught_up = False

    def close(self, timeout: float = 10.0) -> None:
        """Stop the background cutter once what it was given is cut: a closed catalogue leaves no thread
        behind to read a store that is gone (and to log, from its thread, while another builds an app)."""
        self._cutter.stop(timeout)

    # -- looking images up ---------------------------------------------------

    def locate(self, media_id: str) -> Located:
        """The image behind a media id, or ImageError(404)."""
        self.catch_up()
        found = self.store.get_media(media_id)
        if found is None:
            raise ImageError(404, f"there is no image {media_id!r}")
        media, object_id, rights = found
        if not media.is_image:
            raise ImageError(404, f"media {media_id!r} is not an image")
        if media.is_remote:
            raise ImageError(404, f"image {media_id!r} is served by the institution that lends it, at "
                                  f"{media.service or media.url}, not by this catalogue")
        path = (self.media_dir / media.path).resolve()
        if not path.is_relative_to(self.media_dir):
            raise ImageError(404, f"the file of image {media_id!r} is outside the media folder")
        try:
            st = path.stat()
        except OSError:
            raise ImageError(404, f"the file of image {media_id!r} is missing") from None
        key = (str(path), st.st_size, st.st_mtime_ns)
        geometry = self._geometry.get(key)
        if geometry is None:
            geometry = self._read_geometry(media_id, path, key)
        width, height, colour = geometry
        public = self.policy.decide(ANONYMOUS, rights, media)
        return Located(media, object_id, rights, path, width, height, colour, signature(path, public.limit), public)

    def _read_geometry(self, media_id: str, path: Path, key: tuple) -> tuple[int, int, bool]:
        pyramid = self.tiles.load(media_id)
        signed = pyramid and (pyramid.signature["source"], pyramid.signature["bytes"], pyramid.signature["mtime_ns"])
        if pyramid and signed == key and pyramid.signature["limit"] is None:  # a capped one has the derivative's size
            geometry = (pyramid.width, pyramid.height, pyramid.mode == "RGB")
        else:
            width, height = image_size(path, self.max_source_pixels)
            with Image.open(path) as image:
                colour = image.mode not in ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F")
            geometry = (width, height, colour)
        if len(self._geometry) > 10_000:
            self._geometry.clear()
        self._geometry[key] = geometry
        return geometry

    def access(self, image: Located, requester: Requester = ANONYMOUS) -> Access:
        """What this requester may see of the image (the access policy's decision); ImageError(403) for nothing."""
        access = image.public if requester == ANONYMOUS else self.policy.decide(requester, image.rights, image.media)
        if not access.visible:
            raise ImageError(403, f"image {image.media.id!r} is not shown to you")
        return access

    def presented(self, image: Located, access: Access) -> tuple[int, int]:
        """The size of the image a requester with this access is served: the work, or its capped
        derivative (the only image its service then knows, so nothing shows more than the cap)."""
        return levels.capped_size(image.width, image.height, access.limit)

    def view(self, image: Located, access: Access, detail: str | None = None) -> tuple[int, int, int, int]:
        """What one service shows of the image presented, as an offset and a size: all of it, or an
        exhibition detail (a region of it, 404 unless inside it), whose own image the region is."""
        width, height = self.presented(image, access)
        return (0, 0, width, height) if detail is None else parse_detail(detail, width, height)

    def limits(self, image: Located, access: Access, view: tuple[int, int, int, int]) -> Limits:
        """What this requester may get of a view of the image presented: no output larger than the view
        of a capped derivative (its pixels, never more)."""
        _, _, width, height = view
        if self.presented(image, access) == (image.width, image.height):
            return Limits(max_area=self.max_area)
        return Limits(max_area=self.max_area, max_width=width, max_height=height)

    def _cut_for(self, image: Located, access: Access) -> bool:
        """Whether this requester is served the image the pyramid holds (everyone's)."""
        return image.public.visible and self.presented(image, access) == self.presented(image, image.public)

    # -- info.json -----------------------------------------------------------

    def info(self, media_id: str, urls: Urls, requester: Requester = ANONYMOUS, detail: str | None = None) -> dict:
        """The image information document, exactly as the service (or a detail's) behaves for this requester."""
        image = self.locate(media_id)
        access = self.access(image, requester)
        view = self.view(image, access, detail)
        limits = self.limits(image, access, view)
        _, _, width, height = view
        doc = {
            "@context": CONTEXT,
            "id": urls.image_service(media_id) + _detail_path(view, detail),
            "type": "ImageService3",
            "protocol": "http://iiif.io/api/image",
            "profile": "level2",
            "width": width,
            "height": height,
        }
        if limits.max_width:
            doc["maxWidth"], doc["maxHeight"] = limits.max_width, limits.max_height
        doc["maxArea"] = self.max_area
        doc["sizes"] = [{"width": w, "height": h} for w, h in levels.sizes(width, height)]
        doc["tiles"] = [{"width": levels.TILE_SIZE, "scaleFactors": levels.scale_factors(width, height)}]
        doc["preferredFormats"] = ["jpg"]
        doc["extraFormats"] = ["webp"]
        doc["extraQualities"] = ["color", "gray", "bitonal"] if image.colour else ["gray", "bitonal"]
        doc["extraFeatures"] = EXTRA_FEATURES
        if image.rights:
            doc["rights"] = image.rights
        doc["partOf"] = [{"id": urls.manifest(image.object_id), "type": "Manifest"}]
        return doc

    def info_v2(
        self, media_id: str, urls: Urls, requester: Requester = ANONYMOUS, detail: str | None = None
    ) -> dict:
        """The same image information in Image API 2.1 terms (limits go in the profile)."""
        doc = self.info(media_id, urls, requester, detail)
        limits = {key: doc[key] for key in ("maxWidth", "maxHeight", "maxArea") if key in doc}
        qualities = ["default", *doc["extraQualities"]]
        out = {
            "@context": CONTEXT_V2,
            "@id": urls.image_service(media_id, version=2) + doc["id"].removeprefix(urls.image_service(media_id)),
            "protocol": doc["protocol"],
            "width": doc["width"],
            "height": doc["height"],
            "profile": [PROFILE_URI_V2, {"formats": ["jpg", "png", "webp"], "qualities": qualities,
                                         "supports": SUPPORTS_V2, **limits}],
            "sizes": doc["sizes"],
            "tiles": doc["tiles"],
        }
        if "rights" in doc:
            out["license"] = doc["rights"]
        return out

    # -- images --------------------------------------------------------------

    def image(
        self, media_id: str, region: str, size: str, rotation: str, quality_format: str,
        requester: Requester = ANONYMOUS, version: int = 3, detail: str | None = None,
    ) -> Served:
        """The response to ``{region}/{size}/{rotation}/{quality}.{format}`` (Image API 3.0, or 2.1) of
        the image or of one of its details; ImageError for refusals. Both versions and every view share
        every limit, rights rule, tile and render: a detail's plan is moved by its offset onto the image."""
        request = (parse if version == 3 else parse_v2)(region, size, rotation, quality_format)
        image = self.locate(media_id)
        access = self.access(image, requester)
        width, height = self.presented(image, access)
        view = self.view(image, access, detail)
        if version == 2:
            request = as_v2(request, *view[2:])
        limits = self.limits(image, access, view)
        plan = moved(resolve(request, *view[2:], limits), *view[:2])
        private = access != image.public  # more than everyone sees: never in a shared cache
        cut_for = self._cut_for(image, access)
        pyramid = self.tiles.current(media_id, image.signature) if cut_for else None
        if pyramid and _precut(plan, image.colour):
            served = _open(pyramid.file(plan.region, plan.size), plan.mimetype, private)
            if served:
                return served
        key = f"{plan.canonical}|{plan.region}|{sorted(image.signature.items())}|{limits}|{width}x{height}"
        key = hashlib.sha1(key.encode()).hexdigest()
        cached = _open(self.cache.get(media_id, key, plan.format), plan.mimetype, private)
        if cached:
            return cached
        deadline = time.monotonic() + self.render_seconds
        claim = None
        if pyramid is None and cut_for:
            pyramid, claim = self._first_views(image, plan, width, deadline)
        try:
            if not self._renders.acquire(timeout=max(0.0, deadline - time.monotonic())):
                raise ImageError(503, "the image server is busy; try again in a moment")
            try:
                original = claim.image if claim else None
                data = render(plan, width, height, pyramid, image.path, self.max_source_pixels, deadline, original)
            finally:
                self._renders.release()
        finally:
            # Only now, so that the first view does not share the CPU with the cut it starts.
            if claim:
                self._cutter.cut_with(media_id, claim)
            elif pyramid is None:
                self._cutter.request(media_id)
        served = _open(self.cache.put(media_id, key, plan.format, data), plan.mimetype, private)
        return served or _unkept(data, plan.mimetype, private)

    def _first_views(
        self, image: Located, plan: Plan, width: int, deadline: float
    ) -> tuple[Pyramid | None, Claim | None]:
        """An image not cut yet. A view cheap to decode (a small image, or a JPEG in draft mode)
        renders from the original, then the pyramid is cut in the background. A costlier one
        decodes the original once, renders from it, and hands it on to be cut into the pyramid
        (the returned claim); if someone is cutting already, it waits for their pyramid. ``width``
        is the image presented (the plan's coordinates), the pyramid's image."""
        media_id = image.media.id
        resolution = min(1.0, plan.needed_resolution) * width / image.width  # of the original's pixels
        reduction = 1
        if image.path.suffix.lower() in (".jpg", ".jpeg"):
            while reduction < 8 and resolution * reduction * 2 <= 1:
                reduction *= 2
        if image.width * image.height / reduction**2 <= CHEAP_DECODE:
            return None, None  # the caller starts the cut once this view is rendered
        claim = self.tiles.claim(media_id)
        if claim is None:
            try:
                pyramid, _ = self.tiles.build(
                    media_id, image.path, image.signature["limit"], self.max_source_pixels,
                    wait=max(0.0, deadline - time.monotonic()),
                )
            except TimeoutError:
                raise ImageError(503, "the image is still being prepared; try again in a moment") from None
            return pyramid, None
        try:
            claim.image = decode_for_cutting(image.path, image.signature["limit"], self.max_source_pixels)
        except BaseException:
            claim.release()
            raise
        return None, claim

    # -- cutting -------------------------------------------------------------

    def cut(self, media_id: str, force: bool = False, claim: Claim | None = None) -> CutResult:
        """Make sure one image's pyramid is current; never raises for a bad image."""
        try:
            image = self.locate(media_id)
            if not image.public.visible:  # nobody may see it: no tiles on disk (the fast path sends any it finds)
                self.tiles.remove(media_id)
                self.cache.remove(media_id)
                return CutResult(media_id, "removed")
            _, cut = self.tiles.build(
                media_id, image.path, image.signature["limit"], self.max_source_pixels, force=force, claim=claim
            )
        except Exception as exc:  # one bad image must not stop a batch
            message = exc.message if isinstance(exc, ImageError) else f"{type(exc).__name__}: {exc}"
            log.warning("tiles of %s not cut: %s", media_id, message)
            return CutResult(media_id, "failed", message)
        if cut:
            self.cache.remove(media_id)
            changed = self._rights_changed_meanwhile(media_id, image)
            if changed:
                return self.cut(media_id, force=True) if changed == "changed" else CutResult(media_id, "removed")
        known = self.tiles.object_media(image.object_id)
        if media_id not in known:
            self.tiles.set_object_media(image.object_id, known + [media_id])
        return CutResult(media_id, "cut" if cut else "current")

    def _rights_changed_meanwhile(self, media_id: str, image: Located) -> str | None:
        """Whether a commit changed the image's limit (or removed it) while its pyramid was cut: a
        withdrawal then found nothing to withdraw, so the new pyramid goes at once."""
        try:
            located = self.locate(media_id)
            now = located.signature["limit"] if located.public.visible else "gone"
        except ImageError:
            now = "gone"
        if now == image.signature["limit"]:
            return None
        self.tiles.remove(media_id)
        self.cache.remove(media_id)
        return "gone" if now == "gone" else "changed"

    def cut_object(self, object_id: str, force: bool = False) -> list[CutResult]:
        """Bring an object's tiles in line with the store: cut new or changed images, remove dropped ones.

        Works for created, updated and deleted objects alike.
        """
        obj = self.store.get_object(object_id)
        images = [m.id for m in obj.images if not m.is_remote] if obj else []  # a loan's tiles are its lender's
        results = []
        for media_id in self.tiles.object_media(object_id):
            if media_id not in images:
                self.tiles.remove(media_id)
                self.cache.remove(media_id)
                results.append(CutResult(media_id, "removed"))
        results += [self.cut(media_id, force) for media_id in images]
        self.tiles.set_object_media(object_id, images)
        return results

    def prune(self) -> list[CutResult]:
        """Remove pyramids of images the store no longer has (after deletes made elsewhere)."""
        known = {m.id for m, _, _ in self.store.iter_media() if m.is_image and not m.is_remote}
        gone = [m for m in self.tiles.media_ids() if m not in known]
        for media_id in gone:
            self.tiles.remove(media_id)
            self.cache.remove(media_id)
        existing = {oid for _, oid, _ in self.store.iter_media()}
        for object_id in self.tiles.object_ids():
            if object_id not in existing:
                self.tiles.set_object_media(object_id, [])
        return [CutResult(m, "removed") for m in gone]

    def on_change(self, changes: list[Change]) -> None:
        """Store listener: tiles a change made wrong go at once; (re)cutting follows in the background."""
        self.withdraw()
        for change in changes:
            if change.kind == "object":
                self._cutter.request(change.ref, whole_object=True)

    def withdraw(self) -> int:
        """Remove the tiles that committed changes no longer allow (a work now in copyright, an image
        replaced or dropped), following the change log from where the last withdrawal stopped; every
        object's when the access policy changed since the tiles were cut (ACCESS_POLICY, the cap).

        Called after every commit and before a process's first image (catch_up), so a withdrawal
        that a killed process left undone is finished by the next one. Returns the objects checked.
        """
        with self._withdrawing:
            since = self.tiles.withdrawn_upto()
            if since is None and not self.tiles.object_ids():
                self.tiles.set_withdrawn_upto(self.store.last_seq())  # no tiles yet: nothing to withdraw
                self.tiles.set_cut_under(self.policy.key)
                self._caught_up = True
                return 0
            since = since or 0
            touched: set[str] = set()
            if self.tiles.cut_under() not in (None, self.policy.key):
                touched = set(self.tiles.object_ids())
            while page := self.store.changes(since=since, limit=5000):
                touched |= {c.ref for c in page if c.kind == "object"}
                since = page[-1].seq
            for object_id in touched & set(self.tiles.object_ids()):  # those with tiles, of 70,000 imported
                self._withdraw_stale(object_id)
            self.tiles.set_withdrawn_upto(since)
            if self.tiles.cut_under() != self.policy.key:
                self.tiles.set_cut_under(self.policy.key)
            self._caught_up = True
            return len(touched)

    def catch_up(self) -> None:
        """Before this process's first image: finish what a process killed right after its commit left undone
        (its withdrawal). First use, not construction: the application factory writes nothing."""
        if not self._caught_up:
            self.withdraw()

    def _withdraw_stale(self, object_id: str) -> None:
        """Remove pyramids cut for rights, files or images the object no longer has (a work now in
        copyright must not stay reachable at full size until its new pyramid is ready)."""
        obj = self.store.get_object(object_id)
        images = {m.id: m for m in obj.images} if obj else {}
        for media_id in self.tiles.object_media(object_id):
            pyramid = self.tiles.load(media_id)
            media = images.get(media_id)
            if pyramid and (
                obj is None
                or media is None
                or not (public := self.policy.decide(ANONYMOUS, obj.rights, media)).visible
                or pyramid.signature["limit"] != public.limit
                or pyramid.signature["source"] != str((self.media_dir / media.path).resolve())
            ):
                self.tiles.remove(media_id)
                self.cache.remove(media_id)

    def start_background(self) -> None:
        """This process serves requests: cut queued and future work in a background thread.

        A command-line process never calls this; it cuts with cut_object() and exits.
        """
        self._cutter.start()

    def wait_idle(self, timeout: float = 30) -> bool:
        """Wait until the background cutter has nothing left to do (tests, benchmarks)."""
        return self._cutter.wait_idle(timeout)


def _detail_path(view: tuple[int, int, int, int], detail: str | None) -> str:
    """The path of a detail's service below its image's (none for the whole image)."""
    return "" if detail is None else "/detail/" + ",".join(map(str, view))


def _precut(plan: Plan, colour: bool) -> bool:
    """Whether a pre-cut JPEG has exactly these pixels."""
    native = "color" if colour else "gray"
    return plan.rotation == 0 and not plan.mirror and plan.format == "jpg" and plan.quality in ("default", native)


def _unkept(data: bytes, mimetype: str, private: bool) -> Served:
    """A render the cache could not keep (cleared or pruned meanwhile), sent from a nameless file."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 -- the response sends and closes it
    file.write(data)
    file.seek(0)
    st = os.fstat(file.fileno())
    return Served(file, st.st_size, st.st_mtime, mimetype, private)


def _open(path: Path | None, mimetype: str, private: bool) -> Served | None:
    if path is None:
        return None
    try:
        file = open(path, "rb")  # noqa: SIM115 -- the response sends and closes it
    except OSError:
        return None
    st = os.fstat(file.fileno())
    return Served(file, st.st_size, st.st_mtime, mimetype, private)


_STOP: tuple[str, bool] = ("", False)  # queued by stop(): the thread ends when it reaches it


class _BackgroundCutter:
    """One thread per serving process that cuts pyramids queued by ingest or by first requests."""

    def __init__(self, service: ImageService):
        self.service = service
        self.queue: queue.Queue[tuple[str, bool | Claim]] = queue.Queue()
        self.pending: set[tuple[str, bool]] = set()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.idle = threading.Event()
        self.idle.set()
        self.handed = 0  # claims queued by requests, not yet cut

    def cut_with(self, media_id: str, claim: Claim) -> None:
        """Cut a pyramid from an original a request already decoded, under the lock it holds."""
        self.start()
        with self.lock:
            self.idle.clear()
            self.handed += 1
        self.queue.put((media_id, claim))

    def request(self, ref: str, whole_object: bool = False) -> None:
        with self.lock:
            if (ref, whole_object) in self.pending:
                return
            self.pending.add((ref, whole_object))
            self.idle.clear()
        self.queue.put((ref, whole_object))

    def start(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            return
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="vitrine-tiles", daemon=True)
                self.thread.start()

    def stop(self, timeout: float) -> None:
        thread = self.thread
        if thread is not None and thread.is_alive():
            self.queue.put(_STOP)
            thread.join(timeout)

    def wait_idle(self, timeout: float) -> bool:
        if self.thread is None:
            return self.idle.is_set()  # not serving: queued work waits for a command to cut it
        return self.idle.wait(timeout)

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is _STOP:
                return
            ref, how = item
            try:
                if isinstance(how, Claim):
                    self.service.cut(ref, claim=how)
                elif how:
                    self.service.cut_object(ref)
                else:
                    self.service.cut(ref)
            except Exception:  # a background thread must outlive one bad image
                log.exception("cutting tiles for %s failed", ref)
            with self.lock:
                if isinstance(how, Claim):
                    how.release()
                    self.handed -= 1
                else:
                    self.pending.discard(item)
                if not self.pending and not self.handed:
                    self.idle.set()


def image_service(app=None) -> ImageService:
    """The running application's image service."""
    from flask import current_app

    return (app or current_app).extensions["vitrine"].images


def cut_tiles_for_object(object_id: str, force: bool = False) -> list[CutResult]:
    """Cut (or remove) an object's tiles now; for ``vitrine ingest`` and other commands, inside an app context."""
    return image_service().cut_object(object_id, force)

