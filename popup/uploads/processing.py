"""Checking uploads by their content, never by their name.

Images are opened with Pillow, refused when they are not JPEG, PNG or WebP,
truncated, or decompression bombs, then re-encoded: the metadata (EXIF with
its GPS position) does not survive. PDFs must start with the PDF signature and
end with an end-of-file marker.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is fine; more is a bomb
MAX_SIDE = 2400  # stored images are scaled down to this
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class UploadError(ValueError):
    """The file is refused; ``code`` names why (for the message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def process_image(raw: bytes) -> ProcessedImage:
    """Check an uploaded image by content and re-encode it without metadata.

    Codes: ``too_large``, ``empty``, ``not_image``, ``format`` (not JPEG, PNG
    or WebP), ``broken`` (truncated or corrupt), ``bomb`` (too many pixels).
    """
    if not raw:
        raise UploadError("empty")
    if len(raw) > MAX_IMAGE_BYTES:
        raise UploadError("too_large")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(raw)) as probe:
                fmt = probe.format
                if fmt not in FORMATS:
                    raise UploadError("format")
                if probe.width * probe.height > MAX_PIXELS:
                    raise UploadError("bomb")
                probe.verify()  # structure check; the image must be reopened after it
            with Image.open(io.BytesIO(raw)) as image:
                image.load()  # decodes every pixel: a truncated file fails here
                image = ImageOps.exif_transpose(image)
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                return _encode(image, fmt)
        except UploadError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadError("bomb") from None
        except UnidentifiedImageError:
            raise UploadError("not_image") from None
        except (OSError, SyntaxError, ValueError):
            raise UploadError("broken") from None


def _encode(image: Image.Image, fmt: str) -> ProcessedImage:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        keep = image.mode if image.mode in ("RGB", "RGBA", "L", "LA", "P") else "RGBA"
        image.convert(keep).save(out, "PNG", optimize=True)
    else:
        image.convert("RGBA" if "A" in image.getbands() else "RGB").save(out, "WEBP", quality=85)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt]
    return ProcessedImage(out.getvalue(), FORMATS[fmt], extension, image.width, image.height)


def check_pdf(raw: bytes) -> None:
    """Refuse what is not a whole PDF: ``empty``, ``too_large``, ``not_pdf``, ``broken``."""
    if not raw:
        raise UploadError("empty")
    if len(raw) > MAX_PDF_BYTES:
        raise UploadError("too_large")
    if not raw.startswith(b"%PDF-"):
        raise UploadError("not_pdf")
    if b"%%EOF" not in raw[-2048:]:
        raise UploadError("broken")
