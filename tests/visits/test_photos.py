"""grid.visits.photos: uploads are identified by content, bombs refused from the
header, and what comes out is a metadata-free baseline JPEG."""

from __future__ import annotations

import hashlib
import os
import struct
import warnings
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image

from grid.visits.photos import PhotoError, ProcessedPhoto, process_photo

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "photos"

RED = (220, 30, 30)
BLUE = (30, 30, 220)


def encode(image: Image.Image, image_format: str, **params: object) -> bytes:
    out = BytesIO()
    image.save(out, image_format, **params)
    return out.getvalue()


def noise(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Random pixels: compress badly, so truncation really cuts into image data."""
    bands = len(mode)
    return Image.frombytes(mode, size, os.urandom(size[0] * size[1] * bands))


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that *claims* width × height (1-bit greyscale) but holds no pixel data.

    Costs a few dozen bytes instead of the hundreds of megabytes a real image
    would need in memory; any attempt to decode it would fail, so being refused
    as too_many_pixels proves the refusal came from the header alone.
    """
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"")) + png_chunk(b"IEND", b"")
    )


def reopen(photo: ProcessedPhoto) -> Image.Image:
    image = Image.open(BytesIO(photo.data))
    image.load()
    return image


def refusal(raw: bytes, **limits: int) -> PhotoError:
    # Any warning (e.g. Pillow's DecompressionBombWarning) is a failure here,
    # whatever the surrounding pytest configuration says.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(PhotoError) as caught:
            process_photo(raw, **limits)
    return caught.value


# --- refusals ---------------------------------------------------------------------


def test_empty_upload_is_refused() -> None:
    assert refusal(b"").kind == "empty"


def test_text_file_named_jpg_is_not_an_image() -> None:
    raw = (FIXTURES / "not_an_image.jpg").read_bytes()
    error = refusal(raw)
    assert error.kind == "not_image"
    assert error.params == {}


