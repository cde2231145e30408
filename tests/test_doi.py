"""One DOI pattern (review/doi.py) for the readers, dedup and full-text matching."""

from __future__ import annotations

import pytest

from review.dedup.normalize import doi_is_valid, normalize_doi
from review.doi import find_doi, find_dois, is_valid_doi
from review.io.readers.normalize import norm_doi


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("https://doi.org/10.1000/ABC.1", "10.1000/abc.1", id="url-upper"),
        pytest.param("see (doi:10.1000/xyz).", "10.1000/xyz", id="sentence-brackets"),
        pytest.param(
            "10.1016/0022-1694(75)90034-2", "10.1016/0022-1694(75)90034-2", id="own-brackets"
        ),
        pytest.param(
            "10.1002/(SICI)1097-4679(199901)55:1<1::AID-JCLP1>3.0.CO;2-J",
            "10.1002/(sici)1097-4679(199901)55:1<1::aid-jclp1>3.0.co;2-j",
            id="sici",
        ),
        pytest.param('href="https://doi.org/10.1000/abc">link', "10.1000/abc", id="html-quote"),
        pytest.param("10.123/short-registrant", "", id="three-digit-registrant"),
        pytest.param("no doi here", "", id="none"),
    ],
)
def test_every_stage_finds_the_same_doi(text: str, expected: str) -> None:
    assert find_doi(text) == expected
    assert norm_doi(text) == expected
    assert normalize_doi(text) == expected
    assert list(find_dois(text.encode())) == ([expected] if expected else [])


@pytest.mark.parametrize("text", ["10.1000/)", "10.1000/a).", "(10.1000/x(1)).", "10.1000/.."])
def test_tidying_is_idempotent(text: str) -> None:
    once = find_doi(text)
    assert once and find_doi(once) == once and norm_doi(once) == once


def test_validity() -> None:
    assert is_valid_doi("10.1000/ab") and doi_is_valid("10.1000/ab")
    assert not is_valid_doi("10.1000/a") and not is_valid_doi("10.1000/ab cd")
