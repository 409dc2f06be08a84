"""The only place the vault decodes images: perceptual hashes and small terminal previews.

Images in a vault were often sent by the people threatening the defender, so every byte here is
treated as hostile. Decoding happens entirely in memory (the bytes come from the encrypted vault and
nothing is ever written: no temporary files, no caches), only six well-worn formats are accepted
(PNG, JPEG, GIF, WebP, BMP, TIFF; never EPS, which would run Ghostscript, nor the long tail of rarely
used plugins), images over :data:`MAX_PIXELS` or inputs over :data:`MAX_INPUT_BYTES` are refused
before any pixel is decoded, and *any* failure while decoding becomes ``None``: a bad image must
never crash the vault or show a traceback.

Two features use this module:

* :func:`perceptual_hash` recognises the same photo re-posted in several chats ("seen 5 times in 3
  chats") without anyone having to look at it again, and the hash can be exported for hash-matching
  takedown services.
* :func:`preview` shrinks a NON-sensitive image to a grid of terminal cells drawn with the upper
  half block "▀": the foreground colour paints the top pixel, the background the bottom one.

Both work on the picture *as a viewer sees it*: the EXIF orientation is applied first. Phones store
portrait photos sideways with an "rotate me" tag; when the photo is forwarded, screenshotted or
recompressed by a messenger the rotation is baked into the pixels and the tag dropped. A 90° turn
changes a pHash completely, so hashing the stored pixels would make the original and its re-posts
look unrelated; hashing the upright picture makes them match. (The price is that two files with the
same pixels but different orientation tags no longer match each other, which is what a viewer would
expect anyway: they show different pictures.)

Transparent pixels are laid on a mid-grey background (:data:`BACKGROUND`) for both hashing and
previews, so a re-post of a transparent sticker flattened onto grey by some app still matches, and
what is hidden under fully transparent pixels (often leftover colour noise) never affects the hash.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import imagehash
from PIL import Image, ImageFile

from vault.media import libtiff_quiet

PHASH_ALGORITHM = "phash-64"
"""Name stored next to every hash: ``imagehash.phash`` with ``hash_size=8``, 64 bits as 16 hex digits.

The hash is taken on the upright (EXIF-transposed) picture, composited on :data:`BACKGROUND`. Bump the
name if any of that changes: hashes made differently must never be compared with each other.
(Non-JPEG pictures over :data:`REDUCE_ABOVE_PIXELS` are averaged down to at least
:data:`HASH_DRAFT_SIZE` before hashing, as JPEGs always were; the tests measure that this moves at
most 2 of the 64 bits, so the name stays. Smaller pictures are hashed exactly as before.)
"""

SIMILAR_DISTANCE = 10
"""At most this many of the 64 bits may differ for two images to count as "the same picture".

Ten is the threshold commonly used with 64-bit pHash. Measured in the tests on a photo-like
480 × 360 picture: re-encoding as JPEG (quality 60) or WebP, halving the size and +10 % brightness
flip 0 bits; a caption strip of ~3 % of the height added below or painted over flips 4-6; all of
these at once 4. Unrelated pictures differ in 20-42 bits. Heavier edits are *not* caught: a
strip of 5 % of the height already flips 10-14 bits, and crops and mirror images change the hash
completely; that is a limit of pHash.
"""

MAX_INPUT_BYTES = 64 * 1024 * 1024
"""Inputs larger than this are refused unread: no legitimate photo from a chat export is this big."""

MAX_PIXELS = 64_000_000
"""Images with more pixels than this (about 8000 × 8000) are refused before decoding.

A compressed image can claim a huge size in a few bytes (a "decompression bomb": a 1-bit PNG of
20000 × 20000 compresses to ~50 KB but would need 400 MB to decode). Phone cameras produce 12-50
megapixels, so 64 keeps every real photo. Pillow keeps at most 4 bytes per pixel, so the decoded
picture is at most 256 MB, and it is shrunk band by band (:func:`_reduced_rgb`) rather than copied:
an 8000 × 7999 RGBA PNG of 255 KiB costs about 280 MB and 3 s to hash on a 2-core laptop (it cost
1 GB before). JPEGs are cheaper still: the decoder itself works at a reduced scale.
"""

ALLOWED_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF")
"""Pillow formats we decode; anything else (SVG, PDF, EPS, PSD, ICO, ...) is refused."""

BACKGROUND: tuple[int, int, int] = (128, 128, 128)
"""Mid-grey put behind transparent pixels: readable on both dark and light terminal themes."""

HASH_DRAFT_SIZE = 256
"""JPEGs are decoded at a reduced scale (1/2 to 1/8, done by the JPEG decoder itself) but never
below this many pixels on either side. pHash shrinks every image to 32 × 32 anyway, so starting
from >= 256 instead of a full 12-megapixel decode changes no meaningful bit and is ~10x faster."""

REDUCE_ABOVE_PIXELS = 8_000_000
"""Only pictures with more pixels than this are shrunk band by band (:func:`_reduced_rgb`).

