"""The own picture (UC-IMG-1): check an upload and scale it to 200 x 200 pixels. Pure (bytes in, bytes out).

000:1739: "You have an image with at least 40 x 40 pixels in the JPG or PNG file format. The
file size must be no larger than 512 kB." 000:1746: "The image is automatically scaled to 200 x
200 pixels." 000:1750: "only supported in myPortal @work UC Smart mode" (also 002:2405-2418;
001:2631-2643; 003:2207-2219 without the mode note).

Lab readings (docs/RULES-INTERPRETATION.md, "Own picture"):
- The format is what the file is (its signature), not its name or declared type: JPEG (also
  a camera's multi-picture JPEG, "MPO") or PNG.
- 512 kB = 512 x 1024 = 524,288 bytes (the unit file managers show); 524,289 is refused.
- At least 40 pixels wide AND high; no maximum is documented; the lab refuses images of more
  than 40 megapixels (a small file can hold a huge, highly compressed image).
- Scaling: the image is turned upright (EXIF orientation), the largest centred square is
  cut out and scaled to 200 x 200 (smaller images are scaled up); a PNG stays a PNG
  (transparency kept), a JPEG stays a JPEG.
- Every violation is reported at once; a file that is too large is not decoded.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageOps, UnidentifiedImageError

from ..profiles import Mode
from .verdict import Verdict, Violation, refuse

MAX_BYTES = 512 * 1024
MIN_SIDE = 40
SIZE = 200
MAX_PIXELS = 40_000_000
PICTURE_POLICY = (
    "Your picture must be a JPG or PNG file of at least 40 x 40 pixels and at most 512 kB; it is scaled to "
    "200 x 200 pixels."
)
PictureFormat = Literal["jpeg", "png"]
_FORMATS: dict[str, PictureFormat] = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png"}
MEDIA_TYPES: dict[PictureFormat, str] = {"jpeg": "image/jpeg", "png": "image/png"}


@dataclass(frozen=True)
class Picture:
    format: PictureFormat
    data: bytes
    """the scaled picture, SIZE x SIZE"""
    original_format: PictureFormat
    original_width: int
    original_height: int
    original_bytes: int

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


def check_mode(mode: Mode) -> Verdict:
    """ "This functionality is only supported in myPortal @work UC Smart mode" (000:1750, 002:2417-2418)."""
    if mode is not Mode.SMART:
        return refuse(
            "picture_uc_smart_only",
            "Your own picture can only be provided in UC Smart mode; this system runs UC Suite.",
        )
    return Verdict()


def _violation_for_size(size: int) -> Violation:
    return Violation(
        "too_large",
        f"The file has {size:,} bytes; a picture may have at most 512 kB ({MAX_BYTES:,} bytes). Choose a smaller "
        "image or save it with stronger compression.",
    )


def _open(data: bytes) -> tuple[Image.Image | None, list[Violation]]:
    """The image (header read, pixels not yet decoded), or why it cannot be one."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError:
            return None, [_huge()]
        except (UnidentifiedImageError, Exception):  # any decoder failure on untrusted bytes
            return None, [
                Violation("not_an_image", "The file is not a JPG or PNG image; choose a picture saved as JPG or PNG.")
            ]
    if image.format not in _FORMATS:
        return None, [
            Violation(
                "wrong_format",
                f"The file is a {image.format} image; only JPG and PNG are supported. Save it as JPG or PNG.",
            )
        ]
    width, height = image.size
    found = []
    if width < MIN_SIDE or height < MIN_SIDE:
        found.append(
            Violation(
                "too_small",
                f"The image is {width} x {height} pixels; it must be at least {MIN_SIDE} x {MIN_SIDE} pixels.",
            )
        )
    if width * height > MAX_PIXELS:
        found.append(_huge())
    return image, found


def _huge() -> Violation:
    return Violation(
        "too_many_pixels",
        "The image has more than 40 megapixels; scale it down (e.g. to 2000 x 2000 pixels) before uploading.",
    )


def _normalised(image: Image.Image, fmt: PictureFormat) -> Image.Image:
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if fmt == "jpeg":
        return image if image.mode in ("L", "RGB") else image.convert("RGB")
    if image.mode in ("L", "RGB", "RGBA"):
        return image
    return image.convert("RGBA" if image.has_transparency_data or "A" in image.mode else "RGB")


def _scaled(image: Image.Image, fmt: PictureFormat) -> bytes:
    upright = ImageOps.exif_transpose(image)
    square = ImageOps.fit(_normalised(upright, fmt), (SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "jpeg":
        square.save(out, "JPEG", quality=90)
    else:
        square.save(out, "PNG", optimize=True)
    return out.getvalue()


def check_picture(data: bytes) -> tuple[Picture | None, Verdict]:
    """Check an upload against UC-IMG-1 and scale it; the picture, or every violation."""
    if not data:
        return None, Verdict((Violation("empty", "The file is empty; choose a JPG or PNG image."),), PICTURE_POLICY)
    found = [_violation_for_size(len(data))] if len(data) > MAX_BYTES else []
    image, problems = _open(data)
    found += problems
    if image is None or found:
        return None, Verdict(tuple(found), PICTURE_POLICY)
    fmt = _FORMATS[str(image.format)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image.load()
            scaled = _scaled(image, fmt)
    except Exception:  # a damaged file fails anywhere in the decoder
        label = "JPG" if fmt == "jpeg" else "PNG"
        return None, Verdict(
            (
                Violation(
                    "damaged",
                    f"The {label} image could not be read completely; the file may be damaged. Save it again as "
                    "JPG or PNG.",
                ),
            ),
            PICTURE_POLICY,
        )
    width, height = image.size
    return Picture(fmt, scaled, fmt, width, height, len(data)), Verdict(policy=PICTURE_POLICY)
