"""Telephony hyperlinks in the client model (simulators/phone/links.py): UC-CALL-7 (000:1198-1219).

What number a clicked tel or callto link dials is the client's to decide (the system sees an
ordinary call), so these clauses are shown as `client-model`; the call a number makes is
UC-CALL-5's and NET-1.1's.
"""

from __future__ import annotations

import pytest

from simulators.phone.links import LinkError, number_of


@pytest.mark.clause("UC-CALL-7/browser-links", "UC-CALL-7/click-uri", how="client-model")
@pytest.mark.lab_choice("LAB-TEL-URI")
@pytest.mark.parametrize(
    ("uri", "number"),
    [
        ("tel:202", "202"),
        ("tel:2-0-2", "202"),
        ("tel:+49-89-7007-98765", "+4989700798765"),
        ("tel:+49(89)1234.567", "+49891234567"),
        ("tel:202;phone-context=osbiz.lab", "202"),
        ("TEL:%2B49891234567", "+49891234567"),
        ("callto:202", "202"),
        ("callto://+49891234567", "+49891234567"),
        ("callto:+49 89 1234567", "+49891234567"),
    ],
)
def test_the_number_a_link_dials(uri: str, number: str) -> None:
    assert number_of(uri) == number


@pytest.mark.lab_choice("LAB-TEL-URI")
@pytest.mark.parametrize(
    ("uri", "message"),
    [
        (
            "tel:",
            "'tel:' has no number to dial; a tel link names digits (a + first for a global number), e.g. "
            "tel:+49891234567.",
        ),
        (
            "callto:anna.adler",
            "'callto:anna.adler' has no number to dial; a callto link names digits (a + first "
            "for a global number), e.g. tel:+49891234567.",
        ),
        (
            "sip:202@osbiz.lab",
            "'sip:202@osbiz.lab' is no telephony hyperlink; use tel:+49891234567 or callto:+49891234567.",
        ),
        ("202", "'202' is no telephony hyperlink; use tel:+49891234567 or callto:+49891234567."),
    ],
)
def test_links_without_a_number_are_refused(uri: str, message: str) -> None:
    with pytest.raises(LinkError) as refused:
        number_of(uri)
    assert str(refused.value) == message
