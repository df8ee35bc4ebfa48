"""Directories through the UC API: UC-DIR-1 and REL-SEARCH.

The directories of each mode (000:505-516), what each shows (000:537-556), the search by
name or initial letters with "*" at the end and German diacritics (000:558-575), personal
contacts up to 3000 in UC Smart (000:1935-1948), their CSV/XML import (000:1950-1963) and
the call by name (000:1144-1152) whose match differs per release (REL-SEARCH). Verdicts
are compared with the oracles in oracles_directories.py; messages are asserted exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.ledger import ChoiceChecks
from simulators.phone.ucapi import UcApi, UcApiError

from .conftest import Target
from .messages import (
    PERSONAL_BY_OTHER_CLIENT,
    PERSONAL_FULL,
    SEARCH_SENTENCES,
    expected_contact,
    import_refused,
    import_too_many,
    imported,
    wildcard_sentence,
)
from .oracles import SEARCH_CONTAINING, dial_match
from .oracles_directories import (
    DICTIONARY,
    PERSONAL_LIMIT_SMART,
    contact_violations,
    hits,
    search_problem,
    spelled,
)
from .verdicts import MESSAGES, refusal

USER = "200"


def names_in(target: Target, directory: str | None = None) -> list[str]:
    """What the administrator put in each directory (the target's configuration)."""
    cfg, dirs = target.config, target.config.get("directories", {})
    by_directory = {
        "internal": [u["name"] for u in cfg["users"]],
        "system": [e["name"] for e in dirs.get("speed_dials", [])],
        "global": [e["name"] for e in dirs.get("global_contacts", [])],
        "external": [e["name"] for e in dirs.get("external_contacts", [])],
    }
    if directory is not None:
        return by_directory[directory]
    return [n for d, names in by_directory.items() for n in names if d != "external" or target.mode == "suite"]


def alphabetical(names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: spelled(n, DICTIONARY))


async def _refused(call: Any) -> UcApiError:
    with pytest.raises(UcApiError) as refused:
        await call
    return refused.value


# ---------------------------------------------------------------- the directories (000:505-556)


@pytest.mark.clause("UC-DIR-1/directories", "UC-DIR-1/personal-smart", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.parametrize("config", ["office", "office_suite"])
async def test_the_directories_of_each_mode(
    uc_target: Callable[..., Target], config: str, choices: ChoiceChecks
) -> None:
    """Personal, internal, system, global; the external directory in UC Suite only (000:505-516)."""
    target = uc_target(config)
    api = await target.logged_in(USER)
    listed = {d.directory: d for d in await api.directories()}
    expected = ["personal", "internal", "system", "global"] + (["external"] if target.mode == "suite" else [])
    assert list(listed) == expected
    assert listed["personal"].editable is (target.mode == "smart"), "000:520-522"
    for directory in expected[1:]:
        assert listed[directory].entries == len(names_in(target, directory)), directory
    if target.mode == "smart":
        refused = await _refused(api.search("Mü", directory="external"))
        refusal(refused, choices, status=400, message=SEARCH_SENTENCES["external_uc_suite_only"])
    else:
        found = await api.search("Kunde", directory="external")
        assert [h.name for h in found.hits] == hits("Kunde", names_in(target, "external"))


@pytest.mark.clause("UC-DIR-1/system-name-number", how="api")
@pytest.mark.rule("UC-PRES-1")
async def test_what_each_directory_shows(uc_target: Callable[..., Target]) -> None:
    """The system directory has the name and number only (000:556); others show phone numbers and
    e-mail (000:545-554); internal subscribers also their presence (000:543)."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    pizza = (await api.search("Pizz")).hits
    assert [(h.directory, h.name, [(p.kind, p.number) for p in h.phones], h.email, h.presence) for h in pizza] == [
        ("system", "Pizzeria Roma", [("speed_dial", "+49 89 1234567")], None, None)
    ]
    juergen = (await api.search("Jürgen")).hits[0]
    assert (juergen.directory, juergen.phone("business"), juergen.phone("mobile"), juergen.email) == (
        "global",
        "+49 89 7007-100",
        "+49 170 7007100",
        "j.mueller@example.com",
    )
    assert juergen.presence is None, "presence only for internal subscribers"
    anna = (await (await target.logged_in("201")).search("Anna")).hits[0]
    assert (anna.directory, anna.phone("internal"), anna.phone("mobile"), anna.email) == (
        "internal",
        USER,
        "+4917000000200",
        "anna.adler@osbiz.lab",
    )
    assert anna.presence is not None and (anna.presence.status, anna.presence.visible) == ("office", True)


# ---------------------------------------------------------------- search (000:558-575)

SEARCH_TABLE = [
    "Mül",  # German diacritics as typed
    "Muller",  # ... without them (000:562: "German diacritics are supported")
    "Mueller",
    "müller",  # letters compare without case
    "Gross",  # ß written ss
    "Groß",
    "Oehl",
    "Schae",  # after a hyphen: a word of a double name
    "Weiß-Sch",
    "Jürgen Mü",  # the name from its start
    "Ärzt",
    "Arzt",
    "ller",  # not at the start of a word: no hit
    "Mü*",  # the wildcard at the end changes nothing
    "A",
    "zoe",  # ë is not a German diacritic
]


@pytest.mark.clause("UC-DIR-1/search", "UC-DIR-1/wildcard-diacritics", how="api")
@pytest.mark.lab_choice("LAB-SEARCH-ORDER")
@pytest.mark.parametrize("term", SEARCH_TABLE)
async def test_search_by_initial_letters(uc_target: Callable[..., Target], term: str, choices: ChoiceChecks) -> None:
    """The hits are the names that start with the letters, in a word, in either German spelling."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    found = await api.search(term)
    expected = hits(term, names_in(target))
    assert sorted(h.name for h in found.hits) == sorted(expected)
    names = [h.name for h in found.hits]
    choices.equal("LAB-SEARCH-ORDER", names, alphabetical(names), "the hits' order")
    assert (found.match, found.total, found.truncated) == ("starting_with", len(expected), False)


def test_the_table_means_what_it_says() -> None:
    """A few table rows spelled out, so that a wrong oracle is caught here too."""
    names = ["Jürgen Müller", "Karl Mueller", "Lena Muller", "Günther Groß", "Zoë Weiß-Schäfer"]
    assert hits("Muller", names) == ["Jürgen Müller", "Lena Muller"]
    assert hits("Mueller", names) == ["Jürgen Müller", "Karl Mueller"]
    assert hits("Mül", names) == ["Jürgen Müller", "Karl Mueller", "Lena Muller"]
    assert hits("Gross", names) == ["Günther Groß"]
    assert hits("Schae", names) == ["Zoë Weiß-Schäfer"]
    assert hits("ller", names) == [] and hits("ller", names, "containing") == names[:3]


@pytest.mark.clause("UC-DIR-1/wildcard-diacritics", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.parametrize("term", ["M*ller", "*ller", "Mü**", "*", "", "  ", "-"])
async def test_search_strings_that_cannot_be_searched(
    uc_target: Callable[..., Target], term: str, choices: ChoiceChecks
) -> None:
    """The wildcard only at the end (000:562); at least a first letter (000:574)."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    problem = search_problem(term)
    assert problem is not None
    refused = await _refused(api.search(term))
    refusal(refused, choices, status=400, code="search_rules", violations=(problem,))
    message = wildcard_sentence(term) if problem == "wildcard_position" else SEARCH_SENTENCES[problem]
    choices.equal(MESSAGES, refused.message, message)


_LETTERS = "abeilmnorsuzäöüßÄÖÜAMSZë"
_names = st.text(alphabet=_LETTERS + " -'", min_size=1, max_size=14).filter(lambda n: n.strip(" -'"))
_terms = st.one_of(
    st.text(alphabet=_LETTERS + " *", max_size=5),
    st.builds(lambda n, k: n.split()[-1][:k] if n.split() else n, _names, st.integers(1, 4)),
    st.sampled_from(["mu", "mue", "Mü", "ss", "ß", "ae", "Ä*", "oe", "ue"]),
)


@pytest.mark.clause("UC-DIR-1/search", "UC-DIR-1/wildcard-diacritics", how="api")
@pytest.mark.by_release("REL-SEARCH/containing", "REL-SEARCH/starting-with", table=SEARCH_CONTAINING)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_names, term=_terms)
async def test_search_matches_the_oracle(uc_target: Callable[..., Target], name: str, term: str) -> None:
    """Generated names (added as personal contacts) and search strings: the directory search
    (starting with, 000:575) and the call by name (the release's match, REL-SEARCH) list
    exactly the names the oracle finds."""
    target = uc_target("office", shared=True)
    if "api" not in target.memo:
        target.memo["api"] = await target.logged_in(USER)
        target.memo["names"] = []
    api: UcApi = target.memo["api"]
    added = await api.add_contact(name)
    assert added.name == " ".join(name.split()), "blanks around and between words as one blank (lab choice)"
    target.memo["names"].append(added.name)
    problem = search_problem(term)
    if problem is not None:
        assert (await _refused(api.search(term, directory="personal"))).violations == (problem,)
        return
    found = await api.search(term, directory="personal", limit=500)
    assert sorted(h.name for h in found.hits) == sorted(hits(term, target.memo["names"])), term
    how = dial_match(target.release)
    dialled = await api.dial_search(term, limit=500)
    assert dialled.match == how
    assert sorted(h.name for h in dialled.hits) == sorted(hits(term, target.memo["names"] + names_in(target), how))


# ---------------------------------------------------------------- call by name (REL-SEARCH)


@pytest.mark.by_release("REL-SEARCH/containing", "REL-SEARCH/starting-with", table=SEARCH_CONTAINING)
@pytest.mark.parametrize("term", ["ller", "Mül", "üll", "ntral", "Adl"])
async def test_call_by_name_per_release(uc_target: Callable[..., Target], term: str) -> None:
    """Call by name lists entries "containing" the letters from V3R1 (000:1148, 002:1536-1538),
    "starting with" them before (003:1330-1332); the directory search starts with them always."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    how = dial_match(target.release)
    dialled = await api.dial_search(term)
    assert dialled.match == how
    assert sorted(h.name for h in dialled.hits) == sorted(hits(term, names_in(target), how))
    assert (await api.search(term)).match == "starting_with"


# ---------------------------------------------------------------- personal contacts (000:520, 000:1935-1948)

CONTACT_TABLE: list[dict[str, str]] = [
    {"name": "Hans Müller", "mobile": "+49 (170) 555-01", "email": "hans@example.com"},
    {"name": "  Grete   Groß  ", "business": "089 7007/100", "private": "+49 89 1;2"},
    {"name": ""},
    {"name": "   "},
    {"name": "x" * 80},
    {"name": "x" * 81},
    {"name": "Bell\x07"},
    {"name": "Tab\tis a blank"},
    {"name": "Ok", "mobile": "0170 ABC"},
    {"name": "Ok", "business": "++"},
    {"name": "Ok", "private": "1" * 33},
    {"name": "Ok", "private": "1" * 32},
    {"name": "Ok", "email": "no-at-sign"},
    {"name": "", "mobile": "x", "email": "a@b"},
]


def _contact_case(fields: dict[str, str]) -> Any:
    """A valid contact shows the documented clause; what the lab refuses is its own field rules."""
    documented = not contact_violations(**fields)
    marks = (
        [pytest.mark.clause("UC-DIR-1/personal-smart", how="api")]
        if documented
        else [pytest.mark.lab_choice("LAB-FIELD-LIMITS")]
    )
    return pytest.param(fields, id=repr(fields)[:40], marks=marks)


@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.parametrize("fields", [_contact_case(f) for f in CONTACT_TABLE])
async def test_add_a_personal_contact(
    uc_target: Callable[..., Target], fields: dict[str, str], choices: ChoiceChecks
) -> None:
    """Add a personal contact (000:1935-1947): a name, phone numbers as in 000:1037, an e-mail address;
    what a contact may hold is the lab's (LAB-FIELD-LIMITS: a name of 1-80 characters, numbers of the
    canonical format's characters of at most 32, an e-mail address)."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    expected = contact_violations(**fields)
    name = fields["name"]
    rest = {k: v for k, v in fields.items() if k != "name"}
    if expected:
        refused = await _refused(api.add_contact(name, **rest))
        refusal(refused, choices, status=400, code="contact_rules", violations=expected)
        choices.equal(MESSAGES, refused.message, expected_contact(expected, **fields))
        assert (await api.contacts()).count == 0
        return
    added = await api.add_contact(name, **rest)
    assert (added.name, added.origin) == (" ".join(name.split()), "manual")
    assert [c.id for c in (await api.contacts()).contacts] == [added.id]
    assert [h.id for h in (await api.search(name.split()[0][:10], directory="personal")).hits] == [added.id]


@pytest.mark.clause("UC-DIR-1/not-shared", "UC-DIR-1/personal-smart", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_personal_contacts_are_yours_edit_and_delete(
    uc_target: Callable[..., Target], choices: ChoiceChecks
) -> None:
    """Personal contacts are not shared (000:524); update (000:586-600) and delete (000:602-614)."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    colleague = await target.logged_in("201")
    pal = await api.add_contact("Pal Privat", mobile="+49 170 1")
    assert (await colleague.search("Pal")).hits == []
    refusal(await _refused(colleague.contact(pal.id)), choices, status=404, what="a colleague reading the contact")
    choices.equal(
        MESSAGES, (await _refused(colleague.contact(pal.id))).message, f"You have no personal contact {pal.id}."
    )
    edited = await api.update_contact(pal.id, "Pal Privat", mobile="+49 170 2")
    assert (edited.mobile, edited.origin) == ("+49 170 2", "manual")
    refused = await _refused(api.update_contact(pal.id, "", mobile="+49 170 2"))
    choices.equal(MESSAGES, refused.message, expected_contact(["name_missing"], name=""))
    choices.equal(MESSAGES, await api.delete_contact(pal.id), "The personal contact Pal Privat has been deleted.")
    refusal(await _refused(api.delete_contact(pal.id)), choices, status=404)


@pytest.mark.clause("UC-DIR-1/personal-smart", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_suite_personal_contacts_are_managed_by_another_client(
    uc_target: Callable[..., Target], choices: ChoiceChecks
) -> None:
    """UC Suite: "add or import your personal contacts using another UC Suite client" (000:522)."""
    target = uc_target("office_suite")
    at_work = await target.logged_in(USER)
    for call in (at_work.add_contact("Pal"), at_work.import_contacts(b"Name\nPal\n", "csv")):
        refused = await _refused(call)
        refusal(refused, choices, status=403, code="personal_by_other_client", message=PERSONAL_BY_OTHER_CLIENT)
    desktop = await target.logged_in(USER, client="myportal_for_desktop")
    pal = await desktop.add_contact("Pal Müller")
    assert [h.id for h in (await at_work.search("Mueller", directory="personal")).hits] == [pal.id]


def _csv(n: int, start: int = 0) -> bytes:
    return ("Name;Mobile\n" + "".join(f"Import {i:04d};+49 170 {i:07d}\n" for i in range(start, start + n))).encode()


@pytest.mark.clause("UC-DIR-1/personal-3000", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_3000_personal_contacts_and_not_one_more(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """UC Smart "supports adding or importing 3000 contacts" (000:1948): the 3000th is added,
    the 3001st refused, by hand and by import."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    result = await api.import_contacts(_csv(PERSONAL_LIMIT_SMART - 1), "csv")
    assert result.total == PERSONAL_LIMIT_SMART - 1
    assert (await api.add_contact("Number 3000")).name == "Number 3000"
    refused = await _refused(api.add_contact("Number 3001"))
    refusal(refused, choices, status=409, code="personal_contacts_full", message=PERSONAL_FULL)
    too_many = await _refused(api.import_contacts(_csv(PERSONAL_LIMIT_SMART), "csv"))
    refusal(too_many, choices, status=409, message=import_too_many(PERSONAL_LIMIT_SMART, 1))
    listed = await api.contacts()
    assert (listed.count, listed.limit) == (PERSONAL_LIMIT_SMART, PERSONAL_LIMIT_SMART)
    exact = await api.import_contacts(_csv(PERSONAL_LIMIT_SMART - 1, 5000), "csv")
    assert (exact.total, exact.added, exact.removed) == (PERSONAL_LIMIT_SMART, 2999, 2999), (
        "the file replaces the import"
    )


# ---------------------------------------------------------------- import (000:1950-1963)

GOOD_CSV = "\ufeffName;Business;Mobile;Private;Email\nJörg Schäfer;+49 89 7007-1;;;joerg@example.com\n\nÖzlem Yilmaz;;0170 1234;;\n"
GOOD_XML = """<?xml version="1.0" encoding="UTF-8"?>
<contacts>
  <contact><name>Jörg Schäfer</name><business>+49 89 7007-1</business></contact>
  <contact><name>Ärztin Dr. Weiß</name><mobile>0170 1234</mobile></contact>
</contacts>
"""


@pytest.mark.clause("UC-DIR-1/import", how="api")
@pytest.mark.lab_choice("LAB-CONTACT-FORMATS", "LAB-MESSAGES")
async def test_import_csv_and_xml(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """CSV (the encoding chosen at import, 000:1961) and XML in UTF-8 (000:1954); imported
    contacts are synchronised by the next import unless edited (000:520)."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    manual = await api.add_contact("Hand Made")
    first = await api.import_contacts(GOOD_CSV.encode(), "csv")
    choices.equal(MESSAGES, first.message, imported(2, 2, 0, 0, 1, 3))
    found = await api.search("Schaefer", directory="personal")
    assert [(h.name, h.email) for h in found.hits] == [("Jörg Schäfer", "joerg@example.com")]
    oezlem = (await api.search("Özl", directory="personal")).hits[0]
    await api.update_contact(oezlem.id, "Özlem Yilmaz", mobile="0170 9999")  # edited: "manually added"
    second = await api.import_contacts(GOOD_XML.encode(), "xml")
    choices.equal(MESSAGES, second.message, imported(2, 1, 1, 0, 2, 4))
    names = sorted(c.name for c in (await api.contacts()).contacts)
    assert names == sorted(["Hand Made", "Jörg Schäfer", "Özlem Yilmaz", "Ärztin Dr. Weiß"])
    assert (await api.contact(manual.id)).origin == "manual"
    ansi = "Name\nFrançois Müller\n".encode("windows-1252")
    third = await api.import_contacts(ansi, "csv", encoding="windows-1252")
    assert (third.added, third.removed, third.total) == (1, 2, 3)


BAD_FILES = [
    (
        "csv",
        "Name;Mobile\nA;+49 1\nB;call me\n",
        ["line 3: mobile_invalid"],
        [
            "line 3: The mobile number 'call me' is not a phone number: use digits, blanks and + ( ) / - : ; only (at "
            "most 32 characters), e.g. +49 89 7007-98765."
        ],
    ),
    (
        "csv",
        "Nam;Mobile\nA;1\n",
        ["line 1: unknown_column", "line 1: no_name_column"],
        [
            "line 1: unknown column 'Nam' (did you mean 'Name'?); the columns are Name, Business, Mobile, Private, "
            "Email.",
            "line 1: the first line has no Name column; it names the columns, e.g. Name;Business;Mobile;Private;Email.",
        ],
    ),
    (
        "csv",
        b"Name\nJ\xf6rg\n",
        ["line 2: encoding"],
        [
            "line 2: the file is not valid UTF-8 (byte 0xF6 at column 2); save it as UTF-8, or choose the encoding "
            "windows-1252 if Excel saved it that way."
        ],
    ),
    (
        "csv",
        "Name;Mobile\nA;1\n\nB;2;3\n",
        ["line 4: too_many_fields"],
        [
            "line 4: 3 fields, but the first line names 2 columns; check the separators (';') and put fields that "
            "contain one in double quotes."
        ],
    ),
    (
        "xml",
        "<contacts>\n  <contact><name>A</name></contact>\n  <contact><name>B</name>\n</contacts>\n",
        ["line 4: xml_syntax"],
        ["line 4: the XML is not well-formed (mismatched tag at column 3); correct it or export the contacts again."],
    ),
    (
        "xml",
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<contacts/>\n',
        ["line 1: xml_encoding"],
        [
            "line 1: the file declares the encoding 'ISO-8859-1'; personal contacts XML files are UTF-8 (000:1954): "
            "save it as UTF-8."
        ],
    ),
    (
        "xml",
        "<contacts>\n <contact>\n  <nmae>A</nmae>\n </contact>\n</contacts>\n",
        ["line 3: unknown_element", "line 2: name_missing"],
        [
            "line 3: unknown element <nmae> in <contact> (did you mean <name>?); the elements are <name>, <business>, "
            "<mobile>, <private> and <email>.",
            "line 2: Enter a name for the contact.",
        ],
    ),
    (
        "csv",
        "Name;Mobile\n",
        ["no_contacts"],
        ["The file contains no contacts; add one contact per line below the first line."],
    ),
]


@pytest.mark.lab_choice("LAB-CONTACT-FORMATS", "LAB-MESSAGES")
@pytest.mark.rule("UC-DIR-1")
@pytest.mark.parametrize(("fmt", "content", "where", "problems"), BAD_FILES, ids=[repr(b[1])[:30] for b in BAD_FILES])
async def test_a_bad_import_file_names_the_line_and_changes_nothing(
    uc_target: Callable[..., Target],
    fmt: str,
    content: str | bytes,
    where: list[str],
    problems: list[str],
    choices: ChoiceChecks,
) -> None:
    target = uc_target("office")
    api = await target.logged_in(USER)
    await api.import_contacts(b"Name\nEarlier Import\n", "csv")
    data = content.encode() if isinstance(content, str) else content
    refused = await _refused(api.import_contacts(data, fmt))
    refusal(refused, choices, status=400, code="import_invalid", violations=where)
    choices.equal(MESSAGES, refused.message, import_refused(fmt.upper(), problems))
    assert [c.name for c in (await api.contacts()).contacts] == ["Earlier Import"], "nothing is lost"