Smaller ones (every screenshot, most photos) are converted whole, as they always were, so their
previews and hashes are unchanged; converting 8 megapixels whole costs about 130 MB at worst.
"""

BAND_PIXELS = 1 << 21
"""A big picture is converted and shrunk this many source pixels at a time (2 M; 8 MiB as RGBA)."""

Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Process-wide on purpose: this module is the vault's only image decoder, and tightening Pillow's
# own decompression-bomb check (default ~89 megapixels) also protects any future caller. The
# explicit size check in ``_open`` below does not depend on it.

_PIL_LOG = logging.getLogger("PIL")
_PIL_LOG.addHandler(logging.NullHandler())
_PIL_LOG.propagate = False
# Pillow reports some hostile TIFFs with ``logger.error`` before raising; with no handler set up,
# Python's last-resort handler would print that line over the terminal app. The vault keeps no
# logs, and the exception that follows is already turned into "no image" below.

_HEX64 = re.compile(r"[0-9a-fA-F]{16}")
_ORIENTATION_TAG = 0x0112
_SWAPS_SIDES = frozenset({5, 6, 7, 8})  # EXIF orientations that turn the picture by 90°
_TRANSPOSE = {  # EXIF orientation -> the turn that makes the picture upright (as ImageOps does)
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

RGB = tuple[int, int, int]
Cell = tuple[RGB, RGB]


@dataclass(frozen=True)
class Preview:
    """A picture shrunk to terminal cells, each cell holding a top and a bottom pixel."""

    width_px: int
    """Width of the original image as displayed (after the EXIF orientation)."""
    height_px: int
    """Height of the original image as displayed (after the EXIF orientation)."""
    format: str
    """Pillow's format name: "PNG", "JPEG", "GIF", "WEBP", "BMP" or "TIFF"."""
    cols: int
    rows: int
    cells: tuple[tuple[Cell, ...], ...]
    """``rows`` rows of ``cols`` cells; a cell is (top RGB, bottom RGB): draw "▀" with the top as
    foreground and the bottom as background colour."""


