"""Photos that grid workers attach to household visits from their phones.

Pure module: no Flask, no database.  `process_photo` takes the uploaded bytes
and returns a clean, re-encoded JPEG, or refuses with a `PhotoError` whose
`kind` names the reason and whose `params` fill in the user-facing message
(the words live with the views, so callers translate without parsing text).

What comes out is always a freshly built baseline JPEG: nothing of the
uploaded file survives except its pixels.  That matters for privacy — phone
EXIF carries GPS coordinates, timestamps and device serial numbers — and for
safety, since no attacker-chosen bytes are ever stored or served back.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass
from io import BytesIO

from PIL import ExifTags, Image, JpegImagePlugin

__all__ = [
    "ACCEPTED_FORMATS", "PhotoError", "ProcessedPhoto", "process_photo",
]

# Pillow format names.  MPO is the multi-picture flavour of JPEG that some
# phone cameras write (the first frame is the ordinary photo), so it is
# accepted as JPEG; refusing it would reject genuine camera output.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})

# Transparent pixels become white: on a white page that is what the sender saw.
BACKGROUND = (255, 255, 255)

# Modes whose pixels carry alpha once converted; everything else goes to RGB.
ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})

# EXIF Orientation → the transpose that shows the photo upright (the same
# table as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

_PIXELS_IN_MESSAGE = re.compile(r"\((\d+) pixels\)")


class PhotoError(ValueError):
    """An upload is refused. `.kind` is machine-readable, `.params` a dict for the message.

    Kinds and their params:
      "empty"            — no bytes at all
      "too_large"        — size, limit (bytes)
      "not_image"        — the content is not a decodable image (whatever its
                           file name, extension or declared type said)
      "unsupported"      — format: a decodable image, but not JPEG/PNG/WEBP
      "too_many_pixels"  — pixels, limit; refused from the header, before any
                           pixel data is decoded (decompression-bomb guard).
                           `pixels` may be None if Pillow refused the header
                           without a size we could read back.
    """

    def __init__(self, kind: str, **params: object) -> None:
        self.kind = kind
        self.params = params
        detail = ", ".join(f"{key}={value!r}" for key, value in params.items())
        super().__init__(f"{kind} ({detail})" if detail else kind)


@dataclass(frozen=True)
class ProcessedPhoto:
    """A cleaned photo: baseline JPEG bytes, their pixel size and SHA-256 (hex)."""

    data: bytes
    width: int
    height: int
    sha256: str


def process_photo(
    raw: bytes,
    *,
    max_bytes: int = 10 * 2**20,
    max_pixels: int = 40_000_000,
    max_side: int = 1600,
    quality: int = 80,
) -> ProcessedPhoto:
    """Validate an uploaded photo and re-encode it as a metadata-free JPEG.

    Checks, in order: not empty; at most `max_bytes`; the CONTENT is an image
    Pillow can identify (names and MIME types are never consulted); at most
    `max_pixels` by the header's width × height; the format is JPEG, PNG or
    WEBP; the file passes `verify()`; the pixel data decodes completely.
    Each failure raises `PhotoError` (see its docstring for kinds).

    Then: EXIF orientation is applied, every bit of metadata is dropped
    (EXIF, GPS, ICC, XMP, comments), transparency is flattened onto white,
    the longest side is scaled down to `max_side` (aspect kept, never
    scaled up), and the result is encoded as a baseline JPEG at `quality`
    with `optimize=True`.  Animated or multi-frame files keep their first
    frame.

    The pixel limit is also capped by Pillow's own `Image.MAX_IMAGE_PIXELS`
    (about 89 million by default): anything Pillow would warn about is
    refused as "too_many_pixels" too.
    """
    if not raw:
        raise PhotoError("empty")
    if len(raw) > max_bytes:
        raise PhotoError("too_large", size=len(raw), limit=max_bytes)

    # Pillow only *warns* about a decompression bomb below twice its limit;
    # make that warning an exception so a huge image is refused, never
    # half-processed with a warning in the logs.  (catch_warnings edits
    # process-global state.  Harmless under gunicorn's sync workers; with
    # threads, a race can at worst leave this one filter in place, which is
    # the safe direction, or let one warning reach the log, after which the
    # header check in _identify still refuses the image.)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        _identify(raw, max_pixels=max_pixels)
        # Same header as _identify read, so no bomb can surface past here.
        _verify(raw)
        image = _decode(raw, max_side=max_side)

    image = _apply_orientation(image)
    image = _normalise_mode(image)
    # LANCZOS: the photos are evidence of a visit; keep text on doors legible.
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    clean = _flatten(image)

    out = BytesIO()
    # No exif=/icc_profile= arguments and a fresh canvas: nothing to carry over.
    clean.save(out, "JPEG", quality=quality, optimize=True, progressive=False)
    data = out.getvalue()
    return ProcessedPhoto(
        data=data, width=clean.width, height=clean.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _identify(raw: bytes, *, max_pixels: int) -> None:
    """Open the header only; refuse non-images, bombs and unwanted formats."""
    try:
        with Image.open(BytesIO(raw)) as probe:
            width, height = probe.size
            image_format = probe.format or ""
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise PhotoError("too_many_pixels", pixels=_pixels_from(exc), limit=max_pixels) from exc
    except Exception as exc:
        # A hostile or broken file can make a parser raise almost anything;
        # every failure here means the same thing to the uploader.
        raise PhotoError("not_image") from exc
    pixels = width * height
    if pixels > max_pixels:
        raise PhotoError("too_many_pixels", pixels=pixels, limit=max_pixels)
    if image_format not in ACCEPTED_FORMATS:
        raise PhotoError("unsupported", format=image_format)


def _verify(raw: bytes) -> None:
    """Pillow's structural check (CRCs for PNG); it needs a fresh open."""
    try:
        with Image.open(BytesIO(raw)) as candidate:
            candidate.verify()
    except Exception as exc:
        raise PhotoError("not_image") from exc


