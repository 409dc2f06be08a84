"""Image decoding for perceptual hashes and terminal previews: robust re-post matching, hostile input.

Every image is generated in memory with Pillow; nothing is read from or written to disk.
"""

from __future__ import annotations

import builtins
import io
import itertools
import os
import random
import resource
import struct
import time
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageEnhance

from vault.media import imaging
from vault.media.imaging import (
    MAX_INPUT_BYTES,
    SIMILAR_DISTANCE,
    Preview,
    describe,
    fit_cells,
    hash_distance,
    perceptual_hash,
    preview,
)

RED = (255, 0, 0)
BLUE = (0, 0, 255)
GREY = imaging.BACKGROUND

# --------------------------------------------------------------------------- image builders


def encode(img: Image.Image, fmt: str = "PNG", **options: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def photo(width: int = 480, height: int = 360, seed: int = 7) -> Image.Image:
    """A photo-like scene: sky/ground gradient, a sun, a house with a door, and sensor noise."""
    vertical = Image.linear_gradient("L").resize((width, height))  # 0 at the top, 255 at the bottom
    horizontal = vertical.transpose(Image.Transpose.ROTATE_90).resize((width, height))
    img = Image.merge(
        "RGB",
        (
            vertical.point(lambda v: 60 + v * 150 // 255),
            horizontal.point(lambda v: 90 + v * 80 // 255),
            vertical.point(lambda v: 200 - v * 120 // 255),
        ),
    )
    draw = ImageDraw.Draw(img)
    draw.ellipse((width * 0.55, height * 0.1, width * 0.8, height * 0.42), fill=(250, 220, 90))
    draw.rectangle((width * 0.08, height * 0.45, width * 0.38, height * 0.95), fill=(90, 50, 40))
    draw.polygon(
        [
            (width * 0.05, height * 0.47),
            (width * 0.23, height * 0.25),
            (width * 0.41, height * 0.47),
        ],
        fill=(150, 30, 30),
    )
    draw.rectangle((width * 0.15, height * 0.65, width * 0.22, height * 0.95), fill=(30, 30, 30))
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    return Image.blend(img, noise.convert("RGB"), 0.12)


def document() -> Image.Image:
    """A photographed printed page: dark text lines of varying length on off-white."""
    img = Image.new("RGB", (360, 480), (250, 250, 245))
    draw = ImageDraw.Draw(img)
    rnd = random.Random(3)  # noqa: S311 - reproducible test data
    for y in range(40, 440, 22):
        draw.rectangle((30, y, 30 + rnd.randrange(150, 300), y + 8), fill=(20, 20, 20))
    return img


def portrait() -> Image.Image:
    """A head-and-shoulders shape on a dark background."""
    img = Image.new("RGB", (360, 480), (25, 30, 45))
    draw = ImageDraw.Draw(img)
    draw.ellipse((90, 58, 270, 264), fill=(225, 185, 160))
    draw.rectangle((43, 288, 317, 480), fill=(60, 90, 150))
    return img


def checkerboard() -> Image.Image:
    img = Image.new("RGB", (400, 400), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for i, j in itertools.product(range(8), range(8)):
        if (i + j) % 2:
            draw.rectangle((i * 50, j * 50, i * 50 + 49, j * 50 + 49), fill=(0, 0, 0))
    return img


def chat_screenshot() -> Image.Image:
    """Alternating message bubbles, as in a screenshot of a messenger conversation."""
    img = Image.new("RGB", (360, 640), (230, 235, 240))
    draw = ImageDraw.Draw(img)
    y, left = 20, True
    for height in (60, 40, 90, 50, 70, 40, 80):
        x = 15 if left else 125
        colour = (255, 255, 255) if left else (200, 240, 190)
        draw.rounded_rectangle((x, y, x + 220, y + height), 12, fill=colour)
        y, left = y + height + 20, not left
    return img


def stripes() -> Image.Image:
    img = Image.new("RGB", (480, 360))
    draw = ImageDraw.Draw(img)
    for x in range(0, 480, 60):
        draw.rectangle((x, 0, x + 29, 360), fill=(200, 40, 40))
    return img


def with_caption_bar(img: Image.Image, bar: int = 10) -> Image.Image:
    """Append a white bar with dark "words" below the picture, like a channel's watermark strip."""
    out = Image.new("RGB", (img.width, img.height + bar), (255, 255, 255))
    out.paste(img, (0, 0))
    draw = ImageDraw.Draw(out)
    for i in range(8):
        draw.rectangle((10 + i * 40, img.height + 4, 40 + i * 40, img.height + bar - 5), fill=0)
    return out


def with_overlay_caption(img: Image.Image, bar: int = 10) -> Image.Image:
    """Paint a dark strip with light "words" over the bottom of the picture."""
    out = img.copy()
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, img.height - bar, img.width, img.height), fill=(20, 20, 20))
    for i in range(8):
        draw.rectangle(
            (10 + i * 40, img.height - bar + 4, 40 + i * 40, img.height - 5), fill="white"
        )
    return out


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def grey1_png(width: int, height: int, rows: int | None = None) -> bytes:
    """A valid 1-bit greyscale PNG of all-black rows, built by hand so it never exists in memory.

    ``rows`` limits how many rows are actually stored (the rest is simply missing: only the header's
    claim matters for the size check). A full 20000 × 20000 one compresses to ~50 KB.
    """
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    count = height if rows is None else rows
    row = bytes(1 + (width + 7) // 8) if count else b""  # filter byte + packed bits
    parts = [compressor.compress(row) for _ in range(count)]
    body = b"".join(parts) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
    )


def two_colour(width: int, height: int, split: int, top: tuple[int, int, int] = RED) -> Image.Image:
    """Rows 0..split-1 in ``top`` (red), the rest blue."""
    img = Image.new("RGB", (width, height), BLUE)
    img.paste(top, (0, 0, width, split))
    return img


def exif_oriented(upright: Image.Image, fmt: str = "JPEG") -> bytes:
    """Store ``upright`` the way a phone does: pixels turned sideways plus an Orientation tag.

    Orientation 6 means "turn the stored pixels 90° clockwise to display", so the stored pixels are
    the upright picture turned 90° counter-clockwise (Pillow's ROTATE_90).
    """
    exif = Image.Exif()
    exif[0x0112] = 6
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    per_format: dict[str, dict[str, Any]] = {"JPEG": {"quality": 90}, "WEBP": {"lossless": True}}
    options = per_format.get(fmt, {})
    return encode(stored, fmt, exif=exif.tobytes(), **options)


def png_with_late_exif(upright: Image.Image) -> bytes:
    """A sideways PNG whose eXIf chunk (orientation 6) comes after the pixel data, before IEND."""
    exif = Image.Exif()
    exif[0x0112] = 6
    plain = encode(upright.transpose(Image.Transpose.ROTATE_90))
    iend = plain.rindex(b"IEND") - 4  # the chunk starts with its 4-byte length
    return plain[:iend] + png_chunk(b"eXIf", exif.tobytes()[6:]) + plain[iend:]


@pytest.fixture(scope="module")
def base_png() -> bytes:
    return encode(photo())


def must_hash(data: bytes) -> str:
    digest = perceptual_hash(data)
    assert digest is not None
    return digest


def must_preview(data: bytes, max_cols: int, max_rows: int) -> Preview:
    result = preview(data, max_cols, max_rows)
    assert result is not None
    return result


# --------------------------------------------------------------------------- hashes


def test_hash_is_16_lowercase_hex_and_the_algorithm_is_named(base_png: bytes) -> None:
    digest = must_hash(base_png)
    assert len(digest) == 16
    assert set(digest) <= set("0123456789abcdef")
    assert imaging.PHASH_ALGORITHM == "phash-64"


def test_same_bytes_give_the_same_hash(base_png: bytes) -> None:
    assert perceptual_hash(base_png) == perceptual_hash(bytes(base_png))


REPOSTS: dict[str, Callable[[Image.Image], bytes]] = {
    "jpeg-quality-60": lambda img: encode(img, "JPEG", quality=60),
    "half-size": lambda img: encode(
        img.resize((img.width // 2, img.height // 2), Image.Resampling.LANCZOS)
    ),
    "caption-bar-appended": lambda img: encode(with_caption_bar(img)),
    "caption-painted-over": lambda img: encode(with_overlay_caption(img)),
    "brighter": lambda img: encode(ImageEnhance.Brightness(img).enhance(1.1)),
    "webp": lambda img: encode(img, "WEBP", quality=50),
    "all-at-once": lambda img: encode(
        with_caption_bar(ImageEnhance.Brightness(img).enhance(1.1)).resize(
            (img.width // 2, (img.height + 10) // 2), Image.Resampling.LANCZOS
        ),
        "JPEG",
        quality=60,
    ),
}


@pytest.mark.parametrize("kind", sorted(REPOSTS))
def test_reposted_copies_match_the_original(base_png: bytes, kind: str) -> None:
    repost = REPOSTS[kind](photo())
    assert repost != base_png
    assert hash_distance(must_hash(base_png), must_hash(repost)) <= SIMILAR_DISTANCE


@pytest.mark.slow
def test_large_jpeg_decoded_at_reduced_scale_matches_the_lossless_copy() -> None:
    """A 5.6-megapixel JPEG is drafted to 1/8 scale; its hash must still agree with the PNG's."""
    big = photo().resize((2736, 2052), Image.Resampling.BICUBIC)  # 2052 // 256 = 8 → 1/8 scale
    as_jpeg = encode(big, "JPEG", quality=90)
    as_png = encode(big, "PNG", compress_level=1)
    assert hash_distance(must_hash(as_jpeg), must_hash(as_png)) <= 2


def test_clearly_different_pictures_do_not_match() -> None:
    pictures = {
        "photo": photo(),
        "document": document(),
        "portrait": portrait(),
        "checkerboard": checkerboard(),
        "chat": chat_screenshot(),
        "stripes": stripes(),
    }
    hashes = {name: must_hash(encode(img)) for name, img in pictures.items()}
    assert len(set(hashes.values())) == len(hashes)
    for a, b in itertools.combinations(hashes, 2):
        assert hash_distance(hashes[a], hashes[b]) > SIMILAR_DISTANCE, (a, b)


def test_phone_photo_with_orientation_tag_matches_the_upright_repost() -> None:
    """Messengers bake the rotation into the pixels; the hash is taken on the upright picture."""
    upright = photo()
    from_phone = exif_oriented(upright)
    repost = encode(upright, "JPEG", quality=70)  # what a channel re-posts: upright, no tag
    assert hash_distance(must_hash(from_phone), must_hash(repost)) <= SIMILAR_DISTANCE
    # The stored (sideways) pixels alone would not match: the transposition is what makes it work.
    sideways = encode(upright.transpose(Image.Transpose.ROTATE_90), "JPEG", quality=90)
    assert hash_distance(must_hash(sideways), must_hash(repost)) > SIMILAR_DISTANCE


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("0000000000000000", "0000000000000000", 0),
        ("0000000000000000", "ffffffffffffffff", 64),
        ("0000000000000001", "0000000000000000", 1),
        ("8000000000000001", "0000000000000000", 2),
        ("00000000000000ff", "000000000000000f", 4),
        ("ABCDEF0123456789", "abcdef0123456789", 0),  # either case
        ("f0f0f0f0f0f0f0f0", "0f0f0f0f0f0f0f0f", 64),
    ],
)
def test_hash_distance_counts_differing_bits(a: str, b: str, expected: int) -> None:
    assert hash_distance(a, b) == expected
    assert hash_distance(b, a) == expected


def test_hash_distance_of_real_hashes_is_symmetric_and_zero_on_itself(base_png: bytes) -> None:
    h1 = must_hash(base_png)
    h2 = must_hash(encode(document()))
    assert hash_distance(h1, h1) == 0
    assert hash_distance(h1, h2) == hash_distance(h2, h1) > 0


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "abc",
        "000000000000000",  # 15 digits
        "00000000000000000",  # 17 digits
        "0x00000000000000",  # int() would accept the prefix
        "0000_00000000000",  # int() would accept the underscore
        " 000000000000000",
        "+000000000000000",
        "000000000000000g",
        "０００００００００００００００",  # fullwidth digits: int() accepts them
    ],
)
def test_hash_distance_rejects_anything_but_16_hex_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="16 hexadecimal digits"):
        hash_distance(bad, "0" * 16)
    with pytest.raises(ValueError, match="16 hexadecimal digits"):
        hash_distance("0" * 16, bad)


# --------------------------------------------------------------------------- hostile input


def _all_refuse(data: bytes) -> None:
    assert perceptual_hash(data) is None
    assert preview(data, 40, 20) is None
    assert describe(data) is None


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_images_give_none(fmt: str) -> None:
    whole = encode(photo(), fmt)
    for cut in (len(whole) // 2, len(whole) - 40, 30):
        part = whole[:cut]
        assert perceptual_hash(part) is None, cut
        assert preview(part, 40, 20) is None, cut


def test_random_and_empty_bytes_give_none() -> None:
    rnd = random.Random(2024)  # noqa: S311 - reproducible test data
    for size in (1, 16, 1000, 100_000):
        _all_refuse(rnd.randbytes(size))
    _all_refuse(b"")
    # Right magic, garbage after it.
    _all_refuse(b"\x89PNG\r\n\x1a\n" + rnd.randbytes(500))
    _all_refuse(b"\xff\xd8\xff\xe0" + rnd.randbytes(500))


def test_decompression_bomb_is_refused_quickly_without_allocating() -> None:
    bomb = grey1_png(20_000, 20_000)  # 400 megapixels; Pillow would need 400 MB to decode it
    assert len(bomb) < 100_000
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started = time.monotonic()
    _all_refuse(bomb)
    assert time.monotonic() - started < 1.0
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown_kib < 50 * 1024


@pytest.mark.parametrize(
    ("width", "height"),
    [(100_000, 100_000), (9_000, 8_000), (64_000_001, 1), (2**31 - 1, 2**31 - 1)],
)
def test_headers_claiming_too_many_pixels_are_refused(width: int, height: int) -> None:
    """9000 × 8000 = 72 MP is above our 64 MP cap but below Pillow's own hard limit (2 × cap)."""
    _all_refuse(grey1_png(width, height, rows=0))


def test_pixel_cap_holds_even_if_pillows_global_limit_is_switched_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    _all_refuse(grey1_png(9_000, 8_000, rows=0))


def test_an_image_just_under_the_cap_is_described() -> None:
    assert describe(grey1_png(8_000, 8_000, rows=0)) == ("PNG", 8_000, 8_000)


def test_oversized_input_is_refused_unread() -> None:
    small = encode(Image.new("RGB", (8, 8), RED))
    padded = small + bytes(1000)  # bytes after IEND are ignored by PNG readers
    assert describe(padded) == ("PNG", 8, 8)
    oversized = small + bytes(MAX_INPUT_BYTES + 1 - len(small))
    assert len(oversized) == MAX_INPUT_BYTES + 1
    _all_refuse(oversized)


SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<rect width="100" height="100" fill="red"/></svg>'
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.mark.parametrize("data", [SVG, PDF], ids=["svg", "pdf"])
def test_vector_documents_are_not_images(data: bytes) -> None:
    _all_refuse(data)


@pytest.mark.parametrize("fmt", ["ICO", "TGA", "PCX", "PPM", "EPS", "PDF", "QOI", "SGI"])
def test_formats_pillow_reads_but_we_do_not_allow_are_refused(fmt: str) -> None:
    """EPS in particular would hand the bytes to Ghostscript: never decode outside the allow-list."""
    _all_refuse(encode(Image.new("RGB", (16, 16), RED), fmt))


# --------------------------------------------------------------------------- previews


def test_wide_image_fits_the_width_and_keeps_its_aspect() -> None:
    # 400 × 100 px into 40 × 20 cells: scale = min(40/400, 40/100) = 0.1 → 40 cols, 10 pixel rows.
    result = must_preview(encode(Image.new("RGB", (400, 100), RED)), 40, 20)
    assert (result.cols, result.rows) == (40, 5)
    assert len(result.cells) == 5
    assert all(len(row) == 40 for row in result.cells)
    assert (result.width_px, result.height_px, result.format) == (400, 100, "PNG")


def test_tall_image_fits_the_height_and_keeps_its_aspect() -> None:
    # 100 × 400 px into 40 × 20 cells: scale = min(40/100, 40/400) = 0.1 → 10 cols, 40 pixel rows.
    result = must_preview(encode(Image.new("RGB", (100, 400), RED), "JPEG"), 40, 20)
    assert (result.cols, result.rows) == (10, 20)
    assert result.format == "JPEG"


def test_small_image_is_not_enlarged_and_odd_pixel_rows_round_up() -> None:
    result = must_preview(encode(Image.new("RGB", (16, 9), RED)), 80, 24)
    assert (result.cols, result.rows) == (16, 5)  # 9 pixel rows need 5 cells
    assert all(cell == (RED, RED) for row in result.cells for cell in row)


@pytest.mark.parametrize(
    ("size", "limits", "expected"),
    [
        ((10_000, 1), (40, 20), (40, 1)),
        ((1, 10_000), (40, 20), (1, 20)),
        ((1, 1), (1, 1), (1, 1)),
        ((3000, 4000), (1, 1), (1, 1)),
        ((4000, 3000), (80, 24), (64, 24)),  # scale = 48/3000 → 64 × 48 px
    ],
)
def test_extreme_shapes_get_at_least_one_cell(
    size: tuple[int, int], limits: tuple[int, int], expected: tuple[int, int]
) -> None:
    assert fit_cells(*size, *limits) == expected


def test_every_fit_stays_inside_the_limits_and_near_the_aspect() -> None:
    rnd = random.Random(5)  # noqa: S311 - reproducible test data
    for _ in range(2000):
        width, height = rnd.randrange(1, 9000), rnd.randrange(1, 9000)
        max_cols, max_rows = rnd.randrange(1, 300), rnd.randrange(1, 100)
        cols, rows = fit_cells(width, height, max_cols, max_rows)
        assert 1 <= cols <= max_cols and 1 <= rows <= max_rows
        assert cols <= width and rows <= (height + 1) // 2  # never enlarged
        # Aspect: cols / pixel rows ≈ width / height, up to the rounding of each side (±1 px).
        scale = min(1.0, max_cols / width, 2 * max_rows / height)
        assert abs(cols - width * scale) <= 0.5 + 1e-9 or cols == 1
        assert abs(2 * rows - height * scale) <= 2.0 or rows == 1


def test_colours_land_in_top_and_bottom_halves() -> None:
    # 200 × 200: top 100 rows red, bottom 100 blue. Into 10 × 5 cells → 10 × 10 px, each output
    # pixel row averages exactly 20 input rows, so pixel rows 0-4 are red and 5-9 blue:
    # cell rows 0-1 red/red, row 2 red top (px row 4) over blue bottom (px row 5), rows 3-4 blue.
    result = must_preview(encode(two_colour(200, 200, 100)), 10, 5)
    assert (result.cols, result.rows) == (10, 5)
    expected_rows = [(RED, RED), (RED, RED), (RED, BLUE), (BLUE, BLUE), (BLUE, BLUE)]
    for row, expected in zip(result.cells, expected_rows, strict=True):
        assert all(cell == expected for cell in row)


def test_transparent_pixels_are_laid_on_grey() -> None:
    img = Image.new("RGBA", (20, 20), (0, 0, 0, 0))  # fully transparent black
    img.paste((255, 0, 0, 128), (0, 0, 20, 10))  # top half: half-transparent red
    result = must_preview(encode(img), 20, 10)
    # red over grey at alpha 128/255: 255·128/255 + 128·127/255 = 191.75 → 192; 128·127/255 → 64
    assert result.cells[0][0] == ((192, 64, 64), (192, 64, 64))
    assert result.cells[9][19] == (GREY, GREY)


def test_hash_ignores_whatever_hides_under_transparent_pixels() -> None:
    shape = photo(200, 150).convert("RGBA")
    noisy = shape.copy()
    noisy.putalpha(Image.new("L", shape.size, 0))  # fully transparent, colour noise underneath
    blank = Image.new("RGBA", shape.size, (0, 0, 0, 0))
    assert perceptual_hash(encode(noisy)) == perceptual_hash(encode(blank))


def test_palette_gif_and_its_transparent_index() -> None:
    img = Image.new("P", (8, 8), 1)
    img.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0])
    img.paste(2, (0, 4, 8, 8))  # bottom half green
    result = must_preview(encode(img, "GIF"), 8, 4)
    assert result.format == "GIF"
    assert result.cells[0][0] == (RED, RED)
    assert result.cells[3][7] == ((0, 255, 0), (0, 255, 0))
    with_hole = must_preview(encode(img, "GIF", transparency=1), 8, 4)
    assert with_hole.cells[0][0] == (GREY, GREY)
    assert perceptual_hash(encode(img, "GIF")) is not None


