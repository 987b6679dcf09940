"""Uploads are judged by their content."""

import io

import pytest
from PIL import Image

from popup.uploads.processing import MAX_IMAGE_BYTES, UploadError, check_pdf, process_image


def image_bytes(fmt="JPEG", size=(64, 48), exif_gps=False, colour=(200, 30, 30)):
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (50.0, 42.0, 42.0), 3: "E", 4: (3.0, 50.0, 8.0)}  # GPS
        kwargs["exif"] = exif
    image.save(out, fmt, **kwargs)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_images_are_accepted_and_reencoded(fmt, content_type):
    result = process_image(image_bytes(fmt))
    assert result.content_type == content_type
    assert (result.width, result.height) == (64, 48)


def test_exif_and_gps_are_stripped():
    raw = image_bytes("JPEG", exif_gps=True)
    assert Image.open(io.BytesIO(raw)).getexif().get(0x8825)
    result = process_image(raw)
    exif = Image.open(io.BytesIO(result.data)).getexif()
    assert not exif.get(0x8825) and not exif.get(0x010F)


def test_big_images_are_scaled_down():
    result = process_image(image_bytes("PNG", size=(5000, 100)))
    assert result.width == 2400


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "empty"),
        (b"<html><script>alert(1)</script></html>", "not_image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not_image"),
        (b"<?php system($_GET['c']); ?>", "not_image"),
        (b"x" * (MAX_IMAGE_BYTES + 1), "too_large"),
    ],
)
def test_other_files_are_refused(raw, code):
    with pytest.raises(UploadError) as raised:
        process_image(raw)
    assert raised.value.code == code


def test_a_truncated_image_is_refused():
    raw = image_bytes("JPEG", size=(400, 400))
    with pytest.raises(UploadError) as raised:
        process_image(raw[: len(raw) // 2])
    assert raised.value.code == "broken"


def test_a_gif_is_refused_even_if_it_is_an_image():
    with pytest.raises(UploadError) as raised:
        process_image(image_bytes("GIF"))
    assert raised.value.code == "format"


def test_a_decompression_bomb_is_refused():
    # A tiny PNG that claims to be 20000 x 20000 pixels.
    bomb = Image.new("1", (20000, 20000))
    out = io.BytesIO()
    bomb.save(out, "PNG", optimize=True)
    assert len(out.getvalue()) < MAX_IMAGE_BYTES
    with pytest.raises(UploadError) as raised:
        process_image(out.getvalue())
    assert raised.value.code == "bomb"


def test_pdfs_are_checked_by_content():
    check_pdf(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    for raw, code in [(b"", "empty"), (b"<html>", "not_pdf"), (b"%PDF-1.7\n1 0 obj", "broken")]:
        with pytest.raises(UploadError) as raised:
            check_pdf(raw)
        assert raised.value.code == code
