"""The own picture through the UC API: UC-IMG-1 (000:1735-1760).

"You have an image with at least 40 x 40 pixels in the JPG or PNG file format. The file size
must be no larger than 512 kB." (000:1739) "The image is automatically scaled to 200 x 200
pixels." (000:1746) "only supported in myPortal @work UC Smart mode" (000:1750). The pictures
are made here with Pillow; every verdict is compared with the oracle in oracles_presence.py.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from simulators.ledger import ChoiceChecks
from simulators.phone.ucapi import UcApi, UcApiError

from .conftest import Target
from .messages import PICTURE_SMART_ONLY, expected_picture
from .oracles_presence import PICTURE_MAX_BYTES, PICTURE_SIZE, picture_violations
from .verdicts import MESSAGES, refusal

USER = "200"
MEDIA = {"PNG": "image/png", "JPEG": "image/jpeg"}


def make(fmt: str, width: int, height: int, pad_to: int | None = None) -> bytes:
    """An image file; a PNG padded with a text chunk to exactly `pad_to` bytes."""
    mode = "P" if fmt == "GIF" else "RGB"
    image = Image.new(mode, (width, height), 3 if mode == "P" else (200, 30, 30))
    out = io.BytesIO()
    image.save(out, fmt)
    if pad_to is None:
        return out.getvalue()
    info = PngImagePlugin.PngInfo()
    info.add_text("pad", "x" * (pad_to - len(out.getvalue()) - 16))  # chunk: length, type, key, NUL, crc
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    assert len(out.getvalue()) == pad_to
    return out.getvalue()


async def _upload(api: UcApi, fmt: str, data: bytes, width: int, height: int, choices: ChoiceChecks) -> None:
    """Upload and judge against the oracle: stored as a 200 x 200 picture, or refused exactly."""
    expected = picture_violations(fmt, width, height, len(data))
    try:
        info = await api.upload_picture(data, MEDIA.get(fmt, "image/png"))
    except UcApiError as refused:
        assert expected, f"{fmt} {width}x{height} {len(data)} B: the rule allows it, the target refused: {refused}"
        refusal(
            refused,
            choices,
            status=400,
            code="picture_rules",
            violations=expected,
            message=expected_picture(expected, fmt=fmt, width=width, height=height, size=len(data)),
        )
        return
    assert not expected, f"{fmt} {width}x{height} {len(data)} B: the rule refuses it ({expected}), the target took it"
    assert (info.width, info.height, info.media_type) == (PICTURE_SIZE, PICTURE_SIZE, MEDIA[fmt])
    assert (info.original_width, info.original_height, info.original_bytes) == (width, height, len(data))
    media, stored = await api.picture()
    assert media == MEDIA[fmt] and Image.open(io.BytesIO(stored)).size == (PICTURE_SIZE, PICTURE_SIZE)


CASES = [
    ("PNG", 40, 40, None),
    ("JPEG", 640, 480, None),
    ("PNG", 1000, 40, None),
    ("PNG", 40, 40, PICTURE_MAX_BYTES),  # 512 kB exactly
    ("PNG", 40, 40, PICTURE_MAX_BYTES + 1),
    ("PNG", 39, 40, None),
    ("JPEG", 40, 39, None),
    ("PNG", 39, 39, PICTURE_MAX_BYTES + 1),  # two violations at once
    ("GIF", 100, 100, None),
    ("BMP", 100, 100, None),
    ("WEBP", 100, 100, None),
    ("TIFF", 100, 100, None),
]


@pytest.mark.clause("UC-IMG-1/size-format", "UC-IMG-1/scaled", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.parametrize(
    ("fmt", "width", "height", "pad_to"), CASES, ids=[f"{c[0]}-{c[1]}x{c[2]}-{c[3]}" for c in CASES]
)
async def test_picture_rules(
    uc_target: Callable[..., Target], fmt: str, width: int, height: int, pad_to: int | None, choices: ChoiceChecks
) -> None:
    target = uc_target("office")
    api = await target.logged_in(USER)
    await _upload(api, fmt, make(fmt, width, height, pad_to), width, height, choices)


@pytest.mark.clause("UC-IMG-1/size-format", "UC-IMG-1/scaled", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fmt=st.sampled_from(["PNG", "JPEG", "GIF", "BMP"]),
    width=st.integers(1, 90),
    height=st.integers(1, 90),
)
async def test_pictures_match_the_oracle(
    uc_target: Callable[..., Target], fmt: str, width: int, height: int, choices: ChoiceChecks
) -> None:
    target = uc_target("office", shared=True)
    if "api" not in target.memo:
        target.memo["api"] = await target.logged_in(USER)
    await _upload(target.memo["api"], fmt, make(fmt, width, height), width, height, choices)


@pytest.mark.clause("UC-IMG-1/size-format", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.parametrize(
    ("data", "code", "fmt"),
    [
        (b"", "empty", ""),
        (b"Name;Mobile\nnot a picture\n", "not_an_image", ""),
        (make("PNG", 300, 300)[:-60], "damaged", "PNG"),
    ],
    ids=["empty", "text", "truncated"],
)
async def test_files_that_are_no_pictures(
    uc_target: Callable[..., Target], data: bytes, code: str, fmt: str, choices: ChoiceChecks
) -> None:
    target = uc_target("office")
    api = await target.logged_in(USER)
    with pytest.raises(UcApiError) as refused:
        await api.upload_picture(data)
    refusal(refused.value, choices, status=400, violations=(code,))
    choices.equal(MESSAGES, refused.value.message, expected_picture([code], fmt=fmt))
    with pytest.raises(UcApiError) as none:
        await api.picture()
    refusal(none.value, choices, status=404, message="You have no picture.")


@pytest.mark.clause("UC-IMG-1/scaled", how="api")
@pytest.mark.lab_choice("LAB-PICTURE-CROP")
async def test_scaled_to_200_keeping_the_centre(uc_target: Callable[..., Target]) -> None:
    """A 400 x 200 image, red left and blue right: the picture is the centred square, so its left
    half is red and its right half blue (scaling a whole image into a square would squash it
    or add borders; the lab cuts the centre, docs/RULES-INTERPRETATION.md)."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    wide = Image.new("RGB", (400, 200), (255, 0, 0))
    wide.paste((0, 0, 255), (200, 0, 400, 200))
    out = io.BytesIO()
    wide.save(out, "PNG")
    await api.upload_picture(out.getvalue())
    _, stored = await api.picture()
    square = Image.open(io.BytesIO(stored)).convert("RGB")
    assert square.size == (200, 200)
    assert square.getpixel((5, 100)) == (255, 0, 0) and square.getpixel((195, 100)) == (0, 0, 255)
    assert square.getpixel((5, 5)) == (255, 0, 0), "no border added"