@contextmanager
def _guarded() -> Iterator[None]:
    """Turn Pillow's decompression-bomb warning into an error and silence every other warning.

    Other warnings (e.g. "corrupt EXIF data", common in real photos) must not be printed over the
    terminal UI. ``catch_warnings`` is process-global and not thread-safe, so the real bomb guard
    is the explicit pixel count in :func:`_open`; this is the second layer.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def _open(data: bytes) -> ImageFile.ImageFile | None:
    """Identify ``data`` as one of the allowed formats without decoding pixels, or None.

    Raises whatever Pillow raises for malformed headers; callers run inside ``try``.
    """
    if not data or len(data) > MAX_INPUT_BYTES:
        return None
    img = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
    width, height = img.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        return None
    if getattr(img, "use_load_libtiff", False) and not libtiff_quiet.silence():
        return None  # libtiff would print over the terminal app; see libtiff_quiet
    return img


def _format_name(img: Image.Image) -> str:
    # Camera JPEGs with an embedded second picture are reported by Pillow as "MPO"; they are JPEGs.
    fmt = img.format or ""
    return "JPEG" if fmt == "MPO" else fmt


def _header_orientation(img: Image.Image) -> int:
    """The EXIF orientation (1-8; 1 = upright) not yet reflected in ``img.size``; decodes no pixels.

    Pillow already reports a TIFF's size upright (and turns its pixels while loading). A PNG may
    keep its eXIf chunk after the pixel data, where Pillow would decode the whole image to find it:
    such a PNG counts as upright here (and is still turned by ``exif_transpose`` after loading).
    """
    if img.format == "TIFF" or (img.format == "PNG" and "exif" not in img.info):
        return 1
    value = img.getexif().get(_ORIENTATION_TAG, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _upright_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    width, height = size
    return (height, width) if orientation in _SWAPS_SIDES else (width, height)


def _value_range(img: Image.Image) -> tuple[float, float] | None:
    """The (lowest, highest) value of a 32-bit grey image, which :func:`_to_rgb` stretches to 0-255."""
    if img.mode not in ("I", "F"):
        return None
    low, high = img.getextrema()
    if not isinstance(low, float | int) or not isinstance(high, float | int):
        raise ValueError("unexpected extrema for a single-band image")
    return float(low), float(high)


def _to_rgb(img: Image.Image, value_range: tuple[float, float] | None = None) -> Image.Image:
    """Convert any decoded mode to 8-bit RGB, compositing transparency on :data:`BACKGROUND`.

    ``value_range`` is the whole picture's :func:`_value_range` when ``img`` is one band of it,
    so every band of a 32-bit grey image is stretched alike.
    """
    mode = img.mode
    if mode.startswith("I;16"):
        # 16-bit grey: scale to 8 bits (a plain convert("L") would clip everything above 255 to white).
        img = img.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif mode in ("I", "F"):
        # 32-bit integer or float grey (rare TIFFs) has no fixed range: stretch what is there.
        low, high = value_range if value_range is not None else _value_range(img) or (0.0, 255.0)
        span = (high - low) or 1.0
        img = img.convert("F").point(lambda v: (v - low) * (255.0 / span)).convert("L")
    has_alpha = any(band in ("A", "a") for band in img.getbands()) or "transparency" in img.info
    if has_alpha:
        rgba = img.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (*BACKGROUND, 255))
        flat.alpha_composite(rgba)
        return flat.convert("RGB")
    return img if img.mode == "RGB" else img.convert("RGB")


def _reduced_rgb(img: Image.Image, factor: int) -> Image.Image:
    """:func:`_to_rgb` of ``img`` shrunk ``factor`` times, never holding a full-size copy.

    Converting a big decoded picture whole would cost several full-size copies (RGBA, the grey
    background, the composite, RGB: about 1 GiB for a 64-megapixel PNG). Instead it is converted
    in bands of :data:`BAND_PIXELS` and each band averaged down ``factor`` times (``reduce``: each
    output pixel is the mean of a ``factor`` × ``factor`` block), so memory stays at the decoded
    picture plus one band. Transparency is flattened *before* averaging, as a viewer would see it.
    """
    value_range = _value_range(img)
    width, height = img.size
    out = Image.new("RGB", (-(-width // factor), -(-height // factor)))
    band_rows = max(1, BAND_PIXELS // (width * factor)) * factor  # a multiple of factor
    for top in range(0, height, band_rows):
        band = img.crop((0, top, width, min(height, top + band_rows)))
        out.paste(_to_rgb(band, value_range).reduce(factor), (0, top // factor))
    return out


def _orientation(img: Image.Image) -> int:
    """The EXIF orientation still to apply to a *loaded* image (Pillow turns TIFFs while loading)."""
    value = img.getexif().get(_ORIENTATION_TAG, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _decode_upright(
    data: bytes, decode_size: Callable[[int, int], tuple[int, int]]
) -> tuple[str, int, int, Image.Image] | None:
    """Decode ``data`` to an upright RGB image: (format, displayed width, height, image) or None.

    ``decode_size(width, height)`` gets the displayed size and returns the smallest size (displayed
    orientation) the caller needs. JPEGs are decoded at a reduced scale by the decoder itself; any
    picture still over :data:`REDUCE_ABOVE_PIXELS` and at least twice the needed size is then
    averaged down band by band
    (:func:`_reduced_rgb`), so no caller ever holds more than the decoded picture plus a little.
    """
    with _guarded():
        try:
            # Not closed explicitly: the file is a BytesIO (no OS handle), and closing would also
            # invalidate the pixels when _to_rgb returns the same, already-RGB image.
            img = _open(data)
            if img is None:
                return None
            fmt = _format_name(img)
            stored_size = img.size
            # Only JPEGs are drafted, and a JPEG's EXIF is all in its header.
            early = _header_orientation(img)
            need_w, need_h = decode_size(*_upright_size(stored_size, early))
            if early in _SWAPS_SIDES:
                need_w, need_h = need_h, need_w
            drafted = img.draft("RGB", (max(1, need_w), max(1, need_h))) is not None
            img.load()
            orientation = _orientation(img)
            # A drafted JPEG is smaller than the original, but its orientation was known up front;
            # anything else is now the stored picture at full size (a TIFF already upright).
            width, height = _upright_size(stored_size if drafted else img.size, orientation)
            need_w, need_h = decode_size(width, height)
            if orientation in _SWAPS_SIDES:
                need_w, need_h = need_h, need_w
            factor = max(1, min(img.width // max(1, need_w), img.height // max(1, need_h)))
            small = img.width * img.height <= REDUCE_ABOVE_PIXELS
            rgb = _to_rgb(img) if factor == 1 or small else _reduced_rgb(img, factor)
            method = _TRANSPOSE.get(orientation)
            return fmt, width, height, rgb if method is None else rgb.transpose(method)
        except Exception:
            # Deliberately broad: besides the documented Pillow errors (UnidentifiedImageError,
            # DecompressionBombError/-Warning, OSError for truncated data, ValueError, SyntaxError,
            # struct.error, EOFError, MemoryError), hostile files reach decoder paths that raise
            # IndexError, KeyError, ZeroDivisionError and more. A bad image is "no image".
            return None


def describe(data: bytes) -> tuple[str, int, int] | None:
    """Return (format, width, height) from the header alone, or None if we would not decode it.

    The size is as displayed (EXIF orientation applied, so a sideways-stored portrait photo reports
    portrait dimensions). Images over :data:`MAX_PIXELS` and disallowed formats give None, because
    nothing else in this module would decode them either. A truncated file may still be described:
    only its header is read.
    """
    with _guarded():
        try:
            img = _open(data)
            if img is None:
                return None
            width, height = _upright_size(img.size, _header_orientation(img))
            return _format_name(img), width, height
        except Exception:
            return None


def perceptual_hash(data: bytes) -> str | None:
    """Return the :data:`PHASH_ALGORITHM` hash of an image (16 lowercase hex digits), or None.

    None means the bytes are not an image we accept (see the module docstring); it never raises for
    a bad image.
    """
    decoded = _decode_upright(data, lambda _w, _h: (HASH_DRAFT_SIZE, HASH_DRAFT_SIZE))
    if decoded is None:
        return None
    image = decoded[3]
    try:
        digest = str(imagehash.phash(image, hash_size=8))
    except Exception:
        return None
    if not _HEX64.fullmatch(digest):  # pragma: no cover - imagehash always gives 16 digits
        return None
    return digest.lower()


def hash_distance(a: str, b: str) -> int:
    """Number of differing bits between two :data:`PHASH_ALGORITHM` hashes (0-64).

    Raises ValueError unless both are exactly 16 hex digits (either case).
    """
    for value in (a, b):
        if not isinstance(value, str) or not _HEX64.fullmatch(value):
            raise ValueError("a perceptual hash must be exactly 16 hexadecimal digits")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def fit_cells(width: int, height: int, max_cols: int, max_rows: int) -> tuple[int, int]:
    """Cells (cols, rows) for a ``width`` × ``height`` picture within ``max_cols`` × ``max_rows``.

    A terminal cell is about twice as tall as wide and holds two pixel rows, so one pixel is about
    square: the picture is scaled by one factor ``s`` to ``width*s`` columns and ``height*s`` pixel
    rows (two per cell row). Never enlarged (a 16-pixel icon stays 16 columns wide) and never
    smaller than one cell.
    """
    if max_cols < 1 or max_rows < 1:
        raise ValueError("a preview needs at least one column and one row")
    if width < 1 or height < 1:
        raise ValueError("image sides must be positive")
    scale = min(1.0, max_cols / width, 2 * max_rows / height)
    cols = min(max_cols, max(1, int(width * scale + 0.5)))
    pixel_rows = min(2 * max_rows, max(1, int(height * scale + 0.5)))
    return cols, (pixel_rows + 1) // 2


def preview(data: bytes, max_cols: int, max_rows: int) -> Preview | None:
    """Shrink an image to at most ``max_cols`` × ``max_rows`` half-block cells, or None.

    Keeps the aspect ratio (see :func:`fit_cells`). When the picture's height covers an odd number
    of pixel rows, the last row is stretched by that half cell rather than padded with a colour that
    is not in the picture. Raises ValueError only for a limit below 1; a bad image gives None.
    """
    if max_cols < 1 or max_rows < 1:
        raise ValueError("a preview needs at least one column and one row")

    def needed(width: int, height: int) -> tuple[int, int]:
        cols, rows = fit_cells(width, height, max_cols, max_rows)
        return cols, 2 * rows

    decoded = _decode_upright(data, needed)
    if decoded is None:
        return None
    fmt, width, height, image = decoded
    cols, rows = fit_cells(width, height, max_cols, max_rows)
    try:
        # BOX averages every source pixel a cell covers: the honest colour for a tiny preview.
        small = image.resize((cols, 2 * rows), Image.Resampling.BOX)
        raw = small.tobytes()
    except Exception:
        return None
    stride = cols * 3
    grid: list[tuple[Cell, ...]] = []
    for row in range(rows):
        top = raw[2 * row * stride : (2 * row + 1) * stride]
        bottom = raw[(2 * row + 1) * stride : (2 * row + 2) * stride]
        grid.append(
            tuple(
                (
                    (top[i], top[i + 1], top[i + 2]),
                    (bottom[i], bottom[i + 1], bottom[i + 2]),
                )
                for i in range(0, stride, 3)
            )
        )
    return Preview(
        width_px=width, height_px=height, format=fmt, cols=cols, rows=rows, cells=tuple(grid)
    )
