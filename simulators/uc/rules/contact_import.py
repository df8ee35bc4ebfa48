"""Importing personal contacts from a CSV or XML file (000:1950-1963, 001:951-973). Pure.

"An appropriate XML file in UTF-8 encoding or a CSV file with personal contacts" (000:1954);
the encoding of a CSV file is chosen at import (000:1961, 001:966-967). The WBM template the
documents mention is not available to the lab, so the lab publishes its own formats
(docs/RULES-INTERPRETATION.md, "Importing personal contacts"):

CSV  first line: the column names Name, Business, Mobile, Private, Email (any order and
     case; Name required); separator ";" (Excel in German), "," or tab, taken from the
     first line; quotes as Excel writes them. Encoding UTF-8 (a BOM is fine) or
     windows-1252. Blank lines are skipped.
XML  UTF-8 only: <contacts><contact><name>..</name><business/><mobile/><private/><email/>
     </contact>...</contacts>; no DOCTYPE, no entities.

A bad file is refused as a whole, nothing imported: every problem (up to MAX_PROBLEMS) is
reported with its line number and what to do.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from xml.parsers import expat

from .directories import ContactFields, check_contact

MAX_PROBLEMS = 20
COLUMNS = ("name", "business", "mobile", "private", "email")
COLUMN_LABELS = "Name, Business, Mobile, Private, Email"
_SEPARATORS = (";", ",", "\t")


class ImportFormat(StrEnum):
    CSV = "csv"
    XML = "xml"


class FileEncoding(StrEnum):
    UTF8 = "utf-8"
    WINDOWS_1252 = "windows-1252"

    @property
    def label(self) -> str:
        return "UTF-8" if self is FileEncoding.UTF8 else "windows-1252"


@dataclass(frozen=True)
class ImportProblem:
    line: int | None
    code: str
    text: str

    def render(self) -> str:
        return self.text if self.line is None else f"line {self.line}: {self.text}"

    @property
    def where(self) -> str:
        """`line N: code` (or the code alone), as the API lists it in `violations`."""
        return self.code if self.line is None else f"line {self.line}: {self.code}"


@dataclass
class ParsedFile:
    contacts: list[ContactFields] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    def problem(self, line: int | None, code: str, text: str) -> None:
        self.problems.append(ImportProblem(line, code, text))

    def add(self, line: int, fields: ContactFields) -> None:
        cleaned = fields.cleaned()
        verdict = check_contact(cleaned)
        for v in verdict.violations:
            self.problem(line, v.code, v.text)
        if verdict.ok:
            self.contacts.append(cleaned)

    @property
    def ok(self) -> bool:
        return not self.problems

    def message(self, source: str) -> str:
        shown = self.problems[:MAX_PROBLEMS]
        more = len(self.problems) - len(shown)
        head = f"The {source} file cannot be imported; nothing was imported. Correct it and import it again:"
        tail = [f"... and {more} more problem{'s' if more != 1 else ''}"] if more else []
        return " ".join([head, *(p.render() + ("" if p.render().endswith(".") else ".") for p in shown), *tail])


def parse_contacts(data: bytes, fmt: ImportFormat, encoding: FileEncoding = FileEncoding.UTF8) -> ParsedFile:
    """The contacts of an import file, or its problems (with line numbers)."""
    parsed = ParsedFile()
    if fmt is ImportFormat.XML and encoding is not FileEncoding.UTF8:
        parsed.problem(
            None, "xml_encoding", "Personal contacts XML files are UTF-8 (000:1954); choose the encoding utf-8."
        )
        return parsed
    text = _decode(data, encoding, parsed)
    if text is None:
        return parsed
    if fmt is ImportFormat.CSV:
        _parse_csv(text, parsed)
    else:
        _parse_xml(text, parsed)
    if parsed.ok and not parsed.contacts:
        where = "one contact per line below the first line" if fmt is ImportFormat.CSV else "<contact> elements"
        parsed.problem(None, "no_contacts", f"The file contains no contacts; add {where}.")
    return parsed


def _decode(data: bytes, encoding: FileEncoding, parsed: ParsedFile) -> str | None:
    if not data.strip():
        parsed.problem(None, "empty", "The file is empty; choose a file with personal contacts.")
        return None
    try:
        text = data.decode("utf-8-sig" if encoding is FileEncoding.UTF8 else encoding.value)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        other = (
            "choose the encoding windows-1252 if Excel saved it that way"
            if encoding is FileEncoding.UTF8
            else "choose the encoding utf-8"
        )
        parsed.problem(
            line,
            "encoding",
            f"the file is not valid {encoding.label} (byte 0x{data[exc.start]:02X} at column {column}); save it as "
            f"UTF-8, or {other}",
        )
        return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        parsed.problem(
            line, "not_text", "the file contains NUL characters; it is not a text file. Export the contacts again"
        )
        return None
    return text


# ---------------------------------------------------------------- CSV


def _separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in _SEPARATORS}
    return max(_SEPARATORS, key=lambda s: counts[s]) if any(counts.values()) else ";"


def _records(text: str, sep: str, parsed: ParsedFile) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of every non-blank record; a CSV syntax error is reported with its line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            parsed.problem(
                start,
                "csv_syntax",
                f"the line cannot be read as CSV ({exc}); a field with {sep!r}, quotes or line breaks must be "
                'in double quotes, and a " inside it doubled',
            )
            return
        if any(v.strip() for v in row):
            yield start, row


def _columns(names: list[str], line: int, sep: str, parsed: ParsedFile) -> list[str | None]:
    columns: list[str | None] = []
    for raw in names:
        name = raw.strip().lower()
        if name in COLUMNS:
            if name in columns:
                parsed.problem(line, "column_twice", f"the column {raw.strip()!r} appears twice; keep one")
            columns.append(name)
            continue
        columns.append(None)
        if not name:
            parsed.problem(
                line, "column_unnamed", f"a column has no name; the first line names the columns: {COLUMN_LABELS}"
            )
            continue
        close = difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0].capitalize()!r}?)" if close else ""
        parsed.problem(line, "unknown_column", f"unknown column {raw.strip()!r}{hint}; the columns are {COLUMN_LABELS}")
    if "name" not in columns:
        example = sep.join(COLUMN_LABELS.split(", "))
        parsed.problem(
            line, "no_name_column", f"the first line has no Name column; it names the columns, e.g. {example}"
        )
    return columns


def _parse_csv(text: str, parsed: ParsedFile) -> None:
    sep = _separator(next((line for line in text.split("\n") if line.strip()), ""))
    records = _records(text, sep, parsed)
    header = next(records, None)
    if header is None:
        return
    columns = _columns(header[1], header[0], sep, parsed)
    if not parsed.ok:
        return
    for line, row in records:
        if len(row) > len(columns) and any(v.strip() for v in row[len(columns) :]):
            parsed.problem(
                line,
                "too_many_fields",
                f"{len(row)} fields, but the first line names {len(columns)} columns; check the separators "
                f"({sep!r}) and put fields that contain one in double quotes",
            )
            continue
        values = dict(zip(columns, row))
        parsed.add(
            line,
            ContactFields(
                values.get("name") or "",
                values.get("business"),
                values.get("mobile"),
                values.get("private"),
                values.get("email"),
            ),
        )


# ---------------------------------------------------------------- XML


class _Stop(Exception):
    pass


_ENCODING_DECL = re.compile(r"""^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']""")