def _decode(raw: bytes, *, max_side: int) -> Image.Image:
    """Reopen (verify() leaves the image unusable) and decode all pixel data.

    Truncated data fails here: Pillow raises unless the process-wide
    `ImageFile.LOAD_TRUNCATED_IMAGES` has been switched on, which this
    project never does.
    """
    try:
        image = Image.open(BytesIO(raw))
        if isinstance(image, JpegImagePlugin.JpegImageFile):
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the photo is
            # far bigger than we keep: a 48-megapixel phone photo then costs
            # a fraction of the memory.  Twice the target keeps the final
            # LANCZOS step doing the real work (as Image.thumbnail does).
            image.draft(None, _draft_size(image.size, max_side))
        image.load()
    except Exception as exc:
        raise PhotoError("not_image") from exc
    return image


def _apply_orientation(image: Image.Image) -> Image.Image:
    """Turn the pixels upright as the EXIF Orientation tag says; unreadable EXIF means as stored.

    Not ImageOps.exif_transpose: after rotating it re-serialises the rest of
    the EXIF, which raises on malformed tags (found by fuzzing) — and we are
    about to throw that EXIF away anyway.
    """
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation)
    except Exception:
        # Broken EXIF must not cost the worker their photo; sideways beats lost.
        return image
    method = _UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    return image.transpose(method) if method is not None else image


def _draft_size(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """Twice the final size; orientation does not matter, the long side is the same."""
    width, height = size
    scale = min(1.0, max_side / max(width, height))
    return max(1, int(width * scale * 2)), max(1, int(height * scale * 2))


def _normalise_mode(image: Image.Image) -> Image.Image:
    """RGBA if the image has any transparency, otherwise RGB.

    Done before resizing because Pillow resizes palette and 1-bit images with
    nearest-neighbour only, which would make scaled-down drawings jagged.
    """
    has_alpha = image.mode in ALPHA_MODES or "transparency" in image.info
    wanted = "RGBA" if has_alpha else "RGB"
    return image if image.mode == wanted else image.convert(wanted)


def _flatten(image: Image.Image) -> Image.Image:
    """Paste onto a fresh white RGB canvas: flattens alpha and sheds `info`."""
    canvas = Image.new("RGB", image.size, BACKGROUND)
    if image.mode == "RGBA":
        canvas.paste(image, mask=image.getchannel("A"))
    else:
        canvas.paste(image)
    return canvas


def _pixels_from(exc: Exception) -> int | None:
    """Pillow's bomb messages state the pixel count; read it back if present."""
    match = _PIXELS_IN_MESSAGE.search(str(exc))
    return int(match.group(1)) if match else None
