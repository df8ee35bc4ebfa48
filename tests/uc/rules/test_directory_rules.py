"""The pure rules of directories, personal contacts, their import, favorites and the own picture.

UC-DIR-1 (000:503-566, 000:1948, 000:1950-1963), REL-SEARCH (000:1148, 003:1330-1332),
UC-FAV-1 (000:805-885), UC-IMG-1 (000:1735-1753). Messages are asserted exactly.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from simulators.uc.profiles import Mode
from simulators.uc.rules import contact_import as ci
from simulators.uc.rules import directories as d
from simulators.uc.rules import favorites as fav
from simulators.uc.rules import picture as pic
from simulators.uc.rules.clients import ClientKind

# ---------------------------------------------------------------- search (000:558-575)


@pytest.mark.parametrize(
    ("term", "name", "how", "hit"),
    [
        ("Mül", "Jürgen Müller", "starting_with", True),  # a later word of the name
        ("Jür", "Jürgen Müller", "starting_with", True),
        ("Jürgen Mü", "Jürgen Müller", "starting_with", True),  # the whole name
        ("ller", "Jürgen Müller", "starting_with", False),  # not a word start
        ("ller", "Jürgen Müller", "containing", True),
        ("Muller", "Müller", "starting_with", True),  # DIN 5007-1: ü = u
        ("Mueller", "Müller", "starting_with", True),  # DIN 5007-2: ü = ue
        ("Müller", "Mueller", "starting_with", True),
        ("Müller", "Muller", "starting_with", True),
        ("Mueller", "Muller", "starting_with", False),  # different names
        ("Muller", "Mueller", "starting_with", False),
        ("gross", "Günther Groß", "starting_with", True),  # ß = ss
        ("GROSS", "Günther Groß", "starting_with", True),
        ("schä", "Zoë Weiß-Schäfer", "starting_with", True),  # after a hyphen
        ("schae", "Zoë Weiß-Schäfer", "starting_with", True),
        ("zoe", "Zoë Weiß-Schäfer", "starting_with", False),  # ë is not a German diacritic
        ("oeh", "Björn Öhlund", "starting_with", True),
        ("mu\u0308l", "Müller", "starting_with", True),  # decomposed ü (NFD) is the same letter
        ("anna   adl", "Anna  Adler", "starting_with", True),  # runs of blanks are one blank
    ],
)
def test_matching(term: str, name: str, how: d.SearchMatch, hit: bool) -> None:
    parsed, verdict = d.parse_search(term)
    assert parsed is not None and verdict.ok
    assert parsed.matches(name, how) is hit


def test_wildcard_only_at_the_end() -> None:
    parsed, _ = d.parse_search("Mü*")
    assert parsed is not None and parsed.wildcard and parsed.text == "Mü" and parsed.matches("Müller")
    for raw in ("M*ller", "*ller", "Mü**"):
        term, verdict = d.parse_search(raw)
        assert term is None and verdict.codes == ("wildcard_position",)
        assert verdict.message == (
            f"The wildcard * is only supported at the end of a search string; remove it from {raw!r} or put it at "
            "the end."
        )
    for raw in ("", "   ", "*", " - *"):
        term, verdict = d.parse_search(raw)
        assert term is None and verdict.message == "Enter at least the first letter of a name to search for."


def test_directories_per_mode() -> None:
    assert d.directories_of(Mode.SMART) == (
        d.Directory.PERSONAL,
        d.Directory.INTERNAL,
        d.Directory.SYSTEM,
        d.Directory.GLOBAL,
    )
    assert d.Directory.EXTERNAL in d.directories_of(Mode.SUITE)
    assert d.check_directory(d.Directory.EXTERNAL, Mode.SMART).message == (
        "The external directory exists only in UC Suite mode; search the other directories."
    )
    assert d.sort_key("Ärztehaus") < d.sort_key("Ast")


# ---------------------------------------------------------------- contact data, limits


def test_contact_data() -> None:
    ok = d.ContactFields("  Jürgen   Müller ", " +49 (89) 7007-98765 ", "", None, " j@example.com ").cleaned()
    assert ok == d.ContactFields("Jürgen Müller", "+49 (89) 7007-98765", None, None, "j@example.com")
    assert d.check_contact(ok).ok
    bad = d.ContactFields("A\x07", None, "0170 abc", "1" * 33, "no-at-sign").cleaned()
    verdict = d.check_contact(bad)
    assert verdict.codes == ("name_invalid", "mobile_invalid", "private_invalid", "email_invalid")
    assert verdict.message == (
        "The name contains control characters (U+0000-U+001F, U+007F-U+009F); remove them. "
        "The mobile number '0170 abc' is not a phone number: use digits, blanks and + ( ) / - : ; only (at most 32 "
        "characters), e.g. +49 89 7007-98765. "
        f"The private/external number '{'1' * 33}' is not a phone number: use digits, blanks and + ( ) / - : ; only "
        "(at most 32 characters), e.g. +49 89 7007-98765. "
        "The e-mail address 'no-at-sign' is not valid; write it as name@example.com."
    )
    assert d.check_contact(d.ContactFields("x" * 81)).message == "The name has 81 characters; at most 80 are allowed."
    assert d.check_contact(d.ContactFields("")).message == "Enter a name for the contact."
    assert d.check_contact(d.ContactFields("Tabs\tare blanks").cleaned()).ok


def test_personal_limit() -> None:
    """000:1948: UC Smart supports 3000 personal contacts."""
    assert d.check_room(Mode.SMART, 2999).ok
    assert d.check_room(Mode.SMART, 3000).message == (
        "You already have 3000 personal contacts, the most UC Smart keeps; delete contacts you no longer need, "
        "then add this one."
    )
    assert d.check_import_room(Mode.SMART, 1000, 2000).ok
    assert d.check_import_room(Mode.SMART, 1000, 2001).message == (
        "The file has 2001 contacts; with your 1000 manually added contacts that makes 3001, and UC Smart keeps at "
        "most 3000 personal contacts. Import at most 2000 contacts, or delete manually added contacts first. Nothing "
        "was imported."
    )
    assert d.check_manage_personal(Mode.SUITE, ClientKind.AT_WORK).codes == ("personal_by_other_client",)
    assert d.check_manage_personal(Mode.SUITE, ClientKind.DESKTOP).ok


# ---------------------------------------------------------------- import files (000:1950-1963)


def _parse(text: str | bytes, fmt: str = "csv", encoding: str = "utf-8") -> ci.ParsedFile:
    data = text.encode() if isinstance(text, str) else text
    return ci.parse_contacts(data, ci.ImportFormat(fmt), ci.FileEncoding(encoding))


def test_csv_formats() -> None:
    excel_de = "\ufeffName;Geschäftlich\n".replace("Geschäftlich", "Business") + 'Müller, Jürgen;"+49 89; 1"\n'
    parsed = _parse(excel_de)
    assert parsed.problems == [] and parsed.contacts == [d.ContactFields("Müller, Jürgen", "+49 89; 1")]
    comma = "email,NAME\r\nj@x.de,Jörg\r\n\r\n,Eva\r\n"
    assert [c.name for c in _parse(comma).contacts] == ["Jörg", "Eva"]
    assert [c.name for c in _parse("Name\tMobile\nA\t1\n").contacts] == ["A"]
    assert _parse("Name;Mobile\nA;1;;\n").ok, "empty trailing fields (Excel) are fine"
    cp1252 = "Name\nJürgen Müller\n".encode("windows-1252")
    assert [c.name for c in _parse(cp1252, encoding="windows-1252").contacts] == ["Jürgen Müller"]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            "Name;Mobil\nA;1\n",
            ["line 1: unknown_column"],
            "line 1: unknown column 'Mobil' (did you mean 'Mobile'?); the columns are Name, Business, Mobile, "
            "Private, Email.",
        ),
        (
            "Telefon;Mobile\nA;1\n",
            ["line 1: unknown_column", "line 1: no_name_column"],
            "line 1: unknown column 'Telefon'; the columns are Name, Business, Mobile, Private, Email. line 1: the "
            "first line has no Name column; it names the columns, e.g. Name;Business;Mobile;Private;Email.",
        ),
        (
            "Name;Mobile\nA;1\nB;x\n\nC;3;4\n",
            ["line 3: mobile_invalid", "line 5: too_many_fields"],
            "line 3: The mobile number 'x' is not a phone number: use digits, blanks and + ( ) / - : ; only (at most "
            "32 characters), e.g. +49 89 7007-98765. line 5: 3 fields, but the first line names 2 columns; check the "
            "separators (';') and put fields that contain one in double quotes.",
        ),
        (
            'Name;Mobile\n"A\nB";1\n;2\n',
            ["line 4: name_missing"],
            "line 4: Enter a name for the contact.",
        ),
        (
            'Name;Mobile\nA;1\n"B;2\nC;3\n',
            ["line 3: csv_syntax"],
            "line 3: the line cannot be read as CSV (unexpected end of data); a field with ';', quotes or line breaks "
            'must be in double quotes, and a " inside it doubled.',
        ),
        (
            b"Name\nJ\xfcrgen\n",
            ["line 2: encoding"],
            "line 2: the file is not valid UTF-8 (byte 0xFC at column 2); save it as UTF-8, or choose the encoding "
            "windows-1252 if Excel saved it that way.",
        ),
        (
            "Name;Mobile\n",
            ["no_contacts"],
            "The file contains no contacts; add one contact per line below the first line.",
        ),
        ("  \n", ["empty"], "The file is empty; choose a file with personal contacts."),
    ],
)
def test_csv_problems_name_the_line(text: str | bytes, where: list[str], message: str) -> None:
    parsed = _parse(text)
    assert [p.where for p in parsed.problems] == where
    assert parsed.contacts == [] or not parsed.ok
    assert parsed.message("CSV") == (
        "The CSV file cannot be imported; nothing was imported. Correct it and import it again: " + message
    )


def test_many_problems_are_capped() -> None:
    parsed = _parse("Name;Mobile\n" + "".join(f"P{i};x\n" for i in range(25)))
    assert len(parsed.problems) == 25
    assert parsed.message("CSV").endswith(
        "line 21: The mobile number 'x' is not a phone number: use digits, blanks "
        "and + ( ) / - : ; only (at most 32 characters), e.g. +49 89 7007-98765. "
        "... and 5 more problems"
    )


XML_OK = """<?xml version="1.0" encoding="UTF-8"?>
<contacts>
  <contact>
    <name>Jürgen Müller</name>
    <business>+49 89 7007-100</business>
    <email>j@example.com</email>
  </contact>
  <contact><name>Eva</name><mobile/></contact>
