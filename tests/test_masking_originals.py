"""Where the leak check's automaton finds an original name, and where a look-alike is no finding.

No database: formwork.masking.originals alone, on the spellings people write and on the near misses
that would fail a clean copy (a longer word, a hyphenated name, a single word inside a sentence)."""

from __future__ import annotations

import pytest

from formwork.masking import normal_forms
from formwork.masking.originals import Originals


@pytest.fixture(scope="module")
def originals() -> Originals:
    originals = Originals()
    originals.add("hr_employee.name", normal_forms.WORDS, ["John Smith", "Mary Ann O'Brien-Lee", "Rosalind"])
    originals.add("res_partner.email", normal_forms.EMAIL, ["John.Smith@Example.com"])
    originals.add("res_partner.phone", normal_forms.PHONE, ["+44 1260 300123", "07700 900123"])
    originals.ready()
    return originals


FOUND = {
    "as written": ("Site visit by John Smith.", "john smith"),
    "surname first": ("Foreman: Smith, John", "john smith"),
    "surname first without space": ("Smith,John (site)", "john smith"),
    "surname first with space before the comma": ("SMITH , JOHN", "john smith"),
    "underscore": ("john_smith signed", "john smith"),
    "three words of a longer name": ("Mary Ann O'Brien-Lee, foreman", "mary ann o'brien-lee"),
    "surname first of three words": ("O'Brien-Lee, Mary Ann", "mary ann o'brien-lee"),
    "one word, a whole cell": ("x\t Rosalind \ty", "rosalind"),
    "one word, the whole text": ("(Rosalind)", "rosalind"),
    "email": ("mail JOHN.SMITH@example.COM today", "john.smith@example.com"),
    "possessive": ("John Smith's crew", "john smith"),
    "possessive, typographic apostrophe": ("JOHN SMITH\u2019S CREW", "john smith"),
    "possessive at the end": ("the crew is John Smith's", "john smith"),
    "phone, national": ("call 01260 300123", "1260300123"),
    "phone, international with (0)": ("call +44 (0)1260 300-123", "1260300123"),
    "phone, 00 and no spaces": ("call 00441260300123", "1260300123"),
    "phone, country code without +": ("tel 441260300123", "1260300123"),
    "national phone, written internationally": ("tel +447700900123", "7700900123"),
    "national phone, grouped": ("tel (07700) 900-123", "7700900123"),
}
NOT_FOUND = {
    "longer word": "John Smithson",
    "word before": "Littlejohn Smith",
    "hyphenated before": "Mary-John Smith",
    "hyphenated after": "John Smith-Jones",
    "apostrophe inside a longer word": "John Smith'sons",
    "parted by a mark": "John. Smith",
    "parted by a cell": "John\tSmith",
    "one word inside a sentence": "Rosalind called",
    "one word inside a longer one": "Rosalinda",
    "another address": "xjohn.smith@example.com",
    # Document numbers whose last nine digits are those of a phone: no spelling of the number.
    "a payslip number": "SLIP/2026/03/00123",
    "a bill number": "BILL/2026/03/00123 of 2026/03/00123",
}


@pytest.mark.parametrize("label", list(FOUND))
def test_a_spelling_of_an_original_is_found(originals, label):
    text, form = FOUND[label]
    assert form in [found for found, _ in originals.found(text, copied=True)]


@pytest.mark.parametrize("label", list(NOT_FOUND))
def test_a_look_alike_is_no_finding(originals, label):
    assert originals.found(NOT_FOUND[label], copied=True) == []


def test_a_million_forms_are_held_as_digests_and_the_first_origin_of_each_stays():
    held = Originals()
    held.add("res_partner.phone", normal_forms.PHONE, [f"+44 7700 {n:06d}" for n in range(1_000_000)])
    held.add("hr_employee.private_phone", normal_forms.PHONE, ["07700 000042", "01632 960001"])
    held.ready()
    assert len(held.coded) == 1_000_001
    assert [held.origins[origin] for _, origin in held.found("call 07700 000042 or 01632 960001")] == [
        "res_partner.phone",
        "hr_employee.private_phone",
    ]


def test_a_forgotten_form_is_no_longer_looked_for(originals):
    forgetful = Originals()
    forgetful.add("hr_employee.name", normal_forms.WORDS, ["John Smith", "Anna Kent"])
    forgetful.add("res_partner.phone", normal_forms.PHONE, ["07700 900123", "07700 900456"])
    forgetful.ready()
    forgetful.forget({"john smith", "7700900123"})
    forgetful.ready()
    found = "John Smith and Kent, Anna on 07700 900123 or 07700 900456"
    assert [form for form, _ in forgetful.found(found)] == ["7700900456", "anna kent"]


def test_the_fast_finders_find_what_the_plain_expressions_find():
    """Emails found from their '@' and digit runs from their first digit: the same matches, in the same order,
    as the plain expressions they replace (which try every place of the text)."""
    import random
    import re

    email = re.compile(r"[a-z0-9._%+\-]++@[a-z0-9.\-]+\.[a-z]{2,}")
    digit_run = re.compile(r"(?<![^\W_])\+?\d[\d \-./()]{5,}\d(?![^\W_])")
    chance = random.Random(18)
    found = 0
    texts = ["a@b.com.x@y.org", "ann@x.io.bob.lee@y.org", "a@b@c.com", "@ab.cd.x@y.org", "x+44 20 7946 0000 +44 (0)20 7946"]
    for text in texts + [
        "".join(chance.choice("ab.@-+1 1x_é٣(/)\t,") for _ in range(chance.randint(1, 30))) for _ in range(20_000)
    ]:
        assert list(normal_forms._emails(text)) == email.findall(text), text
        assert normal_forms.DIGIT_RUN.findall(text) == digit_run.findall(text), text
        assert normal_forms.DIGIT_RUN.sub("#", text) == digit_run.sub("#", text), text
        found += len(email.findall(text)) + len(digit_run.findall(text))
    assert found > 100  # the texts held some of both