class _XmlContacts:
    """An expat handler for <contacts><contact><name/>...</contact></contacts>."""

    def __init__(self, parsed: ParsedFile) -> None:
        self.parsed = parsed
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.EntityDeclHandler = self.doctype
        self.stack: list[str] = []
        self.current: dict[str, str] = {}
        self.contact_line = 0
        self.chunks: list[str] = []

    @property
    def line(self) -> int:
        return int(self.parser.CurrentLineNumber)

    def problem(self, code: str, text: str) -> None:
        self.parsed.problem(self.line, code, text)
        if len(self.parsed.problems) >= MAX_PROBLEMS:
            raise _Stop

    def doctype(self, *_: object) -> None:
        self.parsed.problem(
            self.line, "doctype", "DOCTYPE and entity declarations are not allowed in a contacts file; remove them"
        )
        raise _Stop

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        depth = len(self.stack)
        self.stack.append(name)
        self.chunks = []
        if depth == 0 and name != "contacts":
            self.problem("wrong_root", f"the root element is <{name}>; a contacts file starts with <contacts>")
            raise _Stop
        if depth == 1:
            if name != "contact":
                self.problem(
                    "unknown_element",
                    f"unknown element <{name}> in <contacts>; put each contact in a <contact> element",
                )
            self.current, self.contact_line = {}, self.line
        elif depth == 2 and self.stack[1] == "contact":
            if name not in COLUMNS:
                close = difflib.get_close_matches(name.lower(), COLUMNS, n=1, cutoff=0.6)
                hint = f" (did you mean <{close[0]}>?)" if close else ""
                self.problem(
                    "unknown_element",
                    f"unknown element <{name}> in <contact>{hint}; the elements are <name>, <business>, <mobile>, "
                    "<private> and <email>",
                )
            elif name in self.current:
                self.problem("field_twice", f"<{name}> appears twice in this contact; keep one")
        elif depth >= 3 and self.stack[1] == "contact":
            self.problem("nested_element", f"<{self.stack[2]}> holds text only, not the element <{name}>")

    def text(self, data: str) -> None:
        if len(self.stack) == 3:
            self.chunks.append(data)
        elif data.strip() and len(self.stack) in (1, 2):
            self.problem(
                "stray_text",
                f"text {data.strip()[:20]!r} outside a field; put it in <name>, <business>, ... or remove it",
            )

    def end(self, name: str) -> None:
        depth = len(self.stack)
        self.stack.pop()
        if depth == 3 and self.stack[1] == "contact" and name in COLUMNS and name not in self.current:
            self.current[name] = "".join(self.chunks)
        elif depth == 2 and name == "contact":
            c = self.current
            self.parsed.add(
                self.contact_line,
                ContactFields(c.get("name", ""), c.get("business"), c.get("mobile"), c.get("private"), c.get("email")),
            )
            if len(self.parsed.problems) >= MAX_PROBLEMS:
                raise _Stop


def _parse_xml(text: str, parsed: ParsedFile) -> None:
    declared = _ENCODING_DECL.match(text)
    if declared and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        parsed.problem(
            1,
            "xml_encoding",
            f"the file declares the encoding {declared.group(1)!r}; personal contacts XML files are UTF-8 "
            "(000:1954): save it as UTF-8",
        )
        return
    handler = _XmlContacts(parsed)
    try:
        handler.parser.Parse(text.encode("utf-8"), True)
    except _Stop:
        return
    except expat.ExpatError as exc:
        reason = expat.errors.messages.get(exc.code, "syntax error") if exc.code is not None else "syntax error"
        parsed.problem(
            exc.lineno,
            "xml_syntax",
            f"the XML is not well-formed ({reason} at column {exc.offset + 1}); correct it or export the contacts again",
        )