@pytest.mark.clause("UC-IMG-1/shown-deleted", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_others_see_it_until_it_is_deleted(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """000:1726: shown to other subscribers in directories and favorites; deleted (000:1754-1760)."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    colleague = await target.logged_in("201")
    await api.upload_picture(make("JPEG", 120, 120), "image/jpeg")
    assert (await colleague.search("Anna")).hits[0].has_picture
    media, data = await colleague.picture_of(USER)
    assert media == "image/jpeg" and data == (await api.picture())[1]
    choices.equal(MESSAGES, await api.delete_picture(), "Your picture has been deleted.")
    assert not (await colleague.search("Anna")).hits[0].has_picture
    with pytest.raises(UcApiError) as gone:
        await colleague.picture_of(USER)
    refusal(gone.value, choices, status=404, message="Anna Adler has no picture.")


@pytest.mark.clause("UC-IMG-1/smart-only", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_uc_smart_only(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """ "This functionality is only supported in myPortal @work UC Smart mode" (000:1750)."""
    target = uc_target("office_suite")
    api = await target.logged_in(USER)
    with pytest.raises(UcApiError) as refused:
        await api.upload_picture(make("PNG", 100, 100))
    refusal(refused.value, choices, status=403, code="picture_uc_smart_only", message=PICTURE_SMART_ONLY)
