"""Big and hostile pictures cost bounded memory and print nothing over the terminal.

An 8000 × 7999 PNG of a few hundred KiB used to cost about 1 GiB while hashing (a chain of full-size
copies), and libtiff and Pillow wrote their complaints about broken TIFFs straight to stderr, where
the terminal app draws. The memory test and the stderr tests run in a fresh Python process, because
peak memory and file descriptor 2 are per process.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import imagehash
import pytest
from PIL import Image, ImageDraw, TiffImagePlugin

from vault.media import imaging
from vault.media.imaging import hash_distance, perceptual_hash, preview


def _png_rgba(width: int, height: int) -> bytes:
    """A half-transparent RGBA PNG built row by row, so the test itself never holds the picture."""
    row = b"\x00" + bytes((30, 160, 90, 128)) * width  # filter byte "none", then the pixels
    squeeze = zlib.compressobj(9)
    body = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return len(data).to_bytes(4, "big") + kind + data + crc.to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes((8, 6, 0, 0, 0))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def _run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        cwd=Path(__file__).resolve().parents[2],
        env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_hashing_a_64_megapixel_png_stays_near_the_size_of_the_decoded_picture(
    tmp_path: Path,
) -> None:
    picture = tmp_path / "big.png"
    picture.write_bytes(_png_rgba(8000, 7999))
    assert picture.stat().st_size < 400 * 1024  # the attacker's cost: a few hundred KiB
    done = _run_python(
        f"""
        import resource, sys
        from vault.media.imaging import perceptual_hash, preview
        data = open({str(picture)!r}, "rb").read()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        digest = perceptual_hash(data)
        shown = preview(data, 80, 24)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = shown and (shown.width_px, shown.height_px)
        print(digest, size, before // 1024, peak // 1024, sep="|")
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    digest, size, before_mib, peak_mib = done.stdout.decode().strip().split("|")
    assert len(digest) == 16
    assert size == "(8000, 7999)"
    # The decoded RGBA picture alone is 8000 * 7999 * 4 bytes = 244 MiB; the old code held four
    # copies (~1 GiB). Allow the picture plus 25 %.
    assert int(peak_mib) - int(before_mib) < 305, (before_mib, peak_mib)


def _pattern(mode: str, size: tuple[int, int], seed: int) -> Image.Image:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    base = Image.effect_noise(size, 60).convert("L")
    rgb = Image.merge(
        "RGB",
        (base, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT), base.point(lambda v: 255 - v)),
    )
    draw = ImageDraw.Draw(rgb)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.ellipse((x, y, x + size[0] // 5, y + size[1] // 4), fill=(rng.randrange(256), 0, 200))
    if mode == "RGBA":
        alpha = Image.linear_gradient("L").resize(size)
        out = rgb.convert("RGBA")
        out.putalpha(alpha)
        return out
    if mode == "P":
        out = rgb.quantize(64)
        out.info["transparency"] = 3
        return out
    if mode == "LA":
        return rgb.convert("LA")
    if mode == "I;16":
        return rgb.convert("L").point(lambda v: v * 200).convert("I").convert("I;16")
    if mode == "I":
        return rgb.convert("L").convert("I").point(lambda v: v * 1000 - 70000)
    if mode == "F":
        return rgb.convert("L").convert("F").point(lambda v: v / 7.0 - 3.0)
    return rgb.convert(mode)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "L", "LA", "1", "I;16", "I", "F", "CMYK"])