</contacts>
"""


def test_xml_format() -> None:
    parsed = _parse(XML_OK, "xml")
    assert parsed.ok and parsed.contacts == [
        d.ContactFields("Jürgen Müller", "+49 89 7007-100", None, None, "j@example.com"),
        d.ContactFields("Eva"),
    ]


@pytest.mark.parametrize(
    ("text", "where", "first"),
    [
        (
            '<?xml version="1.0" encoding="ISO-8859-1"?>\n<contacts/>',
            ["line 1: xml_encoding"],
            "line 1: the file declares the encoding 'ISO-8859-1'; personal contacts XML files are UTF-8 (000:1954): "
            "save it as UTF-8.",
        ),
        (
            "<contacts>\n<contact><name>A</name></contact>\n<contact><name>B</name>\n</contacts>",
            ["line 4: xml_syntax"],
            "line 4: the XML is not well-formed (mismatched tag at column 3); correct it or export the contacts again.",
        ),
        (
            '<!DOCTYPE c [<!ENTITY big "x">]>\n<contacts/>',
            ["line 1: doctype"],
            "line 1: DOCTYPE and entity declarations are not allowed in a contacts file; remove them.",
        ),
        (
            "<contacts>\n <contact>\n  <nam>A</nam>\n </contact>\n</contacts>",
            ["line 3: unknown_element", "line 2: name_missing"],
            "line 3: unknown element <nam> in <contact> (did you mean <name>?); the elements are <name>, <business>, "
            "<mobile>, <private> and <email>.",
        ),
        (
            "<people/>",
            ["line 1: wrong_root"],
            "line 1: the root element is <people>; a contacts file starts with <contacts>.",
        ),
        ("<contacts>\n</contacts>", ["no_contacts"], "The file contains no contacts; add <contact> elements."),
    ],
)
def test_xml_problems_name_the_line(text: str, where: list[str], first: str) -> None:
    parsed = _parse(text, "xml")
    assert [p.where for p in parsed.problems] == where
    assert parsed.message("XML").startswith(
        "The XML file cannot be imported; nothing was imported. Correct it and import it again: " + first
    )


def test_xml_must_be_utf8() -> None:
    assert _parse(XML_OK.encode("utf-16"), "xml").problems[0].where == "line 1: encoding"
    parsed = _parse(XML_OK, "xml", "windows-1252")
    assert parsed.message("XML").endswith(
        "Personal contacts XML files are UTF-8 (000:1954); choose the encoding utf-8."
    )


# ---------------------------------------------------------------- favorites (000:805-885)


def test_favorite_groups() -> None:
    assert fav.group_name("  My   Team ") == "My Team"
    assert fav.check_group_name("Team", ["Family"]).ok
    assert fav.check_group_name("TEAM", ["team"]).message == (
        "You already have a favorites group named 'team'; choose another name."
    )
    assert fav.check_group_name("", []).message == "Enter a name for the favorites group."
    assert fav.check_group_name("x" * 41, []).message == "The group name has 41 characters; at most 40 are allowed."
    assert fav.check_new_group("New", [f"g{i}" for i in range(100)]).codes == ("too_many_groups",)
    assert fav.check_delete_group(Mode.SMART, ClientKind.AT_WORK).ok
    assert fav.check_delete_group(Mode.SUITE, ClientKind.DESKTOP).ok
    assert fav.check_delete_group(Mode.SUITE, ClientKind.AT_WORK).message == (
        "In UC Suite mode favorites groups are deleted with another UC Suite client (e.g. myPortal for Desktop)."
    )


# ---------------------------------------------------------------- own picture (000:1735-1753)


def image(fmt: str, width: int, height: int, mode: str = "RGB", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), 128 if mode in ("L", "P", "I;16") else "red").save(out, fmt, **save)
    return out.getvalue()


def padded_png(size: int) -> bytes:
    """A 40 x 40 PNG of exactly `size` bytes (a tEXt chunk holds the padding)."""
    base = len(image("PNG", 40, 40))
    info = PngImagePlugin.PngInfo()
    info.add_text("pad", "x" * (size - base - 12 - 4))
    data = image("PNG", 40, 40, pnginfo=info)
    assert len(data) == size
    return data


def test_picture_accepted_and_scaled() -> None:
    for data, fmt in ((image("PNG", 40, 40), "png"), (image("JPEG", 640, 480), "jpeg"), (padded_png(524_288), "png")):
        picture, verdict = pic.check_picture(data)
        assert verdict.ok and picture is not None and picture.format == fmt
        scaled = Image.open(io.BytesIO(picture.data))
        assert (scaled.size, scaled.format) == ((200, 200), fmt.upper())
    for mode in ("1", "L", "LA", "P", "RGBA", "I;16"):
        picture, verdict = pic.check_picture(image("PNG", 50, 60, mode))
        assert verdict.ok and picture is not None, mode
    cmyk, verdict = pic.check_picture(image("JPEG", 50, 50, "CMYK"))
    assert cmyk is not None and Image.open(io.BytesIO(cmyk.data)).mode == "RGB"


def test_picture_violations() -> None:
    policy = (
        "Your picture must be a JPG or PNG file of at least 40 x 40 pixels and at most 512 kB; it is scaled to "
        "200 x 200 pixels."
    )
    cases = [
        (b"", ("empty",), "The file is empty; choose a JPG or PNG image."),
        (
            b"GIF89a not really",
            ("not_an_image",),
            "The file is not a JPG or PNG image; choose a picture saved as JPG or PNG.",
        ),
        (
            image("GIF", 50, 50, "P"),
            ("wrong_format",),
            "The file is a GIF image; only JPG and PNG are supported. Save it as JPG or PNG.",
        ),
        (
            image("PNG", 39, 400),
            ("too_small",),
            "The image is 39 x 400 pixels; it must be at least 40 x 40 pixels.",
        ),
        (
            padded_png(524_289),
            ("too_large",),
            "The file has 524,289 bytes; a picture may have at most 512 kB (524,288 bytes). Choose a smaller image or "
            "save it with stronger compression.",
        ),
        (
            image("PNG", 8000, 5001, "1"),
            ("too_many_pixels",),
            "The image has more than 40 megapixels; scale it down (e.g. to 2000 x 2000 pixels) before uploading.",
        ),
        (
            image("PNG", 300, 300)[:-40],
            ("damaged",),
            "The PNG image could not be read completely; the file may be damaged. Save it again as JPG or PNG.",
        ),
    ]
    for data, codes, message in cases:
        picture, verdict = pic.check_picture(data)
        assert picture is None and verdict.codes == codes, codes
        assert verdict.message == f"{message} {policy}"
    # too large AND too small: both reported (the pixels are not decoded)
    assert pic.check_picture(image("PNG", 20, 20) + b"\0" * 524_288)[1].codes == ("too_large", "too_small")


def test_picture_crops_the_centre() -> None:
    """A wide image: the centred square is kept (left red, right blue around the middle)."""
    wide = Image.new("RGB", (400, 200), "red")
    wide.paste((0, 0, 255), (200, 0, 400, 200))
    out = io.BytesIO()
    wide.save(out, "PNG")
    picture, _ = pic.check_picture(out.getvalue())
    assert picture is not None
    scaled = Image.open(io.BytesIO(picture.data)).convert("RGB")
    assert scaled.getpixel((10, 100)) == (255, 0, 0) and scaled.getpixel((190, 100)) == (0, 0, 255)
    assert pic.check_mode(Mode.SUITE).message == (
        "Your own picture can only be provided in UC Smart mode; this system runs UC Suite."
    )