def test_animated_gif_previews_its_first_frame() -> None:
    frames = [Image.new("RGB", (6, 6), colour) for colour in (RED, BLUE)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert must_preview(data, 6, 3).cells[0][0] == (RED, RED)


@pytest.mark.parametrize(
    ("img", "fmt", "expected"),
    [
        (Image.new("LA", (4, 4), (255, 0)), "PNG", GREY),  # grey + alpha, fully transparent
        (Image.new("L", (4, 4), 200), "PNG", (200, 200, 200)),
        (Image.new("1", (4, 4), 1), "PNG", (255, 255, 255)),
        (Image.new("CMYK", (4, 4), (0, 255, 255, 0)), "JPEG", RED),  # magenta + yellow inks
        (Image.new("CMYK", (4, 4), (0, 255, 255, 0)), "TIFF", RED),
        (Image.new("I;16", (4, 4), 32768), "PNG", (128, 128, 128)),  # 16-bit half grey, not white
        (Image.new("RGB", (4, 4), BLUE), "BMP", BLUE),
        (Image.new("RGB", (4, 4), BLUE), "WEBP", BLUE),
    ],
    ids=["LA", "L", "1-bit", "CMYK-jpeg", "CMYK-tiff", "16-bit", "bmp", "webp"],
)
def test_every_mode_becomes_rgb(img: Image.Image, fmt: str, expected: tuple[int, int, int]) -> None:
    options = {"lossless": True} if fmt == "WEBP" else {}
    result = must_preview(encode(img, fmt, **options), 4, 2)
    top, bottom = result.cells[0][0]
    for got in (top, bottom):
        assert all(abs(g - e) <= 2 for g, e in zip(got, expected, strict=True)), got


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF"])
def test_preview_of_a_phone_photo_is_upright(fmt: str) -> None:
    upright = two_colour(60, 40, 20)  # landscape, red above blue
    result = must_preview(exif_oriented(upright, fmt), 60, 20)
    assert (result.width_px, result.height_px, result.format) == (60, 40, fmt)
    assert (result.cols, result.rows) == (60, 20)
    top, bottom = result.cells[0][30][0], result.cells[19][30][1]
    assert top[0] > 200 > top[2]  # top row red
    assert bottom[2] > 200 > bottom[0]  # bottom row blue


def test_png_with_exif_after_the_pixels_is_upright_once_decoded() -> None:
    data = png_with_late_exif(two_colour(60, 40, 20))
    # describe() reads headers only, so it sees the stored (sideways) size: documented limitation.
    assert describe(data) == ("PNG", 40, 60)
    result = must_preview(data, 60, 20)
    assert (result.width_px, result.height_px, result.cols, result.rows) == (60, 40, 60, 20)
    assert result.cells[0][30] == (RED, RED)
    assert result.cells[19][30] == (BLUE, BLUE)
    assert perceptual_hash(data) == perceptual_hash(encode(two_colour(60, 40, 20)))


def test_preview_of_garbage_is_none_and_bad_limits_raise() -> None:
    assert preview(b"not an image at all", 40, 20) is None
    data = encode(Image.new("RGB", (4, 4), RED))
    for cols, rows in ((0, 5), (5, 0), (-1, -1)):
        with pytest.raises(ValueError, match="at least one"):
            preview(data, cols, rows)


def test_preview_is_immutable() -> None:
    result = must_preview(encode(Image.new("RGB", (4, 4), RED)), 4, 2)
    with pytest.raises(AttributeError):
        result.cols = 9  # type: ignore[misc]


# --------------------------------------------------------------------------- describe


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF"])
def test_describe_reads_the_header(fmt: str) -> None:
    assert describe(encode(Image.new("RGB", (123, 45), RED), fmt)) == (fmt, 123, 45)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF"])
def test_describe_reports_the_upright_size(fmt: str) -> None:
    assert describe(exif_oriented(Image.new("RGB", (60, 40)), fmt)) == (fmt, 60, 40)


def test_describe_reads_only_the_header() -> None:
    whole = encode(photo(), "JPEG")
    assert describe(whole[:1000]) == ("JPEG", 480, 360)  # truncated: pixels are never decoded
    assert perceptual_hash(whole[:1000]) is None


def test_describe_reports_plain_jpeg_for_mpo() -> None:
    mpo = encode(
        Image.new("RGB", (64, 48), RED),
        "MPO",
        save_all=True,
        append_images=[Image.new("RGB", (64, 48))],
    )
    assert describe(mpo) == ("JPEG", 64, 48)


def test_describe_returns_none_on_garbage() -> None:
    assert describe(b"GIF89a") is None
    assert describe(b"\x00" * 64) is None
    assert describe(SVG) is None


# --------------------------------------------------------------------------- nothing is written


def test_nothing_is_ever_written(monkeypatch: pytest.MonkeyPatch) -> None:
    samples = [
        encode(photo(), "JPEG"),
        encode(Image.new("RGBA", (30, 20), (1, 2, 3, 100))),
        encode(Image.new("P", (30, 20), 1), "GIF", transparency=0),
        encode(Image.new("RGB", (30, 20), BLUE), "TIFF"),
        encode(Image.new("RGB", (30, 20), BLUE), "WEBP"),
        exif_oriented(photo(60, 40)),
        encode(photo(), "JPEG")[:2000],
        grey1_png(20_000, 20_000, rows=0),
    ]
    # Warm up first: Pillow plugins and scipy are imported lazily on first use.
    for data in samples:
        perceptual_hash(data)
        preview(data, 40, 20)
        describe(data)

    writes: list[str] = []
    real_open = builtins.open
    real_os_open = os.open
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(flag in mode for flag in "wax+"):
            writes.append(f"open({file!r}, {mode!r})")
            raise AssertionError("imaging tried to open a file for writing")
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & write_flags:
            writes.append(f"os.open({path!r})")
            raise AssertionError("imaging tried to open a file for writing")
        return real_os_open(path, flags, *args, **kwargs)

    def no_save(*_args: Any, **_kwargs: Any) -> None:
        writes.append("Image.save")
        raise AssertionError("imaging tried to save an image")

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    monkeypatch.setattr(Image.Image, "save", no_save)

    results = [(perceptual_hash(data), preview(data, 40, 20), describe(data)) for data in samples]
    monkeypatch.undo()
    assert writes == []
    assert all(h is not None for h, _, _ in results[:6])
    assert all(p is not None for _, p, _ in results[:6])
    assert results[6][0] is None and results[7] == (None, None, None)