@pytest.mark.parametrize("size", [(301, 203), (64, 517)])
def test_shrinking_band_by_band_equals_converting_the_whole_picture_then_shrinking(
    mode: str, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tiny bands, so the picture is cut into many (and the last one is short).
    monkeypatch.setattr(imaging, "BAND_PIXELS", 5_000)
    img = _pattern(mode, size, seed=len(mode) + size[0])
    for factor in (2, 3, 7):
        banded = imaging._reduced_rgb(img, factor)
        whole = imaging._to_rgb(img).reduce(factor)
        assert banded.size == whole.size == (-(-size[0] // factor), -(-size[1] // factor))
        assert banded.tobytes() == whole.tobytes(), (mode, factor)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "I;16"])
def test_a_big_picture_hashes_as_its_full_size_decode_would(mode: str) -> None:
    img = _pattern(mode, (3000, 2200), seed=11)
    data = imaging_bytes(img)
    reduced = perceptual_hash(data)
    assert reduced is not None
    full = str(imagehash.phash(imaging._to_rgb(Image.open(io.BytesIO(data))), hash_size=8))
    assert hash_distance(reduced, full) <= 2, (reduced, full)


def imaging_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG" if img.mode != "I;16" else "TIFF")
    return buf.getvalue()


def test_a_sideways_big_photo_is_previewed_upright_at_its_displayed_size() -> None:
    stored = Image.new("RGB", (1200, 800), (255, 0, 0))
    ImageDraw.Draw(stored).rectangle((0, 0, 599, 799), fill=(0, 0, 255))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90° clockwise to view": the stored left edge becomes the top
    buf = io.BytesIO()
    stored.save(buf, "PNG", exif=exif)
    shown = preview(buf.getvalue(), 10, 10)
    assert shown is not None
    assert (shown.width_px, shown.height_px) == (800, 1200)
    assert (shown.cols, shown.rows) == (10, 8)  # 800 x 1200 in 10 columns, 16 pixel rows
    top_row, bottom_row = shown.cells[0], shown.cells[-1]
    assert all(cell[0] == (0, 0, 255) for cell in top_row)
    assert all(cell[1] == (255, 0, 0) for cell in bottom_row)


# --------------------------------------------------------------------------- nothing on stderr


def _hostile_tiffs(tmp_path: Path) -> Path:
    """Write broken TIFFs that make libtiff and Pillow print complaints; return their folder."""
    folder = tmp_path / "tiffs"
    folder.mkdir()
    rng = random.Random(20261207)  # noqa: S311 - reproducible test data
    count = 0
    for compression in ("tiff_lzw", "tiff_adobe_deflate", "packbits", "jpeg", "group4"):
        img = Image.new(
            "1" if compression == "group4" else "RGB",
            (200, 150),
            1 if compression == "group4" else (1, 2, 3),
        )
        buf = io.BytesIO()
        img.save(buf, "TIFF", compression=compression)
        original = buf.getvalue()
        for _ in range(40):
            data = bytearray(original)
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            if rng.random() < 0.3:
                data = data[: rng.randrange(len(data))]
            (folder / f"{count:03d}.tif").write_bytes(bytes(data))
            count += 1
    # Pillow itself logs (logging.error) a TIFF claiming 99 samples per pixel before refusing it.
    info = TiffImagePlugin.ImageFileDirectory_v2()
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "TIFF", tiffinfo=info)
    data = bytearray(buf.getvalue())
    offset = int.from_bytes(data[4:8], "little")
    entries = int.from_bytes(data[offset : offset + 2], "little")
    for i in range(entries):
        at = offset + 2 + 12 * i
        if int.from_bytes(data[at : at + 2], "little") == 277:  # SamplesPerPixel
            data[at + 8 : at + 10] = (99).to_bytes(2, "little")
    (folder / "samples.tif").write_bytes(bytes(data))
    return folder


_DECODE_ALL = """
    import pathlib
    {setup}
    for path in sorted(pathlib.Path({folder!r}).iterdir()):
        data = path.read_bytes()
        {decode}
    print("decoded")
"""


@pytest.mark.slow
def test_broken_tiffs_print_nothing_on_the_terminal(tmp_path: Path) -> None:
    folder = str(_hostile_tiffs(tmp_path))
    # Control: plain Pillow on the same files does print, so the files are hostile enough and
    # the check below can fail.
    plain = _run_python(
        _DECODE_ALL.format(
            folder=folder,
            setup="import io\n    from PIL import Image",
            decode="try:\n            Image.open(io.BytesIO(data)).load()\n        except Exception:\n            pass",
        ),
        tmp_path,
    )
    assert plain.returncode == 0 and plain.stdout.strip() == b"decoded", plain.stderr
    assert b"Using code not yet in table" in plain.stderr or b"Decode" in plain.stderr
    assert b"More samples per pixel" in plain.stderr

    vault = _run_python(
        _DECODE_ALL.format(
            folder=folder,
            setup="from vault.media.imaging import describe, perceptual_hash, preview",
            decode="describe(data); perceptual_hash(data); preview(data, 20, 10)",
        ),
        tmp_path,
    )
    assert vault.returncode == 0 and vault.stdout.strip() == b"decoded"
    assert vault.stderr == b""


def test_a_good_compressed_tiff_still_decodes_with_libtiff_silenced() -> None:
    img = _pattern("RGB", (120, 90), seed=3)
    buf = io.BytesIO()
    img.save(buf, "TIFF", compression="tiff_lzw")
    assert perceptual_hash(buf.getvalue()) == perceptual_hash(imaging_bytes(img))
    shown = preview(buf.getvalue(), 12, 6)
    assert shown is not None and shown.format == "TIFF"