def test_truncated_jpeg_is_not_an_image() -> None:
    raw = encode(noise((200, 150)), "JPEG", quality=90)
    assert refusal(raw[: len(raw) // 2]).kind == "not_image"


def test_png_failing_verify_is_not_an_image() -> None:
    # Break only the IDAT chunk's CRC: the pixels would still decode, so this
    # is caught by verify() and not by load().
    raw = bytearray(encode(noise((20, 20)), "PNG"))
    idat = raw.index(b"IDAT")
    length = struct.unpack(">I", raw[idat - 4: idat])[0]
    raw[idat + 4 + length] ^= 0xFF
    assert refusal(bytes(raw)).kind == "not_image"


def test_gif_decodes_but_is_unsupported() -> None:
    error = refusal(encode(Image.new("P", (30, 30), 1), "GIF"))
    assert error.kind == "unsupported"
    assert error.params == {"format": "GIF"}


def test_bmp_is_unsupported() -> None:
    assert refusal(encode(Image.new("RGB", (8, 8)), "BMP")).params == {"format": "BMP"}


def test_oversized_upload_is_refused_before_looking_inside() -> None:
    error = refusal(b"\xff" * 1001, max_bytes=1000)
    assert error.kind == "too_large"
    assert error.params == {"size": 1001, "limit": 1000}


def test_default_size_limit_is_ten_megabytes() -> None:
    limit = 10 * 2**20
    assert refusal(b"\0" * (limit + 1)).params == {"size": limit + 1, "limit": limit}


def test_file_exactly_at_the_size_limit_is_accepted() -> None:
    raw = encode(Image.new("RGB", (10, 10), RED), "PNG")
    assert process_photo(raw, max_bytes=len(raw)).width == 10


@pytest.mark.parametrize(
    "width, height",
    [
        (20_000, 20_000),  # beyond twice Pillow's limit: Pillow raises an error
        (10_000, 10_000),  # beyond Pillow's limit but under twice it: Pillow only warns
        (8_000, 6_000),  # under Pillow's limit, over ours
    ],
)
def test_huge_dimensions_are_refused_from_the_header(width: int, height: int) -> None:
    raw = png_header_only(width, height)
    assert len(raw) < 100
    error = refusal(raw)
    assert error.kind == "too_many_pixels"
    assert error.params == {"pixels": width * height, "limit": 40_000_000}


def test_pixel_limit_applies_to_real_images_too() -> None:
    raw = encode(Image.new("RGB", (100, 60), RED), "JPEG")
    error = refusal(raw, max_pixels=5_999)
    assert error.params == {"pixels": 6_000, "limit": 5_999}
    assert process_photo(raw, max_pixels=6_000).width == 100


def test_header_of_a_real_huge_png_is_enough() -> None:
    # A genuine 20000 × 20000 1-bit PNG, built without allocating its pixels:
    # all-zero rows compress to almost nothing.
    row = b"\0" + b"\0" * (20_000 // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(20_000)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", 20_000, 20_000, 1, 0, 0, 0, 0)
    raw = (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    )
    assert len(raw) < 100_000
    assert refusal(raw).params == {"pixels": 400_000_000, "limit": 40_000_000}


def test_photo_error_is_a_value_error_with_readable_text() -> None:
    error = PhotoError("too_large", size=2, limit=1)
    assert isinstance(error, ValueError)
    assert str(error) == "too_large (size=2, limit=1)"
    assert str(PhotoError("empty")) == "empty"


# --- privacy and orientation ------------------------------------------------------


def test_fixture_really_carries_gps_and_orientation() -> None:
    with Image.open(FIXTURES / "gps_orientation6.jpg") as original:
        exif = original.getexif()
        assert original.size == (40, 20)
        assert exif[ExifTags.Base.Orientation] == 6
        assert exif.get_ifd(ExifTags.IFD.GPSInfo)


def test_exif_and_gps_are_dropped() -> None:
    photo = process_photo((FIXTURES / "gps_orientation6.jpg").read_bytes())
    image = reopen(photo)
    exif = image.getexif()
    assert len(exif) == 0
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in image.info
    assert b"Exif" not in photo.data
    assert b"GridTestPhone" not in photo.data


def test_orientation_is_applied_before_dropping_it() -> None:
    photo = process_photo((FIXTURES / "gps_orientation6.jpg").read_bytes())
    assert (photo.width, photo.height) == (20, 40)
    image = reopen(photo).convert("RGB")
    # Orientation 6 means "rotate 90° clockwise to view": the stored left
    # half (red) ends up on top, the right half (blue) at the bottom.
    assert_close(image.getpixel((10, 5)), RED)
    assert_close(image.getpixel((10, 34)), BLUE)


def test_icc_profile_comments_and_text_chunks_are_dropped() -> None:
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    raw = encode(Image.new("RGB", (16, 16), RED), "JPEG", icc_profile=icc, comment=b"serial 1234")
    image = reopen(process_photo(raw))
    assert "icc_profile" not in image.info
    assert "comment" not in image.info


# --- re-encoding ------------------------------------------------------------------


def test_output_is_a_baseline_rgb_jpeg_with_matching_hash() -> None:
    raw = encode(noise((300, 200)), "PNG")
    photo = process_photo(raw)
    image = reopen(photo)
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert "progressive" not in image.info and "progression" not in image.info
    assert (image.width, image.height) == (photo.width, photo.height) == (300, 200)
    assert photo.sha256 == hashlib.sha256(photo.data).hexdigest()


def test_processing_is_deterministic() -> None:
    raw = encode(noise((64, 48)), "PNG")
    assert process_photo(raw) == process_photo(raw)


def test_quality_is_passed_to_the_encoder() -> None:
    raw = encode(noise((200, 200)), "PNG")
    assert len(process_photo(raw, quality=30).data) < len(process_photo(raw, quality=95).data)


@pytest.mark.parametrize(
    "size, expected",
    [
        ((4000, 3000), (1600, 1200)),
        ((3000, 4000), (1200, 1600)),
        ((1601, 400), (1600, 400)),
        ((1600, 900), (1600, 900)),
        ((640, 480), (640, 480)),  # never scaled up
    ],
)
def test_long_side_is_scaled_down_to_max_side(size: tuple[int, int], expected: tuple[int, int]) -> None:
    raw = encode(noise(size), "JPEG", quality=70)
    photo = process_photo(raw)
    assert (photo.width, photo.height) == expected
    assert reopen(photo).size == expected


def test_max_side_is_configurable() -> None:
    raw = encode(Image.new("RGB", (500, 250), RED), "WEBP")
    photo = process_photo(raw, max_side=100)
    assert (photo.width, photo.height) == (100, 50)


def test_orientation_is_applied_to_large_photos_before_scaling() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    raw = encode(noise((3200, 2000)), "JPEG", quality=70, exif=exif)
    photo = process_photo(raw)
    assert (photo.width, photo.height) == (1000, 1600)


def test_png_transparency_is_flattened_on_white() -> None:
    image = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    image.paste((*RED, 255), (0, 0, 20, 20))
    result = reopen(process_photo(encode(image, "PNG")))
    assert result.mode == "RGB"
    assert_close(result.getpixel((5, 10)), RED)
    assert_close(result.getpixel((35, 10)), (255, 255, 255))


def test_half_transparent_pixels_blend_with_white() -> None:
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 128))
    result = reopen(process_photo(encode(image, "PNG")))
    assert_close(result.getpixel((5, 5)), (127, 127, 127))


def test_palette_png_transparency_is_flattened_on_white() -> None:
    image = Image.new("P", (20, 20), 0)
    image.putpalette([*RED, 0, 0, 0] + [0] * 762)
    image.paste(1, (10, 0, 20, 20))
    result = reopen(process_photo(encode(image, "PNG", transparency=1)))
    assert_close(result.getpixel((5, 10)), RED)
    assert_close(result.getpixel((15, 10)), (255, 255, 255))


@pytest.mark.parametrize("mode", ["L", "LA", "1", "P", "RGB", "RGBA", "I;16"])
def test_png_modes_come_out_rgb(mode: str) -> None:
    image = Image.new(mode, (30, 20))
    result = reopen(process_photo(encode(image, "PNG")))
    assert (result.mode, result.size) == ("RGB", (30, 20))


def test_cmyk_jpeg_comes_out_rgb() -> None:
    raw = encode(Image.new("CMYK", (30, 20), (0, 255, 255, 0)), "JPEG")
    result = reopen(process_photo(raw))
    assert result.mode == "RGB"
    assert_close(result.getpixel((15, 10)), (255, 0, 0), tolerance=40)


def test_webp_with_alpha_is_accepted() -> None:
    image = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    image.paste((*BLUE, 255), (0, 0, 20, 20))
    result = reopen(process_photo(encode(image, "WEBP", lossless=True)))
    assert_close(result.getpixel((5, 10)), BLUE)
    assert_close(result.getpixel((35, 10)), (255, 255, 255))


def test_multi_picture_jpeg_from_a_camera_is_accepted() -> None:
    first, second = Image.new("RGB", (40, 30), RED), Image.new("RGB", (40, 30), BLUE)
    raw = encode(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(BytesIO(raw)).format == "MPO"
    result = reopen(process_photo(raw))
    assert result.size == (40, 30)
    assert_close(result.getpixel((20, 15)), RED)


def test_animated_webp_keeps_its_first_frame() -> None:
    frames = [Image.new("RGB", (20, 20), RED), Image.new("RGB", (20, 20), BLUE)]
    raw = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    assert_close(reopen(process_photo(raw)).getpixel((10, 10)), RED)


# --- robustness -------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2_000))
def test_arbitrary_bytes_give_a_photo_error_or_a_photo(raw: bytes) -> None:
    try:
        process_photo(raw)
    except PhotoError:
        pass


@pytest.fixture(scope="module")
def small_photos() -> list[bytes]:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 3
    return [
        (FIXTURES / "gps_orientation6.jpg").read_bytes(),
        encode(noise((24, 16)), "JPEG", exif=exif),
        encode(noise((24, 16), "RGBA"), "PNG"),
        encode(noise((24, 16)), "WEBP"),
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_photos_give_a_photo_error_or_a_clean_photo(small_photos: list[bytes], data: st.DataObject) -> None:
    raw = bytearray(data.draw(st.sampled_from(small_photos)))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        del raw[data.draw(st.integers(1, len(raw))):]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            photo = process_photo(bytes(raw))
        except PhotoError:
            return
    assert reopen(photo).format == "JPEG"
    assert max(photo.width, photo.height) <= 1600


def assert_close(actual: object, expected: tuple[int, int, int], tolerance: int = 12) -> None:
    assert isinstance(actual, tuple)
    assert all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True)), (actual, expected)
